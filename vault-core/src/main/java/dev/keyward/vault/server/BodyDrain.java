package dev.keyward.vault.server;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Reads and discards what is left of a request body the endpoint refuses as too large, then
 * answers. A server that answers 413 and closes while the client is still sending leaves unread
 * bytes in its socket, so the kernel resets the connection and the client may never read the
 * answer; draining first (bounded in bytes and in time, on Jetty's demand callbacks, holding no
 * thread) lets the client finish and read the 413. Past either bound the answer goes out at once,
 * as before.
 */
final class BodyDrain {
    /** At most this much more is read of a refused body. */
    static final long MAX_DRAIN_BYTES = 64L * 1024 * 1024;

    private final Request request;
    private final AtomicBoolean answered = new AtomicBoolean();
    private final Runnable answer;
    private long left;

    private BodyDrain(Request request, long budget, Runnable answer) {
        this.request = request;
        this.left = budget;
        this.answer = answer;
    }

    /**
     * Drains the rest of {@code request}'s body (unless its declared length is already past the
     * bound) and then runs {@code answer} exactly once; after {@code timeout} it runs at any rate.
     */
    static void thenAnswer(Request request, Duration timeout, Runnable answer) {
        long declared = request.getLength();
        BodyDrain d = new BodyDrain(request, MAX_DRAIN_BYTES, answer);
        if (declared > MAX_DRAIN_BYTES) {
            d.answer();
            return;
        }
        CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS).execute(d::answer);
        d.read();
    }

    private void read() {
        while (!answered.get()) {
            Content.Chunk c = request.read();
            if (c == null) {
                request.demand(this::read);
                return;
            }
            if (Content.Chunk.isFailure(c)) {
                answer();
                return;
            }
            boolean last = c.isLast();
            left -= c.remaining();
            c.release();
            if (last || left <= 0) {
                answer();
                return;
            }
        }
    }

    private void answer() {
        if (answered.compareAndSet(false, true)) {
            answer.run();
        }
    }
}
