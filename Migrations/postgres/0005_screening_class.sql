-- Plausibility screening's class kept on the submission, for PostgreSQL. A translation of
-- sql/0005_screening_class.sql, which explains why: the screen reads the 1000 most recent screened
-- submissions of the new one's class (architecture × CPU vendor × interpreter implementation ×
-- gcbench version) at every ingest, and an index in receipt order lets that read stop after 1000
-- rows. The parts are joined with the unit separator, chr(31), as SQLite's char(31) does.
-- This file is never edited once shipped.

ALTER TABLE submissions ADD COLUMN screen_class TEXT;

UPDATE submissions SET screen_class = (
        SELECT m.arch || chr(31) || m.cpu_vendor || chr(31) || i.implementation || chr(31) || submissions.screen_benchmark_version
        FROM machines m, interpreters i WHERE m.id = submissions.machine_id AND i.id = submissions.interpreter_id)
    WHERE screen_cpu_ms IS NOT NULL AND screen_benchmark_version IS NOT NULL;

CREATE INDEX submissions_screen ON submissions (screen_class, received_at DESC) WHERE screen_class IS NOT NULL;
