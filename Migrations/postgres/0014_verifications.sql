-- The PostgreSQL form of ../sql/0014_verifications.sql: verification results of
-- `crowdspeed-agent verify`, one row per agent-chosen id, going with their machine.
-- This file is never edited once shipped.

CREATE TABLE verifications (
    id              TEXT   NOT NULL PRIMARY KEY,
    machine_id      TEXT   NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
    install_id      TEXT   REFERENCES installs (id) ON DELETE SET NULL,
    origin_hash     TEXT,
    received_at     BIGINT NOT NULL,
    size_source     TEXT   NOT NULL CHECK (size_source IN ('formula', 'measured', 'nursery')),
    formula_version BIGINT,
    gain            DOUBLE PRECISION NOT NULL,
    gain_lower      DOUBLE PRECISION,
    predicted_gain  DOUBLE PRECISION,
    document_json   TEXT   NOT NULL
);
CREATE INDEX verifications_formula ON verifications (formula_version, received_at);
CREATE INDEX verifications_machine ON verifications (machine_id, received_at);
CREATE INDEX verifications_install ON verifications (install_id);
