package dev.keyward.console.secrets;

import java.util.List;

/** The custom-metadata keys the console uses for ownership and risk. */
public final class SecretLabels {
    public static final String OWNER = "owner";
    public static final String TAGS = "tags";
    public static final String CRITICALITY = "criticality";
    public static final String EXPIRES = "expires";
    /** The field names (not values), comma separated, recorded by the console's editor for search. */
    public static final String FIELDS = "fields";
    public static final List<String> CRITICALITIES = List.of("low", "medium", "high", "critical");

    private SecretLabels() {
    }
}
