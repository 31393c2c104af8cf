package dev.keyward.vault.anomaly;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.keyward.vault.api.AlertService.Alert;
import dev.keyward.vault.api.AlertSeverity;
import dev.keyward.vault.notify.WebhookSender;
import dev.keyward.vault.notify.WebhookTarget;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends alerts (raised, and every state change) beyond the console: a JSON-lines file, syslog
 * (RFC 5424 over UDP) and a signed webhook. A failing delivery is logged (which delivery, an error
 * class; never the alert's text or the URL) and reported in the detector configuration; it never
 * stops detection or containment.
 */
public final class Deliveries implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Deliveries.class);
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    /** The structured-data id of Keyward's syslog elements (an enterprise-number style name). */
    static final String SD_ID = "keyward@32473";

    private final WebhookSender webhooks;
    private final Map<String, String> problems = new ConcurrentHashMap<>();

    public Deliveries(Clock clock, WebhookSender.Retry retry) {
        this.webhooks = new WebhookSender(clock, retry);
    }

    /** The last failure of each delivery, by name ({@code jsonl}, {@code syslog}, {@code webhook}). */
    public Map<String, String> problems() {
        return Map.copyOf(problems);
    }

    /** Delivers one alert event ({@code alert.raise}, {@code alert.ack}, ...) to every configured delivery. */
    public void deliver(AnomalyConfig.Delivery d, String event, Alert a) {
        byte[] json = body(event, a);
        if (d.jsonl() != null) {
            try {
                Path p = Path.of(d.jsonl());
                if (p.getParent() != null) {
                    Files.createDirectories(p.getParent());
                }
                synchronized (this) {
                    byte[] line = new byte[json.length + 1];
                    System.arraycopy(json, 0, line, 0, json.length);
                    line[json.length] = '\n';
                    Files.write(p, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                            StandardOpenOption.WRITE);
                }
                problems.remove("jsonl");
            } catch (IOException | RuntimeException e) {
                fail("jsonl", e.getClass().getSimpleName());
            }
        }
        if (d.syslog() != null) {
            try {
                byte[] msg = syslog(d.syslog(), event, a).getBytes(StandardCharsets.UTF_8);
                try (DatagramSocket s = new DatagramSocket()) {
                    s.send(new DatagramPacket(msg, msg.length, InetAddress.getByName(d.syslog().host()),
                            d.syslog().port()));
                }
                problems.remove("syslog");
            } catch (IOException | RuntimeException e) {
                fail("syslog", e.getClass().getSimpleName());
            }
        }
        if (d.webhook() != null) {
            try {
                AnomalyConfig.Webhook w = d.webhook();
                WebhookTarget t = new WebhookTarget(w.url(), w.key(), w.caPem(), w.timeout());
                webhooks.send(t, event, json).thenAccept(o -> {
                    if (o.delivered()) {
                        problems.remove("webhook");
                    } else {
                        fail("webhook", "to " + o.host() + " after " + o.attempts() + " attempts: " + o.lastError());
                    }
                });
            } catch (RuntimeException e) {
                fail("webhook", e.getClass().getSimpleName());
            }
        }
    }

    private void fail(String delivery, String why) {
        problems.put(delivery, why);
        LOG.warn("alert delivery {} failed: {}", delivery, why);
    }

    /** The JSON body of an alert event: the alert's facts, never a secret value (alerts hold none). */
    static byte[] body(String event, Alert a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", event);
        m.put("id", a.id());
        m.put("detector", a.detector());
        m.put("severity", a.severity().id());
        m.put("state", a.state().id());
        m.put("identity", a.identity());
        m.put("identity_id", a.identityId());
        m.put("resource", a.resource());
        m.put("summary", a.summary());
        m.put("raised_at", a.raisedAt());
        m.put("evidence", a.evidence());
        m.put("details", a.details());
        m.put("actions", a.actions());
        if (!a.history().isEmpty()) {
            var last = a.history().get(a.history().size() - 1);
            m.put("changed_by", last.by());
            m.put("reason", last.why());
        }
        try {
            return JSON.writeValueAsBytes(m);
        } catch (IOException e) {
            throw new IllegalStateException("an alert could not be encoded", e);
        }
    }

    /** One RFC 5424 message: {@code <PRI>1 TIMESTAMP HOST APP - MSGID [SD] MSG}. */
    static String syslog(AnomalyConfig.Syslog s, String event, Alert a) {
        int pri = s.facility() * 8 + code(a.severity());
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "-";
        }
        String sd = "[" + SD_ID + " id=\"" + sd(a.id()) + "\" detector=\"" + sd(a.detector()) + "\" severity=\""
                + a.severity().id() + "\" state=\"" + a.state().id() + "\""
                + (a.identity() == null ? "" : " identity=\"" + sd(a.identity()) + "\"") + "]";
        return "<" + pri + ">1 " + DateTimeFormatter.ISO_INSTANT.format(a.raisedAt()) + " " + printable(host, 255)
                + " " + s.appName() + " - " + printable(event, 32) + " " + sd + " " + a.summary();
    }

    private static int code(AlertSeverity s) {
        return switch (s) {
            case CRITICAL -> 2;
            case HIGH -> 3;
            case MEDIUM -> 4;
            case LOW -> 5;
            case INFO -> 6;
        };
    }

    /** RFC 5424 PARAM-VALUE escaping: '"', '\' and ']'. */
    private static String sd(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("]", "\\]");
    }

    private static String printable(String v, int max) {
        String p = v.replaceAll("[^!-~]", "_");
        return p.isEmpty() ? "-" : p.length() > max ? p.substring(0, max) : p;
    }

    @Override
    public void close() {
        webhooks.close();
    }
}
