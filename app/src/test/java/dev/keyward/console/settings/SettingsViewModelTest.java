package dev.keyward.console.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.Fx;
import dev.keyward.console.MemoryClipboard;
import dev.keyward.console.MutableClock;
import dev.keyward.console.TestConsoles;
import dev.keyward.console.common.ConsoleSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsViewModelTest {
    @TempDir
    Path home;
    private ConsoleViewModel console;
    private SettingsViewModel vm;

    @BeforeAll
    static void fx() {
        Fx.start();
    }

    @BeforeEach
    void setUp() throws IOException {
        Files.writeString(home.resolve("keyward.properties"), "# mine\nlisten = 127.0.0.1\nport = 9\n");
        console = TestConsoles.unlocked(TestConsoles.config(home, MutableClock.now(), new MemoryClipboard()));
        vm = Fx.call(() -> new SettingsViewModel(console));
    }

    @AfterEach
    void tearDown() {
        console.close();
    }

    @Test
    void aBadPortIsRefusedInlineAndNothingIsWritten() throws IOException {
        assertEquals(Integer.toString(ConsoleSettings.DEFAULT_PORT), vm.portProperty().get(),
                "an out-of-range port in the file falls back to the default");
        String before = Files.readString(home.resolve("keyward.properties"));
        for (String bad : new String[] {"80", "70000", "eighty", ""}) {
            Fx.run(() -> vm.portProperty().set(bad));
            assertTrue(vm.checkPort(bad).isPresent(), bad);
            assertFalse(Fx.call(vm::apply), bad);
            assertTrue(vm.messageProperty().get().startsWith("Port: A port from 1024"), vm.messageProperty().get());
        }
        assertEquals(before, Files.readString(home.resolve("keyward.properties")));
    }

    @Test
    void theEndpointRunsOnTheChosenPortMovesAndStopsAndTheFileKeepsOtherLines() throws Exception {
        int first = freePort();
        Fx.run(() -> {
            vm.endpointProperty().set(true);
            vm.portProperty().set(Integer.toString(first));
            vm.mutualTlsProperty().set(false);
        });
        assertTrue(Fx.call(vm::apply), vm.messageProperty().get());
        Fx.until(() -> vm.endpointStatusProperty().get().startsWith("HTTPS endpoint: on at https://127.0.0.1:"
                + first));
        assertFalse(vm.endpointStatusProperty().get().contains("mutual TLS"));
        assertEquals(200, health(first));

        String file = Files.readString(home.resolve("keyward.properties"));
        assertTrue(file.startsWith("# mine\nlisten = 127.0.0.1\nport = " + first + "\n"), file);
        assertTrue(file.contains("console.endpoint = true") && file.contains("mutual_tls = false"), file);
        ConsoleSettings reread = ConsoleSettings.load(home);
        assertTrue(reread.endpoint());
        assertEquals(first, reread.port());

        int second = freePort();
        Fx.run(() -> {
            vm.portProperty().set(Integer.toString(second));
            vm.mutualTlsProperty().set(true);
        });
        assertTrue(Fx.call(vm::apply));
        Fx.until(() -> vm.endpointStatusProperty().get().contains(":" + second + " (mutual TLS)"));
        assertEquals(200, health(second));
        assertThrows(ConnectException.class, () -> health(first));

        Fx.run(() -> vm.endpointProperty().set(false));
        assertTrue(Fx.call(vm::apply));
        Fx.until(() -> vm.endpointStatusProperty().get().equals(ConsoleViewModel.ENDPOINT_OFF));
        assertThrows(ConnectException.class, () -> health(second));
    }

    @Test
    void aPortInUseIsReportedAsASentence() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Fx.run(() -> {
                vm.endpointProperty().set(true);
                vm.portProperty().set(Integer.toString(taken.getLocalPort()));
            });
            assertTrue(Fx.call(vm::apply));
            Fx.until(() -> vm.endpointStatusProperty().get().contains("not running"));
            assertTrue(vm.endpointStatusProperty().get().contains("could not start"),
                    vm.endpointStatusProperty().get());
        }
    }

    @Test
    void aPassphraseVaultSaysItHasNoHsm() {
        Fx.run(vm::loadHsm);
        Fx.until(() -> !vm.hsmProperty().get().isEmpty());
        assertTrue(vm.hsmProperty().get().startsWith("This vault is sealed with a passphrase seal, not an HSM"),
                vm.hsmProperty().get());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** GET /v1/sys/health over HTTPS, trusting only the vault's CA (written to tls/ca.pem). */
    private int health(int port) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(home.resolve("tls/ca.pem"))) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(ssl).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port
                + "/v1/sys/health")).GET().build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode();
    }
}
