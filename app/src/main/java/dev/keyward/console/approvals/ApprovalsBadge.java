package dev.keyward.console.approvals;

import dev.keyward.console.ConsoleViewModel;
import java.util.Map;
import java.util.WeakHashMap;
import javafx.beans.property.ReadOnlyIntegerWrapper;

/** How many requests wait for the signed-in operator's review: the sidebar badge, one count per console. */
public final class ApprovalsBadge {
    private static final Map<ConsoleViewModel, ReadOnlyIntegerWrapper> COUNTS = new WeakHashMap<>();

    private ApprovalsBadge() {
    }

    /** The console's count (created at 0). Call on the FX thread. */
    public static synchronized ReadOnlyIntegerWrapper of(ConsoleViewModel console) {
        return COUNTS.computeIfAbsent(console, c -> new ReadOnlyIntegerWrapper(0));
    }

    /**
     * Asks the vault again in the background; failures leave the count as it was. Returns false
     * once the console is closed (the caller stops asking).
     */
    public static boolean refresh(ConsoleViewModel console) {
        ReadOnlyIntegerWrapper count = of(console);
        if (console.phase() != ConsoleViewModel.Phase.UNLOCKED || console.sessionProperty().get() == null) {
            return true; // locked or not signed in yet: the main window stops asking while locked
        }
        try {
            var c = console.caller(null);
            console.background().attempt(() -> console.vault().approvals().waitingForMe(c).size(), count::set, t -> {
            });
            return true;
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            return false;
        }
    }
}
