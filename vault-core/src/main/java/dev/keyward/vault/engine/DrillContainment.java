package dev.keyward.vault.engine;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.AlertService.Alert;
import dev.keyward.vault.api.AlertService.ContainmentAction;
import dev.keyward.vault.api.AlertService.Restriction;
import dev.keyward.vault.api.AlertSeverity;
import dev.keyward.vault.api.AlertSpec;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.PolicyService.IdentityRef;
import dev.keyward.vault.api.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A drill's contain and verify steps, in the scratch copy, through the copy's containment: an alert
 * ({@code compromise-drill}) is raised for each identity, and containment's own actions are applied
 * for it, as they would be for a detector's alert: {@code revoke-tokens} and {@code lock} (every
 * call of the identity refused, logins too). Verifying looks at what containment holds in force and,
 * for an AppRole, logs in with a fresh secret_id and tries to read the secret.
 */
final class DrillContainment {
    static final String KIND = "compromise-drill";
    static final List<String> ACTIONS = List.of("revoke-tokens", "lock");

    private DrillContainment() {
    }

    static String name(IdentityRef r) {
        return r.type().name().toLowerCase(Locale.ROOT) + ":" + r.name();
    }

    /** The identity's id, as its tokens and containment name it. */
    static String identityId(Engine copy, Caller job, IdentityRef r) {
        return switch (r.type()) {
            case APPROLE -> {
                var rec = copy.storage().read(tx -> copy.unsealedKeys().machines().appRole(tx, r.name()));
                if (rec == null) {
                    throw new NotFoundException("There is no AppRole " + r.name() + " in the vault.");
                }
                yield rec.id();
            }
            case CERT -> copy.identities().listCertIdentities(job).stream().filter(c -> c.spec().name()
                    .equals(r.name())).findFirst().orElseThrow(() -> new NotFoundException("There is no cert "
                    + "identity " + r.name() + " in the vault.")).id();
            default -> copy.identities().listOperators(job).stream().filter(o -> o.name().equals(r.name()))
                    .findFirst().orElseThrow(() -> new NotFoundException("There is no operator " + r.name()
                            + " in the vault.")).id();
        };
    }

    /** Raises the drill's alert for each identity and applies containment's actions for it. */
    static String contain(Engine copy, Caller job, String path, List<IdentityRef> who, String drillId) {
        List<String> done = new ArrayList<>();
        for (IdentityRef r : who) {
            String alertId = copy.alerts().raise(job, new AlertSpec(KIND, AlertSeverity.CRITICAL, r.name(),
                    "secret/" + path, "Compromise drill " + drillId + ": secret/" + path + " is treated as leaked and "
                    + name(r) + " as compromised.", List.of(), Map.of("identity_id", identityId(copy, job, r),
                    "drill", drillId)));
            Alert a = copy.alerts().showAlert(job, alertId);
            List<String> applied = new ArrayList<>();
            for (String action : ACTIONS) {
                ContainmentAction ca = copy.alertDesk().contain(a, action);
                if (!"applied".equals(ca.state())) {
                    throw new InvalidRequestException("Containment could not " + action + " " + name(r) + ": "
                            + ca.detail() + ".");
                }
                applied.add(ca.action() + " (" + ca.detail() + ")");
            }
            done.add(name(r) + ": " + String.join(", ", applied) + " by containment of alert " + alertId);
        }
        return done.isEmpty() ? "no identity can read it" : String.join("; ", done);
    }

    /** Checks that containment holds every identity; throws naming those it does not. */
    static String verify(Engine copy, Caller job, String path, List<IdentityRef> who) {
        Map<String, Restriction> held = new java.util.HashMap<>();
        copy.alerts().containmentStatus(job).identities().forEach(x -> held.put(x.identityId(), x));
        List<String> loose = new ArrayList<>();
        int tried = 0;
        for (IdentityRef r : who) {
            Restriction x = held.get(identityId(copy, job, r));
            if (x == null || !x.locked()) {
                loose.add(name(r) + " is not locked");
            } else if (r.type() == IdentityRef.Type.APPROLE) {
                tried++;
                if (appRoleStillReads(copy, job, r.name(), path)) {
                    loose.add(name(r) + " still logs in and reads it");
                }
            }
        }
        if (!loose.isEmpty()) {
            throw new InvalidRequestException("The response did not take hold: " + String.join(", ", loose) + ".");
        }
        return who.isEmpty() ? "nothing to contain" : who.size() + " identities locked by containment"
                + (tried == 0 ? "" : "; with a fresh secret_id, " + tried + " AppRole(s) could not read it");
    }

    /** Logs in as the AppRole with a fresh secret_id and reads the secret; true when that is served. */
    private static boolean appRoleStillReads(Engine copy, Caller job, String name, String path) {
        String roleId = copy.identities().roleId(job, name);
        String secretId = copy.identities().issueSecretId(job, name, IdentityService.SecretIdSpec.defaults())
                .secretId();
        try {
            Session s = copy.loginAppRole(roleId, secretId, "drill");
            copy.secrets().read(s.caller(), path, 0);
            return true;
        } catch (AccessDeniedException refused) {
            return false;
        }
    }
}
