-- What the scheduler sweeps every pass, and what routing reads for every report, found through
-- indexes that hold only the rows wanted: at a million rows each sweep read the whole table
-- inside the writer (a pass held every message for 3 s).

-- Delivered bodies still to blank once their retention is over (storage/repos/outbox.py
-- purge_delivered): a row leaves the index when its body is blanked.
CREATE INDEX outbox_unpurged ON outbox (sent_at)
    WHERE status = 'sent' AND payload != '{"text": "", "choices": []}';

-- Conversations holding a report draft put aside for a side trip ("paused:report" in their
-- data, storage/repos/contacts.py forget_paused): rare rows among a million.
CREATE INDEX conversations_paused ON conversations (contact_id) WHERE data LIKE '%"paused:%';

-- Volunteers who may be offered a report now (storage/repos/volunteers.py able_to_take, run
-- for every report): routing reads the available ones only, not every volunteer ever added.
CREATE INDEX volunteers_available ON volunteers (id)
    WHERE available = 1 AND deactivated_at IS NULL;
