package dev.keyward.console.secrets;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The paths of every secret (never values), sorted, with a lower-case copy for
 * search-as-you-type. Immutable; filtering 100,000 paths takes a few milliseconds.
 */
public final class SecretIndex {
    public static final SecretIndex EMPTY = new SecretIndex(new String[0], Map.of());

    private final String[] paths;
    private final String[] lower;
    private final Map<String, String> searchable;

    private SecretIndex(String[] sortedPaths, Map<String, String> searchable) {
        this.paths = sortedPaths;
        this.searchable = searchable;
        this.lower = new String[paths.length];
        for (int i = 0; i < paths.length; i++) {
            String extra = searchable.get(paths[i]);
            lower[i] = extra != null ? extra : paths[i].toLowerCase(Locale.ROOT);
        }
    }

    public static SecretIndex of(Collection<String> paths) {
        return of(paths, Map.of());
    }

    /**
     * An index whose search also looks at {@code searchable.get(path)} (lower case text that
     * includes the path: owner, tags, field names), where given.
     */
    public static SecretIndex of(Collection<String> paths, Map<String, String> searchable) {
        String[] a = paths.stream().distinct().sorted().toArray(String[]::new);
        return new SecretIndex(a, Map.copyOf(searchable));
    }

    /** The same paths, searched with other text. */
    public SecretIndex withSearchable(Map<String, String> text) {
        return new SecretIndex(paths, Map.copyOf(text));
    }

    public int size() {
        return paths.length;
    }

    public boolean contains(String path) {
        return Arrays.binarySearch(paths, path) >= 0;
    }

    /** This index plus one path. */
    public SecretIndex with(String path) {
        if (contains(path)) {
            return this;
        }
        List<String> all = new ArrayList<>(Arrays.asList(paths));
        all.add(path);
        return of(all, searchable);
    }

    /** This index without one path. */
    public SecretIndex without(String path) {
        List<String> all = new ArrayList<>(Arrays.asList(paths));
        all.remove(path);
        return of(all, searchable);
    }

    /**
     * The paths under {@code folder} ("" = all) whose path or searchable text (owner, tags, field
     * names) contains every whitespace-separated term of {@code query}, ignoring case, in path order.
     */
    public List<String> filter(String query, String folder) {
        String[] terms = query == null || query.isBlank() ? new String[0]
                : query.strip().toLowerCase(Locale.ROOT).split("\\s+");
        String prefix = folder == null ? "" : folder;
        int from = 0;
        int to = paths.length;
        if (!prefix.isEmpty()) {
            from = lowerBound(prefix);
            to = from;
            while (to < paths.length && paths[to].startsWith(prefix)) {
                to++;
            }
        }
        List<String> out = new ArrayList<>(Math.min(to - from, 1 << 16));
        outer:
        for (int i = from; i < to; i++) {
            String l = lower[i];
            for (String t : terms) {
                if (!l.contains(t)) {
                    continue outer;
                }
            }
            out.add(paths[i]);
        }
        return out;
    }

    private int lowerBound(String key) {
        int lo = 0;
        int hi = paths.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (paths[mid].compareTo(key) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The folder tree (folders only) with the number of secrets under each. */
    public FolderNode tree() {
        Builder root = new Builder("", "");
        for (String p : paths) {
            root.count++;
            Builder at = root;
            int start = 0;
            int slash;
            while ((slash = p.indexOf('/', start)) >= 0) {
                String name = p.substring(start, slash);
                String full = p.substring(0, slash + 1);
                at = at.children.computeIfAbsent(name, n -> new Builder(n, full));
                at.count++;
                start = slash + 1;
            }
        }
        return root.build();
    }

    private static final class Builder {
        final String name;
        final String path;
        final Map<String, Builder> children = new TreeMap<>();
        int count;

        Builder(String name, String path) {
            this.name = name;
            this.path = path;
        }

        FolderNode build() {
            return new FolderNode(name, path, count, children.values().stream().map(Builder::build).toList());
        }
    }

    /** A folder: its name, its path ending in '/' ("" for the top), secrets below it, sub-folders. */
    public record FolderNode(String name, String path, int secrets, List<FolderNode> children) {
        public FolderNode {
            children = List.copyOf(children);
        }
    }
}
