package dev.keyward.vault.secrets;

import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.identity.Records;
import dev.keyward.vault.storage.StorageTx;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The KV part of {@code keyward check storage}: every record opens under its binding; the folder
 * index, walked from the top, reaches every secret's metadata and only existing records; each
 * metadata record's versions and the version records agree. Problems name storage keys (keyed
 * hashes) and the paths found inside records, never a value.
 */
public final class KvCheck {
    /** Where problems go. */
    @FunctionalInterface
    public interface Problems {
        void add(String problem);
    }

    private static final int PAGE = 1000;
    private static final int MAX_DEPTH = 128;

    private final KvStore kv;
    private final Barrier barrier;
    private final StorageTx tx;
    private final Problems problems;
    private final Set<String> reachedNodes = new HashSet<>();
    private final Set<String> listedSecrets = new HashSet<>();
    /** Per path id: the versions its metadata lists (null when the metadata failed to open). */
    private final Map<String, TreeMap<Integer, MetaRecord.VersionRec>> versionsById = new HashMap<>();
    private long secrets;

    KvCheck(KvStore kv, Barrier barrier, StorageTx tx, Problems problems) {
        this.kv = kv;
        this.barrier = barrier;
        this.tx = tx;
        this.problems = problems;
    }

    /** How many secrets' metadata records opened. */
    long secrets() {
        return secrets;
    }

    void run() {
        walk("", 0);
        orphanNodes();
        metadata();
        versions();
        byte[] config = tx.get("kv/config");
        if (config != null && !opens(Barrier.Binding.of("kv.config", "kv/config"), config)) {
            problems.add("The record kv/config (the KV defaults) fails its integrity check: it was altered.");
        }
    }

    private boolean opens(Barrier.Binding b, byte[] sealed) {
        try {
            byte[] plain = barrier.open(b, sealed);
            java.util.Arrays.fill(plain, (byte) 0);
            return true;
        } catch (KeywardException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The index from the top: each entry names a folder (which must hold something) or a secret (which must exist). */
    private void walk(String folder, int depth) {
        if (depth > MAX_DEPTH) {
            problems.add("The folder index is nested deeper than any path can be under " + folder + ": it was altered.");
            return;
        }
        String prefix = "kv/n/" + kv.id(folder) + "/";
        String after = null;
        while (true) {
            List<StorageTx.Entry> page = tx.scan(prefix, after, PAGE);
            for (StorageTx.Entry e : page) {
                reachedNodes.add(e.key());
                String name;
                try {
                    name = new String(barrier.open(Barrier.Binding.of("kv.node", e.key()), e.value()),
                            StandardCharsets.UTF_8);
                } catch (KeywardException | IllegalArgumentException ex) {
                    problems.add("The index entry " + e.key() + " in folder '" + folder + "' fails its integrity"
                            + " check: it was altered, or its key was damaged.");
                    continue;
                }
                String child = folder + name;
                if (!e.key().equals("kv/n/" + kv.id(folder) + "/" + kv.id(child))) {
                    problems.add("The index entry " + e.key() + " names '" + child + "', which belongs elsewhere.");
                } else if (name.endsWith("/")) {
                    if (tx.scan("kv/n/" + kv.id(child) + "/", null, 1).isEmpty()) {
                        problems.add("The index lists the folder '" + child + "' but nothing is in it: its entries"
                                + " were removed or their keys damaged.");
                    }
                    walk(child, depth + 1);
                } else {
                    listedSecrets.add(KvStore.metaKeyOf(kv.id(child)));
                    if (tx.get(KvStore.metaKeyOf(kv.id(child))) == null) {
                        problems.add("The index lists the secret '" + child + "' but there is no record of it:"
                                + " its storage key was damaged or the record was removed.");
                    }
                }
            }
            if (page.size() < PAGE) {
                return;
            }
            after = page.get(page.size() - 1).key();
        }
    }

    private void orphanNodes() {
        scan("kv/n/", e -> {
            if (!reachedNodes.contains(e.key())) {
                problems.add("The index entry " + e.key() + " is reached from no folder: its folder's entry was"
                        + " removed, or its key was damaged.");
            }
        });
    }

    private void metadata() {
        scan("kv/m/", e -> {
            MetaRecord m;
            try {
                m = Records.decode(barrier.open(Barrier.Binding.of("kv.meta", e.key()), e.value()), MetaRecord.class);
            } catch (KeywardException | IllegalArgumentException ex) {
                problems.add("The record " + e.key() + " fails its integrity check: it was altered, or its key was"
                        + " damaged (a secret's metadata).");
                return;
            }
            secrets++;
            String id = e.key().substring("kv/m/".length());
            versionsById.put(id, m.versions);
            if (!listedSecrets.contains(e.key())) {
                problems.add("The secret '" + m.path + "' is in no folder's index: its index entry was removed.");
            }
            if (!m.versions.isEmpty() && m.currentVersion != m.versions.lastKey()) {
                problems.add("The secret '" + m.path + "' names version " + m.currentVersion + " as current but its"
                        + " newest version is " + m.versions.lastKey() + ".");
            }
            m.versions.forEach((v, rec) -> {
                String key = KvStore.dataKeyOf(id, v);
                byte[] sealed = tx.get(key);
                if (rec.destroyed) {
                    if (sealed != null) {
                        problems.add("Version " + v + " of '" + m.path + "' is marked destroyed but its value is still"
                                + " stored.");
                    }
                } else if (sealed == null) {
                    problems.add("Version " + v + " of '" + m.path + "' is missing from storage (" + key + ").");
                } else if (!opens(new Barrier.Binding("kv.data", key, v), sealed)) {
                    problems.add("Version " + v + " of '" + m.path + "' fails its integrity check: it was altered ("
                            + key + ").");
                }
            });
        });
    }

    /** Version records that no metadata lists. */
    private void versions() {
        scan("kv/d/", e -> {
            String rest = e.key().substring("kv/d/".length());
            int slash = rest.lastIndexOf('/');
            int v;
            try {
                v = Integer.parseInt(rest.substring(slash + 1));
            } catch (NumberFormatException | IndexOutOfBoundsException ex) {
                problems.add("The record " + e.key() + " is not a version record: its key was damaged.");
                return;
            }
            String id = slash < 0 ? "" : rest.substring(0, slash);
            TreeMap<Integer, MetaRecord.VersionRec> listed = versionsById.get(id);
            if (listed == null && !versionsById.containsKey(id)) {
                problems.add("The version record " + e.key() + " belongs to no secret: its secret's metadata is"
                        + " missing, or its key was damaged.");
            } else if (listed != null && !listed.containsKey(v)) {
                problems.add("The version record " + e.key() + " is not among its secret's versions.");
            }
        });
    }

    private void scan(String prefix, java.util.function.Consumer<StorageTx.Entry> each) {
        String after = null;
        while (true) {
            List<StorageTx.Entry> page = tx.scan(prefix, after, PAGE);
            page.forEach(each);
            if (page.size() < PAGE) {
                return;
            }
            after = page.get(page.size() - 1).key();
        }
    }
}
