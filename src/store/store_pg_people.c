/*
 * store_pg_people.c - the PostgreSQL backend's operations for users, sessions, the audit trail, teams, agencies and placements
 * (store_pg.h; the SQLite twins are in store_sqlite.c).
 *
 * Statement for statement the SQLite backend's: the same rows, in the same
 * order, with the same refusals and messages.  Texts are bound as given
 * (pgp_str: "" stays ""), as the twins bind them with sqlite3_bind_text.
 * Names sort in byte order (COLLATE "C"), as SQLite's BINARY sorts them.
 *
 * Refusals.  SQLite reports any constraint a create breaks (the unique
 * name, but also a NOT NULL or a CHECK; its foreign keys are off) as
 * SQLITE_CONSTRAINT, and its twins turn that into the one HK_EREFUSED.
 * Here the unique key is tested in the INSERT itself (WHERE NOT EXISTS):
 * a refused create inserts no row, so the transaction stays usable as
 * SQLite's does after a failed statement, and it draws no value from the
 * identity sequence (ON CONFLICT DO NOTHING would: the next ref would
 * differ from SQLite's max(ref) + 1).  A unique, NOT NULL or CHECK
 * violation the test did not catch (a concurrent insert outside a
 * transaction) gets the same refusal.
 *
 * Lists are read whole before the first callback (a callback may use the
 * store), except the audit trail, which grows without bound and is read
 * row by row (its callbacks only look at the records).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_pg.h"

/* A text column into a fixed buffer, truncated as the SQLite backend's
 * copy_text truncates; NULL reads as "". */
static void copy_col(char *dst, size_t cap, const PGresult *r, int row,
		     int col)
{
	const char *v = pg_str(r, row, col);

	snprintf(dst, cap, "%s", v ? v : "");
}

/* Whether the last failure broke a constraint SQLite's twin would have
 * reported as SQLITE_CONSTRAINT: unique, NOT NULL, CHECK (not a foreign
 * key: SQLite runs with foreign_keys OFF). */
static bool constraint_violation(const struct pg_store *ps)
{
	return !strcmp(ps->sqlstate, "23505") ||
	       !strcmp(ps->sqlstate, "23502") ||
	       !strcmp(ps->sqlstate, "23514");
}

/* An INSERT ... WHERE NOT EXISTS (...) RETURNING ref: the new ref, or
 * *refused when it inserted nothing or broke a constraint; HK_EDB on any
 * other failure. */
static enum hk_rc insert_or_refuse(struct pg_store *ps, const char *sql,
				   const struct pg_params *p, const char *what,
				   int64_t *ref, bool *refused,
				   struct hk_err *err)
{
	PGresult *r = pg_run(ps, sql, p, what, err);

	*ref = 0;
	*refused = false;
	if (!r) {
		if (!constraint_violation(ps))
			return HK_EDB;
		*refused = true;
		return HK_OK;
	}
	if (PQntuples(r))
		*ref = pg_i64(r, 0, 0);
	else
		*refused = true;
	PQclear(r);
	return HK_OK;
}

/* A date column; NULL is HK_DATE_NONE. */
static int32_t col_date(const PGresult *r, int row, int col)
{
	return pg_isnull(r, row, col) ? HK_DATE_NONE : pg_i32(r, row, col);
}

/* ====================================================================
 * Users and sessions
 * ==================================================================== */

#define USER_COLS                                                              \
	"ref, username, display_name, role, COALESCE(team_ref, 0), "          \
	"password_hash, must_change, active, failed_logins, locked_until, "   \
	"COALESCE(agency_ref, 0), capacity, absent_from, absent_until "

static void read_user(const PGresult *r, int i, struct hk_user *u)
{
	memset(u, 0, sizeof(*u));
	u->ref = pg_i64(r, i, 0);
	copy_col(u->username, sizeof(u->username), r, i, 1);
	copy_col(u->display_name, sizeof(u->display_name), r, i, 2);
	u->role = hk_role_parse(pg_str(r, i, 3));
	u->team_ref = pg_i64(r, i, 4);
	copy_col(u->password_hash, sizeof(u->password_hash), r, i, 5);
	u->must_change = pg_i32(r, i, 6) != 0;
	u->active = pg_i32(r, i, 7) != 0;
	u->failed_logins = pg_i32(r, i, 8);
	u->locked_until = pg_i64(r, i, 9);
	u->agency_ref = pg_i64(r, i, 10);
	u->capacity = pg_i32(r, i, 11);
	u->absent_from = col_date(r, i, 12);
	u->absent_until = col_date(r, i, 13);
}

static enum hk_rc pgx_user_count(struct hk_store *s, int64_t *count,
				 struct hk_err *err)
{
	static const char sql[] = "SELECT count(*) FROM users";
	PGresult *r;

	*count = 0;
	if (!(r = pg_run(PG(s), sql, NULL, "could not count users", err)))
		return HK_EDB;
	if (PQntuples(r))
		*count = pg_i64(r, 0, 0);
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_user_create(struct hk_store *s, struct hk_user *u,
				  int64_t now, struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO users (username, display_name, role, team_ref, "
		"password_hash, must_change, created_at, agency_ref) "
		"SELECT $1::text, $2::text, $3::text, NULLIF($4::bigint, 0), "
		"$5::text, $6::bigint, $7::bigint, NULLIF($8::bigint, 0) "
		"WHERE NOT EXISTS (SELECT 1 FROM users WHERE username = $1) "
		"RETURNING ref";
	struct pg_params p = {0};
	bool refused;
	int64_t ref;
	enum hk_rc rc;

	/* the schema's CHECK on the role refuses an unknown one as SQLite's
	 * does, but only after drawing a ref: refused here first */
	if (!hk_role_parse(hk_role_name(u->role)))
		return hk_err_set(err, HK_EREFUSED,
				  HK_TR(s->lang, "用户名 %s 已被使用",
					"the username %s is taken"),
				  u->username);
	pgp_str(&p, u->username);
	pgp_str(&p, u->display_name);
	pgp_str(&p, hk_role_name(u->role));
	pgp_int(&p, u->team_ref);
	pgp_str(&p, u->password_hash);
	pgp_int(&p, u->must_change);
	pgp_int(&p, now);
	pgp_int(&p, u->agency_ref);
	rc = insert_or_refuse(PG(s), sql, &p, "could not create a user", &ref,
			      &refused, err);
	if (rc != HK_OK)
		return rc;
	if (refused)
		return hk_err_set(err, HK_EREFUSED,
				  HK_TR(s->lang, "用户名 %s 已被使用",
					"the username %s is taken"),
				  u->username);
	u->ref = ref;
	return HK_OK;
}

static enum hk_rc pgx_user_get(struct hk_store *s, const char *username,
			       int64_t ref, struct hk_user *u, bool *found,
			       struct hk_err *err)
{
	static const char by_name[] =
		"SELECT " USER_COLS "FROM users WHERE username = $1";
	static const char by_ref[] =
		"SELECT " USER_COLS "FROM users WHERE ref = $1";
	struct pg_params p = {0};
	PGresult *r;

	*found = false;
	if (username)
		pgp_str(&p, username);
	else
		pgp_int(&p, ref);
	if (!(r = pg_run(PG(s), username ? by_name : by_ref, &p,
			 "could not read a user", err)))
		return HK_EDB;
	if (PQntuples(r)) {
		read_user(r, 0, u);
		*found = true;
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_user_set_login_state(struct hk_store *s, int64_t ref,
					   int failed_logins,
					   int64_t locked_until,
					   struct hk_err *err)
{
	static const char sql[] = "UPDATE users SET failed_logins = $2, "
				  "locked_until = $3 WHERE ref = $1";
	struct pg_params p = {0};

	pgp_int(&p, ref);
	pgp_int(&p, failed_logins);
	pgp_int(&p, locked_until);
	return pg_exec(PG(s), sql, &p, "could not record a log-in attempt",
		       err);
}

static enum hk_rc pgx_user_set_password(struct hk_store *s, int64_t ref,
					const char *hash, bool must_change,
					struct hk_err *err)
{
	static const char sql[] = "UPDATE users SET password_hash = $2, "
				  "must_change = $3 WHERE ref = $1";
	struct pg_params p = {0};

	pgp_int(&p, ref);
	pgp_str(&p, hash);
	pgp_int(&p, must_change);
	return pg_exec(PG(s), sql, &p, "could not change a password", err);
}

static enum hk_rc pgx_user_update(struct hk_store *s, const struct hk_user *u,
				  struct hk_err *err)
{
	/* the schema's users_dirty trigger marks the user's cases when
	 * what allocation reads of them changes */
	static const char sql[] =
		"UPDATE users SET display_name = $2, "
		"team_ref = NULLIF($3::bigint, 0), "
		"agency_ref = NULLIF($4::bigint, 0), active = $5, capacity = $6, "
		"absent_from = NULLIF($7::bigint, -2147483648), "
		"absent_until = NULLIF($8::bigint, -2147483648) WHERE ref = $1";
	struct pg_params p = {0};

	pgp_int(&p, u->ref);
	pgp_str(&p, u->display_name);
	pgp_int(&p, u->team_ref);
	pgp_int(&p, u->agency_ref);
	pgp_int(&p, u->active);
	pgp_int(&p, u->capacity);
	pgp_int(&p, u->absent_from);
	pgp_int(&p, u->absent_until);
	return pg_exec(PG(s), sql, &p, "could not update a user", err);
}

static enum hk_rc pgx_users_scan(struct hk_store *s,
				 int (*fn)(void *ctx, const struct hk_user *u),
				 void *ctx, struct hk_err *err)
{
	static const char sql[] = "SELECT " USER_COLS
				  "FROM users ORDER BY username COLLATE \"C\"";
	struct hk_user u;
	PGresult *r;

	if (!(r = pg_run(PG(s), sql, NULL, "could not read users", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		read_user(r, i, &u);
		if (fn(ctx, &u)) {
			PQclear(r);
			return HK_EINTERNAL;
		}
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_session_create(struct hk_store *s,
				     const char *token_hash,
				     const struct hk_session *se, int64_t now,
				     struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO sessions (token_hash, user_ref, kind, csrf, "
		"created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)";
	struct pg_params p = {0};

	pgp_str(&p, token_hash);
	pgp_int(&p, se->user_ref);
	pgp_str(&p, se->bearer ? "bearer" : "cookie");
	pgp_str(&p, se->csrf);
	pgp_int(&p, now);
	pgp_int(&p, se->expires_at);
	return pg_exec(PG(s), sql, &p, "could not create a session", err);
}

static enum hk_rc pgx_session_get(struct hk_store *s, const char *token_hash,
				  int64_t now, struct hk_session *se,
				  bool *found, struct hk_err *err)
{
	static const char sql[] =
		"SELECT user_ref, kind, csrf, expires_at FROM sessions "
		"WHERE token_hash = $1 AND expires_at > $2";
	struct pg_params p = {0};
	PGresult *r;

	*found = false;
	pgp_str(&p, token_hash);
	pgp_int(&p, now);
	if (!(r = pg_run(PG(s), sql, &p, "could not read a session", err)))
		return HK_EDB;
	if (PQntuples(r)) {
		const char *kind = pg_str(r, 0, 1);

		memset(se, 0, sizeof(*se));
		se->user_ref = pg_i64(r, 0, 0);
		se->bearer = kind && !strcmp(kind, "bearer");
		copy_col(se->csrf, sizeof(se->csrf), r, 0, 2);
		se->expires_at = pg_i64(r, 0, 3);
		*found = true;
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_session_delete(struct hk_store *s, const char *token_hash,
				     struct hk_err *err)
{
	static const char sql[] = "DELETE FROM sessions WHERE token_hash = $1";
	struct pg_params p = {0};

	pgp_str(&p, token_hash);
	return pg_exec(PG(s), sql, &p, "could not end a session", err);
}

static enum hk_rc pgx_sessions_delete_user(struct hk_store *s,
					   int64_t user_ref,
					   struct hk_err *err)
{
	static const char sql[] = "DELETE FROM sessions WHERE user_ref = $1";
	struct pg_params p = {0};

	pgp_int(&p, user_ref);
	return pg_exec(PG(s), sql, &p, "could not end a session", err);
}

/* ====================================================================
 * The audit trail
 * ==================================================================== */

static enum hk_rc pgx_audit_last_hash(struct hk_store *s, char out[65],
				      struct hk_err *err)
{
	static const char sql[] =
		"SELECT hash FROM audit_log ORDER BY ref DESC LIMIT 1";
	PGresult *r;

	out[0] = '\0';
	if (!(r = pg_run(PG(s), sql, NULL, "could not read the audit trail",
			 err)))
		return HK_EDB;
	if (PQntuples(r))
		copy_col(out, 65, r, 0, 0);
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_audit_append(struct hk_store *s,
				   const struct hk_audit_rec *rec,
				   struct hk_err *err)
{
	static const char sql[] =
		/* the ref is the last one + 1, as SQLite gives it: the chain's
		 * verification takes a gap for removed records, and an
		 * identity sequence leaves one after every rolled-back write
		 * (writers hold the write lock, so no two read the same max) */
		"INSERT INTO audit_log (ref, at, user_ref, client, action, target, "
		"detail, prev_hash, hash) SELECT coalesce(max(ref), 0) + 1, $1, $2, "
		"$3, $4, $5, $6, $7, $8 FROM audit_log";
	struct pg_params p = {0};

	pgp_int(&p, rec->at);
	pgp_int(&p, rec->user_ref);
	pgp_str(&p, rec->client);
	pgp_str(&p, rec->action);
	pgp_str(&p, rec->target);
	pgp_str(&p, rec->detail);
	pgp_str(&p, rec->prev_hash);
	pgp_str(&p, rec->hash);
	return pg_exec(PG(s), sql, &p, "could not append to the audit trail",
		       err);
}

struct audit_scan {
	hk_audit_fn fn;
	void *ctx;
	bool stopped;
};

static int audit_row(void *ctx, const PGresult *r)
{
	struct audit_scan *a = ctx;
	struct hk_audit_rec rec;

	memset(&rec, 0, sizeof(rec));
	rec.ref = pg_i64(r, 0, 0);
	rec.at = pg_i64(r, 0, 1);
	rec.user_ref = pg_i64(r, 0, 2);
	copy_col(rec.client, sizeof(rec.client), r, 0, 3);
	copy_col(rec.action, sizeof(rec.action), r, 0, 4);
	copy_col(rec.target, sizeof(rec.target), r, 0, 5);
	copy_col(rec.detail, sizeof(rec.detail), r, 0, 6);
	copy_col(rec.prev_hash, sizeof(rec.prev_hash), r, 0, 7);
	copy_col(rec.hash, sizeof(rec.hash), r, 0, 8);
	if (a->fn(a->ctx, &rec)) {
		a->stopped = true;
		return 1;
	}
	return 0;
}

static enum hk_rc pgx_audit_scan(struct hk_store *s, hk_audit_fn fn,
				 void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT ref, at, user_ref, client, action, target, detail, "
		"prev_hash, hash FROM audit_log ORDER BY ref";
	struct audit_scan a = {.fn = fn, .ctx = ctx};
	enum hk_rc rc;

	rc = pg_scan(PG(s), sql, NULL, "could not read the audit trail",
		     audit_row, &a, err);
	if (rc != HK_OK)
		return rc;
	return a.stopped ? HK_EINTERNAL : HK_OK;
}

/* ====================================================================
 * Teams
 * ==================================================================== */

static enum hk_rc pgx_team_create(struct hk_store *s, const char *name,
				  int64_t *ref, struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO teams (name) SELECT $1::text WHERE NOT EXISTS "
		"(SELECT 1 FROM teams WHERE name = $1) RETURNING ref";
	struct pg_params p = {0};
	bool refused;
	int64_t r;
	enum hk_rc rc;

	pgp_str(&p, name);
	rc = insert_or_refuse(PG(s), sql, &p, "could not create a team", &r,
			      &refused, err);
	if (rc != HK_OK)
		return rc;
	if (refused)
		return hk_err_set(err, HK_EREFUSED, "team %s exists", name);
	*ref = r;
	return HK_OK;
}

/* The (ref, name) rows of `sql` to fn, all read first. */
static enum hk_rc ref_names(struct pg_store *ps, const char *sql,
			    int (*fn)(void *, int64_t, const char *),
			    void *ctx, const char *what, struct hk_err *err)
{
	PGresult *r = pg_run(ps, sql, NULL, what, err);

	if (!r)
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++)
		fn(ctx, pg_i64(r, i, 0), pg_str(r, i, 1));
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_teams_scan(struct hk_store *s,
				 int (*fn)(void *, int64_t, const char *),
				 void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT ref, name FROM teams ORDER BY name COLLATE \"C\"";

	return ref_names(PG(s), sql, fn, ctx, "could not read teams", err);
}

/* ====================================================================
 * Agencies, contracts and placements (委外)
 * ==================================================================== */

static enum hk_rc pgx_agency_create(struct hk_store *s, const char *name,
				    int64_t at, int64_t *ref,
				    struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO agencies (name, created_at) "
		"SELECT $1::text, $2::bigint WHERE NOT EXISTS "
		"(SELECT 1 FROM agencies WHERE name = $1) RETURNING ref";
	struct pg_params p = {0};
	bool refused;
	int64_t r;
	enum hk_rc rc;

	pgp_str(&p, name);
	pgp_int(&p, at);
	rc = insert_or_refuse(PG(s), sql, &p, "could not create an agency", &r,
			      &refused, err);
	if (rc != HK_OK)
		return rc;
	if (refused)
		return hk_err_set(err, HK_EREFUSED,
				  HK_TR(s->lang, "已有名为 %s 的机构",
					"there is already an agency named %s"),
				  name);
	*ref = r;
	return HK_OK;
}

static enum hk_rc pgx_agencies_scan(struct hk_store *s,
				    int (*fn)(void *, int64_t, const char *),
				    void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT ref, name FROM agencies ORDER BY name COLLATE \"C\"";

	return ref_names(PG(s), sql, fn, ctx, "could not read agencies", err);
}

/* cases.agency_ref, which agency users' scope matches (0: none); the
 * schema's triggers copy it to case_overdue and mark the case. */
static enum hk_rc set_case_agency(struct pg_store *ps, int64_t case_ref,
				  int64_t agency_ref, struct hk_err *err)
{
	static const char sql[] =
		"UPDATE cases SET agency_ref = NULLIF($2::bigint, 0) "
		"WHERE ref = $1";
	struct pg_params p = {0};

	pgp_int(&p, case_ref);
	pgp_int(&p, agency_ref);
	return pg_exec(ps, sql, &p, "could not place a case", err);
}

static enum hk_rc pgx_case_place(struct hk_store *s, int64_t case_ref,
				 int64_t agency_ref, int64_t contract_ref,
				 int64_t user_ref, int64_t at, int32_t until,
				 const char *reason, struct hk_err *err)
{
	/* placements_open: at most one open placement per case */
	static const char sql[] =
		"INSERT INTO placements (case_ref, agency_ref, placed_by, "
		"placed_at, until, reason, contract_ref) "
		"SELECT $1::bigint, $2::bigint, $3::bigint, $4::bigint, "
		"$5::bigint, $6::text, NULLIF($7::bigint, 0) "
		"WHERE NOT EXISTS (SELECT 1 FROM placements "
		"WHERE case_ref = $1 AND recalled_at IS NULL) RETURNING ref";
	struct pg_store *ps = PG(s);
	struct pg_params p = {0};
	bool refused;
	int64_t ref;
	enum hk_rc rc;

	pgp_int(&p, case_ref);
	pgp_int(&p, agency_ref);
	pgp_int(&p, user_ref);
	pgp_int(&p, at);
	pgp_int(&p, until);
	pgp_str(&p, reason);
	pgp_int(&p, contract_ref);
	rc = insert_or_refuse(ps, sql, &p, "could not place a case", &ref,
			      &refused, err);
	if (rc != HK_OK)
		return rc;
	if (refused)
		return hk_err_set(err, HK_EREFUSED,
				  HK_TR(s->lang, "案件已委外，请先收回",
					"the case is placed already; recall it first"));
	return set_case_agency(ps, case_ref, agency_ref, err);
}

static enum hk_rc pgx_case_recall(struct hk_store *s, int64_t case_ref,
				  int64_t user_ref, int64_t at,
				  const char *reason, struct hk_err *err)
{
	static const char sql[] =
		"UPDATE placements SET recalled_by = $2, recalled_at = $3, "
		"recall_reason = $4 WHERE case_ref = $1 AND recalled_at IS NULL";
	struct pg_store *ps = PG(s);
	struct pg_params p = {0};
	int64_t changes = 0;
	enum hk_rc rc;

	pgp_int(&p, case_ref);
	pgp_int(&p, user_ref);
	pgp_int(&p, at);
	pgp_str(&p, reason);
	rc = pg_exec_changes(ps, sql, &p, "could not recall a case", &changes, err);
	if (rc != HK_OK)
		return rc;
	if (changes != 1)
		return hk_err_set(err, HK_EREFUSED,
				  HK_TR(s->lang, "案件没有委外",
					"the case is not placed with an agency"));
	return set_case_agency(ps, case_ref, 0, err);
}

static enum hk_rc pgx_placements_expire(struct hk_store *s, int32_t as_of,
					int64_t at, int *recalled,
					struct hk_err *err)
{
	static const char cases_sql[] =
		"UPDATE cases SET agency_ref = NULL WHERE ref IN (SELECT case_ref "
		"FROM placements WHERE recalled_at IS NULL AND until < $1)";
	static const char expire_sql[] =
		"UPDATE placements SET recalled_at = $2, recall_reason = "
		"'placement period ended' WHERE recalled_at IS NULL AND until < $1";
	struct pg_store *ps = PG(s);
	struct pg_params p = {0};
	int64_t changes = 0;
	enum hk_rc rc;

	*recalled = 0;
	pgp_int(&p, as_of);
	rc = pg_exec(ps, cases_sql, &p, "could not recall placements", err);
	if (rc != HK_OK)
		return rc;
	pgp_int(&p, at);
	rc = pg_exec_changes(ps, expire_sql, &p, "could not recall placements",
			 &changes, err);
	if (rc == HK_OK)
		*recalled = (int)changes;
	return rc;
}

static enum hk_rc pgx_placements_of_case(
	struct hk_store *s, int64_t case_ref,
	int (*fn)(void *, const struct hk_placement *), void *ctx,
	struct hk_err *err)
{
	static const char sql[] =
		"SELECT p.ref, p.case_ref, p.agency_ref, g.name, p.placed_by, "
		"p.placed_at, p.until, p.reason, COALESCE(p.recalled_by, 0), "
		"COALESCE(p.recalled_at, 0), COALESCE(p.recall_reason, ''), "
		"COALESCE(p.contract_ref, 0) "
		"FROM placements p JOIN agencies g ON g.ref = p.agency_ref "
		"WHERE p.case_ref = $1 ORDER BY p.ref";
	struct pg_params p = {0};
	struct hk_placement x;
	PGresult *r;

	pgp_int(&p, case_ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read placements", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		memset(&x, 0, sizeof(x));
		x.ref = pg_i64(r, i, 0);
		x.case_ref = pg_i64(r, i, 1);
		x.agency_ref = pg_i64(r, i, 2);
		copy_col(x.agency, sizeof(x.agency), r, i, 3);
		x.placed_by = pg_i64(r, i, 4);
		x.placed_at = pg_i64(r, i, 5);
		x.until = pg_i32(r, i, 6);
		copy_col(x.reason, sizeof(x.reason), r, i, 7);
		x.recalled_by = pg_i64(r, i, 8);
		x.recalled_at = pg_i64(r, i, 9);
		copy_col(x.recall_reason, sizeof(x.recall_reason), r, i, 10);
		x.contract_ref = pg_i64(r, i, 11);
		fn(ctx, &x);
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_contract_create(struct hk_store *s,
				      const struct hk_contract *c,
				      int64_t user_ref, int64_t at,
				      int64_t *ref, struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO agency_contracts (agency_ref, starts_on, ends_on, "
		"commission_ppm, upfront_fee, may_settle, created_by, created_at) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ref";
	struct pg_params p = {0};
	PGresult *r;

	pgp_int(&p, c->agency_ref);
	pgp_int(&p, c->starts_on);
	pgp_int(&p, c->ends_on);
	pgp_int(&p, c->commission_ppm);
	pgp_int(&p, c->upfront_fee);
	pgp_int(&p, c->may_settle);
	pgp_int(&p, user_ref);
	pgp_int(&p, at);
	if (!(r = pg_run(PG(s), sql, &p, "could not create a contract", err)))
		return HK_EDB;
	*ref = PQntuples(r) ? pg_i64(r, 0, 0) : 0;
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_contracts_of_agency(
	struct hk_store *s, int64_t agency_ref,
	int (*fn)(void *, const struct hk_contract *), void *ctx,
	struct hk_err *err)
{
	static const char sql[] =
		"SELECT ref, agency_ref, starts_on, ends_on, commission_ppm, "
		"upfront_fee, may_settle FROM agency_contracts "
		"WHERE agency_ref = $1 ORDER BY starts_on DESC, ref DESC";
	struct pg_params p = {0};
	struct hk_contract c;
	PGresult *r;

	pgp_int(&p, agency_ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read contracts", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		memset(&c, 0, sizeof(c));
		c.ref = pg_i64(r, i, 0);
		c.agency_ref = pg_i64(r, i, 1);
		c.starts_on = pg_i32(r, i, 2);
		c.ends_on = pg_i32(r, i, 3);
		c.commission_ppm = pg_i32(r, i, 4);
		c.upfront_fee = pg_i64(r, i, 5);
		c.may_settle = pg_i32(r, i, 6) != 0;
		fn(ctx, &c);
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_agency_review_get(struct hk_store *s,
					int64_t agency_ref,
					int32_t *next_review, bool *found,
					struct hk_err *err)
{
	static const char sql[] =
		"SELECT next_review FROM agencies WHERE ref = $1";
	struct pg_params p = {0};
	PGresult *r;

	*found = false;
	*next_review = HK_DATE_NONE;
	pgp_int(&p, agency_ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read an agency", err)))
		return HK_EDB;
	if (PQntuples(r)) {
		*found = true;
		*next_review = col_date(r, 0, 0);
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_agency_review_set(struct hk_store *s,
					int64_t agency_ref,
					int32_t next_review,
					struct hk_err *err)
{
	static const char sql[] =
		"UPDATE agencies SET next_review = $2 WHERE ref = $1";
	struct pg_params p = {0};

	pgp_int(&p, agency_ref);
	pgp_int(&p, next_review);
	return pg_exec(PG(s), sql, &p, "could not set a review date", err);
}

/* ---- an agency's statement ---- */

/*
 * The local date of a Unix time, as SQLite's
 * CAST(julianday(t, 'unixepoch', 'localtime') - 2440587.5 AS INTEGER)
 * gives it: the process's time zone (TZ), not the server's, truncated
 * toward zero.  Computed here rather than in SQL so the dates cannot
 * depend on the server's TimeZone setting.
 */
static int32_t local_date(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm))
		return (int32_t)(t / 86400);
	return (int32_t)((t + tm.tm_gmtoff) / 86400);
}

/* A growing text: an array parameter, "{1,2,3}". */
struct text_buf {
	char *s;
	size_t n, cap;
};

static void buf_add(struct text_buf *b, const char *text)
{
	size_t len = strlen(text);

	if (b->n + len + 1 > b->cap) {
		b->cap = (b->n + len + 1) * 2;
		b->s = hk_realloc(b->s, b->cap);
	}
	memcpy(b->s + b->n, text, len + 1);
	b->n += len;
}

/* Another element of the array (first: the opening brace). */
static void buf_int(struct text_buf *b, bool first, int64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%s%lld", first ? "{" : ",", (long long)v);
	buf_add(b, num);
}

static enum hk_rc pgx_agency_statement(
	struct hk_store *s, int64_t agency_ref, int32_t from, int32_t to,
	int (*fn)(void *, const struct hk_statement_row *), void *ctx,
	struct hk_err *err)
{
	/* A placement's window runs from the day it was placed to its until,
	 * or to the day before its recall (local dates, worked out here). */
	static const char placements_sql[] =
		"SELECT p.ref, p.case_ref, p.placed_at, p.until, p.recalled_at, "
		"COALESCE(k.commission_ppm, 0), COALESCE(k.upfront_fee, 0) "
		"FROM placements p LEFT JOIN agency_contracts k "
		"ON k.ref = p.contract_ref WHERE p.agency_ref = $1 ORDER BY p.ref";
	/* what was paid on each window's case within the window and the
	 * period, in the windows' order */
	static const char recovered_sql[] =
		"SELECT (SELECT COALESCE(sum(pay.amount), 0)::bigint "
		"FROM accounts a JOIN payments pay ON pay.account_ref = a.ref "
		"WHERE a.case_ref = w.case_ref "
		"AND pay.paid_on >= GREATEST(w.lo, $4::bigint) "
		"AND pay.paid_on <= LEAST(w.hi, $5::bigint)) "
		"FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) "
		"WITH ORDINALITY AS w(case_ref, lo, hi, i) ORDER BY w.i";
	struct pg_store *ps = PG(s);
	struct pg_params p = {0};
	struct hk_statement_row *rows = NULL;
	struct text_buf cases = {0}, los = {0}, his = {0};
	PGresult *r, *sums;
	int n = 0;

	pgp_int(&p, agency_ref);
	if (!(r = pg_run(ps, placements_sql, &p, "could not read a statement",
			 err)))
		return HK_EDB;
	if (PQntuples(r))
		rows = hk_realloc(NULL, (size_t)PQntuples(r) * sizeof(*rows));
	for (int i = 0; i < PQntuples(r); i++) {
		struct hk_statement_row *w = &rows[n];
		int32_t until = pg_i32(r, i, 3);

		w->placement_ref = pg_i64(r, i, 0);
		w->case_ref = pg_i64(r, i, 1);
		w->placed_on = local_date(pg_i64(r, i, 2));
		w->ends_on = until;
		if (!pg_isnull(r, i, 4)) {
			int32_t before = local_date(pg_i64(r, i, 4)) - 1;

			if (before < until)
				w->ends_on = before;
		}
		w->commission_ppm = pg_i32(r, i, 5);
		w->upfront_fee = pg_i64(r, i, 6);
		w->recovered = 0;
		if (w->placed_on <= to && w->ends_on >= from)
			n++;
	}
	PQclear(r);
	if (!n) {
		free(rows);
		return HK_OK;
	}
	for (int i = 0; i < n; i++) {
		buf_int(&cases, i == 0, rows[i].case_ref);
		buf_int(&los, i == 0, rows[i].placed_on);
		buf_int(&his, i == 0, rows[i].ends_on);
	}
	buf_add(&cases, "}");
	buf_add(&los, "}");
	buf_add(&his, "}");
	memset(&p, 0, sizeof(p));
	pgp_str(&p, cases.s);
	pgp_str(&p, los.s);
	pgp_str(&p, his.s);
	pgp_int(&p, from);
	pgp_int(&p, to);
	sums = pg_run(ps, recovered_sql, &p, "could not read a statement", err);
	free(cases.s);
	free(los.s);
	free(his.s);
	if (!sums) {
		free(rows);
		return HK_EDB;
	}
	for (int i = 0; i < n && i < PQntuples(sums); i++)
		rows[i].recovered = pg_i64(sums, i, 0);
	PQclear(sums);
	for (int i = 0; i < n; i++)
		fn(ctx, &rows[i]);
	free(rows);
	return HK_OK;
}

void hk_pg_ops_people(struct hk_store_ops *ops)
{
	ops->user_count = pgx_user_count;
	ops->user_create = pgx_user_create;
	ops->user_get = pgx_user_get;
	ops->user_set_login_state = pgx_user_set_login_state;
	ops->user_set_password = pgx_user_set_password;
	ops->user_update = pgx_user_update;
	ops->users_scan = pgx_users_scan;
	ops->session_create = pgx_session_create;
	ops->session_get = pgx_session_get;
	ops->session_delete = pgx_session_delete;
	ops->sessions_delete_user = pgx_sessions_delete_user;
	ops->audit_last_hash = pgx_audit_last_hash;
	ops->audit_append = pgx_audit_append;
	ops->audit_scan = pgx_audit_scan;
	ops->team_create = pgx_team_create;
	ops->teams_scan = pgx_teams_scan;
	ops->agency_create = pgx_agency_create;
	ops->agencies_scan = pgx_agencies_scan;
	ops->case_place = pgx_case_place;
	ops->case_recall = pgx_case_recall;
	ops->placements_expire = pgx_placements_expire;
	ops->placements_of_case = pgx_placements_of_case;
	ops->contract_create = pgx_contract_create;
	ops->contracts_of_agency = pgx_contracts_of_agency;
	ops->agency_review_get = pgx_agency_review_get;
	ops->agency_review_set = pgx_agency_review_set;
	ops->agency_statement = pgx_agency_statement;
}
