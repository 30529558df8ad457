/*
 * store_pg_workflow.c - the PostgreSQL backend's operations for the case
 * desk: cases and the case list, status changes, contact records,
 * promises, a case's timeline, accounts, payments and contacts, the
 * contact guardrails' counts, skip tracing (store_pg.h; the SQLite twins
 * are sq_<op> in store_sqlite.c).
 *
 * Statement for statement the SQLite backend's: the same rows, in the same
 * order, with the same refusals and messages.  Every result here is small
 * (one case's rows, a page of the case list), so it is read whole before
 * the first callback: a callback may use the store.  Like their twins the
 * ops call every row's callback and ignore its return, except
 * case_accounts, which stops as its twin's scan_accounts stops.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hk/ledger.h"
#include "store_pg.h"

/* A text column into a fixed buffer, truncated as the SQLite backend's
 * copy_text truncates; NULL reads as "". */
static void copy_col(char *dst, size_t cap, const PGresult *r, int row,
		     int col)
{
	const char *v = pg_str(r, row, col);

	snprintf(dst, cap, "%s", v ? v : "");
}

#define CONVERSATION "('reached_debtor', 'promised', 'refused', 'disputes', " \
		     "'claims_paid', 'hardship')"

/* ====================================================================
 * Cases
 * ==================================================================== */

static enum hk_rc pgx_case_get(struct hk_store *s, int64_t case_ref,
			       const struct hk_scope *sc, struct hk_case_rec *c,
			       bool *found, struct hk_err *err)
{
	/* the scope in the query itself, so no handler can forget it */
	static const char sql[] =
		"SELECT c.ref, c.creditor, c.status, COALESCE(c.collector_ref, 0), "
		"COALESCE(c.team_ref, 0), COALESCE(c.agency_ref, 0), d.ref, "
		"d.debtor_id, d.name, d.kind, d.id_number, d.phone, d.segment, "
		"d.province, d.city, c.lost_contact, COALESCE(d.address, '') "
		"FROM cases c "
		"JOIN debtors d ON d.ref = c.debtor_ref "
		"WHERE c.ref = $1 AND ($2::int <> 0 OR ($3::bigint <> 0 AND "
		"c.collector_ref = $3) OR ($4::bigint <> 0 AND c.team_ref = $4) "
		"OR ($5::bigint <> 0 AND c.agency_ref = $5))";
	struct pg_params p = {0};
	PGresult *r;

	*found = false;
	pgp_int(&p, case_ref);
	pgp_int(&p, sc->all);
	pgp_int(&p, sc->collector_ref);
	pgp_int(&p, sc->team_ref);
	pgp_int(&p, sc->agency_ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read a case", err)))
		return HK_EDB;
	if (PQntuples(r)) {
		memset(c, 0, sizeof(*c));
		c->ref = pg_i64(r, 0, 0);
		copy_col(c->creditor, sizeof(c->creditor), r, 0, 1);
		copy_col(c->status, sizeof(c->status), r, 0, 2);
		c->collector_ref = pg_i64(r, 0, 3);
		c->team_ref = pg_i64(r, 0, 4);
		c->agency_ref = pg_i64(r, 0, 5);
		c->debtor_ref = pg_i64(r, 0, 6);
		copy_col(c->debtor_id, sizeof(c->debtor_id), r, 0, 7);
		copy_col(c->name, sizeof(c->name), r, 0, 8);
		copy_col(c->kind, sizeof(c->kind), r, 0, 9);
		copy_col(c->id_number, sizeof(c->id_number), r, 0, 10);
		copy_col(c->phone, sizeof(c->phone), r, 0, 11);
		copy_col(c->segment, sizeof(c->segment), r, 0, 12);
		copy_col(c->province, sizeof(c->province), r, 0, 13);
		copy_col(c->city, sizeof(c->city), r, 0, 14);
		c->lost_contact = pg_i64(r, 0, 15) != 0;
		copy_col(c->address, sizeof(c->address), r, 0, 16);
		*found = true;
	}
	PQclear(r);
	return HK_OK;
}

/* ---- the case list ---------------------------------------------------- */

/*
 * The query is put together from the filters given, as the SQLite twin
 * puts it together (so that each scope and sort reaches its index), with
 * its named parameters (":asof") written as the SQLite text writes them;
 * before it runs, each name becomes $N, numbered in the order of first
 * use, and only the parameters the text uses are passed (PostgreSQL wants
 * a type for every one it is given).  SQLite's INDEXED BY has no
 * PostgreSQL form and is left out: the planner picks the index.
 */

/* A case's total overdue at :asof (migration 18): a current case owes
 * nothing overdue and has no case_overdue row. */
#define CASE_DUE "COALESCE(o.due_base + o.due_daily * :asof, 0)"

enum list_arm {
	ARM_ALL,     /* every case, its overdue date joined in */
	ARM_OVERDUE, /* overdue cases only */
	ARM_CURRENT, /* cases with nothing overdue */
};

struct named {
	const char *name; /* with its colon */
	bool text;
	int64_t i;
	const char *s;
};

/* `in` with every :name of `names` as $N::type into `out`; the values in
 * the order of their numbers into *p.  False when out is too small or a
 * name is unknown (a programming error). */
static bool number_params(const char *in, const struct named *names,
			  size_t n_names, char *out, size_t cap,
			  struct pg_params *p)
{
	int number[32];
	size_t o = 0;

	for (size_t i = 0; i < n_names && i < 32; i++)
		number[i] = 0;
	while (*in) {
		size_t len = 0, k;

		/* a name: a colon not part of "::", then letters and _ */
		if (in[0] == ':' && in[1] != ':' &&
		    (o == 0 || out[o - 1] != ':') &&
		    ((in[1] >= 'a' && in[1] <= 'z') || in[1] == '_')) {
			while ((in[1 + len] >= 'a' && in[1 + len] <= 'z') ||
			       in[1 + len] == '_')
				len++;
			for (k = 0; k < n_names; k++)
				if (strlen(names[k].name) == len + 1 &&
				    !strncmp(names[k].name, in, len + 1))
					break;
			if (k == n_names)
				return false;
			if (!number[k]) {
				if (names[k].text)
					pgp_str(p, names[k].s);
				else
					pgp_int(p, names[k].i);
				number[k] = p->n;
			}
			o += (size_t)snprintf(out + o, o < cap ? cap - o : 0,
					      "$%d::%s", number[k],
					      names[k].text ? "text" : "bigint");
			in += len + 1;
		} else {
			if (o + 1 < cap)
				out[o] = *in;
			o++;
			in++;
		}
		if (o >= cap)
			return false;
	}
	out[o] = 0;
	return true;
}

static enum hk_rc list_arm(struct pg_store *ps, enum list_arm arm,
			   const struct hk_scope *sc,
			   const struct hk_case_filter *f, int32_t as_of,
			   int limit, int (*fn)(void *, const struct hk_case_line *),
			   void *ctx, int *rows, struct hk_err *err)
{
	static const char *const key[] = {
		[HK_SORT_DPD] = "0" /* the date column is the key */,
		[HK_SORT_ID] = "c.ref", [HK_SORT_OVERDUE] = CASE_DUE,
		[HK_SORT_FOLLOW_UP] = "c.next_follow_up",
		[HK_SORT_PRIORITY] = "COALESCE(t.priority, 0)"};
	/* the overdue arm filters on case_overdue's copies of the scope */
	const char *t = arm == ARM_OVERDUE ? "o" : "c";
	const char *due = arm == ARM_CURRENT ? "0" : CASE_DUE;
	const char *os = arm == ARM_OVERDUE   ? "o.overdue_since"
			 : arm == ARM_CURRENT ? "2147483647"
					      : "COALESCE(o.overdue_since, 2147483647)";
	int32_t fud_lo = INT32_MIN, fud_hi = INT32_MAX;
	char sql[2048], pg_sql[3072];
	struct pg_params p = {0};
	struct hk_case_line l;
	size_t n = 0;
	PGresult *r;

#define ADD(...) (n += (size_t)snprintf(sql + n, n < sizeof(sql) ? sizeof(sql) - n : 0, __VA_ARGS__))
	ADD("SELECT c.ref, c.creditor, c.status, d.debtor_id, d.name, "
	    "COALESCE(c.collector_ref, 0), COALESCE(c.team_ref, 0), "
	    "(SELECT count(*) FROM accounts a WHERE a.case_ref = c.ref), "
	    "%s, %s, 0, "
	    "c.next_follow_up, COALESCE(c.promise_status, -1), c.lost_contact, "
	    "%s FROM ",
	    os, due, key[f->sort]);
	if (f->sort == HK_SORT_PRIORITY)
		/* the queue: the scope's first cases by priority are picked
		 * from the narrow rows, and only they are joined (a filter
		 * other than the scope's is not applied before the limit) */
		ADD("(SELECT o2.* FROM case_overdue o2 "
		    "LEFT JOIN case_treatment t2 ON t2.case_ref = o2.case_ref "
		    "WHERE %s ORDER BY COALESCE(t2.priority, 0) DESC, "
		    "o2.overdue_since, o2.case_ref LIMIT :limit) o "
		    "JOIN cases c ON c.ref = o.case_ref "
		    "LEFT JOIN case_treatment t ON t.case_ref = o.case_ref ",
		    sc->all             ? "true"
		    : sc->collector_ref ? "o2.collector_ref = :scope"
		    : sc->team_ref      ? "o2.team_ref = :scope"
		    : sc->agency_ref    ? "o2.agency_ref = :scope"
					: "false");
	else if (arm == ARM_OVERDUE)
		ADD("case_overdue o JOIN cases c ON c.ref = o.case_ref ");
	else if (arm == ARM_CURRENT)
		ADD("cases c ");
	else
		ADD("cases c LEFT JOIN case_overdue o ON o.case_ref = c.ref ");
	ADD("JOIN debtors d ON d.ref = c.debtor_ref WHERE true");
	if (arm == ARM_CURRENT)
		ADD(" AND NOT EXISTS (SELECT 1 FROM case_overdue o "
		    "WHERE o.case_ref = c.ref)");
	if (sc->all)
		;
	else if (sc->collector_ref)
		ADD(" AND %s.collector_ref = :scope", t);
	else if (sc->team_ref)
		ADD(" AND %s.team_ref = :scope", t);
	else if (sc->agency_ref)
		ADD(" AND %s.agency_ref = :scope", t);
	else
		ADD(" AND false");
	/* DPD at D is D - overdue_since: a DPD range is a range of
	 * overdue_since */
	if (f->dpd_max >= 0)
		fud_lo = as_of - f->dpd_max;
	if (f->dpd_min > 0)
		fud_hi = as_of - f->dpd_min;
	if (fud_lo != INT32_MIN)
		ADD(" AND %s >= :fud_lo", os);
	if (fud_hi != INT32_MAX)
		ADD(" AND %s <= :fud_hi", os);
	if (f->status)
		ADD(" AND c.status = :status");
	if (f->creditor)
		ADD(" AND c.creditor = :creditor");
	if (f->collector_ref)
		ADD(" AND %s.collector_ref = :collector", t);
	if (f->team_ref)
		ADD(" AND %s.team_ref = :team", t);
	if (f->province)
		ADD(" AND d.province = :province");
	if (f->segment)
		ADD(" AND d.segment = :segment");
	if (f->product >= 0)
		ADD(" AND (c.products & :product) <> 0");
	if (f->min_overdue >= 0)
		ADD(" AND %s >= :min_due", due);
	if (f->max_overdue >= 0)
		ADD(" AND %s <= :max_due", due);
	if (f->promise_status >= 0)
		ADD(" AND %s.promise_status = :promise", t);
	if (f->promise_due_by != HK_DATE_NONE)
		ADD(" AND c.ref IN (SELECT p.case_ref FROM promises p WHERE "
		    "p.status = 0 AND p.due_on <= :promise_due)");
	if (f->follow_up_by != HK_DATE_NONE)
		ADD(" AND c.next_follow_up <= :follow_up "
		    "AND c.next_follow_up < 2147483647");
	if (f->lost_contact)
		ADD(" AND c.lost_contact <> 0");
	if (f->has_after && f->sort == HK_SORT_ID)
		ADD(" AND c.ref > :after_ref");
	else if (f->has_after && f->sort == HK_SORT_OVERDUE)
		ADD(" AND (" CASE_DUE " < :after_key OR (" CASE_DUE
		    " = :after_key AND c.ref > :after_ref))");
	else if (f->has_after && arm == ARM_CURRENT)
		ADD(" AND c.ref > (CASE WHEN :after_key < 2147483647 THEN 0 "
		    "ELSE :after_ref END)");
	else if (f->has_after && f->sort == HK_SORT_DPD)
		ADD(" AND (o.overdue_since, o.case_ref) > (:after_key, :after_ref)");
	else if (f->has_after)
		ADD(" AND (%s, c.ref) > (:after_key, :after_ref)", key[f->sort]);
	if (f->sort == HK_SORT_ID || arm == ARM_CURRENT)
		ADD(" ORDER BY c.ref");
	else if (f->sort == HK_SORT_DPD)
		ADD(" ORDER BY o.overdue_since, o.case_ref");
	else if (f->sort == HK_SORT_PRIORITY)
		ADD(" ORDER BY %s DESC, o.overdue_since, o.case_ref",
		    key[f->sort]);
	else
		ADD(" ORDER BY %s%s, c.ref", key[f->sort],
		    f->sort == HK_SORT_OVERDUE ? " DESC" : "");
	ADD(" LIMIT :limit");
#undef ADD
	if (n >= sizeof(sql))
		return hk_err_set(err, HK_EINTERNAL, "case list query too long");
	{
		const struct named names[] = {
			{":asof", false, as_of, NULL},
			{":scope", false,
			 sc->collector_ref ? sc->collector_ref
			 : sc->team_ref    ? sc->team_ref
					   : sc->agency_ref,
			 NULL},
			{":fud_lo", false, fud_lo, NULL},
			{":fud_hi", false, fud_hi, NULL},
			{":status", true, 0, f->status},
			{":creditor", true, 0, f->creditor},
			{":collector", false, f->collector_ref, NULL},
			{":team", false, f->team_ref, NULL},
			{":province", true, 0, f->province},
			{":segment", true, 0, f->segment},
			{":product", false,
			 f->product >= 0 ? 1 << f->product : 0, NULL},
			{":min_due", false, f->min_overdue, NULL},
			{":max_due", false, f->max_overdue, NULL},
			{":promise", false, f->promise_status, NULL},
			{":follow_up", false, f->follow_up_by, NULL},
			{":promise_due", false, f->promise_due_by, NULL},
			{":after_key", false, f->after_key, NULL},
			{":after_ref", false, f->after_ref, NULL},
			{":limit", false, limit, NULL},
		};

		if (!number_params(sql, names, sizeof(names) / sizeof(*names),
				   pg_sql, sizeof(pg_sql), &p))
			return hk_err_set(err, HK_EINTERNAL,
					  "case list query too long");
	}
	if (!(r = pg_run_dyn(ps, pg_sql, &p, "could not list cases", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		int32_t since = pg_i32(r, i, 8);
		int32_t fu = pg_i32(r, i, 11);

		l.ref = pg_i64(r, i, 0);
		l.creditor = pg_str(r, i, 1);
		l.status = pg_str(r, i, 2);
		l.debtor_id = pg_str(r, i, 3);
		l.name = pg_str(r, i, 4);
		l.collector_ref = pg_i64(r, i, 5);
		l.team_ref = pg_i64(r, i, 6);
		l.accounts = pg_i32(r, i, 7);
		l.dpd = since < as_of ? as_of - since : 0;
		l.total_overdue = pg_i64(r, i, 9);
		l.next_follow_up = fu == INT32_MAX ? HK_DATE_NONE : fu;
		l.promise_status = pg_i32(r, i, 12);
		l.lost_contact = pg_i64(r, i, 13) != 0;
		l.sort_key = f->sort == HK_SORT_DPD ? since : pg_i64(r, i, 14);
		fn(ctx, &l);
		(*rows)++;
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_cases_list(struct hk_store *s, const struct hk_scope *sc,
				 const struct hk_case_filter *f, int32_t as_of,
				 int (*fn)(void *, const struct hk_case_line *),
				 void *ctx, struct hk_err *err)
{
	struct pg_store *ps = PG(s);
	int rows = 0;
	enum hk_rc rc = HK_OK;

	if (f->sort == HK_SORT_PRIORITY)
		return list_arm(ps, ARM_OVERDUE, sc, f, as_of, f->limit, fn, ctx,
				&rows, err);
	if (f->sort != HK_SORT_DPD)
		return list_arm(ps, ARM_ALL, sc, f, as_of, f->limit, fn, ctx,
				&rows, err);
	/* Most days past due first: the overdue cases in date order, then
	 * the current ones by id (their key 2147483647 in the cursor). */
	if (!f->has_after || f->after_key < INT32_MAX)
		rc = list_arm(ps, ARM_OVERDUE, sc, f, as_of, f->limit, fn, ctx,
			      &rows, err);
	if (rc == HK_OK && rows < f->limit && f->dpd_min <= 0)
		rc = list_arm(ps, ARM_CURRENT, sc, f, as_of, f->limit - rows, fn,
			      ctx, &rows, err);
	return rc;
}

/* ---- status ------------------------------------------------------------ */

static enum hk_rc pgx_case_set_status(struct hk_store *s, int64_t case_ref,
				      const char *from, const char *to,
				      int64_t user_ref, const char *reason,
				      int64_t at, struct hk_err *err)
{
	static const char set_sql[] =
		"UPDATE cases SET status = $3 WHERE ref = $1 AND status = $2";
	static const char hist_sql[] =
		"INSERT INTO case_status_history (case_ref, at, user_ref, "
		"from_status, to_status, reason) VALUES ($1, $2, $3, $4, $5, $6)";
	struct pg_store *ps = PG(s);
	struct pg_params p = {0};
	int64_t changes = 0;
	enum hk_rc rc;

	pgp_int(&p, case_ref);
	pgp_str(&p, from);
	pgp_str(&p, to);
	if ((rc = pg_exec_changes(ps, set_sql, &p, "could not change a status",
			      &changes, err)) != HK_OK)
		return rc;
	if (changes != 1)
		return hk_err_set(err, HK_EREFUSED,
				  HK_TR(s->lang, "案件状态已被他人修改，请刷新后重试",
					"someone else changed the case's status; reload and try again"));
	memset(&p, 0, sizeof(p));
	pgp_int(&p, case_ref);
	pgp_int(&p, at);
	pgp_int(&p, user_ref);
	pgp_str(&p, from);
	pgp_str(&p, to);
	pgp_str(&p, reason);
	return pg_exec(ps, hist_sql, &p, "could not record a status change",
		       err);
}

static enum hk_rc pgx_case_status_history(
	struct hk_store *s, int64_t case_ref,
	int (*fn)(void *, int64_t, int64_t, const char *, const char *,
		  const char *),
	void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT at, user_ref, from_status, to_status, reason FROM "
		"case_status_history WHERE case_ref = $1 ORDER BY at, ref";
	struct pg_params p = {0};
	PGresult *r;

	pgp_int(&p, case_ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read status history", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++)
		fn(ctx, pg_i64(r, i, 0), pg_i64(r, i, 1), pg_str(r, i, 2),
		   pg_str(r, i, 3), pg_str(r, i, 4));
	PQclear(r);
	return HK_OK;
}

/* ====================================================================
 * Contact records, promises, the timeline
 * ==================================================================== */

static enum hk_rc pgx_record_insert(struct hk_store *s, struct hk_record *rec,
				    struct hk_err *err)
{
	/* the case's next_follow_up follows by the schema's trigger */
	static const char sql[] =
		"INSERT INTO contact_records (case_ref, user_ref, at, channel, "
		"contact_id, outcome, note, recording_ref, next_follow_up, "
		"second_staff_ref, third_party_reason) VALUES ($1, $2, $3, $4, "
		"$5, $6, $7, $8, $9, NULLIF($10::bigint, 0), $11) RETURNING ref";
	struct pg_params p = {0};
	PGresult *r;

	pgp_int(&p, rec->case_ref);
	pgp_int(&p, rec->user_ref);
	pgp_int(&p, rec->at);
	pgp_text(&p, rec->channel);
	pgp_text(&p, rec->contact_id);
	pgp_text(&p, rec->outcome);
	pgp_str(&p, rec->note);
	pgp_text(&p, rec->recording_ref);
	if (rec->next_follow_up == HK_DATE_NONE)
		pgp_null(&p);
	else
		pgp_int(&p, rec->next_follow_up);
	pgp_int(&p, rec->second_staff_ref);
	pgp_text(&p, rec->third_party_reason);
	if (!(r = pg_run(PG(s), sql, &p, "could not save a contact record",
			 err)))
		return HK_EDB;
	rec->ref = PQntuples(r) ? pg_i64(r, 0, 0) : 0;
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_records_list(struct hk_store *s, int64_t case_ref,
				   int (*fn)(void *, const struct hk_record *),
				   void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT ref, case_ref, user_ref, COALESCE(second_staff_ref, 0), at, "
		"channel, contact_id, outcome, note, recording_ref, next_follow_up "
		"FROM contact_records WHERE case_ref = $1 ORDER BY at DESC, ref DESC";
	struct pg_params p = {0};
	struct hk_record rec;
	PGresult *r;

	pgp_int(&p, case_ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read contact records", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		memset(&rec, 0, sizeof(rec));
		rec.ref = pg_i64(r, i, 0);
		rec.case_ref = pg_i64(r, i, 1);
		rec.user_ref = pg_i64(r, i, 2);
		rec.second_staff_ref = pg_i64(r, i, 3);
		rec.at = pg_i64(r, i, 4);
		copy_col(rec.channel, sizeof(rec.channel), r, i, 5);
		copy_col(rec.contact_id, sizeof(rec.contact_id), r, i, 6);
		copy_col(rec.outcome, sizeof(rec.outcome), r, i, 7);
		copy_col(rec.note, sizeof(rec.note), r, i, 8);
		copy_col(rec.recording_ref, sizeof(rec.recording_ref), r, i, 9);
		rec.next_follow_up = pg_isnull(r, i, 10) ? HK_DATE_NONE
							 : pg_i32(r, i, 10);
		fn(ctx, &rec);
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_promise_take(struct hk_store *s,
				   const struct hk_promise_rec *rec,
				   int64_t user_ref, int64_t *ref,
				   struct hk_err *err)
{
	/* the case's promise_status follows by the schema's trigger */
	static const char sql[] =
		"INSERT INTO promises (case_ref, made_on, due_on, amount, user_ref) "
		"VALUES ($1, $2, $3, $4, $5) RETURNING ref";
	struct pg_params p = {0};
	PGresult *r;

	pgp_int(&p, rec->case_ref);
	pgp_int(&p, rec->made_on);
	pgp_int(&p, rec->due_on);
	pgp_int(&p, rec->amount);
	pgp_int(&p, user_ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not save a promise", err)))
		return HK_EDB;
	*ref = PQntuples(r) ? pg_i64(r, 0, 0) : 0;
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_case_promises(struct hk_store *s, int64_t case_ref,
				    int (*fn)(void *,
					      const struct hk_promise_detail *),
				    void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT ref, made_on, due_on, amount, status FROM promises "
		"WHERE case_ref = $1 ORDER BY made_on, ref";
	struct pg_params p = {0};
	struct hk_promise_detail d;
	PGresult *r;

	pgp_int(&p, case_ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read promises", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		d.ref = pg_i64(r, i, 0);
		d.made_on = pg_i32(r, i, 1);
		d.due_on = pg_i32(r, i, 2);
		d.amount = pg_i64(r, i, 3);
		d.status = pg_i32(r, i, 4);
		fn(ctx, &d);
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_case_timeline(
	struct hk_store *s, int64_t case_ref, bool with_placements,
	int (*fn)(void *, const struct hk_timeline_row *), void *ctx,
	struct hk_err *err)
{
	/* kind, at, date, user, ref, amount, date2, t1, t2, t3; events known
	 * only by their date sort at the end of that day.  $2: with
	 * placements.  The first arm's NULLs are typed: PostgreSQL types a
	 * UNION pair by pair.  The last column, the arm's number, only
	 * orders full ties as SQLite's sorter leaves them: in arm order. */
	static const char sql[] =
		"SELECT * FROM ("
		"SELECT 'record'::text AS kind, at, NULL::bigint AS day, user_ref, "
		"ref, NULL::bigint AS amount, next_follow_up::bigint AS date2, "
		"channel::text AS t1, outcome::text AS t2, note::text AS t3, "
		"1 AS arm FROM contact_records WHERE case_ref = $1 "
		"UNION ALL SELECT 'status', at, NULL, user_ref, ref, NULL, NULL, "
		"from_status, to_status, reason, 2 FROM case_status_history "
		"WHERE case_ref = $1 "
		"UNION ALL SELECT 'promise', NULL, made_on, user_ref, ref, amount, "
		"due_on, CASE status WHEN 0 THEN 'pending' WHEN 1 THEN 'kept' "
		"ELSE 'broken' END, NULL, NULL, 3 FROM promises WHERE case_ref = $1 "
		"UNION ALL SELECT 'payment', NULL, p.paid_on, NULL, p.ref, p.amount, "
		"NULL, a.account_id, p.channel, p.payment_id, 4 FROM payments p "
		"JOIN accounts a ON a.ref = p.account_ref WHERE a.case_ref = $1 "
		"UNION ALL SELECT 'waiver_request', w.requested_at, NULL, "
		"w.requested_by, w.ref, w.amount, NULL, a.account_id, "
		"CASE w.component WHEN 0 THEN 'penalty' WHEN 1 THEN 'fee' "
		"WHEN 2 THEN 'interest' ELSE 'principal' END, w.reason, 5 "
		"FROM waiver_requests w JOIN accounts a ON a.ref = w.account_ref "
		"WHERE w.case_ref = $1 "
		"UNION ALL SELECT 'waiver_decision', decided_at, NULL, decided_by, "
		"ref, amount, NULL, status, NULL, note, 6 FROM waiver_requests "
		"WHERE case_ref = $1 AND decided_at IS NOT NULL "
		"UNION ALL SELECT 'dispute_opened', opened_at, NULL, opened_by, ref, "
		"NULL, NULL, NULL, NULL, reason, 7 FROM disputes WHERE case_ref = $1 "
		"UNION ALL SELECT 'dispute_resolved', resolved_at, NULL, "
		"resolved_by, ref, NULL, NULL, status, NULL, resolution, 8 "
		"FROM disputes WHERE case_ref = $1 AND resolved_at IS NOT NULL "
		"UNION ALL SELECT 'plan_proposed', proposed_at, NULL, proposed_by, "
		"ref, NULL, starts_on, NULL, NULL, note, 9 FROM plans "
		"WHERE case_ref = $1 "
		"UNION ALL SELECT 'plan_decided', decided_at, NULL, decided_by, ref, "
		"NULL, NULL, status, NULL, NULL, 10 FROM plans "
		"WHERE case_ref = $1 AND decided_at IS NOT NULL "
		"UNION ALL SELECT 'placed', p.placed_at, NULL, p.placed_by, p.ref, "
		"NULL, p.until, g.name, NULL, p.reason, 11 FROM placements p "
		"JOIN agencies g ON g.ref = p.agency_ref "
		"WHERE p.case_ref = $1 AND $2::int <> 0 "
		"UNION ALL SELECT 'recalled', p.recalled_at, NULL, p.recalled_by, "
		"p.ref, NULL, NULL, g.name, NULL, p.recall_reason, 12 "
		"FROM placements p JOIN agencies g ON g.ref = p.agency_ref "
		"WHERE p.case_ref = $1 AND $2::int <> 0 AND p.recalled_at IS NOT NULL "
		"UNION ALL SELECT 'assigned', a.at, NULL, a.by_user, a.ref, NULL, "
		"NULL, a.kind, u.username, a.reason, 13 FROM case_assignments a "
		"LEFT JOIN users u ON u.ref = a.collector_ref "
		"WHERE a.case_ref = $1 AND $2::int <> 0) e "
		"ORDER BY COALESCE(at, day * 86400 + 86399) DESC, ref DESC, arm";
	struct pg_params p = {0};
	struct hk_timeline_row row;
	PGresult *r;

	pgp_int(&p, case_ref);
	pgp_int(&p, with_placements);
	if (!(r = pg_run(PG(s), sql, &p, "could not read a case's timeline",
			 err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		row.kind = pg_str(r, i, 0);
		row.at = pg_i64(r, i, 1);
		row.date = pg_isnull(r, i, 2) ? HK_DATE_NONE : pg_i32(r, i, 2);
		row.user_ref = pg_i64(r, i, 3);
		row.ref = pg_i64(r, i, 4);
		row.amount = pg_isnull(r, i, 5) ? -1 : pg_i64(r, i, 5);
		row.date2 = pg_isnull(r, i, 6) ? HK_DATE_NONE : pg_i32(r, i, 6);
		row.t1 = pg_str(r, i, 7);
		row.t2 = pg_str(r, i, 8);
		row.t3 = pg_str(r, i, 9);
		fn(ctx, &row);
	}
	PQclear(r);
	return HK_OK;
}

/* ====================================================================
 * A case's accounts and payments
 * ==================================================================== */

static enum hk_rc pgx_case_accounts(struct hk_store *s, int64_t case_ref,
				    hk_acct_fn fn, void *ctx, struct hk_err *err)
{
	/* account_id in byte order, as SQLite's BINARY orders it */
	static const char sql[] =
		"SELECT a.ref, a.account_id, a.product, a.open_date, a.annual_ppm, "
		"a.penalty_ppm, s.anchor, s.win_start, s.win_end, "
		"s.first_unpaid_due, s.overdue_principal, s.overdue_interest, "
		"s.overdue_fee, s.penalty_due, s.penalty_accrued, s.daily_penalty, "
		"s.principal_outstanding, s.credit_balance, s.paid_total, "
		"s.waived_total, a.case_ref FROM accounts a "
		"LEFT JOIN account_state s ON s.account_ref = a.ref "
		"WHERE a.case_ref = $1 ORDER BY a.account_id COLLATE \"C\"";
	struct pg_params p = {0};
	struct hk_acct_row row;
	enum hk_rc rc = HK_OK;
	PGresult *r;

	pgp_int(&p, case_ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read accounts", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		struct hk_summary *sm = &row.summary;
		const char *product = pg_str(r, i, 2);

		row.ref = pg_i64(r, i, 0);
		row.account_id = pg_str(r, i, 1);
		row.lean = false;
		row.product = hk_product_parse(product ? product : "",
					       product ? strlen(product) : 0);
		row.open_date = pg_i32(r, i, 3);
		row.annual_ppm = pg_i32(r, i, 4);
		row.penalty_ppm = pg_i32(r, i, 5);
		row.case_ref = pg_i64(r, i, 20);
		row.has_state = !pg_isnull(r, i, 6);
		if (!row.has_state) {
			memset(sm, 0, sizeof(*sm));
		} else {
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
		/* a non-zero return stops, as the twin's scan stops */
		if (fn(ctx, &row)) {
			rc = err && err->code ? err->code : HK_EINTERNAL;
			break;
		}
	}
	PQclear(r);
	return rc;
}

static enum hk_rc pgx_account_payments(
	struct hk_store *s, int64_t account_ref,
	int (*fn)(void *, const struct hk_payment_row *), void *ctx,
	struct hk_err *err)
{
	static const char sql[] =
		"SELECT payment_id, paid_on, amount, channel FROM payments "
		"WHERE account_ref = $1 ORDER BY paid_on, ref";
	struct pg_params p = {0};
	struct hk_payment_row pay;
	PGresult *r;

	pgp_int(&p, account_ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read payments", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		copy_col(pay.payment_id, sizeof(pay.payment_id), r, i, 0);
		pay.paid_on = pg_i32(r, i, 1);
		pay.amount = pg_i64(r, i, 2);
		copy_col(pay.channel, sizeof(pay.channel), r, i, 3);
		fn(ctx, &pay);
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_payment_get(struct hk_store *s, const char *payment_id,
				  int64_t *account_ref, int32_t *paid_on,
				  int64_t *amount, char channel[32],
				  char reference[129], bool *found,
				  struct hk_err *err)
{
	static const char sql[] =
		"SELECT account_ref, paid_on, amount, channel, "
		"COALESCE(reference, '') FROM payments WHERE payment_id = $1";
	struct pg_params p = {0};
	PGresult *r;

	*found = false;
	pgp_str(&p, payment_id);
	if (!(r = pg_run(PG(s), sql, &p, "could not read a payment", err)))
		return HK_EDB;
	if (PQntuples(r)) {
		*account_ref = pg_i64(r, 0, 0);
		*paid_on = pg_i32(r, 0, 1);
		*amount = pg_i64(r, 0, 2);
		copy_col(channel, 32, r, 0, 3);
		copy_col(reference, 129, r, 0, 4);
		*found = true;
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_case_paid_between(struct hk_store *s, int64_t case_ref,
					int32_t from, int32_t to, int64_t *sum,
					struct hk_err *err)
{
	static const char sql[] =
		"SELECT COALESCE(SUM(pay.amount), 0)::bigint FROM accounts a "
		"JOIN payments pay ON pay.account_ref = a.ref "
		"WHERE a.case_ref = $1 AND pay.paid_on >= $2 AND pay.paid_on <= $3";
	struct pg_params p = {0};
	PGresult *r;

	*sum = 0;
	pgp_int(&p, case_ref);
	pgp_int(&p, from);
	pgp_int(&p, to);
	if (!(r = pg_run(PG(s), sql, &p, "could not sum payments", err)))
		return HK_EDB;
	if (PQntuples(r))
		*sum = pg_i64(r, 0, 0);
	PQclear(r);
	return HK_OK;
}

/* ====================================================================
 * Contacts: the guardrails' counts, skip tracing
 * ==================================================================== */

static enum hk_rc pgx_contact_of_debtor(struct hk_store *s, int64_t debtor_ref,
					const char *contact_id, bool *yes,
					struct hk_err *err)
{
	static const char sql[] =
		"SELECT 1 FROM contacts WHERE debtor_ref = $1 AND contact_id = $2";
	struct pg_params p = {0};
	PGresult *r;

	*yes = false;
	pgp_int(&p, debtor_ref);
	pgp_str(&p, contact_id);
	if (!(r = pg_run(PG(s), sql, &p, "could not read a contact", err)))
		return HK_EDB;
	*yes = PQntuples(r) > 0;
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_debtor_contacts(
	struct hk_store *s, int64_t debtor_ref,
	int (*fn)(void *, const struct hk_contact_row *), void *ctx,
	struct hk_err *err)
{
	static const char sql[] =
		"SELECT contact_id, relation, name, phone, authorized, validity, "
		"COALESCE(source, ''), (stopped_at IS NOT NULL)::int, "
		"COALESCE(email, '') FROM contacts "
		"WHERE debtor_ref = $1 ORDER BY contact_id COLLATE \"C\"";
	struct pg_params p = {0};
	struct hk_contact_row c;
	PGresult *r;

	pgp_int(&p, debtor_ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read contacts", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		copy_col(c.contact_id, sizeof(c.contact_id), r, i, 0);
		copy_col(c.relation, sizeof(c.relation), r, i, 1);
		copy_col(c.name, sizeof(c.name), r, i, 2);
		copy_col(c.phone, sizeof(c.phone), r, i, 3);
		c.authorized = pg_i64(r, i, 4) != 0;
		copy_col(c.validity, sizeof(c.validity), r, i, 5);
		copy_col(c.source, sizeof(c.source), r, i, 6);
		c.stopped = pg_i64(r, i, 7) != 0;
		copy_col(c.email, sizeof(c.email), r, i, 8);
		fn(ctx, &c);
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_contact_counts(struct hk_store *s, int64_t debtor_ref,
				     const char *contact_id, int64_t day_start,
				     int64_t week_start,
				     struct hk_contact_counts *out,
				     struct hk_err *err)
{
	/* $1 debtor, $2 contact (NULL: none), $3 day start, $4 week start */
	static const char counts_sql[] =
		"SELECT COALESCE(sum((r.at >= $3 AND r.outcome IN " CONVERSATION
		")::int), 0), COALESCE(sum((r.at >= $3 AND r.contact_id = $2::text "
		"AND r.outcome IN ('no_answer', 'busy', 'switched_off', "
		"'left_message'))::int), 0), "
		"COALESCE(sum((r.channel = 'call')::int), 0), "
		"COALESCE(max(CASE WHEN r.outcome IN " CONVERSATION
		" THEN r.at END), 0) FROM cases c JOIN contact_records r "
		"ON r.case_ref = c.ref WHERE c.debtor_ref = $1 AND r.at >= $4";
	static const char last_sql[] =
		"SELECT COALESCE(max(r.at), 0) FROM cases c JOIN contact_records r "
		"ON r.case_ref = c.ref WHERE c.debtor_ref = $1 AND r.outcome IN "
		CONVERSATION;
	struct pg_store *ps = PG(s);
	struct pg_params p = {0};
	PGresult *r;

	memset(out, 0, sizeof(*out));
	pgp_int(&p, debtor_ref);
	pgp_text(&p, contact_id);
	pgp_int(&p, day_start);
	pgp_int(&p, week_start < day_start ? week_start : day_start);
	if (!(r = pg_run(ps, counts_sql, &p, "could not count contacts", err)))
		return HK_EDB;
	if (PQntuples(r)) {
		out->conversations_today = pg_i32(r, 0, 0);
		out->attempts_today = pg_i32(r, 0, 1);
		out->calls_7_days = pg_i32(r, 0, 2);
	}
	PQclear(r);
	memset(&p, 0, sizeof(p));
	pgp_int(&p, debtor_ref);
	if (!(r = pg_run(ps, last_sql, &p, "could not count contacts", err)))
		return HK_EDB;
	if (PQntuples(r))
		out->last_conversation = pg_i64(r, 0, 0);
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_contact_stop(struct hk_store *s, int64_t debtor_ref,
				   const char *contact_id, int64_t at,
				   const char *reason, bool *found,
				   struct hk_err *err)
{
	/* the first request stands: a second one changes nothing */
	static const char sql[] =
		"UPDATE contacts SET stopped_at = COALESCE(stopped_at, $3), "
		"stop_reason = COALESCE(stop_reason, $4) "
		"WHERE debtor_ref = $1 AND contact_id = $2";
	struct pg_params p = {0};
	int64_t changes = 0;
	enum hk_rc rc;

	*found = false;
	pgp_int(&p, debtor_ref);
	pgp_str(&p, contact_id);
	pgp_int(&p, at);
	pgp_str(&p, reason);
	rc = pg_exec_changes(PG(s), sql, &p, "could not stop a contact", &changes,
			 err);
	if (rc == HK_OK)
		*found = changes == 1;
	return rc;
}

static enum hk_rc pgx_contact_add(struct hk_store *s,
				  const struct hk_contact_rec *rec,
				  const char *source, struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO contacts (contact_id, debtor_ref, relation, name, "
		"phone, authorized, source, email) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
	struct pg_store *ps = PG(s);
	/* SQLite's failed statement leaves the caller's transaction open; a
	 * failed PostgreSQL statement would abort it, so a savepoint keeps
	 * the refusal as harmless as it is there */
	bool in_tx = PQtransactionStatus(ps->conn) == PQTRANS_INTRANS;
	struct pg_params p = {0};
	enum hk_rc rc;

	pgp_text(&p, rec->contact_id);
	pgp_int(&p, rec->debtor_ref);
	pgp_text(&p, rec->relation);
	pgp_text(&p, rec->name);
	pgp_text(&p, rec->phone);
	pgp_int(&p, rec->authorized);
	pgp_text(&p, source);
	pgp_text(&p, rec->email);
	if (in_tx && (rc = pg_exec_script(ps, "SAVEPOINT hk_contact_add",
					  err)) != HK_OK)
		return rc;
	rc = pg_exec(ps, sql, &p, "could not add a contact", err);
	/* any constraint SQLite checks (its SQLITE_CONSTRAINT: class 23);
	 * not a foreign key (23503), which SQLite does not check
	 * (foreign_keys = OFF): a database failure here, not "exists" */
	if (rc != HK_OK && !strncmp(ps->sqlstate, "23", 2) &&
	    strcmp(ps->sqlstate, "23503")) {
		if (in_tx)
			pg_exec_script(ps, "ROLLBACK TO SAVEPOINT hk_contact_add",
				       NULL);
		hk_err_clear(err);
		return hk_err_set(err, HK_EREFUSED, "contact %s exists",
				  rec->contact_id);
	}
	if (in_tx && rc == HK_OK)
		rc = pg_exec_script(ps, "RELEASE SAVEPOINT hk_contact_add", err);
	return rc;
}

static enum hk_rc pgx_contact_set_validity(struct hk_store *s,
					   int64_t debtor_ref,
					   const char *contact_id,
					   const char *validity, bool *found,
					   bool *lost, struct hk_err *err)
{
	static const char set_sql[] = "UPDATE contacts SET validity = $3 "
				      "WHERE debtor_ref = $1 AND contact_id = $2";
	/* lost contact: the debtor has contacts and every one is invalid */
	static const char lost_sql[] =
		"UPDATE cases SET lost_contact = ("
		" EXISTS (SELECT 1 FROM contacts WHERE debtor_ref = $1) AND "
		" NOT EXISTS (SELECT 1 FROM contacts WHERE debtor_ref = $1 "
		" AND validity <> 'invalid'))::int WHERE debtor_ref = $1 "
		"RETURNING lost_contact";
	struct pg_store *ps = PG(s);
	struct pg_params p = {0};
	int64_t changes = 0;
	enum hk_rc rc;
	PGresult *r;

	*found = *lost = false;
	pgp_int(&p, debtor_ref);
	pgp_str(&p, contact_id);
	pgp_str(&p, validity);
	if ((rc = pg_exec_changes(ps, set_sql, &p,
			      "could not set a contact's validity", &changes,
			      err)) != HK_OK)
		return rc;
	if (changes != 1)
		return HK_OK;
	*found = true;
	memset(&p, 0, sizeof(p));
	pgp_int(&p, debtor_ref);
	if (!(r = pg_run(ps, lost_sql, &p, "could not flag lost contact", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++)
		*lost = pg_i64(r, i, 0) != 0;
	PQclear(r);
	return HK_OK;
}

void hk_pg_ops_workflow(struct hk_store_ops *ops)
{
	ops->case_get = pgx_case_get;
	ops->cases_list = pgx_cases_list;
	ops->case_set_status = pgx_case_set_status;
	ops->case_status_history = pgx_case_status_history;
	ops->record_insert = pgx_record_insert;
	ops->records_list = pgx_records_list;
	ops->promise_take = pgx_promise_take;
	ops->case_timeline = pgx_case_timeline;
	ops->case_accounts = pgx_case_accounts;
	ops->account_payments = pgx_account_payments;
	ops->debtor_contacts = pgx_debtor_contacts;
	ops->case_promises = pgx_case_promises;
	ops->contact_of_debtor = pgx_contact_of_debtor;
	ops->payment_get = pgx_payment_get;
	ops->case_paid_between = pgx_case_paid_between;
	ops->contact_counts = pgx_contact_counts;
	ops->contact_add = pgx_contact_add;
	ops->contact_set_validity = pgx_contact_set_validity;
	ops->contact_stop = pgx_contact_stop;
}
