/*
 * dashboard.c - GET /api/dashboard: the figures a manager (or a team
 * leader, for the team) steers by, as of the last day-end, in the caller's
 * scope: overdue cases and amounts by bucket, the overdue trend over the
 * processed dates, the promises of the last 30 days, and each collector's
 * load and day.  The reports of issue 8 define and export more; these are
 * the dashboard's own, defined in docs/strategy.md ("The dashboard").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hk/ledger.h"
#include "http_int.h"

#define TREND_DAYS 90
#define PROMISE_DAYS 30

struct by_bucket {
	const struct hk_bucket_table *b;
	int32_t as_of;
	int64_t cases[HK_BUCKETS_MAX], due[HK_BUCKETS_MAX];
};

static int count_overdue(void *ctx, int32_t since, int64_t due)
{
	struct by_bucket *bb = ctx;
	int b = hk_bucket_of(bb->b, since < bb->as_of ? bb->as_of - since : 0);

	bb->cases[b]++;
	bb->due[b] += due;
	return 0;
}

/* The trend, and its first day's total overdue (the recovery's base). */
struct trend {
	json_t *days;
	int64_t first_due;
	bool has_first;
};

static int add_trend(void *ctx, int32_t date, int64_t accounts, int64_t due)
{
	struct trend *tr = ctx;
	char d[HK_DATE_BUFSZ], money[HK_MONEY_BUFSZ];

	if (!tr->has_first) {
		tr->first_due = due;
		tr->has_first = true;
	}
	hk_date_format(date, d);
	hk_money_format(due, money);
	json_array_append_new(tr->days, json_pack("{s:s, s:I, s:s}", "date", d,
					     "overdue_accounts",
					     (json_int_t)accounts,
					     "total_overdue", money));
	return 0;
}

static int add_collector(void *ctx, const struct hk_collector_figures *f)
{
	char money[HK_MONEY_BUFSZ];

	hk_money_format(f->total_overdue, money);
	json_array_append_new(
		ctx, json_pack("{s:I, s:s, s:s, s:o, s:I, s:I, s:s, s:I, s:I}",
			       "id", (json_int_t)f->ref, "username", f->username,
			       "display_name", f->display_name, "team_id",
			       f->team_ref ? json_integer(f->team_ref)
					   : json_null(),
			       "cases", (json_int_t)f->cases, "overdue_cases",
			       (json_int_t)f->overdue_cases, "total_overdue",
			       money, "contacts_today",
			       (json_int_t)f->contacts_today, "promises_today",
			       (json_int_t)f->promises_today));
	return 0;
}

/* The kept share of the promises that have come to a verdict, as a
 * decimal text with two places ("0.53"); null when none has. */
static json_t *kept_rate(int64_t kept, int64_t broken)
{
	char text[32];
	int64_t done = kept + broken, hundredths;

	if (!done)
		return json_null();
	hundredths = (kept * 100 + done / 2) / done;
	snprintf(text, sizeof(text), "%lld.%02lld", (long long)(hundredths / 100),
		 (long long)(hundredths % 100));
	return json_string(text);
}

/* num ÷ den as a decimal text with four places ("0.0350"), half up;
 * null when den is 0. */
static json_t *share(int64_t num, int64_t den)
{
	char text[48];
	int64_t q;

	if (den <= 0)
		return json_null();
	q = (num * 10000 + den / 2) / den;
	snprintf(text, sizeof(text), "%lld.%04lld", (long long)(q / 10000),
		 (long long)(q % 10000));
	return json_string(text);
}

static json_t *money_json(int64_t fen)
{
	char money[HK_MONEY_BUFSZ];

	hk_money_format(fen, money);
	return json_string(money);
}

/* ---- recovery and rankings ------------------------------------------
 * One pass over the payments of [lo, hi] (the union of the trend's and
 * the rankings' periods) gives both the recovery per day (trend period)
 * and each collector's recovered amount (rankings' period). */

#define MAX_DAYS 1100 /* the periods are at most about three years */
#define MAX_PEOPLE 2048

struct person {
	int64_t ref, team_ref;
	char username[65], display_name[129];
	int64_t recovered, payments;
	int64_t promises[3], promised[3]; /* by status: count, amount */
};

struct team_row {
	int64_t ref;
	char name[129];
	int64_t recovered, payments, promises[3], promised[3];
};

struct recovery {
	int32_t t_from, t_to, r_from, r_to;
	int64_t day_payments[MAX_DAYS], day_amount[MAX_DAYS];
	int64_t recovered, payments;           /* trend period */
	int64_t r_recovered, r_payments;       /* rankings' period, all */
	struct person *people;
	int n_people;
	struct team_row *teams;
	int n_teams;
};

static struct person *person_of(struct recovery *rc, int64_t ref)
{
	for (int i = 0; i < rc->n_people; i++)
		if (rc->people[i].ref == ref)
			return &rc->people[i];
	return NULL;
}

static int add_payment_day(void *ctx, int32_t date, int64_t collector_ref,
			   int64_t payments, int64_t amount)
{
	struct recovery *rc = ctx;
	struct person *p;

	if (date >= rc->t_from && date <= rc->t_to &&
	    date - rc->t_from < MAX_DAYS) {
		rc->day_payments[date - rc->t_from] += payments;
		rc->day_amount[date - rc->t_from] += amount;
		rc->recovered += amount;
		rc->payments += payments;
	}
	if (date >= rc->r_from && date <= rc->r_to) {
		rc->r_recovered += amount;
		rc->r_payments += payments;
		if ((p = person_of(rc, collector_ref))) {
			p->recovered += amount;
			p->payments += payments;
		}
	}
	return 0;
}

static int add_taker(void *ctx, int64_t user_ref, int status,
		     int64_t promises, int64_t amount)
{
	struct person *p = person_of(ctx, user_ref);

	if (p && status >= 0 && status < 3) {
		p->promises[status] += promises;
		p->promised[status] += amount;
	}
	return 0;
}

static int add_person(void *ctx, const struct hk_collector_figures *f)
{
	struct recovery *rc = ctx;
	struct person *p;

	if (rc->n_people == MAX_PEOPLE)
		return 0;
	p = &rc->people[rc->n_people++];
	memset(p, 0, sizeof(*p));
	p->ref = f->ref;
	p->team_ref = f->team_ref;
	snprintf(p->username, sizeof(p->username), "%s", f->username);
	snprintf(p->display_name, sizeof(p->display_name), "%s",
		 f->display_name ? f->display_name : "");
	return 0;
}

static int add_team(void *ctx, int64_t ref, const char *name)
{
	struct recovery *rc = ctx;
	struct team_row *t;

	if (rc->n_teams == MAX_PEOPLE)
		return 0;
	t = &rc->teams[rc->n_teams++];
	memset(t, 0, sizeof(*t));
	t->ref = ref;
	snprintf(t->name, sizeof(t->name), "%s", name);
	return 0;
}

static void free_recovery(struct recovery *rec)
{
	if (!rec)
		return;
	free(rec->people);
	free(rec->teams);
	free(rec);
}

/* Rankings: most recovered first, then the id (a stable order for
 * equal figures). */
static int by_recovered(const void *a, const void *b)
{
	const struct person *x = a, *y = b;

	if (x->recovered != y->recovered)
		return x->recovered > y->recovered ? -1 : 1;
	return x->ref < y->ref ? -1 : x->ref > y->ref;
}

static int teams_by_recovered(const void *a, const void *b)
{
	const struct team_row *x = a, *y = b;

	if (x->recovered != y->recovered)
		return x->recovered > y->recovered ? -1 : 1;
	return x->ref < y->ref ? -1 : x->ref > y->ref;
}

static json_t *promise_fields(json_t *o, const int64_t promises[3],
			      const int64_t promised[3])
{
	json_object_set_new(o, "promises_taken",
			    json_integer(promises[0] + promises[1] + promises[2]));
	json_object_set_new(o, "promises_kept",
			    json_integer(promises[HK_PROMISE_KEPT]));
	json_object_set_new(o, "promises_broken",
			    json_integer(promises[HK_PROMISE_BROKEN]));
	json_object_set_new(o, "kept_amount",
			    money_json(promised[HK_PROMISE_KEPT]));
	json_object_set_new(o, "kept_rate",
			    kept_rate(promises[HK_PROMISE_KEPT],
				      promises[HK_PROMISE_BROKEN]));
	return o;
}

static json_t *rankings_json(struct recovery *rc)
{
	json_t *people = json_array(), *teams = json_array();
	char f[HK_DATE_BUFSZ], t[HK_DATE_BUFSZ];
	int rank = 0;

	/* a team's figures are its active collectors' */
	for (int i = 0; i < rc->n_people; i++)
		for (int j = 0; j < rc->n_teams; j++) {
			struct team_row *tr = &rc->teams[j];
			struct person *p = &rc->people[i];

			if (tr->ref != p->team_ref)
				continue;
			tr->recovered += p->recovered;
			tr->payments += p->payments;
			for (int k = 0; k < 3; k++) {
				tr->promises[k] += p->promises[k];
				tr->promised[k] += p->promised[k];
			}
		}
	qsort(rc->people, rc->n_people, sizeof(*rc->people), by_recovered);
	qsort(rc->teams, rc->n_teams, sizeof(*rc->teams), teams_by_recovered);
	for (int i = 0; i < rc->n_people; i++) {
		struct person *p = &rc->people[i];

		json_array_append_new(
			people,
			promise_fields(
				json_pack("{s:i, s:I, s:s, s:s, s:o, s:o, s:I}",
					  "rank", i + 1, "id", (json_int_t)p->ref,
					  "username", p->username,
					  "display_name", p->display_name,
					  "team_id",
					  p->team_ref ? json_integer(p->team_ref)
						      : json_null(),
					  "recovered", money_json(p->recovered),
					  "payments", (json_int_t)p->payments),
				p->promises, p->promised));
	}
	for (int i = 0; i < rc->n_teams; i++) {
		struct team_row *tr = &rc->teams[i];
		bool has_people = false;

		for (int j = 0; j < rc->n_people && !has_people; j++)
			has_people = rc->people[j].team_ref == tr->ref;
		if (!has_people) /* outside the scope, or nobody in it */
			continue;
		json_array_append_new(
			teams,
			promise_fields(
				json_pack("{s:i, s:I, s:s, s:o, s:I}", "rank",
					  ++rank, "id", (json_int_t)tr->ref,
					  "name", tr->name, "recovered",
					  money_json(tr->recovered), "payments",
					  (json_int_t)tr->payments),
				tr->promises, tr->promised));
	}
	hk_date_format(rc->r_from, f);
	hk_date_format(rc->r_to, t);
	return json_pack("{s:s, s:s, s:o, s:o, s:o}", "from", f, "to", t,
			 "recovered", money_json(rc->r_recovered), "collectors",
			 people, "teams", teams);
}

/* The recovery trend: every date of the period with a payment, and the
 * period's total against the whole portfolio's overdue at its first
 * processed date (only unnarrowed: day_totals are the portfolio's). */
static json_t *recovery_json(struct recovery *rc, const struct trend *tr,
			     bool whole)
{
	json_t *days = json_array(), *start = json_null(), *rate = json_null();
	char f[HK_DATE_BUFSZ], t[HK_DATE_BUFSZ], d[HK_DATE_BUFSZ];

	for (int32_t i = 0; i <= rc->t_to - rc->t_from && i < MAX_DAYS; i++) {
		if (!rc->day_payments[i])
			continue;
		hk_date_format(rc->t_from + i, d);
		json_array_append_new(
			days, json_pack("{s:s, s:I, s:o}", "date", d, "payments",
					(json_int_t)rc->day_payments[i], "amount",
					money_json(rc->day_amount[i])));
	}
	if (whole && tr->has_first) {
		start = money_json(tr->first_due);
		rate = share(rc->recovered, tr->first_due);
	}
	hk_date_format(rc->t_from, f);
	hk_date_format(rc->t_to, t);
	return json_pack("{s:s, s:s, s:I, s:o, s:o, s:o, s:o}", "from", f, "to",
			 t, "payments", (json_int_t)rc->payments, "recovered",
			 money_json(rc->recovered), "overdue_at_start", start,
			 "rate", rate, "days", days);
}

/* ---- roll rates -----------------------------------------------------
 * For each of the last completed months (the last processed date of a
 * month stands for its month-end): where the accounts of each bucket at
 * the previous month-end stand at this one, by account count. */

#define ROLL_MONTHS 6

struct roll {
	const struct hk_bucket_table *b;
	int64_t start[HK_BUCKETS_MAX];
	int64_t moved[HK_BUCKETS_MAX][HK_BUCKETS_MAX];
	int64_t unknown;
};

static int bucket_index(const struct hk_bucket_table *b, const char *name)
{
	for (int i = 0; i < b->n; i++)
		if (!strcmp(b->name[i], name))
			return i;
	return -1;
}

static int add_census(void *ctx, const char *bucket, int64_t accounts)
{
	struct roll *r = ctx;
	int i = bucket_index(r->b, bucket);

	if (i >= 0)
		r->start[i] += accounts;
	else
		r->unknown += accounts;
	return 0;
}

static int add_move(void *ctx, const char *from, const char *to, int64_t n)
{
	struct roll *r = ctx;
	int i = bucket_index(r->b, from), j = bucket_index(r->b, to);

	if (i >= 0 && j >= 0 && i != j)
		r->moved[i][j] += n;
	return 0;
}

static json_t *roll_month_json(const struct roll *r, int32_t from, int32_t to)
{
	json_t *rows = json_array();
	char f[HK_DATE_BUFSZ], t[HK_DATE_BUFSZ];

	for (int i = 0; i < r->b->n; i++) {
		json_t *cells = json_array();
		int64_t out = 0, forward = 0, back = 0, cured = 0, stayed;

		for (int j = 0; j < r->b->n; j++) {
			out += r->moved[i][j];
			if (j > i)
				forward += r->moved[i][j];
			else if (j < i)
				back += r->moved[i][j];
		}
		cured = i > 0 ? r->moved[i][0] : 0;
		/* an account that left and came back stayed */
		stayed = r->start[i] > out ? r->start[i] - out : 0;
		for (int j = 0; j < r->b->n; j++)
			json_array_append_new(
				cells,
				json_pack("{s:s, s:I}", "bucket", r->b->name[j],
					  "accounts",
					  (json_int_t)(j == i ? stayed
							      : r->moved[i][j])));
		json_array_append_new(
			rows,
			json_pack("{s:s, s:I, s:o, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o}",
				  "bucket", r->b->name[i], "accounts",
				  (json_int_t)r->start[i], "to", cells,
				  "forward", (json_int_t)forward, "stayed",
				  (json_int_t)stayed, "back", (json_int_t)back,
				  "cured", (json_int_t)cured, "forward_rate",
				  share(forward, r->start[i]), "stay_rate",
				  share(stayed, r->start[i]), "back_rate",
				  share(back, r->start[i]), "cure_rate",
				  i > 0 ? share(cured, r->start[i])
					: json_null()));
	}
	hk_date_format(from, f);
	hk_date_format(to, t);
	return json_pack("{s:s, s:s, s:o}", "from", f, "to", t, "rows", rows);
}

static enum hk_rc roll_rates(struct hk_req *req, const struct hk_scope *sc,
			     const struct hk_dash_filter *df, int32_t as_of,
			     json_t **out, struct hk_err *err)
{
	struct hk_store *s = req->store;
	const struct hk_bucket_table *b = &req->cfg->buckets;
	int32_t ends[ROLL_MONTHS + 2];
	int n = 0, y, m, d, skip = 0;
	enum hk_rc rc;

	*out = json_array();
	if ((rc = s->ops->month_ends(s, as_of, ROLL_MONTHS + 2, ends, &n, err)) !=
	    HK_OK)
		return rc;
	/* the month in progress is no month-end yet */
	if (n > 0) {
		hk_date_to_ymd(ends[0] + 1, &y, &m, &d);
		skip = d != 1;
	}
	for (int i = skip; i + 1 < n && i < skip + ROLL_MONTHS; i++) {
		struct roll r = {.b = b};

		if ((rc = s->ops->bucket_census(s, sc, df, ends[i + 1], b->name[0],
						add_census, &r, err)) != HK_OK ||
		    (rc = s->ops->bucket_moves(s, sc, df, ends[i + 1], ends[i],
					       add_move, &r, err)) != HK_OK)
			return rc;
		json_array_append_new(*out, roll_month_json(&r, ends[i + 1], ends[i]));
	}
	return HK_OK;
}

/* A date query parameter; false once it has answered 400. */
static bool query_date(struct hk_req *req, const char *name, int32_t *out)
{
	const char *v = hk_req_query(req, name);

	if (!v)
		return true;
	if (hk_date_parse(v, strlen(v), out) == HK_OK)
		return true;
	hk_reply_error(req, HK_EINVAL, 400,
		       HK_TR(req->lang, "日期须为 YYYY-MM-DD", "dates are YYYY-MM-DD"));
	return false;
}

/* The filters: team (a manager's or admin's narrowing; a team leader's is
 * theirs), creditor, product, and the period [from, to] of the trend and
 * the promises.  false once it has answered 400. */
static bool filters(struct hk_req *req, struct hk_scope *scope,
		    struct hk_dash_filter *df, int32_t *from, int32_t *to)
{
	const char *team = hk_req_query(req, "team"),
		   *product = hk_req_query(req, "product");
	char *end = NULL;
	long long t = team ? strtoll(team, &end, 10) : 0;
	int p = product ? hk_product_parse(product, strlen(product)) : -1;

	df->creditor = hk_req_query(req, "creditor");
	df->products = p >= 0 ? 1u << p : 0;
	if ((team && (*end || t <= 0 || (!scope->all && t != scope->team_ref))) ||
	    (product && p < 0)) {
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang,
				     "team 须为小组编号（组长只能是本组），product 须为产品名称",
				     "team must be a team id (a team leader's own), product a product name"));
		return false;
	}
	if (team) {
		scope->all = false;
		scope->team_ref = t;
	}
	if (!query_date(req, "from", from) || !query_date(req, "to", to))
		return false;
	if (*from > *to) {
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang, "from 不能晚于 to", "from is after to"));
		return false;
	}
	return true;
}

void hk_h_dashboard(struct hk_req *req)
{
	struct hk_store *s = req->store;
	struct by_bucket bb = {.b = &req->cfg->buckets};
	struct hk_scope scope;
	struct hk_dash_filter df = {0};
	struct hk_err err = {0};
	json_t *buckets, *trend, *collectors, *rolls = NULL;
	struct trend tr = {0};
	struct recovery *rec = NULL;
	bool whole;
	int64_t promises[3];
	int32_t today = hk_today(), from = HK_DATE_NONE, to = HK_DATE_NONE;
	int32_t p_from, p_to, t_from, t_to;
	time_t now = time(NULL);
	struct tm tm;
	char date[HK_DATE_BUFSZ], money[HK_MONEY_BUFSZ];
	const char *parts;
	bool base_only;

	/* the debtors' day starts at local midnight (the server's zone) */
	localtime_r(&now, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	hk_scope_of(&req->user, &scope);
	if (!filters(req, &scope, &df, &from, &to))
		return;
	parts = hk_req_query(req, "parts");
	if (parts && strcmp(parts, "base") && strcmp(parts, "all")) {
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang, "parts 只能是 base 或 all",
				     "parts must be base or all"));
		return;
	}
	base_only = parts && !strcmp(parts, "base");
	if (hk_store_meta_date(s, HK_META_LAST_EOD, &bb.as_of, &err) != HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	if (bb.as_of == HK_DATE_NONE)
		bb.as_of = today;
	/* the period: given, else the last 90 day-ends and 30 days of
	 * promises */
	t_to = to != HK_DATE_NONE ? to : bb.as_of;
	t_from = from != HK_DATE_NONE ? from : t_to - TREND_DAYS;
	p_to = to != HK_DATE_NONE ? to : today;
	p_from = from != HK_DATE_NONE ? from : p_to - PROMISE_DAYS;
	buckets = json_array();
	trend = tr.days = json_array();
	collectors = json_array();
	whole = scope.all && !df.creditor && !df.products;
	rec = hk_calloc(1, sizeof(*rec));
	rec->people = hk_calloc(MAX_PEOPLE, sizeof(*rec->people));
	rec->teams = hk_calloc(MAX_PEOPLE, sizeof(*rec->teams));
	rec->t_from = t_from;
	rec->t_to = t_to < t_from + MAX_DAYS - 1 ? t_to : t_from + MAX_DAYS - 1;
	rec->r_from = p_from;
	rec->r_to = p_to;
	if (s->ops->overdue_scan(s, &scope, bb.as_of, &df, count_overdue, &bb,
				 &err) != HK_OK ||
	    s->ops->overdue_trend(s, t_from, t_to, add_trend, &tr, &err) !=
		    HK_OK ||
	    s->ops->collector_figures(s, &scope, bb.as_of, (int64_t)mktime(&tm),
				      today, add_person, rec, &err) != HK_OK ||
	    s->ops->teams_scan(s, add_team, rec, &err) != HK_OK ||
	    (!base_only &&
	     (s->ops->recovery_scan(s, &scope, t_from < p_from ? t_from : p_from,
				    t_to > p_to ? t_to : p_to, &df,
				    bb.b->name[0], add_payment_day, rec,
				    &err) != HK_OK ||
	      s->ops->promise_takers(s, &scope, p_from, p_to, &df, add_taker,
				     rec, &err) != HK_OK ||
	      roll_rates(req, &scope, &df, bb.as_of, &rolls, &err) != HK_OK)) ||
	    s->ops->promise_counts(s, &scope, p_from, p_to, &df, promises,
				   &err) != HK_OK ||
	    s->ops->collector_figures(s, &scope, bb.as_of, (int64_t)mktime(&tm),
				      today, add_collector, collectors,
				      &err) != HK_OK)
		goto fail;
	/* overdue cases only: the first bucket is the current one */
	for (int b = 1; b < bb.b->n; b++) {
		hk_money_format(bb.due[b], money);
		json_array_append_new(buckets,
				      json_pack("{s:s, s:I, s:s}", "bucket",
						bb.b->name[b], "cases",
						(json_int_t)bb.cases[b],
						"total_overdue", money));
	}
	hk_date_format(bb.as_of, date);
	{
		char pf[HK_DATE_BUFSZ], pt[HK_DATE_BUFSZ];

		hk_date_format(p_from, pf);
		hk_date_format(p_to, pt);
		hk_reply(req, 200,
		 json_pack("{s:s, s:o, s:o, s:{s:s, s:s, s:I, s:I, s:I, s:I, s:o}, s:o, s:o, s:o, s:o}",
			   "as_of", date, "buckets", buckets, "trend", trend,
			   "promises", "from", pf, "to", pt, "taken",
			   (json_int_t)(promises[0] + promises[1] + promises[2]),
			   "kept", (json_int_t)promises[HK_PROMISE_KEPT],
			   "broken", (json_int_t)promises[HK_PROMISE_BROKEN],
			   "pending", (json_int_t)promises[HK_PROMISE_PENDING],
			   "kept_rate",
			   kept_rate(promises[HK_PROMISE_KEPT],
				     promises[HK_PROMISE_BROKEN]),
			   "collectors", collectors,
			   "recovery", base_only ? json_null()
						 : recovery_json(rec, &tr, whole),
			   "rankings", base_only ? json_null() : rankings_json(rec),
			   "roll_rates", base_only ? json_null() : rolls));
	}
	free_recovery(rec);
	return;
fail:
	free_recovery(rec);
	json_decref(rolls);
	json_decref(buckets);
	json_decref(trend);
	json_decref(collectors);
	hk_reply_error(req, HK_EDB, 503, NULL);
}
