package dev.keyward.vault.anomaly;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import dev.keyward.vault.api.AlertSeverity;
import dev.keyward.vault.audit.AuditEvent;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The detectors over the audit stream: per identity baselines learned incrementally (source
 * addresses, hours and weekdays, request rate, paths and prefixes, operations, client kind, token
 * lifetimes and renewals) and the findings each entry gives. Pure and single-threaded: the
 * {@link AnomalyJob} feeds it one entry at a time in log order and persists its {@link State}.
 */
public final class Monitor {
    /** Baselines keep at most this many distinct values per kind (oldest dropped first). */
    static final int MAX_VALUES = 4096;
    /** Credentials (token and secret_id hashes) remembered. */
    static final int MAX_CREDENTIALS = 50_000;

    private static final Set<String> LOGINS = Set.of("operator.login", "approle.login", "cert.login");
    private static final Set<String> SWEEP_OPS = Set.of("secret.read", "secret.list", "metadata.read");
    private static final Set<String> WIDENING_OPS = Set.of("policy.write", "policy.apply", "role.write",
            "approle.write", "operator.update", "cert.write");

    /** Everything the monitor knows, persisted under the barrier. */
    @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY)
    public static final class State {
        public long lastSequence = -1;
        public Map<String, Baseline> identities = new HashMap<>();
        public LinkedHashMap<String, Cred> credentials = new LinkedHashMap<>();
        /** role_id hash to identity id (attributes failed AppRole logins). */
        public Map<String, String> roleIds = new HashMap<>();
        /** Failed authentications per source address: [epoch ms, sequence]. */
        public Map<String, List<long[]>> sourceFailures = new HashMap<>();
        /** Secret resources rotated: the first version current after the last rotation. */
        public Map<String, Long> rotated = new HashMap<>();
        /** Secret resources: the newest version seen. */
        public Map<String, Long> latest = new HashMap<>();
        /** detector + identity: quiet until (epoch ms). */
        public Map<String, Long> quietUntil = new HashMap<>();
    }

    /** One identity's baseline and its open windows. */
    @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY)
    public static final class Baseline {
        public String name;
        /** operator or machine, from its logins (machine until an operator login is seen). */
        public String kind = "machine";
        public long firstMs;
        public long events;
        public Map<String, Long> sources = new HashMap<>();
        public long[] hours = new long[24];
        public long[] days = new long[7];
        public Set<String> paths = new HashSet<>();
        public Set<String> prefixes = new HashSet<>();
        public Set<String> operations = new HashSet<>();
        public Set<String> clients = new HashSet<>();
        public int maxPerMinute;
        public long minute = -1;
        public int minuteCount;
        public boolean minuteAlerted;
        public int maxDistinct;
        public long window = -1;
        public Set<String> windowPaths = new HashSet<>();
        public boolean windowAlerted;
        public int maxRenewals;
        public long maxTokenAgeS;
        /** The token this identity used last (its renewals and age are learned when it moves on). */
        public String lastToken;
        /** Failed authentications in the current streak: [epoch ms, sequence]. */
        public List<long[]> failures = new ArrayList<>();
        public Set<String> falsePositives = new HashSet<>();

        boolean learned(AnomalyConfig c, long nowMs) {
            return events >= c.learningEvents() && nowMs - firstMs >= c.learningPeriod().toMillis();
        }
    }

    /** A credential seen working: a token (by its audit HMAC) or a secret_id (by its hash). */
    @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY)
    public static final class Cred {
        public String identityId;
        public String name;
        public long firstMs;
        public long lastMs;
        public long lastSeq;
        public String lastSource;
        public int renewals;
        public long revokedMs;
        public boolean alerted;
    }

    private final State state;
    private volatile AnomalyConfig config;
    /** The time of the entry being judged (an alert says when its evidence happened). */
    private java.time.Instant observedAt;

    public Monitor(State state, AnomalyConfig config) {
        this.state = state == null ? new State() : state;
        this.config = config;
    }

    public State state() {
        return state;
    }

    public void configure(AnomalyConfig c) {
        this.config = c;
    }

    public AnomalyConfig config() {
        return config;
    }

    /** Whether an entry is the vault's own (a background job, alerts and containment): never baselined. */
    static boolean own(AuditEvent e) {
        return "SYSTEM".equals(e.authMethod()) || (e.identityId() != null && e.identityId().startsWith("system:"))
                || e.operation().startsWith("alert.") || e.operation().startsWith("containment.");
    }

    /** An operator marked an alert of {@code detector} about {@code identityId} a false positive: learn it. */
    public void falsePositive(String detector, String identityId, Map<String, String> details) {
        Baseline b = identityId == null ? null : state.identities.get(identityId);
        if (b == null) {
            return;
        }
        String source = details.get("source");
        if (Detectors.NEW_SOURCE.equals(detector) && source != null) {
            b.sources.merge(source, 1L, Long::sum);
        }
        String path = details.get("path");
        if (Detectors.FIRST_READ.equals(detector) && path != null) {
            add(b.paths, path);
            add(b.prefixes, prefix(path));
        }
        String hour = details.get("hour");
        if (Detectors.OFF_HOURS.equals(detector) && hour != null) {
            int h = Integer.parseInt(hour);
            b.hours[h] += Math.max(1, b.events / 100);
            int d = Integer.parseInt(details.getOrDefault("weekday", "1")) - 1;
            b.days[d] += Math.max(1, b.events / 50);
        }
    }

    /** Feeds one durable entry; returns what it shows (often nothing). */
    public List<Finding> observe(long seq, AuditEvent e) {
        if (seq <= state.lastSequence) {
            return List.of(); // told again after a restart: already seen
        }
        state.lastSequence = seq;
        if (e.outcome() == AuditEvent.Outcome.SUCCESS) {
            rotation(e);
        }
        if (own(e)) {
            return List.of();
        }
        AnomalyConfig c = config;
        List<Finding> out = new ArrayList<>();
        long now = e.time().toEpochMilli();
        observedAt = e.time();
        boolean failure = e.outcome() == AuditEvent.Outcome.FAILURE;
        boolean authFailure = failure && isAuthFailure(e);
        String hmac = e.credentialHmac();
        Map<String, String> d = e.details();

        // Whose is it? The authenticated identity; for a failed login or token, who the credential belonged to.
        String identityId = e.identityId();
        String identityName = e.identityName();
        Cred cred = hmac == null ? null : state.credentials.get(hmac);
        Cred secretCred = d.get("secret_id_hmac") == null ? null : state.credentials.get("sid:" + d.get("secret_id_hmac"));
        if (identityId == null && authFailure) {
            String viaRole = d.get("role_id_hmac") == null ? null : state.roleIds.get(d.get("role_id_hmac"));
            Cred known = cred != null ? cred : secretCred;
            if (known != null) {
                identityId = known.identityId;
                identityName = known.name;
            } else if (viaRole != null) {
                identityId = viaRole;
                Baseline rb = state.identities.get(viaRole);
                identityName = rb == null ? null : rb.name;
            }
        }

        if (authFailure) {
            authFailures(c, seq, e, now, identityId, identityName, cred, secretCred, out);
            return out;
        }
        if (identityId == null) {
            return out;
        }
        Baseline b = state.identities.computeIfAbsent(identityId, k -> {
            Baseline n = new Baseline();
            n.firstMs = now;
            return n;
        });
        if (identityName != null) {
            b.name = identityName;
        }
        if ("operator.login".equals(e.operation()) && !failure) {
            b.kind = "operator";
        }
        if (!failure) {
            b.failures.clear(); // a success ends a streak
        }
        boolean learned = b.learned(c, now);
        String source = e.sourceAddress();

        // ---- new source address
        if (!failure && source != null && !b.sources.containsKey(source)) {
            if (learned && on(c, Detectors.NEW_SOURCE)) {
                emit(c, out, now, Detectors.NEW_SOURCE, b.kind.equals("operator") ? AlertSeverity.MEDIUM
                        : AlertSeverity.HIGH, identityId, b.name, source,
                        "The " + b.kind + " " + b.name + " was used from " + source + ", an address it never used.",
                        List.of(seq), Map.of("source", source, "operation", e.operation()));
            }
        }
        // ---- off-hours
        ZonedDateTime t = e.time().atZone(c.zone());
        int hour = t.getHour();
        int day = t.getDayOfWeek().getValue() - 1;
        if (!failure && learned && on(c, Detectors.OFF_HOURS)) {
            if (!usualHour(b, hour) || b.days[day] == 0) {
                emit(c, out, now, Detectors.OFF_HOURS, AlertSeverity.MEDIUM, identityId, b.name, null,
                        "The " + b.kind + " " + b.name + " was active at " + String.format("%02d:00", hour) + " on "
                                + t.getDayOfWeek().name().toLowerCase(java.util.Locale.ROOT)
                                + (b.days[day] == 0 ? ", a day" : ", an hour") + " it never was active.",
                        List.of(seq), Map.of("hour", Integer.toString(hour), "weekday", Integer.toString(day + 1)));
            }
        }
        // ---- burst against the learned rate
        long minute = now / 60_000;
        if (minute != b.minute) {
            if (b.minute >= 0 && !b.minuteAlerted) {
                b.maxPerMinute = Math.max(b.maxPerMinute, b.minuteCount);
            }
            b.minute = minute;
            b.minuteCount = 0;
            b.minuteAlerted = false;
        }
        b.minuteCount++;
        if (learned && on(c, Detectors.BURST) && !b.minuteAlerted) {
            AnomalyConfig.DetectorSettings s = c.detector(Detectors.BURST);
            double limit = Math.max(s.param("floor"), s.param("factor") * b.maxPerMinute);
            if (b.minuteCount > limit) {
                b.minuteAlerted = true;
                emit(c, out, now, Detectors.BURST, AlertSeverity.MEDIUM, identityId, b.name, null,
                        "The " + b.kind + " " + b.name + " made " + b.minuteCount + " requests within a minute; its"
                                + " most before was " + b.maxPerMinute + ".",
                        List.of(seq), Map.of("count", Integer.toString(b.minuteCount),
                                "baseline", Integer.toString(b.maxPerMinute)));
            }
        }
        // ---- enumeration sweeps
        if (SWEEP_OPS.contains(e.operation()) && e.resource() != null) {
            AnomalyConfig.DetectorSettings s = c.detector(Detectors.ENUMERATION);
            long window = now / (long) (s.param("window") * 1000);
            if (window != b.window) {
                if (b.window >= 0 && !b.windowAlerted) {
                    b.maxDistinct = Math.max(b.maxDistinct, b.windowPaths.size());
                }
                b.window = window;
                b.windowPaths.clear();
                b.windowAlerted = false;
            }
            if (b.windowPaths.size() < MAX_VALUES) {
                b.windowPaths.add(e.resource());
            }
            double limit = Math.max(s.param("floor"), s.param("factor") * b.maxDistinct);
            if (learned && s.enabled() && !b.windowAlerted && b.windowPaths.size() > limit) {
                b.windowAlerted = true;
                emit(c, out, now, Detectors.ENUMERATION, AlertSeverity.HIGH, identityId, b.name, null,
                        "The " + b.kind + " " + b.name + " touched " + b.windowPaths.size() + " different paths"
                                + " within " + (long) s.param("window") + " s; its most before was " + b.maxDistinct
                                + ".", List.of(seq), Map.of("paths", Integer.toString(b.windowPaths.size())));
            }
        }
        // ---- first read of a path (machines: the path; operators: the folder)
        if ("secret.read".equals(e.operation()) && !failure && e.resource() != null) {
            String path = e.resource();
            String prefix = prefix(path);
            boolean newPath = !b.paths.contains(path);
            boolean newPrefix = !b.prefixes.contains(prefix);
            if (learned && on(c, Detectors.FIRST_READ) && (b.kind.equals("operator") ? newPrefix : newPath)) {
                emit(c, out, now, Detectors.FIRST_READ, AlertSeverity.MEDIUM, identityId, b.name, path,
                        "The " + b.kind + " " + b.name + " read " + path + (newPrefix ? " (a folder it never read)"
                                : "") + " for the first time.", List.of(seq), Map.of("path", path));
            }
            add(b.paths, path);
            add(b.prefixes, prefix);
            // ---- a previous version after a rotation
            Long rotatedTo = state.rotated.get(path);
            int version = parseInt(d.get("version"));
            if (rotatedTo != null && "false".equals(d.get("latest")) && version > 0 && version < rotatedTo
                    && on(c, Detectors.RETIRED_CREDENTIAL)) {
                emit(c, out, now, Detectors.RETIRED_CREDENTIAL, AlertSeverity.HIGH, identityId, b.name, path,
                        "The " + b.kind + " " + b.name + " read version " + d.get("version") + " of " + path
                                + ", a version the rotation retired.", List.of(seq),
                        Map.of("path", path, "version", String.valueOf(d.get("version"))));
            }
        }
        // ---- privilege escalation
        if (!failure && WIDENING_OPS.contains(e.operation()) && "true".equals(d.get("widens"))
                && on(c, Detectors.PRIVILEGE_ESCALATION)) {
            emitAlways(out, Detectors.PRIVILEGE_ESCALATION, AlertSeverity.HIGH, identityId, b.name, e.resource(),
                    b.name + " widened " + e.resource() + " (" + e.operation() + ").", List.of(seq),
                    Map.of("operation", e.operation()));
        }
        if (!failure && e.operation().startsWith("approval.elevation.start")
                && (e.approvalId() == null || e.approvalId().isBlank()) && on(c, Detectors.PRIVILEGE_ESCALATION)) {
            emitAlways(out, Detectors.PRIVILEGE_ESCALATION, AlertSeverity.CRITICAL, identityId, b.name, e.resource(),
                    b.name + " started an elevation without an approval.", List.of(seq),
                    Map.of("operation", e.operation()));
        }
        // ---- credentials: concurrent sources, lifetime, renewals, revocation
        if (hmac != null && !failure) {
            tokenUse(c, seq, e, now, hmac, identityId, b, learned, out);
        }
        if (!failure && "approle.login".equals(e.operation())) {
            if (d.get("role_id_hmac") != null) {
                state.roleIds.put(d.get("role_id_hmac"), identityId);
            }
            if (d.get("secret_id_hmac") != null) {
                remember("sid:" + d.get("secret_id_hmac"), identityId, b.name, now, seq, source);
            }
        }
        if (!failure && ("token.revoke".equals(e.operation()) || "operator.logout".equals(e.operation()))) {
            revoked(e, now, hmac);
        }
        // ---- learn
        b.events++;
        if (source != null && (b.sources.containsKey(source) || b.sources.size() < MAX_VALUES)) {
            b.sources.merge(source, 1L, Long::sum);
        }
        if (!failure) {
            b.hours[hour]++;
            b.days[day]++;
        }
        add(b.operations, e.operation());
        add(b.clients, e.authMethod());
        return out;
    }

    private void authFailures(AnomalyConfig c, long seq, AuditEvent e, long now, String identityId,
                              String identityName, Cred cred, Cred secretCred, List<Finding> out) {
        String source = e.sourceAddress();
        // ---- a retired credential presented again
        Cred retired = cred != null ? cred : secretCred;
        if (retired != null && on(c, Detectors.RETIRED_CREDENTIAL) && !retired.alerted) {
            retired.alerted = true;
            String what = cred != null ? "token" : "secret_id";
            String why = retired.revokedMs > 0 ? "revoked" : "expired or revoked";
            emit(c, out, now, Detectors.RETIRED_CREDENTIAL, retired.revokedMs > 0 || secretCred != null
                            ? AlertSeverity.HIGH : AlertSeverity.MEDIUM, retired.identityId, retired.name, source,
                    "A " + why + " " + what + " of " + retired.name + " was presented from " + source + ".",
                    List.of(retired.lastSeq, seq), Map.of("credential", what, "source", String.valueOf(source)));
        }
        // ---- streak per identity
        if (identityId != null) {
            Baseline b = state.identities.computeIfAbsent(identityId, k -> {
                Baseline n = new Baseline();
                n.firstMs = now;
                return n;
            });
            if (identityName != null && b.name == null) {
                b.name = identityName;
            }
            AnomalyConfig.DetectorSettings s = c.detector(Detectors.AUTH_FAILURES);
            long windowMs = (long) (s.param("window") * 1000);
            b.failures.removeIf(f -> f[0] < now - windowMs);
            b.failures.add(new long[] {now, seq});
            if (s.enabled() && b.failures.size() >= s.param("threshold")) {
                List<Long> ev = b.failures.stream().map(f -> f[1]).toList();
                b.failures.clear();
                emit(c, out, now, Detectors.AUTH_FAILURES, AlertSeverity.MEDIUM, identityId, b.name, source,
                        ev.size() + " failed authentications in a row for " + b.name + " (last from " + source + ").",
                        ev, Map.of("count", Integer.toString(ev.size()), "source", String.valueOf(source)));
            }
        }
        // ---- per source
        if (source != null) {
            AnomalyConfig.DetectorSettings s = c.detector(Detectors.SOURCE_AUTH_FAILURES);
            long windowMs = (long) (s.param("window") * 1000);
            List<long[]> f = state.sourceFailures.computeIfAbsent(source, k -> new ArrayList<>());
            f.removeIf(x -> x[0] < now - windowMs);
            f.add(new long[] {now, seq});
            if (s.enabled() && f.size() >= s.param("threshold")) {
                List<Long> ev = f.stream().map(x -> x[1]).toList();
                f.clear();
                emit(c, out, now, Detectors.SOURCE_AUTH_FAILURES, AlertSeverity.HIGH, null, null, source,
                        ev.size() + " failed authentications from " + source + " within "
                                + (windowMs / 1000) + " s.", ev, Map.of("source", source));
            }
            if (state.sourceFailures.size() > MAX_VALUES) {
                state.sourceFailures.entrySet().removeIf(x -> x.getValue().isEmpty()
                        || x.getValue().get(x.getValue().size() - 1)[0] < now - windowMs);
            }
        }
    }

    /**
     * Whether two source addresses are one machine: the same address, or both this host (the
     * embedded console's "local" and any loopback address), so that a token an operator uses from the
     * console and from the CLI on the same host is not one credential used from two places.
     */
    static boolean sameHost(String a, String b) {
        return a.equals(b) || (loopback(a) && loopback(b));
    }

    private static boolean loopback(String s) {
        return s.equals(dev.keyward.vault.api.Caller.LOCAL) || s.startsWith("127.") || s.equals("::1")
                || s.equals("0:0:0:0:0:0:0:1") || s.equals("[::1]");
    }

    private void tokenUse(AnomalyConfig c, long seq, AuditEvent e, long now, String hmac, String identityId,
                          Baseline b, boolean learned, List<Finding> out) {
        Cred k = state.credentials.get(hmac);
        String source = e.sourceAddress();
        if (k == null) {
            k = remember(hmac, identityId, b.name, now, seq, source);
        }
        AnomalyConfig.DetectorSettings cs = c.detector(Detectors.CONCURRENT_SOURCES);
        if (cs.enabled() && source != null && k.lastSource != null && !sameHost(source, k.lastSource)
                && now - k.lastMs <= cs.param("window") * 1000) {
            emit(c, out, now, Detectors.CONCURRENT_SOURCES, AlertSeverity.HIGH, identityId, b.name, source,
                    "One token of " + b.name + " was used from " + k.lastSource + " and " + source + " within "
                            + ((now - k.lastMs) / 1000) + " s.", List.of(k.lastSeq, seq),
                    Map.of("first_source", k.lastSource, "second_source", source));
        }
        AnomalyConfig.DetectorSettings ts = c.detector(Detectors.TOKEN_LIFETIME);
        long ageS = (now - k.firstMs) / 1000;
        // The baseline learns a token's renewals and age once the identity moved on to a new token
        // (never from the token being judged, which would let a long-lived token raise its own bar).
        if (!hmac.equals(b.lastToken)) {
            Cred prev = b.lastToken == null ? null : state.credentials.get(b.lastToken);
            if (prev != null && !prev.alerted) {
                b.maxRenewals = Math.max(b.maxRenewals, prev.renewals);
                b.maxTokenAgeS = Math.max(b.maxTokenAgeS, (prev.lastMs - prev.firstMs) / 1000);
            }
            b.lastToken = hmac;
        }
        if ("token.renew".equals(e.operation())) {
            k.renewals++;
            if (learned && ts.enabled() && !k.alerted && k.renewals > Math.max(ts.param("renewals"),
                    ts.param("factor") * b.maxRenewals)) {
                k.alerted = true;
                emit(c, out, now, Detectors.TOKEN_LIFETIME, AlertSeverity.MEDIUM, identityId, b.name, null,
                        "A token of " + b.name + " was renewed " + k.renewals + " times; its tokens were renewed at"
                                + " most " + b.maxRenewals + " times.", List.of(seq),
                        Map.of("renewals", Integer.toString(k.renewals)));
            }
        }
        // Age: machines only (an operator's session lives its fixed TTL, however its day goes).
        if (learned && ts.enabled() && !k.alerted && b.kind.equals("machine")
                && ageS > Math.max(ts.param("age"), ts.param("factor") * b.maxTokenAgeS)) {
            k.alerted = true;
            emit(c, out, now, Detectors.TOKEN_LIFETIME, AlertSeverity.MEDIUM, identityId, b.name, null,
                    "A token of " + b.name + " is in use " + (ageS / 60) + " min after its first use; its tokens"
                            + " lived at most " + (b.maxTokenAgeS / 60) + " min.", List.of(k.lastSeq, seq),
                    Map.of("age_seconds", Long.toString(ageS)));
        }
        k.lastMs = now;
        k.lastSeq = seq;
        k.lastSource = source;
        // touch for the LRU order
        state.credentials.remove(hmac);
        state.credentials.put(hmac, k);
    }

    private Cred remember(String key, String identityId, String name, long now, long seq, String source) {
        Cred k = state.credentials.get(key);
        if (k == null) {
            k = new Cred();
            k.identityId = identityId;
            k.name = name;
            k.firstMs = now;
            state.credentials.put(key, k);
            if (state.credentials.size() > MAX_CREDENTIALS) {
                Iterator<String> it = state.credentials.keySet().iterator();
                it.next();
                it.remove();
            }
        }
        k.lastMs = now;
        k.lastSeq = seq;
        k.lastSource = source;
        return k;
    }

    private void revoked(AuditEvent e, long now, String hmac) {
        String r = e.resource();
        if (r != null && r.startsWith("sys/token/identity/")) {
            String id = r.substring("sys/token/identity/".length());
            state.credentials.values().forEach(k -> {
                if (id.equals(k.identityId) && k.revokedMs == 0) {
                    k.revokedMs = now;
                }
            });
        } else if (hmac != null && (r == null || r.equals("token/self") || "operator.logout".equals(e.operation()))) {
            Cred k = state.credentials.get(hmac);
            if (k != null) {
                k.revokedMs = now;
            }
        }
    }

    /** Containment revoked an identity's tokens (its own entries are not baselined): mark them. */
    public void tokensRevoked(String identityId, long nowMs) {
        state.credentials.values().forEach(k -> {
            if (identityId.equals(k.identityId) && k.revokedMs == 0) {
                k.revokedMs = nowMs;
            }
        });
    }

    /**
     * Rotations: a version the rotation job wrote (or a rotation's finish) retires the versions
     * before it. Remembers, per secret, the first version that is current since the last rotation.
     */
    private void rotation(AuditEvent e) {
        if (e.resource() == null) {
            return;
        }
        String r = e.resource().startsWith("secret/") ? e.resource() : "secret/" + e.resource();
        boolean byRotation = "system:rotation".equals(e.identityId());
        if (byRotation && ("secret.write".equals(e.operation()) || "secret.patch".equals(e.operation()))
                || e.operation().equals("rotation.step.finish")) {
            int v = parseInt(e.details().get("version"));
            Long known = state.latest.get(r);
            long current = v > 0 ? v : known == null ? 0 : known + (byRotation ? 1 : 0);
            if (current > 0) {
                state.rotated.put(r, current);
                state.latest.put(r, current);
            }
        } else if ("secret.read".equals(e.operation()) && "true".equals(e.details().get("latest"))) {
            int v = parseInt(e.details().get("version"));
            if (v > 0) {
                state.latest.merge(r, (long) v, Math::max);
            }
        } else if (("secret.write".equals(e.operation()) || "secret.patch".equals(e.operation()))) {
            int v = parseInt(e.details().get("version"));
            if (v > 0) {
                state.latest.merge(r, (long) v, Math::max);
            } else {
                state.latest.computeIfPresent(r, (k, x) -> x + 1);
            }
        }
        if (state.latest.size() > MAX_CREDENTIALS) {
            state.latest.clear();
        }
    }

    private static int parseInt(String s) {
        if (s == null) {
            return 0;
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Whether an identity is active around {@code hour}: within the span of hours it was ever active
     * in (the shortest arc of the day that holds them all), widened by one hour on each side.
     */
    static boolean usualHour(Baseline b, int hour) {
        // The largest gap of never-active hours is the off time; everything else is the working span.
        int bestStart = -1;
        int bestLen = 0;
        for (int s = 0; s < 24; s++) {
            if (b.hours[s] != 0 || b.hours[(s + 23) % 24] == 0) {
                continue; // a gap starts where an active hour ends
            }
            int len = 0;
            while (len < 24 && b.hours[(s + len) % 24] == 0) {
                len++;
            }
            if (len > bestLen) {
                bestLen = len;
                bestStart = s;
            }
        }
        if (bestStart < 0) {
            return true; // active at every hour
        }
        // inside the gap, but not its first or last hour (one hour of slack each side)
        int into = (hour - bestStart + 24) % 24;
        return !(into >= 1 && into < bestLen - 1);
    }

    static boolean isAuthFailure(AuditEvent e) {
        if (e.outcome() != AuditEvent.Outcome.FAILURE) {
            return false;
        }
        if (LOGINS.contains(e.operation())) {
            return "AuthenticationFailedException".equals(e.errorClass());
        }
        return "AccessDeniedException".equals(e.errorClass()) && "authentication".equals(e.rule());
    }

    private static String prefix(String path) {
        int i = path.lastIndexOf('/');
        return i < 0 ? "" : path.substring(0, i + 1);
    }

    private static void add(Set<String> set, String v) {
        if (v != null && set.size() < MAX_VALUES) {
            set.add(v);
        }
    }

    private static boolean on(AnomalyConfig c, String detector) {
        return c.detector(detector).enabled();
    }

    /** A finding, unless the same detector spoke about the same identity within the cooldown. */
    private void emit(AnomalyConfig c, List<Finding> out, long now, String detector, AlertSeverity severity,
                      String identityId, String identity, String resource, String summary, List<Long> evidence,
                      Map<String, String> details) {
        String key = detector + "|" + (identityId == null ? "source:" + resource : identityId);
        Long quiet = state.quietUntil.get(key);
        if (quiet != null && now < quiet) {
            return;
        }
        state.quietUntil.put(key, now + c.cooldown().toMillis());
        if (state.quietUntil.size() > MAX_VALUES) {
            state.quietUntil.values().removeIf(v -> v < now);
        }
        emitAlways(out, detector, severity, identityId, identity, resource, summary, evidence, details);
    }

    private void emitAlways(List<Finding> out, String detector, AlertSeverity severity, String identityId,
                            String identity, String resource, String summary, List<Long> evidence,
                            Map<String, String> details) {
        AnomalyConfig.DetectorSettings s = config.detector(detector);
        AlertSeverity sev = s != null && s.severity() != null ? s.severity() : severity;
        Map<String, String> d = new java.util.TreeMap<>(details);
        d.put("observed_at", observedAt.toString());
        out.add(new Finding(detector, sev, identityId, identity, resource, summary, evidence, d));
    }
}
