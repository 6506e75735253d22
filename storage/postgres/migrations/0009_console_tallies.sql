-- The console's dashboard. SQLite keeps its counts in tables by triggers (0009 there); here
-- they are counted from the rows on the reader connection, as before: several workers write
-- cases at once, and a counter row per (province, status) would make each transaction wait
-- for the others' commits (and two that move cases in opposite directions could deadlock).
-- The same reasoning as outbox_tally in 0007.

-- Urgent cases alone (a filter of the cases list): from this index, not a scan of every row.
CREATE INDEX cases_urgent_created ON cases (urgent, created_at);
