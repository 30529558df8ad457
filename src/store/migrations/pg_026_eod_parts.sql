-- huikuan schema version 26 (PostgreSQL twin of sqlite_026): day-end across worker processes (issue 6).
-- Each worker commits its accounts a chunk at a time; the row for a chunk
-- is written in the same transaction, with what that chunk counted, so a
-- rerun after a crash skips the chunks already done and the closing step
-- adds the counts up.  The closing step deletes the date's rows.
-- `totals`: per bucket, "accounts overdue_principal overdue_interest
-- overdue_fee penalty_due total_overdue principal_outstanding", the
-- buckets separated by ";" (only the closing step reads it back).
CREATE TABLE eod_parts (
	as_of BIGINT NOT NULL,
	lo BIGINT NOT NULL,
	hi BIGINT NOT NULL,
	accounts BIGINT NOT NULL,
	replayed BIGINT NOT NULL,
	advanced BIGINT NOT NULL,
	crossed BIGINT NOT NULL,
	transitions BIGINT NOT NULL,
	totals TEXT NOT NULL,
	PRIMARY KEY (as_of, lo)
);
