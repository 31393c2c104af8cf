package dev.keyward.vault.api;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Conditions under which a rule applies. All given conditions must hold.
 *
 * @param sourceCidrs           the caller's address must lie in one of these (empty = any)
 * @param window                only within this weekly time window (null = any time)
 * @param maxTokenTtl           only for tokens whose max lifetime is at most this (null = any)
 * @param justificationRequired the call must carry a justification
 * @param approvalsRequired     k approvals must back the call (0 = none)
 * @param maxRisk               only while the identity's risk score (raised by containment, 0 to 100)
 *                              is at most this (null = any)
 */
public record PolicyConditions(List<String> sourceCidrs, TimeWindow window, Duration maxTokenTtl,
                               boolean justificationRequired, int approvalsRequired, Integer maxRisk) {
    public static final PolicyConditions NONE = new PolicyConditions(List.of(), null, null, false, 0);

    /** Conditions without a risk limit. */
    public PolicyConditions(List<String> sourceCidrs, TimeWindow window, Duration maxTokenTtl,
                            boolean justificationRequired, int approvalsRequired) {
        this(sourceCidrs, window, maxTokenTtl, justificationRequired, approvalsRequired, null);
    }

    public PolicyConditions {
        sourceCidrs = Cidrs.validate(sourceCidrs);
        if (maxTokenTtl != null && (maxTokenTtl.isNegative() || maxTokenTtl.isZero())) {
            throw new InvalidRequestException("A max token TTL condition must be positive.");
        }
        if (approvalsRequired < 0 || approvalsRequired > 16) {
            throw new InvalidRequestException("Approvals required is between 0 and 16.");
        }
        if (maxRisk != null && (maxRisk < 0 || maxRisk > 100)) {
            throw new InvalidRequestException("A max_risk condition is between 0 and 100.");
        }
    }

    /** These conditions with a risk limit (null = none). */
    public PolicyConditions withMaxRisk(Integer risk) {
        return new PolicyConditions(sourceCidrs, window, maxTokenTtl, justificationRequired, approvalsRequired, risk);
    }

    public boolean isNone() {
        return equals(NONE);
    }

    /**
     * A weekly window: on {@code days}, from {@code from} (inclusive) to {@code to} (exclusive),
     * in {@code zone}. When {@code to} is not after {@code from} the window runs past midnight and
     * the day is the one it started on.
     */
    public record TimeWindow(Set<DayOfWeek> days, LocalTime from, LocalTime to, String zone) {
        public TimeWindow {
            days = days == null || days.isEmpty() ? Set.copyOf(EnumSet.allOf(DayOfWeek.class))
                    : Set.copyOf(EnumSet.copyOf(days));
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            zone = zone == null || zone.isBlank() ? "UTC" : zone;
            try {
                ZoneId.of(zone);
            } catch (DateTimeException e) {
                throw new InvalidRequestException("'" + zone + "' is not a time zone (e.g. UTC, Europe/Berlin).");
            }
            if (from.equals(to)) {
                throw new InvalidRequestException("A time window's start and end must differ.");
            }
        }
    }
}
