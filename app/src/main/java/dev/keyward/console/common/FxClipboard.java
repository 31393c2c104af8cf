package dev.keyward.console.common;

import java.util.Optional;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;

/** The JavaFX system clipboard. Call on the FX thread. */
public final class FxClipboard implements ClipboardAccess {
    @Override
    public void put(String text) {
        ClipboardContent c = new ClipboardContent();
        c.putString(text);
        Clipboard.getSystemClipboard().setContent(c);
    }

    @Override
    public Optional<String> current() {
        Clipboard cb = Clipboard.getSystemClipboard();
        return cb.hasString() ? Optional.ofNullable(cb.getString()) : Optional.empty();
    }

    @Override
    public void clear() {
        Clipboard.getSystemClipboard().clear();
    }
}
