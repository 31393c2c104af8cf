package dev.keyward.vault.rotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.InvalidRequestException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Generated values: length, every class present, exclusions honoured, charsets, tokens, bad parameters. */
class PasswordPolicyTest {

    @Test
    void passwordsHaveTheLengthEveryClassAndNoExcludedCharacter() {
        PasswordPolicy p = PasswordPolicy.of(Map.of("length", "16", "classes", "lower,upper,digit,symbol",
                "exclude", "0O1lI|"));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            String v = p.generate();
            assertEquals(16, v.length());
            assertTrue(v.chars().anyMatch(Character::isLowerCase) && v.chars().anyMatch(Character::isUpperCase)
                    && v.chars().anyMatch(Character::isDigit) && v.chars().anyMatch(c -> !Character.isLetterOrDigit(c)),
                    v);
            assertTrue(v.chars().noneMatch(c -> "0O1lI|".indexOf(c) >= 0), v);
            assertTrue(p.accepts(v));
            seen.add(v);
        }
        assertEquals(500, seen.size(), "no repeats");
        assertFalse(p.accepts("aaaaaaaaaaaaaaaa"));
    }

    @Test
    void charsetsAndTokens() {
        PasswordPolicy hex = PasswordPolicy.of(Map.of("charset", "0123456789abcdef", "length", "40"));
        assertTrue(hex.generate().matches("[0-9a-f]{40}"));
        PasswordPolicy token = PasswordPolicy.of(Map.of("format", "token", "prefix", "kw_", "bytes", "24"));
        String t = token.generate();
        assertTrue(t.matches("kw_[A-Za-z0-9_-]{32}"), t);
    }

    @Test
    void badParametersAreNamed() {
        assertTrue(assertThrows(InvalidRequestException.class, () -> PasswordPolicy.of(Map.of("length", "7")))
                .getMessage().startsWith("length"));
        assertTrue(assertThrows(InvalidRequestException.class, () -> PasswordPolicy.of(Map.of("classes", "emoji")))
                .getMessage().contains("emoji"));
        assertThrows(InvalidRequestException.class, () -> PasswordPolicy.of(Map.of("classes", "digit",
                "exclude", "0123456789")));
        assertThrows(InvalidRequestException.class, () -> PasswordPolicy.of(Map.of("charset", "abc")));
        assertThrows(InvalidRequestException.class, () -> PasswordPolicy.of(Map.of("format", "pin")));
    }
}
