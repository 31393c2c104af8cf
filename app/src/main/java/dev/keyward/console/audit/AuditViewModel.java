package dev.keyward.console.audit;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.common.Background;
import dev.keyward.vault.api.AuditPage;
import dev.keyward.vault.api.AuditQuery;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.AuditService;
import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.InclusionProof;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.TreeHead;
import java.util.List;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;

/**
 * The audit log: filtered pages of entries, an entry's inclusion proof, "Verify log" with
 * progress, and the signed tree heads.
 */
public final class AuditViewModel {
    public static final int PAGE = 200;

    private final ConsoleViewModel console;
    private final ObservableList<AuditRecord> entries = FXCollections.observableArrayList();
    private final ObservableList<TreeHead> heads = FXCollections.observableArrayList();
    private final ReadOnlyDoubleWrapper verifyProgress = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyStringWrapper verifyResult = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper detail = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper pageInfo = new ReadOnlyStringWrapper("");
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
            verifyResult.set(v.ok()
                    ? "Verified: " + v.entries() + " entries, " + v.headsVerified() + " signed heads, no problems."
                    : "PROBLEMS FOUND: " + v.problems().size() + " \u2014 " + v.problems());
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
