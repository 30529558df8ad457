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

static int add_trend(void *ctx, int32_t date, int64_t accounts, int64_t due)
{
	char d[HK_DATE_BUFSZ], money[HK_MONEY_BUFSZ];

	hk_date_format(date, d);
	hk_money_format(due, money);
	json_array_append_new(ctx, json_pack("{s:s, s:I, s:s}", "date", d,
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
	json_t *buckets, *trend, *collectors;
	int64_t promises[3];
	int32_t today = hk_today(), from = HK_DATE_NONE, to = HK_DATE_NONE;
	int32_t p_from, p_to, t_from, t_to;
	time_t now = time(NULL);
	struct tm tm;
	char date[HK_DATE_BUFSZ], money[HK_MONEY_BUFSZ];

	/* the debtors' day starts at local midnight (the server's zone) */
	localtime_r(&now, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	hk_scope_of(&req->user, &scope);
	if (!filters(req, &scope, &df, &from, &to))
		return;
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
	trend = json_array();
	collectors = json_array();
	if (s->ops->overdue_scan(s, &scope, bb.as_of, &df, count_overdue, &bb,
				 &err) != HK_OK ||
	    s->ops->overdue_trend(s, t_from, t_to, add_trend, trend, &err) !=
		    HK_OK ||
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
		 json_pack("{s:s, s:o, s:o, s:{s:s, s:s, s:I, s:I, s:I, s:I, s:o}, s:o}",
			   "as_of", date, "buckets", buckets, "trend", trend,
			   "promises", "from", pf, "to", pt, "taken",
			   (json_int_t)(promises[0] + promises[1] + promises[2]),
			   "kept", (json_int_t)promises[HK_PROMISE_KEPT],
			   "broken", (json_int_t)promises[HK_PROMISE_BROKEN],
			   "pending", (json_int_t)promises[HK_PROMISE_PENDING],
			   "kept_rate",
			   kept_rate(promises[HK_PROMISE_KEPT],
				     promises[HK_PROMISE_BROKEN]),
			   "collectors", collectors));
	}
	return;
fail:
	json_decref(buckets);
	json_decref(trend);
	json_decref(collectors);
	hk_reply_error(req, HK_EDB, 503, NULL);
}
