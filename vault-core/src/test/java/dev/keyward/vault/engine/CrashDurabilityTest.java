package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.SecretMetadata;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM acknowledges writes in a loop and is killed with SIGKILL at random moments; after
 * each restart every acknowledged write must read back intact.
 *
 * <p>Part of the default suite with 20 kills; {@code bench/crash.sh [kills]} runs it longer. Before
 * the write-ahead journal it failed within a few dozen kills on a loaded machine, because H2's
 * recovery can come back without the newest chunks (docs/architecture.md, "Durability").
 */
class CrashDurabilityTest {
    private static final int KILLS = Integer.getInteger("keyward.crash.kills", 20);

    @TempDir
    Path home;
    @TempDir
    Path logs;

    @Test
    @org.junit.jupiter.api.Timeout(value = 40, unit = TimeUnit.MINUTES)
    void everyAcknowledgedWriteSurvivesSigkill() throws Exception {
        TestVaults.initialised(home).close();
        Path childErr = logs.resolve("child.err");
        // Every acknowledged (path -> the values acknowledged for it, in order of acknowledgement).
        Map<String, List<String>> acked = new HashMap<>();
        int totalAcks = 0;
        for (int round = 0; round < KILLS; round++) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    CrashWriter.class.getName(), home.toString(), "r" + round)
                    .redirectError(childErr.toFile())
                    .start();
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            String first = out.readLine();
            if (!"READY".equals(first)) {
                child.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("round " + round + ": the child did not start: "
                        + Files.readString(childErr));
            }
            // Kill at a random moment while writes are in flight: after a random number of
            // acknowledgements, plus a random delay of up to 30 ms.
            int killAfterAcks = ThreadLocalRandom.current().nextInt(1, 40);
            long delayMs = ThreadLocalRandom.current().nextLong(0, 30);
            java.util.concurrent.CountDownLatch armed = new java.util.concurrent.CountDownLatch(1);
            Thread killer = new Thread(() -> {
                try {
                    armed.await(60, TimeUnit.SECONDS);
                    TimeUnit.MILLISECONDS.sleep(delayMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                // SIGKILL through the process handle: unlike Process.destroyForcibly it leaves our
                // end of the pipe open, so every line the child wrote before dying is still read.
                child.toHandle().destroyForcibly();
            });
            killer.start();
            String line;
            int acksThisRound = 0;
            while ((line = out.readLine()) != null) {
                String[] parts = line.split(" ");
                if (parts.length == 3 && parts[0].equals("ACK")) {
                    acked.computeIfAbsent(parts[1], k -> new ArrayList<>()).add(parts[2]);
                    acksThisRound++;
                    if (acksThisRound == killAfterAcks) {
                        armed.countDown();
                    }
                }
            }
            armed.countDown();
            killer.join();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            assertEquals(137, child.exitValue(), "killed by SIGKILL");
            totalAcks += acksThisRound;
            verify(acked, round);
            System.err.printf("crash round %d: %d acknowledged, %d keys checked%n", round, acksThisRound, acked.size());
        }
        assertTrue(totalAcks >= KILLS, "the children acknowledged writes before dying: " + totalAcks);
    }

    /** Reads every acknowledged write straight from the KV store in one read transaction. */
    private void verify(Map<String, List<String>> acked, int round) {
        try (Engine e = TestVaults.open(home)) {
            TestVaults.unseal(e);
            Unsealed keys = e.unsealedKeys();
            Instant now = Instant.now();
            e.storage().read(tx -> {
                List<String> gone = new ArrayList<>();
                for (var entry : acked.entrySet()) {
                    List<String> values = entry.getValue();
                    SecretMetadata meta;
                    try {
                        meta = keys.kv().readMetadata(tx, entry.getKey());
                    } catch (dev.keyward.vault.api.NotFoundException lost) {
                        gone.add(entry.getKey());
                        continue;
                    }
                    assertTrue(meta.currentVersion() >= values.size(), "after kill " + round + ": " + entry.getKey()
                            + " lost a version");
                    String last = values.get(values.size() - 1);
                    boolean found = false;
                    for (int v : meta.versions().keySet()) {
                        if (last.equals(keys.kv().read(tx, entry.getKey(), v, now).data().field("value"))) {
                            found = true;
                        }
                    }
                    assertTrue(found, "after kill " + round + ": acknowledged value of " + entry.getKey()
                            + " is missing");
                }
                if (!gone.isEmpty()) {
                    gone.sort(null);
                    List<String> thisRound = acked.keySet().stream().filter(k -> k.startsWith("crash/r" + round + "/"))
                            .sorted().toList();
                    throw new AssertionError("after kill " + round + ": " + gone.size() + " acknowledged secrets gone: "
                            + gone + "; acknowledged in this round: " + thisRound);
                }
                return null;
            });
            // The audit log came back whole as well: every entry, leaf record and subtree hash
            // written before the kill agrees with the sealed state and the signed heads.
            AuditVerification audit = e.audit().verify(TestVaults.login(e).caller(), null, null);
            assertTrue(audit.ok(), "after kill " + round + ": " + audit.problems());
        }
    }
}
