package dev.keyward.vault.anomaly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.keyward.vault.api.AlertSeverity;
import dev.keyward.vault.api.InvalidRequestException;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The detector and containment configuration: policy as code, one YAML document (see
 * docs/anomaly.md). Parsing is strict: an unknown detector, action, severity or field is refused
 * with a sentence that names it and what is allowed.
 *
 * @param version        the document's format version (1)
 * @param zone           the time zone hours and weekdays are learned in
 * @param learningPeriod how long an identity is watched before its baseline alerts
 * @param learningEvents how many of its requests are seen before its baseline alerts
 * @param cooldown       after an alert, the same detector stays quiet for the same identity this long
 * @param detectors      settings per detector (every detector has an entry)
 * @param containment    actions per alert kind and severity (key: severity id or {@code any})
 * @param delivery       where alerts go besides the console
 * @param yaml           the document as given (null for the defaults)
 */
public record AnomalyConfig(int version, ZoneId zone, Duration learningPeriod, long learningEvents, Duration cooldown,
                            Map<String, DetectorSettings> detectors, Map<String, Map<String, List<String>>> containment,
                            Delivery delivery, String yaml) {

    /** The containment actions. */
    public static final List<String> ACTIONS = List.of("alert", "revoke-tokens", "lock", "read-only",
            "vault-read-only", "risk", "rotate", "seal");

    /** One detector's settings: on or off, a severity override, its thresholds. */
    public record DetectorSettings(boolean enabled, AlertSeverity severity, Map<String, Double> params) {
        public double param(String name) {
            Double d = params.get(name);
            if (d == null) {
                throw new IllegalStateException("no parameter " + name);
            }
            return d;
        }
    }

    public record Syslog(String host, int port, String appName, int facility) {
    }

    public record Webhook(String url, byte[] key, String caPem, Duration timeout) {
        @Override
        public String toString() {
            return "Webhook[key hidden]";
        }
    }

    /** Delivery: the JSON-lines file (null = none), syslog (null = none), the webhook (null = none). */
    public record Delivery(String jsonl, Syslog syslog, Webhook webhook) {
        public List<String> names() {
            List<String> out = new ArrayList<>(List.of("console"));
            if (jsonl != null) {
                out.add("jsonl");
            }
            if (syslog != null) {
                out.add("syslog");
            }
            if (webhook != null) {
                out.add("webhook");
            }
            return out;
        }
    }

    /** Thresholds every detector knows, with their defaults (documented in docs/anomaly.md). */
    static final Map<String, Map<String, Double>> PARAMS = new LinkedHashMap<>();
    private static final Map<String, Map<String, List<String>>> DEFAULT_CONTAINMENT = new LinkedHashMap<>();

    static {
        PARAMS.put(Detectors.NEW_SOURCE, Map.of());
        PARAMS.put(Detectors.OFF_HOURS, Map.of());
        PARAMS.put(Detectors.BURST, Map.of("factor", 3.0, "floor", 40.0));
        PARAMS.put(Detectors.FIRST_READ, Map.of());
        PARAMS.put(Detectors.AUTH_FAILURES, Map.of("threshold", 5.0, "window", 600.0));
        PARAMS.put(Detectors.SOURCE_AUTH_FAILURES, Map.of("threshold", 10.0, "window", 600.0));
        PARAMS.put(Detectors.RETIRED_CREDENTIAL, Map.of());
        PARAMS.put(Detectors.TOKEN_LIFETIME, Map.of("factor", 2.0, "renewals", 4.0, "age", 7200.0));
        PARAMS.put(Detectors.PRIVILEGE_ESCALATION, Map.of());
        PARAMS.put(Detectors.ENUMERATION, Map.of("factor", 3.0, "floor", 25.0, "window", 300.0));
        PARAMS.put(Detectors.CONCURRENT_SOURCES, Map.of("window", 60.0));
        DEFAULT_CONTAINMENT.put(Detectors.NEW_SOURCE, Map.of("high", List.of("revoke-tokens", "risk"),
                "critical", List.of("revoke-tokens", "risk")));
        DEFAULT_CONTAINMENT.put(Detectors.AUTH_FAILURES, Map.of("any", List.of("read-only")));
        DEFAULT_CONTAINMENT.put(Detectors.CONCURRENT_SOURCES, Map.of("any", List.of("revoke-tokens", "risk")));
        DEFAULT_CONTAINMENT.put(Detectors.ENUMERATION, Map.of("any", List.of("risk")));
        DEFAULT_CONTAINMENT.put(Detectors.RETIRED_CREDENTIAL, Map.of("any", List.of("risk")));
    }

    private static final Set<String> TOP = Set.of("version", "zone", "learning", "cooldown", "detectors",
            "containment", "delivery");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public AnomalyConfig {
        detectors = Map.copyOf(detectors);
        containment = Map.copyOf(containment);
    }

    /** The built-in configuration: every detector on, a week of learning, fail-safe containment. */
    public static AnomalyConfig defaults() {
        Map<String, DetectorSettings> d = new LinkedHashMap<>();
        PARAMS.forEach((name, p) -> d.put(name, new DetectorSettings(true, null, p)));
        return new AnomalyConfig(1, ZoneId.of("UTC"), Duration.ofDays(7), 50, Duration.ofMinutes(10), d,
                DEFAULT_CONTAINMENT, new Delivery(null, null, null), null);
    }

    public DetectorSettings detector(String name) {
        return detectors.get(name);
    }

    /** The actions for an alert of {@code kind} at {@code severity}: the severity's list, else {@code any}'s, else none. */
    public List<String> actions(String kind, AlertSeverity severity) {
        Map<String, List<String>> byKind = containment.get(kind);
        if (byKind == null) {
            return List.of();
        }
        List<String> a = byKind.get(severity.id());
        if (a == null) {
            a = byKind.get("any");
        }
        return a == null ? List.of() : a.stream().filter(x -> !x.equals("alert")).toList();
    }

    // ------------------------------------------------------------ parsing

    /** Parses a configuration document; refuses anything it does not know. */
    public static AnomalyConfig parse(String yaml) {
        if (yaml == null || yaml.isBlank()) {
            throw new InvalidRequestException("The detector configuration is empty.");
        }
        if (yaml.length() > 256 * 1024) {
            throw new InvalidRequestException("The detector configuration is at most 256 KiB.");
        }
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new InvalidRequestException("The detector configuration is not valid YAML"
                    + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null
                    ? " (line " + j.getLocation().getLineNr() + ")" : "") + ".");
        }
        if (root == null || !root.isObject()) {
            throw new InvalidRequestException("The detector configuration is a YAML mapping (version, learning,"
                    + " detectors, containment, delivery).");
        }
        fieldsIn(root, TOP, "the detector configuration");
        AnomalyConfig base = defaults();
        int version = root.has("version") ? root.get("version").asInt(-1) : 1;
        if (version != 1) {
            throw new InvalidRequestException("The detector configuration's version must be 1.");
        }
        ZoneId zone = base.zone();
        if (root.has("zone")) {
            try {
                zone = ZoneId.of(root.get("zone").asText());
            } catch (DateTimeException e) {
                throw new InvalidRequestException("'" + root.get("zone").asText() + "' is not a time zone (e.g. UTC,"
                        + " Europe/Berlin).");
            }
        }
        Duration period = base.learningPeriod();
        long events = base.learningEvents();
        JsonNode learning = root.get("learning");
        if (learning != null) {
            fieldsIn(learning, Set.of("period", "min_events"), "learning");
            if (learning.has("period")) {
                period = duration(learning.get("period").asText(), "learning.period");
            }
            if (learning.has("min_events")) {
                events = learning.get("min_events").asLong(-1);
                if (events < 0 || events > 1_000_000) {
                    throw new InvalidRequestException("learning.min_events is between 0 and 1000000.");
                }
            }
        }
        Duration cooldown = root.has("cooldown") ? duration(root.get("cooldown").asText(), "cooldown") : base.cooldown();
        Map<String, DetectorSettings> detectors = new LinkedHashMap<>(base.detectors());
        JsonNode ds = root.get("detectors");
        if (ds != null) {
            if (!ds.isObject()) {
                throw new InvalidRequestException("detectors is a mapping from detector name to its settings.");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = ds.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                if (!Detectors.isDetector(name)) {
                    throw new InvalidRequestException("Unknown detector '" + name + "' in the detector configuration;"
                            + " known detectors: " + String.join(", ", Detectors.names()) + ".");
                }
                detectors.put(name, settings(name, e.getValue(), base.detector(name)));
            }
        }
        Map<String, Map<String, List<String>>> containment = new LinkedHashMap<>(base.containment());
        JsonNode cs = root.get("containment");
        if (cs != null) {
            if (!cs.isObject()) {
                throw new InvalidRequestException("containment is a mapping from detector name to severities and"
                        + " actions.");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = cs.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                if (!Detectors.isDetector(name) && !Detectors.raisedKinds().contains(name)) {
                    throw new InvalidRequestException("Unknown detector '" + name + "' under containment; known: "
                            + String.join(", ", Detectors.names()) + ", " + String.join(", ", Detectors.raisedKinds())
                            + ".");
                }
                containment.put(name, actions(name, e.getValue()));
            }
        }
        Delivery delivery = delivery(root.get("delivery"));
        return new AnomalyConfig(version, zone, period, events, cooldown, detectors, containment, delivery, yaml);
    }

    private static DetectorSettings settings(String name, JsonNode n, DetectorSettings base) {
        if (n == null || n.isNull()) {
            return base;
        }
        if (n.isBoolean()) {
            return new DetectorSettings(n.asBoolean(), base.severity(), base.params());
        }
        if (!n.isObject()) {
            throw new InvalidRequestException("The settings of detector " + name + " are a mapping (enabled,"
                    + " severity, thresholds) or true/false.");
        }
        Map<String, Double> params = new LinkedHashMap<>(base.params());
        Set<String> allowed = new java.util.HashSet<>(params.keySet());
        allowed.add("enabled");
        allowed.add("severity");
        fieldsIn(n, allowed, "detector " + name);
        boolean enabled = !n.has("enabled") || n.get("enabled").asBoolean(true);
        AlertSeverity sev = n.has("severity") ? severity(n.get("severity").asText(), "detector " + name) : null;
        for (String p : base.params().keySet()) {
            if (n.has(p)) {
                JsonNode v = n.get(p);
                double d = p.equals("window") || p.equals("age") ? duration(v.asText(), name + "." + p).toSeconds()
                        : v.asDouble(-1);
                if (!(d > 0) || d > 1e9) {
                    throw new InvalidRequestException(name + "." + p + " must be a positive number"
                            + (p.equals("window") || p.equals("age") ? " of time (e.g. 10m)" : "") + ".");
                }
                params.put(p, d);
            }
        }
        return new DetectorSettings(enabled, sev, params);
    }

    private static Map<String, List<String>> actions(String kind, JsonNode n) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isObject()) {
            throw new InvalidRequestException("containment." + kind + " maps severities (info, low, medium, high,"
                    + " critical, any) to lists of actions.");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String sev = e.getKey().toLowerCase(Locale.ROOT);
            if (!sev.equals("any")) {
                severity(sev, "containment." + kind);
            }
            List<String> list = new ArrayList<>();
            JsonNode v = e.getValue();
            if (v.isTextual()) {
                list.add(action(v.asText(), kind));
            } else if (v.isArray()) {
                v.forEach(a -> list.add(action(a.asText(), kind)));
            } else {
                throw new InvalidRequestException("containment." + kind + "." + sev + " is a list of actions.");
            }
            out.put(sev, List.copyOf(list));
        }
        return out;
    }

    private static String action(String a, String kind) {
        String x = a == null ? "" : a.trim().toLowerCase(Locale.ROOT);
        if (!ACTIONS.contains(x)) {
            throw new InvalidRequestException("Unknown containment action '" + a + "' for " + kind + "; actions: "
                    + String.join(", ", ACTIONS) + ".");
        }
        return x;
    }

    private static AlertSeverity severity(String s, String where) {
        for (AlertSeverity v : AlertSeverity.values()) {
            if (v.id().equals(s == null ? "" : s.trim().toLowerCase(Locale.ROOT))) {
                return v;
            }
        }
        throw new InvalidRequestException("Unknown severity '" + s + "' in " + where + "; severities: info, low,"
                + " medium, high, critical" + (where.startsWith("containment") ? ", any" : "") + ".");
    }

    private static Delivery delivery(JsonNode n) {
        if (n == null || n.isNull()) {
            return new Delivery(null, null, null);
        }
        fieldsIn(n, Set.of("jsonl", "syslog", "webhook"), "delivery");
        String jsonl = n.has("jsonl") ? n.get("jsonl").asText() : null;
        if (jsonl != null && (jsonl.isBlank() || !java.nio.file.Path.of(jsonl).isAbsolute())) {
            throw new InvalidRequestException("delivery.jsonl is an absolute file path.");
        }
        Syslog syslog = null;
        JsonNode s = n.get("syslog");
        if (s != null) {
            fieldsIn(s, Set.of("host", "port", "app_name", "facility"), "delivery.syslog");
            String host = s.has("host") ? s.get("host").asText() : "127.0.0.1";
            int port = s.has("port") ? s.get("port").asInt(-1) : 514;
            int facility = s.has("facility") ? s.get("facility").asInt(-1) : 10; // authpriv
            if (port < 1 || port > 65535 || facility < 0 || facility > 23 || host.isBlank()) {
                throw new InvalidRequestException("delivery.syslog needs a host, a port 1-65535 and a facility 0-23.");
            }
            String app = s.has("app_name") ? s.get("app_name").asText() : "keyward";
            if (!app.matches("[!-~]{1,48}")) {
                throw new InvalidRequestException("delivery.syslog.app_name is 1 to 48 printable ASCII characters.");
            }
            syslog = new Syslog(host, port, app, facility);
        }
        Webhook webhook = null;
        JsonNode w = n.get("webhook");
        if (w != null) {
            fieldsIn(w, Set.of("url", "key", "ca_pem", "timeout"), "delivery.webhook");
            if (!w.has("url") || !w.has("key")) {
                throw new InvalidRequestException("delivery.webhook needs a url (https) and a key (base64, at least"
                        + " 32 bytes) to sign with.");
            }
            dev.keyward.vault.notify.WebhookTarget.parse(w.get("url").asText());
            byte[] key;
            try {
                key = Base64.getDecoder().decode(w.get("key").asText().trim());
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("delivery.webhook.key is base64.");
            }
            if (key.length < 32) {
                throw new InvalidRequestException("delivery.webhook.key has at least 32 bytes.");
            }
            webhook = new Webhook(w.get("url").asText(), key, w.has("ca_pem") ? w.get("ca_pem").asText() : null,
                    w.has("timeout") ? duration(w.get("timeout").asText(), "delivery.webhook.timeout") : null);
        }
        return new Delivery(jsonl, syslog, webhook);
    }

    private static void fieldsIn(JsonNode n, Set<String> allowed, String where) {
        if (!n.isObject()) {
            throw new InvalidRequestException(where + " is a mapping.");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw new InvalidRequestException("Unknown field '" + f + "' in " + where + "; allowed: "
                        + String.join(", ", new java.util.TreeSet<>(allowed)) + ".");
            }
        }
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    static Duration duration(String s, String where) {
        Matcher m = DURATION.matcher(s == null ? "" : s.trim());
        if (!m.matches()) {
            throw new InvalidRequestException(where + " is a duration like 30s, 10m, 12h or 7d.");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** The document as shown back: webhook keys masked. */
    public String shownYaml() {
        if (yaml == null) {
            return "# built-in defaults (see docs/anomaly.md)\nversion: 1\n";
        }
        return yaml.replaceAll("(?m)^(\\s*key:\\s*).*$", "$1\"***\"");
    }
}
