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

    private Gate() {
    }
}
