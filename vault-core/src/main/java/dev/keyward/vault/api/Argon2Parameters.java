package dev.keyward.vault.api;

/**
 * Argon2id cost parameters, stored (versioned) with every hash or seal they protect.
 *
 * @param memoryKiB   memory in KiB (at least 65536 = 64 MiB)
 * @param iterations  passes (at least 3)
 * @param parallelism lanes (1 to 16)
 */
public record Argon2Parameters(int memoryKiB, int iterations, int parallelism) {

    public static final int MIN_MEMORY_KIB = 64 * 1024;
    public static final int MIN_ITERATIONS = 3;

    /** The default: 64 MiB, 3 passes, 2 lanes. */
    public static final Argon2Parameters DEFAULT = new Argon2Parameters(MIN_MEMORY_KIB, MIN_ITERATIONS, 2);

    public Argon2Parameters {
        if (parallelism < 1 || parallelism > 16) {
            throw new InvalidRequestException("Argon2id parallelism must be between 1 and 16, not " + parallelism + ".");
        }
        if (iterations < 1 || memoryKiB < 8 * parallelism || memoryKiB > 4 * 1024 * 1024) {
            throw new InvalidRequestException("Argon2id needs at least 1 pass and between 8*parallelism KiB and 4 GiB "
                    + "of memory.");
        }
    }

    /** Whether these parameters meet Keyward's minimum (64 MiB, 3 passes). */
    public boolean meetsMinimum() {
        return memoryKiB >= MIN_MEMORY_KIB && iterations >= MIN_ITERATIONS;
    }

    /**
     * Cheap parameters for tests only: they do not meet the minimum and a vault created with them
     * says so in its status. Named so that it stands out in review.
     */
    public static Argon2Parameters insecureForTests() {
        return new Argon2Parameters(64, 1, 1);
    }
}
