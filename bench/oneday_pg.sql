-- oneday_pg.sql - the one-day step of day-end (ledger.md §3) written as
-- plain set-based SQL inside PostgreSQL 15: bench/oneday_sql.sql (the
-- SQLite yardstick) ported statement for statement, the yardstick for
-- `huikuan --db postgresql://… eod`.
--
-- It runs on a copy of the benchmark database taken after the first
-- day-end (D0 = 2026-11-23, every account replayed) with the next day's
-- payments imported, and computes the state as of D1 = D0 + 1:
--
--   on day D1: book the payments dated D1 by the waterfall, then accrue
--   D1's penalty, then DPD, bucket and the per-bucket totals.
--
-- bench/pg.sh splits this file at the `-- @@` marker lines and feeds each
-- part to psql in its own session, with `-v d0=N -v d1=N` (day numbers
-- since 1970-01-01, as in the schema) and ON_ERROR_STOP:
--
--   SETUP  (untimed) materialises every installment's state as of the end of
--          D0 in a work table, and gives SQL the indexes it would want.
--   TIMED  the day itself, in one transaction, like `eod`.
--   CHECK  (untimed) prints the per-bucket totals for pg.sh to compare with
--          the engine's day_totals, and sums of the case figures.
--
-- The translation, and nothing else (same tables, rows, indexes, order of
-- statements):
--   INTEGER → BIGINT; `WITHOUT ROWID` goes; scalar min/max → LEAST/GREATEST;
--   `IS NOT` on rows → IS DISTINCT FROM; a boolean summed → CAST AS INTEGER;
--   subqueries in FROM get the alias PostgreSQL 15 requires; BEGIN
--   IMMEDIATE → BEGIN.  SQLite's integers are 64-bit and so are the
--   columns here, but PostgreSQL's sum() over BIGINT is NUMERIC: the sums
--   that are stored or computed with further are cast back to BIGINT (the
--   values are whole fen, far from overflowing), as SQLite keeps them.
--   SQLite's per-connection PRAGMAs become their PostgreSQL counterparts:
--   cache_size = 64 MiB → work_mem = 64MB (sorts and hashes in memory);
--   temp_store = MEMORY → temp_buffers = 64MB (set before the first
--   temporary table); synchronous = NORMAL → synchronous_commit = off (the
--   benchmark cluster runs with it off anyway, huikuan's transactions too).
--   Integer division truncates in both.
--
-- The policy is the default one (24% cap, 360-day basis, simple penalty,
-- default bucket table), as in the benchmark's configuration.  Waivers are
-- not part of the benchmark data; promise evaluation and the collection
-- strategy are not part of this step.

-- @@ SETUP
SET synchronous_commit = off;
SET work_mem = '64MB';

DROP TABLE IF EXISTS w_buckets;
DROP TABLE IF EXISTS w_comp;
DROP TABLE IF EXISTS w_acct;
DROP TABLE IF EXISTS w_inst;
DROP TABLE IF EXISTS w_transitions;
DROP TABLE IF EXISTS w_totals;
DROP TABLE IF EXISTS w_case;

-- The default bucket table: DPD 0 → M0, 1–30 → M1, …, above 180 → M7+.
CREATE TABLE w_buckets (
	pos BIGINT PRIMARY KEY,
	name TEXT NOT NULL,
	min_dpd BIGINT NOT NULL,
	max_dpd BIGINT NOT NULL
);
INSERT INTO w_buckets VALUES
	(0, 'M0', 0, 0), (1, 'M1', 1, 30), (2, 'M2', 31, 60),
	(3, 'M3', 61, 90), (4, 'M4', 91, 120), (5, 'M5', 121, 150),
	(6, 'M6', 151, 180), (7, 'M7+', 181, 2147483647);

-- Components in waterfall order within one installment.
CREATE TABLE w_comp (comp BIGINT PRIMARY KEY, name TEXT NOT NULL);
INSERT INTO w_comp VALUES (0, 'penalty'), (1, 'fee'), (2, 'interest'),
	(3, 'principal');

-- Per account: the capped penalty rate, the bucket as of D0 and the credit
-- balance.  The bucket on a processed date is the to_bucket of the
-- account's latest transition on or before it, M0 without one
-- (src/batch/README.md).
CREATE TABLE w_acct (
	account_ref BIGINT PRIMARY KEY,
	eff_ppm BIGINT NOT NULL,
	bucket TEXT NOT NULL,
	credit_balance BIGINT NOT NULL
);
INSERT INTO w_acct
SELECT a.ref,
       LEAST(a.penalty_ppm, GREATEST(0, 240000 - a.annual_ppm)),
       coalesce(t.to_bucket, 'M0'),
       coalesce(s.credit_balance, 0)
FROM accounts a
LEFT JOIN account_state s ON s.account_ref = a.ref
LEFT JOIN (
	SELECT account_ref, to_bucket
	FROM (
		SELECT account_ref, to_bucket,
		       row_number() OVER (PARTITION BY account_ref
					  ORDER BY as_of DESC) AS latest
		FROM bucket_transitions
		WHERE as_of <= :d0
	) AS r
	WHERE latest = 1
) AS t ON t.account_ref = a.ref
ORDER BY a.ref;

-- Every open installment's unpaid amounts as of the end of D0.  The engine
-- keeps them as of account_state.anchor; from there to D0 nothing happened
-- to the account (no fact after the anchor was booked), so each installment
-- only accrued its constant daily penalty on each day d with
-- max(anchor, due_date) < d <= D0.  Installments with nothing unpaid are
-- left out: they take no payment, accrue no penalty (no principal), do not
-- count for DPD and add zero to every total.
CREATE TABLE w_inst (
	account_ref BIGINT NOT NULL,
	seq BIGINT NOT NULL,
	due_date BIGINT NOT NULL,
	principal BIGINT NOT NULL,
	interest BIGINT NOT NULL,
	fee BIGINT NOT NULL,
	penalty BIGINT NOT NULL,
	eff_ppm BIGINT NOT NULL,
	PRIMARY KEY (account_ref, seq)
);
INSERT INTO w_inst
SELECT i.account_ref, i.seq, i.due_date, i.principal, i.interest, i.fee,
       i.penalty + CASE
	       WHEN :d0 > GREATEST(s.anchor, i.due_date)
	       THEN ((i.principal * w.eff_ppm + 180000000) / 360000000)
		    * (:d0 - GREATEST(s.anchor, i.due_date))
	       ELSE 0 END,
       w.eff_ppm
FROM installments i
JOIN account_state s ON s.account_ref = i.account_ref
JOIN w_acct w ON w.account_ref = i.account_ref
WHERE i.principal + i.interest + i.fee + i.penalty > 0
ORDER BY i.account_ref, i.seq;

-- What a good SQL design would index: payments by date, and the
-- installments that can still accrue penalty (unpaid principal) by due date.
CREATE INDEX IF NOT EXISTS w_payments_date ON payments (paid_on);
CREATE INDEX w_inst_accruing ON w_inst (due_date) WHERE principal > 0;

CREATE TABLE w_transitions (
	account_ref BIGINT NOT NULL,
	as_of BIGINT NOT NULL,
	from_bucket TEXT NOT NULL,
	to_bucket TEXT NOT NULL,
	PRIMARY KEY (account_ref, as_of)
);
CREATE TABLE w_totals (
	as_of BIGINT NOT NULL,
	bucket TEXT NOT NULL,
	position BIGINT NOT NULL,
	accounts BIGINT NOT NULL,
	overdue_principal BIGINT NOT NULL,
	overdue_interest BIGINT NOT NULL,
	overdue_fee BIGINT NOT NULL,
	penalty_due BIGINT NOT NULL,
	total_overdue BIGINT NOT NULL,
	principal_outstanding BIGINT NOT NULL,
	PRIMARY KEY (as_of, bucket)
);
ANALYZE;

-- The case list's figures (huikuan keeps the same in case_overdue): per
-- case the oldest overdue due date over its accounts as of D0 (2147483647
-- when none) and its total overdue, with the index a list by DPD wants.
CREATE TABLE w_case (
	case_ref BIGINT PRIMARY KEY,
	overdue_since BIGINT NOT NULL,
	total_overdue BIGINT NOT NULL
);
INSERT INTO w_case
SELECT a.case_ref,
       coalesce(min((SELECT min(due_date) FROM w_inst i
		     WHERE i.account_ref = a.ref AND i.due_date < :d0
		     AND i.principal + i.interest + i.fee + i.penalty > 0)),
		2147483647),
       coalesce(sum((SELECT sum(CASE WHEN due_date < :d0
				    THEN principal + interest + fee ELSE 0 END)
				 + sum(penalty)
		     FROM w_inst i WHERE i.account_ref = a.ref)), 0)
FROM accounts a GROUP BY a.case_ref;
CREATE INDEX w_case_overdue ON w_case (overdue_since);

-- @@ TIMED
SET synchronous_commit = off;
SET temp_buffers = '64MB';
SET work_mem = '64MB';
BEGIN;

-- (a) Allocate the payments dated D1.  Several payments of one account on
-- one day allocate like their sum (ledger.md §3).
CREATE TEMP TABLE t_pay AS
SELECT account_ref, CAST(sum(amount) AS BIGINT) AS paid
FROM payments
WHERE paid_on = :d1
GROUP BY account_ref;

-- One row per (installment, component) of the paying accounts, in
-- waterfall order: installments due on or before D1 oldest first with
-- penalty, fee, interest, principal; then the ones not yet due, oldest
-- first, with fee, interest, principal.  Due dates increase with seq, so
-- (due_date, seq, comp) is that order.  Each row takes
-- max(0, min(unpaid, paid - what the rows before it took)); rows with
-- nothing unpaid, and rows the money does not reach, take nothing and are
-- left out.
CREATE TEMP TABLE t_alloc AS
SELECT account_ref, seq, comp,
       LEAST(unpaid, paid - (running - unpaid)) AS alloc
FROM (
	SELECT account_ref, seq, comp, paid, unpaid,
	       CAST(sum(unpaid) OVER (PARTITION BY account_ref
				      ORDER BY due_date, seq, comp
				      ROWS UNBOUNDED PRECEDING) AS BIGINT)
		       AS running
	FROM (
		SELECT i.account_ref, i.seq, i.due_date, c.comp, p.paid,
		       CASE c.comp WHEN 0 THEN i.penalty WHEN 1 THEN i.fee
				   WHEN 2 THEN i.interest ELSE i.principal
		       END AS unpaid
		FROM t_pay p
		JOIN w_inst i ON i.account_ref = p.account_ref
		JOIN w_comp c ON c.comp > 0 OR i.due_date <= :d1
	) AS u
	WHERE unpaid > 0
) AS r
WHERE running - unpaid < paid;

UPDATE w_inst
SET penalty = penalty - a.a_penalty,
    fee = fee - a.a_fee,
    interest = interest - a.a_interest,
    principal = principal - a.a_principal
FROM (
	SELECT account_ref, seq,
	       CAST(sum(CASE comp WHEN 0 THEN alloc ELSE 0 END) AS BIGINT) AS a_penalty,
	       CAST(sum(CASE comp WHEN 1 THEN alloc ELSE 0 END) AS BIGINT) AS a_fee,
	       CAST(sum(CASE comp WHEN 2 THEN alloc ELSE 0 END) AS BIGINT) AS a_interest,
	       CAST(sum(CASE comp WHEN 3 THEN alloc ELSE 0 END) AS BIGINT) AS a_principal
	FROM t_alloc
	GROUP BY account_ref, seq
) AS a
WHERE w_inst.account_ref = a.account_ref AND w_inst.seq = a.seq;

-- What is left of a day's payments becomes the account's credit balance.
UPDATE w_acct
SET credit_balance = credit_balance + x.left_over
FROM (
	SELECT p.account_ref, p.paid - coalesce(a.taken, 0) AS left_over
	FROM t_pay p
	LEFT JOIN (
		SELECT account_ref, CAST(sum(alloc) AS BIGINT) AS taken
		FROM t_alloc
		GROUP BY account_ref
	) AS a ON a.account_ref = p.account_ref
) AS x
WHERE w_acct.account_ref = x.account_ref AND x.left_over > 0;

-- (b) D1's penalty on every installment due before D1, on its unpaid
-- principal after the day's payments: floor((base × eff + 180000000) /
-- 360000000).  Rows whose daily penalty rounds to zero are not written.
UPDATE w_inst
SET penalty = penalty + (principal * eff_ppm + 180000000) / 360000000
WHERE due_date < :d1 AND principal > 0
  AND principal * eff_ppm >= 180000000;

-- (c) DPD and bucket of every account, with its figures for the totals.
-- DPD = D1 - the oldest due date before D1 with anything unpaid.
CREATE TEMP TABLE t_acct AS
SELECT w.account_ref, w.bucket AS old_bucket, b.name AS bucket, b.pos,
       coalesce(x.dpd, 0) AS dpd,
       coalesce(x.overdue_principal, 0) AS overdue_principal,
       coalesce(x.overdue_interest, 0) AS overdue_interest,
       coalesce(x.overdue_fee, 0) AS overdue_fee,
       coalesce(x.penalty_due, 0) AS penalty_due,
       coalesce(x.principal_outstanding, 0) AS principal_outstanding
FROM w_acct w
LEFT JOIN (
	SELECT account_ref,
	       coalesce(:d1 - min(CASE WHEN due_date < :d1
				       AND principal + interest + fee + penalty > 0
				       THEN due_date END), 0) AS dpd,
	       CAST(sum(CASE WHEN due_date < :d1 THEN principal ELSE 0 END)
		    AS BIGINT) AS overdue_principal,
	       CAST(sum(CASE WHEN due_date < :d1 THEN interest ELSE 0 END)
		    AS BIGINT) AS overdue_interest,
	       CAST(sum(CASE WHEN due_date < :d1 THEN fee ELSE 0 END)
		    AS BIGINT) AS overdue_fee,
	       CAST(sum(penalty) AS BIGINT) AS penalty_due,
	       CAST(sum(principal) AS BIGINT) AS principal_outstanding
	FROM w_inst
	GROUP BY account_ref
) AS x ON x.account_ref = w.account_ref
JOIN w_buckets b ON coalesce(x.dpd, 0) BETWEEN b.min_dpd AND b.max_dpd;

-- Record the accounts whose bucket changed, and store the new bucket.
INSERT INTO w_transitions (account_ref, as_of, from_bucket, to_bucket)
SELECT account_ref, :d1, old_bucket, bucket
FROM t_acct
WHERE bucket <> old_bucket;

UPDATE w_acct
SET bucket = t.to_bucket
FROM w_transitions t
WHERE t.as_of = :d1 AND w_acct.account_ref = t.account_ref;

-- (d) The day's totals per bucket (every bucket, empty ones too).
INSERT INTO w_totals
SELECT :d1, b.name, b.pos, coalesce(t.accounts, 0),
       coalesce(t.overdue_principal, 0), coalesce(t.overdue_interest, 0),
       coalesce(t.overdue_fee, 0), coalesce(t.penalty_due, 0),
       coalesce(t.overdue_principal + t.overdue_interest + t.overdue_fee
		+ t.penalty_due, 0),
       coalesce(t.principal_outstanding, 0)
FROM w_buckets b
LEFT JOIN (
	SELECT pos, count(*) AS accounts,
	       CAST(sum(overdue_principal) AS BIGINT) AS overdue_principal,
	       CAST(sum(overdue_interest) AS BIGINT) AS overdue_interest,
	       CAST(sum(overdue_fee) AS BIGINT) AS overdue_fee,
	       CAST(sum(penalty_due) AS BIGINT) AS penalty_due,
	       CAST(sum(principal_outstanding) AS BIGINT) AS principal_outstanding
	FROM t_acct
	GROUP BY pos
) AS t ON t.pos = b.pos;

-- (e) The case list's figures, rewritten for every case where they
-- moved (a penalty accruing moves every overdue case's total).
UPDATE w_case
SET overdue_since = x.overdue_since, total_overdue = x.total_overdue
FROM (
	SELECT a.case_ref,
	       coalesce(min(CASE WHEN t.dpd > 0 THEN :d1 - t.dpd END),
			2147483647) AS overdue_since,
	       CAST(sum(t.overdue_principal + t.overdue_interest + t.overdue_fee
			+ t.penalty_due) AS BIGINT) AS total_overdue
	FROM t_acct t JOIN accounts a ON a.ref = t.account_ref
	GROUP BY a.case_ref
) AS x
WHERE w_case.case_ref = x.case_ref
  AND (w_case.overdue_since, w_case.total_overdue)
      IS DISTINCT FROM (x.overdue_since, x.total_overdue);

COMMIT;

-- @@ CHECK
-- (pg.sh runs this part with psql -XAt -F '|', the sqlite3 CLI's list mode)
SELECT 'TOTAL', bucket, accounts, total_overdue, overdue_principal,
       overdue_interest, overdue_fee, penalty_due, principal_outstanding
FROM w_totals WHERE as_of = :d1 ORDER BY position;
SELECT 'TRANSITIONS', count(*) FROM w_transitions WHERE as_of = :d1;
SELECT 'CASES', count(*), sum(CAST(overdue_since < 2147483647 AS INTEGER)),
       sum(GREATEST(0, :d1 - overdue_since)), sum(total_overdue) FROM w_case;
