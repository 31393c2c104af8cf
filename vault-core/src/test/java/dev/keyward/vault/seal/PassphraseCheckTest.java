package dev.keyward.vault.seal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.PassphraseRating;
import java.nio.CharBuffer;
import org.junit.jupiter.api.Test;

class PassphraseCheckTest {
    @Test
    void commonPasswordsAreRefusedWithTheEstimatorsWarning() {
        PassphraseRating r = Keyward.ratePassphrase("password");
        assertEquals(PassphraseRating.Verdict.REFUSED, r.verdict());
        assertTrue(r.sentence().contains("common password"), r.sentence());
        assertEquals(PassphraseRating.Verdict.REFUSED, Keyward.ratePassphrase("Xq7!").verdict(), "too short");
    }

    @Test
    void aMiddlingPassphraseNeedsConfirmationAndALongOneIsAccepted() {
        assertEquals(PassphraseRating.Verdict.CONFIRM, Keyward.ratePassphrase("Summer2024!").verdict());
        assertEquals(PassphraseRating.Verdict.ACCEPTED,
                Keyward.ratePassphrase("lantern quietly orbits seven marmots").verdict());
    }

    @Test
    void ratingLeavesTheCallersCharactersAlone() {
        char[] pass = "lantern quietly orbits seven marmots".toCharArray();
        char[] before = pass.clone();
        Keyward.ratePassphrase(CharBuffer.wrap(pass));
        assertArrayEquals(before, pass, "the estimator wipes what it measured: it must be a copy");
        assertFalse(Keyward.ratePassphrase("lantern quietly orbits seven marmots").toString().contains("lantern"));
    }
}
