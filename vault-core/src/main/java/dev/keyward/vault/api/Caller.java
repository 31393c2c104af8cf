package dev.keyward.vault.api;

import java.util.Objects;

/**
 * Who is calling and in what context. Every service call takes one. The token is the
 * credential the guarded door authenticates; the time of the call is taken from the vault's
 * own clock, never from the caller.
 *
 * @param token         session or machine token, or {@code null} for calls that need none
 * @param authMethod    how the caller authenticated (as claimed by the transport)
 * @param sourceAddress the caller's address ("local" for the embedded console)
 * @param justification why the caller does this, or {@code null}
 * @param approvalId    an approval the caller presents, or {@code null}
 */
public record Caller(String token, AuthMethod authMethod, String sourceAddress, String justification,
                     String approvalId) {

    public static final String LOCAL = "local";

    public Caller {
        Objects.requireNonNull(authMethod, "authMethod");
        sourceAddress = sourceAddress == null || sourceAddress.isBlank() ? LOCAL : sourceAddress;
        if (justification != null && justification.length() > 1024) {
            throw new InvalidRequestException("A justification is at most 1024 characters.");
        }
    }

    /** A caller that presents no credential (status, unseal, login). */
    public static Caller anonymous(String sourceAddress) {
        return new Caller(null, AuthMethod.NONE, sourceAddress, null, null);
    }

    /** A caller presenting a token from the local console or CLI. */
    public static Caller withToken(String token) {
        return new Caller(token, AuthMethod.TOKEN, LOCAL, null, null);
    }

    public Caller withJustification(String why) {
        return new Caller(token, authMethod, sourceAddress, why, approvalId);
    }

    public Caller withSource(String address) {
        return new Caller(token, authMethod, address, justification, approvalId);
    }

    @Override
    public String toString() {
        return "Caller[token=" + (token == null ? "none" : "***") + ", authMethod=" + authMethod
                + ", sourceAddress=" + sourceAddress + ", justification=" + justification
                + ", approvalId=" + approvalId + "]";
    }
}
