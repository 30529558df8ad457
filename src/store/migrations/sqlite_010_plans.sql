-- huikuan schema version 10: repayment plans (分期协商).  status:
-- proposed, approved, rejected.  Whether an approved plan is on track,
-- completed or broken is computed from the case's payments (plans.c).
CREATE TABLE plans (
	ref INTEGER PRIMARY KEY,
	case_ref INTEGER NOT NULL REFERENCES cases (ref),
	proposed_by INTEGER NOT NULL REFERENCES users (ref),
	proposed_at INTEGER NOT NULL,
	starts_on INTEGER NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'proposed',
	decided_by INTEGER REFERENCES users (ref),
	decided_at INTEGER
);
CREATE INDEX plans_case ON plans (case_ref);
CREATE TABLE plan_installments (
	plan_ref INTEGER NOT NULL REFERENCES plans (ref),
	seq INTEGER NOT NULL,
	due_on INTEGER NOT NULL,
	amount INTEGER NOT NULL CHECK (amount > 0),
	PRIMARY KEY (plan_ref, seq)
);
