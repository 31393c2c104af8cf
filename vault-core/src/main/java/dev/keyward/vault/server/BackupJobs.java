package dev.keyward.vault.server;

import dev.keyward.vault.api.BackupInfo;
import dev.keyward.vault.api.BackupProgress;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.remote.WireError;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backups as jobs whose progress a client follows: {@code POST /v1/kw/backup/jobs} with
 * {@code {"path", "passphrase"}} starts {@code BackupService.backup} (behind the guarded door, as the
 * caller; denials and failures are the service's) and answers 202 with the job; {@code GET
 * /v1/kw/backup/jobs/<id>} answers its state, phase, records and bytes of the total, and when it
 * ended the backup's description or the failure (status, sentence and type, as any route would have
 * answered it). Only the token that started a job reads it (its SHA-256 is kept, not the token); a
 * finished job is forgotten after {@link #KEEP}. At most {@link #RUNNING_MAX} run at once.
 */
final class BackupJobs {
    private static final Logger LOG = LoggerFactory.getLogger(BackupJobs.class);
    static final Duration KEEP = Duration.ofMinutes(10);
    static final int RUNNING_MAX = 2;

    private final Vault vault;
    private final Clock clock;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "keyward-backup-job");
        t.setDaemon(true);
        return t;
    });

    BackupJobs(Vault vault, Clock clock) {
        this.vault = vault;
        this.clock = clock;
    }

    /** A job's state on the wire. */
    record JobDto(String id, String state, String phase, String message, long records, long totalRecords, long bytes,
                  long totalBytes, double fraction, KeywardRoutes.BackupDto backup, ErrorDto error) {
    }

    /** A job's failure: the status and body the synchronous route would have answered. */
    record ErrorDto(int status, List<String> errors, String type) {
    }

    private static final class Job {
        final String id = UUID.randomUUID().toString();
        final byte[] tokenHash;
        volatile BackupProgress progress = BackupProgress.of(BackupProgress.Phase.PREPARING);
        volatile BackupInfo info;
        volatile KeywardException failure;
        volatile Instant finished;

        Job(byte[] tokenHash) {
            this.tokenHash = tokenHash;
        }

        JobDto dto() {
            BackupProgress p = progress;
            String state = info != null ? "done" : failure != null ? "failed" : "running";
            ErrorDto e = null;
            if (failure != null) {
                WireError w = WireError.of(failure);
                e = new ErrorDto(KeywardServer.status(failure), w.errors(), w.type());
            }
            return new JobDto(id, state, p.phase().name().toLowerCase(java.util.Locale.ROOT), p.describe(), p.records(),
                    p.totalRecords(), p.bytes(), p.totalBytes(), p.fraction(),
                    info == null ? null : KeywardRoutes.BackupDto.of(info), e);
        }
    }

    ApiResponse handle(ApiRequest r, String rest, Caller caller) {
        forgetOld();
        if (rest.isEmpty()) {
            if (!r.method().equals("POST") && !r.method().equals("PUT")) {
                throw VaultApi.methodNotAllowed();
            }
            return start(r, caller);
        }
        if (!r.method().equals("GET")) {
            throw VaultApi.methodNotAllowed();
        }
        Job j = jobs.get(rest);
        if (j == null || r.token() == null || !MessageDigest.isEqual(j.tokenHash, hash(r.token()))) {
            throw new NotFoundException("No backup job " + rest + " for this token (a finished job is kept "
                    + KEEP.toMinutes() + " minutes).");
        }
        return ApiResponse.ok(VaultApi.envelope(j.dto()));
    }

    private ApiResponse start(ApiRequest r, Caller caller) {
        KeywardRoutes.BackupBody b = VaultApi.body(r, KeywardRoutes.BackupBody.class);
        if (b.path() == null || !Path.of(b.path()).isAbsolute()) {
            throw new InvalidRequestException("path must be an absolute file path on the vault host.");
        }
        if (r.token() == null) {
            throw new dev.keyward.vault.api.AccessDeniedException("A backup job needs a token (X-Vault-Token).");
        }
        long running = jobs.values().stream().filter(j -> j.finished == null).count();
        if (running >= RUNNING_MAX) {
            throw new ApiException(429, "Already " + running + " backups running on this vault: wait for one to end.");
        }
        Path file = Path.of(b.path());
        char[] pass = b.passphrase() == null ? null : b.passphrase().toCharArray();
        Job job = new Job(hash(r.token()));
        jobs.put(job.id, job);
        pool.execute(() -> {
            try {
                job.info = vault.backups().backup(caller, file, pass, p -> job.progress = p);
            } catch (KeywardException e) {
                job.failure = e;
            } catch (RuntimeException e) {
                LOG.warn("a backup job failed unexpectedly: {}", e.getClass().getSimpleName());
                job.failure = new dev.keyward.vault.api.StorageException("The backup failed unexpectedly ("
                        + e.getClass().getSimpleName() + "). No backup was made.", e);
            } finally {
                if (pass != null) {
                    Arrays.fill(pass, '\0');
                }
                job.finished = clock.instant();
            }
        });
        return new ApiResponse(202, VaultApi.envelope(job.dto()));
    }

    private void forgetOld() {
        Instant cutoff = clock.instant().minus(KEEP);
        jobs.values().removeIf(j -> j.finished != null && j.finished.isBefore(cutoff));
    }

    private static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
