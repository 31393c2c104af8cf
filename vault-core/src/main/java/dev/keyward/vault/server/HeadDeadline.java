package dev.keyward.vault.server;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.util.Callback;

/**
 * A deadline for a request's head (and the TLS handshake before it). Jetty's idle timeout restarts
 * with every byte, so a client sending one byte a second would hold a connection for as long as it
 * likes; here a connection that has started a request (or a handshake) and not finished its head
 * within the deadline is closed. The body has its own deadline (the request timeout); a connection
 * that sends nothing is left to the idle timeout.
 */
final class HeadDeadline implements Connection.Listener {
    private final long deadlineNanos;
    private final Map<Connection, State> open = new ConcurrentHashMap<>();

    HeadDeadline(Duration deadline) {
        this.deadlineNanos = deadline.toNanos();
    }

    /** Per connection: whether a request is being served, and since when bytes of the next one wait. */
    private static final class State {
        volatile boolean serving;
        volatile long bytesAtRest;
        volatile long waitingSince;
        final long opened = System.nanoTime();
    }

    @Override
    public void onOpened(Connection connection) {
        open.put(connection, new State());
    }

    @Override
    public void onClosed(Connection connection) {
        open.remove(connection);
    }

    /** A request's head arrived on {@code connection}: no deadline until its answer is sent. */
    Callback begin(Connection connection, Callback callback) {
        State st = connection == null ? null : open.get(connection);
        if (st == null) {
            return callback;
        }
        st.serving = true;
        st.waitingSince = 0;
        return new Callback() {
            @Override
            public void succeeded() {
                rest(connection, st);
                callback.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                rest(connection, st);
                callback.failed(x);
            }

            @Override
            public InvocationType getInvocationType() {
                return callback.getInvocationType();
            }
        };
    }

    private static void rest(Connection connection, State st) {
        st.bytesAtRest = connection.getBytesIn();
        st.waitingSince = 0;
        st.serving = false;
    }

    /** Closes every connection whose head (or handshake) is overdue. */
    void sweep() {
        long now = System.nanoTime();
        open.forEach((c, st) -> {
            if (c instanceof SslConnection tls) {
                // A handshake that has started and not finished within the deadline.
                if (tls.getBytesIn() > 0 && !tls.getSSLEngine().getSession().isValid() && now - st.opened > deadlineNanos
                        && tls.getSSLEngine().getHandshakeStatus() != javax.net.ssl.SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING) {
                    tls.getEndPoint().close();
                }
                return;
            }
            if (st.serving) {
                return;
            }
            if (c.getBytesIn() > st.bytesAtRest) {
                if (st.waitingSince == 0) {
                    st.waitingSince = now;
                } else if (now - st.waitingSince > deadlineNanos) {
                    c.getEndPoint().close();
                }
            }
        });
    }
}
