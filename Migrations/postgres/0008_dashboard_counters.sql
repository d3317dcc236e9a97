-- The PostgreSQL form of ../sql/0008_dashboard_counters.sql: the overview's counts in one row,
-- updated in the transaction of every change they count. This file is never edited once shipped.

CREATE TABLE dashboard_counters (
    id               BIGINT PRIMARY KEY CHECK (id = 1),
    -- Visible machines: not quarantined, with at least one visible submission.
    machines         BIGINT NOT NULL CHECK (machines >= 0),
    -- Visible submissions (not quarantined, nor their install or machine) and their samples.
    submissions      BIGINT NOT NULL CHECK (submissions >= 0),
    samples          BIGINT NOT NULL CHECK (samples >= 0),
    -- Distinct interpreters (implementation, version, language version) of visible submissions.
    interpreters     BIGINT NOT NULL CHECK (interpreters >= 0),
    last_received_at BIGINT
);
