package dev.keyward.vault.api;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One rule of a policy: on paths matching {@code path}, grant (or with {@code deny}, refuse)
 * {@code capabilities}, when {@code conditions} hold. Path patterns: segments separated by '/',
 * {@code +} matches exactly one segment, a trailing {@code *} matches any suffix (including
 * further segments). A deny always wins over any grant.
 *
 * <p>Every grant (non-deny rule) needs an owner, a justification and an expiry; the policy
 * service refuses one without them ({@link #missingGrantFields()}); an expired grant stops
 * granting.
 *
 * @param id            stable name within the policy (default: the path, prefixed "deny:" for denies)
 * @param path          the pattern, e.g. {@code secret/ci/+/db*}
 * @param capabilities  what is granted or refused
 * @param deny          a deny rule
 * @param conditions    extra conditions ({@link PolicyConditions#NONE} for none)
 * @param owner         who answers for the grant
 * @param justification why it exists
 * @param expiresAt     when it stops granting
 */
public record PolicyRule(String id, String path, Set<Capability> capabilities, boolean deny,
                         PolicyConditions conditions, String owner, String justification, Instant expiresAt) {

    public PolicyRule {
        path = validatePattern(path);
        if (capabilities == null || capabilities.isEmpty()) {
            throw new InvalidRequestException("The rule for '" + path + "' names no capability.");
        }
        capabilities = Set.copyOf(EnumSet.copyOf(capabilities));
        conditions = conditions == null ? PolicyConditions.NONE : conditions;
        id = id == null || id.isBlank() ? (deny ? "deny:" : "") + path : id.trim();
        if (id.length() > 200) {
            throw new InvalidRequestException("A rule id is at most 200 characters.");
        }
        owner = blankToNull(owner);
        justification = blankToNull(justification);
    }

    /** A grant with the three required fields. */
    public static PolicyRule grant(String path, Set<Capability> caps, PolicyConditions conditions, String owner,
                                   String justification, Instant expiresAt) {
        return new PolicyRule(null, path, caps, false, conditions, owner, justification, expiresAt);
    }

    public static PolicyRule deny(String path, Set<Capability> caps) {
        return new PolicyRule(null, path, caps, true, PolicyConditions.NONE, null, null, null);
    }

    /** Which of owner, justification, expiry a grant lacks ("" when none or for a deny). */
    public String missingGrantFields() {
        if (deny) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        if (owner == null) {
            b.append("owner");
        }
        if (justification == null) {
            b.append(b.length() > 0 ? ", " : "").append("justification");
        }
        if (expiresAt == null) {
            b.append(b.length() > 0 ? ", " : "").append("expiry");
        }
        return b.toString();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** Checks a path pattern's syntax and returns it. */
    public static String validatePattern(String p) {
        Objects.requireNonNull(p, "path");
        if (p.isEmpty() || p.length() > 512 || p.startsWith("/") || p.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidRequestException("'" + p.replaceAll("\\p{Cntrl}", "?") + "' is not a path pattern: use"
                    + " segments separated by '/', '+' for one segment and a trailing '*'.");
        }
        int star = p.indexOf('*');
        if (star >= 0 && star != p.length() - 1) {
            throw new InvalidRequestException("In '" + p + "', '*' may only come last.");
        }
        String[] segs = p.split("/", -1);
        for (int i = 0; i < segs.length; i++) {
            String s = segs[i];
            boolean last = i == segs.length - 1;
            if (s.isEmpty() && !last) {
                throw new InvalidRequestException("'" + p + "' has an empty segment.");
            }
            if (s.contains("+") && !s.equals("+")) {
                throw new InvalidRequestException("In '" + p + "', '+' must be a whole segment.");
            }
        }
        return p;
    }
}
