-- huikuan schema version 5: contact records (催记) and who took a promise.
-- channel: call, sms, email, letter, visit, lawyer_letter, court.
-- outcome: see src/http/records.c (reached_debtor, third_party, ...).
CREATE TABLE contact_records (
	ref INTEGER PRIMARY KEY,
	case_ref INTEGER NOT NULL REFERENCES cases (ref),
	user_ref INTEGER NOT NULL REFERENCES users (ref),
	at INTEGER NOT NULL,
	channel TEXT NOT NULL,
	contact_id TEXT,
	outcome TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	recording_ref TEXT,
	next_follow_up INTEGER,
	second_staff_ref INTEGER REFERENCES users (ref)
);
CREATE INDEX contact_records_case ON contact_records (case_ref, at);
ALTER TABLE promises ADD COLUMN user_ref INTEGER REFERENCES users (ref);
