package dev.keyward.console.secrets;

import java.time.Instant;

/** One version in the versions table. */
public record VersionRow(int version, Instant created, State state, boolean current) {
    public enum State { ACTIVE, DELETED, DESTROYED }

    public String stateText() {
        return switch (state) {
            case ACTIVE -> current ? "current" : "kept";
            case DELETED -> "deleted (can be undeleted)";
            case DESTROYED -> "destroyed";
        };
    }
}
