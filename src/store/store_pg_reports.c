/*
 * store_pg_reports.c - the PostgreSQL backend's operations for the reports'
 * history (store.h, migration 28, docs/reports.md; the SQLite twins are in
 * store_sqlite_reports.c): the dimensions' dictionary and each account's
 * combination, the daily aging, the payments, the month-end rolls, the
 * desk's activity and the stays in a rule's arms.  The same rows, in the
 * same order, with the same watermarks in meta and the same messages.
 * Where SQLite's order comes from its plan (a GROUP BY's sort, a primary
 * key's index) the order is written out here, text in byte order.
 *
 * Writes.  The large ones go by COPY: the aging and the month-end state
 * straight into their tables; the adds, which sum into existing cells,
 * into a temporary staging table (this connection's, emptied before each
 * use) that one INSERT ... ON CONFLICT DO UPDATE (or UPDATE ... FROM)
 * merges, its rows first summed per key (SQLite adds them one by one; an
 * upsert may not touch a row twice).  The month-end state is replaced by
 * TRUNCATE, not DELETE: a million rows every month would otherwise leave
 * a million dead ones (only day-end, the one writer, reads that table).
 *
 * Reads.  Day-end's takes and the month-end state (report_payments_take,
 * report_records_take, report_refusals_take, report_month_scan) may be
 * large: their callbacks run while libpq is still receiving the result
 * (single-row mode), so they must not use the same store - day-end's
 * only collect (report_snap.c).  The reports' reads (the dictionary, a
 * date's aging, the sums, the rolls, the stays) are read whole before the
 * first callback: a callback may use the store.
 *
 * Every op runs in the caller's transaction (day-end's); none begins or
 * commits.  A callback's non-zero return stops the op, which returns
 * err's code (HK_EINTERNAL when the callback set none), as SQLite's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"

/* A watermark in meta as an integer (0 when unset). */
#define WATERMARK(key)                                                         \
	"COALESCE((SELECT CAST(value AS BIGINT) FROM meta WHERE key = '" key  \
	"'), 0)"

/* Rows per COPY: bounds the text held at once (the month-end state). */
#define COPY_ROWS 65536

/* What a callback's non-zero return makes of an op (store.h). */
static enum hk_rc stopped_rc(const struct hk_err *err)
{
	return err && err->code ? err->code : HK_EINTERNAL;
}

/* Plain statements without parameters (a staging table's creation and
 * emptying), not prepared: failures as `what`. */
static enum hk_rc script(struct pg_store *ps, const char *sql,
			 const char *what, struct hk_err *err)
{
	PGresult *r = PQexec(ps->conn, sql);

	if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
		return pg_result_error(ps, r, what, err);
	ps->sqlstate[0] = 0;
	PQclear(r);
	return HK_OK;
}

/* Send what `c` holds once it holds COPY_ROWS rows (last: whatever it
 * holds). */
static enum hk_rc copy_some(struct pg_store *ps, const char *copy_sql,
			    struct pg_copy *c, bool last, const char *what,
			    struct hk_err *err)
{
	if (!c->rows || (!last && c->rows < COPY_ROWS))
		return HK_OK;
	return pg_copy_in(ps, copy_sql, c, what, err);
}

/* ====================================================================
 * The dimensions
 * ==================================================================== */

static enum hk_rc pgx_report_dims_refresh(struct hk_store *s, int64_t *n,
					  struct hk_err *err)
{
	/* The accounts to set, with their combination's values. */
	static const char pick[] =
		"CREATE TEMP TABLE IF NOT EXISTS hk_rd_pick (account_ref "
		"BIGINT PRIMARY KEY, creditor TEXT, product TEXT, team_ref "
		"BIGINT, collector_ref BIGINT, agency_ref BIGINT, "
		"strategy_ref BIGINT, rule_no BIGINT, arm_no BIGINT, "
		"province TEXT, segment TEXT); TRUNCATE hk_rd_pick";
	static const char fill[] =
		"INSERT INTO hk_rd_pick SELECT a.ref, a.creditor, a.product, "
		"COALESCE(c.team_ref, 0), COALESCE(c.collector_ref, 0), "
		"COALESCE(c.agency_ref, 0), COALESCE(t.strategy_ref, 0), "
		"COALESCE(t.rule_no, -1), COALESCE(t.arm_no, -1), "
		"COALESCE(d.province, ''), COALESCE(d.segment, '') "
		"FROM (SELECT account_ref AS ref FROM account_state "
		"      WHERE dims = 0 "
		"      UNION SELECT a2.ref FROM report_dirty r "
		"      JOIN accounts a2 ON a2.case_ref = r.case_ref "
		"      JOIN account_state s2 ON s2.account_ref = a2.ref) x "
		"JOIN accounts a ON a.ref = x.ref "
		"JOIN cases c ON c.ref = a.case_ref "
		"JOIN debtors d ON d.ref = c.debtor_ref "
		"LEFT JOIN case_treatment t ON t.case_ref = c.ref";
	/* the planner's row count of a temporary table (autovacuum never
	 * analyses one) */
	static const char analyse[] = "ANALYZE hk_rd_pick";
	/* New combinations numbered as SQLite numbers them: in the order of
	 * their first account (its DISTINCT over the accounts in ref order),
	 * from the largest ref + 1 (an INTEGER PRIMARY KEY's next rowid), so
	 * that a rolled-back refresh leaves no gap as a sequence would.  The
	 * refs are always given here, never the identity's default (writers
	 * take turns: store_pg.c). */
	static const char add_dims[] =
		"INSERT INTO report_dims (ref, creditor, product, team_ref, "
		"collector_ref, agency_ref, strategy_ref, rule_no, arm_no, "
		"province, segment) "
		"SELECT (SELECT COALESCE(max(ref), 0) FROM report_dims) + "
		"row_number() OVER (ORDER BY min(account_ref)), "
		"creditor, product, team_ref, collector_ref, agency_ref, "
		"strategy_ref, rule_no, arm_no, province, segment "
		"FROM hk_rd_pick p WHERE NOT EXISTS (SELECT 1 FROM report_dims d "
		"WHERE d.creditor = p.creditor AND d.product = p.product "
		"AND d.team_ref = p.team_ref AND d.collector_ref = p.collector_ref "
		"AND d.agency_ref = p.agency_ref "
		"AND d.strategy_ref = p.strategy_ref AND d.rule_no = p.rule_no "
		"AND d.arm_no = p.arm_no AND d.province = p.province "
		"AND d.segment = p.segment) "
		"GROUP BY creditor, product, team_ref, collector_ref, agency_ref, "
		"strategy_ref, rule_no, arm_no, province, segment";
	/* Only the accounts whose combination changed are written (SQLite
	 * sets the picked rows' dims first, then this; here one join). */
	static const char save[] =
		"UPDATE account_state SET dims = d.ref FROM hk_rd_pick p "
		"JOIN report_dims d ON d.creditor = p.creditor "
		"AND d.product = p.product AND d.team_ref = p.team_ref "
		"AND d.collector_ref = p.collector_ref "
		"AND d.agency_ref = p.agency_ref "
		"AND d.strategy_ref = p.strategy_ref AND d.rule_no = p.rule_no "
		"AND d.arm_no = p.arm_no AND d.province = p.province "
		"AND d.segment = p.segment "
		"WHERE account_state.account_ref = p.account_ref "
		"AND account_state.dims <> d.ref";
	static const char clear[] = "DELETE FROM report_dirty";
	static const char drop[] = "TRUNCATE hk_rd_pick";
	struct pg_store *ps = PG(s);
	enum hk_rc rc;

	*n = 0;
	if ((rc = script(ps, pick, "could not prepare the reports", err)) ||
	    (rc = pg_exec(ps, fill, NULL, "could not read the reports' dimensions",
			  err)) ||
	    (rc = script(ps, analyse, "could not read the reports' dimensions",
			 err)) ||
	    (rc = pg_exec(ps, add_dims, NULL,
			  "could not add the reports' dimensions", err)) ||
	    (rc = pg_exec_changes(ps, save, NULL,
				  "could not save the reports' dimensions", n,
				  err)) ||
	    (rc = pg_exec(ps, clear, NULL,
			  "could not save the reports' dimensions", err)) ||
	    (rc = script(ps, drop, "could not save the reports' dimensions",
			 err)))
		return rc;
	return HK_OK;
}

static enum hk_rc pgx_report_dims_scan(struct hk_store *s,
				       int (*fn)(void *ctx,
						 const struct hk_rdims *d),
				       void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT ref, creditor, product, province, segment, team_ref, "
		"collector_ref, agency_ref, strategy_ref, rule_no, arm_no "
		"FROM report_dims ORDER BY ref";
	PGresult *r = pg_run(PG(s), sql, NULL,
			     "could not read the reports' dimensions", err);
	enum hk_rc rc = HK_OK;

	if (!r)
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		struct hk_rdims d = {
			.ref = pg_i64(r, i, 0),
			.creditor = PQgetvalue(r, i, 1),
			.product = PQgetvalue(r, i, 2),
			.province = PQgetvalue(r, i, 3),
			.segment = PQgetvalue(r, i, 4),
			.team_ref = pg_i64(r, i, 5),
			.collector_ref = pg_i64(r, i, 6),
			.agency_ref = pg_i64(r, i, 7),
			.strategy_ref = pg_i64(r, i, 8),
			.rule_no = pg_i32(r, i, 9),
			.arm_no = pg_i32(r, i, 10),
		};

		if (fn(ctx, &d)) {
			rc = stopped_rc(err);
			break;
		}
	}
	PQclear(r);
	return rc;
}

/* ====================================================================
 * The aging
 * ==================================================================== */

static void copy_totals(struct pg_copy *c, const struct hk_bucket_totals *t)
{
	pgc_int(c, t->accounts);
	pgc_int(c, t->overdue_principal);
	pgc_int(c, t->overdue_interest);
	pgc_int(c, t->overdue_fee);
	pgc_int(c, t->penalty_due);
	pgc_int(c, t->total_overdue);
	pgc_int(c, t->principal_outstanding);
}

static enum hk_rc pgx_report_aging_save(struct hk_store *s, int32_t as_of,
					bool month_end,
					const struct hk_raging_row *rows,
					size_t n, struct hk_err *err)
{
	static const char del[] = "DELETE FROM report_aging WHERE as_of = $1";
	static const char copy[] =
		"COPY report_aging (as_of, dims, bucket, accounts, "
		"overdue_principal, overdue_interest, overdue_fee, penalty_due, "
		"total_overdue, principal_outstanding) FROM STDIN";
	static const char day[] =
		"INSERT INTO report_days (as_of, month_end) VALUES ($1, $2) "
		"ON CONFLICT (as_of) DO UPDATE SET month_end = "
		"GREATEST(report_days.month_end, excluded.month_end)";
	const char *what = "could not save the aging";
	struct pg_store *ps = PG(s);
	struct pg_copy c = {0};
	struct pg_params p = {0};
	enum hk_rc rc;

	pgp_int(&p, as_of);
	if ((rc = pg_exec(ps, del, &p, what, err)) != HK_OK)
		return rc;
	for (size_t i = 0; i < n && rc == HK_OK; i++) {
		pgc_int(&c, as_of);
		pgc_int(&c, rows[i].dims);
		pgc_int(&c, rows[i].bucket);
		copy_totals(&c, &rows[i].t);
		pgc_end(&c);
		rc = copy_some(ps, copy, &c, i + 1 == n, what, err);
	}
	free(c.buf);
	if (rc != HK_OK)
		return rc;
	pgp_int(&p, month_end ? 1 : 0);
	return pg_exec(ps, day, &p, what, err);
}

static enum hk_rc pgx_report_aging_scan(struct hk_store *s, int32_t as_of,
					int (*fn)(void *ctx,
						  const struct hk_raging_row *r),
					void *ctx, struct hk_err *err)
{
	/* the primary key's order, as SQLite's WITHOUT ROWID table gives */
	static const char sql[] =
		"SELECT dims, bucket, accounts, overdue_principal, "
		"overdue_interest, overdue_fee, penalty_due, total_overdue, "
		"principal_outstanding FROM report_aging WHERE as_of = $1 "
		"ORDER BY dims, bucket";
	struct pg_params p = {0};
	enum hk_rc rc = HK_OK;
	PGresult *r;

	pgp_int(&p, as_of);
	if (!(r = pg_run(PG(s), sql, &p, "could not read the aging", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		struct hk_raging_row a = {
			.dims = pg_i64(r, i, 0),
			.bucket = pg_i32(r, i, 1),
			.t = {pg_i64(r, i, 2), pg_i64(r, i, 3), pg_i64(r, i, 4),
			      pg_i64(r, i, 5), pg_i64(r, i, 6), pg_i64(r, i, 7),
			      pg_i64(r, i, 8)},
		};

		if (fn(ctx, &a)) {
			rc = stopped_rc(err);
			break;
		}
	}
	PQclear(r);
	return rc;
}

static enum hk_rc pgx_report_days(struct hk_store *s, int32_t from, int32_t to,
				  int (*fn)(void *ctx, int32_t day,
					    bool month_end),
				  void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT as_of, month_end FROM report_days "
		"WHERE as_of BETWEEN $1 AND $2 ORDER BY as_of";
	struct pg_params p = {0};
	enum hk_rc rc = HK_OK;
	PGresult *r;

	pgp_int(&p, from);
	pgp_int(&p, to);
	if (!(r = pg_run(PG(s), sql, &p, "could not read the reports' dates",
			 err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++)
		if (fn(ctx, pg_i32(r, i, 0), pg_i64(r, i, 1) != 0)) {
			rc = stopped_rc(err);
			break;
		}
	PQclear(r);
	return rc;
}

/* ====================================================================
 * The payments
 * ==================================================================== */

struct pay_scan {
	int (*fn)(void *ctx, const struct hk_rpayment *p);
	void *ctx;
	bool stopped;
};

static int pay_row(void *ctx, const PGresult *r)
{
	struct pay_scan *sc = ctx;
	struct hk_rpayment p = {
		.ref = pg_i64(r, 0, 0),
		.account_ref = pg_i64(r, 0, 1),
		.case_ref = pg_i64(r, 0, 2),
		.dims = pg_i64(r, 0, 3),
		.amount = pg_i64(r, 0, 4),
		.paid_on = pg_i32(r, 0, 5),
		.bucket_before = pg_str(r, 0, 6),
	};

	if (sc->fn(sc->ctx, &p)) {
		sc->stopped = true;
		return 1;
	}
	return 0;
}

static enum hk_rc pgx_report_payments_take(struct hk_store *s, int32_t as_of,
					   int (*fn)(void *ctx,
						     const struct hk_rpayment *p),
					   void *ctx, struct hk_err *err)
{
	/* The deferred ones now due, then the new ones, in ref order.  SQLite
	 * says "ref > watermark OR ref IN (deferred)"; the union of the two
	 * ref sets is the same set, and lets each side use its index rather
	 * than a scan of every payment. */
	static const char sql[] =
		"SELECT p.ref, p.account_ref, a.case_ref, "
		"COALESCE(s.dims, 0), p.amount, p.paid_on, "
		"(SELECT t.to_bucket FROM bucket_transitions t "
		" WHERE t.account_ref = p.account_ref AND t.as_of < p.paid_on "
		" ORDER BY t.as_of DESC LIMIT 1) "
		"FROM (SELECT ref FROM payments WHERE ref > "
		WATERMARK("report_payment_ref")
		"      UNION SELECT payment_ref FROM report_deferred "
		"      WHERE paid_on <= $1) x "
		"JOIN payments p ON p.ref = x.ref "
		"JOIN accounts a ON a.ref = p.account_ref "
		"LEFT JOIN account_state s ON s.account_ref = p.account_ref "
		"WHERE p.paid_on <= $1 ORDER BY p.ref";
	static const char defer[] =
		"INSERT INTO report_deferred (payment_ref, paid_on) "
		"SELECT ref, paid_on FROM payments WHERE paid_on > $1 "
		"AND ref > " WATERMARK("report_payment_ref")
		" ON CONFLICT DO NOTHING";
	static const char undefer[] =
		"DELETE FROM report_deferred WHERE paid_on <= $1";
	static const char mark[] =
		"INSERT INTO meta (key, value) SELECT 'report_payment_ref', "
		"CAST(COALESCE(max(ref), 0) AS TEXT) FROM payments "
		"ON CONFLICT (key) DO UPDATE SET value = excluded.value";
	struct pg_store *ps = PG(s);
	struct pay_scan sc = {.fn = fn, .ctx = ctx};
	struct pg_params p = {0};
	enum hk_rc rc;

	pgp_int(&p, as_of);
	rc = pg_scan(ps, sql, &p, "could not read the payments", pay_row, &sc,
		     err);
	if (rc != HK_OK)
		return rc;
	if (sc.stopped)
		return stopped_rc(err);
	if ((rc = pg_exec(ps, defer, &p, "could not defer payments", err)) ||
	    (rc = pg_exec(ps, undefer, &p, "could not defer payments", err)))
		return rc;
	return pg_exec(ps, mark, NULL, "could not mark the payments counted",
		       err);
}

static enum hk_rc pgx_report_recovery_add(struct hk_store *s,
					  const struct hk_rrecovery_row *rows,
					  size_t n, struct hk_err *err)
{
	static const char staging[] =
		"CREATE TEMP TABLE IF NOT EXISTS hk_rp_recovery (paid_on BIGINT, "
		"dims BIGINT, bucket BIGINT, payments BIGINT, amount BIGINT); "
		"TRUNCATE hk_rp_recovery";
	static const char copy[] =
		"COPY hk_rp_recovery (paid_on, dims, bucket, payments, amount) "
		"FROM STDIN";
	static const char merge[] =
		"INSERT INTO report_recovery (paid_on, dims, bucket, payments, "
		"amount) SELECT paid_on, dims, bucket, sum(payments), sum(amount) "
		"FROM hk_rp_recovery GROUP BY paid_on, dims, bucket "
		"ON CONFLICT (paid_on, dims, bucket) DO UPDATE SET "
		"payments = report_recovery.payments + excluded.payments, "
		"amount = report_recovery.amount + excluded.amount";
	const char *what = "could not save the recoveries";
	struct pg_store *ps = PG(s);
	struct pg_copy c = {0};
	enum hk_rc rc;

	if (!n)
		return HK_OK;
	if ((rc = script(ps, staging, what, err)) != HK_OK)
		return rc;
	for (size_t i = 0; i < n && rc == HK_OK; i++) {
		pgc_int(&c, rows[i].paid_on);
		pgc_int(&c, rows[i].dims);
		pgc_int(&c, rows[i].bucket);
		pgc_int(&c, rows[i].payments);
		pgc_int(&c, rows[i].amount);
		pgc_end(&c);
		rc = copy_some(ps, copy, &c, i + 1 == n, what, err);
	}
	free(c.buf);
	if (rc != HK_OK)
		return rc;
	return pg_exec(ps, merge, NULL, what, err);
}

static enum hk_rc pgx_report_stints_add(struct hk_store *s,
					const int64_t *case_refs,
					const int64_t *payments,
					const int64_t *amounts, size_t n,
					struct hk_err *err)
{
	static const char staging[] =
		"CREATE TEMP TABLE IF NOT EXISTS hk_rp_stints (case_ref BIGINT, "
		"payments BIGINT, amount BIGINT); TRUNCATE hk_rp_stints";
	static const char copy[] =
		"COPY hk_rp_stints (case_ref, payments, amount) FROM STDIN";
	/* each case's current stay: the history row of its treatment's
	 * since (none without a treatment) */
	static const char merge[] =
		"UPDATE treatment_history SET "
		"recovered = treatment_history.recovered + x.amount, "
		"payments = treatment_history.payments + x.payments "
		"FROM (SELECT case_ref, sum(payments) AS payments, "
		"      sum(amount) AS amount FROM hk_rp_stints "
		"      GROUP BY case_ref) x "
		"JOIN case_treatment t ON t.case_ref = x.case_ref "
		"WHERE treatment_history.case_ref = x.case_ref "
		"AND treatment_history.since = t.since "
		"AND treatment_history.strategy_ref IS NOT NULL";
	const char *what = "could not save the recoveries";
	struct pg_store *ps = PG(s);
	struct pg_copy c = {0};
	enum hk_rc rc;

	if (!n)
		return HK_OK;
	if ((rc = script(ps, staging, what, err)) != HK_OK)
		return rc;
	for (size_t i = 0; i < n && rc == HK_OK; i++) {
		pgc_int(&c, case_refs[i]);
		pgc_int(&c, payments[i]);
		pgc_int(&c, amounts[i]);
		pgc_end(&c);
		rc = copy_some(ps, copy, &c, i + 1 == n, what, err);
	}
	free(c.buf);
	if (rc != HK_OK)
		return rc;
	return pg_exec(ps, merge, NULL, what, err);
}

/* Big: a year is 2M rows, read row by row (pg_scan), never all in
 * memory. */
struct rec_scan {
	int (*fn)(void *ctx, const struct hk_rrecovery_row *r);
	void *ctx;
	bool stopped;
};

static int rec_scan_row(void *ctx, const PGresult *r)
{
	struct rec_scan *rs = ctx;
	struct hk_rrecovery_row row = {
		.paid_on = pg_i32(r, 0, 0),
		.dims = pg_i64(r, 0, 1),
		.bucket = pg_i32(r, 0, 2),
		.payments = pg_i64(r, 0, 3),
		.amount = pg_i64(r, 0, 4),
	};

	if (rs->fn(rs->ctx, &row)) {
		rs->stopped = true;
		return 1;
	}
	return 0;
}

static enum hk_rc pgx_report_recovery_scan(
	struct hk_store *s, int32_t from, int32_t to,
	int (*fn)(void *ctx, const struct hk_rrecovery_row *r), void *ctx,
	struct hk_err *err)
{
	static const char sql[] =
		"SELECT paid_on, dims, bucket, payments, amount "
		"FROM report_recovery WHERE paid_on BETWEEN $1 AND $2 "
		"ORDER BY paid_on, dims, bucket";
	struct pg_params p = {0};
	struct rec_scan rs = {fn, ctx, false};
	enum hk_rc rc;

	pgp_int(&p, from);
	pgp_int(&p, to);
	rc = pg_scan(PG(s), sql, &p, "could not read the recoveries",
		     rec_scan_row, &rs, err);
	if (rc == HK_OK && rs.stopped)
		return stopped_rc(err);
	return rc;
}

/* ====================================================================
 * The month-end state and the rolls
 * ==================================================================== */

struct month_scan {
	int (*fn)(void *ctx, const struct hk_rmonth_row *r);
	void *ctx;
	int32_t *month_end;
	bool stopped;
};

static int month_row(void *ctx, const PGresult *r)
{
	struct month_scan *sc = ctx;
	struct hk_rmonth_row m = {
		.account_ref = pg_i64(r, 0, 0),
		.bucket = pg_i32(r, 0, 2),
		.principal_outstanding = pg_i64(r, 0, 3),
		.total_overdue = pg_i64(r, 0, 4),
	};

	*sc->month_end = pg_i32(r, 0, 1);
	if (sc->fn(sc->ctx, &m)) {
		sc->stopped = true;
		return 1;
	}
	return 0;
}

static enum hk_rc pgx_report_month_scan(struct hk_store *s,
					int32_t *month_end,
					int (*fn)(void *ctx,
						  const struct hk_rmonth_row *r),
					void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT account_ref, month_end, bucket, principal_outstanding, "
		"total_overdue FROM report_month_state ORDER BY account_ref";
	struct month_scan sc = {.fn = fn, .ctx = ctx, .month_end = month_end};
	enum hk_rc rc;

	*month_end = HK_DATE_NONE;
	rc = pg_scan(PG(s), sql, NULL, "could not read the month-end state",
		     month_row, &sc, err);
	if (rc == HK_OK && sc.stopped)
		rc = stopped_rc(err);
	return rc;
}

static enum hk_rc pgx_report_month_save(struct hk_store *s, int32_t month_end,
					const struct hk_rmonth_row *rows,
					size_t n,
					const struct hk_rroll_row *roll,
					size_t n_roll, struct hk_err *err)
{
	static const char del[] = "TRUNCATE report_month_state";
	static const char copy[] =
		"COPY report_month_state (account_ref, month_end, bucket, "
		"principal_outstanding, total_overdue) FROM STDIN";
	static const char del_roll[] =
		"DELETE FROM report_roll WHERE month_end = $1";
	static const char copy_roll[] =
		"COPY report_roll (month_end, dims, from_bucket, to_bucket, "
		"accounts, principal_outstanding, total_overdue) FROM STDIN";
	const char *what = "could not save the month-end state";
	const char *what_roll = "could not save the roll rates";
	struct pg_store *ps = PG(s);
	struct pg_copy c = {0};
	struct pg_params p = {0};
	enum hk_rc rc;

	if ((rc = script(ps, del, what, err)) != HK_OK)
		return rc;
	for (size_t i = 0; i < n && rc == HK_OK; i++) {
		pgc_int(&c, rows[i].account_ref);
		pgc_int(&c, month_end);
		pgc_int(&c, rows[i].bucket);
		pgc_int(&c, rows[i].principal_outstanding);
		pgc_int(&c, rows[i].total_overdue);
		pgc_end(&c);
		rc = copy_some(ps, copy, &c, i + 1 == n, what, err);
	}
	pgp_int(&p, month_end);
	if (rc == HK_OK)
		rc = pg_exec(ps, del_roll, &p, what_roll, err);
	for (size_t i = 0; i < n_roll && rc == HK_OK; i++) {
		pgc_int(&c, month_end);
		pgc_int(&c, roll[i].dims);
		pgc_int(&c, roll[i].from_bucket);
		pgc_int(&c, roll[i].to_bucket);
		pgc_int(&c, roll[i].accounts);
		pgc_int(&c, roll[i].principal_outstanding);
		pgc_int(&c, roll[i].total_overdue);
		pgc_end(&c);
		rc = copy_some(ps, copy_roll, &c, i + 1 == n_roll, what_roll, err);
	}
	free(c.buf);
	return rc;
}

static enum hk_rc pgx_report_roll_scan(struct hk_store *s, int32_t month_end,
				       int (*fn)(void *ctx,
						 const struct hk_rroll_row *r),
				       void *ctx, struct hk_err *err)
{
	/* the primary key's order, as SQLite's WITHOUT ROWID table gives */
	static const char sql[] =
		"SELECT dims, from_bucket, to_bucket, accounts, "
		"principal_outstanding, total_overdue FROM report_roll "
		"WHERE month_end = $1 ORDER BY dims, from_bucket, to_bucket";
	struct pg_params p = {0};
	enum hk_rc rc = HK_OK;
	PGresult *r;

	pgp_int(&p, month_end);
	if (!(r = pg_run(PG(s), sql, &p, "could not read the roll rates", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		struct hk_rroll_row o = {
			.dims = pg_i64(r, i, 0),
			.from_bucket = pg_i32(r, i, 1),
			.to_bucket = pg_i32(r, i, 2),
			.accounts = pg_i64(r, i, 3),
			.principal_outstanding = pg_i64(r, i, 4),
			.total_overdue = pg_i64(r, i, 5),
		};

		if (fn(ctx, &o)) {
			rc = stopped_rc(err);
			break;
		}
	}
	PQclear(r);
	return rc;
}

/* ====================================================================
 * The desk's work
 * ==================================================================== */

/* Rows after a watermark, then the watermark moved to the table's last. */
struct take_scan {
	bool records;
	int (*rec_fn)(void *ctx, int64_t at, int64_t user_ref,
		      const char *channel, const char *outcome);
	int (*audit_fn)(void *ctx, int64_t at, int64_t user_ref,
			const char *detail);
	void *ctx;
	bool stopped;
};

static int take_row(void *ctx, const PGresult *r)
{
	struct take_scan *sc = ctx;
	int64_t at = pg_i64(r, 0, 0);
	int64_t user = pg_i64(r, 0, 1);
	const char *a = pg_str(r, 0, 2);
	int stop = sc->records ? sc->rec_fn(sc->ctx, at, user, a, pg_str(r, 0, 3))
			       : sc->audit_fn(sc->ctx, at, user, a);

	if (stop) {
		sc->stopped = true;
		return 1;
	}
	return 0;
}

static enum hk_rc take_after(struct pg_store *ps, const char *sql,
			     const char *mark, struct take_scan *sc,
			     struct hk_err *err)
{
	enum hk_rc rc = pg_scan(ps, sql, NULL, "could not read the desk's work",
				take_row, sc, err);

	if (rc != HK_OK)
		return rc;
	if (sc->stopped)
		return stopped_rc(err);
	return pg_exec(ps, mark, NULL, "could not mark the desk's work counted",
		       err);
}

static enum hk_rc pgx_report_records_take(struct hk_store *s,
					  int (*fn)(void *ctx, int64_t at,
						    int64_t user_ref,
						    const char *channel,
						    const char *outcome),
					  void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT at, user_ref, channel, outcome FROM contact_records "
		"WHERE ref > " WATERMARK("report_record_ref") " ORDER BY ref";
	static const char mark[] =
		"INSERT INTO meta (key, value) SELECT 'report_record_ref', "
		"CAST(COALESCE(max(ref), 0) AS TEXT) FROM contact_records "
		"ON CONFLICT (key) DO UPDATE SET value = excluded.value";
	struct take_scan sc = {.records = true, .rec_fn = fn, .ctx = ctx};

	return take_after(PG(s), sql, mark, &sc, err);
}

static enum hk_rc pgx_report_refusals_take(struct hk_store *s,
					   int (*fn)(void *ctx, int64_t at,
						     int64_t user_ref,
						     const char *detail),
					   void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT at, user_ref, detail FROM audit_log "
		"WHERE ref > " WATERMARK("report_audit_ref")
		" AND action = 'guard.refused' ORDER BY ref";
	static const char mark[] =
		"INSERT INTO meta (key, value) SELECT 'report_audit_ref', "
		"CAST(COALESCE(max(ref), 0) AS TEXT) FROM audit_log "
		"ON CONFLICT (key) DO UPDATE SET value = excluded.value";
	struct take_scan sc = {.records = false, .audit_fn = fn, .ctx = ctx};

	return take_after(PG(s), sql, mark, &sc, err);
}

static enum hk_rc pgx_report_activity_add(struct hk_store *s,
					  const struct hk_ractivity_row *rows,
					  size_t n, struct hk_err *err)
{
	static const char staging[] =
		"CREATE TEMP TABLE IF NOT EXISTS hk_rp_activity (day BIGINT, "
		"user_ref BIGINT, channel TEXT, outcome TEXT, records BIGINT); "
		"TRUNCATE hk_rp_activity";
	static const char copy[] =
		"COPY hk_rp_activity (day, user_ref, channel, outcome, records) "
		"FROM STDIN";
	static const char merge[] =
		"INSERT INTO report_activity (day, user_ref, channel, outcome, "
		"records) SELECT day, user_ref, channel, outcome, sum(records) "
		"FROM hk_rp_activity GROUP BY day, user_ref, channel, outcome "
		"ON CONFLICT (day, user_ref, channel, outcome) DO UPDATE SET "
		"records = report_activity.records + excluded.records";
	const char *what = "could not save the activity";
	struct pg_store *ps = PG(s);
	struct pg_copy c = {0};
	enum hk_rc rc;

	if (!n)
		return HK_OK;
	if ((rc = script(ps, staging, what, err)) != HK_OK)
		return rc;
	for (size_t i = 0; i < n && rc == HK_OK; i++) {
		pgc_int(&c, rows[i].day);
		pgc_int(&c, rows[i].user_ref);
		pgc_str(&c, rows[i].channel);
		pgc_str(&c, rows[i].outcome);
		pgc_int(&c, rows[i].records);
		pgc_end(&c);
		rc = copy_some(ps, copy, &c, i + 1 == n, what, err);
	}
	free(c.buf);
	if (rc != HK_OK)
		return rc;
	return pg_exec(ps, merge, NULL, what, err);
}

static enum hk_rc pgx_report_refusals_add(struct hk_store *s,
					  const struct hk_rrefusal_row *rows,
					  size_t n, struct hk_err *err)
{
	static const char staging[] =
		"CREATE TEMP TABLE IF NOT EXISTS hk_rp_refusals (day BIGINT, "
		"user_ref BIGINT, rule TEXT, refusals BIGINT); "
		"TRUNCATE hk_rp_refusals";
	static const char copy[] =
		"COPY hk_rp_refusals (day, user_ref, rule, refusals) FROM STDIN";
	static const char merge[] =
		"INSERT INTO report_refusals (day, user_ref, rule, refusals) "
		"SELECT day, user_ref, rule, sum(refusals) FROM hk_rp_refusals "
		"GROUP BY day, user_ref, rule "
		"ON CONFLICT (day, user_ref, rule) DO UPDATE SET "
		"refusals = report_refusals.refusals + excluded.refusals";
	const char *what = "could not save the refusals";
	struct pg_store *ps = PG(s);
	struct pg_copy c = {0};
	enum hk_rc rc;

	if (!n)
		return HK_OK;
	if ((rc = script(ps, staging, what, err)) != HK_OK)
		return rc;
	for (size_t i = 0; i < n && rc == HK_OK; i++) {
		pgc_int(&c, rows[i].day);
		pgc_int(&c, rows[i].user_ref);
		pgc_str(&c, rows[i].rule);
		pgc_int(&c, rows[i].refusals);
		pgc_end(&c);
		rc = copy_some(ps, copy, &c, i + 1 == n, what, err);
	}
	free(c.buf);
	if (rc != HK_OK)
		return rc;
	return pg_exec(ps, merge, NULL, what, err);
}

static enum hk_rc pgx_report_activity_sum(struct hk_store *s, int32_t from,
					  int32_t to,
					  int (*fn)(void *ctx,
						    const struct hk_ractivity_row *r),
					  void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT user_ref, channel, outcome, sum(records) "
		"FROM report_activity WHERE day BETWEEN $1 AND $2 "
		"GROUP BY user_ref, channel, outcome "
		"ORDER BY user_ref, channel COLLATE \"C\", outcome COLLATE \"C\"";
	struct pg_params p = {0};
	enum hk_rc rc = HK_OK;
	PGresult *r;

	pgp_int(&p, from);
	pgp_int(&p, to);
	if (!(r = pg_run(PG(s), sql, &p, "could not read the activity", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		struct hk_ractivity_row a = {
			.day = HK_DATE_NONE,
			.user_ref = pg_i64(r, i, 0),
			.channel = pg_str(r, i, 1),
			.outcome = pg_str(r, i, 2),
			.records = pg_i64(r, i, 3),
		};

		if (fn(ctx, &a)) {
			rc = stopped_rc(err);
			break;
		}
	}
	PQclear(r);
	return rc;
}

static enum hk_rc pgx_report_refusals_sum(struct hk_store *s, int32_t from,
					  int32_t to,
					  int (*fn)(void *ctx,
						    const struct hk_rrefusal_row *r),
					  void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT user_ref, rule, sum(refusals) FROM report_refusals "
		"WHERE day BETWEEN $1 AND $2 GROUP BY user_ref, rule "
		"ORDER BY user_ref, rule COLLATE \"C\"";
	struct pg_params p = {0};
	enum hk_rc rc = HK_OK;
	PGresult *r;

	pgp_int(&p, from);
	pgp_int(&p, to);
	if (!(r = pg_run(PG(s), sql, &p, "could not read the refusals", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		struct hk_rrefusal_row a = {
			.day = HK_DATE_NONE,
			.user_ref = pg_i64(r, i, 0),
			.rule = pg_str(r, i, 1),
			.refusals = pg_i64(r, i, 2),
		};

		if (fn(ctx, &a)) {
			rc = stopped_rc(err);
			break;
		}
	}
	PQclear(r);
	return rc;
}

/* ====================================================================
 * The stays in a rule's arms
 * ==================================================================== */

static enum hk_rc pgx_report_stints_scan(struct hk_store *s,
					 int64_t strategy_ref, int rule_no,
					 int32_t from, int32_t to,
					 int (*fn)(void *ctx,
						   const struct hk_rstint_row *r),
					 void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT case_ref, arm_no, since, base_overdue, recovered, "
		"payments FROM treatment_history WHERE since BETWEEN $3 AND $4 "
		"AND strategy_ref = $1 AND rule_no = $2 ORDER BY since, case_ref";
	struct pg_params p = {0};
	enum hk_rc rc = HK_OK;
	PGresult *r;

	pgp_int(&p, strategy_ref);
	pgp_int(&p, rule_no);
	pgp_int(&p, from);
	pgp_int(&p, to);
	if (!(r = pg_run(PG(s), sql, &p, "could not read the stays", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		struct hk_rstint_row a = {
			.case_ref = pg_i64(r, i, 0),
			.arm_no = pg_i32(r, i, 1),
			.since = pg_i32(r, i, 2),
			.base_overdue = pg_i64(r, i, 3),
			.recovered = pg_i64(r, i, 4),
			.payments = pg_i64(r, i, 5),
		};

		if (fn(ctx, &a)) {
			rc = stopped_rc(err);
			break;
		}
	}
	PQclear(r);
	return rc;
}

void hk_pg_ops_reports(struct hk_store_ops *ops)
{
	ops->report_dims_refresh = pgx_report_dims_refresh;
	ops->report_dims_scan = pgx_report_dims_scan;
	ops->report_aging_save = pgx_report_aging_save;
	ops->report_aging_scan = pgx_report_aging_scan;
	ops->report_days = pgx_report_days;
	ops->report_payments_take = pgx_report_payments_take;
	ops->report_recovery_add = pgx_report_recovery_add;
	ops->report_stints_add = pgx_report_stints_add;
	ops->report_recovery_scan = pgx_report_recovery_scan;
	ops->report_month_scan = pgx_report_month_scan;
	ops->report_month_save = pgx_report_month_save;
	ops->report_roll_scan = pgx_report_roll_scan;
	ops->report_records_take = pgx_report_records_take;
	ops->report_refusals_take = pgx_report_refusals_take;
	ops->report_activity_add = pgx_report_activity_add;
	ops->report_refusals_add = pgx_report_refusals_add;
	ops->report_activity_sum = pgx_report_activity_sum;
	ops->report_refusals_sum = pgx_report_refusals_sum;
	ops->report_stints_scan = pgx_report_stints_scan;
}
