-- Contacts, conversation state, processed inbound ids (dedupe) and the outbox.
-- Times are seconds since the epoch (UTC) as REAL.

CREATE TABLE contacts (
    id              INTEGER PRIMARY KEY,
    channel         TEXT NOT NULL,
    address         TEXT NOT NULL,
    locale          TEXT,              -- chosen or guessed language; NULL before the first reply
    display_name    TEXT,              -- kept only after consent
    consent_at      REAL,              -- privacy consent; NULL = not given
    consent_version TEXT,
    unreachable_at  REAL,              -- the person blocked the bot: stop sending
    created_at      REAL NOT NULL,
    last_inbound_at REAL,
    UNIQUE (channel, address)
);

CREATE TABLE conversations (
    contact_id  INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
    flow        TEXT NOT NULL,
    step        TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',
    choices     TEXT NOT NULL DEFAULT '[]',   -- the choices last offered: [[key, label], …]
    updated_at  REAL NOT NULL
);

CREATE TABLE inbound (
    channel     TEXT NOT NULL,
    external_id TEXT NOT NULL,
    received_at REAL NOT NULL,
    PRIMARY KEY (channel, external_id)
) WITHOUT ROWID;

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    contact_id      INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
    channel         TEXT NOT NULL,
    address         TEXT NOT NULL,
    locale          TEXT NOT NULL,
    kind            TEXT NOT NULL DEFAULT 'reply',
    payload         TEXT NOT NULL,            -- the Reply as JSON
    meta            TEXT NOT NULL DEFAULT '{}',
    status          TEXT NOT NULL DEFAULT 'pending',  -- pending | sent | failed | dropped
    attempts        INTEGER NOT NULL DEFAULT 0,
    not_before      REAL NOT NULL,
    last_error      TEXT,
    provider_id     TEXT,
    delivery_status TEXT,
    created_at      REAL NOT NULL,
    sent_at         REAL
);
CREATE INDEX outbox_pending ON outbox (channel, status, not_before) WHERE status = 'pending';
CREATE INDEX outbox_contact ON outbox (contact_id, id);
CREATE INDEX outbox_provider ON outbox (provider_id) WHERE provider_id IS NOT NULL;
