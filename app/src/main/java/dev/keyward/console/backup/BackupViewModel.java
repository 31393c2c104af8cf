package dev.keyward.console.backup;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.BackupInfo;
import dev.keyward.vault.api.BackupProgress;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.PassphraseRating;
import java.nio.CharBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.concurrent.Task;

/**
 * The Backup screen: a new backup file, protected by the vault's unseal material or by a separate
 * backup passphrase (rated like every passphrase, typed twice), written by the vault's backup
 * service in the background with its progress, then its file, records, size, SHA-256 and signed
 * audit head. Attached to {@code keyward serve}, the service writes the file on the vault host as a
 * job whose progress the console polls.
 */
public final class BackupViewModel {
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private final ConsoleViewModel console;
    private final StringProperty file = new SimpleStringProperty("");
    private final BooleanProperty withPassphrase = new SimpleBooleanProperty(false);
    private final BooleanProperty acceptWeak = new SimpleBooleanProperty(false);
    private final ReadOnlyDoubleWrapper strength = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyStringWrapper strengthLabel = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper weak = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyStringWrapper progressText = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<BackupInfo> result = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper schedule = new ReadOnlyStringWrapper("");
    private long ratingGeneration;

    public BackupViewModel(ConsoleViewModel console) {
        this.console = console;
        file.addListener((o, a, b) -> error.set(""));
        withPassphrase.addListener((o, a, b) -> error.set(""));
    }

    /** The backup file (absolute, on the vault host); a new name next to the user's home by default. */
    public StringProperty fileProperty() {
        return file;
    }

    /** Protected by a separate backup passphrase (else by the vault's unseal material). */
    public BooleanProperty withPassphraseProperty() {
        return withPassphrase;
    }

    /** The operator read the warning and uses a weak (score 2) backup passphrase anyway. */
    public BooleanProperty acceptWeakProperty() {
        return acceptWeak;
    }

    public ReadOnlyDoubleProperty strengthProperty() {
        return strength.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty strengthLabelProperty() {
        return strengthLabel.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty weakProperty() {
        return weak.getReadOnlyProperty();
    }

    /** 0 to 1 while a backup runs with known progress, -1 while indeterminate. */
    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty progressTextProperty() {
        return progressText.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    /** Why the last backup did not happen (a sentence, never a secret). */
    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    /** The last backup made, or null. */
    public ReadOnlyObjectProperty<BackupInfo> resultProperty() {
        return result.getReadOnlyProperty();
    }

    /** The scheduled backups of {@code keyward serve} for this directory, as keyward.properties sets them. */
    public ReadOnlyStringProperty scheduleProperty() {
        return schedule.getReadOnlyProperty();
    }

    /** Where the file goes and who writes it. */
    public String whereNote() {
        return console.mode() == ConsoleViewModel.Mode.ATTACHED
                ? "Attached: keyward serve writes the file on the vault host (this machine), as the logged-in operator,"
                + " and the console follows its progress."
                : "The console writes the file from a consistent snapshot; the vault keeps serving meanwhile.";
    }

    /** A new file name in the user's home directory. */
    public String suggestedFile() {
        Instant now = console.clock().instant();
        return Path.of(System.getProperty("user.home", ".")).toAbsolutePath()
                .resolve("keyward-backup-" + NAME.format(now) + ".kwbak").toString();
    }

    /** Reads the schedule line (keyward.properties) in the background. */
    public void loadSchedule() {
        console.background().run(() -> Keyward.describeBackupSchedule(console.config().home()), schedule::set,
                schedule::set);
    }

    /** Rates the backup passphrase as it is typed (zxcvbn, off the FX thread; the newest keystroke wins). */
    public void passphraseChanged(CharSequence passphrase) {
        long gen = ++ratingGeneration;
        error.set("");
        if (passphrase == null || passphrase.length() == 0) {
            strength.set(0);
            strengthLabel.set("");
            weak.set(false);
            return;
        }
        String snapshot = passphrase.toString();
        console.background().run(() -> Keyward.ratePassphrase(snapshot), r -> {
            if (gen != ratingGeneration) {
                return;
            }
            strength.set(Math.max(0.05, r.score() / 4.0));
            strengthLabel.set(r.sentence());
            weak.set(r.verdict() == PassphraseRating.Verdict.CONFIRM);
        }, strengthLabel::set);
    }

    /**
     * Starts the backup; null (with the reason in {@link #errorProperty()}) when the form is
     * incomplete. Both arrays are wiped.
     */
    public Task<BackupInfo> backUp(char[] passphrase, char[] confirm) {
        try {
            error.set("");
            result.set(null);
            if (running.get()) {
                return null;
            }
            String name = file.get() == null ? "" : file.get().strip();
            if (name.isEmpty()) {
                error.set("Choose the backup file.");
                return null;
            }
            Path target = Path.of(name).toAbsolutePath().normalize();
            boolean pass = withPassphrase.get();
            if (pass && (passphrase == null || passphrase.length == 0)) {
                error.set("Enter a backup passphrase, or protect the backup with the unseal material.");
                return null;
            }
            if (pass && !Arrays.equals(passphrase, confirm)) {
                error.set("The two backup passphrases differ.");
                return null;
            }
            char[] secret = pass ? passphrase.clone() : null;
            boolean weakOk = acceptWeak.get();
            ProgressTask<BackupInfo> task = new ProgressTask<>(report -> {
                try {
                    if (secret != null) {
                        requireStrong(secret, weakOk);
                    }
                    return console.vault().backups().backup(console.caller("console: backup"), target, secret,
                            report);
                } finally {
                    if (secret != null) {
                        Arrays.fill(secret, '\0');
                    }
                }
            });
            running.set(true);
            progress.bind(task.progressProperty());
            progressText.bind(task.messageProperty());
            return console.background().submit(task, info -> {
                finish();
                progress.set(1);
                progressText.set(BackupProgress.of(BackupProgress.Phase.DONE).describe());
                result.set(info);
                file.set(suggestedFile());
            }, msg -> {
                finish();
                progress.set(0);
                progressText.set("");
                error.set(msg);
            });
        } finally {
            wipe(passphrase);
            wipe(confirm);
        }
    }

    private void finish() {
        running.set(false);
        progress.unbind();
        progressText.unbind();
    }

    /** Refuses a passphrase below zxcvbn's floor, and a weak one unless accepted. Off the FX thread. */
    static void requireStrong(char[] passphrase, boolean accepted) {
        PassphraseRating r = Keyward.ratePassphrase(CharBuffer.wrap(passphrase));
        if (r.verdict() == PassphraseRating.Verdict.REFUSED) {
            throw new InvalidRequestException("Backup passphrase: " + r.sentence());
        }
        if (r.verdict() == PassphraseRating.Verdict.CONFIRM && !accepted) {
            throw new InvalidRequestException("Backup passphrase: " + r.sentence() + " Tick \"Use this passphrase"
                    + " anyway\" to use it all the same.");
        }
    }

    /** The result's lines: file, records, size, SHA-256 and the audit head. */
    public static String describe(BackupInfo b) {
        StringBuilder sb = new StringBuilder();
        sb.append("File: ").append(b.file()).append('\n');
        sb.append("Records: ").append(String.format(java.util.Locale.ROOT, "%,d", b.records())).append('\n');
        sb.append("Size: ").append(BackupProgress.size(b.bytes())).append(" (").append(b.bytes()).append(" bytes)\n");
        sb.append("Protection: ").append(BackupInfo.FOR_PASSPHRASE.equals(b.protection()) ? "backup passphrase"
                : "the vault's unseal material (" + b.sealType() + " seal)").append('\n');
        sb.append("SHA-256: ").append(b.sha256());
        if (b.auditHead() != null) {
            sb.append('\n').append("Signed audit head: ").append(b.auditHead().treeSize()).append(" entries, fingerprint ")
                    .append(b.auditHead().fingerprint());
        }
        return sb.toString();
    }

    private static void wipe(char[] a) {
        if (a != null) {
            Arrays.fill(a, '\0');
        }
    }
}
