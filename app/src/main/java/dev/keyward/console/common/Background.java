package dev.keyward.console.common;

import dev.keyward.vault.api.KeywardException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.concurrent.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs vault calls off the FX thread as {@link Task}s; success and error callbacks run on the FX
 * thread. {@link #busyProperty()} is true while any task runs (views bind a progress indicator).
 */
public final class Background implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Background.class);

    private final ExecutorService executor;
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private int running;

    public Background() {
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "keyward-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /**
     * Runs {@code work} in the background. {@code onError} receives a sentence fit for the user:
     * a {@link KeywardException}'s message, or a generic sentence for anything unexpected (which
     * is logged by class only, never with data).
     */
    public <T> Task<T> run(Callable<T> work, Consumer<T> onSuccess, Consumer<String> onError) {
        Task<T> task = new Task<>() {
            @Override
            protected T call() throws Exception {
                return work.call();
            }
        };
        return submit(task, onSuccess, onError);
    }

    /** Like {@link #run}, but hands the failure itself to {@code onFailure}. */
    public <T> Task<T> attempt(Callable<T> work, Consumer<T> onSuccess, Consumer<Throwable> onFailure) {
        Task<T> task = new Task<>() {
            @Override
            protected T call() throws Exception {
                return work.call();
            }
        };
        return submitRaw(task, onSuccess, onFailure);
    }

    /** Like {@link #run} for a task that reports its own progress. */
    public <T> Task<T> submit(Task<T> task, Consumer<T> onSuccess, Consumer<String> onError) {
        return submitRaw(task, onSuccess, t -> onError.accept(describe(t)));
    }

    private <T> Task<T> submitRaw(Task<T> task, Consumer<T> onSuccess, Consumer<Throwable> onFailure) {
        task.setOnSucceeded(e -> {
            done();
            onSuccess.accept(task.getValue());
        });
        task.setOnFailed(e -> {
            done();
            onFailure.accept(task.getException());
        });
        task.setOnCancelled(e -> done());
        running++;
        busy.set(true);
        executor.execute(task);
        return task;
    }

    private void done() {
        running = Math.max(0, running - 1);
        busy.set(running > 0);
    }

    /** A plain sentence for a failure; never a stack trace. */
    public static String describe(Throwable t) {
        if (t instanceof KeywardException k && k.getMessage() != null) {
            return k.getMessage();
        }
        LOG.warn("Unexpected failure in a background task: {}", t == null ? "unknown" : t.getClass().getName());
        return "Something went wrong that Keyward did not expect. The details are in the log.";
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
