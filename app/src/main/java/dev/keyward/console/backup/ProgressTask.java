package dev.keyward.console.backup;

import dev.keyward.vault.api.BackupProgress;
import java.util.function.Consumer;
import java.util.function.Function;
import javafx.concurrent.Task;

/**
 * A background task that runs a backup or a restore and passes its {@link BackupProgress} reports
 * on to the task's progress and message (JavaFX coalesces them onto the FX thread): the progress
 * bar and its line follow the work without the work ever waiting for the UI.
 */
final class ProgressTask<T> extends Task<T> {
    private final Function<Consumer<BackupProgress>, T> work;

    ProgressTask(Function<Consumer<BackupProgress>, T> work) {
        this.work = work;
        updateMessage("Starting\u2026");
    }

    @Override
    protected T call() {
        return work.apply(this::report);
    }

    private void report(BackupProgress p) {
        double f = p.fraction();
        if (f < 0) {
            updateProgress(-1, 1);
        } else {
            updateProgress(f, 1);
        }
        updateMessage(p.describe());
    }
}
