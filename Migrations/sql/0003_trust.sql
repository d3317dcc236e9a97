-- Trust: install identity, deletion tokens, moderation (quarantine), plausibility flags and the
-- audit log. Independent of 0002 (fitting): it only adds tables and nullable/defaulted columns,
-- so it applies the same whether 0002 ran before it or runs after it.

-- One row per agent installation. The token itself is a secret held by the agent; only its
-- SHA-256 is stored. `id` is public ("i-" + 16 hex digits of the hash) and is what the fit uses
-- to cap one install's weight.
CREATE TABLE installs (
    id          TEXT    NOT NULL PRIMARY KEY,
    token_hash  TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    quarantined INTEGER NOT NULL DEFAULT 0 CHECK (quarantined IN (0, 1))
);

-- Submissions stored before this migration have no install and no deletion token.
ALTER TABLE submissions ADD COLUMN install_id TEXT REFERENCES installs (id) ON DELETE SET NULL;
-- SHA-256 (hex) of the deletion token handed out with the 201.
ALTER TABLE submissions ADD COLUMN deletion_token_hash TEXT;
ALTER TABLE submissions ADD COLUMN quarantined INTEGER NOT NULL DEFAULT 0 CHECK (quarantined IN (0, 1));
-- Why plausibility screening flagged it (OutlierScreen.swift); NULL when not flagged.
ALTER TABLE submissions ADD COLUMN flag_reason TEXT;
-- The screened value (median default-nursery procs=1 gcbench cpu_ms) and what it is comparable
-- with, kept at ingest so screening never reads sample blobs.
ALTER TABLE submissions ADD COLUMN screen_cpu_ms REAL;
ALTER TABLE submissions ADD COLUMN screen_benchmark_version TEXT;
CREATE INDEX submissions_install ON submissions (install_id);

ALTER TABLE machines ADD COLUMN quarantined INTEGER NOT NULL DEFAULT 0 CHECK (quarantined IN (0, 1));
CREATE INDEX machines_class ON machines (arch, cpu_vendor);

-- Every moderation action and every deletion, append-only. target_id is text for all kinds
-- (submission UUID, install id, machine id); a deleted submission's entry outlives it.
CREATE TABLE audit_log (
    id          INTEGER NOT NULL PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL CHECK (action IN ('quarantine', 'release', 'delete')),
    target_kind TEXT    NOT NULL CHECK (target_kind IN ('submission', 'install', 'machine')),
    target_id   TEXT    NOT NULL,
    reason      TEXT
);
CREATE INDEX audit_log_target ON audit_log (target_kind, target_id);
