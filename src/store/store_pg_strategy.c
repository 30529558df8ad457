/*
 * store_pg_strategy.c - the PostgreSQL backend's operations for strategies, treatments, allocation, queues, the dashboard, talk scripts
 * (store_pg.h; the SQLite twins are in store_sqlite.c).
 *
 * Statement for statement the SQLite backend's: the same rows, in the same
 * order, with the same refusals and messages.  Where SQLite's order comes
 * from its plan (a GROUP BY's sort, a primary key's index) the order is
 * written out here, NULLs first as SQLite puts them, text in byte order.
 *
 * Small lists are read whole before the first callback (a callback may use
 * the store).  The scans that may be large read otherwise: the case facts
 * a page at a time by case ref (the strategy's dry run reads a case's plan
 * from inside its callback), the overdue cases and the bucket moves row by
 * row (their callbacks only count).  Like their twins these ops call every
 * row's callback and ignore its return, but for case_facts_scan, which
 * stops when it asks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"

/* A text column into a fixed buffer, truncated as the SQLite backend's
 * copy_text truncates; NULL reads as "". */
static void copy_col(char *dst, size_t cap, const PGresult *r, int row,
		     int col)
{
	const char *v = pg_str(r, row, col);

	snprintf(dst, cap, "%s", v ? v : "");
}

/* A date column; NULL is HK_DATE_NONE. */
static int32_t col_date(const PGresult *r, int row, int col)
{
	return pg_isnull(r, row, col) ? HK_DATE_NONE : pg_i32(r, row, col);
}

/* ---- scope ($1 all, $2 collector, $3 team, $4 agency: hk_scope) ----- */

#define SCOPE_ON_C                                                             \
	"($1::int <> 0 OR ($2::bigint <> 0 AND c.collector_ref = $2) OR "     \
	"($3::bigint <> 0 AND c.team_ref = $3) OR "                          \
	"($4::bigint <> 0 AND c.agency_ref = $4))"

/* the dashboard's filter: $6 creditor (NULL: any), $7 product bits */
#define DASH_FILTER                                                            \
	"($6::text IS NULL OR c.creditor = $6) AND "                           \
	"($7::int = 0 OR (c.products & $7) <> 0)"

static void scope_params(struct pg_params *p, const struct hk_scope *sc)
{
	pgp_int(p, sc->all);
	pgp_int(p, sc->collector_ref);
	pgp_int(p, sc->team_ref);
	pgp_int(p, sc->agency_ref);
}

/* $1-$8: scope, from, creditor, products, to (the dashboard's shape). */
static void dash_period_params(struct pg_params *p, const struct hk_scope *sc,
			       const struct hk_dash_filter *df, int32_t from,
			       int32_t to)
{
	scope_params(p, sc);
	pgp_int(p, from);
	pgp_str(p, df->creditor);
	pgp_int(p, (int)df->products);
	pgp_int(p, to);
}

/* ====================================================================
 * Strategies
 * ==================================================================== */

static enum hk_rc pgx_strategy_insert(struct hk_store *s, const char *name,
				      const char *body, int64_t user_ref,
				      int64_t at, bool published, int64_t *ref,
				      struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO strategies (name, status, body, created_by, "
		"created_at, published_by, published_at) VALUES ($1, $2::text, "
		"$3, NULLIF($4::bigint, 0), $5::bigint, CASE WHEN $2 = "
		"'published' THEN NULLIF($4, 0) END, CASE WHEN $2 = 'published' "
		"THEN $5 END) RETURNING ref";
	struct pg_params p = {0};
	PGresult *r;

	pgp_str(&p, name);
	pgp_str(&p, published ? "published" : "draft");
	pgp_str(&p, body);
	pgp_int(&p, user_ref);
	pgp_int(&p, at);
	if (!(r = pg_run(PG(s), sql, &p, "could not save a strategy", err)))
		return HK_EDB;
	*ref = PQntuples(r) ? pg_i64(r, 0, 0) : 0;
	PQclear(r);
	return HK_OK;
}

/* Run a one-row change that only a draft allows. */
static enum hk_rc draft_change(struct pg_store *ps, const char *sql,
			       const struct pg_params *p, struct hk_err *err)
{
	int64_t n = 0;
	enum hk_rc rc = pg_exec_changes(ps, sql, p, "could not change a strategy",
				    &n, err);

	if (rc == HK_OK && n != 1)
		return hk_err_set(err, HK_EREFUSED, "%s",
				  HK_TR(ps->base.lang,
					"没有这个草稿：已发布的版本不可更改",
					"no such draft: a published version never changes"));
	return rc;
}

static enum hk_rc pgx_strategy_update(struct hk_store *s, int64_t ref,
				      const char *name, const char *body,
				      struct hk_err *err)
{
	static const char sql[] = "UPDATE strategies SET name = $2, body = $3 "
				  "WHERE ref = $1 AND status = 'draft'";
	struct pg_params p = {0};

	pgp_int(&p, ref);
	pgp_str(&p, name);
	pgp_str(&p, body);
	return draft_change(PG(s), sql, &p, err);
}

static enum hk_rc pgx_strategy_publish(struct hk_store *s, int64_t ref,
				       int64_t user_ref, int64_t at,
				       struct hk_err *err)
{
	static const char sql[] =
		"UPDATE strategies SET status = 'published', published_by = $2, "
		"published_at = $3 WHERE ref = $1 AND status = 'draft'";
	struct pg_params p = {0};

	pgp_int(&p, ref);
	pgp_int(&p, user_ref);
	pgp_int(&p, at);
	return draft_change(PG(s), sql, &p, err);
}

static enum hk_rc pgx_strategies_scan(
	struct hk_store *s, int64_t ref, bool with_body,
	int (*fn)(void *, const struct hk_strategy_version *), void *ctx,
	struct hk_err *err)
{
	static const char sql[] =
		"SELECT ref, name, status, COALESCE(created_by, 0), created_at, "
		"COALESCE(published_by, 0), COALESCE(published_at, 0), "
		"CASE WHEN $2::int <> 0 THEN body END FROM strategies "
		"WHERE $1::bigint = 0 OR ref = $1 ORDER BY ref DESC";
	struct pg_params p = {0};
	struct hk_strategy_version v;
	PGresult *r;

	pgp_int(&p, ref);
	pgp_int(&p, with_body);
	if (!(r = pg_run(PG(s), sql, &p, "could not read strategies", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		v.ref = pg_i64(r, i, 0);
		copy_col(v.name, sizeof(v.name), r, i, 1);
		copy_col(v.status, sizeof(v.status), r, i, 2);
		v.created_by = pg_i64(r, i, 3);
		v.created_at = pg_i64(r, i, 4);
		v.published_by = pg_i64(r, i, 5);
		v.published_at = pg_i64(r, i, 6);
		v.body = pg_str(r, i, 7);
		fn(ctx, &v);
	}
	PQclear(r);
	return HK_OK;
}

/* ====================================================================
 * Case facts, treatments, allocation (day-end: src/batch/treat.c)
 * ==================================================================== */

/* $1 as_of, $2 the facts to read, $3-$6 the DPD ranges of the debtor's
 * and the next due date (struct hk_fact_need), $7 the last case ref of
 * the page before.  A case's DPD is in [lo, hi] or, overdue, can grow
 * into it. */
#define NEEDED(lo, hi)                                                         \
	"(CASE WHEN o.case_ref IS NULL THEN " lo "::bigint <= 0 "            \
	"ELSE " hi "::bigint >= $1::bigint - o.overdue_since END)"
/* (the outcomes' order differs from SQLite's group_concat, which keeps
 * none: readers take them as a set) */
#define CASE_FACTS_COLUMNS                                                     \
	"SELECT c.ref, COALESCE(o.overdue_since, 2147483647), "              \
	"COALESCE(o.due_base + o.due_daily * $1::bigint, 0), c.products, "   \
	"c.creditor, CASE WHEN " NEEDED("$3", "$4") " THEN (SELECT "         \
	"d.kind || chr(9) || COALESCE(d.id_number, '') || chr(9) || "         \
	"COALESCE(d.segment, '') || chr(9) || COALESCE(d.province, '') "      \
	"FROM debtors d WHERE d.ref = c.debtor_ref) END, NULL, NULL, "        \
	"NULL, COALESCE(c.promise_status, -1), "                              \
	"CASE WHEN ($2::int & 1) <> 0 THEN EXISTS (SELECT 1 FROM disputes x " \
	"WHERE x.case_ref = c.ref AND x.status = 'open')::int END, "          \
	"c.lost_contact, "                                                    \
	"CASE WHEN ($2 & 2) <> 0 THEN (SELECT COALESCE(max(r.at), 0) "       \
	"FROM contact_records r WHERE r.case_ref = c.ref) END, "              \
	"CASE WHEN ($2 & 4) <> 0 OR (($2 & 128) <> 0 AND o.case_ref IS NOT "  \
	"NULL AND c.collector_ref IS NOT NULL) THEN (SELECT max(p.paid_on) "  \
	"FROM accounts a JOIN payments p ON p.account_ref = a.ref "           \
	"WHERE a.case_ref = c.ref AND p.paid_on <= $1) END, "                 \
	"CASE WHEN ($2 & 8) <> 0 AND " NEEDED("$5", "$6") " THEN "            \
	"(SELECT min(s.first_unpaid_due) "                                    \
	"FROM account_state s WHERE s.case_ref = c.ref "                      \
	"AND s.first_unpaid_due >= $1) END, "                                 \
	"CASE WHEN ($2 & 16) <> 0 THEN (SELECT string_agg(DISTINCT "          \
	"r.outcome, ',') FROM contact_records r WHERE r.case_ref = c.ref) "   \
	"END, "                                                               \
	"CASE WHEN ($2 & 32) <> 0 THEN EXISTS (SELECT 1 FROM plans pl "       \
	"WHERE pl.case_ref = c.ref AND pl.status = 'approved')::int END, "    \
	"COALESCE(o.due_daily, 0), c.status, COALESCE(c.collector_ref, 0), "  \
	"COALESCE(c.team_ref, 0), COALESCE(c.agency_ref, 0), "                \
	"COALESCE(c.held_for, 0), c.assigned_on, "                            \
	"CASE WHEN ($2 & 64) <> 0 OR (($2 & 128) <> 0 AND o.case_ref IS NOT " \
	"NULL AND c.collector_ref IS NOT NULL) THEN (SELECT max(m.made_on) "  \
	"FROM promises m WHERE m.case_ref = c.ref) END, "                     \
	"COALESCE(t.strategy_ref, 0), COALESCE(t.rule_no, -1), "              \
	"COALESCE(t.arm_no, -1), COALESCE(t.recheck_on, 2147483647) "
#define CASE_FACTS_JOINS                                                       \
	"LEFT JOIN case_overdue o ON o.case_ref = c.ref "                     \
	"LEFT JOIN case_treatment t ON t.case_ref = c.ref "
#define CASE_FACTS_PAGE 2000
#define CASE_FACTS_PAGE_SQL                                                    \
	"WHERE c.ref > $7::bigint ORDER BY c.ref LIMIT 2000"

/* One row of a page; *stop when the callback asked. */
static void case_fact_row(const PGresult *res, int i,
			  int (*fn)(void *, const struct hk_case_fact_row *),
			  void *ctx, bool *stop)
{
	struct hk_case_fact_row r;
	char debtor[512];
	/* the debtor's kind, ID number, segment and province, one lookup:
	 * "kind TAB id TAB segment TAB province" */
	const char *dt = pg_str(res, i, 5);
	const char *f[4] = {"", "", "", ""};

	if (dt && strlen(dt) < sizeof(debtor)) {
		char *p = memcpy(debtor, dt, strlen(dt) + 1);

		for (int k = 0; k < 4 && p; k++) {
			char *tab = strchr(p, '\t');

			f[k] = p;
			if (tab)
				*tab++ = '\0';
			p = tab;
		}
	}
	r.case_ref = pg_i64(res, i, 0);
	r.overdue_since = pg_i32(res, i, 1);
	r.total_overdue = pg_i64(res, i, 2);
	r.products = (unsigned)pg_i32(res, i, 3);
	r.creditor = pg_str(res, i, 4);
	r.kind = f[0];
	r.id_number = f[1];
	r.segment = f[2];
	r.province = f[3];
	r.promise_status = pg_i32(res, i, 9);
	r.dispute_open = pg_i32(res, i, 10) != 0;
	r.lost_contact = pg_i32(res, i, 11) != 0;
	r.last_contact_at = pg_i64(res, i, 12);
	r.last_paid_on = col_date(res, i, 13);
	r.next_due = col_date(res, i, 14);
	r.outcomes = pg_str(res, i, 15);
	r.has_plan = pg_i32(res, i, 16) != 0;
	r.due_daily = pg_i64(res, i, 17);
	r.status = pg_str(res, i, 18);
	r.collector_ref = pg_i64(res, i, 19);
	r.team_ref = pg_i64(res, i, 20);
	r.agency_ref = pg_i64(res, i, 21);
	r.held_for = pg_i64(res, i, 22);
	r.assigned_on = col_date(res, i, 23);
	r.last_promise_on = col_date(res, i, 24);
	r.strategy_ref = pg_i64(res, i, 25);
	r.rule_no = pg_i32(res, i, 26);
	r.arm_no = pg_i32(res, i, 27);
	r.recheck_on = pg_i32(res, i, 28);
	if (fn(ctx, &r))
		*stop = true;
}

static enum hk_rc pgx_case_facts_scan(
	struct hk_store *s, int32_t as_of, bool changed,
	const struct hk_fact_need *need,
	int (*fn)(void *, const struct hk_case_fact_row *), void *ctx,
	struct hk_err *err)
{
	static const char all_sql[] = CASE_FACTS_COLUMNS
		"FROM cases c " CASE_FACTS_JOINS CASE_FACTS_PAGE_SQL;
	/* the day's own marks (cases_mark_changed), the triggers' marks and
	 * the rechecks due; by case ref, as SQLite's UNION gives them */
	static const char changed_sql[] =
		"WITH k (ref) AS (SELECT case_ref FROM case_dirty UNION "
		"SELECT case_ref FROM pg_temp.day_changed UNION "
		"SELECT case_ref FROM case_treatment WHERE recheck_on <= $1) "
		CASE_FACTS_COLUMNS "FROM k JOIN cases c ON c.ref = k.ref "
		CASE_FACTS_JOINS CASE_FACTS_PAGE_SQL;
	int64_t after = 0;
	bool stop = false;

	while (!stop) {
		struct pg_params p = {0};
		PGresult *r;
		int n;

		pgp_int(&p, as_of);
		pgp_int(&p, (int)need->bits);
		pgp_int(&p, need->debtor_lo);
		pgp_int(&p, need->debtor_hi);
		pgp_int(&p, need->due_lo);
		pgp_int(&p, need->due_hi);
		pgp_int(&p, after);
		if (!(r = pg_run(PG(s), changed ? changed_sql : all_sql, &p,
				 "could not read case facts", err)))
			return HK_EDB;
		n = PQntuples(r);
		for (int i = 0; i < n && !stop; i++)
			case_fact_row(r, i, fn, ctx, &stop);
		if (n)
			after = pg_i64(r, n - 1, 0);
		PQclear(r);
		if (n < CASE_FACTS_PAGE)
			break;
	}
	return HK_OK;
}

/* A case's history row as of `since`; ref 0: ended. */
static enum hk_rc treatment_history_add(struct pg_store *ps, int64_t case_ref,
					int32_t since, int64_t strategy_ref,
					int rule_no, int arm_no,
					int64_t base_overdue, bool rerun,
					struct hk_err *err)
{
	static const char del_sql[] =
		"DELETE FROM treatment_history WHERE since = $2 AND case_ref = $1";
	/* $1 case, $2 since, $3 strategy (0: none: ended) */
	static const char ins_sql[] =
		"INSERT INTO treatment_history (since, case_ref, strategy_ref, "
		"rule_no, arm_no, base_overdue) VALUES ($2, $1, "
		"NULLIF($3::bigint, 0), CASE WHEN $3 <> 0 THEN $4::bigint END, "
		"CASE WHEN $3 <> 0 THEN $5::bigint END, $6)";
	struct pg_params p = {0};
	enum hk_rc rc;

	pgp_int(&p, case_ref);
	pgp_int(&p, since);
	if (rerun && (rc = pg_exec(ps, del_sql, &p, "could not record a treatment",
				   err)) != HK_OK)
		return rc;
	pgp_int(&p, strategy_ref);
	pgp_int(&p, rule_no);
	pgp_int(&p, arm_no);
	pgp_int(&p, base_overdue);
	return pg_exec(ps, ins_sql, &p, "could not record a treatment", err);
}

/* A treatment change inside a bulk window (store_pg_bulk.c's PGB_TREAT:
 * op 0 save, 1 recheck, 2 clear). */
static void treat_row(struct pg_store *ps, int op,
		      const struct hk_treatment_rec *t, bool rerun)
{
	struct pg_copy *c = pg_bulk_row(ps, PGB_TREAT);

	pgc_int(c, (int64_t)c->rows);
	pgc_int(c, op);
	pgc_int(c, t->case_ref);
	pgc_int(c, t->strategy_ref);
	pgc_int(c, t->rule_no);
	pgc_int(c, t->arm_no);
	pgc_int(c, t->priority);
	pgc_int(c, t->since);
	pgc_int(c, t->recheck_on);
	pgc_int(c, rerun);
	pgc_int(c, t->base_overdue);
	pgc_end(c);
}

static enum hk_rc pgx_treatment_save(struct hk_store *s,
				     const struct hk_treatment_rec *t,
				     bool rerun, struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO case_treatment (case_ref, strategy_ref, "
		"rule_no, arm_no, priority, since, recheck_on) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (case_ref) DO "
		"UPDATE SET strategy_ref = $2, rule_no = $3, arm_no = $4, "
		"priority = $5, since = $6, recheck_on = $7";
	struct pg_params p = {0};
	enum hk_rc rc;

	if (PG(s)->bulk) {
		treat_row(PG(s), 0, t, rerun);
		return HK_OK;
	}
	pgp_int(&p, t->case_ref);
	pgp_int(&p, t->strategy_ref);
	pgp_int(&p, t->rule_no);
	pgp_int(&p, t->arm_no);
	pgp_int(&p, t->priority);
	pgp_int(&p, t->since);
	pgp_int(&p, t->recheck_on);
	if ((rc = pg_exec(PG(s), sql, &p, "could not save a treatment", err)) !=
	    HK_OK)
		return rc;
	return treatment_history_add(PG(s), t->case_ref, t->since,
				     t->strategy_ref, t->rule_no, t->arm_no,
				     t->base_overdue, rerun, err);
}

static enum hk_rc pgx_treatment_get(struct hk_store *s, int64_t case_ref,
				    struct hk_treatment_rec *t, bool *found,
				    struct hk_err *err)
{
	static const char sql[] =
		"SELECT strategy_ref, rule_no, arm_no, priority, since, recheck_on "
		"FROM case_treatment WHERE case_ref = $1";
	struct pg_params p = {0};
	PGresult *r;

	*found = false;
	pgp_int(&p, case_ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read a treatment", err)))
		return HK_EDB;
	if (PQntuples(r)) {
		t->case_ref = case_ref;
		t->strategy_ref = pg_i64(r, 0, 0);
		t->rule_no = pg_i32(r, 0, 1);
		t->arm_no = pg_i32(r, 0, 2);
		t->priority = pg_i32(r, 0, 3);
		t->since = pg_i32(r, 0, 4);
		t->recheck_on = pg_i32(r, 0, 5);
		*found = true;
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_treatment_recheck(struct hk_store *s, int64_t case_ref,
					int32_t recheck_on, struct hk_err *err)
{
	static const char sql[] =
		"UPDATE case_treatment SET recheck_on = $2 WHERE case_ref = $1";
	struct pg_params p = {0};

	if (PG(s)->bulk) {
		treat_row(PG(s), 1,
			  &(struct hk_treatment_rec){.case_ref = case_ref,
						     .recheck_on = recheck_on},
			  false);
		return HK_OK;
	}
	pgp_int(&p, case_ref);
	pgp_int(&p, recheck_on);
	return pg_exec(PG(s), sql, &p, "could not save a treatment", err);
}

static enum hk_rc pgx_treatment_clear(struct hk_store *s, int64_t case_ref,
				      int32_t on, bool rerun, struct hk_err *err)
{
	static const char sql[] = "DELETE FROM case_treatment WHERE case_ref = $1";
	struct pg_params p = {0};
	enum hk_rc rc;

	if (PG(s)->bulk) {
		treat_row(PG(s), 2,
			  &(struct hk_treatment_rec){.case_ref = case_ref,
						     .since = on},
			  rerun);
		return HK_OK;
	}
	pgp_int(&p, case_ref);
	if ((rc = pg_exec(PG(s), sql, &p, "could not end a treatment", err)) !=
	    HK_OK)
		return rc;
	return treatment_history_add(PG(s), case_ref, on, 0, -1, -1, 0, rerun,
				     err);
}

/* day-end's own marks: a temporary table, the connection's own, never in
 * case_dirty (as SQLite's temp.day_changed); written a batch of refs per
 * statement */
#define MARK_BATCH 1000

static enum hk_rc pgx_cases_mark_changed(struct hk_store *s,
					 const int64_t *refs, size_t n,
					 struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO pg_temp.day_changed SELECT unnest($1::bigint[]) "
		"ON CONFLICT DO NOTHING";
	struct pg_store *ps = PG(s);
	enum hk_rc rc = pg_exec_script(ps,
				       "CREATE TEMP TABLE IF NOT EXISTS day_changed "
				       "(case_ref BIGINT PRIMARY KEY);"
				       "DELETE FROM pg_temp.day_changed",
				       err);
	char *list = hk_malloc(MARK_BATCH * 24 + 3);

	for (size_t i = 0; i < n && rc == HK_OK;) {
		struct pg_params p = {0};
		size_t len = 0;

		list[len++] = '{';
		for (size_t k = 0; k < MARK_BATCH && i < n; k++, i++)
			len += (size_t)snprintf(list + len, 24, "%s%lld",
						k ? "," : "", (long long)refs[i]);
		list[len++] = '}';
		list[len] = 0;
		pgp_str(&p, list);
		rc = pg_exec(ps, sql, &p, "could not mark a case changed", err);
	}
	free(list);
	return rc;
}

static enum hk_rc pgx_case_changes_clear(struct hk_store *s, struct hk_err *err)
{
	static const char sql[] = "DELETE FROM case_dirty";

	return pg_exec(PG(s), sql, NULL, "could not clear the changed cases",
		       err);
}

static enum hk_rc pgx_collectors_scan(
	struct hk_store *s, int32_t as_of, bool with_loads,
	int (*fn)(void *, const struct hk_collector_row *), void *ctx,
	struct hk_err *err)
{
	/* $1 as_of, $2 with loads: each collector's overdue cases and their
	 * total (the index by collector carries the amounts) */
	static const char sql[] =
		"WITH a (ref, cases, due) AS (SELECT collector_ref, count(*), "
		"sum(due_base + due_daily * $1::bigint) FROM case_overdue "
		"WHERE $2::int <> 0 AND collector_ref IS NOT NULL "
		"GROUP BY collector_ref) "
		"SELECT u.ref, COALESCE(u.team_ref, 0), u.active, u.capacity, "
		"u.absent_from, u.absent_until, COALESCE(a.cases, 0), "
		"COALESCE(a.due, 0)::bigint FROM users u LEFT JOIN a ON a.ref = u.ref "
		"WHERE u.role = 'collector' ORDER BY u.ref";
	struct pg_params p = {0};
	struct hk_collector_row row;
	PGresult *r;

	pgp_int(&p, as_of);
	pgp_int(&p, with_loads);
	if (!(r = pg_run(PG(s), sql, &p, "could not read collectors", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		row.ref = pg_i64(r, i, 0);
		row.team_ref = pg_i64(r, i, 1);
		row.active = pg_i32(r, i, 2) != 0;
		row.capacity = pg_i32(r, i, 3);
		row.absent_from = col_date(r, i, 4);
		row.absent_until = col_date(r, i, 5);
		row.cases = pg_i64(r, i, 6);
		row.overdue = pg_i64(r, i, 7);
		fn(ctx, &row);
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_case_allocate(struct hk_store *s,
				    const struct hk_allocation_rec *a,
				    struct hk_err *err)
{
	static const char move_sql[] =
		"UPDATE cases SET collector_ref = NULLIF($2::bigint, 0), "
		"team_ref = NULLIF($3::bigint, 0), held_for = NULLIF($4::bigint, 0), "
		"assigned_on = $5 WHERE ref = $1";
	static const char hist_sql[] =
		"INSERT INTO case_assignments (case_ref, on_date, at, "
		"from_collector, collector_ref, team_ref, kind, by_user, reason) "
		"VALUES ($1, $2, $3, NULLIF($4::bigint, 0), NULLIF($5::bigint, 0), "
		"NULLIF($6::bigint, 0), $7, NULLIF($8::bigint, 0), $9)";
	struct pg_params p = {0}, h = {0};
	enum hk_rc rc;

	if (PG(s)->bulk) {
		struct pg_copy *c = pg_bulk_row(PG(s), PGB_ALLOC);

		pgc_int(c, (int64_t)c->rows);
		pgc_int(c, a->case_ref);
		pgc_int(c, a->collector_ref);
		pgc_int(c, a->team_ref);
		pgc_int(c, a->held_for);
		pgc_int(c, a->on_date);
		pgc_int(c, a->at);
		pgc_int(c, a->from_collector);
		pgc_str(c, a->kind);
		pgc_int(c, a->by_user);
		pgc_str(c, a->reason);
		pgc_end(c);
		return HK_OK;
	}
	pgp_int(&p, a->case_ref);
	pgp_int(&p, a->collector_ref);
	pgp_int(&p, a->team_ref);
	pgp_int(&p, a->held_for);
	pgp_int(&p, a->on_date);
	if ((rc = pg_exec(PG(s), move_sql, &p, "could not assign a case", err)) !=
	    HK_OK)
		return rc;
	pgp_int(&h, a->case_ref);
	pgp_int(&h, a->on_date);
	pgp_int(&h, a->at);
	pgp_int(&h, a->from_collector);
	pgp_int(&h, a->collector_ref);
	pgp_int(&h, a->team_ref);
	pgp_str(&h, a->kind);
	pgp_int(&h, a->by_user);
	pgp_str(&h, a->reason);
	return pg_exec(PG(s), hist_sql, &h, "could not record an assignment", err);
}

static enum hk_rc pgx_cases_spread(struct hk_store *s, const int64_t *collectors,
				   const int64_t *teams, size_t n,
				   struct hk_err *err)
{
	/* assigned today (UTC days since the epoch, as SQLite's julianday
	 * of 'now': the statement's time) */
	static const char sql[] =
		"UPDATE cases SET collector_ref = $1, team_ref = NULLIF($2::bigint, 0), "
		"assigned_on = floor(extract(epoch FROM statement_timestamp()) "
		"/ 86400)::bigint WHERE ref % $3::bigint = $4::bigint";
	enum hk_rc rc = HK_OK;

	for (size_t i = 0; i < n && rc == HK_OK; i++) {
		struct pg_params p = {0};

		pgp_int(&p, collectors[i]);
		pgp_int(&p, teams[i]);
		pgp_int(&p, (int64_t)n);
		pgp_int(&p, (int64_t)i);
		rc = pg_exec(PG(s), sql, &p, "could not assign cases", err);
	}
	return rc;
}

/* ====================================================================
 * The queue and the dashboard
 * ==================================================================== */

static enum hk_rc pgx_queue_counts(struct hk_store *s, const struct hk_scope *sc,
				   int32_t today, int64_t counts[4],
				   struct hk_err *err)
{
	/* scope $1-$4, $5 today */
	static const char sql[] =
		"SELECT (SELECT count(*) FROM cases c WHERE c.promise_status = 2 "
		"AND " SCOPE_ON_C "), "
		"(SELECT count(DISTINCT p.case_ref) FROM promises p "
		"JOIN cases c ON c.ref = p.case_ref WHERE p.status = 0 "
		"AND p.due_on <= $5::bigint AND " SCOPE_ON_C "), "
		"(SELECT count(*) FROM cases c WHERE c.next_follow_up <= $5 "
		"AND c.next_follow_up < 2147483647 "
		"AND " SCOPE_ON_C "), "
		"(SELECT count(*) FROM case_overdue o WHERE $1::int <> 0 "
		"OR ($2::bigint <> 0 AND o.collector_ref = $2) OR ($3::bigint <> 0 "
		"AND o.team_ref = $3) OR ($4::bigint <> 0 AND o.agency_ref = $4))";
	struct pg_params p = {0};
	PGresult *r;

	scope_params(&p, sc);
	pgp_int(&p, today);
	if (!(r = pg_run(PG(s), sql, &p, "could not count the queue", err)))
		return HK_EDB;
	for (int i = 0; i < 4 && PQntuples(r); i++)
		counts[i] = pg_i64(r, 0, i);
	PQclear(r);
	return HK_OK;
}

struct overdue_ctx {
	int (*fn)(void *, int32_t, int64_t);
	void *ctx;
};

static int overdue_row(void *ctx, const PGresult *row)
{
	struct overdue_ctx *o = ctx;

	o->fn(o->ctx, pg_i32(row, 0, 0), pg_i64(row, 0, 1));
	return 0;
}

static enum hk_rc pgx_overdue_scan(struct hk_store *s, const struct hk_scope *sc,
				   int32_t as_of, const struct hk_dash_filter *df,
				   int (*fn)(void *, int32_t, int64_t), void *ctx,
				   struct hk_err *err)
{
	/* scope $1-$4 on case_overdue's copies, $5 as_of, $6 $7 the filter;
	 * in no order, as SQLite's (the caller counts) */
	static const char sql[] =
		"SELECT o.overdue_since, o.due_base + o.due_daily * $5::bigint "
		"FROM case_overdue o JOIN cases c ON c.ref = o.case_ref "
		"WHERE ($1::int <> 0 OR ($2::bigint <> 0 AND o.collector_ref = $2) "
		"OR ($3::bigint <> 0 AND o.team_ref = $3) OR ($4::bigint <> 0 AND "
		"o.agency_ref = $4)) AND " DASH_FILTER;
	struct pg_params p = {0};
	struct overdue_ctx o = {fn, ctx};

	scope_params(&p, sc);
	pgp_int(&p, as_of);
	pgp_str(&p, df->creditor);
	pgp_int(&p, (int)df->products);
	return pg_scan(PG(s), sql, &p, "could not read overdue cases",
		       overdue_row, &o, err);
}

static enum hk_rc pgx_overdue_trend(struct hk_store *s, int32_t from, int32_t to,
				    int (*fn)(void *, int32_t, int64_t, int64_t),
				    void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT as_of, sum(accounts)::bigint, sum(total_overdue)::bigint "
		"FROM day_totals WHERE as_of >= $1 AND as_of <= $2 AND position > 0 "
		"GROUP BY as_of ORDER BY as_of";
	struct pg_params p = {0};
	PGresult *r;

	pgp_int(&p, from);
	pgp_int(&p, to);
	if (!(r = pg_run(PG(s), sql, &p, "could not read the day totals", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++)
		fn(ctx, pg_i32(r, i, 0), pg_i64(r, i, 1), pg_i64(r, i, 2));
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_promise_counts(struct hk_store *s,
				     const struct hk_scope *sc, int32_t from,
				     int32_t to, const struct hk_dash_filter *df,
				     int64_t counts[3], struct hk_err *err)
{
	/* $5 from, $8 to */
	static const char sql[] =
		"SELECT p.status, count(*) FROM promises p "
		"JOIN cases c ON c.ref = p.case_ref WHERE p.made_on >= $5::bigint "
		"AND p.made_on <= $8::bigint AND " DASH_FILTER " AND " SCOPE_ON_C
		" GROUP BY p.status ORDER BY p.status";
	struct pg_params p = {0};
	PGresult *r;

	counts[0] = counts[1] = counts[2] = 0;
	dash_period_params(&p, sc, df, from, to);
	if (!(r = pg_run(PG(s), sql, &p, "could not count promises", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		int status = pg_i32(r, i, 0);

		if (status >= 0 && status < 3)
			counts[status] = pg_i64(r, i, 1);
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_collector_figures(
	struct hk_store *s, const struct hk_scope *sc, int32_t as_of,
	int64_t day_start, int32_t today,
	int (*fn)(void *, const struct hk_collector_figures *), void *ctx,
	struct hk_err *err)
{
	/* $5 as_of, $6 the day's start (Unix), $7 today; teamless ones
	 * first, as SQLite orders NULLs */
	static const char sql[] =
		"SELECT u.ref, COALESCE(u.team_ref, 0), u.username, u.display_name, "
		"(SELECT count(*) FROM cases c WHERE c.collector_ref = u.ref), "
		"(SELECT count(*) FROM case_overdue o WHERE o.collector_ref = u.ref), "
		"(SELECT COALESCE(sum(o.due_base + o.due_daily * $5::bigint), 0)::bigint "
		"FROM case_overdue o WHERE o.collector_ref = u.ref), "
		"(SELECT count(*) FROM contact_records r WHERE r.user_ref = u.ref "
		"AND r.at >= $6::bigint), "
		"(SELECT count(*) FROM promises p WHERE p.user_ref = u.ref "
		"AND p.made_on = $7::bigint) "
		"FROM users u WHERE u.role IN ('collector', 'agency_collector') "
		"AND u.active <> 0 AND ($1::int <> 0 OR u.ref = $2::bigint OR "
		"($3::bigint <> 0 AND u.team_ref = $3) OR ($4::bigint <> 0 AND "
		"u.agency_ref = $4)) ORDER BY u.team_ref NULLS FIRST, u.ref";
	struct pg_params p = {0};
	struct hk_collector_figures f;
	PGresult *r;

	scope_params(&p, sc);
	pgp_int(&p, as_of);
	pgp_int(&p, day_start);
	pgp_int(&p, today);
	if (!(r = pg_run(PG(s), sql, &p, "could not read collectors' figures",
			 err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		f.ref = pg_i64(r, i, 0);
		f.team_ref = pg_i64(r, i, 1);
		f.username = pg_str(r, i, 2);
		f.display_name = pg_str(r, i, 3);
		f.cases = pg_i64(r, i, 4);
		f.overdue_cases = pg_i64(r, i, 5);
		f.total_overdue = pg_i64(r, i, 6);
		f.contacts_today = pg_i64(r, i, 7);
		f.promises_today = pg_i64(r, i, 8);
		fn(ctx, &f);
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_recovery_scan(
	struct hk_store *s, const struct hk_scope *sc, int32_t from, int32_t to,
	const struct hk_dash_filter *df, const char *first,
	int (*fn)(void *, int32_t, int64_t, int64_t, int64_t), void *ctx,
	struct hk_err *err)
{
	/* $5 from, $8 to (paid_on), $9 the first bucket; the case's
	 * collector today; a payment recovers when its account stood
	 * overdue before that day.  In SQLite's group order. */
	static const char sql[] =
		"SELECT p.paid_on, COALESCE(c.collector_ref, 0), count(*), "
		"sum(p.amount)::bigint FROM payments p "
		"JOIN accounts a ON a.ref = p.account_ref "
		"JOIN cases c ON c.ref = a.case_ref WHERE p.paid_on >= $5::bigint "
		"AND p.paid_on <= $8::bigint AND " DASH_FILTER " AND " SCOPE_ON_C
		" AND COALESCE((SELECT b.to_bucket FROM bucket_transitions b "
		"WHERE b.account_ref = p.account_ref AND b.as_of < p.paid_on "
		"ORDER BY b.as_of DESC LIMIT 1), $9::text) <> $9"
		" GROUP BY p.paid_on, c.collector_ref "
		"ORDER BY p.paid_on, c.collector_ref NULLS FIRST";
	struct pg_params p = {0};
	PGresult *r;

	dash_period_params(&p, sc, df, from, to);
	pgp_str(&p, first);
	if (!(r = pg_run(PG(s), sql, &p, "could not read payments", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++)
		fn(ctx, pg_i32(r, i, 0), pg_i64(r, i, 1), pg_i64(r, i, 2),
		   pg_i64(r, i, 3));
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_promise_takers(
	struct hk_store *s, const struct hk_scope *sc, int32_t from, int32_t to,
	const struct hk_dash_filter *df,
	int (*fn)(void *, int64_t, int, int64_t, int64_t), void *ctx,
	struct hk_err *err)
{
	/* $5 from, $8 to (made_on); a promise without its taker (imported
	 * history) is the case's collector's */
	static const char sql[] =
		"SELECT COALESCE(p.user_ref, c.collector_ref, 0), p.status, "
		"count(*), sum(p.amount)::bigint FROM promises p "
		"JOIN cases c ON c.ref = p.case_ref "
		"WHERE p.made_on >= $5::bigint AND p.made_on <= $8::bigint "
		"AND " DASH_FILTER " AND " SCOPE_ON_C
		" GROUP BY 1, 2 ORDER BY 1, 2";
	struct pg_params p = {0};
	PGresult *r;

	dash_period_params(&p, sc, df, from, to);
	if (!(r = pg_run(PG(s), sql, &p, "could not count promises", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++)
		fn(ctx, pg_i64(r, i, 0), pg_i32(r, i, 1), pg_i64(r, i, 2),
		   pg_i64(r, i, 3));
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_bucket_census(struct hk_store *s,
				    const struct hk_scope *sc,
				    const struct hk_dash_filter *df,
				    int32_t date, const char *first,
				    int (*fn)(void *, const char *, int64_t),
				    void *ctx, struct hk_err *err)
{
	/* by bucket name in byte order, as SQLite's key and GROUP BY give */
	static const char all_sql[] =
		"SELECT bucket, accounts FROM day_totals WHERE as_of = $1 "
		"ORDER BY bucket COLLATE \"C\"";
	/* $5 the date, $8 the first bucket's name: one seek per account */
	static const char scope_sql[] =
		"SELECT bucket, count(*) FROM (SELECT COALESCE((SELECT b.to_bucket "
		"FROM bucket_transitions b WHERE b.account_ref = a.ref "
		"AND b.as_of <= $5::bigint ORDER BY b.as_of DESC LIMIT 1), "
		"$8::text) AS bucket FROM accounts a "
		"JOIN cases c ON c.ref = a.case_ref WHERE " DASH_FILTER " AND "
		SCOPE_ON_C ") x GROUP BY bucket ORDER BY bucket COLLATE \"C\"";
	/* the whole portfolio's census is that day's totals: no walk */
	bool whole = sc->all && !df->creditor && !df->products;
	struct pg_params p = {0};
	PGresult *r;

	if (whole) {
		pgp_int(&p, date);
	} else {
		scope_params(&p, sc);
		pgp_int(&p, date);
		pgp_str(&p, df->creditor);
		pgp_int(&p, (int)df->products);
		pgp_str(&p, first);
	}
	if (!(r = pg_run(PG(s), whole ? all_sql : scope_sql, &p,
			 "could not count accounts by bucket", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++)
		fn(ctx, pg_str(r, i, 0), pg_i64(r, i, 1));
	PQclear(r);
	return HK_OK;
}

struct moves_ctx {
	int (*fn)(void *, const char *, const char *, int64_t);
	void *ctx;
	char origin[HK_BUCKET_NAME_MAX + 1], last[HK_BUCKET_NAME_MAX + 1];
	int64_t account;
};

/* rows come by account then date: an account's first row says where it
 * stood at `from`, its last where it stands at `to` */
static int moves_row(void *ctx, const PGresult *row)
{
	struct moves_ctx *m = ctx;
	int64_t ref = pg_i64(row, 0, 0);

	if (ref != m->account) {
		if (m->account)
			m->fn(m->ctx, m->origin, m->last, 1);
		m->account = ref;
		copy_col(m->origin, sizeof(m->origin), row, 0, 1);
	}
	copy_col(m->last, sizeof(m->last), row, 0, 2);
	return 0;
}

static enum hk_rc pgx_bucket_moves(struct hk_store *s, const struct hk_scope *sc,
				   const struct hk_dash_filter *df, int32_t from,
				   int32_t to,
				   int (*fn)(void *, const char *, const char *,
					     int64_t),
				   void *ctx, struct hk_err *err)
{
	/* $5 from (excluded), $8 to */
	static const char sql[] =
		"SELECT b.account_ref, b.from_bucket, b.to_bucket "
		"FROM bucket_transitions b JOIN accounts a ON a.ref = b.account_ref "
		"JOIN cases c ON c.ref = a.case_ref WHERE b.as_of > $5::bigint "
		"AND b.as_of <= $8::bigint AND " DASH_FILTER " AND " SCOPE_ON_C
		" ORDER BY b.account_ref, b.as_of";
	struct pg_params p = {0};
	struct moves_ctx m = {.fn = fn, .ctx = ctx};
	enum hk_rc rc;

	dash_period_params(&p, sc, df, from, to);
	rc = pg_scan(PG(s), sql, &p, "could not read bucket transitions",
		     moves_row, &m, err);
	if (rc != HK_OK)
		return rc;
	if (m.account)
		fn(ctx, m.origin, m.last, 1);
	return HK_OK;
}

static enum hk_rc pgx_month_ends(struct hk_store *s, int32_t to, int n,
				 int32_t *dates, int *count, struct hk_err *err)
{
	static const char sql[] =
		"SELECT DISTINCT as_of FROM day_totals WHERE as_of <= $1 "
		"ORDER BY as_of DESC";
	struct pg_params p = {0};
	int y, m, d, last_y = 0, last_m = 0;
	PGresult *r;

	*count = 0;
	pgp_int(&p, to);
	if (!(r = pg_run(PG(s), sql, &p, "could not read processed dates", err)))
		return HK_EDB;
	/* newest first: the first date seen of each month is its last */
	for (int i = 0; i < PQntuples(r) && *count < n; i++) {
		int32_t date = pg_i32(r, i, 0);

		hk_date_to_ymd(date, &y, &m, &d);
		if (y != last_y || m != last_m) {
			dates[(*count)++] = date;
			last_y = y;
			last_m = m;
		}
	}
	PQclear(r);
	return HK_OK;
}

/* ====================================================================
 * Talk scripts
 * ==================================================================== */

static enum hk_rc pgx_scripts_scan(struct hk_store *s, const char *q,
				   int64_t ref,
				   int (*fn)(void *, const struct hk_script *),
				   void *ctx, struct hk_err *err)
{
	/* $1 text to find (strpos: no LIKE wildcards to escape), $2 ref */
	static const char sql[] =
		"SELECT ref, title, objection, body, outcomes, "
		"COALESCE(updated_by, 0), updated_at FROM scripts "
		"WHERE ($2::bigint = 0 OR ref = $2) AND ($1::text = '' OR "
		"strpos(title, $1) > 0 OR strpos(objection, $1) > 0 OR "
		"strpos(body, $1) > 0) ORDER BY title COLLATE \"C\", ref";
	struct pg_params p = {0};
	struct hk_script sc;
	PGresult *r;

	pgp_str(&p, q ? q : "");
	pgp_int(&p, ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read scripts", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		sc.ref = pg_i64(r, i, 0);
		sc.title = pg_str(r, i, 1);
		sc.objection = pg_str(r, i, 2);
		sc.body = pg_str(r, i, 3);
		sc.outcomes = pg_str(r, i, 4);
		sc.updated_by = pg_i64(r, i, 5);
		sc.updated_at = pg_i64(r, i, 6);
		fn(ctx, &sc);
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_script_save(struct hk_store *s, const struct hk_script *sc,
				  int64_t *ref, struct hk_err *err)
{
	static const char ins_sql[] =
		"INSERT INTO scripts (title, objection, body, outcomes, "
		"updated_by, updated_at) VALUES ($1, $2, $3, $4, "
		"NULLIF($5::bigint, 0), $6) RETURNING ref";
	static const char upd_sql[] =
		"UPDATE scripts SET title = $2, objection = $3, body = $4, "
		"outcomes = $5, updated_by = NULLIF($6::bigint, 0), updated_at = $7 "
		"WHERE ref = $1";
	struct pg_params p = {0};
	PGresult *r;
	int64_t changed, new_ref;

	if (sc->ref)
		pgp_int(&p, sc->ref);
	pgp_str(&p, sc->title);
	pgp_str(&p, sc->objection);
	pgp_str(&p, sc->body);
	pgp_str(&p, sc->outcomes ? sc->outcomes : "");
	pgp_int(&p, sc->updated_by);
	pgp_int(&p, sc->updated_at);
	if (!(r = pg_run(PG(s), sc->ref ? upd_sql : ins_sql, &p,
			 "could not save a script", err)))
		return HK_EDB;
	changed = pg_changes(r);
	new_ref = !sc->ref && PQntuples(r) ? pg_i64(r, 0, 0) : 0;
	PQclear(r);
	if (sc->ref && changed == 0)
		return hk_err_set(err, HK_ENOTFOUND, "no such script");
	if (ref)
		*ref = sc->ref ? sc->ref : new_ref;
	return HK_OK;
}

void hk_pg_ops_strategy(struct hk_store_ops *ops)
{
	ops->strategy_insert = pgx_strategy_insert;
	ops->strategy_update = pgx_strategy_update;
	ops->strategy_publish = pgx_strategy_publish;
	ops->strategies_scan = pgx_strategies_scan;
	ops->case_facts_scan = pgx_case_facts_scan;
	ops->treatment_save = pgx_treatment_save;
	ops->treatment_get = pgx_treatment_get;
	ops->treatment_recheck = pgx_treatment_recheck;
	ops->treatment_clear = pgx_treatment_clear;
	ops->cases_mark_changed = pgx_cases_mark_changed;
	ops->case_changes_clear = pgx_case_changes_clear;
	ops->collectors_scan = pgx_collectors_scan;
	ops->case_allocate = pgx_case_allocate;
	ops->cases_spread = pgx_cases_spread;
	ops->queue_counts = pgx_queue_counts;
	ops->overdue_scan = pgx_overdue_scan;
	ops->overdue_trend = pgx_overdue_trend;
	ops->promise_counts = pgx_promise_counts;
	ops->collector_figures = pgx_collector_figures;
	ops->recovery_scan = pgx_recovery_scan;
	ops->promise_takers = pgx_promise_takers;
	ops->bucket_census = pgx_bucket_census;
	ops->bucket_moves = pgx_bucket_moves;
	ops->month_ends = pgx_month_ends;
	ops->scripts_scan = pgx_scripts_scan;
	ops->script_save = pgx_script_save;
}
