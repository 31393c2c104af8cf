package dev.keyward.console;

import javafx.application.Application;
import org.slf4j.LoggerFactory;

/** Plain main class (not the Application subclass), so JavaFX starts from the class path. */
public final class Launcher {
    private Launcher() {
    }

    public static void main(String[] args) {
        // Setting up logging takes a few hundred milliseconds of class loading: do it while the
        // JavaFX toolkit starts rather than in front of the first window. Loggers asked for
        // meanwhile are SLF4J stand-ins whose events are replayed once logging is set up.
        Thread logging = new Thread(LoggerFactory::getILoggerFactory, "keyward-logging-init");
        logging.setDaemon(true);
        logging.start();
        Application.launch(ConsoleApp.class, args);
    }
}
