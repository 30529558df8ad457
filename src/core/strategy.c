/*
 * strategy.c - see hk/strategy.h.
 */
#include <stdio.h>
#include <string.h>

#include "hk/strategy.h"

const char *const hk_outcome_codes[] = {
	"reached_debtor", "third_party", "no_answer", "wrong_number",
	"refused",        "promised",    "disputes",  "claims_paid",
	"hardship",       "deceased",    "busy",      "switched_off",
	"left_message",   "delivered",   "returned",  NULL};

int hk_outcome_bit(const char *code)
{
	for (int i = 0; code && hk_outcome_codes[i]; i++)
		if (!strcmp(code, hk_outcome_codes[i]))
			return i;
	return -1;
}

/* ---- matching ---- */

static bool in_range(const struct hk_range *r, int64_t v)
{
	return !r->set || (v >= r->lo && v <= r->hi);
}

/* A "days since" fact of -1 (never) is past every bound: a rule asking
 * for at least N days takes it, one asking for at most N does not. */
static bool in_days(const struct hk_range *r, int32_t days)
{
	if (!r->set)
		return true;
	return days < 0 ? r->hi == INT64_MAX : in_range(r, days);
}

static bool in_values(const struct hk_values *vs, const char *v)
{
	if (!vs->n)
		return true;
	for (size_t i = 0; v && i < vs->n; i++)
		if (!strcmp(vs->v[i], v))
			return true;
	return false;
}

static bool tri(int want, bool v)
{
	return want < 0 || want == (int)v;
}

/* The conditions on facts that time moves. */
static bool timed_hold(const struct hk_conditions *c,
		       const struct hk_case_facts *f)
{
	return (!c->buckets || (c->buckets >> f->bucket & 1u)) &&
	       in_range(&c->dpd, f->dpd) &&
	       in_range(&c->total_overdue, f->total_overdue) &&
	       in_days(&c->days_since_contact, f->days_since_contact) &&
	       in_days(&c->days_since_payment, f->days_since_payment) &&
	       (!c->days_to_due.set ||
		(f->days_to_due >= 0 && in_range(&c->days_to_due, f->days_to_due))) &&
	       (!c->age.set || (f->age >= 0 && in_range(&c->age, f->age))) &&
	       (!c->plans || (c->plans >> (f->plan + 1) & 1u));
}

/* The others: only an event changes them. */
static bool untimed_hold(const struct hk_conditions *c,
			 const struct hk_case_facts *f)
{
	return (!c->products || (c->products & f->products)) &&
	       in_values(&c->creditors, f->creditor) &&
	       in_values(&c->segments, f->segment) &&
	       in_values(&c->provinces, f->province) &&
	       (!c->promises || (c->promises >> (f->promise + 1) & 1u)) &&
	       tri(c->dispute_open, f->dispute_open) &&
	       tri(c->lost_contact, f->lost_contact) &&
	       (!c->outcomes_any || (c->outcomes_any & f->outcomes)) &&
	       !(c->outcomes_none & f->outcomes);
}

static bool conditions_hold(const struct hk_conditions *c,
			    const struct hk_case_facts *f)
{
	return untimed_hold(c, f) && timed_hold(c, f);
}

int hk_strategy_arm(const struct hk_rule *r, int64_t case_ref)
{
	/* FNV-1a over the case id and the rule id */
	uint64_t h = 1469598103934665603ULL;
	int pick, acc = 0;

	for (int i = 0; i < 8; i++) {
		h ^= (uint64_t)case_ref >> (8 * i) & 0xff;
		h *= 1099511628211ULL;
	}
	for (const char *p = r->id; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ULL;
	}
	pick = (int)(h % 100);
	for (size_t a = 0; a < r->n_arms; a++) {
		acc += r->arms[a].share;
		if (pick < acc)
			return (int)a;
	}
	return (int)r->n_arms - 1;
}

int hk_strategy_match(const struct hk_strategy *st,
		      const struct hk_case_facts *f, int *arm)
{
	*arm = -1;
	for (size_t i = 0; i < st->n_rules; i++) {
		if (!conditions_hold(&st->rules[i].when, f))
			continue;
		if (st->rules[i].n_arms)
			*arm = hk_strategy_arm(&st->rules[i], f->case_ref);
		return (int)i;
	}
	return -1;
}

const struct hk_treatment *hk_strategy_treatment(const struct hk_strategy *st,
						 int rule, int arm)
{
	const struct hk_rule *r = &st->rules[rule];

	return arm >= 0 ? &r->arms[arm].then : &r->then;
}

/* ---- how long a match holds ---- */

#define NEVER INT64_MAX

/* The least k >= 1 at which v0 + slope * k is in [lo, hi] when v0 is not,
 * or out of it when v0 is; NEVER when that does not happen. */
static int64_t flip_in(int64_t v0, int64_t slope, int64_t lo, int64_t hi)
{
	bool in = v0 >= lo && v0 <= hi;
	int64_t s = slope < 0 ? -slope : slope;

	if (slope > 0) {
		if (v0 > hi)
			return NEVER;
		if (in)
			return hi == INT64_MAX ? NEVER : (hi - v0) / s + 1;
		return (lo - v0 + s - 1) / s;
	}
	if (slope < 0) {
		if (v0 < lo)
			return NEVER;
		if (in)
			return lo == INT64_MIN ? NEVER : (v0 - lo) / s + 1;
		return (v0 - hi + s - 1) / s;
	}
	return NEVER;
}

/* One time-based condition: when it may change its truth, and whether it
 * holds now.  A condition that holds is reported with `holds` true. */
struct cond_time {
	bool holds;
	int64_t flip;
};

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* When a rule's truth may change, by time alone: for a rule that holds,
 * the first of its conditions to change; for one that does not, no sooner
 * than the last of its failing conditions to come true (NEVER when one of
 * them is not moved by time). */
static int64_t rule_change(const struct hk_conditions *c,
			   const struct hk_case_facts *f,
			   const int32_t *max_dpd, size_t n_buckets)
{
	struct cond_time t[8];
	size_t n = 0;
	int64_t first = NEVER, last = 0;
	bool holds = conditions_hold(c, f);
	int64_t dpd_slope = f->dpd > 0;

	if (c->buckets) {
		int64_t k = NEVER;

		if (dpd_slope && (size_t)f->bucket + 1 < n_buckets)
			k = (int64_t)max_dpd[f->bucket] - f->dpd + 1;
		t[n++] = (struct cond_time){c->buckets >> f->bucket & 1u, k};
	}
	if (c->dpd.set)
		t[n++] = (struct cond_time){in_range(&c->dpd, f->dpd),
					    flip_in(f->dpd, dpd_slope, c->dpd.lo,
						    c->dpd.hi)};
	if (c->total_overdue.set)
		t[n++] = (struct cond_time){
			in_range(&c->total_overdue, f->total_overdue),
			flip_in(f->total_overdue, f->overdue_daily,
				c->total_overdue.lo, c->total_overdue.hi)};
	if (c->days_since_contact.set)
		t[n++] = (struct cond_time){
			in_days(&c->days_since_contact, f->days_since_contact),
			f->days_since_contact < 0
				? NEVER
				: flip_in(f->days_since_contact, 1,
					  c->days_since_contact.lo,
					  c->days_since_contact.hi)};
	if (c->days_since_payment.set)
		t[n++] = (struct cond_time){
			in_days(&c->days_since_payment, f->days_since_payment),
			f->days_since_payment < 0
				? NEVER
				: flip_in(f->days_since_payment, 1,
					  c->days_since_payment.lo,
					  c->days_since_payment.hi)};
	if (c->days_to_due.set)
		t[n++] = (struct cond_time){
			f->days_to_due >= 0 &&
				in_range(&c->days_to_due, f->days_to_due),
			f->days_to_due < 0
				? NEVER
				: flip_in(f->days_to_due, -1, c->days_to_due.lo,
					  c->days_to_due.hi)};
	if (c->age.set)
		t[n++] = (struct cond_time){
			f->age >= 0 && in_range(&c->age, f->age),
			f->age >= 0 && f->birthday_in > 0 ? f->birthday_in
							  : NEVER};
	if (c->plans)
		t[n++] = (struct cond_time){
			c->plans >> (f->plan + 1) & 1u,
			f->plan == 0 && f->plan_change_in > 0 ? f->plan_change_in
							      : NEVER};
	for (size_t i = 0; i < n; i++) {
		first = min64(first, t[i].flip);
		if (!t[i].holds)
			last = t[i].flip > last ? t[i].flip : last;
	}
	if (holds)
		return first;
	/* Failing: some condition that time does not move fails too, or
	 * every failing one is timed (and the rule holds no sooner than the
	 * last of them comes true). */
	if (!untimed_hold(c, f))
		return NEVER;
	return last > 0 ? last : NEVER;
}

int32_t hk_strategy_steady_days(const struct hk_strategy *st,
				const struct hk_case_facts *f, int rule,
				const int32_t *max_dpd, size_t n_buckets)
{
	int64_t k = NEVER;

	for (int i = 0; i <= rule && (size_t)i < st->n_rules; i++)
		k = min64(k, rule_change(&st->rules[i].when, f, max_dpd,
					 n_buckets));
	return k >= INT32_MAX ? INT32_MAX : (int32_t)k;
}

const struct hk_alloc_route *hk_alloc_route_of(const struct hk_allocation *a,
					       const char *queue)
{
	for (size_t i = 0; i < a->n_routes; i++)
		if (!strcmp(a->routes[i].queue, queue))
			return &a->routes[i];
	return NULL;
}

/* ---- checking ---- */

static bool range_covers(const struct hk_range *outer,
			 const struct hk_range *inner)
{
	return !outer->set ||
	       (inner->set && inner->lo >= outer->lo && inner->hi <= outer->hi);
}

static bool bits_cover(unsigned outer, unsigned inner)
{
	return !outer || (inner && !(inner & ~outer));
}

static bool values_cover(const struct hk_values *outer,
			 const struct hk_values *inner)
{
	if (!outer->n)
		return true;
	if (!inner->n)
		return false;
	for (size_t i = 0; i < inner->n; i++)
		if (!in_values(outer, inner->v[i]))
			return false;
	return true;
}

/* Whether every case rule b's conditions take, rule a's take too (sound,
 * not complete: a shadow it cannot see by comparing condition by
 * condition goes unreported, a reported one is real). */
static bool covers(const struct hk_conditions *a, const struct hk_conditions *b)
{
	return bits_cover(a->buckets, b->buckets) &&
	       range_covers(&a->dpd, &b->dpd) &&
	       range_covers(&a->total_overdue, &b->total_overdue) &&
	       range_covers(&a->days_since_contact, &b->days_since_contact) &&
	       range_covers(&a->days_since_payment, &b->days_since_payment) &&
	       range_covers(&a->days_to_due, &b->days_to_due) &&
	       range_covers(&a->age, &b->age) &&
	       bits_cover(a->products, b->products) &&
	       values_cover(&a->creditors, &b->creditors) &&
	       values_cover(&a->segments, &b->segments) &&
	       values_cover(&a->provinces, &b->provinces) &&
	       bits_cover(a->promises, b->promises) &&
	       bits_cover(a->plans, b->plans) &&
	       (a->dispute_open < 0 || a->dispute_open == b->dispute_open) &&
	       (a->lost_contact < 0 || a->lost_contact == b->lost_contact) &&
	       bits_cover(a->outcomes_any, b->outcomes_any) &&
	       !(a->outcomes_none & ~b->outcomes_none);
}

static bool takes_all(const struct hk_conditions *c)
{
	static const struct hk_conditions any = {.dispute_open = -1,
						 .lost_contact = -1};

	return covers(c, &any);
}

static const char *range_problem(const struct hk_conditions *c)
{
	const struct hk_range *r[] = {&c->dpd, &c->total_overdue,
				      &c->days_since_contact,
				      &c->days_since_payment, &c->days_to_due,
				      &c->age};
	static const char *const names[] = {"dpd", "total_overdue",
					    "days_since_contact",
					    "days_since_payment", "days_to_due",
					    "age"};

	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (r[i]->set && (r[i]->lo > r[i]->hi || r[i]->hi < 0))
			return names[i];
	return NULL;
}

static enum hk_rc rule_error(struct hk_err *err, size_t i, const struct hk_rule *r,
			     const char *msg)
{
	return hk_err_set(err, HK_EINVAL, "rules[%zu] (%s): %s", i, r->id, msg);
}

enum hk_rc hk_strategy_check(const struct hk_strategy *st,
			     const int32_t *max_dpd, size_t n_buckets,
			     enum hk_lang lang, struct hk_err *err)
{
	char msg[200];

	if (!st->n_rules)
		return hk_err_set(err, HK_EINVAL, "%s",
				  HK_TR(lang, "策略至少需要一条规则",
					"a strategy needs at least one rule"));
	for (size_t i = 0; i < st->n_rules; i++) {
		const struct hk_rule *r = &st->rules[i];
		const struct hk_conditions *c = &r->when;
		const char *bad = range_problem(c);
		int share = 0;

		for (size_t j = 0; j < i; j++)
			if (!strcmp(st->rules[j].id, r->id))
				return rule_error(err, i, r,
						  HK_TR(lang, "规则编号重复",
							"the rule id is used twice"));
		if (bad) {
			snprintf(msg, sizeof(msg),
				 HK_TR(lang, "条件 %s 的范围为空（下限大于上限）",
				       "the range of %s is empty (its minimum is above its maximum)"),
				 bad);
			return rule_error(err, i, r, msg);
		}
		if (n_buckets < 32 && c->buckets >> n_buckets)
			return rule_error(err, i, r,
					  HK_TR(lang, "未知的账龄", "unknown bucket"));
		if (c->buckets && c->dpd.set) {
			/* the DPD range must meet one of the buckets' ranges */
			bool meets = false;

			for (size_t b = 0; b < n_buckets && !meets; b++) {
				int64_t lo = b ? (int64_t)max_dpd[b - 1] + 1 : 0;

				meets = (c->buckets >> b & 1u) &&
					c->dpd.lo <= max_dpd[b] && c->dpd.hi >= lo;
			}
			if (!meets)
				return rule_error(err, i, r,
						  HK_TR(lang, "逾期天数范围与所选账龄不相交，条件不可能成立",
							"the DPD range lies outside the buckets named: no case can match"));
		}
		if (c->outcomes_any && !(c->outcomes_any & ~c->outcomes_none))
			return rule_error(err, i, r,
					  HK_TR(lang, "outcomes_any 全部被 outcomes_none 排除，条件不可能成立",
						"every outcome of outcomes_any is in outcomes_none: no case can match"));
		for (size_t a = 0; a < r->n_arms; a++)
			share += r->arms[a].share;
		if (r->n_arms && share != 100)
			return rule_error(err, i, r,
					  HK_TR(lang, "各分组（arms）的比例之和须为 100",
						"the shares of the arms must add up to 100"));
		for (size_t j = 0; j < i; j++)
			if (covers(&st->rules[j].when, c)) {
				snprintf(msg, sizeof(msg),
					 HK_TR(lang, "被前面的规则 rules[%zu] (%s) 完全覆盖，永远不会命中",
					       "shadowed by the earlier rules[%zu] (%s): it can never match"),
					 j, st->rules[j].id);
				return rule_error(err, i, r, msg);
			}
	}
	if (!takes_all(&st->rules[st->n_rules - 1].when))
		return hk_err_set(err, HK_EINVAL, "%s",
				  HK_TR(lang, "最后一条规则须没有条件，使每个案件都有处置",
					"the last rule must have no conditions, so every case gets a treatment"));
	return HK_OK;
}
