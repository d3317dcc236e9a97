-- Crowdspeed schema, version 2: fitting aggregates and formulas.
--
-- Everything a page or the recommendations API needs about curves is written at ingest, in the
-- submission's own transaction, so no read ever scans raw samples. The curve numbers themselves
-- are computed by the server (CrowdspeedFit); the store keeps them as plain data.
-- This file is never edited once shipped.

-- One row per (submission, benchmark version, procs) curve of a PyPy gcbench run: the per-round
-- CPU-time ratios to the same round's default-setting time, as CrowdspeedFit's Curve keeps them.
-- The hardware and source columns are copied from the submission so that a refit reads this one
-- table (filtered by source) and nothing else.
CREATE TABLE curves (
    id                    INTEGER NOT NULL PRIMARY KEY,
    submission_id         TEXT    NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    machine_id            TEXT    NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
    source                TEXT    NOT NULL CHECK (source IN ('agent', 'synthetic', 'import')),
    received_at           INTEGER NOT NULL,
    implementation        TEXT    NOT NULL,
    interpreter_version   TEXT    NOT NULL,
    benchmark             TEXT    NOT NULL,
    benchmark_version     TEXT    NOT NULL,
    procs                 INTEGER NOT NULL CHECK (procs >= 1),
    -- 1 when the run had PYPY_GC_MIN set: such curves measure another coupling and stay out of fits.
    pypy_gc_min_pinned    INTEGER NOT NULL CHECK (pypy_gc_min_pinned IN (0, 1)),
    -- The machine as this submission reported it (what the fit's features are read from).
    cpu_model             TEXT    NOT NULL,
    arch                  TEXT    NOT NULL,
    cpu_vendor            TEXT    NOT NULL,
    physical_cores        INTEGER NOT NULL,
    l2_bytes              INTEGER,
    l3_bytes              INTEGER,
    cpuinfo_cache_bytes   INTEGER,
    -- What the default setting amounts to under PyPy's own rule; NULL when unknown.
    default_nursery_bytes INTEGER,
    round_count           INTEGER NOT NULL CHECK (round_count >= 0),
    -- Packed little-endian arrays (see CurveBlob.swift): Int64 sizes, Int32 round ids, and
    -- round_count × size-count Float64 ratios, row-major, NaN where missing.
    nurseries             BLOB    NOT NULL,
    round_ids             BLOB    NOT NULL,
    round_ratios          BLOB    NOT NULL,
    UNIQUE (submission_id, benchmark, benchmark_version, procs)
);
CREATE INDEX curves_fit ON curves (benchmark, implementation, source);
CREATE INDEX curves_machine ON curves (machine_id, implementation, interpreter_version, benchmark, benchmark_version, procs);

-- Per (machine, interpreter, workload, procs, PYPY_GC_MIN pinned or not): the machine's curves
-- combined across its submissions and summarized (best nursery with a bootstrap interval, flat
-- set, gain of the best over the default). Rewritten at every ingest that touches the key.
CREATE TABLE machine_curves (
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
    -- [{"nursery_bytes", "relative_time", "rounds"}], ascending by size.
    points_json           TEXT    NOT NULL,
    best_nursery_bytes    INTEGER,
    best_relative_time    REAL,
    interval_lower_bytes  INTEGER,
    interval_upper_bytes  INTEGER,
    interval_confidence   REAL,
    -- [bytes, …]: every size within 2% of the best.
    flat_set_json         TEXT    NOT NULL,
    default_in_flat_set   INTEGER NOT NULL CHECK (default_in_flat_set IN (0, 1)),
    -- T(default) / T(best) − 1: what the machine's own best saves over PyPy's default.
    gain_over_default     REAL,
    updated_at            INTEGER NOT NULL,
    PRIMARY KEY (machine_id, implementation, interpreter_version, benchmark, benchmark_version, procs, pypy_gc_min_pinned),
    CHECK ((interval_lower_bytes IS NULL) = (interval_upper_bytes IS NULL))
);

-- Every fitted formula set, versioned; the newest of a scope is the one served. `scope` 'real'
-- is fitted on agent and import submissions only; 'synthetic' (demo servers) on every source.
CREATE TABLE formulas (
    version               INTEGER NOT NULL PRIMARY KEY,
    created_at            INTEGER NOT NULL,
    scope                 TEXT    NOT NULL CHECK (scope IN ('real', 'synthetic')),
    -- Comma-separated submission sources the fit read, e.g. 'agent,import'.
    sources               TEXT    NOT NULL,
    -- fit_state.submissions of the scope when the fit read its input.
    input_submissions     INTEGER NOT NULL CHECK (input_submissions >= 0),
    global_name           TEXT    NOT NULL,
    global_text           TEXT    NOT NULL,
    held_out_regret       REAL,
    pypy_default_regret   REAL,
    best_constant_regret  REAL,
    noise_floor           REAL,
    gain_over_default     REAL,
    machines              INTEGER NOT NULL CHECK (machines >= 0),
    curves                INTEGER NOT NULL CHECK (curves >= 0),
    cpu_models            INTEGER NOT NULL CHECK (cpu_models >= 0),
    fit_milliseconds      REAL    NOT NULL,
    -- CrowdspeedFit's FitReport, and the server's per-formula prediction intervals, as JSON.
    report_json           TEXT    NOT NULL,
    intervals_json        TEXT    NOT NULL
);
CREATE INDEX formulas_scope ON formulas (scope, version DESC);

-- Per scope, how many submissions with usable curves have ever arrived: a refit is due when this
-- exceeds the newest formula's input_submissions by the configured threshold.
CREATE TABLE fit_state (
    scope       TEXT    NOT NULL PRIMARY KEY CHECK (scope IN ('real', 'synthetic')),
    submissions INTEGER NOT NULL CHECK (submissions >= 0)
);
INSERT INTO fit_state (scope, submissions) VALUES ('real', 0), ('synthetic', 0);
