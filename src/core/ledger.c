/*
 * ledger.c - the rules of ledger.md §3: waivers, the payment waterfall,
 * penalty accrual with the cap, days past due, buckets, promises.
 *
 * Pure: no I/O, no allocation, no globals but constant tables.  Penalty is
 * accrued in closed form between events (n quiet days accrue exactly n
 * times one day's penalty, because each installment's base is constant
 * between events), so the cost of a step is the number of events times the
 * number of installments, never the number of days.
 */
#include <string.h>

#include "hk/ledger.h"

/* ====================================================================
 * Configuration values
 * ==================================================================== */

void hk_policy_default(struct hk_policy *policy)
{
	policy->cap_ppm = 240000;
	policy->day_basis = 360;
	policy->compound = false;
}

void hk_bucket_table_default(struct hk_bucket_table *table)
{
	static const char *const names[] = {"M0", "M1", "M2", "M3",
					    "M4", "M5", "M6", "M7+"};
	static const int32_t max_dpd[] = {0, 30, 60, 90, 120, 150, 180, INT32_MAX};

	memset(table, 0, sizeof(*table));
	table->n = 8;
	for (int i = 0; i < table->n; i++) {
		table->max_dpd[i] = max_dpd[i];
		memcpy(table->name[i], names[i], strlen(names[i]) + 1);
	}
}

int hk_bucket_of(const struct hk_bucket_table *table, int32_t dpd)
{
	for (int i = 0; i < table->n; i++)
		if (dpd <= table->max_dpd[i])
			return i;
	return table->n - 1;
}

int hk_bucket_find(const struct hk_bucket_table *table, const char *name)
{
	for (int i = 0; i < table->n; i++)
		if (!strcmp(table->name[i], name))
			return i;
	return -1;
}

static const char *const product_names[HK_PRODUCT_COUNT] = {
	[HK_PRODUCT_CREDIT_CARD] = "credit_card",
	[HK_PRODUCT_CONSUMER_LOAN] = "consumer_loan",
	[HK_PRODUCT_BUSINESS_LOAN] = "business_loan",
	[HK_PRODUCT_INVOICE] = "invoice",
	[HK_PRODUCT_OTHER] = "other",
};

int hk_product_parse(const char *s, size_t len)
{
	for (int i = 0; i < HK_PRODUCT_COUNT; i++)
		if (strlen(product_names[i]) == len &&
		    !memcmp(product_names[i], s, len))
			return i;
	return -1;
}

const char *hk_product_name(int product)
{
	if (product < 0 || product >= HK_PRODUCT_COUNT)
		return "other";
	return product_names[product];
}

/* ====================================================================
 * Penalty
 * ==================================================================== */

int32_t hk_penalty_effective_ppm(const struct hk_policy *policy,
				 int32_t annual_ppm, int32_t penalty_ppm)
{
	int32_t room = policy->cap_ppm - annual_ppm;

	if (room < 0)
		room = 0;
	return penalty_ppm < room ? penalty_ppm : room;
}

int64_t hk_penalty_daily(int64_t base, int32_t eff_ppm, int32_t day_basis)
{
	/* base × ppm can pass 2^63 for large balances: widen to 128 bits. */
	__int128 num, den;

	if (base <= 0 || eff_ppm <= 0)
		return 0;
	num = (__int128)base * eff_ppm + (__int128)day_basis * 500000;
	den = (__int128)day_basis * 1000000;
	return (int64_t)(num / den);
}

static int64_t penalty_base(const struct hk_policy *policy,
			    const struct hk_inst *in)
{
	return in->principal + (policy->compound ? in->interest : 0);
}

/* Accrue penalty for the days d with from < d <= to (and due < d). */
static void accrue(const struct hk_policy *policy, struct hk_acct *acct,
		   int32_t eff_ppm, int32_t from, int32_t to)
{
	if (to <= from || eff_ppm <= 0)
		return;
	for (size_t i = 0; i < acct->n_inst; i++) {
		struct hk_inst *in = &acct->inst[i];
		int32_t start = in->due > from ? in->due : from;
		int64_t daily;

		if (to <= start)
			break; /* due dates increase: later ones start later still */
		daily = hk_penalty_daily(penalty_base(policy, in), eff_ppm,
					 policy->day_basis);
		if (daily) {
			int64_t amount = daily * (int64_t)(to - start);
			in->penalty += amount;
			in->penalty_accrued += amount;
		}
	}
}

/* ====================================================================
 * Events
 * ==================================================================== */

static int64_t take(int64_t *unpaid, int64_t *left)
{
	int64_t t = *unpaid < *left ? *unpaid : *left;

	*unpaid -= t;
	*left -= t;
	return t;
}

static int64_t *component_of(struct hk_inst *in, int component)
{
	switch (component) {
	case HK_COMP_PENALTY:
		return &in->penalty;
	case HK_COMP_FEE:
		return &in->fee;
	case HK_COMP_INTEREST:
		return &in->interest;
	default:
		return &in->principal;
	}
}

static void book_waiver(struct hk_acct *acct, const struct hk_event *ev)
{
	int64_t left = ev->amount;

	for (size_t i = 0; i < acct->n_inst && left > 0; i++)
		take(component_of(&acct->inst[i], ev->component), &left);
	/* waived_total is what was approved (ledger.md §4); anything cut
	 * here was over what was unpaid, which approval refuses. */
	acct->waived_total += ev->amount;
}

static void book_payment(struct hk_acct *acct, const struct hk_event *ev,
			 struct hk_alloc *alloc)
{
	static const int due_order[] = {HK_COMP_PENALTY, HK_COMP_FEE,
					HK_COMP_INTEREST, HK_COMP_PRINCIPAL};
	struct hk_alloc a;
	int64_t left = ev->amount;
	size_t i = 0;

	memset(&a, 0, sizeof(a));
	/* 1. installments due on or before the day, oldest first, one at a
	 *    time: penalty, fee, interest, principal. */
	for (; i < acct->n_inst && acct->inst[i].due <= ev->date; i++)
		for (int c = 0; c < 4 && left > 0; c++)
			a.part[due_order[c]] += take(
				component_of(&acct->inst[i], due_order[c]), &left);
	/* 2. installments not yet due, oldest first: fee, interest, principal. */
	for (; i < acct->n_inst && left > 0; i++)
		for (int c = 1; c < 4 && left > 0; c++)
			a.part[due_order[c]] += take(
				component_of(&acct->inst[i], due_order[c]), &left);
	/* 3. the rest is the account's credit balance: money is never dropped. */
	a.credit = left;
	acct->credit_balance += left;
	acct->paid_total += ev->amount;
	if (alloc)
		*alloc = a;
}

int hk_event_cmp(const void *pa, const void *pb)
{
	const struct hk_event *a = pa, *b = pb;

	if (a->date != b->date)
		return a->date < b->date ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->component != b->component)
		return a->component < b->component ? -1 : 1;
	if (a->amount != b->amount)
		return a->amount < b->amount ? -1 : 1;
	return 0;
}

void hk_ledger_reset(struct hk_acct *acct)
{
	acct->anchor = acct->open_date - 1;
	acct->credit_balance = 0;
	acct->paid_total = 0;
	acct->waived_total = 0;
	for (size_t i = 0; i < acct->n_inst; i++) {
		struct hk_inst *in = &acct->inst[i];

		in->principal = in->sched_principal;
		in->interest = in->sched_interest;
		in->fee = in->sched_fee;
		in->penalty = 0;
		in->penalty_accrued = 0;
	}
}

enum hk_rc hk_ledger_advance(const struct hk_policy *policy,
			     struct hk_acct *acct, const struct hk_event *events,
			     size_t n_events, int32_t to, struct hk_alloc *alloc)
{
	int32_t eff, cur = acct->anchor;
	size_t i = 0;

	if (to < acct->anchor)
		return HK_EINVAL;
	for (size_t k = 0; k < n_events; k++) {
		if (events[k].date <= acct->anchor || events[k].date > to)
			return HK_EINVAL;
		/* Within a day only "waivers first" matters: payments of
		 * one day allocate the same in any order. */
		if (k && (events[k - 1].date > events[k].date ||
			  (events[k - 1].date == events[k].date &&
			   events[k - 1].kind > events[k].kind)))
			return HK_EINVAL;
	}
	eff = hk_penalty_effective_ppm(policy, acct->annual_ppm,
				       acct->penalty_ppm);
	while (i < n_events) {
		int32_t day = events[i].date;

		/* Every day is end of day: waivers, then payments, then the
		 * day's penalty on what is left. */
		accrue(policy, acct, eff, cur, day - 1);
		for (; i < n_events && events[i].date == day; i++) {
			if (events[i].kind == HK_EV_WAIVER)
				book_waiver(acct, &events[i]);
			else
				book_payment(acct, &events[i],
					     alloc ? &alloc[i] : NULL);
		}
		accrue(policy, acct, eff, day - 1, day);
		cur = day;
	}
	accrue(policy, acct, eff, cur, to);
	acct->anchor = to;
	return HK_OK;
}

int64_t hk_ledger_waivable(const struct hk_acct *acct, int component)
{
	int64_t sum = 0;

	for (size_t i = 0; i < acct->n_inst; i++)
		sum += *component_of(&acct->inst[i], component);
	return sum;
}

/* ====================================================================
 * Summary and view
 * ==================================================================== */

void hk_ledger_summarize(const struct hk_policy *policy,
			 const struct hk_acct *acct, int32_t as_of,
			 struct hk_summary *out)
{
	int32_t eff;

	memset(out, 0, sizeof(*out));
	out->anchor = acct->anchor;
	out->win_start = as_of;
	out->win_end = HK_DATE_FOREVER;
	out->first_unpaid_due = HK_DATE_NONE;
	if (as_of < acct->open_date) {
		/* Not open yet: all figures zero until the opening day. */
		out->win_end = acct->open_date - 1;
		return;
	}
	out->credit_balance = acct->credit_balance;
	out->paid_total = acct->paid_total;
	out->waived_total = acct->waived_total;
	eff = hk_penalty_effective_ppm(policy, acct->annual_ppm,
				       acct->penalty_ppm);
	for (size_t i = 0; i < acct->n_inst; i++) {
		const struct hk_inst *in = &acct->inst[i];
		int32_t start = in->due > acct->anchor ? in->due : acct->anchor;
		int64_t daily = hk_penalty_daily(penalty_base(policy, in), eff,
						 policy->day_basis);
		int64_t more = as_of > start ? daily * (int64_t)(as_of - start) : 0;
		int64_t penalty = in->penalty + more;
		bool unpaid = in->principal + in->interest + in->fee + penalty > 0;

		out->penalty_due += penalty;
		out->penalty_accrued += in->penalty_accrued + more;
		out->principal_outstanding += in->principal;
		if (in->due < as_of) {
			out->overdue_principal += in->principal;
			out->overdue_interest += in->interest;
			out->overdue_fee += in->fee;
			out->daily_penalty += daily;
		} else if (unpaid && out->win_end == HK_DATE_FOREVER) {
			/* The day after this one falls due the overdue set
			 * changes: the window closes on its due date. */
			out->win_end = in->due;
		}
		if (unpaid && out->first_unpaid_due == HK_DATE_NONE)
			out->first_unpaid_due = in->due;
	}
}

void hk_summary_view(const struct hk_summary *sm,
		     const struct hk_bucket_table *buckets, int32_t as_of,
		     struct hk_view *v)
{
	int64_t days = as_of - sm->win_start;

	memset(v, 0, sizeof(*v));
	v->as_of = as_of;
	v->overdue_principal = sm->overdue_principal;
	v->overdue_interest = sm->overdue_interest;
	v->overdue_fee = sm->overdue_fee;
	v->penalty_due = sm->penalty_due + sm->daily_penalty * days;
	v->penalty_accrued_total = sm->penalty_accrued + sm->daily_penalty * days;
	v->total_overdue = v->overdue_principal + v->overdue_interest +
			   v->overdue_fee + v->penalty_due;
	v->principal_outstanding = sm->principal_outstanding;
	v->credit_balance = sm->credit_balance;
	v->paid_total = sm->paid_total;
	v->waived_total = sm->waived_total;
	if (sm->first_unpaid_due != HK_DATE_NONE && sm->first_unpaid_due < as_of) {
		v->dpd = as_of - sm->first_unpaid_due;
		v->first_overdue_date = sm->first_unpaid_due;
	} else {
		v->dpd = 0;
		v->first_overdue_date = HK_DATE_NONE;
	}
	v->bucket = hk_bucket_of(buckets, v->dpd);
}

/* ====================================================================
 * Promises
 * ==================================================================== */

enum hk_promise_status hk_promise_eval(int32_t made_on, int32_t due_on,
				       int64_t amount, int64_t paid,
				       int32_t as_of)
{
	(void)made_on;
	if (paid >= amount)
		return HK_PROMISE_KEPT;
	if (as_of > due_on)
		return HK_PROMISE_BROKEN;
	return HK_PROMISE_PENDING;
}

const char *hk_promise_status_name(enum hk_promise_status status)
{
	switch (status) {
	case HK_PROMISE_KEPT:
		return "kept";
	case HK_PROMISE_BROKEN:
		return "broken";
	default:
		return "pending";
	}
}
