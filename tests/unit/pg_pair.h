/*
 * pg_pair.h - what the cross-backend tests (test_pg_<area>.c) share: a pair
 * of fresh stores, SQLite and (when $HUIKUAN_TEST_PG names a server)
 * PostgreSQL, each with a second plain connection for fixture rows and
 * read-backs, and the checks that both sides gave the same, hand-computed
 * result.  Each test defines pg_pair_name (its temporary files and
 * databases are named after it).  $HK_TEST_PG_SCHEMA names a schema file
 * applied before migrating.
 */
#ifndef HK_TEST_PG_PAIR_H
#define HK_TEST_PG_PAIR_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "hk/store.h"

enum { SQ, PG, NB };
extern const char *const side_name[NB];
/* the test's name, as in "approvals": defined by each test */
extern const char *const pg_pair_name;

struct pair {
	int n; /* backends in use: 1 (SQLite only) or 2 */
	struct hk_store *s[NB];
	char dir[64], path[96];
	sqlite3 *sq;        /* SQLite, a second connection */
	PGconn *admin, *pg; /* the server's database; the test's */
	char pg_db[64];
};

const char *pg_uri(void);
void pg_ok(PGconn *c, const char *sql);
/* cmocka setup and teardown: *state is the struct pair */
int pair_setup(void **state);
int pair_teardown(void **state);

/* Every store of the pair in turn: `s` and `k` (SQ or PG) in the body. */
#define EACH(p)                                                                \
	for (int k = 0, k_once = 1; k < (p)->n; k++, k_once = 1)               \
		for (struct hk_store *s = (p)->s[k]; k_once; k_once = 0)

/* ---- plain SQL on the second connections ---------------------------- */

#define QBUF 16384
extern char qbuf[NB][QBUF];
/* The rows of `sql` on one side as "a|b|c\n" lines, NULL as "NULL". */
const char *q_side(struct pair *p, int k, const char *sql);
/* The rows of `sql`: the same on every side, and `want`. */
void q_check(struct pair *p, const char *sql, const char *want);
/* A statement on every side. */
void x(struct pair *p, const char *sql);

/* ---- collected results ---------------------------------------------- */

#define OBUF (1 << 17) /* the largest test's output: 1,000 inbox lines */
struct out {
	char text[NB][OBUF];
	size_t n[NB];
};
extern struct out out_buf;
void outf(struct out *o, int k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Every side gave `want`, and the collection starts again. */
void out_check(const struct pair *p, struct out *o, const char *want);

void ok(enum hk_rc rc, const struct hk_err *err, int k);
/* A refusal with exactly this message. */
void refused(enum hk_rc rc, const struct hk_err *err, int k, const char *msg);
/* A database failure whose message starts with `what: `. */
void db_failed(enum hk_rc rc, const struct hk_err *err, int k,
	       const char *what);

#endif
