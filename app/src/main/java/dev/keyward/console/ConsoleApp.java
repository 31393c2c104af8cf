package dev.keyward.console;

import dev.keyward.console.common.ConsoleConfig;
import java.lang.management.ManagementFactory;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.stage.Stage;

/**
 * The console application. With {@code -Dkeyward.startupReport=print} it prints the time from
 * JVM start to the unlock screen; with {@code =exit} it also exits (for the start-up benchmark).
 */
public final class ConsoleApp extends Application {
    private ConsoleViewModel console;

    @Override
    public void start(Stage stage) {
        console = new ConsoleViewModel(ConsoleConfig.defaults(KeywardHome.resolve()));
        ConsoleWindow window = new ConsoleWindow(console, stage);
        String report = System.getProperty("keyward.startupReport");
        if (report != null) {
            window.onUnlockShown(() -> {
                long ms = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
                System.out.println("startup-to-unlock-ms=" + ms);
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
