package dev.keyward.vault.cli;

/**
 * The exit codes of the gate commands a pipeline runs before it goes on ({@code scan}, {@code
 * policy drift}, {@code policy check}), in the convention of diff and grep: 0 clean, 1 a finding
 * (a leak, drift, a boundary that does not match), 2 the check could not be made (bad input,
 * unreadable files, the vault sealed, unreachable or refusing). A pipeline fails on any non-zero
 * code and tells the two apart by 1 and 2.
 */
final class Gate {
    static final int OK = 0;
    static final int FOUND = 1;
    static final int ERROR = 2;

    static final String HELP = "%nExit codes (a gate, as diff and grep): 0 clean (nothing found, in sync, exactly as "
            + "declared), 1 a finding (a leak, drift, a boundary that differs: printed), 2 the check could not be "
            + "made (a malformed, unreadable or binary file, the vault sealed, unreachable or refusing: the reason on "
            + "stderr).";

    private Gate() {
    }
}
