package dev.keyward.vault.engine;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.CredentialCheckService;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.RotationService.RotationConfig;
import dev.keyward.vault.api.SecretPaths;
import dev.keyward.vault.api.SecretVersion;
import dev.keyward.vault.crypto.Keyring;
import dev.keyward.vault.policy.BuiltInPolicies;
import dev.keyward.vault.rotation.RotationStepException;
import dev.keyward.vault.rotation.RotationStore;
import dev.keyward.vault.rotation.RotatorRegistry;
import dev.keyward.vault.rotation.check.CredentialChecks;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link CredentialCheckService} through the guarded door: the caller's request is authorized and
 * audited ({@code rotation.check} on {@code sys/rotation/<prefix>}); the checks then read values as
 * the rotation job (each read audited) outside the caller's call, so a slow target never holds up a
 * seal; their outcome is one more audit entry of the job.
 */
final class CredentialCheckFacade implements CredentialCheckService {
    private static final String SYS = "sys/rotation/";

    private final Engine engine;
    private final Door door;
    private final SecretsFacade.Guard guard;
    private final CredentialChecks checks;

    CredentialCheckFacade(Engine engine, Door door, SecretsFacade.Guard guard, RotatorRegistry registry) {
        this.engine = engine;
        this.door = door;
        this.guard = guard;
        this.checks = new CredentialChecks(registry, engine.clock());
    }

    private record Target(String path, RotationConfig config, boolean running) {
    }

    @Override
    public List<CredentialCheck> checkCredentials(Caller caller, String prefix) {
        String pre = prefix(prefix);
        List<Target> targets = guard.run(() -> door.read(caller, Operation.ROTATION_CHECK, SYS + pre,
                (k, who, tx, now) -> store(k).all(tx).stream().filter(s -> s.path.startsWith(pre))
                        .sorted(Comparator.comparing(s -> s.path))
                        .map(s -> new Target(s.path, s.config, s.activeRun != null)).toList(),
                l -> Map.of("prefix", pre, "count", Integer.toString(l.size()))));
        List<CredentialCheck> out = new ArrayList<>();
        for (Target t : targets) {
            if (t.running()) {
                out.add(new CredentialCheck(t.path(), t.config().rotator(), CredentialCheck.SKIPPED, null,
                        "A rotation of secret/" + t.path() + " is running.", 0));
            } else {
                out.add(checks.check(t.path(), t.config(), this::current, this::readSecret));
            }
        }
        Map<String, String> details = new LinkedHashMap<>();
        details.put("prefix", pre);
        details.put("checked", Integer.toString(out.size()));
        List<String> failed = out.stream().filter(c -> c.outcome().equals(CredentialCheck.FAILED))
                .map(c -> c.path() + " (" + c.errorClass() + ")").toList();
        details.put("failed", Integer.toString(failed.size()));
        if (!failed.isEmpty()) {
            String list = String.join(", ", failed);
            details.put("failures", list.length() > 1000 ? list.substring(0, 1000) + "..." : list);
        }
        engine.underKeys(u -> door.write(job(), Operation.ROTATION_CHECK, SYS + pre, (k, who, tx, now) -> null,
                r -> details));
        return out;
    }

    void close() {
        checks.close();
    }

    private Caller job() {
        return engine.systemCaller(BuiltInPolicies.JOB_ROTATION);
    }

    private static RotationStore store(Unsealed k) {
        return new RotationStore(k.barrier(), k.keyring().named(Keyring.INDEX_KEY));
    }

    private static String prefix(String prefix) {
        String p = prefix == null ? "" : SecretPaths.normalize(prefix.strip());
        if (p.isEmpty()) {
            return p;
        }
        return p.endsWith("/") ? SecretPaths.validateFolder(p) : SecretPaths.validateSecretPath(p);
    }

    /** The secret's current fields (empty when it has none), read as the rotation job. */
    private Map<String, String> current(String path) {
        return engine.underKeys(u -> door.read(job(), Operation.SECRET_READ, "secret/" + path, (k, who, tx, now) -> {
            try {
                SecretVersion v = k.kv().read(tx, path, 0, now);
                return v.hasData() ? v.data().fields() : Map.<String, String>of();
            } catch (NotFoundException none) {
                return Map.<String, String>of();
            }
        }, m -> Map.of("by", "rotation.check")));
    }

    /** Another secret's current fields for a rotator (its rotation credential), read as the rotation job. */
    private Map<String, String> readSecret(String path) {
        String p = SecretPaths.validateSecretPath(SecretPaths.normalize(path));
        Map<String, String> fields = current(p);
        if (fields.isEmpty()) {
            throw new RotationStepException("The secret secret/" + p + " that the rotator reads does not exist or is"
                    + " deleted.");
        }
        return fields;
    }
}
