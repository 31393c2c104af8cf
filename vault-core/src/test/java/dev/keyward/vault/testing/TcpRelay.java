package dev.keyward.vault.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP relay in front of a real server, so a test can make the server "stop" for the
 * code under test (new connections refused, open ones cut) without stopping the shared server.
 * {@link #start()} listens again on the same port.
 */
public final class TcpRelay implements AutoCloseable {
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile ServerSocket server;
    private int port;

    public TcpRelay(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        start();
    }

    public int port() {
        return port;
    }

    /** Listens (again) and relays every connection to the target. */
    public synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            port = s.getLocalPort();
            server = s;
            Thread t = new Thread(() -> acceptLoop(s), "tcp-relay-" + port);
            t.setDaemon(true);
            t.start();
        } catch (IOException e) {
            throw new IllegalStateException("relay could not listen on " + port, e);
        }
    }

    /** Stops listening and cuts every relayed connection: the server looks down. */
    public synchronized void stop() {
        ServerSocket s = server;
        server = null;
        closeQuietly(s);
        for (Socket c : open) {
            closeQuietly(c);
        }
        open.clear();
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            Socket client;
            try {
                client = s.accept();
            } catch (IOException e) {
                return;
            }
            try {
                Socket upstream = new Socket(targetHost, targetPort);
                open.add(client);
                open.add(upstream);
                pipe(client, upstream);
                pipe(upstream, client);
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // a side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "tcp-relay-pipe");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // already closed
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}
