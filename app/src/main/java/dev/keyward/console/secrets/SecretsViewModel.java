package dev.keyward.console.secrets;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.common.Background;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.SecretMetadata;
import dev.keyward.vault.api.SecretReference;
import dev.keyward.vault.api.SecretVersion;
import dev.keyward.vault.api.SecretsService;
import dev.keyward.vault.api.VersionMetadata;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;

/**
 * The secrets screen: the folder tree and the filtered table of paths, the selected secret's
 * metadata, versions and (masked) fields, reveal with auto-hide, copy with clipboard clearing.
 *
 * <p>Audit trail: selecting a secret reads its current version once to learn the field names
 * (justification "console: list fields"; the values are dropped at once). Reveal and copy are
 * separate reads with their own justification, so the audit log tells them apart.
 */
public final class SecretsViewModel implements AutoCloseable {
    public static final String WHY_FIELDS = "console: list fields";
    public static final String WHY_REVEAL = "console: reveal";
    public static final String WHY_COPY = "console: copy to clipboard";
    public static final String WHY_REVEAL_VERSION = "console: reveal version";
    public static final String WHY_RESTORE = "console: restore version";

    private final ConsoleViewModel console;
    private final ExecutorService filterExecutor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "keyward-filter");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong generation = new AtomicLong();
    private volatile SecretIndex index = SecretIndex.EMPTY;
    private volatile Map<String, SecretCatalog.Entry> catalog = Map.of();

    private final StringProperty query = new SimpleStringProperty("");
    private final StringProperty folder = new SimpleStringProperty("");
    private final ObservableList<SecretRow> rows = FXCollections.observableArrayList();
    private final ReadOnlyObjectWrapper<SecretIndex.FolderNode> tree = new ReadOnlyObjectWrapper<>(
            SecretIndex.EMPTY.tree());
    private final ReadOnlyLongWrapper filterMicros = new ReadOnlyLongWrapper();
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper loading = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper info = new ReadOnlyStringWrapper("");

    private final ReadOnlyStringWrapper selectedPath = new ReadOnlyStringWrapper();
    private final ReadOnlyObjectWrapper<SecretMetadata> metadata = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper owner = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper tags = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper criticality = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper expires = new ReadOnlyStringWrapper("");
    private final ObservableList<VersionRow> versions = FXCollections.observableArrayList();
    private final ObservableList<FieldRow> fields = FXCollections.observableArrayList();
    private final ReadOnlyBooleanWrapper revealed = new ReadOnlyBooleanWrapper(false);
    private Instant hideAt;

    public SecretsViewModel(ConsoleViewModel console) {
        this.console = Objects.requireNonNull(console);
        console.catalog().entriesProperty().addListener((o, a, m) -> {
            catalog = m;
            setIndex(index.withSearchable(searchable(m)));
        });
        catalog = console.catalog().entriesProperty().get();
        console.clipboardGuard().clearedProperty().addListener((o, a, b) -> {
            if (info.get().startsWith("Copied")) {
                info.set("The copied value was cleared from the clipboard.");
            }
        });
        query.addListener((o, a, b) -> refilter());
        folder.addListener((o, a, b) -> refilter());
    }

    // ---- properties

    public StringProperty queryProperty() {
        return query;
    }

    public StringProperty folderProperty() {
        return folder;
    }

    public ObservableList<SecretRow> rows() {
        return FXCollections.unmodifiableObservableList(rows);
    }

    public ReadOnlyObjectProperty<SecretIndex.FolderNode> treeProperty() {
        return tree.getReadOnlyProperty();
    }

    /** How long the last filter took, in microseconds. */
    public ReadOnlyLongProperty filterMicrosProperty() {
        return filterMicros.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty loadingProperty() {
        return loading.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty infoProperty() {
        return info.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty selectedPathProperty() {
        return selectedPath.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<SecretMetadata> metadataProperty() {
        return metadata.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty ownerProperty() {
        return owner.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty tagsProperty() {
        return tags.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty criticalityProperty() {
        return criticality.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty expiresProperty() {
        return expires.getReadOnlyProperty();
    }

    public ObservableList<VersionRow> versions() {
        return FXCollections.unmodifiableObservableList(versions);
    }

    public ObservableList<FieldRow> fields() {
        return FXCollections.unmodifiableObservableList(fields);
    }

    public ReadOnlyBooleanProperty revealedProperty() {
        return revealed.getReadOnlyProperty();
    }

    public SecretIndex index() {
        return index;
    }

    private SecretsService secrets() {
        return console.vault().secrets();
    }

    private Caller caller(String why) {
        return console.caller(why);
    }

    // ---- loading and filtering

    /** Lists every secret path (folder by folder) in the background and rebuilds the index. */
    public Task<SecretIndex> reload() {
        console.catalog().refresh();
        loading.set(true);
        error.set("");
        Caller c = caller(null);
        return console.background().attempt(() -> {
            List<String> all = new ArrayList<>();
            Deque<String> todo = new ArrayDeque<>();
            todo.push("");
            while (!todo.isEmpty()) {
                String f = todo.pop();
                for (String name : secrets().list(c, f)) {
                    if (name.endsWith("/")) {
                        todo.push(f + name);
                    } else {
                        all.add(f + name);
                    }
                }
            }
            return SecretIndex.of(all, searchable(catalog));
        }, idx -> {
            loading.set(false);
            // the catalog may have arrived while the paths were listed
            setIndex(idx.withSearchable(searchable(catalog)));
        }, this::failed);
    }

    private static Map<String, String> searchable(Map<String, SecretCatalog.Entry> m) {
        Map<String, String> out = new java.util.HashMap<>();
        m.forEach((p, e) -> out.put(p, e.searchable()));
        return out;
    }

    /** Replaces the index (also used by benchmarks and tests with a prepared index). */
    public void setIndex(SecretIndex idx) {
        index = idx;
        tree.set(idx.tree());
        refilter();
    }

    private void refilter() {
        long gen = generation.incrementAndGet();
        SecretIndex idx = index;
        String q = query.get();
        String f = folder.get();
        filterExecutor.execute(() -> {
            if (gen != generation.get()) {
                return;
            }
            long t0 = System.nanoTime();
            Map<String, SecretCatalog.Entry> cat = catalog;
            List<SecretRow> result = filterNow(idx, q, f).stream().map(r -> decorate(r, cat.get(r.path())))
                    .toList();
            long micros = (System.nanoTime() - t0) / 1000;
            Platform.runLater(() -> {
                if (gen == generation.get()) {
                    rows.setAll(result);
                    filterMicros.set(micros);
                    summary.set(result.size() + " of " + idx.size() + " secrets");
                }
            });
        });
    }

    private SecretRow decorate(SecretRow r, SecretCatalog.Entry e) {
        if (e == null) {
            return r;
        }
        return new SecretRow(r.path(), e.owner(), e.expires() == null ? "" : e.expires().toString(),
                console.catalog().state(e.expires()));
    }

    /** The filter itself, for measuring without the FX thread. */
    public static List<SecretRow> filterNow(SecretIndex idx, String query, String folder) {
        List<String> paths = idx.filter(query, folder);
        List<SecretRow> out = new ArrayList<>(paths.size());
        for (String p : paths) {
            out.add(new SecretRow(p));
        }
        return out;
    }

    // ---- selection

    public void select(String path) {
        hide();
        info.set("");
        error.set("");
        selectedPath.set(path);
        metadata.set(null);
        versions.clear();
        fields.clear();
        if (path == null) {
            return;
        }
        Caller c = caller(WHY_FIELDS);
        console.background().attempt(() -> {
            SecretMetadata m = secrets().readMetadata(c, path);
            List<String> names = List.of();
            VersionMetadata cur = m.versions().get(m.currentVersion());
            if (cur != null && !cur.destroyed() && !cur.deletedAt(console.clock().instant())) {
                SecretVersion v = secrets().read(c, path, 0);
                names = v.hasData() ? List.copyOf(v.data().fields().keySet()) : List.of();
            }
            return new Selection(m, names);
        }, sel -> {
            if (!path.equals(selectedPath.get())) {
                return;
            }
            showMetadata(sel.metadata());
            fields.setAll(sel.fieldNames().stream().map(FieldRow::masked).toList());
        }, this::failed);
    }

    private record Selection(SecretMetadata metadata, List<String> fieldNames) {
    }

    private void showMetadata(SecretMetadata m) {
        metadata.set(m);
        Map<String, String> cm = m.customMetadata();
        owner.set(cm.getOrDefault(SecretLabels.OWNER, ""));
        tags.set(cm.getOrDefault(SecretLabels.TAGS, ""));
        criticality.set(cm.getOrDefault(SecretLabels.CRITICALITY, ""));
        expires.set(cm.getOrDefault(SecretLabels.EXPIRES, ""));
        Instant now = console.clock().instant();
        List<VersionRow> vs = new ArrayList<>();
        m.versions().forEach((n, v) -> vs.add(new VersionRow(n, v.createdTime(),
                v.destroyed() ? VersionRow.State.DESTROYED
                        : v.deletedAt(now) ? VersionRow.State.DELETED : VersionRow.State.ACTIVE,
                n == m.currentVersion())));
        vs.sort((a, b) -> Integer.compare(b.version(), a.version()));
        versions.setAll(vs);
    }

    // ---- reveal and copy

    /** Reads the current version (audited as a reveal) and shows its values until the timeout. */
    public Task<SecretVersion> reveal() {
        String path = selectedPath.get();
        if (path == null) {
            return null;
        }
        Caller c = caller(WHY_REVEAL);
        return console.background().attempt(() -> secrets().read(c, path, 0), v -> {
            if (!path.equals(selectedPath.get()) || !v.hasData()) {
                return;
            }
            fields.setAll(v.data().fields().entrySet().stream()
                    .map(e -> new FieldRow(e.getKey(), e.getValue(), true)).toList());
            revealed.set(true);
            hideAt = console.clock().instant().plus(console.settings().revealFor());
        }, this::failed);
    }

    /** Reads the current version (audited as a reveal of one field) and shows only that field's value. */
    public Task<SecretVersion> revealField(String field) {
        String path = selectedPath.get();
        if (path == null || field == null) {
            return null;
        }
        Caller c = caller(WHY_REVEAL + " (" + field + ")");
        return console.background().attempt(() -> secrets().read(c, path, 0), v -> {
            if (!path.equals(selectedPath.get()) || !v.hasData()) {
                return;
            }
            String value = v.data().field(field);
            fields.setAll(fields.stream().map(f -> f.name().equals(field) && value != null
                    ? new FieldRow(f.name(), value, true) : FieldRow.masked(f.name())).toList());
            revealed.set(true);
            hideAt = console.clock().instant().plus(console.settings().revealFor());
        }, this::failed);
    }

    /** An old version's values, read once (audited as a reveal of that version) for a dialog that shows them. */
    public Task<SecretVersion> revealVersion(int version, java.util.function.Consumer<SecretVersion> show) {
        String path = selectedPath.get();
        if (path == null) {
            return null;
        }
        Caller c = caller(WHY_REVEAL_VERSION + " " + version);
        return console.background().attempt(() -> secrets().read(c, path, version), v -> {
            if (!v.hasData()) {
                error.set("Version " + version + " is deleted or destroyed: it has no values to show.");
                return;
            }
            show.accept(v);
        }, this::failed);
    }

    /**
     * Makes an old version's values current again as a new version (check-and-set against the
     * current version, so a change in between is reported rather than overwritten).
     */
    public Task<VersionMetadata> restoreVersion(int version) {
        String path = selectedPath.get();
        SecretMetadata m = metadata.get();
        if (path == null || m == null) {
            return null;
        }
        int current = m.currentVersion();
        Caller c = caller(WHY_RESTORE + " " + version);
        return console.background().attempt(() -> {
            SecretVersion old = secrets().read(c, path, version);
            if (!old.hasData()) {
                throw new dev.keyward.vault.api.InvalidRequestException("Version " + version
                        + " is deleted or destroyed: undelete it first, or pick another.");
            }
            return secrets().write(c, path, old.data(), current);
        }, v -> {
            info.set("Version " + version + " restored as version " + v.version() + ".");
            select(path);
            info.set("Version " + version + " restored as version " + v.version() + ".");
        }, this::failed);
    }

    /**
     * The selected secret as JSON for people: path, metadata, versions and fields, a value only
     * while it is revealed on screen (no vault call of its own).
     */
    public String json() {
        SecretMetadata m = metadata.get();
        if (m == null) {
            return "{}";
        }
        Map<String, Object> doc = new java.util.LinkedHashMap<>();
        doc.put("path", m.path());
        doc.put("current_version", m.currentVersion());
        doc.put("custom_metadata", new java.util.TreeMap<>(m.customMetadata()));
        Map<String, Object> vs = new java.util.LinkedHashMap<>();
        m.versions().forEach((n, v) -> vs.put(Integer.toString(n), Map.of("created_time", String.valueOf(
                v.createdTime()), "deleted", v.deletedAt(console.clock().instant()), "destroyed", v.destroyed())));
        doc.put("versions", vs);
        Map<String, String> data = new java.util.LinkedHashMap<>();
        fields.forEach(f -> data.put(f.name(), f.shown()));
        doc.put("data", data);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc);
        } catch (java.io.IOException e) {
            return "{}";
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** Masks the values again and forgets them. */
    public void hide() {
        hideAt = null;
        if (revealed.get()) {
            fields.setAll(fields.stream().map(f -> FieldRow.masked(f.name())).toList());
            revealed.set(false);
        }
    }

    /** Reads one field (audited as a copy) and puts it on the clipboard, to be cleared after the timeout. */
    public Task<SecretVersion> copy(String field) {
        String path = selectedPath.get();
        if (path == null || field == null) {
            return null;
        }
        Caller c = caller(WHY_COPY + " (" + field + ")");
        return console.background().attempt(() -> secrets().read(c, path, 0), v -> {
            String value = v.hasData() ? v.data().field(field) : null;
            if (value == null) {
                error.set("The current version has no field " + field + ".");
                return;
            }
            Duration d = console.clipboardGuard().copy(value);
            info.set("Copied " + field + ". The clipboard is cleared in " + d.toSeconds() + " s if unchanged.");
        }, this::failed);
    }

    /** Puts the {@code kw://} reference of a field of the current version on the clipboard. */
    public String copyReference(String field) {
        SecretMetadata m = metadata.get();
        if (m == null || field == null) {
            return null;
        }
        String ref = new SecretReference(m.path(), field, m.currentVersion()).format();
        console.clipboardGuard().copyPlain(ref);
        info.set("Copied the reference " + ref + ".");
        return ref;
    }

    /** Called about once a second: hides revealed values and clears the clipboard after their timeouts. */
    public void tick() {
        Instant now = console.clock().instant();
        if (hideAt != null && !now.isBefore(hideAt)) {
            hide();
        }
    }

    // ---- versions

    public Task<Void> undelete(int version) {
        return versionAction(version, (c, p) -> secrets().undelete(c, p, List.of(version)));
    }

    public Task<Void> deleteVersion(int version) {
        return versionAction(version, (c, p) -> secrets().delete(c, p, List.of(version)));
    }

    public Task<Void> destroy(int version) {
        return versionAction(version, (c, p) -> secrets().destroy(c, p, List.of(version)));
    }

    private interface VersionCall {
        void run(Caller c, String path);
    }

    private Task<Void> versionAction(int version, VersionCall call) {
        String path = selectedPath.get();
        if (path == null) {
            return null;
        }
        Caller c = caller(null);
        return console.background().attempt(() -> {
            call.run(c, path);
            return null;
        }, ok -> select(path), this::failed);
    }

    /** After the editor saved: add the path to the index and select it. */
    public void saved(String path) {
        if (!index.contains(path)) {
            setIndex(index.with(path));
        }
        select(path);
        console.catalog().refresh();
    }

    private void failed(Throwable t) {
        loading.set(false);
        error.set(Background.describe(t));
        console.handle(t);
    }

    @Override
    public void close() {
        hide();
        filterExecutor.shutdownNow();
    }
}
