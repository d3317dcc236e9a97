-- The speed center's paired comparisons (issue 14) pair each machine's CPU-time figure for one
-- benchmark key under two interpreters. Deriving the figures from every submission per request
-- does not scale; they are kept here, per machine × interpreter × benchmark key, recomputed
-- after every ingest, deletion and moderation that touches that machine and interpreter (from
-- its most recent visible submissions, outside the writer), and filled from the stored
-- submissions when this migration is applied. Quarantined submissions never contribute.
-- `comparison_revision` counts every change of these rows, so computed comparisons are cached
-- per revision. This file is never edited once shipped.

CREATE TABLE machine_statistics (
    machine_id          TEXT    NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
    implementation      TEXT    NOT NULL,
    interpreter_version TEXT    NOT NULL,
    benchmark           TEXT    NOT NULL,
    benchmark_version   TEXT    NOT NULL,
    -- The compared parameters (ComparisonParams); 0 and '' where the key has none, so that the
    -- primary key needs no NULLs.
    procs               INTEGER NOT NULL CHECK (procs >= 0),
    nursery             TEXT    NOT NULL CHECK (nursery IN ('', 'default', 'best')),
    payload             TEXT    NOT NULL,
    library             TEXT    NOT NULL,
    -- Median CPU time in ms of the samples it rests on, and their number.
    cpu_ms              REAL    NOT NULL CHECK (cpu_ms > 0),
    samples             INTEGER NOT NULL CHECK (samples >= 1),
    updated_at          INTEGER NOT NULL,
    PRIMARY KEY (machine_id, implementation, interpreter_version, benchmark, benchmark_version, procs, nursery, payload, library)
);
CREATE INDEX machine_statistics_interpreter ON machine_statistics (implementation, interpreter_version);

CREATE TABLE comparison_revision (
    id       INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL CHECK (revision >= 0)
);
INSERT INTO comparison_revision (id, revision) VALUES (1, 0);
