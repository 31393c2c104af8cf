package dev.keyward.vault.governance;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access-review job: on its own named executor it runs {@code sweep} (open the reviews that
 * are due, close those past their deadline) every {@code interval} while the vault is unsealed.
 * All state is in storage and all time comes from the vault's clock inside the sweep, so a stop
 * loses nothing and a restart resumes where the records say. Started on unseal, stopped on seal.
 */
public final class ReviewJob implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReviewJob.class);

    private final Runnable sweep;
    private final Duration interval;
    private ScheduledExecutorService executor;

    public ReviewJob(Runnable sweep, Duration interval) {
        this.sweep = sweep;
        this.interval = interval;
    }

    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "keyward-access-reviews");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(1, interval.toMillis());
        executor.scheduleWithFixedDelay(this::runOnce, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** One sweep; failures are logged (by class, never a message a client could have sent) and retried next time. */
    public void runOnce() {
        try {
            sweep.run();
        } catch (RuntimeException e) {
            LOG.warn("the access-review sweep failed: {}", e.getClass().getSimpleName());
        }
    }

    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    public synchronized boolean running() {
        return executor != null;
    }

    @Override
    public void close() {
        stop();
    }
}
