package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.vault.api.SecretReference;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * Follows the vault's change feed ({@code GET /v1/kw/events}, long-polled) for the secrets that
 * {@code run --watch} and {@code inject --watch} reference. Only references without a version
 * follow changes: {@code kw://path#field} always resolves to the current version, while
 * {@code kw://path#field@3} stays version 3. The feed shows only paths the token may read.
 */
final class Watch {
    static final Duration POLL = Duration.ofSeconds(25);
    private static final Duration ANSWER_TIMEOUT = POLL.plusSeconds(15);
    private static final long MAX_PAUSE_MILLIS = 30_000;

    private final VaultClient client;
    private final String token;
    private final PrintStream err;
    private final Set<String> paths = new TreeSet<>();
    private final String prefix;
    private long cursor = -1;

    Watch(VaultClient client, String token, Collection<SecretReference> refs, PrintStream err) {
        this.client = client;
        this.token = token;
        this.err = err;
        for (SecretReference r : refs) {
            if (r.version() == 0) {
                paths.add(r.path());
            }
        }
        this.prefix = commonFolder(paths);
    }

    /** Whether any reference follows the current version (else there is nothing to watch). */
    boolean watchesAnything() {
        return !paths.isEmpty();
    }

    /** The longest folder ("a/b/") all paths are in, or "" (the feed's prefix filter). */
    static String commonFolder(Collection<String> paths) {
        String common = null;
        for (String p : paths) {
            if (common == null) {
                common = p;
            } else {
                int i = 0;
                while (i < common.length() && i < p.length() && common.charAt(i) == p.charAt(i)) {
                    i++;
                }
                common = common.substring(0, i);
            }
        }
        if (common == null) {
            return "";
        }
        int slash = common.lastIndexOf('/');
        return slash < 0 ? "" : common.substring(0, slash + 1);
    }

    /** Takes the feed's current end: call before resolving the values, so no change in between is missed. */
    void mark() {
        cursor = poll(-1, Duration.ZERO).path("next").asLong(-1);
    }

    private JsonNode poll(long after, Duration wait) {
        String route = "kw/events?after=" + after + "&wait=" + wait.toSeconds() + "s&prefix="
                + URLEncoder.encode(prefix, StandardCharsets.UTF_8);
        return VaultClient.check(client.call("GET", route, token, null, "application/json", ANSWER_TIMEOUT))
                .json().path("data");
    }

    /**
     * Waits until a watched secret gets a new current version and returns the changed paths. A
     * delete or destroy is reported on standard error (the command keeps what it has). Throws
     * {@link InterruptedException} when the thread is interrupted; an unreachable vault is retried
     * with a growing pause.
     */
    Set<String> next() throws InterruptedException {
        long pause = 1000;
        String lastProblem = null;
        while (true) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException();
            }
            JsonNode page;
            try {
                page = poll(cursor, POLL);
            } catch (CliException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException();
                }
                if (!e.getMessage().equals(lastProblem)) {
                    err.println("keyward: watching: " + e.getMessage() + " (retrying)");
                    lastProblem = e.getMessage();
                }
                Thread.sleep(pause);
                pause = Math.min(MAX_PAUSE_MILLIS, pause * 2);
                continue;
            }
            if (lastProblem != null) {
                err.println("keyward: watching again.");
                lastProblem = null;
            }
            pause = 1000;
            cursor = Math.max(cursor, page.path("next").asLong(cursor));
            Set<String> changed = new TreeSet<>();
            for (JsonNode e : page.path("events")) {
                String path = e.path("path").asText();
                if (!paths.contains(path)) {
                    continue;
                }
                switch (e.path("event").asText()) {
                    case "secret.updated", "secret.rotated" -> changed.add(path);
                    case "secret.deleted", "secret.destroyed" -> err.println("keyward: watching: the current version "
                            + "of " + path + " was " + e.path("event").asText().substring("secret.".length())
                            + "; the command keeps the value it has.");
                    default -> {
                        // metadata changes do not change a value
                    }
                }
            }
            if (!changed.isEmpty()) {
                return changed;
            }
        }
    }
}
