package dev.keyward.vault.api;

/**
 * A seal split among operators: a random unseal key is split into {@code shares} Shamir shares
 * over GF(256), any {@code threshold} of which unseal (2 &lt;= threshold &lt;= shares &lt;= 16).
 * The shares are handed back once by init (or rekey) and never stored.
 */
public record ShamirSealSpec(int shares, int threshold) implements SealSpec {
    public static final String TYPE = "shamir";
    public static final int MAX_SHARES = 16;

    public ShamirSealSpec {
        if (threshold < 2 || threshold > shares || shares > MAX_SHARES) {
            throw new InvalidRequestException("Shamir sharing needs 2 <= threshold <= shares <= " + MAX_SHARES
                    + "; got threshold " + threshold + " of " + shares + " shares.");
        }
    }

    @Override
    public String type() {
        return TYPE;
    }
}
