package dev.keyward.console.backup;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.BackupInfo;
import dev.keyward.vault.api.BackupProgress;
import dev.keyward.vault.api.Pkcs11SealSpec;
import dev.keyward.vault.api.ShamirSealSpec;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.VaultStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.concurrent.Task;

/**
 * Restore from a backup, offline, into the console's own vault directory, which must be empty (or
 * hold only the never-initialised vault the console opened for its set-up screen). The file's
 * header says what opens it: the backup passphrase, or the unseal material of the seal in it (its
 * passphrase, HSM PIN or shares). The console closes its vault, restores with progress, and opens
 * the directory again; a truncated or altered file, a wrong passphrase and a non-empty directory are
 * refused by the restore and change nothing.
 */
public final class RestoreViewModel {
    /** What opens the chosen backup. */
    public enum Needs { NOTHING_YET, BACKUP_PASSPHRASE, UNSEAL_PASSPHRASE, PIN, SHARES }

    private final ConsoleViewModel console;
    private final StringProperty file = new SimpleStringProperty("");
    private final ReadOnlyObjectWrapper<Needs> needs = new ReadOnlyObjectWrapper<>(Needs.NOTHING_YET);
    private final ReadOnlyStringWrapper header = new ReadOnlyStringWrapper("");
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyStringWrapper progressText = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<BackupInfo> result = new ReadOnlyObjectWrapper<>();
    private long inspection;

    public RestoreViewModel(ConsoleViewModel console) {
        this.console = console;
        file.addListener((o, a, b) -> inspect());
    }

    public StringProperty fileProperty() {
        return file;
    }

    public ReadOnlyObjectProperty<Needs> needsProperty() {
        return needs.getReadOnlyProperty();
    }

    /** What the chosen file's header says (time, protection, seal, SHA-256), once its SHA-256 checked out. */
    public ReadOnlyStringProperty headerProperty() {
        return header.getReadOnlyProperty();
    }

    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty progressTextProperty() {
        return progressText.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    /** What was restored, or null. */
    public ReadOnlyObjectProperty<BackupInfo> resultProperty() {
        return result.getReadOnlyProperty();
    }

    /** The console's vault directory. */
    public Path home() {
        return console.config().home();
    }

    /** The directory the backup goes into. */
    public String target() {
        return "Restores into " + console.config().home() + ", which must be empty: the restored vault comes up sealed"
                + " and its first unseal records the restore in the audit log.";
    }

    /** The label of the one secret the file needs. */
    public static String credentialLabel(Needs n) {
        return switch (n) {
            case BACKUP_PASSPHRASE -> "Backup passphrase";
            case UNSEAL_PASSPHRASE -> "Unseal passphrase of the backed-up vault";
            case PIN -> "HSM user PIN (the same token must be present)";
            case SHARES -> "Unseal shares, one per line";
            case NOTHING_YET -> "Passphrase";
        };
    }

    /** Checks the chosen file's SHA-256 and reads its header in the background (no key needed). */
    private void inspect() {
        long gen = ++inspection;
        error.set("");
        header.set("");
        result.set(null);
        needs.set(Needs.NOTHING_YET);
        String name = file.get() == null ? "" : file.get().strip();
        if (name.isEmpty()) {
            return;
        }
        Path p = Path.of(name).toAbsolutePath();
        console.background().run(() -> Keyward.inspectBackup(p), h -> {
            if (gen != inspection) {
                return;
            }
            needs.set(needsFor(h));
            header.set("Backup of " + h.created() + ", " + (BackupInfo.FOR_PASSPHRASE.equals(h.protection())
                    ? "protected by a backup passphrase" : "protected by the unseal material of its " + h.sealType()
                    + " seal") + ", " + BackupProgress.size(h.bytes()) + ", SHA-256 " + h.sha256() + ".");
        }, msg -> {
            if (gen == inspection) {
                error.set(msg);
            }
        });
    }

    static Needs needsFor(BackupInfo h) {
        if (BackupInfo.FOR_PASSPHRASE.equals(h.protection())) {
            return Needs.BACKUP_PASSPHRASE;
        }
        if (Pkcs11SealSpec.TYPE.equals(h.sealType())) {
            return Needs.PIN;
        }
        return ShamirSealSpec.TYPE.equals(h.sealType()) ? Needs.SHARES : Needs.UNSEAL_PASSPHRASE;
    }

    /**
     * Restores the chosen file with {@code secret} (a passphrase, a PIN, or shares one per line);
     * null with the reason in {@link #errorProperty()} when the form is incomplete. The array is wiped.
     */
    public Task<BackupInfo> restore(char[] secret) {
        try {
            if (running.get()) {
                return null;
            }
            String name = file.get() == null ? "" : file.get().strip();
            if (name.isEmpty()) {
                error.set("Choose the backup file.");
                return null;
            }
            if (needs.get() == Needs.NOTHING_YET) {
                // the file's check failed (its sentence stays) or is still running
                if (error.get().isEmpty()) {
                    error.set("The backup file is still being checked.");
                }
                return null;
            }
            error.set("");
            if (secret == null || secret.length == 0) {
                error.set("Enter the " + credentialLabel(needs.get()).toLowerCase(java.util.Locale.ROOT) + ".");
                return null;
            }
            Path p = Path.of(name).toAbsolutePath().normalize();
            Needs n = needs.get();
            char[] copy = secret.clone();
            Path home = console.config().home();
            VaultStatus[] reopened = {null};
            ProgressTask<BackupInfo> task = new ProgressTask<>(report -> {
                try {
                    console.releaseVault();
                    try {
                        return restoreNow(p, home, n, copy, report);
                    } finally {
                        reopened[0] = console.reopenVault();
                    }
                } finally {
                    Arrays.fill(copy, '\0');
                }
            });
            running.set(true);
            progress.bind(task.progressProperty());
            progressText.bind(task.messageProperty());
            return console.background().submit(task, info -> {
                finish();
                console.reopened(reopened[0]);
                progress.set(1);
                progressText.set(BackupProgress.of(BackupProgress.Phase.DONE).describe());
                result.set(info);
            }, msg -> {
                finish();
                console.reopened(reopened[0]);
                progress.set(0);
                progressText.set("");
                error.set(msg);
            });
        } finally {
            if (secret != null) {
                Arrays.fill(secret, '\0');
            }
        }
    }

    private static BackupInfo restoreNow(Path p, Path home, Needs n, char[] secret,
                                         java.util.function.Consumer<BackupProgress> report) {
        List<UnsealCredential> unseal = new ArrayList<>();
        try {
            switch (n) {
                case BACKUP_PASSPHRASE -> {
                    return Keyward.restore(p, home, secret.clone(), null, report);
                }
                case PIN -> unseal.add(UnsealCredential.pin(secret));
                case SHARES -> {
                    for (char[] share : lines(secret)) {
                        unseal.add(UnsealCredential.share(share));
                        Arrays.fill(share, '\0');
                    }
                }
                default -> unseal.add(UnsealCredential.passphrase(secret));
            }
            return Keyward.restore(p, home, null, unseal, report);
        } finally {
            unseal.forEach(UnsealCredential::close);
        }
    }

    /** The non-blank lines of {@code text}, trimmed, each in an array of its own (no String made). */
    static List<char[]> lines(char[] text) {
        List<char[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= text.length; i++) {
            if (i == text.length || text[i] == '\n' || text[i] == '\r') {
                int a = start;
                int b = i;
                while (a < b && Character.isWhitespace(text[a])) {
                    a++;
                }
                while (b > a && Character.isWhitespace(text[b - 1])) {
                    b--;
                }
                if (b > a) {
                    out.add(Arrays.copyOfRange(text, a, b));
                }
                start = i + 1;
            }
        }
        return out;
    }

    private void finish() {
        running.set(false);
        progress.unbind();
        progressText.unbind();
    }

    /** The result's lines. */
    public static String describe(BackupInfo b, Path home) {
        StringBuilder sb = new StringBuilder();
        sb.append("Restored ").append(String.format(java.util.Locale.ROOT, "%,d", b.records())).append(" records from ")
                .append(b.file()).append(" into ").append(home).append('\n');
        sb.append("Backup taken: ").append(b.created()).append('\n');
        sb.append("SHA-256: ").append(b.sha256());
        if (b.auditHead() != null) {
            sb.append('\n').append("Audit head in the backup: ").append(b.auditHead().treeSize())
                    .append(" entries, fingerprint ").append(b.auditHead().fingerprint());
        }
        return sb.toString();
    }

    /** Back to the set-up or unlock screen (the unlock screen once a vault was restored). */
    public void close() {
        console.showRestore(false);
    }
}
