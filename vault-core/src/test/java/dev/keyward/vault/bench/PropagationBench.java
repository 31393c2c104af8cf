package dev.keyward.vault.bench;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.NotificationService;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.engine.TestVaults;
import dev.keyward.vault.testing.HttpsReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Propagation numbers (not a test): KV write latency without webhooks, with one healthy webhook
 * and with one that hangs (the write must not notice); write-to-receiver delivery latency; how
 * soon a waiting long poll of the change feed returns after a write.
 * Usage: bench/propagation.sh [samples=200]
 */
public final class PropagationBench {
    private PropagationBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Path home = Files.createTempDirectory("keyward-propagation-bench");
        try (TestVaults.Opened v = TestVaults.initialised(home); HttpsReceiver receiver = new HttpsReceiver()) {
            Caller a = v.caller();
            NotificationService notifications = v.engine().notifications();
            warm(v, a);
            report("write, no webhook", writes(v, a, n, "bench/none"));

            var w = notifications.addWebhook(a, new NotificationService.WebhookSpec(receiver.url("/hook"), "bench/",
                    List.of(), receiver.caPem()));
            List<Long> write = new ArrayList<>();
            List<Long> delivered = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int before = receiver.received().size();
                long t0 = System.nanoTime();
                v.engine().secrets().write(a, "bench/healthy", SecretData.of(Map.of("k", "v" + i)), null);
                long t1 = System.nanoTime();
                while (receiver.received().size() == before) {
                    Thread.onSpinWait();
                }
                long t2 = System.nanoTime();
                write.add(t1 - t0);
                delivered.add(t2 - t1);
            }
            report("write, 1 healthy webhook", write);
            report("write returned -> delivered", delivered);

            receiver.answer(x -> new HttpsReceiver.Answer(200, Duration.ofSeconds(5)));
            report("write, 1 hanging webhook", writes(v, a, Math.min(n, 50), "bench/hanging"));
            notifications.removeWebhook(a, w.webhook().id());

            List<Long> wake = new ArrayList<>();
            for (int i = 0; i < Math.min(n, 50); i++) {
                long from = notifications.events(a, -1, "feed/", Duration.ZERO).next();
                CompletableFuture<Long> poll = CompletableFuture.supplyAsync(() -> {
                    notifications.events(a, from, "feed/", Duration.ofSeconds(20));
                    return System.nanoTime();
                });
                Thread.sleep(20);
                long t0 = System.nanoTime();
                v.engine().secrets().write(a, "feed/x", SecretData.of(Map.of("k", "v" + i)), null);
                wake.add(poll.get(30, TimeUnit.SECONDS) - t0);
            }
            report("write -> long poll returned", wake);
        }
    }

    private static void warm(TestVaults.Opened v, Caller a) {
        for (int i = 0; i < 200; i++) {
            v.engine().secrets().write(a, "warm/x", SecretData.of(Map.of("k", "v" + i)), null);
        }
    }

    private static List<Long> writes(TestVaults.Opened v, Caller a, int n, String path) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            v.engine().secrets().write(a, path, SecretData.of(Map.of("k", "v" + i)), null);
            out.add(System.nanoTime() - t0);
        }
        return out;
    }

    private static void report(String what, List<Long> nanos) {
        List<Long> s = new ArrayList<>(nanos);
        Collections.sort(s);
        System.out.printf("%-32s n=%4d  p50 %7.2f ms  p95 %7.2f ms  max %7.2f ms%n", what, s.size(),
                s.get(s.size() / 2) / 1e6, s.get((int) (s.size() * 0.95)) / 1e6, s.get(s.size() - 1) / 1e6);
    }
}
