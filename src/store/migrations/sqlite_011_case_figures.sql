-- huikuan schema version 11: a case's figures kept up to date, so the case
-- list filters and sorts through indexes instead of adding up every
-- account's state at query time.
--
-- Day-end moves them with every account state it saves (store_sqlite.c,
-- sq_state_save), in the same transaction.
--   cases.overdue_since   the oldest overdue due date over the case's
--                      accounts (an account's first unpaid due date when
--                      it is before its state's win_start); 2147483647
--                      when nothing is overdue.  Constant while the states
--                      are valid (a due date passing unpaid ends a state's
--                      window), so an account paying on time never moves
--                      it, nor the indexes on it.
--                      DPD at D = max(0, D - overdue_since).
--   case_figures       the sums, linear in the date while each account's
--                      state is valid: total overdue at D = due_base +
--                      due_daily * D, where due_base adds up (overdue +
--                      penalty - daily penalty * win_start) and due_daily
--                      the daily penalty; and principal outstanding.  A
--                      narrow table of its own: the ~30,000 cases whose
--                      accounts change on a day touch few pages.
--   account_state.case_ref   copied in, so saving a state finds its case
--                      without reading the account.
-- Triggers keep the workflow figures:
--   cases.next_follow_up   the latest contact record's next follow-up
--                      date; 2147483647 when it set none
--   cases.promise_status   the latest promise's status (enum
--                      hk_promise_status), NULL when the case has none
ALTER TABLE cases ADD COLUMN overdue_since INTEGER NOT NULL DEFAULT 2147483647;
ALTER TABLE cases ADD COLUMN next_follow_up INTEGER NOT NULL DEFAULT 2147483647;
ALTER TABLE cases ADD COLUMN promise_status INTEGER;
ALTER TABLE account_state ADD COLUMN case_ref INTEGER;
CREATE TABLE case_figures (
	case_ref INTEGER PRIMARY KEY REFERENCES cases (ref),
	due_base INTEGER NOT NULL,
	due_daily INTEGER NOT NULL,
	principal_outstanding INTEGER NOT NULL
);

UPDATE account_state SET case_ref = (
	SELECT case_ref FROM accounts WHERE ref = account_state.account_ref);
UPDATE cases SET overdue_since = COALESCE((
	SELECT min(s.first_unpaid_due) FROM account_state s
	WHERE s.case_ref = cases.ref AND s.first_unpaid_due > -2147483648
	AND s.first_unpaid_due < s.win_start), 2147483647);
INSERT INTO case_figures
SELECT case_ref, sum(overdue_principal + overdue_interest + overdue_fee +
		     penalty_due - daily_penalty * win_start),
       sum(daily_penalty), sum(principal_outstanding)
FROM account_state GROUP BY case_ref;
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
CREATE INDEX cases_due ON cases (overdue_since);
CREATE INDEX cases_collector ON cases (collector_ref, overdue_since);
CREATE INDEX cases_team ON cases (team_ref, overdue_since);
CREATE INDEX cases_agency ON cases (agency_ref, overdue_since)
	WHERE agency_ref IS NOT NULL;
CREATE INDEX cases_follow_up ON cases (collector_ref, next_follow_up);
CREATE INDEX cases_promise ON cases (promise_status, overdue_since)
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
