-- huikuan schema version 13: the follow-up queue (GET /api/cases?
-- follow_up=due&sort=follow_up) indexed for a team leader's and a
-- manager's scope too, as migration 11 did for a collector's.  Only
-- contact records move next_follow_up, so day-end never touches these.
CREATE INDEX cases_team_follow_up ON cases (team_ref, next_follow_up);
CREATE INDEX cases_all_follow_up ON cases (next_follow_up);
