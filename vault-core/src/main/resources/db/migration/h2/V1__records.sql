-- Every record Keyward stores: an ASCII key (structural prefix + keyed hashes, never a name or
-- path in clear) and an opaque value (barrier ciphertext, or a non-sensitive counter).
CREATE TABLE records (
    k VARCHAR(1024) NOT NULL PRIMARY KEY,
    v VARBINARY NOT NULL
);
