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
