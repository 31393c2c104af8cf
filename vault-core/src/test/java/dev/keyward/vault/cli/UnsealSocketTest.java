package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.PassphraseSealSpec;
import dev.keyward.vault.engine.Engine;
import dev.keyward.vault.engine.TestVaults;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sealed service waiting on its local socket (serve --wait-for-unseal) is unsealed by 'keyward unseal'. */
class UnsealSocketTest {
    @TempDir
    Path home;

    @Test
    void keywardUnsealReachesAServiceWaitingSealed() throws Exception {
        try (Engine e = TestVaults.open(home)) {
            TestVaults.init(e, new PassphraseSealSpec(TestVaults.UNSEAL.toCharArray(), Argon2Parameters.insecureForTests()));
            Map<String, String> env = new HashMap<>();
            env.put("KEYWARD_HOME", home.toString());
            env.put("KEYWARD_ADDRESS", "https://127.0.0.1:1"); // nothing listens: only the socket answers
            KeywardCli serving = new KeywardCli(env, new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(new ByteArrayOutputStream()));
            Thread waiting = new Thread(() -> UnsealSocket.await(serving, e, home));
            waiting.start();
            Path socket = home.resolve(UnsealSocket.FILE);
            for (int i = 0; i < 200 && !Files.exists(socket); i++) {
                Thread.sleep(25);
            }
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));

            env.put("KEYWARD_PASSPHRASE", "wrong passphrase");
            CliHarness.Result wrong = CliHarness.run(env, "", "unseal");
            assertEquals(ExitCodes.DENIED, wrong.code(), wrong.err());
            assertTrue(e.status().sealed());

            env.put("KEYWARD_PASSPHRASE", TestVaults.UNSEAL);
            CliHarness.Result ok = CliHarness.run(env, "", "unseal");
            assertEquals(0, ok.code(), ok.err());
            assertTrue(ok.out().contains("sealed: false"), ok.out());
            waiting.join(10_000);
            assertFalse(waiting.isAlive(), "the service stops waiting once unsealed");
            assertFalse(e.status().sealed());
            assertFalse(Files.exists(socket), "the socket is removed");
        }
    }
}
