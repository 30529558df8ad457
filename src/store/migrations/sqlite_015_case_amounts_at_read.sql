-- huikuan schema version 15: a case's amounts are added up when the case
-- list reads them, from account_state through an index on its case_ref,
-- instead of being kept in case_figures by day-end.  Keeping them cost the
-- one-day step about 0.3 s at 1,000,000 accounts (every changed case's
-- figures page rewritten); reading them costs the list a few index probes
-- per line shown.  overdue_since stays on the case: filters and sorts by
-- DPD need it in the indexes, and it seldom moves.
--
-- The follow-up indexes become partial: only cases with a follow-up set
-- are in them, so creating a case (2147483647: none) touches none of them.
DROP TABLE case_figures;
CREATE INDEX account_state_case ON account_state (case_ref);
DROP INDEX cases_follow_up;
DROP INDEX cases_team_follow_up;
DROP INDEX cases_all_follow_up;
CREATE INDEX cases_follow_up ON cases (collector_ref, next_follow_up)
	WHERE next_follow_up < 2147483647;
CREATE INDEX cases_team_follow_up ON cases (team_ref, next_follow_up)
	WHERE next_follow_up < 2147483647;
CREATE INDEX cases_all_follow_up ON cases (next_follow_up)
	WHERE next_follow_up < 2147483647;
