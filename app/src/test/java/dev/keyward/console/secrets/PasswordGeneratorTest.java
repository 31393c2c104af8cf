package dev.keyward.console.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PasswordGeneratorTest {
    @Test
    void passwordsHaveTheLengthAndOneOfEachChosenClass() {
        for (int i = 0; i < 200; i++) {
            String p = PasswordGenerator.generate(new PasswordGenerator.Spec(12, true, true, true, true, 0, null));
            assertEquals(12, p.length());
            assertTrue(p.chars().anyMatch(c -> PasswordGenerator.LOWER.indexOf(c) >= 0), p);
            assertTrue(p.chars().anyMatch(c -> PasswordGenerator.UPPER.indexOf(c) >= 0), p);
            assertTrue(p.chars().anyMatch(c -> PasswordGenerator.DIGITS.indexOf(c) >= 0), p);
            assertTrue(p.chars().anyMatch(c -> PasswordGenerator.SYMBOLS.indexOf(c) >= 0), p);
        }
        String digitsOnly = PasswordGenerator.generate(new PasswordGenerator.Spec(20, false, false, true, false, 0, null));
        assertTrue(digitsOnly.chars().allMatch(c -> PasswordGenerator.DIGITS.indexOf(c) >= 0), digitsOnly);
        assertThrows(IllegalArgumentException.class, () -> new PasswordGenerator.Spec(12, false, false, false, false, 0,
                null));
    }

    @Test
    void passphrasesAreWordsFromTheEffListAndDoNotRepeatAcrossRuns() {
        assertEquals(7776, PasswordGenerator.wordList().size());
        // the four hyphenated words of the list are never drawn with "-" between words
        assertEquals(7772, PasswordGenerator.wordsWithout("-").size());
        assertTrue(PasswordGenerator.wordsWithout("-").stream().noneMatch(w -> w.contains("-")));
        assertEquals(7776, PasswordGenerator.wordsWithout(" ").size());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            String p = PasswordGenerator.generate(PasswordGenerator.Spec.passphrase(6));
            String[] w = p.split("-");
            assertEquals(6, w.length, p);
            for (String word : w) {
                assertTrue(PasswordGenerator.wordList().contains(word), word);
            }
            assertTrue(seen.add(p), "repeated " + p);
        }
        assertEquals(77.5, PasswordGenerator.Spec.passphrase(6).bits(), 0.1);
    }
}
