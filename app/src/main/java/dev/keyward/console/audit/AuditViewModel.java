package dev.keyward.console.audit;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.common.Background;
import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.AuditExport;
import dev.keyward.vault.api.AuditPage;
import dev.keyward.vault.api.AuditQuery;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.AuditService;
import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.InclusionProof;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.TreeHead;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;

/**
 * The audit log: filtered pages of entries, an entry's inclusion proof, "Verify log" with
 * progress, the signed tree heads, and export of an evidence bundle (the ZIP file that
 * {@code keyward audit export} writes, see docs/audit-format.md) with progress, which can be
 * checked offline again here.
 */
public final class AuditViewModel {
    public static final int PAGE = 200;
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneId.systemDefault());

    private final ConsoleViewModel console;
    private final ObservableList<AuditRecord> entries = FXCollections.observableArrayList();
    private final ObservableList<TreeHead> heads = FXCollections.observableArrayList();
    private final ReadOnlyDoubleWrapper verifyProgress = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyStringWrapper verifyResult = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper detail = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper pageInfo = new ReadOnlyStringWrapper("");
    private final ReadOnlyDoubleWrapper exportProgress = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyStringWrapper exportResult = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper exporting = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyStringWrapper headFingerprint = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper headSize = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper exportFailed = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper verifyFailed = new ReadOnlyBooleanWrapper(false);
    private AuditQuery query = AuditQuery.all(PAGE);
    private Long nextAfter;

    public AuditViewModel(ConsoleViewModel console) {
        this.console = console;
    }

    private AuditService service() {
        return console.vault().audit();
    }

    public ObservableList<AuditRecord> entries() {
        return FXCollections.unmodifiableObservableList(entries);
    }

    public ObservableList<TreeHead> heads() {
        return FXCollections.unmodifiableObservableList(heads);
    }

    /** 0..1 while "Verify log" runs. */
    public ReadOnlyDoubleProperty verifyProgressProperty() {
        return verifyProgress.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty verifyResultProperty() {
        return verifyResult.getReadOnlyProperty();
    }

    /** 0..1 while an export runs. */
    public ReadOnlyDoubleProperty exportProgressProperty() {
        return exportProgress.getReadOnlyProperty();
    }

    /** What the last export or bundle check found, as a sentence. */
    public ReadOnlyStringProperty exportResultProperty() {
        return exportResult.getReadOnlyProperty();
    }

    /** The fingerprint of the latest (or the selected) signed head: selectable, copyable. */
    public ReadOnlyStringProperty headFingerprintProperty() {
        return headFingerprint.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty headSizeProperty() {
        return headSize.getReadOnlyProperty();
    }

    /** True when the last export or bundle check failed (the bundle is tampered, or the export broke). */
    public ReadOnlyBooleanProperty exportFailedProperty() {
        return exportFailed.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty verifyFailedProperty() {
        return verifyFailed.getReadOnlyProperty();
    }

    /** Shows a head's fingerprint (the latest when {@code h} is null). */
    public void showHead(TreeHead h) {
        TreeHead shown = h != null ? h : heads.isEmpty() ? null : heads.get(0);
        headFingerprint.set(shown == null ? "" : shown.fingerprint());
        headSize.set(shown == null ? "No signed head yet" : (shown == (heads.isEmpty() ? null : heads.get(0))
                ? "Latest signed head, " : "Signed head, ") + "size " + shown.treeSize());
    }

    /** Puts the shown fingerprint on the clipboard (it is not a secret: record it outside the vault). */
    public void copyFingerprint() {
        if (!headFingerprint.get().isEmpty()) {
            console.clipboardGuard().copyPlain(headFingerprint.get());
        }
    }

    /** A verification's problems as one sentence: how many, then each, kind and entry first. */
    static String problems(AuditVerification v) {
        StringBuilder sb = new StringBuilder();
        sb.append(v.problems().size()).append(v.problems().size() == 1 ? " problem: " : " problems: ");
        v.problems().stream().limit(5).forEach(p -> sb.append(p.kind().name().toLowerCase(java.util.Locale.ROOT)
                .replace('_', ' ')).append(p.sequence() >= 0 ? " (entry " + p.sequence() + ")" : "").append(" \u2014 ")
                .append(p.detail()).append(' '));
        if (v.problems().size() > 5) {
            sb.append("and ").append(v.problems().size() - 5).append(" more.");
        }
        return sb.toString().strip();
    }

    public ReadOnlyBooleanProperty exportingProperty() {
        return exporting.getReadOnlyProperty();
    }

    /** Where exports go unless the operator picks another place: {@code $KEYWARD_HOME/exports}. */
    public Path exportDirectory() {
        return console.config().home().resolve("exports");
    }

    /** The export directory, created if missing; null when it cannot be (the result says why). */
    public Path prepareExportDirectory() {
        try {
            return Files.createDirectories(exportDirectory());
        } catch (java.io.IOException e) {
            exportResult.set("The export folder " + exportDirectory() + " cannot be created: "
                    + e.getClass().getSimpleName() + ".");
            return null;
        }
    }

    /** A new file name for a bundle exported now. */
    public String suggestedExportName() {
        return "audit-evidence-" + FILE_TIME.format(console.clock().instant()) + ".zip";
    }

    /**
     * Writes an evidence bundle: signs a head over every entry, then writes entries, heads and
     * public keys to {@code file}, which must not exist. Returns null when the file is refused.
     */
    public Task<AuditExport> exportBundle(Path file) {
        if (file == null) {
            return null;
        }
        if (Files.exists(file)) {
            exportResult.set("A file named " + file.getFileName() + " already exists: an export never overwrites. "
                    + "Choose a new name.");
            return null;
        }
        if (file.getParent() == null || !Files.isDirectory(file.getParent())) {
            exportResult.set("The folder for " + file.getFileName() + " does not exist.");
            return null;
        }
        var c = console.caller(null);
        exporting.set(true);
        exportProgress.set(0);
        exportResult.set("Exporting\u2026");
        return console.background().attempt(() -> service().exportBundle(c, file, (done, total) -> {
            double f = total <= 0 ? -1 : Math.min(1, (double) done / total);
            Platform.runLater(() -> exportProgress.set(f));
        }), x -> {
            exporting.set(false);
            exportProgress.set(1);
            exportResult.set("Exported " + x.entries() + " entries to " + x.file() + ". Signed head of size "
                    + x.head().treeSize() + ", fingerprint " + x.head().fingerprint()
                    + " \u2014 record it outside the vault.");
            loadHeads();
            console.refreshTreeHead();
        }, t -> {
            exporting.set(false);
            exportProgress.set(0);
            exportResult.set("Export failed: " + Background.describe(t));
            console.handle(t);
        });
    }

    /**
     * Checks an exported bundle offline (no vault call), as an auditor would: every entry, the
     * Merkle tree and every head's signature, and optionally that a recorded fingerprint is in it.
     */
    public Task<AuditVerification> verifyBundle(Path file, String recordedFingerprint) {
        if (file == null) {
            return null;
        }
        if (!Files.isRegularFile(file)) {
            exportResult.set("There is no file " + file + ".");
            return null;
        }
        String fp = recordedFingerprint == null || recordedFingerprint.isBlank() ? null : recordedFingerprint.strip();
        exporting.set(true);
        exportProgress.set(0);
        exportResult.set("Checking " + file.getFileName() + "\u2026");
        return console.background().attempt(() -> Keyward.verifyAuditBundle(file, fp, (done, total) -> {
            double f = total <= 0 ? -1 : Math.min(1, (double) done / total);
            Platform.runLater(() -> exportProgress.set(f));
        }), v -> {
            exporting.set(false);
            exportProgress.set(1);
            exportFailed.set(!v.ok());
            exportResult.set(v.ok()
                    ? "Bundle verified: " + v.entries() + " entries, " + v.headsVerified() + " signed heads"
                            + (fp == null ? "" : ", the recorded head is in it") + ", no problems."
                    : "The bundle FAILED verification: it was changed after export or is not a Keyward bundle. "
                            + problems(v));
        }, t -> {
            exporting.set(false);
            exportProgress.set(0);
            exportFailed.set(true);
            exportResult.set("The bundle could not be checked: " + Background.describe(t));
        });
    }

    public ReadOnlyStringProperty detailProperty() {
        return detail.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty pageInfoProperty() {
        return pageInfo.getReadOnlyProperty();
    }

    /** Applies filters (blank = any) and loads the first page. */
    public Task<AuditPage> search(String identity, String pathPrefix, String operation, String decision) {
        try {
            query = new AuditQuery(null, null, blank(identity), blank(pathPrefix), blank(operation), blank(decision),
                    -1, PAGE);
        } catch (InvalidRequestException e) {
            error.set(e.getMessage());
            return null;
        }
        entries.clear();
        return load(query);
    }

    /** Loads the next page, if there is one. */
    public Task<AuditPage> nextPage() {
        if (nextAfter == null) {
            return null;
        }
        return load(query.after(nextAfter));
    }

    private Task<AuditPage> load(AuditQuery q) {
        var c = console.caller(null);
        return console.background().attempt(() -> service().query(c, q), page -> {
            error.set("");
            entries.addAll(page.entries());
            nextAfter = page.nextAfter();
            pageInfo.set(entries.size() + " entries" + (nextAfter != null ? " (more available)" : ""));
        }, this::failed);
    }

    public Task<List<TreeHead>> loadHeads() {
        var c = console.caller(null);
        return console.background().attempt(() -> service().heads(c, 0, 500), h -> {
            List<TreeHead> newestFirst = new java.util.ArrayList<>(h);
            java.util.Collections.reverse(newestFirst);
            heads.setAll(newestFirst);
            showHead(null);
            console.refreshTreeHead();
        }, this::failed);
    }

    /** Signs a new tree head over every entry now in the log. */
    public Task<TreeHead> issueHead() {
        var c = console.caller(null);
        return console.background().attempt(() -> service().issueHead(c), h -> {
            loadHeads();
            console.refreshTreeHead();
        }, this::failed);
    }

    /** Shows an entry with its inclusion proof in the latest signed head. */
    public Task<InclusionProof> showEntry(AuditRecord r) {
        if (r == null) {
            detail.set("");
            return null;
        }
        String base = describe(r);
        detail.set(base);
        var c = console.caller(null);
        return console.background().attempt(() -> service().inclusionProof(c, r.sequence(), 0), p -> detail.set(base
                + "\n\nInclusion proof: leaf " + p.leafHash() + "\n  " + p.path().size() + " hashes up to the head of size "
                + p.head().treeSize() + " (fingerprint " + p.head().fingerprint() + ")"), t -> detail.set(base
                + "\n\nInclusion proof: " + Background.describe(t)));
    }

    static String describe(AuditRecord r) {
        return "#" + r.sequence() + "  " + r.time() + "\n" + r.operation() + " " + (r.resource() == null ? ""
                : r.resource()) + "\nby " + r.identityName() + " (" + r.authMethod() + ") from " + r.sourceAddress()
                + "\ndecision " + r.decision() + (r.rule() == null ? "" : " by " + r.rule()) + ", outcome "
                + r.outcome() + (r.errorClass() == null ? "" : " (" + r.errorClass() + ")")
                + (r.justification() == null ? "" : "\njustification: " + r.justification());
    }

    /** Recomputes the whole log and every signed head, reporting progress. */
    public Task<AuditVerification> verify() {
        var c = console.caller(null);
        verifyProgress.set(0);
        verifyResult.set("Verifying\u2026");
        return console.background().attempt(() -> service().verify(c, null, (done, total) -> {
            double f = total <= 0 ? 1 : Math.min(1, (double) done / total);
            Platform.runLater(() -> verifyProgress.set(f));
        }), v -> {
            verifyProgress.set(1);
            verifyFailed.set(!v.ok());
            verifyResult.set(v.ok()
                    ? "Verified: " + v.entries() + " entries, " + v.headsVerified() + " signed heads, no problems."
                    : "The log FAILED verification: " + problems(v));
        }, t -> {
            verifyResult.set(Background.describe(t));
            console.handle(t);
        });
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private void failed(Throwable t) {
        error.set(Background.describe(t));
        console.handle(t);
    }
}
