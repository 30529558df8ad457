/*
 * store_pg.h - what the PostgreSQL backend's files share (issue 6).  Not
 * a public header: only src/store/store_pg*.c include it.
 *
 * The backend is split by area, one file each (store_pg_<area>.c), every
 * file filling its operations into the one table through a
 * hk_pg_ops_<area>() function that store_pg.c calls once.  The SQL is the
 * SQLite backend's, translated (src/store/migrations/README_pg.md): `$N`
 * parameters, LEAST/GREATEST, `(a & b) <> 0` for bit tests, COLLATE "C"
 * where an order must be byte order (exports are byte-identical across
 * backends).
 */
#ifndef HK_STORE_PG_H
#define HK_STORE_PG_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "hk/store.h"

#define PG_PARAMS_MAX 32

/* Rows in COPY's text format, held for one COPY (store_pg_bulk.c). */
struct pg_copy {
	char *buf;
	size_t len, cap;
	size_t rows;
};

/* What a bulk window holds, one stream per target, in the order sent. */
enum pg_bulk_stream {
	PGB_DEBTORS,
	PGB_CONTACTS,
	PGB_ACCOUNTS,
	PGB_INSTALLMENTS,
	PGB_PAYMENTS,
	PGB_PROMISES,
	PGB_INST_SAVE,
	PGB_STATE,
	PGB_TRANS,
	PGB_TREAT,
	PGB_ALLOC,
	PGB_N
};

struct pg_store {
	struct hk_store base;
	PGconn *conn;
	/* the statements prepared on this connection, by their text's
	 * address (statement texts are static) */
	const char **prepared;
	int n_prepared, cap_prepared;
	bool in_tx;
	/* inside bulk_begin/bulk_end: writes go to bulk_rows */
	bool bulk;
	struct pg_copy bulk_rows[PGB_N];
	struct pg_copy ids; /* lookup_many's */
	char sqlstate[6]; /* of the last failure; "" when none */
};

static inline struct pg_store *PG(struct hk_store *s)
{
	return (struct pg_store *)s;
}

/* Parameters of one statement, as text (libpq's text format). */
struct pg_params {
	int n;
	const char *val[PG_PARAMS_MAX];
	char num[PG_PARAMS_MAX][24];
};

void pgp_int(struct pg_params *p, int64_t v);
/* NULL and "" both become SQL NULL (the SQLite backend's bind_text). */
void pgp_text(struct pg_params *p, const char *s);
/* As given; only NULL is SQL NULL. */
void pgp_str(struct pg_params *p, const char *s);
void pgp_null(struct pg_params *p);

/* Run `sql`, prepared once per connection (pass a string literal or a
 * static text: its address names the statement).  The result on success
 * (PGRES_TUPLES_OK or PGRES_COMMAND_OK; the caller PQclear()s it); NULL on
 * failure with `err` set to "what: the server's message" and
 * ps->sqlstate holding the SQLSTATE (23505: a unique key). */
PGresult *pg_run(struct pg_store *ps, const char *sql,
		 const struct pg_params *p, const char *what,
		 struct hk_err *err);
/* The same for a text built at run time: not prepared. */
PGresult *pg_run_dyn(struct pg_store *ps, const char *sql,
		     const struct pg_params *p, const char *what,
		     struct hk_err *err);
/* A statement whose rows (if any) are not wanted. */
enum hk_rc pg_exec(struct pg_store *ps, const char *sql,
		   const struct pg_params *p, const char *what,
		   struct hk_err *err);
/* A statement whose rows are not wanted: *changes gets the rows it
 * changed (changes may be NULL). */
enum hk_rc pg_exec_changes(struct pg_store *ps, const char *sql,
			   const struct pg_params *p, const char *what,
			   int64_t *changes, struct hk_err *err);
/* Plain SQL without parameters (several statements allowed). */
enum hk_rc pg_exec_script(struct pg_store *ps, const char *sql,
			  struct hk_err *err);
/* Row by row, for scans too large to hold at once (libpq's single-row
 * mode): fn once per row with a one-row result; a non-zero return stops
 * the scan (the rest is drained) and is passed back in *stopped. */
enum hk_rc pg_scan(struct pg_store *ps, const char *sql,
		   const struct pg_params *p, const char *what,
		   int (*fn)(void *ctx, const PGresult *row), void *ctx,
		   struct hk_err *err);

/* A failed result (r may be NULL: the connection's message) as `err`
 * ("what: the server's message"), ps->sqlstate set; clears r; HK_EDB. */
enum hk_rc pg_result_error(struct pg_store *ps, PGresult *r, const char *what,
			   struct hk_err *err);

/* ---- bulk writing (store_pg_bulk.c) ---- */
/* A row of a stream: append its fields in the stream's column order,
 * then pgc_end.  pgc_text: NULL and "" are NULL (pgp_text); pgc_str:
 * only NULL is. */
struct pg_copy *pg_bulk_row(struct pg_store *ps, enum pg_bulk_stream k);
void pgc_int(struct pg_copy *c, int64_t v);
void pgc_text(struct pg_copy *c, const char *s);
void pgc_str(struct pg_copy *c, const char *s);
void pgc_end(struct pg_copy *c);
/* A whole row: the parameters a row-by-row statement would take, in
 * order (their NULLs stay NULL), then pgc_end. */
void pgc_params(struct pg_copy *c, const struct pg_params *p);
/* Send `c` with `copy_sql` (COPY ... FROM STDIN); empties it (the
 * buffer stays the caller's to free). */
enum hk_rc pg_copy_in(struct pg_store *ps, const char *copy_sql,
		      struct pg_copy *c, const char *what, struct hk_err *err);
/* Send what is held (bulk_end); the window closes. */
enum hk_rc pg_bulk_flush(struct pg_store *ps, struct hk_err *err);
/* Forget what is held (a rollback); free the buffers (close). */
void pg_bulk_drop(struct pg_store *ps);
void pg_bulk_free(struct pg_store *ps);

/* Columns: NULL reads as 0 or NULL. */
int64_t pg_i64(const PGresult *r, int row, int col);
int32_t pg_i32(const PGresult *r, int row, int col);
const char *pg_str(const PGresult *r, int row, int col);
bool pg_isnull(const PGresult *r, int row, int col);
/* Rows changed by an INSERT/UPDATE/DELETE. */
int64_t pg_changes(const PGresult *r);
/* Whether the last failure was a unique-key violation. */
bool pg_unique_violation(const struct pg_store *ps);

/* The areas' operations. */
void hk_pg_ops_core(struct hk_store_ops *ops);     /* store_pg.c */
void hk_pg_ops_ledger(struct hk_store_ops *ops);   /* import, day-end, export */
void hk_pg_ops_people(struct hk_store_ops *ops);   /* users, sessions, audit, teams, agencies */
void hk_pg_ops_workflow(struct hk_store_ops *ops); /* the case desk: cases, records, promises, contacts */
void hk_pg_ops_approvals(struct hk_store_ops *ops); /* stops, limitation, disputes, plans, waivers */
void hk_pg_ops_strategy(struct hk_store_ops *ops); /* strategies, treatments, allocation, dashboard, scripts */
void hk_pg_ops_bulk(struct hk_store_ops *ops);     /* lookup_many, bulk writing */
void hk_pg_ops_letters(struct hk_store_ops *ops);  /* templates, letters, batches, the outbox */
void hk_pg_ops_reports(struct hk_store_ops *ops);  /* the reports' history */

#endif
