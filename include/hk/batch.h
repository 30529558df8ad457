/*
 * batch.h - day-end (日终): bring every account to its state as of a date,
 * record bucket transitions and the day's totals, evaluate promises.
 * See src/batch/README.md for the design.
 */
#ifndef HK_BATCH_H
#define HK_BATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hk/io.h"
#include "hk/store.h"

struct hk_eod_opts {
	int32_t as_of;
	bool progress;  /* progress on stderr (a terminal) */
	size_t chunk;   /* accounts per chunk (0: default) */
	/* Optional second connection to the same database: the accounts of
	 * the next chunk are read on a second thread while this one computes
	 * and writes.  It reads the last committed state, which is what
	 * day-end starts from.  NULL: one thread. */
	struct hk_store *reader;
	/* Tests only: kill the process with SIGKILL after this many chunks
	 * (0: never), to prove a crash leaves the last committed day whole. */
	int64_t fault_kill_after_chunk;
};

struct hk_eod_stats {
	int64_t accounts;        /* accounts looked at */
	int64_t replayed;        /* recomputed from their opening */
	int64_t advanced;        /* moved forward over new facts */
	int64_t crossed;         /* summary window ended: recomputed */
	int64_t transitions;     /* bucket changes recorded */
	int64_t promises_kept, promises_broken;
	int placements_recalled; /* placements past their end, recalled */
	struct hk_bucket_totals totals[HK_BUCKETS_MAX];
};

/*
 * Run day-end for opts->as_of in one transaction.  HK_EREFUSED (with the
 * last processed date in the message) when as_of is earlier than it.
 * A rerun for the same date applies facts that arrived since.
 */
enum hk_rc hk_eod_run(struct hk_store *s, const struct hk_config *cfg,
		      const struct hk_eod_opts *opts,
		      struct hk_eod_stats *stats /* OUT */, struct hk_err *err);

/*
 * Compute one account's figures as of `as_of` from all facts dated <= as_of,
 * whatever is stored (used by export for accounts with unbooked facts).
 */
enum hk_rc hk_eod_account_view(struct hk_store *s, const struct hk_config *cfg,
			       const struct hk_acct_row *row, int32_t as_of,
			       struct hk_view *view /* OUT */,
			       struct hk_err *err);

/* What hk_eod_waivable needs. */
struct hk_waivable_ctx {
	struct hk_store *store;
	const struct hk_config *cfg;
};

/* hk_waivable_fn for the importer; ctx is a struct hk_waivable_ctx *. */
enum hk_rc hk_eod_waivable(void *ctx, int64_t account_ref, int32_t approved_on,
			   int component, int64_t *max_fen, struct hk_err *err);

/* ---- export (export.c: here because it replays accounts) ----  */

/*
 * Write the account CSV of ledger.md §4 as of the last processed date to
 * `out`.  Accounts with facts day-end has not yet booked are computed from
 * those facts on the fly, so the file always shows the state as of that date
 * from every fact known.  HK_EREFUSED when no day-end has run.
 */
enum hk_rc hk_export_accounts(struct hk_store *s, const struct hk_config *cfg,
			      FILE *out, struct hk_err *err);

#endif
