package dev.keyward.vault.api;

import java.util.regex.Pattern;

/** Names of roles, policies and machine identities: 1 to 64 of letters, digits, '.', '_', '-'. */
public final class Names {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private Names() {
    }

    public static String validate(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidRequestException("A " + what + " name is 1 to 64 letters, digits, '.', '_' or '-'"
                    + (name == null ? "." : ", not '" + name.replaceAll("[^\\x20-\\x7e]", "?") + "'."));
        }
        return name;
    }
}
