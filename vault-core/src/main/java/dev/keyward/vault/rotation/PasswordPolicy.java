package dev.keyward.vault.rotation;

import dev.keyward.vault.api.InvalidRequestException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a generated value looks: a password (length, character classes each used at least once,
 * excluded characters, or an explicit charset) or an API token (a prefix and random bytes in
 * base64url). Values come from {@link SecureRandom}. Parameters:
 * <ul>
 * <li>{@code format}: {@code password} (default) or {@code token}</li>
 * <li>{@code length}: 8 to 1024 characters (password; default 32)</li>
 * <li>{@code classes}: a comma list of {@code lower, upper, digit, symbol} (default lower,upper,digit)</li>
 * <li>{@code exclude}: characters never used (e.g. look-alikes {@code 0O1lI})</li>
 * <li>{@code charset}: the characters to draw from instead of the classes</li>
 * <li>{@code bytes}: 16 to 256 random bytes (token; default 32); {@code prefix}: e.g. {@code kw_}</li>
 * </ul>
 */
public final class PasswordPolicy {
    private static final SecureRandom RANDOM = new SecureRandom();
    static final Map<String, String> CLASSES = new LinkedHashMap<>();

    static {
        CLASSES.put("lower", "abcdefghijklmnopqrstuvwxyz");
        CLASSES.put("upper", "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
        CLASSES.put("digit", "0123456789");
        CLASSES.put("symbol", "!#$%&()*+,-./:;<=>?@[]^_{|}~");
    }

    /** The parameter names a password policy reads. */
    public static final Set<String> PARAMS = Set.of("format", "length", "classes", "exclude", "charset", "bytes",
            "prefix");

    private final boolean token;
    private final int length;
    private final List<String> sets;
    private final int bytes;
    private final String prefix;

    private PasswordPolicy(boolean token, int length, List<String> sets, int bytes, String prefix) {
        this.token = token;
        this.length = length;
        this.sets = sets;
        this.bytes = bytes;
        this.prefix = prefix;
    }

    /** Reads and checks the policy's parameters; an {@link InvalidRequestException} names a wrong one. */
    public static PasswordPolicy of(Map<String, String> params) {
        String format = params.getOrDefault("format", "password");
        if (!format.equals("password") && !format.equals("token")) {
            throw new InvalidRequestException("format is password or token.");
        }
        int length = intParam(params, "length", 32, 8, 1024);
        int bytes = intParam(params, "bytes", 32, 16, 256);
        String prefix = params.getOrDefault("prefix", "");
        if (!prefix.matches("[A-Za-z0-9_.-]{0,32}")) {
            throw new InvalidRequestException("prefix is at most 32 letters, digits, '_', '.' or '-'.");
        }
        String exclude = params.getOrDefault("exclude", "");
        List<String> sets = new ArrayList<>();
        if (params.containsKey("charset")) {
            String cs = strip(params.get("charset"), exclude);
            if (cs.codePoints().distinct().count() < 10) {
                throw new InvalidRequestException("charset needs at least 10 distinct characters (after exclude).");
            }
            sets.add(cs);
        } else {
            for (String c : params.getOrDefault("classes", "lower,upper,digit").split(",")) {
                String name = c.trim();
                String chars = CLASSES.get(name);
                if (chars == null) {
                    throw new InvalidRequestException("classes is a comma list of lower, upper, digit, symbol; '"
                            + clip(name) + "' is none of them.");
                }
                String left = strip(chars, exclude);
                if (left.isEmpty()) {
                    throw new InvalidRequestException("exclude leaves no character of class " + name + ".");
                }
                sets.add(left);
            }
            if (sets.size() > length) {
                throw new InvalidRequestException("length is shorter than the number of classes.");
            }
        }
        return new PasswordPolicy(format.equals("token"), length, List.copyOf(sets), bytes, prefix);
    }

    /** A fresh value. */
    public String generate() {
        if (token) {
            byte[] b = new byte[bytes];
            RANDOM.nextBytes(b);
            String v = prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
            java.util.Arrays.fill(b, (byte) 0);
            return v;
        }
        String all = String.join("", sets);
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = all.charAt(RANDOM.nextInt(all.length()));
        }
        // every class at least once, at distinct random positions
        List<Integer> free = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            free.add(i);
        }
        if (sets.size() > 1) {
            for (String s : sets) {
                int pos = free.remove(RANDOM.nextInt(free.size()));
                out[pos] = s.charAt(RANDOM.nextInt(s.length()));
            }
        }
        String v = new String(out);
        java.util.Arrays.fill(out, '\0');
        return v;
    }

    /** Whether a value meets the policy (every character allowed, every class present). */
    public boolean accepts(String value) {
        if (value == null) {
            return false;
        }
        if (token) {
            return value.startsWith(prefix) && value.length() > prefix.length();
        }
        if (value.length() != length) {
            return false;
        }
        String all = String.join("", sets);
        for (int i = 0; i < value.length(); i++) {
            if (all.indexOf(value.charAt(i)) < 0) {
                return false;
            }
        }
        if (sets.size() > 1) {
            for (String s : sets) {
                boolean found = false;
                for (int i = 0; i < value.length() && !found; i++) {
                    found = s.indexOf(value.charAt(i)) >= 0;
                }
                if (!found) {
                    return false;
                }
            }
        }
        return true;
    }

    static int intParam(Map<String, String> params, String name, int dflt, int min, int max) {
        String v = params.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // said below
        }
        throw new InvalidRequestException(name + " is a whole number from " + min + " to " + max + ".");
    }

    private static String strip(String chars, String exclude) {
        StringBuilder b = new StringBuilder();
        chars.codePoints().distinct().filter(c -> exclude.indexOf(c) < 0).forEach(b::appendCodePoint);
        return b.toString();
    }

    static String clip(String s) {
        return s.length() > 32 ? s.substring(0, 32) + "..." : s;
    }

    @Override
    public String toString() {
        return token ? "PasswordPolicy[token, " + bytes + " bytes]" : "PasswordPolicy[" + length + " chars]";
    }
}
