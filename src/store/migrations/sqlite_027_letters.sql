-- huikuan schema version 27: letters and messages (issue 7,
-- docs/letters.md).
-- templates: versions like strategies' - a draft is edited, published
-- once and never changed after; the newest published version of a
-- (code, channel) is the one in force.
CREATE TABLE templates (
	ref INTEGER PRIMARY KEY,
	code TEXT NOT NULL,
	channel TEXT NOT NULL CHECK (channel IN ('letter', 'sms', 'email')),
	version INTEGER NOT NULL,
	name TEXT NOT NULL,
	audience TEXT NOT NULL CHECK (audience IN ('debtor', 'third_party')),
	kind TEXT NOT NULL CHECK (kind IN ('reminder', 'notice', 'final',
		'lawyer', 'invoice', 'message')),
	days_to_pay INTEGER NOT NULL DEFAULT 7,
	subject TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft',
		'published')),
	created_by INTEGER REFERENCES users (ref),
	created_at INTEGER NOT NULL,
	published_by INTEGER REFERENCES users (ref),
	published_at INTEGER,
	UNIQUE (code, channel, version)
);
-- letter batches: from a day's treatments or a list of cases; their
-- files under [files] dir/batches/<ref>/
CREATE TABLE letter_batches (
	ref INTEGER PRIMARY KEY,
	status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued',
		'running', 'done', 'failed')),
	source TEXT NOT NULL CHECK (source IN ('treatments', 'cases')),
	template_code TEXT,
	as_of INTEGER NOT NULL,
	total INTEGER NOT NULL DEFAULT 0,
	done INTEGER NOT NULL DEFAULT 0,
	skipped INTEGER NOT NULL DEFAULT 0,
	merged_sha256 TEXT,
	manifest_sha256 TEXT,
	error TEXT,
	created_by INTEGER REFERENCES users (ref),
	created_at INTEGER NOT NULL,
	finished_at INTEGER
);
-- the cases a batch writes to, in order (a rerun takes up where it
-- stopped: a case with its letter has letter_ref)
CREATE TABLE letter_batch_cases (
	batch_ref INTEGER NOT NULL REFERENCES letter_batches (ref),
	seq INTEGER NOT NULL,
	case_ref INTEGER NOT NULL REFERENCES cases (ref),
	template_code TEXT NOT NULL,
	letter_ref INTEGER,
	skipped TEXT,
	PRIMARY KEY (batch_ref, seq)
);
-- every letter written: its number (函号), what it was written from and
-- the SHA-256 of its file
CREATE TABLE letters (
	ref INTEGER PRIMARY KEY,
	serial TEXT NOT NULL UNIQUE,
	case_ref INTEGER NOT NULL REFERENCES cases (ref),
	template_ref INTEGER NOT NULL REFERENCES templates (ref),
	batch_ref INTEGER REFERENCES letter_batches (ref),
	as_of INTEGER NOT NULL,
	strategy_ref INTEGER,
	rule_no INTEGER,
	arm_no INTEGER,
	total_owed INTEGER NOT NULL,
	pages INTEGER NOT NULL,
	sha256 TEXT NOT NULL,
	size INTEGER NOT NULL,
	created_by INTEGER REFERENCES users (ref),
	created_at INTEGER NOT NULL
);
CREATE INDEX letters_case ON letters (case_ref, ref);
-- messages to send (SMS, email): the outbox; msg_id is ours, sent with
-- the message so the channel keeps it once
CREATE TABLE outbox (
	ref INTEGER PRIMARY KEY,
	msg_id TEXT NOT NULL UNIQUE,
	case_ref INTEGER NOT NULL REFERENCES cases (ref),
	contact_ref INTEGER REFERENCES contacts (ref),
	template_ref INTEGER NOT NULL REFERENCES templates (ref),
	channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
	to_addr TEXT NOT NULL,
	to_name TEXT,
	subject TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued',
		'sending', 'sent', 'delivered', 'undelivered', 'failed',
		'refused', 'cancelled')),
	attempts INTEGER NOT NULL DEFAULT 0,
	next_at INTEGER NOT NULL,
	lease_until INTEGER,
	provider_id TEXT,
	last_error TEXT,
	rule TEXT,
	strategy_ref INTEGER,
	rule_no INTEGER,
	arm_no INTEGER,
	created_by INTEGER REFERENCES users (ref),
	created_at INTEGER NOT NULL,
	sent_at INTEGER,
	delivered_at INTEGER
);
CREATE INDEX outbox_due ON outbox (next_at)
	WHERE status = 'queued' OR status = 'sending';
CREATE INDEX outbox_case ON outbox (case_ref, ref);
CREATE INDEX outbox_provider ON outbox (provider_id)
	WHERE provider_id IS NOT NULL;
-- delivery receipts, each (message, status) once however often told
CREATE TABLE outbox_receipts (
	outbox_ref INTEGER NOT NULL REFERENCES outbox (ref),
	status TEXT NOT NULL,
	at INTEGER NOT NULL,
	PRIMARY KEY (outbox_ref, status)
);
-- contacts may have an email address (through the API: the import's
-- columns are fixed by ledger.md §2)
ALTER TABLE contacts ADD COLUMN email TEXT;
