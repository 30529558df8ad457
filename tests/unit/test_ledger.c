/*
 * test_ledger.c - the rules of ledger.md §3 on hand-computed examples.
 *
 * The account used throughout: opened 2026-01-01, contract rate 0, penalty
 * rate 18%/year, default policy (24% cap, 360-day basis, simple penalty).
 *   seq 1: due 2026-02-01, principal 1000.00, interest 10.00, fee 5.00
 *   seq 2: due 2026-03-01, principal 1000.00, interest 10.00
 * One day's penalty on 1000.00 is 100000 × 180000 / 360000000 = 50 fen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hk/ledger.h"

static int32_t D(const char *iso)
{
	int32_t d = 0;
	assert_int_equal(hk_date_parse(iso, strlen(iso), &d), HK_OK);
	return d;
}

struct fixture {
	struct hk_policy policy;
	struct hk_bucket_table buckets;
	struct hk_inst inst[2];
	struct hk_acct acct;
};

static void setup_acct(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	hk_policy_default(&f->policy);
	hk_bucket_table_default(&f->buckets);
	f->inst[0] = (struct hk_inst){.seq = 1, .due = D("2026-02-01"),
				      .sched_principal = 100000,
				      .sched_interest = 1000, .sched_fee = 500};
	f->inst[1] = (struct hk_inst){.seq = 2, .due = D("2026-03-01"),
				      .sched_principal = 100000,
				      .sched_interest = 1000};
	f->acct.open_date = D("2026-01-01");
	f->acct.annual_ppm = 0;
	f->acct.penalty_ppm = 180000;
	f->acct.inst = f->inst;
	f->acct.n_inst = 2;
	hk_ledger_reset(&f->acct);
}

static struct hk_event pay(const char *iso, int64_t fen)
{
	return (struct hk_event){.date = D(iso), .kind = HK_EV_PAYMENT,
				 .amount = fen};
}

static struct hk_event waive(const char *iso, int component, int64_t fen)
{
	return (struct hk_event){.date = D(iso), .kind = HK_EV_WAIVER,
				 .component = (uint8_t)component, .amount = fen};
}

/* Advance over events to as_of and take the view. */
static void view_at(struct fixture *f, const struct hk_event *ev, size_t n,
		    const char *as_of, struct hk_view *v, struct hk_alloc *alloc)
{
	struct hk_summary sm;

	assert_int_equal(hk_ledger_advance(&f->policy, &f->acct, ev, n,
					   D(as_of), alloc),
			 HK_OK);
	hk_ledger_summarize(&f->policy, &f->acct, D(as_of), &sm);
	hk_summary_view(&sm, &f->buckets, D(as_of), v);
}

static void test_penalty_rounding_half_up(void **state)
{
	(void)state;
	assert_int_equal(hk_penalty_daily(100000, 180000, 360), 50);
	/* 1000 × 180000 / 3.6e8 = 0.5 exactly: half up gives 1 */
	assert_int_equal(hk_penalty_daily(1000, 180000, 360), 1);
	assert_int_equal(hk_penalty_daily(999, 180000, 360), 0);
	/* 3000 → 1.5 → 2 */
	assert_int_equal(hk_penalty_daily(3000, 180000, 360), 2);
	/* 365-day basis: 100000 × 180000 / 3.65e8 = 49.31 → 49 */
	assert_int_equal(hk_penalty_daily(100000, 180000, 365), 49);
	/* 41950 × 180000 / 3.6e8 = 20.975 → 21 */
	assert_int_equal(hk_penalty_daily(41950, 180000, 360), 21);
	assert_int_equal(hk_penalty_daily(0, 180000, 360), 0);
	/* huge balances do not overflow: 10^15 fen at 10% / 360 */
	assert_int_equal(hk_penalty_daily(INT64_C(1000000000000000), 100000, 360),
			 INT64_C(277777777778));
}

static void test_penalty_cap(void **state)
{
	struct hk_policy p;

	(void)state;
	hk_policy_default(&p);
	assert_int_equal(hk_penalty_effective_ppm(&p, 0, 180000), 180000);
	/* 20% contract + 10% penalty > 24%: penalty cut to 4% */
	assert_int_equal(hk_penalty_effective_ppm(&p, 200000, 100000), 40000);
	/* contract alone above the cap: no penalty at all */
	assert_int_equal(hk_penalty_effective_ppm(&p, 250000, 100000), 0);
	p.cap_ppm = 150000;
	assert_int_equal(hk_penalty_effective_ppm(&p, 0, 180000), 150000);
}

static void test_no_payment_accrues_and_ages(void **state)
{
	struct fixture f;
	struct hk_view v;

	(void)state;
	setup_acct(&f);
	/* 02-11: seq 1 overdue 10 days (02-02..02-11) × 50 = 500 */
	view_at(&f, NULL, 0, "2026-02-11", &v, NULL);
	assert_int_equal(v.dpd, 10);
	assert_string_equal(f.buckets.name[v.bucket], "M1");
	assert_int_equal(v.overdue_principal, 100000);
	assert_int_equal(v.overdue_interest, 1000);
	assert_int_equal(v.overdue_fee, 500);
	assert_int_equal(v.penalty_due, 500);
	assert_int_equal(v.total_overdue, 102000);
	assert_int_equal(v.principal_outstanding, 200000);
	assert_int_equal(v.first_overdue_date, D("2026-02-01"));
}

static void test_several_overdue_installments(void **state)
{
	struct fixture f;
	struct hk_view v;

	(void)state;
	setup_acct(&f);
	/* 03-05: seq 1 for 32 days = 1600, seq 2 for 4 days = 200 */
	view_at(&f, NULL, 0, "2026-03-05", &v, NULL);
	assert_int_equal(v.dpd, 32);
	assert_string_equal(f.buckets.name[v.bucket], "M2");
	assert_int_equal(v.overdue_principal, 200000);
	assert_int_equal(v.overdue_interest, 2000);
	assert_int_equal(v.penalty_due, 1800);
	assert_int_equal(v.penalty_accrued_total, 1800);
	assert_int_equal(v.total_overdue, 200000 + 2000 + 500 + 1800);
}

static void test_due_date_itself_is_not_overdue(void **state)
{
	struct fixture f;
	struct hk_view v;

	(void)state;
	setup_acct(&f);
	view_at(&f, NULL, 0, "2026-02-01", &v, NULL);
	assert_int_equal(v.dpd, 0);
	assert_int_equal(v.overdue_principal, 0);
	assert_int_equal(v.penalty_due, 0);
	assert_int_equal(v.first_overdue_date, HK_DATE_NONE);
}

static void test_partial_payment_waterfall(void **state)
{
	struct fixture f;
	struct hk_view v;
	struct hk_alloc a;
	struct hk_event ev = pay("2026-02-11", 60000);

	(void)state;
	setup_acct(&f);
	/* through 02-10: 9 days × 50 = 450 penalty.  600.00 pays penalty
	 * 450, fee 500, interest 1000, principal 58050; 41950 principal left,
	 * whose penalty for 02-11 is 20.975 → 21. */
	view_at(&f, &ev, 1, "2026-02-11", &v, &a);
	assert_int_equal(a.part[HK_COMP_PENALTY], 450);
	assert_int_equal(a.part[HK_COMP_FEE], 500);
	assert_int_equal(a.part[HK_COMP_INTEREST], 1000);
	assert_int_equal(a.part[HK_COMP_PRINCIPAL], 58050);
	assert_int_equal(a.credit, 0);
	assert_int_equal(v.overdue_principal, 41950);
	assert_int_equal(v.overdue_interest, 0);
	assert_int_equal(v.overdue_fee, 0);
	assert_int_equal(v.penalty_due, 21);
	assert_int_equal(v.penalty_accrued_total, 471);
	assert_int_equal(v.total_overdue, 41971);
	assert_int_equal(v.paid_total, 60000);
	assert_int_equal(v.dpd, 10);
}

static void test_payment_on_due_date(void **state)
{
	struct fixture f;
	struct hk_view v;
	struct hk_event ev = pay("2026-02-01", 101500);

	(void)state;
	setup_acct(&f);
	view_at(&f, &ev, 1, "2026-02-11", &v, NULL);
	assert_int_equal(v.dpd, 0);
	assert_int_equal(v.total_overdue, 0);
	assert_int_equal(v.penalty_accrued_total, 0);
	assert_int_equal(v.principal_outstanding, 100000);
}

static void test_payment_day_after_due(void **state)
{
	struct fixture f;
	struct hk_view v;
	struct hk_event ev = pay("2026-02-02", 101500);

	(void)state;
	setup_acct(&f);
	/* Payments come before the day's penalty: base is 0 at the end of
	 * 02-02, so no penalty ever accrues. */
	view_at(&f, &ev, 1, "2026-02-02", &v, NULL);
	assert_int_equal(v.dpd, 0);
	assert_int_equal(v.penalty_accrued_total, 0);
	/* one day later still: 101500 paid on 02-03 pays the 50 of 02-02
	 * first, leaving 50 principal that accrues 0 (0.025 fen) */
	setup_acct(&f);
	ev = pay("2026-02-03", 101500);
	view_at(&f, &ev, 1, "2026-02-03", &v, NULL);
	assert_int_equal(v.penalty_accrued_total, 50);
	assert_int_equal(v.overdue_principal, 50);
	assert_int_equal(v.penalty_due, 0);
	assert_int_equal(v.dpd, 2);
}

static void test_prepayment_order(void **state)
{
	struct fixture f;
	struct hk_view v;
	struct hk_alloc a;
	struct hk_event ev = pay("2026-01-15", 152000);

	(void)state;
	setup_acct(&f);
	/* Nothing due yet: seq 1 fee, interest, principal (101500), then seq 2
	 * interest 1000 and principal 49500; 50500 of seq 2 stays unpaid. */
	view_at(&f, &ev, 1, "2026-03-05", &v, &a);
	assert_int_equal(a.part[HK_COMP_FEE], 500);
	assert_int_equal(a.part[HK_COMP_INTEREST], 2000);
	assert_int_equal(a.part[HK_COMP_PRINCIPAL], 149500);
	assert_int_equal(a.part[HK_COMP_PENALTY], 0);
	/* seq 2 overdue 4 days on 50500: 25.25 → 25 a day */
	assert_int_equal(v.overdue_principal, 50500);
	assert_int_equal(v.penalty_due, 100);
	assert_int_equal(v.dpd, 4);
	assert_int_equal(v.first_overdue_date, D("2026-03-01"));
}

static void test_credit_balance(void **state)
{
	struct fixture f;
	struct hk_view v;
	struct hk_alloc a;
	struct hk_event ev = pay("2026-01-15", 210000);

	(void)state;
	setup_acct(&f);
	view_at(&f, &ev, 1, "2026-06-30", &v, &a);
	assert_int_equal(a.credit, 7500);
	assert_int_equal(v.credit_balance, 7500);
	assert_int_equal(v.principal_outstanding, 0);
	assert_int_equal(v.dpd, 0);
	assert_int_equal(v.paid_total, 210000);
	/* the parts add up to the payment */
	assert_int_equal(a.part[0] + a.part[1] + a.part[2] + a.part[3] + a.credit,
			 210000);
}

static void test_dpd_from_penalty_only(void **state)
{
	struct fixture f;
	struct hk_view v;
	struct hk_event ev[3] = {
		waive("2026-02-11", HK_COMP_FEE, 500),
		waive("2026-02-11", HK_COMP_INTEREST, 1000),
		waive("2026-02-11", HK_COMP_PRINCIPAL, 100000),
	};

	(void)state;
	setup_acct(&f);
	/* 450 penalty accrued through 02-10 stays: seq 1 keeps ageing */
	view_at(&f, ev, 3, "2026-02-20", &v, NULL);
	assert_int_equal(v.overdue_principal, 0);
	assert_int_equal(v.overdue_interest, 0);
	assert_int_equal(v.penalty_due, 450);
	assert_int_equal(v.dpd, 19);
	assert_int_equal(v.first_overdue_date, D("2026-02-01"));
	assert_int_equal(v.waived_total, 101500);
	/* the waivers took seq 1's fee and interest, and seq 1's principal */
	assert_int_equal(v.principal_outstanding, 100000);
}

static void test_waiver_before_payment(void **state)
{
	struct fixture f;
	struct hk_view v;
	struct hk_alloc a[2];
	struct hk_event ev[2] = {
		waive("2026-02-11", HK_COMP_PENALTY, 300),
		pay("2026-02-11", 1000),
	};

	(void)state;
	setup_acct(&f);
	assert_int_equal(hk_ledger_waivable(&f.acct, HK_COMP_PENALTY), 0);
	assert_int_equal(hk_ledger_advance(&f.policy, &f.acct, NULL, 0,
					   D("2026-02-10"), NULL),
			 HK_OK);
	/* the most a waiver approved on 02-11 can forgive */
	assert_int_equal(hk_ledger_waivable(&f.acct, HK_COMP_PENALTY), 450);
	assert_int_equal(hk_ledger_waivable(&f.acct, HK_COMP_PRINCIPAL), 200000);
	/* waiver 300 first: 150 penalty left; payment 10.00 pays it and the
	 * fee 500 and 350 of interest */
	view_at(&f, ev, 2, "2026-02-11", &v, a);
	assert_int_equal(a[1].part[HK_COMP_PENALTY], 150);
	assert_int_equal(a[1].part[HK_COMP_FEE], 500);
	assert_int_equal(a[1].part[HK_COMP_INTEREST], 350);
	assert_int_equal(v.penalty_due, 50); /* 02-11's own penalty */
	assert_int_equal(v.penalty_accrued_total, 500);
	assert_int_equal(v.waived_total, 300);
	assert_int_equal(v.overdue_interest, 650);
}

static void test_summary_window_projects_exactly(void **state)
{
	struct fixture f, g;
	struct hk_summary sm, sm2;
	struct hk_view v1, v2;

	(void)state;
	setup_acct(&f);
	setup_acct(&g);
	/* summary as of 02-05 holds until seq 2 falls due (03-01) */
	hk_ledger_summarize(&f.policy, &f.acct, D("2026-02-05"), &sm);
	assert_int_equal(sm.win_end, D("2026-03-01"));
	assert_int_equal(sm.daily_penalty, 50);
	for (int32_t d = D("2026-02-05"); d <= D("2026-03-01"); d++) {
		hk_summary_view(&sm, &f.buckets, d, &v1);
		hk_ledger_summarize(&g.policy, &g.acct, d, &sm2);
		hk_summary_view(&sm2, &g.buckets, d, &v2);
		assert_memory_equal(&v1, &v2, sizeof(v1));
	}
	/* before it opens: zero, window ends the day before opening */
	hk_ledger_summarize(&f.policy, &f.acct, D("2025-12-01"), &sm);
	assert_int_equal(sm.win_end, D("2025-12-31"));
	assert_int_equal(sm.principal_outstanding, 0);
}

static void test_advance_rejects_bad_events(void **state)
{
	struct fixture f;
	struct hk_event ev[2] = {pay("2026-02-11", 100), pay("2026-02-10", 100)};

	(void)state;
	setup_acct(&f);
	assert_int_equal(hk_ledger_advance(&f.policy, &f.acct, ev, 2,
					   D("2026-03-01"), NULL),
			 HK_EINVAL);
	ev[1] = pay("2026-03-02", 100);
	assert_int_equal(hk_ledger_advance(&f.policy, &f.acct, ev, 2,
					   D("2026-03-01"), NULL),
			 HK_EINVAL);
	assert_int_equal(f.acct.anchor, D("2025-12-31"));
	assert_int_equal(f.acct.paid_total, 0);
}

static void test_compound_and_basis(void **state)
{
	struct fixture f;
	struct hk_view v;

	(void)state;
	setup_acct(&f);
	f.policy.compound = true;
	/* base 101000 (principal + interest): 50.5 → 51 a day */
	view_at(&f, NULL, 0, "2026-02-11", &v, NULL);
	assert_int_equal(v.penalty_due, 510);
	setup_acct(&f);
	f.policy.day_basis = 365; /* 49.3 → 49 a day */
	view_at(&f, NULL, 0, "2026-02-11", &v, NULL);
	assert_int_equal(v.penalty_due, 490);
}

static void test_buckets(void **state)
{
	struct hk_bucket_table t;

	(void)state;
	hk_bucket_table_default(&t);
	assert_string_equal(t.name[hk_bucket_of(&t, 0)], "M0");
	assert_string_equal(t.name[hk_bucket_of(&t, 1)], "M1");
	assert_string_equal(t.name[hk_bucket_of(&t, 30)], "M1");
	assert_string_equal(t.name[hk_bucket_of(&t, 31)], "M2");
	assert_string_equal(t.name[hk_bucket_of(&t, 90)], "M3");
	assert_string_equal(t.name[hk_bucket_of(&t, 91)], "M4");
	assert_string_equal(t.name[hk_bucket_of(&t, 180)], "M6");
	assert_string_equal(t.name[hk_bucket_of(&t, 181)], "M7+");
	assert_string_equal(t.name[hk_bucket_of(&t, 5000)], "M7+");
	assert_int_equal(hk_bucket_find(&t, "M3"), 3);
	assert_int_equal(hk_bucket_find(&t, "M9"), -1);
}

static void test_promises(void **state)
{
	int32_t c = D("2026-03-01"), u = D("2026-03-10");

	(void)state;
	assert_int_equal(hk_promise_eval(c, u, 50000, 0, D("2026-03-05")),
			 HK_PROMISE_PENDING);
	assert_int_equal(hk_promise_eval(c, u, 50000, 49999, D("2026-03-10")),
			 HK_PROMISE_PENDING);
	assert_int_equal(hk_promise_eval(c, u, 50000, 50000, D("2026-03-05")),
			 HK_PROMISE_KEPT);
	assert_int_equal(hk_promise_eval(c, u, 50000, 60000, D("2026-04-01")),
			 HK_PROMISE_KEPT);
	assert_int_equal(hk_promise_eval(c, u, 50000, 49999, D("2026-03-11")),
			 HK_PROMISE_BROKEN);
	assert_string_equal(hk_promise_status_name(HK_PROMISE_BROKEN), "broken");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_penalty_rounding_half_up),
		cmocka_unit_test(test_penalty_cap),
		cmocka_unit_test(test_no_payment_accrues_and_ages),
		cmocka_unit_test(test_several_overdue_installments),
		cmocka_unit_test(test_due_date_itself_is_not_overdue),
		cmocka_unit_test(test_partial_payment_waterfall),
		cmocka_unit_test(test_payment_on_due_date),
		cmocka_unit_test(test_payment_day_after_due),
		cmocka_unit_test(test_prepayment_order),
		cmocka_unit_test(test_credit_balance),
		cmocka_unit_test(test_dpd_from_penalty_only),
		cmocka_unit_test(test_waiver_before_payment),
		cmocka_unit_test(test_summary_window_projects_exactly),
		cmocka_unit_test(test_advance_rejects_bad_events),
		cmocka_unit_test(test_compound_and_basis),
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_promises),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
