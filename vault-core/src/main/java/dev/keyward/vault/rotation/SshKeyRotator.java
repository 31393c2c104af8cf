package dev.keyward.vault.rotation;

import dev.keyward.vault.api.InvalidRequestException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.OpenSSHPrivateKeyUtil;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;

/**
 * An Ed25519 key pair in OpenSSH formats: fields {@code private_key} (an {@code OPENSSH PRIVATE
 * KEY} block), {@code public_key} ({@code ssh-ed25519 AAAA... comment}) and {@code fingerprint}
 * ({@code SHA256:...}). Test: the private key parses, matches the public key and signs. With
 * {@code authorized_keys} (an absolute path) the public key is added there on set (the previous
 * key stays until its grace ends, then revoke removes it); restore removes the pending key.
 * Parameter {@code comment} is the key's comment (default {@code keyward}).
 */
public final class SshKeyRotator implements Rotator {
    public static final String TYPE = "ssh";
    private static final SecureRandom RANDOM = new SecureRandom();

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void validate(Map<String, String> params) {
        for (String k : params.keySet()) {
            if (!List.of("comment", "authorized_keys", "timeout").contains(k)) {
                throw new InvalidRequestException("The ssh rotator has no parameter '" + PasswordPolicy.clip(k)
                        + "'; it takes comment and authorized_keys.");
            }
        }
        comment(params);
        String ak = params.get("authorized_keys");
        if (ak != null && !Path.of(ak).isAbsolute()) {
            throw new InvalidRequestException("authorized_keys is an absolute path.");
        }
    }

    private static String comment(Map<String, String> params) {
        String c = params.getOrDefault("comment", "keyward");
        if (!c.matches("[A-Za-z0-9_.@:-]{0,64}")) {
            throw new InvalidRequestException("comment is at most 64 letters, digits, '_', '.', '@', ':' or '-'.");
        }
        return c;
    }

    @Override
    public Map<String, String> generate(RotationContext ctx) {
        Ed25519KeyPairGenerator g = new Ed25519KeyPairGenerator();
        g.init(new Ed25519KeyGenerationParameters(RANDOM));
        AsymmetricCipherKeyPair kp = g.generateKeyPair();
        Map<String, String> out = new TreeMap<>();
        out.put("private_key", privatePem(kp.getPrivate()));
        byte[] blob = publicBlob(kp.getPublic());
        out.put("public_key", "ssh-ed25519 " + Base64.getEncoder().encodeToString(blob) + " "
                + comment(ctx.params()));
        out.put("fingerprint", fingerprint(blob));
        return out;
    }

    private static String privatePem(AsymmetricKeyParameter key) {
        byte[] der;
        try {
            der = OpenSSHPrivateKeyUtil.encodePrivateKey(key);
        } catch (IOException e) {
            throw new IllegalStateException("an Ed25519 private key could not be encoded", e);
        }
        String b64 = Base64.getMimeEncoder(70, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        java.util.Arrays.fill(der, (byte) 0);
        return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + b64 + "\n-----END OPENSSH PRIVATE KEY-----\n";
    }

    private static byte[] publicBlob(AsymmetricKeyParameter key) {
        try {
            return OpenSSHPublicKeyUtil.encodePublicKey(key);
        } catch (IOException e) {
            throw new IllegalStateException("an Ed25519 public key could not be encoded", e);
        }
    }

    static String fingerprint(byte[] blob) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void set(RotationContext ctx, Map<String, String> pending) {
        String ak = ctx.params().get("authorized_keys");
        if (ak != null) {
            editAuthorizedKeys(Path.of(ak), pending.get("public_key"), null);
        }
    }

    @Override
    public void test(RotationContext ctx, Map<String, String> pending) {
        verifyPair(pending);
        String ak = ctx.params().get("authorized_keys");
        if (ak != null) {
            try {
                if (!Files.readAllLines(Path.of(ak)).contains(pending.get("public_key"))) {
                    throw new RotationStepException("The new public key is not in authorized_keys.");
                }
            } catch (IOException e) {
                throw new RotationStepException("authorized_keys could not be read.");
            }
        }
    }

    @Override
    public void restore(RotationContext ctx, Map<String, String> current, Map<String, String> pending) {
        String ak = ctx.params().get("authorized_keys");
        if (ak != null) {
            editAuthorizedKeys(Path.of(ak), null, pending.get("public_key"));
        }
    }

    @Override
    public void revokePrevious(RotationContext ctx, Map<String, String> previous, Map<String, String> current) {
        String ak = ctx.params().get("authorized_keys");
        if (ak != null && previous.containsKey("public_key")) {
            editAuthorizedKeys(Path.of(ak), null, previous.get("public_key"));
        }
    }

    @Override
    public void check(RotationContext ctx, Map<String, String> current) {
        verifyPair(current);
    }

    /** The private key parses, its public half is the stored one, and it signs what the public key verifies. */
    static void verifyPair(Map<String, String> fields) {
        String pem = fields.get("private_key");
        String pub = fields.get("public_key");
        if (pem == null || pub == null) {
            throw new RotationStepException("The key pair lacks private_key or public_key.");
        }
        try {
            String b64 = pem.replace("-----BEGIN OPENSSH PRIVATE KEY-----", "")
                    .replace("-----END OPENSSH PRIVATE KEY-----", "").replaceAll("\\s", "");
            AsymmetricKeyParameter priv = OpenSSHPrivateKeyUtil.parsePrivateKeyBlob(Base64.getDecoder().decode(b64));
            if (!(priv instanceof Ed25519PrivateKeyParameters ed)) {
                throw new RotationStepException("The private key is not an Ed25519 key.");
            }
            String[] parts = pub.split(" ");
            Ed25519PublicKeyParameters stored = (Ed25519PublicKeyParameters) OpenSSHPublicKeyUtil.parsePublicKey(
                    Base64.getDecoder().decode(parts[1]));
            if (!java.util.Arrays.equals(stored.getEncoded(), ed.generatePublicKey().getEncoded())) {
                throw new RotationStepException("The private key does not match the public key.");
            }
            byte[] msg = new byte[32];
            RANDOM.nextBytes(msg);
            Ed25519Signer s = new Ed25519Signer();
            s.init(true, ed);
            s.update(msg, 0, msg.length);
            byte[] sig = s.generateSignature();
            Ed25519Signer v = new Ed25519Signer();
            v.init(false, stored);
            v.update(msg, 0, msg.length);
            if (!v.verifySignature(sig)) {
                throw new RotationStepException("The key pair does not verify its own signature.");
            }
        } catch (RotationStepException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new RotationStepException("The key pair could not be parsed.");
        }
    }

    private static synchronized void editAuthorizedKeys(Path file, String add, String remove) {
        try {
            List<String> lines = Files.exists(file) ? new ArrayList<>(Files.readAllLines(file)) : new ArrayList<>();
            if (remove != null) {
                lines.removeIf(l -> l.trim().equals(remove.trim()));
            }
            if (add != null && !lines.contains(add)) {
                lines.add(add);
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".keyward-tmp");
            Files.write(tmp, lines);
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new RotationStepException("authorized_keys could not be updated.");
        }
    }
}
