/*
 * eod.c - day-end (日终).  Brings every account to its state as of a date
 * in one transaction:
 *
 *   read the day's new facts once → evaluate the promises that can change
 *   → walk the accounts chunk by chunk (a reader thread fetching chunk k+1
 *   while this one handles chunk k): per account, project the stored
 *   summary (most accounts: nothing read, nothing written), rebuild it (its
 *   window ended), move it forward over new facts, or replay it from its
 *   opening (a fact dated at or before its anchor, a new schedule, no state
 *   yet), writing back only what changed → mark the facts booked → the
 *   day's totals → commit.
 *
 * See README.md here.  Must never leave a half-processed day: everything is
 * one transaction, and a failure anywhere rolls all of it back. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hk/batch.h"

/* Accounts per chunk: big enough to amortise the range queries, small
 * enough that two chunk buffers stay a few MiB. */
#define DEFAULT_CHUNK 16384

/* Reusable buffers for one account's installments and events. */
struct work {
	struct hk_inst *inst;
	struct hk_inst *loaded; /* inst as read, to write back only changes */
	size_t n_inst, cap_inst;
	struct hk_event *ev;
	size_t n_ev, cap_ev;
};

static int collect_inst(void *ctx, const struct hk_inst *in)
{
	struct work *w = ctx;

	if (w->n_inst == w->cap_inst) {
		w->cap_inst = w->cap_inst ? 2 * w->cap_inst : 64;
		w->inst = hk_realloc(w->inst, w->cap_inst * sizeof(*w->inst));
		w->loaded = hk_realloc(w->loaded,
				       w->cap_inst * sizeof(*w->loaded));
	}
	w->loaded[w->n_inst] = *in;
	w->inst[w->n_inst++] = *in;
	return 0;
}

static void push_event(struct work *w, const struct hk_event *ev)
{
	if (w->n_ev == w->cap_ev) {
		w->cap_ev = w->cap_ev ? 2 * w->cap_ev : 64;
		w->ev = hk_realloc(w->ev, w->cap_ev * sizeof(*w->ev));
	}
	w->ev[w->n_ev++] = *ev;
}

static int collect_event(void *ctx, const struct hk_event *ev)
{
	push_event(ctx, ev);
	return 0;
}

static void work_release(struct work *w)
{
	free(w->inst);
	free(w->loaded);
	free(w->ev);
	memset(w, 0, sizeof(*w));
}

static void acct_from_row(struct hk_acct *acct, const struct hk_acct_row *row,
			  struct work *w)
{
	memset(acct, 0, sizeof(*acct));
	acct->open_date = row->open_date;
	acct->annual_ppm = row->annual_ppm;
	acct->penalty_ppm = row->penalty_ppm;
	acct->inst = w->inst;
	acct->n_inst = w->n_inst;
}

static const struct hk_policy *policy_of(const struct hk_config *cfg,
					 const struct hk_acct_row *row)
{
	int p = row->product;

	if (p < 0 || p >= HK_PRODUCT_COUNT)
		p = HK_PRODUCT_OTHER;
	return &cfg->policy[p];
}

/* Last event date, or the anchor when there are none. */
static int32_t events_end(const struct work *w, int32_t anchor)
{
	return w->n_ev && w->ev[w->n_ev - 1].date > anchor
		       ? w->ev[w->n_ev - 1].date
		       : anchor;
}

/* Installments read ahead by the reader thread, if it did. */
struct prefetched {
	const struct hk_inst *inst;
	size_t n;
	bool have;
};

/* Put an account's stored installments into w: the prefetched ones, or
 * read now. */
static enum hk_rc load_installments(struct hk_store *s, int64_t ref,
				    const struct prefetched *pre,
				    struct work *w, struct hk_err *err)
{
	w->n_inst = 0;
	if (!pre || !pre->have)
		return s->ops->installments_load(s, ref, collect_inst, w, err);
	for (size_t i = 0; i < pre->n; i++)
		collect_inst(w, &pre->inst[i]);
	return HK_OK;
}

/*
 * Rebuild an account from its opening with every payment and waiver dated
 * <= as_of.  Leaves the installments in w and the state in *acct.
 */
static enum hk_rc replay(struct hk_store *s, const struct hk_config *cfg,
			 const struct hk_acct_row *row, int32_t as_of,
			 const struct prefetched *pre, struct work *w,
			 struct hk_acct *acct, struct hk_err *err)
{
	enum hk_rc rc;

	w->n_ev = 0;
	rc = load_installments(s, row->ref, pre, w, err);
	if (rc != HK_OK)
		return rc;
	rc = s->ops->events_load(s, row->ref, INT32_MIN, as_of, collect_event,
				 w, err);
	if (rc != HK_OK)
		return rc;
	acct_from_row(acct, row, w);
	hk_ledger_reset(acct);
	if (hk_ledger_advance(policy_of(cfg, row), acct, w->ev, w->n_ev,
			      events_end(w, acct->anchor), NULL) != HK_OK)
		return hk_err_set(err, HK_EINTERNAL,
				  "account %lld: its payments or waivers are dated before it opened",
				  (long long)row->ref);
	return HK_OK;
}

enum hk_rc hk_eod_account_view(struct hk_store *s, const struct hk_config *cfg,
			       const struct hk_acct_row *row, int32_t as_of,
			       struct hk_view *view, struct hk_err *err)
{
	struct work w = {0};
	struct hk_acct acct;
	struct hk_summary sm;
	enum hk_rc rc = replay(s, cfg, row, as_of, NULL, &w, &acct, err);

	if (rc == HK_OK) {
		hk_ledger_summarize(policy_of(cfg, row), &acct, as_of, &sm);
		hk_summary_view(&sm, &cfg->buckets, as_of, view);
	}
	work_release(&w);
	return rc;
}


enum hk_rc hk_eod_waivable(void *ctx, int64_t account_ref, int32_t approved_on,
			   int component, int64_t *max_fen, struct hk_err *err)
{
	struct hk_waivable_ctx *wc = ctx;
	struct hk_store *s = wc->store;
	struct hk_acct_row row;
	struct work w = {0};
	struct hk_acct acct;
	enum hk_rc rc;

	bool found;

	*max_fen = 0;
	rc = s->ops->account_get(s, account_ref, &row, &found, err);
	if (rc != HK_OK)
		return rc;
	if (!found)
		return hk_err_set(err, HK_ENOTFOUND, "account %lld not found",
				  (long long)account_ref);
	if (approved_on < row.open_date)
		return HK_OK; /* nothing is owed before the account opens */
	/* What is unpaid at the end of the day before, i.e. before the
	 * approval day's payments... */
	rc = replay(s, wc->cfg, &row, approved_on - 1, NULL, &w, &acct,
		    err);
	if (rc == HK_OK) {
		hk_ledger_advance(policy_of(wc->cfg, &row), &acct, NULL, 0,
				  approved_on - 1 > acct.anchor ? approved_on - 1
								: acct.anchor,
				  NULL);
		*max_fen = hk_ledger_waivable(&acct, component);
		/* ...less what waivers already approved that day forgive. */
		w.n_ev = 0;
		rc = s->ops->events_load(s, account_ref, approved_on - 1,
					 approved_on, collect_event, &w, err);
		for (size_t i = 0; rc == HK_OK && i < w.n_ev; i++)
			if (w.ev[i].kind == HK_EV_WAIVER &&
			    w.ev[i].component == component)
				*max_fen -= w.ev[i].amount;
		if (*max_fen < 0)
			*max_fen = 0;
	}
	work_release(&w);
	return rc;
}

/* ====================================================================
 * The day-end run
 * ==================================================================== */

struct chunk {
	struct hk_acct_row *rows;
	size_t n_rows, cap_rows;
	/* Installments read ahead for the rows that will need them:
	 * pre_n[i] of them from inst[pre_off[i]]; pre_n[i] == NO_PREFETCH
	 * for a row that got none. */
	uint32_t *pre_off, *pre_n;
	struct hk_inst *inst;
	size_t n_inst, cap_inst;
};

#define NO_PREFETCH UINT32_MAX

/* Every new fact of the run, sorted by account: loaded once up front. */
struct facts {
	struct hk_fact_row *fact;
	size_t n, cap, next;
};

static int chunk_add_row(void *ctx, const struct hk_acct_row *row)
{
	struct chunk *c = ctx;

	if (c->n_rows == c->cap_rows) {
		c->cap_rows = c->cap_rows ? 2 * c->cap_rows : 1024;
		c->rows = hk_realloc(c->rows, c->cap_rows * sizeof(*c->rows));
	}
	c->rows[c->n_rows] = *row;
	c->rows[c->n_rows].account_id = NULL; /* only valid in the callback */
	c->n_rows++;
	return 0;
}

static int chunk_add_inst(void *ctx, const struct hk_inst *in)
{
	struct chunk *c = ctx;

	if (c->n_inst == c->cap_inst) {
		c->cap_inst = c->cap_inst ? 2 * c->cap_inst : 4096;
		c->inst = hk_realloc(c->inst, c->cap_inst * sizeof(*c->inst));
	}
	c->inst[c->n_inst++] = *in;
	return 0;
}

static void chunk_release(struct chunk *c)
{
	free(c->rows);
	free(c->pre_off);
	free(c->pre_n);
	free(c->inst);
	memset(c, 0, sizeof(*c));
}

static int facts_add(void *ctx, const struct hk_fact_row *fact)
{
	struct facts *f = ctx;

	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 1024;
		f->fact = hk_realloc(f->fact, f->cap * sizeof(*f->fact));
	}
	f->fact[f->n++] = *fact;
	return 0;
}

static int fact_cmp(const void *pa, const void *pb)
{
	const struct hk_fact_row *a = pa, *b = pb;

	if (a->account_ref != b->account_ref)
		return a->account_ref < b->account_ref ? -1 : 1;
	return (a->date > b->date) - (a->date < b->date);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Phases timed with HUIKUAN_EOD_TIMING=1, for profiling on real data. */
enum { PH_FACTS, PH_SCAN, PH_PROCESS, PH_BOOK, PH_TOTALS, PH_PROMISES,
       PH_STRATEGY, PH_REPORTS, PH_COMMIT, PH_ADVANCE, PH_CROSS, PH_WRITE,
       PH_TRANSITION, PH_COUNT };
static const char *const phase_name[PH_COUNT] = {
	"facts", "scan", "process", "book", "totals", "promises", "strategy",
	"reports", "commit", "(advance)", "(cross)", "(write)", "(transitions)"};
#define TSTART(R, i) double t0_##i = (R)->timing ? now_s() : 0
#define TSTOP(R, i)                                                            \
	do {                                                                   \
		if ((R)->timing)                                               \
			(R)->phase[i] += now_s() - t0_##i;                     \
	} while (0)

struct run {
	struct hk_store *s;
	const struct hk_config *cfg;
	int32_t as_of;
	int32_t last; /* last processed date before this run, or NONE */
	bool timing;
	double phase[PH_COUNT];
	struct hk_eod_stats *stats;
	struct work w;
	struct facts facts;
	/* the cases whose accounts' states this run wrote, for the strategy */
	int64_t *changed;
	size_t n_changed, cap_changed;
};

static void note_changed(struct run *r, int64_t case_ref)
{
	if (r->n_changed && r->changed[r->n_changed - 1] == case_ref)
		return;
	if (r->n_changed == r->cap_changed) {
		r->cap_changed = r->cap_changed ? 2 * r->cap_changed : 4096;
		r->changed = hk_realloc(r->changed,
					r->cap_changed * sizeof(*r->changed));
	}
	r->changed[r->n_changed++] = case_ref;
}

static int ref_cmp(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;

	return (a > b) - (a < b);
}

static void add_totals(struct hk_bucket_totals *t, const struct hk_view *v)
{
	t->accounts++;
	t->overdue_principal += v->overdue_principal;
	t->overdue_interest += v->overdue_interest;
	t->overdue_fee += v->overdue_fee;
	t->penalty_due += v->penalty_due;
	t->total_overdue += v->total_overdue;
	t->principal_outstanding += v->principal_outstanding;
}

/* Write back the installments whose state differs from what was read:
 * a replay leaves most of a long schedule as it was. */
static enum hk_rc save_changed_installments(struct run *r, int64_t ref,
					    struct hk_err *err)
{
	struct work *w = &r->w;

	for (size_t i = 0; i < w->n_inst;) {
		size_t j = i;
		enum hk_rc rc;

		while (j < w->n_inst &&
		       memcmp(&w->inst[j], &w->loaded[j], sizeof(w->inst[j])))
			j++;
		if (j > i) {
			rc = r->s->ops->installments_save(r->s, ref, w->inst + i,
							  j - i, err);
			if (rc != HK_OK)
				return rc;
		}
		i = j + 1;
	}
	return HK_OK;
}

/* Bring one account to as_of.  `facts` are its new facts (maybe none). */
static enum hk_rc process_account(struct run *r, const struct hk_acct_row *row,
				  const struct hk_fact_row *facts,
				  size_t n_facts, const struct prefetched *pre,
				  struct hk_err *err)
{
	struct hk_store *s = r->s;
	const struct hk_policy *policy = policy_of(r->cfg, row);
	struct hk_summary sm = row->summary;
	bool replay_it = !row->has_state, recompute = false, save_inst = false;
	int old_bucket = 0; /* before its first day-end an account is M0 */
	struct hk_acct acct;
	struct hk_view view;
	enum hk_rc rc;

	if (row->has_state && r->last != HK_DATE_NONE) {
		/* The bucket as of the last run, from the summary stored then
		 * (its window held that date), so it never needs storing. */
		hk_summary_view(&row->summary, &r->cfg->buckets, r->last, &view);
		old_bucket = view.bucket;
	}
	for (size_t i = 0; i < n_facts && !replay_it; i++)
		if (facts[i].kind == HK_FACT_SCHEDULE ||
		    facts[i].date <= row->summary.anchor)
			replay_it = true;

	if (replay_it) {
		rc = replay(s, r->cfg, row, r->as_of, pre, &r->w, &acct, err);
		if (rc != HK_OK)
			return rc;
		r->stats->replayed++;
		recompute = save_inst = true;
	} else if (n_facts) {
		/* All new facts lie after the anchor: move forward over them. */
		TSTART(r, PH_ADVANCE);
		r->w.n_ev = 0;
		rc = load_installments(s, row->ref, pre, &r->w, err);
		if (rc != HK_OK)
			return rc;
		for (size_t i = 0; i < n_facts; i++) {
			struct hk_event ev = {
				.date = facts[i].date,
				.kind = facts[i].kind == HK_FACT_WAIVER
						? HK_EV_WAIVER
						: HK_EV_PAYMENT,
				.component = (uint8_t)facts[i].component,
				.amount = facts[i].amount,
			};
			push_event(&r->w, &ev);
		}
		qsort(r->w.ev, r->w.n_ev, sizeof(*r->w.ev), hk_event_cmp);
		acct_from_row(&acct, row, &r->w);
		acct.anchor = row->summary.anchor;
		acct.credit_balance = row->summary.credit_balance;
		acct.paid_total = row->summary.paid_total;
		acct.waived_total = row->summary.waived_total;
		if (hk_ledger_advance(policy, &acct, r->w.ev, r->w.n_ev,
				      events_end(&r->w, acct.anchor),
				      NULL) != HK_OK)
			return hk_err_set(err, HK_EINTERNAL,
					  "account %lld: new facts out of order",
					  (long long)row->ref);
		r->stats->advanced++;
		recompute = save_inst = true;
		TSTOP(r, PH_ADVANCE);
	} else if (r->as_of > sm.win_end || r->as_of < sm.win_start) {
		/* An installment fell due (or the account opened): the summary
		 * must be rebuilt from the installments' stored state. */
		TSTART(r, PH_CROSS);
		rc = load_installments(s, row->ref, pre, &r->w, err);
		if (rc != HK_OK)
			return rc;
		acct_from_row(&acct, row, &r->w);
		acct.anchor = row->summary.anchor;
		acct.credit_balance = row->summary.credit_balance;
		acct.paid_total = row->summary.paid_total;
		acct.waived_total = row->summary.waived_total;
		r->stats->crossed++;
		TSTOP(r, PH_CROSS);
		recompute = true;
	}

	if (recompute) {
		if (r->as_of >= acct.anchor || r->as_of < acct.open_date)
			hk_ledger_summarize(policy, &acct, r->as_of, &sm);
		else
			return hk_err_set(err, HK_EINTERNAL,
					  "account %lld: state is newer than the day being processed",
					  (long long)row->ref);
	}
	hk_summary_view(&sm, &r->cfg->buckets, r->as_of, &view);
	add_totals(&r->stats->totals[view.bucket], &view);

	TSTART(r, PH_WRITE);
	if (save_inst) {
		rc = save_changed_installments(r, row->ref, err);
		if (rc != HK_OK)
			return rc;
	}
	if (recompute) {
		rc = s->ops->state_save(s, row, &sm, err);
		note_changed(r, row->case_ref);
	} else {
		rc = HK_OK;
	}
	TSTOP(r, PH_WRITE);
	if (rc != HK_OK)
		return rc;
	if (view.bucket != old_bucket) {
		TSTART(r, PH_TRANSITION);
		r->stats->transitions++;
		rc = s->ops->transition_record(
			s, row->ref, r->as_of, r->cfg->buckets.name[old_bucket],
			r->cfg->buckets.name[view.bucket], err);
		TSTOP(r, PH_TRANSITION);
	}
	return rc;
}

/* Compute and write one chunk whose account rows are already in `c`. */
static enum hk_rc process_chunk(struct run *r, const struct chunk *c,
				struct hk_err *err)
{
	struct facts *f = &r->facts;
	enum hk_rc rc = HK_OK;

	TSTART(r, PH_PROCESS);
	/* The chunk's writes go in bulk where the backend can (PostgreSQL:
	 * COPY); nothing here reads back what the chunk wrote. */
	if ((rc = hk_store_bulk_begin(r->s, err)) != HK_OK)
		return rc;
	for (size_t i = 0; i < c->n_rows; i++) {
		const struct hk_acct_row *row = &c->rows[i];
		struct prefetched pre = {0};
		size_t first;

		while (f->next < f->n && f->fact[f->next].account_ref < row->ref)
			f->next++;
		first = f->next;
		while (f->next < f->n && f->fact[f->next].account_ref == row->ref)
			f->next++;

		if (c->pre_n && c->pre_n[i] != NO_PREFETCH) {
			pre.have = true;
			pre.inst = c->inst + c->pre_off[i];
			pre.n = c->pre_n[i];
		}
		rc = process_account(r, row, f->fact + first, f->next - first,
				     &pre, err);
		if (rc != HK_OK)
			break;
		r->stats->accounts++;
	}
	if (rc == HK_OK)
		rc = hk_store_bulk_end(r->s, err);
	TSTOP(r, PH_PROCESS);
	return rc;
}

/* ====================================================================
 * Reading ahead: a second thread loads chunk k+1 while chunk k is written
 * ==================================================================== */

struct reader {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct hk_store *s;
	const struct facts *facts; /* read-only while chunks run */
	size_t fact_next;          /* the reader's own cursor into them */
	int32_t as_of;
	int64_t max_ref, step;
	struct chunk buf[2];
	bool full[2];
	enum hk_rc rc[2];
	struct hk_err err;
	bool stop;
};

/*
 * Make a chunk ready for processing: complete the lean rows of the accounts
 * day-end will recompute (no state yet, new facts, or the window ended) and,
 * when `prefetch`, read their stored installments too, so that the writing
 * thread only computes and writes.  On the reader's connection this sees
 * the last committed state: the chunk's accounts are untouched by the run
 * so far.  `cursor` walks `facts` (sorted by account) across chunks.
 */
static enum hk_rc prepare_chunk(struct hk_store *s, const struct facts *f,
				size_t *cursor, int32_t as_of, bool prefetch,
				struct chunk *c, struct hk_err *err)
{
	c->n_inst = 0;
	if (prefetch) {
		c->pre_off = hk_realloc(c->pre_off,
					(c->n_rows + 1) * sizeof(uint32_t));
		c->pre_n = hk_realloc(c->pre_n,
				      (c->n_rows + 1) * sizeof(uint32_t));
	}
	for (size_t i = 0; i < c->n_rows; i++) {
		struct hk_acct_row *row = &c->rows[i];
		bool has_facts, found;
		enum hk_rc rc;

		while (*cursor < f->n && f->fact[*cursor].account_ref < row->ref)
			(*cursor)++;
		has_facts = *cursor < f->n &&
			    f->fact[*cursor].account_ref == row->ref;
		if (prefetch)
			c->pre_n[i] = NO_PREFETCH;
		if (!has_facts && row->has_state &&
		    as_of >= row->summary.win_start &&
		    as_of <= row->summary.win_end)
			continue; /* projected from its summary: no reads */
		if (row->lean) {
			rc = s->ops->account_get(s, row->ref, row, &found, err);
			if (rc != HK_OK)
				return rc;
			if (!found)
				return hk_err_set(err, HK_EDB,
						  "account %lld vanished during day-end",
						  (long long)row->ref);
		}
		/* Replays (mostly the first day-end, every account) read on
		 * the main thread, so the buffers stay small. */
		if (!prefetch || !row->has_state)
			continue;
		c->pre_off[i] = (uint32_t)c->n_inst;
		rc = s->ops->installments_load(s, row->ref, chunk_add_inst, c,
					       err);
		if (rc != HK_OK)
			return rc;
		c->pre_n[i] = (uint32_t)(c->n_inst - c->pre_off[i]);
	}
	return HK_OK;
}

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	int64_t k = 0;

	for (int64_t lo = 1; lo <= rd->max_ref; lo += rd->step, k++) {
		struct chunk *c = &rd->buf[k % 2];
		enum hk_rc rc;

		pthread_mutex_lock(&rd->mu);
		while (rd->full[k % 2] && !rd->stop)
			pthread_cond_wait(&rd->cv, &rd->mu);
		pthread_mutex_unlock(&rd->mu);
		if (rd->stop)
			break;
		c->n_rows = 0;
		rc = rd->s->ops->accounts_scan(rd->s, lo, lo + rd->step - 1,
					       chunk_add_row, c, &rd->err);
		if (rc == HK_OK)
			rc = prepare_chunk(rd->s, rd->facts, &rd->fact_next,
					   rd->as_of, true, c, &rd->err);
		pthread_mutex_lock(&rd->mu);
		rd->full[k % 2] = true;
		rd->rc[k % 2] = rc;
		pthread_cond_broadcast(&rd->cv);
		pthread_mutex_unlock(&rd->mu);
		if (rc != HK_OK)
			break;
	}
	return NULL;
}

/* Wait for chunk k from the reader; NULL (with err set) if it failed. */
static const struct chunk *reader_take(struct reader *rd, int64_t k,
				       struct hk_err *err)
{
	enum hk_rc rc;

	pthread_mutex_lock(&rd->mu);
	while (!rd->full[k % 2])
		pthread_cond_wait(&rd->cv, &rd->mu);
	rc = rd->rc[k % 2];
	pthread_mutex_unlock(&rd->mu);
	if (rc != HK_OK) {
		if (err)
			*err = rd->err;
		return NULL;
	}
	return &rd->buf[k % 2];
}

static void reader_give_back(struct reader *rd, int64_t k)
{
	pthread_mutex_lock(&rd->mu);
	rd->full[k % 2] = false;
	pthread_cond_broadcast(&rd->cv);
	pthread_mutex_unlock(&rd->mu);
}

static void reader_finish(struct reader *rd)
{
	pthread_mutex_lock(&rd->mu);
	rd->stop = true;
	pthread_cond_broadcast(&rd->cv);
	pthread_mutex_unlock(&rd->mu);
	pthread_join(rd->thread, NULL);
	pthread_mutex_destroy(&rd->mu);
	pthread_cond_destroy(&rd->cv);
	chunk_release(&rd->buf[0]);
	chunk_release(&rd->buf[1]);
}

static int promise_step(void *ctx, const struct hk_promise_row *p)
{
	struct run *r = ctx;
	enum hk_promise_status st = hk_promise_eval(p->made_on, p->due_on,
						    p->amount, p->paid, r->as_of);

	if (st == HK_PROMISE_KEPT)
		r->stats->promises_kept++;
	else if (st == HK_PROMISE_BROKEN)
		r->stats->promises_broken++;
	if ((int)st == p->status && p->evaluated)
		return 0;
	/* Statuses are saved after the scan (see run_promises). */
	if (r->w.n_ev == r->w.cap_ev) {
		r->w.cap_ev = r->w.cap_ev ? 2 * r->w.cap_ev : 256;
		r->w.ev = hk_realloc(r->w.ev, r->w.cap_ev * sizeof(*r->w.ev));
	}
	/* Reuse the event buffer: amount carries the ref, kind the status. */
	r->w.ev[r->w.n_ev].amount = p->ref;
	r->w.ev[r->w.n_ev].kind = (uint8_t)st;
	r->w.n_ev++;
	return 0;
}

static enum hk_rc run_promises(struct run *r, struct hk_err *err)
{
	enum hk_rc rc;

	r->w.n_ev = 0;
	rc = r->s->ops->promises_scan(r->s, r->as_of, promise_step, r, err);
	for (size_t i = 0; rc == HK_OK && i < r->w.n_ev; i++)
		rc = r->s->ops->promise_set_status(r->s, r->w.ev[i].amount,
						   r->w.ev[i].kind, r->as_of,
						   err);
	return rc;
}


static void show_progress(int64_t done, int64_t total, bool end)
{
	if (total <= 0)
		return;
	fprintf(stderr, "\r日终处理 / day-end: %lld/%lld (%d%%)%s",
		(long long)done, (long long)total, (int)(100 * done / total),
		end ? "\n" : "");
}

/* Walk every chunk: read ahead on the reader thread when there is one. */
static enum hk_rc run_chunks(struct run *r, const struct hk_eod_opts *opts,
			     int64_t max_ref, int64_t step, struct hk_err *err)
{
	struct hk_store *s = r->s;
	struct reader rd = {.s = opts->reader, .max_ref = max_ref, .step = step,
			    .facts = &r->facts, .as_of = r->as_of};
	struct chunk own = {0};
	size_t own_cursor = 0;
	enum hk_rc rc = HK_OK;
	int64_t k = 0;

	if (rd.s) {
		pthread_mutex_init(&rd.mu, NULL);
		pthread_cond_init(&rd.cv, NULL);
		if (pthread_create(&rd.thread, NULL, reader_main, &rd) != 0) {
			pthread_mutex_destroy(&rd.mu);
			pthread_cond_destroy(&rd.cv);
			rd.s = NULL; /* no thread: read in this one */
		}
	}
	/* Promises depend only on payments: evaluate them while the reader
	 * fetches the first chunk. */
	TSTART(r, PH_PROMISES);
	rc = run_promises(r, err);
	TSTOP(r, PH_PROMISES);
	for (int64_t lo = 1; rc == HK_OK && lo <= max_ref; lo += step, k++) {
		const struct chunk *c;

		TSTART(r, PH_SCAN);
		if (rd.s) {
			c = reader_take(&rd, k, err);
			rc = c ? HK_OK : (err && err->code ? err->code : HK_EDB);
		} else {
			own.n_rows = 0;
			rc = s->ops->accounts_scan(s, lo, lo + step - 1,
						   chunk_add_row, &own, err);
			if (rc == HK_OK)
				rc = prepare_chunk(s, &r->facts, &own_cursor,
						   r->as_of, false, &own, err);
			c = &own;
		}
		TSTOP(r, PH_SCAN);
		if (rc == HK_OK)
			rc = process_chunk(r, c, err);
		if (rd.s && rc == HK_OK)
			reader_give_back(&rd, k);
		if (rc != HK_OK)
			break;
		if (k + 1 == opts->fault_kill_after_chunk)
			raise(SIGKILL); /* fault injection: die mid-transaction */
		if (opts->progress)
			show_progress(lo + step - 1 < max_ref ? lo + step - 1
							      : max_ref,
				      max_ref, false);
	}
	if (rd.s)
		reader_finish(&rd);
	chunk_release(&own);
	if (rc == HK_OK && opts->progress)
		show_progress(max_ref, max_ref, true);
	return rc;
}

enum hk_rc hk_eod_pending(struct hk_store *s, int32_t *date,
			  struct hk_err *err)
{
	char buf[32];
	bool found = false;
	enum hk_rc rc = s->ops->meta_get(s, HK_META_EOD_PENDING, buf,
					 sizeof(buf), &found, err);

	*date = HK_DATE_NONE;
	if (rc != HK_OK || !found || !buf[0])
		return rc;
	return hk_store_meta_date(s, HK_META_EOD_PENDING, date, err);
}

/*
 * The last processed date; HK_EREFUSED when as_of comes before it, or when
 * a day-end across workers was interrupted for another date (or for this
 * one, unless `resuming`: only the workers' path can finish it).
 */
static enum hk_rc last_date(struct hk_store *s, int32_t as_of, bool resuming,
			    int32_t *last, struct hk_err *err)
{
	char date[HK_DATE_BUFSZ];
	int32_t pending;
	enum hk_rc rc = hk_store_meta_date(s, HK_META_LAST_EOD, last, err);

	if (rc == HK_OK)
		rc = hk_eod_pending(s, &pending, err);
	if (rc != HK_OK)
		return rc;
	if (pending != HK_DATE_NONE && (pending != as_of || !resuming)) {
		hk_date_format(pending, date);
		return hk_err_set(err, HK_EREFUSED,
				  HK_TR(s->lang,
					"%s 的日终（多进程）被中断，尚未完成；请先重跑 huikuan eod --date %s",
					"the day-end of %s (across workers) was interrupted; rerun huikuan eod --date %s first"),
				  date, date);
	}
	if (*last == HK_DATE_NONE || as_of >= *last)
		return HK_OK;
	hk_date_format(*last, date);
	return hk_err_set(err, HK_EREFUSED,
			  HK_TR(s->lang,
				"日终日期早于已处理的最后日期 %s；只能重跑 %s 或处理之后的日期",
				"the date is before the last processed date %s; rerun %s or process a later date"),
			  date, date);
}

/*
 * What follows the accounts, in the run's transaction: placements past
 * their end, the strategy on the changed cases (every case when `full`),
 * the facts marked booked, the day's totals, the run's record, the date.
 */
static enum hk_rc close_day(struct run *r, const struct hk_eod_opts *opts,
			    bool full, struct hk_err *err)
{
	struct hk_store *s = r->s;
	struct hk_eod_stats *stats = r->stats;
	char date[HK_DATE_BUFSZ];
	enum hk_rc rc;

	/* The reports' snapshot first: the day belongs to whoever held the
	 * case during it, before placements end and the strategy moves it. */
	TSTART(r, PH_REPORTS);
	rc = opts->skip_strategy ? HK_OK
				 : hk_report_snapshot(s, r->cfg, opts->as_of,
						      r->last, &stats->report,
						      err);
	TSTOP(r, PH_REPORTS);
	if (rc != HK_OK)
		return rc;
	/* Placements past their end go back from the agency (issue 4). */
	rc = s->ops->placements_expire(s, opts->as_of, (int64_t)time(NULL),
				       &stats->placements_recalled, err);
	if (rc != HK_OK)
		return rc;
	/* The strategy and allocation, on the day's ledger and promises. */
	TSTART(r, PH_STRATEGY);
	if (r->n_changed)
		qsort(r->changed, r->n_changed, sizeof(*r->changed), ref_cmp);
	rc = opts->skip_strategy ? HK_OK
				 : s->ops->cases_mark_changed(s, r->changed,
							      r->n_changed, err);
	if (rc == HK_OK && !opts->skip_strategy)
		rc = hk_treat_run(s, r->cfg, opts->as_of, full, stats, err);
	TSTOP(r, PH_STRATEGY);
	if (rc != HK_OK)
		return rc;
	TSTART(r, PH_BOOK);
	rc = s->ops->facts_mark_booked(s, opts->as_of, err);
	TSTOP(r, PH_BOOK);
	if (rc != HK_OK)
		return rc;
	TSTART(r, PH_TOTALS);
	rc = s->ops->day_totals_save(s, opts->as_of, &r->cfg->buckets,
				     stats->totals, err);
	TSTOP(r, PH_TOTALS);
	if (rc == HK_OK) {
		struct hk_eod_run_rec run = {
			.as_of = opts->as_of, .accounts = stats->accounts,
			.replayed = stats->replayed, .advanced = stats->advanced,
			.crossed = stats->crossed,
			.transitions = stats->transitions};

		rc = s->ops->eod_run_record(s, &run, err);
	}
	if (rc == HK_OK) {
		hk_date_format(opts->as_of, date);
		rc = s->ops->meta_set(s, HK_META_LAST_EOD, date, err);
	}
	return rc;
}

enum hk_rc hk_eod_run(struct hk_store *s, const struct hk_config *cfg,
		      const struct hk_eod_opts *opts,
		      struct hk_eod_stats *stats, struct hk_err *err)
{
	struct run r = {.s = s, .cfg = cfg, .as_of = opts->as_of, .stats = stats};
	int64_t max_ref, step = opts->chunk ? (int64_t)opts->chunk : DEFAULT_CHUNK;
	int32_t last;
	enum hk_rc rc;

	memset(stats, 0, sizeof(*stats));
	r.timing = getenv("HUIKUAN_EOD_TIMING") != NULL;
	if ((rc = s->ops->begin(s, err)) != HK_OK)
		return rc;
	/* Read the last date inside the transaction: two day-ends can never
	 * interleave. */
	if ((rc = last_date(s, opts->as_of, false, &last, err)) != HK_OK)
		goto fail;
	r.last = last;
	TSTART(&r, PH_FACTS);
	rc = s->ops->facts_scan(s, opts->as_of, facts_add, &r.facts, err);
	if (rc != HK_OK)
		goto fail;
	if (r.facts.n)
		qsort(r.facts.fact, r.facts.n, sizeof(*r.facts.fact), fact_cmp);
	TSTOP(&r, PH_FACTS);
	if ((rc = s->ops->account_max_ref(s, &max_ref, err)) != HK_OK)
		goto fail;
	if ((rc = run_chunks(&r, opts, max_ref, step, err)) != HK_OK)
		goto fail;
	if ((rc = close_day(&r, opts, last == opts->as_of, err)) != HK_OK)
		goto fail;
	TSTART(&r, PH_COMMIT);
	rc = s->ops->commit(s, err);
	TSTOP(&r, PH_COMMIT);
	if (r.timing) {
		for (int i = 0; i < PH_COUNT; i++)
			fprintf(stderr, "%s %.3f%s", phase_name[i], r.phase[i],
				i + 1 < PH_COUNT ? ", " : " s\n");
	}
	if (rc != HK_OK)
		goto fail;
	free(r.facts.fact);
	free(r.changed);
	work_release(&r.w);
	return HK_OK;
fail:
	s->ops->rollback(s);
	free(r.facts.fact);
	free(r.changed);
	work_release(&r.w);
	return rc;
}

/* ====================================================================
 * Day-end across worker processes (huikuan eod --workers N)
 *
 * The accounts' refs are cut into N ranges of whole chunks; worker k, a
 * child process with its own connection, walks range k committing one
 * chunk at a time together with that chunk's counts (eod_parts), and
 * reports the cases it changed through a pipe.  The parent then closes
 * the day in one transaction: promises, placements, the strategy on the
 * changed cases, facts booked, totals added up from the chunks, the date.
 * Every account's day depends only on its own facts, so the result is
 * one worker's.  A crash leaves whole chunks: a rerun skips those already
 * recorded for the date, and because the cases they changed were not
 * reported, the strategy then looks at every case.
 * ==================================================================== */

struct done_set {
	int64_t *lo;
	size_t n, cap;
};

static int done_add(void *ctx, const struct hk_eod_part *part)
{
	struct done_set *d = ctx;

	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 64;
		d->lo = hk_realloc(d->lo, d->cap * sizeof(*d->lo));
	}
	d->lo[d->n++] = part->lo;
	return 0;
}

static bool done_has(const struct done_set *d, int64_t lo)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->lo[i] == lo)
			return true;
	return false;
}

static bool write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* One worker: chunks [first, end) of `step` accounts, in the child. */
static enum hk_rc worker_run(const struct hk_eod_workers *wk,
			     const struct hk_config *cfg,
			     const struct hk_eod_opts *opts, int64_t first,
			     int64_t end, int64_t step, int fd,
			     struct hk_err *err)
{
	struct hk_eod_stats cs;
	struct run r = {.cfg = cfg, .as_of = opts->as_of, .stats = &cs};
	struct done_set done = {0};
	struct chunk c = {0};
	size_t cursor = 0;
	int64_t n_chunks = 0;
	enum hk_rc rc;

	if ((rc = hk_store_open(wk->uri, wk->lang, &r.s, err)) != HK_OK)
		return rc;
	/* Workers write disjoint accounts: on PostgreSQL their transactions
	 * share the writers' lock among themselves (store_pg.c). */
	r.s->batch_writer = true;
	rc = last_date(r.s, opts->as_of, true, &r.last, err);
	if (rc == HK_OK)
		rc = r.s->ops->facts_scan(r.s, opts->as_of, facts_add, &r.facts,
					  err);
	if (rc == HK_OK && r.facts.n)
		qsort(r.facts.fact, r.facts.n, sizeof(*r.facts.fact), fact_cmp);
	if (rc == HK_OK)
		rc = r.s->ops->eod_parts_scan(r.s, opts->as_of, done_add, &done,
					      err);
	for (int64_t k = first; rc == HK_OK && k < end; k++) {
		struct hk_eod_part part = {.lo = k * step + 1,
					   .hi = (k + 1) * step};

		if (done_has(&done, part.lo))
			continue;
		memset(&cs, 0, sizeof(cs));
		c.n_rows = 0;
		if ((rc = r.s->ops->begin(r.s, err)) != HK_OK)
			break;
		rc = r.s->ops->accounts_scan(r.s, part.lo, part.hi,
					     chunk_add_row, &c, err);
		if (rc == HK_OK)
			rc = prepare_chunk(r.s, &r.facts, &cursor, r.as_of,
					   false, &c, err);
		if (rc == HK_OK)
			rc = process_chunk(&r, &c, err);
		if (rc == HK_OK) {
			part.accounts = cs.accounts;
			part.replayed = cs.replayed;
			part.advanced = cs.advanced;
			part.crossed = cs.crossed;
			part.transitions = cs.transitions;
			memcpy(part.totals, cs.totals, sizeof(part.totals));
			rc = r.s->ops->eod_part_save(r.s, opts->as_of, &part,
						     err);
		}
		if (rc == HK_OK)
			rc = r.s->ops->commit(r.s, err);
		else
			r.s->ops->rollback(r.s);
		if (rc == HK_OK && ++n_chunks == opts->fault_kill_after_chunk)
			raise(SIGKILL); /* fault injection: die between chunks */
	}
	/* the changed cases: a count, then the refs */
	if (rc == HK_OK) {
		uint64_t n = r.n_changed;

		if (!write_all(fd, &n, sizeof(n)) ||
		    !write_all(fd, r.changed, n * sizeof(*r.changed)))
			rc = hk_err_set(err, HK_EINTERNAL,
					"day-end worker: could not report its cases");
	}
	hk_store_close(r.s);
	chunk_release(&c);
	free(done.lo);
	free(r.facts.fact);
	free(r.changed);
	work_release(&r.w);
	return rc;
}

static bool read_all(int fd, void *buf, size_t n)
{
	char *p = buf;

	while (n) {
		ssize_t got = read(fd, p, n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return false;
		p += got;
		n -= (size_t)got;
	}
	return true;
}

/* Add a worker's changed cases (from its pipe) to the run's. */
static bool collect_changed(struct run *r, int fd)
{
	uint64_t n;

	if (!read_all(fd, &n, sizeof(n)))
		return false;
	if (r->n_changed + n > r->cap_changed) {
		r->cap_changed = r->n_changed + n;
		r->changed = hk_realloc(r->changed,
					r->cap_changed * sizeof(*r->changed));
	}
	if (!read_all(fd, r->changed + r->n_changed, n * sizeof(*r->changed)))
		return false;
	r->n_changed += n;
	return true;
}

static int part_add(void *ctx, const struct hk_eod_part *part)
{
	struct hk_eod_stats *st = ctx;

	st->accounts += part->accounts;
	st->replayed += part->replayed;
	st->advanced += part->advanced;
	st->crossed += part->crossed;
	st->transitions += part->transitions;
	for (int b = 0; b < HK_BUCKETS_MAX; b++) {
		struct hk_bucket_totals *t = &st->totals[b];
		const struct hk_bucket_totals *p = &part->totals[b];

		t->accounts += p->accounts;
		t->overdue_principal += p->overdue_principal;
		t->overdue_interest += p->overdue_interest;
		t->overdue_fee += p->overdue_fee;
		t->penalty_due += p->penalty_due;
		t->total_overdue += p->total_overdue;
		t->principal_outstanding += p->principal_outstanding;
	}
	return 0;
}

/* The parent's closing transaction, after every worker finished. */
static enum hk_rc workers_close(struct run *r, const struct hk_eod_opts *opts,
				bool resumed, struct hk_err *err)
{
	struct hk_store *s = r->s;
	enum hk_rc rc;

	if ((rc = s->ops->begin(s, err)) != HK_OK)
		return rc;
	rc = last_date(s, opts->as_of, true, &r->last, err);
	if (rc == HK_OK)
		rc = run_promises(r, err);
	if (rc == HK_OK)
		rc = s->ops->eod_parts_scan(s, opts->as_of, part_add, r->stats,
					    err);
	if (rc == HK_OK)
		rc = close_day(r, opts, resumed || r->last == opts->as_of, err);
	if (rc == HK_OK)
		rc = s->ops->eod_parts_clear(s, opts->as_of, err);
	if (rc == HK_OK)
		rc = s->ops->meta_set(s, HK_META_EOD_PENDING, "", err);
	if (rc == HK_OK)
		rc = s->ops->commit(s, err);
	else
		s->ops->rollback(s);
	return rc;
}

enum hk_rc hk_eod_run_workers(const struct hk_eod_workers *wk,
			      const struct hk_config *cfg,
			      const struct hk_eod_opts *opts,
			      struct hk_eod_stats *stats, struct hk_err *err)
{
	struct run r = {.cfg = cfg, .as_of = opts->as_of, .stats = stats};
	int64_t max_ref, step = opts->chunk ? (int64_t)opts->chunk : DEFAULT_CHUNK;
	int64_t n_chunks;
	struct done_set done = {0};
	int n = wk->workers, failed = 0;
	bool resumed;
	pid_t pid[HK_EOD_WORKERS_MAX];
	int fd[HK_EOD_WORKERS_MAX];
	enum hk_rc rc;

	memset(stats, 0, sizeof(*stats));
	if (n < 1 || n > HK_EOD_WORKERS_MAX)
		return hk_err_set(err, HK_EUSAGE,
				  HK_TR(wk->lang, "进程数须在 1 到 %d 之间",
					"the number of workers must be 1 to %d"),
				  HK_EOD_WORKERS_MAX);
	if ((rc = hk_store_open(wk->uri, wk->lang, &r.s, err)) != HK_OK)
		return rc;
	/* The date is marked pending before any worker commits a chunk, so
	 * nothing else runs day-end until this one is finished. */
	if ((rc = r.s->ops->begin(r.s, err)) == HK_OK) {
		char date[HK_DATE_BUFSZ];

		hk_date_format(opts->as_of, date);
		rc = last_date(r.s, opts->as_of, true, &r.last, err);
		if (rc == HK_OK)
			rc = r.s->ops->meta_set(r.s, HK_META_EOD_PENDING, date,
						err);
		if (rc == HK_OK)
			rc = r.s->ops->commit(r.s, err);
		else
			r.s->ops->rollback(r.s);
	}
	if (rc == HK_OK)
		rc = r.s->ops->account_max_ref(r.s, &max_ref, err);
	if (rc == HK_OK)
		rc = r.s->ops->eod_parts_scan(r.s, opts->as_of, done_add, &done,
					      err);
	/* No connection crosses fork(): the children open their own. */
	hk_store_close(r.s);
	r.s = NULL;
	resumed = done.n > 0;
	free(done.lo);
	if (rc != HK_OK)
		return rc;
	n_chunks = (max_ref + step - 1) / step;
	fflush(NULL);
	for (int k = 0; k < n; k++) {
		int p[2];

		if (pipe(p) != 0) {
			n = k;
			rc = hk_err_set(err, HK_EINTERNAL, "pipe: %s",
					strerror(errno));
			break;
		}
		pid[k] = fork();
		if (pid[k] == 0) {
			struct hk_err werr = {0};
			enum hk_rc wrc;

			close(p[0]);
			wrc = worker_run(wk, cfg, opts, n_chunks * k / n,
					 n_chunks * (k + 1) / n, step, p[1],
					 &werr);
			if (wrc != HK_OK)
				fprintf(stderr, "huikuan: %s\n", werr.msg);
			fflush(NULL);
			_exit(wrc == HK_OK ? 0 : 1);
		}
		close(p[1]);
		fd[k] = p[0];
		if (pid[k] < 0) {
			close(fd[k]);
			n = k;
			rc = hk_err_set(err, HK_EINTERNAL, "fork: %s",
					strerror(errno));
			break;
		}
	}
	/* Each worker writes its cases at its end; reading one pipe to its
	 * end while the others wait on theirs cannot deadlock. */
	for (int k = 0; k < n; k++) {
		int status;

		if (!collect_changed(&r, fd[k]))
			failed++;
		close(fd[k]);
		while (waitpid(pid[k], &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	if (rc == HK_OK && failed)
		rc = hk_err_set(err, HK_EDB,
				HK_TR(wk->lang,
				      "%d 个日终进程未完成；已完成的部分已保存，重跑同一日期即可完成",
				      "%d day-end workers did not finish; what they did is kept, and a rerun of the date finishes the job"),
				failed);
	if (rc == HK_OK)
		rc = hk_store_open(wk->uri, wk->lang, &r.s, err);
	if (rc == HK_OK) {
		rc = workers_close(&r, opts, resumed, err);
		hk_store_close(r.s);
	}
	free(r.facts.fact);
	free(r.changed);
	work_release(&r.w);
	return rc;
}
