package dev.keyward.vault.engine;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.RewrapStatus;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.api.UnsealCredential;
import java.nio.file.Path;

/**
 * A vault in a separate JVM, for tests that need a fresh process (a restored HSM token) or kill
 * one (a crash mid-rewrap). Prints lines the parent test reads.
 */
public final class VaultChild {
    private VaultChild() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[1]);
        switch (args[0]) {
            case "read-with-pin" -> {
                // args: home pin count
                try (Engine e = TestVaults.open(home)) {
                    e.unseal(UnsealCredential.pin(args[2].toCharArray()), "child");
                    Session s = TestVaults.login(e);
                    int n = Integer.parseInt(args[3]);
                    for (int i = 0; i < n; i++) {
                        String v = e.secrets().read(s.caller(), "app/s" + i, 0).data().field("v");
                        if (!("value-" + i).equals(v)) {
                            System.out.println("MISMATCH " + i);
                            System.exit(3);
                        }
                    }
                    System.out.println("READ-OK " + n);
                }
            }
            case "rewrap" -> {
                // args: home; rotates, starts a rewrap and reports progress until killed
                Engine e = TestVaults.open(home);
                TestVaults.unseal(e);
                Session s = TestVaults.login(e);
                Caller c = s.caller();
                int term = e.keys().rotateDataKey(c);
                e.keys().startRewrap(c);
                System.out.println("TERM " + term);
                while (true) {
                    RewrapStatus st = e.keys().rewrapStatus(c);
                    System.out.println("PROGRESS " + st.examined() + " " + st.total() + " " + st.state());
                    System.out.flush();
                    if (st.state() == RewrapStatus.State.DONE) {
                        System.exit(0);
                    }
                    if (st.state() == RewrapStatus.State.PAUSED) {
                        System.out.println("PAUSED");
                        System.exit(4);
                    }
                    Thread.sleep(5);
                }
            }
            case "write-versions" -> {
                // args: home path count; writes count versions of one secret, then waits to be killed
                Engine e = TestVaults.open(home);
                TestVaults.unseal(e);
                Caller c = TestVaults.login(e).caller();
                int n = Integer.parseInt(args[3]);
                for (int i = 1; i <= n; i++) {
                    e.secrets().write(c, args[2], dev.keyward.vault.api.SecretData.of(java.util.Map.of("v", "value-" + i)),
                            null);
                }
                System.out.println("WRITTEN " + n);
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
