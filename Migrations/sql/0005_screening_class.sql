-- Plausibility screening (OutlierScreen) reads, at every ingest, the 1000 most recent screened
-- submissions of the new one's class (architecture × CPU vendor × interpreter implementation ×
-- gcbench version). Joined through machines_class, SQLite read every submission of the class and
-- sorted them: work proportional to the class — half the database for a common class — per
-- ingest, quadratic over a load (measured: ingestion fell below 80 submissions/s at 7k machines,
-- the writer busy in pread). The class is now kept on the submission, with an index in receipt
-- order, so the read stops after 1000 rows.
-- A machine's id is derived from its architecture and vendor, so the machine row's values and the
-- submission's own are the same.
-- This file is never edited once shipped.

ALTER TABLE submissions ADD COLUMN screen_class TEXT;

UPDATE submissions SET screen_class = (
        SELECT m.arch || char(31) || m.cpu_vendor || char(31) || i.implementation || char(31) || submissions.screen_benchmark_version
        FROM machines m, interpreters i WHERE m.id = submissions.machine_id AND i.id = submissions.interpreter_id)
    WHERE screen_cpu_ms IS NOT NULL AND screen_benchmark_version IS NOT NULL;

CREATE INDEX submissions_screen ON submissions (screen_class, received_at DESC) WHERE screen_class IS NOT NULL;
