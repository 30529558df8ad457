-- huikuan schema version 28: the reports' history (issue 8,
-- docs/reports.md, "Where the figures come from").  Day-end records the
-- day's snapshot in its own transaction, so a report over a year reads a
-- few small tables instead of a million accounts' history.
--
-- report_dims: the combinations of the reports' dimensions that accounts
-- have had - a small dictionary (a few thousand rows at a million
-- accounts).  Absent values are 0 (refs), -1 (rule, arm) or '' (text), not
-- NULL, so that the UNIQUE constraint and GROUP BY treat them as values.
CREATE TABLE report_dims (
	ref INTEGER PRIMARY KEY,
	creditor TEXT NOT NULL,
	product TEXT NOT NULL,
	team_ref INTEGER NOT NULL,
	collector_ref INTEGER NOT NULL,
	agency_ref INTEGER NOT NULL,
	strategy_ref INTEGER NOT NULL,
	rule_no INTEGER NOT NULL,
	arm_no INTEGER NOT NULL,
	province TEXT NOT NULL,
	segment TEXT NOT NULL,
	UNIQUE (creditor, product, team_ref, collector_ref, agency_ref,
		strategy_ref, rule_no, arm_no, province, segment)
);
-- Each account's combination, kept next to its state (day-end's scan
-- reads it for free); 0 until day-end has set it.  Refreshed by day-end
-- for the cases marked in report_dirty and the accounts still at 0.
ALTER TABLE account_state ADD COLUMN dims INTEGER NOT NULL DEFAULT 0;
CREATE INDEX account_state_nodims ON account_state (account_ref)
	WHERE dims = 0;
CREATE TABLE report_dirty (case_ref INTEGER PRIMARY KEY);
CREATE TRIGGER report_dirty_case AFTER UPDATE OF collector_ref, team_ref,
	agency_ref, creditor ON cases
WHEN OLD.collector_ref IS NOT NEW.collector_ref
	OR OLD.team_ref IS NOT NEW.team_ref
	OR OLD.agency_ref IS NOT NEW.agency_ref
	OR OLD.creditor IS NOT NEW.creditor
BEGIN
	INSERT INTO report_dirty SELECT NEW.ref
	WHERE NOT EXISTS (SELECT 1 FROM report_dirty WHERE case_ref = NEW.ref);
END;
CREATE TRIGGER report_dirty_treat_ins AFTER INSERT ON case_treatment
BEGIN
	INSERT INTO report_dirty SELECT NEW.case_ref
	WHERE NOT EXISTS (SELECT 1 FROM report_dirty
			  WHERE case_ref = NEW.case_ref);
END;
CREATE TRIGGER report_dirty_treat_upd AFTER UPDATE OF strategy_ref, rule_no,
	arm_no ON case_treatment
WHEN OLD.strategy_ref IS NOT NEW.strategy_ref
	OR OLD.rule_no IS NOT NEW.rule_no OR OLD.arm_no IS NOT NEW.arm_no
BEGIN
	INSERT INTO report_dirty SELECT NEW.case_ref
	WHERE NOT EXISTS (SELECT 1 FROM report_dirty
			  WHERE case_ref = NEW.case_ref);
END;
CREATE TRIGGER report_dirty_treat_del AFTER DELETE ON case_treatment
BEGIN
	INSERT INTO report_dirty SELECT OLD.case_ref
	WHERE NOT EXISTS (SELECT 1 FROM report_dirty
			  WHERE case_ref = OLD.case_ref);
END;
CREATE TRIGGER report_dirty_debtor AFTER UPDATE OF province, segment
	ON debtors
WHEN OLD.province IS NOT NEW.province OR OLD.segment IS NOT NEW.segment
BEGIN
	INSERT INTO report_dirty SELECT c.ref FROM cases c
	WHERE c.debtor_ref = NEW.ref
	AND NOT EXISTS (SELECT 1 FROM report_dirty WHERE case_ref = c.ref);
END;

-- The dates with a snapshot; month_end 1: it stands for its month's end
-- (the roll was taken then).
CREATE TABLE report_days (
	as_of INTEGER PRIMARY KEY,
	month_end INTEGER NOT NULL DEFAULT 0
);

-- The aging of each processed date by combination and bucket (position
-- in the bucket table); the amounts as of that date (ledger.md §4).
CREATE TABLE report_aging (
	as_of INTEGER NOT NULL,
	dims INTEGER NOT NULL,
	bucket INTEGER NOT NULL,
	accounts INTEGER NOT NULL,
	overdue_principal INTEGER NOT NULL,
	overdue_interest INTEGER NOT NULL,
	overdue_fee INTEGER NOT NULL,
	penalty_due INTEGER NOT NULL,
	total_overdue INTEGER NOT NULL,
	principal_outstanding INTEGER NOT NULL,
	PRIMARY KEY (as_of, dims, bucket)
) WITHOUT ROWID;

-- Payments by the day they were made, by the paying account's combination
-- and its bucket before the day-end that booked them.  Each payment is
-- added once: those up to meta report_payment_ref are counted, except the
-- ones listed in report_deferred (dated after the day-end that saw them).
CREATE TABLE report_recovery (
	paid_on INTEGER NOT NULL,
	dims INTEGER NOT NULL,
	bucket INTEGER NOT NULL,
	payments INTEGER NOT NULL,
	amount INTEGER NOT NULL,
	PRIMARY KEY (paid_on, dims, bucket)
) WITHOUT ROWID;
CREATE TABLE report_deferred (
	payment_ref INTEGER PRIMARY KEY,
	paid_on INTEGER NOT NULL
);

-- Roll rates: at the first day-end after a month's end, each account's
-- bucket and balances at the previous month-end (report_month_state)
-- against its bucket at this one, by its combination.  month_end is the
-- processed date standing for the month's end (docs/reports.md).
CREATE TABLE report_roll (
	month_end INTEGER NOT NULL,
	dims INTEGER NOT NULL,
	from_bucket INTEGER NOT NULL,
	to_bucket INTEGER NOT NULL,
	accounts INTEGER NOT NULL,
	principal_outstanding INTEGER NOT NULL,
	total_overdue INTEGER NOT NULL,
	PRIMARY KEY (month_end, dims, from_bucket, to_bucket)
) WITHOUT ROWID;
CREATE TABLE report_month_state (
	account_ref INTEGER PRIMARY KEY,
	month_end INTEGER NOT NULL,
	bucket INTEGER NOT NULL,
	principal_outstanding INTEGER NOT NULL,
	total_overdue INTEGER NOT NULL
);

-- The desk's work by day (Asia/Shanghai or [general] time_zone), person,
-- channel and outcome: contact records and the promises taken with them
-- (records and promises after meta report_record_ref and
-- report_promise_ref are added by the next day-end).
CREATE TABLE report_activity (
	day INTEGER NOT NULL,
	user_ref INTEGER NOT NULL,
	channel TEXT NOT NULL,
	outcome TEXT NOT NULL,
	records INTEGER NOT NULL,
	PRIMARY KEY (day, user_ref, channel, outcome)
) WITHOUT ROWID;
-- Guardrail refusals by day, person and rule (audit_log guard.refused
-- after meta report_audit_ref).
CREATE TABLE report_refusals (
	day INTEGER NOT NULL,
	user_ref INTEGER NOT NULL,
	rule TEXT NOT NULL,
	refusals INTEGER NOT NULL,
	PRIMARY KEY (day, user_ref, rule)
) WITHOUT ROWID;

-- The champion/challenger comparison: a case's overdue when it entered a
-- rule's arm, and what it paid while it stayed there.
ALTER TABLE treatment_history ADD COLUMN base_overdue INTEGER NOT NULL
	DEFAULT 0;
ALTER TABLE treatment_history ADD COLUMN recovered INTEGER NOT NULL
	DEFAULT 0;
ALTER TABLE treatment_history ADD COLUMN payments INTEGER NOT NULL
	DEFAULT 0;
-- The stays in one rule's arms that began in a period (the recovery
-- report's champion/challenger sheet): without it the scan walks every
-- stay of every rule in the period by treatment_history_since.
CREATE INDEX treatment_history_rule ON treatment_history (strategy_ref,
	rule_no, since, case_ref);
-- Promises by the day they were made (the promises report).
CREATE INDEX promises_made ON promises (made_on);
-- The strategy reads the outcomes a case has had (case_facts_scan); with
-- a year of contact records a case has hundreds, so it reads them from
-- the index alone.
CREATE INDEX contact_records_outcome ON contact_records (case_ref, outcome);
