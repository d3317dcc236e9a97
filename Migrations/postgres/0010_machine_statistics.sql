-- The PostgreSQL form of ../sql/0010_machine_statistics.sql: per machine × interpreter ×
-- benchmark key, the CPU-time figure the paired comparisons use, recomputed after the writes
-- that change it and filled when the migration is applied; `comparison_revision` counts every
-- change, so comparisons are cached per revision. This file is never edited once shipped.

CREATE TABLE machine_statistics (
    machine_id          TEXT             NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
    implementation      TEXT             NOT NULL,
    interpreter_version TEXT             NOT NULL,
    benchmark           TEXT             NOT NULL,
    benchmark_version   TEXT             NOT NULL,
    -- The compared parameters; 0 and '' where the key has none.
    procs               BIGINT           NOT NULL CHECK (procs >= 0),
    nursery             TEXT             NOT NULL CHECK (nursery IN ('', 'default', 'best')),
    payload             TEXT             NOT NULL,
    library             TEXT             NOT NULL,
    cpu_ms              DOUBLE PRECISION NOT NULL CHECK (cpu_ms > 0),
    samples             BIGINT           NOT NULL CHECK (samples >= 1),
    updated_at          BIGINT           NOT NULL,
    PRIMARY KEY (machine_id, implementation, interpreter_version, benchmark, benchmark_version, procs, nursery, payload, library)
);
CREATE INDEX machine_statistics_interpreter ON machine_statistics (implementation, interpreter_version);

CREATE TABLE comparison_revision (
    id       BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL CHECK (revision >= 0)
);
INSERT INTO comparison_revision (id, revision) VALUES (1, 0);
