package dev.keyward.vault.events;

import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.NotificationService.SecretEvent;
import dev.keyward.vault.audit.AuditEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Secret-change events derived from audit entries: the audit log is the one record of what
 * changed, so webhooks and the watch feed read it instead of hooking every write path. A
 * successful {@code secret.write} or {@code secret.patch} (details {@code version}) is
 * {@code secret.updated}, or {@code secret.rotated} when its details carry {@code rotation_run}
 * (the rotation engine's finishing write); {@code secret.undelete} makes a version readable again
 * and is {@code secret.updated}; {@code secret.delete} is {@code secret.deleted};
 * {@code secret.destroy} and {@code metadata.delete} are {@code secret.destroyed};
 * {@code metadata.write} is {@code secret.metadata}. Other entries (reads, rotation steps, which
 * name the run but do not write the version themselves) are no change: so a rotation gives exactly
 * one event, from its finishing write.
 */
public final class SecretEvents {
    /** The audited resource of a secret is the mount plus its path. */
    public static final String MOUNT = "secret/";
    /** Detail names the KV calls and the rotation engine put in their audit entries. */
    public static final String VERSION = "version";
    public static final String VERSIONS = "versions";
    public static final String ROTATION_RUN = "rotation_run";

    private SecretEvents() {
    }

    public static Optional<SecretEvent> of(long sequence, AuditEvent e) {
        return of(sequence, e.time(), e.operation(), e.resource(), e.outcome() == AuditEvent.Outcome.SUCCESS,
                e.details());
    }

    public static Optional<SecretEvent> of(AuditRecord r) {
        return of(r.sequence(), r.time(), r.operation(), r.resource(), "SUCCESS".equals(r.outcome()),
                r.details() == null ? Map.of() : r.details());
    }

    static Optional<SecretEvent> of(long sequence, Instant time, String op, String resource, boolean success,
                                    Map<String, String> details) {
        if (!success || resource == null || op == null) {
            return Optional.empty();
        }
        String path = resource.startsWith(MOUNT) ? resource.substring(MOUNT.length()) : null;
        boolean rotation = details.containsKey(ROTATION_RUN);
        int version = number(details.get(VERSION));
        List<Integer> versions = numbers(details.get(VERSIONS));
        String kind = switch (op) {
            case "secret.write", "secret.patch" -> version > 0 ? rotation ? SecretEvent.ROTATED : SecretEvent.UPDATED
                    : null;
            case "secret.undelete" -> SecretEvent.UPDATED;
            case "secret.delete" -> SecretEvent.DELETED;
            case "secret.destroy", "metadata.delete" -> SecretEvent.DESTROYED;
            case "metadata.write" -> SecretEvent.METADATA;
            default -> null;
        };
        if (kind == null || path == null || path.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new SecretEvent(sequence, kind, path, version, versions, time));
    }

    private static int number(String s) {
        if (s == null || !s.matches("[0-9]{1,9}")) {
            return 0;
        }
        return Integer.parseInt(s);
    }

    private static List<Integer> numbers(String csv) {
        List<Integer> out = new ArrayList<>();
        if (csv != null) {
            for (String p : csv.split(",")) {
                int n = number(p.trim());
                if (n > 0) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    /** The details of a list of versions: "1,2,3". */
    public static String versions(List<Integer> versions) {
        StringBuilder sb = new StringBuilder();
        for (Integer v : versions == null ? List.<Integer>of() : versions) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(v);
        }
        String s = sb.toString();
        return s.length() > 1000 ? s.substring(0, s.lastIndexOf(',', 1000)) : s;
    }

    /** Whether {@code path} is under {@code prefix} ("" or null = everything). */
    public static boolean under(String path, String prefix) {
        return prefix == null || prefix.isEmpty() || path.startsWith(prefix);
    }
}
