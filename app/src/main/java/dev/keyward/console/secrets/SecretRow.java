package dev.keyward.console.secrets;

/** One secret in the table: its path (never its value). */
public record SecretRow(String path) {
    public String name() {
        int i = path.lastIndexOf('/');
        return i < 0 ? path : path.substring(i + 1);
    }

    public String folder() {
        int i = path.lastIndexOf('/');
        return i < 0 ? "" : path.substring(0, i + 1);
    }
}
