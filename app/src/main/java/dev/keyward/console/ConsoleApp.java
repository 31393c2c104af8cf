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
 * JVM start to the unlock screen and to the vault being open (unlock buttons enabled); with
 * {@code =exit} it exits once both are logged (for the start-up benchmark).
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
            boolean[] seen = new boolean[2];
            Runnable maybeExit = () -> {
                if (seen[0] && seen[1] && "exit".equals(report)) {
                    Platform.exit();
                }
            };
            window.onUnlockShown(() -> {
                LOG.info("startup-to-unlock-ms={}", sinceJvmStart());
                seen[0] = true;
                maybeExit.run();
            });
            console.readyProperty().addListener((o, a, ready) -> {
                if (ready && !seen[1]) {
                    LOG.info("startup-to-ready-ms={}", sinceJvmStart());
                    seen[1] = true;
                    maybeExit.run();
                }
            });
            console.phaseProperty().addListener((o, a, p) -> {
                if (p == ConsoleViewModel.Phase.FAILED || p == ConsoleViewModel.Phase.IN_USE) {
                    LOG.info("startup-failed phase={}", p);
                    seen[1] = true;
                    maybeExit.run();
                }
            });
        }
        window.start();
    }

    private static long sinceJvmStart() {
        return System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
    }

    @Override
    public void stop() {
        if (console != null) {
            console.close();
        }
    }
}
