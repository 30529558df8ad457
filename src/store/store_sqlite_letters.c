/*
 * store_sqlite_letters.c - the SQLite backend's operations for letters and
 * messages (store.h, migration 27, docs/letters.md): template versions,
 * letters with their numbers, batches, the outbox and its receipts.  The
 * PostgreSQL twins are in store_pg_letters.c, statement for statement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_sqlite.h"

#define TEMPLATE_COLS                                                          \
	"ref, code, channel, version, name, audience, kind, days_to_pay, "    \
	"status, subject, body, COALESCE(created_by, 0), created_at, "        \
	"COALESCE(published_by, 0), COALESCE(published_at, 0) "

/* A template row (TEMPLATE_COLS from column `c`); subject and body point
 * into the statement's row unless `dup` (then the caller's to free). */
static void read_template(sqlite3_stmt *st, struct hk_template_rec *t,
			  bool dup)
{
	memset(t, 0, sizeof(*t));
	t->ref = sqlite3_column_int64(st, 0);
	sq_col_copy(st, 1, t->code, sizeof(t->code));
	sq_col_copy(st, 2, t->channel, sizeof(t->channel));
	t->version = sqlite3_column_int(st, 3);
	sq_col_copy(st, 4, t->name, sizeof(t->name));
	sq_col_copy(st, 5, t->audience, sizeof(t->audience));
	sq_col_copy(st, 6, t->kind, sizeof(t->kind));
	t->days_to_pay = sqlite3_column_int(st, 7);
	sq_col_copy(st, 8, t->status, sizeof(t->status));
	if (dup) {
		t->subject = sq_col_dup(st, 9);
		t->body = sq_col_dup(st, 10);
	} else {
		t->subject = (char *)(sqlite3_column_text(st, 9) ?
				      sqlite3_column_text(st, 9) : (const unsigned char *)"");
		t->body = (char *)(sqlite3_column_text(st, 10) ?
				   sqlite3_column_text(st, 10) : (const unsigned char *)"");
	}
	t->created_by = sqlite3_column_int64(st, 11);
	t->created_at = sqlite3_column_int64(st, 12);
	t->published_by = sqlite3_column_int64(st, 13);
	t->published_at = sqlite3_column_int64(st, 14);
}

enum hk_rc sq_template_insert(struct hk_store *s, struct hk_template_rec *t,
			      struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO templates (code, channel, version, name, audience, "
		"kind, days_to_pay, subject, body, status, created_by, created_at) "
		"SELECT ?1, ?2, COALESCE(max(version), 0) + 1, ?3, ?4, ?5, ?6, "
		"?7, ?8, 'draft', ?9, ?10 FROM templates "
		"WHERE code = ?1 AND channel = ?2 RETURNING ref, version";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	int rc;

	if (!st)
		return HK_EDB;
	sq_bind_str(st, 1, t->code);
	sq_bind_str(st, 2, t->channel);
	sq_bind_str(st, 3, t->name);
	sq_bind_str(st, 4, t->audience);
	sq_bind_str(st, 5, t->kind);
	sqlite3_bind_int(st, 6, t->days_to_pay);
	sq_bind_str(st, 7, t->subject ? t->subject : "");
	sq_bind_str(st, 8, t->body ? t->body : "");
	if (t->created_by)
		sqlite3_bind_int64(st, 9, t->created_by);
	sqlite3_bind_int64(st, 10, t->created_at);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		t->ref = sqlite3_column_int64(st, 0);
		t->version = sqlite3_column_int(st, 1);
		rc = sqlite3_step(st);
	}
	sq_stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK : sq_fail(s, err, "could not save a template");
}

/* Why a change to a draft changed nothing: no such template, or not a
 * draft any more. */
static enum hk_rc not_a_draft(struct hk_store *s, int64_t ref,
			      struct hk_err *err)
{
	static const char sql[] = "SELECT status FROM templates WHERE ref = ?1";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	bool exists;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, ref);
	exists = sqlite3_step(st) == SQLITE_ROW;
	sq_stmt_done(st);
	if (!exists)
		return hk_err_set(err, HK_ENOTFOUND, "%s",
				  HK_TR(s->lang, "没有这个模板", "no such template"));
	return hk_err_set(err, HK_EREFUSED, "%s",
			  HK_TR(s->lang, "已发布的模板版本不可更改，请另存为新版本",
				"a published template version never changes: save a new version"));
}

enum hk_rc sq_template_update(struct hk_store *s,
			      const struct hk_template_rec *t,
			      struct hk_err *err)
{
	static const char sql[] =
		"UPDATE templates SET name = ?2, audience = ?3, kind = ?4, "
		"days_to_pay = ?5, subject = ?6, body = ?7 "
		"WHERE ref = ?1 AND status = 'draft'";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	enum hk_rc rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, t->ref);
	sq_bind_str(st, 2, t->name);
	sq_bind_str(st, 3, t->audience);
	sq_bind_str(st, 4, t->kind);
	sqlite3_bind_int(st, 5, t->days_to_pay);
	sq_bind_str(st, 6, t->subject ? t->subject : "");
	sq_bind_str(st, 7, t->body ? t->body : "");
	if ((rc = sq_exec(s, st, err, "could not save a template")) != HK_OK)
		return rc;
	return sqlite3_changes(sq_db(s)) == 1 ? HK_OK : not_a_draft(s, t->ref, err);
}

enum hk_rc sq_template_publish(struct hk_store *s, int64_t ref, int64_t by,
			       int64_t at, struct hk_err *err)
{
	static const char sql[] =
		"UPDATE templates SET status = 'published', published_by = NULLIF(?2, 0), "
		"published_at = ?3 WHERE ref = ?1 AND status = 'draft'";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	enum hk_rc rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, ref);
	sqlite3_bind_int64(st, 2, by);
	sqlite3_bind_int64(st, 3, at);
	if ((rc = sq_exec(s, st, err, "could not publish a template")) != HK_OK)
		return rc;
	return sqlite3_changes(sq_db(s)) == 1 ? HK_OK : not_a_draft(s, ref, err);
}

enum hk_rc sq_template_get(struct hk_store *s, int64_t ref, const char *code,
			   const char *channel, struct hk_template_rec *t,
			   bool *found, struct hk_err *err)
{
	static const char sql[] =
		"SELECT " TEMPLATE_COLS "FROM templates "
		"WHERE (?1 <> 0 AND ref = ?1) OR (?1 = 0 AND code = ?2 "
		"AND channel = ?3 AND status = 'published') "
		"ORDER BY version DESC LIMIT 1";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	int rc;

	*found = false;
	memset(t, 0, sizeof(*t));
	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, ref);
	sq_bind_str(st, 2, code ? code : "");
	sq_bind_str(st, 3, channel ? channel : "");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_template(st, t, true);
		*found = true;
	}
	sq_stmt_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? HK_OK
		       : sq_fail(s, err, "could not read a template");
}

enum hk_rc sq_templates_scan(struct hk_store *s,
			     int (*fn)(void *ctx,
				       const struct hk_template_rec *t),
			     void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT " TEMPLATE_COLS "FROM templates "
		"ORDER BY code, channel, version DESC";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	struct hk_template_rec t;
	int rc;

	if (!st)
		return HK_EDB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_template(st, &t, false);
		if (fn(ctx, &t))
			break;
	}
	sq_stmt_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? HK_OK
		       : sq_fail(s, err, "could not read templates");
}

/* ---- letters --------------------------------------------------------- */

enum hk_rc sq_letter_serial_next(struct hk_store *s, int year,
				 char serial[32], struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO meta (key, value) VALUES (?1, '1') "
		"ON CONFLICT (key) DO UPDATE SET "
		"value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) RETURNING value";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	char key[32];
	long long n = 0;
	int rc;

	if (!st)
		return HK_EDB;
	snprintf(key, sizeof(key), "letter_serial_%04d", year);
	sq_bind_str(st, 1, key);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 0);
		rc = sqlite3_step(st);
	}
	sq_stmt_done(st);
	if (rc != SQLITE_DONE || n <= 0)
		return sq_fail(s, err, "could not number a letter");
	snprintf(serial, 32, "HK-%04d-%06lld", year, n);
	return HK_OK;
}

enum hk_rc sq_letter_insert(struct hk_store *s, struct hk_letter_rec *l,
			    struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO letters (serial, case_ref, template_ref, batch_ref, "
		"as_of, strategy_ref, rule_no, arm_no, total_owed, pages, sha256, "
		"size, created_by, created_at) VALUES (?1, ?2, ?3, NULLIF(?4, 0), "
		"?5, NULLIF(?6, 0), CASE WHEN ?6 <> 0 THEN ?7 END, "
		"CASE WHEN ?6 <> 0 THEN ?8 END, ?9, ?10, ?11, ?12, NULLIF(?13, 0), "
		"?14) RETURNING ref";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	int rc;

	if (!st)
		return HK_EDB;
	sq_bind_str(st, 1, l->serial);
	sqlite3_bind_int64(st, 2, l->case_ref);
	sqlite3_bind_int64(st, 3, l->template_ref);
	sqlite3_bind_int64(st, 4, l->batch_ref);
	sqlite3_bind_int(st, 5, l->as_of);
	sqlite3_bind_int64(st, 6, l->strategy_ref);
	sqlite3_bind_int(st, 7, l->rule_no);
	sqlite3_bind_int(st, 8, l->arm_no);
	sqlite3_bind_int64(st, 9, l->total_owed);
	sqlite3_bind_int(st, 10, l->pages);
	sq_bind_str(st, 11, l->sha256);
	sqlite3_bind_int64(st, 12, l->size);
	sqlite3_bind_int64(st, 13, l->created_by);
	sqlite3_bind_int64(st, 14, l->created_at);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		l->ref = sqlite3_column_int64(st, 0);
		rc = sqlite3_step(st);
	}
	sq_stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK : sq_fail(s, err, "could not record a letter");
}

enum hk_rc sq_letters_scan(struct hk_store *s, int64_t case_ref, int64_t ref,
			   int (*fn)(void *ctx, const struct hk_letter_rec *l),
			   void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT l.ref, l.serial, l.case_ref, l.template_ref, "
		"COALESCE(l.batch_ref, 0), l.as_of, COALESCE(l.strategy_ref, 0), "
		"COALESCE(l.rule_no, 0), COALESCE(l.arm_no, 0), l.total_owed, "
		"l.pages, l.sha256, l.size, COALESCE(l.created_by, 0), "
		"l.created_at, t.code, t.version FROM letters l "
		"JOIN templates t ON t.ref = l.template_ref "
		"WHERE (?2 <> 0 AND l.ref = ?2) OR (?2 = 0 AND l.case_ref = ?1) "
		"ORDER BY l.ref DESC";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	struct hk_letter_rec l;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	sqlite3_bind_int64(st, 2, ref);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&l, 0, sizeof(l));
		l.ref = sqlite3_column_int64(st, 0);
		sq_col_copy(st, 1, l.serial, sizeof(l.serial));
		l.case_ref = sqlite3_column_int64(st, 2);
		l.template_ref = sqlite3_column_int64(st, 3);
		l.batch_ref = sqlite3_column_int64(st, 4);
		l.as_of = sqlite3_column_int(st, 5);
		l.strategy_ref = sqlite3_column_int64(st, 6);
		l.rule_no = sqlite3_column_int(st, 7);
		l.arm_no = sqlite3_column_int(st, 8);
		l.total_owed = sqlite3_column_int64(st, 9);
		l.pages = sqlite3_column_int(st, 10);
		sq_col_copy(st, 11, l.sha256, sizeof(l.sha256));
		l.size = sqlite3_column_int64(st, 12);
		l.created_by = sqlite3_column_int64(st, 13);
		l.created_at = sqlite3_column_int64(st, 14);
		sq_col_copy(st, 15, l.template_code, sizeof(l.template_code));
		l.template_version = sqlite3_column_int(st, 16);
		if (fn(ctx, &l))
			break;
	}
	sq_stmt_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? HK_OK
		       : sq_fail(s, err, "could not read letters");
}

/* ---- batches --------------------------------------------------------- */

enum hk_rc sq_batch_insert(struct hk_store *s, struct hk_batch_rec *b,
			   const struct hk_batch_case *cases, size_t n,
			   struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO letter_batches (status, source, template_code, as_of, "
		"total, created_by, created_at) VALUES ('queued', ?1, ?2, ?3, ?4, "
		"NULLIF(?5, 0), ?6) RETURNING ref";
	static const char case_sql[] =
		"INSERT INTO letter_batch_cases (batch_ref, seq, case_ref, "
		"template_code) VALUES (?1, ?2, ?3, ?4)";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	enum hk_rc out;
	int rc;

	if (!st)
		return HK_EDB;
	sq_bind_str(st, 1, b->source);
	sq_bind_text(st, 2, b->template_code);
	sqlite3_bind_int(st, 3, b->as_of);
	sqlite3_bind_int64(st, 4, (int64_t)n);
	sqlite3_bind_int64(st, 5, b->created_by);
	sqlite3_bind_int64(st, 6, b->created_at);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		b->ref = sqlite3_column_int64(st, 0);
		rc = sqlite3_step(st);
	}
	sq_stmt_done(st);
	if (rc != SQLITE_DONE)
		return sq_fail(s, err, "could not start a batch");
	b->total = (int64_t)n;
	snprintf(b->status, sizeof(b->status), "queued");
	for (size_t i = 0; i < n; i++) {
		if (!(st = sq_stmt(s, case_sql, err)))
			return HK_EDB;
		sqlite3_bind_int64(st, 1, b->ref);
		sqlite3_bind_int64(st, 2, cases[i].seq);
		sqlite3_bind_int64(st, 3, cases[i].case_ref);
		sq_bind_str(st, 4, cases[i].template_code);
		if ((out = sq_exec(s, st, err, "could not start a batch")) != HK_OK)
			return out;
	}
	return HK_OK;
}

enum hk_rc sq_batch_update(struct hk_store *s, const struct hk_batch_rec *b,
			   struct hk_err *err)
{
	static const char sql[] =
		"UPDATE letter_batches SET status = ?2, total = ?3, done = ?4, "
		"skipped = ?5, merged_sha256 = ?6, manifest_sha256 = ?7, "
		"error = ?8, finished_at = NULLIF(?9, 0) WHERE ref = ?1";
	sqlite3_stmt *st = sq_stmt(s, sql, err);

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, b->ref);
	sq_bind_str(st, 2, b->status);
	sqlite3_bind_int64(st, 3, b->total);
	sqlite3_bind_int64(st, 4, b->done);
	sqlite3_bind_int64(st, 5, b->skipped);
	sq_bind_text(st, 6, b->merged_sha256);
	sq_bind_text(st, 7, b->manifest_sha256);
	sq_bind_text(st, 8, b->error);
	sqlite3_bind_int64(st, 9, b->finished_at);
	return sq_exec(s, st, err, "could not update a batch");
}

enum hk_rc sq_batches_scan(struct hk_store *s, int64_t ref,
			   int (*fn)(void *ctx, const struct hk_batch_rec *b),
			   void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT ref, status, source, COALESCE(template_code, ''), as_of, "
		"total, done, skipped, COALESCE(merged_sha256, ''), "
		"COALESCE(manifest_sha256, ''), COALESCE(error, ''), "
		"COALESCE(created_by, 0), created_at, COALESCE(finished_at, 0) "
		"FROM letter_batches WHERE ?1 = 0 OR ref = ?1 ORDER BY ref DESC";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	struct hk_batch_rec b;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, ref);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&b, 0, sizeof(b));
		b.ref = sqlite3_column_int64(st, 0);
		sq_col_copy(st, 1, b.status, sizeof(b.status));
		sq_col_copy(st, 2, b.source, sizeof(b.source));
		sq_col_copy(st, 3, b.template_code, sizeof(b.template_code));
		b.as_of = sqlite3_column_int(st, 4);
		b.total = sqlite3_column_int64(st, 5);
		b.done = sqlite3_column_int64(st, 6);
		b.skipped = sqlite3_column_int64(st, 7);
		sq_col_copy(st, 8, b.merged_sha256, sizeof(b.merged_sha256));
		sq_col_copy(st, 9, b.manifest_sha256, sizeof(b.manifest_sha256));
		sq_col_copy(st, 10, b.error, sizeof(b.error));
		b.created_by = sqlite3_column_int64(st, 11);
		b.created_at = sqlite3_column_int64(st, 12);
		b.finished_at = sqlite3_column_int64(st, 13);
		if (fn(ctx, &b))
			break;
	}
	sq_stmt_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? HK_OK
		       : sq_fail(s, err, "could not read batches");
}

enum hk_rc sq_batch_cases_scan(struct hk_store *s, int64_t batch_ref,
			       int (*fn)(void *ctx,
					 const struct hk_batch_case *c),
			       void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT seq, case_ref, template_code, COALESCE(letter_ref, 0), "
		"COALESCE(skipped, '') FROM letter_batch_cases "
		"WHERE batch_ref = ?1 ORDER BY seq";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	struct hk_batch_case c;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, batch_ref);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&c, 0, sizeof(c));
		c.batch_ref = batch_ref;
		c.seq = sqlite3_column_int64(st, 0);
		c.case_ref = sqlite3_column_int64(st, 1);
		sq_col_copy(st, 2, c.template_code, sizeof(c.template_code));
		c.letter_ref = sqlite3_column_int64(st, 3);
		sq_col_copy(st, 4, c.skipped, sizeof(c.skipped));
		if (fn(ctx, &c))
			break;
	}
	sq_stmt_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? HK_OK
		       : sq_fail(s, err, "could not read a batch's cases");
}

enum hk_rc sq_batch_case_done(struct hk_store *s, int64_t batch_ref,
			      int64_t seq, int64_t letter_ref,
			      const char *skipped, struct hk_err *err)
{
	static const char sql[] =
		"UPDATE letter_batch_cases SET letter_ref = NULLIF(?3, 0), "
		"skipped = ?4 WHERE batch_ref = ?1 AND seq = ?2";
	sqlite3_stmt *st = sq_stmt(s, sql, err);

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, batch_ref);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_int64(st, 3, letter_ref);
	sq_bind_text(st, 4, skipped);
	return sq_exec(s, st, err, "could not record a batch's case");
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

/* An outbox row (OUTBOX_COLS); subject and body point into the row. */
static void read_outbox(sqlite3_stmt *st, struct hk_outbox_rec *m)
{
	memset(m, 0, sizeof(*m));
	m->ref = sqlite3_column_int64(st, 0);
	sq_col_copy(st, 1, m->msg_id, sizeof(m->msg_id));
	m->case_ref = sqlite3_column_int64(st, 2);
	m->contact_ref = sqlite3_column_int64(st, 3);
	m->template_ref = sqlite3_column_int64(st, 4);
	sq_col_copy(st, 5, m->channel, sizeof(m->channel));
	sq_col_copy(st, 6, m->to_addr, sizeof(m->to_addr));
	sq_col_copy(st, 7, m->to_name, sizeof(m->to_name));
	m->subject = (char *)(sqlite3_column_text(st, 8) ?
			      sqlite3_column_text(st, 8) : (const unsigned char *)"");
	m->body = (char *)(sqlite3_column_text(st, 9) ?
			   sqlite3_column_text(st, 9) : (const unsigned char *)"");
	sq_col_copy(st, 10, m->status, sizeof(m->status));
	m->attempts = sqlite3_column_int(st, 11);
	m->next_at = sqlite3_column_int64(st, 12);
	m->lease_until = sqlite3_column_int64(st, 13);
	sq_col_copy(st, 14, m->provider_id, sizeof(m->provider_id));
	sq_col_copy(st, 15, m->last_error, sizeof(m->last_error));
	sq_col_copy(st, 16, m->rule, sizeof(m->rule));
	m->strategy_ref = sqlite3_column_int64(st, 17);
	m->rule_no = sqlite3_column_int(st, 18);
	m->arm_no = sqlite3_column_int(st, 19);
	m->created_by = sqlite3_column_int64(st, 20);
	m->created_at = sqlite3_column_int64(st, 21);
	m->sent_at = sqlite3_column_int64(st, 22);
	m->delivered_at = sqlite3_column_int64(st, 23);
	sq_col_copy(st, 24, m->contact_id, sizeof(m->contact_id));
}

enum hk_rc sq_outbox_insert(struct hk_store *s, struct hk_outbox_rec *m,
			    struct hk_err *err)
{
	static const char sql[] =
		"INSERT INTO outbox (msg_id, case_ref, contact_ref, template_ref, "
		"channel, to_addr, to_name, subject, body, status, next_at, "
		"last_error, rule, strategy_ref, rule_no, arm_no, created_by, "
		"created_at) VALUES (?1, ?2, NULLIF(?3, 0), ?4, ?5, ?6, ?7, ?8, "
		"?9, ?10, ?11, ?12, ?13, NULLIF(?14, 0), "
		"CASE WHEN ?14 <> 0 THEN ?15 END, CASE WHEN ?14 <> 0 THEN ?16 END, "
		"NULLIF(?17, 0), ?18) RETURNING ref";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	int rc;

	if (!st)
		return HK_EDB;
	sq_bind_str(st, 1, m->msg_id);
	sqlite3_bind_int64(st, 2, m->case_ref);
	sqlite3_bind_int64(st, 3, m->contact_ref);
	sqlite3_bind_int64(st, 4, m->template_ref);
	sq_bind_str(st, 5, m->channel);
	sq_bind_str(st, 6, m->to_addr);
	sq_bind_text(st, 7, m->to_name);
	sq_bind_str(st, 8, m->subject ? m->subject : "");
	sq_bind_str(st, 9, m->body ? m->body : "");
	sq_bind_str(st, 10, m->status[0] ? m->status : "queued");
	sqlite3_bind_int64(st, 11, m->next_at);
	sq_bind_text(st, 12, m->last_error);
	sq_bind_text(st, 13, m->rule);
	sqlite3_bind_int64(st, 14, m->strategy_ref);
	sqlite3_bind_int(st, 15, m->rule_no);
	sqlite3_bind_int(st, 16, m->arm_no);
	sqlite3_bind_int64(st, 17, m->created_by);
	sqlite3_bind_int64(st, 18, m->created_at);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		m->ref = sqlite3_column_int64(st, 0);
		rc = sqlite3_step(st);
	}
	sq_stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK : sq_fail(s, err, "could not queue a message");
}

/* A message taken by a claim: the order the callbacks get them in. */
struct taken {
	int64_t next_at, ref;
};

static int taken_cmp(const void *a, const void *b)
{
	const struct taken *x = a, *y = b;

	if (x->next_at != y->next_at)
		return x->next_at < y->next_at ? -1 : 1;
	return (x->ref > y->ref) - (x->ref < y->ref);
}

enum hk_rc sq_outbox_claim(struct hk_store *s, int64_t now, int lease_s,
			   int max,
			   int (*fn)(void *ctx, const struct hk_outbox_rec *m),
			   void *ctx, struct hk_err *err)
{
	/* the partial index outbox_due holds exactly the messages not done */
	static const char sql[] =
		"UPDATE outbox SET status = 'sending', lease_until = ?1 + ?2, "
		"attempts = attempts + 1 WHERE ref IN (SELECT ref FROM outbox "
		"WHERE (status = 'queued' OR status = 'sending') AND next_at <= ?1 "
		"AND (status = 'queued' OR lease_until <= ?1) "
		"ORDER BY next_at, ref LIMIT ?3) RETURNING next_at, ref";
	static const char one_sql[] =
		"SELECT " OUTBOX_COLS "FROM outbox WHERE ref = ?1";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	struct hk_outbox_rec m;
	struct taken *taken = NULL;
	size_t n = 0, cap = 0;
	enum hk_rc out = HK_OK;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, lease_s);
	sqlite3_bind_int(st, 3, max);
	/* every row is stepped: the update is whole before the callbacks
	 * matter to anyone else (they run inside the caller's transaction).
	 * RETURNING gives the rows in no particular order (SQLite's: by
	 * ref), so they are sorted oldest first, as the contract and
	 * PostgreSQL's twin hand them over, and then read one by one. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			taken = hk_realloc(taken, cap * sizeof(*taken));
		}
		taken[n].next_at = sqlite3_column_int64(st, 0);
		taken[n++].ref = sqlite3_column_int64(st, 1);
	}
	sq_stmt_done(st);
	if (rc != SQLITE_DONE) {
		free(taken);
		return sq_fail(s, err, "could not take messages to send");
	}
	if (n)
		qsort(taken, n, sizeof(*taken), taken_cmp);
	for (size_t i = 0; i < n && out == HK_OK; i++) {
		if (!(st = sq_stmt(s, one_sql, err))) {
			out = HK_EDB;
			break;
		}
		sqlite3_bind_int64(st, 1, taken[i].ref);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			read_outbox(st, &m);
			fn(ctx, &m);
		} else
			out = sq_fail(s, err, "could not take messages to send");
		sq_stmt_done(st);
	}
	free(taken);
	return out;
}

enum hk_rc sq_outbox_update(struct hk_store *s,
			    const struct hk_outbox_rec *m, struct hk_err *err)
{
	static const char sql[] =
		"UPDATE outbox SET status = ?2, provider_id = ?3, last_error = ?4, "
		"rule = ?5, next_at = ?6, sent_at = NULLIF(?7, 0), "
		"lease_until = NULL WHERE ref = ?1";
	sqlite3_stmt *st = sq_stmt(s, sql, err);

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, m->ref);
	sq_bind_str(st, 2, m->status);
	sq_bind_text(st, 3, m->provider_id);
	sq_bind_text(st, 4, m->last_error);
	sq_bind_text(st, 5, m->rule);
	sqlite3_bind_int64(st, 6, m->next_at);
	sqlite3_bind_int64(st, 7, m->sent_at);
	return sq_exec(s, st, err, "could not record a message's outcome");
}

enum hk_rc sq_outbox_receipt(struct hk_store *s, const char *id,
			     const char *status, int64_t at, bool *found,
			     bool *dup, struct hk_err *err)
{
	static const char find_sql[] =
		"SELECT ref FROM outbox WHERE provider_id = ?1 "
		"UNION ALL SELECT ref FROM outbox WHERE msg_id = ?1 LIMIT 1";
	static const char ins_sql[] =
		"INSERT INTO outbox_receipts (outbox_ref, status, at) "
		"VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING";
	/* the first verdict stands; a message not yet marked sent (the
	 * receipt outran our own record) takes it too */
	static const char set_sql[] =
		"UPDATE outbox SET status = ?2, delivered_at = ?3 WHERE ref = ?1 "
		"AND status IN ('queued', 'sending', 'sent')";
	sqlite3_stmt *st = sq_stmt(s, find_sql, err);
	int64_t ref = 0;
	enum hk_rc rc;

	*found = *dup = false;
	if (!st)
		return HK_EDB;
	sq_bind_str(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		ref = sqlite3_column_int64(st, 0);
	sq_stmt_done(st);
	if (!ref)
		return HK_OK;
	*found = true;
	if (!(st = sq_stmt(s, ins_sql, err)))
		return HK_EDB;
	sqlite3_bind_int64(st, 1, ref);
	sq_bind_str(st, 2, status);
	sqlite3_bind_int64(st, 3, at);
	if ((rc = sq_exec(s, st, err, "could not record a receipt")) != HK_OK)
		return rc;
	if (sqlite3_changes(sq_db(s)) == 0) {
		*dup = true;
		return HK_OK;
	}
	if (!(st = sq_stmt(s, set_sql, err)))
		return HK_EDB;
	sqlite3_bind_int64(st, 1, ref);
	sq_bind_str(st, 2, status);
	sqlite3_bind_int64(st, 3, at);
	return sq_exec(s, st, err, "could not record a receipt");
}

enum hk_rc sq_outbox_scan(struct hk_store *s, int64_t case_ref,
			  int64_t team_ref, const char *status, int64_t before,
			  int limit,
			  int (*fn)(void *ctx, const struct hk_outbox_rec *m),
			  void *ctx, struct hk_err *err)
{
	static const char sql[] =
		"SELECT " OUTBOX_COLS "FROM outbox WHERE (?1 = 0 OR case_ref = ?1) "
		"AND (?2 IS NULL OR status = ?2) AND (?3 = 0 OR ref < ?3) "
		"AND (?5 = 0 OR case_ref IN (SELECT ref FROM cases "
		"WHERE team_ref = ?5)) ORDER BY ref DESC LIMIT ?4";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	struct hk_outbox_rec m;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	sq_bind_text(st, 2, status);
	sqlite3_bind_int64(st, 3, before);
	sqlite3_bind_int(st, 4, limit);
	sqlite3_bind_int64(st, 5, team_ref);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_outbox(st, &m);
		if (fn(ctx, &m))
			break;
	}
	sq_stmt_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? HK_OK
		       : sq_fail(s, err, "could not read the outbox");
}

enum hk_rc sq_outbox_count(struct hk_store *s, int64_t debtor_ref,
			   const char *channel, int64_t since, int64_t *n,
			   struct hk_err *err)
{
	static const char sql[] =
		"SELECT count(*) FROM cases c JOIN outbox o ON o.case_ref = c.ref "
		"WHERE c.debtor_ref = ?1 AND o.channel = ?2 AND o.created_at >= ?3 "
		"AND o.status NOT IN ('refused', 'cancelled')";
	sqlite3_stmt *st = sq_stmt(s, sql, err);
	int rc;

	*n = 0;
	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, debtor_ref);
	sq_bind_str(st, 2, channel);
	sqlite3_bind_int64(st, 3, since);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sq_stmt_done(st);
	return rc == SQLITE_ROW ? HK_OK : sq_fail(s, err, "could not count messages");
}
