/*
 * test_ledger_props.c - properties of the ledger engine (src/core/ledger.c)
 * over thousands of generated accounts, and the engine against a reference
 * model written here from the text of ledger.md §3 alone.
 *
 * The reference is deliberately naive: it walks every calendar day from the
 * opening, books that day's waivers, then its payments by the waterfall,
 * then each installment's penalty for the day with the rounding formula.
 * It shares no code with the engine (not even hk_penalty_daily), so an
 * agreement is evidence, not an echo.  Nothing here may be "fixed" by
 * copying the engine's output into an expectation.
 *
 * Everything is deterministic: a splitmix64 generator with fixed seeds, so
 * a failure names an account that reproduces on every run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rng.h"

#include "hk/ledger.h"


static bool rng_chance(uint64_t *state, int percent)
{
	return rng_range(state, 0, 99) < percent;
}

/* ====================================================================
 * Generated accounts
 * ==================================================================== */

#define MAX_INST 24
#define MAX_EV 96
#define MAX_ASOF 32
#define PORTFOLIO 3000
#define PORTFOLIO_SEED UINT64_C(0x68756b75616e0001)

/* Penalty policies the accounts are spread over: the default first. */
static const struct hk_policy policies[] = {
	{.cap_ppm = 240000, .day_basis = 360, .compound = false},
	{.cap_ppm = 240000, .day_basis = 365, .compound = false},
	{.cap_ppm = 240000, .day_basis = 360, .compound = true},
	{.cap_ppm = 240000, .day_basis = 365, .compound = true},
	{.cap_ppm = 150000, .day_basis = 360, .compound = false},
	{.cap_ppm = 360000, .day_basis = 360, .compound = true},
	{.cap_ppm = 0, .day_basis = 360, .compound = false},
};
#define N_POLICIES (sizeof(policies) / sizeof(policies[0]))

struct gen {
	struct hk_policy policy;
	int32_t open_date, annual_ppm, penalty_ppm;
	int32_t horizon; /* last date the checks look at */
	size_t n_inst;
	struct hk_inst sched[MAX_INST]; /* schedule fields only */
	size_t n_ev;
	struct hk_event ev[MAX_EV]; /* sorted by hk_event_cmp */
};

struct portfolio {
	size_t n;
	struct gen *acct;
};

static char *date_text(int32_t date, char buf[HK_DATE_BUFSZ])
{
	if (date == HK_DATE_NONE)
		snprintf(buf, HK_DATE_BUFSZ, "none");
	else
		hk_date_format(date, buf);
	return buf;
}

/* ====================================================================
 * The reference model: ledger.md §3 read literally, one day at a time
 * ==================================================================== */

struct ref_inst {
	int32_t due;
	int64_t principal, interest, fee; /* unpaid */
	int64_t penalty;                  /* unpaid */
	int64_t accrued;                  /* all penalty ever accrued */
};

struct ref_acct {
	int32_t open_date;
	int32_t eff_ppm;
	int32_t basis;
	bool compound;
	size_t n;
	struct ref_inst in[MAX_INST];
	int64_t credit, paid, waived;
};

/* What one payment paid, by the names of §3. */
struct ref_parts {
	int64_t penalty, fee, interest, principal, credit;
};

static void ref_init(struct ref_acct *r, const struct gen *g)
{
	int32_t room = g->policy.cap_ppm - g->annual_ppm;

	memset(r, 0, sizeof(*r));
	r->open_date = g->open_date;
	/* eff_ppm = min(penalty_ppm, max(0, cap_ppm − annual_rate_ppm)) */
	if (room < 0)
		room = 0;
	r->eff_ppm = g->penalty_ppm < room ? g->penalty_ppm : room;
	r->basis = g->policy.day_basis;
	r->compound = g->policy.compound;
	r->n = g->n_inst;
	for (size_t i = 0; i < g->n_inst; i++) {
		r->in[i].due = g->sched[i].due;
		r->in[i].principal = g->sched[i].sched_principal;
		r->in[i].interest = g->sched[i].sched_interest;
		r->in[i].fee = g->sched[i].sched_fee;
	}
}

static int64_t *ref_component(struct ref_inst *in, int component)
{
	if (component == HK_COMP_PENALTY)
		return &in->penalty;
	if (component == HK_COMP_FEE)
		return &in->fee;
	if (component == HK_COMP_INTEREST)
		return &in->interest;
	return &in->principal;
}

/* What is unpaid of a component across all installments, due or not. */
static int64_t ref_unpaid(struct ref_acct *r, int component)
{
	int64_t sum = 0;

	for (size_t i = 0; i < r->n; i++)
		sum += *ref_component(&r->in[i], component);
	return sum;
}

static int64_t pay_from(int64_t *unpaid, int64_t *left)
{
	int64_t t = *left < *unpaid ? *left : *unpaid;

	*unpaid -= t;
	*left -= t;
	return t;
}

/* A waiver: reduces the component, oldest installment first. */
static void ref_waive(struct ref_acct *r, int component, int64_t amount)
{
	int64_t left = amount;

	for (size_t i = 0; i < r->n; i++)
		pay_from(ref_component(&r->in[i], component), &left);
	r->waived += amount;
}

/* A payment on `day`, greedy, in the order of §3. */
static void ref_pay(struct ref_acct *r, int32_t day, int64_t amount,
		    struct ref_parts *parts)
{
	struct ref_parts p = {0};
	int64_t left = amount;

	/* 1. due_date <= day, oldest first, all of one before the next:
	 *    penalty, fee, interest, principal */
	for (size_t i = 0; i < r->n; i++) {
		struct ref_inst *in = &r->in[i];

		if (in->due > day)
			continue;
		p.penalty += pay_from(&in->penalty, &left);
		p.fee += pay_from(&in->fee, &left);
		p.interest += pay_from(&in->interest, &left);
		p.principal += pay_from(&in->principal, &left);
	}
	/* 2. due_date > day, oldest first: fee, interest, principal */
	for (size_t i = 0; i < r->n; i++) {
		struct ref_inst *in = &r->in[i];

		if (in->due <= day)
			continue;
		p.fee += pay_from(&in->fee, &left);
		p.interest += pay_from(&in->interest, &left);
		p.principal += pay_from(&in->principal, &left);
	}
	/* 3. the rest is credit balance */
	p.credit = left;
	r->credit += left;
	r->paid += amount;
	if (parts)
		*parts = p;
}

/* Penalty for day d: every installment with due_date < d. */
static void ref_accrue_day(struct ref_acct *r, int32_t d)
{
	for (size_t i = 0; i < r->n; i++) {
		struct ref_inst *in = &r->in[i];
		__int128 base, num, den;
		int64_t pen;

		if (!(in->due < d))
			continue;
		base = in->principal + (r->compound ? in->interest : 0);
		/* floor((base × eff_ppm + B × 500000) / (B × 1000000)) */
		num = base * r->eff_ppm + (__int128)r->basis * 500000;
		den = (__int128)r->basis * 1000000;
		pen = (int64_t)(num / den);
		in->penalty += pen;
		in->accrued += pen;
	}
}

/* The default bucket table of §3, written out again. */
static int ref_bucket(int32_t dpd)
{
	static const int32_t upper[] = {0, 30, 60, 90, 120, 150, 180};

	for (int b = 0; b < 7; b++)
		if (dpd <= upper[b])
			return b;
	return 7; /* M7+ */
}

/* The figures of §4 as of D, from the state at the end of day D. */
static void ref_view(const struct ref_acct *r, int32_t as_of,
		     struct hk_view *v)
{
	memset(v, 0, sizeof(*v));
	v->as_of = as_of;
	v->first_overdue_date = HK_DATE_NONE;
	if (as_of < r->open_date)
		return; /* opened after as_of: all zero, M0 */
	for (size_t i = 0; i < r->n; i++) {
		const struct ref_inst *in = &r->in[i];

		v->penalty_due += in->penalty;
		v->penalty_accrued_total += in->accrued;
		v->principal_outstanding += in->principal;
		if (in->due < as_of) {
			v->overdue_principal += in->principal;
			v->overdue_interest += in->interest;
			v->overdue_fee += in->fee;
			if (v->first_overdue_date == HK_DATE_NONE &&
			    in->principal + in->interest + in->fee + in->penalty > 0)
				v->first_overdue_date = in->due;
		}
	}
	v->total_overdue = v->overdue_principal + v->overdue_interest +
			   v->overdue_fee + v->penalty_due;
	v->credit_balance = r->credit;
	v->paid_total = r->paid;
	v->waived_total = r->waived;
	if (v->first_overdue_date != HK_DATE_NONE)
		v->dpd = as_of - v->first_overdue_date;
	v->bucket = ref_bucket(v->dpd);
}

/* One calendar day: `ev` are that day's events in any order. */
static void ref_day(struct ref_acct *r, int32_t d, const struct hk_event *ev,
		    size_t n, struct ref_parts *parts /* n, or NULL */)
{
	for (size_t k = 0; k < n; k++)
		if (ev[k].kind == HK_EV_WAIVER)
			ref_waive(r, ev[k].component, ev[k].amount);
	for (size_t k = 0; k < n; k++)
		if (ev[k].kind == HK_EV_PAYMENT)
			ref_pay(r, d, ev[k].amount, parts ? &parts[k] : NULL);
	ref_accrue_day(r, d);
}

/*
 * Run the model over `ev` (sorted by date only; within a day in the order
 * to book them) and take the view at each date of `as_of` (ascending).
 * Events after `last_event` are ignored.  `parts` (n_ev or NULL) receives
 * each payment's allocation.
 */
static void ref_run(const struct gen *g, const struct hk_event *ev,
		    size_t n_ev, int32_t last_event, const int32_t *as_of,
		    size_t n_as_of, struct hk_view *views,
		    struct ref_parts *parts)
{
	struct ref_acct r;
	size_t k = 0, a = 0;

	ref_init(&r, g);
	while (a < n_as_of && as_of[a] < g->open_date) {
		ref_view(&r, as_of[a], &views[a]);
		a++;
	}
	for (int32_t d = g->open_date; a < n_as_of; d++) {
		size_t first;

		while (k < n_ev && ev[k].date < d)
			k++; /* skips events after last_event */
		first = k;
		while (k < n_ev && ev[k].date == d && d <= last_event)
			k++;
		ref_day(&r, d, ev + first, k - first, parts ? parts + first : NULL);
		while (a < n_as_of && as_of[a] == d) {
			ref_view(&r, d, &views[a]);
			a++;
		}
	}
}

/* ====================================================================
 * Generating accounts
 * ==================================================================== */

struct waiver_plan {
	int32_t date;
	int component;
	int64_t frac_ppm; /* share of what is unpaid on the day */
};

/*
 * Turn planned waivers into amounts no larger than what is unpaid of their
 * component at the start of their day (after that day's earlier waivers of
 * the same component), by running the model over the payments.
 */
static void resolve_waivers(struct gen *g, const struct waiver_plan *plan,
			    size_t n_plan)
{
	struct hk_event pays[MAX_EV];
	size_t n_pays = g->n_ev, k = 0;
	struct ref_acct r;

	memcpy(pays, g->ev, n_pays * sizeof(pays[0]));
	ref_init(&r, g);
	for (int32_t d = g->open_date; d <= g->horizon; d++) {
		size_t first;

		for (size_t p = 0; p < n_plan; p++) {
			int64_t unpaid, amount;

			if (plan[p].date != d)
				continue;
			unpaid = ref_unpaid(&r, plan[p].component);
			if (unpaid <= 0)
				continue;
			amount = (int64_t)((__int128)unpaid * plan[p].frac_ppm /
					   1000000);
			if (amount < 1)
				amount = 1;
			ref_waive(&r, plan[p].component, amount);
			g->ev[g->n_ev++] = (struct hk_event){
				.date = d,
				.kind = HK_EV_WAIVER,
				.component = (uint8_t)plan[p].component,
				.amount = amount};
		}
		first = k;
		while (k < n_pays && pays[k].date == d)
			k++;
		for (size_t i = first; i < k; i++)
			ref_pay(&r, d, pays[i].amount, NULL);
		ref_accrue_day(&r, d);
	}
}

static int cmp_event_date(const void *pa, const void *pb)
{
	const struct hk_event *a = pa, *b = pb;

	return (a->date > b->date) - (a->date < b->date);
}

/*
 * A random account: 1-24 installments (some with zero principal), strictly
 * increasing due dates, payments (partial, early, late, overpaying, some on
 * the same day with probability `same_day_pct`), waivers within what is
 * waivable.
 */
static void gen_account(uint64_t *rng, struct gen *g, int same_day_pct)
{
	static const int64_t scales[] = {100, 10000, 1000000, 100000000,
					 INT64_C(1000000000000)};
	struct waiver_plan plan[8];
	size_t n_plan, n_pay;
	int64_t scale, total = 0;
	int32_t due;
	int r;

	memset(g, 0, sizeof(*g));
	g->policy = rng_chance(rng, 40)
			    ? policies[0]
			    : policies[rng_range(rng, 0, N_POLICIES - 1)];
	g->open_date = hk_date_from_ymd(2025, 1, 1) + (int32_t)rng_range(rng, 0, 500);
	r = (int)rng_range(rng, 0, 99);
	if (r < 35)
		g->annual_ppm = 0;
	else if (r < 70)
		g->annual_ppm = (int32_t)rng_range(rng, 0, 240000);
	else if (r < 85) /* at or above the cap: no penalty at all */
		g->annual_ppm = (int32_t)rng_range(rng, g->policy.cap_ppm,
						   g->policy.cap_ppm + 300000);
	else
		g->annual_ppm = (int32_t)rng_range(rng, 0, HK_RATE_MAX_PPM);
	r = (int)rng_range(rng, 0, 99);
	if (r < 10)
		g->penalty_ppm = 0;
	else if (r < 85)
		g->penalty_ppm = (int32_t)rng_range(rng, 1, 500000);
	else
		g->penalty_ppm = (int32_t)rng_range(rng, 500001, HK_RATE_MAX_PPM);

	scale = scales[rng_range(rng, 0, 4)];
	g->n_inst = (size_t)rng_range(rng, 1, MAX_INST);
	due = g->open_date + (int32_t)rng_range(rng, 0, 60);
	for (size_t i = 0; i < g->n_inst; i++) {
		struct hk_inst *in = &g->sched[i];

		if (i)
			due += (int32_t)rng_range(rng, 1, 40);
		in->seq = (int32_t)i + 1;
		in->due = due;
		in->sched_principal = rng_chance(rng, 20) ? 0 : rng_range(rng, 1, scale);
		in->sched_interest = rng_chance(rng, 50) ? 0 : rng_range(rng, 0, scale / 10 + 1);
		in->sched_fee = rng_chance(rng, 60) ? 0 : rng_range(rng, 0, scale / 50 + 1);
		if (!in->sched_principal && !in->sched_interest && !in->sched_fee)
			in->sched_fee = rng_range(rng, 1, 100);
		total += in->sched_principal + in->sched_interest + in->sched_fee;
	}
	g->horizon = due + (int32_t)rng_range(rng, 0, 200);

	n_pay = (size_t)rng_range(rng, 0, 12);
	for (size_t p = 0; p < n_pay; p++) {
		struct hk_event *ev = &g->ev[g->n_ev++];
		const struct hk_inst *some = &g->sched[rng_range(rng, 0, g->n_inst - 1)];

		ev->kind = HK_EV_PAYMENT;
		if (p && rng_chance(rng, same_day_pct))
			ev->date = g->ev[g->n_ev - 2].date;
		else
			ev->date = g->open_date +
				   (int32_t)rng_range(rng, 0, g->horizon - g->open_date);
		switch (rng_range(rng, 0, 4)) {
		case 0: /* a little */
			ev->amount = rng_range(rng, 1, 1000);
			break;
		case 1: /* part of an installment */
			ev->amount = rng_range(rng, 1, total / (int64_t)g->n_inst + 1);
			break;
		case 2: /* exactly one installment's schedule */
			ev->amount = some->sched_principal + some->sched_interest +
				     some->sched_fee;
			break;
		case 3: /* more than everything: credit balance */
			ev->amount = total + rng_range(rng, 0, total / 10 + 1);
			break;
		default:
			ev->amount = rng_range(rng, 1, total);
			break;
		}
	}
	/* the model walks events by date */
	qsort(g->ev, g->n_ev, sizeof(g->ev[0]), cmp_event_date);

	n_plan = (size_t)rng_range(rng, 0, 4);
	for (size_t p = 0; p < n_plan; p++) {
		plan[p].date = g->open_date +
			       (int32_t)rng_range(rng, 0, g->horizon - g->open_date);
		if (p && rng_chance(rng, 20))
			plan[p].date = plan[p - 1].date;
		plan[p].component = (int)rng_range(rng, 0, HK_COMP_COUNT - 1);
		plan[p].frac_ppm = rng_chance(rng, 15) ? 1000000
						       : rng_range(rng, 1, 1000000);
	}
	resolve_waivers(g, plan, n_plan);
	qsort(g->ev, g->n_ev, sizeof(g->ev[0]), hk_event_cmp);
}

static int portfolio_setup(void **state)
{
	struct portfolio *pf = calloc(1, sizeof(*pf));
	uint64_t rng = PORTFOLIO_SEED;

	if (!pf)
		return -1;
	pf->n = PORTFOLIO;
	pf->acct = calloc(pf->n, sizeof(*pf->acct));
	if (!pf->acct) {
		free(pf);
		return -1;
	}
	for (size_t i = 0; i < pf->n; i++)
		gen_account(&rng, &pf->acct[i], 25);
	*state = pf;
	return 0;
}

static int portfolio_teardown(void **state)
{
	struct portfolio *pf = *state;

	free(pf->acct);
	free(pf);
	return 0;
}

/*
 * The dates an account is looked at: before it opens, its opening, around
 * due dates, across bucket boundaries, on payment days, random days, and
 * the horizon.  Ascending, no repeats.
 */
static int cmp_date(const void *pa, const void *pb)
{
	int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;

	return (a > b) - (a < b);
}

static size_t pick_as_of(uint64_t *rng, const struct gen *g,
			 int32_t out[MAX_ASOF])
{
	int32_t first_due = g->sched[0].due;
	size_t n = 0, u = 0;

	out[n++] = g->open_date - 3;
	out[n++] = g->open_date - 1;
	out[n++] = g->open_date;
	out[n++] = first_due;
	out[n++] = first_due + 1;
	out[n++] = first_due + 30;
	out[n++] = first_due + 31;
	out[n++] = first_due + 181;
	out[n++] = g->horizon;
	for (int k = 0; k < 3; k++) {
		const struct hk_inst *in = &g->sched[rng_range(rng, 0, g->n_inst - 1)];
		out[n++] = in->due + (int32_t)rng_range(rng, 0, 2);
	}
	for (int k = 0; k < 6; k++)
		out[n++] = g->open_date +
			   (int32_t)rng_range(rng, 0, g->horizon - g->open_date);
	if (g->n_ev)
		out[n++] = g->ev[rng_range(rng, 0, g->n_ev - 1)].date;
	qsort(out, n, sizeof(out[0]), cmp_date);
	for (size_t i = 0; i < n; i++)
		if (out[i] <= g->horizon && (u == 0 || out[i] != out[u - 1]))
			out[u++] = out[i];
	return u;
}

/* ====================================================================
 * The engine, driven the way a caller would
 * ==================================================================== */

struct eng {
	struct hk_acct acct;
	struct hk_inst inst[MAX_INST];
};

static void eng_open(struct eng *e, const struct gen *g)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->inst, g->sched, g->n_inst * sizeof(e->inst[0]));
	e->acct.open_date = g->open_date;
	e->acct.annual_ppm = g->annual_ppm;
	e->acct.penalty_ppm = g->penalty_ppm;
	e->acct.n_inst = g->n_inst;
	e->acct.inst = e->inst;
	hk_ledger_reset(&e->acct);
}

static void eng_copy(struct eng *dst, const struct eng *src)
{
	*dst = *src;
	dst->acct.inst = dst->inst;
}

/* Index of the first event dated after `date`. */
static size_t ev_after(const struct gen *g, int32_t date)
{
	size_t k = 0;

	while (k < g->n_ev && g->ev[k].date <= date)
		k++;
	return k;
}

/* Advance over the events of `ev` (sorted by date) in (anchor, to]. */
static void eng_advance_over(const struct gen *g, struct eng *e,
			     const struct hk_event *ev, size_t n_ev, int32_t to,
			     struct hk_alloc *alloc /* indexed like ev */)
{
	size_t first = 0, last;

	while (first < n_ev && ev[first].date <= e->acct.anchor)
		first++;
	last = first;
	while (last < n_ev && ev[last].date <= to)
		last++;
	assert_int_equal(hk_ledger_advance(&g->policy, &e->acct, ev + first,
					   last - first, to,
					   alloc ? alloc + first : NULL),
			 HK_OK);
}

/* Advance over the account's own events in (anchor, to]. */
static void eng_advance(const struct gen *g, struct eng *e, int32_t to,
			struct hk_alloc *alloc /* indexed like g->ev */)
{
	eng_advance_over(g, e, g->ev, g->n_ev, to, alloc);
}

static void eng_view(const struct gen *g, const struct eng *e, int32_t as_of,
		     struct hk_view *v)
{
	struct hk_bucket_table buckets;
	struct hk_summary sm;

	hk_bucket_table_default(&buckets);
	hk_ledger_summarize(&g->policy, &e->acct, as_of, &sm);
	hk_summary_view(&sm, &buckets, as_of, v);
}

/* ====================================================================
 * Comparing views, with a readable account of the first differences
 * ==================================================================== */

struct tally {
	int failures;
};

#define VIEW_FIELDS(X)                                                         \
	X(as_of) X(dpd) X(first_overdue_date) X(bucket) X(overdue_principal)    \
	X(overdue_interest) X(overdue_fee) X(penalty_due) X(total_overdue)     \
	X(principal_outstanding) X(credit_balance) X(penalty_accrued_total)   \
	X(paid_total) X(waived_total)

#define AMOUNT_FIELDS(X)                                                       \
	X(overdue_principal) X(overdue_interest) X(overdue_fee) X(penalty_due) \
	X(total_overdue) X(principal_outstanding) X(credit_balance)           \
	X(penalty_accrued_total) X(paid_total) X(waived_total)

static void show_account(const struct gen *g)
{
	char d1[HK_DATE_BUFSZ];

	print_message("  account: open %s annual %d penalty %d cap %d basis %d "
		      "compound %d\n",
		      date_text(g->open_date, d1), g->annual_ppm, g->penalty_ppm,
		      g->policy.cap_ppm, g->policy.day_basis, g->policy.compound);
	for (size_t i = 0; i < g->n_inst; i++)
		print_message("    seq %d due %s P %lld I %lld F %lld\n",
			      g->sched[i].seq, date_text(g->sched[i].due, d1),
			      (long long)g->sched[i].sched_principal,
			      (long long)g->sched[i].sched_interest,
			      (long long)g->sched[i].sched_fee);
	for (size_t k = 0; k < g->n_ev; k++)
		print_message("    %s %s comp %d amount %lld\n",
			      g->ev[k].kind == HK_EV_PAYMENT ? "pay  " : "waive",
			      date_text(g->ev[k].date, d1), g->ev[k].component,
			      (long long)g->ev[k].amount);
}

static void expect_view(struct tally *t, const char *what, size_t ix,
			const struct gen *g, const struct hk_view *want,
			const struct hk_view *got)
{
	char d1[HK_DATE_BUFSZ];

	if (!memcmp(want, got, sizeof(*want)))
		return;
	if (++t->failures > 5)
		return;
	print_message("%s: account %zu as of %s differs\n", what, ix,
		      date_text(want->as_of, d1));
#define SHOW(f)                                                                \
	if ((int64_t)want->f != (int64_t)got->f)                               \
		print_message("  %-22s expected %lld got %lld\n", #f,          \
			      (long long)want->f, (long long)got->f);
	VIEW_FIELDS(SHOW)
#undef SHOW
	if (g)
		show_account(g);
}

static void expect_nonnegative(struct tally *t, const char *what, size_t ix,
			       const struct hk_view *v)
{
	bool bad = false;

#define NEG(f) bad |= (int64_t)v->f < 0;
	AMOUNT_FIELDS(NEG)
#undef NEG
	bad |= v->dpd < 0 || v->bucket < 0;
	if (v->first_overdue_date == HK_DATE_NONE)
		bad |= v->dpd != 0;
	else
		bad |= v->dpd != v->as_of - v->first_overdue_date || v->dpd < 1;
	if (bad && ++t->failures <= 5)
		print_message("%s: account %zu has a negative figure\n", what, ix);
}

static void expect_inst_nonnegative(struct tally *t, const char *what,
				    size_t ix, const struct eng *e)
{
	bool bad = e->acct.credit_balance < 0 || e->acct.paid_total < 0 ||
		   e->acct.waived_total < 0;

	for (size_t i = 0; i < e->acct.n_inst; i++) {
		const struct hk_inst *in = &e->inst[i];

		bad |= in->principal < 0 || in->interest < 0 || in->fee < 0 ||
		       in->penalty < 0 || in->penalty_accrued < in->penalty;
		bad |= in->principal > in->sched_principal ||
		       in->interest > in->sched_interest ||
		       in->fee > in->sched_fee;
	}
	if (bad && ++t->failures <= 5)
		print_message("%s: account %zu has a negative or impossible "
			      "installment state\n", what, ix);
}

/* ====================================================================
 * (e) The engine agrees with the reference model
 * ==================================================================== */

static void test_engine_matches_reference(void **state)
{
	struct portfolio *pf = *state;
	uint64_t rng = UINT64_C(0xe);
	struct tally t = {0};
	size_t per_policy[N_POLICIES] = {0};

	for (size_t ix = 0; ix < pf->n; ix++) {
		const struct gen *g = &pf->acct[ix];
		int32_t as_of[MAX_ASOF];
		size_t n = pick_as_of(&rng, g, as_of);
		struct hk_view want[MAX_ASOF], got;

		ref_run(g, g->ev, g->n_ev, HK_DATE_FOREVER, as_of, n, want, NULL);
		for (size_t a = 0; a < n; a++) {
			struct eng e;

			eng_open(&e, g);
			if (as_of[a] >= e.acct.anchor)
				eng_advance(g, &e, as_of[a], NULL);
			eng_view(g, &e, as_of[a], &got);
			expect_view(&t, "engine vs reference", ix, g, &want[a], &got);
		}
		for (size_t p = 0; p < N_POLICIES; p++)
			per_policy[p] += !memcmp(&g->policy, &policies[p],
						 sizeof(g->policy));
	}
	/* every policy variant was exercised */
	for (size_t p = 0; p < N_POLICIES; p++)
		assert_true(per_policy[p] > 50);
	assert_int_equal(t.failures, 0);
}

/* The same agreement on hand-picked edge accounts that random data rarely
 * produces: consecutive due dates, due on the opening day, one-fen
 * amounts, a rate exactly at the cap. */
static void test_reference_edge_accounts(void **state)
{
	struct tally t = {0};
	struct gen g;
	int32_t as_of[MAX_ASOF];
	struct hk_view want[MAX_ASOF], got;
	size_t n = 0;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.policy = policies[0];
	g.open_date = hk_date_from_ymd(2026, 1, 1);
	g.annual_ppm = 60000;
	g.penalty_ppm = 180000; /* exactly at the cap: 6% + 18% = 24% */
	g.n_inst = 4;
	g.sched[0] = (struct hk_inst){.seq = 1, .due = g.open_date,
				      .sched_principal = 1};
	g.sched[1] = (struct hk_inst){.seq = 2, .due = g.open_date + 1,
				      .sched_interest = 1};
	g.sched[2] = (struct hk_inst){.seq = 3, .due = g.open_date + 2,
				      .sched_principal = 2000, .sched_fee = 1};
	g.sched[3] = (struct hk_inst){.seq = 4, .due = g.open_date + 40,
				      .sched_principal = 999999};
	g.horizon = g.open_date + 400;
	g.ev[g.n_ev++] = (struct hk_event){.date = g.open_date + 3,
					   .kind = HK_EV_PAYMENT, .amount = 1};
	g.ev[g.n_ev++] = (struct hk_event){.date = g.open_date + 41,
					   .kind = HK_EV_WAIVER,
					   .component = HK_COMP_PENALTY,
					   .amount = 1};
	g.ev[g.n_ev++] = (struct hk_event){.date = g.open_date + 41,
					   .kind = HK_EV_PAYMENT, .amount = 2000};
	qsort(g.ev, g.n_ev, sizeof(g.ev[0]), hk_event_cmp);
	for (int32_t d = g.open_date - 2; d <= g.open_date + 60 && n < MAX_ASOF; d += 2)
		as_of[n++] = d;
	ref_run(&g, g.ev, g.n_ev, HK_DATE_FOREVER, as_of, n, want, NULL);
	for (size_t a = 0; a < n; a++) {
		struct eng e;

		eng_open(&e, &g);
		if (as_of[a] >= e.acct.anchor)
			eng_advance(&g, &e, as_of[a], NULL);
		eng_view(&g, &e, as_of[a], &got);
		expect_view(&t, "edge account", 0, &g, &want[a], &got);
	}
	assert_int_equal(t.failures, 0);
}

/* ====================================================================
 * (a) Every payment's parts add up to it, and go where §3 says
 * ==================================================================== */

static void test_allocation_adds_up(void **state)
{
	struct portfolio *pf = *state;
	static struct hk_alloc alloc[MAX_EV];
	static struct ref_parts parts[MAX_EV];
	size_t payments = 0, with_credit = 0, with_penalty = 0;

	for (size_t ix = 0; ix < pf->n; ix++) {
		const struct gen *g = &pf->acct[ix];
		struct eng e;
		int32_t end = g->horizon;
		struct hk_view dummy;

		memset(alloc, 0xff, sizeof(alloc));
		memset(parts, 0, sizeof(parts));
		eng_open(&e, g);
		eng_advance(g, &e, end, alloc);
		/* The model books a day's payments in the order given; the
		 * engine in hk_event_cmp order, which is g->ev's. */
		ref_run(g, g->ev, g->n_ev, HK_DATE_FOREVER, &end, 1, &dummy, parts);
		for (size_t k = 0; k < g->n_ev; k++) {
			const struct hk_alloc *a = &alloc[k];
			int64_t sum = 0;

			if (g->ev[k].kind != HK_EV_PAYMENT)
				continue;
			payments++;
			for (int c = 0; c < HK_COMP_COUNT; c++) {
				assert_true(a->part[c] >= 0);
				sum += a->part[c];
			}
			assert_true(a->credit >= 0);
			assert_int_equal(sum + a->credit, g->ev[k].amount);
			assert_int_equal(a->part[HK_COMP_PENALTY], parts[k].penalty);
			assert_int_equal(a->part[HK_COMP_FEE], parts[k].fee);
			assert_int_equal(a->part[HK_COMP_INTEREST], parts[k].interest);
			assert_int_equal(a->part[HK_COMP_PRINCIPAL], parts[k].principal);
			assert_int_equal(a->credit, parts[k].credit);
			with_credit += a->credit > 0;
			with_penalty += a->part[HK_COMP_PENALTY] > 0;
		}
	}
	/* the data really exercised overpayment and paying penalty */
	assert_true(payments > 5000);
	assert_true(with_credit > 100);
	assert_true(with_penalty > 100);
}

/* ====================================================================
 * (b) The state as of D does not depend on the steps taken to reach it
 * ==================================================================== */

static void test_steps_do_not_matter(void **state)
{
	struct portfolio *pf = *state;
	uint64_t rng = UINT64_C(0xb);
	struct tally t = {0};

	for (size_t ix = 0; ix < pf->n; ix++) {
		const struct gen *g = &pf->acct[ix];
		int32_t as_of[MAX_ASOF];
		size_t n = pick_as_of(&rng, g, as_of), a;
		struct hk_view once[MAX_ASOF], v;
		struct eng daily, weekly, random_cuts, at;
		int32_t next_cut;

		/* once: one advance over every event up to D */
		for (a = 0; a < n; a++) {
			eng_open(&at, g);
			if (as_of[a] >= at.acct.anchor)
				eng_advance(g, &at, as_of[a], NULL);
			eng_view(g, &at, as_of[a], &once[a]);
		}
		/* lazily: advance only to the last event <= D, then summarize
		 * at D (what day-end's replay does) */
		for (a = 0; a < n; a++) {
			size_t last = ev_after(g, as_of[a]);

			eng_open(&at, g);
			if (last && g->ev[last - 1].date > at.acct.anchor)
				eng_advance(g, &at, g->ev[last - 1].date, NULL);
			eng_view(g, &at, as_of[a], &v);
			expect_view(&t, "last event then summarize", ix, g, &once[a], &v);
		}
		/* day by day, each day with that day's events */
		eng_open(&daily, g);
		a = 0;
		while (a < n && as_of[a] < daily.acct.anchor) {
			eng_view(g, &daily, as_of[a], &v);
			expect_view(&t, "daily", ix, g, &once[a], &v);
			a++;
		}
		for (int32_t d = daily.acct.anchor; a < n; d++) {
			if (d > daily.acct.anchor)
				eng_advance(g, &daily, d, NULL);
			expect_inst_nonnegative(&t, "daily", ix, &daily);
			while (a < n && as_of[a] == d) {
				eng_view(g, &daily, d, &v);
				expect_view(&t, "daily", ix, g, &once[a], &v);
				a++;
			}
		}
		/* weekly and at random cut points; a date between two cuts is
		 * reached by one more step from a copy */
		for (int mode = 0; mode < 2; mode++) {
			struct eng *e = mode ? &random_cuts : &weekly;

			eng_open(e, g);
			next_cut = e->acct.anchor;
			for (a = 0; a < n; a++) {
				if (as_of[a] < e->acct.anchor) {
					eng_view(g, e, as_of[a], &v);
				} else {
					while (next_cut <= as_of[a]) {
						eng_advance(g, e, next_cut, NULL);
						next_cut += mode ? (int32_t)rng_range(&rng, 1, 60) : 7;
					}
					eng_copy(&at, e);
					eng_advance(g, &at, as_of[a], NULL);
					eng_view(g, &at, as_of[a], &v);
				}
				expect_view(&t, mode ? "random steps" : "weekly", ix,
					    g, &once[a], &v);
			}
		}
	}
	assert_int_equal(t.failures, 0);
}

/* ====================================================================
 * (c) A summary projects exactly over its window
 * ==================================================================== */

static void test_summary_window(void **state)
{
	struct portfolio *pf = *state;
	uint64_t rng = UINT64_C(0xc);
	struct tally t = {0};
	static struct hk_view model[401];
	static int32_t days[401];
	struct hk_bucket_table buckets;
	size_t windows = 0, long_windows = 0;

	hk_bucket_table_default(&buckets);
	for (size_t ix = 0; ix < pf->n; ix++) {
		const struct gen *g = &pf->acct[ix];

		for (int k = 0; k < 2; k++) {
			int32_t s, end;
			struct eng e, direct;
			struct hk_summary sm, sm2;
			struct hk_view v1, v2;
			size_t nd = 0;

			/* S: a random day, sometimes before the opening or on a
			 * due date */
			s = g->open_date - 5 +
			    (int32_t)rng_range(&rng, 0, g->horizon - g->open_date + 5);
			if (rng_chance(&rng, 30))
				s = g->sched[rng_range(&rng, 0, g->n_inst - 1)].due;
			eng_open(&e, g);
			if (s >= e.acct.anchor)
				eng_advance(g, &e, s, NULL);
			hk_ledger_summarize(&g->policy, &e.acct, s, &sm);
			assert_int_equal(sm.win_start, s);
			assert_true(sm.win_end >= s);
			end = sm.win_end;
			if (end > s + 400 || end == HK_DATE_FOREVER)
				end = s + 400;
			windows++;
			long_windows += end - s >= 30;
			/* the model with the facts dated <= S only, every day */
			for (int32_t d = s; d <= end; d++)
				days[nd++] = d;
			ref_run(g, g->ev, g->n_ev, s, days, nd, model, NULL);
			for (size_t i = 0; i < nd; i++) {
				int32_t d = days[i];

				hk_summary_view(&sm, &buckets, d, &v1);
				expect_view(&t, "window vs reference", ix, g,
					    &model[i], &v1);
				hk_ledger_summarize(&g->policy, &e.acct, d, &sm2);
				hk_summary_view(&sm2, &buckets, d, &v2);
				expect_view(&t, "window vs direct summarize", ix,
					    g, &v2, &v1);
				expect_nonnegative(&t, "window", ix, &v1);
				if (i % 37 == 0 && d >= e.acct.anchor) {
					/* and vs advancing over the quiet days */
					eng_copy(&direct, &e);
					assert_int_equal(hk_ledger_advance(&g->policy,
									   &direct.acct,
									   NULL, 0, d,
									   NULL),
							 HK_OK);
					eng_view(g, &direct, d, &v2);
					expect_view(&t, "window vs advance", ix, g,
						    &v2, &v1);
				}
			}
		}
	}
	assert_true(long_windows > windows / 10);
	assert_int_equal(t.failures, 0);
}

/* ====================================================================
 * (d) Nothing is ever negative
 * ==================================================================== */

static void test_never_negative(void **state)
{
	struct portfolio *pf = *state;
	struct tally t = {0};

	for (size_t ix = 0; ix < pf->n; ix++) {
		const struct gen *g = &pf->acct[ix];
		struct eng e;
		struct hk_view v;
		struct hk_summary sm;

		/* after every event day and at the horizon */
		eng_open(&e, g);
		for (size_t k = 0; k <= g->n_ev; k++) {
			int32_t d = k < g->n_ev ? g->ev[k].date : g->horizon;

			if (d > e.acct.anchor)
				eng_advance(g, &e, d, NULL);
			expect_inst_nonnegative(&t, "never negative", ix, &e);
			hk_ledger_summarize(&g->policy, &e.acct, d, &sm);
			if (sm.overdue_principal < 0 || sm.overdue_interest < 0 ||
			    sm.overdue_fee < 0 || sm.penalty_due < 0 ||
			    sm.penalty_accrued < sm.penalty_due ||
			    sm.daily_penalty < 0 || sm.principal_outstanding < 0 ||
			    sm.credit_balance < 0 || sm.paid_total < 0 ||
			    sm.waived_total < 0)
				t.failures++;
			eng_view(g, &e, d, &v);
			expect_nonnegative(&t, "never negative", ix, &v);
			for (int c = 0; c < HK_COMP_COUNT; c++)
				assert_true(hk_ledger_waivable(&e.acct, c) >= 0);
		}
	}
	assert_int_equal(t.failures, 0);
}

/* ====================================================================
 * (f) The order of several payments on one day changes nothing
 * ==================================================================== */

/* Merge each day's payments into one payment of their sum. */
static void merge_same_day(const struct gen *g, struct gen *m)
{
	*m = *g;
	m->n_ev = 0;
	for (size_t k = 0; k < g->n_ev; k++) {
		struct hk_event *last = m->n_ev ? &m->ev[m->n_ev - 1] : NULL;

		if (last && g->ev[k].kind == HK_EV_PAYMENT &&
		    last->kind == HK_EV_PAYMENT && last->date == g->ev[k].date)
			last->amount += g->ev[k].amount;
		else
			m->ev[m->n_ev++] = g->ev[k];
	}
	qsort(m->ev, m->n_ev, sizeof(m->ev[0]), hk_event_cmp);
}

static void test_same_day_order(void **state)
{
	uint64_t rng = UINT64_C(0xf00d);
	struct tally t = {0};
	static struct gen g, merged;
	static struct hk_alloc alloc[MAX_EV];
	static struct ref_parts parts[MAX_EV];
	size_t clustered_days = 0;

	(void)state;
	for (size_t ix = 0; ix < 600; ix++) {
		int32_t as_of[MAX_ASOF];
		size_t n;
		struct hk_view want[MAX_ASOF], shuffled[MAX_ASOF], v;
		struct hk_event perm[MAX_EV];
		struct eng e, m;

		gen_account(&rng, &g, 70);
		n = pick_as_of(&rng, &g, as_of);
		ref_run(&g, g.ev, g.n_ev, HK_DATE_FOREVER, as_of, n, want, NULL);
		for (int round = 0; round < 3; round++) {
			/* each day's payments (and each day's waivers) in a
			 * random order; waivers still come first */
			memcpy(perm, g.ev, g.n_ev * sizeof(perm[0]));
			for (size_t k = g.n_ev; k > 1; k--) {
				size_t j = (size_t)rng_range(&rng, 0, k - 1);
				struct hk_event tmp = perm[k - 1];

				if (perm[j].date != tmp.date || perm[j].kind != tmp.kind)
					continue;
				perm[k - 1] = perm[j];
				perm[j] = tmp;
			}
			/* the model in that order */
			ref_run(&g, perm, g.n_ev, HK_DATE_FOREVER, as_of, n,
				shuffled, NULL);
			for (size_t a = 0; a < n; a++)
				expect_view(&t, "model, shuffled day", ix, &g,
					    &want[a], &shuffled[a]);
			/* the engine in that order, in one step and date by
			 * date; each payment's allocation as the model's for
			 * the same order */
			eng_open(&e, &g);
			eng_open(&m, &g);
			for (size_t a = 0; a < n; a++) {
				if (as_of[a] >= m.acct.anchor)
					eng_advance_over(&g, &m, perm, g.n_ev,
							 as_of[a], NULL);
				eng_view(&g, &m, as_of[a], &v);
				expect_view(&t, "engine, shuffled day, stepwise",
					    ix, &g, &want[a], &v);
			}
			memset(alloc, 0, sizeof(alloc));
			eng_advance_over(&g, &e, perm, g.n_ev, g.horizon, alloc);
			ref_run(&g, perm, g.n_ev, HK_DATE_FOREVER, &g.horizon, 1,
				&v, parts);
			for (size_t k = 0; k < g.n_ev; k++) {
				if (perm[k].kind != HK_EV_PAYMENT)
					continue;
				assert_int_equal(alloc[k].part[HK_COMP_PENALTY],
						 parts[k].penalty);
				assert_int_equal(alloc[k].part[HK_COMP_FEE], parts[k].fee);
				assert_int_equal(alloc[k].part[HK_COMP_INTEREST],
						 parts[k].interest);
				assert_int_equal(alloc[k].part[HK_COMP_PRINCIPAL],
						 parts[k].principal);
				assert_int_equal(alloc[k].credit, parts[k].credit);
			}
		}
		/* and with each day's payments as one payment of their sum */
		merge_same_day(&g, &merged);
		clustered_days += g.n_ev - merged.n_ev;
		for (size_t a = 0; a < n; a++) {
			eng_open(&m, &merged);
			if (as_of[a] >= m.acct.anchor)
				eng_advance(&merged, &m, as_of[a], NULL);
			eng_view(&merged, &m, as_of[a], &v);
			expect_view(&t, "engine, one payment a day", ix, &g,
				    &want[a], &v);
		}
	}
	assert_true(clustered_days > 500);
	assert_int_equal(t.failures, 0);
}

/* ====================================================================
 * (g) paid_total is the sum of the payments dated <= D
 * ==================================================================== */

static void test_paid_total(void **state)
{
	struct portfolio *pf = *state;
	uint64_t rng = UINT64_C(0x9);

	for (size_t ix = 0; ix < pf->n; ix++) {
		const struct gen *g = &pf->acct[ix];
		int32_t as_of[MAX_ASOF];
		size_t n = pick_as_of(&rng, g, as_of);
		struct eng e;

		eng_open(&e, g);
		for (size_t a = 0; a < n; a++) {
			int64_t paid = 0, waived = 0;
			struct hk_view v;

			for (size_t k = 0; k < g->n_ev; k++) {
				if (g->ev[k].date > as_of[a])
					continue;
				if (g->ev[k].kind == HK_EV_PAYMENT)
					paid += g->ev[k].amount;
				else
					waived += g->ev[k].amount;
			}
			if (as_of[a] >= e.acct.anchor)
				eng_advance(g, &e, as_of[a], NULL);
			eng_view(g, &e, as_of[a], &v);
			assert_int_equal(v.paid_total, paid);
			assert_int_equal(v.waived_total, waived);
			/* money is never dropped: what was paid went to a
			 * component or to the credit balance */
			if (as_of[a] >= g->open_date) {
				int64_t sched = 0, unpaid = 0, accrued = 0;

				for (size_t i = 0; i < g->n_inst; i++) {
					const struct hk_inst *in = &e.inst[i];

					sched += in->sched_principal +
						 in->sched_interest + in->sched_fee;
					unpaid += in->principal + in->interest +
						  in->fee + in->penalty;
					accrued += in->penalty_accrued;
				}
				/* waivers never exceed what was unpaid here */
				assert_int_equal(sched + accrued - unpaid - waived +
							 e.acct.credit_balance,
						 paid);
			}
		}
	}
}

/* ====================================================================
 * Rates: a contract rate at or above the cap accrues no penalty
 * ==================================================================== */

static void test_rate_above_cap(void **state)
{
	struct portfolio *pf = *state;
	size_t capped = 0, accruing = 0;

	for (size_t ix = 0; ix < pf->n; ix++) {
		const struct gen *g = &pf->acct[ix];
		struct eng e;
		struct hk_view v;

		eng_open(&e, g);
		eng_advance(g, &e, g->horizon, NULL);
		eng_view(g, &e, g->horizon, &v);
		if (g->annual_ppm >= g->policy.cap_ppm || g->penalty_ppm == 0) {
			capped++;
			assert_int_equal(v.penalty_accrued_total, 0);
			assert_int_equal(v.penalty_due, 0);
		} else if (v.penalty_accrued_total > 0) {
			accruing++;
		}
	}
	assert_true(capped > 300);
	assert_true(accruing > 300);
}

/* ====================================================================
 * Waivable: what the engine would let a waiver forgive is what the model
 * has unpaid of the component at the end of the day before
 * ==================================================================== */

static void test_waivable_matches_model(void **state)
{
	struct portfolio *pf = *state;
	size_t checked = 0;

	for (size_t ix = 0; ix < pf->n; ix++) {
		const struct gen *g = &pf->acct[ix];
		struct ref_acct r;
		struct eng e;
		size_t k = 0;

		ref_init(&r, g);
		eng_open(&e, g);
		for (size_t w = 0; w < g->n_ev; w++) {
			int32_t day = g->ev[w].date;

			if (g->ev[w].kind != HK_EV_WAIVER ||
			    (w && g->ev[w - 1].date == day))
				continue;
			/* the model to the end of day-1 */
			for (int32_t d = e.acct.anchor + 1; d < day; d++) {
				size_t first = k;

				while (k < g->n_ev && g->ev[k].date == d)
					k++;
				ref_day(&r, d, g->ev + first, k - first, NULL);
			}
			eng_advance(g, &e, day - 1, NULL);
			for (int c = 0; c < HK_COMP_COUNT; c++)
				assert_int_equal(hk_ledger_waivable(&e.acct, c),
						 ref_unpaid(&r, c));
			/* the generated waiver is within it */
			assert_true(g->ev[w].amount <=
				    hk_ledger_waivable(&e.acct, g->ev[w].component));
			checked++;
		}
	}
	assert_true(checked > 1000);
}

/*
 * A waiver larger than what is unpaid (approval refuses it, but a
 * back-dated payment can leave less to waive than there was): only what is
 * unpaid is forgiven, and waived_total stays the approved amount
 * (docs/ledger-notes.md).  The model cuts the same way.
 */
static void test_oversized_waivers_are_cut(void **state)
{
	struct portfolio *pf = *state;
	uint64_t rng = UINT64_C(0x0be);
	struct tally t = {0};
	static struct gen g;
	size_t grown = 0;

	for (size_t ix = 0; ix < pf->n; ix += 3) {
		int32_t as_of[MAX_ASOF];
		size_t n;
		struct hk_view want[MAX_ASOF], v;

		g = pf->acct[ix];
		for (size_t k = 0; k < g.n_ev; k++)
			if (g.ev[k].kind == HK_EV_WAIVER) {
				g.ev[k].amount += rng_range(&rng, 1, g.ev[k].amount * 2);
				grown++;
			}
		n = pick_as_of(&rng, &g, as_of);
		ref_run(&g, g.ev, g.n_ev, HK_DATE_FOREVER, as_of, n, want, NULL);
		for (size_t a = 0; a < n; a++) {
			struct eng e;

			eng_open(&e, &g);
			if (as_of[a] >= e.acct.anchor)
				eng_advance(&g, &e, as_of[a], NULL);
			eng_view(&g, &e, as_of[a], &v);
			expect_view(&t, "oversized waivers", ix, &g, &want[a], &v);
			expect_inst_nonnegative(&t, "oversized waivers", ix, &e);
		}
	}
	assert_true(grown > 300);
	assert_int_equal(t.failures, 0);
}

/* hk_ledger_advance() takes a day's payments in any order but refuses a
 * payment before a waiver of the same day, or dates going back, and then
 * leaves the account untouched. */
static void test_advance_event_order(void **state)
{
	struct gen g;
	struct eng e;
	struct hk_event ev[3];
	int32_t day = hk_date_from_ymd(2026, 2, 5);

	(void)state;
	memset(&g, 0, sizeof(g));
	g.policy = policies[0];
	g.open_date = hk_date_from_ymd(2026, 1, 1);
	g.penalty_ppm = 180000;
	g.n_inst = 1;
	g.sched[0] = (struct hk_inst){.seq = 1, .due = hk_date_from_ymd(2026, 2, 1),
				      .sched_principal = 100000};
	eng_open(&e, &g);
	ev[0] = (struct hk_event){.date = day, .kind = HK_EV_PAYMENT, .amount = 500};
	ev[1] = (struct hk_event){.date = day, .kind = HK_EV_WAIVER,
				  .component = HK_COMP_PENALTY, .amount = 100};
	assert_int_equal(hk_ledger_advance(&g.policy, &e.acct, ev, 2, day + 5, NULL),
			 HK_EINVAL);
	ev[1] = (struct hk_event){.date = day - 1, .kind = HK_EV_PAYMENT,
				  .amount = 300};
	assert_int_equal(hk_ledger_advance(&g.policy, &e.acct, ev, 2, day + 5, NULL),
			 HK_EINVAL);
	/* an event after `to`, a `to` before the anchor */
	assert_int_equal(hk_ledger_advance(&g.policy, &e.acct, ev, 1, day - 1, NULL),
			 HK_EINVAL);
	assert_int_equal(hk_ledger_advance(&g.policy, &e.acct, NULL, 0,
					   g.open_date - 2, NULL),
			 HK_EINVAL);
	assert_int_equal(e.acct.paid_total, 0);
	assert_int_equal(e.acct.anchor, g.open_date - 1);
	assert_int_equal(e.inst[0].principal, 100000);
	/* 500 then 300 on one day, larger first: accepted.  Through 02-04
	 * 3 days × 50 = 150 penalty; 800 pays it and 650 principal; 99350
	 * left accrues 49.675 → 50 a day for 02-05..02-10 = 300. */
	ev[1] = (struct hk_event){.date = day, .kind = HK_EV_PAYMENT, .amount = 300};
	assert_int_equal(hk_ledger_advance(&g.policy, &e.acct, ev, 2, day + 5, NULL),
			 HK_OK);
	assert_int_equal(e.inst[0].principal, 99350);
	assert_int_equal(e.inst[0].penalty, 300);
	assert_int_equal(e.inst[0].penalty_accrued, 450);
	assert_int_equal(e.acct.paid_total, 800);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engine_matches_reference),
		cmocka_unit_test(test_reference_edge_accounts),
		cmocka_unit_test(test_allocation_adds_up),
		cmocka_unit_test(test_steps_do_not_matter),
		cmocka_unit_test(test_summary_window),
		cmocka_unit_test(test_never_negative),
		cmocka_unit_test(test_same_day_order),
		cmocka_unit_test(test_paid_total),
		cmocka_unit_test(test_rate_above_cap),
		cmocka_unit_test(test_waivable_matches_model),
		cmocka_unit_test(test_oversized_waivers_are_cut),
		cmocka_unit_test(test_advance_event_order),
	};
	return cmocka_run_group_tests(tests, portfolio_setup, portfolio_teardown);
}
