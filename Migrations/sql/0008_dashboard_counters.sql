-- The overview and the machines page counted every visible machine and submission per request
-- (measured at 100k machines: most of the overview's 393 ms and the machines page's 226 ms).
-- The counts now live in one row, updated in the transaction of every ingest, deletion and
-- moderation that changes them; the server fills the row when this migration is applied.
-- This file is never edited once shipped.

CREATE TABLE dashboard_counters (
    id               INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    -- Visible machines: not quarantined, with at least one visible submission.
    machines         INTEGER NOT NULL CHECK (machines >= 0),
    -- Visible submissions (not quarantined, nor their install or machine) and their samples.
    submissions      INTEGER NOT NULL CHECK (submissions >= 0),
    samples          INTEGER NOT NULL CHECK (samples >= 0),
    -- Distinct interpreters (implementation, version, language version) of visible submissions.
    interpreters     INTEGER NOT NULL CHECK (interpreters >= 0),
    last_received_at INTEGER
);
