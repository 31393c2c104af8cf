package dev.keyward.vault.cli;

/**
 * The exit codes of {@code keyward} (also in {@code keyward --help} and the README).
 * {@code keyward run} exits with the command's own code once the command has started.
 */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** The vault refused the request (bad input, not found, CAS mismatch...). */
    public static final int REFUSED = 1;
    /** Wrong usage: unknown option, missing argument, unreadable file. */
    public static final int USAGE = 2;
    /** The vault is sealed, not initialised, or the endpoint cannot be reached. */
    public static final int UNAVAILABLE = 3;
    /** Permission denied, or a missing, invalid or expired token / credentials. */
    public static final int DENIED = 4;
    /** Something unexpected went wrong inside the CLI. */
    public static final int INTERNAL = 70;

    public static final String HELP = "%nExit codes: 0 ok, 1 refused by the vault, 2 usage error, "
            + "3 sealed or unreachable, 4 permission denied or bad credentials, 70 internal error; "
            + "'keyward run' returns the command's exit code.";

    private ExitCodes() {
    }
}
