-- huikuan schema version 3: the audit trail.  Each record carries the
-- SHA-256 of the one before it (prev_hash) and its own (hash) over
-- "prev_hash|at|user_ref|client|action|target|detail", so altering,
-- inserting or removing a record breaks the chain (huikuan audit verify).
CREATE TABLE audit_log (
	ref INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	user_ref INTEGER NOT NULL,
	client TEXT NOT NULL,
	action TEXT NOT NULL,
	target TEXT NOT NULL,
	detail TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
CREATE INDEX audit_log_user ON audit_log (user_ref, at);
