package dev.keyward.vault.rotation;

import dev.keyward.vault.api.InvalidRequestException;
import java.util.Map;
import java.util.Set;

/**
 * A value generated from a password policy ({@link PasswordPolicy}), for passwords and API
 * tokens that live only in the vault (dependents read the current version). No target to set:
 * the test step checks the new value against the policy. Parameter {@code field} names the
 * secret's field (default {@code password}).
 */
public final class GeneratedRotator implements Rotator {
    public static final String TYPE = "generated";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void validate(Map<String, String> params) {
        for (String k : params.keySet()) {
            if (!PasswordPolicy.PARAMS.contains(k) && !k.equals("field") && !k.equals("timeout")) {
                throw new InvalidRequestException("The generated rotator has no parameter '"
                        + PasswordPolicy.clip(k) + "'; it takes field, " + String.join(", ",
                        new java.util.TreeSet<>(PasswordPolicy.PARAMS)) + ".");
            }
        }
        field(params);
        PasswordPolicy.of(params);
    }

    static String field(Map<String, String> params) {
        String f = params.getOrDefault("field", "password");
        if (!f.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new InvalidRequestException("field is 1 to 64 letters, digits, '_', '.' or '-'.");
        }
        return f;
    }

    @Override
    public Map<String, String> generate(RotationContext ctx) {
        Map<String, String> out = new java.util.TreeMap<>(ctx.current());
        out.put(field(ctx.params()), PasswordPolicy.of(ctx.params()).generate());
        return out;
    }

    @Override
    public void set(RotationContext ctx, Map<String, String> pending) {
        // the vault is the only target: the new version becomes current at finish
    }

    @Override
    public void test(RotationContext ctx, Map<String, String> pending) {
        if (!PasswordPolicy.of(ctx.params()).accepts(pending.get(field(ctx.params())))) {
            throw new RotationStepException("The generated value does not meet the password policy.");
        }
    }

    @Override
    public void check(RotationContext ctx, Map<String, String> current) {
        if (!current.containsKey(field(ctx.params()))) {
            throw new RotationStepException("The secret has no field " + field(ctx.params()) + ".");
        }
    }

    /** The parameters a generated value reads, for rotators that generate like this one. */
    static final Set<String> GENERATOR_PARAMS = PasswordPolicy.PARAMS;
}
