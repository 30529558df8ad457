-- huikuan schema version 23: the strategy and allocation at day-end
-- (issue 4; docs/strategy.md, "At day-end").
--
-- case_treatment: each case's treatment as of the last day-end: the
-- version, rule and arm that chose it (rule_no indexes the version's
-- rules, arm_no its arms, -1 none; published versions never change, so
-- the treatment itself is read from the version), since when it holds, and
-- the date by which it must be looked at again even if nothing happens to
-- the case (a time-based fact, such as DPD, may cross a rule's bound).
CREATE TABLE case_treatment (
	case_ref INTEGER PRIMARY KEY REFERENCES cases (ref),
	strategy_ref INTEGER NOT NULL REFERENCES strategies (ref),
	rule_no INTEGER NOT NULL,
	arm_no INTEGER NOT NULL,
	priority INTEGER NOT NULL, -- the version's, kept: it orders queues
	since INTEGER NOT NULL,
	recheck_on INTEGER NOT NULL
);
CREATE INDEX case_treatment_recheck ON case_treatment (recheck_on);
-- Every change of a case's treatment, for the reports (recovery by rule
-- and arm): each row holds from `since` until the case's next row.  A
-- row without a strategy: the case ended (no treatment).  Appended in
-- date order (the index grows at its end); a rerun of a date replaces
-- that date's rows.
CREATE TABLE treatment_history (
	since INTEGER NOT NULL,
	case_ref INTEGER NOT NULL REFERENCES cases (ref),
	strategy_ref INTEGER,
	rule_no INTEGER,
	arm_no INTEGER
);
CREATE INDEX treatment_history_since ON treatment_history (since, case_ref);

-- Cases whose facts changed since the last day-end: marked by triggers
-- (with NOT EXISTS, not INSERT OR IGNORE: an outer statement's conflict
-- clause, such as the importer's upsert, would override the trigger's)
-- wherever a fact is written, emptied by day-end when it has looked at
-- them.  Day-end re-evaluates these and the cases whose recheck date has
-- come; never the whole portfolio unless the strategy in force changed.
CREATE TABLE case_dirty (case_ref INTEGER PRIMARY KEY);

-- (Day-end marks the cases whose accounts' states it writes itself, in
-- one sorted batch: a trigger on account_state cost it a third of a
-- second a night at a million accounts.)
CREATE TRIGGER cases_dirty_ins AFTER INSERT ON cases
BEGIN
	INSERT INTO case_dirty SELECT NEW.ref
	WHERE NOT EXISTS (SELECT 1 FROM case_dirty WHERE case_ref = NEW.ref);
END;
-- (Not on a change of collector or team: day-end's own moves would mark
-- thousands of cases a night for nothing, and a person's move changes no
-- fact a rule tests; allocation looks at the case again at its recheck
-- date.)
CREATE TRIGGER cases_dirty_upd AFTER UPDATE OF status, promise_status,
	lost_contact, products, creditor, debtor_ref, agency_ref ON cases
WHEN OLD.status IS NOT NEW.status
	OR OLD.promise_status IS NOT NEW.promise_status
	OR OLD.lost_contact IS NOT NEW.lost_contact
	OR OLD.products IS NOT NEW.products
	OR OLD.creditor IS NOT NEW.creditor
	OR OLD.debtor_ref IS NOT NEW.debtor_ref
	OR OLD.agency_ref IS NOT NEW.agency_ref
BEGIN
	INSERT INTO case_dirty SELECT NEW.ref
	WHERE NOT EXISTS (SELECT 1 FROM case_dirty WHERE case_ref = NEW.ref);
END;
CREATE TRIGGER debtors_dirty AFTER UPDATE OF kind, id_number, segment,
	province ON debtors
WHEN OLD.kind IS NOT NEW.kind OR OLD.id_number IS NOT NEW.id_number
	OR OLD.segment IS NOT NEW.segment OR OLD.province IS NOT NEW.province
BEGIN
	INSERT INTO case_dirty SELECT ref FROM cases c WHERE debtor_ref = NEW.ref
	AND NOT EXISTS (SELECT 1 FROM case_dirty WHERE case_ref = c.ref);
END;
CREATE TRIGGER contact_records_dirty AFTER INSERT ON contact_records
BEGIN
	INSERT INTO case_dirty SELECT NEW.case_ref
	WHERE NOT EXISTS (SELECT 1 FROM case_dirty WHERE case_ref = NEW.case_ref);
END;
CREATE TRIGGER promises_dirty AFTER INSERT ON promises
BEGIN
	INSERT INTO case_dirty SELECT NEW.case_ref
	WHERE NOT EXISTS (SELECT 1 FROM case_dirty WHERE case_ref = NEW.case_ref);
END;
CREATE TRIGGER disputes_dirty_ins AFTER INSERT ON disputes
BEGIN
	INSERT INTO case_dirty SELECT NEW.case_ref
	WHERE NOT EXISTS (SELECT 1 FROM case_dirty WHERE case_ref = NEW.case_ref);
END;
CREATE TRIGGER disputes_dirty_upd AFTER UPDATE OF status ON disputes
BEGIN
	INSERT INTO case_dirty SELECT NEW.case_ref
	WHERE NOT EXISTS (SELECT 1 FROM case_dirty WHERE case_ref = NEW.case_ref);
END;
CREATE TRIGGER plans_dirty_ins AFTER INSERT ON plans
BEGIN
	INSERT INTO case_dirty SELECT NEW.case_ref
	WHERE NOT EXISTS (SELECT 1 FROM case_dirty WHERE case_ref = NEW.case_ref);
END;
CREATE TRIGGER plans_dirty_upd AFTER UPDATE OF status ON plans
BEGIN
	INSERT INTO case_dirty SELECT NEW.case_ref
	WHERE NOT EXISTS (SELECT 1 FROM case_dirty WHERE case_ref = NEW.case_ref);
END;

-- Allocation balances collectors' loads: the index by collector carries
-- the amounts, so each collector's overdue cases and total are one pass
-- over it (and a collector's case list reads its amounts there too).  The
-- case comes before the amounts, so the index still gives the list's
-- order (date, then case) without a sort.
DROP INDEX case_overdue_collector;
CREATE INDEX case_overdue_collector
	ON case_overdue (collector_ref, overdue_since, case_ref, due_base,
			 due_daily);

-- Allocation.  assigned_on: when the case came to its collector (the
-- rotation clock); held_for: the absent collector whose case a teammate
-- holds, so it goes back when they return.  capacity: the cases a
-- collector can carry (0: an equal share); absences are inclusive dates.
ALTER TABLE cases ADD COLUMN assigned_on INTEGER;
ALTER TABLE cases ADD COLUMN held_for INTEGER REFERENCES users (ref);
-- Cases assigned before this version: their rotation clock starts now.
UPDATE cases SET assigned_on = CAST(julianday('now') - 2440587.5 AS INTEGER)
WHERE collector_ref IS NOT NULL;
CREATE INDEX cases_held_for ON cases (held_for) WHERE held_for IS NOT NULL;
ALTER TABLE users ADD COLUMN capacity INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN absent_from INTEGER;
ALTER TABLE users ADD COLUMN absent_until INTEGER;
CREATE TRIGGER users_dirty AFTER UPDATE OF active, team_ref, capacity,
	absent_from, absent_until ON users
WHEN OLD.active IS NOT NEW.active OR OLD.team_ref IS NOT NEW.team_ref
	OR OLD.capacity IS NOT NEW.capacity
	OR OLD.absent_from IS NOT NEW.absent_from
	OR OLD.absent_until IS NOT NEW.absent_until
BEGIN
	INSERT INTO case_dirty SELECT ref FROM cases c
	WHERE (collector_ref = NEW.ref OR held_for = NEW.ref)
	AND NOT EXISTS (SELECT 1 FROM case_dirty WHERE case_ref = c.ref);
END;
-- Who held a case when, and why: manual (with the person's reason),
-- rule (the strategy's allocation), rotation, absence, return.
CREATE TABLE case_assignments (
	ref INTEGER PRIMARY KEY,
	case_ref INTEGER NOT NULL REFERENCES cases (ref),
	on_date INTEGER NOT NULL,
	at INTEGER NOT NULL,
	from_collector INTEGER REFERENCES users (ref),
	collector_ref INTEGER REFERENCES users (ref),
	team_ref INTEGER REFERENCES teams (ref),
	kind TEXT NOT NULL CHECK (kind IN ('manual', 'rule', 'rotation',
		'absence', 'return')),
	by_user INTEGER REFERENCES users (ref),
	reason TEXT
);
CREATE INDEX case_assignments_case ON case_assignments (case_ref, ref);
