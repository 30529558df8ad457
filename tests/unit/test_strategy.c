/*
 * test_strategy.c - the decision table (src/core/strategy.c): first match
 * wins, every case gets exactly one treatment, impossible conditions and
 * shadowed rules are refused, champion/challenger arms are deterministic
 * and follow their shares.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hk/io.h"
#include "hk/ledger.h"
#include "hk/strategy.h"

/* The default bucket table: M0 0, M1 1-30, M2 31-60, ..., M7+ 181- */
static const int32_t max_dpd[] = {0, 30, 60, 90, 120, 150, 180, INT32_MAX};
#define NB 8
#define BIT(b) (1u << (b))

static struct hk_strategy st;

static struct hk_rule *add(const char *id)
{
	struct hk_rule *r = &st.rules[st.n_rules++];

	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id);
	r->when.dispute_open = r->when.lost_contact = -1;
	r->then.hour_from = r->then.hour_to = -1;
	return r;
}

static void reset(void)
{
	memset(&st, 0, sizeof(st));
}

static struct hk_case_facts facts(int64_t ref, int32_t dpd, int bucket)
{
	struct hk_case_facts f = {.case_ref = ref, .dpd = dpd, .bucket = bucket,
				  .creditor = "BANK-A", .segment = "白领",
				  .province = "北京", .promise = -1, .plan = -1,
				  .days_since_contact = -1, .days_since_payment = -1,
				  .days_to_due = -1, .age = -1,
				  .products = 1};
	return f;
}

static enum hk_rc check(char *msg)
{
	struct hk_err err = {0};
	enum hk_rc rc = hk_strategy_check(&st, max_dpd, NB, HK_LANG_EN, &err);

	memcpy(msg, err.msg, sizeof(err.msg));
	return rc;
}

static void first_match_wins(void **state)
{
	struct hk_case_facts f;
	struct hk_rule *r;
	char msg[768]; /* struct hk_err's */
	int arm;

	(void)state;
	reset();
	r = add("early");
	r->when.buckets = BIT(1);
	r->then.channel = HK_CH_CALL;
	r = add("any-overdue");
	r->when.dpd = (struct hk_range){true, 1, 100000};
	r->then.channel = HK_CH_SMS;
	add("rest");
	assert_int_equal(check(msg), HK_OK);

	f = facts(1, 10, 1); /* M1: both the first and the second hold */
	assert_int_equal(hk_strategy_match(&st, &f, &arm), 0);
	assert_int_equal(arm, -1);
	assert_int_equal(hk_strategy_treatment(&st, 0, arm)->channel, HK_CH_CALL);
	f = facts(2, 45, 2); /* M2: only the second */
	assert_int_equal(hk_strategy_match(&st, &f, &arm), 1);
	f = facts(3, 0, 0); /* current: only the last */
	assert_int_equal(hk_strategy_match(&st, &f, &arm), 2);
}

static void every_condition(void **state)
{
	struct hk_case_facts f = facts(7, 20, 1);
	struct hk_rule *r;
	int arm;

	(void)state;
	reset();
	r = add("x");
	r->when.total_overdue = (struct hk_range){true, 100000, 200000};
	r->when.products = 1;
	snprintf(r->when.segments.v[0], HK_STRATEGY_TEXT, "退休");
	r->when.segments.n = 1;
	r->when.promises = BIT(2 + 1); /* broken */
	r->when.dispute_open = 0;
	r->when.days_since_contact = (struct hk_range){true, 7, INT64_MAX};
	r->when.outcomes_any = BIT(hk_outcome_bit("hardship"));
	add("rest");
	f.total_overdue = 150000;
	f.segment = "退休";
	f.promise = 2;
	f.outcomes = BIT(hk_outcome_bit("hardship"));
	assert_int_equal(hk_strategy_match(&st, &f, &arm), 0);
	f.days_since_contact = -1; /* never contacted: past any minimum */
	assert_int_equal(hk_strategy_match(&st, &f, &arm), 0);
	f.days_since_contact = 3; /* contacted 3 days ago: too recent */
	assert_int_equal(hk_strategy_match(&st, &f, &arm), 1);
	f.days_since_contact = 9;
	f.dispute_open = true;
	assert_int_equal(hk_strategy_match(&st, &f, &arm), 1);
	f.dispute_open = false;
	f.segment = "白领";
	assert_int_equal(hk_strategy_match(&st, &f, &arm), 1);
	f.segment = "退休";
	f.total_overdue = 200001;
	assert_int_equal(hk_strategy_match(&st, &f, &arm), 1);
}

static void impossible_and_shadowed(void **state)
{
	struct hk_rule *r;
	char msg[768]; /* struct hk_err's */

	(void)state;
	/* DPD 100-200 is not in M1 */
	reset();
	r = add("odd");
	r->when.buckets = BIT(1);
	r->when.dpd = (struct hk_range){true, 100, 200};
	add("rest");
	assert_int_equal(check(msg), HK_EINVAL);
	assert_non_null(strstr(msg, "rules[0] (odd)"));
	assert_non_null(strstr(msg, "no case can match"));

	reset();
	r = add("empty");
	r->when.total_overdue = (struct hk_range){true, 500, 100};
	add("rest");
	assert_int_equal(check(msg), HK_EINVAL);
	assert_non_null(strstr(msg, "total_overdue"));

	/* M1-M2 first, then M1 credit cards: never reached */
	reset();
	r = add("broad");
	r->when.buckets = BIT(1) | BIT(2);
	r = add("narrow");
	r->when.buckets = BIT(1);
	r->when.products = 1;
	add("rest");
	assert_int_equal(check(msg), HK_EINVAL);
	assert_non_null(strstr(msg, "rules[1] (narrow)"));
	assert_non_null(strstr(msg, "rules[0] (broad)"));

	/* the narrow one first is fine */
	reset();
	r = add("narrow");
	r->when.buckets = BIT(1);
	r->when.products = 1;
	r = add("broad");
	r->when.buckets = BIT(1) | BIT(2);
	add("rest");
	assert_int_equal(check(msg), HK_OK);

	/* a catch-all before the end shadows what follows */
	reset();
	add("all");
	r = add("late");
	r->when.buckets = BIT(7);
	assert_int_equal(check(msg), HK_EINVAL);
	assert_non_null(strstr(msg, "rules[1] (late)"));

	/* no catch-all at the end: some case would get nothing */
	reset();
	r = add("only");
	r->when.buckets = BIT(1);
	assert_int_equal(check(msg), HK_EINVAL);
	assert_non_null(strstr(msg, "last rule"));

	/* the same id twice */
	reset();
	r = add("a");
	r->when.buckets = BIT(1);
	add("a");
	assert_int_equal(check(msg), HK_EINVAL);
	assert_non_null(strstr(msg, "twice"));
}

static void every_case_one_treatment(void **state)
{
	struct hk_rule *r;
	char msg[768]; /* struct hk_err's */
	int arm;

	(void)state;
	reset();
	r = add("m1");
	r->when.buckets = BIT(1);
	r = add("big");
	r->when.total_overdue = (struct hk_range){true, 1000000, INT64_MAX};
	add("rest");
	assert_int_equal(check(msg), HK_OK);
	for (int i = 0; i < 5000; i++) {
		int32_t dpd = (i * 37) % 400;
		int b = 0;
		struct hk_case_facts f;

		while (dpd > max_dpd[b])
			b++;
		f = facts(i, dpd, b);
		f.total_overdue = (int64_t)i * 997;
		assert_true(hk_strategy_match(&st, &f, &arm) >= 0);
	}
}

static void arms(void **state)
{
	struct hk_rule *r;
	char msg[768]; /* struct hk_err's */
	int count[2] = {0}, arm, again;

	(void)state;
	reset();
	r = add("m1-test");
	r->when.buckets = BIT(1);
	r->n_arms = 2;
	snprintf(r->arms[0].name, HK_STRATEGY_TEXT, "champion");
	r->arms[0].share = 30;
	r->arms[0].then.channel = HK_CH_CALL;
	snprintf(r->arms[1].name, HK_STRATEGY_TEXT, "challenger");
	r->arms[1].share = 70;
	r->arms[1].then.channel = HK_CH_SMS;
	add("rest");
	assert_int_equal(check(msg), HK_OK);
	for (int64_t c = 1; c <= 10000; c++) {
		struct hk_case_facts f = facts(c, 10, 1);

		assert_int_equal(hk_strategy_match(&st, &f, &arm), 0);
		count[arm]++;
		/* the same case, the same arm, every time */
		hk_strategy_match(&st, &f, &again);
		assert_int_equal(again, arm);
		assert_int_equal(hk_strategy_treatment(&st, 0, arm)->channel,
				 arm ? HK_CH_SMS : HK_CH_CALL);
	}
	/* 30% / 70% of 10,000, within 2 points */
	assert_in_range(count[0], 2800, 3200);
	assert_in_range(count[1], 6800, 7200);

	/* an arm depends on the case and the rule's id, not the rule's
	 * place in the table: a rule moved keeps its cases in their arms */
	arm = hk_strategy_arm(&st.rules[0], 42);
	st.rules[1] = st.rules[0];
	assert_int_equal(hk_strategy_arm(&st.rules[1], 42), arm);

	reset();
	r = add("bad");
	r->when.buckets = BIT(1);
	r->n_arms = 2;
	r->arms[0].share = 50;
	r->arms[1].share = 40;
	add("rest");
	assert_int_equal(check(msg), HK_EINVAL);
	assert_non_null(strstr(msg, "add up to 100"));
}

/* ---- the JSON form and the shipped strategy ---- */

static enum hk_rc read_json(const char *json, char *msg)
{
	struct hk_bucket_table b;
	struct hk_err err = {0};
	enum hk_rc rc;

	hk_bucket_table_default(&b);
	rc = hk_strategy_from_json(json, strlen(json), &b, &st, HK_LANG_EN, &err);
	memcpy(msg, err.msg, sizeof(err.msg));
	return rc;
}

static void json_form(void **state)
{
	char msg[768]; /* struct hk_err's */

	(void)state;
	/* the strategy shipped with huikuan reads and checks clean */
	assert_int_equal(read_json(hk_default_strategy[0], msg), HK_OK);
	assert_true(st.n_rules >= 10);
	assert_string_equal(st.rules[st.n_rules - 1].id, "rest");
	assert_int_equal(st.rules[8].n_arms, 2);

	assert_int_equal(read_json("{\"name\":\"x\",\"rules\":[{\"id\":\"a\","
				   "\"when\":{\"bukcet\":[\"M1\"]},\"then\":{\"queue\":\"q\","
				   "\"channel\":\"sms\"}}]}", msg), HK_EINVAL);
	assert_string_equal(msg, "rules[0].when.bukcet: unknown field");
	assert_int_equal(read_json("{\"name\":\"x\",\"rules\":[{\"id\":\"a\","
				   "\"then\":{\"queue\":\"q\",\"channel\":\"fax\"}}]}", msg),
			 HK_EINVAL);
	assert_non_null(strstr(msg, "rules[0].then.channel: must be one of"));
	assert_int_equal(read_json("{\"name\":\"x\",\"rules\":[{\"id\":\"a\","
				   "\"when\":{\"bucket\":[\"M9\"]},\"then\":{\"queue\":\"q\","
				   "\"channel\":\"sms\"}}]}", msg), HK_EINVAL);
	assert_string_equal(msg, "rules[0].when.bucket: holds an unknown value");
	assert_int_equal(read_json("{\"name\":\"x\",\"rules\":[{\"id\":\"a\","
				   "\"when\":{\"total_overdue\":{\"min\":100}},"
				   "\"then\":{\"queue\":\"q\",\"channel\":\"sms\"}}]}", msg),
			 HK_EINVAL);
	assert_non_null(strstr(msg, "rules[0].when.total_overdue: must be {min, max}"));
	/* valid JSON, impossible table: the check names the rule */
	assert_int_equal(read_json("{\"name\":\"x\",\"rules\":["
				   "{\"id\":\"all\",\"then\":{\"queue\":\"q\",\"channel\":\"sms\"}},"
				   "{\"id\":\"m1\",\"when\":{\"bucket\":[\"M1\"]},"
				   "\"then\":{\"queue\":\"q\",\"channel\":\"call\"}}]}", msg),
			 HK_EINVAL);
	assert_non_null(strstr(msg, "rules[1] (m1): shadowed by the earlier rules[0] (all)"));
	assert_int_equal(read_json("{\"name\":\"x\",\"rules\":[", msg), HK_EINVAL);
	assert_non_null(strstr(msg, "malformed JSON"));
}

/* ---- how long a match holds (hk_strategy_steady_days) ---- */

static struct hk_range rng(int64_t lo, int64_t hi)
{
	return (struct hk_range){true, lo, hi};
}

/* Worked by hand on a ladder like the shipped one. */
static void steady_days_by_hand(void **state)
{
	struct hk_case_facts f;
	struct hk_rule *r;
	int arm;

	(void)state;
	reset();
	r = add("pre-due");
	r->when.buckets = BIT(0);
	r->when.days_to_due = rng(0, 3);
	add("current")->when.buckets = BIT(0);
	r = add("elderly");
	r->when.dpd = rng(1, 90);
	r->when.age = rng(65, INT64_MAX);
	r = add("m1-first");
	r->when.buckets = BIT(1);
	r->when.dpd = rng(0, 7);
	add("m1")->when.buckets = BIT(1);
	r = add("m2-big");
	r->when.buckets = BIT(2);
	r->when.total_overdue = rng(100000, INT64_MAX);
	add("m2")->when.buckets = BIT(2);
	r = add("quiet");
	r->when.days_since_contact = rng(30, INT64_MAX);
	add("rest");

	/* current, due in 10 days: the reminder rule takes it when 3 are
	 * left, 7 days on */
	f = facts(1, 0, 0);
	f.days_to_due = 10;
	assert_int_equal(hk_strategy_match(&st, &f, &arm), 1);
	assert_int_equal(hk_strategy_steady_days(&st, &f, 1, max_dpd, NB), 7);
	/* inside the reminder window: it holds until the due date passes,
	 * which is an event (the account's state changes) */
	f.days_to_due = 2;
	assert_int_equal(hk_strategy_match(&st, &f, &arm), 0);
	assert_int_equal(hk_strategy_steady_days(&st, &f, 0, max_dpd, NB), 3);
	/* DPD 5: the first week ends at DPD 8, 3 days on */
	f = facts(2, 5, 1);
	assert_int_equal(hk_strategy_match(&st, &f, &arm), 3);
	assert_int_equal(hk_strategy_steady_days(&st, &f, 3, max_dpd, NB), 3);
	/* DPD 20: M2 from DPD 31, 11 days on */
	f.dpd = 20;
	assert_int_equal(hk_strategy_match(&st, &f, &arm), 4);
	assert_int_equal(hk_strategy_steady_days(&st, &f, 4, max_dpd, NB), 11);
	/* 64 years old with the birthday in 5 days: elderly then */
	f.age = 64;
	f.birthday_in = 5;
	assert_int_equal(hk_strategy_steady_days(&st, &f, 4, max_dpd, NB), 5);
	/* M2 at DPD 40, 900.00 growing 5.00 a day: 1,000.00 in 20 days,
	 * before M3 (21 days) */
	f = facts(3, 40, 2);
	f.total_overdue = 90000;
	f.overdue_daily = 500;
	assert_int_equal(hk_strategy_match(&st, &f, &arm), 6);
	assert_int_equal(hk_strategy_steady_days(&st, &f, 6, max_dpd, NB), 20);
	/* an earlier rule that fails on an event-made fact never counts:
	 * "quiet" comes after, "elderly" needs an age the case lacks */
	f.total_overdue = 0;
	f.overdue_daily = 0;
	assert_int_equal(hk_strategy_steady_days(&st, &f, 6, max_dpd, NB), 21);
	/* the last rule, after "quiet": contacted 10 days ago, quiet from
	 * day 30; M7+ never moves on by DPD */
	f = facts(4, 400, 7);
	f.days_since_contact = 10;
	assert_int_equal(hk_strategy_match(&st, &f, &arm), 8);
	assert_int_equal(hk_strategy_steady_days(&st, &f, 8, max_dpd, NB), 20);
	f.days_since_contact = -1; /* never: "quiet" holds for ever */
	assert_int_equal(hk_strategy_match(&st, &f, &arm), 7);
	assert_int_equal(hk_strategy_steady_days(&st, &f, 7, max_dpd, NB),
			 INT32_MAX);
}

static uint64_t rnd_state = 88172645463325252ULL;

static int64_t rnd(int64_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (int64_t)(rnd_state % (uint64_t)n);
}

static struct hk_range rnd_range(int64_t span)
{
	int64_t a = rnd(span), b = a + rnd(span);

	switch (rnd(3)) {
	case 0: return rng(a, INT64_MAX);
	case 1: return rng(INT64_MIN, b);
	default: return rng(a, b);
	}
}

/* The facts k days on, when only time moves them (as day-end assumes):
 * false when an event would have come first (the next due date passed). */
static bool advance(const struct hk_case_facts *f0, int32_t k,
		    const struct hk_bucket_table *b, struct hk_case_facts *f)
{
	*f = *f0;
	if (f0->days_to_due >= 0 && k > f0->days_to_due)
		return false;
	if (f0->dpd > 0) {
		f->dpd += k;
		f->bucket = hk_bucket_of(b, f->dpd);
		f->total_overdue += f0->overdue_daily * k;
	}
	if (f0->days_since_contact >= 0)
		f->days_since_contact += k;
	if (f0->days_since_payment >= 0)
		f->days_since_payment += k;
	if (f0->days_to_due >= 0)
		f->days_to_due -= k;
	if (f0->age >= 0 && f0->birthday_in > 0 && k >= f0->birthday_in)
		f->age += 1 + (k - f0->birthday_in) / 365;
	if (f0->plan == 0 && f0->plan_change_in > 0 && k >= f0->plan_change_in)
		f->plan = 1; /* the plan's installment may be missed then */
	return true;
}

/* Random tables and cases: the match never changes before the date
 * hk_strategy_steady_days gives, and that date is not always tomorrow. */
static void steady_days_hold(void **state)
{
	struct hk_bucket_table b;
	long checked = 0, longer = 0;

	(void)state;
	hk_bucket_table_default(&b);
	for (int t = 0; t < 300; t++) {
		reset();
		for (int i = 0, n = 1 + (int)rnd(6); i < n; i++) {
			struct hk_rule *r = add("r");

			r->id[1] = (char)('a' + i);
			if (!rnd(3))
				r->when.buckets = (unsigned)(1 + rnd(255));
			if (!rnd(3))
				r->when.dpd = rnd_range(120);
			if (!rnd(4))
				r->when.total_overdue = rnd_range(200000);
			if (!rnd(5))
				r->when.days_since_contact = rnd_range(40);
			if (!rnd(5))
				r->when.days_since_payment = rnd_range(40);
			if (!rnd(5))
				r->when.days_to_due = rnd_range(10);
			if (!rnd(6))
				r->when.age = rnd_range(80);
			if (!rnd(6))
				r->when.plans = (unsigned)(1 + rnd(7));
			if (!rnd(6))
				r->when.dispute_open = (int)rnd(2);
			if (!rnd(4)) {
				r->n_arms = 2;
				r->arms[0].share = 30;
				r->arms[1].share = 70;
			}
		}
		add("rest");
		for (int c = 0; c < 200; c++) {
			struct hk_case_facts f0 = facts(c + 1, 0, 0), f;
			int arm0, arm, rule0;
			int32_t steady;

			if (rnd(3)) {
				f0.dpd = 1 + (int32_t)rnd(200);
				f0.total_overdue = rnd(200000);
				f0.overdue_daily = rnd(3) ? rnd(800) : 0;
			} else {
				f0.days_to_due = (int32_t)rnd(40) - 1;
			}
			f0.bucket = hk_bucket_of(&b, f0.dpd);
			f0.days_since_contact = (int32_t)rnd(50) - 1;
			f0.days_since_payment = (int32_t)rnd(50) - 1;
			if (rnd(2)) {
				f0.age = 50 + (int)rnd(30);
				f0.birthday_in = 1 + (int32_t)rnd(365);
			}
			f0.plan = (int)rnd(3) - 1;
			f0.plan_change_in = f0.plan == 0 ? 1 + (int32_t)rnd(30) : -1;
			f0.dispute_open = rnd(2);
			rule0 = hk_strategy_match(&st, &f0, &arm0);
			steady = hk_strategy_steady_days(&st, &f0, rule0, max_dpd, NB);
			assert_true(steady >= 1);
			for (int32_t k = 1; k < steady && k <= 400; k++) {
				if (!advance(&f0, k, &b, &f))
					break;
				assert_int_equal(hk_strategy_match(&st, &f, &arm), rule0);
				assert_int_equal(arm, arm0);
				checked++;
			}
			longer += steady > 1;
		}
	}
	/* the property is not vacuous: most cases hold for days */
	assert_true(checked > 100000);
	assert_true(longer > 300 * 200 / 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_match_wins),
		cmocka_unit_test(every_condition),
		cmocka_unit_test(impossible_and_shadowed),
		cmocka_unit_test(every_case_one_treatment),
		cmocka_unit_test(arms),
		cmocka_unit_test(json_form),
		cmocka_unit_test(steady_days_by_hand),
		cmocka_unit_test(steady_days_hold),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
