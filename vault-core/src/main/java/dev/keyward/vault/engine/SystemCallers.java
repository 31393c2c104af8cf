package dev.keyward.vault.engine;

import dev.keyward.vault.api.AuthMethod;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Principal;
import dev.keyward.vault.crypto.Random;
import dev.keyward.vault.policy.BuiltInPolicies;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The identities of the vault's own background jobs (the rotation scheduler, containment, the
 * approval expiry sweep). Each job calls the services through the guarded door like anyone else,
 * so that everything it does is authorized by its own built-in policy
 * ({@link BuiltInPolicies#system}) and audited under its name ({@code system:<job>}).
 *
 * <p>A job's credential is 32 random bytes made when the vault is unsealed and held only in this
 * object; it is never stored, logged or sent, and it is gone when the vault seals (a job that runs
 * across a seal is refused like any caller of a sealed vault). A transport cannot present it: the
 * door accepts it only from a {@link Caller} whose method is {@link AuthMethod#SYSTEM}, which no
 * transport builds.
 */
final class SystemCallers implements AutoCloseable {
    private static final String PREFIX = "kw-system.";
    private final Map<String, byte[]> tokens = new LinkedHashMap<>();

    SystemCallers() {
        for (String job : BuiltInPolicies.systemJobs()) {
            tokens.put(job, (PREFIX + job + "." + Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(Random.bytes(32))).getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** The caller a job presents; {@code job} is one of {@link BuiltInPolicies#systemJobs}. */
    synchronized Caller caller(String job) {
        byte[] t = tokens.get(job);
        if (t == null) {
            throw new IllegalArgumentException("no system job named " + job);
        }
        return new Caller(new String(t, StandardCharsets.US_ASCII), AuthMethod.SYSTEM, Caller.LOCAL, null, null);
    }

    /** The job's principal when {@code caller} presents a live system credential; empty otherwise. */
    synchronized Optional<Principal> principal(Caller caller) {
        if (caller.authMethod() != AuthMethod.SYSTEM || caller.token() == null) {
            return Optional.empty();
        }
        byte[] presented = caller.token().getBytes(StandardCharsets.US_ASCII);
        String found = null;
        for (Map.Entry<String, byte[]> e : tokens.entrySet()) {
            if (MessageDigest.isEqual(e.getValue(), presented)) { // constant time; every job is compared
                found = e.getKey();
            }
        }
        return found == null ? Optional.empty() : Optional.of(principalOf(found));
    }

    static Principal principalOf(String job) {
        return new Principal("system:" + job, "system:" + job, Principal.Kind.SYSTEM,
                List.of(BuiltInPolicies.systemPolicyName(job)), AuthMethod.SYSTEM);
    }

    @Override
    public synchronized void close() {
        tokens.values().forEach(t -> java.util.Arrays.fill(t, (byte) 0));
        tokens.clear();
    }

    @Override
    public String toString() {
        return "SystemCallers[credentials hidden]";
    }
}
