package dev.keyward.vault.api;

import java.util.Objects;

/**
 * A reference to one field of a secret: {@code kw://path#field} or {@code kw://path#field@version}.
 *
 * @param path    the secret path
 * @param field   the field name
 * @param version the version, or 0 for the current one
 */
public record SecretReference(String path, String field, int version) {
    public static final String SCHEME = "kw://";

    public SecretReference {
        SecretPaths.validateSecretPath(path);
        Objects.requireNonNull(field, "field");
        if (field.isEmpty() || field.indexOf('@') >= 0 || field.indexOf('#') >= 0) {
            throw new InvalidRequestException("A reference's field name must be non-empty and hold no '@' or '#'.");
        }
        if (version < 0) {
            throw new InvalidRequestException("A reference's version must be positive.");
        }
    }

    /** Parses {@code kw://path#field[@version]}. */
    public static SecretReference parse(String text) {
        if (text == null || !text.startsWith(SCHEME)) {
            throw new InvalidRequestException("A secret reference starts with kw://, as in kw://path#field@version.");
        }
        String rest = text.substring(SCHEME.length());
        int hash = rest.lastIndexOf('#');
        if (hash <= 0 || hash == rest.length() - 1) {
            throw new InvalidRequestException("A secret reference names a field after '#', as in kw://path#field.");
        }
        String path = rest.substring(0, hash);
        String field = rest.substring(hash + 1);
        int version = 0;
        int at = field.lastIndexOf('@');
        if (at >= 0) {
            String v = field.substring(at + 1);
            field = field.substring(0, at);
            if (!v.matches("[1-9][0-9]{0,8}")) {
                throw new InvalidRequestException("A secret reference's version after '@' is a positive number.");
            }
            version = Integer.parseInt(v);
        }
        return new SecretReference(path, field, version);
    }

    /** The canonical text form. */
    public String format() {
        return SCHEME + path + "#" + field + (version > 0 ? "@" + version : "");
    }

    @Override
    public String toString() {
        return format();
    }
}
