package dev.keyward.console.secrets;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * Random passwords and passphrases for the secret editor, from {@link SecureRandom}: characters
 * from the chosen classes (at least one of each), or words from the EFF large word list (7,776
 * words, about 12.9 bits each) joined by a separator that none of the drawn words contains.
 */
public final class PasswordGenerator {
    static final String LOWER = "abcdefghijkmnopqrstuvwxyz";
    static final String UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    static final String DIGITS = "23456789";
    static final String SYMBOLS = "!#$%&*+-=?@^_~";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static volatile List<String> words;

    /** What to generate. {@code words > 0} means a passphrase of that many words. */
    public record Spec(int length, boolean lower, boolean upper, boolean digits, boolean symbols, int words,
                       String separator) {
        public Spec {
            if (words <= 0 && (length < 8 || length > 256)) {
                throw new IllegalArgumentException("A password has 8 to 256 characters.");
            }
            if (words <= 0 && !lower && !upper && !digits && !symbols) {
                throw new IllegalArgumentException("Choose at least one kind of character.");
            }
            if (words > 0 && (words < 4 || words > 20)) {
                throw new IllegalArgumentException("A passphrase has 4 to 20 words.");
            }
            separator = separator == null ? "-" : separator;
        }

        public static Spec password(int length) {
            return new Spec(length, true, true, true, true, 0, null);
        }

        public static Spec passphrase(int words) {
            return new Spec(0, false, false, false, false, words, "-");
        }

        /** The strength of what this produces, in bits. */
        public double bits() {
            if (words > 0) {
                return words * Math.log(wordsWithout(separator).size()) / Math.log(2);
            }
            int pool = (lower ? LOWER.length() : 0) + (upper ? UPPER.length() : 0) + (digits ? DIGITS.length() : 0)
                    + (symbols ? SYMBOLS.length() : 0);
            return length * Math.log(pool) / Math.log(2);
        }
    }

    private PasswordGenerator() {
    }

    public static String generate(Spec spec) {
        if (spec.words() > 0) {
            List<String> list = wordsWithout(spec.separator());
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < spec.words(); i++) {
                if (i > 0) {
                    sb.append(spec.separator());
                }
                sb.append(list.get(RANDOM.nextInt(list.size())));
            }
            return sb.toString();
        }
        List<String> classes = new ArrayList<>();
        if (spec.lower()) {
            classes.add(LOWER);
        }
        if (spec.upper()) {
            classes.add(UPPER);
        }
        if (spec.digits()) {
            classes.add(DIGITS);
        }
        if (spec.symbols()) {
            classes.add(SYMBOLS);
        }
        String all = String.join("", classes);
        char[] out = new char[spec.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.charAt(RANDOM.nextInt(all.length()));
        }
        // one of each chosen class, at random places
        List<Integer> free = new ArrayList<>();
        for (int i = 0; i < out.length; i++) {
            free.add(i);
        }
        for (String c : classes) {
            int at = free.remove(RANDOM.nextInt(free.size()));
            out[at] = c.charAt(RANDOM.nextInt(c.length()));
        }
        return new String(out);
    }

    /**
     * The words that can be drawn with this separator: a word that contains it (the EFF list has
     * "yo-yo", "t-shirt", "drop-down" and "felt-tip") would make the passphrase split into more
     * words than were drawn, so it is left out, and the strength is counted over what remains.
     */
    static List<String> wordsWithout(String separator) {
        List<String> all = wordList();
        if (separator.isEmpty()) {
            return all;
        }
        return all.stream().filter(w -> !w.contains(separator)).toList();
    }

    static List<String> wordList() {
        List<String> w = words;
        if (w == null) {
            try (InputStream in = PasswordGenerator.class.getResourceAsStream("eff-large-wordlist.txt");
                 BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                w = r.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).map(String::strip).toList();
            } catch (IOException e) {
                throw new UncheckedIOException("the word list is missing", e);
            }
            words = w;
        }
        return w;
    }
}
