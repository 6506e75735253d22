-- Messages per status for /metrics. SQLite keeps a table by triggers (its /metrics at a million
-- rows took seconds); here a view of the same name: several workers write the outbox at once,
-- and one counter row per status would make every transaction wait for the others' commits.
-- The count runs on the reader connection, outside any writer.
CREATE VIEW outbox_tally AS SELECT status, COUNT(*) AS n FROM outbox GROUP BY status;
