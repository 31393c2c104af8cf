package dev.keyward.vault.storage;

import dev.keyward.vault.api.StorageException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The database's place in the journal's numbering of batches (table {@code journal_position},
 * see V1_1__journal_position.sql): the last batch it applied (written in the batch's own commit)
 * and the last batch of the journal segment a checkpoint sealed (recorded in a commit of its own;
 * the sealed segment is deleted only once the database file holds that commit, so a journal that
 * starts after {@code checkpointed + 1} was cut).
 */
record JournalPosition(long applied, long checkpointed) {

    static JournalPosition read(Connection writer, Path dir) throws SQLException {
        try (Statement st = writer.createStatement();
             ResultSet rs = st.executeQuery("SELECT applied, checkpointed FROM journal_position WHERE id = 1")) {
            if (!rs.next()) {
                throw new StorageException("The vault database in " + dir + " has lost its journal position; the vault"
                        + " will not open over it.");
            }
            return new JournalPosition(rs.getLong(1), rs.getLong(2));
        }
    }

    static void recordApplied(Connection writer, long batch) throws SQLException {
        PreparedStatement ps = JdbcTx.statement(writer, "UPDATE journal_position SET applied = ? WHERE id = 1");
        ps.setLong(1, batch);
        ps.executeUpdate();
    }

    static void recordCheckpoint(Connection writer) throws SQLException {
        try (Statement st = writer.createStatement()) {
            st.executeUpdate("UPDATE journal_position SET checkpointed = applied WHERE id = 1");
        }
        writer.commit();
    }

    /** Why the journal cannot be replayed over the database, or null when it can. */
    String disagreement(Journal.Contents c) {
        if (c.empty()) {
            return applied > checkpointed ? "the database holds batches " + (checkpointed + 1) + " to "
                    + applied + ", which were never checkpointed, but the journal is empty." : null;
        }
        if (c.lastSequence() < applied) {
            return "the journal ends at batch " + c.lastSequence() + " but the database already holds batch "
                    + applied + " (the journal was cut or replaced with an older copy).";
        }
        if (c.firstSequence() > checkpointed + 1) {
            return "the journal starts at batch " + c.firstSequence() + " but the last checkpoint was batch "
                    + checkpointed + " (batches " + (checkpointed + 1) + " to " + (c.firstSequence() - 1)
                    + " were cut from its start).";
        }
        return null;
    }
}
