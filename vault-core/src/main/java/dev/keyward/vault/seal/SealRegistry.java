package dev.keyward.vault.seal;

import dev.keyward.vault.api.InvalidRequestException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The seal providers this build knows, by type. */
public final class SealRegistry {
    private final Map<String, SealProvider> providers = new LinkedHashMap<>();

    public SealRegistry register(SealProvider provider) {
        providers.put(provider.type(), provider);
        return this;
    }

    public SealProvider provider(String type) {
        SealProvider p = providers.get(type);
        if (p == null) {
            throw new InvalidRequestException("Unknown seal type '" + type + "'; known: " + providers.keySet() + ".");
        }
        return p;
    }

    public Map<String, SealProvider> providers() {
        return Collections.unmodifiableMap(providers);
    }

    /** The providers of this build. */
    public static SealRegistry defaults() {
        return new SealRegistry().register(new PassphraseSealProvider()).register(new Pkcs11SealProvider())
                .register(new ShamirSealProvider());
    }
}
