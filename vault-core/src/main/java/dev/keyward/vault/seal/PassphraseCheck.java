package dev.keyward.vault.seal;

import com.nulabinc.zxcvbn.Strength;
import com.nulabinc.zxcvbn.Zxcvbn;
import dev.keyward.vault.api.PassphraseRating;
import dev.keyward.vault.api.PassphraseSealSpec;

/**
 * Rates passphrases with zxcvbn (dictionaries, keyboard patterns, dates, l33t): the one place
 * Keyward judges a passphrase's strength (the console's set-up wizard and passphrase forms ask it
 * through {@code Keyward.ratePassphrase}). The estimator's dictionaries load on first use.
 */
public final class PassphraseCheck {
    private static volatile Zxcvbn estimator;

    private PassphraseCheck() {
    }

    private static Zxcvbn estimator() {
        Zxcvbn z = estimator;
        if (z == null) {
            synchronized (PassphraseCheck.class) {
                z = estimator;
                if (z == null) {
                    z = new Zxcvbn();
                    estimator = z;
                }
            }
        }
        return z;
    }

    /** Rates {@code passphrase}; the estimator's copy of it is wiped before this returns. */
    public static PassphraseRating rate(CharSequence passphrase) {
        if (passphrase == null || passphrase.length() == 0) {
            return new PassphraseRating(0, 0, "instant", "", java.util.List.of(), PassphraseRating.Verdict.REFUSED);
        }
        // zxcvbn wipes the sequence it measured (Strength.wipe): give it a copy of its own, so the
        // caller's characters (a seal spec's passphrase, a field's text) stay as they are.
        char[] copy = new char[passphrase.length()];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = passphrase.charAt(i);
        }
        Strength s;
        synchronized (PassphraseCheck.class) {
            s = estimator().measure(java.nio.CharBuffer.wrap(copy));
        }
        try {
            int score = s.getScore();
            PassphraseRating.Verdict v = passphrase.length() < PassphraseSealSpec.MIN_LENGTH || score <= 1
                    ? PassphraseRating.Verdict.REFUSED
                    : score == 2 ? PassphraseRating.Verdict.CONFIRM : PassphraseRating.Verdict.ACCEPTED;
            String warning = s.getFeedback().getWarning();
            if (passphrase.length() < PassphraseSealSpec.MIN_LENGTH) {
                warning = "It has fewer than " + PassphraseSealSpec.MIN_LENGTH + " characters";
            }
            return new PassphraseRating(score, s.getGuessesLog10(),
                    s.getCrackTimesDisplay().getOfflineSlowHashing1e4perSecond(), warning,
                    s.getFeedback().getSuggestions(), v);
        } finally {
            s.wipe();
            java.util.Arrays.fill(copy, '\0');
        }
    }
}
