-- huikuan schema version 23: the strategy and allocation at day-end
-- (issue 4; docs/strategy.md, "At day-end").
--
-- case_treatment: each case's treatment as of the last day-end, with the
-- version, rule and arm that chose it, since when it holds, and the date
-- by which it must be looked at again even if nothing happens to the case
-- (a time-based fact, such as DPD, may cross a rule's bound then).
CREATE TABLE case_treatment (
	case_ref INTEGER PRIMARY KEY REFERENCES cases (ref),
	strategy_ref INTEGER NOT NULL REFERENCES strategies (ref),
	rule_id TEXT NOT NULL,
	arm TEXT,
	queue TEXT NOT NULL,
	channel TEXT NOT NULL,
	template TEXT,
	priority INTEGER NOT NULL,
	follow_up_days INTEGER NOT NULL,
	hour_from INTEGER NOT NULL,
	hour_to INTEGER NOT NULL,
	paydays INTEGER NOT NULL,
	since INTEGER NOT NULL,
	recheck_on INTEGER NOT NULL
);
CREATE INDEX case_treatment_recheck ON case_treatment (recheck_on);
-- Every change of a case's treatment, for the reports (recovery by rule
-- and arm): each row holds from `since` until the case's next row.  A
-- row without a strategy: the case ended (no treatment).  A rerun of a
-- date replaces that date's row.
CREATE TABLE treatment_history (
	case_ref INTEGER NOT NULL REFERENCES cases (ref),
	since INTEGER NOT NULL,
	strategy_ref INTEGER,
	rule_id TEXT,
	arm TEXT,
	queue TEXT,
	channel TEXT,
	PRIMARY KEY (case_ref, since)
) WITHOUT ROWID;
CREATE INDEX treatment_history_since ON treatment_history (since);

-- Cases whose facts changed since the last day-end: marked by triggers
-- (with NOT EXISTS, not INSERT OR IGNORE: an outer statement's conflict
-- clause, such as the importer's upsert, would override the trigger's)
-- wherever a fact is written, emptied by day-end when it has looked at
-- them.  Day-end re-evaluates these and the cases whose recheck date has
-- come; never the whole portfolio unless the strategy in force changed.
CREATE TABLE case_dirty (case_ref INTEGER PRIMARY KEY);

CREATE TRIGGER account_state_dirty_ins AFTER INSERT ON account_state
BEGIN
	INSERT INTO case_dirty SELECT NEW.case_ref
	WHERE NOT EXISTS (SELECT 1 FROM case_dirty WHERE case_ref = NEW.case_ref);
END;
CREATE TRIGGER account_state_dirty_upd AFTER UPDATE ON account_state
BEGIN
	INSERT INTO case_dirty SELECT NEW.case_ref
	WHERE NOT EXISTS (SELECT 1 FROM case_dirty WHERE case_ref = NEW.case_ref);
END;
CREATE TRIGGER cases_dirty_ins AFTER INSERT ON cases
BEGIN
	INSERT INTO case_dirty SELECT NEW.ref
	WHERE NOT EXISTS (SELECT 1 FROM case_dirty WHERE case_ref = NEW.ref);
END;
CREATE TRIGGER cases_dirty_upd AFTER UPDATE OF status, promise_status,
	lost_contact, products, creditor, debtor_ref, collector_ref, team_ref,
	agency_ref ON cases
WHEN OLD.status IS NOT NEW.status
	OR OLD.promise_status IS NOT NEW.promise_status
	OR OLD.lost_contact IS NOT NEW.lost_contact
	OR OLD.products IS NOT NEW.products
	OR OLD.creditor IS NOT NEW.creditor
	OR OLD.debtor_ref IS NOT NEW.debtor_ref
	OR OLD.collector_ref IS NOT NEW.collector_ref
	OR OLD.team_ref IS NOT NEW.team_ref
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

-- The treatment's priority orders the overdue cases of every queue
-- (GET /api/queue), so it is copied into case_overdue with an index per
-- scope, like the date.
ALTER TABLE case_overdue ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
CREATE INDEX case_overdue_prio_all ON case_overdue (priority DESC, overdue_since);
CREATE INDEX case_overdue_prio_collector
	ON case_overdue (collector_ref, priority DESC, overdue_since);
CREATE INDEX case_overdue_prio_team
	ON case_overdue (team_ref, priority DESC, overdue_since);
CREATE INDEX case_overdue_prio_agency
	ON case_overdue (agency_ref, priority DESC, overdue_since)
	WHERE agency_ref IS NOT NULL;
CREATE TRIGGER case_overdue_prio_new AFTER INSERT ON case_overdue
BEGIN
	UPDATE case_overdue SET priority = COALESCE((SELECT priority
		FROM case_treatment WHERE case_ref = NEW.case_ref), 0)
	WHERE case_ref = NEW.case_ref;
END;
CREATE TRIGGER case_treatment_prio_ins AFTER INSERT ON case_treatment
BEGIN
	UPDATE case_overdue SET priority = NEW.priority
	WHERE case_ref = NEW.case_ref;
END;
CREATE TRIGGER case_treatment_prio_upd AFTER UPDATE OF priority ON case_treatment
WHEN OLD.priority IS NOT NEW.priority
BEGIN
	UPDATE case_overdue SET priority = NEW.priority
	WHERE case_ref = NEW.case_ref;
END;
CREATE TRIGGER case_treatment_prio_del AFTER DELETE ON case_treatment
BEGIN
	UPDATE case_overdue SET priority = 0 WHERE case_ref = OLD.case_ref;
END;

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
