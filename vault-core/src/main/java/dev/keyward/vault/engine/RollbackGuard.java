package dev.keyward.vault.engine;

import dev.keyward.vault.api.PublishedHead;
import dev.keyward.vault.api.TreeHead;
import dev.keyward.vault.audit.HeadPublisher;
import dev.keyward.vault.audit.JsonLinesFileSink;
import dev.keyward.vault.audit.MerkleAuditLog;
import dev.keyward.vault.audit.WitnessFile;
import dev.keyward.vault.seal.HeadStore;
import dev.keyward.vault.storage.StorageTx;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rollback of the whole vault directory (an older copy restored over a newer one) cannot be seen
 * from inside the directory: everything in it is consistently older. So every signed tree head is
 * published outside it as it is made (the operator's witness file, the JSON-lines SIEM file, and
 * the HSM where the seal has one), and unseal and verification compare the log with the newest
 * head published for it: a log older than that head, or without it, was rolled back or replaced.
 * Publishing runs on a thread of its own ("keyward-head-publisher"), in order, so the committer
 * never waits for a file or the token.
 */
final class RollbackGuard implements HeadPublisher, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RollbackGuard.class);
    /**
     * Every published head, one line each, for syslog: off by default (outside dev.keyward, under the
     * root's WARN); a logback configuration that sends this logger at INFO to a SyslogAppender
     * publishes the heads there (docs/audit-format.md, section 7).
     */
    private static final Logger HEADS = LoggerFactory.getLogger("keyward.tree-heads");

    private final WitnessFile witness;
    private final JsonLinesFileSink siem;
    private final Supplier<Optional<HeadStore>> hsm;
    private final ExecutorService publisher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "keyward-head-publisher");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param witness the operator's witness file, or null
     * @param siem    the JSON-lines audit file, or null
     * @param hsm     the seal's head store while it has one (the HSM seal, unsealed)
     */
    RollbackGuard(WitnessFile witness, JsonLinesFileSink siem, Supplier<Optional<HeadStore>> hsm) {
        this.witness = witness;
        this.siem = siem;
        this.hsm = hsm;
    }

    @Override
    public void published(String logId, TreeHead head) {
        Optional<HeadStore> store = hsm.get(); // taken now: the seal may change before the task runs
        try {
            publisher.execute(() -> publish(logId, head, store));
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            publish(logId, head, store);
        }
    }

    private void publish(String logId, TreeHead head, Optional<HeadStore> store) {
        if (HEADS.isInfoEnabled()) {
            HEADS.info("{}", WitnessFile.line(logId, head));
        }
        if (witness != null) {
            try {
                witness.append(logId, head);
            } catch (RuntimeException e) {
                LOG.warn("the tree head of size {} could not be written to the witness file: {}", head.treeSize(),
                        e.getClass().getSimpleName());
            }
        }
        if (siem != null) {
            try {
                siem.appendHead(logId, head);
            } catch (RuntimeException e) {
                LOG.warn("the tree head of size {} could not be written to the audit file: {}", head.treeSize(),
                        e.getClass().getSimpleName());
            }
        }
        store.ifPresent(s -> {
            try {
                s.store(logId, head);
            } catch (RuntimeException e) {
                LOG.warn("the tree head of size {} could not be stored on the HSM: {}", head.treeSize(),
                        e.getClass().getSimpleName());
            }
        });
    }

    /** Waits until every head handed over so far is published (unseal and verification compare with them). */
    void flush() {
        try {
            publisher.submit(() -> { }).get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                 | java.util.concurrent.RejectedExecutionException e) {
            LOG.warn("publishing tree heads is behind: {}", e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The newest head published for {@code logId} in each place that has one. */
    List<PublishedHead> published(String logId, Optional<HeadStore> store) {
        List<PublishedHead> out = new ArrayList<>();
        if (witness != null) {
            witness.newest(logId).ifPresent(out::add);
        }
        store.ifPresent(s -> s.newest(logId).ifPresent(out::add));
        return out;
    }

    /**
     * Why the log is older than (or other than) a head published for it, or null. A log with no
     * entries yet has nothing to compare.
     */
    String check(MerkleAuditLog log, Unsealed u, StorageTx tx, Optional<HeadStore> store) {
        String logId = log.logId(tx);
        if (logId == null) {
            return null;
        }
        for (PublishedHead p : published(logId, store)) {
            String why = log.olderThan(u.audit(), tx, p);
            if (why != null) {
                return why;
            }
        }
        return null;
    }

    /** The published head a check found the log older than, for the audit entry of an accepted rollback. */
    Optional<PublishedHead> newestBeyond(MerkleAuditLog log, Unsealed u, StorageTx tx, Optional<HeadStore> store) {
        String logId = log.logId(tx);
        if (logId == null) {
            return Optional.empty();
        }
        return published(logId, store).stream().filter(p -> log.olderThan(u.audit(), tx, p) != null).findFirst();
    }

    @Override
    public void close() {
        publisher.shutdown();
        try {
            if (!publisher.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("tree heads were still being published when the vault closed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
