-- A person's pending messages in order: the dispatcher loads a chat's next rows once it has
-- sent what it held, and asks for the row before each new one, without walking the backlog.
CREATE INDEX outbox_pending_chat ON outbox (channel, address, id) WHERE status = 'pending';
