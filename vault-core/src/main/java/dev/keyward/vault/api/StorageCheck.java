package dev.keyward.vault.api;

import java.util.List;

/**
 * The result of checking the vault's storage record by record ({@code keyward check storage}).
 *
 * @param records  stored records examined
 * @param secrets  secrets whose metadata opened
 * @param problems what is damaged, one sentence each (storage keys are keyed hashes; no value is named)
 * @param omitted  further problems not listed (the list is capped)
 */
public record StorageCheck(long records, long secrets, List<String> problems, long omitted) {
    public StorageCheck {
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return problems.isEmpty();
    }
}
