package dev.keyward.vault.engine;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.RotationService;
import dev.keyward.vault.api.RotationService.RotationStatus;
import dev.keyward.vault.api.RotationTrigger;
import dev.keyward.vault.audit.AuditTap;
import dev.keyward.vault.testing.TestPostgres;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Child JVM of {@link PostgresRotationCrashTest}. Opens the vault and unseals it (the rotation job's
 * first pass resumes or rolls back what the last kill interrupted), waits for that, reports whether
 * each secret's current value logs in to PostgreSQL ("LOGIN path ok|refused"), then rotates one
 * secret. With a freeze operation it stops every thread that commits once the audit entry of that
 * operation is durable ("FROZEN op"): the step it announces has not run yet. It runs until killed.
 *
 * <p>args: home, path to rotate (or "-" to only recover and exit), freeze operation (or "-").
 */
public final class PostgresRotationChild {
    static final List<String> PATHS = List.of("db/single", "db/alt");

    private PostgresRotationChild() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        String path = args[1];
        String freeze = args[2];
        PrintStream out = System.out;
        Engine e = TestVaults.open(home);
        boolean[] armed = new boolean[1];
        e.tapAudit(entries -> {
            for (AuditTap.Committed c : entries) {
                if (armed[0] && c.event().operation().equals(freeze)) {
                    synchronized (out) {
                        out.println("FROZEN " + freeze);
                        out.flush();
                    }
                    try {
                        Thread.sleep(Long.MAX_VALUE); // the committer stops here until the kill
                    } catch (InterruptedException stop) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        });
        TestVaults.unseal(e);
        Caller admin = TestVaults.login(e).caller();
        RotationService rot = e.rotation();
        for (String p : PATHS) {
            waitQuiet(rot, admin, p);
        }
        try (TestPostgres pg = TestPostgres.connect()) {
            for (String p : PATHS) {
                Map<String, String> cur = e.secrets().read(admin, p, 0).data().fields();
                String err = pg.loginError(cur.get("username"), cur.get("password"));
                RotationStatus st = rot.status(admin, p);
                out.println("LOGIN " + p + " " + (err == null ? "ok" : "refused:" + err) + " last=" + st.lastOutcome()
                        + " attention=" + st.needsAttention());
            }
        }
        out.println("RECOVERED");
        out.flush();
        if (path.equals("-")) {
            e.close();
            System.exit(0);
        }
        RotationStatus before = rot.status(admin, path);
        synchronized (out) {
            armed[0] = !freeze.equals("-");
            out.println("ROTATING " + path);
            out.flush();
        }
        rot.rotateNow(admin, path, RotationTrigger.MANUAL, "crash test");
        Instant last = before.lastRunAt();
        while (true) {
            RotationStatus st = rot.status(admin, path);
            if (st.running() == null && st.lastRunAt() != null && !st.lastRunAt().equals(last)
                    && st.graceUntil() == null) {
                synchronized (out) {
                    out.println("DONE " + st.lastOutcome());
                    out.flush();
                }
                break;
            }
            Thread.sleep(5);
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    /** Until no run of the secret is active and no ended grace waits for its revoke. */
    private static void waitQuiet(RotationService rot, Caller admin, String path) throws InterruptedException {
        long until = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < until) {
            RotationStatus st = rot.status(admin, path);
            if (st.running() == null && (st.graceUntil() == null || st.graceUntil().isAfter(Instant.now()))) {
                return;
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("the rotation of " + path + " did not settle after the restart");
    }
}
