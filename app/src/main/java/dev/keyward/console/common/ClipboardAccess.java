package dev.keyward.console.common;

import java.util.Optional;

/** The system clipboard, as the ViewModels see it (plain text only). */
public interface ClipboardAccess {
    void put(String text);

    Optional<String> current();

    void clear();
}
