package dev.keyward.console;

import dev.keyward.console.common.ClipboardAccess;
import java.util.Optional;

/** A clipboard in memory, for ViewModel tests that run without the system clipboard. */
public final class MemoryClipboard implements ClipboardAccess {
    private volatile String text;

    @Override
    public void put(String t) {
        text = t;
    }

    @Override
    public Optional<String> current() {
        return Optional.ofNullable(text);
    }

    @Override
    public void clear() {
        text = null;
    }
}
