-- huikuan schema version 18: a case's total overdue kept with its overdue
-- date in case_overdue.  Only an overdue case owes anything overdue, so
-- the sums live there alone: total overdue at D = due_base + due_daily * D
-- (migration 11 says why it is linear), and a current case owes 0.  Adding
-- them up from account_state for every line shown cost the case list a
-- third of its speed; keeping them here costs day-end one narrow update
-- per overdue account that changed (an account paying on time never
-- touches the table).  The principal outstanding is in the case detail,
-- no longer in the list.
ALTER TABLE case_overdue ADD COLUMN due_base INTEGER NOT NULL DEFAULT 0;
ALTER TABLE case_overdue ADD COLUMN due_daily INTEGER NOT NULL DEFAULT 0;
UPDATE case_overdue SET (due_base, due_daily) = (
	SELECT COALESCE(sum(s.overdue_principal + s.overdue_interest +
			    s.overdue_fee + s.penalty_due -
			    s.daily_penalty * s.win_start), 0),
	       COALESCE(sum(s.daily_penalty), 0)
	FROM account_state s WHERE s.case_ref = case_overdue.case_ref);
