package dev.keyward.vault.crypto;

import dev.keyward.vault.api.Argon2Parameters;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters.Builder;

/** Argon2id (version 0x13) from Bouncy Castle. */
public final class Argon2 {
    public static final int SALT_BYTES = 16;

    private Argon2() {
    }

    /** Derives {@code outBytes} bytes from a passphrase; the passphrase array is not altered. */
    public static byte[] derive(char[] passphrase, byte[] salt, Argon2Parameters p, int outBytes) {
        byte[] pw = utf8(passphrase);
        try {
            var params = new Builder(org.bouncycastle.crypto.params.Argon2Parameters.ARGON2_id)
                    .withVersion(org.bouncycastle.crypto.params.Argon2Parameters.ARGON2_VERSION_13)
                    .withSalt(salt)
                    .withMemoryAsKB(p.memoryKiB())
                    .withIterations(p.iterations())
                    .withParallelism(p.parallelism())
                    .build();
            Argon2BytesGenerator gen = new Argon2BytesGenerator();
            gen.init(params);
            byte[] out = new byte[outBytes];
            gen.generateBytes(pw, out);
            return out;
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
    }

    private static byte[] utf8(char[] chars) {
        ByteBuffer bb = StandardCharsets.UTF_8.encode(CharBuffer.wrap(chars));
        byte[] out = new byte[bb.remaining()];
        bb.get(out);
        if (bb.hasArray()) {
            Arrays.fill(bb.array(), (byte) 0);
        }
        return out;
    }
}
