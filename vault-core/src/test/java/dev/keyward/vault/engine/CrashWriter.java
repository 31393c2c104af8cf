package dev.keyward.vault.engine;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.SecretData;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Child process of {@link CrashDurabilityTest}: opens an initialised vault, then writes secrets
 * from several threads and prints "ACK path value" only after each write returned. It runs
 * until it is killed.
 */
public final class CrashWriter {
    private CrashWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        String run = args[1];
        Engine e = TestVaults.open(home);
        TestVaults.unseal(e);
        Caller c = e.login(TestVaults.ADMIN, TestVaults.ADMIN_PASS.toCharArray(), "crash").caller();
        PrintStream out = System.out;
        out.println("READY");
        out.flush();
        AtomicInteger n = new AtomicInteger();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                while (true) {
                    int i = n.incrementAndGet();
                    String path = "crash/" + run + "/k" + i;
                    String value = "v" + i + "-" + run;
                    // Every fourth write overwrites an earlier key, so versions are exercised too.
                    if (i % 4 == 0) {
                        path = "crash/" + run + "/k" + (i / 4);
                    }
                    e.secrets().write(c, path, SecretData.of(Map.of("value", value)), null);
                    synchronized (out) {
                        out.println("ACK " + path + " " + value);
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
