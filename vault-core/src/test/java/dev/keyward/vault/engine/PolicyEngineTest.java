package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.AuthMethod;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.IdentityService.AppRoleSpec;
import dev.keyward.vault.api.IdentityService.SecretIdSpec;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyConditions;
import dev.keyward.vault.api.PolicyFileException;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.api.PolicyService;
import dev.keyward.vault.api.PolicyService.ApplyResult;
import dev.keyward.vault.api.PolicyService.Change;
import dev.keyward.vault.api.PolicyService.EntitlementReport;
import dev.keyward.vault.api.PolicyService.ExplainContext;
import dev.keyward.vault.api.PolicyService.ExplainRequest;
import dev.keyward.vault.api.PolicyService.Explanation;
import dev.keyward.vault.api.PolicyService.IdentityRef;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.api.AuditRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyEngineTest {
    static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");
    static final Instant FAR = Instant.parse("2027-11-25T00:00:00Z");

    @TempDir
    Path home;
    MutableClock clock;
    TestVaults.Opened v;
    Caller admin;
    PolicyService policies;

    @BeforeEach
    void open() {
        clock = new MutableClock(T0);
        v = TestVaults.initialised(TestVaults.config(home, clock));
        admin = v.caller();
        policies = v.engine().policies();
        for (String p : List.of("ci/db", "ci/db/replica", "ci/api", "team/x")) {
            v.engine().secrets().write(admin, p, SecretData.of(Map.of("v", "value-" + p)), null);
        }
    }

    @AfterEach
    void close() {
        v.close();
    }

    static PolicyRule grant(String path, Capability... caps) {
        return PolicyRule.grant(path, EnumSet.copyOf(List.of(caps)), null, "platform", "pipelines", FAR);
    }

    Session machine(String name, List<String> pols) {
        v.engine().identities().putAppRole(admin, AppRoleSpec.of(name, pols));
        return v.engine().loginAppRole(v.engine().identities().roleId(admin, name),
                v.engine().identities().issueSecretId(admin, name, SecretIdSpec.defaults()).secretId(), "10.0.0.1");
    }

    List<AuditRecord> audit() {
        return TestVaults.auditEntries(v.engine());
    }

    @Nested
    class Enforcement {
        @Test
        void aMachineGetsExactlyItsGrantsAndTheAuditNamesTheDecidingRule() {
            policies.put(admin, new Policy("ci", "", List.of(grant("secret/ci/+", Capability.READ),
                    PolicyRule.deny("secret/ci/api", Set.of(Capability.READ)))), "ci");
            Session m = machine("ci", List.of("ci"));
            assertEquals("value-ci/db", v.engine().secrets().read(m.caller(), "ci/db", 0).data().field("v"));
            assertThrows(AccessDeniedException.class, () -> v.engine().secrets().read(m.caller(), "ci/api", 0));
            assertThrows(AccessDeniedException.class, () -> v.engine().secrets().read(m.caller(), "ci/db/replica", 0));
            assertThrows(AccessDeniedException.class, () -> v.engine().secrets().read(m.caller(), "team/x", 0));
            assertThrows(AccessDeniedException.class, () -> v.engine().secrets()
                    .write(m.caller(), "ci/db", SecretData.of(Map.of("v", "x")), null));
            List<AuditRecord> reads = audit().stream().filter(e -> e.operation().equals("secret.read")).toList();
            assertEquals("policy:ci@v1#secret/ci/+", reads.get(0).rule());
            assertEquals("ALLOW", reads.get(0).decision());
            assertEquals("policy:ci@v1#deny:secret/ci/api", reads.get(1).rule());
            assertEquals("DENY", reads.get(1).decision());
            assertEquals("default-deny", reads.get(2).rule());
        }

        @Test
        void aJustificationConditionIsEnforcedAndExplained() {
            policies.put(admin, new Policy("ci", "", List.of(PolicyRule.grant("secret/ci/*", Set.of(Capability.READ),
                    new PolicyConditions(List.of(), null, null, true, 0), "platform", "break-glass reads", FAR))), "ci");
            Session m = machine("ci", List.of("ci"));
            assertThrows(AccessDeniedException.class, () -> v.engine().secrets().read(m.caller(), "ci/db", 0));
            v.engine().secrets().read(m.caller().withJustification("INC-42"), "ci/db", 0);
            Explanation e = policies.explain(admin, new ExplainRequest(new IdentityRef(IdentityRef.Type.APPROLE, "ci"),
                    Operation.SECRET_READ, "ci/db", ExplainContext.local()));
            assertFalse(e.allowed());
            assertEquals("justification-required", e.failedCondition());
            assertEquals("secret/ci/db", e.resource());
            assertTrue(audit().stream().anyMatch(a -> a.rule() != null
                    && a.rule().equals("default-deny; unmet policy:ci@v1#secret/ci/* justification-required")));
        }

        @Test
        void anExpiredGrantStopsGrantingOnTheVaultClock() {
            policies.put(admin, new Policy("ci", "", List.of(PolicyRule.grant("secret/ci/*", Set.of(Capability.READ),
                    null, "platform", "temporary", T0.plus(Duration.ofHours(2))))), "ci");
            Session m = machine("ci", List.of("ci"));
            v.engine().secrets().read(m.caller(), "ci/db", 0);
            clock.advance(Duration.ofHours(1).plusMinutes(59)); // token TTL is 1 h: renew-free re-login
            Session m2 = machine("ci", List.of("ci"));
            v.engine().secrets().read(m2.caller(), "ci/db", 0);
            clock.advance(Duration.ofMinutes(1));
            assertThrows(AccessDeniedException.class, () -> v.engine().secrets().read(m2.caller(), "ci/db", 0));
        }

        @Test
        void grantsWithoutOwnerJustificationOrExpiryAreRefusedClearly() {
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> policies.put(admin,
                    new Policy("bad", "", List.of(new PolicyRule(null, "secret/*", Set.of(Capability.READ), false, null,
                            "me", null, null))), "why"));
            assertEquals("Policy 'bad', rule 'secret/*': every grant needs an owner, a justification and an expiry;"
                    + " missing: justification, expiry.", e.getMessage());
            assertThrows(InvalidRequestException.class, () -> policies.put(admin,
                    new Policy("ok", "", List.of(grant("secret/*", Capability.READ))), " "), "a reason is required");
        }

        @Test
        void builtInPoliciesCannotBeChanged() {
            assertThrows(InvalidRequestException.class, () -> policies.put(admin,
                    new Policy("auditor", "", List.of(grant("secret/*", Capability.READ))), "widen"));
        }
    }

    @Nested
    class Versions {
        @Test
        void everyChangeIsAVersionWithAuthorAndReasonThatCanBeDiffedAndRolledBack() {
            policies.put(admin, new Policy("ci", "", List.of(grant("secret/ci/*", Capability.READ))), "first");
            policies.put(admin, new Policy("ci", "", List.of(grant("secret/ci/*", Capability.READ, Capability.LIST),
                    grant("secret/team/*", Capability.READ))), "widen for team");
            List<PolicyService.PolicyInfo> h = policies.history(admin, "ci");
            assertEquals(List.of(1, 2), h.stream().map(PolicyService.PolicyInfo::version).toList());
            assertEquals("admin", h.get(1).author());
            assertEquals("widen for team", h.get(1).reason());
            List<String> diff = policies.diff(admin, "ci", 1, 2).lines();
            assertTrue(diff.stream().anyMatch(l -> l.startsWith("+ ") && l.trim().equals("+           - list".trim())),
                    String.join("\n", diff));
            assertTrue(diff.stream().anyMatch(l -> l.startsWith("+ ") && l.contains("path: secret/team/*")),
                    String.join("\n", diff));
            PolicyService.PolicyInfo rolled = policies.rollback(admin, "ci", 1, "too wide");
            assertEquals(3, rolled.version());
            assertEquals(h.get(0).policy(), rolled.policy());
            assertTrue(rolled.reason().contains("rollback to v1"));
            Session m = machine("ci", List.of("ci"));
            assertThrows(AccessDeniedException.class, () -> v.engine().secrets().read(m.caller(), "team/x", 0));
            policies.delete(admin, "ci", "retired");
            assertThrows(AccessDeniedException.class, () -> v.engine().secrets().read(m.caller(), "ci/db", 0));
            assertEquals(4, policies.history(admin, "ci").size());
            assertNull(policies.history(admin, "ci").get(3).policy());
        }
    }

    @Nested
    class Escalation {
        Caller engineer() {
            v.engine().identities().createOperator(admin, "sam", "sam passphrase".toCharArray(),
                    List.of("security-engineer"));
            return v.engine().login("sam", "sam passphrase".toCharArray(), "x").caller();
        }

        @Test
        void aSecurityEngineerCannotGrantWhatOnlyAdminsHold() {
            Caller se = engineer();
            policies.put(se, new Policy("ci", "", List.of(grant("secret/ci/*", Capability.READ))), "ok");
            assertThrows(AccessDeniedException.class, () -> policies.put(se, new Policy("sneaky", "",
                    List.of(grant("sys/audit/*", Capability.ADMIN))), "no"));
            assertThrows(AccessDeniedException.class, () -> policies.put(se, new Policy("sneaky", "",
                    List.of(grant("*", Capability.ADMIN))), "no"));
            assertThrows(AccessDeniedException.class,
                    () -> v.engine().identities().putAppRole(se, AppRoleSpec.of("root-bot", List.of("admin"))));
            assertThrows(AccessDeniedException.class,
                    () -> policies.putRole(se, "root-ish", List.of("admin"), "", "no"));
            assertThrows(AccessDeniedException.class,
                    () -> v.engine().identities().setOperatorRoles(se, "sam", List.of("admin")));
        }
    }

    @Nested
    class PolicyAsCode {
        void populate() throws Exception {
            policies.put(admin, new Policy("ci", "CI pipelines", List.of(
                    new PolicyRule("db", "secret/ci/*", Set.of(Capability.READ, Capability.LIST), false,
                            new PolicyConditions(List.of("10.0.0.0/8"), new PolicyConditions.TimeWindow(
                                    EnumSet.of(java.time.DayOfWeek.MONDAY, java.time.DayOfWeek.FRIDAY),
                                    java.time.LocalTime.of(8, 0), java.time.LocalTime.of(18, 30), "Europe/Berlin"),
                                    Duration.ofMinutes(90), true, 2), "platform", "deploys", FAR),
                    PolicyRule.deny("secret/ci/prod/*", Set.of(Capability.READ)))), "v1");
            policies.put(admin, new Policy("team", "", List.of(grant("secret/team/+", Capability.READ))), "v1");
            policies.putRole(admin, "ci-readers", List.of("ci", "team"), "read CI", "v1");
            v.engine().identities().createOperator(admin, "alice", "alice passphrase".toCharArray(),
                    List.of("ci-readers", "auditor"));
            v.engine().identities().putAppRole(admin, new AppRoleSpec("deploy", List.of("ci"), Duration.ofMinutes(20),
                    Duration.ofHours(2), 5, List.of("10.1.0.0/16"), Duration.ofDays(1), 3, List.of("10.1.2.0/24"),
                    "platform", "deploy job"));
            v.engine().identities().putCertIdentity(admin, new dev.keyward.vault.api.IdentityService.CertIdentitySpec(
                    "runner", Certs.sha256(Certs.selfSigned("r", T0).cert()), null, List.of("team"), null, null,
                    List.of(), "platform", null));
        }

        @Test
        void exportThenApplyChangesNothingAndAFreshVaultReproducesTheFile(@TempDir Path other) throws Exception {
            populate();
            String yaml = policies.exportYaml(admin);
            assertTrue(yaml.startsWith("keyward: 1\n"), yaml);
            assertFalse(yaml.contains("role_id") || yaml.contains("secret_id:") || yaml.contains("passphrase"), yaml);
            ApplyResult again = policies.apply(admin, yaml, false, "no-op");
            assertTrue(again.noChanges(), again.toString());
            assertEquals(yaml, policies.exportYaml(admin), "stable form");
            try (TestVaults.Opened fresh = TestVaults.initialised(TestVaults.config(other, clock))) {
                fresh.engine().identities().createOperator(fresh.caller(), "alice", "alice passphrase".toCharArray(),
                        List.of("auditor"));
                ApplyResult r = fresh.engine().policies().apply(fresh.caller(), yaml, false, "bootstrap");
                assertFalse(r.noChanges());
                assertEquals(yaml, fresh.engine().policies().exportYaml(fresh.caller()));
                assertTrue(fresh.engine().policies().apply(fresh.caller(), yaml, false, "again").noChanges());
            }
        }

        @Test
        void dryRunShowsTheDiffAndChangesNothingAndDriftFindsLiveEdits() throws Exception {
            populate();
            String yaml = policies.exportYaml(admin);
            String edited = yaml.replace("secret/team/+", "secret/team/*");
            ApplyResult dry = policies.apply(admin, edited, true, null);
            assertTrue(dry.dryRun());
            assertEquals(1, dry.changes().size());
            Change c = dry.changes().get(0);
            assertEquals("policy", c.kind());
            assertEquals(Change.Action.CHANGE, c.action());
            assertTrue(c.diff().stream().anyMatch(l -> l.startsWith("- ") && l.contains("secret/team/+")), c.toString());
            assertTrue(c.diff().stream().anyMatch(l -> l.startsWith("+ ") && l.contains("secret/team/*")), c.toString());
            assertEquals(yaml, policies.exportYaml(admin), "dry run changed nothing");
            policies.put(admin, new Policy("hotfix", "", List.of(grant("secret/x/*", Capability.READ))), "live edit");
            ApplyResult drift = policies.drift(admin, yaml);
            assertEquals(List.of("hotfix"), drift.changes().stream().map(Change::name).toList());
            assertEquals(Change.Action.REMOVE, drift.changes().get(0).action());
        }

        @Test
        void malformedFilesFailWithLineAndColumn() {
            String badIndent = "keyward: 1\npolicies:\n  - name: ci\n    rules:\n      - path: secret/*\n     capabilities: [read]\n";
            PolicyFileException e = assertThrows(PolicyFileException.class,
                    () -> policies.apply(admin, badIndent, true, null));
            assertEquals(6, e.line(), e.getMessage());
            assertTrue(e.getMessage().startsWith("line 6, column "), e.getMessage());
            String badCap = "keyward: 1\npolicies:\n  - name: ci\n    rules:\n      - path: secret/*\n"
                    + "        capabilities: [read, fly]\n        owner: me\n        justification: x\n"
                    + "        expires: 2030-01-01T00:00:00Z\n";
            e = assertThrows(PolicyFileException.class, () -> policies.apply(admin, badCap, true, null));
            assertTrue(e.getMessage().contains("Unknown capability 'fly'"), e.getMessage());
            assertEquals(6, e.line(), "the line that names the capability: " + e.getMessage());
            String noExpiry = "keyward: 1\npolicies:\n  - name: ci\n    rules:\n      - path: secret/*\n"
                    + "        capabilities: [read]\n        owner: me\n        justification: x\n";
            e = assertThrows(PolicyFileException.class, () -> policies.apply(admin, noExpiry, false, "x"));
            assertTrue(e.getMessage().contains("missing: expiry"), e.getMessage());
            String unknownField = "keyward: 1\npolicies:\n  - name: ci\n    colour: red\n";
            e = assertThrows(PolicyFileException.class, () -> policies.apply(admin, unknownField, true, null));
            assertEquals(4, e.line(), e.getMessage());
            assertFalse(e.getMessage().contains("dev.keyward"), e.getMessage());
        }
    }

    @Nested
    class Entitlements {
        @Test
        void reportsUnusedExpiringAndBroaderThanUsedGrantsFromRecordedUse() {
            policies.put(admin, new Policy("ci", "", List.of(
                    grant("secret/ci/*", Capability.READ),
                    grant("secret/old/*", Capability.READ),
                    PolicyRule.grant("secret/team/*", Set.of(Capability.READ), null, "team", "short", T0.plus(
                            Duration.ofDays(45))),
                    PolicyRule.grant("secret/gone/*", Set.of(Capability.READ), null, "team", "shorter", T0.plus(
                            Duration.ofDays(10))))), "v1");
            clock.advance(Duration.ofDays(40));
            admin = v.engine().login(TestVaults.ADMIN, TestVaults.ADMIN_PASS.toCharArray(), "x").caller();
            Session m = machine("ci", List.of("ci"));
            v.engine().secrets().read(m.caller(), "ci/db", 0);
            v.engine().secrets().read(m.caller(), "ci/db/replica", 0);
            EntitlementReport r = policies.entitlements(admin, Duration.ofDays(30), Duration.ofDays(7));
            assertEquals(Set.of("secret/old/*", "secret/team/*", "secret/gone/*"),
                    Set.copyOf(r.unused().stream().map(PolicyService.Grant::path).toList()));
            assertEquals(List.of("secret/gone/*"), r.expired().stream().map(PolicyService.Grant::path).toList());
            assertEquals(List.of("secret/team/*"), r.expiringSoon().stream().map(PolicyService.Grant::path).toList());
            assertEquals(1, r.broaderThanUsed().size());
            assertEquals("secret/ci/*", r.broaderThanUsed().get(0).grant().path());
            assertEquals("secret/ci/db*", r.broaderThanUsed().get(0).suggestedPath().replace("/*", "*"));
            assertEquals(clock.instant(), r.broaderThanUsed().get(0).grant().lastUsed());
            assertTrue(r.missingFields().isEmpty());
        }
    }

    @Test
    void explainForAnOperatorUsesTheRolesPolicies() {
        v.engine().identities().createOperator(admin, "audrey", "audrey passphrase".toCharArray(), List.of("auditor"));
        Explanation e = policies.explain(admin, new ExplainRequest(new IdentityRef(IdentityRef.Type.OPERATOR, "audrey"),
                Operation.SECRET_READ, "ci/db", null));
        assertFalse(e.allowed());
        assertEquals("policy:auditor@v1#deny:secret/*", e.rule());
        Explanation meta = policies.explain(admin, new ExplainRequest(new IdentityRef(IdentityRef.Type.OPERATOR,
                "audrey"), Operation.METADATA_READ, "ci/db", null));
        assertTrue(meta.allowed());
        assertEquals(Set.of(Capability.REVEAL_METADATA), meta.capability());
    }

    static Caller local(Session s) {
        return new Caller(s.token(), AuthMethod.TOKEN, Caller.LOCAL, null, null);
    }
}
