package dev.keyward.vault.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL during checkpoints: a child JVM writes with a 32 KiB checkpoint size and is killed
 * either while a checkpoint is held open between sealing its segment and deleting it (writes going
 * on into the new segment), or at a random moment across many checkpoints. After each kill every
 * key holds exactly its last acknowledged value (or the one write to it still in flight): no
 * acknowledged write is lost and nothing older is replayed over a newer value.
 */
class CheckpointCrashTest {
    private static final int ROUNDS = Integer.getInteger("keyward.checkpoint.kills", 8);

    @TempDir
    Path dir;
    @TempDir
    Path logs;

    /** Per key: the last acknowledged value ("-": deleted) and a value still in flight, if any. */
    private final Map<String, String> acked = new HashMap<>();
    private final Map<String, String> inFlight = new HashMap<>();

    @Test
    @org.junit.jupiter.api.Timeout(value = 20, unit = TimeUnit.MINUTES)
    void noAcknowledgedWriteIsLostWhenKilledDuringACheckpoint() throws Exception {
        H2Storage.open(dir).close();
        int held = 0;
        for (int round = 0; round < ROUNDS; round++) {
            boolean hold = round % 2 == 0;
            int acks = runAndKill("r" + round, hold);
            if (hold) {
                assertTrue(Files.exists(dir.resolve(Journal.SEALED)), "round " + round
                        + ": killed between sealing the segment and deleting it");
                held++;
            }
            verify(round);
            System.err.printf("checkpoint crash round %d (%s): %d acknowledged, %d keys checked%n", round,
                    hold ? "held" : "free", acks, acked.size());
        }
        assertTrue(held > 0);
    }

    private int runAndKill(String run, boolean hold) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path err = logs.resolve(run + ".err");
        Process child = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                CheckpointCrashChild.class.getName(), dir.toString(), run, hold ? "hold" : "free")
                .redirectError(err.toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        if (!"READY".equals(out.readLine())) {
            child.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(run + ": the child did not start: " + Files.readString(err));
        }
        // held: a few more acknowledged writes after the checkpoint was held (they are in the new
        // segment only); free: enough writes for several checkpoints, then a random moment.
        int afterHeld = ThreadLocalRandom.current().nextInt(1, 60);
        int killAt = ThreadLocalRandom.current().nextInt(150, 1500);
        boolean sawHeld = false;
        int acks = 0;
        int sinceHeld = 0;
        boolean killed = false;
        String line;
        while ((line = out.readLine()) != null) {
            String[] p = line.split(" ");
            if (p[0].equals("HELD")) {
                sawHeld = true;
            } else if (p.length == 3 && p[0].equals("BEGIN")) {
                inFlight.put(p[1], p[2]);
            } else if (p.length == 3 && p[0].equals("ACK")) {
                acked.put(p[1], p[2]);
                inFlight.remove(p[1]);
                acks++;
                if (sawHeld) {
                    sinceHeld++;
                }
                if (!killed && (hold ? sawHeld && sinceHeld >= afterHeld : acks >= killAt)) {
                    child.toHandle().destroyForcibly(); // SIGKILL; lines already written are still read
                    killed = true;
                }
            }
        }
        assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        assertEquals(137, child.exitValue(), run + ": killed by SIGKILL; " + Files.readString(err));
        assertTrue(killed, run + ": the child stopped writing");
        return acks;
    }

    private void verify(int round) {
        List<String> wrong = new ArrayList<>();
        try (H2Storage s = H2Storage.open(dir)) {
            s.read(tx -> {
                for (var e : acked.entrySet()) {
                    byte[] v = tx.get(e.getKey());
                    String actual = v == null ? "-" : new String(v, StandardCharsets.UTF_8).split(" ")[0];
                    String flying = inFlight.get(e.getKey());
                    if (!actual.equals(e.getValue()) && !actual.equals(flying)) {
                        wrong.add(e.getKey() + " is " + actual + ", acknowledged " + e.getValue()
                                + (flying == null ? "" : " (in flight " + flying + ")"));
                    }
                }
                return null;
            });
        }
        assertEquals(List.of(), wrong, "after kill " + round);
        // Whatever was in flight is now decided: it either happened or not, and the next round's
        // check takes what is stored now.
        try (H2Storage s = H2Storage.open(dir)) {
            s.read(tx -> {
                for (String k : inFlight.keySet()) {
                    byte[] v = tx.get(k);
                    acked.put(k, v == null ? "-" : new String(v, StandardCharsets.UTF_8).split(" ")[0]);
                }
                return null;
            });
        }
        inFlight.clear();
    }
}
