package dev.keyward.vault.engine;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.RotationRun;
import dev.keyward.vault.api.RotationService;
import dev.keyward.vault.api.RotationService.RotationConfig;
import dev.keyward.vault.api.RotationService.RotationRecord;
import dev.keyward.vault.api.RotationTrigger;
import dev.keyward.vault.rotation.GeneratedRotator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A drill's rotate step, in the scratch copy: a compromise rotation through the copy's
 * {@link RotationService} ({@code rotateNow} with {@link RotationTrigger#COMPROMISE}), run to its end
 * on the drill's thread (the copy's scheduler never runs). The secret's configured rotator is used
 * when it acts on the vault alone; a rotator that changes a target outside the vault (a hook, a
 * PostgreSQL role, an authorized_keys file) is not run from a copy, because the real vault would
 * then hold a value its target no longer accepts: the copy's config is replaced by a generated
 * rotation of the same secret, and the step says so. A secret with no rotation configured gets a
 * generated rotation too.
 */
final class DrillRotation {
    /** Rotators whose every step stays inside the vault (ssh only without an authorized_keys file). */
    private static final Set<String> VAULT_ONLY = Set.of(GeneratedRotator.TYPE, "x509",
            dev.keyward.vault.rotation.SshKeyRotator.TYPE);

    private DrillRotation() {
    }

    /** Rotates the secret in the copy and says how; throws when the rotation did not finish. */
    static String rotate(Engine copy, Caller job, String path, Set<String> fields, String drillId) {
        RotationService rot = copy.rotation();
        RotationConfig cfg;
        try {
            cfg = rot.readConfig(job, path);
        } catch (NotFoundException none) {
            cfg = null;
        }
        String how;
        if (cfg != null && vaultOnly(cfg)) {
            how = "its configured " + cfg.rotator() + " rotator";
        } else {
            String field = fields.contains("password") ? "password" : new TreeSet<>(fields).first();
            rot.configure(job, path, new RotationConfig(GeneratedRotator.TYPE, Map.of("field", field), null, null,
                    null, true, 1, null, null, null, null));
            how = (cfg == null ? "no rotation is configured for it, so a generated rotation"
                    : "its " + cfg.rotator() + " rotator changes a target outside the vault, which a scratch copy must"
                    + " not touch, so a generated rotation") + " of field " + field + " (other fields unchanged)";
        }
        RotationRun run = rot.rotateNow(job, path, RotationTrigger.COMPROMISE, "compromise drill " + drillId);
        copy.rotationFacade().runOne(path);
        RotationRecord done = rot.history(job, path, 20).stream().filter(r -> r.id().equals(run.id())).findFirst()
                .orElseThrow(() -> new InvalidRequestException("The rotation " + run.id() + " left no record."));
        if (!"finished".equals(done.state())) {
            throw new InvalidRequestException("The rotation " + run.id() + " did not finish (" + done.state()
                    + (done.failedStep() == null ? "" : " at step " + done.failedStep())
                    + (done.error() == null ? "" : ": " + done.error()) + ").");
        }
        return "compromise rotation " + run.id() + " through the rotation service with " + how + ": version "
                + done.version() + " is current, the previous one revoked at once";
    }

    /** Whether every step of the config's rotator stays inside the vault. */
    static boolean vaultOnly(RotationConfig cfg) {
        return VAULT_ONLY.contains(cfg.rotator()) && !cfg.params().containsKey("authorized_keys");
    }
}
