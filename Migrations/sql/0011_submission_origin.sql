-- The network origin of each submission (issue 17): a keyed hash (HMAC-SHA256 with the server's
-- origin key) of the submitting address's /24 (IPv4) or /48 (IPv6), never the address itself.
-- The fit caps what one origin contributes per hardware class; nothing exports it. Submissions
-- stored before this migration, and imports, have none (the fit then treats each machine as its
-- own origin). This file is never edited once shipped.

ALTER TABLE submissions ADD COLUMN origin_hash TEXT;
