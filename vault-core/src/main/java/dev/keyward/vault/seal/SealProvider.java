package dev.keyward.vault.seal;

import dev.keyward.vault.api.SealSpec;

/** Creates and loads seals of one type. Register new providers in {@link SealRegistry}. */
public interface SealProvider {

    String type();

    /** Creates the seal material for a new vault (or a seal migration). */
    SealInit create(SealSpec spec);

    /** Loads the seal of an initialised vault from its stored config. */
    Seal load(SealConfig config);
}
