-- huikuan schema version 4: who works a case.  Every case query that a
-- user runs carries the user's scope (see store.h, struct hk_scope), so a
-- collector can never read a case that is not theirs.
ALTER TABLE users ADD COLUMN agency_ref INTEGER;
ALTER TABLE cases ADD COLUMN collector_ref INTEGER REFERENCES users (ref);
ALTER TABLE cases ADD COLUMN team_ref INTEGER REFERENCES teams (ref);
ALTER TABLE cases ADD COLUMN agency_ref INTEGER;
CREATE INDEX cases_collector ON cases (collector_ref);
CREATE INDEX cases_team ON cases (team_ref);
