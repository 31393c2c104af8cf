package dev.keyward.vault.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyConditions;
import dev.keyward.vault.api.PolicyRule;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EvaluatorTest {
    /** A Wednesday, 12:00 UTC. */
    static final Instant NOON = Instant.parse("2026-11-25T12:00:00Z");
    static final Instant FAR = Instant.parse("2030-01-01T00:00:00Z");

    static PolicyRule grant(String path, PolicyConditions c, Capability... caps) {
        return PolicyRule.grant(path, EnumSet.copyOf(List.of(caps)), c, "team-a", "needed for tests", FAR);
    }

    static Evaluator.Compiled set(PolicyRule... rules) {
        return new Evaluator.Compiled(List.of(new Evaluator.Versioned(new Policy("p", "", List.of(rules)), 3)));
    }

    static Evaluator.Request req(String path, Capability cap) {
        return new Evaluator.Request(path, Set.of(cap), "10.0.0.5", NOON, null, 0, () -> Duration.ofHours(1));
    }

    static Evaluator.Request at(String path, Instant now) {
        return new Evaluator.Request(path, Set.of(Capability.READ), "10.0.0.5", now, null, 0, () -> Duration.ofHours(1));
    }

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource({
            "secret/ci/*, secret/ci/db, true",
            "secret/ci/*, secret/ci/a/b/c, true",
            "secret/ci/*, secret/ci/, true",
            "secret/ci/*, secret/ci, false",
            "secret/ci*, secret/ci, true",
            "secret/ci*, secret/cix/y, true",
            "secret/ci/db, secret/ci/db, true",
            "secret/ci/db, secret/ci/db2, false",
            "secret/ci/db, secret/ci, false",
            "secret/+/db, secret/team/db, true",
            "secret/+/db, secret/a/b/db, false",
            "secret/+/db, secret//db, false",
            "secret/+/db*, secret/x/dbread, true",
            "secret/+/+, secret/a/b, true",
            "secret/+/+, secret/a, false",
            "*, sys/audit/log, true",
            "sys/token*, sys/token, true",
            "sys/token*, sys/tokens, true",
            "sys/token*, sys/tok, false",
    })
    void patternsMatchAsDocumented(String pattern, String path, boolean matches) {
        Evaluator.Outcome o = Evaluator.evaluate(set(grant(pattern, null, Capability.READ)), req(path, Capability.READ));
        assertEquals(matches, o.allowed());
        assertEquals(matches, RuleIndex.matches(pattern, path));
    }

    @Test
    void defaultDenyNamesNoRule() {
        Evaluator.Outcome o = Evaluator.evaluate(set(), req("secret/a", Capability.READ));
        assertFalse(o.allowed());
        assertEquals("default-deny", o.ruleRef());
    }

    @Test
    void aGrantForAnotherCapabilityDoesNotAllow() {
        Evaluator.Outcome o = Evaluator.evaluate(set(grant("secret/*", null, Capability.LIST)),
                req("secret/a", Capability.READ));
        assertFalse(o.allowed());
    }

    @Test
    void denyWinsOverAMoreSpecificGrantAndNamesItsRule() {
        Evaluator.Compiled s = new Evaluator.Compiled(List.of(
                new Evaluator.Versioned(new Policy("grants", "", List.of(grant("secret/ci/db", null, Capability.READ))), 2),
                new Evaluator.Versioned(new Policy("denies", "", List.of(PolicyRule.deny("secret/*",
                        Set.of(Capability.READ)))), 7)));
        Evaluator.Outcome o = Evaluator.evaluate(s, req("secret/ci/db", Capability.READ));
        assertFalse(o.allowed());
        assertEquals("policy:denies@v7#deny:secret/*", o.ruleRef());
    }

    @Test
    void theMostSpecificGrantIsNamed() {
        Evaluator.Outcome o = Evaluator.evaluate(set(grant("secret/*", null, Capability.READ),
                grant("secret/ci/+", null, Capability.READ), grant("secret/ci/db", null, Capability.READ)),
                req("secret/ci/db", Capability.READ));
        assertEquals("policy:p@v3#secret/ci/db", o.ruleRef());
    }

    @Nested
    class Conditions {
        @ParameterizedTest(name = "{0} from {1} -> {2}")
        @CsvSource({
                "10.0.0.0/24, 10.0.0.0, true",
                "10.0.0.0/24, 10.0.0.255, true",
                "10.0.0.0/24, 10.0.1.0, false",
                "10.0.0.0/24, 9.255.255.255, false",
                "10.0.0.128/25, 10.0.0.127, false",
                "10.0.0.128/25, 10.0.0.128, true",
                "127.0.0.1/32, local, true",
                "::1/128, ::1, true",
                "::1/128, 127.0.0.1, false",
                "10.0.0.0/8, not-an-address, false",
        })
        void sourceCidrAtItsEdges(String cidr, String source, boolean allowed) {
            PolicyConditions c = new PolicyConditions(List.of(cidr), null, null, false, 0);
            Evaluator.Outcome o = Evaluator.evaluate(set(grant("secret/*", c, Capability.READ)),
                    new Evaluator.Request("secret/a", Set.of(Capability.READ), source, NOON, null, 0, () -> null));
            assertEquals(allowed, o.allowed());
            if (!allowed) {
                assertEquals(Evaluator.SOURCE_CIDR, o.failedCondition());
                assertTrue(o.ruleRef().contains("unmet policy:p@v3#secret/*"), o.ruleRef());
            }
        }

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource({
                "2026-11-25T07:59:59Z, false",
                "2026-11-25T08:00:00Z, true",
                "2026-11-25T17:59:59Z, true",
                "2026-11-25T18:00:00Z, false",
                "2026-11-28T12:00:00Z, false",
        })
        void weekdayOfficeHoursWindowIsStartInclusiveEndExclusive(String time, boolean allowed) {
            PolicyConditions c = new PolicyConditions(List.of(), new PolicyConditions.TimeWindow(
                    EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), LocalTime.of(8, 0), LocalTime.of(18, 0), "UTC"),
                    null, false, 0);
            Evaluator.Outcome o = Evaluator.evaluate(set(grant("secret/*", c, Capability.READ)),
                    at("secret/a", Instant.parse(time)));
            assertEquals(allowed, o.allowed());
            if (!allowed) {
                assertEquals(Evaluator.TIME_WINDOW, o.failedCondition());
            }
        }

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource({
                // Berlin is UTC+1 in November: 08:00 Berlin = 07:00Z
                "2026-11-25T06:59:59Z, false",
                "2026-11-25T07:00:00Z, true",
        })
        void windowsUseTheirTimeZone(String time, boolean allowed) {
            PolicyConditions c = new PolicyConditions(List.of(), new PolicyConditions.TimeWindow(null,
                    LocalTime.of(8, 0), LocalTime.of(18, 0), "Europe/Berlin"), null, false, 0);
            assertEquals(allowed, Evaluator.evaluate(set(grant("secret/*", c, Capability.READ)),
                    at("secret/a", Instant.parse(time))).allowed());
        }

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource({
                "2026-11-27T21:59:59Z, false", // Friday before the window
                "2026-11-27T22:00:00Z, true",  // Friday 22:00 starts it
                "2026-11-28T05:59:59Z, true",  // Saturday morning still belongs to Friday's window
                "2026-11-28T06:00:00Z, false",
                "2026-11-28T22:30:00Z, false", // Saturday night: Saturday is not a listed day
        })
        void overnightWindowsBelongToTheDayTheyStart(String time, boolean allowed) {
            PolicyConditions c = new PolicyConditions(List.of(), new PolicyConditions.TimeWindow(
                    EnumSet.of(DayOfWeek.FRIDAY), LocalTime.of(22, 0), LocalTime.of(6, 0), "UTC"), null, false, 0);
            assertEquals(allowed, Evaluator.evaluate(set(grant("secret/*", c, Capability.READ)),
                    at("secret/a", Instant.parse(time))).allowed());
        }

        @ParameterizedTest(name = "token max TTL {0}s -> {1}")
        @CsvSource({"3599, true", "3600, true", "3601, false"})
        void maxTokenTtlAtItsBoundary(long seconds, boolean allowed) {
            PolicyConditions c = new PolicyConditions(List.of(), null, Duration.ofHours(1), false, 0);
            Evaluator.Outcome o = Evaluator.evaluate(set(grant("secret/*", c, Capability.READ)),
                    new Evaluator.Request("secret/a", Set.of(Capability.READ), "x", NOON, null, 0,
                            () -> Duration.ofSeconds(seconds)));
            assertEquals(allowed, o.allowed());
            if (!allowed) {
                assertEquals(Evaluator.MAX_TOKEN_TTL, o.failedCondition());
            }
        }

        @Test
        void maxTokenTtlFailsClosedWhenTheTokenIsUnknown() {
            PolicyConditions c = new PolicyConditions(List.of(), null, Duration.ofHours(1), false, 0);
            assertFalse(Evaluator.evaluate(set(grant("secret/*", c, Capability.READ)), new Evaluator.Request(
                    "secret/a", Set.of(Capability.READ), "x", NOON, null, 0, () -> null)).allowed());
        }

        @ParameterizedTest(name = "justification [{0}] -> {1}")
        @CsvSource(value = {"NULL, false", "'', false", "'   ', false", "ticket 42, true"}, nullValues = "NULL")
        void justificationRequired(String justification, boolean allowed) {
            PolicyConditions c = new PolicyConditions(List.of(), null, null, true, 0);
            Evaluator.Outcome o = Evaluator.evaluate(set(grant("secret/*", c, Capability.READ)),
                    new Evaluator.Request("secret/a", Set.of(Capability.READ), "x", NOON, justification, 0, () -> null));
            assertEquals(allowed, o.allowed());
            if (!allowed) {
                assertEquals(Evaluator.JUSTIFICATION, o.failedCondition());
            }
        }

        @ParameterizedTest(name = "{0} approvals of 2 -> {1}")
        @CsvSource({"0, false", "1, false", "2, true", "3, true"})
        void approvalsRequired(int approvals, boolean allowed) {
            PolicyConditions c = new PolicyConditions(List.of(), null, null, false, 2);
            Evaluator.Outcome o = Evaluator.evaluate(set(grant("secret/*", c, Capability.READ)),
                    new Evaluator.Request("secret/a", Set.of(Capability.READ), "x", NOON, null, approvals, () -> null));
            assertEquals(allowed, o.allowed());
            if (!allowed) {
                assertEquals(Evaluator.APPROVALS, o.failedCondition());
            }
        }

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource({"2030-01-01T00:00:00Z, false", "2029-12-31T23:59:59Z, true"})
        void anExpiredGrantStopsGrantingAtItsExpiry(String now, boolean allowed) {
            Evaluator.Outcome o = Evaluator.evaluate(set(grant("secret/*", null, Capability.READ)),
                    at("secret/a", Instant.parse(now)));
            assertEquals(allowed, o.allowed());
            if (!allowed) {
                assertEquals(Evaluator.EXPIRED, o.failedCondition());
            }
        }

        @Test
        void aDenyWithAConditionOnlyDeniesWhenItHolds() {
            PolicyRule deny = new PolicyRule(null, "secret/*", Set.of(Capability.READ), true,
                    new PolicyConditions(List.of("192.168.0.0/16"), null, null, false, 0), null, null, null);
            Evaluator.Compiled s = set(grant("secret/*", null, Capability.READ), deny);
            assertTrue(Evaluator.evaluate(s, req("secret/a", Capability.READ)).allowed());
            assertFalse(Evaluator.evaluate(s, new Evaluator.Request("secret/a", Set.of(Capability.READ),
                    "192.168.3.4", NOON, null, 0, () -> null)).allowed());
        }
    }

    @Nested
    class Validation {
        @Test
        void grantsWithoutOwnerJustificationOrExpiryAreRefusedWithTheMissingFieldsNamed() {
            PolicyRule r = new PolicyRule(null, "secret/*", Set.of(Capability.READ), false, null, null, "why", null);
            InvalidRequestException e = assertThrows(InvalidRequestException.class,
                    () -> PolicyStore.validateGrants(new Policy("p", "", List.of(r))));
            assertTrue(e.getMessage().contains("missing: owner, expiry"), e.getMessage());
        }

        @Test
        void aStarAnywhereButLastIsRefused() {
            assertThrows(InvalidRequestException.class, () -> grant("secret/*/x", null, Capability.READ));
            assertThrows(InvalidRequestException.class, () -> grant("secret/a+/x", null, Capability.READ));
            assertThrows(InvalidRequestException.class, () -> grant("/secret", null, Capability.READ));
        }

        @Test
        void reachesSysCoversEveryPatternThatCanMatchUnderSys() {
            for (String p : List.of("*", "s*", "sys*", "sys/audit/*", "+/x", "sys")) {
                assertTrue(Access.reachesSys(p), p);
            }
            for (String p : List.of("secret/*", "se*", "secret/sys/*")) {
                assertFalse(Access.reachesSys(p), p);
            }
        }

        @Test
        void narrowerSuggestionsCoverTheUseAndAreStrictlyNarrower() {
            assertEquals("secret/ci/db/*", Entitlements.narrower("secret/*", "secret/ci/db/"));
            assertEquals("secret/ci/db", Entitlements.narrower("secret/ci/*", "secret/ci/db"));
            assertEquals("secret/a/db", Entitlements.narrower("secret/+/db", "secret/a/db"));
            assertNull(Entitlements.narrower("secret/ci/*", "secret/ci/"));
            assertNull(Entitlements.narrower("secret/ci/db", "secret/ci/db"));
        }
    }
}
