package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code $KEYWARD_HOME/endpoint.json}: where the running {@code keyward serve} listens and which CA
 * file it wrote, so that {@code status}, {@code login}, {@code ca export} and every client command
 * find it whatever {@code --port} or {@code --listen} it was started with. Written (0600) when the
 * endpoint listens, removed when it stops; a file left by a process that is gone is ignored.
 */
final class EndpointFile {
    static final String NAME = "endpoint.json";

    /** What the file says: the first URL is the address clients use. */
    record Info(String address, List<String> urls, String caCert, long pid) {
    }

    private EndpointFile() {
    }

    static Path of(Path home) {
        return home.resolve(NAME);
    }

    static void write(Path home, List<String> urls, Path caPem) {
        var o = KeywardCli.object();
        o.put("address", urls.get(0));
        urls.forEach(o.putArray("urls")::add);
        o.put("ca_cert", caPem.toAbsolutePath().toString());
        o.put("pid", ProcessHandle.current().pid());
        KeywardCli.writePrivate(of(home), (o.toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Removes the file if this process wrote it. */
    static void remove(Path home) {
        read(home).filter(i -> i.pid() == ProcessHandle.current().pid()).ifPresent(i -> {
            try {
                Files.deleteIfExists(of(home));
            } catch (IOException ignored) {
                // nothing to do: a stale file is ignored by readers once this process is gone
            }
        });
    }

    /** The running endpoint's file, if there is one and its process is alive. */
    static Optional<Info> read(Path home) {
        Path f = of(home);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            JsonNode n = VaultClient.JSON.readTree(Files.readString(f, StandardCharsets.UTF_8));
            long pid = n.path("pid").asLong(-1);
            if (pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                    && n.path("address").isTextual()) {
                List<String> urls = new java.util.ArrayList<>();
                n.path("urls").forEach(u -> urls.add(u.asText()));
                String ca = n.path("ca_cert").isTextual() ? n.path("ca_cert").asText() : null;
                return Optional.of(new Info(n.path("address").asText(), urls, ca, pid));
            }
        } catch (IOException | RuntimeException unreadable) {
            // treated as absent
        }
        return Optional.empty();
    }
}
