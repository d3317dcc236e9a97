-- The plausibility screen's peer read from a covering index, for PostgreSQL. A translation of
-- sql/0006_screening_covering.sql, which explains the measurement behind it: the index carries
-- what the read needs and holds only submissions not quarantined themselves; quarantined machines
-- and installs (few) are found through indexes of their own.
-- This file is never edited once shipped.

DROP INDEX submissions_screen;

CREATE INDEX submissions_screen ON submissions (screen_class, received_at DESC, screen_cpu_ms, machine_id, install_id, quarantined)
    WHERE screen_class IS NOT NULL AND NOT quarantined;

CREATE INDEX machines_quarantined ON machines (id) WHERE quarantined;

CREATE INDEX installs_quarantined ON installs (id) WHERE quarantined;
