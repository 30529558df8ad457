/*
 * store_pg_approvals.c - the PostgreSQL backend's operations for what
 * needs a decision or stops collection: contact stops, limitation, disputes
 * and their evidence, repayment plans, waiver requests, the approvals inbox
 * (store_pg.h; the SQLite twins are in store_sqlite.c).
 *
 * Statement for statement the SQLite backend's: the same rows, in the same
 * order, with the same refusals and messages.  Every list here is small (a
 * case's or a debtor's rows, the inbox at most 500 of each), so it is read
 * whole before the first callback: a callback may use the store.  Like
 * their twins these ops call every row's callback and ignore its return.
 *
 * Evidence files themselves are not in the database: dispute_files holds
 * each one's name, SHA-256 and size, the bytes live under the server's
 * files directory (src/http/disputes.c).
 */
#include <stdio.h>
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

/* A statement that returns one row: the new row's ref. */
static enum hk_rc insert_ref(struct pg_store *ps, const char *sql,
			     const struct pg_params *p, const char *what,
			     int64_t *ref, struct hk_err *err)
{
	PGresult *r = pg_run(ps, sql, p, what, err);

	if (!r)
		return HK_EDB;
	*ref = PQntuples(r) ? pg_i64(r, 0, 0) : 0;
	PQclear(r);
	return HK_OK;
}

/* ---- scope ($1 all, $2 collector, $3 team, $4 agency: hk_scope) ----- */

#define SCOPE_ON_C                                                             \
	"($1::int <> 0 OR ($2::bigint <> 0 AND c.collector_ref = $2) OR "     \
	"($3::bigint <> 0 AND c.team_ref = $3) OR "                          \
	"($4::bigint <> 0 AND c.agency_ref = $4))"

static void scope_params(struct pg_params *p, const struct hk_scope *sc)
{
	pgp_int(p, sc->all);
	pgp_int(p, sc->collector_ref);
	pgp_int(p, sc->team_ref);
	pgp_int(p, sc->agency_ref);
}

/* ====================================================================
 * Contact stops and limitation
 * ==================================================================== */

static enum hk_rc pgx_stop_add(struct hk_store *s, const struct hk_stop *stop,
			       int64_t *ref, struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO contact_stops (debtor_ref, channel, reason, note, "
		"created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) "
		"RETURNING ref";
	struct pg_params p = {0};

	pgp_int(&p, stop->debtor_ref);
	pgp_str(&p, stop->channel);
	pgp_str(&p, stop->reason);
	pgp_str(&p, stop->note);
	pgp_int(&p, stop->created_by);
	pgp_int(&p, stop->created_at);
	return insert_ref(PG(s), sql, &p, "could not record a stop", ref, err);
}

static enum hk_rc pgx_stop_lift(struct hk_store *s, int64_t ref,
				int64_t user_ref, int64_t at,
				const char *reason, int64_t *debtor_ref,
				struct hk_err *err)
{
	static const char get_sql[] =
		"SELECT debtor_ref, (lifted_at IS NULL)::int "
		"FROM contact_stops WHERE ref = $1";
	static const char lift_sql[] =
		"UPDATE contact_stops SET lifted_by = $2, lifted_at = $3, "
		"lift_reason = $4 WHERE ref = $1 AND lifted_at IS NULL";
	struct pg_store *ps = PG(s);
	struct pg_params p = {0};
	bool open = false;
	PGresult *r;

	*debtor_ref = 0;
	pgp_int(&p, ref);
	if (!(r = pg_run(ps, get_sql, &p, "could not read a stop", err)))
		return HK_EDB;
	if (PQntuples(r)) {
		*debtor_ref = pg_i64(r, 0, 0);
		open = pg_i32(r, 0, 1) != 0;
	}
	PQclear(r);
	if (!*debtor_ref)
		return HK_OK;
	if (!open)
		return hk_err_set(err, HK_EREFUSED,
				  HK_TR(s->lang, "该暂停已解除", "that stop is lifted already"));
	memset(&p, 0, sizeof(p));
	pgp_int(&p, ref);
	pgp_int(&p, user_ref);
	pgp_int(&p, at);
	pgp_str(&p, reason);
	return pg_exec(ps, lift_sql, &p, "could not lift a stop", err);
}

static enum hk_rc pgx_stops_of_debtor(struct hk_store *s, int64_t debtor_ref,
				      bool open_only,
				      int (*fn)(void *, const struct hk_stop *),
				      void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT ref, debtor_ref, channel, reason, note, created_by, "
		"created_at, COALESCE(lifted_by, 0), COALESCE(lifted_at, 0), "
		"COALESCE(lift_reason, '') FROM contact_stops "
		"WHERE debtor_ref = $1 AND ($2::int = 0 OR lifted_at IS NULL) "
		"ORDER BY ref";
	struct pg_params p = {0};
	struct hk_stop x;
	PGresult *r;

	pgp_int(&p, debtor_ref);
	pgp_int(&p, open_only);
	if (!(r = pg_run(PG(s), sql, &p, "could not read stops", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		memset(&x, 0, sizeof(x));
		x.ref = pg_i64(r, i, 0);
		x.debtor_ref = pg_i64(r, i, 1);
		copy_col(x.channel, sizeof(x.channel), r, i, 2);
		copy_col(x.reason, sizeof(x.reason), r, i, 3);
		copy_col(x.note, sizeof(x.note), r, i, 4);
		x.created_by = pg_i64(r, i, 5);
		x.created_at = pg_i64(r, i, 6);
		x.lifted_by = pg_i64(r, i, 7);
		x.lifted_at = pg_i64(r, i, 8);
		copy_col(x.lift_reason, sizeof(x.lift_reason), r, i, 9);
		fn(ctx, &x);
	}
	PQclear(r);
	return HK_OK;
}

#define CONVERSATION "('reached_debtor', 'promised', 'refused', 'disputes', " \
		     "'claims_paid', 'hardship')"

static enum hk_rc pgx_case_limitation(
	struct hk_store *s, int64_t case_ref,
	int (*fn)(void *, const struct hk_limitation_row *), void *ctx,
	struct hk_err *err)
{
	/* A demand restarts the limitation period when it reached the
	 * debtor: a conversation, or a letter or message delivered.
	 * account_id in byte order, as SQLite's BINARY orders it. */
	static const char sql[] =
		"SELECT a.ref, a.account_id, CASE WHEN s.first_unpaid_due > "
		"-2147483648 AND s.first_unpaid_due < s.win_start THEN "
		"s.first_unpaid_due END, (SELECT max(paid_on) FROM payments p "
		"WHERE p.account_ref = a.ref), (SELECT max(r.at) FROM "
		"contact_records r WHERE r.case_ref = a.case_ref AND (r.outcome "
		"IN " CONVERSATION " OR r.outcome = 'delivered')) "
		"FROM accounts a LEFT JOIN account_state s ON s.account_ref = a.ref "
		"WHERE a.case_ref = $1 ORDER BY a.account_id COLLATE \"C\"";
	struct pg_params p = {0};
	struct hk_limitation_row row;
	PGresult *r;

	pgp_int(&p, case_ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read limitation facts",
			 err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		row.account_ref = pg_i64(r, i, 0);
		row.account_id = pg_str(r, i, 1);
		row.overdue_since = pg_isnull(r, i, 2) ? HK_DATE_NONE
						       : pg_i32(r, i, 2);
		row.last_paid = pg_isnull(r, i, 3) ? HK_DATE_NONE
						   : pg_i32(r, i, 3);
		row.last_demand = pg_i64(r, i, 4);
		fn(ctx, &row);
	}
	PQclear(r);
	return HK_OK;
}

/* ====================================================================
 * Disputes
 * ==================================================================== */

static enum hk_rc pgx_dispute_open(struct hk_store *s, int64_t case_ref,
				   int64_t user_ref, const char *reason,
				   int64_t at, int64_t *ref, struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO disputes (case_ref, opened_by, opened_at, reason) "
		"VALUES ($1, $2, $3, $4) RETURNING ref";
	struct pg_params p = {0};
	int64_t new_ref = 0;
	enum hk_rc rc;

	pgp_int(&p, case_ref);
	pgp_int(&p, user_ref);
	pgp_int(&p, at);
	pgp_str(&p, reason);
	rc = insert_ref(PG(s), sql, &p, "could not open a dispute", &new_ref,
			err);
	if (rc == HK_OK)
		*ref = new_ref;
	return rc;
}

static enum hk_rc pgx_dispute_file_add(struct hk_store *s, int64_t dispute_ref,
				       const char *name, const char *sha256,
				       int64_t size, struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO dispute_files (dispute_ref, name, sha256, size) "
		"VALUES ($1, $2, $3, $4)";
	struct pg_params p = {0};

	pgp_int(&p, dispute_ref);
	pgp_str(&p, name);
	pgp_str(&p, sha256);
	pgp_int(&p, size);
	return pg_exec(PG(s), sql, &p, "could not record an evidence file", err);
}

static enum hk_rc pgx_dispute_open_of(struct hk_store *s, int64_t case_ref,
				      int64_t *ref, struct hk_err *err)
{
	static const char sql[] =
		"SELECT ref FROM disputes WHERE case_ref = $1 "
		"AND status = 'open' ORDER BY ref LIMIT 1";
	struct pg_params p = {0};
	PGresult *r;

	*ref = 0;
	pgp_int(&p, case_ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read disputes", err)))
		return HK_EDB;
	if (PQntuples(r))
		*ref = pg_i64(r, 0, 0);
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_dispute_get(struct hk_store *s, int64_t ref,
				  int64_t *case_ref, char status[16],
				  struct hk_err *err)
{
	static const char sql[] =
		"SELECT case_ref, status FROM disputes WHERE ref = $1";
	struct pg_params p = {0};
	PGresult *r;

	*case_ref = 0;
	status[0] = '\0';
	pgp_int(&p, ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read a dispute", err)))
		return HK_EDB;
	if (PQntuples(r)) {
		*case_ref = pg_i64(r, 0, 0);
		copy_col(status, 16, r, 0, 1);
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_dispute_resolve(struct hk_store *s, int64_t ref,
				      int64_t user_ref, const char *resolution,
				      int64_t at, struct hk_err *err)
{
	static const char sql[] =
		"UPDATE disputes SET status = 'resolved', resolved_by = $2, "
		"resolution = $3, resolved_at = $4 WHERE ref = $1 AND status = 'open'";
	struct pg_params p = {0};
	int64_t changes = 0;
	enum hk_rc rc;

	pgp_int(&p, ref);
	pgp_int(&p, user_ref);
	pgp_str(&p, resolution);
	pgp_int(&p, at);
	if ((rc = pg_exec_changes(PG(s), sql, &p, "could not resolve a dispute",
			      &changes, err)) != HK_OK)
		return rc;
	if (changes != 1)
		return hk_err_set(err, HK_EREFUSED,
				  HK_TR(s->lang, "该异议已处理", "the dispute is not open"));
	return HK_OK;
}

static enum hk_rc pgx_dispute_file_get(struct hk_store *s, int64_t dispute_ref,
				       int n, char name[129], char sha256[65],
				       int64_t *size, bool *found,
				       struct hk_err *err)
{
	/* SQLite reads a negative OFFSET as 0; PostgreSQL refuses one */
	static const char sql[] =
		"SELECT name, sha256, size FROM dispute_files WHERE dispute_ref = $1 "
		"ORDER BY ref LIMIT 1 OFFSET GREATEST($2::bigint, 0)";
	struct pg_params p = {0};
	PGresult *r;

	*found = false;
	pgp_int(&p, dispute_ref);
	pgp_int(&p, (int64_t)n - 1);
	if (!(r = pg_run(PG(s), sql, &p, "could not read an evidence file",
			 err)))
		return HK_EDB;
	if (PQntuples(r)) {
		copy_col(name, 129, r, 0, 0);
		copy_col(sha256, 65, r, 0, 1);
		*size = pg_i64(r, 0, 2);
		*found = true;
	}
	PQclear(r);
	return HK_OK;
}

/* ====================================================================
 * Repayment plans
 * ==================================================================== */

static enum hk_rc pgx_plan_insert(struct hk_store *s, int64_t case_ref,
				  int64_t user_ref, int32_t starts_on,
				  const char *note, const int32_t *due,
				  const int64_t *amount, size_t n, int64_t at,
				  int64_t *ref, struct hk_err *err)
{
	static const char plan_sql[] =
		"INSERT INTO plans (case_ref, proposed_by, proposed_at, starts_on, "
		"note) VALUES ($1, $2, $3, $4, $5) RETURNING ref";
	static const char inst_sql[] =
		"INSERT INTO plan_installments (plan_ref, seq, due_on, amount) "
		"VALUES ($1, $2, $3, $4)";
	struct pg_store *ps = PG(s);
	struct pg_params p = {0};
	enum hk_rc rc;

	pgp_int(&p, case_ref);
	pgp_int(&p, user_ref);
	pgp_int(&p, at);
	pgp_int(&p, starts_on);
	pgp_str(&p, note);
	if ((rc = insert_ref(ps, plan_sql, &p, "could not save a plan", ref,
			     err)) != HK_OK)
		return rc;
	for (size_t i = 0; i < n && rc == HK_OK; i++) {
		memset(&p, 0, sizeof(p));
		pgp_int(&p, *ref);
		pgp_int(&p, (int)i + 1);
		pgp_int(&p, due[i]);
		pgp_int(&p, amount[i]);
		rc = pg_exec(ps, inst_sql, &p, "could not save a plan installment",
			     err);
	}
	return rc;
}

static enum hk_rc pgx_plan_decide(struct hk_store *s, int64_t ref,
				  const char *status, int64_t user_ref,
				  int64_t at, struct hk_err *err)
{
	static const char sql[] =
		"UPDATE plans SET status = $2, decided_by = $3, decided_at = $4 "
		"WHERE ref = $1 AND status = 'proposed'";
	struct pg_params p = {0};
	int64_t changes = 0;
	enum hk_rc rc;

	pgp_int(&p, ref);
	pgp_str(&p, status);
	pgp_int(&p, user_ref);
	pgp_int(&p, at);
	if ((rc = pg_exec_changes(PG(s), sql, &p, "could not decide a plan",
			      &changes, err)) != HK_OK)
		return rc;
	if (changes != 1)
		return hk_err_set(err, HK_EREFUSED,
				  HK_TR(s->lang, "该还款计划已被处理",
					"the plan was already decided"));
	return HK_OK;
}

static enum hk_rc pgx_plan_case(struct hk_store *s, int64_t ref,
				int64_t *case_ref, struct hk_err *err)
{
	static const char sql[] = "SELECT case_ref FROM plans WHERE ref = $1";
	struct pg_params p = {0};
	PGresult *r;

	*case_ref = 0;
	pgp_int(&p, ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read a plan", err)))
		return HK_EDB;
	if (PQntuples(r))
		*case_ref = pg_i64(r, 0, 0);
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_plans_of_case(
	struct hk_store *s, int64_t case_ref,
	int (*fn)(void *, int64_t, const char *, int32_t, int, int32_t, int64_t),
	void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT p.ref, p.status, p.starts_on, i.seq, i.due_on, i.amount "
		"FROM plans p JOIN plan_installments i ON i.plan_ref = p.ref "
		"WHERE p.case_ref = $1 ORDER BY p.ref, i.seq";
	struct pg_params p = {0};
	PGresult *r;

	pgp_int(&p, case_ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read plans", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++)
		fn(ctx, pg_i64(r, i, 0), pg_str(r, i, 1), pg_i32(r, i, 2),
		   pg_i32(r, i, 3), pg_i32(r, i, 4), pg_i64(r, i, 5));
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_plans_pending(struct hk_store *s,
				    const struct hk_scope *sc,
				    int (*fn)(void *, const struct hk_plan_pending *),
				    void *ctx, struct hk_err *err)
{
	/* grouped by the plan (its ref is the key: the other columns are
	 * the plan's own) */
	static const char sql[] =
		"SELECT p.ref, p.case_ref, p.proposed_by, p.proposed_at, "
		"p.starts_on, count(i.seq), COALESCE(sum(i.amount), 0)::bigint "
		"FROM plans p JOIN cases c ON c.ref = p.case_ref "
		"LEFT JOIN plan_installments i ON i.plan_ref = p.ref "
		"WHERE p.status = 'proposed' AND " SCOPE_ON_C
		" GROUP BY p.ref, p.case_ref, p.proposed_by, p.proposed_at, "
		"p.starts_on ORDER BY p.ref LIMIT 500";
	struct pg_params p = {0};
	struct hk_plan_pending x;
	PGresult *r;

	scope_params(&p, sc);
	if (!(r = pg_run(PG(s), sql, &p, "could not read plans", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		x.ref = pg_i64(r, i, 0);
		x.case_ref = pg_i64(r, i, 1);
		x.proposed_by = pg_i64(r, i, 2);
		x.proposed_at = pg_i64(r, i, 3);
		x.starts_on = pg_i32(r, i, 4);
		x.installments = pg_i32(r, i, 5);
		x.total = pg_i64(r, i, 6);
		fn(ctx, &x);
	}
	PQclear(r);
	return HK_OK;
}

/* ====================================================================
 * Waiver requests
 * ==================================================================== */

#define WR_COLS                                                                \
	"w.ref, w.case_ref, w.account_ref, a.account_id, w.component, "       \
	"w.amount, w.reason, w.requested_by, w.requested_at, w.status, "      \
	"COALESCE(w.decided_by, 0), COALESCE(w.decided_at, 0), "              \
	"COALESCE(w.note, '') "

static void read_wr(const PGresult *r, int i, struct hk_waiver_request *w)
{
	memset(w, 0, sizeof(*w));
	w->ref = pg_i64(r, i, 0);
	w->case_ref = pg_i64(r, i, 1);
	w->account_ref = pg_i64(r, i, 2);
	copy_col(w->account_id, sizeof(w->account_id), r, i, 3);
	w->component = pg_i32(r, i, 4);
	w->amount = pg_i64(r, i, 5);
	copy_col(w->reason, sizeof(w->reason), r, i, 6);
	w->requested_by = pg_i64(r, i, 7);
	w->requested_at = pg_i64(r, i, 8);
	copy_col(w->status, sizeof(w->status), r, i, 9);
	w->decided_by = pg_i64(r, i, 10);
	w->decided_at = pg_i64(r, i, 11);
	copy_col(w->note, sizeof(w->note), r, i, 12);
}

/* Every row of a waiver-request query to fn. */
static enum hk_rc wr_rows(struct pg_store *ps, const char *sql,
			  const struct pg_params *p,
			  int (*fn)(void *, const struct hk_waiver_request *),
			  void *ctx, struct hk_err *err)
{
	struct hk_waiver_request w;
	PGresult *r = pg_run(ps, sql, p, "could not read waiver requests", err);

	if (!r)
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		read_wr(r, i, &w);
		fn(ctx, &w);
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_wr_insert(struct hk_store *s, struct hk_waiver_request *w,
				struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO waiver_requests (case_ref, account_ref, component, "
		"amount, reason, requested_by, requested_at) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ref";
	struct pg_params p = {0};
	int64_t ref = 0;
	enum hk_rc rc;

	pgp_int(&p, w->case_ref);
	pgp_int(&p, w->account_ref);
	pgp_int(&p, w->component);
	pgp_int(&p, w->amount);
	pgp_str(&p, w->reason);
	pgp_int(&p, w->requested_by);
	pgp_int(&p, w->requested_at);
	rc = insert_ref(PG(s), sql, &p, "could not save a waiver request", &ref,
			err);
	if (rc == HK_OK)
		w->ref = ref;
	return rc;
}

static enum hk_rc pgx_wr_get(struct hk_store *s, int64_t ref,
			     struct hk_waiver_request *w, bool *found,
			     struct hk_err *err)
{
	static const char sql[] =
		"SELECT " WR_COLS "FROM waiver_requests w "
		"JOIN accounts a ON a.ref = w.account_ref WHERE w.ref = $1";
	struct pg_params p = {0};
	PGresult *r;

	*found = false;
	pgp_int(&p, ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read a waiver request",
			 err)))
		return HK_EDB;
	if (PQntuples(r)) {
		read_wr(r, 0, w);
		*found = true;
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_wr_decide(struct hk_store *s, int64_t ref,
				const char *status, int64_t user_ref,
				const char *note, int64_t at,
				struct hk_err *err)
{
	static const char sql[] =
		"UPDATE waiver_requests SET status = $2, decided_by = $3, "
		"note = $4, decided_at = $5 WHERE ref = $1 AND status = 'pending'";
	struct pg_params p = {0};
	int64_t changes = 0;
	enum hk_rc rc;

	pgp_int(&p, ref);
	pgp_str(&p, status);
	pgp_int(&p, user_ref);
	pgp_str(&p, note);
	pgp_int(&p, at);
	if ((rc = pg_exec_changes(PG(s), sql, &p, "could not decide a waiver request",
			      &changes, err)) != HK_OK)
		return rc;
	if (changes != 1)
		return hk_err_set(err, HK_EREFUSED,
				  HK_TR(s->lang, "该减免申请已被处理",
					"the waiver request was already decided"));
	return HK_OK;
}

static enum hk_rc pgx_wr_list(struct hk_store *s, int64_t case_ref,
			      int (*fn)(void *, const struct hk_waiver_request *),
			      void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT " WR_COLS "FROM waiver_requests w "
		"JOIN accounts a ON a.ref = w.account_ref "
		"WHERE w.case_ref = $1 ORDER BY w.ref";
	struct pg_params p = {0};

	pgp_int(&p, case_ref);
	return wr_rows(PG(s), sql, &p, fn, ctx, err);
}

static enum hk_rc pgx_wr_pending(struct hk_store *s, const struct hk_scope *sc,
				 int (*fn)(void *, const struct hk_waiver_request *),
				 void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT " WR_COLS "FROM waiver_requests w "
		"JOIN accounts a ON a.ref = w.account_ref "
		"JOIN cases c ON c.ref = w.case_ref "
		"WHERE w.status = 'pending' AND " SCOPE_ON_C
		" ORDER BY w.ref LIMIT 500";
	struct pg_params p = {0};

	scope_params(&p, sc);
	return wr_rows(PG(s), sql, &p, fn, ctx, err);
}

void hk_pg_ops_approvals(struct hk_store_ops *ops)
{
	ops->stop_add = pgx_stop_add;
	ops->stop_lift = pgx_stop_lift;
	ops->stops_of_debtor = pgx_stops_of_debtor;
	ops->case_limitation = pgx_case_limitation;
	ops->dispute_open = pgx_dispute_open;
	ops->dispute_file_add = pgx_dispute_file_add;
	ops->dispute_open_of = pgx_dispute_open_of;
	ops->dispute_get = pgx_dispute_get;
	ops->dispute_resolve = pgx_dispute_resolve;
	ops->dispute_file_get = pgx_dispute_file_get;
	ops->plan_insert = pgx_plan_insert;
	ops->plan_decide = pgx_plan_decide;
	ops->plan_case = pgx_plan_case;
	ops->plans_of_case = pgx_plans_of_case;
	ops->plans_pending = pgx_plans_pending;
	ops->waiver_request_insert = pgx_wr_insert;
	ops->waiver_request_get = pgx_wr_get;
	ops->waiver_request_decide = pgx_wr_decide;
	ops->waiver_requests_list = pgx_wr_list;
	ops->waiver_requests_pending = pgx_wr_pending;
}
