-- The background refit runs on one server at a time when several share a database: a server
-- takes this lease before it checks for a due refit and lets it go afterwards; a lease whose
-- holder died expires and the next server takes it over. One row at most.
-- This file is never edited once shipped.

CREATE TABLE refit_lease (
    id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    -- The holding process (host, pid and a random part), for operators reading the table.
    holder     TEXT    NOT NULL,
    -- Milliseconds since the Unix epoch; from then on any server may take the lease.
    expires_at INTEGER NOT NULL
);
