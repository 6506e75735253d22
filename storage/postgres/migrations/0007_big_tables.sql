-- Messages per status for /metrics. SQLite keeps a table by triggers (its /metrics at a million
-- rows took seconds); here a view of the same name: several workers write the outbox at once,
-- and one counter row per status would make every transaction wait for the others' commits.
-- The count runs on the reader connection, outside any writer.
CREATE VIEW outbox_tally AS SELECT status, COUNT(*) AS n FROM outbox GROUP BY status;

-- Reports still without a recruiter name key (the scheduler keys a batch per pass): found
-- through this index, which stays empty once all are keyed, instead of reading every report
-- every pass (0.5 s at a million reports, inside the writer).
CREATE INDEX cases_name_unkeyed ON cases (id)
    WHERE recruiter_name IS NOT NULL AND recruiter_name_key IS NULL AND withdrawn_at IS NULL;
