package dev.keyward.console.policies;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.common.Background;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.PolicyFileException;
import dev.keyward.vault.api.PolicyService;
import dev.keyward.vault.api.PolicyService.ApplyResult;
import dev.keyward.vault.api.PolicyService.Explanation;
import dev.keyward.vault.api.PolicyService.PolicyInfo;
import java.util.List;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;

/**
 * Policies: the list, the policy-as-code YAML editor (validated by a dry run, errors at their
 * line), the explain panel, and each policy's history with diff and rollback.
 */
public final class PoliciesViewModel {
    private final ConsoleViewModel console;
    private final ObservableList<PolicyInfo> policies = FXCollections.observableArrayList();
    private final ObservableList<PolicyInfo> history = FXCollections.observableArrayList();
    private final StringProperty yaml = new SimpleStringProperty("");
    private final ReadOnlyStringWrapper yamlMessage = new ReadOnlyStringWrapper("");
    private final ReadOnlyIntegerWrapper errorLine = new ReadOnlyIntegerWrapper(0);
    private final ReadOnlyIntegerWrapper errorColumn = new ReadOnlyIntegerWrapper(0);
    private final ReadOnlyStringWrapper diff = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper explanation = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper selected = new ReadOnlyStringWrapper();

    public PoliciesViewModel(ConsoleViewModel console) {
        this.console = console;
        // A validation result or error line describes the text as it was: it goes when the text changes.
        yaml.addListener((o, a, b) -> clearYamlError());
    }

    private PolicyService service() {
        return console.vault().policies();
    }

    public ObservableList<PolicyInfo> policies() {
        return FXCollections.unmodifiableObservableList(policies);
    }

    public ObservableList<PolicyInfo> history() {
        return FXCollections.unmodifiableObservableList(history);
    }

    /** The policy-as-code document being edited. */
    public StringProperty yamlProperty() {
        return yaml;
    }

    public ReadOnlyStringProperty yamlMessageProperty() {
        return yamlMessage.getReadOnlyProperty();
    }

    /** The line of the last validation error (1-based), or 0. */
    public ReadOnlyIntegerProperty errorLineProperty() {
        return errorLine.getReadOnlyProperty();
    }

    public ReadOnlyIntegerProperty errorColumnProperty() {
        return errorColumn.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty diffProperty() {
        return diff.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty explanationProperty() {
        return explanation.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty selectedProperty() {
        return selected.getReadOnlyProperty();
    }

    /** Loads the list and the exported policy-as-code document. */
    public Task<String> reload() {
        var c = console.caller(null);
        return console.background().attempt(() -> {
            List<PolicyInfo> list = service().list(c);
            String doc = service().exportYaml(c);
            javafx.application.Platform.runLater(() -> policies.setAll(list));
            return doc;
        }, doc -> {
            yaml.set(doc);
            clearYamlError();
        }, this::failed);
    }

    private void clearYamlError() {
        errorLine.set(0);
        errorColumn.set(0);
        yamlMessage.set("");
    }

    /** Checks the document with a dry run: lists what would change, or the error at its line. */
    public Task<ApplyResult> validate() {
        return applyYaml(true, null);
    }

    /** Applies the document: the live policies, roles and bindings are made to match it. */
    public Task<ApplyResult> apply(String reason) {
        if (reason == null || reason.isBlank()) {
            yamlMessage.set("Say why you change the policies: the reason is kept with each new version.");
            return null;
        }
        return applyYaml(false, reason.strip());
    }

    private Task<ApplyResult> applyYaml(boolean dryRun, String reason) {
        var c = console.caller(null);
        String doc = yaml.get();
        clearYamlError();
        return console.background().attempt(() -> service().apply(c, doc, dryRun, reason), r -> {
            if (r.noChanges()) {
                yamlMessage.set(dryRun ? "Valid. Applying it would change nothing." : "Applied: nothing changed.");
            } else {
                StringBuilder sb = new StringBuilder(dryRun ? "Valid. Applying it would:\n" : "Applied:\n");
                r.changes().forEach(ch -> sb.append("  ").append(ch.action().name().toLowerCase()).append(' ')
                        .append(ch.kind()).append(' ').append(ch.name()).append('\n'));
                yamlMessage.set(sb.toString().stripTrailing());
            }
            if (!dryRun) {
                reload();
            }
        }, t -> {
            if (t instanceof PolicyFileException p) {
                errorLine.set(p.line());
                errorColumn.set(p.column());
                yamlMessage.set(describe(p));
            } else {
                yamlMessage.set(Background.describe(t));
                console.handle(t);
            }
        });
    }

    /** "Line 7, column 24: Unknown capability 'reed': use one of ..." */
    static String describe(PolicyFileException p) {
        String m = p.getMessage() == null ? "" : p.getMessage().replaceFirst("^line \\d+, column \\d+: ", "");
        if (!m.isEmpty()) {
            m = Character.toUpperCase(m.charAt(0)) + m.substring(1);
        }
        return "Line " + p.line() + ", column " + p.column() + ": " + m + (m.endsWith(".") ? "" : ".");
    }

    /** Shows a policy's versions. */
    public Task<List<PolicyInfo>> select(String name) {
        selected.set(name);
        diff.set("");
        if (name == null) {
            history.clear();
            return null;
        }
        var c = console.caller(null);
        return console.background().attempt(() -> service().history(c, name), h -> {
            if (name.equals(selected.get())) {
                List<PolicyInfo> newestFirst = new java.util.ArrayList<>(h);
                java.util.Collections.reverse(newestFirst);
                history.setAll(newestFirst);
            }
        }, this::failed);
    }

    /** The line diff from an old version to the current one. */
    public Task<PolicyService.PolicyDiff> diffToCurrent(int version) {
        String name = selected.get();
        if (name == null || history.isEmpty()) {
            return null;
        }
        int current = history.get(0).version();
        var c = console.caller(null);
        return console.background().attempt(() -> service().diff(c, name, version, current),
                d -> diff.set(d.lines().isEmpty() ? "No differences between v" + version + " and v" + current + "."
                        : String.join("\n", d.lines())), this::failed);
    }

    /** Makes an old version current again (as a new version). */
    public Task<PolicyInfo> rollback(int version, String reason) {
        String name = selected.get();
        if (name == null) {
            return null;
        }
        var c = console.caller(null);
        return console.background().attempt(() -> service().rollback(c, name, version,
                reason == null || reason.isBlank() ? "rollback from the console" : reason), p -> {
                    select(name);
                    reload();
                }, this::failed);
    }

    /** "Can identity X do operation Y on path Z?" with the deciding rule. */
    public Task<Explanation> explain(PolicyService.IdentityRef.Type type, String identity, Operation op, String path) {
        if (identity == null || identity.isBlank() || op == null) {
            explanation.set("Choose an identity and an operation.");
            return null;
        }
        var c = console.caller(null);
        var req = new PolicyService.ExplainRequest(new PolicyService.IdentityRef(type, identity.strip()), op,
                path == null || path.isBlank() ? null : path.strip(), null);
        return console.background().attempt(() -> service().explain(c, req), e -> explanation.set(
                (e.allowed() ? "ALLOWED" : "DENIED") + " by " + e.rule() + "\n" + e.reason()
                        + (e.failedCondition() != null ? "\nFailed condition: " + e.failedCondition() : "")
                        + "\nResource: " + e.resource() + "   needs: " + e.capability()
                        + "\nPolicies considered: " + String.join(", ", e.policies())),
                t -> {
                    explanation.set(Background.describe(t));
                    console.handle(t);
                });
    }

    private void failed(Throwable t) {
        error.set(Background.describe(t));
        console.handle(t);
    }
}
