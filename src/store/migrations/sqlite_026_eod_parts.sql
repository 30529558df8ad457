-- huikuan schema version 26: day-end across worker processes (issue 6).
-- Each worker commits its accounts a chunk at a time; the row for a chunk
-- is written in the same transaction, with what that chunk counted, so a
-- rerun after a crash skips the chunks already done and the closing step
-- adds the counts up.  The closing step deletes the date's rows.
-- `totals`: per bucket, "accounts overdue_principal overdue_interest
-- overdue_fee penalty_due total_overdue principal_outstanding", the
-- buckets separated by ";" (only the closing step reads it back).
CREATE TABLE eod_parts (
	as_of INTEGER NOT NULL,
	lo INTEGER NOT NULL,
	hi INTEGER NOT NULL,
	accounts INTEGER NOT NULL,
	replayed INTEGER NOT NULL,
	advanced INTEGER NOT NULL,
	crossed INTEGER NOT NULL,
	transitions INTEGER NOT NULL,
	totals TEXT NOT NULL,
	PRIMARY KEY (as_of, lo)
);
