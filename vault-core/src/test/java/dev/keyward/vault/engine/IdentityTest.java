package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.AuthMethod;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.IdentityService.AppRoleSpec;
import dev.keyward.vault.api.IdentityService.CertIdentitySpec;
import dev.keyward.vault.api.IdentityService.SecretIdResult;
import dev.keyward.vault.api.IdentityService.SecretIdSpec;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.api.TokenInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityTest {
    static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    @TempDir
    Path home;
    MutableClock clock;
    TestVaults.Opened v;
    Caller admin;

    @BeforeEach
    void open() {
        clock = new MutableClock(T0);
        v = TestVaults.initialised(TestVaults.config(home, clock));
        admin = v.caller();
        v.engine().policies().put(admin, new Policy("ci-read", "", List.of(PolicyRule.grant("secret/ci/*",
                EnumSet.of(Capability.READ, Capability.LIST), null, "platform", "deploys read their config",
                T0.plus(Duration.ofDays(365))))), "ci pipelines");
        v.engine().secrets().write(admin, "ci/db", SecretData.of(Map.of("password", "hunter2")), null);
    }

    @AfterEach
    void close() {
        v.close();
    }

    Session loginAppRole(AppRoleSpec spec, SecretIdSpec sid, String source) {
        v.engine().identities().putAppRole(admin, spec);
        String roleId = v.engine().identities().roleId(admin, spec.name());
        SecretIdResult s = v.engine().identities().issueSecretId(admin, spec.name(), sid);
        return v.engine().loginAppRole(roleId, s.secretId(), source);
    }

    static AppRoleSpec role(Duration ttl, Duration max, int uses, List<String> tokenCidrs) {
        return new AppRoleSpec("deploy", List.of("ci-read"), ttl, max, uses, tokenCidrs, null, 0, List.of(), "platform",
                "deploys");
    }

    static Caller from(Session s, String source) {
        return new Caller(s.token(), AuthMethod.TOKEN, source, null, null);
    }

    void read(Caller c) {
        assertEquals("hunter2", v.engine().secrets().read(c, "ci/db", 0).data().field("password"));
    }

    @Nested
    class Tokens {
        @Test
        void aTokenStopsWorkingAtItsTtl() {
            Session s = loginAppRole(role(Duration.ofMinutes(10), Duration.ofHours(1), 0, List.of()),
                    SecretIdSpec.defaults(), "10.0.0.1");
            read(s.caller());
            clock.advance(Duration.ofMinutes(10).minusSeconds(1));
            read(s.caller());
            clock.advance(Duration.ofSeconds(1));
            assertThrows(AccessDeniedException.class, () -> read(s.caller()));
        }

        @Test
        void renewExtendsButNeverPastTheMaxTtl() {
            Session s = loginAppRole(role(Duration.ofMinutes(10), Duration.ofMinutes(30), 0, List.of()),
                    SecretIdSpec.defaults(), "10.0.0.1");
            clock.advance(Duration.ofMinutes(5));
            TokenInfo renewed = v.engine().identities().renewSelf(s.caller(), Duration.ofMinutes(10));
            assertEquals(T0.plus(Duration.ofMinutes(15)), renewed.expiresAt());
            renewed = v.engine().identities().renewSelf(s.caller(), Duration.ofHours(5));
            assertEquals(T0.plus(Duration.ofMinutes(30)), renewed.expiresAt(), "capped at max TTL");
            assertEquals(Duration.ofMinutes(30), renewed.explicitMaxTtl());
            clock.advance(Duration.ofMinutes(25).minusSeconds(1));
            read(s.caller());
            clock.advance(Duration.ofSeconds(1));
            assertThrows(AccessDeniedException.class, () -> read(s.caller()));
            assertThrows(AccessDeniedException.class,
                    () -> v.engine().identities().renewSelf(s.caller(), Duration.ofMinutes(1)));
        }

        @Test
        void lookupSelfOfAnOperatorListsThePoliciesBehindItsRoles() {
            v.engine().policies().putRole(admin, "ci-reader", List.of("ci-read"), "", "on-call");
            v.engine().identities().createOperator(admin, "eve", "eve passphrase1".toCharArray(),
                    List.of("ci-reader", "auditor"));
            Session e = v.engine().login("eve", "eve passphrase1".toCharArray(), "x");
            assertEquals(List.of("auditor", "ci-read"), v.engine().identities().lookupSelf(e.caller()).policies());
        }

        @Test
        void operatorSessionsExpireAndAreNotRenewable() {
            assertThrows(InvalidRequestException.class, () -> v.engine().identities().renewSelf(admin, null));
            clock.advance(Duration.ofHours(8));
            assertThrows(AccessDeniedException.class, () -> v.engine().identities().lookupSelf(admin));
        }

        @Test
        void aUseLimitCountsEveryCallDurablyAcrossAReopen() {
            Session s = loginAppRole(role(Duration.ofHours(1), Duration.ofHours(1), 3, List.of()),
                    SecretIdSpec.defaults(), "10.0.0.1");
            assertEquals(3, s.info().numUses());
            read(s.caller());
            assertEquals(1, v.engine().identities().lookupSelf(s.caller()).numUses(), "lookup counts as a use too");
            v.engine().close();
            Engine reopened = Engine.open(TestVaults.config(home, clock));
            TestVaults.unseal(reopened);
            v = new TestVaults.Opened(reopened, v.session());
            assertEquals("hunter2", reopened.secrets().read(s.caller(), "ci/db", 0).data().field("password"));
            assertThrows(AccessDeniedException.class, () -> reopened.secrets().read(s.caller(), "ci/db", 0));
        }

        @Test
        void boundCidrsRefuseTokensFromElsewhere() {
            Session s = loginAppRole(role(Duration.ofHours(1), Duration.ofHours(1), 0, List.of("10.1.0.0/16")),
                    SecretIdSpec.defaults(), "10.0.0.1");
            read(from(s, "10.1.200.3"));
            assertThrows(AccessDeniedException.class, () -> read(from(s, "10.2.0.1")));
            assertThrows(AccessDeniedException.class, () -> read(from(s, "local")));
        }

        @Test
        void revokeAllEndsEveryTokenOfOneIdentityAndNoOther() {
            AppRoleSpec spec = role(Duration.ofHours(1), Duration.ofHours(1), 0, List.of());
            Session a = loginAppRole(spec, SecretIdSpec.defaults(), "10.0.0.1");
            String roleId = v.engine().identities().roleId(admin, "deploy");
            Session b = v.engine().loginAppRole(roleId,
                    v.engine().identities().issueSecretId(admin, "deploy", SecretIdSpec.defaults()).secretId(), "x");
            assertEquals(2, v.engine().identities().listTokens(admin, a.principal().id()).size());
            assertEquals(2, v.engine().identities().revokeAll(admin, a.principal().id()));
            assertThrows(AccessDeniedException.class, () -> read(a.caller()));
            assertThrows(AccessDeniedException.class, () -> read(b.caller()));
            read(admin);
        }

        @Test
        void revokeByAccessorAndRevokeSelf() {
            AppRoleSpec spec = role(Duration.ofHours(1), Duration.ofHours(1), 0, List.of());
            Session a = loginAppRole(spec, SecretIdSpec.defaults(), "10.0.0.1");
            assertEquals("approle-deploy", v.engine().identities().lookupAccessor(admin, a.accessor()).displayName());
            v.engine().identities().revokeAccessor(admin, a.accessor());
            assertThrows(AccessDeniedException.class, () -> read(a.caller()));
            assertThrows(NotFoundException.class, () -> v.engine().identities().lookupAccessor(admin, a.accessor()));
            Session b = v.engine().login(TestVaults.ADMIN, TestVaults.ADMIN_PASS.toCharArray(), "x");
            v.engine().identities().revokeSelf(b.caller());
            assertThrows(AccessDeniedException.class, () -> read(b.caller()));
        }

        @Test
        void lookupSelfDescribesTheTokenWithoutTheToken() {
            Session s = loginAppRole(role(Duration.ofMinutes(20), Duration.ofHours(2), 0, List.of()),
                    SecretIdSpec.defaults(), "10.0.0.1");
            clock.advance(Duration.ofMinutes(5));
            TokenInfo t = v.engine().identities().lookupSelf(s.caller());
            assertEquals(List.of("ci-read"), t.policies());
            assertEquals(Duration.ofMinutes(15), t.ttl());
            assertEquals(Duration.ofMinutes(20), t.creationTtl());
            assertEquals("auth/approle/login", t.path());
            assertEquals("deploy", t.metadata().get("role_name"));
            assertTrue(t.renewable());
            assertFalse(t.toString().contains(s.token()));
        }

        @Test
        void tokensAndSecretIdsAreNotStoredInTheClear() throws Exception {
            v.engine().identities().putAppRole(admin, role(Duration.ofHours(1), Duration.ofHours(1), 0, List.of()));
            String roleId = v.engine().identities().roleId(admin, "deploy");
            String secretId = v.engine().identities().issueSecretId(admin, "deploy", SecretIdSpec.defaults()).secretId();
            Session s = v.engine().loginAppRole(roleId, secretId, "x");
            v.engine().close();
            try (Stream<Path> files = Files.walk(home)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                    for (String canary : List.of(s.token(), secretId, s.accessor(), "deploy", roleId)) {
                        assertFalse(bytes.contains(canary), f + " holds " + canary.substring(0, 4) + "...");
                    }
                }
            }
        }
    }

    @Nested
    class AppRoles {
        @Test
        void secretIdBoundCidrsRefuseLoginsFromElsewhereWithTheSameMessage() {
            v.engine().identities().putAppRole(admin, role(Duration.ofHours(1), Duration.ofHours(1), 0, List.of()));
            String roleId = v.engine().identities().roleId(admin, "deploy");
            String sid = v.engine().identities().issueSecretId(admin, "deploy",
                    new SecretIdSpec(null, null, List.of("192.168.10.0/24"), null, null)).secretId();
            AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
                    () -> v.engine().loginAppRole(roleId, sid, "192.168.11.1"));
            assertEquals("invalid role or secret ID", e.getMessage());
            read(v.engine().loginAppRole(roleId, sid, "192.168.10.77").caller());
        }

        @Test
        void aSecretIdWorksForItsNumberOfUsesOnly() {
            v.engine().identities().putAppRole(admin, role(Duration.ofHours(1), Duration.ofHours(1), 0, List.of()));
            String roleId = v.engine().identities().roleId(admin, "deploy");
            String sid = v.engine().identities().issueSecretId(admin, "deploy",
                    new SecretIdSpec(null, 2, null, null, null)).secretId();
            v.engine().loginAppRole(roleId, sid, "x");
            v.engine().loginAppRole(roleId, sid, "x");
            assertThrows(AuthenticationFailedException.class, () -> v.engine().loginAppRole(roleId, sid, "x"));
        }

        @Test
        void aSecretIdExpiresAtItsTtl() {
            v.engine().identities().putAppRole(admin, role(Duration.ofHours(1), Duration.ofHours(1), 0, List.of()));
            String roleId = v.engine().identities().roleId(admin, "deploy");
            String sid = v.engine().identities().issueSecretId(admin, "deploy",
                    new SecretIdSpec(Duration.ofMinutes(2), null, null, null, null)).secretId();
            clock.advance(Duration.ofMinutes(2));
            assertThrows(AuthenticationFailedException.class, () -> v.engine().loginAppRole(roleId, sid, "x"));
        }

        @Test
        void aWrongRoleIdOrSecretIdFails() {
            v.engine().identities().putAppRole(admin, role(Duration.ofHours(1), Duration.ofHours(1), 0, List.of()));
            String roleId = v.engine().identities().roleId(admin, "deploy");
            String sid = v.engine().identities().issueSecretId(admin, "deploy", SecretIdSpec.defaults()).secretId();
            assertThrows(AuthenticationFailedException.class, () -> v.engine().loginAppRole("nope", sid, "x"));
            assertThrows(AuthenticationFailedException.class, () -> v.engine().loginAppRole(roleId, sid + "x", "x"));
            v.engine().identities().putAppRole(admin, new AppRoleSpec("other", List.of(), null, null, 0, null, null,
                    0, null, null, null));
            String other = v.engine().identities().roleId(admin, "other");
            assertThrows(AuthenticationFailedException.class, () -> v.engine().loginAppRole(other, sid, "x"),
                    "a secret_id of one role does not open another");
        }

        @Test
        void aWrappedSecretIdUnwrapsExactlyOnce() {
            v.engine().identities().putAppRole(admin, role(Duration.ofHours(1), Duration.ofHours(1), 0, List.of()));
            SecretIdResult w = v.engine().identities().issueSecretId(admin, "deploy",
                    SecretIdSpec.defaults().wrapped(Duration.ofMinutes(5)));
            assertNull(w.secretId());
            assertNotNull(w.wrap());
            SecretIdResult u = v.engine().identities().unwrap(w.wrap().token(), "x");
            assertEquals(w.accessor(), u.accessor());
            read(v.engine().loginAppRole(v.engine().identities().roleId(admin, "deploy"), u.secretId(), "x").caller());
            assertThrows(InvalidRequestException.class, () -> v.engine().identities().unwrap(w.wrap().token(), "x"));
        }

        @Test
        void aWrappingTokenExpires() {
            v.engine().identities().putAppRole(admin, role(Duration.ofHours(1), Duration.ofHours(1), 0, List.of()));
            SecretIdResult w = v.engine().identities().issueSecretId(admin, "deploy",
                    SecretIdSpec.defaults().wrapped(Duration.ofMinutes(5)));
            clock.advance(Duration.ofMinutes(5));
            assertThrows(InvalidRequestException.class, () -> v.engine().identities().unwrap(w.wrap().token(), "x"));
        }

        @Test
        void deletingARoleRevokesItsTokensAndSecretIds() {
            Session s = loginAppRole(role(Duration.ofHours(1), Duration.ofHours(1), 0, List.of()),
                    SecretIdSpec.defaults(), "x");
            v.engine().identities().deleteAppRole(admin, "deploy");
            assertThrows(AccessDeniedException.class, () -> read(s.caller()));
            assertThrows(NotFoundException.class, () -> v.engine().identities().roleId(admin, "deploy"));
        }
    }

    @Nested
    class ClientCertificates {
        @Test
        void aPinnedCertificateLogsInAndAnotherDoesNot() throws Exception {
            Certs.Issued mine = Certs.selfSigned("ci-runner", T0);
            Certs.Issued other = Certs.selfSigned("ci-runner", T0);
            v.engine().identities().putCertIdentity(admin, new CertIdentitySpec("runner", Certs.sha256(mine.cert()),
                    null, List.of("ci-read"), null, null, List.of(), "platform", "runner"));
            Session s = v.engine().loginCert(List.of(mine.cert()), null, "10.0.0.9");
            assertEquals(AuthMethod.TLS_CERT, s.principal().method());
            read(s.caller());
            assertThrows(AuthenticationFailedException.class,
                    () -> v.engine().loginCert(List.of(other.cert()), null, "10.0.0.9"));
        }

        @Test
        void aCertificateIssuedByTheTrustedCaLogsInAndOneFromAnotherCaDoesNot() throws Exception {
            Certs.Issued ca = Certs.selfSigned("Keyward CA", T0);
            Certs.Issued rogueCa = Certs.selfSigned("Keyward CA", T0);
            v.engine().identities().putCertIdentity(admin, new CertIdentitySpec("ca-clients", null,
                    Certs.pem(ca.cert()), List.of("ci-read"), null, null, List.of("10.0.0.0/8"), "platform", null));
            read(from(v.engine().loginCert(List.of(Certs.issuedBy(ca, "job-1", T0).cert()), "ca-clients", "10.0.0.9"),
                    "10.0.0.9"));
            assertThrows(AuthenticationFailedException.class, () -> v.engine().loginCert(
                    List.of(Certs.issuedBy(rogueCa, "job-1", T0).cert()), "ca-clients", "10.0.0.9"));
            assertThrows(AuthenticationFailedException.class, () -> v.engine().loginCert(
                    List.of(Certs.issuedBy(ca, "job-1", T0).cert()), "ca-clients", "172.16.0.1"),
                    "outside the bound CIDRs");
            clock.advance(Duration.ofDays(31));
            assertThrows(AuthenticationFailedException.class, () -> v.engine().loginCert(
                    List.of(Certs.issuedBy(ca, "job-1", T0).cert()), "ca-clients", "10.0.0.9"), "expired certificate");
        }
    }

    @Nested
    class Operators {
        @Test
        void repeatedFailuresLockTheOperatorOutForAGrowingTime() {
            v.engine().identities().createOperator(admin, "alice", "alice passphrase".toCharArray(),
                    List.of("security-engineer"));
            char[] wrong = "wrong passphrase".toCharArray();
            assertTrue(assertThrows(AuthenticationFailedException.class,
                    () -> v.engine().login("alice", wrong, "x")).retryAfter().isEmpty());
            assertThrows(AuthenticationFailedException.class, () -> v.engine().login("alice", wrong, "x"));
            AuthenticationFailedException third = assertThrows(AuthenticationFailedException.class,
                    () -> v.engine().login("alice", wrong, "x"));
            assertEquals(Duration.ofSeconds(1), third.retryAfter().orElseThrow());
            assertThrows(AuthenticationFailedException.class,
                    () -> v.engine().login("alice", "alice passphrase".toCharArray(), "x"),
                    "even the right passphrase is refused while locked");
            clock.advance(Duration.ofSeconds(1));
            // The refused attempt during the lockout counted as the fourth failure: this is the fifth.
            AuthenticationFailedException fifth = assertThrows(AuthenticationFailedException.class,
                    () -> v.engine().login("alice", wrong, "x"));
            assertEquals(Duration.ofSeconds(4), fifth.retryAfter().orElseThrow());
            clock.advance(Duration.ofSeconds(4));
            assertNotNull(v.engine().login("alice", "alice passphrase".toCharArray(), "x"));
        }

        @Test
        void aDisabledOperatorLosesItsSessionsAndCannotLogIn() {
            v.engine().identities().createOperator(admin, "bob", "bob passphrase1".toCharArray(), List.of("auditor"));
            Session bob = v.engine().login("bob", "bob passphrase1".toCharArray(), "x");
            v.engine().identities().disableOperator(admin, "bob");
            assertThrows(AccessDeniedException.class, () -> v.engine().auth().whoami(bob.caller()));
            assertThrows(AuthenticationFailedException.class,
                    () -> v.engine().login("bob", "bob passphrase1".toCharArray(), "x"));
            v.engine().identities().enableOperator(admin, "bob");
            assertNotNull(v.engine().login("bob", "bob passphrase1".toCharArray(), "x"));
        }

        @Test
        void unknownRolesAreRefused() {
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> v.engine().identities()
                    .createOperator(admin, "carol", "carol passphrase".toCharArray(), List.of("wizard")));
            assertTrue(e.getMessage().contains("wizard"));
        }

        @Test
        void customRolesGrantTheirPolicies() {
            v.engine().policies().putRole(admin, "ci-reader", List.of("ci-read"), "reads CI config", "on-call");
            v.engine().identities().createOperator(admin, "dora", "dora passphrase".toCharArray(), List.of("ci-reader"));
            Session d = v.engine().login("dora", "dora passphrase".toCharArray(), "x");
            read(d.caller());
            assertThrows(AccessDeniedException.class,
                    () -> v.engine().secrets().write(d.caller(), "ci/db", SecretData.of(Map.of("a", "b")), null));
        }
    }
}
