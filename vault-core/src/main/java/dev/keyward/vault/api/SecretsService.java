package dev.keyward.vault.api;

import java.util.List;

/**
 * Versioned secrets with HashiCorp Vault KV v2 semantics. Paths are like {@code team/db/password}:
 * segments separated by '/', no empty, '.' or '..' segment, no control character, at most 512
 * bytes. Folders end in '/'.
 */
public interface SecretsService {

    /**
     * Reads version {@code version} (0 = the current one). Throws {@link NotFoundException} when
     * there is no such secret or version; a deleted or destroyed version comes back with
     * {@code data == null} and its metadata.
     */
    SecretVersion read(Caller caller, String path, int version);

    /**
     * Writes a new version. {@code cas}: null = no check (unless required), 0 = only if the
     * secret does not exist yet, N = only if the current version is N.
     */
    VersionMetadata write(Caller caller, String path, SecretData data, Integer cas);

    /** Merges a patch into the current version, giving a new version. The current version must be readable. */
    VersionMetadata patch(Caller caller, String path, SecretPatch patch, Integer cas);

    /** Soft-deletes the current version. */
    void deleteLatest(Caller caller, String path);

    /** Soft-deletes the given versions. */
    void delete(Caller caller, String path, List<Integer> versions);

    /** Restores soft-deleted versions. */
    void undelete(Caller caller, String path, List<Integer> versions);

    /** Destroys versions: their ciphertext is removed for good. */
    void destroy(Caller caller, String path, List<Integer> versions);

    SecretMetadata readMetadata(Caller caller, String path);

    /** Creates or changes a secret's metadata. */
    void writeMetadata(Caller caller, String path, MetadataUpdate update);

    /** Removes the secret: every version and its metadata. */
    void deleteMetadata(Caller caller, String path);

    /** One level of names under a folder ("" = the top); sub-folders end in '/'. Sorted. */
    List<String> list(Caller caller, String folder);

    KvConfig readConfig(Caller caller);

    void writeConfig(Caller caller, KvConfig config);
}
