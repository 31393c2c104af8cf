package dev.keyward.vault.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.SecretReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SecretReferenceTest {

    @ParameterizedTest
    @CsvSource({
        "kw://team/db#password, team/db, password, 0",
        "kw://team/db#password@3, team/db, password, 3",
        "kw://a#b@12, a, b, 12",
        "kw://ml/train/s3#access-key, ml/train/s3, access-key, 0"
    })
    void parsesAndFormatsBack(String text, String path, String field, int version) {
        SecretReference r = SecretReference.parse(text);
        assertEquals(path, r.path());
        assertEquals(field, r.field());
        assertEquals(version, r.version());
        assertEquals(text, r.format());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "team/db#password", "kw://", "kw://team/db", "kw://team/db#", "kw://#f",
        "kw://team/db#f@", "kw://team/db#f@0", "kw://team/db#f@x", "kw://team//db#f", "kw://team/../db#f",
        "vault://team/db#f"})
    void rejectsMalformedReferencesWithAClearError(String text) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> SecretReference.parse(text));
        assertEquals(false, e.getMessage().isBlank());
    }
}
