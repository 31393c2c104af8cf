package dev.keyward.vault.policy;

import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.Names;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.DestroyableKey;
import dev.keyward.vault.crypto.Hmac;
import dev.keyward.vault.identity.Records;
import dev.keyward.vault.storage.StorageTx;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Policies (with every version), custom roles and grant usage in storage. Keys hold only keyed
 * hashes of names; values are barrier-sealed. A generation counter changes with every change so
 * that compiled policy sets can be cached safely.
 */
public final class PolicyStore {
    private static final String GEN = "pol/gen";
    private static final String CURRENT = "pol/p/";
    private static final String HISTORY = "pol/h/";
    private static final String ROLES = "pol/r/";
    private static final String USAGE = "pol/u/";
    private static final int MAX_USED_PATHS = 64;

    /** A stored version of a policy; {@code policy == null} records a deletion. */
    public record PolicyRecord(String name, int version, Policy policy, String author, String reason,
                               Instant changedAt) {
    }

    public record RoleRecord(String name, List<String> policies, String description, String author, String reason,
                             Instant changedAt) {
        public RoleRecord {
            policies = policies == null ? List.of() : List.copyOf(policies);
        }
    }

    /** When a grant was last used, how often, and under which paths (the most recent distinct ones). */
    public record UsageRecord(String policy, String ruleId, Instant firstUsed, Instant lastUsed, long count,
                              List<String> paths, String commonPrefix) {
        public UsageRecord {
            paths = paths == null ? List.of() : List.copyOf(paths);
        }
    }

    private final Barrier barrier;
    private final DestroyableKey indexKey;
    private final Map<List<Object>, Evaluator.Compiled> cache = new ConcurrentHashMap<>();

    public PolicyStore(Barrier barrier, DestroyableKey indexKey) {
        this.barrier = barrier;
        this.indexKey = indexKey;
    }

    private String h(String domain, String name) {
        return Hmac.id(indexKey, domain, name);
    }

    public long generation(StorageTx tx) {
        byte[] g = tx.get(GEN);
        return g == null ? 0 : ByteBuffer.wrap(g).getLong();
    }

    private void bump(StorageTx tx) {
        tx.put(GEN, ByteBuffer.allocate(8).putLong(generation(tx) + 1).array());
    }

    // ------------------------------------------------------------ policies

    /** The current version (built-in ones as version 1), or null when absent or deleted. */
    public PolicyRecord current(StorageTx tx, String name) {
        if (BuiltInPolicies.isBuiltIn(name)) {
            return new PolicyRecord(name, 1, BuiltInPolicies.get(name), BuiltInPolicies.OWNER, "built-in", Instant.EPOCH);
        }
        PolicyRecord r = Records.get(tx, barrier, "policy.current", CURRENT + h("policy", name), PolicyRecord.class);
        return r == null || r.policy() == null ? null : r;
    }

    /** Any latest record, deletions included. */
    private PolicyRecord latest(StorageTx tx, String name) {
        return Records.get(tx, barrier, "policy.current", CURRENT + h("policy", name), PolicyRecord.class);
    }

    /** Current custom policies, by name. */
    public List<PolicyRecord> list(StorageTx tx) {
        List<PolicyRecord> out = new ArrayList<>();
        for (StorageTx.Entry e : tx.scan(CURRENT, null, Integer.MAX_VALUE)) {
            PolicyRecord r = Records.decode(barrier.open(Barrier.Binding.of("policy.current", e.key()), e.value()),
                    PolicyRecord.class);
            if (r.policy() != null) {
                out.add(r);
            }
        }
        out.sort(Comparator.comparing(PolicyRecord::name));
        return out;
    }

    /** Checks that every grant has owner, justification and expiry. */
    public static void validateGrants(Policy p) {
        for (PolicyRule r : p.rules()) {
            String missing = r.missingGrantFields();
            if (!missing.isEmpty()) {
                throw new InvalidRequestException("Policy '" + p.name() + "', rule '" + r.id() + "': every grant needs"
                        + " an owner, a justification and an expiry; missing: " + missing + ".");
            }
        }
    }

    /** Stores a new version; refuses built-in names and grants lacking owner/justification/expiry. */
    public PolicyRecord put(StorageTx tx, Policy p, String author, String reason, Instant now) {
        if (BuiltInPolicies.isBuiltIn(p.name())) {
            throw new InvalidRequestException("The built-in policy '" + p.name() + "' cannot be changed.");
        }
        if (BuiltInPolicies.isSystem(p.name())) {
            throw new InvalidRequestException("Policy names starting with '" + BuiltInPolicies.SYSTEM_PREFIX
                    + "' are reserved for the vault's background jobs.");
        }
        validateGrants(p);
        return store(tx, p.name(), p, author, reason, now);
    }

    public PolicyRecord delete(StorageTx tx, String name, String author, String reason, Instant now) {
        if (BuiltInPolicies.isBuiltIn(name)) {
            throw new InvalidRequestException("The built-in policy '" + name + "' cannot be deleted.");
        }
        if (current(tx, name) == null) {
            throw new NotFoundException("There is no policy named " + name + ".");
        }
        return store(tx, name, null, author, reason, now);
    }

    private PolicyRecord store(StorageTx tx, String name, Policy p, String author, String reason, Instant now) {
        PolicyRecord prev = latest(tx, name);
        int version = prev == null ? 1 : prev.version() + 1;
        PolicyRecord r = new PolicyRecord(name, version, p, author, reason == null ? "" : reason, now);
        String hk = HISTORY + h("policy", name) + "/" + String.format("%08x", version);
        Records.put(tx, barrier, "policy.version", hk, r);
        Records.put(tx, barrier, "policy.current", CURRENT + h("policy", name), r);
        bump(tx);
        return r;
    }

    public List<PolicyRecord> history(StorageTx tx, String name) {
        if (BuiltInPolicies.isBuiltIn(name)) {
            return List.of(current(tx, name));
        }
        List<PolicyRecord> out = new ArrayList<>();
        for (StorageTx.Entry e : tx.scan(HISTORY + h("policy", name) + "/", null, Integer.MAX_VALUE)) {
            out.add(Records.decode(barrier.open(Barrier.Binding.of("policy.version", e.key()), e.value()),
                    PolicyRecord.class));
        }
        return out;
    }

    public PolicyRecord version(StorageTx tx, String name, int version) {
        if (BuiltInPolicies.isBuiltIn(name) && version == 1) {
            return current(tx, name);
        }
        PolicyRecord r = Records.get(tx, barrier, "policy.version",
                HISTORY + h("policy", name) + "/" + String.format("%08x", version), PolicyRecord.class);
        if (r == null) {
            throw new NotFoundException("Policy " + name + " has no version " + version + ".");
        }
        return r;
    }

    // ------------------------------------------------------------ roles

    public boolean roleExists(StorageTx tx, String name) {
        return BuiltInPolicies.isBuiltIn(name) || role(tx, name) != null;
    }

    public RoleRecord role(StorageTx tx, String name) {
        if (BuiltInPolicies.isBuiltIn(name)) {
            return new RoleRecord(name, List.of(name), "built-in", BuiltInPolicies.OWNER, "built-in", Instant.EPOCH);
        }
        return Records.get(tx, barrier, "policy.role", ROLES + h("role", name), RoleRecord.class);
    }

    public RoleRecord putRole(StorageTx tx, String name, List<String> policies, String description, String author,
                              String reason, Instant now) {
        Names.validate("role", name);
        if (BuiltInPolicies.isBuiltIn(name)) {
            throw new InvalidRequestException("The built-in role '" + name + "' cannot be changed.");
        }
        for (String p : policies) {
            Names.validate("policy", p);
        }
        RoleRecord r = new RoleRecord(name, new ArrayList<>(new TreeSet<>(policies)),
                description == null ? "" : description, author, reason == null ? "" : reason, now);
        Records.put(tx, barrier, "policy.role", ROLES + h("role", name), r);
        bump(tx);
        return r;
    }

    public void deleteRole(StorageTx tx, String name) {
        if (BuiltInPolicies.isBuiltIn(name)) {
            throw new InvalidRequestException("The built-in role '" + name + "' cannot be deleted.");
        }
        if (!tx.delete(ROLES + h("role", name))) {
            throw new NotFoundException("There is no role named " + name + ".");
        }
        bump(tx);
    }

    public List<RoleRecord> listRoles(StorageTx tx) {
        List<RoleRecord> out = new ArrayList<>();
        for (String b : BuiltInPolicies.names()) {
            out.add(role(tx, b));
        }
        for (StorageTx.Entry e : tx.scan(ROLES, null, Integer.MAX_VALUE)) {
            out.add(Records.decode(barrier.open(Barrier.Binding.of("policy.role", e.key()), e.value()),
                    RoleRecord.class));
        }
        out.sort(Comparator.comparing(RoleRecord::name));
        return out;
    }

    /** The policies behind a list of role names (unknown roles give nothing). */
    public List<String> policiesOfRoles(StorageTx tx, List<String> roles) {
        Set<String> out = new TreeSet<>();
        for (String role : roles) {
            RoleRecord r = role(tx, role);
            if (r != null) {
                out.addAll(r.policies());
            }
        }
        return List.copyOf(out);
    }

    // ------------------------------------------------------------ evaluation

    /** The compiled set of the named policies as they are in {@code tx} (cached per generation). */
    public Evaluator.Compiled compiled(StorageTx tx, List<String> policyNames) {
        long gen = generation(tx);
        List<Object> key = new ArrayList<>(policyNames.size() + 1);
        key.add(gen);
        key.addAll(new TreeSet<>(policyNames));
        Evaluator.Compiled c = cache.get(key);
        if (c != null) {
            return c;
        }
        if (cache.size() > 1024) {
            cache.clear();
        }
        List<Evaluator.Versioned> vs = new ArrayList<>();
        for (Object n : key.subList(1, key.size())) {
            PolicyRecord r = current(tx, (String) n);
            if (r != null) {
                vs.add(new Evaluator.Versioned(r.policy(), r.version()));
            }
        }
        c = new Evaluator.Compiled(vs);
        cache.put(List.copyOf(key), c);
        return c;
    }

    // ------------------------------------------------------------ usage

    /** Uses of one grant, oldest first, recorded together by {@link #recordUses}. */
    public static final class Uses {
        private final String policy;
        private final String ruleId;
        private final List<String> paths = new ArrayList<>();
        private Instant first;
        private Instant last;

        public Uses(String policy, String ruleId) {
            this.policy = policy;
            this.ruleId = ruleId;
        }

        public void add(String path, Instant at) {
            paths.add(path);
            first = first == null || at.isBefore(first) ? at : first;
            last = last == null || at.isAfter(last) ? at : last;
        }
    }

    /** Adds uses of one grant to its usage record: count, first and last use, most recent distinct paths. */
    public void recordUses(StorageTx tx, Uses uses) {
        String key = USAGE + h("policy", uses.policy) + "/" + h("rule", uses.ruleId);
        UsageRecord prev = Records.get(tx, barrier, "policy.usage", key, UsageRecord.class);
        LinkedHashSet<String> paths = new LinkedHashSet<>();
        String common = prev == null ? null : prev.commonPrefix();
        for (int i = uses.paths.size() - 1; i >= 0; i--) {
            String p = uses.paths.get(i);
            if (paths.size() < MAX_USED_PATHS) {
                paths.add(p);
            }
            common = common == null ? p : commonSegments(common, p);
        }
        if (prev != null) {
            for (String p : prev.paths()) {
                if (paths.size() >= MAX_USED_PATHS) {
                    break;
                }
                paths.add(p);
            }
        }
        UsageRecord r = new UsageRecord(uses.policy, uses.ruleId, prev == null ? uses.first : prev.firstUsed(),
                prev == null || uses.last.isAfter(prev.lastUsed()) ? uses.last : prev.lastUsed(),
                (prev == null ? 0 : prev.count()) + uses.paths.size(), new ArrayList<>(paths), common);
        Records.put(tx, barrier, "policy.usage", key, r);
    }

    /** The longest common prefix of two paths made of whole segments; exact when the paths are equal. */
    static String commonSegments(String a, String b) {
        if (a.equals(b)) {
            return a;
        }
        String[] x = a.split("/", -1);
        String[] y = b.split("/", -1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(x.length, y.length) && x[i].equals(y[i]); i++) {
            out.append(x[i]).append('/');
        }
        return out.toString();
    }

    public UsageRecord usage(StorageTx tx, String policy, String ruleId) {
        return Records.get(tx, barrier, "policy.usage", USAGE + h("policy", policy) + "/" + h("rule", ruleId),
                UsageRecord.class);
    }
}
