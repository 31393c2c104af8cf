package dev.keyward.console.secrets;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.common.Background;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.MetadataUpdate;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.SecretMetadata;
import dev.keyward.vault.api.SecretPaths;
import dev.keyward.vault.api.SecretVersion;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;

/**
 * Create or edit a secret: its path, its fields (name/value pairs) and its ownership metadata.
 * Saving writes a new version with check-and-set against the version that was loaded, so a
 * concurrent change is reported instead of overwritten.
 */
public final class SecretEditorViewModel {
    public static final String WHY_EDIT = "console: edit";

    /** One editable field. {@link #toString()} never shows the value. */
    public static final class Field {
        private final StringProperty name = new SimpleStringProperty("");
        private final StringProperty value = new SimpleStringProperty("");

        public Field(String name, String value) {
            this.name.set(name);
            this.value.set(value);
        }

        public StringProperty nameProperty() {
            return name;
        }

        public StringProperty valueProperty() {
            return value;
        }

        @Override
        public String toString() {
            return "Field[" + name.get() + "]";
        }
    }

    private final ConsoleViewModel console;
    private final StringProperty path = new SimpleStringProperty("");
    private final StringProperty owner = new SimpleStringProperty("");
    private final StringProperty tags = new SimpleStringProperty("");
    private final StringProperty criticality = new SimpleStringProperty("");
    private final StringProperty expires = new SimpleStringProperty("");
    private final ObservableList<Field> fields = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper editing = new ReadOnlyBooleanWrapper(false);
    private int loadedVersion;
    private Map<String, String> otherMetadata = Map.of();

    public SecretEditorViewModel(ConsoleViewModel console) {
        this.console = console;
        fields.add(new Field("value", ""));
        // A problem shown for the form goes once the form changes: it may no longer hold.
        javafx.beans.InvalidationListener changed = o -> {
            if (!busy.get()) {
                error.set("");
            }
        };
        path.addListener(changed);
        expires.addListener(changed);
        criticality.addListener(changed);
        fields.addListener(changed);
    }

    public StringProperty pathProperty() {
        return path;
    }

    public StringProperty ownerProperty() {
        return owner;
    }

    public StringProperty tagsProperty() {
        return tags;
    }

    public StringProperty criticalityProperty() {
        return criticality;
    }

    public StringProperty expiresProperty() {
        return expires;
    }

    public ObservableList<Field> fields() {
        return fields;
    }

    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** True when editing an existing secret (the path is then fixed). */
    public ReadOnlyBooleanProperty editingProperty() {
        return editing.getReadOnlyProperty();
    }

    public void addField() {
        fields.add(new Field("", ""));
    }

    public void removeField(Field f) {
        fields.remove(f);
    }

    /** Loads an existing secret's current version (an audited read) and metadata. */
    public Task<SecretVersion> load(String secretPath) {
        editing.set(true);
        path.set(secretPath);
        busy.set(true);
        var c = console.caller(WHY_EDIT);
        return console.background().attempt(() -> {
            SecretMetadata m = console.vault().secrets().readMetadata(c, secretPath);
            applyMetadataLater(m);
            return console.vault().secrets().read(c, secretPath, 0);
        }, v -> {
            busy.set(false);
            loadedVersion = v.metadata().version();
            fields.clear();
            if (v.hasData()) {
                v.data().fields().forEach((k, val) -> fields.add(new Field(k, val)));
            }
            if (fields.isEmpty()) {
                fields.add(new Field("value", ""));
            }
        }, t -> {
            busy.set(false);
            error.set(Background.describe(t));
            console.handle(t);
        });
    }

    private volatile SecretMetadata pendingMetadata;

    private void applyMetadataLater(SecretMetadata m) {
        pendingMetadata = m;
        javafx.application.Platform.runLater(() -> {
            SecretMetadata pm = pendingMetadata;
            if (pm == null) {
                return;
            }
            Map<String, String> cm = new HashMap<>(pm.customMetadata());
            owner.set(cm.getOrDefault(SecretLabels.OWNER, ""));
            tags.set(cm.getOrDefault(SecretLabels.TAGS, ""));
            criticality.set(cm.getOrDefault(SecretLabels.CRITICALITY, ""));
            expires.set(cm.getOrDefault(SecretLabels.EXPIRES, ""));
            for (String k : new String[] {SecretLabels.OWNER, SecretLabels.TAGS, SecretLabels.CRITICALITY,
                    SecretLabels.EXPIRES, SecretLabels.FIELDS}) {
                cm.remove(k);
            }
            otherMetadata = Map.copyOf(cm);
        });
    }

    public Optional<String> checkPath(String p) {
        try {
            SecretPaths.validateSecretPath(SecretPaths.normalize(p));
            return Optional.empty();
        } catch (InvalidRequestException e) {
            return Optional.of(e.getMessage());
        }
    }

    public Optional<String> checkExpiry(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            LocalDate.parse(text.strip());
            return Optional.empty();
        } catch (DateTimeParseException e) {
            return Optional.of("An expiry date is written like 2027-03-31.");
        }
    }

    public Optional<String> checkCriticality(String text) {
        if (text == null || text.isBlank() || SecretLabels.CRITICALITIES.contains(text.strip())) {
            return Optional.empty();
        }
        return Optional.of("Criticality is one of " + String.join(", ", SecretLabels.CRITICALITIES) + ".");
    }

    /** Everything wrong with the form, first problem only; empty when it can be saved. */
    public Optional<String> validate() {
        Optional<String> p = checkPath(path.get()).map(m -> "Path: " + m);
        if (p.isPresent()) {
            return p;
        }
        if (fields.isEmpty()) {
            return Optional.of("A secret needs at least one field.");
        }
        Set<String> seen = new HashSet<>();
        for (Field f : fields) {
            String n = f.nameProperty().get() == null ? "" : f.nameProperty().get().strip();
            if (n.isEmpty()) {
                return Optional.of("Every field needs a name.");
            }
            if (!seen.add(n)) {
                return Optional.of("The field name " + n + " is used twice.");
            }
        }
        return checkCriticality(criticality.get()).map(m -> "Criticality: " + m)
                .or(() -> checkExpiry(expires.get()).map(m -> "Expiry: " + m));
    }

    /** Writes a new version and the metadata; calls {@code onSaved} with the path on success. */
    public Task<String> save(Consumer<String> onSaved) {
        Optional<String> problem = validate();
        if (problem.isPresent()) {
            error.set(problem.get());
            return null;
        }
        error.set("");
        String p = SecretPaths.normalize(path.get().strip());
        Map<String, String> data = new LinkedHashMap<>();
        fields.forEach(f -> data.put(f.nameProperty().get().strip(), f.valueProperty().get()));
        Map<String, String> meta = new HashMap<>(otherMetadata);
        putIfSet(meta, SecretLabels.OWNER, owner.get());
        putIfSet(meta, SecretLabels.TAGS, tags.get());
        putIfSet(meta, SecretLabels.CRITICALITY, criticality.get());
        putIfSet(meta, SecretLabels.EXPIRES, expires.get());
        putIfSet(meta, SecretLabels.FIELDS, String.join(",", data.keySet()));
        Integer cas = editing.get() ? Integer.valueOf(loadedVersion) : Integer.valueOf(0);
        var c = console.caller(null);
        busy.set(true);
        return console.background().attempt(() -> {
            if (!editing.get()) {
                try {
                    console.vault().secrets().readMetadata(c, p);
                    throw new InvalidRequestException("A secret already exists at " + p + ": open it to edit it.");
                } catch (NotFoundException absent) {
                    // expected for a new secret
                }
            }
            console.vault().secrets().write(c, p, SecretData.of(data), cas);
            console.vault().secrets().writeMetadata(c, p, new MetadataUpdate(null, null, null, meta));
            return p;
        }, saved -> {
            busy.set(false);
            clearValues();
            onSaved.accept(saved);
        }, t -> {
            busy.set(false);
            error.set(Background.describe(t));
            console.handle(t);
        });
    }

    private static void putIfSet(Map<String, String> m, String key, String value) {
        if (value != null && !value.isBlank()) {
            m.put(key, value.strip());
        } else {
            m.remove(key);
        }
    }

    /** Drops the values held by the form (on save or cancel). */
    public void clearValues() {
        fields.forEach(f -> f.valueProperty().set(""));
        fields.clear();
    }
}
