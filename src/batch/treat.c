/*
 * treat.c - day-end's strategy and allocation step (issue 4; the design is
 * in docs/strategy.md, "At day-end").
 *
 * Reading every case every night would cost seconds at a million cases, so
 * only these are looked at: the cases whose facts changed since the last
 * day-end (marked by triggers, migration 23), and those whose treatment's
 * recheck date has come: the date a time-based fact (DPD, days since
 * contact, ...) may cross a rule's bound, from hk_strategy_steady_days,
 * or an allocation date (rotation, an absence starting or ending).  A new
 * version in force, or a new bucket table, looks at every case once.
 *
 * Decisions are gathered while the cases are read and written after, so
 * the read never sees its own writes.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hk/batch.h"

/* ---- the version in force ---- */

struct in_force {
	int64_t ref;
	char *body;
};

static int pick_published(void *ctx, const struct hk_strategy_version *v)
{
	struct in_force *f = ctx;

	/* newest first: the first published one is in force */
	if (!f->ref && !strcmp(v->status, "published") && v->body) {
		f->ref = v->ref;
		f->body = hk_malloc(strlen(v->body) + 1);
		memcpy(f->body, v->body, strlen(v->body) + 1);
	}
	return 0;
}

enum hk_rc hk_strategy_in_force(struct hk_store *s,
				const struct hk_bucket_table *buckets,
				int64_t *ref, struct hk_strategy *st,
				struct hk_err *err)
{
	struct in_force f = {0};
	enum hk_rc rc;

	*ref = 0;
	if ((rc = s->ops->strategies_scan(s, 0, true, pick_published, &f,
					  err)) != HK_OK)
		goto out;
	if (!f.ref)
		goto out;
	rc = hk_strategy_from_json(f.body, strlen(f.body), buckets, st, s->lang,
				   err);
	if (rc != HK_OK) {
		/* a version checked when published no longer fits the
		 * configured buckets: say which and what to do */
		char why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err->msg);
		rc = hk_err_set(err, HK_EREFUSED,
				HK_TR(s->lang,
				      "生效的策略版本 %lld 与当前账龄分组配置不符（%s）；请按现配置发布新版本",
				      "the strategy in force (version %lld) does not fit the configured buckets (%s); publish a version that does"),
				(long long)f.ref, why);
		goto out;
	}
	*ref = f.ref;
out:
	free(f.body);
	return rc;
}

/* ---- a case's facts ---- */

static int32_t local_date(int64_t at)
{
	time_t t = (time_t)at;
	struct tm tm;

	localtime_r(&t, &tm);
	return hk_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Days from `on` to the next birthday of the person whose 18-digit ID
 * number is `id`; -1 when unknown.  A 29 February birthday counts from 28
 * February in other years (soon enough: day-end then merely looks again). */
static int32_t birthday_in(const char *id, int32_t on)
{
	int y, m, d, oy, om, od;

	if (!id || strlen(id) != 18 ||
	    sscanf(id + 6, "%4d%2d%2d", &y, &m, &d) != 3 ||
	    !hk_date_valid_ymd(y, m, d))
		return -1;
	hk_date_to_ymd(on, &oy, &om, &od);
	for (int year = oy; year <= oy + 1; year++) {
		int dd = d;
		int32_t next;

		if (!hk_date_valid_ymd(year, m, dd))
			dd = 28;
		next = hk_date_from_ymd(year, m, dd);
		if (next > on)
			return next - on;
	}
	return -1;
}

void hk_case_facts_of(const struct hk_case_fact_row *r, int32_t as_of,
		      const struct hk_bucket_table *b, struct hk_case_facts *f)
{
	char code[32];
	const char *p = r->outcomes;
	bool person = r->kind && !strcmp(r->kind, "person");

	memset(f, 0, sizeof(*f));
	f->case_ref = r->case_ref;
	f->dpd = r->overdue_since < as_of ? as_of - r->overdue_since : 0;
	f->bucket = hk_bucket_of(b, f->dpd);
	f->total_overdue = r->total_overdue;
	f->overdue_daily = f->dpd > 0 ? r->due_daily : 0;
	f->products = r->products;
	f->creditor = r->creditor;
	f->segment = r->segment;
	f->province = r->province;
	f->promise = r->promise_status;
	f->plan = -1;
	f->plan_change_in = -1;
	f->dispute_open = r->dispute_open;
	f->lost_contact = r->lost_contact;
	f->days_since_contact =
		r->last_contact_at ? as_of - local_date(r->last_contact_at) : -1;
	if (f->days_since_contact < -1)
		f->days_since_contact = 0; /* recorded after the date asked */
	f->days_since_payment =
		r->last_paid_on != HK_DATE_NONE ? as_of - r->last_paid_on : -1;
	f->days_to_due = r->next_due != HK_DATE_NONE ? r->next_due - as_of : -1;
	f->age = person ? hk_id_age(r->id_number, as_of) : -1;
	f->birthday_in = person ? birthday_in(r->id_number, as_of) : -1;
	while (p && *p) {
		size_t n = strcspn(p, ",");
		int bit;

		snprintf(code, sizeof(code), "%.*s", (int)n, p);
		if ((bit = hk_outcome_bit(code)) >= 0)
			f->outcomes |= 1u << bit;
		p += n + (p[n] == ',');
	}
}

/* ---- allocation ---- */

struct collector {
	struct hk_collector_row row;
	int64_t weight; /* capacity, or the pool's mean stated capacity, in
			 * thousandths (best_collector) */
};

struct collectors {
	struct collector *c;
	size_t n, cap;
	bool loads; /* cases and overdue filled in */
};

static int add_collector(void *ctx, const struct hk_collector_row *r)
{
	struct collectors *cs = ctx;

	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? 2 * cs->cap : 16;
		cs->c = hk_realloc(cs->c, cap * sizeof(*cs->c));
		cs->cap = cap;
	}
	cs->c[cs->n++] = (struct collector){.row = *r};
	return 0;
}

static struct collector *collector_find(struct collectors *cs, int64_t ref)
{
	size_t lo = 0, hi = cs->n; /* by ref, as scanned */

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cs->c[mid].row.ref == ref)
			return &cs->c[mid];
		if (cs->c[mid].row.ref < ref)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool absent_on(const struct hk_collector_row *r, int32_t d)
{
	return r->absent_from != HK_DATE_NONE && d >= r->absent_from &&
	       (r->absent_until == HK_DATE_NONE || d <= r->absent_until);
}

static bool present(const struct collector *c, int32_t d)
{
	return c && c->row.active && !absent_on(&c->row, d);
}

enum move_kind { MOVE_RULE, MOVE_ROTATION, MOVE_ABSENCE, MOVE_RETURN };

static const char *const move_kind_name[] = {"rule", "rotation", "absence",
					     "return"};

/* A case to move: to `to` (a return), or to the best collector of a pool:
 * the teams of route `route`, or team `team`, without `exclude`. */
struct move {
	int64_t case_ref, from, to, team, exclude, held_for;
	int64_t amount;
	int route;  /* index into the allocation's routes; -1: `team` */
	enum move_kind kind;
};

struct moves {
	struct move *m;
	size_t n, cap;
};


/* ---- the run ---- */

enum what { KEEP, RECHECK, SAVE, CLEAR };

struct decision {
	int64_t case_ref;
	int64_t base; /* total overdue: a new stay's base (reports) */
	int32_t recheck_on;
	int16_t rule;
	int8_t arm;
	uint8_t what;
};

struct run {
	struct hk_store *s;
	const struct hk_config *cfg;
	const struct hk_strategy *st;
	int64_t strategy_ref;
	int32_t as_of;
	bool rerun; /* as_of was processed before */
	int64_t route_team[HK_ALLOC_MAX_ROUTES][HK_ALLOC_MAX_TEAMS]; /* 0: none */
	struct collectors cs;
	struct decision *d;
	size_t n, cap;
	struct moves moves;
	struct hk_eod_stats *stats;
	struct hk_err *err;
	enum hk_rc rc;
};

static bool ended(const char *status)
{
	static const char *const ends[] = {"paid_off", "settled", "written_off",
					   "closed", NULL};

	for (int i = 0; status && ends[i]; i++)
		if (!strcmp(status, ends[i]))
			return true;
	return false;
}

static int32_t add_days(int32_t d, int64_t k)
{
	return k >= INT32_MAX - (int64_t)d ? INT32_MAX : d + (int32_t)k;
}

static int32_t min32(int32_t a, int32_t b)
{
	return a < b ? a : b;
}

static void push_move(struct run *r, const struct move *m);

static bool route_has_team(const struct run *r, int route, int64_t team)
{
	for (size_t i = 0; team && i < HK_ALLOC_MAX_TEAMS; i++)
		if (r->route_team[route][i] == team)
			return true;
	return false;
}

/* A case moved today starts a new rotation clock. */
static int32_t after_move(const struct run *r, int32_t again)
{
	int n = r->st->allocation.rotate_after_days;

	return n > 0 ? min32(again, add_days(r->as_of, n)) : again;
}

/* What allocation does with one case; returns the date it must be looked
 * at again for allocation's sake (INT32_MAX: none). */
static int32_t allocate_case(struct run *r, const struct hk_case_fact_row *row,
			     const char *queue)
{
	const struct hk_allocation *al = &r->st->allocation;
	const struct hk_alloc_route *route = hk_alloc_route_of(al, queue);
	struct collector *cur = collector_find(&r->cs, row->collector_ref);
	int32_t d = r->as_of, again = INT32_MAX;
	struct move m = {.case_ref = row->case_ref, .from = row->collector_ref,
			 .amount = row->total_overdue, .route = -1,
			 .held_for = row->held_for};

	if (row->agency_ref)
		return INT32_MAX; /* placed: the agency works it */
	if (row->held_for) {
		struct collector *h = collector_find(&r->cs, row->held_for);

		if (!h || !h->row.active) {
			m.held_for = 0; /* gone for good: the holder keeps it */
		} else if (!absent_on(&h->row, d)) {
			m.to = h->row.ref;
			m.team = h->row.team_ref;
			m.held_for = 0;
			m.kind = MOVE_RETURN;
			push_move(r, &m);
			return after_move(r, INT32_MAX);
		} else if (h->row.absent_until != HK_DATE_NONE) {
			again = add_days(h->row.absent_until, 1);
		}
	}
	if (cur && cur->row.team_ref && !present(cur, d)) {
		/* the team works an absent (or departed) collector's cases,
		 * which go back the day after the absence */
		m.team = cur->row.team_ref;
		m.exclude = cur->row.ref;
		m.kind = MOVE_ABSENCE;
		if (cur->row.active && !m.held_for)
			m.held_for = cur->row.ref;
		if (cur->row.active && cur->row.absent_until != HK_DATE_NONE)
			again = min32(again, add_days(cur->row.absent_until, 1));
		push_move(r, &m);
		return after_move(r, again);
	}
	if (route && !route_has_team(r, (int)(route - al->routes), row->team_ref)) {
		m.route = (int)(route - al->routes);
		m.kind = MOVE_RULE;
		m.held_for = 0;
		push_move(r, &m);
		return after_move(r, INT32_MAX);
	}
	if (!cur && row->team_ref && (route || !row->collector_ref)) {
		/* a team's case without (a known) collector of it */
		m.team = row->team_ref;
		m.kind = MOVE_RULE;
		push_move(r, &m);
		return after_move(r, again);
	}
	if (cur && cur->row.absent_from != HK_DATE_NONE &&
	    cur->row.absent_from > d)
		again = min32(again, cur->row.absent_from);
	/* rotation is for cases in collection: a current one makes no
	 * "progress" to wait for */
	if (cur && al->rotate_after_days > 0 && cur->row.team_ref &&
	    row->overdue_since < d) {
		int32_t clock = row->assigned_on;

		if (row->last_paid_on != HK_DATE_NONE &&
		    (clock == HK_DATE_NONE || row->last_paid_on > clock))
			clock = row->last_paid_on;
		if (row->last_promise_on != HK_DATE_NONE &&
		    (clock == HK_DATE_NONE || row->last_promise_on > clock))
			clock = row->last_promise_on;
		if (clock != HK_DATE_NONE) {
			int32_t due = add_days(clock, al->rotate_after_days);

			if (due <= d) {
				m.team = cur->row.team_ref;
				m.exclude = cur->row.ref;
				m.kind = MOVE_ROTATION;
				push_move(r, &m);
				return after_move(r, again);
			}
			again = min32(again, due);
		}
	}
	return again;
}

static void push_move(struct run *r, const struct move *m)
{
	struct moves *ms = &r->moves;

	if (ms->n == ms->cap) {
		size_t cap = ms->cap ? 2 * ms->cap : 256;
		ms->m = hk_realloc(ms->m, cap * sizeof(*ms->m));
		ms->cap = cap;
	}
	ms->m[ms->n++] = *m;
}

static int decide(void *ctx, const struct hk_case_fact_row *row)
{
	struct run *r = ctx;
	struct hk_case_facts f;
	struct decision dec = {.case_ref = row->case_ref, .arm = -1,
			       .base = row->total_overdue};
	const struct hk_treatment *t;
	int arm, i;
	int32_t steady, again;

	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 4096;
		r->d = hk_realloc(r->d, cap * sizeof(*r->d));
		r->cap = cap;
	}
	r->stats->treated++;
	if (ended(row->status)) {
		if (row->strategy_ref) {
			dec.what = CLEAR;
			r->d[r->n++] = dec;
			r->stats->treat_ended++;
		}
		return 0;
	}
	hk_case_facts_of(row, r->as_of, &r->cfg->buckets, &f);
	if (row->has_plan) {
		int32_t next = HK_DATE_NONE;

		if ((r->rc = hk_plan_state(r->s, row->case_ref, r->as_of, &f.plan,
					   &next, r->err)) != HK_OK)
			return 1;
		if (next != HK_DATE_NONE)
			f.plan_change_in = next + 1 - r->as_of;
	}
	i = hk_strategy_match(r->st, &f, &arm);
	if (i < 0)
		return 0; /* a checked strategy ends with a catch-all */
	t = hk_strategy_treatment(r->st, i, arm);
	steady = hk_strategy_steady_days(r->st, &f, i, r->cfg->buckets.max_dpd,
					 (size_t)r->cfg->buckets.n);
	again = allocate_case(r, row, t->queue);
	dec.rule = (int16_t)i;
	dec.arm = (int8_t)arm;
	dec.recheck_on = min32(add_days(r->as_of, steady), again);
	if (row->strategy_ref != r->strategy_ref || row->rule_no != i ||
	    row->arm_no != arm) {
		dec.what = SAVE;
		r->stats->treat_changed++;
	} else {
		/* A later date than needed only costs a look that day; an
		 * earlier one, or one that has come, must be written. */
		dec.what = dec.recheck_on < row->recheck_on ||
					   row->recheck_on <= r->as_of
				   ? RECHECK
				   : KEEP;
	}
	if (dec.what != KEEP)
		r->d[r->n++] = dec;
	return 0;
}

static enum hk_rc write_decisions(struct run *r)
{
	enum hk_rc rc = HK_OK;

	for (size_t k = 0; k < r->n && rc == HK_OK; k++) {
		const struct decision *dec = &r->d[k];

		switch (dec->what) {
		case CLEAR:
			rc = r->s->ops->treatment_clear(r->s, dec->case_ref,
							r->as_of, r->rerun,
							r->err);
			break;
		case RECHECK:
			rc = r->s->ops->treatment_recheck(r->s, dec->case_ref,
							  dec->recheck_on,
							  r->err);
			break;
		case SAVE:
			rc = r->s->ops->treatment_save(
				r->s,
				&(struct hk_treatment_rec){
					.case_ref = dec->case_ref,
					.strategy_ref = r->strategy_ref,
					.rule_no = dec->rule,
					.arm_no = dec->arm,
					.priority = hk_strategy_treatment(
							    r->st, dec->rule,
							    dec->arm)
							    ->priority,
					.since = r->as_of,
					.recheck_on = dec->recheck_on,
					.base_overdue = dec->base},
				r->rerun, r->err);
			break;
		default:
			break;
		}
	}
	return rc;
}

/* The pool's members for a move: present collectors of the route's teams
 * or of the team, but not the one excluded. */
static bool in_pool(const struct run *r, const struct move *m,
		    const struct collector *c)
{
	if (!present(c, r->as_of) || !c->row.team_ref ||
	    c->row.ref == m->exclude)
		return false;
	return m->route >= 0 ? route_has_team(r, m->route, c->row.team_ref)
			     : c->row.team_ref == m->team;
}

/* Weights are capacities in thousandths, so an unstated capacity can be
 * the pool's mean stated one without fractions. */
#define WEIGHT_UNIT 1000
/* The scale of a load score (a share of the pool's mean is 1,000,000). */
#define SCORE_UNIT 1000000

/*
 * The collector of the pool with the lightest load after taking the case:
 * cases and overdue amount, each relative to the pool's mean per unit of
 * capacity, added (in integers: money stays in fen).  Collectors at a
 * stated capacity take no more while another has room.
 */
static struct collector *best_collector(struct run *r, const struct move *m)
{
	int64_t sum_w = 0, sum_n = 0, sum_a = 0, stated = 0, n_stated = 0;
	int64_t mean_w;
	__int128 best_score = 0;
	struct collector *best = NULL;
	bool room = false;

	for (size_t i = 0; i < r->cs.n; i++) {
		struct collector *c = &r->cs.c[i];

		if (in_pool(r, m, c) && c->row.capacity > 0) {
			stated += c->row.capacity;
			n_stated++;
		}
	}
	mean_w = n_stated ? stated * WEIGHT_UNIT / n_stated : WEIGHT_UNIT;
	for (size_t i = 0; i < r->cs.n; i++) {
		struct collector *c = &r->cs.c[i];

		if (!in_pool(r, m, c))
			continue;
		c->weight = c->row.capacity > 0
				    ? (int64_t)c->row.capacity * WEIGHT_UNIT
				    : mean_w;
		sum_w += c->weight;
		sum_n += c->row.cases;
		sum_a += c->row.overdue;
		if (c->row.capacity <= 0 || c->row.cases < c->row.capacity)
			room = true;
	}
	if (sum_w <= 0)
		return NULL;
	/* the pool's totals with this case counted */
	sum_n += 1;
	sum_a += m->amount;
	for (size_t i = 0; i < r->cs.n; i++) {
		struct collector *c = &r->cs.c[i];
		__int128 score;

		if (!in_pool(r, m, c) ||
		    (room && c->row.capacity > 0 && c->row.cases >= c->row.capacity))
			continue;
		/* (n + 1) / w ÷ (N / W) + (a + this) / w ÷ (A / W) */
		score = (__int128)(c->row.cases + 1) * sum_w * SCORE_UNIT /
			((__int128)c->weight * sum_n);
		if (sum_a > 0)
			score += (__int128)(c->row.overdue + m->amount) * sum_w *
				 SCORE_UNIT / ((__int128)c->weight * sum_a);
		if (!best || score < best_score) {
			best = c;
			best_score = score;
		}
	}
	return best;
}

/* Largest amounts first, so the small ones even out what is left. */
static int move_cmp(const void *pa, const void *pb)
{
	const struct move *a = pa, *b = pb;

	if (a->amount != b->amount)
		return a->amount > b->amount ? -1 : 1;
	return a->case_ref < b->case_ref ? -1 : a->case_ref > b->case_ref;
}

static int move_by_case(const void *pa, const void *pb)
{
	const struct move *a = pa, *b = pb;

	return (a->case_ref > b->case_ref) - (a->case_ref < b->case_ref);
}

static enum hk_rc write_moves(struct run *r)
{
	enum hk_rc rc;
	int64_t now = (int64_t)time(NULL);

	if (!r->moves.n)
		return HK_OK;
	/* the loads are needed now: read them again, with the cases */
	r->cs.n = 0;
	if ((rc = r->s->ops->collectors_scan(r->s, r->as_of, true,
					     add_collector, &r->cs, r->err)) !=
	    HK_OK)
		return rc;
	qsort(r->moves.m, r->moves.n, sizeof(*r->moves.m), move_cmp);
	/* decide every move first, in that order, then write them by case:
	 * the writes then walk the tables in order */
	for (size_t k = 0; k < r->moves.n; k++) {
		struct move *m = &r->moves.m[k];
		struct collector *to = m->to ? collector_find(&r->cs, m->to)
					     : best_collector(r, m);
		struct collector *from = collector_find(&r->cs, m->from);

		m->to = to && to->row.ref != m->from ? to->row.ref : 0;
		if (!m->to)
			continue; /* nobody to take it: it stays */
		m->team = to->row.team_ref;
		to->row.cases++;
		to->row.overdue += m->amount;
		if (from) {
			from->row.cases--;
			from->row.overdue -= m->amount;
		}
	}
	qsort(r->moves.m, r->moves.n, sizeof(*r->moves.m), move_by_case);
	for (size_t k = 0; k < r->moves.n; k++) {
		const struct move *m = &r->moves.m[k];

		if (!m->to)
			continue;
		rc = r->s->ops->case_allocate(
			r->s,
			&(struct hk_allocation_rec){
				.case_ref = m->case_ref,
				.from_collector = m->from,
				.collector_ref = m->to,
				.team_ref = m->team,
				.held_for = m->held_for,
				.on_date = r->as_of,
				.at = now,
				.kind = move_kind_name[m->kind]},
			r->err);
		if (rc != HK_OK)
			return rc;
		r->stats->allocated++;
	}
	return HK_OK;
}

static int resolve_team(void *ctx, int64_t ref, const char *name)
{
	struct run *r = ctx;
	const struct hk_allocation *al = &r->st->allocation;

	for (size_t q = 0; q < al->n_routes; q++)
		for (size_t t = 0; t < al->routes[q].n_teams; t++)
			if (!strcmp(al->routes[q].teams[t], name))
				r->route_team[q][t] = ref;
	return 0;
}

/* The DPD range a rule's bucket and DPD conditions allow: [0, INT32_MAX]
 * when it has none. */
static void rule_dpd_range(const struct hk_conditions *c,
			   const struct hk_bucket_table *b, int64_t *lo,
			   int64_t *hi)
{
	*lo = 0;
	*hi = INT32_MAX;
	if (c->buckets) {
		int first = -1, last = -1;

		for (int i = 0; i < b->n; i++)
			if (c->buckets >> i & 1u) {
				if (first < 0)
					first = i;
				last = i;
			}
		if (first >= 0) {
			*lo = first ? (int64_t)b->max_dpd[first - 1] + 1 : 0;
			*hi = last + 1 < b->n ? b->max_dpd[last] : INT32_MAX;
		}
	}
	if (c->dpd.set) {
		*lo = c->dpd.lo > *lo ? c->dpd.lo : *lo;
		*hi = c->dpd.hi < *hi ? c->dpd.hi : *hi;
	}
}

static void widen(int32_t *lo, int32_t *hi, int64_t l, int64_t h)
{
	if (l > h)
		return; /* the rule holds for no DPD */
	if (l < *lo)
		*lo = (int32_t)l;
	if (h > *hi)
		*hi = h > INT32_MAX ? INT32_MAX : (int32_t)h;
}

/*
 * The facts the rules in force (and allocation) test: the others are not
 * read.  The debtor's (age, segment, province) and the next due date are
 * read only for the cases whose DPD a rule testing them allows, or can
 * grow into: a rule that cannot hold at a case's DPD needs none of its
 * facts, and an event that changes the DPD otherwise marks the case.
 */
static struct hk_fact_need facts_needed(const struct hk_strategy *st,
					const struct hk_bucket_table *b)
{
	struct hk_fact_need need = {.debtor_lo = INT32_MAX, .debtor_hi = -1,
				    .due_lo = INT32_MAX, .due_hi = -1};

	for (size_t i = 0; i < st->n_rules; i++) {
		const struct hk_conditions *c = &st->rules[i].when;
		int64_t lo, hi;

		rule_dpd_range(c, b, &lo, &hi);
		if (c->dispute_open >= 0)
			need.bits |= HK_FACT_DISPUTE;
		if (c->days_since_contact.set)
			need.bits |= HK_FACT_CONTACT;
		if (c->days_since_payment.set)
			need.bits |= HK_FACT_PAID;
		if (c->days_to_due.set) {
			need.bits |= HK_FACT_NEXT_DUE;
			widen(&need.due_lo, &need.due_hi, lo, hi);
		}
		if (c->outcomes_any || c->outcomes_none)
			need.bits |= HK_FACT_OUTCOMES;
		if (c->plans)
			need.bits |= HK_FACT_PLAN;
		if (c->age.set || c->segments.n || c->provinces.n)
			widen(&need.debtor_lo, &need.debtor_hi, lo, hi);
	}
	/* rotation counts from the last payment or promise */
	if (st->allocation.rotate_after_days > 0)
		need.bits |= HK_FACT_PROGRESS;
	return need;
}

#define META_STRATEGY_RUN "strategy_run"

/* What the treatments were computed with: the version and the buckets. */
static void fingerprint(int64_t ref, const struct hk_bucket_table *b,
			char *out, size_t cap)
{
	size_t n = (size_t)snprintf(out, cap, "%lld", (long long)ref);

	for (int i = 0; i < b->n && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, ";%s:%d", b->name[i],
				      (int)b->max_dpd[i]);
}

enum hk_rc hk_treat_run(struct hk_store *s, const struct hk_config *cfg,
			int32_t as_of, bool rerun, struct hk_eod_stats *stats,
			struct hk_err *err)
{
	struct hk_strategy *st = hk_malloc(sizeof(*st));
	struct run r = {.s = s, .cfg = cfg, .st = st, .as_of = as_of,
			.rerun = rerun, .stats = stats, .err = err};
	char want[512], have[512] = "";
	struct hk_fact_need need;
	bool found = false;
	enum hk_rc rc;

	rc = hk_strategy_in_force(s, &cfg->buckets, &r.strategy_ref, st, err);
	if (rc == HK_EREFUSED) {
		/* the changed marks stay for when a fitting version comes */
		snprintf(stats->strategy_problem, sizeof(stats->strategy_problem),
			 "%s", err->msg);
		err->msg[0] = '\0';
		free(st);
		return HK_OK;
	}
	if (rc != HK_OK || !r.strategy_ref)
		goto out;
	stats->strategy_ref = r.strategy_ref;
	fingerprint(r.strategy_ref, &cfg->buckets, want, sizeof(want));
	if ((rc = s->ops->meta_get(s, META_STRATEGY_RUN, have, sizeof(have),
				   &found, err)) != HK_OK)
		goto out;
	stats->strategy_full = strcmp(want, have) != 0;
	if ((rc = s->ops->teams_scan(s, resolve_team, &r, err)) != HK_OK ||
	    (rc = s->ops->collectors_scan(s, as_of, false, add_collector, &r.cs,
					  err)) != HK_OK)
		goto out;
	need = facts_needed(st, &cfg->buckets);
	rc = s->ops->case_facts_scan(s, as_of, !stats->strategy_full, &need,
				     decide, &r, err);
	if (rc == HK_OK)
		rc = r.rc;
	/* each in bulk where the backend can (PostgreSQL: COPY): neither
	 * reads back what it writes */
	if (rc == HK_OK && (rc = hk_store_bulk_begin(s, err)) == HK_OK &&
	    (rc = write_decisions(&r)) == HK_OK)
		rc = hk_store_bulk_end(s, err);
	if (rc == HK_OK && (rc = hk_store_bulk_begin(s, err)) == HK_OK &&
	    (rc = write_moves(&r)) == HK_OK)
		rc = hk_store_bulk_end(s, err);
	/* after the moves, which mark the cases they move */
	if (rc == HK_OK)
		rc = s->ops->case_changes_clear(s, err);
	if (rc == HK_OK && stats->strategy_full)
		rc = s->ops->meta_set(s, META_STRATEGY_RUN, want, err);
out:
	if (rc == HK_OK && !r.strategy_ref)
		rc = s->ops->case_changes_clear(s, err);
	free(r.d);
	free(r.moves.m);
	free(r.cs.c);
	free(st);
	return rc;
}
