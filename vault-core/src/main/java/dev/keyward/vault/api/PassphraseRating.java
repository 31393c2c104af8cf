package dev.keyward.vault.api;

import java.util.List;

/**
 * How hard a passphrase is to guess, by a maintained estimator (zxcvbn), and what Keyward makes of
 * it: {@link Verdict#REFUSED} below the floor (score 0 or 1, or shorter than
 * {@link PassphraseSealSpec#MIN_LENGTH}), {@link Verdict#CONFIRM} at score 2 (usable only after the
 * operator has read the warning and confirmed), {@link Verdict#ACCEPTED} from score 3. Holds no part
 * of the passphrase.
 *
 * @param score        0 (guessable in seconds) to 4 (very hard)
 * @param guessesLog10 the estimator's log10 of the guesses needed
 * @param crackTime    how long an offline attack at 10,000 guesses a second would take, in words
 * @param warning      what is wrong with it, or empty
 * @param suggestions  how to make it better
 * @param verdict      refused, needs confirmation, or accepted
 */
public record PassphraseRating(int score, double guessesLog10, String crackTime, String warning,
                               List<String> suggestions, Verdict verdict) {
    public enum Verdict { REFUSED, CONFIRM, ACCEPTED }

    public PassphraseRating {
        warning = warning == null ? "" : warning;
        suggestions = suggestions == null ? List.of() : List.copyOf(suggestions);
    }

    /** One paragraph for people: the verdict, the warning, the suggestions and the guessing time. */
    public String sentence() {
        StringBuilder sb = new StringBuilder(switch (verdict) {
            case REFUSED -> "Too weak: ";
            case CONFIRM -> "Weak: ";
            case ACCEPTED -> score == 4 ? "Strong. " : "Good. ";
        });
        if (!warning.isEmpty()) {
            sb.append(warning.endsWith(".") ? warning : warning + ".").append(' ');
        } else if (verdict != Verdict.ACCEPTED) {
            sb.append("it would be guessed quickly. ");
        }
        suggestions.forEach(s -> sb.append(s.endsWith(".") ? s : s + ".").append(' '));
        sb.append("Offline guessing: ").append(crackTime).append('.');
        return sb.toString().strip();
    }
}
