-- huikuan schema version 1 (SQLite).  Dates are day numbers since
-- 1970-01-01 (see include/hk/types.h), money is integer fen, rates ppm.
CREATE TABLE meta (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE debtors (
	ref INTEGER PRIMARY KEY,
	debtor_id TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	kind TEXT NOT NULL,
	id_number TEXT,
	phone TEXT,
	segment TEXT,
	province TEXT,
	city TEXT,
	address TEXT,
	employer TEXT
);
CREATE TABLE contacts (
	ref INTEGER PRIMARY KEY,
	contact_id TEXT NOT NULL UNIQUE,
	debtor_ref INTEGER NOT NULL REFERENCES debtors (ref),
	relation TEXT NOT NULL,
	name TEXT,
	phone TEXT NOT NULL,
	authorized INTEGER NOT NULL
);
CREATE INDEX contacts_debtor ON contacts (debtor_ref);
-- A case groups one debtor's accounts with one creditor.
CREATE TABLE cases (
	ref INTEGER PRIMARY KEY,
	debtor_ref INTEGER NOT NULL REFERENCES debtors (ref),
	creditor TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'new',
	UNIQUE (debtor_ref, creditor)
);
CREATE TABLE accounts (
	ref INTEGER PRIMARY KEY,
	account_id TEXT NOT NULL UNIQUE,
	debtor_ref INTEGER NOT NULL REFERENCES debtors (ref),
	case_ref INTEGER NOT NULL REFERENCES cases (ref),
	creditor TEXT NOT NULL,
	product TEXT NOT NULL,
	principal INTEGER NOT NULL,
	annual_ppm INTEGER NOT NULL,
	penalty_ppm INTEGER NOT NULL,
	open_date INTEGER NOT NULL
);
CREATE INDEX accounts_case ON accounts (case_ref);
-- Schedule plus the unpaid amounts as of the account's anchor date.
CREATE TABLE installments (
	account_ref INTEGER NOT NULL REFERENCES accounts (ref),
	seq INTEGER NOT NULL,
	due_date INTEGER NOT NULL,
	sched_principal INTEGER NOT NULL,
	sched_interest INTEGER NOT NULL,
	sched_fee INTEGER NOT NULL,
	principal INTEGER NOT NULL,
	interest INTEGER NOT NULL,
	fee INTEGER NOT NULL,
	penalty INTEGER NOT NULL DEFAULT 0,
	penalty_accrued INTEGER NOT NULL DEFAULT 0,
	booked INTEGER NOT NULL DEFAULT 0 CHECK (booked IN (0, 1)),
	PRIMARY KEY (account_ref, seq)
) WITHOUT ROWID;
CREATE INDEX installments_unbooked ON installments (account_ref) WHERE booked = 0;
CREATE TABLE payments (
	ref INTEGER PRIMARY KEY,
	payment_id TEXT NOT NULL UNIQUE,
	account_ref INTEGER NOT NULL REFERENCES accounts (ref),
	paid_on INTEGER NOT NULL,
	amount INTEGER NOT NULL CHECK (amount > 0),
	channel TEXT NOT NULL,
	reference TEXT
);
CREATE INDEX payments_account ON payments (account_ref, paid_on);
CREATE TABLE waivers (
	ref INTEGER PRIMARY KEY,
	account_ref INTEGER NOT NULL REFERENCES accounts (ref),
	approved_on INTEGER NOT NULL,
	component INTEGER NOT NULL,
	amount INTEGER NOT NULL CHECK (amount > 0),
	approved_by TEXT,
	reason TEXT
);
CREATE INDEX waivers_account ON waivers (account_ref, approved_on);
-- Which payments and waivers day-end has seen: those with ref up to the
-- watermark in meta (booked_payment_ref, booked_waiver_ref), except the ones
-- listed here, dated after the day-end that saw them.  Booking a fact thus
-- writes no row of it: a bank file of a million payments is booked by
-- moving a number.  kind: 0 payment, 1 waiver.
CREATE TABLE deferred_facts (
	kind INTEGER NOT NULL,
	fact_ref INTEGER NOT NULL,
	account_ref INTEGER NOT NULL,
	date INTEGER NOT NULL,
	PRIMARY KEY (kind, fact_ref)
);
-- status: 0 pending, 1 kept, 2 broken (enum hk_promise_status).
CREATE TABLE promises (
	ref INTEGER PRIMARY KEY,
	case_ref INTEGER NOT NULL REFERENCES cases (ref),
	made_on INTEGER NOT NULL,
	due_on INTEGER NOT NULL,
	amount INTEGER NOT NULL CHECK (amount > 0),
	status INTEGER NOT NULL DEFAULT 0,
	evaluated_on INTEGER
);
CREATE INDEX promises_pending ON promises (made_on) WHERE status = 0;
CREATE INDEX promises_case ON promises (case_ref);
-- Day-end's compact state of each account (struct hk_summary).  Its bucket
-- as of any date in the window is derived, never stored, so a quiet account
-- moving to the next bucket costs no write here.  The account's terms are
-- copied in (they never change) so day-end reads this table alone; every
-- account up to the largest account_ref here has a row.
CREATE TABLE account_state (
	account_ref INTEGER PRIMARY KEY REFERENCES accounts (ref),
	product INTEGER NOT NULL,
	open_date INTEGER NOT NULL,
	annual_ppm INTEGER NOT NULL,
	penalty_ppm INTEGER NOT NULL,
	anchor INTEGER NOT NULL,
	win_start INTEGER NOT NULL,
	win_end INTEGER NOT NULL,
	first_unpaid_due INTEGER NOT NULL,
	overdue_principal INTEGER NOT NULL,
	overdue_interest INTEGER NOT NULL,
	overdue_fee INTEGER NOT NULL,
	penalty_due INTEGER NOT NULL,
	penalty_accrued INTEGER NOT NULL,
	daily_penalty INTEGER NOT NULL,
	principal_outstanding INTEGER NOT NULL,
	credit_balance INTEGER NOT NULL,
	paid_total INTEGER NOT NULL,
	waived_total INTEGER NOT NULL
);
-- One row each time an account changes bucket, dated by the day-end that
-- saw it.  Keyed by date first: a day's rows are appended together.
CREATE TABLE bucket_transitions (
	as_of INTEGER NOT NULL,
	account_ref INTEGER NOT NULL REFERENCES accounts (ref),
	from_bucket TEXT NOT NULL,
	to_bucket TEXT NOT NULL,
	PRIMARY KEY (as_of, account_ref)
) WITHOUT ROWID;
-- The aging of each processed day: one row per bucket.
CREATE TABLE day_totals (
	as_of INTEGER NOT NULL,
	bucket TEXT NOT NULL,
	position INTEGER NOT NULL,
	accounts INTEGER NOT NULL,
	overdue_principal INTEGER NOT NULL,
	overdue_interest INTEGER NOT NULL,
	overdue_fee INTEGER NOT NULL,
	penalty_due INTEGER NOT NULL,
	total_overdue INTEGER NOT NULL,
	principal_outstanding INTEGER NOT NULL,
	PRIMARY KEY (as_of, bucket)
);
CREATE TABLE eod_runs (
	ref INTEGER PRIMARY KEY,
	as_of INTEGER NOT NULL,
	finished_at TEXT NOT NULL,
	accounts INTEGER NOT NULL,
	replayed INTEGER NOT NULL,
	advanced INTEGER NOT NULL,
	crossed INTEGER NOT NULL,
	transitions INTEGER NOT NULL
);
