package dev.keyward.console;

import dev.keyward.console.common.ConsoleConfig;
import java.lang.management.ManagementFactory;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.stage.Stage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console application. With {@code -Dkeyward.startupReport=print} it logs the time from
 * JVM start to the unlock screen; with {@code =exit} it also exits (for the start-up benchmark).
 */
public final class ConsoleApp extends Application {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleApp.class);
    private ConsoleViewModel console;

    @Override
    public void start(Stage stage) {
        console = new ConsoleViewModel(ConsoleConfig.defaults(KeywardHome.resolve()));
        ConsoleWindow window = new ConsoleWindow(console, stage);
        String report = System.getProperty("keyward.startupReport");
        if (report != null) {
            window.onUnlockShown(() -> {
                long ms = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
                LOG.info("startup-to-unlock-ms={}", ms);
                if ("exit".equals(report)) {
                    Platform.exit();
                }
            });
        }
        window.start();
    }

    @Override
    public void stop() {
        if (console != null) {
            console.close();
        }
    }
}
