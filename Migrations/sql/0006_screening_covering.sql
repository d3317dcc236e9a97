-- The plausibility screen's peer read (the 1000 most recent visible submissions of a class) ran
-- inside the single writer at every ingest and, for each of the 1000 rows, looked up the
-- submission row, its machine and its install to learn their quarantine flags: measured, it
-- halved ingestion at concurrency 32 once a class had 1000 submissions (433 vs 234
-- submissions/s with the screen left out). The index now carries what the read needs and holds
-- only submissions not quarantined themselves; quarantined machines and installs (few) are
-- found through indexes of their own, so the read touches a few index pages.
-- This file is never edited once shipped.

DROP INDEX submissions_screen;
CREATE INDEX submissions_screen ON submissions (screen_class, received_at DESC, screen_cpu_ms, machine_id, install_id, quarantined)
    WHERE screen_class IS NOT NULL AND quarantined = 0;
CREATE INDEX machines_quarantined ON machines (id) WHERE quarantined = 1;
CREATE INDEX installs_quarantined ON installs (id) WHERE quarantined = 1;
