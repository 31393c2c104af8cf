package dev.keyward.console.secrets;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.common.Background;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.SecretMetadata;
import dev.keyward.vault.api.SecretsService;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * What the console knows about every secret besides its path, from metadata only (never a value):
 * owner, tags, criticality, expiry and the field names the console's editor records. Read in the
 * background (one audited metadata read per secret, justification "console: catalog", at most
 * {@link #MAX} secrets) after login and on Reload; it feeds the search (path, owner, tags, field
 * names), the Owner and Expires columns, the sidebar badge and the dashboard's expiry tile.
 */
public final class SecretCatalog {
    public static final String WHY = "console: catalog";
    public static final int MAX = 5_000;
    /** A secret expiring within this many days counts as expiring. */
    public static final int WARN_DAYS = 30;

    /** One secret as the catalog sees it. */
    public record Entry(String path, String owner, String tags, String criticality, LocalDate expires,
                        String fields) {
        /** Everything the search looks at, lower case. */
        public String searchable() {
            return String.join(" ", path, owner, tags, fields).toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final ConsoleViewModel console;
    private final ReadOnlyObjectWrapper<Map<String, Entry>> entries = new ReadOnlyObjectWrapper<>(Map.of());
    private final ReadOnlyIntegerWrapper expired = new ReadOnlyIntegerWrapper(0);
    private final ReadOnlyIntegerWrapper expiring = new ReadOnlyIntegerWrapper(0);
    private final ReadOnlyStringWrapper note = new ReadOnlyStringWrapper("");

    public SecretCatalog(ConsoleViewModel console) {
        this.console = console;
    }

    public ReadOnlyObjectProperty<Map<String, Entry>> entriesProperty() {
        return entries.getReadOnlyProperty();
    }

    public ReadOnlyIntegerProperty expiredProperty() {
        return expired.getReadOnlyProperty();
    }

    /** Secrets expiring within {@link #WARN_DAYS} days (not yet expired). */
    public ReadOnlyIntegerProperty expiringProperty() {
        return expiring.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty noteProperty() {
        return note.getReadOnlyProperty();
    }

    /** Lists every secret and reads its metadata, in the background. */
    public void refresh() {
        Caller c = console.caller(WHY);
        SecretsService s = console.vault().secrets();
        console.background().attempt(() -> read(s, c), this::set, t -> {
            note.set("The secrets' metadata could not be read: " + Background.describe(t));
            console.handle(t);
        });
    }

    private static Map<String, Entry> read(SecretsService s, Caller c) {
        List<String> all = new ArrayList<>();
        Deque<String> todo = new ArrayDeque<>();
        todo.push("");
        while (!todo.isEmpty() && all.size() < MAX) {
            String f = todo.pop();
            for (String name : s.list(c, f)) {
                if (name.endsWith("/")) {
                    todo.push(f + name);
                } else {
                    all.add(f + name);
                }
            }
        }
        Map<String, Entry> out = new TreeMap<>();
        for (String p : all.subList(0, Math.min(all.size(), MAX))) {
            out.put(p, entry(s.readMetadata(c, p)));
        }
        return out;
    }

    static Entry entry(SecretMetadata m) {
        Map<String, String> cm = m.customMetadata();
        LocalDate exp = null;
        String e = cm.get(SecretLabels.EXPIRES);
        if (e != null && !e.isBlank()) {
            try {
                exp = LocalDate.parse(e.strip());
            } catch (DateTimeParseException bad) {
                exp = null;
            }
        }
        return new Entry(m.path(), cm.getOrDefault(SecretLabels.OWNER, ""), cm.getOrDefault(SecretLabels.TAGS, ""),
                cm.getOrDefault(SecretLabels.CRITICALITY, ""), exp, cm.getOrDefault(SecretLabels.FIELDS, ""));
    }

    /** Adds or replaces one secret (after the console saved it). */
    public void put(SecretMetadata m) {
        Map<String, Entry> next = new TreeMap<>(entries.get());
        next.put(m.path(), entry(m));
        set(next);
    }

    private void set(Map<String, Entry> m) {
        entries.set(Map.copyOf(m));
        LocalDate today = LocalDate.ofInstant(console.clock().instant(), ZoneOffset.UTC);
        int gone = 0;
        int soon = 0;
        for (Entry e : m.values()) {
            if (e.expires() == null) {
                continue;
            }
            if (e.expires().isBefore(today)) {
                gone++;
            } else if (!e.expires().isAfter(today.plusDays(WARN_DAYS))) {
                soon++;
            }
        }
        expired.set(gone);
        expiring.set(soon);
        note.set(m.size() >= MAX ? "Metadata of the first " + MAX + " secrets only." : "");
    }

    /** "expired", "expiring" or "" for a date, today being the console clock's day (UTC). */
    public String state(LocalDate expires) {
        if (expires == null) {
            return "";
        }
        LocalDate today = LocalDate.ofInstant(console.clock().instant(), ZoneOffset.UTC);
        return expires.isBefore(today) ? "expired" : !expires.isAfter(today.plusDays(WARN_DAYS)) ? "expiring" : "";
    }
}
