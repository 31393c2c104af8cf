-- Where the database stands in the journal's numbering of batches: the last batch whose changes it
-- holds (written in the same commit as the batch) and the last batch a checkpoint made durable in
-- the database itself (after which the journal was emptied). Open refuses a journal that ends
-- before the applied batch: replaying it would roll acknowledged writes back.
CREATE TABLE journal_position (
    id INT NOT NULL PRIMARY KEY,
    applied BIGINT NOT NULL,
    checkpointed BIGINT NOT NULL
);
INSERT INTO journal_position (id, applied, checkpointed) VALUES (1, 0, 0);
