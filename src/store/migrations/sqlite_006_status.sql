-- huikuan schema version 6: every change of a case's status, with who,
-- when and why.
CREATE TABLE case_status_history (
	ref INTEGER PRIMARY KEY,
	case_ref INTEGER NOT NULL REFERENCES cases (ref),
	at INTEGER NOT NULL,
	user_ref INTEGER NOT NULL REFERENCES users (ref),
	from_status TEXT NOT NULL,
	to_status TEXT NOT NULL,
	reason TEXT NOT NULL
);
CREATE INDEX case_status_history_case ON case_status_history (case_ref, at);
