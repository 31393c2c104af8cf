package dev.keyward.vault.server;

import java.security.cert.X509Certificate;
import java.util.Map;

/**
 * One HTTP request as the router sees it, already size-checked.
 *
 * @param method      the HTTP method in upper case (LIST, or GET with ?list=true, is "LIST")
 * @param path        the path after {@code /v1/}, without leading slashes
 * @param query       query parameters (first value of each)
 * @param body        the body bytes (possibly empty)
 * @param token       the X-Vault-Token (or Bearer) token, or null
 * @param wrapTtl     the X-Vault-Wrap-TTL header, or null
 * @param contentType the Content-Type header, or null
 * @param source      the client's address
 * @param peerCerts   the TLS client certificate chain, or null
 * @param justification the X-Keyward-Justification header, or null
 * @param approval    the X-Keyward-Approval header (a grant presented), or null
 */
record ApiRequest(String method, String path, Map<String, String> query, byte[] body, String token, String wrapTtl,
                  String contentType, String source, X509Certificate[] peerCerts, String justification,
                  String approval) {

    @Override
    public String toString() {
        return "ApiRequest[" + method + " " + path + ", token=" + (token == null ? "none" : "***") + "]";
    }
}
