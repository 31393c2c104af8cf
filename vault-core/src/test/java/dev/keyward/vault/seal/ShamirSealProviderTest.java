package dev.keyward.vault.seal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.ShamirSealSpec;
import dev.keyward.vault.api.UnsealCredential;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ShamirSealProviderTest {
    @Test
    void freshSplitsAlwaysUnsealWithAnyThresholdOfShares() {
        ShamirSealProvider provider = new ShamirSealProvider();
        for (int round = 0; round < 200; round++) {
            int n = 2 + round % 15;
            int k = 2 + round % (n - 1);
            SealInit init = provider.create(new ShamirSealSpec(n, k));
            byte[] probe = init.rootKey().encrypt("probe".getBytes(StandardCharsets.US_ASCII), null);
            init.rootKey().close();
            Seal seal = provider.load(init.config());
            List<String> shares = new ArrayList<>(init.shares());
            Collections.shuffle(shares);
            Optional<RootKey> root = Optional.empty();
            for (int i = 0; i < k; i++) {
                assertTrue(root.isEmpty());
                root = seal.unseal(UnsealCredential.share(shares.get(i).toCharArray()));
            }
            RootKey r = root.orElseThrow();
            assertEquals("probe", new String(r.decrypt(probe, null), StandardCharsets.US_ASCII), n + "/" + k);
            r.close();
        }
    }
}
