/*
 * store_pg_ledger.c - the PostgreSQL backend's operations for import,
 * day-end and export (store_pg.h; the SQLite twins are sq_<op> in
 * store_sqlite.c, statement for statement: one round trip where SQLite
 * steps one statement, so both backends write the same rows in the same
 * order).  Like its twin this file never decides ledger questions; it only
 * moves rows in and out.
 *
 * Scans.  A callback of the large scans (facts_scan, accounts_scan) runs
 * while libpq is still receiving the result (single-row mode), so it must
 * not use the same store: day-end's only collect.  The export's scan
 * (accounts_scan_by_id) does call back into the store for each account
 * with facts not yet booked, so it reads through a cursor, a batch at a
 * time, leaving the connection free between batches.  The per-account
 * reads (installments_load, events_load) take their few rows whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"

/* Type OIDs of the integer columns (pg_type.h is a server header). */
#define PG_INT2OID 21
#define PG_INT4OID 23
#define PG_INT8OID 20

/* Rows fetched per round trip by the export's cursor. */
#define CURSOR_BATCH 4096

#define SEEN_PAYMENTS                                                          \
	"(SELECT COALESCE(MAX(CAST(value AS BIGINT)), 0) FROM meta "          \
	"WHERE key = 'booked_payment_ref')"
#define SEEN_WAIVERS                                                           \
	"(SELECT COALESCE(MAX(CAST(value AS BIGINT)), 0) FROM meta "          \
	"WHERE key = 'booked_waiver_ref')"

#define STATE_NULLS                                                            \
	"NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "  \
	"NULL, NULL, NULL, a.case_ref"

#define STATE_COLS                                                             \
	"s.anchor, s.win_start, s.win_end, s.first_unpaid_due, "              \
	"s.overdue_principal, s.overdue_interest, s.overdue_fee, "            \
	"s.penalty_due, s.penalty_accrued, s.daily_penalty, "                 \
	"s.principal_outstanding, s.credit_balance, s.paid_total, "           \
	"s.waived_total, a.case_ref"

/* What a row callback's non-zero return makes of an op (store.h). */
static enum hk_rc stopped_rc(const struct hk_err *err)
{
	return err && err->code ? err->code : HK_EINTERNAL;
}

/* ====================================================================
 * Import
 * ==================================================================== */

/* Inside a bulk window the row joins its stream (store_pg_bulk.c: the
 * stream's columns are the statement's parameters, in order); else the
 * statement runs now. */
static enum hk_rc bulk_or_exec(struct pg_store *ps, enum pg_bulk_stream k,
			       const char *sql, const struct pg_params *p,
			       const char *what, struct hk_err *err)
{
	if (ps->bulk) {
		pgc_params(pg_bulk_row(ps, k), p);
		return HK_OK;
	}
	return pg_exec(ps, sql, p, what, err);
}

static enum hk_rc pgx_lookup(struct hk_store *s, int kind, const char *id,
			     struct hk_found *out, struct hk_err *err)
{
	static const char debtor_sql[] =
		"SELECT ref, kind FROM debtors WHERE debtor_id = $1";
	static const char contact_sql[] =
		"SELECT ref FROM contacts WHERE contact_id = $1";
	static const char account_sql[] =
		"SELECT a.ref, a.case_ref, a.open_date, a.principal, "
		"(EXISTS (SELECT 1 FROM installments i "
		"WHERE i.account_ref = a.ref))::int "
		"FROM accounts a WHERE a.account_id = $1";
	static const char payment_sql[] =
		"SELECT ref FROM payments WHERE payment_id = $1";
	static const char *const by_kind[] = {
		[HK_ID_DEBTOR] = debtor_sql,
		[HK_ID_CONTACT] = contact_sql,
		[HK_ID_ACCOUNT] = account_sql,
		[HK_ID_PAYMENT] = payment_sql,
	};
	struct pg_params p = {0};
	PGresult *r;

	memset(out, 0, sizeof(*out));
	if (kind < HK_ID_DEBTOR || kind > HK_ID_PAYMENT)
		return hk_err_set(err, HK_EINTERNAL, "bad lookup kind %d", kind);
	pgp_str(&p, id);
	if (!(r = pg_run(PG(s), by_kind[kind], &p, "could not look up an id",
			 err)))
		return HK_EDB;
	if (PQntuples(r)) {
		out->ref = pg_i64(r, 0, 0);
		if (kind == HK_ID_DEBTOR) {
			const char *k = pg_str(r, 0, 1);

			out->kind = k && !strcmp(k, "company") ? HK_DEBTOR_COMPANY
							       : HK_DEBTOR_PERSON;
		} else if (kind == HK_ID_ACCOUNT) {
			out->case_ref = pg_i64(r, 0, 1);
			out->open_date = pg_i32(r, 0, 2);
			out->principal = pg_i64(r, 0, 3);
			out->has_schedule = pg_i32(r, 0, 4) != 0;
		}
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_insert_debtor(struct hk_store *s,
				    const struct hk_debtor_rec *rec,
				    struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO debtors (debtor_id, name, kind, id_number, phone, "
		"segment, province, city, address, employer) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
	struct pg_params p = {0};

	pgp_text(&p, rec->debtor_id);
	pgp_text(&p, rec->name);
	pgp_text(&p, rec->kind == HK_DEBTOR_COMPANY ? "company" : "person");
	pgp_text(&p, rec->id_number);
	pgp_text(&p, rec->phone);
	pgp_text(&p, rec->segment);
	pgp_text(&p, rec->province);
	pgp_text(&p, rec->city);
	pgp_text(&p, rec->address);
	pgp_text(&p, rec->employer);
	return bulk_or_exec(PG(s), PGB_DEBTORS, sql, &p,
			    "could not insert a debtor", err);
}

static enum hk_rc pgx_insert_contact(struct hk_store *s,
				     const struct hk_contact_rec *rec,
				     struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO contacts (contact_id, debtor_ref, relation, name, "
		"phone, authorized) VALUES ($1, $2, $3, $4, $5, $6)";
	struct pg_params p = {0};

	pgp_text(&p, rec->contact_id);
	pgp_int(&p, rec->debtor_ref);
	pgp_text(&p, rec->relation);
	pgp_text(&p, rec->name);
	pgp_text(&p, rec->phone);
	pgp_int(&p, rec->authorized);
	return bulk_or_exec(PG(s), PGB_CONTACTS, sql, &p,
			    "could not insert a contact", err);
}

static enum hk_rc pgx_case_find(struct hk_store *s, int64_t debtor_ref,
				const char *creditor, int64_t *case_ref,
				struct hk_err *err)
{
	static const char sql[] =
		"SELECT ref FROM cases WHERE debtor_ref = $1 AND creditor = $2";
	struct pg_params p = {0};
	PGresult *r;

	*case_ref = 0;
	pgp_int(&p, debtor_ref);
	pgp_str(&p, creditor);
	if (!(r = pg_run(PG(s), sql, &p, "could not look up a case", err)))
		return HK_EDB;
	if (PQntuples(r))
		*case_ref = pg_i64(r, 0, 0);
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_insert_account(struct hk_store *s,
				     const struct hk_account_rec *rec,
				     struct hk_err *err)
{
	/* The case of an account: created with its first account, and
	 * marked with every product among its accounts (migration 14).  Not
	 * SQLite's plain upsert: PostgreSQL's takes a number from the
	 * identity even when the case exists, and case refs would drift from
	 * SQLite's with every second account of a case; here a number is
	 * taken only for a new case (the upsert stays for a concurrent one). */
	static const char case_sql[] =
		"WITH upd AS (UPDATE cases SET products = products | $3::bigint "
		"WHERE debtor_ref = $1::bigint AND creditor = $2::text "
		"RETURNING ref), "
		"ins AS (INSERT INTO cases (debtor_ref, creditor, products) "
		"SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM upd) "
		"ON CONFLICT (debtor_ref, creditor) "
		"DO UPDATE SET products = cases.products | excluded.products "
		"RETURNING ref) "
		"SELECT ref FROM upd UNION ALL SELECT ref FROM ins";
	static const char account_sql[] =
		"INSERT INTO accounts (account_id, debtor_ref, case_ref, creditor, "
		"product, principal, annual_ppm, penalty_ppm, open_date) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
	struct pg_store *ps = PG(s);
	struct pg_params p = {0};
	int64_t case_ref = 0;
	PGresult *r;

	if (ps->bulk) {
		/* store_pg_bulk.c's staging: the case is found or made there */
		struct pg_copy *c = pg_bulk_row(ps, PGB_ACCOUNTS);

		pgc_int(c, (int64_t)c->rows);
		pgc_text(c, rec->account_id);
		pgc_int(c, rec->debtor_ref);
		pgc_text(c, rec->creditor);
		pgc_int(c, 1 << rec->product);
		pgc_text(c, hk_product_name(rec->product));
		pgc_int(c, rec->principal);
		pgc_int(c, rec->annual_ppm);
		pgc_int(c, rec->penalty_ppm);
		pgc_int(c, rec->open_date);
		pgc_end(c);
		return HK_OK;
	}
	pgp_int(&p, rec->debtor_ref);
	pgp_text(&p, rec->creditor);
	pgp_int(&p, 1 << rec->product);
	if (!(r = pg_run(ps, case_sql, &p, "could not insert a case", err)))
		return HK_EDB;
	if (PQntuples(r))
		case_ref = pg_i64(r, 0, 0);
	PQclear(r);
	if (!case_ref)
		return hk_err_set(err, HK_EDB, "could not insert a case: %s",
				  "no row returned");
	memset(&p, 0, sizeof(p));
	pgp_text(&p, rec->account_id);
	pgp_int(&p, rec->debtor_ref);
	pgp_int(&p, case_ref);
	pgp_text(&p, rec->creditor);
	pgp_text(&p, hk_product_name(rec->product));
	pgp_int(&p, rec->principal);
	pgp_int(&p, rec->annual_ppm);
	pgp_int(&p, rec->penalty_ppm);
	pgp_int(&p, rec->open_date);
	return pg_exec(ps, account_sql, &p, "could not insert an account", err);
}

static enum hk_rc pgx_insert_installment(struct hk_store *s,
					 const struct hk_installment_rec *rec,
					 struct hk_err *err)
{
	/* An account day-end has never seen is replayed whole anyway: only
	 * a schedule added to a processed account is news. */
	static const char sql[] =
		"INSERT INTO installments (account_ref, seq, due_date, "
		"sched_principal, sched_interest, sched_fee, principal, interest, "
		"fee, booked) VALUES ($1, $2, $3, $4, $5, $6, $4, $5, $6, "
		"(NOT EXISTS (SELECT 1 FROM account_state "
		"WHERE account_ref = $1::bigint))::int)";
	struct pg_params p = {0};

	pgp_int(&p, rec->account_ref);
	pgp_int(&p, rec->seq);
	pgp_int(&p, rec->due);
	pgp_int(&p, rec->principal);
	pgp_int(&p, rec->interest);
	pgp_int(&p, rec->fee);
	return bulk_or_exec(PG(s), PGB_INSTALLMENTS, sql, &p,
			    "could not insert an installment", err);
}

static enum hk_rc pgx_insert_payment(struct hk_store *s,
				     const struct hk_payment_rec *rec,
				     struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO payments (payment_id, account_ref, paid_on, amount, "
		"channel, reference) VALUES ($1, $2, $3, $4, $5, $6)";
	struct pg_params p = {0};

	pgp_text(&p, rec->payment_id);
	pgp_int(&p, rec->account_ref);
	pgp_int(&p, rec->paid_on);
	pgp_int(&p, rec->amount);
	pgp_text(&p, rec->channel);
	pgp_text(&p, rec->reference);
	return bulk_or_exec(PG(s), PGB_PAYMENTS, sql, &p,
			    "could not insert a payment", err);
}

static enum hk_rc pgx_insert_waiver(struct hk_store *s,
				    const struct hk_waiver_rec *rec,
				    struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO waivers (account_ref, approved_on, component, amount, "
		"approved_by, reason) VALUES ($1, $2, $3, $4, $5, $6)";
	struct pg_params p = {0};

	pgp_int(&p, rec->account_ref);
	pgp_int(&p, rec->approved_on);
	pgp_int(&p, rec->component);
	pgp_int(&p, rec->amount);
	pgp_text(&p, rec->approved_by);
	pgp_text(&p, rec->reason);
	return pg_exec(PG(s), sql, &p, "could not insert a waiver", err);
}

static enum hk_rc pgx_insert_promise(struct hk_store *s,
				     const struct hk_promise_rec *rec,
				     struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO promises (case_ref, made_on, due_on, amount) "
		"VALUES ($1, $2, $3, $4)";
	struct pg_params p = {0};

	pgp_int(&p, rec->case_ref);
	pgp_int(&p, rec->made_on);
	pgp_int(&p, rec->due_on);
	pgp_int(&p, rec->amount);
	return bulk_or_exec(PG(s), PGB_PROMISES, sql, &p,
			    "could not insert a promise", err);
}

/* ====================================================================
 * Day-end
 * ==================================================================== */

static enum hk_rc pgx_account_max_ref(struct hk_store *s, int64_t *max_ref,
				      struct hk_err *err)
{
	static const char sql[] = "SELECT COALESCE(MAX(ref), 0) FROM accounts";
	PGresult *r;

	*max_ref = 0;
	/* (SQLite's twin ignores a failed step; a lost connection here must
	 * not look like an empty portfolio.) */
	if (!(r = pg_run(PG(s), sql, NULL, "could not read accounts", err)))
		return HK_EDB;
	if (PQntuples(r))
		*max_ref = pg_i64(r, 0, 0);
	PQclear(r);
	return HK_OK;
}

/* A whole account row (account_get, the new accounts of accounts_scan,
 * accounts_scan_by_id): its terms, then the state's columns or NULLs. */
static void read_acct_row(const PGresult *r, int i, struct hk_acct_row *row)
{
	struct hk_summary *sm = &row->summary;
	Oid product_type = PQftype(r, 2);

	row->ref = pg_i64(r, i, 0);
	row->account_id = pg_str(r, i, 1);
	row->lean = false;
	if (product_type == PG_INT8OID || product_type == PG_INT4OID ||
	    product_type == PG_INT2OID) {
		row->product = pg_i32(r, i, 2); /* state row: code */
	} else {
		const char *product = pg_str(r, i, 2);

		row->product = hk_product_parse(product ? product : "",
						product ? strlen(product) : 0);
	}
	row->open_date = pg_i32(r, i, 3);
	row->annual_ppm = pg_i32(r, i, 4);
	row->penalty_ppm = pg_i32(r, i, 5);
	row->case_ref = pg_i64(r, i, 20);
	row->has_state = !pg_isnull(r, i, 6);
	if (!row->has_state) {
		memset(sm, 0, sizeof(*sm));
		return;
	}
	sm->anchor = pg_i32(r, i, 6);
	sm->win_start = pg_i32(r, i, 7);
	sm->win_end = pg_i32(r, i, 8);
	sm->first_unpaid_due = pg_i32(r, i, 9);
	sm->overdue_principal = pg_i64(r, i, 10);
	sm->overdue_interest = pg_i64(r, i, 11);
	sm->overdue_fee = pg_i64(r, i, 12);
	sm->penalty_due = pg_i64(r, i, 13);
	sm->penalty_accrued = pg_i64(r, i, 14);
	sm->daily_penalty = pg_i64(r, i, 15);
	sm->principal_outstanding = pg_i64(r, i, 16);
	sm->credit_balance = pg_i64(r, i, 17);
	sm->paid_total = pg_i64(r, i, 18);
	sm->waived_total = pg_i64(r, i, 19);
}

/* A lean row: what a quiet day needs, from account_state alone. */
static void read_lean_row(const PGresult *r, int i, struct hk_acct_row *row)
{
	struct hk_summary *sm = &row->summary;

	memset(row, 0, sizeof(*row));
	row->ref = pg_i64(r, i, 0);
	row->has_state = true;
	row->lean = true;
	sm->win_start = pg_i32(r, i, 1);
	sm->win_end = pg_i32(r, i, 2);
	sm->first_unpaid_due = pg_i32(r, i, 3);
	sm->overdue_principal = pg_i64(r, i, 4);
	sm->overdue_interest = pg_i64(r, i, 5);
	sm->overdue_fee = pg_i64(r, i, 6);
	sm->penalty_due = pg_i64(r, i, 7);
	sm->daily_penalty = pg_i64(r, i, 8);
	sm->principal_outstanding = pg_i64(r, i, 9);
	row->case_ref = pg_i64(r, i, 10);
	row->dims = pg_i64(r, i, 11);
}

struct acct_scan {
	hk_acct_fn fn;
	void *ctx;
	bool lean, stopped;
};

static int acct_scan_row(void *ctx, const PGresult *r)
{
	struct acct_scan *sc = ctx;
	struct hk_acct_row row;

	if (sc->lean)
		read_lean_row(r, 0, &row);
	else
		read_acct_row(r, 0, &row);
	if (sc->fn(sc->ctx, &row)) {
		sc->stopped = true;
		return 1;
	}
	return 0;
}

static enum hk_rc pgx_accounts_scan(struct hk_store *s, int64_t lo,
				    int64_t hi, hk_acct_fn fn, void *ctx,
				    struct hk_err *err)
{
	/* Accounts day-end has seen, from their state rows alone and only
	 * the columns a quiet day needs... */
	static const char seen_sql[] =
		"SELECT account_ref, win_start, win_end, first_unpaid_due, "
		"overdue_principal, overdue_interest, overdue_fee, penalty_due, "
		"daily_penalty, principal_outstanding, case_ref, dims "
		"FROM account_state "
		"WHERE account_ref BETWEEN $1 AND $2 ORDER BY account_ref";
	/* ...then those it has not: all above the largest state row. */
	static const char new_sql[] =
		"SELECT a.ref, NULL, a.product, a.open_date, a.annual_ppm, "
		"a.penalty_ppm, " STATE_NULLS " FROM accounts a "
		"WHERE a.ref BETWEEN $1 AND $2 AND a.ref > "
		"(SELECT COALESCE(MAX(account_ref), 0) FROM account_state) "
		"ORDER BY a.ref";
	/* A day-end worker cannot use that bound: other workers commit
	 * higher chunks meanwhile.  Its chunk is still untouched, so its
	 * accounts without state still follow those with one. */
	static const char new_any_sql[] =
		"SELECT a.ref, NULL, a.product, a.open_date, a.annual_ppm, "
		"a.penalty_ppm, " STATE_NULLS " FROM accounts a "
		"WHERE a.ref BETWEEN $1 AND $2 AND NOT EXISTS "
		"(SELECT 1 FROM account_state s WHERE s.account_ref = a.ref) "
		"ORDER BY a.ref";
	const char *const sqls[] = {seen_sql,
				    s->batch_writer ? new_any_sql : new_sql};
	enum hk_rc rc = HK_OK;

	/* Every ref of the first query is below every ref of the second, so
	 * the rows come in ref order. */
	for (size_t i = 0; i < 2 && rc == HK_OK; i++) {
		struct acct_scan sc = {.fn = fn, .ctx = ctx,
				       .lean = sqls[i] == seen_sql};
		struct pg_params p = {0};

		pgp_int(&p, lo);
		pgp_int(&p, hi);
		rc = pg_scan(PG(s), sqls[i], &p, "could not read accounts",
			     acct_scan_row, &sc, err);
		if (rc == HK_OK && sc.stopped)
			rc = stopped_rc(err);
	}
	return rc;
}

static enum hk_rc pgx_account_get(struct hk_store *s, int64_t ref,
				  struct hk_acct_row *row, bool *found,
				  struct hk_err *err)
{
	static const char sql[] =
		"SELECT a.ref, NULL, a.product, a.open_date, a.annual_ppm, "
		"a.penalty_ppm, " STATE_COLS " FROM accounts a "
		"LEFT JOIN account_state s ON s.account_ref = a.ref "
		"WHERE a.ref = $1";
	struct pg_params p = {0};
	PGresult *r;

	*found = false;
	pgp_int(&p, ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read an account", err)))
		return HK_EDB;
	if (PQntuples(r)) {
		read_acct_row(r, 0, row);
		row->account_id = NULL;
		row->lean = false;
		*found = true;
	}
	PQclear(r);
	return HK_OK;
}

/*
 * Every account in account_id byte order, through a cursor: the callback
 * (the export's) reads the store again for accounts with facts not yet
 * booked, which a connection in the middle of a result cannot do.  Outside
 * a transaction the cursor gets one of its own, REPEATABLE READ, so the
 * whole scan and the callback's reads see one snapshot, as SQLite's read
 * transaction gives them; a caller's transaction is used as it is.
 */
static enum hk_rc pgx_accounts_scan_by_id(struct hk_store *s, hk_acct_fn fn,
					  void *ctx, struct hk_err *err)
{
	static const char declare_sql[] =
		"DECLARE hk_accounts_by_id NO SCROLL CURSOR FOR "
		"SELECT a.ref, a.account_id, a.product, a.open_date, a.annual_ppm, "
		"a.penalty_ppm, " STATE_COLS " FROM accounts a "
		"LEFT JOIN account_state s ON s.account_ref = a.ref "
		"ORDER BY a.account_id COLLATE \"C\"";
	static const char fetch_sql[] = "FETCH 4096 FROM hk_accounts_by_id";
	static const char close_sql[] = "CLOSE hk_accounts_by_id";
	struct pg_store *ps = PG(s);
	bool own_tx = PQtransactionStatus(ps->conn) == PQTRANS_IDLE;
	const char *what = "could not read accounts";
	enum hk_rc rc = HK_OK, rc2 = HK_OK;
	bool stopped = false;
	int n;

	_Static_assert(CURSOR_BATCH == 4096, "fetch_sql's count");
	if (own_tx &&
	    pg_exec_script(ps, "BEGIN ISOLATION LEVEL REPEATABLE READ", err) !=
		    HK_OK)
		return HK_EDB;
	if ((rc = pg_exec(ps, declare_sql, NULL, what, err)) != HK_OK)
		goto out;
	do {
		PGresult *r = pg_run(ps, fetch_sql, NULL, what, err);

		if (!r) {
			rc = HK_EDB;
			goto out;
		}
		n = PQntuples(r);
		for (int i = 0; i < n && !stopped; i++) {
			struct hk_acct_row row;

			read_acct_row(r, i, &row);
			stopped = fn(ctx, &row) != 0;
		}
		PQclear(r);
	} while (n == CURSOR_BATCH && !stopped);
	if (stopped) {
		/* the callback's own err stands; a failed read of its may
		 * have aborted the transaction, which ends the cursor too */
		rc = stopped_rc(err);
		if (!own_tx)
			pg_exec(ps, close_sql, NULL, what, NULL);
	} else if (!own_tx) {
		rc = pg_exec(ps, close_sql, NULL, what, err);
	}
out:
	if (own_tx) {
		/* the end of the reads (a COMMIT of an aborted transaction
		 * rolls it back); the callback may have written, and SQLite
		 * commits those when the scan's statement ends */
		if (rc == HK_OK || stopped)
			rc2 = pg_exec_script(ps, "COMMIT", rc == HK_OK ? err : NULL);
		else
			pg_exec_script(ps, "ROLLBACK", NULL);
		if (rc == HK_OK)
			rc = rc2;
	}
	return rc;
}

struct fact_scan {
	hk_fact_fn fn;
	void *ctx;
	bool stopped;
};

static int fact_scan_row(void *ctx, const PGresult *r)
{
	struct fact_scan *sc = ctx;
	struct hk_fact_row row;
	int kind = pg_i32(r, 0, 1);

	memset(&row, 0, sizeof(row));
	row.account_ref = pg_i64(r, 0, 0);
	row.kind = kind == 0   ? HK_FACT_PAYMENT
		   : kind == 1 ? HK_FACT_WAIVER
			       : HK_FACT_SCHEDULE;
	row.date = row.kind == HK_FACT_SCHEDULE ? HK_DATE_NONE : pg_i32(r, 0, 2);
	row.component = (uint8_t)pg_i32(r, 0, 3);
	row.amount = pg_i64(r, 0, 4);
	if (sc->fn(sc->ctx, &row)) {
		sc->stopped = true;
		return 1;
	}
	return 0;
}

static enum hk_rc pgx_facts_scan(struct hk_store *s, int32_t as_of,
				 hk_fact_fn fn, void *ctx, struct hk_err *err)
{
	/* New facts: past the watermarks, or deferred and now due. */
	static const char sql[] =
		"SELECT account_ref, 0, paid_on, 0, amount FROM payments "
		"WHERE ref > " SEEN_PAYMENTS " AND paid_on <= $1::bigint "
		"UNION ALL "
		"SELECT p.account_ref, 0, p.paid_on, 0, p.amount "
		"FROM deferred_facts d JOIN payments p ON p.ref = d.fact_ref "
		"WHERE d.kind = 0 AND d.date <= $1::bigint "
		"UNION ALL "
		"SELECT account_ref, 1, approved_on, component, amount FROM waivers "
		"WHERE ref > " SEEN_WAIVERS " AND approved_on <= $1::bigint "
		"UNION ALL "
		"SELECT w.account_ref, 1, w.approved_on, w.component, w.amount "
		"FROM deferred_facts d JOIN waivers w ON w.ref = d.fact_ref "
		"WHERE d.kind = 1 AND d.date <= $1::bigint "
		"UNION ALL "
		"SELECT DISTINCT account_ref, 2, NULL::bigint, 0, 0 "
		"FROM installments WHERE booked = 0";
	struct fact_scan sc = {.fn = fn, .ctx = ctx};
	struct pg_params p = {0};
	enum hk_rc rc;

	pgp_int(&p, as_of);
	rc = pg_scan(PG(s), sql, &p, "could not read new facts", fact_scan_row,
		     &sc, err);
	if (rc == HK_OK && sc.stopped)
		rc = stopped_rc(err);
	return rc;
}

static enum hk_rc pgx_installments_load(struct hk_store *s,
					int64_t account_ref, hk_inst_fn fn,
					void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT seq, due_date, sched_principal, sched_interest, sched_fee, "
		"principal, interest, fee, penalty, penalty_accrued "
		"FROM installments WHERE account_ref = $1 ORDER BY seq";
	struct pg_params p = {0};
	enum hk_rc rc = HK_OK;
	PGresult *r;

	pgp_int(&p, account_ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read installments", err)))
		return HK_EDB;
	for (int i = 0, n = PQntuples(r); i < n; i++) {
		struct hk_inst in = {
			.seq = pg_i32(r, i, 0),
			.due = pg_i32(r, i, 1),
			.sched_principal = pg_i64(r, i, 2),
			.sched_interest = pg_i64(r, i, 3),
			.sched_fee = pg_i64(r, i, 4),
			.principal = pg_i64(r, i, 5),
			.interest = pg_i64(r, i, 6),
			.fee = pg_i64(r, i, 7),
			.penalty = pg_i64(r, i, 8),
			.penalty_accrued = pg_i64(r, i, 9),
		};

		if (fn(ctx, &in)) {
			rc = stopped_rc(err);
			break;
		}
	}
	PQclear(r);
	return rc;
}

static enum hk_rc pgx_events_load(struct hk_store *s, int64_t account_ref,
				  int32_t after, int32_t to, hk_event_fn fn,
				  void *ctx, struct hk_err *err)
{
	/* hk_event_cmp's whole order (date, kind, component, amount): ties
	 * in date and kind, which SQLite leaves as they fall, come in one
	 * order here; they are same-day payments or waivers, whose sums
	 * the ledger takes in any order alike. */
	static const char sql[] =
		"SELECT paid_on, 1, 0, amount FROM payments "
		"WHERE account_ref = $1::bigint AND paid_on > $2::bigint "
		"AND paid_on <= $3::bigint "
		"UNION ALL "
		"SELECT approved_on, 0, component, amount FROM waivers "
		"WHERE account_ref = $1::bigint AND approved_on > $2::bigint "
		"AND approved_on <= $3::bigint "
		"ORDER BY 1, 2, 3, 4";
	struct pg_params p = {0};
	enum hk_rc rc = HK_OK;
	PGresult *r;

	pgp_int(&p, account_ref);
	pgp_int(&p, after);
	pgp_int(&p, to);
	if (!(r = pg_run(PG(s), sql, &p, "could not read payments and waivers",
			 err)))
		return HK_EDB;
	for (int i = 0, n = PQntuples(r); i < n; i++) {
		struct hk_event ev = {
			.date = pg_i32(r, i, 0),
			.kind = (uint8_t)pg_i32(r, i, 1),
			.component = (uint8_t)pg_i32(r, i, 2),
			.amount = pg_i64(r, i, 3),
		};

		if (fn(ctx, &ev)) {
			rc = stopped_rc(err);
			break;
		}
	}
	PQclear(r);
	return rc;
}

static enum hk_rc pgx_installments_save(struct hk_store *s,
					int64_t account_ref,
					const struct hk_inst *inst, size_t n,
					struct hk_err *err)
{
	static const char sql[] =
		"UPDATE installments SET principal = $3, interest = $4, fee = $5, "
		"penalty = $6, penalty_accrued = $7 "
		"WHERE account_ref = $1 AND seq = $2";

	for (size_t i = 0; i < n; i++) {
		struct pg_params p = {0};
		enum hk_rc rc;

		pgp_int(&p, account_ref);
		pgp_int(&p, inst[i].seq);
		pgp_int(&p, inst[i].principal);
		pgp_int(&p, inst[i].interest);
		pgp_int(&p, inst[i].fee);
		pgp_int(&p, inst[i].penalty);
		pgp_int(&p, inst[i].penalty_accrued);
		rc = bulk_or_exec(PG(s), PGB_INST_SAVE, sql, &p,
				  "could not save an installment", err);
		if (rc != HK_OK)
			return rc;
	}
	return HK_OK;
}

/* What an account's state gives its case in case_overdue (store README,
 * migrations 11, 16, 18): its first unpaid due date when overdue all
 * through the state's window, else INT32_MAX; its total overdue as a base
 * and a daily slope.  The same arithmetic as store_sqlite.c's. */
struct overdue_share {
	int32_t since;
	int64_t base, daily;
};

static struct overdue_share overdue_share(const struct hk_summary *sm)
{
	struct overdue_share o = {
		.since = sm->first_unpaid_due != HK_DATE_NONE &&
					 sm->first_unpaid_due < sm->win_start
				 ? sm->first_unpaid_due
				 : INT32_MAX,
		.base = sm->overdue_principal + sm->overdue_interest +
			sm->overdue_fee + sm->penalty_due -
			sm->daily_penalty * sm->win_start,
		.daily = sm->daily_penalty};

	return o;
}

/* Move a case's row in case_overdue for one account going from `was` to
 * `now`: the sums by the difference; the date to the new one when
 * earlier, and when the account that held the oldest date catches up, to
 * what the case's accounts say is left.  No date left: no row. */
static enum hk_rc case_overdue_move(struct pg_store *ps, int64_t case_ref,
				    struct overdue_share was,
				    struct overdue_share now, struct hk_err *err)
{
	static const char get_sql[] =
		"SELECT overdue_since, due_base, due_daily FROM case_overdue "
		"WHERE case_ref = $1";
	static const char min_sql[] =
		"SELECT COALESCE(min(first_unpaid_due), 2147483647) "
		"FROM account_state WHERE case_ref = $1 "
		"AND first_unpaid_due > -2147483648 AND first_unpaid_due < win_start";
	static const char ins_sql[] =
		"INSERT INTO case_overdue (case_ref, overdue_since, due_base, "
		"due_daily, collector_ref, team_ref, agency_ref, promise_status) "
		"SELECT ref, $2::bigint, $3::bigint, $4::bigint, collector_ref, "
		"team_ref, agency_ref, promise_status FROM cases WHERE ref = $1";
	static const char set_sql[] =
		"UPDATE case_overdue SET overdue_since = $2, due_base = $3, "
		"due_daily = $4 WHERE case_ref = $1";
	static const char del_sql[] =
		"DELETE FROM case_overdue WHERE case_ref = $1";
	struct overdue_share cur = {.since = INT32_MAX}, next;
	struct pg_params p = {0};
	const char *sql;
	PGresult *r;

	pgp_int(&p, case_ref);
	if (!(r = pg_run(ps, get_sql, &p, "could not read a case's overdue row",
			 err)))
		return HK_EDB;
	if (PQntuples(r)) {
		cur.since = pg_i32(r, 0, 0);
		cur.base = pg_i64(r, 0, 1);
		cur.daily = pg_i64(r, 0, 2);
	}
	PQclear(r);
	next.since = cur.since;
	next.base = cur.base + now.base - was.base;
	next.daily = cur.daily + now.daily - was.daily;
	if (now.since < cur.since) {
		next.since = now.since;
	} else if (was.since == cur.since && now.since > was.since) {
		if (!(r = pg_run(ps, min_sql, &p,
				 "could not read a case's overdue date", err)))
			return HK_EDB;
		next.since = PQntuples(r) ? pg_i32(r, 0, 0) : INT32_MAX;
		PQclear(r);
	}
	if (next.since == cur.since && next.base == cur.base &&
	    next.daily == cur.daily)
		return HK_OK;
	sql = next.since == INT32_MAX  ? del_sql
	      : cur.since == INT32_MAX ? ins_sql
				       : set_sql;
	if (sql != del_sql) {
		pgp_int(&p, next.since);
		pgp_int(&p, next.base);
		pgp_int(&p, next.daily);
	}
	return pg_exec(ps, sql, &p, "could not update a case's overdue row", err);
}

static enum hk_rc pgx_state_save(struct hk_store *s,
				 const struct hk_acct_row *row,
				 const struct hk_summary *sm, struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO account_state (account_ref, product, open_date, "
		"annual_ppm, penalty_ppm, anchor, win_start, "
		"win_end, first_unpaid_due, overdue_principal, overdue_interest, "
		"overdue_fee, penalty_due, penalty_accrued, daily_penalty, "
		"principal_outstanding, credit_balance, paid_total, waived_total, "
		"case_ref) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
		"$14, $15, $16, $17, $18, $19, $20) "
		"ON CONFLICT (account_ref) DO UPDATE SET "
		"anchor = excluded.anchor, "
		"win_start = excluded.win_start, win_end = excluded.win_end, "
		"first_unpaid_due = excluded.first_unpaid_due, "
		"overdue_principal = excluded.overdue_principal, "
		"overdue_interest = excluded.overdue_interest, "
		"overdue_fee = excluded.overdue_fee, "
		"penalty_due = excluded.penalty_due, "
		"penalty_accrued = excluded.penalty_accrued, "
		"daily_penalty = excluded.daily_penalty, "
		"principal_outstanding = excluded.principal_outstanding, "
		"credit_balance = excluded.credit_balance, "
		"paid_total = excluded.paid_total, "
		"waived_total = excluded.waived_total";
	struct pg_store *ps = PG(s);
	/* What the stored state gave the case: day-end saves an account
	 * once a run, from the row it read (lean rows carry what is needed). */
	struct overdue_share was = {.since = INT32_MAX}, now = overdue_share(sm);
	struct pg_params p = {0};
	enum hk_rc rc;

	if (row->has_state)
		was = overdue_share(&row->summary);
	pgp_int(&p, row->ref);
	pgp_int(&p, row->product);
	pgp_int(&p, row->open_date);
	pgp_int(&p, row->annual_ppm);
	pgp_int(&p, row->penalty_ppm);
	pgp_int(&p, sm->anchor);
	pgp_int(&p, sm->win_start);
	pgp_int(&p, sm->win_end);
	pgp_int(&p, sm->first_unpaid_due);
	pgp_int(&p, sm->overdue_principal);
	pgp_int(&p, sm->overdue_interest);
	pgp_int(&p, sm->overdue_fee);
	pgp_int(&p, sm->penalty_due);
	pgp_int(&p, sm->penalty_accrued);
	pgp_int(&p, sm->daily_penalty);
	pgp_int(&p, sm->principal_outstanding);
	pgp_int(&p, sm->credit_balance);
	pgp_int(&p, sm->paid_total);
	pgp_int(&p, sm->waived_total);
	pgp_int(&p, row->case_ref);
	if (ps->bulk) {
		/* the case's row moves at bulk_end, by every account's
		 * difference (store_pg_bulk.c) */
		struct pg_copy *c = pg_bulk_row(ps, PGB_STATE);

		for (int i = 0; i < p.n; i++)
			pgc_str(c, p.val[i]);
		pgc_int(c, was.since);
		pgc_int(c, was.base);
		pgc_int(c, was.daily);
		pgc_int(c, now.since);
		pgc_int(c, now.base);
		pgc_int(c, now.daily);
		pgc_end(c);
		return HK_OK;
	}
	if ((rc = pg_exec(ps, sql, &p, "could not save an account's state",
			  err)) != HK_OK)
		return rc;

	/* Only overdue accounts owe the case anything here. */
	if (was.since == INT32_MAX && now.since == INT32_MAX)
		return HK_OK;
	return case_overdue_move(ps, row->case_ref, was, now, err);
}

static enum hk_rc pgx_facts_mark_booked(struct hk_store *s, int32_t as_of,
					struct hk_err *err)
{
	static const char defer_sql[] =
		"INSERT INTO deferred_facts (kind, fact_ref, account_ref, date) "
		"SELECT 0, ref, account_ref, paid_on FROM payments "
		"WHERE ref > " SEEN_PAYMENTS " AND paid_on > $1::bigint "
		"UNION ALL "
		"SELECT 1, ref, account_ref, approved_on FROM waivers "
		"WHERE ref > " SEEN_WAIVERS " AND approved_on > $1::bigint";
	static const char undefer_sql[] =
		"DELETE FROM deferred_facts WHERE date <= $1::bigint";
	static const char marks_sql[] =
		"INSERT INTO meta (key, value) "
		"SELECT 'booked_payment_ref', COALESCE(MAX(ref), 0)::text "
		"FROM payments "
		"UNION ALL "
		"SELECT 'booked_waiver_ref', COALESCE(MAX(ref), 0)::text "
		"FROM waivers "
		"ON CONFLICT (key) DO UPDATE SET value = excluded.value";
	static const char installments_sql[] =
		"UPDATE installments SET booked = 1 WHERE booked = 0";
	/* Order matters: defer the new facts dated later while the old
	 * watermarks still tell which are new, then move the watermarks. */
	static const char *const sqls[] = {defer_sql, undefer_sql, marks_sql,
					   installments_sql};

	for (size_t i = 0; i < sizeof(sqls) / sizeof(sqls[0]); i++) {
		struct pg_params p = {0};
		enum hk_rc rc;

		if (sqls[i] == defer_sql || sqls[i] == undefer_sql)
			pgp_int(&p, as_of);
		rc = pg_exec(PG(s), sqls[i], &p, "could not mark facts booked",
			     err);
		if (rc != HK_OK)
			return rc;
	}
	return HK_OK;
}

static const char *bucket_name_or(const char *name)
{
	return name && *name ? name : "?";
}

static enum hk_rc pgx_transition_record(struct hk_store *s,
					int64_t account_ref, int32_t as_of,
					const char *from, const char *to,
					struct hk_err *err)
{
	static const char get_sql[] =
		"SELECT from_bucket FROM bucket_transitions "
		"WHERE account_ref = $1 AND as_of = $2";
	static const char ins_sql[] =
		"INSERT INTO bucket_transitions (account_ref, as_of, "
		"from_bucket, to_bucket) VALUES ($1, $2, $3, $4)";
	static const char upd_sql[] =
		"UPDATE bucket_transitions SET to_bucket = $3 "
		"WHERE account_ref = $1 AND as_of = $2";
	static const char del_sql[] =
		"DELETE FROM bucket_transitions "
		"WHERE account_ref = $1 AND as_of = $2";
	struct pg_store *ps = PG(s);
	char first_from[HK_BUCKET_NAME_MAX] = "";
	struct pg_params p = {0};
	bool exists = false;
	const char *sql;
	PGresult *r;

	if (ps->bulk) {
		struct pg_copy *c = pg_bulk_row(ps, PGB_TRANS);

		pgc_int(c, account_ref);
		pgc_int(c, as_of);
		pgc_str(c, bucket_name_or(from));
		pgc_str(c, bucket_name_or(to));
		pgc_end(c);
		return HK_OK;
	}

	pgp_int(&p, account_ref);
	pgp_int(&p, as_of);
	if (!(r = pg_run(ps, get_sql, &p, "could not read a bucket transition",
			 err)))
		return HK_EDB;
	if (PQntuples(r)) {
		exists = true;
		snprintf(first_from, sizeof(first_from), "%s", PQgetvalue(r, 0, 0));
	}
	PQclear(r);

	if (!exists) {
		sql = ins_sql;
		pgp_str(&p, bucket_name_or(from));
		pgp_str(&p, bucket_name_or(to));
	} else if (!strcmp(first_from, to)) {
		sql = del_sql; /* moved back: no change that day */
	} else {
		sql = upd_sql;
		pgp_str(&p, bucket_name_or(to));
	}
	return pg_exec(ps, sql, &p, "could not record a bucket transition", err);
}

static enum hk_rc pgx_day_totals_save(struct hk_store *s, int32_t as_of,
				      const struct hk_bucket_table *buckets,
				      const struct hk_bucket_totals *totals,
				      struct hk_err *err)
{
	static const char del_sql[] = "DELETE FROM day_totals WHERE as_of = $1";
	static const char ins_sql[] =
		"INSERT INTO day_totals (as_of, bucket, position, accounts, "
		"overdue_principal, overdue_interest, overdue_fee, penalty_due, "
		"total_overdue, principal_outstanding) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
	struct pg_store *ps = PG(s);
	struct pg_params p = {0};
	enum hk_rc rc;

	pgp_int(&p, as_of);
	if ((rc = pg_exec(ps, del_sql, &p, "could not replace day totals",
			  err)) != HK_OK)
		return rc;
	for (int b = 0; b < buckets->n; b++) {
		const struct hk_bucket_totals *t = &totals[b];

		memset(&p, 0, sizeof(p));
		pgp_int(&p, as_of);
		pgp_str(&p, buckets->name[b]);
		pgp_int(&p, b);
		pgp_int(&p, t->accounts);
		pgp_int(&p, t->overdue_principal);
		pgp_int(&p, t->overdue_interest);
		pgp_int(&p, t->overdue_fee);
		pgp_int(&p, t->penalty_due);
		pgp_int(&p, t->total_overdue);
		pgp_int(&p, t->principal_outstanding);
		if ((rc = pg_exec(ps, ins_sql, &p, "could not save day totals",
				  err)) != HK_OK)
			return rc;
	}
	return HK_OK;
}

struct promise_scan {
	hk_promise_fn fn;
	void *ctx;
	bool stopped;
};

static int promise_scan_row(void *ctx, const PGresult *r)
{
	struct promise_scan *sc = ctx;
	struct hk_promise_row row = {
		.ref = pg_i64(r, 0, 0),
		.made_on = pg_i32(r, 0, 1),
		.due_on = pg_i32(r, 0, 2),
		.amount = pg_i64(r, 0, 3),
		.status = pg_i32(r, 0, 4),
		.evaluated = pg_i32(r, 0, 5) != 0,
		.paid = pg_i64(r, 0, 6),
	};

	if (sc->fn(sc->ctx, &row)) {
		sc->stopped = true;
		return 1;
	}
	return 0;
}

static enum hk_rc pgx_promises_scan(struct hk_store *s, int32_t as_of,
				    hk_promise_fn fn, void *ctx,
				    struct hk_err *err)
{
	/* The promises whose status can change today: pending ones never
	 * evaluated or past their date, and those not kept whose case has a
	 * payment day-end has not booked yet (kept is final, payments are
	 * never taken back). */
	static const char sql[] =
		"WITH fresh (account_ref, paid_on) AS ("
		" SELECT account_ref, paid_on FROM payments "
		" WHERE ref > " SEEN_PAYMENTS " AND paid_on <= $1::bigint "
		" UNION ALL "
		" SELECT account_ref, date FROM deferred_facts "
		" WHERE kind = 0 AND date <= $1::bigint), "
		"todo (ref) AS ("
		" SELECT ref FROM promises WHERE status = 0 "
		" AND made_on <= $1::bigint "
		" AND (evaluated_on IS NULL OR due_on < $1::bigint) "
		" UNION "
		" SELECT p.ref FROM fresh f "
		" JOIN accounts a ON a.ref = f.account_ref "
		" JOIN promises p ON p.case_ref = a.case_ref "
		" WHERE p.status <> 1 AND f.paid_on BETWEEN p.made_on AND p.due_on) "
		"SELECT p.ref, p.made_on, p.due_on, p.amount, p.status, "
		"(p.evaluated_on IS NOT NULL)::int, "
		"(SELECT COALESCE(SUM(pay.amount), 0)::bigint FROM accounts a "
		" JOIN payments pay ON pay.account_ref = a.ref "
		" WHERE a.case_ref = p.case_ref AND pay.paid_on >= p.made_on "
		" AND pay.paid_on <= LEAST($1::bigint, p.due_on)) "
		"FROM todo JOIN promises p ON p.ref = todo.ref ORDER BY p.ref";
	struct promise_scan sc = {.fn = fn, .ctx = ctx};
	struct pg_params p = {0};
	enum hk_rc rc;

	pgp_int(&p, as_of);
	rc = pg_scan(PG(s), sql, &p, "could not read promises",
		     promise_scan_row, &sc, err);
	if (rc == HK_OK && sc.stopped)
		rc = stopped_rc(err);
	return rc;
}

static enum hk_rc pgx_promise_set_status(struct hk_store *s, int64_t ref,
					 int status, int32_t as_of,
					 struct hk_err *err)
{
	static const char sql[] =
		"UPDATE promises SET status = $2, evaluated_on = $3 "
		"WHERE ref = $1";
	struct pg_params p = {0};

	pgp_int(&p, ref);
	pgp_int(&p, status);
	pgp_int(&p, as_of);
	return pg_exec(PG(s), sql, &p, "could not save a promise's status", err);
}

static enum hk_rc pgx_eod_run_record(struct hk_store *s,
				     const struct hk_eod_run_rec *rec,
				     struct hk_err *err)
{
	/* finished_at as SQLite's strftime('%Y-%m-%dT%H:%M:%SZ', 'now'):
	 * the statement's time (now() would be the transaction's start) */
	static const char sql[] =
		"INSERT INTO eod_runs (as_of, finished_at, accounts, replayed, "
		"advanced, crossed, transitions) VALUES ($1, "
		"to_char(statement_timestamp() AT TIME ZONE 'UTC', "
		"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), $2, $3, $4, $5, $6)";
	struct pg_params p = {0};

	pgp_int(&p, rec->as_of);
	pgp_int(&p, rec->accounts);
	pgp_int(&p, rec->replayed);
	pgp_int(&p, rec->advanced);
	pgp_int(&p, rec->crossed);
	pgp_int(&p, rec->transitions);
	return pg_exec(PG(s), sql, &p, "could not record the day-end run", err);
}

static enum hk_rc pgx_eod_part_save(struct hk_store *s, int32_t as_of,
				    const struct hk_eod_part *part,
				    struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO eod_parts (as_of, lo, hi, accounts, replayed, "
		"advanced, crossed, transitions, totals) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
	char totals[HK_EOD_TOTALS_TEXT];
	struct pg_params p = {0};

	hk_eod_totals_text(part->totals, totals, sizeof(totals));
	pgp_int(&p, as_of);
	pgp_int(&p, part->lo);
	pgp_int(&p, part->hi);
	pgp_int(&p, part->accounts);
	pgp_int(&p, part->replayed);
	pgp_int(&p, part->advanced);
	pgp_int(&p, part->crossed);
	pgp_int(&p, part->transitions);
	pgp_str(&p, totals);
	return pg_exec(PG(s), sql, &p, "could not record a day-end chunk", err);
}

static enum hk_rc pgx_eod_parts_scan(struct hk_store *s, int32_t as_of,
				     hk_eod_part_fn fn, void *ctx,
				     struct hk_err *err)
{
	static const char sql[] =
		"SELECT lo, hi, accounts, replayed, advanced, crossed, "
		"transitions, totals FROM eod_parts WHERE as_of = $1 ORDER BY lo";
	struct pg_params p = {0};
	struct hk_eod_part part;
	enum hk_rc rc = HK_OK;
	PGresult *r;

	pgp_int(&p, as_of);
	if (!(r = pg_run(PG(s), sql, &p, "could not read the day-end chunks",
			 err)))
		return HK_EDB;
	/* a day holds a few hundred chunks at most: one result */
	for (int i = 0; i < PQntuples(r) && rc == HK_OK; i++) {
		memset(&part, 0, sizeof(part));
		part.lo = pg_i64(r, i, 0);
		part.hi = pg_i64(r, i, 1);
		part.accounts = pg_i64(r, i, 2);
		part.replayed = pg_i64(r, i, 3);
		part.advanced = pg_i64(r, i, 4);
		part.crossed = pg_i64(r, i, 5);
		part.transitions = pg_i64(r, i, 6);
		if (hk_eod_totals_parse(pg_str(r, i, 7), part.totals) != HK_OK)
			rc = hk_err_set(err, HK_EDB,
					"day-end chunk %lld: unreadable totals",
					(long long)part.lo);
		else if (fn(ctx, &part))
			rc = stopped_rc(err);
	}
	PQclear(r);
	return rc;
}

static enum hk_rc pgx_eod_parts_clear(struct hk_store *s, int32_t as_of,
				      struct hk_err *err)
{
	static const char sql[] = "DELETE FROM eod_parts WHERE as_of = $1";
	struct pg_params p = {0};

	pgp_int(&p, as_of);
	return pg_exec(PG(s), sql, &p, "could not clear the day-end chunks",
		       err);
}

void hk_pg_ops_ledger(struct hk_store_ops *ops)
{
	ops->lookup = pgx_lookup;
	ops->insert_debtor = pgx_insert_debtor;
	ops->insert_contact = pgx_insert_contact;
	ops->insert_account = pgx_insert_account;
	ops->insert_installment = pgx_insert_installment;
	ops->insert_payment = pgx_insert_payment;
	ops->insert_waiver = pgx_insert_waiver;
	ops->insert_promise = pgx_insert_promise;
	ops->case_find = pgx_case_find;
	ops->account_max_ref = pgx_account_max_ref;
	ops->accounts_scan = pgx_accounts_scan;
	ops->account_get = pgx_account_get;
	ops->facts_scan = pgx_facts_scan;
	ops->installments_load = pgx_installments_load;
	ops->events_load = pgx_events_load;
	ops->installments_save = pgx_installments_save;
	ops->state_save = pgx_state_save;
	ops->facts_mark_booked = pgx_facts_mark_booked;
	ops->transition_record = pgx_transition_record;
	ops->day_totals_save = pgx_day_totals_save;
	ops->promises_scan = pgx_promises_scan;
	ops->promise_set_status = pgx_promise_set_status;
	ops->eod_run_record = pgx_eod_run_record;
	ops->eod_part_save = pgx_eod_part_save;
	ops->eod_parts_scan = pgx_eod_parts_scan;
	ops->eod_parts_clear = pgx_eod_parts_clear;
	ops->accounts_scan_by_id = pgx_accounts_scan_by_id;
}
