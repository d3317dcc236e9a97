-- The PostgreSQL form of ../sql/0009_refit_lease.sql: the lease that lets one server at a time
-- run the background refit. This file is never edited once shipped.

CREATE TABLE refit_lease (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    -- The holding process (host, pid and a random part), for operators reading the table.
    holder     TEXT   NOT NULL,
    -- Milliseconds since the Unix epoch; from then on any server may take the lease.
    expires_at BIGINT NOT NULL
);
