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

    /** The console locks: drop anything sensitive on screen. */
    default void dispose() {
    }
}
