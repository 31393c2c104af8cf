package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.engine.TestVaults;
import dev.keyward.vault.testing.HttpsReceiver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyward run --watch}, {@code keyward inject --watch} and {@code keyward webhook} end to end:
 * a real endpoint over HTTPS, real child processes (shell scripts), real files, a real HTTPS receiver.
 */
class WatchTest {
    private static final String V1 = "canary-watch-v1-5d2e";
    private static final String V2 = "canary-watch-v2-c07b";
    private static final String V3 = "canary-watch-v3-91aa";

    @TempDir
    Path dir;
    private TestVaults.Opened vault;
    private CliHarness h;

    @BeforeEach
    void start() {
        vault = TestVaults.initialised(dir.resolve("vault"));
        h = new CliHarness(vault, dir.resolve("vault"), dir.resolve("client"));
        put("app/db", V1);
    }

    @AfterEach
    void stop() {
        h.close();
        vault.close();
    }

    private void put(String path, String password) {
        CliHarness.Result r = h.cli("kv", "put", path, "password=" + password);
        assertEquals(0, r.code(), r.err());
    }

    /** Runs the CLI in the background; interrupting its thread ends a watch. */
    private static final class Background {
        final Thread thread;
        final CompletableFuture<CliHarness.Result> result = new CompletableFuture<>();

        Background(CliHarness h, String... args) {
            thread = new Thread(() -> result.complete(h.cli(args)), "cli-under-test");
            thread.start();
        }

        CliHarness.Result stop() throws Exception {
            thread.interrupt();
            return result.get(30, TimeUnit.SECONDS);
        }
    }

    private static void await(String what, long millis, BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(25);
        }
    }

    private static List<String> lines(Path f) {
        try {
            return Files.exists(f) ? Files.readAllLines(f, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    private Path script(String name, String body) throws IOException {
        Path s = dir.resolve(name);
        Files.writeString(s, "#!/bin/sh\n" + body);
        return s;
    }

    @Test
    void runWatchRestartsTheCommandWhichSeesTheNewValue() throws Exception {
        Path out = dir.resolve("seen.txt");
        Path s = script("app.sh", "printf '%s %s\\n' \"$$\" \"$DB_PASS\" >> \"$1\"\nexec sleep 120\n");
        Background run = new Background(h, "run", "--watch", "--grace", "5s", "--env", "DB_PASS=kw://app/db#password",
                "--", "sh", s.toString(), out.toString());
        await("the first start", 15_000, () -> lines(out).size() == 1);
        String[] first = lines(out).get(0).split(" ");
        assertEquals(V1, first[1]);
        put("app/db", V2);
        await("the restart", 15_000, () -> lines(out).size() == 2);
        String[] second = lines(out).get(1).split(" ");
        assertEquals(V2, second[1], "the restarted command sees the new value");
        assertNotEquals(first[0], second[0]);
        long oldPid = Long.parseLong(first[0]);
        await("the old command gone", 5_000, () -> ProcessHandle.of(oldPid).map(p -> !p.isAlive()).orElse(true));
        put("app/other", V3); // not referenced: no restart
        Thread.sleep(1500);
        assertEquals(2, lines(out).size(), "an unrelated change restarts nothing");
        CliHarness.Result r = run.stop();
        long newPid = Long.parseLong(second[0]);
        await("the command stopped with run", 5_000, () -> ProcessHandle.of(newPid).map(p -> !p.isAlive()).orElse(true));
        assertFalse(r.out().contains(V1) || r.out().contains(V2) || r.err().contains(V2), r.err());
        assertTrue(r.err().contains("app/db changed: restarting"), r.err());
    }

    @Test
    void runWatchCanSignalTheCommandInsteadAndItReadsTheNewValue() throws Exception {
        Path out = dir.resolve("seen.txt");
        Path values = dir.resolve("values.env");
        Path s = script("app.sh", "out=\"$1\"; vals=\"$2\"\n"
                + "trap '. \"$vals\"; printf \"hup %s %s\\n\" \"$$\" \"$DB_PASS\" >> \"$out\"' HUP\n"
                + "printf 'start %s %s\\n' \"$$\" \"$DB_PASS\" >> \"$out\"\n"
                + "while true; do sleep 0.1; done\n");
        Background run = new Background(h, "run", "--watch", "--on-change", "signal:HUP", "--values-file",
                values.toString(), "--env", "DB_PASS=kw://app/db#password", "--", "sh", s.toString(), out.toString(),
                values.toString());
        await("the start", 15_000, () -> lines(out).size() == 1);
        String pid = lines(out).get(0).split(" ")[1];
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(values)));
        put("app/db", V2);
        await("the signal", 15_000, () -> lines(out).size() == 2);
        assertEquals("hup " + pid + " " + V2, lines(out).get(1), "the same process, told, reads the new value");
        run.stop();
    }

    @Test
    void injectWatchRewritesTheFileAtomicallyAndRunsTheReloadCommand() throws Exception {
        Path template = dir.resolve("app.conf.tpl");
        Files.writeString(template, "password={{ kw://app/db#password }}\npinned={{ kw://app/db#password@1 }}\n");
        Path conf = dir.resolve("conf/app.conf");
        Path marker = dir.resolve("reloads.txt");
        Path envDump = dir.resolve("reload-env.txt");
        String reload = "env > '" + envDump + "'; ls -l '" + conf + "' | cut -c1-10 >> '" + marker + "'";
        Background inject = new Background(h, "inject", "--watch", "--in", template.toString(), "--out",
                conf.toString(), "--reload", reload);
        String before = "password=" + V1 + "\npinned=" + V1 + "\n";
        String after = "password=" + V2 + "\npinned=" + V1 + "\n";
        await("the first render", 15_000, () -> Files.exists(conf));
        assertEquals(before, Files.readString(conf));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(conf)));
        Object inode = Files.getAttribute(conf, "unix:ino");
        // A reader that keeps reading sees the old file or the new one, never a mix or an empty one.
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicBoolean reading = new AtomicBoolean(true);
        Thread reader = new Thread(() -> {
            while (reading.get()) {
                try {
                    seen.add(Files.readString(conf));
                } catch (IOException e) {
                    seen.add("unreadable: " + e);
                }
            }
        });
        reader.start();
        put("app/db", V2);
        await("the reload", 15_000, () -> lines(marker).size() == 1);
        reading.set(false);
        reader.join();
        assertEquals(after, Files.readString(conf), "without a version: current; with @1: version 1");
        assertEquals("-rw-------", lines(marker).get(0), "mode 0600 when the reload ran");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(conf)));
        assertNotEquals(inode, Files.getAttribute(conf, "unix:ino"), "replaced by a rename, not rewritten in place");
        assertTrue(Set.of(before, after).containsAll(Set.copyOf(seen)), "only whole files were seen");
        String env = Files.readString(envDump);
        assertFalse(env.contains(V1) || env.contains(V2), "no secret in the reload command's environment");
        assertFalse(env.contains("KEYWARD_TOKEN"), "nor the token");
        try (var files = Files.list(conf.getParent())) {
            assertEquals(List.of(conf), files.toList(), "no temporary file left behind");
        }
        CliHarness.Result r = inject.stop();
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("Rewrote"), r.err());
    }

    @Test
    void aReferenceWithoutAVersionResolvesToTheCurrentOne() throws Exception {
        put("app/db", V2);
        Path template = dir.resolve("t.tpl");
        Files.writeString(template, "{{ kw://app/db#password }} {{ kw://app/db#password@1 }}");
        Path outFile = dir.resolve("t.out");
        CliHarness.Result r = h.cli("inject", "--in", template.toString(), "--out", outFile.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(V2 + " " + V1, Files.readString(outFile));
        Path envOut = dir.resolve("env.out");
        r = h.cli("run", "--env", "P=kw://app/db#password", "--", "sh", "-c", "printf %s \"$P\" > '" + envOut + "'");
        assertEquals(0, r.code(), r.err());
        assertEquals(V2, Files.readString(envOut));
        r = h.cli("run", "--watch", "--on-change", "signal:NOPE", "--env", "P=kw://app/db#password", "--", "true");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("--on-change is restart or signal:NAME"), r.err());
        r = h.cli("inject", "--in", template.toString(), "--out", outFile.toString(), "--reload", "true");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("needs --watch"), r.err());
    }

    @Test
    void theEventsEndpointShowsOnlyReadablePathsAndRefusesBadInput() throws Exception {
        var a = vault.caller();
        vault.engine().policies().put(a, new dev.keyward.vault.api.Policy("app-reader", "", List.of(
                dev.keyward.vault.api.PolicyRule.grant("secret/app/*", java.util.EnumSet.of(
                        dev.keyward.vault.api.Capability.READ), dev.keyward.vault.api.PolicyConditions.NONE, "app",
                        "watch", java.time.Instant.now().plus(Duration.ofDays(1))))), "t");
        vault.engine().policies().putRole(a, "app-watcher", List.of("app-reader"), "", "t");
        vault.engine().identities().createOperator(a, "watcher", "watcher passphrase 1".toCharArray(),
                List.of("app-watcher"));
        String token = vault.engine().login("watcher", "watcher passphrase 1".toCharArray(), "test").token();
        VaultClient c = new VaultClient(h.env.get("KEYWARD_ADDRESS"), Path.of(h.env.get("KEYWARD_CA_CERT")), null,
                null);
        long from = VaultClient.check(c.call("GET", "kw/events?after=-1", token, null)).json().path("data")
                .path("next").asLong();
        put("ops/root", V2);
        put("app/db", V2);
        var page = VaultClient.check(c.call("GET", "kw/events?after=" + from + "&wait=5s", token, null)).json()
                .path("data");
        assertEquals(1, page.path("events").size(), page.toString());
        assertEquals("app/db", page.path("events").get(0).path("path").asText());
        assertEquals(2, page.path("events").get(0).path("version").asInt());
        assertEquals("secret.updated", page.path("events").get(0).path("event").asText());
        assertFalse(page.toString().contains(V2), "no value in the feed");
        var admin = VaultClient.check(c.call("GET", "kw/events?after=" + from, h.env.get("KEYWARD_TOKEN"), null))
                .json().path("data");
        assertEquals(2, admin.path("events").size(), "the admin sees ops/root too");
        assertEquals(400, c.call("GET", "kw/events?after=abc", token, null).status());
        assertEquals(400, c.call("GET", "kw/events?prefix=../x", token, null).status());
        assertEquals(400, c.call("GET", "kw/events?wait=soon", token, null).status());
        assertEquals(403, c.call("GET", "kw/events", "bogus-token", null).status());
        long t0 = System.nanoTime();
        var idle = VaultClient.check(c.call("GET", "kw/events?after=" + page.path("next").asLong()
                + "&prefix=app/&wait=1s", token, null)).json().path("data");
        assertTrue(idle.path("events").isEmpty());
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(900), "the idle poll waited");
    }

    @Test
    void webhookCommandsAddListTestAndRemoveAndShowFailures() throws Exception {
        try (HttpsReceiver receiver = new HttpsReceiver()) {
            Path ca = dir.resolve("receiver-ca.pem");
            Files.writeString(ca, receiver.caPem());
            CliHarness.Result bad = h.cli("webhook", "add", "--url", "http://127.0.0.1:9/hook");
            assertEquals(ExitCodes.REFUSED, bad.code());
            assertTrue(bad.err().contains("https://"), bad.err());
            bad = h.cli("webhook", "add", "--url", receiver.url("/h"), "--events", "secret.exploded");
            assertTrue(bad.err().contains("Unknown event kind"), bad.err());
            bad = h.cli("webhook", "add", "--url", receiver.url("/h"), "--prefix", "../etc");
            assertTrue(bad.err().contains("prefix"), bad.err());
            assertTrue(h.cli("webhook", "list").out().contains("No webhooks."), "nothing was added");

            CliHarness.Result added = h.cli("webhook", "add", "--url", receiver.url("/hook"), "--prefix", "app/",
                    "--events", "updated,rotated", "--ca-file", ca.toString());
            assertEquals(0, added.code(), added.err());
            String id = added.out().lines().filter(l -> l.startsWith("id: ")).findFirst().orElseThrow().substring(4);
            String key = added.out().lines().filter(l -> l.startsWith("signing_key: ")).findFirst().orElseThrow()
                    .substring("signing_key: ".length());
            assertEquals(64, key.length());
            assertTrue(added.err().contains("shown only this once"));

            put("app/db", V2);
            await("a delivery", 15_000, () -> receiver.received().size() == 1);
            HttpsReceiver.Received got = receiver.received().get(0);
            assertTrue(dev.keyward.vault.notify.WebhookSignature.verify(java.util.HexFormat.of().parseHex(key),
                    got.header(dev.keyward.vault.notify.WebhookSignature.HEADER), got.body(), java.time.Instant.now(),
                    Duration.ofMinutes(5)));
            assertFalse(new String(got.body(), StandardCharsets.UTF_8).contains(V2));
            await("listed as delivered", 10_000, () -> h.cli("webhook", "list").out().contains(" 1       0      0  -"));
            CliHarness.Result list = h.cli("webhook", "list");
            assertFalse(list.out().contains(key) || list.out().contains("/hook"), "neither key nor URL is shown");

            receiver.answer(n -> new HttpsReceiver.Answer(500, Duration.ZERO));
            put("app/db", V3);
            await("the failure listed", 15_000, () -> h.cli("webhook", "list").out().contains("HTTP 500"));
            assertTrue(h.cli("webhook", "list").err().contains("failed or are being retried"));
            CliHarness.Result test = h.cli("webhook", "test", id);
            assertEquals(ExitCodes.REFUSED, test.code());
            assertTrue(test.out().contains("Not delivered") && test.out().contains("HTTP 500"), test.out());
            receiver.answer(n -> HttpsReceiver.Answer.ok());
            assertEquals(0, h.cli("webhook", "test", id).code());
            assertEquals(0, h.cli("webhook", "remove", id).code());
            assertTrue(h.cli("webhook", "list").out().contains("No webhooks."));
            assertEquals(ExitCodes.REFUSED, h.cli("webhook", "remove", id).code());
        }
    }
}
