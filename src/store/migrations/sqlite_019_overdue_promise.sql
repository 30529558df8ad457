-- huikuan schema version 19: the latest promise's status copied into
-- case_overdue too, with an index by status and date, so "broken promises,
-- most overdue first" (the follow-up queue of every team) reads one index
-- range instead of walking all overdue cases for the few with a broken
-- promise.  Triggers keep the copy (cases.promise_status itself is kept by
-- the promise triggers of migration 11).
ALTER TABLE case_overdue ADD COLUMN promise_status INTEGER;
UPDATE case_overdue SET promise_status = (
	SELECT promise_status FROM cases WHERE ref = case_overdue.case_ref);
CREATE INDEX case_overdue_promise ON case_overdue (promise_status, overdue_since)
	WHERE promise_status IS NOT NULL;
CREATE TRIGGER cases_promise_copy AFTER UPDATE OF promise_status ON cases
BEGIN
	UPDATE case_overdue SET promise_status = NEW.promise_status
	WHERE case_ref = NEW.ref;
END;
