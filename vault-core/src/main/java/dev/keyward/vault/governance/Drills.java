package dev.keyward.vault.governance;

import dev.keyward.vault.api.GovernanceService.DrillRun;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.identity.Records;
import dev.keyward.vault.storage.StorageTx;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Drill results kept for the report: one record per run under {@code gov/dr/<id>}, sealed by the barrier. */
public final class Drills {
    static final String PREFIX = "gov/dr/";

    private final Barrier barrier;

    public Drills(Barrier barrier) {
        this.barrier = barrier;
    }

    public void save(StorageTx tx, DrillRun run) {
        Records.put(tx, barrier, Reviews.KIND, PREFIX + run.id(), run);
    }

    public List<DrillRun> list(StorageTx tx) {
        List<DrillRun> out = new ArrayList<>();
        for (StorageTx.Entry e : tx.scan(PREFIX, null, Integer.MAX_VALUE)) {
            out.add(Records.decode(barrier.open(Barrier.Binding.of(Reviews.KIND, e.key()), e.value()), DrillRun.class));
        }
        out.sort(Comparator.comparing(DrillRun::startedAt).reversed());
        return out;
    }
}
