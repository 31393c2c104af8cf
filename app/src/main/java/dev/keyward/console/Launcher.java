package dev.keyward.console;

import javafx.application.Application;

/** Plain main class (not the Application subclass), so JavaFX starts from the class path. */
public final class Launcher {
    private Launcher() {
    }

    public static void main(String[] args) {
        Application.launch(ConsoleApp.class, args);
    }
}
