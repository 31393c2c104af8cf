package dev.keyward.vault.api;

import java.nio.file.Path;
import java.util.Objects;

/**
 * An evidence bundle written by {@link AuditService#exportBundle}.
 *
 * @param file    the bundle (a ZIP file, see docs/audit-format.md)
 * @param entries entries in it (sequences 0 .. entries-1)
 * @param head    the signed head covering all of them; record its fingerprint
 */
public record AuditExport(Path file, long entries, TreeHead head) {
    public AuditExport {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(head, "head");
    }
}
