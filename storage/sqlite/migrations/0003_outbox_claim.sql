-- A claimed outbox row is leased to the worker sending it (several workers on PostgreSQL; on
-- SQLite one process, so the lease is only cleared on retry).
ALTER TABLE outbox ADD COLUMN claimed_until REAL;
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
