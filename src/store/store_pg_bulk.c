/*
 * store_pg_bulk.c - bulk writing on PostgreSQL (store.h: bulk_begin,
 * bulk_end, lookup_many).  Inside a bulk window the import's inserts and
 * day-end's write-back are not sent one statement a row: each row is
 * appended, as COPY text, to the stream of its target, and bulk_end sends
 * every stream with one COPY - straight into the table where a row needs
 * nothing from the database (debtors, contacts, payments, promises), else
 * into a temporary staging table that a few set-based statements merge:
 *
 *   accounts       the cases of new (debtor, creditor) pairs, created in
 *                  the order of their first account, the products of the
 *                  others; then the accounts in file order (refs as the
 *                  row-by-row inserts give them, and as SQLite does)
 *   installments   booked = 0 only for accounts day-end has seen
 *   installment state, account state, bucket transitions
 *                  day-end's write-back: UPDATE ... FROM, an upsert, and
 *                  the case's row in case_overdue moved by the accounts'
 *                  differences exactly as state_save moves it one account
 *                  at a time (store_pg_ledger.c: case_overdue_move)
 *   treatments, allocation
 *                  day-end's strategy: each case's treatment saved,
 *                  rechecked or ended with its history row; the moves of
 *                  cases with their assignment records, in order
 *
 * A round trip or three per stream per window instead of one to four per
 * row: that is what makes import and day-end on PostgreSQL a matter of
 * the server's work rather than of the network's latency.
 *
 * The staging tables are temporary (this connection's), created when
 * first needed and emptied after each merge.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"

/* COPY sends at most this much per PQputCopyData. */
#define COPY_PIECE (256 * 1024)
/* Ids per lookup_many round: bounds the result held in memory. */
#define LOOKUP_BATCH 65536

/* ---- COPY text (the text format: tab-separated, \N for NULL) -------- */

static void grow(struct pg_copy *c, size_t more)
{
	if (c->len + more <= c->cap)
		return;
	c->cap = c->cap ? c->cap : 64 * 1024;
	while (c->len + more > c->cap)
		c->cap *= 2;
	c->buf = hk_realloc(c->buf, c->cap);
}

void pgc_int(struct pg_copy *c, int64_t v)
{
	grow(c, 24);
	c->len += (size_t)snprintf(c->buf + c->len, 24, "%lld\t", (long long)v);
}

void pgc_str(struct pg_copy *c, const char *s)
{
	if (!s) {
		grow(c, 3);
		memcpy(c->buf + c->len, "\\N\t", 3);
		c->len += 3;
		return;
	}
	grow(c, 2 * strlen(s) + 1);
	for (; *s; s++) {
		char e = *s == '\\' ? '\\' : *s == '\t' ? 't' : *s == '\n' ? 'n'
			 : *s == '\r' ? 'r' : 0;

		if (e) {
			c->buf[c->len++] = '\\';
			c->buf[c->len++] = e;
		} else {
			c->buf[c->len++] = *s;
		}
	}
	c->buf[c->len++] = '\t';
}

void pgc_text(struct pg_copy *c, const char *s)
{
	pgc_str(c, s && *s ? s : NULL);
}

void pgc_params(struct pg_copy *c, const struct pg_params *p)
{
	for (int i = 0; i < p->n; i++)
		pgc_str(c, p->val[i]);
	pgc_end(c);
}

void pgc_end(struct pg_copy *c)
{
	if (c->len && c->buf[c->len - 1] == '\t')
		c->buf[c->len - 1] = '\n';
	c->rows++;
}

static void copy_reset(struct pg_copy *c)
{
	c->len = 0;
	c->rows = 0;
}

enum hk_rc pg_copy_in(struct pg_store *ps, const char *copy_sql,
		      struct pg_copy *c, const char *what, struct hk_err *err)
{
	PGresult *r = PQexec(ps->conn, copy_sql);
	enum hk_rc rc = HK_OK;
	bool sent = true;

	if (PQresultStatus(r) != PGRES_COPY_IN) {
		PGresult *last;

		rc = pg_result_error(ps, r, what, err);
		/* a failed COPY start has no copy state to end */
		while ((last = PQgetResult(ps->conn)))
			PQclear(last);
		copy_reset(c);
		return rc;
	}
	PQclear(r);
	for (size_t off = 0; sent && off < c->len; off += COPY_PIECE) {
		size_t n = c->len - off < COPY_PIECE ? c->len - off : COPY_PIECE;

		sent = PQputCopyData(ps->conn, c->buf + off, (int)n) == 1;
	}
	if (PQputCopyEnd(ps->conn, sent ? NULL : "huikuan: could not send") != 1)
		sent = false;
	while ((r = PQgetResult(ps->conn))) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == HK_OK)
			rc = pg_result_error(ps, r, what, err);
		else
			PQclear(r);
	}
	if (rc == HK_OK && !sent)
		rc = pg_result_error(ps, NULL, what, err);
	copy_reset(c);
	return rc;
}

/* ---- the streams ----------------------------------------------------- */

struct stream_def {
	const char *staging; /* CREATE TEMP TABLE IF NOT EXISTS ...; NULL: none */
	const char *copy;    /* COPY ... FROM STDIN */
	const char *merge;   /* statements run after the COPY; NULL: none */
	const char *what;
};

#define MAXDATE "2147483647"

/* The case's overdue row after a window of state saves.  Per case: the
 * sums move by the accounts' differences; the date is the earliest new
 * one when that is earlier than the row's, else, when an account that
 * held the row's date caught up, what the case's accounts now say (the
 * states are already saved), else the row's.  That is where the one-at-a-
 * time moves end (the date is always the earliest over the accounts). */
#define CASE_OVERDUE_MERGE                                                    \
	"WITH t AS (SELECT case_ref, was_since, now_since, "                   \
	"now_base - was_base AS d_base, now_daily - was_daily AS d_daily "     \
	"FROM hk_bk_state WHERE was_since < " MAXDATE                          \
	" OR now_since < " MAXDATE "), "                                       \
	"c AS (SELECT t.case_ref, o.case_ref IS NOT NULL AS has_row, "         \
	"COALESCE(o.overdue_since, " MAXDATE ") AS cur_since, "                \
	"COALESCE(o.due_base, 0) AS cur_base, "                                \
	"COALESCE(o.due_daily, 0) AS cur_daily, "                              \
	"sum(t.d_base) AS d_base, sum(t.d_daily) AS d_daily, "                 \
	"min(t.now_since) AS min_now, "                                        \
	"bool_or(t.was_since = COALESCE(o.overdue_since, " MAXDATE ") "        \
	"AND t.now_since > t.was_since) AS caught_up "                         \
	"FROM t LEFT JOIN case_overdue o ON o.case_ref = t.case_ref "          \
	"GROUP BY t.case_ref, o.case_ref, o.overdue_since, o.due_base, "       \
	"o.due_daily), "                                                       \
	"n AS (SELECT case_ref, has_row, cur_since, cur_base, cur_daily, "     \
	"cur_base + d_base AS base, cur_daily + d_daily AS daily, "            \
	"CASE WHEN min_now < cur_since THEN min_now "                          \
	"WHEN caught_up THEN (SELECT COALESCE(min(a.first_unpaid_due), "       \
	MAXDATE ") FROM account_state a WHERE a.case_ref = c.case_ref "        \
	"AND a.first_unpaid_due > -2147483648 "                                \
	"AND a.first_unpaid_due < a.win_start) "                               \
	"ELSE cur_since END AS since FROM c), "                                \
	"del AS (DELETE FROM case_overdue o USING n "                          \
	"WHERE o.case_ref = n.case_ref AND n.has_row "                         \
	"AND n.since = " MAXDATE "), "                                         \
	"upd AS (UPDATE case_overdue o SET overdue_since = n.since, "          \
	"due_base = n.base, due_daily = n.daily FROM n "                       \
	"WHERE o.case_ref = n.case_ref AND n.has_row "                         \
	"AND n.since < " MAXDATE " AND (n.since <> n.cur_since "               \
	"OR n.base <> n.cur_base OR n.daily <> n.cur_daily)) "                 \
	"INSERT INTO case_overdue (case_ref, overdue_since, due_base, "        \
	"due_daily, collector_ref, team_ref, agency_ref, promise_status) "     \
	"SELECT n.case_ref, n.since, n.base, n.daily, k.collector_ref, "       \
	"k.team_ref, k.agency_ref, k.promise_status "                          \
	"FROM n JOIN cases k ON k.ref = n.case_ref "                           \
	"WHERE NOT n.has_row AND n.since < " MAXDATE " ORDER BY n.case_ref"

static const struct stream_def streams[PGB_N] = {
	[PGB_DEBTORS] = {
		.copy = "COPY debtors (debtor_id, name, kind, id_number, phone, "
			"segment, province, city, address, employer) FROM STDIN",
		.what = "could not insert debtors"},
	[PGB_CONTACTS] = {
		.copy = "COPY contacts (contact_id, debtor_ref, relation, name, "
			"phone, authorized) FROM STDIN",
		.what = "could not insert contacts"},
	[PGB_ACCOUNTS] = {
		.staging = "CREATE TEMP TABLE IF NOT EXISTS hk_bk_accounts ("
			   "seq BIGINT, account_id TEXT, debtor_ref BIGINT, "
			   "creditor TEXT, products BIGINT, product TEXT, "
			   "principal BIGINT, annual_ppm BIGINT, "
			   "penalty_ppm BIGINT, open_date BIGINT)",
		.copy = "COPY hk_bk_accounts FROM STDIN",
		.merge =
			"UPDATE cases c SET products = c.products | s.bits "
			"FROM (SELECT debtor_ref, creditor, "
			"bit_or(products) AS bits FROM hk_bk_accounts "
			"GROUP BY debtor_ref, creditor) s "
			"WHERE c.debtor_ref = s.debtor_ref "
			"AND c.creditor = s.creditor; "
			"INSERT INTO cases (debtor_ref, creditor, products) "
			"SELECT s.debtor_ref, s.creditor, bit_or(s.products) "
			"FROM hk_bk_accounts s WHERE NOT EXISTS (SELECT 1 "
			"FROM cases c WHERE c.debtor_ref = s.debtor_ref "
			"AND c.creditor = s.creditor) "
			"GROUP BY s.debtor_ref, s.creditor ORDER BY min(s.seq); "
			"INSERT INTO accounts (account_id, debtor_ref, case_ref, "
			"creditor, product, principal, annual_ppm, penalty_ppm, "
			"open_date) SELECT s.account_id, s.debtor_ref, c.ref, "
			"s.creditor, s.product, s.principal, s.annual_ppm, "
			"s.penalty_ppm, s.open_date FROM hk_bk_accounts s "
			"JOIN cases c ON c.debtor_ref = s.debtor_ref "
			"AND c.creditor = s.creditor ORDER BY s.seq; "
			"TRUNCATE hk_bk_accounts",
		.what = "could not insert accounts"},
	[PGB_INSTALLMENTS] = {
		.staging = "CREATE TEMP TABLE IF NOT EXISTS hk_bk_inst ("
			   "account_ref BIGINT, seq BIGINT, due_date BIGINT, "
			   "principal BIGINT, interest BIGINT, fee BIGINT)",
		.copy = "COPY hk_bk_inst FROM STDIN",
		.merge =
			"INSERT INTO installments (account_ref, seq, due_date, "
			"sched_principal, sched_interest, sched_fee, principal, "
			"interest, fee, booked) SELECT s.account_ref, s.seq, "
			"s.due_date, s.principal, s.interest, s.fee, s.principal, "
			"s.interest, s.fee, (NOT EXISTS (SELECT 1 FROM "
			"account_state a WHERE a.account_ref = s.account_ref))::int "
			"FROM hk_bk_inst s; "
			"TRUNCATE hk_bk_inst",
		.what = "could not insert installments"},
	[PGB_PAYMENTS] = {
		.copy = "COPY payments (payment_id, account_ref, paid_on, amount, "
			"channel, reference) FROM STDIN",
		.what = "could not insert payments"},
	[PGB_PROMISES] = {
		.copy = "COPY promises (case_ref, made_on, due_on, amount) "
			"FROM STDIN",
		.what = "could not insert promises"},
	[PGB_INST_SAVE] = {
		.staging = "CREATE TEMP TABLE IF NOT EXISTS hk_bk_inst_save ("
			   "account_ref BIGINT, seq BIGINT, principal BIGINT, "
			   "interest BIGINT, fee BIGINT, penalty BIGINT, "
			   "penalty_accrued BIGINT)",
		.copy = "COPY hk_bk_inst_save FROM STDIN",
		.merge =
			"UPDATE installments i SET principal = s.principal, "
			"interest = s.interest, fee = s.fee, penalty = s.penalty, "
			"penalty_accrued = s.penalty_accrued "
			"FROM hk_bk_inst_save s WHERE i.account_ref = s.account_ref "
			"AND i.seq = s.seq; "
			"TRUNCATE hk_bk_inst_save",
		.what = "could not save installments"},
	[PGB_STATE] = {
		.staging = "CREATE TEMP TABLE IF NOT EXISTS hk_bk_state ("
			   "account_ref BIGINT, product BIGINT, open_date BIGINT, "
			   "annual_ppm BIGINT, penalty_ppm BIGINT, anchor BIGINT, "
			   "win_start BIGINT, win_end BIGINT, "
			   "first_unpaid_due BIGINT, overdue_principal BIGINT, "
			   "overdue_interest BIGINT, overdue_fee BIGINT, "
			   "penalty_due BIGINT, penalty_accrued BIGINT, "
			   "daily_penalty BIGINT, principal_outstanding BIGINT, "
			   "credit_balance BIGINT, paid_total BIGINT, "
			   "waived_total BIGINT, case_ref BIGINT, "
			   "was_since BIGINT, was_base BIGINT, was_daily BIGINT, "
			   "now_since BIGINT, now_base BIGINT, now_daily BIGINT)",
		.copy = "COPY hk_bk_state FROM STDIN",
		.merge =
			"INSERT INTO account_state (account_ref, product, "
			"open_date, annual_ppm, penalty_ppm, anchor, win_start, "
			"win_end, first_unpaid_due, overdue_principal, "
			"overdue_interest, overdue_fee, penalty_due, "
			"penalty_accrued, daily_penalty, principal_outstanding, "
			"credit_balance, paid_total, waived_total, case_ref) "
			"SELECT account_ref, product, open_date, annual_ppm, "
			"penalty_ppm, anchor, win_start, win_end, "
			"first_unpaid_due, overdue_principal, overdue_interest, "
			"overdue_fee, penalty_due, penalty_accrued, "
			"daily_penalty, principal_outstanding, credit_balance, "
			"paid_total, waived_total, case_ref FROM hk_bk_state "
			"ORDER BY account_ref "
			"ON CONFLICT (account_ref) DO UPDATE SET "
			"anchor = excluded.anchor, "
			"win_start = excluded.win_start, "
			"win_end = excluded.win_end, "
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
			"waived_total = excluded.waived_total; " CASE_OVERDUE_MERGE
			"; TRUNCATE hk_bk_state",
		.what = "could not save accounts' states"},
	[PGB_TRANS] = {
		.staging = "CREATE TEMP TABLE IF NOT EXISTS hk_bk_trans ("
			   "account_ref BIGINT, as_of BIGINT, from_bucket TEXT, "
			   "to_bucket TEXT)",
		.copy = "COPY hk_bk_trans FROM STDIN",
		/* a second move on the same day keeps the first `from`; one
		 * that ends where it started is no move (transition_record) */
		.merge =
			"INSERT INTO bucket_transitions (account_ref, as_of, "
			"from_bucket, to_bucket) SELECT account_ref, as_of, "
			"from_bucket, to_bucket FROM hk_bk_trans "
			"ORDER BY account_ref "
			"ON CONFLICT (as_of, account_ref) "
			"DO UPDATE SET to_bucket = excluded.to_bucket; "
			"DELETE FROM bucket_transitions b USING hk_bk_trans t "
			"WHERE b.account_ref = t.account_ref "
			"AND b.as_of = t.as_of AND b.from_bucket = b.to_bucket; "
			"TRUNCATE hk_bk_trans",
		.what = "could not record bucket transitions"},
	[PGB_TREAT] = {
		/* op 0 save, 1 recheck, 2 clear (store_pg_strategy.c) */
		.staging = "CREATE TEMP TABLE IF NOT EXISTS hk_bk_treat ("
			   "seq BIGINT, op BIGINT, case_ref BIGINT, "
			   "strategy_ref BIGINT, rule_no BIGINT, arm_no BIGINT, "
			   "priority BIGINT, since BIGINT, recheck_on BIGINT, "
			   "rerun BIGINT, base_overdue BIGINT)",
		.copy = "COPY hk_bk_treat FROM STDIN",
		.merge =
			"DELETE FROM case_treatment c USING hk_bk_treat t "
			"WHERE t.op = 2 AND c.case_ref = t.case_ref; "
			"INSERT INTO case_treatment (case_ref, strategy_ref, "
			"rule_no, arm_no, priority, since, recheck_on) "
			"SELECT case_ref, strategy_ref, rule_no, arm_no, priority, "
			"since, recheck_on FROM hk_bk_treat WHERE op = 0 "
			"ORDER BY seq ON CONFLICT (case_ref) DO UPDATE SET "
			"strategy_ref = excluded.strategy_ref, "
			"rule_no = excluded.rule_no, arm_no = excluded.arm_no, "
			"priority = excluded.priority, since = excluded.since, "
			"recheck_on = excluded.recheck_on; "
			"UPDATE case_treatment c SET recheck_on = t.recheck_on "
			"FROM hk_bk_treat t "
			"WHERE t.op = 1 AND c.case_ref = t.case_ref; "
			/* a rerun of the day replaces the day's history row */
			"DELETE FROM treatment_history h USING hk_bk_treat t "
			"WHERE t.op <> 1 AND t.rerun <> 0 AND h.since = t.since "
			"AND h.case_ref = t.case_ref; "
			"INSERT INTO treatment_history (since, case_ref, "
			"strategy_ref, rule_no, arm_no, base_overdue) "
			"SELECT since, case_ref, "
			"CASE WHEN op = 0 THEN strategy_ref END, "
			"CASE WHEN op = 0 THEN rule_no END, "
			"CASE WHEN op = 0 THEN arm_no END, "
			"CASE WHEN op = 0 THEN base_overdue ELSE 0 END "
			"FROM hk_bk_treat WHERE op <> 1 ORDER BY seq; "
			"TRUNCATE hk_bk_treat",
		.what = "could not save treatments"},
	[PGB_ALLOC] = {
		.staging = "CREATE TEMP TABLE IF NOT EXISTS hk_bk_alloc ("
			   "seq BIGINT, case_ref BIGINT, collector_ref BIGINT, "
			   "team_ref BIGINT, held_for BIGINT, on_date BIGINT, "
			   "at BIGINT, from_collector BIGINT, kind TEXT, "
			   "by_user BIGINT, reason TEXT)",
		.copy = "COPY hk_bk_alloc FROM STDIN",
		.merge =
			"UPDATE cases c SET "
			"collector_ref = NULLIF(a.collector_ref, 0), "
			"team_ref = NULLIF(a.team_ref, 0), "
			"held_for = NULLIF(a.held_for, 0), "
			"assigned_on = a.on_date "
			"FROM hk_bk_alloc a WHERE c.ref = a.case_ref; "
			"INSERT INTO case_assignments (case_ref, on_date, at, "
			"from_collector, collector_ref, team_ref, kind, by_user, "
			"reason) SELECT case_ref, on_date, at, "
			"NULLIF(from_collector, 0), NULLIF(collector_ref, 0), "
			"NULLIF(team_ref, 0), kind, NULLIF(by_user, 0), reason "
			"FROM hk_bk_alloc ORDER BY seq; "
			"TRUNCATE hk_bk_alloc",
		.what = "could not assign cases"},
};

struct pg_copy *pg_bulk_row(struct pg_store *ps, enum pg_bulk_stream k)
{
	return &ps->bulk_rows[k];
}

static enum hk_rc flush_stream(struct pg_store *ps, enum pg_bulk_stream k,
			       struct hk_err *err)
{
	const struct stream_def *d = &streams[k];
	enum hk_rc rc;

	if (!ps->bulk_rows[k].rows)
		return HK_OK;
	if (d->staging && (rc = pg_exec_script(ps, d->staging, err)) != HK_OK)
		return rc;
	if ((rc = pg_copy_in(ps, d->copy, &ps->bulk_rows[k], d->what, err)) !=
	    HK_OK)
		return rc;
	if (d->merge && (rc = pg_exec_script(ps, d->merge, err)) != HK_OK)
		return rc;
	return HK_OK;
}

static enum hk_rc pgx_bulk_begin(struct hk_store *s, struct hk_err *err)
{
	struct pg_store *ps = PG(s);

	(void)err;
	/* outside a transaction every write stands alone: nothing to hold */
	ps->bulk = ps->in_tx;
	return HK_OK;
}

enum hk_rc pg_bulk_flush(struct pg_store *ps, struct hk_err *err)
{
	enum hk_rc rc = HK_OK;

	ps->bulk = false;
	/* parents before children: a window holds one import's kind, or
	 * day-end's three streams */
	for (int k = 0; k < PGB_N; k++) {
		if (rc == HK_OK)
			rc = flush_stream(ps, (enum pg_bulk_stream)k, err);
		copy_reset(&ps->bulk_rows[k]);
	}
	return rc;
}

static enum hk_rc pgx_bulk_end(struct hk_store *s, struct hk_err *err)
{
	return pg_bulk_flush(PG(s), err);
}

void pg_bulk_drop(struct pg_store *ps)
{
	ps->bulk = false;
	for (int k = 0; k < PGB_N; k++)
		copy_reset(&ps->bulk_rows[k]);
}

void pg_bulk_free(struct pg_store *ps)
{
	for (int k = 0; k < PGB_N; k++)
		free(ps->bulk_rows[k].buf);
	free(ps->ids.buf);
}

/* ---- lookup_many: the ids by COPY, one join -------------------------- */

static enum hk_rc pgx_lookup_many(struct hk_store *s, int kind,
				  const char *const *ids, size_t n,
				  struct hk_found *out, struct hk_err *err)
{
	static const char staging[] =
		"CREATE TEMP TABLE IF NOT EXISTS hk_bk_ids (i BIGINT, id TEXT)";
	/* every kind gives (i, ref, then what lookup gives) */
	static const char *const by_kind[] = {
		[HK_ID_DEBTOR] = "SELECT t.i, d.ref, d.kind FROM hk_bk_ids t "
				 "JOIN debtors d ON d.debtor_id = t.id",
		[HK_ID_CONTACT] = "SELECT t.i, c.ref FROM hk_bk_ids t "
				  "JOIN contacts c ON c.contact_id = t.id",
		[HK_ID_ACCOUNT] =
			"SELECT t.i, a.ref, a.case_ref, a.open_date, a.principal, "
			"(EXISTS (SELECT 1 FROM installments i "
			"WHERE i.account_ref = a.ref))::int FROM hk_bk_ids t "
			"JOIN accounts a ON a.account_id = t.id",
		[HK_ID_PAYMENT] = "SELECT t.i, p.ref FROM hk_bk_ids t "
				  "JOIN payments p ON p.payment_id = t.id",
	};
	struct pg_store *ps = PG(s);
	enum hk_rc rc;

	if (kind < HK_ID_DEBTOR || kind > HK_ID_PAYMENT)
		return hk_err_set(err, HK_EINTERNAL, "bad lookup kind %d", kind);
	memset(out, 0, n * sizeof(*out));
	if (!n)
		return HK_OK;
	if ((rc = pg_exec_script(ps, staging, err)) != HK_OK)
		return rc;
	for (size_t lo = 0; lo < n; lo += LOOKUP_BATCH) {
		size_t hi = n - lo < LOOKUP_BATCH ? n : lo + LOOKUP_BATCH;
		PGresult *r;

		for (size_t i = lo; i < hi; i++) {
			pgc_int(&ps->ids, (int64_t)i);
			pgc_str(&ps->ids, ids[i]);
			pgc_end(&ps->ids);
		}
		rc = pg_copy_in(ps, "COPY hk_bk_ids FROM STDIN", &ps->ids,
			     "could not look up ids", err);
		if (rc != HK_OK)
			return rc;
		if (!(r = pg_run(ps, by_kind[kind], NULL,
				 "could not look up ids", err)))
			return HK_EDB;
		for (int row = 0; row < PQntuples(r); row++) {
			int64_t i = pg_i64(r, row, 0);
			struct hk_found *f;

			if (i < (int64_t)lo || i >= (int64_t)hi)
				continue; /* cannot happen: the table was empty */
			f = &out[i];
			f->ref = pg_i64(r, row, 1);
			if (kind == HK_ID_DEBTOR) {
				const char *k = pg_str(r, row, 2);

				f->kind = k && !strcmp(k, "company")
						  ? HK_DEBTOR_COMPANY
						  : HK_DEBTOR_PERSON;
			} else if (kind == HK_ID_ACCOUNT) {
				f->case_ref = pg_i64(r, row, 2);
				f->open_date = pg_i32(r, row, 3);
				f->principal = pg_i64(r, row, 4);
				f->has_schedule = pg_i32(r, row, 5) != 0;
			}
		}
		PQclear(r);
		if ((rc = pg_exec_script(ps, "TRUNCATE hk_bk_ids", err)) != HK_OK)
			return rc;
	}
	return HK_OK;
}

void hk_pg_ops_bulk(struct hk_store_ops *ops)
{
	ops->lookup_many = pgx_lookup_many;
	ops->bulk_begin = pgx_bulk_begin;
	ops->bulk_end = pgx_bulk_end;
}
