package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.AuthMethod;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.IdentityService.AppRoleSpec;
import dev.keyward.vault.api.IdentityService.SecretIdSpec;
import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyConditions;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.api.PolicyService.ExplainContext;
import dev.keyward.vault.api.PolicyService.ExplainRequest;
import dev.keyward.vault.api.PolicyService.Explanation;
import dev.keyward.vault.api.PolicyService.IdentityRef;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.Session;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property: for random policies and random requests (paths, operations, sources, justifications,
 * times), explain's decision equals what the guarded door actually does.
 */
class ExplainAgreesWithEnforcementTest {
    static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");
    static final String[] SEGS = {"a", "b", "c"};
    static final String[] SOURCES = {"10.1.1.1", "192.168.1.1", "172.16.0.1"};
    static final Operation[] OPS = {Operation.SECRET_READ, Operation.SECRET_LIST, Operation.SECRET_WRITE,
            Operation.METADATA_READ, Operation.SECRET_DELETE};

    @TempDir
    Path home;

    @Test
    void explainAndEnforcementAgreeOnRandomPoliciesAndRequests() {
        long seed = Long.getLong("keyward.seed", System.nanoTime());
        Random rnd = new Random(seed);
        MutableClock clock = new MutableClock(T0);
        try (TestVaults.Opened v = TestVaults.initialised(TestVaults.config(home, clock))) {
            Caller admin = v.caller();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Policy p = randomPolicy(rnd, "p" + i);
                v.engine().policies().put(admin, p, "random");
                names.add(p.name());
            }
            v.engine().identities().putAppRole(admin, new AppRoleSpec("prop", names, Duration.ofHours(1),
                    Duration.ofHours(1), 0, List.of(), null, 0, List.of(), null, null));
            String roleId = v.engine().identities().roleId(admin, "prop");
            String secretId = v.engine().identities().issueSecretId(admin, "prop", SecretIdSpec.defaults()).secretId();
            int allowed = 0;
            Set<String> deciding = new HashSet<>();
            Session adminSession = v.session();
            Session m = v.engine().loginAppRole(roleId, secretId, "x");
            for (int i = 0; i < 60; i++) {
                // Time moves forward by up to 3 h: across window edges, grant expiries and token lifetimes.
                clock.advance(Duration.ofMinutes(rnd.nextInt(180)));
                if (!clock.instant().isBefore(adminSession.expiresAt())) {
                    adminSession = v.engine().login(TestVaults.ADMIN, TestVaults.ADMIN_PASS.toCharArray(), "x");
                }
                admin = adminSession.caller();
                if (!clock.instant().isBefore(m.expiresAt())) {
                    m = v.engine().loginAppRole(roleId, secretId, "x");
                }
                String source = SOURCES[rnd.nextInt(SOURCES.length)];
                String path = randomPath(rnd);
                Operation op = OPS[rnd.nextInt(OPS.length)];
                String why = rnd.nextBoolean() ? null : "ticket " + i;
                Explanation e = v.engine().policies().explain(admin, new ExplainRequest(
                        new IdentityRef(IdentityRef.Type.APPROLE, "prop"), op, path,
                        new ExplainContext(source, null, why, null, null)));
                Caller c = new Caller(m.token(), AuthMethod.TOKEN, source, why, null);
                boolean enforced = perform(v.engine(), c, op, path);
                assertEquals(e.allowed(), enforced, "seed " + seed + ", request " + i + ": " + op + " " + path
                        + " from " + source + " justification " + why + " at " + clock.instant() + " -> " + e);
                allowed += enforced ? 1 : 0;
                deciding.add(e.rule());
            }
            assertTrue(allowed > 3 && allowed < 57, "both outcomes occur (seed " + seed + "): " + allowed);
            assertTrue(deciding.size() > 3, "several rules decided: " + deciding);
        }
    }

    static boolean perform(Engine e, Caller c, Operation op, String path) {
        try {
            switch (op) {
                case SECRET_READ -> e.secrets().read(c, path, 0);
                case SECRET_LIST -> e.secrets().list(c, path);
                case SECRET_WRITE -> e.secrets().write(c, path, SecretData.of(Map.of("k", "v")), null);
                case METADATA_READ -> e.secrets().readMetadata(c, path);
                default -> e.secrets().deleteLatest(c, path);
            }
            return true;
        } catch (AccessDeniedException denied) {
            return false;
        } catch (KeywardException otherwise) {
            return true; // authorized, then e.g. not found
        }
    }

    static String randomPath(Random rnd) {
        int n = 1 + rnd.nextInt(3);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(i > 0 ? "/" : "").append(SEGS[rnd.nextInt(SEGS.length)]);
        }
        return b.toString();
    }

    static Policy randomPolicy(Random rnd, String name) {
        List<PolicyRule> rules = new ArrayList<>();
        int n = 2 + rnd.nextInt(5);
        for (int i = 0; i < n; i++) {
            StringBuilder p = new StringBuilder("secret");
            int segs = rnd.nextInt(3);
            for (int s = 0; s < segs; s++) {
                p.append('/').append(rnd.nextInt(4) == 0 ? "+" : SEGS[rnd.nextInt(SEGS.length)]);
            }
            if (rnd.nextInt(3) > 0) {
                p.append(rnd.nextBoolean() || p.charAt(p.length() - 1) == '+' ? "/*" : "*");
            } else if (segs == 0) {
                p.append("/+");
            }
            Set<Capability> caps = EnumSet.noneOf(Capability.class);
            for (Capability c : List.of(Capability.READ, Capability.LIST, Capability.CREATE, Capability.UPDATE,
                    Capability.DELETE, Capability.REVEAL_METADATA)) {
                if (rnd.nextInt(3) == 0) {
                    caps.add(c);
                }
            }
            if (caps.isEmpty()) {
                caps.add(Capability.READ);
            }
            PolicyConditions cond = new PolicyConditions(
                    rnd.nextInt(4) == 0 ? List.of(rnd.nextBoolean() ? "10.0.0.0/8" : "192.168.0.0/16") : List.of(),
                    rnd.nextInt(5) == 0 ? new PolicyConditions.TimeWindow(null, LocalTime.of(rnd.nextInt(12), 0),
                            LocalTime.of(12 + rnd.nextInt(12), 0), rnd.nextBoolean() ? "UTC" : "America/New_York") : null,
                    rnd.nextInt(8) == 0 ? Duration.ofMinutes(rnd.nextBoolean() ? 30 : 120) : null,
                    rnd.nextInt(5) == 0, 0);
            boolean deny = rnd.nextInt(6) == 0;
            Instant expiry = rnd.nextInt(6) == 0 ? T0.plus(Duration.ofDays(3)) : T0.plus(Duration.ofDays(365));
            rules.add(new PolicyRule("r" + i, p.toString(), caps, deny, cond, deny ? null : "owner",
                    deny ? null : "random grant", deny ? null : expiry));
        }
        return new Policy(name, "", rules);
    }
}
