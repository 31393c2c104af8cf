package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.ApprovalService;
import dev.keyward.vault.api.ApprovalService.Gate;
import dev.keyward.vault.api.ApprovalService.Request;
import dev.keyward.vault.api.ApprovalService.RequestSpec;
import dev.keyward.vault.api.ApprovalService.Threshold;
import dev.keyward.vault.api.ApprovalService.Track;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.MetadataUpdate;
import dev.keyward.vault.api.SecretData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Random sequences of reviews (honest, forged, truncated, over another request, replayed, by the
 * requester, by outsiders, with a wrong passphrase), demotions and removals of approvers, clock
 * moves and grant uses (by the holder or not, on the resource or another) against a real vault.
 * A model predicts each outcome; the property is that the vault agrees with it at every step, and
 * that no use ever succeeds without one valid security and one valid operations signature by
 * distinct approvers eligible at that moment.
 */
class ApprovalSequencesTest {
    static final String PASS = "property passphrase ";
    static final Duration PENDING = Duration.ofHours(2);
    /** Shorter than a request's default duration (15 minutes), so the gate's cap decides. */
    static final Duration GRANT = Duration.ofMinutes(12);

    static Path home;
    static MutableClock clock;
    static TestVaults.Opened vault;
    static Engine e;
    static ApprovalService ap;
    static Caller admin;
    /** s2 signs outside the vault with this key; its public half is registered as s2's. */
    static Ed25519PrivateKeyParameters s2Key;

    /** Who acts: the requester (also in the security track), two security approvers, one operations approver, an outsider. */
    enum Actor { REQ, S1, S2, O1, OUT;

        String op() {
            return name().toLowerCase();
        }
    }

    /** How a vote is signed. */
    enum Sig { HONEST, WRONG_PASSPHRASE, FORGED, TRUNCATED, OTHER_REQUEST, OTHER_DECISION, REPLAY_OF_S2 }

    sealed interface Action permits Vote, Demote, Restore, Remove, Readd, Advance, Use {
    }

    record Vote(Actor who, boolean approve, Sig sig) implements Action {
    }

    record Demote() implements Action {
    }

    record Restore() implements Action {
    }

    record Remove() implements Action {
    }

    record Readd() implements Action {
    }

    record Advance(int minutes) implements Action {
    }

    record Use(Actor who, boolean sameResource) implements Action {
    }

    @BeforeContainer
    static void open() throws IOException {
        home = Files.createTempDirectory("keyward-approval-props");
        clock = new MutableClock(Instant.parse("2026-12-01T08:00:00Z"));
        vault = TestVaults.initialised(TestVaults.config(home, clock));
        e = vault.engine();
        admin = vault.caller();
        ap = e.approvals();
        for (Actor a : Actor.values()) {
            e.identities().createOperator(admin, a.op(), (PASS + a.op()).toCharArray(), List.of("security-engineer"));
        }
        s2Key = new Ed25519PrivateKeyParameters(new java.security.SecureRandom());
        ap.registerSigningKey(login(Actor.S2), Base64.getEncoder().encodeToString(s2Key.generatePublicKey().getEncoded()),
                (PASS + "s2").toCharArray());
        for (String p : List.of("prop/a", "prop/b")) {
            e.secrets().write(admin, p, SecretData.of(Map.of("v", p)), null);
            e.secrets().writeMetadata(admin, p, new MetadataUpdate(null, null, null, Map.of("criticality", "critical")));
        }
    }

    @AfterContainer
    static void close() throws IOException {
        vault.close();
        try (Stream<Path> s = Files.walk(home)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static Caller login(Actor a) {
        return e.login(a.op(), (PASS + a.op()).toCharArray(), "test").caller();
    }

    static final Track SECURITY = new Track("security", List.of("req", "s1", "s2"), List.of());
    static final Track SECURITY_WITHOUT_S1 = new Track("security", List.of("req", "s2"), List.of());
    static final Track OPERATIONS = new Track("operations", List.of("o1"), List.of());

    @Provide
    Arbitrary<List<Action>> sequences() {
        Arbitrary<Sig> sig = Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(12, Arbitraries.just(Sig.HONEST)),
                net.jqwik.api.Tuple.of(6, Arbitraries.of(Sig.values())));
        Arbitrary<Actor> actor = Arbitraries.of(Actor.REQ, Actor.S1, Actor.S1, Actor.S2, Actor.S2, Actor.O1, Actor.O1,
                Actor.O1, Actor.OUT);
        Arbitrary<Action> vote = Combinators.combine(actor, Arbitraries.of(true, true, true, true, true, true, false), sig)
                .as(Vote::new);
        Arbitrary<Action> use = Combinators.combine(Arbitraries.of(Actor.REQ, Actor.REQ, Actor.S1),
                Arbitraries.of(true, true, false)).as(Use::new);
        Arbitrary<Action> advance = Arbitraries.of(1, 5, 5, 20, 150).map(Advance::new);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(10, vote),
                net.jqwik.api.Tuple.of(6, use),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Demote())),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Restore())),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Remove())),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Readd())),
                net.jqwik.api.Tuple.of(2, advance)).list().ofMinSize(3).ofMaxSize(16);
    }

    /** Often a try starts with honest approvals, so that what follows happens to a live grant. */
    @Provide
    Arbitrary<List<Action>> prefixes() {
        Arbitrary<Action> security = Arbitraries.of(Actor.S1, Actor.S2).map(a -> new Vote(a, true, Sig.HONEST));
        return Arbitraries.oneOf(Arbitraries.just(List.<Action>of()),
                security.map(v -> List.<Action>of(v, new Vote(Actor.O1, true, Sig.HONEST))),
                security.map(v -> List.<Action>of(new Vote(Actor.O1, true, Sig.HONEST), v)));
    }

    /** The model of one request. */
    static final class Model {
        final Instant pendingUntil;
        Instant grantUntil;
        String status = "pending";
        int usesLeft = 1;
        boolean s1Demoted;
        boolean o1Removed;
        /** Accepted votes: actor to approve (true) or deny (false). */
        final Map<Actor, Boolean> votes = new HashMap<>();

        Model(Instant now) {
            pendingUntil = now.plus(PENDING);
        }

        boolean eligible(Actor a) {
            return switch (a) {
                case S1 -> !s1Demoted;
                case S2 -> true;
                case O1 -> !o1Removed;
                default -> false; // REQ is the requester; OUT is in no track
            };
        }

        Set<String> tracks(Actor a) {
            return a == Actor.O1 ? Set.of("operations") : Set.of("security");
        }

        /** One eligible security and one eligible operations approval, by distinct approvers. */
        boolean satisfied() {
            boolean sec = votes.entrySet().stream().anyMatch(v -> v.getValue() && eligible(v.getKey())
                    && tracks(v.getKey()).contains("security"));
            boolean ops = votes.entrySet().stream().anyMatch(v -> v.getValue() && eligible(v.getKey())
                    && tracks(v.getKey()).contains("operations"));
            return sec && ops;
        }

        boolean denied() {
            return votes.entrySet().stream().anyMatch(v -> !v.getValue() && eligible(v.getKey()));
        }

        boolean voteAccepted(Vote v, Instant now) {
            return status.equals("pending") && now.isBefore(pendingUntil) && eligible(v.who())
                    && !votes.containsKey(v.who()) && honest(v)
                    && !(v.who() == Actor.O1 && o1Removed); // a removed operator cannot even log in
        }

        /** Only an honest signature counts (s2 signs outside the vault, so a passphrase plays no part for it). */
        static boolean honest(Vote v) {
            return v.sig() == Sig.HONEST || (v.who() == Actor.S2 && v.sig() == Sig.WRONG_PASSPHRASE);
        }

        void accept(Vote v, Instant now) {
            votes.put(v.who(), v.approve());
            if (denied()) {
                status = "denied";
            } else if (satisfied()) {
                status = "approved";
                grantUntil = now.plus(GRANT);
            }
        }

        boolean useSucceeds(Use u, Instant now) {
            return status.equals("approved") && now.isBefore(grantUntil) && usesLeft > 0 && u.who() == Actor.REQ
                    && u.sameResource() && satisfied();
        }
    }

    @Property(tries = 80)
    void theVaultAgreesWithTheModelAndNeverGrantsWithoutValidSignatures(@ForAll("prefixes") List<Action> prefix,
                                                                         @ForAll("sequences") List<Action> rest) {
        List<Action> actions = new ArrayList<>(prefix);
        actions.addAll(rest);
        admin = TestVaults.login(e).caller();
        ap.putTrack(admin, SECURITY);
        ap.putTrack(admin, OPERATIONS);
        e.identities().enableOperator(admin, "o1");
        ap.putGate(admin, new Gate("props", "read-critical", "secret/prop/*", List.of(new Threshold("security", 1),
                new Threshold("operations", 1)), 1, false, GRANT, PENDING));
        Caller req = login(Actor.REQ);
        Request r = ap.request(req, RequestSpec.of("read-critical", "secret/prop/a", null, "property run"));
        Request decoy = ap.request(req, RequestSpec.of("read-critical", "secret/prop/b", null, "decoy"));
        Model m = new Model(clock.instant());
        List<String> trace = new ArrayList<>();
        for (Action a : actions) {
            trace.add(a.toString());
            Instant now = clock.instant();
            if (a instanceof Vote v) {
                boolean expected = m.voteAccepted(v, now);
                boolean actual = vote(v, r.id(), decoy.id());
                assertEquals(expected, actual, "vote " + v + " after " + trace);
                if (actual) {
                    m.accept(v, now);
                }
            } else if (a instanceof Demote) {
                ap.putTrack(admin, SECURITY_WITHOUT_S1);
                m.s1Demoted = true;
            } else if (a instanceof Restore) {
                ap.putTrack(admin, SECURITY);
                m.s1Demoted = false;
            } else if (a instanceof Remove) {
                e.identities().disableOperator(admin, "o1");
                m.o1Removed = true;
            } else if (a instanceof Readd) {
                e.identities().enableOperator(admin, "o1");
                m.o1Removed = false;
            } else if (a instanceof Advance adv) {
                clock.advance(Duration.ofMinutes(adv.minutes()));
            } else if (a instanceof Use u) {
                boolean expected = m.useSucceeds(u, now);
                net.jqwik.api.statistics.Statistics.label("use").collect(expected ? "granted"
                        : m.status.equals("approved") && u.who() == Actor.REQ && u.sameResource()
                        && now.isBefore(m.grantUntil) ? "refused: signatures no longer valid" : "refused");
                boolean actual = use(u, r.id());
                assertEquals(expected, actual, "use " + u + " after " + trace);
                if (actual) {
                    assertTrue(m.satisfied(), "a use without one valid signature per track");
                    m.usesLeft--;
                    m.status = "used";
                }
            }
        }
        clock.advance(Duration.ofHours(1)); // the next try starts with nothing of this one live
    }

    private static boolean vote(Vote v, String id, String decoyId) {
        try {
            Caller c = login(v.who());
            String reason = v.approve() ? "" : "no";
            if (v.who() == Actor.S2) {
                String sig = switch (v.sig()) {
                    case HONEST, WRONG_PASSPHRASE -> sign(ap.signingMessage(c, id, v.approve(), reason));
                    case FORGED -> sign(new Ed25519PrivateKeyParameters(new java.security.SecureRandom()),
                            ap.signingMessage(c, id, v.approve(), reason));
                    case TRUNCATED -> truncate(sign(ap.signingMessage(c, id, v.approve(), reason)));
                    case OTHER_REQUEST -> sign(ap.signingMessage(c, decoyId, v.approve(), reason));
                    case OTHER_DECISION -> sign(ap.signingMessage(c, id, !v.approve(), reason));
                    case REPLAY_OF_S2 -> sign(ap.signingMessage(c, decoyId, v.approve(), reason));
                };
                ap.signedVote(c, id, v.approve(), reason, sig);
                return true;
            }
            switch (v.sig()) {
                case HONEST -> {
                    if (v.approve()) {
                        ap.approve(c, id, reason, (PASS + v.who().op()).toCharArray());
                    } else {
                        ap.deny(c, id, reason, (PASS + v.who().op()).toCharArray());
                    }
                }
                case WRONG_PASSPHRASE -> ap.approve(c, id, reason, "not my passphrase".toCharArray());
                case REPLAY_OF_S2 -> {
                    // s2's honest signature for this request, presented as the actor's own
                    String s2sig = sign(ap.signingMessage(login(Actor.S2), id, v.approve(), reason));
                    ap.signedVote(c, id, v.approve(), reason, s2sig);
                }
                default -> ap.signedVote(c, id, v.approve(), reason, v.sig() == Sig.TRUNCATED ? "AAAA"
                        : Base64.getEncoder().encodeToString(new byte[64]));
            }
            return true;
        } catch (KeywardException refused) {
            return false;
        }
    }

    private static boolean use(Use u, String id) {
        try {
            Caller c = login(u.who());
            Caller presenting = new Caller(c.token(), c.authMethod(), c.sourceAddress(), null, id);
            e.secrets().read(presenting, u.sameResource() ? "prop/a" : "prop/b", 0);
            return true;
        } catch (KeywardException refused) {
            return false;
        }
    }

    private static String sign(String message) {
        return sign(s2Key, message);
    }

    private static String sign(Ed25519PrivateKeyParameters key, String message) {
        byte[] m = message.getBytes(StandardCharsets.UTF_8);
        Ed25519Signer s = new Ed25519Signer();
        s.init(true, key);
        s.update(m, 0, m.length);
        return Base64.getEncoder().encodeToString(s.generateSignature());
    }

    private static String truncate(String sigB64) {
        byte[] b = Base64.getDecoder().decode(sigB64);
        return Base64.getEncoder().encodeToString(Arrays.copyOf(b, b.length - 1));
    }
}
