package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.InitResult;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.api.ShamirSealSpec;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.VaultStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShamirSealTest {
    @TempDir
    Path home;
    List<String> shares;

    @BeforeEach
    void initThreeOfFive() {
        try (Engine e = TestVaults.open(home)) {
            InitResult r = TestVaults.init(e, new ShamirSealSpec(5, 3));
            assertEquals("shamir", r.sealType());
            assertEquals(3, r.threshold());
            shares = r.unsealShares();
            assertEquals(5, shares.size());
            assertEquals(5, shares.stream().distinct().count());
            assertFalse(r.toString().contains(shares.get(0)), "init result hides the shares");
            unsealWith(e, List.of(0, 1, 2));
            Session s = TestVaults.login(e);
            e.secrets().write(s.caller(), "app/db", SecretData.of(Map.of("password", "canary-shamir-1")), null);
        }
    }

    private VaultStatus unsealWith(Engine e, List<Integer> which) {
        VaultStatus st = null;
        for (int i : which) {
            st = e.unseal(UnsealCredential.share(shares.get(i).toCharArray()), "test");
        }
        return st;
    }

    @Test
    void everyThreeSharesUnsealAndEveryTwoDoNot() {
        try (Engine e = TestVaults.open(home)) {
            for (List<Integer> trio : subsets(5, 3)) {
                VaultStatus st = unsealWith(e, trio);
                assertFalse(st.sealed(), "shares " + trio + " unseal");
                Session s = TestVaults.login(e);
                assertEquals("canary-shamir-1", e.secrets().read(s.caller(), "app/db", 0).data().field("password"));
                e.seal(s.caller());
            }
            for (List<Integer> pair : subsets(5, 2)) {
                VaultStatus st = unsealWith(e, pair);
                assertTrue(st.sealed(), "shares " + pair + " are not enough");
                assertEquals(2, st.progress());
                assertEquals(3, st.threshold());
                assertEquals(5, st.shares());
                assertEquals(0, e.resetUnseal("test").progress(), "reset forgets the shares");
            }
        }
    }

    @Test
    void aMistypedShareIsRejectedByItsChecksumAndDoesNotCount() {
        try (Engine e = TestVaults.open(home)) {
            String s = shares.get(0);
            int i = s.length() - 3;
            char typo = s.charAt(i) == '7' ? '8' : '7';
            String bad = s.substring(0, i) + typo + s.substring(i + 1);
            InvalidRequestException ex = assertThrows(InvalidRequestException.class,
                    () -> e.unseal(UnsealCredential.share(bad.toCharArray()), "test"));
            assertTrue(ex.getMessage().contains("checksum"), ex.getMessage());
            assertEquals(0, e.status().progress());
            assertFalse(unsealWith(e, List.of(0, 3, 4)).sealed(), "the correct shares still unseal");
        }
    }

    @Test
    void aWrongCombinationFailsWithoutNamingTheWrongShare() {
        // A share that passes its checksum but carries a wrong value: a share of another split
        // with the same set id, as a malicious or confused operator could bring.
        String forged = forgeShare(shares.get(2));
        try (Engine e = TestVaults.open(home)) {
            e.unseal(UnsealCredential.share(shares.get(0).toCharArray()), "test");
            e.unseal(UnsealCredential.share(shares.get(1).toCharArray()), "test");
            AuthenticationFailedException ex = assertThrows(AuthenticationFailedException.class,
                    () -> e.unseal(UnsealCredential.share(forged.toCharArray()), "test"));
            for (int i = 1; i <= 5; i++) {
                assertFalse(ex.getMessage().contains("share " + i), ex.getMessage());
            }
            assertFalse(ex.getMessage().contains(forged));
            assertTrue(e.status().sealed());
            assertEquals(0, e.status().progress(), "the entered shares were discarded");
        }
    }

    @Test
    void theSameShareTwiceIsRefused() {
        try (Engine e = TestVaults.open(home)) {
            e.unseal(UnsealCredential.share(shares.get(0).toCharArray()), "test");
            assertThrows(InvalidRequestException.class,
                    () -> e.unseal(UnsealCredential.share(shares.get(0).toCharArray()), "test"));
            assertEquals(1, e.status().progress());
        }
    }

    @Test
    void sealJsonHoldsNoShare() throws Exception {
        String json = Files.readString(home.resolve("seal.json"));
        for (String s : shares) {
            assertFalse(json.contains(s.substring(4, 20)));
        }
        assertTrue(json.contains("\"threshold\" : 3"));
    }

    /** Same set id and x, different y, valid checksum. */
    static String forgeShare(String genuine) {
        dev.keyward.vault.seal.ShareCodec.Decoded d = dev.keyward.vault.seal.ShareCodec.decode(genuine.toCharArray());
        byte[] y = d.share().y();
        y[0] ^= 1;
        return dev.keyward.vault.seal.ShareCodec.encode(d.setId(), d.threshold(),
                new dev.keyward.vault.seal.Shamir.Share(d.share().x(), y));
    }

    static List<List<Integer>> subsets(int n, int k) {
        List<List<Integer>> out = new ArrayList<>();
        for (int mask = 0; mask < (1 << n); mask++) {
            if (Integer.bitCount(mask) == k) {
                List<Integer> s = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    if ((mask & (1 << i)) != 0) {
                        s.add(i);
                    }
                }
                out.add(s);
            }
        }
        return out;
    }
}
