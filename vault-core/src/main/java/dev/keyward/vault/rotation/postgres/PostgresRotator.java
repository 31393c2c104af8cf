package dev.keyward.vault.rotation.postgres;

import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.rotation.RotationContext;
import dev.keyward.vault.rotation.Rotator;
import dev.keyward.vault.rotation.postgres.PostgresParams.Mode;
import dev.keyward.vault.rotation.postgres.PostgresTarget.As;
import dev.keyward.vault.rotation.postgres.PostgresTargetException.Failure;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rotates the password of a real PostgreSQL role with {@code ALTER ROLE ... PASSWORD}, logged in
 * as a rotation credential kept in another secret of the vault.
 *
 * <p>The secret's fields are {@code username} and {@code password} (other fields are carried over
 * unchanged). In {@code single} mode the one role gets the new password at the set step, so the
 * old one stops working then. In {@code alternating} mode two roles take turns: the new password
 * goes to the role that is not current, so sessions and logins of the current role are untouched
 * while dependents move over; after the grace period {@link #revokePrevious} gives the previous
 * role a random password nobody knows (its open sessions keep running; new logins are refused).
 *
 * <p>The rotator only ever changes the roles its config names; a secret whose {@code username}
 * names another role is refused.
 */
public final class PostgresRotator implements Rotator {
    public static final String TYPE = "postgres";
    /** The secret's fields, and the rotation credential's. */
    public static final String USERNAME = "username";
    public static final String PASSWORD = "password";

    private static final char[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Pending values whose set certainly did not change the target (in memory only). */
    private final NotApplied notApplied = new NotApplied();

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void validate(Map<String, String> params) {
        PostgresParams.parse(params);
    }

    @Override
    public Map<String, String> generate(RotationContext ctx) {
        PostgresParams p = PostgresParams.parse(ctx.params());
        String role = p.mode() == Mode.SINGLE ? p.username() : inactiveRole(p, ctx.current());
        Map<String, String> pending = new LinkedHashMap<>(ctx.current());
        pending.put(USERNAME, role);
        pending.put(PASSWORD, randomPassword(p.passwordLength()));
        return pending;
    }

    @Override
    public void set(RotationContext ctx, Map<String, String> pending) {
        PostgresParams p = PostgresParams.parse(ctx.params());
        String role = ownRole(p, pending, "pending");
        if (p.mode() == Mode.ALTERNATING && role.equals(currentRoleOrNull(p, ctx.current()))) {
            throw PostgresTargetException.of(Failure.BAD_CREDENTIAL_SECRET, "The pending value names the current role \""
                    + role + "\"; in alternating mode the new password goes to the other role.", null);
        }
        boolean[] sent = new boolean[1];
        try {
            withRotationCredential(ctx, p, (target, admin) -> {
                sent[0] = true;
                target.setPassword(admin, role, password(pending, "pending"));
            });
        } catch (PostgresTargetException e) {
            if (!sent[0] || serverRefused(e)) {
                notApplied.remember(ctx.path(), pending);
            }
            throw e;
        }
    }

    /** The server answered the statement with an error: it did not happen (unlike a broken connection). */
    private static boolean serverRefused(PostgresTargetException e) {
        String st = e.sqlState();
        return st != null && !st.startsWith("08") && !st.startsWith("57P");
    }

    @Override
    public void test(RotationContext ctx, Map<String, String> pending) {
        PostgresParams p = PostgresParams.parse(ctx.params());
        String role = ownRole(p, pending, "pending");
        new PostgresTarget(p, ctx.timeout()).loginTest(As.ROLE, role, new String(password(pending, "pending")));
    }

    @Override
    public void restore(RotationContext ctx, Map<String, String> current, Map<String, String> pending) {
        PostgresParams p = PostgresParams.parse(ctx.params());
        String pendingRole = ownRole(p, pending, "pending");
        if (notApplied.forget(ctx.path(), pending)) {
            // This process saw the set fail before its statement reached the server, or the server
            // refuse it: the target never left the current value, so there is nothing to undo (and
            // a wrong or unreachable rotation credential does not turn a clean failure into an
            // unknown state). After a restart nothing is remembered and restore always acts.
            return;
        }
        if (p.mode() == Mode.SINGLE) {
            if (current.get(PASSWORD) == null) {
                // The secret had no value before this rotation: there is no password to bring back.
                return;
            }
            String role = ownRole(p, current, "current");
            withRotationCredential(ctx, p, (target, admin) -> target.setPassword(admin, role, password(current, "current")));
            return;
        }
        if (pendingRole.equals(currentRoleOrNull(p, current))) {
            return; // never touch the current role in alternating mode
        }
        // The current role was never changed; the other role stops accepting the pending password.
        withRotationCredential(ctx, p, (target, admin) -> target.setPassword(admin, pendingRole,
                randomPassword(p.passwordLength()).toCharArray()));
    }

    @Override
    public void revokePrevious(RotationContext ctx, Map<String, String> previous, Map<String, String> current) {
        PostgresParams p = PostgresParams.parse(ctx.params());
        if (p.mode() == Mode.SINGLE) {
            return; // the one role's old password stopped working when the new one was set
        }
        String previousRole = previous.get(USERNAME);
        String currentRole = currentRoleOrNull(p, current);
        if (previousRole == null || !p.roles().contains(previousRole) || previousRole.equals(currentRole)) {
            return; // nothing of ours to revoke, and never the current role
        }
        withRotationCredential(ctx, p, (target, admin) -> target.setPassword(admin, previousRole,
                randomPassword(p.passwordLength()).toCharArray()));
    }

    @Override
    public void check(RotationContext ctx, Map<String, String> current) {
        PostgresParams p = PostgresParams.parse(ctx.params());
        String role = ownRole(p, current, "current");
        PostgresTarget target = new PostgresTarget(p, ctx.timeout());
        target.loginTest(As.ROLE, role, new String(password(current, "current")));
        Credential cred = rotationCredential(ctx, p);
        try (Connection admin = target.connect(As.ROTATION_CREDENTIAL, cred.username, new String(cred.password))) {
            target.checkRotationCredential(admin, cred.username);
        } catch (SQLException e) {
            throw target.classify(e, As.ROTATION_CREDENTIAL, cred.username, "close a connection of");
        } finally {
            Arrays.fill(cred.password, '\0');
        }
    }

    /** The role that gets the next password in alternating mode: the one that is not current. */
    private static String inactiveRole(PostgresParams p, Map<String, String> current) {
        String cur = currentRoleOrNull(p, current);
        return p.username().equals(cur) ? p.alternateUsername() : p.username();
    }

    private static String currentRoleOrNull(PostgresParams p, Map<String, String> current) {
        String u = current.get(USERNAME);
        if (u == null) {
            return null;
        }
        if (!p.roles().contains(u)) {
            throw notOurRole(p, "current");
        }
        return u;
    }

    private static String ownRole(PostgresParams p, Map<String, String> value, String which) {
        String u = value.get(USERNAME);
        if (u == null) {
            throw PostgresTargetException.of(Failure.BAD_CREDENTIAL_SECRET, "The " + which + " value has no '"
                    + USERNAME + "' field.", null);
        }
        if (!p.roles().contains(u)) {
            throw notOurRole(p, which);
        }
        return u;
    }

    private static PostgresTargetException notOurRole(PostgresParams p, String which) {
        return PostgresTargetException.of(Failure.BAD_CREDENTIAL_SECRET, "The " + which + " value's '" + USERNAME
                + "' is not one of the roles this rotation config names (" + String.join(", ", p.roles()) + ").", null);
    }

    private static char[] password(Map<String, String> value, String which) {
        String pw = value.get(PASSWORD);
        if (pw == null || pw.isEmpty()) {
            throw PostgresTargetException.of(Failure.BAD_CREDENTIAL_SECRET, "The " + which + " value has no '"
                    + PASSWORD + "' field.", null);
        }
        return pw.toCharArray();
    }

    private record Credential(String username, char[] password) {
        @Override
        public String toString() {
            return "Credential[" + username + ", password hidden]";
        }
    }

    private static Credential rotationCredential(RotationContext ctx, PostgresParams p) {
        Map<String, String> fields;
        try {
            fields = ctx.secretReader().apply(p.rotationCredential());
        } catch (KeywardException e) {
            throw PostgresTargetException.of(Failure.BAD_CREDENTIAL_SECRET, "The rotation credential "
                    + p.rotationCredential() + " cannot be read: " + e.getMessage(), null);
        }
        String user = fields == null ? null : fields.get(USERNAME);
        String pw = fields == null ? null : fields.get(PASSWORD);
        if (user == null || user.isEmpty() || pw == null || pw.isEmpty()) {
            throw PostgresTargetException.of(Failure.BAD_CREDENTIAL_SECRET, "The rotation credential "
                    + p.rotationCredential() + " needs fields '" + USERNAME + "' and '" + PASSWORD + "'.", null);
        }
        if (p.roles().contains(user)) {
            throw PostgresTargetException.of(Failure.BAD_CREDENTIAL_SECRET, "The rotation credential "
                    + p.rotationCredential() + " is one of the roles being rotated; use a separate role.", null);
        }
        return new Credential(user, pw.toCharArray());
    }

    private interface AdminWork {
        void run(PostgresTarget target, Connection admin);
    }

    private static void withRotationCredential(RotationContext ctx, PostgresParams p, AdminWork work) {
        Credential cred = rotationCredential(ctx, p);
        PostgresTarget target = new PostgresTarget(p, ctx.timeout());
        try (Connection admin = target.connect(As.ROTATION_CREDENTIAL, cred.username, new String(cred.password))) {
            work.run(target, admin);
        } catch (SQLException e) {
            throw target.classify(e, As.ROTATION_CREDENTIAL, cred.username, "close a connection of");
        } finally {
            Arrays.fill(cred.password, '\0');
        }
    }

    static String randomPassword(int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }

    @Override
    public String toString() {
        return "PostgresRotator";
    }
}
