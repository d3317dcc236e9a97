-- The PostgreSQL form of ../sql/0007_curve_windows.sql: each machine key's bounded window of
-- its most recent rounds, updated from the new submission alone; summaries record the window
-- revision they were computed from. This file is never edited once shipped.

CREATE TABLE curve_windows (
    machine_id            TEXT    NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
    implementation        TEXT    NOT NULL,
    interpreter_version   TEXT    NOT NULL,
    benchmark             TEXT    NOT NULL,
    benchmark_version     TEXT    NOT NULL,
    procs                 BIGINT  NOT NULL CHECK (procs >= 1),
    pypy_gc_min_pinned    BOOLEAN NOT NULL,
    -- Visible submissions with a curve of this key (all, not only those in the window).
    submission_count      BIGINT  NOT NULL CHECK (submission_count >= 1),
    default_nursery_bytes BIGINT,
    -- The window as a curve: sizes, round ids and row-major ratios, packed as in `curves`.
    nurseries             BYTEA   NOT NULL,
    round_ids             BYTEA   NOT NULL,
    round_ratios          BYTEA   NOT NULL,
    revision              BIGINT  NOT NULL CHECK (revision >= 1),
    updated_at            BIGINT  NOT NULL,
    PRIMARY KEY (machine_id, implementation, interpreter_version, benchmark, benchmark_version, procs, pypy_gc_min_pinned)
);

ALTER TABLE machine_curves ADD COLUMN window_revision BIGINT NOT NULL DEFAULT 0;
