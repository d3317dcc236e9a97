-- Dashboard aggregates (issue 5), for PostgreSQL. A translation of sql/0004_dashboard.sql.
--
-- One summary row per stored result: the median CPU and wall time of its usable samples, so the
-- machine, compare and timeline pages show JSON and gcbench timings without unpacking sample
-- blobs. Written in the ingest transaction. A database only reaches PostgreSQL through this
-- schema (new, or copied from SQLite with its summaries), so unlike SQLite there are no older
-- rows to fill in here. Deleting a submission deletes its summaries through the cascades.
-- This file is never edited once shipped.
CREATE TABLE result_summaries (
    result_id         BIGINT           NOT NULL PRIMARY KEY REFERENCES results (id) ON DELETE CASCADE,
    submission_id     TEXT             NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    machine_id        TEXT             NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
    interpreter_id    BIGINT           NOT NULL REFERENCES interpreters (id) ON DELETE CASCADE,
    benchmark         TEXT             NOT NULL,
    benchmark_version TEXT             NOT NULL,
    procs             BIGINT,
    nursery_bytes     BIGINT,
    payload           TEXT,
    library           TEXT,
    -- Samples that did not fail (noisy ones count: they are flagged, not dropped).
    usable_samples    BIGINT           NOT NULL CHECK (usable_samples >= 0),
    -- NULL when no sample was usable.
    median_cpu_ms     DOUBLE PRECISION,
    median_wall_ms    DOUBLE PRECISION,
    CHECK ((usable_samples = 0) = (median_cpu_ms IS NULL))
);

CREATE INDEX result_summaries_machine ON result_summaries (machine_id, benchmark);

CREATE INDEX result_summaries_benchmark ON result_summaries (benchmark, interpreter_id);

-- The overview's "latest submissions" reads the newest rows without sorting the table.
CREATE INDEX submissions_received ON submissions (received_at DESC, id);
