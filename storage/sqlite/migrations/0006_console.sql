-- The coordinators' web console: accounts, sessions, and what its pages filter and count on.

CREATE TABLE console_accounts (
    id             INTEGER PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,           -- lower case (bot/console)
    name           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,              -- argon2id, with its parameters and salt
    role           TEXT NOT NULL,              -- coordinator | viewer
    provinces      TEXT NOT NULL DEFAULT '',   -- BPS province codes "32;33"; '' = every province
    failed_logins  INTEGER NOT NULL DEFAULT 0, -- wrong passwords since the last good one
    locked_until   REAL,                       -- too many wrong passwords: no login before this
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     REAL NOT NULL,
    last_login_at  REAL
);

-- One row per signed-in browser; the cookie carries the token, the store only its hash, so
-- a copy of the database does not hand out sessions. Logout deletes the row.
CREATE TABLE console_sessions (
    token_hash  TEXT PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES console_accounts(id) ON DELETE CASCADE,
    csrf        TEXT NOT NULL,
    created_at  REAL NOT NULL,
    expires_at  REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX console_sessions_account ON console_sessions (account_id);

-- The warning signs the job-offer screener finds in a report's story, kept as codes (no
-- personal data) so cases can be filtered and counted by them.
CREATE TABLE case_flags (
    case_id  INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    code     TEXT NOT NULL,
    reported_at REAL NOT NULL,  -- the case's created_at: counted by period without a join
    PRIMARY KEY (case_id, code)
) WITHOUT ROWID;
CREATE INDEX case_flags_code ON case_flags (code, case_id);
CREATE INDEX case_flags_reported ON case_flags (reported_at, code);

-- When a volunteer accepted: the console's time-to-acceptance without reading the history.
ALTER TABLE cases ADD COLUMN accepted_at REAL;
UPDATE cases SET accepted_at = (
    SELECT MIN(e.at) FROM case_events e WHERE e.case_id = cases.id AND e.kind = 'accepted'
);

-- The cases list sorts newest first, filtered by status or place; the dashboard counts by
-- status and by week.
CREATE INDEX cases_created ON cases (created_at);
CREATE INDEX cases_status_created ON cases (status, created_at);
CREATE INDEX cases_place_created ON cases (place_code, created_at);
CREATE INDEX cases_accepted ON cases (accepted_at, created_at) WHERE accepted_at IS NOT NULL;
-- searching a recruiter's name scans this, not every case with its story
CREATE INDEX cases_recruiter_name ON cases (recruiter_name, created_at)
    WHERE recruiter_name IS NOT NULL;

-- A volunteer a coordinator took out of the network (kept for the history's names).
ALTER TABLE volunteers ADD COLUMN deactivated_at REAL;
