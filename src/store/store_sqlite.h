/*
 * store_sqlite.h - what the SQLite backend's files share.  Not a public
 * header: only src/store/store_sqlite*.c include it.  store_sqlite.c holds
 * the connection and the older areas; an area added later lives in a file
 * of its own (store_sqlite_<area>.c) and reaches the connection through
 * these helpers.
 */
#ifndef HK_STORE_SQLITE_H
#define HK_STORE_SQLITE_H

#include <sqlite3.h>

#include "hk/store.h"

/* The connection of a store opened by hk_store_sqlite_open. */
sqlite3 *sq_db(struct hk_store *s);

/* `sql` prepared once per connection (pass a string literal or a static
 * text: its address names it), reset and unbound; NULL with err set if it
 * does not prepare. */
sqlite3_stmt *sq_stmt(struct hk_store *s, const char *sql, struct hk_err *err);
/* Reset and unbind after use. */
void sq_stmt_done(sqlite3_stmt *st);
/* err from the connection's last error: "what: SQLite's message". */
enum hk_rc sq_fail(struct hk_store *s, struct hk_err *err, const char *what);
/* Step a statement that returns no rows, then sq_stmt_done. */
enum hk_rc sq_exec(struct hk_store *s, sqlite3_stmt *st, struct hk_err *err,
		   const char *what);
/* Bind text: NULL and "" both SQL NULL (sq_bind_text); as given, only
 * NULL is NULL (sq_bind_str). */
void sq_bind_text(sqlite3_stmt *st, int i, const char *text);
void sq_bind_str(sqlite3_stmt *st, int i, const char *text);
/* A text column into dst (NULL as ""). */
void sq_col_copy(sqlite3_stmt *st, int col, char *dst, size_t cap);
/* A text column, malloc'ed (NULL as ""). */
char *sq_col_dup(sqlite3_stmt *st, int col);

/* ---- store_sqlite_letters.c: templates, letters, batches, the outbox */
enum hk_rc sq_template_insert(struct hk_store *s, struct hk_template_rec *t,
			      struct hk_err *err);
enum hk_rc sq_template_update(struct hk_store *s,
			      const struct hk_template_rec *t,
			      struct hk_err *err);
enum hk_rc sq_template_publish(struct hk_store *s, int64_t ref, int64_t by,
			       int64_t at, struct hk_err *err);
enum hk_rc sq_template_get(struct hk_store *s, int64_t ref, const char *code,
			   const char *channel, struct hk_template_rec *t,
			   bool *found, struct hk_err *err);
enum hk_rc sq_templates_scan(struct hk_store *s,
			     int (*fn)(void *ctx,
				       const struct hk_template_rec *t),
			     void *ctx, struct hk_err *err);
enum hk_rc sq_letter_serial_next(struct hk_store *s, int year,
				 char serial[32], struct hk_err *err);
enum hk_rc sq_letter_insert(struct hk_store *s, struct hk_letter_rec *l,
			    struct hk_err *err);
enum hk_rc sq_letters_scan(struct hk_store *s, int64_t case_ref, int64_t ref,
			   int (*fn)(void *ctx, const struct hk_letter_rec *l),
			   void *ctx, struct hk_err *err);
enum hk_rc sq_batch_insert(struct hk_store *s, struct hk_batch_rec *b,
			   const struct hk_batch_case *cases, size_t n,
			   struct hk_err *err);
enum hk_rc sq_batch_update(struct hk_store *s, const struct hk_batch_rec *b,
			   struct hk_err *err);
enum hk_rc sq_batches_scan(struct hk_store *s, int64_t ref,
			   int (*fn)(void *ctx, const struct hk_batch_rec *b),
			   void *ctx, struct hk_err *err);
enum hk_rc sq_batch_cases_scan(struct hk_store *s, int64_t batch_ref,
			       int (*fn)(void *ctx,
					 const struct hk_batch_case *c),
			       void *ctx, struct hk_err *err);
enum hk_rc sq_batch_case_done(struct hk_store *s, int64_t batch_ref,
			      int64_t seq, int64_t letter_ref,
			      const char *skipped, struct hk_err *err);
enum hk_rc sq_outbox_insert(struct hk_store *s, struct hk_outbox_rec *m,
			    struct hk_err *err);
enum hk_rc sq_outbox_claim(struct hk_store *s, int64_t now, int lease_s,
			   int max,
			   int (*fn)(void *ctx, const struct hk_outbox_rec *m),
			   void *ctx, struct hk_err *err);
enum hk_rc sq_outbox_update(struct hk_store *s,
			    const struct hk_outbox_rec *m, struct hk_err *err);
enum hk_rc sq_outbox_receipt(struct hk_store *s, const char *id,
			     const char *status, int64_t at, bool *found,
			     bool *dup, struct hk_err *err);
enum hk_rc sq_outbox_scan(struct hk_store *s, int64_t case_ref,
			  int64_t team_ref, const char *status, int64_t before,
			  int limit,
			  int (*fn)(void *ctx, const struct hk_outbox_rec *m),
			  void *ctx, struct hk_err *err);
enum hk_rc sq_outbox_count(struct hk_store *s, int64_t debtor_ref,
			   const char *channel, int64_t since, int64_t *n,
			   struct hk_err *err);

/* ---- store_sqlite_reports.c: the reports' history (migration 28) */
enum hk_rc sq_report_dims_refresh(struct hk_store *s, int64_t *n,
				  struct hk_err *err);
enum hk_rc sq_report_dims_scan(struct hk_store *s,
			       int (*fn)(void *ctx, const struct hk_rdims *d),
			       void *ctx, struct hk_err *err);
enum hk_rc sq_report_aging_save(struct hk_store *s, int32_t as_of,
				bool month_end,
				const struct hk_raging_row *rows, size_t n,
				struct hk_err *err);
enum hk_rc sq_report_aging_scan(struct hk_store *s, int32_t as_of,
				int (*fn)(void *ctx,
					  const struct hk_raging_row *r),
				void *ctx, struct hk_err *err);
enum hk_rc sq_report_days(struct hk_store *s, int32_t from, int32_t to,
			  int (*fn)(void *ctx, int32_t day, bool month_end),
			  void *ctx, struct hk_err *err);
enum hk_rc sq_report_payments_take(struct hk_store *s, int32_t as_of,
				   int (*fn)(void *ctx,
					     const struct hk_rpayment *p),
				   void *ctx, struct hk_err *err);
enum hk_rc sq_report_recovery_add(struct hk_store *s,
				  const struct hk_rrecovery_row *rows,
				  size_t n, struct hk_err *err);
enum hk_rc sq_report_stints_add(struct hk_store *s, const int64_t *case_refs,
				const int64_t *payments,
				const int64_t *amounts, size_t n,
				struct hk_err *err);
enum hk_rc sq_report_recovery_scan(struct hk_store *s, int32_t from,
				   int32_t to,
				   int (*fn)(void *ctx,
					     const struct hk_rrecovery_row *r),
				   void *ctx, struct hk_err *err);
enum hk_rc sq_report_month_scan(struct hk_store *s, int32_t *month_end,
				int (*fn)(void *ctx,
					  const struct hk_rmonth_row *r),
				void *ctx, struct hk_err *err);
enum hk_rc sq_report_month_save(struct hk_store *s, int32_t month_end,
				const struct hk_rmonth_row *rows, size_t n,
				const struct hk_rroll_row *roll, size_t n_roll,
				struct hk_err *err);
enum hk_rc sq_report_roll_scan(struct hk_store *s, int32_t month_end,
			       int (*fn)(void *ctx,
					 const struct hk_rroll_row *r),
			       void *ctx, struct hk_err *err);
enum hk_rc sq_report_records_take(struct hk_store *s,
				  int (*fn)(void *ctx, int64_t at,
					    int64_t user_ref,
					    const char *channel,
					    const char *outcome),
				  void *ctx, struct hk_err *err);
enum hk_rc sq_report_refusals_take(struct hk_store *s,
				   int (*fn)(void *ctx, int64_t at,
					     int64_t user_ref,
					     const char *detail),
				   void *ctx, struct hk_err *err);
enum hk_rc sq_report_activity_add(struct hk_store *s,
				  const struct hk_ractivity_row *rows,
				  size_t n, struct hk_err *err);
enum hk_rc sq_report_refusals_add(struct hk_store *s,
				  const struct hk_rrefusal_row *rows,
				  size_t n, struct hk_err *err);
enum hk_rc sq_report_activity_sum(struct hk_store *s, int32_t from,
				  int32_t to,
				  int (*fn)(void *ctx,
					    const struct hk_ractivity_row *r),
				  void *ctx, struct hk_err *err);
enum hk_rc sq_report_refusals_sum(struct hk_store *s, int32_t from,
				  int32_t to,
				  int (*fn)(void *ctx,
					    const struct hk_rrefusal_row *r),
				  void *ctx, struct hk_err *err);
enum hk_rc sq_report_stints_scan(struct hk_store *s, int64_t strategy_ref,
				 int rule_no, int32_t from, int32_t to,
				 int (*fn)(void *ctx,
					   const struct hk_rstint_row *r),
				 void *ctx, struct hk_err *err);

#endif
