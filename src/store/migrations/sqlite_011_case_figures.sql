-- huikuan schema version 11: a case's figures kept on the case, so the case
-- list filters and sorts through indexes instead of adding up every
-- account's state at query time.
--
-- Day-end keeps the ledger figures (it refreshes the cases of every account
-- whose state it saved, in the same transaction).  They are linear in the
-- date while each account's state is valid, so they are kept as a base and
-- a daily slope: total overdue at D = due_base + due_daily * D.
--   first_unpaid_due   oldest due date with anything unpaid over the
--                      case's accounts; 2147483647 when none (sorts last);
--                      DPD at D = max(0, D - first_unpaid_due)
--   due_base, due_daily   sum of (overdue + penalty - daily * win_start),
--                      sum of daily penalty
--   principal_outstanding   sum over the accounts
-- Triggers keep the workflow figures:
--   next_follow_up     the latest contact record's next follow-up date;
--                      2147483647 when it set none
--   promise_status     the latest promise's status (enum hk_promise_status),
--                      NULL when the case has none
ALTER TABLE cases ADD COLUMN first_unpaid_due INTEGER NOT NULL DEFAULT 2147483647;
ALTER TABLE cases ADD COLUMN due_base INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN due_daily INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN principal_outstanding INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN next_follow_up INTEGER NOT NULL DEFAULT 2147483647;
ALTER TABLE cases ADD COLUMN promise_status INTEGER;

UPDATE cases SET (first_unpaid_due, due_base, due_daily, principal_outstanding) = (
	SELECT COALESCE(min(CASE WHEN s.first_unpaid_due > -2147483648
			    THEN s.first_unpaid_due END), 2147483647),
	       COALESCE(sum(s.overdue_principal + s.overdue_interest +
			    s.overdue_fee + s.penalty_due -
			    s.daily_penalty * s.win_start), 0),
	       COALESCE(sum(s.daily_penalty), 0),
	       COALESCE(sum(s.principal_outstanding), 0)
	FROM accounts a JOIN account_state s ON s.account_ref = a.ref
	WHERE a.case_ref = cases.ref);
UPDATE cases SET next_follow_up = COALESCE((
	SELECT r.next_follow_up FROM contact_records r
	WHERE r.case_ref = cases.ref ORDER BY r.ref DESC LIMIT 1), 2147483647);
UPDATE cases SET promise_status = (
	SELECT p.status FROM promises p WHERE p.case_ref = cases.ref
	ORDER BY p.ref DESC LIMIT 1);

-- The list's default order is most days past due first: one index per
-- scope, so every user's first page is an index range of one page.
DROP INDEX cases_collector;
DROP INDEX cases_team;
CREATE INDEX cases_due ON cases (first_unpaid_due);
CREATE INDEX cases_collector ON cases (collector_ref, first_unpaid_due);
CREATE INDEX cases_team ON cases (team_ref, first_unpaid_due);
CREATE INDEX cases_agency ON cases (agency_ref, first_unpaid_due)
	WHERE agency_ref IS NOT NULL;
CREATE INDEX cases_follow_up ON cases (collector_ref, next_follow_up);
CREATE INDEX cases_promise ON cases (promise_status, first_unpaid_due)
	WHERE promise_status IS NOT NULL;

CREATE TRIGGER contact_records_follow_up AFTER INSERT ON contact_records
BEGIN
	UPDATE cases SET next_follow_up = COALESCE(NEW.next_follow_up, 2147483647)
	WHERE ref = NEW.case_ref;
END;
CREATE TRIGGER promises_new AFTER INSERT ON promises
BEGIN
	UPDATE cases SET promise_status = NEW.status WHERE ref = NEW.case_ref;
END;
CREATE TRIGGER promises_status AFTER UPDATE OF status ON promises
BEGIN
	UPDATE cases SET promise_status = NEW.status
	WHERE ref = NEW.case_ref AND NOT EXISTS (
		SELECT 1 FROM promises p
		WHERE p.case_ref = NEW.case_ref AND p.ref > NEW.ref);
END;
