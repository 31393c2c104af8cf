package dev.keyward.vault.bench;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.cli.KeywardCli;
import dev.keyward.vault.engine.TestVaults;
import dev.keyward.vault.governance.LeakIndex;
import dev.keyward.vault.server.KeywardServer;
import dev.keyward.vault.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Leak-scan speed (not a test; run with bench/scan.sh): {@code keyward scan} over a corpus of text
 * files against a vault of 1,000 secrets (values of 8 to 4,096 bytes), in MB/s, next to
 * {@code grep -F} looking for the same values (given in plain text) in the same files, and the
 * vault's matcher alone on the same bytes in memory.
 */
public final class ScanBench {
    public static void main(String[] args) throws Exception {
        int megabytes = Integer.parseInt(System.getProperty("bench.mb", "64"));
        Path dir = Files.createTempDirectory("keyward-scan-bench");
        Random rnd = new Random(42);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            int len = i % 10 == 0 ? 64 + rnd.nextInt(4032) : 8 + rnd.nextInt(56);
            values.add(random(rnd, len, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"));
        }
        Path corpus = Files.createDirectories(dir.resolve("corpus"));
        long bytes = 0;
        int files = 0;
        String words = "the quick brown fox jumps over lazy dog config value server port user name host path "
                + "import class public static final return string int long if else for while true false null ";
        String[] vocab = words.split(" ");
        while (bytes < megabytes * 1_000_000L) {
            StringBuilder b = new StringBuilder(128 * 1024);
            while (b.length() < 128 * 1024) {
                for (int w = 0; w < 12; w++) {
                    b.append(vocab[rnd.nextInt(vocab.length)]).append(rnd.nextInt(8) == 0 ? "=" : " ");
                }
                b.append(rnd.nextInt(1000)).append('\n');
            }
            if (files % 100 == 0) {
                b.append("password=").append(values.get(files % values.size())).append('\n');
            }
            byte[] content = b.toString().getBytes(StandardCharsets.UTF_8);
            Files.write(corpus.resolve("f" + files + ".txt"), content);
            bytes += content.length;
            files++;
        }
        int planted = (files + 99) / 100;
        Path patterns = dir.resolve("patterns.txt");
        Files.writeString(patterns, String.join("\n", values) + "\n");

        try (TestVaults.Opened vault = TestVaults.initialised(dir.resolve("vault"))) {
            Caller a = vault.caller();
            for (int i = 0; i < values.size(); i++) {
                vault.engine().secrets().write(a, "bench/s" + i, SecretData.of(Map.of("value", values.get(i))), null);
            }
            Path ca = dir.resolve("vault/tls/ca.pem");
            try (KeywardServer server = KeywardServer.start(vault.engine(), ServerConfig.ephemeral().withRateLimits(0, 0),
                    Clock.systemUTC(), ca)) {
                Map<String, String> env = new HashMap<>();
                env.put("KEYWARD_HOME", dir.resolve("client").toString());
                env.put("KEYWARD_ADDRESS", server.urls().get(0));
                env.put("KEYWARD_CA_CERT", ca.toString());
                env.put("KEYWARD_TOKEN", vault.session().token());
                scan(env, corpus); // warm-up
                double best = Double.MAX_VALUE;
                int found = 0;
                for (int run = 0; run < 3; run++) {
                    long t0 = System.nanoTime();
                    found = scan(env, corpus);
                    best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                }
                double grep = Double.MAX_VALUE;
                for (int run = 0; run < 3; run++) {
                    long t0 = System.nanoTime();
                    Process p = new ProcessBuilder("grep", "-F", "-r", "-c", "-f", patterns.toString(), corpus.toString())
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    p.waitFor();
                    grep = Math.min(grep, (System.nanoTime() - t0) / 1e9);
                }
                // The matcher alone, in memory, on the same bytes.
                LeakIndex.Builder ib = LeakIndex.builder();
                for (int i = 0; i < values.size(); i++) {
                    ib.add(values.get(i).getBytes(StandardCharsets.UTF_8), new LeakIndex.Ref("s" + i, "value", 1, true));
                }
                double matcher;
                try (LeakIndex index = ib.build()) {
                    List<byte[]> all = new ArrayList<>();
                    for (int i = 0; i < files; i++) {
                        all.add(Files.readAllBytes(corpus.resolve("f" + i + ".txt")));
                    }
                    matcher = Double.MAX_VALUE;
                    for (int run = 0; run < 3; run++) {
                        long t0 = System.nanoTime();
                        for (byte[] f : all) {
                            index.scan(f, f.length, 0);
                        }
                        matcher = Math.min(matcher, (System.nanoTime() - t0) / 1e9);
                    }
                }
                double mb = bytes / 1e6;
                System.out.printf(Locale.ROOT, "corpus: %d files, %.1f MB, %d planted values; vault: 1000 secrets "
                        + "(8 to 4096 bytes)%n", files, mb, planted);
                System.out.printf(Locale.ROOT, "keyward scan (HTTPS, in-vault matching): %7.1f MB/s  (%.2f s, %d "
                        + "found)%n", mb / best, best, found);
                System.out.printf(Locale.ROOT, "grep -F -f values (plain text):          %7.1f MB/s  (%.2f s)%n",
                        mb / grep, grep);
                System.out.printf(Locale.ROOT, "the vault's matcher alone, in memory:    %7.1f MB/s%n", mb / matcher);
                System.out.printf(Locale.ROOT, "keyward scan / grep -F: %.2f%n", grep / best);
            }
        }
    }

    private static int scan(Map<String, String> env, Path corpus) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = KeywardCli.run(env, new PrintStream(out, true, StandardCharsets.UTF_8), System.err, "scan",
                corpus.toString());
        if (code != 1) {
            throw new IllegalStateException("the scan should find the planted values (exit " + code + ")");
        }
        return (int) out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("LEAK ")).count();
    }

    private static String random(Random rnd, int n, String alphabet) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
