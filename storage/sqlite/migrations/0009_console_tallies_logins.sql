-- What the console's dashboard counts, kept by triggers as cases and their warning signs
-- change: at 100,000 cases, counting open cases, reports per day, warning signs and repeat
-- recruiter phones from the rows took tens of milliseconds each on every fresh dashboard;
-- reading these tables takes well under one. Derived data: never copied (storage/copy.py),
-- filled here from the rows the database already holds, then kept by the triggers.
--
-- province: the first two digits of the case's BPS kab/kota code (its province), '' when the
-- case has no place. day: the WIB calendar day of the report, (created_at + 7 h) / 1 day,
-- whole days since 1970-01-01 (the console shows and filters WIB days).

CREATE TABLE case_tally (
    province  TEXT NOT NULL,
    status    TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (province, status)
) WITHOUT ROWID;

CREATE TABLE case_days (
    day       INTEGER NOT NULL,
    province  TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (day, province)
) WITHOUT ROWID;

CREATE TABLE flag_days (
    day   INTEGER NOT NULL,   -- of case_flags.reported_at (the report's created_at)
    code  TEXT NOT NULL,
    n     INTEGER NOT NULL,
    PRIMARY KEY (day, code)
) WITHOUT ROWID;

-- Reports per recruiter phone, in each province and in all ('*'). A row whose count falls to
-- zero is deleted (with secure_delete, its bytes too): a withdrawn report's recruiter phone
-- must not stay behind in a tally.
CREATE TABLE recruiter_tally (
    province  TEXT NOT NULL,
    phone     TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (province, phone)
) WITHOUT ROWID;
CREATE INDEX recruiter_tally_top ON recruiter_tally (province, n);

INSERT INTO case_tally (province, status, n)
    SELECT COALESCE(substr(place_code, 1, 2), ''), status, COUNT(*) FROM cases GROUP BY 1, 2;
INSERT INTO case_days (day, province, n)
    SELECT CAST((created_at + 25200) / 86400 AS INTEGER), COALESCE(substr(place_code, 1, 2), ''),
        COUNT(*) FROM cases GROUP BY 1, 2;
INSERT INTO flag_days (day, code, n)
    SELECT CAST((reported_at + 25200) / 86400 AS INTEGER), code, COUNT(*) FROM case_flags
    GROUP BY 1, 2;
INSERT INTO recruiter_tally (province, phone, n)
    SELECT '*', recruiter_phone_norm, COUNT(*) FROM cases WHERE recruiter_phone_norm IS NOT NULL
    GROUP BY 2;
INSERT INTO recruiter_tally (province, phone, n)
    SELECT COALESCE(substr(place_code, 1, 2), ''), recruiter_phone_norm, COUNT(*) FROM cases
    WHERE recruiter_phone_norm IS NOT NULL GROUP BY 1, 2;

-- --- cases ----------------------------------------------------------------------------------
CREATE TRIGGER case_tally_insert AFTER INSERT ON cases BEGIN
    INSERT INTO case_tally (province, status, n)
        VALUES (COALESCE(substr(NEW.place_code, 1, 2), ''), NEW.status, 1)
        ON CONFLICT (province, status) DO UPDATE SET n = n + 1;
    INSERT INTO case_days (day, province, n)
        VALUES (CAST((NEW.created_at + 25200) / 86400 AS INTEGER),
                COALESCE(substr(NEW.place_code, 1, 2), ''), 1)
        ON CONFLICT (day, province) DO UPDATE SET n = n + 1;
    INSERT INTO recruiter_tally (province, phone, n)
        SELECT p, NEW.recruiter_phone_norm, 1
        FROM (SELECT '*' AS p UNION ALL SELECT COALESCE(substr(NEW.place_code, 1, 2), ''))
        WHERE NEW.recruiter_phone_norm IS NOT NULL
        ON CONFLICT (province, phone) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER case_tally_delete AFTER DELETE ON cases BEGIN
    UPDATE case_tally SET n = n - 1
        WHERE province = COALESCE(substr(OLD.place_code, 1, 2), '') AND status = OLD.status;
    UPDATE case_days SET n = n - 1
        WHERE day = CAST((OLD.created_at + 25200) / 86400 AS INTEGER)
        AND province = COALESCE(substr(OLD.place_code, 1, 2), '');
    UPDATE recruiter_tally SET n = n - 1
        WHERE phone = OLD.recruiter_phone_norm
        AND province IN ('*', COALESCE(substr(OLD.place_code, 1, 2), ''));
    DELETE FROM recruiter_tally WHERE phone = OLD.recruiter_phone_norm AND n <= 0;
END;

CREATE TRIGGER case_tally_status AFTER UPDATE OF status, place_code ON cases
WHEN OLD.status IS NOT NEW.status OR OLD.place_code IS NOT NEW.place_code BEGIN
    UPDATE case_tally SET n = n - 1
        WHERE province = COALESCE(substr(OLD.place_code, 1, 2), '') AND status = OLD.status;
    INSERT INTO case_tally (province, status, n)
        VALUES (COALESCE(substr(NEW.place_code, 1, 2), ''), NEW.status, 1)
        ON CONFLICT (province, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER case_days_move AFTER UPDATE OF created_at, place_code ON cases
WHEN OLD.created_at IS NOT NEW.created_at OR OLD.place_code IS NOT NEW.place_code BEGIN
    UPDATE case_days SET n = n - 1
        WHERE day = CAST((OLD.created_at + 25200) / 86400 AS INTEGER)
        AND province = COALESCE(substr(OLD.place_code, 1, 2), '');
    INSERT INTO case_days (day, province, n)
        VALUES (CAST((NEW.created_at + 25200) / 86400 AS INTEGER),
                COALESCE(substr(NEW.place_code, 1, 2), ''), 1)
        ON CONFLICT (day, province) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER recruiter_tally_move AFTER UPDATE OF recruiter_phone_norm, place_code ON cases
WHEN OLD.recruiter_phone_norm IS NOT NEW.recruiter_phone_norm
    OR OLD.place_code IS NOT NEW.place_code BEGIN
    UPDATE recruiter_tally SET n = n - 1
        WHERE phone = OLD.recruiter_phone_norm
        AND province IN ('*', COALESCE(substr(OLD.place_code, 1, 2), ''));
    DELETE FROM recruiter_tally WHERE phone = OLD.recruiter_phone_norm AND n <= 0;
    INSERT INTO recruiter_tally (province, phone, n)
        SELECT p, NEW.recruiter_phone_norm, 1
        FROM (SELECT '*' AS p UNION ALL SELECT COALESCE(substr(NEW.place_code, 1, 2), ''))
        WHERE NEW.recruiter_phone_norm IS NOT NULL
        ON CONFLICT (province, phone) DO UPDATE SET n = n + 1;
END;

-- --- warning signs (also deleted with their case, by the foreign key's cascade) -------------
CREATE TRIGGER flag_days_insert AFTER INSERT ON case_flags BEGIN
    INSERT INTO flag_days (day, code, n)
        VALUES (CAST((NEW.reported_at + 25200) / 86400 AS INTEGER), NEW.code, 1)
        ON CONFLICT (day, code) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER flag_days_delete AFTER DELETE ON case_flags BEGIN
    UPDATE flag_days SET n = n - 1
        WHERE day = CAST((OLD.reported_at + 25200) / 86400 AS INTEGER) AND code = OLD.code;
END;

CREATE TRIGGER flag_days_update AFTER UPDATE OF reported_at, code ON case_flags BEGIN
    UPDATE flag_days SET n = n - 1
        WHERE day = CAST((OLD.reported_at + 25200) / 86400 AS INTEGER) AND code = OLD.code;
    INSERT INTO flag_days (day, code, n)
        VALUES (CAST((NEW.reported_at + 25200) / 86400 AS INTEGER), NEW.code, 1)
        ON CONFLICT (day, code) DO UPDATE SET n = n + 1;
END;

-- Urgent cases alone (a filter of the cases list): from this index, not a scan of every row.
CREATE INDEX cases_urgent_created ON cases (urgent, created_at);

-- Sign-ins to the console, right and wrong passwords, for the account page: its owner sees
-- whether someone else signed in or tried. The last few per account only (storage/accounts.py
-- prunes on each new one).
CREATE TABLE console_logins (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES console_accounts(id) ON DELETE CASCADE,
    at          REAL NOT NULL,
    address     TEXT NOT NULL,     -- the client address the app saw
    ok          INTEGER NOT NULL   -- 1 signed in, 0 a wrong password
);
CREATE INDEX console_logins_account ON console_logins (account_id, at);
ALTER TABLE console_accounts ADD COLUMN password_changed_at REAL;
UPDATE console_accounts SET password_changed_at = created_at;

-- What console accounts did outside a case's history (which has its own entries): a
-- volunteer's settings changed, a volunteer list imported, a volunteer deactivated, an
-- account's own password changed. Who and when; codes and counts, no personal data.
CREATE TABLE console_audit (
    id      INTEGER PRIMARY KEY,
    at      REAL NOT NULL,
    actor   TEXT NOT NULL,               -- coordinator:<username>
    action  TEXT NOT NULL,               -- see storage/console_audit.py
    target  TEXT NOT NULL DEFAULT '',    -- volunteer:<id> | volunteers | account:<id>
    detail  TEXT NOT NULL DEFAULT ''     -- key=value;key=value
);
CREATE INDEX console_audit_target ON console_audit (target, at);
