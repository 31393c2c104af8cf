package dev.keyward.vault.api;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A named set of rules. Default deny: what no rule grants is refused; a deny rule always wins.
 *
 * @param name        1 to 64 of letters, digits, '.', '_', '-'
 * @param description free text
 * @param rules       the rules (ids unique within the policy)
 */
public record Policy(String name, String description, List<PolicyRule> rules) {
    public Policy {
        Names.validate("policy", name);
        description = description == null ? "" : description;
        rules = List.copyOf(rules);
        Set<String> ids = new HashSet<>();
        for (PolicyRule r : rules) {
            if (!ids.add(r.id())) {
                throw new InvalidRequestException("Policy '" + name + "' has two rules with the id '" + r.id()
                        + "': give them distinct ids.");
            }
        }
    }
}
