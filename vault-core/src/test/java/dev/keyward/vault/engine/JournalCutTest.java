package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.StorageException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM acknowledges 60 versions of one secret and is killed with SIGKILL; then its journal
 * is cut, emptied or removed. Replaying what is left over the database would roll acknowledged
 * versions back, so the vault must refuse to open, say why, and change nothing.
 */
class JournalCutTest {
    private static final int VERSIONS = 60;

    /** The vault as the kill left it; each test works on a copy. */
    @TempDir
    static Path killed;
    @TempDir
    Path home;

    @BeforeAll
    static void sixtyAcknowledgedWritesThenSigkill() throws Exception {
        Path home = killed;
        TestVaults.initialised(home).close();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                VaultChild.class.getName(), "write-versions", home.toString(), "app/cut", Integer.toString(VERSIONS))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertEquals("WRITTEN " + VERSIONS, out.readLine());
            child.toHandle().destroyForcibly();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        }
        assertEquals(137, child.exitValue(), "killed by SIGKILL");
        assertTrue(Files.size(home.resolve("vault.journal")) > 0, "the kill left batches in the journal");
    }

    @BeforeEach
    void copyOfTheKilledVault() throws Exception {
        try (var files = Files.list(killed)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, home.resolve(f.getFileName()));
                }
            }
        }
    }

    private Path journal() {
        return home.resolve("vault.journal");
    }

    private void assertRefusedAndUnchanged(String expected) throws Exception {
        byte[] journal = Files.exists(journal()) ? Files.readAllBytes(journal()) : null;
        StorageException e = assertThrows(StorageException.class, () -> TestVaults.open(home).close());
        assertTrue(e.getMessage().contains("disagree") && e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains("vault.journal"), "names the file: " + e.getMessage());
        // Nothing changed: the journal is as it was, and the next attempt is refused for the same reason.
        assertArrayEquals(journal, Files.exists(journal()) ? Files.readAllBytes(journal()) : null);
        StorageException again = assertThrows(StorageException.class, () -> TestVaults.open(home).close());
        assertEquals(e.getMessage(), again.getMessage());
    }

    @Test
    void aJournalCutToHalfItsLengthRefusesToOpen() throws Exception {
        byte[] all = Files.readAllBytes(journal());
        Files.write(journal(), Arrays.copyOf(all, all.length / 2));
        assertRefusedAndUnchanged("the journal ends at batch");
    }

    @Test
    void aJournalWithItsFirstBatchCutOffRefusesToOpen() throws Exception {
        byte[] all = Files.readAllBytes(journal());
        int first = 8 + java.nio.ByteBuffer.wrap(all).getInt();
        Files.write(journal(), Arrays.copyOfRange(all, first, all.length));
        assertRefusedAndUnchanged("were cut from its start");
    }

    @Test
    void anEmptiedJournalRefusesToOpen() throws Exception {
        Files.write(journal(), new byte[0]);
        assertRefusedAndUnchanged("the journal is empty");
    }

    @Test
    void aDeletedJournalRefusesToOpen() throws Exception {
        Files.delete(journal());
        StorageException e = assertThrows(StorageException.class, () -> TestVaults.open(home).close());
        assertTrue(e.getMessage().contains("the journal is empty"), e.getMessage());
    }

    @Test
    void theUncutJournalReplaysEveryAcknowledgedVersion() {
        try (Engine e = TestVaults.open(home)) {
            TestVaults.unseal(e);
            var caller = TestVaults.login(e).caller();
            assertEquals(VERSIONS, e.secrets().readMetadata(caller, "app/cut").currentVersion());
            assertEquals("value-" + VERSIONS, e.secrets().read(caller, "app/cut", 0).data().field("v"));
            assertTrue(e.audit().verify(caller, null, null).ok());
        }
    }
}
