package dev.keyward.console.dashboard;

import dev.keyward.console.ConsoleViewModel;
import java.util.List;
import java.util.function.Function;
import javafx.scene.Node;

/**
 * A tile or chart on the dashboard that other screens' features contribute (expiring secrets here;
 * alerts, rotations, approvals next): one entry in {@link #TILES}. A tile reads the vault through
 * the console, off the FX thread, when the dashboard is shown.
 */
public interface DashboardTile {
    /** The tile's node, built once. */
    Node node();

    /** The dashboard became visible: read again. */
    void refresh();

    /** Every contributed tile, in order. */
    List<Function<ConsoleViewModel, DashboardTile>> TILES = List.of(ExpiryTile::new, SecurityTile::new);
}
