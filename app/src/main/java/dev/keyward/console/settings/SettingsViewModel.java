package dev.keyward.console.settings;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.common.ConsoleSettings;
import java.io.IOException;
import java.time.Duration;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;

/** Console preferences: auto-lock timeout and theme. Saved in console.properties next to the vault. */
public final class SettingsViewModel {
    public static final int MIN_LOCK_MINUTES = 1;
    public static final int MAX_LOCK_MINUTES = 240;

    private final ConsoleViewModel console;
    private final IntegerProperty autoLockMinutes = new SimpleIntegerProperty();
    private final ObjectProperty<ConsoleSettings.Theme> theme = new SimpleObjectProperty<>();
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");

    public SettingsViewModel(ConsoleViewModel console) {
        this.console = console;
        ConsoleSettings s = console.settings();
        autoLockMinutes.set((int) Math.max(MIN_LOCK_MINUTES, s.autoLock().toMinutes()));
        theme.set(s.theme());
    }

    public IntegerProperty autoLockMinutesProperty() {
        return autoLockMinutes;
    }

    public ObjectProperty<ConsoleSettings.Theme> themeProperty() {
        return theme;
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    /** Applies and saves; returns false (with a message) when a value is out of range. */
    public boolean apply() {
        int m = autoLockMinutes.get();
        if (m < MIN_LOCK_MINUTES || m > MAX_LOCK_MINUTES) {
            message.set("Auto-lock is between " + MIN_LOCK_MINUTES + " and " + MAX_LOCK_MINUTES + " minutes.");
            return false;
        }
        try {
            console.updateSettings(console.settings().withAutoLock(Duration.ofMinutes(m)).withTheme(theme.get()));
            message.set("Saved.");
            return true;
        } catch (IOException e) {
            message.set("The settings could not be saved: " + e.getMessage());
            return false;
        }
    }
}
