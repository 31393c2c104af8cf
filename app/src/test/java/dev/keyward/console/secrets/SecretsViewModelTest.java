package dev.keyward.console.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.Fx;
import dev.keyward.console.MemoryClipboard;
import dev.keyward.console.MutableClock;
import dev.keyward.console.RecordingVault;
import dev.keyward.console.TestConsoles;
import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.MetadataUpdate;
import dev.keyward.vault.api.SecretData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsViewModelTest {
    private static final String CANARY = "canary-4b1d0e";

    @TempDir
    Path home;
    private final MutableClock clock = MutableClock.now();
    private final MemoryClipboard clipboard = new MemoryClipboard();
    private final AtomicReference<RecordingVault> recorder = new AtomicReference<>();
    private ConsoleViewModel console;
    private SecretsViewModel vm;

    @BeforeAll
    static void fx() {
        Fx.start();
    }

    @BeforeEach
    void setUp() {
        console = TestConsoles.unlocked(TestConsoles.config(home, clock, clipboard).withOpener(o -> {
            RecordingVault r = new RecordingVault(Keyward.open(o));
            recorder.set(r);
            return r;
        }));
        var c = console.caller(null);
        console.vault().secrets().write(c, "team/db/password", SecretData.of(Map.of("value", CANARY, "user", "app")),
                null);
        console.vault().secrets().writeMetadata(c, "team/db/password", new MetadataUpdate(null, null, null,
                Map.of("owner", "platform", "criticality", "high")));
        console.vault().secrets().write(c, "team/api/key", SecretData.of(Map.of("value", "k")), null);
        console.vault().secrets().write(c, "ops/ssh", SecretData.of(Map.of("value", "s")), null);
        vm = Fx.call(() -> new SecretsViewModel(console));
        Fx.run(vm::reload);
        Fx.until(() -> vm.rows().size() == 3);
    }

    @AfterEach
    void tearDown() {
        Fx.run(vm::close);
        console.close();
    }

    private void selectPassword() {
        Fx.run(() -> vm.select("team/db/password"));
        Fx.until(() -> vm.fields().size() == 2);
    }

    @Test
    void reloadListsEveryPathAndBuildsTheFolderTree() {
        assertEquals(List.of("ops/ssh", "team/api/key", "team/db/password"),
                vm.rows().stream().map(SecretRow::path).toList());
        SecretIndex.FolderNode root = vm.treeProperty().get();
        assertEquals(3, root.secrets());
        assertEquals(List.of("ops", "team"), root.children().stream().map(SecretIndex.FolderNode::name).toList());
    }

    @Test
    void typingFiltersAndAFolderNarrowsTheTable() {
        Fx.run(() -> vm.queryProperty().set("DB"));
        Fx.until(() -> vm.rows().size() == 1);
        Fx.run(() -> {
            vm.queryProperty().set("");
            vm.folderProperty().set("team/");
        });
        Fx.until(() -> vm.rows().size() == 2);
        assertTrue(vm.summaryProperty().get().startsWith("2 of 3"));
    }

    @Test
    void selectingShowsMetadataAndMaskedFieldsWithoutKeepingValues() {
        selectPassword();
        assertTrue(vm.fields().stream().noneMatch(FieldRow::revealed));
        assertTrue(vm.fields().stream().allMatch(f -> f.value() == null));
        assertEquals("platform", vm.ownerProperty().get());
        assertEquals("high", vm.criticalityProperty().get());
        assertEquals(1, vm.versions().size());
        assertEquals(List.of(SecretsViewModel.WHY_FIELDS), recorder.get().reads("team/db/password").stream()
                .map(RecordingVault.Call::justification).toList());
    }

    @Nested
    class Reveal {
        @Test
        void revealIsAReadWithItsOwnJustificationAndHidesAfterTheTimeout() {
            selectPassword();
            Fx.run(vm::reveal);
            Fx.until(() -> vm.revealedProperty().get());
            assertTrue(vm.fields().stream().anyMatch(f -> CANARY.equals(f.shown())));
            assertEquals(SecretsViewModel.WHY_REVEAL, recorder.get().reads("team/db/password").get(1)
                    .justification());
            clock.advance(console.settings().revealFor().minusSeconds(1));
            Fx.run(vm::tick);
            assertTrue(vm.revealedProperty().get());
            clock.advance(Duration.ofSeconds(1));
            Fx.run(vm::tick);
            assertFalse(vm.revealedProperty().get());
            assertTrue(vm.fields().stream().allMatch(f -> f.value() == null && FieldRow.MASK.equals(f.shown())));
        }

        @Test
        void revealIsInTheAuditLogWithItsJustificationAndNoValue() {
            selectPassword();
            Fx.run(vm::reveal);
            Fx.until(() -> vm.revealedProperty().get());
            var page = console.vault().audit().query(console.caller(null), new dev.keyward.vault.api.AuditQuery(null,
                    null, null, null, "secret.read", null, -1, 100));
            assertTrue(page.entries().stream().anyMatch(r -> SecretsViewModel.WHY_REVEAL.equals(r.justification())
                    && "ALLOW".equals(r.decision())), page.entries().toString());
            assertFalse(page.entries().toString().contains(CANARY));
        }

        @Test
        void fieldRowsNeverPrintTheirValue() {
            assertFalse(new FieldRow("value", CANARY, true).toString().contains(CANARY));
        }
    }

    @Nested
    class Clipboard {
        @Test
        void copiedValueIsClearedAfterThirtySeconds() {
            selectPassword();
            Fx.run(() -> vm.copy("value"));
            Fx.until(() -> clipboard.current().isPresent());
            assertEquals(CANARY, clipboard.current().orElseThrow());
            assertTrue(recorder.get().reads("team/db/password").get(1).justification()
                    .startsWith(SecretsViewModel.WHY_COPY));
            clock.advance(Duration.ofSeconds(29));
            Fx.run(console::tick);
            assertEquals(CANARY, clipboard.current().orElseThrow());
            clock.advance(Duration.ofSeconds(1));
            Fx.run(console::tick);
            assertTrue(clipboard.current().isEmpty());
        }

        @Test
        void somethingElseCopiedMeanwhileIsLeftAlone() {
            selectPassword();
            Fx.run(() -> vm.copy("value"));
            Fx.until(() -> clipboard.current().isPresent());
            clipboard.put("the user's own text");
            clock.advance(Duration.ofSeconds(31));
            Fx.run(vm::tick);
            assertEquals("the user's own text", clipboard.current().orElseThrow());
        }

        @Test
        void referenceNamesPathFieldAndVersion() {
            selectPassword();
            Fx.until(() -> vm.metadataProperty().get() != null);
            assertEquals("kw://team/db/password#user@1", Fx.call(() -> vm.copyReference("user")));
            assertEquals("kw://team/db/password#user@1", clipboard.current().orElseThrow());
        }
    }

    @Nested
    class Versions {
        @Test
        void deleteUndeleteAndDestroyChangeTheVersionState() {
            selectPassword();
            Fx.run(() -> vm.deleteVersion(1));
            Fx.until(() -> vm.versions().size() == 1
                    && vm.versions().get(0).state() == VersionRow.State.DELETED);
            assertTrue(vm.fields().isEmpty(), "a deleted current version has no readable fields");
            Fx.run(() -> vm.undelete(1));
            Fx.until(() -> vm.versions().size() == 1 && vm.versions().get(0).state() == VersionRow.State.ACTIVE
                    && vm.fields().size() == 2);
            Fx.run(() -> vm.destroy(1));
            Fx.until(() -> vm.versions().size() == 1 && vm.versions().get(0).state() == VersionRow.State.DESTROYED);
        }
    }

    @Test
    void aSealedVaultSendsTheConsoleBackToTheUnlockScreen() {
        console.vault().lifecycle().seal(console.caller(null));
        Fx.run(() -> vm.select("team/db/password"));
        Fx.until(() -> console.phase() == ConsoleViewModel.Phase.LOCKED);
        assertFalse(vm.errorProperty().get().isEmpty());
    }
}
