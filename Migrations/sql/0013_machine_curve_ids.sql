-- An integer id for each machine curve summary: the key the curves export pages by. On SQLite
-- it was the table's rowid; naming it as a column gives PostgreSQL the same key
-- (../postgres/0013_machine_curve_ids.sql) and lets `crowdspeed copy` carry it over, so both
-- backends export in the same order. SQLite cannot turn the rowid into a column in place, so the
-- table is rebuilt with `id INTEGER PRIMARY KEY` (an alias of the rowid, each row keeping its
-- own) and the former primary key as a UNIQUE constraint, which upserts still name.
-- This file is never edited once shipped.

CREATE TABLE machine_curves_with_ids (
    id                    INTEGER NOT NULL PRIMARY KEY,
    machine_id            TEXT    NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
    implementation        TEXT    NOT NULL,
    interpreter_version   TEXT    NOT NULL,
    benchmark             TEXT    NOT NULL,
    benchmark_version     TEXT    NOT NULL,
    procs                 INTEGER NOT NULL CHECK (procs >= 1),
    pypy_gc_min_pinned    INTEGER NOT NULL CHECK (pypy_gc_min_pinned IN (0, 1)),
    submission_count      INTEGER NOT NULL CHECK (submission_count >= 1),
    round_count           INTEGER NOT NULL CHECK (round_count >= 0),
    default_nursery_bytes INTEGER,
    points_json           TEXT    NOT NULL,
    best_nursery_bytes    INTEGER,
    best_relative_time    REAL,
    interval_lower_bytes  INTEGER,
    interval_upper_bytes  INTEGER,
    interval_confidence   REAL,
    flat_set_json         TEXT    NOT NULL,
    default_in_flat_set   INTEGER NOT NULL CHECK (default_in_flat_set IN (0, 1)),
    gain_over_default     REAL,
    updated_at            INTEGER NOT NULL,
    window_revision       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (machine_id, implementation, interpreter_version, benchmark, benchmark_version, procs, pypy_gc_min_pinned),
    CHECK ((interval_lower_bytes IS NULL) = (interval_upper_bytes IS NULL))
);

INSERT INTO machine_curves_with_ids (id, machine_id, implementation, interpreter_version, benchmark, benchmark_version,
    procs, pypy_gc_min_pinned, submission_count, round_count, default_nursery_bytes, points_json, best_nursery_bytes,
    best_relative_time, interval_lower_bytes, interval_upper_bytes, interval_confidence, flat_set_json,
    default_in_flat_set, gain_over_default, updated_at, window_revision)
SELECT rowid, machine_id, implementation, interpreter_version, benchmark, benchmark_version, procs, pypy_gc_min_pinned,
    submission_count, round_count, default_nursery_bytes, points_json, best_nursery_bytes, best_relative_time,
    interval_lower_bytes, interval_upper_bytes, interval_confidence, flat_set_json, default_in_flat_set,
    gain_over_default, updated_at, window_revision
FROM machine_curves;

DROP TABLE machine_curves;

ALTER TABLE machine_curves_with_ids RENAME TO machine_curves;
