package dev.keyward.vault.api;

import java.time.Instant;
import java.util.Objects;

/**
 * One rotation of one secret, as far as it has come.
 *
 * @param id        the run's id
 * @param path      the secret
 * @param trigger   what started it
 * @param state     where it is, e.g. {@code pending}, {@code set}, {@code test}, {@code finished},
 *                  {@code rolled-back}, {@code needs-attention}
 * @param startedAt when it started
 */
public record RotationRun(String id, String path, RotationTrigger trigger, String state, Instant startedAt) {
    public RotationRun {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(startedAt, "startedAt");
    }
}
