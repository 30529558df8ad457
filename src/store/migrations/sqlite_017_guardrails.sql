-- huikuan schema version 17: what the compliance guardrails need
-- (docs/compliance.md).
--   contacts.stopped_at/stop_reason   a contact person's request not to be
--      called again: a permanent stop for that contact
--   contact_stops   a debtor's request to stop a channel ('all' for every
--      one), or a complaint pausing contact, until lifted with a reason
--   contact_records.third_party_reason   why a third party was contacted
--      (debtor_unreachable, deceased, incapacitated)
ALTER TABLE contacts ADD COLUMN stopped_at INTEGER;
ALTER TABLE contacts ADD COLUMN stop_reason TEXT;
ALTER TABLE contact_records ADD COLUMN third_party_reason TEXT;
CREATE TABLE contact_stops (
	ref INTEGER PRIMARY KEY,
	debtor_ref INTEGER NOT NULL REFERENCES debtors (ref),
	channel TEXT NOT NULL,
	reason TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	created_by INTEGER NOT NULL REFERENCES users (ref),
	created_at INTEGER NOT NULL,
	lifted_by INTEGER REFERENCES users (ref),
	lifted_at INTEGER,
	lift_reason TEXT
);
CREATE INDEX contact_stops_open ON contact_stops (debtor_ref)
	WHERE lifted_at IS NULL;
