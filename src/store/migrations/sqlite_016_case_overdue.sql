-- huikuan schema version 16: the overdue cases in a narrow table of their
-- own, with the scope columns copied in, instead of overdue_since on every
-- case.  Measured on the one-day step at 1,000,000 accounts: moving
-- cases.overdue_since for ~7,000 cases dirtied ~7,000 pages of the wide
-- cases table and most pages of three indexes over all 1,000,000 cases
-- (a case falling overdue left the big "not overdue" block of each), about
-- 0.3 s.  Here only overdue cases (~30%) are indexed; a case falling
-- overdue is inserted near the end of its scope's range (a recent date),
-- and the rows are a few integers.
--
--   case_overdue.overdue_since   the oldest overdue due date over the
--      case's accounts (see migration 11); a case with nothing overdue has
--      no row.  DPD at D = D - overdue_since.
--   collector_ref, team_ref, agency_ref   copies of the case's, kept by the
--      trigger below, so a scope's overdue cases are one index range.
CREATE TABLE case_overdue (
	case_ref INTEGER PRIMARY KEY REFERENCES cases (ref),
	overdue_since INTEGER NOT NULL,
	collector_ref INTEGER,
	team_ref INTEGER,
	agency_ref INTEGER
);
INSERT INTO case_overdue
SELECT ref, overdue_since, collector_ref, team_ref, agency_ref
FROM cases WHERE overdue_since < 2147483647;
CREATE INDEX case_overdue_all ON case_overdue (overdue_since);
CREATE INDEX case_overdue_collector ON case_overdue (collector_ref, overdue_since);
CREATE INDEX case_overdue_team ON case_overdue (team_ref, overdue_since);
CREATE INDEX case_overdue_agency ON case_overdue (agency_ref, overdue_since)
	WHERE agency_ref IS NOT NULL;

DROP INDEX cases_due;
DROP INDEX cases_collector;
DROP INDEX cases_team;
DROP INDEX cases_agency;
DROP INDEX cases_promise;
ALTER TABLE cases DROP COLUMN overdue_since;
CREATE INDEX cases_collector ON cases (collector_ref);
CREATE INDEX cases_team ON cases (team_ref);
CREATE INDEX cases_agency ON cases (agency_ref) WHERE agency_ref IS NOT NULL;
CREATE INDEX cases_promise ON cases (promise_status)
	WHERE promise_status IS NOT NULL;

CREATE TRIGGER cases_scope AFTER UPDATE OF collector_ref, team_ref, agency_ref
ON cases
BEGIN
	UPDATE case_overdue SET collector_ref = NEW.collector_ref,
		team_ref = NEW.team_ref, agency_ref = NEW.agency_ref
	WHERE case_ref = NEW.ref;
END;
