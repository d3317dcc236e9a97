-- A machine's curve summary was recomputed at every ingest from every curve the machine had
-- stored, inside the single writer: measured, posting one machine's sweeps one after another
-- cost 8 ms each for the first 50 and 53 ms at 400, and slowed every other submitter with it.
-- Each machine key now keeps the bounded window of its most recent rounds, updated from the new
-- submission alone; the summary is computed from the window outside the writer and records the
-- window revision it was computed from (a summary behind its window is found and redone).
-- This file is never edited once shipped.

CREATE TABLE curve_windows (
    machine_id            TEXT    NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
    implementation        TEXT    NOT NULL,
    interpreter_version   TEXT    NOT NULL,
    benchmark             TEXT    NOT NULL,
    benchmark_version     TEXT    NOT NULL,
    procs                 INTEGER NOT NULL CHECK (procs >= 1),
    pypy_gc_min_pinned    INTEGER NOT NULL CHECK (pypy_gc_min_pinned IN (0, 1)),
    -- Visible submissions with a curve of this key (all, not only those in the window).
    submission_count      INTEGER NOT NULL CHECK (submission_count >= 1),
    default_nursery_bytes INTEGER,
    -- The window as a curve: sizes, round ids and row-major ratios, packed as in `curves`.
    nurseries             BLOB    NOT NULL,
    round_ids             BLOB    NOT NULL,
    round_ratios          BLOB    NOT NULL,
    revision              INTEGER NOT NULL CHECK (revision >= 1),
    updated_at            INTEGER NOT NULL,
    PRIMARY KEY (machine_id, implementation, interpreter_version, benchmark, benchmark_version, procs, pypy_gc_min_pinned)
);

ALTER TABLE machine_curves ADD COLUMN window_revision INTEGER NOT NULL DEFAULT 0;
