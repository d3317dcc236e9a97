-- Dashboard aggregates (issue 5). Number 0004 is reserved for the dashboard.
--
-- One summary row per stored result: the median CPU and wall time of its usable samples, so the
-- machine, compare and timeline pages show JSON and gcbench timings without unpacking sample
-- blobs. Written in the ingest transaction (SQLiteResultStore+DashboardAggregates.swift); rows
-- stored before this migration are filled in once when it is applied. Deleting a submission
-- deletes its summaries through the cascades.
CREATE TABLE result_summaries (
    result_id         INTEGER NOT NULL PRIMARY KEY REFERENCES results (id) ON DELETE CASCADE,
    submission_id     TEXT    NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    machine_id        TEXT    NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
    interpreter_id    INTEGER NOT NULL REFERENCES interpreters (id) ON DELETE CASCADE,
    benchmark         TEXT    NOT NULL,
    benchmark_version TEXT    NOT NULL,
    procs             INTEGER,
    nursery_bytes     INTEGER,
    payload           TEXT,
    library           TEXT,
    -- Samples that did not fail (noisy ones count: they are flagged, not dropped).
    usable_samples    INTEGER NOT NULL CHECK (usable_samples >= 0),
    -- NULL when no sample was usable.
    median_cpu_ms     REAL,
    median_wall_ms    REAL,
    CHECK ((usable_samples = 0) = (median_cpu_ms IS NULL))
);
CREATE INDEX result_summaries_machine ON result_summaries (machine_id, benchmark);
CREATE INDEX result_summaries_benchmark ON result_summaries (benchmark, interpreter_id);

-- The overview's "latest submissions" reads the newest rows without sorting the table.
CREATE INDEX submissions_received ON submissions (received_at DESC, id);
