-- The PostgreSQL form of ../sql/0011_submission_origin.sql: each submission's network origin
-- (a keyed hash of its /24 or /48, never the address). This file is never edited once shipped.

ALTER TABLE submissions ADD COLUMN origin_hash TEXT;
