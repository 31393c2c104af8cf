package dev.keyward.vault.engine;

import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.RewrapStatus;
import dev.keyward.vault.api.VaultSealedException;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.BindingRegistry;
import dev.keyward.vault.identity.Records;
import dev.keyward.vault.storage.Storage;
import dev.keyward.vault.storage.StorageTx;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves every barrier record to the newest data-key term, in the background, in small durable
 * batches. Each batch runs in one write transaction: it re-reads each record, re-encrypts it if
 * its term is older than the target, and stores its cursor in {@code sys/rewrap} in the same
 * commit, so a crash loses at most the batch in flight and the next unseal resumes after the
 * cursor. Concurrent writes are safe: writes are serialised by storage, and a record written
 * meanwhile is already at the newest term and is skipped.
 */
final class Rewrapper {
    private static final Logger LOG = LoggerFactory.getLogger(Rewrapper.class);
    static final String STATE_KEY = "sys/rewrap";
    private static final String STATE_KIND = "sys.rewrap";

    private final Engine engine;
    private final Storage storage;
    private final BindingRegistry bindings;
    private final int batch;
    private Thread worker;
    private volatile boolean stopping;

    /** The stored progress (sealed like any record). */
    static final class State {
        public int target;
        public int prefixIndex;
        public String cursor;
        public long total;
        public long examined;
        public long rewrapped;
        public boolean done;
    }

    Rewrapper(Engine engine, Storage storage, BindingRegistry bindings) {
        this.engine = engine;
        this.storage = storage;
        this.bindings = bindings;
        this.batch = Math.max(1, Integer.getInteger("keyward.rewrap.batch", 256));
    }

    /** Writes a fresh progress record (inside the audited transaction); {@link #launch()} after commit. */
    RewrapStatus begin(Unsealed k, StorageTx tx) {
        State s = new State();
        s.target = k.keyring().activeTerm();
        for (String prefix : bindings.prefixes()) {
            String after = null;
            List<StorageTx.Entry> page;
            do {
                page = tx.scan(prefix, after, 1000);
                s.total += page.size();
                if (!page.isEmpty()) {
                    after = page.get(page.size() - 1).key();
                }
            } while (page.size() == 1000);
        }
        save(k, tx, s);
        return toStatus(s, RewrapStatus.State.RUNNING);
    }

    RewrapStatus status(Unsealed k, StorageTx tx) {
        State s = load(k, tx);
        if (s == null) {
            return new RewrapStatus(0, RewrapStatus.State.IDLE, 0, 0, 0);
        }
        if (s.done) {
            return toStatus(s, RewrapStatus.State.DONE);
        }
        return toStatus(s, running() ? RewrapStatus.State.RUNNING : RewrapStatus.State.PAUSED);
    }

    private static RewrapStatus toStatus(State s, RewrapStatus.State state) {
        // Records written after the rewrap started are examined too: the total grows with them.
        return new RewrapStatus(s.target, state, Math.max(s.total, s.examined), s.examined, s.rewrapped);
    }

    synchronized boolean running() {
        return worker != null && worker.isAlive();
    }

    /** Starts the worker unless it runs already. */
    synchronized void launch() {
        if (running() || stopping) {
            return;
        }
        worker = new Thread(this::loop, "keyward-rewrap");
        worker.setDaemon(true);
        worker.start();
    }

    /** After an unseal: continues a rewrap that a seal or crash interrupted. */
    void resumeIfPending() {
        try {
            Boolean pending = engine.underKeys(k -> storage.read(tx -> {
                State s = load(k, tx);
                return s != null && !s.done;
            }));
            if (pending) {
                LOG.info("resuming an interrupted rewrap");
                launch();
            }
        } catch (KeywardException e) {
            LOG.warn("could not check for an interrupted rewrap: {}", e.getMessage());
        }
    }

    void stop() {
        Thread t;
        synchronized (this) {
            stopping = true;
            t = worker;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        try {
            boolean more = true;
            while (more && !stopping) {
                more = engine.underKeys(k -> storage.write(tx -> step(k, tx)));
            }
            if (!stopping) {
                LOG.info("rewrap finished");
            }
        } catch (VaultSealedException e) {
            LOG.info("rewrap paused: the vault is sealed; it resumes at the next unseal");
        } catch (KeywardException e) {
            if (!stopping) {
                LOG.warn("rewrap paused: {}", e.getMessage());
            }
        }
    }

    /** One batch; returns whether more remain. */
    private boolean step(Unsealed k, StorageTx tx) {
        State s = load(k, tx);
        if (s == null || s.done) {
            return false;
        }
        Barrier barrier = k.barrier();
        List<String> prefixes = bindings.prefixes();
        int budget = batch;
        while (budget > 0 && s.prefixIndex < prefixes.size()) {
            String prefix = prefixes.get(s.prefixIndex);
            List<StorageTx.Entry> page = tx.scan(prefix, s.cursor, budget);
            for (StorageTx.Entry e : page) {
                if (!e.key().equals(STATE_KEY) && Barrier.termOf(e.value()) < s.target) {
                    Barrier.Binding b = bindings.bindingOf(e.key()).orElseThrow();
                    byte[] plain = barrier.open(b, e.value());
                    try {
                        tx.put(e.key(), barrier.seal(b, plain));
                    } finally {
                        Arrays.fill(plain, (byte) 0);
                    }
                    s.rewrapped++;
                }
                s.examined++;
                s.cursor = e.key();
            }
            budget -= page.size();
            if (budget > 0) {
                s.prefixIndex++;
                s.cursor = null;
            }
        }
        if (s.prefixIndex >= prefixes.size()) {
            s.done = true;
            s.examined = Math.max(s.examined, 0);
        }
        save(k, tx, s);
        return !s.done;
    }

    private static State load(Unsealed k, StorageTx tx) {
        return Records.get(tx, k.barrier(), STATE_KIND, STATE_KEY, State.class);
    }

    private static void save(Unsealed k, StorageTx tx, State s) {
        Records.put(tx, k.barrier(), STATE_KIND, STATE_KEY, s);
    }
}
