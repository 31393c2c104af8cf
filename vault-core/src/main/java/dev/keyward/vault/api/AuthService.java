package dev.keyward.vault.api;

/** Operator login and session handling. */
public interface AuthService {

    /**
     * Checks an operator's passphrase and opens a session. Failures are counted per operator:
     * after repeated failures the operator is locked out for a growing time.
     */
    Session login(String operatorName, char[] passphrase, String sourceAddress);

    /** Who the caller's token stands for. */
    Principal whoami(Caller caller);

    /** Ends the caller's session; its token stops working at once. */
    void logout(Caller caller);
}
