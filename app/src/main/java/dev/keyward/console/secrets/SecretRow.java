package dev.keyward.console.secrets;

/**
 * One secret in the table: its path and what the catalog knows of it (owner, expiry, and
 * "expired" / "expiring" / ""), never a value.
 */
public record SecretRow(String path, String owner, String expires, String expiryState) {
    public SecretRow(String path) {
        this(path, "", "", "");
    }

    public String name() {
        int i = path.lastIndexOf('/');
        return i < 0 ? path : path.substring(i + 1);
    }

    public String folder() {
        int i = path.lastIndexOf('/');
        return i < 0 ? "" : path.substring(0, i + 1);
    }
}
