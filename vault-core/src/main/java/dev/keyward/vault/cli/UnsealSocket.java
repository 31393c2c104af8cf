package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.Pkcs11SealSpec;
import dev.keyward.vault.api.ShamirSealSpec;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.VaultStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

/**
 * The local channel a sealed service waits on ({@code keyward serve --wait-for-unseal}, as the
 * systemd unit runs it): a Unix domain socket {@code <home>/unseal.sock}, readable only by its owner
 * (the vault directory is 0700 and the socket 0600), that takes one unseal key per connection from
 * {@code keyward unseal} and answers with the seal status. No network is involved; the HTTPS
 * endpoint starts once the vault is unsealed (its CA key is sealed in the vault).
 */
final class UnsealSocket {
    static final String FILE = "unseal.sock";
    private static final int MAX_REQUEST = 64 * 1024;

    private UnsealSocket() {
    }

    static Path path(Path home) {
        return home.resolve(FILE);
    }

    /** Waits, sealed, until keys from {@code keyward unseal} unseal the vault. */
    static void await(KeywardCli r, Vault v, Path home) {
        Path socket = path(home);
        try {
            Files.deleteIfExists(socket);
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(socket));
                try {
                    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system; the vault directory's own permissions still apply
                }
                r.err.println("Sealed: waiting for 'keyward unseal' on " + socket);
                r.err.flush();
                while (v.lifecycle().status().sealed()) {
                    try (SocketChannel c = server.accept()) {
                        answer(c, handle(v, read(c)));
                    } catch (IOException e) {
                        r.err.println("keyward: an unseal connection failed: " + e.getClass().getSimpleName());
                    }
                }
            } finally {
                Files.deleteIfExists(socket);
            }
        } catch (IOException e) {
            throw new CliException(ExitCodes.UNAVAILABLE, "The unseal socket " + socket + " could not be opened: "
                    + e.getMessage());
        }
    }

    private static ObjectNode handle(Vault v, byte[] request) {
        try {
            JsonNode req = VaultClient.JSON.readTree(request);
            if (req.path("reset").asBoolean(false)) {
                return status(v.lifecycle().resetUnseal(Caller.LOCAL));
            }
            JsonNode key = req.get("key");
            if (key == null || !key.isTextual()) {
                return status(v.lifecycle().status());
            }
            String type = v.lifecycle().status().sealType();
            char[] secret = key.asText().toCharArray();
            try {
                UnsealCredential c = ShamirSealSpec.TYPE.equals(type) ? UnsealCredential.share(secret)
                        : Pkcs11SealSpec.TYPE.equals(type) ? UnsealCredential.pin(secret)
                        : UnsealCredential.passphrase(secret);
                return status(v.lifecycle().unseal(c, Caller.LOCAL));
            } finally {
                Arrays.fill(secret, '\0');
            }
        } catch (AuthenticationFailedException e) {
            return error(ExitCodes.DENIED, e.getMessage());
        } catch (KeywardException e) {
            return error(ExitCodes.REFUSED, e.getMessage());
        } catch (IOException e) {
            return error(ExitCodes.USAGE, "The unseal request is not JSON.");
        } finally {
            Arrays.fill(request, (byte) 0);
        }
    }

    private static ObjectNode status(VaultStatus s) {
        ObjectNode o = KeywardCli.object();
        o.put("type", s.sealType());
        o.put("initialized", s.initialized());
        o.put("sealed", s.sealed());
        o.put("t", s.threshold());
        o.put("n", s.shares());
        o.put("progress", s.progress());
        return o;
    }

    private static ObjectNode error(int code, String message) {
        ObjectNode o = KeywardCli.object();
        o.put("code", code);
        o.putArray("errors").add(message);
        return o;
    }

    private static byte[] read(SocketChannel c) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(4096);
        while (out.size() < MAX_REQUEST) {
            b.clear();
            int n = c.read(b);
            if (n < 0) {
                break;
            }
            out.write(b.array(), 0, n);
            if (n > 0 && b.array()[n - 1] == '\n') {
                break;
            }
        }
        return out.toByteArray();
    }

    private static void answer(SocketChannel c, ObjectNode reply) throws IOException {
        byte[] bytes = (reply.toString() + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    /** One request to a waiting service; returns its answer, or throws its refusal as a CLI error. */
    static JsonNode call(Path home, ObjectNode request) {
        Path socket = path(home);
        byte[] bytes = (request.toString() + "\n").getBytes(StandardCharsets.UTF_8);
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                c.write(b);
            }
            byte[] reply = read(c);
            JsonNode n = VaultClient.JSON.readTree(reply);
            if (n.has("errors")) {
                throw new CliException(n.path("code").asInt(ExitCodes.REFUSED), n.path("errors").get(0).asText());
            }
            return n;
        } catch (IOException e) {
            throw new CliException(ExitCodes.UNAVAILABLE, "No service waits for unseal keys on " + socket + ".");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** Whether a sealed service waits on this home's socket. */
    static boolean waiting(Path home) {
        return Files.exists(path(home));
    }
}
