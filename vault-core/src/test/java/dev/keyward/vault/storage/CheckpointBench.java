package dev.keyward.vault.storage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stalls of the storage under checkpoints: 16 writers (durable writes of two 1.5 KiB records,
 * about an audit entry with its state) and 4 paced readers (one read a millisecond each) for {@code -Dbench.seconds}
 * (default 20) with a checkpoint every {@code -Dbench.checkpointMiB} (default 8) of journal. Prints
 * writes/s, read and write p50/p99/max and how many calls took over 50 ms.
 * Run: {@code bench/checkpoint.sh [seconds] [checkpoint MiB]}.
 */
public final class CheckpointBench {
    private CheckpointBench() {
    }

    public static void main(String[] args) throws Exception {
        long seconds = Long.getLong("bench.seconds", 20);
        long checkpoint = Long.getLong("bench.checkpointMiB", 8) * 1024 * 1024;
        Path dir = Files.createTempDirectory("keyward-checkpoint-bench");
        byte[] value = new byte[1500];
        Arrays.fill(value, (byte) 'x');
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong seq = new AtomicLong();
        long[][] writeLat = new long[16][];
        long[][] readLat = new long[4][];
        int[] writeN = new int[16];
        int[] readN = new int[4];
        try (H2Storage s = H2Storage.open(dir, checkpoint)) {
            s.write(tx -> {
                tx.put("fixed", value);
                return null;
            });
            Thread[] threads = new Thread[20];
            for (int t = 0; t < threads.length; t++) {
                int id = t;
                threads[t] = new Thread(() -> {
                    long[] lat = new long[1 << 20];
                    int n = 0;
                    while (!stop.get() && n < lat.length) {
                        long t0 = System.nanoTime();
                        if (id < 16) {
                            long k = seq.incrementAndGet();
                            s.write(tx -> {
                                tx.put("bench/e/" + k, value);
                                tx.put("bench/state", value);
                                return null;
                            });
                            lat[n++] = System.nanoTime() - t0;
                        } else {
                            s.read(tx -> tx.get("fixed"));
                            lat[n++] = System.nanoTime() - t0;
                            try {
                                Thread.sleep(1); // paced, as a client reading now and then
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    }
                    if (id < 16) {
                        writeLat[id] = lat;
                        writeN[id] = n;
                    } else {
                        readLat[id - 16] = lat;
                        readN[id - 16] = n;
                    }
                });
                threads[t].start();
            }
            Thread.sleep(seconds * 1000);
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
        }
        long writes = Arrays.stream(writeN).sum();
        System.out.printf("checkpoint every %d MiB, %d s: %.0f durable writes/s%n", checkpoint >> 20, seconds,
                writes / (double) seconds);
        report("durable write", writeLat, writeN);
        report("read", readLat, readN);
    }

    private static void report(String what, long[][] lat, int[] n) {
        long[] all = new long[Arrays.stream(n).sum()];
        int at = 0;
        for (int i = 0; i < lat.length; i++) {
            System.arraycopy(lat[i], 0, all, at, n[i]);
            at += n[i];
        }
        Arrays.sort(all);
        long over = Arrays.stream(all).filter(x -> x > 50_000_000L).count();
        System.out.printf("%-14s p50 %7.2f ms  p99 %7.2f ms  max %7.1f ms  over 50 ms: %d of %d%n", what,
                all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6, all[all.length - 1] / 1e6, over,
                all.length);
    }
}
