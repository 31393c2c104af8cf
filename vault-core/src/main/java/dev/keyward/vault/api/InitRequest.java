package dev.keyward.vault.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * Everything {@code init} needs: how to seal, and the first admin operator.
 * {@link #close()} wipes the admin passphrase and the seal spec's secrets.
 */
public final class InitRequest implements AutoCloseable {
    private final SealSpec seal;
    private final String adminName;
    private final char[] adminPassphrase;
    private final Argon2Parameters operatorKdf;

    public InitRequest(SealSpec seal, String adminName, char[] adminPassphrase, Argon2Parameters operatorKdf) {
        this.seal = Objects.requireNonNull(seal, "seal");
        this.adminName = OperatorNames.validate(adminName);
        Objects.requireNonNull(adminPassphrase, "adminPassphrase");
        if (adminPassphrase.length < PassphraseSealSpec.MIN_LENGTH) {
            throw new InvalidRequestException("The admin passphrase must have at least "
                    + PassphraseSealSpec.MIN_LENGTH + " characters.");
        }
        this.adminPassphrase = adminPassphrase.clone();
        this.operatorKdf = Objects.requireNonNull(operatorKdf, "operatorKdf");
    }

    public InitRequest(SealSpec seal, String adminName, char[] adminPassphrase) {
        this(seal, adminName, adminPassphrase, Argon2Parameters.DEFAULT);
    }

    public SealSpec seal() {
        return seal;
    }

    public String adminName() {
        return adminName;
    }

    public char[] adminPassphrase() {
        return adminPassphrase;
    }

    public Argon2Parameters operatorKdf() {
        return operatorKdf;
    }

    @Override
    public void close() {
        Arrays.fill(adminPassphrase, '\0');
        if (seal instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("could not wipe the seal spec", e);
            }
        }
    }

    @Override
    public String toString() {
        return "InitRequest[seal=" + seal + ", adminName=" + adminName + ", adminPassphrase=***]";
    }
}
