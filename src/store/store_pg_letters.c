/*
 * store_pg_letters.c - the PostgreSQL backend's operations for letters and
 * messages (store_pg.h; the SQLite twins are in store_sqlite_letters.c,
 * statement for statement): template versions, letters with their
 * numbers, batches, the outbox and its receipts.  Lists are read whole
 * before the first callback (a batch's cases, a page of the outbox), so a
 * callback may use the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"

static void col(char *dst, size_t cap, const PGresult *r, int row, int c)
{
	const char *v = pg_str(r, row, c);

	snprintf(dst, cap, "%s", v ? v : "");
}

static char *col_dup(const PGresult *r, int row, int c)
{
	const char *v = pg_str(r, row, c);
	size_t n = v ? strlen(v) : 0;
	char *out = hk_malloc(n + 1);

	memcpy(out, v ? v : "", n + 1);
	return out;
}

/* The one row a statement returns (NULL: none; failures set err). */
static PGresult *one_row(struct pg_store *ps, const char *sql,
			 const struct pg_params *p, const char *what,
			 struct hk_err *err, enum hk_rc *rc)
{
	PGresult *r = pg_run(ps, sql, p, what, err);

	*rc = r ? HK_OK : HK_EDB;
	if (r && !PQntuples(r)) {
		PQclear(r);
		return NULL;
	}
	return r;
}

/* ---- templates ------------------------------------------------------- */

#define TEMPLATE_COLS                                                          \
	"ref, code, channel, version, name, audience, kind, days_to_pay, "    \
	"status, subject, body, COALESCE(created_by, 0), created_at, "        \
	"COALESCE(published_by, 0), COALESCE(published_at, 0) "

static void read_template(const PGresult *r, int i, struct hk_template_rec *t,
			  bool dup)
{
	memset(t, 0, sizeof(*t));
	t->ref = pg_i64(r, i, 0);
	col(t->code, sizeof(t->code), r, i, 1);
	col(t->channel, sizeof(t->channel), r, i, 2);
	t->version = pg_i32(r, i, 3);
	col(t->name, sizeof(t->name), r, i, 4);
	col(t->audience, sizeof(t->audience), r, i, 5);
	col(t->kind, sizeof(t->kind), r, i, 6);
	t->days_to_pay = pg_i32(r, i, 7);
	col(t->status, sizeof(t->status), r, i, 8);
	if (dup) {
		t->subject = col_dup(r, i, 9);
		t->body = col_dup(r, i, 10);
	} else {
		t->subject = PQgetvalue(r, i, 9);
		t->body = PQgetvalue(r, i, 10);
	}
	t->created_by = pg_i64(r, i, 11);
	t->created_at = pg_i64(r, i, 12);
	t->published_by = pg_i64(r, i, 13);
	t->published_at = pg_i64(r, i, 14);
}

static enum hk_rc pgx_template_insert(struct hk_store *s,
				      struct hk_template_rec *t,
				      struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO templates (code, channel, version, name, audience, "
		"kind, days_to_pay, subject, body, status, created_by, created_at) "
		"SELECT $1, $2, COALESCE(max(version), 0) + 1, $3, $4, $5, $6, "
		"$7, $8, 'draft', $9, $10 FROM templates "
		"WHERE code = $1 AND channel = $2 RETURNING ref, version";
	struct pg_params p = {0};
	enum hk_rc rc;
	PGresult *r;

	pgp_str(&p, t->code);
	pgp_str(&p, t->channel);
	pgp_str(&p, t->name);
	pgp_str(&p, t->audience);
	pgp_str(&p, t->kind);
	pgp_int(&p, t->days_to_pay);
	pgp_str(&p, t->subject ? t->subject : "");
	pgp_str(&p, t->body ? t->body : "");
	if (t->created_by)
		pgp_int(&p, t->created_by);
	else
		pgp_null(&p);
	pgp_int(&p, t->created_at);
	if (!(r = one_row(PG(s), sql, &p, "could not save a template", err, &rc)))
		return rc == HK_OK ? hk_err_set(err, HK_EDB, "%s",
						"could not save a template")
				   : rc;
	t->ref = pg_i64(r, 0, 0);
	t->version = pg_i32(r, 0, 1);
	PQclear(r);
	return HK_OK;
}

static enum hk_rc not_a_draft(struct pg_store *ps, int64_t ref,
			      struct hk_err *err)
{
	static const char sql[] = "SELECT status FROM templates WHERE ref = $1";
	struct pg_params p = {0};
	enum hk_rc rc;
	PGresult *r;

	pgp_int(&p, ref);
	r = one_row(ps, sql, &p, "could not read a template", err, &rc);
	if (rc != HK_OK)
		return rc;
	if (!r)
		return hk_err_set(err, HK_ENOTFOUND, "%s",
				  HK_TR(ps->base.lang, "没有这个模板", "no such template"));
	PQclear(r);
	return hk_err_set(err, HK_EREFUSED, "%s",
			  HK_TR(ps->base.lang, "已发布的模板版本不可更改，请另存为新版本",
				"a published template version never changes: save a new version"));
}

static enum hk_rc pgx_template_update(struct hk_store *s,
				      const struct hk_template_rec *t,
				      struct hk_err *err)
{
	static const char sql[] =
		"UPDATE templates SET name = $2, audience = $3, kind = $4, "
		"days_to_pay = $5, subject = $6, body = $7 "
		"WHERE ref = $1 AND status = 'draft'";
	struct pg_params p = {0};
	int64_t n = 0;
	enum hk_rc rc;

	pgp_int(&p, t->ref);
	pgp_str(&p, t->name);
	pgp_str(&p, t->audience);
	pgp_str(&p, t->kind);
	pgp_int(&p, t->days_to_pay);
	pgp_str(&p, t->subject ? t->subject : "");
	pgp_str(&p, t->body ? t->body : "");
	if ((rc = pg_exec_changes(PG(s), sql, &p, "could not save a template", &n,
				  err)) != HK_OK)
		return rc;
	return n == 1 ? HK_OK : not_a_draft(PG(s), t->ref, err);
}

static enum hk_rc pgx_template_publish(struct hk_store *s, int64_t ref,
				       int64_t by, int64_t at,
				       struct hk_err *err)
{
	static const char sql[] =
		"UPDATE templates SET status = 'published', published_by = NULLIF($2::bigint, 0), "
		"published_at = $3 WHERE ref = $1 AND status = 'draft'";
	struct pg_params p = {0};
	int64_t n = 0;
	enum hk_rc rc;

	pgp_int(&p, ref);
	pgp_int(&p, by);
	pgp_int(&p, at);
	if ((rc = pg_exec_changes(PG(s), sql, &p, "could not publish a template",
				  &n, err)) != HK_OK)
		return rc;
	return n == 1 ? HK_OK : not_a_draft(PG(s), ref, err);
}

static enum hk_rc pgx_template_get(struct hk_store *s, int64_t ref,
				   const char *code, const char *channel,
				   struct hk_template_rec *t, bool *found,
				   struct hk_err *err)
{
	static const char sql[] =
		"SELECT " TEMPLATE_COLS "FROM templates "
		"WHERE ($1::bigint <> 0 AND ref = $1) OR ($1::bigint = 0 "
		"AND code = $2 AND channel = $3 AND status = 'published') "
		"ORDER BY version DESC LIMIT 1";
	struct pg_params p = {0};
	enum hk_rc rc;
	PGresult *r;

	*found = false;
	memset(t, 0, sizeof(*t));
	pgp_int(&p, ref);
	pgp_str(&p, code ? code : "");
	pgp_str(&p, channel ? channel : "");
	if ((r = one_row(PG(s), sql, &p, "could not read a template", err, &rc))) {
		read_template(r, 0, t, true);
		*found = true;
		PQclear(r);
	}
	return rc;
}

static enum hk_rc pgx_templates_scan(struct hk_store *s,
				     int (*fn)(void *ctx,
					       const struct hk_template_rec *t),
				     void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT " TEMPLATE_COLS "FROM templates ORDER BY "
		"code COLLATE \"C\", channel COLLATE \"C\", version DESC";
	struct hk_template_rec t;
	PGresult *r = pg_run(PG(s), sql, NULL, "could not read templates", err);

	if (!r)
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		read_template(r, i, &t, false);
		if (fn(ctx, &t))
			break;
	}
	PQclear(r);
	return HK_OK;
}

/* ---- letters --------------------------------------------------------- */

static enum hk_rc pgx_letter_serial_next(struct hk_store *s, int year,
					 char serial[32], struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO meta (key, value) VALUES ($1, '1') "
		"ON CONFLICT (key) DO UPDATE SET "
		"value = (CAST(meta.value AS BIGINT) + 1)::text RETURNING value";
	struct pg_params p = {0};
	char key[32];
	enum hk_rc rc;
	PGresult *r;
	long long n;

	snprintf(key, sizeof(key), "letter_serial_%04d", year);
	pgp_str(&p, key);
	if (!(r = one_row(PG(s), sql, &p, "could not number a letter", err, &rc)))
		return rc == HK_OK ? hk_err_set(err, HK_EDB, "%s",
						"could not number a letter")
				   : rc;
	n = pg_i64(r, 0, 0);
	PQclear(r);
	snprintf(serial, 32, "HK-%04d-%06lld", year, n);
	return HK_OK;
}

static enum hk_rc pgx_letter_insert(struct hk_store *s,
				    struct hk_letter_rec *l,
				    struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO letters (serial, case_ref, template_ref, batch_ref, "
		"as_of, strategy_ref, rule_no, arm_no, total_owed, pages, sha256, "
		"size, created_by, created_at) VALUES ($1, $2, $3, "
		"NULLIF($4::bigint, 0), $5, NULLIF($6::bigint, 0), "
		"CASE WHEN $6::bigint <> 0 THEN $7::bigint END, "
		"CASE WHEN $6::bigint <> 0 THEN $8::bigint END, $9, $10, $11, $12, "
		"NULLIF($13::bigint, 0), $14) RETURNING ref";
	struct pg_params p = {0};
	enum hk_rc rc;
	PGresult *r;

	pgp_str(&p, l->serial);
	pgp_int(&p, l->case_ref);
	pgp_int(&p, l->template_ref);
	pgp_int(&p, l->batch_ref);
	pgp_int(&p, l->as_of);
	pgp_int(&p, l->strategy_ref);
	pgp_int(&p, l->rule_no);
	pgp_int(&p, l->arm_no);
	pgp_int(&p, l->total_owed);
	pgp_int(&p, l->pages);
	pgp_str(&p, l->sha256);
	pgp_int(&p, l->size);
	pgp_int(&p, l->created_by);
	pgp_int(&p, l->created_at);
	if (!(r = one_row(PG(s), sql, &p, "could not record a letter", err, &rc)))
		return rc == HK_OK ? hk_err_set(err, HK_EDB, "%s",
						"could not record a letter")
				   : rc;
	l->ref = pg_i64(r, 0, 0);
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_letters_scan(struct hk_store *s, int64_t case_ref,
				   int64_t ref,
				   int (*fn)(void *ctx,
					     const struct hk_letter_rec *l),
				   void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT l.ref, l.serial, l.case_ref, l.template_ref, "
		"COALESCE(l.batch_ref, 0), l.as_of, COALESCE(l.strategy_ref, 0), "
		"COALESCE(l.rule_no, 0), COALESCE(l.arm_no, 0), l.total_owed, "
		"l.pages, l.sha256, l.size, COALESCE(l.created_by, 0), "
		"l.created_at, t.code, t.version FROM letters l "
		"JOIN templates t ON t.ref = l.template_ref "
		"WHERE ($2::bigint <> 0 AND l.ref = $2) OR ($2::bigint = 0 "
		"AND l.case_ref = $1) ORDER BY l.ref DESC";
	struct pg_params p = {0};
	struct hk_letter_rec l;
	PGresult *r;

	pgp_int(&p, case_ref);
	pgp_int(&p, ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read letters", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		memset(&l, 0, sizeof(l));
		l.ref = pg_i64(r, i, 0);
		col(l.serial, sizeof(l.serial), r, i, 1);
		l.case_ref = pg_i64(r, i, 2);
		l.template_ref = pg_i64(r, i, 3);
		l.batch_ref = pg_i64(r, i, 4);
		l.as_of = pg_i32(r, i, 5);
		l.strategy_ref = pg_i64(r, i, 6);
		l.rule_no = pg_i32(r, i, 7);
		l.arm_no = pg_i32(r, i, 8);
		l.total_owed = pg_i64(r, i, 9);
		l.pages = pg_i32(r, i, 10);
		col(l.sha256, sizeof(l.sha256), r, i, 11);
		l.size = pg_i64(r, i, 12);
		l.created_by = pg_i64(r, i, 13);
		l.created_at = pg_i64(r, i, 14);
		col(l.template_code, sizeof(l.template_code), r, i, 15);
		l.template_version = pg_i32(r, i, 16);
		if (fn(ctx, &l))
			break;
	}
	PQclear(r);
	return HK_OK;
}

/* ---- batches --------------------------------------------------------- */

static enum hk_rc pgx_batch_insert(struct hk_store *s, struct hk_batch_rec *b,
				   const struct hk_batch_case *cases, size_t n,
				   struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO letter_batches (status, source, template_code, as_of, "
		"total, created_by, created_at) VALUES ('queued', $1, $2, $3, $4, "
		"NULLIF($5::bigint, 0), $6) RETURNING ref";
	static const char case_sql[] =
		"INSERT INTO letter_batch_cases (batch_ref, seq, case_ref, "
		"template_code) VALUES ($1, $2, $3, $4)";
	struct pg_params p = {0};
	enum hk_rc rc;
	PGresult *r;

	pgp_str(&p, b->source);
	pgp_text(&p, b->template_code);
	pgp_int(&p, b->as_of);
	pgp_int(&p, (int64_t)n);
	pgp_int(&p, b->created_by);
	pgp_int(&p, b->created_at);
	if (!(r = one_row(PG(s), sql, &p, "could not start a batch", err, &rc)))
		return rc == HK_OK ? hk_err_set(err, HK_EDB, "%s",
						"could not start a batch")
				   : rc;
	b->ref = pg_i64(r, 0, 0);
	PQclear(r);
	b->total = (int64_t)n;
	snprintf(b->status, sizeof(b->status), "queued");
	for (size_t i = 0; i < n; i++) {
		struct pg_params c = {0};

		pgp_int(&c, b->ref);
		pgp_int(&c, cases[i].seq);
		pgp_int(&c, cases[i].case_ref);
		pgp_str(&c, cases[i].template_code);
		if ((rc = pg_exec(PG(s), case_sql, &c, "could not start a batch",
				  err)) != HK_OK)
			return rc;
	}
	return HK_OK;
}

static enum hk_rc pgx_batch_update(struct hk_store *s,
				   const struct hk_batch_rec *b,
				   struct hk_err *err)
{
	static const char sql[] =
		"UPDATE letter_batches SET status = $2, total = $3, done = $4, "
		"skipped = $5, merged_sha256 = $6, manifest_sha256 = $7, "
		"error = $8, finished_at = NULLIF($9::bigint, 0) WHERE ref = $1";
	struct pg_params p = {0};

	pgp_int(&p, b->ref);
	pgp_str(&p, b->status);
	pgp_int(&p, b->total);
	pgp_int(&p, b->done);
	pgp_int(&p, b->skipped);
	pgp_text(&p, b->merged_sha256);
	pgp_text(&p, b->manifest_sha256);
	pgp_text(&p, b->error);
	pgp_int(&p, b->finished_at);
	return pg_exec(PG(s), sql, &p, "could not update a batch", err);
}

static enum hk_rc pgx_batches_scan(struct hk_store *s, int64_t ref,
				   int (*fn)(void *ctx,
					     const struct hk_batch_rec *b),
				   void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT ref, status, source, COALESCE(template_code, ''), as_of, "
		"total, done, skipped, COALESCE(merged_sha256, ''), "
		"COALESCE(manifest_sha256, ''), COALESCE(error, ''), "
		"COALESCE(created_by, 0), created_at, COALESCE(finished_at, 0) "
		"FROM letter_batches WHERE $1::bigint = 0 OR ref = $1 "
		"ORDER BY ref DESC";
	struct pg_params p = {0};
	struct hk_batch_rec b;
	PGresult *r;

	pgp_int(&p, ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read batches", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		memset(&b, 0, sizeof(b));
		b.ref = pg_i64(r, i, 0);
		col(b.status, sizeof(b.status), r, i, 1);
		col(b.source, sizeof(b.source), r, i, 2);
		col(b.template_code, sizeof(b.template_code), r, i, 3);
		b.as_of = pg_i32(r, i, 4);
		b.total = pg_i64(r, i, 5);
		b.done = pg_i64(r, i, 6);
		b.skipped = pg_i64(r, i, 7);
		col(b.merged_sha256, sizeof(b.merged_sha256), r, i, 8);
		col(b.manifest_sha256, sizeof(b.manifest_sha256), r, i, 9);
		col(b.error, sizeof(b.error), r, i, 10);
		b.created_by = pg_i64(r, i, 11);
		b.created_at = pg_i64(r, i, 12);
		b.finished_at = pg_i64(r, i, 13);
		if (fn(ctx, &b))
			break;
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_batch_cases_scan(
	struct hk_store *s, int64_t batch_ref,
	int (*fn)(void *ctx, const struct hk_batch_case *c), void *ctx,
	struct hk_err *err)
{
	static const char sql[] =
		"SELECT seq, case_ref, template_code, COALESCE(letter_ref, 0), "
		"COALESCE(skipped, '') FROM letter_batch_cases "
		"WHERE batch_ref = $1 ORDER BY seq";
	struct pg_params p = {0};
	struct hk_batch_case c;
	PGresult *r;

	pgp_int(&p, batch_ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read a batch's cases", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		memset(&c, 0, sizeof(c));
		c.batch_ref = batch_ref;
		c.seq = pg_i64(r, i, 0);
		c.case_ref = pg_i64(r, i, 1);
		col(c.template_code, sizeof(c.template_code), r, i, 2);
		c.letter_ref = pg_i64(r, i, 3);
		col(c.skipped, sizeof(c.skipped), r, i, 4);
		if (fn(ctx, &c))
			break;
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_batch_case_done(struct hk_store *s, int64_t batch_ref,
				      int64_t seq, int64_t letter_ref,
				      const char *skipped, struct hk_err *err)
{
	static const char sql[] =
		"UPDATE letter_batch_cases SET letter_ref = NULLIF($3::bigint, 0), "
		"skipped = $4 WHERE batch_ref = $1 AND seq = $2";
	struct pg_params p = {0};

	pgp_int(&p, batch_ref);
	pgp_int(&p, seq);
	pgp_int(&p, letter_ref);
	pgp_text(&p, skipped);
	return pg_exec(PG(s), sql, &p, "could not record a batch's case", err);
}

/* ---- the outbox ------------------------------------------------------ */

#define OUTBOX_COLS                                                            \
	"ref, msg_id, case_ref, COALESCE(contact_ref, 0), template_ref, "     \
	"channel, to_addr, COALESCE(to_name, ''), subject, body, status, "    \
	"attempts, next_at, COALESCE(lease_until, 0), "                       \
	"COALESCE(provider_id, ''), COALESCE(last_error, ''), "               \
	"COALESCE(rule, ''), COALESCE(strategy_ref, 0), "                     \
	"COALESCE(rule_no, 0), COALESCE(arm_no, 0), COALESCE(created_by, 0), " \
	"created_at, COALESCE(sent_at, 0), COALESCE(delivered_at, 0), "       \
	"COALESCE((SELECT k.contact_id FROM contacts k "                      \
	"WHERE k.ref = outbox.contact_ref), '') "

static void read_outbox(const PGresult *r, int i, struct hk_outbox_rec *m)
{
	memset(m, 0, sizeof(*m));
	m->ref = pg_i64(r, i, 0);
	col(m->msg_id, sizeof(m->msg_id), r, i, 1);
	m->case_ref = pg_i64(r, i, 2);
	m->contact_ref = pg_i64(r, i, 3);
	m->template_ref = pg_i64(r, i, 4);
	col(m->channel, sizeof(m->channel), r, i, 5);
	col(m->to_addr, sizeof(m->to_addr), r, i, 6);
	col(m->to_name, sizeof(m->to_name), r, i, 7);
	m->subject = PQgetvalue(r, i, 8);
	m->body = PQgetvalue(r, i, 9);
	col(m->status, sizeof(m->status), r, i, 10);
	m->attempts = pg_i32(r, i, 11);
	m->next_at = pg_i64(r, i, 12);
	m->lease_until = pg_i64(r, i, 13);
	col(m->provider_id, sizeof(m->provider_id), r, i, 14);
	col(m->last_error, sizeof(m->last_error), r, i, 15);
	col(m->rule, sizeof(m->rule), r, i, 16);
	m->strategy_ref = pg_i64(r, i, 17);
	m->rule_no = pg_i32(r, i, 18);
	m->arm_no = pg_i32(r, i, 19);
	m->created_by = pg_i64(r, i, 20);
	m->created_at = pg_i64(r, i, 21);
	m->sent_at = pg_i64(r, i, 22);
	m->delivered_at = pg_i64(r, i, 23);
	col(m->contact_id, sizeof(m->contact_id), r, i, 24);
}

static enum hk_rc pgx_outbox_insert(struct hk_store *s,
				    struct hk_outbox_rec *m,
				    struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO outbox (msg_id, case_ref, contact_ref, template_ref, "
		"channel, to_addr, to_name, subject, body, status, next_at, "
		"last_error, rule, strategy_ref, rule_no, arm_no, created_by, "
		"created_at) VALUES ($1, $2, NULLIF($3::bigint, 0), $4, $5, $6, "
		"$7, $8, $9, $10, $11, $12, $13, NULLIF($14::bigint, 0), "
		"CASE WHEN $14::bigint <> 0 THEN $15::bigint END, "
		"CASE WHEN $14::bigint <> 0 THEN $16::bigint END, "
		"NULLIF($17::bigint, 0), $18) RETURNING ref";
	struct pg_params p = {0};
	enum hk_rc rc;
	PGresult *r;

	pgp_str(&p, m->msg_id);
	pgp_int(&p, m->case_ref);
	pgp_int(&p, m->contact_ref);
	pgp_int(&p, m->template_ref);
	pgp_str(&p, m->channel);
	pgp_str(&p, m->to_addr);
	pgp_text(&p, m->to_name);
	pgp_str(&p, m->subject ? m->subject : "");
	pgp_str(&p, m->body ? m->body : "");
	pgp_str(&p, m->status[0] ? m->status : "queued");
	pgp_int(&p, m->next_at);
	pgp_text(&p, m->last_error);
	pgp_text(&p, m->rule);
	pgp_int(&p, m->strategy_ref);
	pgp_int(&p, m->rule_no);
	pgp_int(&p, m->arm_no);
	pgp_int(&p, m->created_by);
	pgp_int(&p, m->created_at);
	if (!(r = one_row(PG(s), sql, &p, "could not queue a message", err, &rc)))
		return rc == HK_OK ? hk_err_set(err, HK_EDB, "%s",
						"could not queue a message")
				   : rc;
	m->ref = pg_i64(r, 0, 0);
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_outbox_claim(struct hk_store *s, int64_t now,
				   int lease_s, int max,
				   int (*fn)(void *ctx,
					     const struct hk_outbox_rec *m),
				   void *ctx, struct hk_err *err)
{
	/* the write transaction's lock (store_pg.c) keeps two senders off
	 * the same messages, as SQLite's single writer does.  RETURNING
	 * comes in the order the rows were updated (their place in the
	 * heap), not oldest first as store.h hands them over: the taken
	 * rows are sorted here (SQLite's twin sorts them too) */
	static const char sql[] =
		"WITH taken AS (UPDATE outbox SET status = 'sending', "
		"lease_until = $1::bigint + $2::bigint, attempts = attempts + 1 "
		"WHERE ref IN (SELECT ref FROM outbox WHERE (status = 'queued' "
		"OR status = 'sending') AND next_at <= $1 AND (status = 'queued' "
		"OR lease_until <= $1) ORDER BY next_at, ref LIMIT $3) "
		"RETURNING *) SELECT " OUTBOX_COLS "FROM taken AS outbox "
		"ORDER BY next_at, ref";
	struct pg_params p = {0};
	struct hk_outbox_rec m;
	PGresult *r;

	pgp_int(&p, now);
	pgp_int(&p, lease_s);
	pgp_int(&p, max);
	if (!(r = pg_run(PG(s), sql, &p, "could not take messages to send", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		read_outbox(r, i, &m);
		fn(ctx, &m);
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_outbox_update(struct hk_store *s,
				    const struct hk_outbox_rec *m,
				    struct hk_err *err)
{
	static const char sql[] =
		"UPDATE outbox SET status = $2, provider_id = $3, last_error = $4, "
		"rule = $5, next_at = $6, sent_at = NULLIF($7::bigint, 0), "
		"lease_until = NULL WHERE ref = $1";
	struct pg_params p = {0};

	pgp_int(&p, m->ref);
	pgp_str(&p, m->status);
	pgp_text(&p, m->provider_id);
	pgp_text(&p, m->last_error);
	pgp_text(&p, m->rule);
	pgp_int(&p, m->next_at);
	pgp_int(&p, m->sent_at);
	return pg_exec(PG(s), sql, &p, "could not record a message's outcome",
		       err);
}

static enum hk_rc pgx_outbox_receipt(struct hk_store *s, const char *id,
				     const char *status, int64_t at,
				     bool *found, bool *dup,
				     struct hk_err *err)
{
	static const char find_sql[] =
		"(SELECT ref FROM outbox WHERE provider_id = $1) "
		"UNION ALL (SELECT ref FROM outbox WHERE msg_id = $1) LIMIT 1";
	static const char ins_sql[] =
		"INSERT INTO outbox_receipts (outbox_ref, status, at) "
		"VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
	static const char set_sql[] =
		"UPDATE outbox SET status = $2, delivered_at = $3 WHERE ref = $1 "
		"AND status IN ('queued', 'sending', 'sent')";
	struct pg_params p = {0};
	int64_t ref, n = 0;
	enum hk_rc rc;
	PGresult *r;

	*found = *dup = false;
	pgp_str(&p, id);
	if (!(r = one_row(PG(s), find_sql, &p, "could not record a receipt", err,
			  &rc)))
		return rc;
	ref = pg_i64(r, 0, 0);
	PQclear(r);
	*found = true;
	memset(&p, 0, sizeof(p));
	pgp_int(&p, ref);
	pgp_str(&p, status);
	pgp_int(&p, at);
	if ((rc = pg_exec_changes(PG(s), ins_sql, &p, "could not record a receipt",
				  &n, err)) != HK_OK)
		return rc;
	if (!n) {
		*dup = true;
		return HK_OK;
	}
	return pg_exec(PG(s), set_sql, &p, "could not record a receipt", err);
}

static enum hk_rc pgx_outbox_scan(struct hk_store *s, int64_t case_ref,
				  int64_t team_ref, const char *status,
				  int64_t before, int limit,
				  int (*fn)(void *ctx,
					    const struct hk_outbox_rec *m),
				  void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT " OUTBOX_COLS "FROM outbox WHERE ($1::bigint = 0 "
		"OR case_ref = $1) AND ($2::text IS NULL OR status = $2) "
		"AND ($3::bigint = 0 OR ref < $3) AND ($5::bigint = 0 OR "
		"case_ref IN (SELECT ref FROM cases WHERE team_ref = $5)) "
		"ORDER BY ref DESC LIMIT $4";
	struct pg_params p = {0};
	struct hk_outbox_rec m;
	PGresult *r;

	pgp_int(&p, case_ref);
	pgp_text(&p, status);
	pgp_int(&p, before);
	pgp_int(&p, limit);
	pgp_int(&p, team_ref);
	if (!(r = pg_run(PG(s), sql, &p, "could not read the outbox", err)))
		return HK_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		read_outbox(r, i, &m);
		if (fn(ctx, &m))
			break;
	}
	PQclear(r);
	return HK_OK;
}

static enum hk_rc pgx_outbox_count(struct hk_store *s, int64_t debtor_ref,
				   const char *channel, int64_t since,
				   int64_t *n, struct hk_err *err)
{
	static const char sql[] =
		"SELECT count(*) FROM cases c JOIN outbox o ON o.case_ref = c.ref "
		"WHERE c.debtor_ref = $1 AND o.channel = $2 AND o.created_at >= $3 "
		"AND o.status NOT IN ('refused', 'cancelled')";
	struct pg_params p = {0};
	PGresult *r;

	*n = 0;
	pgp_int(&p, debtor_ref);
	pgp_str(&p, channel);
	pgp_int(&p, since);
	if (!(r = pg_run(PG(s), sql, &p, "could not count messages", err)))
		return HK_EDB;
	if (PQntuples(r))
		*n = pg_i64(r, 0, 0);
	PQclear(r);
	return HK_OK;
}

void hk_pg_ops_letters(struct hk_store_ops *ops)
{
	ops->template_insert = pgx_template_insert;
	ops->template_update = pgx_template_update;
	ops->template_publish = pgx_template_publish;
	ops->template_get = pgx_template_get;
	ops->templates_scan = pgx_templates_scan;
	ops->letter_serial_next = pgx_letter_serial_next;
	ops->letter_insert = pgx_letter_insert;
	ops->letters_scan = pgx_letters_scan;
	ops->batch_insert = pgx_batch_insert;
	ops->batch_update = pgx_batch_update;
	ops->batches_scan = pgx_batches_scan;
	ops->batch_cases_scan = pgx_batch_cases_scan;
	ops->batch_case_done = pgx_batch_case_done;
	ops->outbox_insert = pgx_outbox_insert;
	ops->outbox_claim = pgx_outbox_claim;
	ops->outbox_update = pgx_outbox_update;
	ops->outbox_receipt = pgx_outbox_receipt;
	ops->outbox_scan = pgx_outbox_scan;
	ops->outbox_count = pgx_outbox_count;
}
