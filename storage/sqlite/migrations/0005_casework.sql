-- Casework (issue 11): coordinators as a role, relay between volunteer and reporter, abuse
-- blocks, reminders for the unassigned queue, volunteers who show their first name.
-- (Numbered 0005 so the schema loads in this branch; the integrator renumbers to 0010+.)

-- People who pick up what no volunteer took: escalations for their provinces (empty = all).
CREATE TABLE coordinators (
    id          INTEGER PRIMARY KEY,
    channel     TEXT NOT NULL,
    address     TEXT NOT NULL,
    name        TEXT NOT NULL,
    provinces   TEXT NOT NULL DEFAULT '',   -- BPS province codes or country codes, ";"-separated
    created_at  REAL NOT NULL,
    UNIQUE (channel, address)
);

-- Whether the reporter may hear the volunteer's first name on acceptance.
ALTER TABLE volunteers ADD COLUMN show_name INTEGER NOT NULL DEFAULT 1;

-- Who stopped the relay on this case for abuse: 'volunteer' (the reporter may no longer
-- write) or 'reporter' (the volunteer may no longer write); NULL = open both ways.
ALTER TABLE cases ADD COLUMN relay_blocked_by TEXT;
-- Last time the coordinators were reminded of this case waiting in the unassigned queue.
ALTER TABLE cases ADD COLUMN reminded_at REAL;
-- The coordinator who took the case themselves, when no volunteer has it.
ALTER TABLE cases ADD COLUMN coordinator_id INTEGER REFERENCES coordinators(id) ON DELETE SET NULL;
CREATE INDEX cases_status ON cases (status);
