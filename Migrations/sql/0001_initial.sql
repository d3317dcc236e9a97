-- Crowdspeed schema, version 1.
--
-- Conventions (kept so the same schema can later run on PostgreSQL): snake_case names, NOT NULL
-- unless a value is genuinely optional on the wire, foreign keys with ON DELETE CASCADE, UNIQUE
-- natural keys. Times are INTEGER milliseconds since the Unix epoch (UTC), everywhere.
-- This file is never edited once shipped: later changes go in 0002_…, 0003_…

-- One row per machine id (MachineInfo.machineID, derived from stable hardware facts only).
-- The hardware columns and hardware_json hold the most recently received submission's facts;
-- the aggregates are maintained at ingest so that list pages never scan submissions or samples.
CREATE TABLE machines (
    id                  TEXT    NOT NULL PRIMARY KEY,
    arch                TEXT    NOT NULL,
    os                  TEXT    NOT NULL,
    os_version          TEXT    NOT NULL,
    kernel              TEXT    NOT NULL,
    cpu_vendor          TEXT    NOT NULL,
    cpu_model           TEXT    NOT NULL,
    physical_cores      INTEGER NOT NULL,
    logical_cpus        INTEGER NOT NULL,
    memory_bytes        INTEGER NOT NULL,
    -- Largest data-or-unified cache at that level; NULL when the machine reports none.
    l2_bytes            INTEGER,
    l3_bytes            INTEGER,
    -- The /proc/cpuinfo "cache size" PyPy's own rule reads; NULL when not reported.
    cpuinfo_cache_bytes INTEGER,
    virtualized         INTEGER NOT NULL CHECK (virtualized IN (0, 1)),
    cpu_quota           REAL,
    hardware_json       TEXT    NOT NULL,
    submission_count    INTEGER NOT NULL CHECK (submission_count >= 0),
    first_seen          INTEGER NOT NULL,
    last_seen           INTEGER NOT NULL,
    CHECK (first_seen <= last_seen)
);
CREATE INDEX machines_last_seen ON machines (last_seen DESC, id);

CREATE TABLE interpreters (
    id               INTEGER NOT NULL PRIMARY KEY,
    implementation   TEXT    NOT NULL,
    version          TEXT    NOT NULL,
    language_version TEXT    NOT NULL,
    UNIQUE (implementation, version, language_version)
);

-- One agent run on one machine with one interpreter. `id` is the agent's UUID (lowercase text),
-- the idempotency key; content_hash tells a harmless retry from a conflicting reuse of an id.
CREATE TABLE submissions (
    id                TEXT    NOT NULL PRIMARY KEY,
    schema_version    INTEGER NOT NULL,
    machine_id        TEXT    NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
    interpreter_id    INTEGER NOT NULL REFERENCES interpreters (id) ON DELETE CASCADE,
    created_at        INTEGER NOT NULL,
    received_at       INTEGER NOT NULL,
    source            TEXT    NOT NULL CHECK (source IN ('agent', 'synthetic', 'import')),
    agent_name        TEXT    NOT NULL,
    agent_version     TEXT    NOT NULL,
    executable        TEXT    NOT NULL,
    -- The machine facts exactly as this submission reported them (they may differ from the
    -- machine row's latest: OS upgrades, quota changes).
    machine_json      TEXT    NOT NULL,
    -- Run info is optional on the wire (imports of old data have none): all NULL or run_seed set.
    run_seed          INTEGER,
    run_rounds        INTEGER,
    run_warmup_rounds INTEGER,
    run_pypy_gc_min   TEXT,
    run_stop_reason   TEXT,
    content_hash      TEXT    NOT NULL,
    result_count      INTEGER NOT NULL CHECK (result_count >= 0),
    sample_count      INTEGER NOT NULL CHECK (sample_count >= 0),
    CHECK ((run_seed IS NULL) = (run_rounds IS NULL) AND (run_seed IS NULL) = (run_warmup_rounds IS NULL))
);
CREATE INDEX submissions_machine ON submissions (machine_id, received_at);
CREATE INDEX submissions_interpreter ON submissions (interpreter_id);

-- All samples of one benchmark at one parameter setting. The samples themselves are one packed
-- BLOB per result (see SampleBlob.swift): a sweep of ~400 samples is then a few dozen row
-- inserts instead of hundreds, and no query needs single samples in SQL.
CREATE TABLE results (
    id                INTEGER NOT NULL PRIMARY KEY,
    submission_id     TEXT    NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    -- Order of the result within its submission, so a read gives back the submission as sent.
    position          INTEGER NOT NULL,
    benchmark         TEXT    NOT NULL,
    benchmark_version TEXT    NOT NULL,
    params_key        TEXT    NOT NULL,
    procs             INTEGER,
    nursery_bytes     INTEGER,
    payload           TEXT,
    library           TEXT,
    unit              TEXT    NOT NULL,
    sample_count      INTEGER NOT NULL CHECK (sample_count >= 0),
    samples           BLOB    NOT NULL,
    UNIQUE (submission_id, benchmark, benchmark_version, params_key),
    UNIQUE (submission_id, position)
);
CREATE INDEX results_benchmark ON results (benchmark, benchmark_version, params_key);
