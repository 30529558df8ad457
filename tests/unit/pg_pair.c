/*
 * pg_pair.c - the cross-backend tests' shared harness (pg_pair.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pg_pair.h"

const char *const side_name[NB] = {"sqlite", "postgresql"};

/* ====================================================================
 * A pair of fresh stores
 * ==================================================================== */

const char *pg_uri(void)
{
	const char *uri = getenv("HUIKUAN_TEST_PG");

	return uri && *uri ? uri : NULL;
}

void pg_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		fail_msg("postgresql: %s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

/* The connection string of database `db` on the server `admin` is on. */
static void conninfo_for(PGconn *admin, const char *db, char *buf, size_t cap)
{
	PQconninfoOption *opt = PQconninfo(admin);
	size_t n = 0;

	assert_non_null(opt);
	for (PQconninfoOption *o = opt; o->keyword; o++)
		if (o->val && *o->val &&
		    (!strcmp(o->keyword, "host") || !strcmp(o->keyword, "port") ||
		     !strcmp(o->keyword, "user")))
			n += (size_t)snprintf(buf + n, cap - n, "%s='%s' ",
					      o->keyword, o->val);
	snprintf(buf + n, cap - n, "dbname='%s'", db);
	PQconninfoFree(opt);
}

static void pg_apply_schema_file(PGconn *c)
{
	const char *path = getenv("HK_TEST_PG_SCHEMA");
	static char text[1 << 16];
	FILE *f;
	size_t n;

	if (!path || !*path)
		return;
	assert_non_null(f = fopen(path, "r"));
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	pg_ok(c, text);
}

int pair_setup(void **state)
{
	static unsigned serial;
	struct pair *p = calloc(1, sizeof(*p));
	struct hk_err err = {0};

	assert_non_null(p);
	p->n = pg_uri() ? 2 : 1;
	snprintf(p->dir, sizeof(p->dir), "/tmp/hk_test_pg_%s_XXXXXX", pg_pair_name);
	assert_non_null(mkdtemp(p->dir));
	snprintf(p->path, sizeof(p->path), "%s/huikuan.db", p->dir);
	assert_int_equal(hk_store_sqlite_open(p->path, HK_LANG_EN, &p->s[SQ], &err),
			 HK_OK);
	assert_int_equal(p->s[SQ]->ops->migrate(p->s[SQ], &err), HK_OK);
	assert_int_equal(sqlite3_open(p->path, &p->sq), SQLITE_OK);
	sqlite3_busy_timeout(p->sq, 5000);
	if (p->n == 2) {
		char sql[128], info[512];

		p->admin = PQconnectdb(pg_uri());
		if (PQstatus(p->admin) != CONNECTION_OK)
			fail_msg("HUIKUAN_TEST_PG: %s", PQerrorMessage(p->admin));
		pg_ok(p->admin, "SET client_min_messages = warning");
		snprintf(p->pg_db, sizeof(p->pg_db), "hk_test_pg_%s_%d_%u",
			 pg_pair_name, (int)getpid(), serial++);
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", p->pg_db);
		pg_ok(p->admin, sql);
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", p->pg_db);
		pg_ok(p->admin, sql);
		conninfo_for(p->admin, p->pg_db, info, sizeof(info));
		p->pg = PQconnectdb(info);
		if (PQstatus(p->pg) != CONNECTION_OK)
			fail_msg("%s: %s", info, PQerrorMessage(p->pg));
		pg_ok(p->pg, "SET client_min_messages = warning");
		pg_apply_schema_file(p->pg);
		if (hk_store_pg_open(info, HK_LANG_EN, &p->s[PG], &err) != HK_OK)
			fail_msg("could not open the PostgreSQL store: %s", err.msg);
		if (p->s[PG]->ops->migrate(p->s[PG], &err) != HK_OK)
			fail_msg("migrate: %s", err.msg);
	}
	*state = p;
	return 0;
}

int pair_teardown(void **state)
{
	struct pair *p = *state;
	char path[128];

	if (!p)
		return 0;
	for (int k = 0; k < NB; k++)
		if (p->s[k])
			hk_store_close(p->s[k]);
	sqlite3_close(p->sq);
	unlink(p->path);
	snprintf(path, sizeof(path), "%s-wal", p->path);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", p->path);
	unlink(path);
	rmdir(p->dir);
	if (p->pg)
		PQfinish(p->pg);
	if (p->admin) {
		char sql[128];

		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)",
			 p->pg_db);
		PQclear(PQexec(p->admin, sql));
		PQfinish(p->admin);
	}
	free(p);
	*state = NULL;
	return 0;
}

/* ---- plain SQL on the second connections ---------------------------- */

char qbuf[NB][QBUF];

/* The rows of `sql` on one side as "a|b|c\n" lines, NULL as "NULL". */
const char *q_side(struct pair *p, int k, const char *sql)
{
	char *b = qbuf[k];
	size_t n = 0;

	b[0] = 0;
	if (k == SQ) {
		sqlite3_stmt *st;
		int rc;

		if (sqlite3_prepare_v2(p->sq, sql, -1, &st, NULL) != SQLITE_OK)
			fail_msg("sqlite: %s: %s", sql, sqlite3_errmsg(p->sq));
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(st); c++) {
				const unsigned char *v = sqlite3_column_text(st, c);

				n += (size_t)snprintf(b + n, QBUF - n, "%s%s",
						      c ? "|" : "",
						      v ? (const char *)v : "NULL");
			}
			n += (size_t)snprintf(b + n, QBUF - n, "\n");
		}
		if (rc != SQLITE_DONE)
			fail_msg("sqlite: %s: %s", sql, sqlite3_errmsg(p->sq));
		sqlite3_finalize(st);
	} else {
		PGresult *r = PQexec(p->pg, sql);

		if (PQresultStatus(r) != PGRES_TUPLES_OK &&
		    PQresultStatus(r) != PGRES_COMMAND_OK)
			fail_msg("postgresql: %s: %s", sql, PQerrorMessage(p->pg));
		for (int i = 0; i < PQntuples(r); i++) {
			for (int c = 0; c < PQnfields(r); c++)
				n += (size_t)snprintf(
					b + n, QBUF - n, "%s%s", c ? "|" : "",
					PQgetisnull(r, i, c) ? "NULL"
							     : PQgetvalue(r, i, c));
			n += (size_t)snprintf(b + n, QBUF - n, "\n");
		}
		PQclear(r);
	}
	assert_true(n < QBUF - 1);
	return b;
}

/* The rows of `sql`: the same on every side, and `want`. */
void q_check(struct pair *p, const char *sql, const char *want)
{
	for (int k = 0; k < p->n; k++)
		if (strcmp(q_side(p, k, sql), want))
			fail_msg("%s: %s\n-- gave:\n%s-- want:\n%s", side_name[k],
				 sql, qbuf[k], want);
}

/* A statement on every side. */
void x(struct pair *p, const char *sql)
{
	for (int k = 0; k < p->n; k++)
		q_side(p, k, sql);
}

/* ---- collected results ---------------------------------------------- */

struct out out_buf;

void outf(struct out *o, int k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	o->n[k] += (size_t)vsnprintf(o->text[k] + o->n[k], OBUF - o->n[k], fmt,
				     ap);
	va_end(ap);
	assert_true(o->n[k] < OBUF - 1);
}

/* Every side gave `want`, and the collection starts again. */
void out_check(const struct pair *p, struct out *o, const char *want)
{
	for (int k = 0; k < p->n; k++)
		if (strcmp(o->text[k], want))
			fail_msg("%s gave:\n%s-- want:\n%s", side_name[k],
				 o->text[k], want);
	memset(o, 0, sizeof(*o));
}

void ok(enum hk_rc rc, const struct hk_err *err, int k)
{
	if (rc != HK_OK)
		fail_msg("%s: rc %d: %s", side_name[k], rc, err->msg);
}

/* A refusal with exactly this message. */
void refused(enum hk_rc rc, const struct hk_err *err, int k,
	     const char *msg)
{
	if (rc != HK_EREFUSED || err->code != HK_EREFUSED || strcmp(err->msg, msg))
		fail_msg("%s: rc %d (%s), want HK_EREFUSED (%s)", side_name[k], rc,
			 err->msg, msg);
}

/* A database failure whose message starts with `what: `. */
void db_failed(enum hk_rc rc, const struct hk_err *err, int k,
	       const char *what)
{
	size_t n = strlen(what);

	if (rc != HK_EDB || err->code != HK_EDB || strncmp(err->msg, what, n) ||
	    strncmp(err->msg + n, ": ", 2))
		fail_msg("%s: rc %d (%s), want HK_EDB (%s: ...)", side_name[k], rc,
			 err->msg, what);
}

