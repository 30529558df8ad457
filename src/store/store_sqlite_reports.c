/*
 * store_sqlite_reports.c - the SQLite backend's operations for the reports'
 * history (store.h, migration 28, docs/reports.md): the dimensions'
 * dictionary and each account's combination, the daily aging, the
 * payments, the month-end rolls, the desk's activity and the stays in a
 * rule's arms.  The PostgreSQL twins are in store_pg_reports.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hk/types.h"
#include "store_sqlite.h"

/* A watermark in meta as an integer (0 when unset). */
#define WATERMARK(key)                                                         \
	"COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = '" key \
	"'), 0)"

static enum hk_rc run(struct hk_store *s, const char *sql, struct hk_err *err,
		      const char *what)
{
	sqlite3_stmt *st = sq_stmt(s, sql, err);

	if (!st)
		return HK_EDB;
	return sq_exec(s, st, err, what);
}

enum hk_rc sq_report_dims_refresh(struct hk_store *s, int64_t *n,
				  struct hk_err *err)
{
	/* The accounts to set, with their combination's values. */
	static const char pick[] =
		"CREATE TEMP TABLE IF NOT EXISTS hk_rd_pick (account_ref "
		"INTEGER PRIMARY KEY, creditor TEXT, product TEXT, team_ref "
		"INTEGER, collector_ref INTEGER, agency_ref INTEGER, "
		"strategy_ref INTEGER, rule_no INTEGER, arm_no INTEGER, "
		"province TEXT, segment TEXT, dims INTEGER)";
	static const char fill[] =
		"INSERT INTO hk_rd_pick SELECT a.ref, a.creditor, a.product, "
		"COALESCE(c.team_ref, 0), COALESCE(c.collector_ref, 0), "
		"COALESCE(c.agency_ref, 0), COALESCE(t.strategy_ref, 0), "
		"COALESCE(t.rule_no, -1), COALESCE(t.arm_no, -1), "
		"COALESCE(d.province, ''), COALESCE(d.segment, ''), NULL "
		"FROM (SELECT account_ref AS ref FROM account_state "
		"      WHERE dims = 0 "
		/* CROSS JOIN: from the few marked cases to their accounts,
		 * not the whole accounts index probing report_dirty */
		"      UNION SELECT a2.ref FROM report_dirty r "
		"      CROSS JOIN accounts a2 ON a2.case_ref = r.case_ref "
		"      JOIN account_state s2 ON s2.account_ref = a2.ref) x "
		"JOIN accounts a ON a.ref = x.ref "
		"JOIN cases c ON c.ref = a.case_ref "
		"JOIN debtors d ON d.ref = c.debtor_ref "
		"LEFT JOIN case_treatment t ON t.case_ref = c.ref";
	static const char add_dims[] =
		"INSERT INTO report_dims (creditor, product, team_ref, "
		"collector_ref, agency_ref, strategy_ref, rule_no, arm_no, "
		"province, segment) "
		"SELECT creditor, product, team_ref, collector_ref, "
		"agency_ref, strategy_ref, rule_no, arm_no, province, segment "
		"FROM hk_rd_pick p WHERE NOT EXISTS (SELECT 1 FROM report_dims d "
		"WHERE d.creditor = p.creditor AND d.product = p.product "
		"AND d.team_ref = p.team_ref AND d.collector_ref = p.collector_ref "
		"AND d.agency_ref = p.agency_ref "
		"AND d.strategy_ref = p.strategy_ref AND d.rule_no = p.rule_no "
		"AND d.arm_no = p.arm_no AND d.province = p.province "
		"AND d.segment = p.segment) "
		/* numbered in the order of their first account, as on
		 * PostgreSQL */
		"GROUP BY creditor, product, team_ref, collector_ref, agency_ref, "
		"strategy_ref, rule_no, arm_no, province, segment "
		"ORDER BY min(account_ref)";
	static const char set_dims[] =
		"UPDATE hk_rd_pick SET dims = (SELECT d.ref FROM report_dims d "
		"WHERE d.creditor = hk_rd_pick.creditor "
		"AND d.product = hk_rd_pick.product "
		"AND d.team_ref = hk_rd_pick.team_ref "
		"AND d.collector_ref = hk_rd_pick.collector_ref "
		"AND d.agency_ref = hk_rd_pick.agency_ref "
		"AND d.strategy_ref = hk_rd_pick.strategy_ref "
		"AND d.rule_no = hk_rd_pick.rule_no "
		"AND d.arm_no = hk_rd_pick.arm_no "
		"AND d.province = hk_rd_pick.province "
		"AND d.segment = hk_rd_pick.segment)";
	/* Only the accounts whose combination changed are written, found
	 * from the picked ones (UPDATE ... FROM scanned every state). */
	static const char save[] =
		"UPDATE account_state SET dims = (SELECT p.dims FROM hk_rd_pick p "
		"WHERE p.account_ref = account_state.account_ref) "
		"WHERE account_ref IN (SELECT p.account_ref FROM hk_rd_pick p "
		"CROSS JOIN account_state s ON s.account_ref = p.account_ref "
		"WHERE s.dims <> p.dims)";
	static const char clear[] = "DELETE FROM report_dirty";
	static const char drop[] = "DELETE FROM hk_rd_pick";
	enum hk_rc rc;

	*n = 0;
	if ((rc = run(s, pick, err, "could not prepare the reports")) ||
	    (rc = run(s, drop, err, "could not prepare the reports")) ||
	    (rc = run(s, fill, err, "could not read the reports' dimensions")) ||
	    (rc = run(s, add_dims, err, "could not add the reports' dimensions")) ||
	    (rc = run(s, set_dims, err, "could not add the reports' dimensions")) ||
	    (rc = run(s, save, err, "could not save the reports' dimensions")))
		return rc;
	*n = sqlite3_changes64(sq_db(s));
	if ((rc = run(s, clear, err, "could not save the reports' dimensions")) ||
	    (rc = run(s, drop, err, "could not save the reports' dimensions")))
		return rc;
	return HK_OK;
}

enum hk_rc sq_report_dims_scan(struct hk_store *s,
			       int (*fn)(void *ctx, const struct hk_rdims *d),
			       void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT ref, creditor, product, province, segment, team_ref, "
		"collector_ref, agency_ref, strategy_ref, rule_no, arm_no "
		"FROM report_dims ORDER BY ref";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	int rc;

	if (!st)
		return HK_EDB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct hk_rdims d = {
			.ref = sqlite3_column_int64(st, 0),
			.creditor = (const char *)sqlite3_column_text(st, 1),
			.product = (const char *)sqlite3_column_text(st, 2),
			.province = (const char *)sqlite3_column_text(st, 3),
			.segment = (const char *)sqlite3_column_text(st, 4),
			.team_ref = sqlite3_column_int64(st, 5),
			.collector_ref = sqlite3_column_int64(st, 6),
			.agency_ref = sqlite3_column_int64(st, 7),
			.strategy_ref = sqlite3_column_int64(st, 8),
			.rule_no = sqlite3_column_int(st, 9),
			.arm_no = sqlite3_column_int(st, 10),
		};

		if (fn(ctx, &d)) {
			sq_stmt_done(st);
			return err->code ? err->code : HK_EINTERNAL;
		}
	}
	sq_stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : sq_fail(s, err, "could not read the reports' dimensions");
}

static void bind_totals(sqlite3_stmt *st, int i,
			const struct hk_bucket_totals *t)
{
	sqlite3_bind_int64(st, i, t->accounts);
	sqlite3_bind_int64(st, i + 1, t->overdue_principal);
	sqlite3_bind_int64(st, i + 2, t->overdue_interest);
	sqlite3_bind_int64(st, i + 3, t->overdue_fee);
	sqlite3_bind_int64(st, i + 4, t->penalty_due);
	sqlite3_bind_int64(st, i + 5, t->total_overdue);
	sqlite3_bind_int64(st, i + 6, t->principal_outstanding);
}

enum hk_rc sq_report_aging_save(struct hk_store *s, int32_t as_of,
				bool month_end,
				const struct hk_raging_row *rows, size_t n,
				struct hk_err *err)
{
	static const char del[] = "DELETE FROM report_aging WHERE as_of = ?1";
	static const char ins[] =
		"INSERT INTO report_aging (as_of, dims, bucket, accounts, "
		"overdue_principal, overdue_interest, overdue_fee, penalty_due, "
		"total_overdue, principal_outstanding) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
	static const char day[] =
		"INSERT INTO report_days (as_of, month_end) VALUES (?1, ?2) "
		"ON CONFLICT (as_of) DO UPDATE SET month_end = "
		"max(month_end, excluded.month_end)";
	sqlite3_stmt *st;
	enum hk_rc rc;

	if (!(st = sq_stmt(s, del, err)))
		return HK_EDB;
	sqlite3_bind_int(st, 1, as_of);
	if ((rc = sq_exec(s, st, err, "could not save the aging")) != HK_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (!(st = sq_stmt(s, ins, err)))
			return HK_EDB;
		sqlite3_bind_int(st, 1, as_of);
		sqlite3_bind_int64(st, 2, rows[i].dims);
		sqlite3_bind_int(st, 3, rows[i].bucket);
		bind_totals(st, 4, &rows[i].t);
		if ((rc = sq_exec(s, st, err, "could not save the aging")))
			return rc;
	}
	if (!(st = sq_stmt(s, day, err)))
		return HK_EDB;
	sqlite3_bind_int(st, 1, as_of);
	sqlite3_bind_int(st, 2, month_end ? 1 : 0);
	return sq_exec(s, st, err, "could not save the aging");
}

enum hk_rc sq_report_aging_scan(struct hk_store *s, int32_t as_of,
				int (*fn)(void *ctx,
					  const struct hk_raging_row *r),
				void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT dims, bucket, accounts, overdue_principal, "
		"overdue_interest, overdue_fee, penalty_due, total_overdue, "
		"principal_outstanding FROM report_aging WHERE as_of = ?1 "
		"ORDER BY dims, bucket";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int(st, 1, as_of);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct hk_raging_row r = {
			.dims = sqlite3_column_int64(st, 0),
			.bucket = sqlite3_column_int(st, 1),
			.t = {sqlite3_column_int64(st, 2),
			      sqlite3_column_int64(st, 3),
			      sqlite3_column_int64(st, 4),
			      sqlite3_column_int64(st, 5),
			      sqlite3_column_int64(st, 6),
			      sqlite3_column_int64(st, 7),
			      sqlite3_column_int64(st, 8)},
		};

		if (fn(ctx, &r)) {
			sq_stmt_done(st);
			return err->code ? err->code : HK_EINTERNAL;
		}
	}
	sq_stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : sq_fail(s, err, "could not read the aging");
}

enum hk_rc sq_report_days(struct hk_store *s, int32_t from, int32_t to,
			  int (*fn)(void *ctx, int32_t day, bool month_end),
			  void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT as_of, month_end FROM report_days "
		"WHERE as_of BETWEEN ?1 AND ?2 ORDER BY as_of";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int(st, 1, from);
	sqlite3_bind_int(st, 2, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (fn(ctx, sqlite3_column_int(st, 0),
		       sqlite3_column_int(st, 1) != 0)) {
			sq_stmt_done(st);
			return err->code ? err->code : HK_EINTERNAL;
		}
	}
	sq_stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : sq_fail(s, err, "could not read the reports' dates");
}

enum hk_rc sq_report_payments_take(struct hk_store *s, int32_t as_of,
				   int (*fn)(void *ctx,
					     const struct hk_rpayment *p),
				   void *ctx, struct hk_err *err)
{
	/* The deferred ones now due, then the new ones, in ref order. */
	static const char sql[] =
		"SELECT p.ref, p.account_ref, a.case_ref, "
		"COALESCE(s.dims, 0), p.amount, p.paid_on, "
		"(SELECT t.to_bucket FROM bucket_transitions t "
		" WHERE t.account_ref = p.account_ref AND t.as_of < p.paid_on "
		" ORDER BY t.as_of DESC LIMIT 1) "
		/* the two sets apart, each by its own index (an OR of them
		 * read all the payments, the rowid range unused) */
		"FROM (SELECT ref FROM payments WHERE ref > "
		WATERMARK("report_payment_ref") " UNION "
		"      SELECT payment_ref FROM report_deferred "
		"      WHERE paid_on <= ?1) x "
		"CROSS JOIN payments p ON p.ref = x.ref "
		"JOIN accounts a ON a.ref = p.account_ref "
		"LEFT JOIN account_state s ON s.account_ref = p.account_ref "
		"WHERE p.paid_on <= ?1 ORDER BY p.ref";
	static const char defer[] =
		"INSERT OR IGNORE INTO report_deferred (payment_ref, paid_on) "
		"SELECT ref, paid_on FROM payments WHERE paid_on > ?1 "
		"AND ref > " WATERMARK("report_payment_ref");
	static const char undefer[] =
		"DELETE FROM report_deferred WHERE paid_on <= ?1";
	static const char mark[] =
		"INSERT INTO meta (key, value) SELECT 'report_payment_ref', "
		"CAST(COALESCE(max(ref), 0) AS TEXT) FROM payments WHERE true "
		"ON CONFLICT (key) DO UPDATE SET value = excluded.value";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	enum hk_rc rc;
	int src;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int(st, 1, as_of);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		struct hk_rpayment p = {
			.ref = sqlite3_column_int64(st, 0),
			.account_ref = sqlite3_column_int64(st, 1),
			.case_ref = sqlite3_column_int64(st, 2),
			.dims = sqlite3_column_int64(st, 3),
			.amount = sqlite3_column_int64(st, 4),
			.paid_on = sqlite3_column_int(st, 5),
			.bucket_before = (const char *)sqlite3_column_text(st, 6),
		};

		if (fn(ctx, &p)) {
			sq_stmt_done(st);
			return err->code ? err->code : HK_EINTERNAL;
		}
	}
	sq_stmt_done(st);
	if (src != SQLITE_DONE)
		return sq_fail(s, err, "could not read the payments");
	if (!(st = sq_stmt(s, defer, err)))
		return HK_EDB;
	sqlite3_bind_int(st, 1, as_of);
	if ((rc = sq_exec(s, st, err, "could not defer payments")))
		return rc;
	if (!(st = sq_stmt(s, undefer, err)))
		return HK_EDB;
	sqlite3_bind_int(st, 1, as_of);
	if ((rc = sq_exec(s, st, err, "could not defer payments")))
		return rc;
	return run(s, mark, err, "could not mark the payments counted");
}

enum hk_rc sq_report_recovery_add(struct hk_store *s,
				  const struct hk_rrecovery_row *rows,
				  size_t n, struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO report_recovery (paid_on, dims, bucket, payments, "
		"amount) VALUES (?1, ?2, ?3, ?4, ?5) "
		"ON CONFLICT (paid_on, dims, bucket) DO UPDATE SET "
		"payments = payments + excluded.payments, "
		"amount = amount + excluded.amount";
	enum hk_rc rc;

	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *st = sq_stmt(s, sql, err);

		if (!st)
			return HK_EDB;
		sqlite3_bind_int(st, 1, rows[i].paid_on);
		sqlite3_bind_int64(st, 2, rows[i].dims);
		sqlite3_bind_int(st, 3, rows[i].bucket);
		sqlite3_bind_int64(st, 4, rows[i].payments);
		sqlite3_bind_int64(st, 5, rows[i].amount);
		if ((rc = sq_exec(s, st, err, "could not save the recoveries")))
			return rc;
	}
	return HK_OK;
}

enum hk_rc sq_report_stints_add(struct hk_store *s, const int64_t *case_refs,
				const int64_t *payments,
				const int64_t *amounts, size_t n,
				struct hk_err *err)
{
	static const char sql[] =
		"UPDATE treatment_history SET recovered = recovered + ?2, "
		"payments = payments + ?3 "
		"WHERE case_ref = ?1 AND since = (SELECT since FROM "
		"case_treatment WHERE case_ref = ?1) AND strategy_ref IS NOT NULL";
	enum hk_rc rc;

	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *st = sq_stmt(s, sql, err);

		if (!st)
			return HK_EDB;
		sqlite3_bind_int64(st, 1, case_refs[i]);
		sqlite3_bind_int64(st, 2, amounts[i]);
		sqlite3_bind_int64(st, 3, payments[i]);
		if ((rc = sq_exec(s, st, err, "could not save the recoveries")))
			return rc;
	}
	return HK_OK;
}

enum hk_rc sq_report_recovery_scan(struct hk_store *s, int32_t from,
				   int32_t to,
				   int (*fn)(void *ctx,
					     const struct hk_rrecovery_row *r),
				   void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT paid_on, dims, bucket, payments, amount "
		"FROM report_recovery WHERE paid_on BETWEEN ?1 AND ?2 "
		"ORDER BY paid_on, dims, bucket";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int(st, 1, from);
	sqlite3_bind_int(st, 2, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct hk_rrecovery_row r = {
			.paid_on = sqlite3_column_int(st, 0),
			.dims = sqlite3_column_int64(st, 1),
			.bucket = sqlite3_column_int(st, 2),
			.payments = sqlite3_column_int64(st, 3),
			.amount = sqlite3_column_int64(st, 4),
		};

		if (fn(ctx, &r)) {
			sq_stmt_done(st);
			return err->code ? err->code : HK_EINTERNAL;
		}
	}
	sq_stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : sq_fail(s, err, "could not read the recoveries");
}

enum hk_rc sq_report_month_scan(struct hk_store *s, int32_t *month_end,
				int (*fn)(void *ctx,
					  const struct hk_rmonth_row *r),
				void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT account_ref, month_end, bucket, principal_outstanding, "
		"total_overdue FROM report_month_state ORDER BY account_ref";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	int rc;

	*month_end = HK_DATE_NONE;
	if (!st)
		return HK_EDB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct hk_rmonth_row r = {
			.account_ref = sqlite3_column_int64(st, 0),
			.bucket = sqlite3_column_int(st, 2),
			.principal_outstanding = sqlite3_column_int64(st, 3),
			.total_overdue = sqlite3_column_int64(st, 4),
		};

		*month_end = sqlite3_column_int(st, 1);
		if (fn(ctx, &r)) {
			sq_stmt_done(st);
			return err->code ? err->code : HK_EINTERNAL;
		}
	}
	sq_stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : sq_fail(s, err, "could not read the month-end state");
}

enum hk_rc sq_report_month_save(struct hk_store *s, int32_t month_end,
				const struct hk_rmonth_row *rows, size_t n,
				const struct hk_rroll_row *roll, size_t n_roll,
				struct hk_err *err)
{
	static const char del[] = "DELETE FROM report_month_state";
	static const char ins[] =
		"INSERT INTO report_month_state (account_ref, month_end, bucket, "
		"principal_outstanding, total_overdue) "
		"VALUES (?1, ?2, ?3, ?4, ?5)";
	static const char del_roll[] =
		"DELETE FROM report_roll WHERE month_end = ?1";
	static const char ins_roll[] =
		"INSERT INTO report_roll (month_end, dims, from_bucket, "
		"to_bucket, accounts, principal_outstanding, total_overdue) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	sqlite3_stmt *st;
	enum hk_rc rc;

	if ((rc = run(s, del, err, "could not save the month-end state")))
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (!(st = sq_stmt(s, ins, err)))
			return HK_EDB;
		sqlite3_bind_int64(st, 1, rows[i].account_ref);
		sqlite3_bind_int(st, 2, month_end);
		sqlite3_bind_int(st, 3, rows[i].bucket);
		sqlite3_bind_int64(st, 4, rows[i].principal_outstanding);
		sqlite3_bind_int64(st, 5, rows[i].total_overdue);
		if ((rc = sq_exec(s, st, err, "could not save the month-end state")))
			return rc;
	}
	if (!(st = sq_stmt(s, del_roll, err)))
		return HK_EDB;
	sqlite3_bind_int(st, 1, month_end);
	if ((rc = sq_exec(s, st, err, "could not save the roll rates")))
		return rc;
	for (size_t i = 0; i < n_roll; i++) {
		if (!(st = sq_stmt(s, ins_roll, err)))
			return HK_EDB;
		sqlite3_bind_int(st, 1, month_end);
		sqlite3_bind_int64(st, 2, roll[i].dims);
		sqlite3_bind_int(st, 3, roll[i].from_bucket);
		sqlite3_bind_int(st, 4, roll[i].to_bucket);
		sqlite3_bind_int64(st, 5, roll[i].accounts);
		sqlite3_bind_int64(st, 6, roll[i].principal_outstanding);
		sqlite3_bind_int64(st, 7, roll[i].total_overdue);
		if ((rc = sq_exec(s, st, err, "could not save the roll rates")))
			return rc;
	}
	return HK_OK;
}

enum hk_rc sq_report_roll_scan(struct hk_store *s, int32_t month_end,
			       int (*fn)(void *ctx,
					 const struct hk_rroll_row *r),
			       void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT dims, from_bucket, to_bucket, accounts, "
		"principal_outstanding, total_overdue FROM report_roll "
		"WHERE month_end = ?1 ORDER BY dims, from_bucket, to_bucket";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int(st, 1, month_end);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct hk_rroll_row r = {
			.dims = sqlite3_column_int64(st, 0),
			.from_bucket = sqlite3_column_int(st, 1),
			.to_bucket = sqlite3_column_int(st, 2),
			.accounts = sqlite3_column_int64(st, 3),
			.principal_outstanding = sqlite3_column_int64(st, 4),
			.total_overdue = sqlite3_column_int64(st, 5),
		};

		if (fn(ctx, &r)) {
			sq_stmt_done(st);
			return err->code ? err->code : HK_EINTERNAL;
		}
	}
	sq_stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : sq_fail(s, err, "could not read the roll rates");
}

/* Rows after a watermark, then the watermark moved to the table's last. */
static enum hk_rc take_after(struct hk_store *s, const char *sql,
			     const char *mark, bool records,
			     int (*rec_fn)(void *ctx, int64_t at,
					   int64_t user_ref, const char *channel,
					   const char *outcome),
			     int (*audit_fn)(void *ctx, int64_t at,
					     int64_t user_ref,
					     const char *detail),
			     void *ctx, struct hk_err *err)
{
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	int rc;

	if (!st)
		return HK_EDB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t at = sqlite3_column_int64(st, 0);
		int64_t user = sqlite3_column_int64(st, 1);
		const char *a = (const char *)sqlite3_column_text(st, 2);
		int stop = records ? rec_fn(ctx, at, user, a,
					    (const char *)sqlite3_column_text(st, 3))
				   : audit_fn(ctx, at, user, a);

		if (stop) {
			sq_stmt_done(st);
			return err->code ? err->code : HK_EINTERNAL;
		}
	}
	sq_stmt_done(st);
	if (rc != SQLITE_DONE)
		return sq_fail(s, err, "could not read the desk's work");
	return run(s, mark, err, "could not mark the desk's work counted");
}

enum hk_rc sq_report_records_take(struct hk_store *s,
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
		"WHERE true ON CONFLICT (key) DO UPDATE SET value = excluded.value";

	return take_after(s, sql, mark, true, fn, NULL, ctx, err);
}

enum hk_rc sq_report_refusals_take(struct hk_store *s,
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
		"WHERE true ON CONFLICT (key) DO UPDATE SET value = excluded.value";

	return take_after(s, sql, mark, false, NULL, fn, ctx, err);
}

enum hk_rc sq_report_activity_add(struct hk_store *s,
				  const struct hk_ractivity_row *rows,
				  size_t n, struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO report_activity (day, user_ref, channel, outcome, "
		"records) VALUES (?1, ?2, ?3, ?4, ?5) "
		"ON CONFLICT (day, user_ref, channel, outcome) DO UPDATE SET "
		"records = records + excluded.records";
	enum hk_rc rc;

	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *st = sq_stmt(s, sql, err);

		if (!st)
			return HK_EDB;
		sqlite3_bind_int(st, 1, rows[i].day);
		sqlite3_bind_int64(st, 2, rows[i].user_ref);
		sq_bind_str(st, 3, rows[i].channel);
		sq_bind_str(st, 4, rows[i].outcome);
		sqlite3_bind_int64(st, 5, rows[i].records);
		if ((rc = sq_exec(s, st, err, "could not save the activity")))
			return rc;
	}
	return HK_OK;
}

enum hk_rc sq_report_refusals_add(struct hk_store *s,
				  const struct hk_rrefusal_row *rows,
				  size_t n, struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO report_refusals (day, user_ref, rule, refusals) "
		"VALUES (?1, ?2, ?3, ?4) ON CONFLICT (day, user_ref, rule) "
		"DO UPDATE SET refusals = refusals + excluded.refusals";
	enum hk_rc rc;

	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *st = sq_stmt(s, sql, err);

		if (!st)
			return HK_EDB;
		sqlite3_bind_int(st, 1, rows[i].day);
		sqlite3_bind_int64(st, 2, rows[i].user_ref);
		sq_bind_str(st, 3, rows[i].rule);
		sqlite3_bind_int64(st, 4, rows[i].refusals);
		if ((rc = sq_exec(s, st, err, "could not save the refusals")))
			return rc;
	}
	return HK_OK;
}

enum hk_rc sq_report_activity_sum(struct hk_store *s, int32_t from,
				  int32_t to,
				  int (*fn)(void *ctx,
					    const struct hk_ractivity_row *r),
				  void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT user_ref, channel, outcome, sum(records) "
		"FROM report_activity WHERE day BETWEEN ?1 AND ?2 "
		"GROUP BY user_ref, channel, outcome "
		"ORDER BY user_ref, channel, outcome";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int(st, 1, from);
	sqlite3_bind_int(st, 2, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct hk_ractivity_row r = {
			.day = HK_DATE_NONE,
			.user_ref = sqlite3_column_int64(st, 0),
			.channel = (const char *)sqlite3_column_text(st, 1),
			.outcome = (const char *)sqlite3_column_text(st, 2),
			.records = sqlite3_column_int64(st, 3),
		};

		if (fn(ctx, &r)) {
			sq_stmt_done(st);
			return err->code ? err->code : HK_EINTERNAL;
		}
	}
	sq_stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : sq_fail(s, err, "could not read the activity");
}

enum hk_rc sq_report_refusals_sum(struct hk_store *s, int32_t from,
				  int32_t to,
				  int (*fn)(void *ctx,
					    const struct hk_rrefusal_row *r),
				  void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT user_ref, rule, sum(refusals) FROM report_refusals "
		"WHERE day BETWEEN ?1 AND ?2 GROUP BY user_ref, rule "
		"ORDER BY user_ref, rule";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int(st, 1, from);
	sqlite3_bind_int(st, 2, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct hk_rrefusal_row r = {
			.day = HK_DATE_NONE,
			.user_ref = sqlite3_column_int64(st, 0),
			.rule = (const char *)sqlite3_column_text(st, 1),
			.refusals = sqlite3_column_int64(st, 2),
		};

		if (fn(ctx, &r)) {
			sq_stmt_done(st);
			return err->code ? err->code : HK_EINTERNAL;
		}
	}
	sq_stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : sq_fail(s, err, "could not read the refusals");
}

enum hk_rc sq_report_stints_scan(struct hk_store *s, int64_t strategy_ref,
				 int rule_no, int32_t from, int32_t to,
				 int (*fn)(void *ctx,
					   const struct hk_rstint_row *r),
				 void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT case_ref, arm_no, since, base_overdue, recovered, "
		"payments FROM treatment_history WHERE since BETWEEN ?3 AND ?4 "
		"AND strategy_ref = ?1 AND rule_no = ?2 ORDER BY since, case_ref";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, strategy_ref);
	sqlite3_bind_int(st, 2, rule_no);
	sqlite3_bind_int(st, 3, from);
	sqlite3_bind_int(st, 4, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct hk_rstint_row r = {
			.case_ref = sqlite3_column_int64(st, 0),
			.arm_no = sqlite3_column_int(st, 1),
			.since = sqlite3_column_int(st, 2),
			.base_overdue = sqlite3_column_int64(st, 3),
			.recovered = sqlite3_column_int64(st, 4),
			.payments = sqlite3_column_int64(st, 5),
		};

		if (fn(ctx, &r)) {
			sq_stmt_done(st);
			return err->code ? err->code : HK_EINTERNAL;
		}
	}
	sq_stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : sq_fail(s, err, "could not read the stays");
}
