package dev.keyward.vault.api;

import java.util.Locale;

/** What a policy rule grants (or, with {@code deny}, takes away) on the paths it matches. */
public enum Capability {
    CREATE, READ, UPDATE, DELETE, LIST, DESTROY, ROTATE, APPROVE, REVEAL_METADATA, ADMIN;

    /** The policy-file spelling: lower case with dashes, e.g. {@code reveal-metadata}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Capability parse(String s) {
        if (s != null) {
            for (Capability c : values()) {
                if (c.id().equals(s.trim().toLowerCase(Locale.ROOT))) {
                    return c;
                }
            }
        }
        throw new InvalidRequestException("Unknown capability '" + s + "': use one of create, read, update, delete,"
                + " list, destroy, rotate, approve, reveal-metadata, admin.");
    }
}
