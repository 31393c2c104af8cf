package dev.keyward.vault.engine;

import dev.keyward.vault.rotation.PasswordPolicy;
import dev.keyward.vault.rotation.RotationContext;
import dev.keyward.vault.rotation.RotationStepException;
import dev.keyward.vault.rotation.Rotator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A rotation target for tests that keeps the password it accepts in memory, like a database would.
 * It can fail a step, or halt the process's work at a step (an {@link Error}, as a crash: the
 * engine does no rollback for it), before or after the step's effect.
 */
final class FakeTargetRotator implements Rotator {
    /** Thrown to stop a run where a crash would. */
    static final class Halt extends Error {
        private static final long serialVersionUID = 1L;

        Halt() {
            super("halted for a test");
        }
    }

    volatile String accepted;
    volatile String failStep;
    volatile String haltBefore;
    volatile String haltAfter;
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<String> generated = new CopyOnWriteArrayList<>();
    final List<String> revoked = new CopyOnWriteArrayList<>();

    FakeTargetRotator(String accepted) {
        this.accepted = accepted;
    }

    @Override
    public String type() {
        return "fake";
    }

    @Override
    public void validate(Map<String, String> params) {
    }

    private void enter(String step) {
        calls.add(step);
        if (step.equals(haltBefore)) {
            throw new Halt();
        }
        if (step.equals(failStep)) {
            throw new RotationStepException("The fake target refused the " + step + " step.");
        }
    }

    private void leave(String step) {
        if (step.equals(haltAfter)) {
            throw new Halt();
        }
    }

    @Override
    public Map<String, String> generate(RotationContext ctx) {
        enter("pending");
        Map<String, String> out = new TreeMap<>(ctx.current());
        String v = PasswordPolicy.of(Map.of()).generate();
        generated.add(v);
        out.put("password", v);
        leave("pending");
        return out;
    }

    @Override
    public void set(RotationContext ctx, Map<String, String> pending) {
        enter("set");
        accepted = pending.get("password");
        leave("set");
    }

    @Override
    public void test(RotationContext ctx, Map<String, String> pending) {
        enter("test");
        if (!pending.get("password").equals(accepted)) {
            throw new RotationStepException("The fake target does not accept the new password.");
        }
        leave("test");
    }

    @Override
    public void restore(RotationContext ctx, Map<String, String> current, Map<String, String> pending) {
        calls.add("restore");
        accepted = current.get("password");
    }

    @Override
    public void revokePrevious(RotationContext ctx, Map<String, String> previous, Map<String, String> current) {
        calls.add("revoke");
        revoked.add(previous.get("password"));
    }

    @Override
    public void check(RotationContext ctx, Map<String, String> current) {
        if (!current.get("password").equals(accepted)) {
            throw new RotationStepException("The fake target does not accept the current password.");
        }
    }

    List<String> callsSnapshot() {
        return new ArrayList<>(calls);
    }
}
