package dev.keyward.vault.server;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.RotationRun;
import dev.keyward.vault.api.RotationService;
import dev.keyward.vault.api.RotationService.RotationConfig;
import dev.keyward.vault.api.RotationService.RotationRecord;
import dev.keyward.vault.api.RotationService.RotationSchedule;
import dev.keyward.vault.api.RotationService.RotationStatus;
import dev.keyward.vault.api.RotationTrigger;
import dev.keyward.vault.api.Vault;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rotation routes under {@code /v1/kw/rotation/}, for pipelines, the CLI and scripts. Each call goes
 * through the guarded door:
 * <ul>
 * <li>{@code GET|POST|DELETE config/<path>}: the secret's rotation config</li>
 * <li>{@code GET status/<path>}, {@code GET history/<path>?limit=N}, {@code GET preview/<path>?count=N}</li>
 * <li>{@code POST next/<path>} ({@code at}): the next run by hand</li>
 * <li>{@code POST run/<path>} ({@code reason}, {@code trigger} manual or compromise): rotate now</li>
 * <li>{@code POST <path>/trigger} ({@code reason} optional): a deployment event; needs {@code rotate} on the secret</li>
 * <li>{@code GET schedules?prefix=P}, {@code GET rotators}, {@code POST preview} (a schedule, {@code count})</li>
 * </ul>
 * Durations are written like {@code 30s}, {@code 15m}, {@code 24h}, {@code 30d}; times as RFC 3339.
 */
final class RotationRoutes {
    private final Vault vault;

    RotationRoutes(Vault vault) {
        this.vault = vault;
    }

    record ScheduleBody(String interval, String cron, String zone, String windowStart, String window, String jitter) {
        RotationSchedule toSchedule() {
            LocalTime start;
            try {
                start = windowStart == null || windowStart.isBlank() ? null : LocalTime.parse(windowStart.trim());
            } catch (DateTimeParseException e) {
                throw new InvalidRequestException("window_start is a time of day, HH:MM.");
            }
            return new RotationSchedule(duration(interval, "interval"), cron, zone, start,
                    duration(window, "window"), duration(jitter, "jitter"));
        }
    }

    record ConfigBody(String rotator, Map<String, String> params, ScheduleBody schedule, String routineGrace,
                      String upgradeGrace, Boolean destroyPrevious, Integer maxAttempts, String retryBackoff,
                      String expiryLead, String pairedWith, String pairSpacing) {
        RotationConfig toConfig() {
            if (rotator == null || rotator.isBlank()) {
                throw new InvalidRequestException("rotator is required (e.g. generated, hook, ssh).");
            }
            return new RotationConfig(rotator.trim(), params, schedule == null ? null : schedule.toSchedule(),
                    duration(routineGrace, "routine_grace"), duration(upgradeGrace, "upgrade_grace"),
                    destroyPrevious, maxAttempts, duration(retryBackoff, "retry_backoff"),
                    duration(expiryLead, "expiry_lead"), pairedWith, duration(pairSpacing, "pair_spacing"));
        }
    }

    record PreviewBody(ScheduleBody schedule, Integer count) {
    }

    record RunBody(String reason, String trigger, String approvalId) {
    }

    record NextBody(String at) {
    }

    static Duration duration(String s, String name) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return Durations.parse(s);
        } catch (InvalidRequestException e) {
            throw new InvalidRequestException(name + ": " + e.getMessage());
        }
    }

    static String human(Duration d) {
        if (d == null) {
            return null;
        }
        long s = d.getSeconds();
        return s % 86400 == 0 && s > 0 ? s / 86400 + "d" : s % 3600 == 0 && s > 0 ? s / 3600 + "h"
                : s % 60 == 0 && s > 0 ? s / 60 + "m" : s + "s";
    }

    /** A config as JSON, with durations the way they are written in a request. */
    static Map<String, Object> configJson(RotationConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rotator", c.rotator());
        m.put("params", c.params());
        if (c.schedule() != null) {
            RotationSchedule s = c.schedule();
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("interval", human(s.interval()));
            sm.put("cron", s.cron());
            sm.put("zone", s.zone());
            sm.put("window_start", s.windowStart() == null ? null : s.windowStart().toString());
            sm.put("window", human(s.windowDuration()));
            sm.put("jitter", human(s.jitter()));
            m.put("schedule", sm);
        } else {
            m.put("schedule", null);
        }
        m.put("routine_grace", human(c.routineGrace()));
        m.put("upgrade_grace", human(c.upgradeGrace()));
        m.put("destroy_previous", c.destroyPrevious());
        m.put("max_attempts", c.maxAttempts());
        m.put("retry_backoff", human(c.retryBackoff()));
        m.put("expiry_lead", human(c.expiryLead()));
        m.put("paired_with", c.pairedWith());
        m.put("pair_spacing", human(c.pairSpacing()));
        return m;
    }

    private static int intQuery(ApiRequest r, String name, int dflt) {
        String v = r.query().get(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(name + " is a whole number.");
        }
    }

    private static Caller withApproval(Caller c, String approvalId) {
        if (approvalId == null || approvalId.isBlank()) {
            return c;
        }
        return new Caller(c.token(), c.authMethod(), c.sourceAddress(), c.justification(), approvalId.trim());
    }

    private static Map<String, Object> runJson(RotationRun run) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", run.id());
        m.put("path", run.path());
        m.put("trigger", run.trigger().id());
        m.put("state", run.state());
        m.put("started_at", run.startedAt().toString());
        return m;
    }

    static Map<String, Object> recordJson(RotationRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("path", r.path());
        m.put("trigger", r.trigger().id());
        m.put("reason", r.reason());
        m.put("by", r.by());
        m.put("state", r.state());
        m.put("attempt", r.attempt());
        m.put("started_at", str(r.startedAt()));
        m.put("ended_at", str(r.endedAt()));
        m.put("version", r.version());
        m.put("failed_step", r.failedStep());
        m.put("error_class", r.errorClass());
        m.put("error", r.error());
        m.put("step_ms", r.stepMillis());
        return m;
    }

    static Map<String, Object> statusJson(RotationStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", s.path());
        m.put("rotator", s.rotator());
        m.put("schedule", s.schedule());
        m.put("next_run", str(s.nextRun()));
        m.put("window_end", str(s.windowEnd()));
        m.put("overdue", s.overdue());
        m.put("running", s.running());
        m.put("last_outcome", s.lastOutcome());
        m.put("last_run_at", str(s.lastRunAt()));
        m.put("last_success_at", str(s.lastSuccessAt()));
        m.put("attempts", s.attempts());
        m.put("next_retry_at", str(s.nextRetryAt()));
        m.put("needs_attention", s.needsAttention());
        m.put("grace_until", str(s.graceUntil()));
        m.put("expires_at", str(s.expiresAt()));
        return m;
    }

    private static String str(Instant t) {
        return t == null ? null : t.toString();
    }

    ApiResponse handle(ApiRequest r, String rest, Caller caller) {
        RotationService rot = vault.rotation();
        String m = r.method();
        boolean post = m.equals("POST") || m.equals("PUT");
        if (rest.endsWith("/trigger") && post) {
            String path = rest.substring(0, rest.length() - "/trigger".length());
            RunBody b = VaultApi.body(r, RunBody.class);
            return GovernanceRoutes.ok(runJson(rot.rotateNow(withApproval(caller, b.approvalId()), path,
                    RotationTrigger.DEPLOYMENT, b.reason())));
        }
        switch (rest) {
            case "schedules" -> {
                GovernanceRoutes.require(m.equals("GET") || m.equals("LIST"));
                return GovernanceRoutes.ok(Map.of("schedules", rot.schedules(caller, r.query().getOrDefault("prefix",
                        "")).stream().map(RotationRoutes::statusJson).toList()));
            }
            case "rotators" -> {
                GovernanceRoutes.require(m.equals("GET"));
                return GovernanceRoutes.ok(Map.of("rotators", rot.rotators(caller)));
            }
            case "preview" -> {
                GovernanceRoutes.require(post);
                PreviewBody b = VaultApi.body(r, PreviewBody.class);
                if (b.schedule() == null) {
                    throw new InvalidRequestException("schedule is required.");
                }
                return GovernanceRoutes.ok(Map.of("runs", times(rot.previewSchedule(caller, b.schedule().toSchedule(),
                        b.count() == null ? 5 : b.count()))));
            }
            default -> {
                // below: <kind>/<secret path>
            }
        }
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw VaultApi.unsupportedPath();
        }
        String kind = rest.substring(0, slash);
        String path = rest.substring(slash + 1);
        switch (kind) {
            case "config" -> {
                if (m.equals("GET")) {
                    return GovernanceRoutes.ok(configJson(rot.readConfig(caller, path)));
                }
                if (m.equals("DELETE")) {
                    rot.deleteConfig(caller, path);
                    return ApiResponse.NO_CONTENT;
                }
                GovernanceRoutes.require(post);
                return GovernanceRoutes.ok(statusJson(rot.configure(caller, path,
                        VaultApi.body(r, ConfigBody.class).toConfig())));
            }
            case "status" -> {
                GovernanceRoutes.require(m.equals("GET"));
                return GovernanceRoutes.ok(statusJson(rot.status(caller, path)));
            }
            case "history" -> {
                GovernanceRoutes.require(m.equals("GET"));
                return GovernanceRoutes.ok(Map.of("runs", rot.history(caller, path, intQuery(r, "limit", 20)).stream()
                        .map(RotationRoutes::recordJson).toList()));
            }
            case "preview" -> {
                GovernanceRoutes.require(m.equals("GET"));
                return GovernanceRoutes.ok(Map.of("runs", times(rot.preview(caller, path, intQuery(r, "count", 5)))));
            }
            case "next" -> {
                GovernanceRoutes.require(post);
                return GovernanceRoutes.ok(statusJson(rot.setNextRun(caller, path,
                        GovernanceRoutes.instant(VaultApi.body(r, NextBody.class).at(), "at"))));
            }
            case "run" -> {
                GovernanceRoutes.require(post);
                RunBody b = VaultApi.body(r, RunBody.class);
                RotationTrigger t = b.trigger() == null ? RotationTrigger.MANUAL : trigger(b.trigger());
                return GovernanceRoutes.ok(runJson(rot.rotateNow(withApproval(caller, b.approvalId()), path, t,
                        b.reason())));
            }
            default -> throw VaultApi.unsupportedPath();
        }
    }

    private static RotationTrigger trigger(String s) {
        try {
            return RotationTrigger.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("trigger is manual, deployment or compromise.");
        }
    }

    private static List<String> times(List<Instant> l) {
        return l.stream().map(Instant::toString).toList();
    }
}
