-- Messages per status for /metrics, kept as they change: counting a million-row outbox takes
-- seconds, reading this table takes microseconds. Derived data (never copied, see copy.py).
CREATE TABLE outbox_tally (status TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO outbox_tally (status, n) SELECT status, COUNT(*) FROM outbox GROUP BY status;

CREATE TRIGGER outbox_tally_insert AFTER INSERT ON outbox BEGIN
    INSERT INTO outbox_tally (status, n) VALUES (NEW.status, 1)
        ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER outbox_tally_update AFTER UPDATE OF status ON outbox
WHEN OLD.status IS NOT NEW.status BEGIN
    UPDATE outbox_tally SET n = n - 1 WHERE status = OLD.status;
    INSERT INTO outbox_tally (status, n) VALUES (NEW.status, 1)
        ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER outbox_tally_delete AFTER DELETE ON outbox BEGIN
    UPDATE outbox_tally SET n = n - 1 WHERE status = OLD.status;
END;

-- Reports still without a recruiter name key (the scheduler keys a batch per pass): found
-- through this index, which stays empty once all are keyed, instead of reading every report
-- every pass (0.5 s at a million reports, inside the writer).
CREATE INDEX cases_name_unkeyed ON cases (id)
    WHERE recruiter_name IS NOT NULL AND recruiter_name_key IS NULL AND withdrawn_at IS NULL;
