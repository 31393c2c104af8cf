package dev.keyward.vault.anomaly;

import dev.keyward.vault.audit.AuditTap;
import dev.keyward.vault.identity.Records;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the audit stream for the detectors: the tap queues each durable batch (it never blocks or
 * throws on the committer's thread) and one named thread, {@code keyward-anomaly}, feeds the
 * {@link Monitor} in log order and hands its findings on. The monitor's state is persisted (under
 * the barrier, by the host) at most every second and when the vault seals; after a restart the job
 * resumes from the last sequence it processed: entries the log holds beyond it are read once
 * (catch-up), nothing is rescanned.
 */
public final class AnomalyJob implements AuditTap {
    private static final Logger LOG = LoggerFactory.getLogger(AnomalyJob.class);
    /** Entries queued beyond this are dropped (and counted) rather than grow without bound. */
    static final int MAX_QUEUED = 1_000_000;
    /** Under a steady stream the state is saved at most this often (it is saved when the stream pauses too). */
    static final long SAVE_EVERY_NANOS = 30_000_000_000L;
    /**
     * Under a heavy stream (at least {@link #BUSY_PER_SECOND} entries a second since the previous
     * wake-up) the thread waits this long after a batch arrives for more before it feeds them: it
     * then wakes at most about 50 times a second instead of once per commit, which is most of what
     * reading the stream costs the read path. A lighter stream is fed at once, so a finding (and
     * its containment) waits for nothing when there is no load to save.
     */
    static final long GATHER_NANOS = 20_000_000L;
    static final int BUSY_PER_SECOND = 1000;

    /** What the job needs from the vault. */
    public interface Host {
        /** The stored state, or null (a first start). */
        Monitor.State loadState();

        AnomalyConfig loadConfig();

        /** Stores the encoded state under the barrier. */
        void saveState(byte[] encoded);

        /** Entries after {@code afterSequence}, at most {@code limit}, from the log (catch-up after a restart). */
        List<Committed> entriesAfter(long afterSequence, int limit);

        /** One finding, to raise as an alert (and contain). */
        void found(Finding f);
    }

    private final Host host;
    /** The tap's batches as they came (one queue node per commit, not per entry). */
    private final LinkedBlockingQueue<List<Committed>> queue = new LinkedBlockingQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong processed = new AtomicLong(-1);
    private final Object lock = new Object();
    private volatile Monitor monitor;
    private volatile Thread thread;
    private volatile boolean running;

    public AnomalyJob(Host host) {
        this.host = host;
    }

    @Override
    public void committed(List<Committed> entries) {
        if (!running) {
            return; // sealed: the catch-up at the next start reads these from the log
        }
        int n = entries.size();
        if (n == 0) {
            return;
        }
        if (queued.addAndGet(n) > MAX_QUEUED) {
            queued.addAndGet(-n);
            dropped.addAndGet(n);
            return;
        }
        // The list is the committer's and is not changed after it is handed on (AuditTap's contract).
        if (!queue.offer(entries)) {
            queued.addAndGet(-n);
            dropped.addAndGet(n);
        }
    }

    /** Starts reading (at unseal): loads the state, catches up from the log, then follows the tap. */
    public synchronized void start() {
        if (running) {
            return;
        }
        queue.clear();
        queued.set(0);
        Monitor.State s = host.loadState();
        monitor = new Monitor(s, host.loadConfig());
        processed.set(monitor.state().lastSequence);
        running = true;
        Thread t = new Thread(this::run, "keyward-anomaly");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /**
     * Stops (at seal, on the sealing thread): the thread is told to end and the monitor's state is
     * returned encoded, for the host to store while it still holds the keys; null when not running.
     */
    public synchronized byte[] stop() {
        if (!running) {
            return null;
        }
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
        thread = null;
        synchronized (lock) {
            return Records.encode(monitor.state());
        }
    }

    public boolean running() {
        return running;
    }

    /** The last sequence fed to the detectors. */
    public long processed() {
        return processed.get();
    }

    public long dropped() {
        return dropped.get();
    }

    /** Waits until the detectors have seen entry {@code sequence}; false on timeout. */
    public boolean awaitProcessed(long sequence, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (processed.get() < sequence) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(2);
        }
        return true;
    }

    /** Runs {@code work} on the monitor with no entry being fed meanwhile (configuration, false positives). */
    public void withMonitor(Consumer<Monitor> work) {
        Monitor m = monitor;
        if (m == null) {
            return;
        }
        synchronized (lock) {
            work.accept(m);
        }
    }

    private void run() {
        long lastSave = System.nanoTime();
        boolean dirty = false;
        try {
            catchUp();
            List<List<Committed>> batches = new java.util.ArrayList<>();
            boolean busy = false;
            long lastWake = System.nanoTime();
            while (running) {
                List<Committed> c = queue.poll(200, TimeUnit.MILLISECONDS);
                if (c != null) {
                    if (busy && queued.get() < 4096) {
                        TimeUnit.NANOSECONDS.sleep(GATHER_NANOS);
                    }
                    batches.add(c);
                    queue.drainTo(batches);
                    int fed = 0;
                    for (List<Committed> b : batches) {
                        queued.addAndGet(-b.size());
                        fed += b.size();
                        feed(b);
                    }
                    batches.clear();
                    long woke = System.nanoTime();
                    busy = fed * 1_000_000_000L >= BUSY_PER_SECOND * Math.max(1, woke - lastWake);
                    lastWake = woke;
                    dirty = true;
                }
                // The state is saved now and then: after a restart the catch-up reads what came since.
                if (dirty && running && (System.nanoTime() - lastSave > SAVE_EVERY_NANOS
                        || c == null && System.nanoTime() - lastSave > 1_000_000_000L)) {
                    save();
                    dirty = false;
                    lastSave = System.nanoTime();
                }
            }
        } catch (InterruptedException stop) {
            // sealing
        } catch (RuntimeException e) {
            LOG.error("the anomaly detectors stopped: {}", e.getClass().getSimpleName());
        }
    }

    private void catchUp() {
        while (running) {
            List<Committed> page = host.entriesAfter(monitor.state().lastSequence, 1000);
            if (page.isEmpty()) {
                return;
            }
            feed(page);
            if (page.size() < 1000) {
                return;
            }
        }
    }

    private void feed(List<Committed> batch) {
        List<Finding> found = new java.util.ArrayList<>();
        long last = -1;
        synchronized (lock) {
            for (Committed c : batch) {
                try {
                    found.addAll(monitor.observe(c.sequence(), c.event()));
                } catch (RuntimeException e) {
                    LOG.warn("an audit entry could not be fed to the detectors: {}", e.getClass().getSimpleName());
                }
                last = Math.max(last, c.sequence());
            }
        }
        for (Finding f : found) {
            try {
                host.found(f);
            } catch (RuntimeException e) {
                LOG.warn("a {} alert could not be raised: {}", f.detector(), e.getClass().getSimpleName());
            }
        }
        processed.accumulateAndGet(last, Math::max);
    }

    private void save() {
        byte[] encoded;
        synchronized (lock) {
            encoded = Records.encode(monitor.state());
        }
        try {
            host.saveState(encoded);
        } catch (RuntimeException e) {
            LOG.warn("the anomaly detectors' state could not be saved: {}", e.getClass().getSimpleName());
        }
    }
}
