package dev.keyward.vault.bench;

import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.PassphraseSealSpec;
import dev.keyward.vault.api.Pkcs11SealSpec;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.crypto.AesGcm;
import dev.keyward.vault.crypto.DestroyableKey;
import dev.keyward.vault.seal.MemoryRootKey;
import dev.keyward.vault.seal.PassphraseSealProvider;
import dev.keyward.vault.seal.Pkcs11SealProvider;
import dev.keyward.vault.seal.RootKey;
import dev.keyward.vault.seal.Seal;
import dev.keyward.vault.seal.SealInit;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Not a test: unseal latency of the HSM seal against the passphrase seal (default Argon2id
 * cost), and AES-GCM operations per second inside the HSM against the JDK in memory. Run by
 * bench/seal.sh, which creates a SoftHSM2 token and passes: library slot pin.
 */
public final class SealBench {
    private SealBench() {
    }

    public static void main(String[] args) {
        Path library = Path.of(args[0]);
        long slot = Long.parseLong(args[1]);
        char[] pin = args[2].toCharArray();
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 10;

        // Unseal = recover the root key and open a keyring-sized ciphertext (what the engine does).
        byte[] keyring = new byte[600];
        byte[] aad = "keyward.keyring.v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        SealInit pass;
        try (PassphraseSealSpec spec = new PassphraseSealSpec("benchmark passphrase".toCharArray(),
                Argon2Parameters.DEFAULT)) {
            pass = new PassphraseSealProvider().create(spec);
        }
        byte[] passKeyring = pass.rootKey().encrypt(keyring, aad);
        pass.rootKey().close();
        Seal passSeal = new PassphraseSealProvider().load(pass.config());
        double passMs = median(rounds, () -> {
            RootKey r = passSeal.unseal(UnsealCredential.passphrase("benchmark passphrase".toCharArray())).orElseThrow();
            r.decrypt(passKeyring, aad);
            r.close();
        });

        SealInit hsm;
        try (Pkcs11SealSpec spec = new Pkcs11SealSpec(library, slot, 0, "bench-" + System.nanoTime(), pin)) {
            hsm = new Pkcs11SealProvider().create(spec);
        }
        byte[] hsmKeyring = hsm.rootKey().encrypt(keyring, aad);
        hsm.rootKey().close();
        Seal hsmSeal = new Pkcs11SealProvider().load(hsm.config());
        double hsmMs = median(rounds * 3, () -> {
            RootKey r = hsmSeal.unseal(UnsealCredential.pin(pin)).orElseThrow();
            r.decrypt(hsmKeyring, aad);
            r.close();
        });

        RootKey hsmRoot = hsmSeal.unseal(UnsealCredential.pin(pin)).orElseThrow();
        RootKey memRoot = new MemoryRootKey(DestroyableKey.generate(AesGcm.KEY_BYTES, "AES"));
        byte[] block = new byte[64];
        double hsmOps = opsPerSecond(hsmRoot, block);
        double memOps = opsPerSecond(memRoot, block);
        hsmRoot.close();
        memRoot.close();

        System.out.printf("unseal, passphrase seal (Argon2id %s): median %.1f ms%n", Argon2Parameters.DEFAULT, passMs);
        System.out.printf("unseal, HSM seal (SoftHSM2 login + key lookup + keyring decrypt): median %.1f ms%n", hsmMs);
        System.out.printf("  ratio HSM / passphrase unseal: %.3f%n", hsmMs / passMs);
        System.out.printf("AES-256-GCM encrypt of 64 bytes inside the HSM: %.0f ops/s%n", hsmOps);
        System.out.printf("AES-256-GCM encrypt of 64 bytes in memory (JDK, reference): %.0f ops/s%n", memOps);
        System.out.printf("  ratio HSM / in-memory: %.3f%n", hsmOps / memOps);
    }

    private static double median(int n, Runnable r) {
        r.run(); // warm up
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return ms[n / 2];
    }

    private static double opsPerSecond(RootKey key, byte[] block) {
        long end = System.nanoTime() + 500_000_000L;
        while (System.nanoTime() < end) {
            key.encrypt(block, null); // warm up
        }
        long ops = 0;
        long start = System.nanoTime();
        end = start + 2_000_000_000L;
        long now;
        do {
            key.encrypt(block, null);
            ops++;
            now = System.nanoTime();
        } while (now < end);
        return ops / ((now - start) / 1e9);
    }
}
