package dev.keyward.console;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/** Runs ViewModel code on the FX thread and waits for background tasks, for tests. */
public final class Fx {
    private Fx() {
    }

    public static void start() {
        try {
            FxToolkit.registerPrimaryStage();
        } catch (TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void run(Runnable r) {
        WaitForAsyncUtils.waitFor(WaitForAsyncUtils.asyncFx(r));
        WaitForAsyncUtils.waitForFxEvents();
    }

    public static <T> T call(Supplier<T> s) {
        T t = WaitForAsyncUtils.waitFor(WaitForAsyncUtils.asyncFx(s::get));
        WaitForAsyncUtils.waitForFxEvents();
        return t;
    }

    /** Waits (up to 40 s) until the condition holds, checked on the FX thread. */
    public static void until(BooleanSupplier condition) {
        until(condition, java.time.Duration.ofSeconds(40));
    }

    /** Waits up to {@code limit} until the condition holds, checked on the FX thread. */
    public static void until(BooleanSupplier condition, java.time.Duration limit) {
        try {
            WaitForAsyncUtils.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS, () -> call(condition::getAsBoolean));
        } catch (TimeoutException e) {
            throw new AssertionError("condition not reached in " + limit.toSeconds() + " s", e);
        }
        WaitForAsyncUtils.waitForFxEvents();
    }
}
