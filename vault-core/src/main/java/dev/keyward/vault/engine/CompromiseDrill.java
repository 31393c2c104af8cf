package dev.keyward.vault.engine;

import dev.keyward.vault.api.AuditProgress;
import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.GovernanceService.DrillRun;
import dev.keyward.vault.api.GovernanceService.DrillStep;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.PolicyService;
import dev.keyward.vault.api.SecretPaths;
import dev.keyward.vault.api.SecretVersion;
import dev.keyward.vault.api.StorageException;
import dev.keyward.vault.api.TokenInfo;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.VaultOptions;
import dev.keyward.vault.api.VaultStatus;
import dev.keyward.vault.policy.BuiltInPolicies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A compromise drill: the vault's directory is copied while no call is in flight (the state lock
 * held for writing, so the database and its journal agree), the copy is opened as a second vault
 * in a private temporary directory and unsealed with the operator's unseal material, and the
 * response to a leaked secret is played there: rotate (the copy's rotation service, {@link
 * DrillRotation}), revoke the tokens of whoever can read it, contain the identity (the copy's
 * containment, {@link DrillContainment}), check the response took hold, verify the copy's audit log,
 * delete the copy. Steps in the copy run as the copy's {@code system:drill} principal; the copy is a
 * scratch engine ({@link Engine#scratch}): it delivers no alert or webhook and starts no rotation by
 * itself. The real vault only gains the drill's record (and the audit entries of the calls that made
 * it).
 */
final class CompromiseDrill {
    /** Files that belong to the running process, not to the vault's data. */
    private static final Set<String> NOT_COPIED = Set.of("keyward.lock", ".token", "exports");

    private final Engine engine;
    private final String id;
    private final List<DrillStep> steps = new ArrayList<>();

    private CompromiseDrill(Engine engine, String id) {
        this.engine = engine;
        this.id = id;
    }

    private interface Step {
        String run() throws Exception;
    }

    /** Runs a step, timed; a failure is recorded (by class and sentence) and ends the drill. */
    private boolean step(String name, Step s) {
        long t0 = System.nanoTime();
        try {
            String detail = s.run();
            steps.add(new DrillStep(name, (System.nanoTime() - t0) / 1_000_000, true, detail));
            return true;
        } catch (KeywardException e) {
            steps.add(new DrillStep(name, (System.nanoTime() - t0) / 1_000_000, false, e.getMessage()));
        } catch (Exception e) {
            steps.add(new DrillStep(name, (System.nanoTime() - t0) / 1_000_000, false,
                    "failed (" + e.getClass().getSimpleName() + ")"));
        }
        return false;
    }

    static DrillRun run(Engine engine, String id, String by, String path, String identity, List<char[]> keys) {
        return new CompromiseDrill(engine, id).play(id, by, SecretPaths.normalize(path), identity, keys);
    }

    private DrillRun play(String id, String by, String path, String identity, List<char[]> keys) {
        Instant started = engine.clock().instant();
        long t0 = System.nanoTime();
        Path scratch = null;
        Engine copy = null;
        try {
            scratch = Files.createTempDirectory("keyward-drill-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path dir = scratch.resolve("vault");
            if (step("snapshot", () -> snapshot(dir))) {
                copy = open(dir, keys);
            }
            if (copy != null) {
                drill(copy, path, identity);
            }
        } catch (IOException e) {
            steps.add(new DrillStep("snapshot", 0, false, "no scratch directory could be made"));
        } finally {
            keys.forEach(k -> Arrays.fill(k, '\0'));
            Engine c = copy;
            Path s = scratch;
            step("cleanup", () -> {
                if (c != null) {
                    c.close();
                }
                if (s != null) {
                    delete(s);
                }
                return "scratch copy closed and deleted";
            });
        }
        boolean ok = steps.stream().allMatch(DrillStep::ok);
        return new DrillRun(id, path, identity, started, by, ok, (System.nanoTime() - t0) / 1_000_000, steps);
    }

    private String snapshot(Path dir) {
        Path home = engine.home();
        long[] bytes = {0};
        int[] files = {0};
        engine.exclusive(() -> {
            try (Stream<Path> all = Files.walk(home)) {
                for (Path p : (Iterable<Path>) all::iterator) {
                    Path rel = home.relativize(p);
                    if (rel.toString().isEmpty() || NOT_COPIED.contains(rel.getName(0).toString())) {
                        continue;
                    }
                    Path to = dir.resolve(rel.toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else if (Files.isRegularFile(p)) {
                        Files.createDirectories(to.getParent());
                        Files.copy(p, to);
                        bytes[0] += Files.size(p);
                        files[0]++;
                    }
                }
            } catch (IOException e) {
                throw new StorageException("The vault directory could not be copied: " + e.getClass().getSimpleName(),
                        e);
            }
            return null;
        });
        return "copied " + files[0] + " files (" + String.format(Locale.ROOT, "%.1f", bytes[0] / 1e6)
                + " MB) with no call in flight";
    }

    private Engine open(Path dir, List<char[]> keys) {
        Engine[] out = {null};
        step("open scratch copy", () -> {
            Engine e = Engine.open(EngineConfig.defaults(new VaultOptions(dir, engine.clock(), Duration.ZERO)));
            out[0] = e;
            e.scratch(); // nothing leaves the copy, no rotation starts by itself
            VaultStatus st = e.status();
            String type = st.sealType();
            for (char[] k : keys) {
                UnsealCredential c = switch (type) {
                    case dev.keyward.vault.api.Pkcs11SealSpec.TYPE -> UnsealCredential.pin(k.clone());
                    case dev.keyward.vault.api.ShamirSealSpec.TYPE -> UnsealCredential.share(k.clone());
                    default -> UnsealCredential.passphrase(k.clone());
                };
                st = e.unseal(c, "drill");
                if (!st.sealed()) {
                    break;
                }
            }
            if (st.sealed()) {
                throw new InvalidRequestException("The unseal material given does not unseal the copy (a "
                        + type + " seal needs " + st.threshold() + " key(s)).");
            }
            return "second vault opened in a private temporary directory and unsealed (" + type + " seal)";
        });
        return steps.get(steps.size() - 1).ok() ? out[0] : closeQuietly(out[0]);
    }

    private static Engine closeQuietly(Engine e) {
        if (e != null) {
            e.close();
        }
        return null;
    }

    private void drill(Engine copy, String path, String identity) {
        Caller job = copy.systemCaller(BuiltInPolicies.JOB_DRILL);
        int[] before = {0};
        if (!step("rotate", () -> {
            SecretVersion v = copy.secrets().read(job, path, 0);
            if (!v.hasData()) {
                throw new InvalidRequestException("The secret " + path + " has no readable current version.");
            }
            before[0] = v.metadata().version();
            return DrillRotation.rotate(copy, job, path, v.data().fields().keySet(), id);
        })) {
            return;
        }
        List<PolicyService.IdentityRef> readers = readers(copy, job, path);
        List<PolicyService.IdentityRef> contain = identity == null ? readers : List.of(parse(identity));
        if (!step("revoke tokens", () -> {
            Set<String> names = new LinkedHashSet<>(); // tokens show "approle-NAME", "cert-NAME", "operator-NAME"
            readers.forEach(r -> names.add((r.type() == PolicyService.IdentityRef.Type.CERT ? "cert"
                    : r.type().name().toLowerCase(Locale.ROOT)) + "-" + r.name()));
            int revoked = 0;
            for (TokenInfo t : copy.identities().listTokens(job, null)) {
                if (t.displayName() != null && names.contains(t.displayName())) {
                    copy.identities().revokeAccessor(job, t.accessor());
                    revoked++;
                }
            }
            return revoked + " tokens of " + readers.size() + " identities that can read it revoked";
        })) {
            return;
        }
        if (!step("contain identity", () -> DrillContainment.contain(copy, job, path, contain, id))) {
            return;
        }
        if (!step("verify response", () -> {
            String locked = DrillContainment.verify(copy, job, path, contain);
            int current = copy.secrets().readMetadata(job, path).currentVersion();
            if (current <= before[0]) {
                throw new InvalidRequestException("The response did not take hold: the compromised version is "
                        + "still current.");
            }
            return locked + "; version " + current + " is current";
        })) {
            return;
        }
        step("verify audit", () -> {
            AuditVerification v = copy.audit().verify(job, null, AuditProgress.NONE);
            if (!v.ok()) {
                throw new InvalidRequestException("The copy's audit log has " + v.problems().size() + " problems.");
            }
            return v.entries() + " entries and " + v.headsVerified() + " signed heads verified, the drill's own "
                    + "steps included";
        });
    }

    private static PolicyService.IdentityRef parse(String s) {
        int colon = s.indexOf(':');
        try {
            return new PolicyService.IdentityRef(PolicyService.IdentityRef.Type.valueOf(s.substring(0, Math.max(0,
                    colon)).toUpperCase(Locale.ROOT)), s.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("An identity is TYPE:NAME, e.g. approle:ci-deploy.");
        }
    }

    /** Every identity whose policies let it read the secret (by the same evaluation as enforcement). */
    private static List<PolicyService.IdentityRef> readers(Engine copy, Caller job, String path) {
        List<PolicyService.IdentityRef> all = new ArrayList<>();
        copy.identities().listAppRoles(job).forEach(a -> all.add(ref(PolicyService.IdentityRef.Type.APPROLE,
                a.name())));
        copy.identities().listCertIdentities(job).forEach(c -> all.add(ref(PolicyService.IdentityRef.Type.CERT,
                c.spec().name())));
        copy.identities().listOperators(job).forEach(o -> all.add(ref(PolicyService.IdentityRef.Type.OPERATOR,
                o.name())));
        return all.stream().filter(r -> canRead(copy, job, r, path)).toList();
    }

    private static PolicyService.IdentityRef ref(PolicyService.IdentityRef.Type t, String name) {
        return new PolicyService.IdentityRef(t, name);
    }

    private static boolean canRead(Engine copy, Caller job, PolicyService.IdentityRef r, String path) {
        return copy.policies().explain(job, new PolicyService.ExplainRequest(r, Operation.SECRET_READ,
                "secret/" + path, null)).allowed();
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
