/*
 * reports.c - the reports of issue 8 (docs/reports.md), built from what
 * day-end recorded (report_snap.c) into one struct hk_report each, which
 * the API, the CLI and the screen show as JSON, CSV or XLSX alike.
 *
 * Every report reads small tables: the day's aging per combination of the
 * dimensions, the month-end rolls, the payments per day, combination and
 * bucket, the desk's work per day and person, the stays in a rule's arms.
 * A filter on a dimension picks combinations; a breakdown groups them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hk/io.h"
#include "hk/ledger.h"
#include "hk/report.h"
#include "hk/reports.h"
#include "hk/strategy.h"

#define TR(zh, en) HK_TR(b->lang, zh, en)

/* ---- the context a report is built in ------------------------------- */

struct dimrow {
	bool used, ok;
	char *creditor, *product, *province, *segment;
	int64_t team, collector, agency, strategy;
	int rule, arm;
};

struct named {
	int64_t ref;
	char *name;
	int64_t team; /* users: their team */
};

struct names {
	struct named *v;
	size_t n, cap;
};

struct build {
	struct hk_store *s;
	const struct hk_config *cfg;
	const struct hk_report_query *q;
	enum hk_lang lang;
	struct hk_err *err;
	struct dimrow *dim;
	size_t n_dim;
	struct names users, teams, agencies, strategies;
	struct hk_report *r;
};

static char *dup_s(const char *s)
{
	return hk_strndup(s ? s : "", s ? strlen(s) : 0);
}

static void names_add(struct names *nm, int64_t ref, const char *name,
		      int64_t team)
{
	if (nm->n == nm->cap) {
		nm->cap = nm->cap ? 2 * nm->cap : 64;
		nm->v = hk_realloc(nm->v, nm->cap * sizeof(*nm->v));
	}
	nm->v[nm->n++] = (struct named){ref, dup_s(name), team};
}

static const struct named *names_find(const struct names *nm, int64_t ref)
{
	for (size_t i = 0; i < nm->n; i++)
		if (nm->v[i].ref == ref)
			return &nm->v[i];
	return NULL;
}

static void names_free(struct names *nm)
{
	for (size_t i = 0; i < nm->n; i++)
		free(nm->v[i].name);
	free(nm->v);
}

static int add_user(void *ctx, const struct hk_user *u)
{
	names_add(ctx, u->ref, u->display_name[0] ? u->display_name : u->username,
		  u->team_ref);
	return 0;
}

static int add_named(void *ctx, int64_t ref, const char *name)
{
	names_add(ctx, ref, name, 0);
	return 0;
}

/* Strategy versions with their rules' names: "name" of the version,
 * rule names kept as "ref/rule" entries (team field: the rule number). */
static int add_strategy(void *ctx, const struct hk_strategy_version *v)
{
	struct build *b = ctx;
	struct hk_strategy *st = hk_calloc(1, sizeof(*st));
	struct hk_err e = {0};

	names_add(&b->strategies, v->ref, v->name, -1);
	if (v->body &&
	    hk_strategy_from_json(v->body, strlen(v->body), &b->cfg->buckets, st,
				  b->lang, &e) == HK_OK) {
		for (size_t i = 0; i < st->n_rules; i++) {
			names_add(&b->strategies, v->ref,
				  st->rules[i].name[0] ? st->rules[i].name
						       : st->rules[i].id,
				  (int64_t)i);
			for (size_t a = 0; a < st->rules[i].n_arms; a++) {
				char key[HK_STRATEGY_TEXT + 32];

				/* arms: team = 1000 * (rule + 1) + arm */
				snprintf(key, sizeof(key), "%s",
					 st->rules[i].arms[a].name);
				names_add(&b->strategies, v->ref, key,
					  1000 * ((int64_t)i + 1) + (int64_t)a);
			}
		}
	}
	free(st);
	return 0;
}

static const char *strategy_text(const struct build *b, int64_t ref,
				 int64_t which)
{
	for (size_t i = 0; i < b->strategies.n; i++)
		if (b->strategies.v[i].ref == ref &&
		    b->strategies.v[i].team == which)
			return b->strategies.v[i].name;
	return NULL;
}

static bool text_ok(const char *want, const char *have)
{
	return !want || !*want || strcmp(want, have) == 0;
}

static bool dim_ok(const struct hk_report_query *q, const struct hk_rdims *d)
{
	return text_ok(q->creditor, d->creditor) &&
	       text_ok(q->product, d->product) &&
	       text_ok(q->province, d->province) &&
	       text_ok(q->segment, d->segment) &&
	       (!q->team_ref || q->team_ref == d->team_ref) &&
	       (!q->collector_ref || q->collector_ref == d->collector_ref) &&
	       (!q->agency_ref || q->agency_ref == d->agency_ref) &&
	       (!q->strategy_ref || q->strategy_ref == d->strategy_ref) &&
	       (q->rule_no < 0 || q->rule_no == d->rule_no) &&
	       (q->arm_no < 0 || q->arm_no == d->arm_no);
}

static int add_dim(void *ctx, const struct hk_rdims *d)
{
	struct build *b = ctx;

	if (d->ref < 0)
		return 0;
	if ((size_t)d->ref >= b->n_dim) {
		size_t n = b->n_dim ? b->n_dim : 256;

		while (n <= (size_t)d->ref)
			n *= 2;
		b->dim = hk_realloc(b->dim, n * sizeof(*b->dim));
		memset(b->dim + b->n_dim, 0, (n - b->n_dim) * sizeof(*b->dim));
		b->n_dim = n;
	}
	b->dim[d->ref] = (struct dimrow){
		.used = true, .ok = dim_ok(b->q, d),
		.creditor = dup_s(d->creditor), .product = dup_s(d->product),
		.province = dup_s(d->province), .segment = dup_s(d->segment),
		.team = d->team_ref, .collector = d->collector_ref,
		.agency = d->agency_ref, .strategy = d->strategy_ref,
		.rule = d->rule_no, .arm = d->arm_no,
	};
	return 0;
}

/* The rows of accounts day-end had not given a combination (dims 0). */
static const struct dimrow no_dims = {
	.used = true, .ok = true, .creditor = "", .product = "",
	.province = "", .segment = "", .rule = -1, .arm = -1};

/* The combination of a row, NULL when the filters leave it out (0: an
 * account day-end had not placed yet, kept only without filters). */
static const struct dimrow *dim_of(const struct build *b, int64_t dims)
{
	const struct hk_report_query *q = b->q;

	if (dims > 0 && (size_t)dims < b->n_dim && b->dim[dims].used)
		return b->dim[dims].ok ? &b->dim[dims] : NULL;
	if ((q->creditor && *q->creditor) || (q->product && *q->product) ||
	    (q->province && *q->province) || (q->segment && *q->segment) ||
	    q->team_ref || q->collector_ref || q->agency_ref ||
	    q->strategy_ref || q->rule_no >= 0 || q->arm_no >= 0)
		return NULL;
	return &no_dims;
}

/* ---- breakdowns ------------------------------------------------------ */

enum brk {
	BY_CREDITOR, BY_PRODUCT, BY_TEAM, BY_COLLECTOR, BY_AGENCY, BY_RULE,
	BY_ARM, BY_PROVINCE, BY_SEGMENT, BY_N
};

static const char *const brk_key[BY_N] = {
	"by_creditor", "by_product", "by_team",     "by_collector", "by_agency",
	"by_rule",     "by_arm",     "by_province", "by_segment"};

static const char *brk_title(const struct build *b, enum brk k)
{
	static const char *const zh[BY_N] = {"按委托方", "按产品", "按团队",
					     "按催收员", "按委外机构", "按策略规则",
					     "按策略分组", "按省份", "按客群"};
	static const char *const en[BY_N] = {
		"By creditor", "By product",  "By team",     "By collector",
		"By agency",   "By rule",     "By arm",      "By province",
		"By segment"};

	return b->lang == HK_LANG_EN ? en[k] : zh[k];
}

static const char *brk_head(const struct build *b, enum brk k)
{
	static const char *const zh[BY_N] = {"委托方", "产品", "团队",
					     "催收员", "委外机构", "策略规则",
					     "策略分组", "省份", "客群"};
	static const char *const en[BY_N] = {"Creditor", "Product", "Team",
					     "Collector", "Agency", "Rule",
					     "Arm", "Province", "Segment"};

	return b->lang == HK_LANG_EN ? en[k] : zh[k];
}

static const char *arm_text(const struct build *b, const struct dimrow *d)
{
	const char *t = strategy_text(b, d->strategy, 1000 * (d->rule + 1) + d->arm);

	return t ? t : "";
}

/* The group a combination falls in, as its label (into buf). */
static const char *group_label(const struct build *b, const struct dimrow *d,
			       enum brk k, char *buf, size_t cap)
{
	const struct named *n;
	const char *none = TR("（无）", "(none)");
	const char *t;

	switch (k) {
	case BY_CREDITOR:
		return *d->creditor ? d->creditor : none;
	case BY_PRODUCT:
		return *d->product ? d->product : none;
	case BY_PROVINCE:
		return *d->province ? d->province : none;
	case BY_SEGMENT:
		return *d->segment ? d->segment : none;
	case BY_TEAM:
		if (!d->team)
			return none;
		n = names_find(&b->teams, d->team);
		return n ? n->name : none;
	case BY_COLLECTOR:
		if (!d->collector)
			return none;
		n = names_find(&b->users, d->collector);
		if (n)
			return n->name;
		snprintf(buf, cap, "#%lld", (long long)d->collector);
		return buf;
	case BY_AGENCY:
		if (!d->agency)
			return TR("（未委外）", "(not placed)");
		n = names_find(&b->agencies, d->agency);
		return n ? n->name : none;
	case BY_RULE:
	case BY_ARM:
		if (!d->strategy || d->rule < 0)
			return TR("（无策略）", "(no strategy)");
		t = strategy_text(b, d->strategy, d->rule);
		if (k == BY_RULE || d->arm < 0)
			snprintf(buf, cap, "#%lld %d %s", (long long)d->strategy,
				 d->rule + 1, t ? t : "");
		else
			snprintf(buf, cap, "#%lld %d %s / %s",
				 (long long)d->strategy, d->rule + 1,
				 t ? t : "",
				 arm_text(b, d));
		return buf;
	default:
		return none;
	}
}

/* Groups of one breakdown: labels in order of first sight, then sorted. */
struct groups {
	char **label;
	size_t n, cap;
};

static size_t group_of(struct groups *g, const char *label)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->label[i], label) == 0)
			return i;
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 32;
		g->label = hk_realloc(g->label, g->cap * sizeof(*g->label));
	}
	g->label[g->n] = dup_s(label);
	return g->n++;
}

static void groups_free(struct groups *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->label[i]);
	free(g->label);
	memset(g, 0, sizeof(*g));
}

/* An order of a group table's indexes by label. */
static const struct groups *sort_groups_of;
static int label_cmp(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;

	return strcmp(sort_groups_of->label[a], sort_groups_of->label[b]);
}

static size_t *group_order(const struct groups *g)
{
	size_t *o = hk_malloc((g->n ? g->n : 1) * sizeof(*o));

	for (size_t i = 0; i < g->n; i++)
		o[i] = i;
	sort_groups_of = g;
	if (g->n)
		qsort(o, g->n, sizeof(*o), label_cmp);
	return o;
}

/* ---- dates ----------------------------------------------------------- */

struct days {
	int32_t *d;
	bool *me;
	size_t n, cap;
};

static int add_day(void *ctx, int32_t day, bool month_end)
{
	struct days *ds = ctx;

	if (ds->n == ds->cap) {
		ds->cap = ds->cap ? 2 * ds->cap : 64;
		ds->d = hk_realloc(ds->d, ds->cap * sizeof(*ds->d));
		ds->me = hk_realloc(ds->me, ds->cap * sizeof(*ds->me));
	}
	ds->d[ds->n] = day;
	ds->me[ds->n++] = month_end;
	return 0;
}

static void days_free(struct days *ds)
{
	free(ds->d);
	free(ds->me);
}

/* The last date with a snapshot on or before `to` (NONE: none). */
static enum hk_rc last_day(struct build *b, int32_t to, int32_t *out)
{
	struct days ds = {0};
	enum hk_rc rc = b->s->ops->report_days(b->s, to - 3660, to, add_day,
					       &ds, b->err);

	*out = ds.n ? ds.d[ds.n - 1] : HK_DATE_NONE;
	days_free(&ds);
	return rc;
}

static int32_t first_of_month(int32_t date)
{
	int y, m, d;

	hk_date_to_ymd(date, &y, &m, &d);
	return hk_date_from_ymd(y, m, 1);
}

/* The period of a report: [from, to], by default the month to the last
 * processed date. */
static enum hk_rc period(struct build *b, int32_t *from, int32_t *to)
{
	enum hk_rc rc;

	*to = b->q->to;
	if (*to == HK_DATE_NONE) {
		char buf[32];
		bool found = false;

		rc = b->s->ops->meta_get(b->s, HK_META_LAST_EOD, buf, sizeof(buf),
					 &found, b->err);
		if (rc != HK_OK)
			return rc;
		if (!found || hk_date_parse(buf, strlen(buf), to) != HK_OK)
			*to = HK_DATE_NONE;
		if (*to == HK_DATE_NONE)
			return hk_err_set(b->err, HK_ENOTFOUND, "%s",
					  TR("还没有日终处理过的日期",
					     "no day-end has been run yet"));
	}
	*from = b->q->from != HK_DATE_NONE ? b->q->from : first_of_month(*to);
	if (*from > *to)
		return hk_err_set(b->err, HK_EINVAL, "%s",
				  TR("期间的开始晚于结束",
				     "the period starts after it ends"));
	return HK_OK;
}

static void subtitle_period(struct build *b, int32_t from, int32_t to)
{
	char f[HK_DATE_BUFSZ], t[HK_DATE_BUFSZ];

	hk_date_format(from, f);
	hk_date_format(to, t);
	hk_report_subtitle(b->r, TR("%s 至 %s", "%s to %s"), f, t);
	json_object_set_new(b->r->meta, "from", json_string(f));
	json_object_set_new(b->r->meta, "to", json_string(t));
}

static const char *bucket_name(const struct build *b, int i)
{
	return b->cfg->buckets.name[i];
}

/* ---- aging ----------------------------------------------------------- */

struct aging_acc {
	struct build *b;
	struct hk_bucket_totals whole[HK_BUCKETS_MAX];
	struct groups g[BY_N];
	struct hk_bucket_totals *by[BY_N]; /* [group * buckets + bucket] */
	size_t cap[BY_N];
};

static void totals_add(struct hk_bucket_totals *a,
		       const struct hk_bucket_totals *t)
{
	a->accounts += t->accounts;
	a->overdue_principal += t->overdue_principal;
	a->overdue_interest += t->overdue_interest;
	a->overdue_fee += t->overdue_fee;
	a->penalty_due += t->penalty_due;
	a->total_overdue += t->total_overdue;
	a->principal_outstanding += t->principal_outstanding;
}

static struct hk_bucket_totals *aging_cell(struct aging_acc *a, enum brk k,
					   size_t g, int bucket)
{
	size_t nb = (size_t)a->b->cfg->buckets.n;

	if ((g + 1) * nb > a->cap[k]) {
		size_t n = a->cap[k] ? a->cap[k] : 16 * nb;

		while (n < (g + 1) * nb)
			n *= 2;
		a->by[k] = hk_realloc(a->by[k], n * sizeof(*a->by[k]));
		memset(a->by[k] + a->cap[k], 0,
		       (n - a->cap[k]) * sizeof(*a->by[k]));
		a->cap[k] = n;
	}
	return &a->by[k][g * nb + (size_t)bucket];
}

static int aging_row(void *ctx, const struct hk_raging_row *row)
{
	struct aging_acc *a = ctx;
	const struct dimrow *d = dim_of(a->b, row->dims);
	char buf[512];

	if (!d || row->bucket < 0 || row->bucket >= a->b->cfg->buckets.n)
		return 0;
	totals_add(&a->whole[row->bucket], &row->t);
	for (int k = 0; k < BY_N; k++) {
		size_t g = group_of(&a->g[k],
				    group_label(a->b, d, k, buf, sizeof(buf)));

		totals_add(aging_cell(a, k, g, row->bucket), &row->t);
	}
	return 0;
}

static void aging_cols(struct build *b, struct hk_rsheet *sh)
{
	hk_rsheet_col(sh, "bucket", TR("账龄", "Bucket"), HK_R_TEXT);
	hk_rsheet_col(sh, "accounts", TR("账户数", "Accounts"), HK_R_INT);
	hk_rsheet_col(sh, "overdue_principal", TR("逾期本金", "Overdue principal"),
		      HK_R_MONEY);
	hk_rsheet_col(sh, "overdue_interest", TR("逾期利息", "Overdue interest"),
		      HK_R_MONEY);
	hk_rsheet_col(sh, "overdue_fee", TR("逾期费用", "Overdue fees"),
		      HK_R_MONEY);
	hk_rsheet_col(sh, "penalty_due", TR("罚息", "Penalty interest"),
		      HK_R_MONEY);
	hk_rsheet_col(sh, "total_overdue", TR("逾期总额", "Total overdue"),
		      HK_R_MONEY);
	hk_rsheet_col(sh, "principal_outstanding",
		      TR("剩余本金", "Principal outstanding"), HK_R_MONEY);
	hk_rsheet_col(sh, "share_accounts", TR("账户占比", "Share of accounts"),
		      HK_R_RATE);
	hk_rsheet_col(sh, "share_overdue",
		      TR("逾期金额占比", "Share of overdue"), HK_R_RATE);
}

static void aging_line(struct hk_rsheet *sh, const char *label,
		       const struct hk_bucket_totals *t,
		       const struct hk_bucket_totals *of)
{
	hk_rsheet_text(sh, label);
	hk_rsheet_int(sh, t->accounts);
	hk_rsheet_money(sh, t->overdue_principal);
	hk_rsheet_money(sh, t->overdue_interest);
	hk_rsheet_money(sh, t->overdue_fee);
	hk_rsheet_money(sh, t->penalty_due);
	hk_rsheet_money(sh, t->total_overdue);
	hk_rsheet_money(sh, t->principal_outstanding);
	hk_rsheet_rate(sh, t->accounts, of->accounts);
	hk_rsheet_rate(sh, t->total_overdue, of->total_overdue);
}

/* The whole by bucket, then each breakdown's groups by bucket. */
static void aging_sheets(struct build *b, struct aging_acc *a,
			 const char *whole_key)
{
	struct hk_bucket_totals all = {0};
	struct hk_rsheet *sh = hk_report_sheet(b->r, whole_key,
					       TR("合计", "Whole"));
	int nb = b->cfg->buckets.n;

	for (int i = 0; i < nb; i++)
		totals_add(&all, &a->whole[i]);
	aging_cols(b, sh);
	for (int i = 0; i < nb; i++)
		aging_line(sh, bucket_name(b, i), &a->whole[i], &all);
	aging_line(sh, TR("合计", "Total"), &all, &all);
	hk_rsheet_mark_total(sh);
	for (int k = 0; k < BY_N; k++) {
		size_t *o = group_order(&a->g[k]);

		sh = hk_report_sheet(b->r, brk_key[k], brk_title(b, k));
		hk_rsheet_col(sh, "group", brk_head(b, k), HK_R_TEXT);
		aging_cols(b, sh);
		for (size_t x = 0; x < a->g[k].n; x++) {
			struct hk_bucket_totals gt = {0};
			size_t g = o[x];

			for (int i = 0; i < nb; i++)
				totals_add(&gt, aging_cell(a, k, g, i));
			for (int i = 0; i < nb; i++) {
				const struct hk_bucket_totals *t =
					aging_cell(a, k, g, i);

				if (!t->accounts)
					continue;
				hk_rsheet_text(sh, a->g[k].label[g]);
				aging_line(sh, bucket_name(b, i), t, &gt);
			}
		}
		hk_rsheet_text(sh, TR("合计", "Total"));
		aging_line(sh, "", &all, &all);
		hk_rsheet_mark_total(sh);
		free(o);
	}
}

static void aging_free(struct aging_acc *a)
{
	for (int k = 0; k < BY_N; k++) {
		groups_free(&a->g[k]);
		free(a->by[k]);
	}
}

static enum hk_rc aging_at(struct build *b, int32_t date,
			   struct aging_acc *a)
{
	a->b = b;
	return b->s->ops->report_aging_scan(b->s, date, aging_row, a, b->err);
}

/* The date asked for, or the last processed one; refused when day-end
 * recorded nothing that day. */
static enum hk_rc snapshot_date(struct build *b, int32_t *date)
{
	struct days ds = {0};
	char d[HK_DATE_BUFSZ];
	enum hk_rc rc;

	if (b->q->date == HK_DATE_NONE)
		return period(b, &(int32_t){0}, date);
	rc = b->s->ops->report_days(b->s, b->q->date, b->q->date, add_day, &ds,
				    b->err);
	if (rc == HK_OK && !ds.n) {
		hk_date_format(b->q->date, d);
		rc = hk_err_set(b->err, HK_ENOTFOUND,
				TR("%s 没有日终快照（只有处理过的日期有）",
				   "no day-end snapshot for %s (only processed dates have one)"),
				d);
	}
	days_free(&ds);
	*date = b->q->date;
	return rc;
}

static enum hk_rc build_aging(struct build *b)
{
	struct aging_acc a = {0};
	char d[HK_DATE_BUFSZ];
	int32_t date;
	enum hk_rc rc;

	if ((rc = snapshot_date(b, &date)) != HK_OK)
		return rc;
	if ((rc = aging_at(b, date, &a)) == HK_OK) {
		hk_date_format(date, d);
		hk_report_subtitle(b->r, TR("截至 %s", "as of %s"), d);
		json_object_set_new(b->r->meta, "date", json_string(d));
		aging_sheets(b, &a, "whole");
	}
	aging_free(&a);
	return rc;
}

/* ---- roll rates ------------------------------------------------------ */

struct roll_acc {
	struct build *b;
	/* [from * buckets + to] */
	int64_t accounts[HK_BUCKETS_MAX * HK_BUCKETS_MAX];
	int64_t balance[HK_BUCKETS_MAX * HK_BUCKETS_MAX];
};

static int roll_row(void *ctx, const struct hk_rroll_row *r)
{
	struct roll_acc *a = ctx;
	int nb = a->b->cfg->buckets.n;

	if (!dim_of(a->b, r->dims) || r->from_bucket < 0 ||
	    r->from_bucket >= nb || r->to_bucket < 0 || r->to_bucket >= nb)
		return 0;
	a->accounts[r->from_bucket * nb + r->to_bucket] += r->accounts;
	a->balance[r->from_bucket * nb + r->to_bucket] +=
		r->principal_outstanding;
	return 0;
}

struct roll_sums {
	int64_t accounts, balance, forward, stay, back, cured;
};

static struct roll_sums roll_from(const struct roll_acc *a, int from, int nb)
{
	struct roll_sums s = {0};

	for (int t = 0; t < nb; t++) {
		int64_t v = a->balance[from * nb + t];

		s.accounts += a->accounts[from * nb + t];
		s.balance += v;
		if (t > from)
			s.forward += v;
		else if (t == from)
			s.stay += v;
		else
			s.back += v;
		if (t == 0 && from > 0)
			s.cured += v;
	}
	return s;
}

static enum hk_rc build_roll(struct build *b)
{
	struct days ds = {0};
	struct hk_rsheet *mx, *tr, *ct;
	int nb = b->cfg->buckets.n;
	int32_t from, to;
	enum hk_rc rc;
	size_t n_me = 0;

	if ((rc = period(b, &from, &to)) != HK_OK)
		return rc;
	if (b->q->from == HK_DATE_NONE)
		from = to - 365;
	if ((rc = b->s->ops->report_days(b->s, from, to, add_day, &ds,
					 b->err)) != HK_OK)
		goto out;
	subtitle_period(b, from, to);
	mx = hk_report_sheet(b->r, "matrix", TR("迁徙矩阵", "Matrix"));
	ct = hk_report_sheet(b->r, "counts", TR("迁徙账户数", "Accounts moved"));
	tr = hk_report_sheet(b->r, "trend", TR("趋势", "Trend"));
	hk_rsheet_col(mx, "from_bucket", TR("上月末账龄", "Bucket last month-end"),
		      HK_R_TEXT);
	hk_rsheet_col(mx, "accounts", TR("账户数", "Accounts"), HK_R_INT);
	hk_rsheet_col(mx, "balance", TR("上月末余额", "Balance last month-end"),
		      HK_R_MONEY);
	hk_rsheet_col(ct, "from_bucket", TR("上月末账龄", "Bucket last month-end"),
		      HK_R_TEXT);
	for (int t = 0; t < nb; t++) {
		char key[64], title[96];

		snprintf(key, sizeof(key), "to_%s", bucket_name(b, t));
		snprintf(title, sizeof(title), TR("至 %s", "to %s"),
			 bucket_name(b, t));
		hk_rsheet_col(mx, key, title, HK_R_RATE);
		hk_rsheet_col(ct, key, title, HK_R_INT);
	}
	hk_rsheet_col(mx, "forward", TR("前滚率", "Rolled forward"), HK_R_RATE);
	hk_rsheet_col(mx, "stay", TR("保持率", "Stayed"), HK_R_RATE);
	hk_rsheet_col(mx, "back", TR("回滚率", "Rolled back"), HK_R_RATE);
	hk_rsheet_col(mx, "cured", TR("结清/回正常", "Cured"), HK_R_RATE);
	hk_rsheet_col(tr, "month_end", TR("月末", "Month-end"), HK_R_DATE);
	hk_rsheet_col(tr, "from_bucket", TR("上月末账龄", "Bucket last month-end"),
		      HK_R_TEXT);
	hk_rsheet_col(tr, "accounts", TR("账户数", "Accounts"), HK_R_INT);
	hk_rsheet_col(tr, "balance", TR("上月末余额", "Balance last month-end"),
		      HK_R_MONEY);
	hk_rsheet_col(tr, "forward", TR("前滚率", "Rolled forward"), HK_R_RATE);
	hk_rsheet_col(tr, "stay", TR("保持率", "Stayed"), HK_R_RATE);
	hk_rsheet_col(tr, "back", TR("回滚率", "Rolled back"), HK_R_RATE);
	hk_rsheet_col(tr, "cured", TR("结清/回正常", "Cured"), HK_R_RATE);
	for (size_t i = 0; i < ds.n; i++) {
		struct roll_acc a = {.b = b};
		bool last;

		if (!ds.me[i])
			continue;
		n_me++;
		rc = b->s->ops->report_roll_scan(b->s, ds.d[i], roll_row, &a,
						 b->err);
		if (rc != HK_OK)
			goto out;
		last = true;
		for (size_t j = i + 1; j < ds.n; j++)
			if (ds.me[j])
				last = false;
		for (int f = 0; f < nb; f++) {
			struct roll_sums s = roll_from(&a, f, nb);

			if (s.accounts) {
				hk_rsheet_date(tr, ds.d[i]);
				hk_rsheet_text(tr, bucket_name(b, f));
				hk_rsheet_int(tr, s.accounts);
				hk_rsheet_money(tr, s.balance);
				hk_rsheet_rate(tr, s.forward, s.balance);
				hk_rsheet_rate(tr, s.stay, s.balance);
				hk_rsheet_rate(tr, s.back, s.balance);
				hk_rsheet_rate(tr, s.cured, s.balance);
			}
			if (!last)
				continue;
			hk_rsheet_text(mx, bucket_name(b, f));
			hk_rsheet_int(mx, s.accounts);
			hk_rsheet_money(mx, s.balance);
			hk_rsheet_text(ct, bucket_name(b, f));
			for (int t = 0; t < nb; t++) {
				hk_rsheet_rate(mx, a.balance[f * nb + t],
					       s.balance);
				hk_rsheet_int(ct, a.accounts[f * nb + t]);
			}
			hk_rsheet_rate(mx, s.forward, s.balance);
			hk_rsheet_rate(mx, s.stay, s.balance);
			hk_rsheet_rate(mx, s.back, s.balance);
			hk_rsheet_rate(mx, s.cured, s.balance);
		}
		if (last) {
			char d[HK_DATE_BUFSZ];

			hk_date_format(ds.d[i], d);
			json_object_set_new(b->r->meta, "month_end",
					    json_string(d));
		}
	}
	json_object_set_new(b->r->meta, "month_ends", json_integer((json_int_t)n_me));
out:
	days_free(&ds);
	return rc;
}

/* ---- recovery -------------------------------------------------------- */

struct rec_cell {
	int64_t base_accounts, base_overdue; /* overdue at the base date */
	int64_t payments, recovered;         /* from overdue buckets */
	int64_t all_payments, all_amount;    /* every payment */
};

struct rec_day {
	int32_t day;
	int64_t payments, amount;
};

struct rec_acc {
	struct build *b;
	struct rec_cell whole[HK_BUCKETS_MAX];
	struct groups g[BY_N];
	struct rec_cell *by[BY_N];
	size_t cap[BY_N];
	/* first the cells per combination and bucket ([dims * buckets +
	 * bucket]; 0: a combination day-end never set), folded into the
	 * groups once the rows are read: a year is 2M rows, 50k cells */
	struct rec_cell *flat;
	size_t n_flat;
	/* the days with payments on overdue accounts, in order */
	struct rec_day *day;
	size_t n_day, cap_day;
};

static struct rec_cell *rec_cell(struct rec_acc *a, enum brk k, size_t g)
{
	if (g >= a->cap[k]) {
		size_t n = a->cap[k] ? a->cap[k] : 32;

		while (n <= g)
			n *= 2;
		a->by[k] = hk_realloc(a->by[k], n * sizeof(*a->by[k]));
		memset(a->by[k] + a->cap[k], 0,
		       (n - a->cap[k]) * sizeof(*a->by[k]));
		a->cap[k] = n;
	}
	return &a->by[k][g];
}

static void rec_each(struct rec_acc *a, const struct dimrow *d, int bucket,
		     void (*add)(struct rec_cell *c, const void *v),
		     const void *v)
{
	char buf[512];

	add(&a->whole[bucket], v);
	for (int k = 0; k < BY_N; k++) {
		size_t g = group_of(&a->g[k],
				    group_label(a->b, d, k, buf, sizeof(buf)));

		add(rec_cell(a, k, g), v);
	}
}

/* The flat cell of a row's combination and bucket, NULL when the
 * filters leave it out. */
static struct rec_cell *flat_cell(struct rec_acc *a, int64_t dims, int bucket)
{
	const struct dimrow *d = dim_of(a->b, dims);
	int nb = a->b->cfg->buckets.n;
	size_t i;

	if (!d || bucket < 0 || bucket >= nb)
		return NULL;
	i = dims > 0 && (size_t)dims < a->b->n_dim && d == &a->b->dim[dims]
		    ? (size_t)dims
		    : 0;
	if (!a->flat) {
		a->n_flat = a->b->n_dim ? a->b->n_dim : 1;
		a->flat = hk_calloc(a->n_flat * (size_t)nb, sizeof(*a->flat));
	}
	return &a->flat[i * (size_t)nb + (size_t)bucket];
}

static int rec_base_row(void *ctx, const struct hk_raging_row *r)
{
	struct rec_cell *c = r->bucket > 0 ? flat_cell(ctx, r->dims, r->bucket)
					   : NULL;

	if (c) {
		c->base_accounts += r->t.accounts;
		c->base_overdue += r->t.total_overdue;
	}
	return 0;
}

static int rec_pay_row(void *ctx, const struct hk_rrecovery_row *r)
{
	struct rec_acc *a = ctx;
	struct rec_cell *c = flat_cell(a, r->dims, r->bucket);

	if (!c)
		return 0;
	c->all_payments += r->payments;
	c->all_amount += r->amount;
	if (r->bucket <= 0)
		return 0;
	c->payments += r->payments;
	c->recovered += r->amount;
	/* rows come by day: the daily sheet in the same pass */
	if (!a->n_day || a->day[a->n_day - 1].day != r->paid_on) {
		if (a->n_day == a->cap_day) {
			a->cap_day = a->cap_day ? 2 * a->cap_day : 64;
			a->day = hk_realloc(a->day, a->cap_day * sizeof(*a->day));
		}
		a->day[a->n_day++] = (struct rec_day){.day = r->paid_on};
	}
	a->day[a->n_day - 1].payments += r->payments;
	a->day[a->n_day - 1].amount += r->amount;
	return 0;
}

static void add_cell(struct rec_cell *c, const void *v);

/* Each flat cell into the whole and the breakdowns' groups. */
static void rec_fold(struct rec_acc *a)
{
	int nb = a->b->cfg->buckets.n;

	for (size_t i = 0; i < a->n_flat; i++) {
		const struct dimrow *d = i ? &a->b->dim[i] : &no_dims;

		for (int k = 0; k < nb; k++) {
			const struct rec_cell *c = &a->flat[i * (size_t)nb + (size_t)k];

			if (c->base_accounts || c->all_payments)
				rec_each(a, d, k, add_cell, c);
		}
	}
}

static void rec_cols(struct build *b, struct hk_rsheet *sh)
{
	hk_rsheet_col(sh, "base_accounts",
		      TR("期初逾期账户数", "Overdue accounts at start"), HK_R_INT);
	hk_rsheet_col(sh, "base_overdue", TR("期初逾期金额", "Overdue at start"),
		      HK_R_MONEY);
	hk_rsheet_col(sh, "payments", TR("逾期还款笔数", "Payments on overdue"),
		      HK_R_INT);
	hk_rsheet_col(sh, "recovered", TR("回收金额", "Recovered"), HK_R_MONEY);
	hk_rsheet_col(sh, "recovery_rate", TR("回收率", "Recovery rate"),
		      HK_R_RATE);
	hk_rsheet_col(sh, "all_payments", TR("全部还款笔数", "All payments"),
		      HK_R_INT);
	hk_rsheet_col(sh, "all_amount", TR("全部还款金额", "All paid"),
		      HK_R_MONEY);
}

static void rec_line(struct hk_rsheet *sh, const struct rec_cell *c)
{
	hk_rsheet_int(sh, c->base_accounts);
	hk_rsheet_money(sh, c->base_overdue);
	hk_rsheet_int(sh, c->payments);
	hk_rsheet_money(sh, c->recovered);
	hk_rsheet_rate(sh, c->recovered, c->base_overdue);
	hk_rsheet_int(sh, c->all_payments);
	hk_rsheet_money(sh, c->all_amount);
}

static void rec_total(struct rec_cell *t, const struct rec_cell *c);

static void add_cell(struct rec_cell *c, const void *v)
{
	rec_total(c, v);
}

static void rec_total(struct rec_cell *t, const struct rec_cell *c)
{
	t->base_accounts += c->base_accounts;
	t->base_overdue += c->base_overdue;
	t->payments += c->payments;
	t->recovered += c->recovered;
	t->all_payments += c->all_payments;
	t->all_amount += c->all_amount;
}

/* The recovery's base date: the last processed date before the period,
 * else its first processed date. */
static enum hk_rc base_date(struct build *b, int32_t from, int32_t to,
			    int32_t *base)
{
	struct days ds = {0};
	enum hk_rc rc = last_day(b, from - 1, base);

	if (rc != HK_OK || *base != HK_DATE_NONE)
		return rc;
	rc = b->s->ops->report_days(b->s, from, to, add_day, &ds, b->err);
	*base = ds.n ? ds.d[0] : HK_DATE_NONE;
	days_free(&ds);
	return rc;
}

/* The champion/challenger comparison of the stays that began in the
 * period: per arm, recovered over overdue on entering; the difference
 * from the champion (arm 0) with a 95% interval by the delta method. */
struct arm_acc {
	int64_t n, x, y;
	double sxx, sxy, syy; /* sums of squares, for the ratio's variance */
};

struct arms {
	struct arm_acc arm[HK_STRATEGY_MAX_ARMS];
};

static int add_stint(void *ctx, const struct hk_rstint_row *r)
{
	struct arms *a = ctx;
	struct arm_acc *m;
	double x = (double)r->base_overdue, y = (double)r->recovered;

	if (r->arm_no < 0 || r->arm_no >= HK_STRATEGY_MAX_ARMS)
		return 0;
	m = &a->arm[r->arm_no];
	m->n++;
	m->x += r->base_overdue;
	m->y += r->recovered;
	m->sxx += x * x;
	m->sxy += x * y;
	m->syy += y * y;
	return 0;
}

/* The variance of the ratio sum(y)/sum(x) of n stays (delta method):
 * sum((y - R x)^2) / (n (n - 1) mean(x)^2). */
static double ratio_var(const struct arm_acc *m)
{
	double n = (double)m->n, R, ss, mx;

	if (m->n < 2 || m->x <= 0)
		return NAN;
	R = (double)m->y / (double)m->x;
	ss = m->syy - 2 * R * m->sxy + R * R * m->sxx;
	if (ss < 0)
		ss = 0;
	mx = (double)m->x / n;
	return ss / (n * (n - 1) * mx * mx);
}

static void rate_double(struct hk_rsheet *sh, double v)
{
	if (isnan(v))
		hk_rsheet_null(sh);
	else
		hk_rsheet_rate(sh, llround(v * 1e6), 1000000);
}

struct pair {
	int64_t strategy;
	int rule;
};

static enum hk_rc arms_sheet(struct build *b, int32_t from, int32_t to)
{
	struct hk_rsheet *sh = hk_report_sheet(b->r, "arms",
					       TR("冠军/挑战者对比",
						  "Champion and challengers"));
	struct pair *p = NULL;
	size_t n = 0;
	enum hk_rc rc = HK_OK;

	hk_rsheet_col(sh, "rule", TR("策略规则", "Rule"), HK_R_TEXT);
	hk_rsheet_col(sh, "arm", TR("分组", "Arm"), HK_R_TEXT);
	hk_rsheet_col(sh, "stays", TR("入组案件数", "Stays"), HK_R_INT);
	hk_rsheet_col(sh, "base_overdue", TR("入组时逾期金额", "Overdue on entering"),
		      HK_R_MONEY);
	hk_rsheet_col(sh, "recovered", TR("组内回收金额", "Recovered in the arm"),
		      HK_R_MONEY);
	hk_rsheet_col(sh, "recovery_rate", TR("回收率", "Recovery rate"),
		      HK_R_RATE);
	hk_rsheet_col(sh, "difference", TR("与冠军之差", "Difference from champion"),
		      HK_R_RATE);
	hk_rsheet_col(sh, "ci_low", TR("95%置信下限", "95% CI low"), HK_R_RATE);
	hk_rsheet_col(sh, "ci_high", TR("95%置信上限", "95% CI high"), HK_R_RATE);
	/* the rules with arms among the combinations the filters keep */
	for (size_t i = 0; i < b->n_dim; i++) {
		const struct dimrow *d = &b->dim[i];
		bool seen = false;

		if (!d->used || !d->ok || d->arm < 0 || !d->strategy)
			continue;
		for (size_t j = 0; j < n && !seen; j++)
			seen = p[j].strategy == d->strategy && p[j].rule == d->rule;
		if (seen)
			continue;
		p = hk_realloc(p, (n + 1) * sizeof(*p));
		p[n++] = (struct pair){d->strategy, d->rule};
	}
	for (size_t i = 0; i < n && rc == HK_OK; i++) {
		struct arms a;
		struct dimrow d = {.strategy = p[i].strategy, .rule = p[i].rule,
				   .arm = -1};
		char label[512], armname[512];
		double v0;

		memset(&a, 0, sizeof(a));
		rc = b->s->ops->report_stints_scan(b->s, p[i].strategy,
						   p[i].rule, from, to,
						   add_stint, &a, b->err);
		if (rc != HK_OK)
			break;
		group_label(b, &d, BY_RULE, label, sizeof(label));
		v0 = ratio_var(&a.arm[0]);
		for (int k = 0; k < HK_STRATEGY_MAX_ARMS; k++) {
			const struct arm_acc *m = &a.arm[k];
			const char *nm = strategy_text(b, p[i].strategy,
						       1000 * (p[i].rule + 1) + k);

			if (!m->n)
				continue;
			hk_rsheet_text(sh, label);
			snprintf(armname, sizeof(armname), "%d %s%s", k,
				 nm ? nm : "",
				 k == 0 ? TR("（冠军）", " (champion)") : "");
			hk_rsheet_text(sh, armname);
			hk_rsheet_int(sh, m->n);
			hk_rsheet_money(sh, m->x);
			hk_rsheet_money(sh, m->y);
			hk_rsheet_rate(sh, m->y, m->x);
			if (k == 0 || !a.arm[0].n || !a.arm[0].x || !m->x) {
				hk_rsheet_null(sh);
				hk_rsheet_null(sh);
				hk_rsheet_null(sh);
				continue;
			}
			double diff = (double)m->y / (double)m->x -
				      (double)a.arm[0].y / (double)a.arm[0].x;
			double se = sqrt(ratio_var(m) + v0);

			rate_double(sh, diff);
			rate_double(sh, diff - 1.96 * se);
			rate_double(sh, diff + 1.96 * se);
		}
	}
	free(p);
	return rc;
}

static enum hk_rc build_recovery(struct build *b)
{
	struct rec_acc a = {.b = b};
	struct rec_cell all = {0};
	struct hk_rsheet *sh;
	int32_t from, to, base;
	int nb = b->cfg->buckets.n;
	char d[HK_DATE_BUFSZ];
	enum hk_rc rc;

	if ((rc = period(b, &from, &to)) != HK_OK ||
	    (rc = base_date(b, from, to, &base)) != HK_OK)
		return rc;
	subtitle_period(b, from, to);
	hk_date_format(base, d);
	json_object_set_new(b->r->meta, "base_date",
			    base == HK_DATE_NONE ? json_null() : json_string(d));
	if (base != HK_DATE_NONE)
		rc = b->s->ops->report_aging_scan(b->s, base, rec_base_row, &a,
						  b->err);
	if (rc == HK_OK)
		rc = b->s->ops->report_recovery_scan(b->s, from, to, rec_pay_row,
						     &a, b->err);
	if (rc != HK_OK)
		goto out;
	rec_fold(&a);
	sh = hk_report_sheet(b->r, "whole", TR("合计", "Whole"));
	hk_rsheet_col(sh, "bucket", TR("还款前账龄", "Bucket before paying"),
		      HK_R_TEXT);
	rec_cols(b, sh);
	for (int i = 0; i < nb; i++) {
		hk_rsheet_text(sh, bucket_name(b, i));
		rec_line(sh, &a.whole[i]);
		rec_total(&all, &a.whole[i]);
	}
	hk_rsheet_text(sh, TR("合计", "Total"));
	rec_line(sh, &all);
	hk_rsheet_mark_total(sh);
	for (int k = 0; k < BY_N; k++) {
		size_t *o = group_order(&a.g[k]);

		sh = hk_report_sheet(b->r, brk_key[k], brk_title(b, k));
		hk_rsheet_col(sh, "group", brk_head(b, k), HK_R_TEXT);
		rec_cols(b, sh);
		for (size_t x = 0; x < a.g[k].n; x++) {
			hk_rsheet_text(sh, a.g[k].label[o[x]]);
			rec_line(sh, rec_cell(&a, k, o[x]));
		}
		hk_rsheet_text(sh, TR("合计", "Total"));
		rec_line(sh, &all);
		hk_rsheet_mark_total(sh);
		free(o);
	}
	if ((rc = arms_sheet(b, from, to)) != HK_OK)
		goto out;
	sh = hk_report_sheet(b->r, "daily", TR("每日", "Daily"));
	hk_rsheet_col(sh, "day", TR("日期", "Day"), HK_R_DATE);
	hk_rsheet_col(sh, "payments", TR("逾期还款笔数", "Payments on overdue"),
		      HK_R_INT);
	hk_rsheet_col(sh, "recovered", TR("回收金额", "Recovered"), HK_R_MONEY);
	hk_rsheet_col(sh, "cumulative", TR("累计回收", "Recovered to date"),
		      HK_R_MONEY);
	hk_rsheet_col(sh, "recovery_rate",
		      TR("累计回收率", "Recovery rate to date"), HK_R_RATE);
	{
		int64_t cumulative = 0;

		for (size_t i = 0; i < a.n_day; i++) {
			cumulative += a.day[i].amount;
			hk_rsheet_date(sh, a.day[i].day);
			hk_rsheet_int(sh, a.day[i].payments);
			hk_rsheet_money(sh, a.day[i].amount);
			hk_rsheet_money(sh, cumulative);
			hk_rsheet_rate(sh, cumulative, all.base_overdue);
		}
	}
out:
	for (int k = 0; k < BY_N; k++) {
		groups_free(&a.g[k]);
		free(a.by[k]);
	}
	free(a.flat);
	free(a.day);
	return rc;
}

/* ---- people: promises and activity ---------------------------------- */

struct person {
	int64_t ref, team;
	int64_t promises[3], promised[3]; /* by status: pending, kept, broken */
	int64_t records, attempts, rpc, promised_records, refusals;
	int64_t recovered, payments;
	int64_t overdue_accounts, total_overdue;
};

struct people {
	struct build *b;
	struct person *p;
	size_t n, cap;
};

static struct person *person(struct people *pp, int64_t ref)
{
	const struct named *u;

	for (size_t i = 0; i < pp->n; i++)
		if (pp->p[i].ref == ref)
			return &pp->p[i];
	if (pp->n == pp->cap) {
		pp->cap = pp->cap ? 2 * pp->cap : 64;
		pp->p = hk_realloc(pp->p, pp->cap * sizeof(*pp->p));
	}
	u = names_find(&pp->b->users, ref);
	pp->p[pp->n] = (struct person){.ref = ref, .team = u ? u->team : 0};
	return &pp->p[pp->n++];
}

/* Whether a person's figures pass the report's filters on people. */
static bool person_ok(const struct build *b, int64_t ref)
{
	const struct named *u = names_find(&b->users, ref);

	if (b->q->collector_ref && b->q->collector_ref != ref)
		return false;
	if (b->q->team_ref && (!u || u->team != b->q->team_ref))
		return false;
	return true;
}

static int add_taker(void *ctx, int64_t user_ref, int status,
		     int64_t promises, int64_t amount)
{
	struct people *pp = ctx;
	struct person *p;

	if (status < 0 || status > 2 || !person_ok(pp->b, user_ref))
		return 0;
	p = person(pp, user_ref);
	p->promises[status] += promises;
	p->promised[status] += amount;
	return 0;
}

static bool reached(const char *outcome)
{
	static const char *const rpc[] = {"reached_debtor", "promised",
					  "refused",        "disputes",
					  "claims_paid",    "hardship", NULL};

	for (int i = 0; rpc[i]; i++)
		if (strcmp(rpc[i], outcome) == 0)
			return true;
	return false;
}

static bool attempt_channel(const char *channel)
{
	return strcmp(channel, "call") == 0 || strcmp(channel, "visit") == 0;
}

static int add_activity(void *ctx, const struct hk_ractivity_row *r)
{
	struct people *pp = ctx;
	struct person *p;

	if (!person_ok(pp->b, r->user_ref))
		return 0;
	p = person(pp, r->user_ref);
	p->records += r->records;
	if (attempt_channel(r->channel)) {
		p->attempts += r->records;
		if (reached(r->outcome))
			p->rpc += r->records;
		if (strcmp(r->outcome, "promised") == 0)
			p->promised_records += r->records;
	}
	return 0;
}

static int add_refusal_person(void *ctx, const struct hk_rrefusal_row *r)
{
	struct people *pp = ctx;

	if (person_ok(pp->b, r->user_ref))
		person(pp, r->user_ref)->refusals += r->refusals;
	return 0;
}

static const char *person_name(const struct build *b, int64_t ref,
			       char *buf, size_t cap)
{
	const struct named *u = names_find(&b->users, ref);

	if (!ref)
		return TR("（无）", "(none)");
	if (u)
		return u->name;
	snprintf(buf, cap, "#%lld", (long long)ref);
	return buf;
}

static const char *team_name(const struct build *b, int64_t ref)
{
	const struct named *t = names_find(&b->teams, ref);

	return t ? t->name : TR("（无）", "(none)");
}

static int by_name_cmp_b(const struct build *b, const struct person *x,
			 const struct person *y)
{
	char bx[32], by[32];
	int c = strcmp(team_name(b, x->team), team_name(b, y->team));

	if (c)
		return c;
	c = strcmp(person_name(b, x->ref, bx, sizeof(bx)),
		   person_name(b, y->ref, by, sizeof(by)));
	return c ? c : (x->ref < y->ref ? -1 : x->ref > y->ref);
}

static const struct build *sort_build;
static int person_cmp(const void *a, const void *b)
{
	return by_name_cmp_b(sort_build, a, b);
}

static void people_sort(struct people *pp)
{
	sort_build = pp->b;
	if (pp->n)
		qsort(pp->p, pp->n, sizeof(*pp->p), person_cmp);
}

/* Add p's figures to t's. */
static void person_add(struct person *t, const struct person *p)
{
	for (int s = 0; s < 3; s++) {
		t->promises[s] += p->promises[s];
		t->promised[s] += p->promised[s];
	}
	t->records += p->records;
	t->attempts += p->attempts;
	t->rpc += p->rpc;
	t->promised_records += p->promised_records;
	t->refusals += p->refusals;
	t->recovered += p->recovered;
	t->payments += p->payments;
	t->overdue_accounts += p->overdue_accounts;
	t->total_overdue += p->total_overdue;
}

/* People summed per team (ref: the team). */
static void teams_of(const struct people *pp, struct people *teams)
{
	teams->b = pp->b;
	for (size_t i = 0; i < pp->n; i++) {
		const struct person *p = &pp->p[i];
		struct person *t = NULL;

		for (size_t j = 0; j < teams->n && !t; j++)
			if (teams->p[j].ref == p->team)
				t = &teams->p[j];
		if (!t) {
			if (teams->n == teams->cap) {
				teams->cap = teams->cap ? 2 * teams->cap : 16;
				teams->p = hk_realloc(teams->p,
						      teams->cap * sizeof(*teams->p));
			}
			t = &teams->p[teams->n++];
			*t = (struct person){.ref = p->team, .team = p->team};
		}
		person_add(t, p);
	}
}

static void person_total(const struct people *pp, struct person *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < pp->n; i++)
		person_add(t, &pp->p[i]);
}

enum pcols { PC_PROMISES = 1, PC_ACTIVITY = 2, PC_TEAM = 4 };

static void person_cols(struct build *b, struct hk_rsheet *sh, unsigned what,
			bool team_rows)
{
	if (team_rows) {
		hk_rsheet_col(sh, "team", TR("团队", "Team"), HK_R_TEXT);
	} else {
		hk_rsheet_col(sh, "collector", TR("催收员", "Collector"), HK_R_TEXT);
		hk_rsheet_col(sh, "team", TR("团队", "Team"), HK_R_TEXT);
	}
	if (what & PC_TEAM) {
		hk_rsheet_col(sh, "overdue_accounts",
			      TR("逾期账户数", "Overdue accounts"), HK_R_INT);
		hk_rsheet_col(sh, "total_overdue", TR("逾期总额", "Total overdue"),
			      HK_R_MONEY);
		hk_rsheet_col(sh, "payments", TR("逾期还款笔数", "Payments on overdue"),
			      HK_R_INT);
		hk_rsheet_col(sh, "recovered", TR("回收金额", "Recovered"),
			      HK_R_MONEY);
	}
	if (what & PC_PROMISES) {
		hk_rsheet_col(sh, "promises", TR("承诺笔数", "Promises taken"),
			      HK_R_INT);
		hk_rsheet_col(sh, "promised", TR("承诺金额", "Amount promised"),
			      HK_R_MONEY);
		hk_rsheet_col(sh, "kept", TR("兑现笔数", "Kept"), HK_R_INT);
		hk_rsheet_col(sh, "kept_amount", TR("兑现金额", "Amount kept"),
			      HK_R_MONEY);
		hk_rsheet_col(sh, "broken", TR("违约笔数", "Broken"), HK_R_INT);
		hk_rsheet_col(sh, "broken_amount", TR("违约金额", "Amount broken"),
			      HK_R_MONEY);
		hk_rsheet_col(sh, "pending", TR("待兑现笔数", "Pending"), HK_R_INT);
		hk_rsheet_col(sh, "kept_rate", TR("兑现率", "Kept rate"),
			      HK_R_RATE);
	}
	if (what & PC_ACTIVITY) {
		hk_rsheet_col(sh, "records", TR("催记数", "Contact records"),
			      HK_R_INT);
		hk_rsheet_col(sh, "attempts", TR("外呼/外访次数", "Contact attempts"),
			      HK_R_INT);
		hk_rsheet_col(sh, "right_party", TR("有效接触", "Right-party contacts"),
			      HK_R_INT);
		hk_rsheet_col(sh, "contact_rate", TR("接触率", "Contact rate"),
			      HK_R_RATE);
		hk_rsheet_col(sh, "promise_records",
			      TR("承诺催记", "Promises recorded"), HK_R_INT);
		hk_rsheet_col(sh, "promises_per_contact",
			      TR("每次接触承诺数", "Promises per contact"),
			      HK_R_RATE);
		hk_rsheet_col(sh, "refusals", TR("合规拦截", "Guardrail refusals"),
			      HK_R_INT);
	}
}

static void person_line(struct build *b, struct hk_rsheet *sh,
			const struct person *p, unsigned what, int kind)
{
	char buf[32];

	/* kind 0: a person, 1: a team, 2: the total */
	if (kind == 0) {
		hk_rsheet_text(sh, person_name(b, p->ref, buf, sizeof(buf)));
		hk_rsheet_text(sh, team_name(b, p->team));
	} else if (kind == 1) {
		hk_rsheet_text(sh, team_name(b, p->ref));
	} else {
		hk_rsheet_text(sh, TR("合计", "Total"));
		if (sh->ncols && strcmp(sh->cols[1].key, "team") == 0)
			hk_rsheet_text(sh, "");
	}
	if (what & PC_TEAM) {
		hk_rsheet_int(sh, p->overdue_accounts);
		hk_rsheet_money(sh, p->total_overdue);
		hk_rsheet_int(sh, p->payments);
		hk_rsheet_money(sh, p->recovered);
	}
	if (what & PC_PROMISES) {
		hk_rsheet_int(sh, p->promises[0] + p->promises[1] + p->promises[2]);
		hk_rsheet_money(sh, p->promised[0] + p->promised[1] + p->promised[2]);
		hk_rsheet_int(sh, p->promises[HK_PROMISE_KEPT]);
		hk_rsheet_money(sh, p->promised[HK_PROMISE_KEPT]);
		hk_rsheet_int(sh, p->promises[HK_PROMISE_BROKEN]);
		hk_rsheet_money(sh, p->promised[HK_PROMISE_BROKEN]);
		hk_rsheet_int(sh, p->promises[HK_PROMISE_PENDING]);
		hk_rsheet_rate(sh, p->promises[HK_PROMISE_KEPT],
			       p->promises[HK_PROMISE_KEPT] +
				       p->promises[HK_PROMISE_BROKEN]);
	}
	if (what & PC_ACTIVITY) {
		hk_rsheet_int(sh, p->records);
		hk_rsheet_int(sh, p->attempts);
		hk_rsheet_int(sh, p->rpc);
		hk_rsheet_rate(sh, p->rpc, p->attempts);
		hk_rsheet_int(sh, p->promised_records);
		hk_rsheet_rate(sh, p->promised_records, p->rpc);
		hk_rsheet_int(sh, p->refusals);
	}
}

/* A sheet per collector, one per team, the total last in each. */
static void people_sheets(struct build *b, struct people *pp, unsigned what)
{
	struct people teams = {0};
	struct person total;
	struct hk_rsheet *sh;

	people_sort(pp);
	teams_of(pp, &teams);
	person_total(pp, &total);
	sh = hk_report_sheet(b->r, "by_collector", TR("按催收员", "By collector"));
	person_cols(b, sh, what, false);
	for (size_t i = 0; i < pp->n; i++)
		person_line(b, sh, &pp->p[i], what, 0);
	person_line(b, sh, &total, what, 2);
	hk_rsheet_mark_total(sh);
	sh = hk_report_sheet(b->r, "by_team", TR("按团队", "By team"));
	person_cols(b, sh, what, true);
	for (size_t i = 0; i < teams.n; i++)
		person_line(b, sh, &teams.p[i], what, 1);
	person_line(b, sh, &total, what, 2);
	hk_rsheet_mark_total(sh);
	free(teams.p);
}

/* The scope and filter the live promise scan takes. */
static void promise_scope(const struct build *b, struct hk_scope *sc,
			  struct hk_dash_filter *df)
{
	memset(sc, 0, sizeof(*sc));
	sc->all = !b->q->team_ref && !b->q->collector_ref && !b->q->agency_ref;
	sc->team_ref = b->q->team_ref;
	sc->collector_ref = b->q->collector_ref;
	sc->agency_ref = b->q->agency_ref;
	df->creditor = b->q->creditor && *b->q->creditor ? b->q->creditor : NULL;
	df->products = 0;
	if (b->q->product && *b->q->product) {
		int p = hk_product_parse(b->q->product, strlen(b->q->product));

		df->products = p >= 0 ? 1u << p : ~0u;
	}
}

static enum hk_rc build_promises(struct build *b)
{
	struct people pp = {.b = b};
	struct hk_scope sc;
	struct hk_dash_filter df;
	int32_t from, to;
	enum hk_rc rc;

	if ((rc = period(b, &from, &to)) != HK_OK)
		return rc;
	subtitle_period(b, from, to);
	promise_scope(b, &sc, &df);
	rc = b->s->ops->promise_takers(b->s, &sc, from, to, &df, add_taker, &pp,
				       b->err);
	if (rc == HK_OK)
		people_sheets(b, &pp, PC_PROMISES);
	free(pp.p);
	return rc;
}

struct outcome_cell {
	char channel[32], outcome[32];
	int64_t records;
};

struct by_outcome {
	struct build *b;
	struct outcome_cell *c;
	size_t n;
	struct outcome_cell *rule; /* refusals: channel = rule */
	size_t n_rule;
};

static void outcome_add(struct outcome_cell **v, size_t *n, const char *a,
			const char *o, int64_t k)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i].channel, a) == 0 &&
		    strcmp((*v)[i].outcome, o) == 0) {
			(*v)[i].records += k;
			return;
		}
	*v = hk_realloc(*v, (*n + 1) * sizeof(**v));
	memset(&(*v)[*n], 0, sizeof(**v));
	snprintf((*v)[*n].channel, sizeof((*v)[*n].channel), "%s", a);
	snprintf((*v)[*n].outcome, sizeof((*v)[*n].outcome), "%s", o);
	(*v)[(*n)++].records = k;
}

static int outcome_cmp(const void *pa, const void *pb)
{
	const struct outcome_cell *a = pa, *b = pb;
	int c = strcmp(a->channel, b->channel);

	return c ? c : strcmp(a->outcome, b->outcome);
}

struct activity_ctx {
	struct people *pp;
	struct by_outcome *bo;
};

static int activity_both(void *ctx, const struct hk_ractivity_row *r)
{
	struct activity_ctx *a = ctx;

	if (!person_ok(a->pp->b, r->user_ref))
		return 0;
	outcome_add(&a->bo->c, &a->bo->n, r->channel, r->outcome, r->records);
	return add_activity(a->pp, r);
}

static int refusal_both(void *ctx, const struct hk_rrefusal_row *r)
{
	struct activity_ctx *a = ctx;

	if (!person_ok(a->pp->b, r->user_ref))
		return 0;
	outcome_add(&a->bo->rule, &a->bo->n_rule, r->rule, "", r->refusals);
	return add_refusal_person(a->pp, r);
}

static enum hk_rc activity_of(struct build *b, int32_t from, int32_t to,
			      struct people *pp, struct by_outcome *bo)
{
	struct activity_ctx a = {pp, bo};
	enum hk_rc rc;

	rc = b->s->ops->report_activity_sum(b->s, from, to, activity_both, &a,
					    b->err);
	if (rc == HK_OK)
		rc = b->s->ops->report_refusals_sum(b->s, from, to,
						    refusal_both, &a, b->err);
	return rc;
}

static enum hk_rc build_activity(struct build *b)
{
	struct people pp = {.b = b};
	struct by_outcome bo = {.b = b};
	struct hk_rsheet *sh;
	int32_t from, to;
	int64_t sum = 0;
	enum hk_rc rc;

	if ((rc = period(b, &from, &to)) != HK_OK)
		return rc;
	subtitle_period(b, from, to);
	if ((rc = activity_of(b, from, to, &pp, &bo)) != HK_OK)
		goto out;
	people_sheets(b, &pp, PC_ACTIVITY);
	sh = hk_report_sheet(b->r, "by_outcome", TR("按渠道与结果", "By channel and outcome"));
	hk_rsheet_col(sh, "channel", TR("渠道", "Channel"), HK_R_TEXT);
	hk_rsheet_col(sh, "outcome", TR("结果", "Outcome"), HK_R_TEXT);
	hk_rsheet_col(sh, "records", TR("催记数", "Contact records"), HK_R_INT);
	if (bo.n)
		qsort(bo.c, bo.n, sizeof(*bo.c), outcome_cmp);
	for (size_t i = 0; i < bo.n; i++) {
		hk_rsheet_text(sh, bo.c[i].channel);
		hk_rsheet_text(sh, bo.c[i].outcome);
		hk_rsheet_int(sh, bo.c[i].records);
		sum += bo.c[i].records;
	}
	hk_rsheet_text(sh, TR("合计", "Total"));
	hk_rsheet_text(sh, "");
	hk_rsheet_int(sh, sum);
	hk_rsheet_mark_total(sh);
	sh = hk_report_sheet(b->r, "refusals", TR("合规拦截按规则", "Refusals by rule"));
	hk_rsheet_col(sh, "rule", TR("规则", "Rule"), HK_R_TEXT);
	hk_rsheet_col(sh, "refusals", TR("拦截次数", "Refusals"), HK_R_INT);
	if (bo.n_rule)
		qsort(bo.rule, bo.n_rule, sizeof(*bo.rule), outcome_cmp);
	sum = 0;
	for (size_t i = 0; i < bo.n_rule; i++) {
		hk_rsheet_text(sh, bo.rule[i].channel);
		hk_rsheet_int(sh, bo.rule[i].records);
		sum += bo.rule[i].records;
	}
	hk_rsheet_text(sh, TR("合计", "Total"));
	hk_rsheet_int(sh, sum);
	hk_rsheet_mark_total(sh);
out:
	free(pp.p);
	free(bo.c);
	free(bo.rule);
	return rc;
}

/* ---- the team's daily or weekly report ------------------------------- */

struct team_ctx {
	struct people *pp;
	struct build *b;
};

static int team_aging_row(void *ctx, const struct hk_raging_row *r)
{
	struct team_ctx *t = ctx;
	const struct dimrow *d = dim_of(t->b, r->dims);
	struct person *p;

	if (!d || r->bucket <= 0 || !d->collector)
		return 0;
	p = person(t->pp, d->collector);
	p->overdue_accounts += r->t.accounts;
	p->total_overdue += r->t.total_overdue;
	return 0;
}

static int team_pay_row(void *ctx, const struct hk_rrecovery_row *r)
{
	struct team_ctx *t = ctx;
	const struct dimrow *d = dim_of(t->b, r->dims);
	struct person *p;

	if (!d || r->bucket <= 0 || !d->collector)
		return 0;
	p = person(t->pp, d->collector);
	p->payments += r->payments;
	p->recovered += r->amount;
	return 0;
}

static enum hk_rc build_team(struct build *b)
{
	struct people pp = {.b = b};
	struct by_outcome bo = {.b = b};
	struct team_ctx tc = {&pp, b};
	struct aging_acc a = {0};
	struct hk_scope sc;
	struct hk_dash_filter df;
	struct person total;
	struct hk_rsheet *sh;
	int32_t date, from;
	char f[HK_DATE_BUFSZ], t[HK_DATE_BUFSZ];
	bool week = b->q->period && strcmp(b->q->period, "week") == 0;
	enum hk_rc rc;

	if (b->q->period && *b->q->period && !week &&
	    strcmp(b->q->period, "day") != 0)
		return hk_err_set(b->err, HK_EINVAL, "%s",
				  TR("period 只能是 day 或 week",
				     "period is day or week"));
	if ((rc = snapshot_date(b, &date)) != HK_OK)
		return rc;
	from = week ? date - 6 : date;
	hk_date_format(from, f);
	hk_date_format(date, t);
	if (week)
		hk_report_subtitle(b->r, TR("%s%s%s 至 %s 周报", "%s%s%s to %s, weekly"),
				   b->q->team_ref ? team_name(b, b->q->team_ref) : "",
				   b->q->team_ref ? " " : "", f, t);
	else
		hk_report_subtitle(b->r, TR("%s%s%s 日报", "%s%s%s, daily"),
				   b->q->team_ref ? team_name(b, b->q->team_ref) : "",
				   b->q->team_ref ? " " : "", t);
	json_object_set_new(b->r->meta, "from", json_string(f));
	json_object_set_new(b->r->meta, "to", json_string(t));
	json_object_set_new(b->r->meta, "period", json_string(week ? "week" : "day"));
	promise_scope(b, &sc, &df);
	if ((rc = b->s->ops->report_aging_scan(b->s, date, team_aging_row, &tc,
					       b->err)) != HK_OK ||
	    (rc = b->s->ops->report_recovery_scan(b->s, from, date, team_pay_row,
						  &tc, b->err)) != HK_OK ||
	    (rc = b->s->ops->promise_takers(b->s, &sc, from, date, &df,
					    add_taker, &pp, b->err)) != HK_OK ||
	    (rc = activity_of(b, from, date, &pp, &bo)) != HK_OK ||
	    (rc = aging_at(b, date, &a)) != HK_OK)
		goto out;
	/* people outside the filters (a case's holder elsewhere) drop out */
	for (size_t i = 0; i < pp.n;)
		if (!person_ok(b, pp.p[i].ref))
			pp.p[i] = pp.p[--pp.n];
		else
			i++;
	people_sort(&pp);
	person_total(&pp, &total);
	sh = hk_report_sheet(b->r, "summary", TR("汇总", "Summary"));
	person_cols(b, sh, PC_TEAM | PC_PROMISES | PC_ACTIVITY, false);
	for (size_t i = 0; i < pp.n; i++)
		person_line(b, sh, &pp.p[i], PC_TEAM | PC_PROMISES | PC_ACTIVITY, 0);
	person_line(b, sh, &total, PC_TEAM | PC_PROMISES | PC_ACTIVITY, 2);
	hk_rsheet_mark_total(sh);
	{
		struct hk_bucket_totals all = {0};

		sh = hk_report_sheet(b->r, "aging", TR("账龄", "Aging"));
		aging_cols(b, sh);
		for (int i = 0; i < b->cfg->buckets.n; i++)
			totals_add(&all, &a.whole[i]);
		for (int i = 0; i < b->cfg->buckets.n; i++)
			aging_line(sh, bucket_name(b, i), &a.whole[i], &all);
		aging_line(sh, TR("合计", "Total"), &all, &all);
		hk_rsheet_mark_total(sh);
	}
out:
	aging_free(&a);
	free(pp.p);
	free(bo.c);
	free(bo.rule);
	return rc;
}

/* ---- agency statements ----------------------------------------------- */

struct stmt {
	struct build *b;
	struct hk_rsheet *lines;
	const char *agency;
	int64_t placements, recovered, commission, fees;
};

static int stmt_line(void *ctx, const struct hk_statement_row *r)
{
	struct stmt *st = ctx;
	int64_t commission = (int64_t)(((__int128)r->recovered *
						r->commission_ppm +
					500000) /
				       1000000);
	char rate[32];

	st->placements++;
	st->recovered += r->recovered;
	st->commission += commission;
	st->fees += r->upfront_fee;
	hk_rsheet_text(st->lines, st->agency);
	hk_rsheet_int(st->lines, r->case_ref);
	hk_rsheet_date(st->lines, r->placed_on);
	hk_rsheet_date(st->lines, r->ends_on);
	hk_rate_format(r->commission_ppm, rate);
	hk_rsheet_text(st->lines, rate);
	hk_rsheet_money(st->lines, r->recovered);
	hk_rsheet_money(st->lines, commission);
	hk_rsheet_money(st->lines, r->upfront_fee);
	return 0;
}

static enum hk_rc build_agencies(struct build *b)
{
	struct hk_rsheet *sh, *lines;
	int64_t t[4] = {0};
	int32_t from, to;
	enum hk_rc rc = HK_OK;

	if ((rc = period(b, &from, &to)) != HK_OK)
		return rc;
	subtitle_period(b, from, to);
	sh = hk_report_sheet(b->r, "whole", TR("按委外机构", "By agency"));
	lines = hk_report_sheet(b->r, "lines", TR("委案明细", "Placements"));
	hk_rsheet_col(sh, "agency", TR("委外机构", "Agency"), HK_R_TEXT);
	hk_rsheet_col(sh, "placements", TR("委案数", "Placements"), HK_R_INT);
	hk_rsheet_col(sh, "recovered", TR("回收金额", "Recovered"), HK_R_MONEY);
	hk_rsheet_col(sh, "commission", TR("佣金", "Commission"), HK_R_MONEY);
	hk_rsheet_col(sh, "upfront_fees", TR("委案费", "Upfront fees"), HK_R_MONEY);
	hk_rsheet_col(sh, "total_due", TR("应付合计", "Total due"), HK_R_MONEY);
	hk_rsheet_col(lines, "agency", TR("委外机构", "Agency"), HK_R_TEXT);
	hk_rsheet_col(lines, "case", TR("案件号", "Case"), HK_R_INT);
	hk_rsheet_col(lines, "placed_on", TR("委案日", "Placed on"), HK_R_DATE);
	hk_rsheet_col(lines, "ends_on", TR("到期日", "Ends on"), HK_R_DATE);
	hk_rsheet_col(lines, "commission_rate", TR("佣金比例(%)", "Commission (%)"),
		      HK_R_TEXT);
	hk_rsheet_col(lines, "recovered", TR("回收金额", "Recovered"), HK_R_MONEY);
	hk_rsheet_col(lines, "commission", TR("佣金", "Commission"), HK_R_MONEY);
	hk_rsheet_col(lines, "upfront_fee", TR("委案费", "Upfront fee"), HK_R_MONEY);
	for (size_t i = 0; i < b->agencies.n && rc == HK_OK; i++) {
		struct stmt st = {.b = b, .lines = lines,
				  .agency = b->agencies.v[i].name};

		if (b->q->agency_ref && b->q->agency_ref != b->agencies.v[i].ref)
			continue;
		rc = b->s->ops->agency_statement(b->s, b->agencies.v[i].ref,
						 from, to, stmt_line, &st,
						 b->err);
		hk_rsheet_text(sh, st.agency);
		hk_rsheet_int(sh, st.placements);
		hk_rsheet_money(sh, st.recovered);
		hk_rsheet_money(sh, st.commission);
		hk_rsheet_money(sh, st.fees);
		hk_rsheet_money(sh, st.commission + st.fees);
		t[0] += st.placements;
		t[1] += st.recovered;
		t[2] += st.commission;
		t[3] += st.fees;
	}
	hk_rsheet_text(sh, TR("合计", "Total"));
	hk_rsheet_int(sh, t[0]);
	hk_rsheet_money(sh, t[1]);
	hk_rsheet_money(sh, t[2]);
	hk_rsheet_money(sh, t[3]);
	hk_rsheet_money(sh, t[2] + t[3]);
	hk_rsheet_mark_total(sh);
	return rc;
}

/* ---- the table of reports -------------------------------------------- */

static const struct {
	const char *key, *zh, *en;
	enum hk_rc (*build)(struct build *b);
} reports[] = {
	{"aging", "账龄分析", "Aging", build_aging},
	{"roll", "迁徙率", "Roll rates", build_roll},
	{"recovery", "回收率", "Recovery", build_recovery},
	{"promises", "承诺还款", "Promises to pay", build_promises},
	{"activity", "催收作业量", "Activity", build_activity},
	{"team", "团队日报/周报", "Team report", build_team},
	{"agencies", "委外机构结算", "Agency statements", build_agencies},
};

const char *hk_report_key(size_t i, const char **title, enum hk_lang lang)
{
	if (i >= sizeof(reports) / sizeof(reports[0]))
		return NULL;
	if (title)
		*title = lang == HK_LANG_EN ? reports[i].en : reports[i].zh;
	return reports[i].key;
}

void hk_report_query_init(struct hk_report_query *q)
{
	memset(q, 0, sizeof(*q));
	q->date = q->from = q->to = HK_DATE_NONE;
	q->rule_no = q->arm_no = -1;
}

enum hk_rc hk_report_build(struct hk_store *s, const struct hk_config *cfg,
			   const struct hk_report_query *q,
			   struct hk_report **out, struct hk_err *err)
{
	struct build bb = {.s = s, .cfg = cfg, .q = q, .lang = q->lang,
			   .err = err};
	struct build *b = &bb;
	size_t i, n = sizeof(reports) / sizeof(reports[0]);
	enum hk_rc rc;

	*out = NULL;
	for (i = 0; i < n; i++)
		if (q->name && strcmp(q->name, reports[i].key) == 0)
			break;
	if (i == n)
		return hk_err_set(err, HK_ENOTFOUND,
				  TR("没有报表 %s（有 aging、roll、recovery、promises、activity、team、agencies）",
				     "no report %s (there are aging, roll, recovery, promises, activity, team, agencies)"),
				  q->name ? q->name : "");
	b->r = hk_report_new(reports[i].key,
			     q->lang == HK_LANG_EN ? reports[i].en : reports[i].zh,
			     q->lang);
	if ((rc = s->ops->report_dims_scan(s, add_dim, b, err)) != HK_OK ||
	    (rc = s->ops->users_scan(s, add_user, &b->users, err)) != HK_OK ||
	    (rc = s->ops->teams_scan(s, add_named, &b->teams, err)) != HK_OK ||
	    (rc = s->ops->agencies_scan(s, add_named, &b->agencies, err)) !=
		    HK_OK ||
	    (rc = s->ops->strategies_scan(s, 0, true, add_strategy, b, err)) !=
		    HK_OK)
		goto out;
	rc = reports[i].build(b);
out:
	for (size_t k = 0; k < b->n_dim; k++) {
		if (!b->dim[k].used)
			continue;
		free(b->dim[k].creditor);
		free(b->dim[k].product);
		free(b->dim[k].province);
		free(b->dim[k].segment);
	}
	free(b->dim);
	names_free(&b->users);
	names_free(&b->teams);
	names_free(&b->agencies);
	names_free(&b->strategies);
	if (rc != HK_OK)
		hk_report_free(b->r);
	else
		*out = b->r;
	return rc;
}
