-- Indexes for the queries every message or report runs, at any size of the tables.

-- The alert waiting for a volunteer's answer (a volunteer's "my cases", a typed "1").
CREATE INDEX cases_offered_to ON cases (offered_to) WHERE status = 'alerted';
-- Report drafts left unfinished, swept by the scheduler.
CREATE INDEX conversations_flow ON conversations (flow, updated_at);
-- Inbound ids are kept past the platforms' retry window only; pruned by age.
CREATE INDEX inbound_received ON inbound (received_at);
-- Other reports of the same recruiter by name (the key is written with each report; older
-- reports get theirs from the scheduler, a batch at a time).
ALTER TABLE cases ADD COLUMN recruiter_name_key TEXT;
CREATE INDEX cases_recruiter_name_key ON cases (recruiter_name_key)
    WHERE recruiter_name_key IS NOT NULL;
