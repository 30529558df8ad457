-- huikuan schema version 22: pending promises by due date, for the queue's
-- "promises due" (GET /api/queue): the cases come from this index, not
-- from walking a scope's cases.
CREATE INDEX promises_due ON promises (due_on) WHERE status = 0;
