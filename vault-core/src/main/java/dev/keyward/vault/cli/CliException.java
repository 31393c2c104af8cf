package dev.keyward.vault.cli;

import dev.keyward.vault.api.KeywardException;

/** A failure the CLI reports as one sentence on stderr with a documented exit code. */
public final class CliException extends KeywardException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
