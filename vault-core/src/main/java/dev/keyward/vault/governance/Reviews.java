package dev.keyward.vault.governance;

import dev.keyward.vault.api.GovernanceService.AccessReview;
import dev.keyward.vault.api.GovernanceService.Attestation;
import dev.keyward.vault.api.GovernanceService.OnMissed;
import dev.keyward.vault.api.GovernanceService.ReviewItem;
import dev.keyward.vault.api.GovernanceService.ReviewSchedule;
import dev.keyward.vault.api.GovernanceService.ReviewScheduleSpec;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.Random;
import dev.keyward.vault.identity.Records;
import dev.keyward.vault.storage.StorageTx;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Access reviews as stored records: the schedule ({@code gov/rv/schedule}) and one record per
 * review ({@code gov/rv/r/<id>}), each sealed by the barrier. A review covers one owner's grants;
 * the grants and what to do with the policies come from the caller (the engine), so this class
 * knows nothing of how policies are stored.
 */
public final class Reviews {
    public static final String KIND = "governance";
    static final String SCHEDULE = "gov/rv/schedule";
    static final String REVIEW = "gov/rv/r/";
    /** The owner named for grants that have none (they are reviewed too). */
    public static final String NO_OWNER = "(no owner)";

    /** A grant to put under review, with its owner. */
    public record Grant(String owner, ReviewItem item) {
    }

    public record ScheduleRec(String every, long deadlineSeconds, OnMissed onMissed, Instant nextRun, String setBy,
                       Instant setAt) {
        ReviewSchedule view() {
            return new ReviewSchedule(every, Duration.ofSeconds(deadlineSeconds), onMissed, nextRun, setBy, setAt);
        }
    }

    private final Barrier barrier;

    public Reviews(Barrier barrier) {
        this.barrier = barrier;
    }

    // ------------------------------------------------------------ schedule

    public ReviewSchedule schedule(StorageTx tx) {
        ScheduleRec s = Records.get(tx, barrier, KIND, SCHEDULE, ScheduleRec.class);
        return s == null ? null : s.view();
    }

    public ReviewSchedule setSchedule(StorageTx tx, ReviewScheduleSpec spec, String by, Instant now) {
        Instant first = spec.firstAt() == null ? now : spec.firstAt();
        ScheduleRec s = new ScheduleRec(spec.every(), spec.deadline().toSeconds(), spec.onMissed(), first, by, now);
        Records.put(tx, barrier, KIND, SCHEDULE, s);
        return s.view();
    }

    /** The next run after {@code from}: calendar months and years in UTC, or a number of days. */
    static Instant next(String every, Instant from) {
        ZonedDateTime t = from.atZone(ZoneOffset.UTC);
        return switch (every) {
            case "monthly" -> t.plusMonths(1).toInstant();
            case "quarterly" -> t.plusMonths(3).toInstant();
            case "yearly" -> t.plusYears(1).toInstant();
            default -> t.plusDays(Long.parseLong(every.substring(0, every.length() - 1))).toInstant();
        };
    }

    /**
     * Whether the scheduled reviews are due at {@code now}; if so the schedule moves to its next run
     * after now (runs missed while the vault was sealed or stopped are not repeated).
     */
    public ScheduleRec takeDue(StorageTx tx, Instant now) {
        ScheduleRec s = Records.get(tx, barrier, KIND, SCHEDULE, ScheduleRec.class);
        if (s == null || now.isBefore(s.nextRun())) {
            return null;
        }
        Instant next = s.nextRun();
        while (!next.isAfter(now)) {
            next = next(s.every(), next);
        }
        Records.put(tx, barrier, KIND, SCHEDULE, new ScheduleRec(s.every(), s.deadlineSeconds(), s.onMissed(), next,
                s.setBy(), s.setAt()));
        return s;
    }

    // ------------------------------------------------------------ reviews

    /** Opens one review per owner of the grants given. */
    public List<AccessReview> open(StorageTx tx, List<Grant> grants, String by, Instant now, Duration deadline,
                                   OnMissed onMissed) {
        Map<String, List<ReviewItem>> byOwner = new TreeMap<>();
        for (Grant g : grants) {
            byOwner.computeIfAbsent(g.owner() == null ? NO_OWNER : g.owner(), o -> new ArrayList<>()).add(g.item());
        }
        List<AccessReview> out = new ArrayList<>();
        byOwner.forEach((owner, items) -> {
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(Random.bytes(9));
            AccessReview r = new AccessReview(id, owner, now, by, now.plus(deadline), onMissed, "open", null, items);
            save(tx, r);
            out.add(r);
        });
        return out;
    }

    private void save(StorageTx tx, AccessReview r) {
        Records.put(tx, barrier, KIND, REVIEW + r.id(), r);
    }

    public List<AccessReview> list(StorageTx tx) {
        List<AccessReview> out = new ArrayList<>();
        for (StorageTx.Entry e : tx.scan(REVIEW, null, Integer.MAX_VALUE)) {
            out.add(Records.decode(barrier.open(Barrier.Binding.of(KIND, e.key()), e.value()), AccessReview.class));
        }
        out.sort(Comparator.comparing(AccessReview::openedAt).reversed().thenComparing(AccessReview::owner));
        return out;
    }

    public AccessReview get(StorageTx tx, String id) {
        AccessReview r = id == null || !id.matches("[A-Za-z0-9_-]{1,32}") ? null
                : Records.get(tx, barrier, KIND, REVIEW + id, AccessReview.class);
        if (r == null) {
            throw new NotFoundException("There is no access review with the id " + id + ".");
        }
        return r;
    }

    /** Records an attestation; returns the review as it is now. */
    public AccessReview attest(StorageTx tx, String id, String policy, String ruleId, Attestation decision,
                               String reason, String by, Instant now) {
        AccessReview r = get(tx, id);
        if (!r.status().equals("open")) {
            throw new InvalidRequestException("The access review " + id + " is closed.");
        }
        if (!now.isBefore(r.deadline())) {
            throw new InvalidRequestException("The deadline of access review " + id + " has passed ("
                    + r.deadline() + ").");
        }
        if (reason == null || reason.isBlank() || reason.length() > 1024) {
            throw new InvalidRequestException("An attestation has a reason (at most 1024 characters).");
        }
        boolean found = false;
        List<ReviewItem> items = new ArrayList<>();
        for (ReviewItem i : r.items()) {
            if (i.policy().equals(policy) && i.ruleId().equals(ruleId)) {
                if (i.decision() != null) {
                    throw new InvalidRequestException("That grant was attested already (" + i.decision() + " by "
                            + i.attestedBy() + ").");
                }
                i = new ReviewItem(i.policy(), i.policyVersion(), i.ruleId(), i.path(), i.capabilities(),
                        i.expiresAt(), i.lastUsed(), decision, reason.trim(), by, now, null);
                found = true;
            }
            items.add(i);
        }
        if (!found) {
            throw new NotFoundException("Access review " + id + " has no grant " + policy + "#" + ruleId + ".");
        }
        AccessReview next = new AccessReview(r.id(), r.owner(), r.openedAt(), r.openedBy(), r.deadline(),
                r.onMissed(), r.status(), r.closedAt(), items);
        save(tx, next);
        return next;
    }

    /** Sets the outcome of one item (what followed its attestation or its missed deadline). */
    public AccessReview outcome(StorageTx tx, String id, String policy, String ruleId, String outcome) {
        AccessReview r = get(tx, id);
        List<ReviewItem> items = new ArrayList<>();
        for (ReviewItem i : r.items()) {
            items.add(i.policy().equals(policy) && i.ruleId().equals(ruleId) ? withOutcome(i, outcome) : i);
        }
        AccessReview next = new AccessReview(r.id(), r.owner(), r.openedAt(), r.openedBy(), r.deadline(),
                r.onMissed(), r.status(), r.closedAt(), items);
        save(tx, next);
        return next;
    }

    private static ReviewItem withOutcome(ReviewItem i, String outcome) {
        return new ReviewItem(i.policy(), i.policyVersion(), i.ruleId(), i.path(), i.capabilities(), i.expiresAt(),
                i.lastUsed(), i.decision(), i.reason(), i.attestedBy(), i.attestedAt(), outcome);
    }

    /** Open reviews whose deadline has come. */
    public List<AccessReview> overdue(StorageTx tx, Instant now) {
        return list(tx).stream().filter(r -> r.status().equals("open") && !now.isBefore(r.deadline())).toList();
    }

    /** Closes a review; {@code missed} acts on each unattested item and returns its outcome. */
    public AccessReview close(StorageTx tx, AccessReview r, Function<ReviewItem, String> missed, Instant now) {
        List<ReviewItem> items = new ArrayList<>();
        for (ReviewItem i : r.items()) {
            items.add(i.decision() == null ? withOutcome(i, missed.apply(i)) : i);
        }
        AccessReview closed = new AccessReview(r.id(), r.owner(), r.openedAt(), r.openedBy(), r.deadline(),
                r.onMissed(), "closed", now, items);
        save(tx, closed);
        return closed;
    }
}
