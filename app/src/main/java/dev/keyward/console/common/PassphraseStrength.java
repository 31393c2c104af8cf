package dev.keyward.console.common;

/**
 * A rough passphrase strength estimate for the meter: bits of a brute-force search over the
 * character classes used, reduced for repeated characters. Not a guarantee, a nudge.
 */
public final class PassphraseStrength {
    public enum Level { EMPTY, WEAK, FAIR, GOOD, STRONG }

    private PassphraseStrength() {
    }

    public static double bits(CharSequence s) {
        if (s == null || s.length() == 0) {
            return 0;
        }
        boolean lower = false;
        boolean upper = false;
        boolean digit = false;
        boolean other = false;
        int distinct = (int) s.chars().distinct().count();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isLowerCase(c)) {
                lower = true;
            } else if (Character.isUpperCase(c)) {
                upper = true;
            } else if (Character.isDigit(c)) {
                digit = true;
            } else {
                other = true;
            }
        }
        int pool = (lower ? 26 : 0) + (upper ? 26 : 0) + (digit ? 10 : 0) + (other ? 33 : 0);
        double perChar = Math.log(Math.max(pool, 2)) / Math.log(2);
        double effectiveLength = Math.min(s.length(), distinct * 2.0);
        return perChar * effectiveLength;
    }

    public static Level level(CharSequence s) {
        double b = bits(s);
        if (b == 0) {
            return Level.EMPTY;
        }
        if (b < 40) {
            return Level.WEAK;
        }
        if (b < 60) {
            return Level.FAIR;
        }
        if (b < 80) {
            return Level.GOOD;
        }
        return Level.STRONG;
    }

    /** 0..1 for a progress bar (80 bits or more fills it). */
    public static double fraction(CharSequence s) {
        return Math.min(1.0, bits(s) / 80.0);
    }
}
