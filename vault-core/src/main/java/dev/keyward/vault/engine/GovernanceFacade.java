package dev.keyward.vault.engine;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.GovernanceService;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.crypto.Random;
import dev.keyward.vault.policy.PolicyCode;
import dev.keyward.vault.policy.PolicyStore;
import dev.keyward.vault.api.PolicyService;
import dev.keyward.vault.api.SecretMetadata;
import dev.keyward.vault.api.SecretVersion;
import dev.keyward.vault.governance.LeakIndex;
import dev.keyward.vault.governance.LeakScans;
import dev.keyward.vault.policy.Boundary;
import dev.keyward.vault.policy.NeedsFile;
import dev.keyward.vault.secrets.KvStore;
import dev.keyward.vault.storage.StorageTx;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** {@link GovernanceService} through the guarded door. */
final class GovernanceFacade implements GovernanceService {
    static final String SCAN = "sys/governance/scan";
    static final String CHECK = "sys/governance/check";
    static final String BASELINE = "sys/governance/baseline";
    static final String EXCEPTIONS = "sys/governance/exceptions";

    private final Door door;
    private final SecretsFacade.Guard guard;
    private final LeakScans scans = new LeakScans();

    GovernanceFacade(Door door, SecretsFacade.Guard guard) {
        this.door = door;
        this.guard = guard;
    }

    /** The vault sealed: every scan's keys go. */
    void sealed() {
        scans.close();
    }

    // ------------------------------------------------------------ leak scan

    @Override
    public ScanStart startScan(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.GOVERNANCE_SCAN, SCAN, (k, p, tx, now) -> {
            LeakIndex.Builder b = LeakIndex.builder();
            addValues(k.kv(), tx, "", now, b);
            return scans.open(b.build(), b.tooShort(), now);
        }, s -> Map.of("step", "start", "scan", s.id(), "values", Integer.toString(s.values()),
                "too_short", Integer.toString(s.tooShort()))));
    }

    /** Every field value of every readable version (neither deleted nor destroyed), depth first. */
    private static void addValues(KvStore kv, StorageTx tx, String folder, Instant now, LeakIndex.Builder b) {
        for (String name : kv.list(tx, folder)) {
            if (name.endsWith("/")) {
                addValues(kv, tx, folder + name, now, b);
                continue;
            }
            String path = folder + name;
            SecretMetadata m;
            try {
                m = kv.readMetadata(tx, path);
            } catch (NotFoundException gone) {
                continue;
            }
            for (int v : m.versions().keySet()) {
                SecretVersion sv = kv.read(tx, path, v, now);
                if (!sv.hasData()) {
                    continue;
                }
                for (Map.Entry<String, String> f : sv.data().fields().entrySet()) {
                    byte[] value = f.getValue().getBytes(StandardCharsets.UTF_8);
                    try {
                        b.add(value, new LeakIndex.Ref(path, f.getKey(), v, v == m.currentVersion()));
                    } finally {
                        Arrays.fill(value, (byte) 0);
                    }
                }
            }
        }
    }

    @Override
    public ScanResult scan(Caller caller, String scanId, List<ScanDocument> documents) {
        List<ScanDocument> docs = List.copyOf(documents);
        return guard.run(() -> door.read(caller, Operation.GOVERNANCE_SCAN, SCAN,
                (k, p, tx, now) -> scans.scan(scanId, docs, now),
                r -> Map.of("step", "scan", "scan", String.valueOf(scanId), "documents",
                        Integer.toString(docs.size()), "bytes", Long.toString(r.bytes()), "hits",
                        Integer.toString(r.hits().size()))));
    }

    @Override
    public ScanTotals endScan(Caller caller, String scanId) {
        return guard.run(() -> door.read(caller, Operation.GOVERNANCE_SCAN, SCAN,
                (k, p, tx, now) -> scans.end(scanId, now),
                t -> Map.of("step", "end", "scan", t.id(), "documents", Long.toString(t.documents()), "bytes",
                        Long.toString(t.bytes()), "hits", Long.toString(t.hits()))));
    }

    // ------------------------------------------------------------ boundary check

    @Override
    public BoundaryReport checkBoundary(Caller caller, PolicyService.IdentityRef identity, String needsYaml) {
        NeedsFile.Parsed parsed = NeedsFile.parse(needsYaml);
        if (parsed.identity() != null) {
            String declared = parsed.identity();
            String given = identity.type().name().toLowerCase(java.util.Locale.ROOT) + ":" + identity.name();
            if (!declared.equalsIgnoreCase(given)) {
                throw new dev.keyward.vault.api.InvalidRequestException("The needs file is for " + declared
                        + ", not " + given + ".");
            }
        }
        return checkBoundary(caller, identity, parsed.needs());
    }

    @Override
    public BoundaryReport checkBoundary(Caller caller, PolicyService.IdentityRef identity, List<Need> needs) {
        List<Need> declared = List.copyOf(needs);
        String who = identity.type().name().toLowerCase(java.util.Locale.ROOT) + ":" + identity.name();
        return guard.run(() -> door.read(caller, Operation.GOVERNANCE_CHECK, CHECK, (k, p, tx, now) ->
                Boundary.compare(k.policies(), tx, who, PolicyFacade.subject(k, tx, identity).policies(), declared,
                        now),
                r -> Map.of("identity", who, "extra", Integer.toString(r.extra().size()), "missing",
                        Integer.toString(r.missing().size()))));
    }

    // ------------------------------------------------------------ baseline and exceptions

    private static String reason(String reason) {
        if (reason == null || reason.isBlank() || reason.length() > 1024) {
            throw new InvalidRequestException("Give a reason (at most 1024 characters).");
        }
        return reason.trim();
    }

    @Override
    public BaselineInfo setBaseline(Caller caller, String policiesYaml, String reason) {
        String why = reason(reason);
        List<Policy> fromFile;
        if (policiesYaml == null) {
            fromFile = null;
        } else {
            PolicyCode.State state = PolicyCode.parse(policiesYaml);
            if (state.policies() == null) {
                throw new InvalidRequestException("The baseline file lists no 'policies:'.");
            }
            fromFile = state.policies();
        }
        return guard.run(() -> door.write(caller, Operation.GOVERNANCE_BASELINE, BASELINE, (k, p, tx, now) -> {
            List<Policy> policies = fromFile != null ? fromFile
                    : k.policies().list(tx).stream().map(PolicyStore.PolicyRecord::policy).toList();
            return k.exceptions().setBaseline(tx, policies, p.name(), why, now);
        }, b -> Map.of("baseline_version", Integer.toString(b.version()), "grants", Integer.toString(b.grants()),
                "source", fromFile != null ? "file" : "live")));
    }

    @Override
    public BaselineInfo baseline(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.GOVERNANCE_READ, BASELINE,
                (k, p, tx, now) -> k.exceptions().baseline(tx)));
    }

    @Override
    public List<OutsideGrant> outsideBaseline(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.GOVERNANCE_READ, BASELINE,
                (k, p, tx, now) -> k.exceptions().outsideBaseline(tx, k.policies(), now)));
    }

    @Override
    public GrantException addException(Caller caller, ExceptionSpec spec) {
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(Random.bytes(12));
        return guard.run(() -> door.write(caller, Operation.GOVERNANCE_EXCEPTION, EXCEPTIONS + "/" + spec.policy(),
                (k, p, tx, now) -> k.exceptions().add(tx, k.policies(), spec, id, p.name(), now),
                e -> Map.of("exception", e.id(), "policy", e.policy(), "rule", e.ruleId(), "expires",
                        e.expiresAt().toString(), "controls", controls(e.controls()))));
    }

    static String controls(Controls c) {
        List<String> out = new ArrayList<>();
        if (c.extraLogging()) {
            out.add("extra-logging");
        }
        if (c.hours() != null) {
            out.add("hours");
        }
        if (c.approvalOnUse()) {
            out.add("approval-on-use");
        }
        return out.isEmpty() ? "none" : String.join(",", out);
    }

    @Override
    public List<GrantException> exceptions(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.GOVERNANCE_READ, EXCEPTIONS,
                (k, p, tx, now) -> k.exceptions().list(tx, now)));
    }

    @Override
    public GrantException revokeException(Caller caller, String id, String reason) {
        String why = reason(reason);
        return guard.run(() -> door.write(caller, Operation.GOVERNANCE_EXCEPTION, EXCEPTIONS,
                (k, p, tx, now) -> k.exceptions().revoke(tx, id, p.name(), why, now),
                e -> Map.of("exception", e.id(), "step", "revoke")));
    }

    @Override
    public List<ExceptionUse> exceptionUses(Caller caller, String id) {
        return guard.run(() -> door.read(caller, Operation.GOVERNANCE_READ, EXCEPTIONS,
                (k, p, tx, now) -> k.exceptions().uses(tx, id)));
    }
}
