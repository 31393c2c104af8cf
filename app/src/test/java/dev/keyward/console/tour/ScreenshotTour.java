package dev.keyward.console.tour;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.ConsoleWindow;
import dev.keyward.console.init.InitViewModel;
import dev.keyward.console.common.ConsoleConfig;
import dev.keyward.console.common.ConsoleSettings;
import dev.keyward.console.common.Screen;
import dev.keyward.console.secrets.SecretsView;
import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.InitRequest;
import dev.keyward.vault.api.MetadataUpdate;
import dev.keyward.vault.api.PassphraseSealSpec;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.api.UnsealCredential;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javafx.application.Platform;
import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;
import javax.imageio.ImageIO;

/**
 * Opens the console on a scratch vault with sample data and writes a PNG of every main screen.
 * Run by {@code bench/screenshots.sh} under Xvfb. Not a test.
 */
public final class ScreenshotTour {
    private static final String UNSEAL = "tour unseal passphrase";
    private static final String ADMIN_PASS = "tour admin passphrase";

    private ScreenshotTour() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/screenshots").toAbsolutePath();
        Files.createDirectories(out);
        Path home = Files.createTempDirectory("keyward-tour");
        Platform.startup(() -> { });
        Platform.setImplicitExit(false); // the tour closes one window before it opens the next
        ConsoleConfig config = ConsoleConfig.defaults(home);
        ConsoleViewModel console = fx(() -> new ConsoleViewModel(config));
        ConsoleWindow window = fx(() -> {
            ConsoleWindow w = new ConsoleWindow(console, new Stage());
            w.start();
            return w;
        });
        await(() -> console.phase() == ConsoleViewModel.Phase.NEEDS_INIT);
        shoot(window, out.resolve("init.png"));

        try (InitRequest req = new InitRequest(new PassphraseSealSpec(UNSEAL.toCharArray(), Argon2Parameters.DEFAULT),
                "admin", ADMIN_PASS.toCharArray(), Argon2Parameters.DEFAULT)) {
            console.vault().lifecycle().init(req);
        }
        fx(() -> {
            console.initialised();
            return null;
        });
        await(() -> console.phase() == ConsoleViewModel.Phase.LOCKED);
        shoot(window, out.resolve("unlock.png"));

        try (UnsealCredential u = UnsealCredential.passphrase(UNSEAL.toCharArray())) {
            console.vault().lifecycle().unseal(u, Caller.LOCAL);
        }
        Session s = console.vault().auth().login("admin", ADMIN_PASS.toCharArray(), Caller.LOCAL);
        populate(console, s.caller());
        fx(() -> {
            console.loggedIn(s);
            return null;
        });
        await(() -> window.main() != null);
        fx(() -> {
            window.stage().setWidth(1180);
            window.stage().setHeight(760);
            return null;
        });
        for (Screen screen : List.of(Screen.DASHBOARD, Screen.SECRETS, Screen.POLICIES, Screen.IDENTITIES,
                Screen.AUDIT, Screen.BACKUP, Screen.SETTINGS)) {
            showScreen(window, screen);
            shoot(window, out.resolve(screen.name().toLowerCase() + ".png"));
        }
        fx(() -> {
            window.stage().close();
            return null;
        });
        console.close();
        shootAttached(out, home);
        shootShamirShares(out);
        Platform.exit();
        System.out.println("screenshots written to " + out);
        System.exit(0);
    }

    private static void showScreen(ConsoleWindow window, Screen screen) throws Exception {
        fx(() -> {
            window.main().viewModel().navigate(screen);
            return null;
        });
        Thread.sleep(1500);
        if (screen == Screen.SECRETS) {
            fx(() -> {
                SecretsView v = (SecretsView) window.main().view(Screen.SECRETS);
                v.viewModel().select("payments/stripe/api-key");
                return null;
            });
            Thread.sleep(1500);
        }
    }

    /**
     * The console attached to a running endpoint (the same server as keyward serve, here in this
     * process on a free port) at 1024x700, light and dark.
     */
    private static void shootAttached(Path out, Path home) throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(home.resolve("keyward.properties"), "port = " + port + "\nlisten = 127.0.0.1\n");
        dev.keyward.vault.api.Vault service = dev.keyward.vault.Keyward.open(
                dev.keyward.vault.api.VaultOptions.at(home));
        try (UnsealCredential u = UnsealCredential.passphrase(UNSEAL.toCharArray())) {
            service.lifecycle().unseal(u, Caller.LOCAL);
        }
        dev.keyward.vault.api.Endpoint endpoint = dev.keyward.vault.Keyward.serve(service, home, port, true);
        for (boolean dark : new boolean[] {false, true}) {
            ConsoleSettings base = ConsoleSettings.load(home);
            base.withTheme(dark ? ConsoleSettings.Theme.DARK : ConsoleSettings.Theme.LIGHT).save(home);
            ConsoleViewModel console = fx(() -> new ConsoleViewModel(ConsoleConfig.defaults(home)));
            ConsoleWindow window = fx(() -> {
                ConsoleWindow w = new ConsoleWindow(console, new Stage());
                w.start();
                w.stage().setWidth(1024);
                w.stage().setHeight(700);
                return w;
            });
            await(() -> console.ready() && console.phase() == ConsoleViewModel.Phase.LOCKED);
            String suffix = dark ? "-dark" : "";
            if (!dark) {
                shoot(window, out.resolve("attached-unlock.png"));
            }
            Session s = console.vault().auth().login("admin", ADMIN_PASS.toCharArray(), Caller.LOCAL);
            fx(() -> {
                console.loggedIn(s);
                return null;
            });
            await(() -> window.main() != null);
            for (Screen screen : List.of(Screen.DASHBOARD, Screen.SECRETS, Screen.AUDIT)) {
                showScreen(window, screen);
                shoot(window, out.resolve("attached-" + screen.name().toLowerCase() + suffix + ".png"));
            }
            fx(() -> {
                window.stage().close();
                return null;
            });
            console.close();
        }
        ConsoleSettings.load(home).withTheme(ConsoleSettings.Theme.LIGHT).save(home);
        endpoint.close();
        service.close();
    }

    private static void populate(ConsoleViewModel console, Caller c) {
        var secrets = console.vault().secrets();
        String[] teams = {"payments", "platform", "ml", "ci"};
        String[] services = {"postgres", "stripe", "s3", "redis", "github", "kafka"};
        for (String t : teams) {
            for (String svc : services) {
                for (String name : new String[] {"api-key", "password", "token"}) {
                    String p = t + "/" + svc + "/" + name;
                    secrets.write(c, p, SecretData.of(Map.of("value", "example-" + p.hashCode(), "user", t + "-svc")),
                            null);
                }
            }
        }
        secrets.write(c, "payments/stripe/api-key", SecretData.of(Map.of("value", "sk_live_example", "account",
                "acct_123")), null);
        secrets.writeMetadata(c, "payments/stripe/api-key", new MetadataUpdate(null, null, null, Map.of(
                "owner", "payments-team", "tags", "pci, external", "criticality", "critical", "expires",
                "2027-03-31")));
        console.vault().identities().putAppRole(c, IdentityService.AppRoleSpec.of("ci-deploy", List.of()));
        // A reviewer who may read the audit log but no secret values tries anyway: denials for the dashboard.
        console.vault().identities().createOperator(c, "reviewer", "tour reviewer passphrase".toCharArray(),
                List.of("auditor"));
        Session reviewer = console.vault().auth().login("reviewer", "tour reviewer passphrase".toCharArray(),
                Caller.LOCAL);
        for (String p : List.of("payments/stripe/api-key", "payments/postgres/password", "ci/github/token")) {
            try {
                console.vault().secrets().read(reviewer.caller(), p, 0);
            } catch (dev.keyward.vault.api.AccessDeniedException expected) {
                // the denial is what the dashboard shows
            }
        }
    }

    /** The set-up wizard's Shamir shares page, on a second scratch directory. */
    private static void shootShamirShares(Path out) throws Exception {
        Path home = Files.createTempDirectory("keyward-tour-shamir");
        ConsoleViewModel console = fx(() -> new ConsoleViewModel(ConsoleConfig.defaults(home)));
        ConsoleWindow window = fx(() -> {
            ConsoleWindow w = new ConsoleWindow(console, new Stage());
            w.start();
            return w;
        });
        await(() -> console.phase() == ConsoleViewModel.Phase.NEEDS_INIT && window.init() != null);
        fx(() -> {
            window.init().viewModel().sealProperty().set(InitViewModel.SealChoice.SHAMIR);
            return window.init().viewModel().createShamir(3, 2, "admin", ADMIN_PASS.toCharArray(),
                    ADMIN_PASS.toCharArray());
        });
        await(() -> window.init().viewModel().pageProperty().get() == InitViewModel.Page.SHARES);
        shoot(window, out.resolve("init-shares.png"));
        fx(() -> {
            window.stage().close();
            return null;
        });
        console.close();
    }

    private static void shoot(ConsoleWindow window, Path file) throws Exception {
        Thread.sleep(700);
        WritableImage img = fx(() -> window.stage().getScene().snapshot(null));
        int w = (int) img.getWidth();
        int h = (int) img.getHeight();
        BufferedImage b = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        PixelReader r = img.getPixelReader();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                b.setRGB(x, y, r.getArgb(x, y));
            }
        }
        try {
            ImageIO.write(b, "png", file.toFile());
        } catch (IOException e) {
            throw new IOException("cannot write " + file, e);
        }
        System.out.println("wrote " + file);
    }

    private static <T> T fx(Supplier<T> s) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                f.complete(s.get());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f.get();
    }

    private static void await(BooleanSupplier condition) throws Exception {
        for (int i = 0; i < 300; i++) {
            if (fx(condition::getAsBoolean)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the console did not reach the expected screen");
    }
}
