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
#include "hk/strategy.h"

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
	/* Benchmarks only: leave the strategy step (and the reports'
	 * snapshot) out, to measure what they add and to time the ledger's
	 * step alone against plain SQL. */
	bool skip_strategy;
};

/* What day-end recorded for the reports (report_snap.c). */
struct hk_report_snap_stats {
	int64_t dims_set;   /* accounts given a new combination */
	int64_t aging_rows; /* (combination, bucket) cells of the day */
	bool month_end;     /* the day stands for its month's end */
	int64_t payments;   /* payments counted */
	int64_t records;    /* contact-record cells counted */
	int64_t refusals;   /* refusal cells counted */
};

struct hk_eod_stats {
	int64_t accounts;        /* accounts looked at */
	int64_t replayed;        /* recomputed from their opening */
	int64_t advanced;        /* moved forward over new facts */
	int64_t crossed;         /* summary window ended: recomputed */
	int64_t transitions;     /* bucket changes recorded */
	int64_t promises_kept, promises_broken;
	int placements_recalled; /* placements past their end, recalled */
	/* the strategy step (treat.c) */
	int64_t strategy_ref;    /* the version in force; 0: none */
	bool strategy_full;      /* every case looked at (a new version) */
	int64_t treated;         /* cases looked at */
	int64_t treat_changed;   /* of which their treatment changed */
	int64_t treat_ended;     /* cases that ended: no treatment */
	int64_t allocated;       /* cases moved to another collector */
	/* why the strategy did not run ("": it did, or none is published):
	 * the version in force no longer fits the configured buckets.  The
	 * ledger's day-end is done all the same; treatments stay as they
	 * were until a fitting version is published. */
	char strategy_problem[sizeof(((struct hk_err *)0)->msg)];
	struct hk_bucket_totals totals[HK_BUCKETS_MAX];
	struct hk_report_snap_stats report; /* what the reports recorded */
};

/*
 * Run day-end for opts->as_of in one transaction.  HK_EREFUSED (with the
 * last processed date in the message) when as_of is earlier than it.
 * A rerun for the same date applies facts that arrived since.
 */
enum hk_rc hk_eod_run(struct hk_store *s, const struct hk_config *cfg,
		      const struct hk_eod_opts *opts,
		      struct hk_eod_stats *stats /* OUT */, struct hk_err *err);

/* The date of an interrupted day-end across workers (HK_DATE_NONE: none).
 * Only hk_eod_run_workers can finish it; every other date is refused
 * until then. */
enum hk_rc hk_eod_pending(struct hk_store *s, int32_t *date /* OUT */,
			  struct hk_err *err);

/* Day-end across worker processes: the database they each connect to. */
#define HK_EOD_WORKERS_MAX 64
struct hk_eod_workers {
	const char *uri;
	enum hk_lang lang;
	int workers;
};

/*
 * Day-end for opts->as_of split across wk->workers child processes by
 * account range (see eod.c), with the same result as hk_eod_run.  Each
 * worker commits chunk by chunk; the parent closes the day in one
 * transaction.  After a failure the chunks done are kept and a rerun of
 * the same date finishes.  opts->reader is not used.
 */
enum hk_rc hk_eod_run_workers(const struct hk_eod_workers *wk,
			      const struct hk_config *cfg,
			      const struct hk_eod_opts *opts,
			      struct hk_eod_stats *stats /* OUT */,
			      struct hk_err *err);

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

/* ---- the strategy and allocation (treat.c; docs/strategy.md) ---- */

/* The strategy version in force (the newest published) read with the
 * configured buckets; *ref = 0 when none is published. */
enum hk_rc hk_strategy_in_force(struct hk_store *s,
				const struct hk_bucket_table *buckets,
				int64_t *ref /* OUT */,
				struct hk_strategy *st /* OUT */,
				struct hk_err *err);

/* A stored case's facts as the strategy sees them on as_of (the plan
 * state and plan_change_in are left for the caller: -1). */
void hk_case_facts_of(const struct hk_case_fact_row *r, int32_t as_of,
		      const struct hk_bucket_table *b,
		      struct hk_case_facts *f /* OUT */);

/* The state of a case's latest approved repayment plan as of as_of
 * (src/http/plans.c, shared with the plans API): -1 none, 0 on track (or
 * completed), 1 broken; next_due (may be NULL): for a plan on track, the
 * next installment's due date not yet met (HK_DATE_NONE: none). */
enum hk_rc hk_plan_state(struct hk_store *s, int64_t case_ref, int32_t as_of,
			 int *state, int32_t *next_due, struct hk_err *err);

/*
 * Day-end's strategy and allocation step for as_of, inside the caller's
 * transaction: each case whose facts changed, whose recheck date came, or
 * every case when the version in force or the bucket table changed, gets
 * its treatment, and allocation moves the cases its rules say.  A version
 * that does not fit the buckets is not an error of the day-end: see
 * stats->strategy_problem.
 */
enum hk_rc hk_treat_run(struct hk_store *s, const struct hk_config *cfg,
			int32_t as_of, bool rerun, struct hk_eod_stats *stats,
			struct hk_err *err);

/* ---- export (export.c: here because it replays accounts) ----  */

/*
 * Write the account CSV of ledger.md §4 as of the last processed date to
 * `out`.  Accounts with facts day-end has not yet booked are computed from
 * those facts on the fly, so the file always shows the state as of that date
 * from every fact known.  HK_EREFUSED when no day-end has run.
 */
enum hk_rc hk_export_accounts(struct hk_store *s, const struct hk_config *cfg,
			      FILE *out, struct hk_err *err);

/* ---- what day-end records for the reports (report_snap.c) ---- */


/* Record as_of's snapshot for the reports (docs/reports.md): in day-end's
 * transaction, after the ledger's pass and before the strategy.  last:
 * the last processed date before this run (as_of: a rerun). */
enum hk_rc hk_report_snapshot(struct hk_store *s, const struct hk_config *cfg,
			      int32_t as_of, int32_t last,
			      struct hk_report_snap_stats *st /* OUT */,
			      struct hk_err *err);

#endif
