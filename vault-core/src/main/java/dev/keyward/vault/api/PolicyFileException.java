package dev.keyward.vault.api;

/** A policy-as-code file that cannot be read: the message names the line and column. */
public class PolicyFileException extends InvalidRequestException {
    private static final long serialVersionUID = 1L;
    private final int line;
    private final int column;

    public PolicyFileException(String message, int line, int column) {
        super("line " + line + ", column " + column + ": " + message);
        this.line = line;
        this.column = column;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }
}
