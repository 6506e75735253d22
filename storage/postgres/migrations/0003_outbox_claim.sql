-- A claimed outbox row is leased to the worker sending it: several workers share the outbox,
-- each row is claimed by one (FOR UPDATE SKIP LOCKED) and a dead worker's lease runs out.
ALTER TABLE outbox ADD COLUMN claimed_until DOUBLE PRECISION;
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
