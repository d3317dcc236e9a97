-- Verification results (issue 15): what `crowdspeed-agent verify` measured on a machine, PyPy's
-- default against one nursery size in interleaved rounds, and the gain the size realized.
-- `id` is the agent's UUID (lowercase text), the idempotency key; `document_json` is the
-- verification's canonical wire encoding (WireCoding), so a retry is recognised by equal text.
-- A verification belongs to a known machine and goes with it (ON DELETE CASCADE), as the
-- machine's submissions do. The install link and the network origin are private, as for
-- submissions; the rest is public data. This file is never edited once shipped.

CREATE TABLE verifications (
    id              TEXT    NOT NULL PRIMARY KEY,
    machine_id      TEXT    NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
    install_id      TEXT    REFERENCES installs (id) ON DELETE SET NULL,
    origin_hash     TEXT,
    received_at     INTEGER NOT NULL,
    size_source     TEXT    NOT NULL CHECK (size_source IN ('formula', 'measured', 'nursery')),
    formula_version INTEGER,
    -- The figures the formulas page summarizes, so that it reads no document.
    gain            REAL    NOT NULL,
    gain_lower      REAL,
    predicted_gain  REAL,
    document_json   TEXT    NOT NULL
);
CREATE INDEX verifications_formula ON verifications (formula_version, received_at);
CREATE INDEX verifications_machine ON verifications (machine_id, received_at);
CREATE INDEX verifications_install ON verifications (install_id);
