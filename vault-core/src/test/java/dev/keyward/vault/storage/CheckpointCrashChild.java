package dev.keyward.vault.storage;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Child process of {@link CheckpointCrashTest}: opens the storage with a small checkpoint size and
 * writes from four threads, each to keys of its own: "BEGIN key value" before a put or delete
 * (value "-"), "ACK key value" once it returned. With "hold", the first checkpoint is held open
 * after its segment was sealed and the database file forced ("HELD"), and writes go on into the
 * new segment. It runs until it is killed.
 */
public final class CheckpointCrashChild {
    static final long CHECKPOINT_BYTES = 32 * 1024;

    private CheckpointCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String run = args[1];
        boolean hold = args[2].equals("hold");
        H2Storage s = H2Storage.open(dir, CHECKPOINT_BYTES);
        PrintStream out = System.out;
        if (hold) {
            CountDownLatch never = new CountDownLatch(1);
            s.onCheckpoint(() -> {
                synchronized (out) {
                    out.println("HELD");
                    out.flush();
                }
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        out.println("READY");
        out.flush();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            String prefix = run + "/t" + t + "/k";
            threads[t] = new Thread(() -> {
                for (int j = 1; ; j++) {
                    String key = prefix + (j % 50);
                    String value = j % 5 == 0 ? "-" : "v" + j;
                    synchronized (out) {
                        out.println("BEGIN " + key + " " + value);
                    }
                    if (value.equals("-")) {
                        s.write(tx -> tx.delete(key));
                    } else {
                        byte[] v = (value + " " + "x".repeat(200)).getBytes(StandardCharsets.UTF_8);
                        s.write(tx -> {
                            tx.put(key, v);
                            return null;
                        });
                    }
                    synchronized (out) {
                        out.println("ACK " + key + " " + value);
                        out.flush();
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
    }
}
