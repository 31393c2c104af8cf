package dev.keyward.vault.api;

import java.util.regex.Pattern;

/** The rule for operator names: 1 to 64 of letters, digits, dot, dash, underscore, at sign. */
public final class OperatorNames {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    private OperatorNames() {
    }

    public static String validate(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidRequestException("An operator name is 1 to 64 letters, digits, '.', '_', '@' or '-'.");
        }
        return name;
    }
}
