package dev.keyward.vault.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.IntegrityException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BarrierTest {
    final Keyring keyring = Keyring.create(Instant.EPOCH);
    final Barrier barrier = new Barrier(keyring);
    final Barrier.Binding at = new Barrier.Binding("kv.data", "kv/d/abc/0000000001", 1);
    final byte[] plain = "top secret".getBytes(StandardCharsets.UTF_8);

    @Test
    void roundTripsAndCarriesFormatAndTermInTheHeader() {
        byte[] sealed = barrier.seal(at, plain);
        assertEquals(Barrier.FORMAT_V1, sealed[0]);
        assertEquals(1, Barrier.termOf(sealed));
        assertArrayEquals(plain, barrier.open(at, sealed));
        assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains("top secret"));
    }

    @Test
    void everyNonceIsFresh() {
        assertFalse(Arrays.equals(barrier.seal(at, plain), barrier.seal(at, plain)));
    }

    @Test
    void anyFlippedBitIsAnIntegrityError() {
        byte[] sealed = barrier.seal(at, plain);
        for (int i = 0; i < sealed.length; i++) {
            byte[] altered = sealed.clone();
            altered[i] ^= 0x40;
            assertThrows(IntegrityException.class, () -> barrier.open(at, altered), "byte " + i);
        }
    }

    @Test
    void bindingToAnotherKindIdOrVersionFails() {
        byte[] sealed = barrier.seal(at, plain);
        assertThrows(IntegrityException.class, () -> barrier.open(new Barrier.Binding("kv.meta", at.id(), 1), sealed));
        assertThrows(IntegrityException.class,
                () -> barrier.open(new Barrier.Binding("kv.data", "kv/d/abd/0000000001", 1), sealed));
        assertThrows(IntegrityException.class, () -> barrier.open(new Barrier.Binding("kv.data", at.id(), 2), sealed));
    }

    @Test
    void truncatedOrEmptyInputIsAnIntegrityError() {
        byte[] sealed = barrier.seal(at, plain);
        assertThrows(IntegrityException.class, () -> barrier.open(at, Arrays.copyOf(sealed, 20)));
        assertThrows(IntegrityException.class, () -> barrier.open(at, new byte[0]));
    }

    @Test
    void rotationWritesUnderTheNewTermAndOldTermsStillOpen() {
        byte[] old = barrier.seal(at, plain);
        assertEquals(2, keyring.rotate(Instant.EPOCH));
        byte[] fresh = barrier.seal(at, plain);
        assertEquals(2, Barrier.termOf(fresh));
        assertArrayEquals(plain, barrier.open(at, old));
        assertArrayEquals(plain, barrier.open(at, fresh));
    }

    @Test
    void keyringSurvivesSerializationAndDestroyZeroesKeys() {
        keyring.rotate(Instant.EPOCH);
        byte[] sealed = barrier.seal(at, plain);
        byte[] bytes = keyring.serialize();
        try (Keyring copy = Keyring.deserialize(bytes)) {
            assertEquals(2, copy.activeTerm());
            assertArrayEquals(plain, new Barrier(copy).open(at, sealed));
            assertTrue(copy.named(Keyring.INDEX_KEY).sameKeyAs(keyring.named(Keyring.INDEX_KEY)));
        }
        DestroyableKey k = keyring.term(1).key();
        keyring.close();
        assertTrue(k.isDestroyed());
        assertThrows(IllegalStateException.class, k::getEncoded);
        assertThrows(IntegrityException.class, () -> Keyring.deserialize(Arrays.copyOf(bytes, 10)));
    }

    @Test
    void keysNeverShowInToString() {
        assertNotEquals(-1, keyring.toString().indexOf("hidden"));
        assertTrue(keyring.term(1).key().toString().contains("hidden"));
    }
}
