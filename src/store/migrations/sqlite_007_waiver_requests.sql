-- huikuan schema version 7: waiver (减免) requests and their decisions.
-- status: pending, approved, rejected.  An approved request points at the
-- waiver it booked into the ledger.
CREATE TABLE waiver_requests (
	ref INTEGER PRIMARY KEY,
	case_ref INTEGER NOT NULL REFERENCES cases (ref),
	account_ref INTEGER NOT NULL REFERENCES accounts (ref),
	component INTEGER NOT NULL,
	amount INTEGER NOT NULL CHECK (amount > 0),
	reason TEXT NOT NULL,
	requested_by INTEGER NOT NULL REFERENCES users (ref),
	requested_at INTEGER NOT NULL,
	status TEXT NOT NULL DEFAULT 'pending',
	decided_by INTEGER REFERENCES users (ref),
	decided_at INTEGER,
	note TEXT
);
CREATE INDEX waiver_requests_case ON waiver_requests (case_ref);
