/*
 * cmd_demo.c - `huikuan demo [--accounts N] [--db URI]`: generate a
 * realistic portfolio, import it through the ordinary importer, run
 * day-end over its history up to today with the desk's contact records of
 * each day written before it, and print a summary.  Refuses a database
 * that already holds accounts, so it can never mix with real data.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "hk/batch.h"
#include "hk/http.h"
#include "cli.h"

#define DEMO_PASSWORD "huikuan-demo-2026"

static const struct {
	const char *username, *name_zh, *name_en;
	int role;
	int team; /* 0 none, 1 or 2 */
} demo_users[] = {
	{"admin", "系统管理员", "Administrator", HK_ROLE_ADMIN, 0},
	{"wang.jl", "王经理", "Manager Wang", HK_ROLE_MANAGER, 0},
	{"zhang.zz", "张组长", "Team leader Zhang", HK_ROLE_TEAM_LEADER, 1},
	{"li.na", "李娜", "Li Na", HK_ROLE_COLLECTOR, 1},
	{"zhao.lei", "赵磊", "Zhao Lei", HK_ROLE_COLLECTOR, 1},
	{"chen.jing", "陈静", "Chen Jing", HK_ROLE_COLLECTOR, 2},
	{"sun.sj", "孙审计", "Auditor Sun", HK_ROLE_AUDITOR, 0},
	{"wu.wb", "吴文博（华信）", "Wu Wenbo (Huaxin)",
	 HK_ROLE_AGENCY_COLLECTOR, 0},
};

/* Every DEMO_PLACED_EVERY-th case is placed with the demo agency. */
#define DEMO_PLACED_EVERY 10
#define DEMO_PLACED_DAYS 90
/* The agency's contract started this many days ago. */
#define DEMO_CONTRACT_AGO 30

/* A contract with the agency (started a month ago, 90 days to run, 15%
 * commission, 20 yuan a case placed), its next review in half a year, and
 * every DEMO_PLACED_EVERY-th case placed under it to the contract's end. */
static enum hk_rc demo_placements(struct cli *cli, struct hk_store *s,
				  int64_t agency, int64_t by, int32_t today,
				  struct hk_err *err)
{
	struct hk_contract k = {.agency_ref = agency,
				.starts_on = today - DEMO_CONTRACT_AGO,
				.ends_on = today + DEMO_PLACED_DAYS,
				.commission_ppm = 150000,
				.upfront_fee = 2000};
	struct hk_scope all = {.all = true};
	struct hk_case_rec c;
	bool found = true;
	enum hk_rc rc;

	rc = s->ops->contract_create(s, &k, by, (int64_t)time(NULL), &k.ref, err);
	if (rc == HK_OK)
		rc = s->ops->agency_review_set(s, agency, today + 180, err);
	for (int64_t ref = DEMO_PLACED_EVERY; rc == HK_OK && found;
	     ref += DEMO_PLACED_EVERY) {
		rc = s->ops->case_get(s, ref, &all, &c, &found, err);
		if (rc == HK_OK && found)
			rc = s->ops->case_place(
				s, ref, agency, k.ref, by, (int64_t)time(NULL),
				k.ends_on,
				HK_TR(cli->lang, "演示：委外试点",
				      "demo: agency pilot"),
				err);
	}
	return rc;
}

/* Demo users, all with DEMO_PASSWORD, the cases spread over the three
 * collectors, and one agency with some cases placed: enough to log in as
 * each role and see scoping at work. */
static enum hk_rc demo_people(struct cli *cli, struct hk_store *s,
			      int32_t today,
			      struct hk_err *err)
{
	int64_t teams[3] = {0}, collectors[3], collector_teams[3];
	int64_t agency = 0, manager = 0;
	size_t n = 0;
	char hash[HK_PASSWORD_HASH_MAX];
	enum hk_rc rc;

	if ((rc = hk_password_hash(DEMO_PASSWORD, hash)) != HK_OK)
		return hk_err_set(err, rc, "could not hash a password");
	if ((rc = s->ops->begin(s, err)) != HK_OK)
		return rc;
	rc = s->ops->team_create(s, HK_TR(cli->lang, "一组", "Team 1"),
				 &teams[1], err);
	if (rc == HK_OK)
		rc = s->ops->team_create(s, HK_TR(cli->lang, "二组", "Team 2"),
					 &teams[2], err);
	if (rc == HK_OK)
		rc = s->ops->agency_create(
			s, HK_TR(cli->lang, "华信催收服务有限公司",
				 "Huaxin Collection Services"),
			(int64_t)time(NULL), &agency, err);
	for (size_t i = 0; rc == HK_OK && i < sizeof(demo_users) /
							    sizeof(demo_users[0]);
	     i++) {
		struct hk_user u = {.role = demo_users[i].role, .active = true,
				    .team_ref = teams[demo_users[i].team]};

		if (u.role == HK_ROLE_AGENCY_COLLECTOR)
			u.agency_ref = agency;

		snprintf(u.username, sizeof(u.username), "%s",
			 demo_users[i].username);
		snprintf(u.display_name, sizeof(u.display_name), "%s",
			 HK_TR(cli->lang, demo_users[i].name_zh,
			       demo_users[i].name_en));
		memcpy(u.password_hash, hash, sizeof(hash));
		rc = s->ops->user_create(s, &u, (int64_t)time(NULL), err);
		if (rc == HK_OK && u.role == HK_ROLE_COLLECTOR) {
			collectors[n] = u.ref;
			collector_teams[n++] = u.team_ref;
		}
		if (u.role == HK_ROLE_MANAGER)
			manager = u.ref;
	}
	if (rc == HK_OK)
		rc = s->ops->cases_spread(s, collectors, collector_teams, n, err);
	if (rc == HK_OK)
		rc = demo_placements(cli, s, agency, manager, today, err);
	if (rc == HK_OK)
		rc = s->ops->commit(s, err);
	if (rc != HK_OK)
		s->ops->rollback(s);
	return rc;
}

/* The demo's strategy: the shipped one plus an allocation, so the demo
 * shows cases moving by stage: early work (and the promises and hardship
 * that come from it) to team 1, the middle and late stages to team 2, a
 * case rotating after 45 days without a payment or a promise. */
static enum hk_rc demo_strategy(struct cli *cli, struct hk_store *s,
				struct hk_err *err)
{
	static const char *const team1[] = {"early", "gentle", "hardship",
					    "broken_promises", "promises", NULL};
	static const char *const team2[] = {"middle", "late", "legal",
					    "skip_tracing", "disputes", NULL};
	static struct hk_strategy st; /* large: not on the stack */
	struct hk_bucket_table b;
	json_t *doc = json_loads(hk_default_strategy[0], 0, NULL);
	json_t *queues = json_object();
	char *text = NULL;
	int64_t ref;
	enum hk_rc rc;

	if (!doc)
		return hk_err_set(err, HK_EINTERNAL, "the shipped strategy is not JSON");
	for (int i = 0; team1[i]; i++)
		json_object_set_new(queues, team1[i],
				    json_pack("[s]", HK_TR(cli->lang, "一组", "Team 1")));
	for (int i = 0; team2[i]; i++)
		json_object_set_new(queues, team2[i],
				    json_pack("[s]", HK_TR(cli->lang, "二组", "Team 2")));
	json_object_set_new(doc, "name",
			    json_string(HK_TR(cli->lang, "演示策略：默认阶梯 + 按阶段分案",
					      "demo strategy: the default ladder, allocated by stage")));
	json_object_set_new(doc, "allocation",
			    json_pack("{s:o, s:i}", "queues", queues,
				      "rotate_after_days", 45));
	text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	hk_bucket_table_default(&b);
	if ((rc = hk_strategy_from_json(text, strlen(text), &b, &st, cli->lang,
					err)) == HK_OK &&
	    (rc = s->ops->begin(s, err)) == HK_OK) {
		rc = s->ops->strategy_insert(s, st.name, text, 0,
					     (int64_t)time(NULL), true, &ref, err);
		rc = rc == HK_OK ? s->ops->commit(s, err) : rc;
		if (rc != HK_OK)
			s->ops->rollback(s);
	}
	free(text);
	return rc;
}

/* ---- the desk's year: contact records (催记) ------------------------- */

/*
 * Every demo collector's contact records over the history, through the
 * store's record_insert as the desk writes them: on each working day
 * (Monday to Friday, a short Saturday) 120-200 records per collector on
 * the overdue cases they held (fewer while the book is small: a case at
 * most twice a day), the agency's collector on the cases placed with it
 * from the contract's start; mostly calls, some SMS, a few field visits
 * (two staff) on cases 60 days past due and beyond; outcomes as a desk
 * sees them (about half unanswered, a quarter reaching the debtor).  A
 * "promised" record is written only for a promise the demo holds, on the
 * day it was made (Sundays too), by whoever held the case: the promises
 * stay the generator's, and a record never claims one that is not there.
 *
 * Lawful by construction (docs/compliance.md): between 08:00 and 21:00 in
 * the debtors' time zone, at most two records a case a day and at most one
 * of them a conversation (so a debtor, with at most three cases, is never
 * spoken to more than three times a day), none on a disputed, lost-contact
 * or closed case.  Records end yesterday: today's figures and guardrail
 * counts start clean.
 *
 * The records of the days up to a processed date are written, in one
 * transaction, just before that date's day-end, which counts them into the
 * reports on their own local day and lets the strategy see them.  Who
 * holds a case is as the previous day-end left it (the days up to the
 * first processed date wait for its day-end, which tells which cases are
 * overdue, and are worked as the cases were spread before it): a scan of
 * every case gives each desk user's book; on a large portfolio's daily
 * day-ends, where 60 scans of a million cases would cost more than the
 * records, the scan is weekly and each case is looked up (case_get) before
 * its first record of the day, so a record is never written by someone
 * who no longer holds the case.  Seeded from the demo's seed: the same
 * records on both backends.
 */

#define DESK_USERS 4
/* Below this many cases a scan costs less than looking cases up. */
#define DESK_SCAN_ALWAYS 50000
#define DESK_SCAN_EVERY 7

enum { DCH_CALL, DCH_SMS, DCH_VISIT };
static const char *const desk_channel[] = {"call", "sms", "visit"};

enum {
	DO_NO_ANSWER, DO_BUSY, DO_SWITCHED_OFF, DO_LEFT_MESSAGE, DO_REACHED,
	DO_THIRD_PARTY, DO_WRONG_NUMBER, DO_REFUSED, DO_DISPUTES,
	DO_CLAIMS_PAID, DO_PROMISED, DO_DELIVERED, DO_COUNT
};

static const char *const desk_outcome[DO_COUNT] = {
	"no_answer",    "busy",         "switched_off", "left_message",
	"reached_debtor", "third_party", "wrong_number", "refused",
	"disputes",     "claims_paid",  "promised",     "delivered"};

/* A call's outcome, per mille ("promised" only with a promise). */
static const unsigned call_weights[DO_COUNT] = {
	[DO_NO_ANSWER] = 470,  [DO_BUSY] = 70,	       [DO_SWITCHED_OFF] = 65,
	[DO_LEFT_MESSAGE] = 40, [DO_REACHED] = 240,    [DO_THIRD_PARTY] = 60,
	[DO_WRONG_NUMBER] = 25, [DO_REFUSED] = 25,     [DO_DISPUTES] = 3,
	[DO_CLAIMS_PAID] = 2};
/* A visit's: nobody home, the debtor, family at the door. */
static const unsigned visit_weights[DO_COUNT] = {
	[DO_NO_ANSWER] = 300, [DO_REACHED] = 480, [DO_THIRD_PARTY] = 120,
	[DO_REFUSED] = 80,    [DO_DISPUTES] = 10, [DO_CLAIMS_PAID] = 10};

/* Notes as a collector writes them (none crosses the lexicon). */
static const struct {
	int outcome;
	const char *zh, *en;
} desk_notes[] = {
	{DO_NO_ANSWER, "无人接听", "no answer"},
	{DO_NO_ANSWER, "响铃无人接听，稍后再拨", "rang out, will try again later"},
	{DO_BUSY, "占线", "line busy"},
	{DO_SWITCHED_OFF, "关机", "phone switched off"},
	{DO_LEFT_MESSAGE, "已语音留言，请客户回电", "left a voice message asking for a call back"},
	{DO_REACHED, "客户称近期资金紧张，月底前安排还款", "says money is tight, will arrange a payment before month-end"},
	{DO_REACHED, "已告知逾期金额及罚息，客户表示知悉", "told the overdue amount and penalty; acknowledged"},
	{DO_REACHED, "客户称工资延迟发放，下周再联系", "salary is late, call again next week"},
	{DO_REACHED, "客户表示与家人商量后回复", "will discuss with family and call back"},
	{DO_REACHED, "客户询问分期还款方案，已说明申请方式", "asked about instalments; explained how to apply"},
	{DO_THIRD_PARTY, "家属接听，同意转告本人回电", "a relative answered, will pass on the message"},
	{DO_WRONG_NUMBER, "对方称不认识债务人，号码有误", "the person does not know the debtor: wrong number"},
	{DO_REFUSED, "客户拒绝沟通并挂断", "refused to talk and hung up"},
	{DO_DISPUTES, "客户对欠款金额有异议，要求提供账单明细", "disputes the amount, asks for a statement"},
	{DO_CLAIMS_PAID, "客户称已还清，待核实入账", "says it is paid; to check against the bank"},
	{DO_PROMISED, "客户承诺按约定日期还款", "promised to pay on the agreed date"},
	{DO_DELIVERED, "还款提醒短信已送达", "payment reminder SMS delivered"},
};
#define N_DESK_NOTES (sizeof(desk_notes) / sizeof(desk_notes[0]))

struct desk_rec {
	int64_t at, case_ref, user_ref, second;
	uint8_t channel, outcome, note;
};

struct desk_user {
	int64_t ref, second; /* second: the visits' second member of staff */
	int64_t agency_ref;  /* an agency's collector: its cases */
	int64_t *pool;       /* the overdue cases held after the last scan */
	size_t n_pool, cap_pool;
	int promised_today;
};

struct desk {
	uint64_t rng;
	enum hk_lang lang;
	const char *tz;
	struct hk_store *s;
	struct hk_err *err;
	enum hk_rc rc;             /* a lookup's failure, for desk_fill */
	struct desk_user u[DESK_USERS];
	int n_u;
	int32_t first, last, next; /* the days [first, last]; next: to do */
	int32_t contract_from;     /* the agency works its cases from then */
	int64_t agency_ref;        /* the agency's; its user's index: */
	int agency_user;           /* -1: none */
	/* who held each case until the first day-end, by case ref (the
	 * records of the days up to it are written after it) */
	int8_t *first_holder;
	size_t n_first;
	int32_t first_state;
	int32_t last_scan;         /* the day of the last scan's state */
	uint32_t gen;              /* day-ends seen */
	size_t cases;              /* cases in the last scan */
	/* by case ref, as of the last scan or lookup */
	int32_t *since;            /* overdue since; INT32_MAX: not workable */
	int8_t *holder;            /* in-house user index; -1: none */
	uint8_t *placed;
	uint32_t *seen;            /* gen when last scanned or looked up */
	int32_t *mark_day;         /* the last day a record was written */
	uint8_t *mark_n;           /* on that day: records, conversation bit */
	size_t n_case;
	/* the demo's promises: (made_on, case), in the order made */
	struct desk_promise {
		int32_t made_on;
		int64_t case_ref;
	} *prom;
	size_t n_prom, cap_prom, next_prom;
	bool want_promises;
	struct desk_rec *rec;
	size_t n_rec, cap_rec;
	size_t total;
};

/* splitmix64: one stream, so the same seed gives the same records. */
static uint64_t desk_next(struct desk *d)
{
	uint64_t z = (d->rng += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static uint32_t desk_below(struct desk *d, uint32_t n)
{
	return (uint32_t)(((desk_next(d) >> 32) * (uint64_t)n) >> 32);
}

static int desk_range(struct desk *d, int lo, int hi)
{
	return lo + (int)desk_below(d, (uint32_t)(hi - lo + 1));
}

static int desk_pick(struct desk *d, const unsigned *w)
{
	unsigned total = 0, x;
	int i;

	for (i = 0; i < DO_COUNT; i++)
		total += w[i];
	x = desk_below(d, total);
	for (i = 0; i < DO_COUNT - 1; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return DO_COUNT - 1;
}

static uint8_t desk_note(struct desk *d, int outcome)
{
	size_t first = N_DESK_NOTES, n = 0;

	for (size_t i = 0; i < N_DESK_NOTES; i++)
		if (desk_notes[i].outcome == outcome) {
			if (!n)
				first = i;
			n++;
		}
	return (uint8_t)(first + (n > 1 ? desk_below(d, (uint32_t)n) : 0));
}

static bool desk_conversation(int outcome)
{
	return outcome == DO_REACHED || outcome == DO_PROMISED ||
	       outcome == DO_REFUSED || outcome == DO_DISPUTES ||
	       outcome == DO_CLAIMS_PAID;
}

/* Seconds after local midnight: calls in office hours (a lunch break) and
 * some in the evening when people are home; SMS in the daytime; visits
 * 09:30-17:00.  Always within 08:00-21:00. */
static int desk_time(struct desk *d, int channel)
{
	int m;

	if (channel == DCH_VISIT)
		return (9 * 60 + 30 + desk_range(d, 0, 449)) * 60 +
		       desk_range(d, 0, 59);
	if (channel == DCH_SMS)
		return (9 * 60 + desk_range(d, 0, 659)) * 60 + desk_range(d, 0, 59);
	if (desk_below(d, 100) < 12) /* 18:00-20:44 */
		m = 18 * 60 + desk_range(d, 0, 164);
	else if ((m = desk_range(d, 0, 449)) < 180) /* 09:00-11:59 */
		m += 9 * 60;
	else /* 13:30-17:59 */
		m += 13 * 60 + 30 - 180;
	return m * 60 + desk_range(d, 0, 59);
}

static void desk_grow(struct desk *d, int64_t ref)
{
	size_t n = d->n_case ? d->n_case : 1024;

	if ((size_t)ref < d->n_case)
		return;
	while (n <= (size_t)ref)
		n *= 2;
	d->since = hk_realloc(d->since, n * sizeof(*d->since));
	d->holder = hk_realloc(d->holder, n * sizeof(*d->holder));
	d->placed = hk_realloc(d->placed, n * sizeof(*d->placed));
	d->seen = hk_realloc(d->seen, n * sizeof(*d->seen));
	d->mark_day = hk_realloc(d->mark_day, n * sizeof(*d->mark_day));
	d->mark_n = hk_realloc(d->mark_n, n * sizeof(*d->mark_n));
	for (size_t i = d->n_case; i < n; i++) {
		d->since[i] = INT32_MAX;
		d->holder[i] = -1;
		d->placed[i] = 0;
		d->seen[i] = 0;
		d->mark_day[i] = HK_DATE_NONE;
		d->mark_n[i] = 0;
	}
	d->n_case = n;
}

/* The in-house desk user of a collector ref; -1: none. */
static int8_t desk_index(const struct desk *d, int64_t collector_ref)
{
	for (int i = 0; collector_ref && i < d->n_u; i++)
		if (!d->u[i].agency_ref && d->u[i].ref == collector_ref)
			return (int8_t)i;
	return -1;
}

static void pool_add(struct desk_user *u, int64_t ref)
{
	if (u->n_pool == u->cap_pool) {
		u->cap_pool = u->cap_pool ? 2 * u->cap_pool : 1024;
		u->pool = hk_realloc(u->pool, u->cap_pool * sizeof(*u->pool));
	}
	u->pool[u->n_pool++] = ref;
}

static bool desk_workable(const char *status)
{
	static const char *const ok[] = {"new", "in_collection", "promised",
					 "on_plan", "legal", NULL};

	for (int i = 0; status && ok[i]; i++)
		if (!strcmp(status, ok[i]))
			return true;
	return false;
}

static int desk_take_case(void *ctx, const struct hk_case_fact_row *r)
{
	struct desk *d = ctx;
	int64_t ref = r->case_ref;

	if (ref <= 0)
		return 0;
	desk_grow(d, ref);
	if (d->want_promises && r->last_promise_on != HK_DATE_NONE) {
		if (d->n_prom == d->cap_prom) {
			d->cap_prom = d->cap_prom ? 2 * d->cap_prom : 1024;
			d->prom = hk_realloc(d->prom, d->cap_prom * sizeof(*d->prom));
		}
		d->prom[d->n_prom++] = (struct desk_promise){r->last_promise_on, ref};
	}
	d->cases++;
	d->since[ref] = INT32_MAX;
	d->holder[ref] = desk_index(d, r->collector_ref);
	d->placed[ref] = r->agency_ref != 0 && r->agency_ref == d->agency_ref;
	d->seen[ref] = d->gen;
	if (!(r->overdue_since == INT32_MAX || r->dispute_open ||
	      r->lost_contact || !desk_workable(r->status)))
		d->since[ref] = r->overdue_since;
	return 0;
}

/* Each desk user's book from the arrays: the in-house collectors' cases
 * as held then (first: before the first day-end), the agency's its
 * placed cases. */
static void desk_pools(struct desk *d, bool first)
{
	for (int i = 0; i < d->n_u; i++)
		d->u[i].n_pool = 0;
	for (size_t ref = 1; ref < d->n_case; ref++) {
		int h = !first		 ? d->holder[ref]
			: ref < d->n_first ? d->first_holder[ref] : -1;

		if (d->since[ref] == INT32_MAX)
			continue;
		if (h >= 0)
			pool_add(&d->u[h], (int64_t)ref);
		if (d->placed[ref] && d->agency_user >= 0)
			pool_add(&d->u[d->agency_user], (int64_t)ref);
	}
}

/* Who held each case before the first day-end (the cases as spread). */
static int desk_take_first(void *ctx, const struct hk_case_fact_row *r)
{
	struct desk *d = ctx;

	if (r->case_ref <= 0)
		return 0;
	if ((size_t)r->case_ref >= d->n_first) {
		size_t n = d->n_first ? d->n_first : 1024;

		while (n <= (size_t)r->case_ref)
			n *= 2;
		d->first_holder = hk_realloc(d->first_holder, n);
		memset(d->first_holder + d->n_first, 0xff, n - d->n_first);
		d->n_first = n;
	}
	d->first_holder[r->case_ref] = desk_index(d, r->collector_ref);
	return 0;
}

static int promise_cmp(const void *pa, const void *pb)
{
	const struct desk_promise *a = pa, *b = pb;

	if (a->made_on != b->made_on)
		return a->made_on < b->made_on ? -1 : 1;
	return a->case_ref < b->case_ref ? -1 : a->case_ref > b->case_ref;
}

/* Look a case up again (a day-end since its scan may have moved it). */
static bool desk_check(struct desk *d, int64_t ref)
{
	struct hk_scope all = {.all = true};
	struct hk_case_rec c;
	bool found = false;
	int h;

	d->seen[ref] = d->gen;
	if (d->rc == HK_OK)
		d->rc = d->s->ops->case_get(d->s, ref, &all, &c, &found, d->err);
	if (d->rc != HK_OK || !found || c.lost_contact ||
	    !desk_workable(c.status)) {
		d->since[ref] = INT32_MAX;
		return false;
	}
	h = desk_index(d, c.collector_ref);
	/* moved to another of the desk: into their book until the next scan */
	if (h >= 0 && h != d->holder[ref])
		pool_add(&d->u[h], ref);
	d->holder[ref] = (int8_t)h;
	d->placed[ref] = c.agency_ref != 0 && c.agency_ref == d->agency_ref;
	return true;
}

/* Who holds the case on `day`: the agency's collector once its contract
 * has started, else the case's collector; -1: none of the desk. */
static int desk_holder(struct desk *d, int64_t ref, int32_t day)
{
	if ((size_t)ref >= d->n_case || d->since[ref] == INT32_MAX ||
	    (d->seen[ref] != d->gen && !desk_check(d, ref)))
		return -1;
	if (d->placed[ref] && day >= d->contract_from)
		return d->agency_user;
	if (d->first_holder && day <= d->first_state)
		return (size_t)ref < d->n_first ? d->first_holder[ref] : -1;
	return d->holder[ref];
}

static void desk_add(struct desk *d, int u, int64_t ref, int64_t midnight,
		     int channel, int outcome)
{
	struct desk_rec *r;

	if (d->n_rec == d->cap_rec) {
		d->cap_rec = d->cap_rec ? 2 * d->cap_rec : 4096;
		d->rec = hk_realloc(d->rec, d->cap_rec * sizeof(*d->rec));
	}
	r = &d->rec[d->n_rec++];
	r->at = midnight + desk_time(d, channel);
	r->case_ref = ref;
	r->user_ref = d->u[u].ref;
	r->second = channel == DCH_VISIT ? d->u[u].second : 0;
	r->channel = (uint8_t)channel;
	r->outcome = (uint8_t)outcome;
	r->note = desk_note(d, outcome);
}

/* Whether a case may take one more record today (and a conversation). */
static bool desk_mark(struct desk *d, int64_t ref, int32_t day, bool conv)
{
	if (d->mark_day[ref] != day) {
		d->mark_day[ref] = day;
		d->mark_n[ref] = 0;
	}
	if ((d->mark_n[ref] & 3) >= 2 || (conv && (d->mark_n[ref] & 4)))
		return false;
	d->mark_n[ref] = (uint8_t)((d->mark_n[ref] + 1) | (conv ? 4 : 0));
	return true;
}

/* One day's records of every desk user, into d->rec. */
static void desk_day(struct desk *d, int32_t day, int64_t midnight)
{
	int wd = (int)(((int64_t)day % 7 + 7 + 3) % 7); /* 0: Monday */

	for (int i = 0; i < d->n_u; i++)
		d->u[i].promised_today = 0;
	/* the promises made today, each noted by the case's holder (at
	 * most 20 each a day: a large portfolio's promises outnumber what
	 * one person can take) */
	for (; d->next_prom < d->n_prom && d->prom[d->next_prom].made_on <= day;
	     d->next_prom++) {
		const struct desk_promise *p = &d->prom[d->next_prom];
		int u = p->made_on == day ? desk_holder(d, p->case_ref, day) : -1;

		if (u < 0 || d->u[u].promised_today >= 20 ||
		    !desk_mark(d, p->case_ref, day, true))
			continue;
		d->u[u].promised_today++;
		desk_add(d, u, p->case_ref, midnight, DCH_CALL, DO_PROMISED);
	}
	for (int i = 0; i < d->n_u; i++) {
		struct desk_user *u = &d->u[i];
		int want = wd < 5 ? desk_range(d, 120, 200)
			 : wd == 5 ? desk_range(d, 40, 80) : 0;
		int made = u->promised_today, tries = 0;

		if (u->n_pool == 0 || (u->agency_ref && day < d->contract_from))
			continue;
		/* a small book: each case at most about twice a day */
		if ((size_t)want > u->n_pool + u->n_pool / 2)
			want = (int)(u->n_pool + u->n_pool / 2);
		while (made < want && tries++ < 20 * want) {
			int64_t ref = u->pool[desk_below(d, (uint32_t)u->n_pool)];
			int32_t dpd = day - d->since[ref];
			int channel = DCH_CALL, outcome, x;

			if (dpd < 1 || desk_holder(d, ref, day) != i)
				continue;
			/* the early stages get more calls than the deep ones */
			if (desk_below(d, 100) >= (dpd <= 30 ? 100u : dpd <= 90 ? 85u
						   : dpd <= 180 ? 60u : 40u))
				continue;
			x = (int)desk_below(d, 100);
			if (x < 12)
				channel = DCH_SMS;
			else if (x < 15 && dpd >= 60 && u->second)
				channel = DCH_VISIT;
			outcome = channel == DCH_SMS ? DO_DELIVERED
				  : desk_pick(d, channel == DCH_VISIT ? visit_weights
								     : call_weights);
			if (!desk_mark(d, ref, day, desk_conversation(outcome)))
				continue;
			desk_add(d, i, ref, midnight, channel, outcome);
			made++;
		}
	}
}

static int desk_rec_cmp(const void *pa, const void *pb)
{
	const struct desk_rec *a = pa, *b = pb;

	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	if (a->user_ref != b->user_ref)
		return a->user_ref < b->user_ref ? -1 : 1;
	if (a->case_ref != b->case_ref)
		return a->case_ref < b->case_ref ? -1 : 1;
	if (a->channel != b->channel)
		return a->channel - b->channel;
	return a->outcome != b->outcome ? a->outcome - b->outcome
					: a->note - b->note;
}

static enum hk_rc desk_insert(struct desk *d, struct hk_store *s,
			      struct hk_err *err)
{
	struct hk_record r;
	enum hk_rc rc = HK_OK;

	memset(&r, 0, sizeof(r));
	r.next_follow_up = HK_DATE_NONE;
	if (d->n_rec) /* qsort's array may not be NULL, even empty */
		qsort(d->rec, d->n_rec, sizeof(*d->rec), desk_rec_cmp);
	for (size_t i = 0; rc == HK_OK && i < d->n_rec; i++) {
		const struct desk_rec *x = &d->rec[i];

		r.ref = 0;
		r.case_ref = x->case_ref;
		r.user_ref = x->user_ref;
		r.second_staff_ref = x->second;
		r.at = x->at;
		snprintf(r.channel, sizeof(r.channel), "%s", desk_channel[x->channel]);
		snprintf(r.outcome, sizeof(r.outcome), "%s", desk_outcome[x->outcome]);
		snprintf(r.note, sizeof(r.note), "%s",
			 HK_TR(d->lang, desk_notes[x->note].zh, desk_notes[x->note].en));
		rc = s->ops->record_insert(s, &r, err);
	}
	d->total += d->n_rec;
	d->n_rec = 0;
	return rc;
}

/* Local midnight of `day` in the time zone TZ names now. */
static int64_t desk_midnight(int32_t day)
{
	struct tm tm = {0};
	int y, m, dd;

	hk_date_to_ymd(day, &y, &m, &dd);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = dd;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

/* Who holds which case now (after the last day-end); the first time, the
 * demo's promises too. */
static enum hk_rc desk_scan(struct desk *d, struct hk_store *s, int32_t as_of,
			    struct hk_err *err)
{
	struct hk_fact_need need = {.bits = HK_FACT_DISPUTE,
				    .debtor_lo = 1, .debtor_hi = 0,
				    .due_lo = 1, .due_hi = 0};
	enum hk_rc rc;

	d->cases = 0;
	d->last_scan = as_of;
	d->want_promises = !d->prom;
	if (d->want_promises)
		need.bits |= HK_FACT_PROMISE_MADE;
	rc = s->ops->case_facts_scan(s, as_of, false, &need, desk_take_case, d,
				     err);
	if (rc == HK_OK && d->want_promises) {
		if (!d->prom) /* none: an empty list, not a second look */
			d->prom = hk_malloc(sizeof(*d->prom));
		qsort(d->prom, d->n_prom, sizeof(*d->prom), promise_cmp);
	}
	if (rc == HK_OK)
		desk_pools(d, false);
	return rc;
}

/* The cases as spread before the first day-end (desk_take_first). */
static enum hk_rc desk_first(struct desk *d, struct hk_store *s,
			     int32_t first_state, struct hk_err *err)
{
	struct hk_fact_need need = {.bits = 0, .debtor_lo = 1, .debtor_hi = 0,
				    .due_lo = 1, .due_hi = 0};

	d->first_state = first_state;
	return s->ops->case_facts_scan(s, first_state, false, &need,
				       desk_take_first, d, err);
}

/* The records of the days up to `through` not yet written, in one
 * transaction, in the debtors' time zone; `state`: the date of the last
 * day-end, whose state says who holds what. */
static enum hk_rc desk_fill(struct desk *d, struct hk_store *s, int32_t state,
			    int32_t through, struct hk_err *err)
{
	const char *old = getenv("TZ");
	char *saved = NULL;
	enum hk_rc rc = HK_OK;

	d->gen++;
	if (through > d->last)
		through = d->last;
	if (d->next > through)
		return HK_OK;
	/* a month's records, a small portfolio, or a week since the last */
	if (!d->prom || through > d->next || d->cases < DESK_SCAN_ALWAYS ||
	    state - d->last_scan >= DESK_SCAN_EVERY)
		rc = desk_scan(d, s, state, err);
	if (rc != HK_OK)
		return rc;
	saved = old ? hk_strndup(old, strlen(old)) : NULL;
	setenv("TZ", d->tz, 1);
	tzset();
	d->s = s;
	d->err = err;
	d->rc = HK_OK;
	rc = s->ops->begin(s, err);
	for (int32_t day = d->next; rc == HK_OK && day <= through; day++) {
		/* the days before the first day-end: the books as spread */
		if (d->first_holder && day == d->next)
			desk_pools(d, true);
		if (d->first_holder && day > d->first_state) {
			free(d->first_holder);
			d->first_holder = NULL;
			desk_pools(d, false);
		}
		desk_day(d, day, desk_midnight(day));
		rc = d->rc != HK_OK ? d->rc : desk_insert(d, s, err);
	}
	if (rc == HK_OK)
		rc = s->ops->commit(s, err);
	else
		s->ops->rollback(s);
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else {
		unsetenv("TZ");
	}
	tzset();
	d->next = through + 1;
	return rc;
}

/* The desk: the demo's collectors and agency collector, each with the
 * colleague who goes along on visits. */
static enum hk_rc desk_init(struct desk *d, struct cli *cli, struct hk_store *s,
			    const struct hk_config *cfg,
			    const struct hk_demo_opts *o, struct hk_err *err)
{
	static const struct {
		const char *user, *second;
	} staff[DESK_USERS] = {{"li.na", "zhao.lei"},
			       {"zhao.lei", "li.na"},
			       {"chen.jing", "wang.jl"},
			       {"wu.wb", NULL}};

	memset(d, 0, sizeof(*d));
	d->rng = o->seed ^ UINT64_C(0x6875696b75616e31); /* "huikuan1" */
	d->lang = cli->lang;
	d->tz = cfg->time_zone;
	d->first = o->today - o->history_days;
	d->last = o->today - 1;
	d->next = d->first;
	d->contract_from = o->today - DEMO_CONTRACT_AGO;
	d->agency_user = -1;
	for (int i = 0; i < DESK_USERS; i++) {
		struct hk_user u, v;
		bool found = false;
		enum hk_rc rc = s->ops->user_get(s, staff[i].user, 0, &u, &found, err);

		if (rc != HK_OK)
			return rc;
		if (!found)
			continue;
		d->u[d->n_u] = (struct desk_user){
			.ref = u.ref,
			.agency_ref = u.role == HK_ROLE_AGENCY_COLLECTOR ? u.agency_ref : 0};
		if (d->u[d->n_u].agency_ref) {
			d->agency_ref = u.agency_ref;
			d->agency_user = d->n_u;
		}
		if (staff[i].second &&
		    (rc = s->ops->user_get(s, staff[i].second, 0, &v, &found,
					   err)) != HK_OK)
			return rc;
		if (staff[i].second && found)
			d->u[d->n_u].second = v.ref;
		d->n_u++;
	}
	return HK_OK;
}

static void desk_free(struct desk *d)
{
	for (int i = 0; i < d->n_u; i++)
		free(d->u[i].pool);
	free(d->since);
	free(d->holder);
	free(d->placed);
	free(d->seen);
	free(d->first_holder);
	free(d->mark_day);
	free(d->mark_n);
	free(d->prom);
	free(d->rec);
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static bool parse_count(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || s[0] == '-' || v == 0 || v > 10000000ULL)
		return false;
	*out = (size_t)v;
	return true;
}

/* Day-ends the demo runs: every month-end of the history, then every day
 * of the last 60, so aging and roll rates have a past to show. */
static bool wanted_day(int32_t d, int32_t today)
{
	int y, m, day, y2, m2, day2;

	if (d > today - 60)
		return true;
	hk_date_to_ymd(d, &y, &m, &day);
	hk_date_to_ymd(d + 1, &y2, &m2, &day2);
	return m2 != m;
}

static void print_money(int64_t fen)
{
	char buf[HK_MONEY_BUFSZ];

	hk_money_format(fen, buf);
	printf("%16s", buf);
}

int cmd_demo(struct cli *cli, int argc, char **argv)
{
	static const int kinds[] = {HK_IMPORT_DEBTORS, HK_IMPORT_CONTACTS,
				    HK_IMPORT_ACCOUNTS, HK_IMPORT_INSTALLMENTS,
				    HK_IMPORT_PAYMENTS, HK_IMPORT_PROMISES};
	struct hk_demo_opts dopts = {.accounts = 2000, .seed = 20261123,
				     .history_days = 365};
	struct hk_demo_counts counts;
	struct hk_config cfg;
	struct hk_eod_stats stats;
	struct hk_err err = {0};
	struct hk_store *s;
	char dir[] = "/tmp/huikuan-demo-XXXXXX";
	char date[HK_DATE_BUFSZ];
	int64_t max_ref = 0;
	size_t counts_records = 0;
	int status = EXIT_DONE;
	enum hk_rc rc;

	struct hk_server_opts sopts = {.host = "127.0.0.1", .port = 8080};
	static struct desk desk; /* large: not on the stack */
	int32_t last_done = HK_DATE_NONE;
	bool serve = true;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--no-serve")) {
			serve = false;
		} else if (!strcmp(argv[i], "--port") && i + 1 < argc) {
			char *end;
			unsigned long p = strtoul(argv[++i], &end, 10);

			if (*end || p > 65535)
				return cli_usage(cli, "%s",
						 HK_TR(cli->lang, "--port 需要 0 到 65535",
						       "--port takes 0 to 65535"));
			sopts.port = (uint16_t)p;
		} else if (!strcmp(argv[i], "--accounts") && i + 1 < argc) {
			if (!parse_count(argv[++i], &dopts.accounts))
				return cli_usage(cli,
						 HK_TR(cli->lang,
						       "--accounts 需要 1 到 10000000 之间的整数",
						       "--accounts takes a whole number from 1 to 10000000"));
		} else if (!cli_take_db(cli, argc, argv, &i)) {
			return cli_unknown(cli, argv[i]);
		}
	}
	if ((status = cli_config(cli, &cfg)) != EXIT_DONE)
		return status;
	if ((status = cli_open(cli, true, &s)) != EXIT_DONE)
		return status;
	if ((rc = s->ops->account_max_ref(s, &max_ref, &err)) == HK_OK &&
	    max_ref > 0)
		rc = hk_err_set(&err, HK_EREFUSED,
				HK_TR(cli->lang,
				      "数据库 %s 已有账户；演示只写入新数据库，请用 --db 指定一个新文件",
				      "database %s already holds accounts; the demo only fills a new database: give --db a new file"),
				cli->db);
	if (rc != HK_OK) {
		hk_store_close(s);
		return cli_fail(cli, rc, &err);
	}
	dopts.today = cli_today(cfg.time_zone);
	if (!mkdtemp(dir)) {
		hk_store_close(s);
		hk_err_set(&err, HK_EIO, "mkdtemp: %s", strerror(errno));
		return cli_fail(cli, HK_EIO, &err);
	}
	if (cli->tty)
		fprintf(stderr, HK_TR(cli->lang, "生成演示数据：%zu 个账户…\n",
				      "generating the demo portfolio: %zu accounts...\n"),
			dopts.accounts);
	rc = hk_demo_write(&dopts, dir, &counts, &err);
	for (size_t k = 0; rc == HK_OK && k < sizeof(kinds) / sizeof(kinds[0]);
	     k++) {
		struct hk_waivable_ctx wctx = {.store = s, .cfg = &cfg};
		struct hk_import_opts iopts = {
			.kind = kinds[k], .encoding = HK_ENC_UTF8,
			.lang = cli->lang, .errors = stderr, .max_errors = 20,
			.progress = cli->tty, .waivable = hk_eod_waivable,
			.waivable_ctx = &wctx};
		struct hk_import_result res;
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s.csv", dir,
			 hk_import_kind_name(kinds[k]));
		iopts.display_name = path;
		rc = hk_import_file(s, path, &iopts, &res, &err);
	}
	remove_dir(dir);
	/* People and the strategy first: every day-end runs them. */
	if (rc == HK_OK)
		rc = demo_people(cli, s, dopts.today, &err);
	if (rc == HK_OK)
		rc = cli_seed_strategy(s, cli->lang, &err);
	if (rc == HK_OK)
		rc = cli_seed_templates(s, &err);
	if (rc == HK_OK)
		rc = demo_strategy(cli, s, &err);
	if (rc == HK_OK)
		rc = desk_init(&desk, cli, s, &cfg, &dopts, &err);
	for (int32_t d = dopts.today - dopts.history_days;
	     rc == HK_OK && d <= dopts.today; d++) {
		struct hk_eod_opts eopts = {.as_of = d};

		if (!wanted_day(d, dopts.today))
			continue;
		if (cli->tty) {
			hk_date_format(d, date);
			fprintf(stderr, "\r%s %s", HK_TR(cli->lang, "日终", "day-end"),
				date);
		}
		/* the desk's records up to d, before d's day-end counts them
		 * (the days up to the first processed date wait for its
		 * day-end's state; before it, who held what as spread) */
		if (last_done != HK_DATE_NONE)
			rc = desk_fill(&desk, s, last_done, d, &err);
		else
			rc = desk_first(&desk, s, d, &err);
		if (rc == HK_OK)
			rc = hk_eod_run(s, &cfg, &eopts, &stats, &err);
		last_done = d;
	}
	if (cli->tty)
		fputc('\n', stderr);
	hk_store_close(s);
	counts_records = desk.total;
	desk_free(&desk);
	if (rc != HK_OK)
		return cli_fail(cli, rc, &err);

	hk_date_format(dopts.today, date);
	printf(HK_TR(cli->lang,
		     "演示数据已就绪：%s（%zu 个债务人，%zu 个账户，%zu 笔还款，%zu 个承诺，%zu 条催记），日终处理至 %s\n\n",
		     "demo portfolio ready: %s (%zu debtors, %zu accounts, %zu payments, %zu promises, %zu contact records), day-end run to %s\n\n"),
	       cli->db, counts.debtors, counts.accounts, counts.payments,
	       counts.promises, counts_records, date);
	/* Column heads padded by hand: a Chinese character is three bytes
	 * but two columns wide, which printf widths cannot know. */
	fputs(HK_TR(cli->lang,
		    "账龄       账户数         逾期总额         剩余本金\n",
		    "bucket   accounts    total overdue   principal left\n"),
	      stdout);
	for (int b = 0; b < cfg.buckets.n; b++) {
		printf("%-6s %10lld ", cfg.buckets.name[b],
		       (long long)stats.totals[b].accounts);
		print_money(stats.totals[b].total_overdue);
		fputc(' ', stdout);
		print_money(stats.totals[b].principal_outstanding);
		fputc('\n', stdout);
	}
	printf(HK_TR(cli->lang, "\n演示用户（密码均为 %s）：\n",
		     "\ndemo users (all with the password %s):\n"),
	       DEMO_PASSWORD);
	for (size_t i = 0; i < sizeof(demo_users) / sizeof(demo_users[0]); i++)
		printf("  %-10s %-16s %s\n", demo_users[i].username,
		       hk_role_name(demo_users[i].role),
		       HK_TR(cli->lang, demo_users[i].name_zh,
			     demo_users[i].name_en));
	fflush(stdout);
	if (!serve)
		return EXIT_DONE;
	sopts.db_uri = cli->db;
	sopts.cfg = &cfg;
	sopts.lang = cli->lang;
	sopts.config_path = cli->config;
	{
		static char web[4096];

		if (hk_web_dir_find(NULL, web, sizeof(web)))
			sopts.web_dir = web;
	}
	rc = hk_server_run(&sopts, &err);
	return rc == HK_OK ? EXIT_DONE : cli_fail(cli, rc, &err);
}
