-- Reports (cases), the Kawan PMI volunteers they are routed to, and the audit trail.

CREATE TABLE volunteers (
    id          INTEGER PRIMARY KEY,
    contact_id  INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    name        TEXT NOT NULL,
    channel     TEXT NOT NULL,
    address     TEXT NOT NULL,
    place_code  TEXT,
    place_name  TEXT,
    lat         REAL NOT NULL,
    lon         REAL NOT NULL,
    languages   TEXT NOT NULL DEFAULT 'id',
    capacity    INTEGER NOT NULL DEFAULT 3,
    available   INTEGER NOT NULL DEFAULT 1,
    created_at  REAL NOT NULL,
    updated_at  REAL NOT NULL,
    UNIQUE (channel, address)
);
CREATE INDEX volunteers_contact ON volunteers (contact_id);

CREATE TABLE cases (
    id                   INTEGER PRIMARY KEY,
    number               TEXT NOT NULL UNIQUE,     -- what people read and type, e.g. MA-7K3QH
    reporter_contact_id  INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    reporter_locale      TEXT NOT NULL DEFAULT 'id',
    reporter_role        TEXT,                     -- self | family | other
    reporter_name        TEXT,                     -- NULL when anonymous
    reporter_reach       TEXT,                     -- how the volunteer may reach them; NULL when anonymous
    anonymous            INTEGER NOT NULL DEFAULT 0,
    description          TEXT,
    recruiter_name       TEXT,
    recruiter_phone      TEXT,
    recruiter_phone_norm TEXT,
    place_code           TEXT,
    place_name           TEXT,
    lat                  REAL,
    lon                  REAL,
    urgent               INTEGER NOT NULL DEFAULT 0,
    status               TEXT NOT NULL DEFAULT 'new',
    volunteer_id         INTEGER REFERENCES volunteers(id) ON DELETE SET NULL,  -- who accepted
    offered_to           INTEGER REFERENCES volunteers(id) ON DELETE SET NULL,  -- alert waiting
    attempts             INTEGER NOT NULL DEFAULT 0,
    deadline_at          REAL,                     -- stored, not a timer in memory
    created_at           REAL NOT NULL,
    updated_at           REAL NOT NULL,
    withdrawn_at         REAL
);
CREATE INDEX cases_deadline ON cases (deadline_at) WHERE status = 'alerted';
CREATE INDEX cases_reporter ON cases (reporter_contact_id);
CREATE INDEX cases_volunteer ON cases (volunteer_id);
CREATE INDEX cases_recruiter_phone ON cases (recruiter_phone_norm);

-- Who was asked and said no (or could not answer): never asked again for the same case.
CREATE TABLE case_declines (
    case_id      INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    volunteer_id INTEGER NOT NULL REFERENCES volunteers(id) ON DELETE CASCADE,
    reason       TEXT NOT NULL,   -- declined | conflict | timeout | undeliverable
    at           REAL NOT NULL,
    PRIMARY KEY (case_id, volunteer_id)
) WITHOUT ROWID;

-- The audit trail: every status change, alert, note and every read of a reporter's contact.
CREATE TABLE case_events (
    id       INTEGER PRIMARY KEY,
    case_id  INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    at       REAL NOT NULL,
    actor    TEXT NOT NULL,       -- "reporter", "volunteer:<id>", "system", "coordinator"
    kind     TEXT NOT NULL,       -- created | alerted | accepted | declined | conflict | timeout |
                                  -- status | note | contact_viewed | escalated | withdrawn | …
    detail   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events (case_id, id);
