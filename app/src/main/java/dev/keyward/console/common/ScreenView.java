package dev.keyward.console.common;

import javafx.scene.Parent;

/** A screen's View as the main window hosts it. */
public interface ScreenView {
    Parent root();

    /** The screen became visible for the first time: load what it shows. */
    default void firstShown() {
    }

    /** The screen became visible (after {@link #firstShown} the first time). */
    default void shown() {
    }

    /** About once a second while the console is unlocked. */
    default void tick() {
    }

    /** Ctrl+F: focus the screen's search or filter; false when it has none. */
    default boolean focusSearch() {
        return false;
    }

    /** Ctrl+N: start a new item (a secret, ...); false when the screen makes none. */
    default boolean newItem() {
        return false;
    }

    /** The console locks: drop anything sensitive on screen. */
    default void dispose() {
    }
}
