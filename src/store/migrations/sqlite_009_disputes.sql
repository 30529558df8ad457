-- huikuan schema version 9: disputes (异议).  While a case has an open
-- dispute, outbound collection on it is refused.  Evidence files are kept
-- outside the database, named by their SHA-256.
CREATE TABLE disputes (
	ref INTEGER PRIMARY KEY,
	case_ref INTEGER NOT NULL REFERENCES cases (ref),
	opened_by INTEGER NOT NULL REFERENCES users (ref),
	opened_at INTEGER NOT NULL,
	reason TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'open',
	resolved_by INTEGER REFERENCES users (ref),
	resolved_at INTEGER,
	resolution TEXT
);
CREATE INDEX disputes_case ON disputes (case_ref, status);
CREATE TABLE dispute_files (
	ref INTEGER PRIMARY KEY,
	dispute_ref INTEGER NOT NULL REFERENCES disputes (ref),
	name TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	size INTEGER NOT NULL
);
CREATE INDEX dispute_files_dispute ON dispute_files (dispute_ref);
