package dev.keyward.vault.remote;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.vault.api.BackupInfo;
import dev.keyward.vault.api.BackupProgress;
import dev.keyward.vault.api.ServiceUnavailableException;
import dev.keyward.vault.api.TreeHead;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@code BackupService.backup} with progress over HTTPS: starts the backup as a job on the service
 * ({@code POST /v1/kw/backup/jobs}) and polls {@code GET /v1/kw/backup/jobs/<id>} with the same
 * token, passing each state on as a {@link BackupProgress}, until the job is done (its description
 * becomes the {@link BackupInfo}) or failed (its failure is thrown as the same {@code api}
 * exception the synchronous call would have thrown). See docs/backup.md.
 */
final class RemoteBackupJob {
    static final Duration POLL = Duration.ofMillis(200);

    private RemoteBackupJob() {
    }

    /** The HTTP exchange of the {@link RemoteVault} this job runs through. */
    interface Exchange {
        HttpResponse<byte[]> send(String method, String path, String token, byte[] body);
    }

    static BackupInfo run(Exchange http, String token, Path file, char[] passphrase, Consumer<BackupProgress> progress)
            throws IOException {
        byte[] body = body(file, passphrase);
        HttpResponse<byte[]> started;
        try {
            started = http.send("POST", "/v1/kw/backup/jobs", token, body);
        } finally {
            Arrays.fill(body, (byte) 0);
        }
        if (started.statusCode() != 202) {
            throw RemoteVault.failure(started.statusCode(), started.body());
        }
        JsonNode job = Wire.JSON.readTree(started.body()).path("data");
        String id = job.path("id").asText();
        while (true) {
            progress.accept(progressOf(job));
            switch (job.path("state").asText()) {
                case "done" -> {
                    BackupInfo info = infoOf(job.path("backup"));
                    progress.accept(new BackupProgress(BackupProgress.Phase.DONE, info.records(), info.records(),
                            info.bytes(), info.bytes()));
                    return info;
                }
                case "failed" -> {
                    JsonNode e = job.path("error");
                    List<String> errors = new ArrayList<>();
                    e.path("errors").forEach(n -> errors.add(n.asText()));
                    throw new WireError(errors, e.path("type").isTextual() ? e.path("type").asText() : null, 0, 0, null)
                            .exception(e.path("status").asInt(500));
                }
                default -> {
                    // running
                }
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new ServiceUnavailableException("Following the backup was interrupted; the service goes on with"
                        + " backup job " + id + ".");
            }
            HttpResponse<byte[]> r = http.send("GET", "/v1/kw/backup/jobs/" + id, token, null);
            if (r.statusCode() != 200) {
                throw RemoteVault.failure(r.statusCode(), r.body());
            }
            job = Wire.JSON.readTree(r.body()).path("data");
        }
    }

    /** {"path": ..., "passphrase": ...}, the passphrase streamed from its array (never a String). */
    private static byte[] body(Path file, char[] passphrase) throws IOException {
        RemoteVault.WipeableBuffer out = new RemoteVault.WipeableBuffer();
        try (JsonGenerator g = Wire.JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("path", file.toString());
            if (passphrase != null && passphrase.length > 0) {
                g.writeFieldName("passphrase");
                g.writeString(passphrase, 0, passphrase.length);
            }
            g.writeEndObject();
        }
        byte[] b = out.toByteArray();
        out.wipe();
        return b;
    }

    static BackupProgress progressOf(JsonNode job) {
        BackupProgress.Phase phase;
        try {
            phase = BackupProgress.Phase.valueOf(job.path("phase").asText().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            phase = BackupProgress.Phase.PREPARING; // a phase this client does not know: no fraction shown
        }
        return new BackupProgress(phase, job.path("records").asLong(0), job.path("total_records").asLong(-1),
                job.path("bytes").asLong(0), job.path("total_bytes").asLong(-1));
    }

    static BackupInfo infoOf(JsonNode b) {
        JsonNode h = b.path("audit_head");
        TreeHead head = h.isObject() ? new TreeHead(h.path("tree_size").asLong(), h.path("root_hash").asText(),
                Instant.ofEpochMilli(h.path("timestamp_ms").asLong()), h.path("key_id").asText(),
                h.path("algorithm").asText(), h.path("signature").asText(), h.path("fingerprint").asText()) : null;
        return new BackupInfo(b.path("path").asText(), Instant.parse(b.path("created").asText()),
                b.path("protection").asText(), b.path("seal_type").asText(), b.path("records").asLong(),
                b.path("bytes").asLong(), b.path("sha256").asText(), head,
                h.isObject() && h.hasNonNull("log_id") ? h.path("log_id").asText() : null);
    }
}
