package dev.keyward.vault.api;

import java.security.cert.X509Certificate;
import java.util.List;

/** Operator login and session handling; machine logins (AppRole, TLS client certificate). */
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

    /**
     * AppRole login ({@code POST /v1/auth/approle/login}). Fails with
     * {@link AuthenticationFailedException} "invalid role or secret ID" for an unknown role, a wrong,
     * expired or used-up secret_id, or a source address outside the bound CIDRs.
     */
    Session loginAppRole(String roleId, String secretId, String sourceAddress);

    /**
     * TLS client certificate login ({@code POST /v1/auth/cert/login}). The transport has already
     * verified that the client holds the certificate's private key; {@code chain} is the client's
     * chain, leaf first. {@code name} picks one certificate identity (null = the first that matches).
     */
    Session loginCert(List<X509Certificate> chain, String name, String sourceAddress);
}
