package dev.keyward.vault.api;

/**
 * Progress of rewrapping stored records to the newest data-key term.
 *
 * @param targetTerm the term records are moved to (0 when no rewrap ever ran)
 * @param state      IDLE (never ran), RUNNING, PAUSED (vault sealed or restarted mid-way: it resumes at unseal), DONE
 * @param total      records under rewrap: those there when it started and those written since (so
 *                   never less than {@code examined}: a larger examined count raises it)
 * @param examined   records examined so far (rewrapped or already current)
 * @param rewrapped  records re-encrypted so far
 */
public record RewrapStatus(int targetTerm, State state, long total, long examined, long rewrapped) {
    public enum State { IDLE, RUNNING, PAUSED, DONE }

    public RewrapStatus {
        if (state == null || total < 0 || examined < 0 || rewrapped < 0) {
            throw new IllegalArgumentException("invalid rewrap status");
        }
        total = Math.max(total, examined);
    }

    /** Fraction done, 0..1. */
    public double fraction() {
        return total == 0 ? (state == State.DONE ? 1 : 0) : Math.min(1.0, (double) examined / total);
    }
}
