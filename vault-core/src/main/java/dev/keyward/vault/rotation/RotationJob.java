package dev.keyward.vault.rotation;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rotation scheduler's thread: runs {@link Rotations#tick} every {@code interval} while the
 * vault is unsealed, and at once when a run is asked for ({@link #kick}). All state is in storage
 * and all time comes from the vault's clock, so a stop loses nothing and the first pass after an
 * unseal resumes or rolls back what a crash interrupted.
 */
public final class RotationJob implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RotationJob.class);

    private final Rotations rotations;
    private final Duration interval;
    private ScheduledExecutorService executor;

    public RotationJob(Rotations rotations, Duration interval) {
        this.rotations = rotations;
        this.interval = interval;
    }

    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "keyward-rotation");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(1, interval.toMillis());
        executor.scheduleWithFixedDelay(this::runOnce, 0, ms, TimeUnit.MILLISECONDS);
    }

    /** Asks for a pass soon (a run was queued). */
    public synchronized void kick() {
        if (executor != null) {
            executor.execute(this::runOnce);
        }
    }

    public void runOnce() {
        try {
            rotations.tick();
        } catch (RuntimeException e) {
            LOG.warn("the rotation pass failed: {}", e.getClass().getSimpleName());
        }
    }

    public synchronized void stop() {
        if (executor != null) {
            // no interrupt: a pass may be reading storage, and an interrupted read closes H2's file
            // channel; a pass in flight ends by itself (its records fail once the vault is sealed)
            executor.shutdown();
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
