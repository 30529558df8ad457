/*
 * test_pg_reports.c - the reports' history on the PostgreSQL backend
 * (src/store/store_pg_reports.c: the dimensions' dictionary and each
 * account's combination, the daily aging, the payments and their
 * watermark, the month-end state and rolls, the desk's work, the stays in
 * a rule's arms) against its SQLite twin (store_sqlite_reports.c).  Every
 * test runs the same calls on a fresh SQLite store and, when
 * $HUIKUAN_TEST_PG names a server (scripts/pg-cluster.sh), on a fresh
 * PostgreSQL database created for the test; it asserts that both give the
 * same results and that these are the hand-computed ones.  Fixture rows
 * are written with the same plain SQL on a second connection of each
 * backend, and the tables the operations write are read back the same
 * way.
 *
 * Only the reports' operations and the core ones (migrate, transactions)
 * are called.  Without $HUIKUAN_TEST_PG only the SQLite side runs, and the
 * test "postgresql_side" is reported skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_pair.h"

const char *const pg_pair_name = "reports";

/* ---- the fixture ------------------------------------------------------ */

/*
 * Teams 1, 2; agency 1.  Users 1 admin; 2 c1 collector of team 1; 3 c2
 * collector of team 2; 4 ag, agency 1's.  Debtors 1 D1 (北京, vip), 2 D2
 * (no province, no segment), 3 D3 (广东, no segment).  Cases: 1 D1 bankA
 * c1 team 1, in strategy 1's rule 2 arm 0 since 20000; 2 D2 bankB c2
 * team 2 agency 1; 3 D3 bankA nobody's.  Accounts (refs in this order, so
 * that the combinations' first accounts are not in their sort order):
 * 1 B1 case 2 bankB consumer_loan; 2 A1 case 1 bankA credit_card; 3 C2
 * case 3 bankA mortgage; 4 A2 case 1 bankA credit_card; 5 C1 case 3 bankA
 * credit_card; 6 N1 case 3 bankA credit_card, without a state yet (day-end
 * has not seen it).  report_dirty starts empty.
 */
static void fixture(struct pair *p)
{
	memset(&out_buf, 0, sizeof(out_buf)); /* a failed test's leftovers */
	x(p, "INSERT INTO teams (name) VALUES ('一组'), ('二组')");
	x(p, "INSERT INTO agencies (name, created_at) VALUES ('外包甲', 0)");
	x(p, "INSERT INTO users (username, display_name, role, team_ref, "
	     "password_hash, created_at, agency_ref) VALUES "
	     "('admin', '管理员', 'admin', NULL, 'x', 0, NULL), "
	     "('c1', '催收一', 'collector', 1, 'x', 0, NULL), "
	     "('c2', '催收二', 'collector', 2, 'x', 0, NULL), "
	     "('ag', '外包员', 'agency_collector', NULL, 'x', 0, 1)");
	x(p, "INSERT INTO debtors (debtor_id, name, kind, segment, province) "
	     "VALUES ('D1', '张三', 'person', 'vip', '北京'), "
	     "('D2', '某公司', 'company', NULL, NULL), "
	     "('D3', '李四', 'person', NULL, '广东')");
	x(p, "INSERT INTO cases (debtor_ref, creditor, collector_ref, team_ref, "
	     "agency_ref, products, status) VALUES "
	     "(1, 'bankA', 2, 1, NULL, 1, 'new'), "
	     "(2, 'bankB', 3, 2, 1, 2, 'new'), "
	     "(3, 'bankA', NULL, NULL, NULL, 5, 'new')");
	x(p, "INSERT INTO strategies (name, status, body, created_at) VALUES "
	     "('默认', 'published', '{}', 0)");
	x(p, "INSERT INTO case_treatment (case_ref, strategy_ref, rule_no, "
	     "arm_no, priority, since, recheck_on) VALUES "
	     "(1, 1, 2, 0, 0, 20000, 20030)");
	x(p, "INSERT INTO accounts (account_id, debtor_ref, case_ref, creditor, "
	     "product, principal, annual_ppm, penalty_ppm, open_date) VALUES "
	     "('B1', 2, 2, 'bankB', 'consumer_loan', 100000, 0, 0, 19000), "
	     "('A1', 1, 1, 'bankA', 'credit_card', 100000, 0, 0, 19000), "
	     "('C2', 3, 3, 'bankA', 'mortgage', 100000, 0, 0, 19000), "
	     "('A2', 1, 1, 'bankA', 'credit_card', 100000, 0, 0, 19000), "
	     "('C1', 3, 3, 'bankA', 'credit_card', 100000, 0, 0, 19000), "
	     "('N1', 3, 3, 'bankA', 'credit_card', 100000, 0, 0, 19000)");
	x(p, "INSERT INTO account_state (account_ref, product, open_date, "
	     "annual_ppm, penalty_ppm, anchor, win_start, win_end, "
	     "first_unpaid_due, overdue_principal, overdue_interest, "
	     "overdue_fee, penalty_due, penalty_accrued, daily_penalty, "
	     "principal_outstanding, credit_balance, paid_total, waived_total, "
	     "case_ref) VALUES "
	     "(1, 0, 19000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2), "
	     "(2, 0, 19000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), "
	     "(3, 0, 19000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3), "
	     "(4, 0, 19000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), "
	     "(5, 0, 19000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3)");
	x(p, "DELETE FROM report_dirty");
}

/* ---- callbacks -------------------------------------------------------- */

struct cb {
	int k;
	int calls, stop_at; /* stop_at: the call that stops (0: none) */
};

static int stop_here(struct cb *c)
{
	return ++c->calls == c->stop_at;
}

static int dims_line(void *ctx, const struct hk_rdims *d)
{
	struct cb *c = ctx;

	outf(&out_buf, c->k, "%lld %s|%s|%lld|%lld|%lld|%lld|%d|%d|%s|%s\n",
	     (long long)d->ref, d->creditor, d->product, (long long)d->team_ref,
	     (long long)d->collector_ref, (long long)d->agency_ref,
	     (long long)d->strategy_ref, d->rule_no, d->arm_no, d->province,
	     d->segment);
	return stop_here(c);
}

static int aging_line(void *ctx, const struct hk_raging_row *r)
{
	struct cb *c = ctx;

	outf(&out_buf, c->k, "%lld %d: %lld %lld %lld %lld %lld %lld %lld\n",
	     (long long)r->dims, r->bucket, (long long)r->t.accounts,
	     (long long)r->t.overdue_principal, (long long)r->t.overdue_interest,
	     (long long)r->t.overdue_fee, (long long)r->t.penalty_due,
	     (long long)r->t.total_overdue,
	     (long long)r->t.principal_outstanding);
	return stop_here(c);
}

static int day_line(void *ctx, int32_t day, bool month_end)
{
	struct cb *c = ctx;

	outf(&out_buf, c->k, "%d %d\n", (int)day, month_end);
	return stop_here(c);
}

static int pay_line(void *ctx, const struct hk_rpayment *p)
{
	struct cb *c = ctx;

	outf(&out_buf, c->k, "%lld acct %lld case %lld dims %lld %lld on %d %s\n",
	     (long long)p->ref, (long long)p->account_ref,
	     (long long)p->case_ref, (long long)p->dims, (long long)p->amount,
	     (int)p->paid_on, p->bucket_before ? p->bucket_before : "-");
	return stop_here(c);
}

static int rscan_line(void *ctx, const struct hk_rrecovery_row *r)
{
	struct cb *c = ctx;

	outf(&out_buf, c->k, "%d %lld %d %lld %lld\n", (int)r->paid_on,
	     (long long)r->dims, r->bucket, (long long)r->payments,
	     (long long)r->amount);
	return stop_here(c);
}

static int month_line(void *ctx, const struct hk_rmonth_row *r)
{
	struct cb *c = ctx;

	outf(&out_buf, c->k, "%lld %d %lld %lld\n", (long long)r->account_ref,
	     r->bucket, (long long)r->principal_outstanding,
	     (long long)r->total_overdue);
	return stop_here(c);
}

static int roll_line(void *ctx, const struct hk_rroll_row *r)
{
	struct cb *c = ctx;

	outf(&out_buf, c->k, "%lld %d>%d %lld %lld %lld\n", (long long)r->dims,
	     r->from_bucket, r->to_bucket, (long long)r->accounts,
	     (long long)r->principal_outstanding, (long long)r->total_overdue);
	return stop_here(c);
}

static int record_line(void *ctx, int64_t at, int64_t user_ref,
		       const char *channel, const char *outcome)
{
	struct cb *c = ctx;

	outf(&out_buf, c->k, "%lld %lld %s %s\n", (long long)at,
	     (long long)user_ref, channel, outcome);
	return stop_here(c);
}

static int refusal_line(void *ctx, int64_t at, int64_t user_ref,
			const char *detail)
{
	struct cb *c = ctx;

	outf(&out_buf, c->k, "%lld %lld %s\n", (long long)at,
	     (long long)user_ref, detail);
	return stop_here(c);
}

static int activity_line(void *ctx, const struct hk_ractivity_row *r)
{
	struct cb *c = ctx;

	assert_int_equal(r->day, HK_DATE_NONE);
	outf(&out_buf, c->k, "%lld %s %s %lld\n", (long long)r->user_ref,
	     r->channel, r->outcome, (long long)r->records);
	return stop_here(c);
}

static int refusal_sum_line(void *ctx, const struct hk_rrefusal_row *r)
{
	struct cb *c = ctx;

	assert_int_equal(r->day, HK_DATE_NONE);
	outf(&out_buf, c->k, "%lld %s %lld\n", (long long)r->user_ref, r->rule,
	     (long long)r->refusals);
	return stop_here(c);
}

static int stint_line(void *ctx, const struct hk_rstint_row *r)
{
	struct cb *c = ctx;

	outf(&out_buf, c->k, "%lld arm %d since %d base %lld %lld/%lld\n",
	     (long long)r->case_ref, r->arm_no, (int)r->since,
	     (long long)r->base_overdue, (long long)r->recovered,
	     (long long)r->payments);
	return stop_here(c);
}

/* A stop without a message of the callback's own: HK_EINTERNAL. */
static void stopped(enum hk_rc rc, const struct hk_err *err, int k)
{
	if (rc != HK_EINTERNAL)
		fail_msg("%s: rc %d (%s), want HK_EINTERNAL", side_name[k], rc,
			 err->msg);
}

/* ====================================================================
 * The dimensions
 * ==================================================================== */

static void refresh(struct pair *p, int64_t want)
{
	EACH(p) {
		struct hk_err err = {0};
		int64_t n = -1;

		ok(s->ops->begin(s, &err), &err, k);
		ok(s->ops->report_dims_refresh(s, &n, &err), &err, k);
		ok(s->ops->commit(s, &err), &err, k);
		if (n != want)
			fail_msg("%s: refresh set %lld, want %lld", side_name[k],
				 (long long)n, (long long)want);
	}
}

static void dims_scan(struct pair *p, const char *want)
{
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};

		ok(s->ops->report_dims_scan(s, dims_line, &c, &err), &err, k);
	}
	out_check(p, &out_buf, want);
}

static const char dims4[] =
	"1 bankB|consumer_loan|2|3|1|0|-1|-1||\n"
	"2 bankA|credit_card|1|2|0|1|2|0|北京|vip\n"
	"3 bankA|mortgage|0|0|0|0|-1|-1|广东|\n"
	"4 bankA|credit_card|0|0|0|0|-1|-1|广东|\n";

static void test_dims(void **state)
{
	struct pair *p = *state;

	fixture(p);
	/* a refresh rolled back leaves nothing (its staging table, created
	 * in that transaction, goes with it, and the next one makes it
	 * again) */
	EACH(p) {
		struct hk_err err = {0};
		int64_t n = -1;

		ok(s->ops->begin(s, &err), &err, k);
		ok(s->ops->report_dims_refresh(s, &n, &err), &err, k);
		assert_int_equal(n, 5);
		ok(s->ops->rollback(s), &err, k);
	}
	q_check(p, "SELECT count(*) FROM report_dims", "0\n");
	q_check(p, "SELECT count(*) FROM account_state WHERE dims <> 0", "0\n");
	/* every account with a state is at 0: all five set; combinations
	 * numbered in the order of their first account */
	refresh(p, 5);
	dims_scan(p, dims4);
	q_check(p, "SELECT account_ref, dims FROM account_state "
		   "ORDER BY account_ref",
		"1|1\n2|2\n3|3\n4|2\n5|4\n");
	/* nothing marked, nothing at 0: nothing changes */
	refresh(p, 0);
	dims_scan(p, dims4);

	/* the triggers mark: case 3 moves to c1 of team 1, D2 (case 2) gets
	 * a segment; case 1 is marked by hand and does not change; N1 gets
	 * its state (at 0) */
	x(p, "UPDATE cases SET collector_ref = 2, team_ref = 1 WHERE ref = 3");
	x(p, "UPDATE debtors SET segment = 'sme' WHERE ref = 2");
	x(p, "UPDATE debtors SET city = '北京' WHERE ref = 1"); /* not a dimension */
	x(p, "UPDATE cases SET status = 'contacted' WHERE ref = 1"); /* nor this */
	q_check(p, "SELECT case_ref FROM report_dirty ORDER BY case_ref",
		"2\n3\n");
	x(p, "INSERT INTO report_dirty (case_ref) VALUES (1)");
	x(p, "INSERT INTO account_state (account_ref, product, open_date, "
	     "annual_ppm, penalty_ppm, anchor, win_start, win_end, "
	     "first_unpaid_due, overdue_principal, overdue_interest, "
	     "overdue_fee, penalty_due, penalty_accrued, daily_penalty, "
	     "principal_outstanding, credit_balance, paid_total, waived_total, "
	     "case_ref) VALUES "
	     "(6, 0, 19000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3)");
	/* B1, C2, C1 change, N1 is set; A1 and A2 (case 1) stay */
	refresh(p, 4);
	q_check(p, "SELECT count(*) FROM report_dirty", "0\n");
	q_check(p, "SELECT account_ref, dims FROM account_state "
		   "ORDER BY account_ref",
		"1|5\n2|2\n3|6\n4|2\n5|7\n6|7\n");

	/* a treatment's arm changes, then the treatment ends */
	x(p, "UPDATE case_treatment SET arm_no = 1 WHERE case_ref = 1");
	x(p, "UPDATE case_treatment SET recheck_on = 20050 WHERE case_ref = 1");
	q_check(p, "SELECT case_ref FROM report_dirty", "1\n");
	refresh(p, 2);
	x(p, "DELETE FROM case_treatment WHERE case_ref = 1");
	refresh(p, 2);
	/* a treatment begins for case 3: C2, C1 and N1 move to two new
	 * combinations */
	x(p, "INSERT INTO case_treatment (case_ref, strategy_ref, rule_no, "
	     "arm_no, priority, since, recheck_on) VALUES "
	     "(3, 1, 2, 1, 0, 20040, 20070)");
	refresh(p, 3);
	/* D1 moves to 广东: A1 and A2 to a new combination */
	x(p, "UPDATE debtors SET province = '广东' WHERE ref = 1");
	refresh(p, 2);
	refresh(p, 0);
	q_check(p, "SELECT account_ref, dims FROM account_state "
		   "ORDER BY account_ref",
		"1|5\n2|12\n3|10\n4|12\n5|11\n6|11\n");
	dims_scan(p, "1 bankB|consumer_loan|2|3|1|0|-1|-1||\n"
		     "2 bankA|credit_card|1|2|0|1|2|0|北京|vip\n"
		     "3 bankA|mortgage|0|0|0|0|-1|-1|广东|\n"
		     "4 bankA|credit_card|0|0|0|0|-1|-1|广东|\n"
		     "5 bankB|consumer_loan|2|3|1|0|-1|-1||sme\n"
		     "6 bankA|mortgage|1|2|0|0|-1|-1|广东|\n"
		     "7 bankA|credit_card|1|2|0|0|-1|-1|广东|\n"
		     "8 bankA|credit_card|1|2|0|1|2|1|北京|vip\n"
		     "9 bankA|credit_card|1|2|0|0|-1|-1|北京|vip\n"
		     "10 bankA|mortgage|1|2|0|1|2|1|广东|\n"
		     "11 bankA|credit_card|1|2|0|1|2|1|广东|\n"
		     "12 bankA|credit_card|1|2|0|0|-1|-1|广东|vip\n");

	/* a callback's stop ends the scan */
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k, .stop_at = 2};

		stopped(s->ops->report_dims_scan(s, dims_line, &c, &err), &err, k);
		assert_int_equal(c.calls, 2);
	}
	out_check(p, &out_buf, "1 bankB|consumer_loan|2|3|1|0|-1|-1||\n"
			       "2 bankA|credit_card|1|2|0|1|2|0|北京|vip\n");
}

/* ====================================================================
 * The aging and its dates
 * ==================================================================== */

#define T(a, op, oi, of, pd, to, po)                                           \
	{.accounts = a, .overdue_principal = op, .overdue_interest = oi,       \
	 .overdue_fee = of, .penalty_due = pd, .total_overdue = to,            \
	 .principal_outstanding = po}

static void aging_scan(struct pair *p, int32_t as_of, const char *want)
{
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};

		ok(s->ops->report_aging_scan(s, as_of, aging_line, &c, &err), &err,
		   k);
	}
	out_check(p, &out_buf, want);
}

static void days(struct pair *p, int32_t from, int32_t to, const char *want)
{
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};

		ok(s->ops->report_days(s, from, to, day_line, &c, &err), &err, k);
	}
	out_check(p, &out_buf, want);
}

static void test_aging(void **state)
{
	struct pair *p = *state;
	/* given out of order: read back by combination and bucket */
	const struct hk_raging_row first[] = {
		{.dims = 2, .bucket = 1, .t = T(1, 100, 10, 1, 2, 113, 1000)},
		{.dims = 1, .bucket = 0, .t = T(2, 0, 0, 0, 0, 0, 5000)},
		{.dims = 2, .bucket = 0, .t = T(1, 0, 0, 0, 0, 0, 800)},
		{.dims = 10, .bucket = 3, .t = T(4, 400, 40, 4, 8, 452, 9000)},
	};
	const struct hk_raging_row next[] = {
		{.dims = 3, .bucket = 2, .t = T(7, 70, 7, 0, 1, 78, 700)},
	};
	const struct hk_raging_row again[] = {
		{.dims = 1, .bucket = 0, .t = T(3, 0, 0, 0, 0, 0, 6000)},
	};
	const struct hk_raging_row twice[] = {
		{.dims = 5, .bucket = 1, .t = T(1, 1, 1, 1, 1, 4, 1)},
		{.dims = 5, .bucket = 1, .t = T(1, 1, 1, 1, 1, 4, 1)},
	};

	fixture(p);
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->begin(s, &err), &err, k);
		ok(s->ops->report_aging_save(s, 20100, false, first, 4, &err),
		   &err, k);
		ok(s->ops->report_aging_save(s, 20101, false, next, 1, &err), &err,
		   k);
		ok(s->ops->report_aging_save(s, 20090, true, NULL, 0, &err), &err,
		   k);
		ok(s->ops->commit(s, &err), &err, k);
	}
	aging_scan(p, 20100, "1 0: 2 0 0 0 0 0 5000\n"
			     "2 0: 1 0 0 0 0 0 800\n"
			     "2 1: 1 100 10 1 2 113 1000\n"
			     "10 3: 4 400 40 4 8 452 9000\n");
	aging_scan(p, 20101, "3 2: 7 70 7 0 1 78 700\n");
	aging_scan(p, 20090, "");
	aging_scan(p, 20099, "");
	days(p, 20000, 20200, "20090 1\n20100 0\n20101 0\n");

	/* a rerun replaces the date's rows; month_end only ever rises */
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->begin(s, &err), &err, k);
		ok(s->ops->report_aging_save(s, 20100, true, again, 1, &err), &err,
		   k);
		ok(s->ops->report_aging_save(s, 20090, false, again, 1, &err),
		   &err, k);
		ok(s->ops->commit(s, &err), &err, k);
	}
	aging_scan(p, 20100, "1 0: 3 0 0 0 0 0 6000\n");
	aging_scan(p, 20090, "1 0: 3 0 0 0 0 0 6000\n");
	days(p, 20000, 20200, "20090 1\n20100 1\n20101 0\n");
	days(p, 20091, 20100, "20100 1\n");
	days(p, 20102, 20200, "");
	q_check(p, "SELECT as_of, count(*), sum(principal_outstanding) "
		   "FROM report_aging GROUP BY as_of ORDER BY as_of",
		"20090|1|6000\n20100|1|6000\n20101|1|700\n");

	/* the same cell twice: the key refuses, the rollback keeps the day */
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->begin(s, &err), &err, k);
		db_failed(s->ops->report_aging_save(s, 20101, false, twice, 2, &err),
			  &err, k, "could not save the aging");
		ok(s->ops->rollback(s), &err, k);
	}
	aging_scan(p, 20101, "3 2: 7 70 7 0 1 78 700\n");

	/* stops */
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k, .stop_at = 1};

		stopped(s->ops->report_days(s, 20000, 20200, day_line, &c, &err),
			&err, k);
		c = (struct cb){.k = k, .stop_at = 1};
		stopped(s->ops->report_aging_scan(s, 20101, aging_line, &c, &err),
			&err, k);
	}
	out_check(p, &out_buf, "20090 1\n3 2: 7 70 7 0 1 78 700\n");
}

/* ====================================================================
 * The payments
 * ==================================================================== */

static void take(struct pair *p, int32_t as_of, const char *want)
{
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};

		ok(s->ops->begin(s, &err), &err, k);
		ok(s->ops->report_payments_take(s, as_of, pay_line, &c, &err), &err,
		   k);
		ok(s->ops->commit(s, &err), &err, k);
	}
	out_check(p, &out_buf, want);
}

static void test_payments(void **state)
{
	struct pair *p = *state;

	fixture(p);
	refresh(p, 5); /* dims: B1 1, A1 2, C2 3, A2 2, C1 4 */
	/* A1's buckets: M1 from 20090, M2 from 20099, M3 from 20100; C1's
	 * from 20101 (the day of P4: not before it); A2's from 20102; C2 back
	 * to C on 20060 */
	x(p, "INSERT INTO bucket_transitions (as_of, account_ref, from_bucket, "
	     "to_bucket) VALUES (20090, 2, 'C', 'M1'), (20099, 2, 'M1', 'M2'), "
	     "(20100, 2, 'M2', 'M3'), (20101, 5, 'C', 'M1'), "
	     "(20102, 4, 'C', 'M1'), "
	     "(20050, 3, 'C', 'M1'), (20060, 3, 'M1', 'C')");
	/* P3 and P4 are dated after the first day-end */
	x(p, "INSERT INTO payments (payment_id, account_ref, paid_on, amount, "
	     "channel) VALUES ('P1', 1, 20095, 100, 'online'), "
	     "('P2', 2, 20100, 200, 'online'), ('P3', 4, 20103, 300, 'online'), "
	     "('P4', 5, 20101, 400, 'online')");
	q_check(p, "SELECT count(*) FROM meta WHERE key = 'report_payment_ref'",
		"0\n");

	/* a stop counts nothing and moves no watermark */
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k, .stop_at = 1};

		ok(s->ops->begin(s, &err), &err, k);
		stopped(s->ops->report_payments_take(s, 20100, pay_line, &c, &err),
			&err, k);
		ok(s->ops->rollback(s), &err, k);
		/* the connection still serves */
		c = (struct cb){.k = k};
		ok(s->ops->report_days(s, 0, 99999, day_line, &c, &err), &err, k);
	}
	out_check(p, &out_buf, "1 acct 1 case 2 dims 1 100 on 20095 -\n");
	q_check(p, "SELECT count(*) FROM meta WHERE key = 'report_payment_ref'",
		"0\n");
	q_check(p, "SELECT count(*) FROM report_deferred", "0\n");

	take(p, 20100, "1 acct 1 case 2 dims 1 100 on 20095 -\n"
		       "2 acct 2 case 1 dims 2 200 on 20100 M2\n");
	q_check(p, "SELECT value FROM meta WHERE key = 'report_payment_ref'",
		"4\n");
	q_check(p, "SELECT payment_ref, paid_on FROM report_deferred "
		   "ORDER BY payment_ref",
		"3|20103\n4|20101\n");

	/* a late payment dated back, on an account without a state (dims 0),
	 * and P4 now due */
	x(p, "INSERT INTO payments (payment_id, account_ref, paid_on, amount, "
	     "channel) VALUES ('P5', 6, 20099, 500, 'online'), "
	     "('P6', 3, 20101, 600, 'online')");
	take(p, 20101, "4 acct 5 case 3 dims 4 400 on 20101 -\n"
		       "5 acct 6 case 3 dims 0 500 on 20099 -\n"
		       "6 acct 3 case 3 dims 3 600 on 20101 C\n");
	q_check(p, "SELECT value FROM meta WHERE key = 'report_payment_ref'",
		"6\n");
	q_check(p, "SELECT payment_ref, paid_on FROM report_deferred", "3|20103\n");
	/* a rerun of the date: nothing new */
	take(p, 20101, "");
	take(p, 20102, "");
	q_check(p, "SELECT payment_ref, paid_on FROM report_deferred", "3|20103\n");
	take(p, 20105, "3 acct 4 case 1 dims 2 300 on 20103 M1\n");
	q_check(p, "SELECT count(*) FROM report_deferred", "0\n");
	q_check(p, "SELECT value FROM meta WHERE key = 'report_payment_ref'",
		"6\n");
	take(p, 20106, "");
}

static void recovery_scan(struct pair *p, int32_t from, int32_t to,
			  const char *want)
{
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};

		ok(s->ops->report_recovery_scan(s, from, to, rscan_line, &c, &err),
		   &err, k);
	}
	out_check(p, &out_buf, want);
}

static void test_recovery(void **state)
{
	struct pair *p = *state;
	/* a cell twice in one call, and cells already there: summed */
	const struct hk_rrecovery_row first[] = {
		{.paid_on = 20100, .dims = 2, .bucket = 1, .payments = 1, .amount = 200},
		{.paid_on = 20095, .dims = 1, .bucket = 0, .payments = 1, .amount = 100},
		{.paid_on = 20100, .dims = 2, .bucket = 1, .payments = 2, .amount = 50},
	};
	const struct hk_rrecovery_row second[] = {
		{.paid_on = 20100, .dims = 2, .bucket = 1, .payments = 1, .amount = 10},
		{.paid_on = 20101, .dims = 3, .bucket = 2, .payments = 1, .amount = 70},
		{.paid_on = 20096, .dims = 1, .bucket = 0, .payments = 2, .amount = 30},
		{.paid_on = 20100, .dims = 2, .bucket = 2, .payments = 1, .amount = 5},
		{.paid_on = 20100, .dims = 1, .bucket = 3, .payments = 1, .amount = 9},
	};

	fixture(p);
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->begin(s, &err), &err, k);
		ok(s->ops->report_recovery_add(s, first, 3, &err), &err, k);
		ok(s->ops->report_recovery_add(s, NULL, 0, &err), &err, k);
		ok(s->ops->commit(s, &err), &err, k);
		ok(s->ops->report_recovery_add(s, second, 5, &err), &err, k);
	}
	q_check(p, "SELECT paid_on, dims, bucket, payments, amount "
		   "FROM report_recovery ORDER BY paid_on, dims, bucket",
		"20095|1|0|1|100\n"
		"20096|1|0|2|30\n"
		"20100|1|3|1|9\n"
		"20100|2|1|4|260\n"
		"20100|2|2|1|5\n"
		"20101|3|2|1|70\n");
	recovery_scan(p, 20000, 20200, "20095 1 0 1 100\n20096 1 0 2 30\n"
				       "20100 1 3 1 9\n20100 2 1 4 260\n"
				       "20100 2 2 1 5\n20101 3 2 1 70\n");
	recovery_scan(p, 20096, 20100, "20096 1 0 2 30\n20100 1 3 1 9\n"
				       "20100 2 1 4 260\n20100 2 2 1 5\n");
	recovery_scan(p, 20102, 20200, "");
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k, .stop_at = 1};

		stopped(s->ops->report_recovery_scan(s, 0, 99999, rscan_line, &c,
						     &err),
			&err, k);
	}
	out_check(p, &out_buf, "20095 1 0 1 100\n");
}

/* ====================================================================
 * The stays in a rule's arms
 * ==================================================================== */

static void stints(struct pair *p, int64_t strategy, int rule, int32_t from,
		   int32_t to, const char *want)
{
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};

		ok(s->ops->report_stints_scan(s, strategy, rule, from, to,
					      stint_line, &c, &err),
		   &err, k);
	}
	out_check(p, &out_buf, want);
}

static void test_stints(void **state)
{
	struct pair *p = *state;
	/* case 1 twice (summed), case 2 without a treatment, case 3 in one */
	const int64_t cases[] = {1, 2, 3, 1};
	const int64_t counts[] = {1, 2, 1, 2};
	const int64_t amounts[] = {100, 50, 30, 20};

	fixture(p);
	x(p, "INSERT INTO case_treatment (case_ref, strategy_ref, rule_no, "
	     "arm_no, priority, since, recheck_on) VALUES "
	     "(3, 1, 3, 0, 0, 20010, 20040)");
	/* case 1's earlier stay (arm 1) and its current one (arm 0, since
	 * 20000); case 2's ended stay; case 3's current one; a stay in
	 * rule 2 of case 3 before */
	x(p, "INSERT INTO treatment_history (since, case_ref, strategy_ref, "
	     "rule_no, arm_no, base_overdue) VALUES "
	     "(19990, 1, 1, 2, 1, 700), (20000, 1, 1, 2, 0, 1000), "
	     "(20050, 2, NULL, NULL, NULL, 0), (20010, 3, 1, 3, 0, 300), "
	     "(20000, 3, 1, 2, 1, 50), (20005, 3, NULL, NULL, NULL, 0)");
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->begin(s, &err), &err, k);
		ok(s->ops->report_stints_add(s, cases, counts, amounts, 4, &err),
		   &err, k);
		ok(s->ops->report_stints_add(s, NULL, NULL, NULL, 0, &err), &err,
		   k);
		ok(s->ops->commit(s, &err), &err, k);
		ok(s->ops->report_stints_add(s, cases + 2, counts + 2, amounts + 2,
					     1, &err),
		   &err, k);
	}
	q_check(p, "SELECT since, case_ref, recovered, payments "
		   "FROM treatment_history ORDER BY case_ref, since",
		"19990|1|0|0\n20000|1|120|3\n20050|2|0|0\n20000|3|0|0\n"
		"20005|3|0|0\n20010|3|60|2\n");
	stints(p, 1, 2, 0, 99999, "1 arm 1 since 19990 base 700 0/0\n"
				  "1 arm 0 since 20000 base 1000 120/3\n"
				  "3 arm 1 since 20000 base 50 0/0\n");
	stints(p, 1, 2, 19991, 20000, "1 arm 0 since 20000 base 1000 120/3\n"
				      "3 arm 1 since 20000 base 50 0/0\n");
	stints(p, 1, 3, 0, 99999, "3 arm 0 since 20010 base 300 60/2\n");
	stints(p, 1, 4, 0, 99999, "");
	stints(p, 2, 2, 0, 99999, "");
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k, .stop_at = 1};

		stopped(s->ops->report_stints_scan(s, 1, 2, 0, 99999, stint_line,
						   &c, &err),
			&err, k);
	}
	out_check(p, &out_buf, "1 arm 1 since 19990 base 700 0/0\n");
}

/* ====================================================================
 * The month-end state and the rolls
 * ==================================================================== */

static void month_scan(struct pair *p, int32_t want_end, const char *want)
{
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};
		int32_t end = 7;

		ok(s->ops->report_month_scan(s, &end, month_line, &c, &err), &err,
		   k);
		assert_int_equal(end, want_end);
	}
	out_check(p, &out_buf, want);
}

static void roll_scan(struct pair *p, int32_t month_end, const char *want)
{
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};

		ok(s->ops->report_roll_scan(s, month_end, roll_line, &c, &err),
		   &err, k);
	}
	out_check(p, &out_buf, want);
}

/* many rows: counted, their order and sums checked */
struct many {
	int64_t n, last, sum_ref, sum_po;
	bool ascending;
	int32_t stop_at;
};

static int many_row(void *ctx, const struct hk_rmonth_row *r)
{
	struct many *m = ctx;

	if (m->n && r->account_ref <= m->last)
		m->ascending = false;
	m->last = r->account_ref;
	m->sum_ref += r->account_ref;
	m->sum_po += r->principal_outstanding;
	return ++m->n == m->stop_at;
}

#define MANY 200000

static void test_month(void **state)
{
	struct pair *p = *state;
	const struct hk_rmonth_row jan[] = {
		{.account_ref = 2, .bucket = 1, .principal_outstanding = 1000,
		 .total_overdue = 50},
		{.account_ref = 1, .bucket = 0, .principal_outstanding = 500},
	};
	const struct hk_rroll_row jan_roll[] = {
		{.dims = 2, .from_bucket = 1, .to_bucket = 1, .accounts = 1,
		 .principal_outstanding = 1000, .total_overdue = 50},
		{.dims = 1, .from_bucket = 0, .to_bucket = 0, .accounts = 1,
		 .principal_outstanding = 500},
		{.dims = 1, .from_bucket = 0, .to_bucket = 2, .accounts = 3,
		 .principal_outstanding = 7, .total_overdue = 8},
	};
	const struct hk_rmonth_row feb[] = {
		{.account_ref = 3, .bucket = 2, .principal_outstanding = 10,
		 .total_overdue = 5},
	};
	const struct hk_rroll_row feb_roll[] = {
		{.dims = 3, .from_bucket = 1, .to_bucket = 2, .accounts = 1,
		 .principal_outstanding = 10, .total_overdue = 5},
	};
	const struct hk_rroll_row feb_roll2[] = {
		{.dims = 4, .from_bucket = 0, .to_bucket = 1, .accounts = 2,
		 .principal_outstanding = 20, .total_overdue = 6},
	};
	struct hk_rmonth_row *big = calloc(MANY, sizeof(*big));

	assert_non_null(big);
	for (int i = 0; i < MANY; i++)
		big[i] = (struct hk_rmonth_row){.account_ref = i + 1,
						.bucket = i % 5,
						.principal_outstanding = i % 1000,
						.total_overdue = 1};
	fixture(p);
	month_scan(p, HK_DATE_NONE, "");
	roll_scan(p, 20120, "");
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->begin(s, &err), &err, k);
		ok(s->ops->report_month_save(s, 20120, jan, 2, jan_roll, 3, &err),
		   &err, k);
		ok(s->ops->commit(s, &err), &err, k);
	}
	month_scan(p, 20120, "1 0 500 0\n2 1 1000 50\n");
	roll_scan(p, 20120, "1 0>0 1 500 0\n1 0>2 3 7 8\n2 1>1 1 1000 50\n");
	/* the next month-end replaces the state; January's roll stays */
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->begin(s, &err), &err, k);
		ok(s->ops->report_month_save(s, 20150, feb, 1, feb_roll, 1, &err),
		   &err, k);
		ok(s->ops->commit(s, &err), &err, k);
	}
	month_scan(p, 20150, "3 2 10 5\n");
	roll_scan(p, 20120, "1 0>0 1 500 0\n1 0>2 3 7 8\n2 1>1 1 1000 50\n");
	roll_scan(p, 20150, "3 1>2 1 10 5\n");
	/* the same month-end again: its roll replaced; no rows, no state */
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->begin(s, &err), &err, k);
		ok(s->ops->report_month_save(s, 20150, NULL, 0, feb_roll2, 1, &err),
		   &err, k);
		ok(s->ops->commit(s, &err), &err, k);
	}
	month_scan(p, HK_DATE_NONE, "");
	roll_scan(p, 20150, "4 0>1 2 20 6\n");
	roll_scan(p, 20120, "1 0>0 1 500 0\n1 0>2 3 7 8\n2 1>1 1 1000 50\n");

	/* a million-account portfolio's shape, smaller: several COPYs */
	EACH(p) {
		struct hk_err err = {0};
		struct many m = {.ascending = true};
		int32_t end = 0;

		ok(s->ops->begin(s, &err), &err, k);
		ok(s->ops->report_month_save(s, 20180, big, MANY, NULL, 0, &err),
		   &err, k);
		ok(s->ops->commit(s, &err), &err, k);
		ok(s->ops->report_month_scan(s, &end, many_row, &m, &err), &err, k);
		assert_int_equal(end, 20180);
		assert_int_equal(m.n, MANY);
		assert_true(m.ascending);
		assert_int_equal(m.sum_ref, (int64_t)MANY * (MANY + 1) / 2);
		assert_int_equal(m.sum_po, (int64_t)(MANY / 1000) * 999 * 1000 / 2);
		/* a stop part way; the connection serves on */
		m = (struct many){.ascending = true, .stop_at = 10};
		stopped(s->ops->report_month_scan(s, &end, many_row, &m, &err),
			&err, k);
		assert_int_equal(m.n, 10);
		ok(s->ops->report_roll_scan(s, 20180, roll_line,
					    &(struct cb){.k = k}, &err),
		   &err, k);
	}
	out_check(p, &out_buf, "");
	q_check(p, "SELECT count(*), min(month_end), max(month_end), "
		   "sum(bucket), sum(total_overdue) FROM report_month_state",
		"200000|20180|20180|400000|200000\n");
	q_check(p, "SELECT month_end, count(*) FROM report_roll "
		   "GROUP BY month_end ORDER BY month_end",
		"20120|3\n20150|1\n");
	free(big);
}

/* ====================================================================
 * The desk's work
 * ==================================================================== */

static void records(struct pair *p, const char *want)
{
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};

		ok(s->ops->begin(s, &err), &err, k);
		ok(s->ops->report_records_take(s, record_line, &c, &err), &err, k);
		ok(s->ops->commit(s, &err), &err, k);
	}
	out_check(p, &out_buf, want);
}

static void refusals(struct pair *p, const char *want)
{
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};

		ok(s->ops->begin(s, &err), &err, k);
		ok(s->ops->report_refusals_take(s, refusal_line, &c, &err), &err, k);
		ok(s->ops->commit(s, &err), &err, k);
	}
	out_check(p, &out_buf, want);
}

static void test_takes(void **state)
{
	struct pair *p = *state;

	fixture(p);
	records(p, "");
	refusals(p, "");
	q_check(p, "SELECT key, value FROM meta WHERE key LIKE 'report_%' "
		   "ORDER BY key",
		"report_audit_ref|0\nreport_record_ref|0\n");
	x(p, "INSERT INTO contact_records (case_ref, user_ref, at, channel, "
	     "outcome) VALUES (1, 2, 1700000300, 'call', 'promised'), "
	     "(2, 3, 1700000100, 'sms', 'sent'), "
	     "(1, 2, 1700000200, 'call', 'no_answer')");
	x(p, "INSERT INTO audit_log (at, user_ref, client, action, target, "
	     "detail, prev_hash, hash) VALUES "
	     "(1700000400, 2, 'web', 'guard.refused', 'case:1', "
	     "'{\"rule\":\"daily_cap\"}', '', 'h1'), "
	     "(1700000500, 1, 'web', 'case.view', 'case:1', '{}', 'h1', 'h2'), "
	     "(1700000600, 3, 'api', 'guard.refused', 'case:2', "
	     "'{\"rule\":\"quiet_hours\"}', 'h2', 'h3')");
	/* a stop counts nothing */
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k, .stop_at = 2};

		ok(s->ops->begin(s, &err), &err, k);
		stopped(s->ops->report_records_take(s, record_line, &c, &err), &err,
			k);
		ok(s->ops->rollback(s), &err, k);
		c = (struct cb){.k = k, .stop_at = 1};
		ok(s->ops->begin(s, &err), &err, k);
		stopped(s->ops->report_refusals_take(s, refusal_line, &c, &err),
			&err, k);
		ok(s->ops->rollback(s), &err, k);
	}
	out_check(p, &out_buf, "1700000300 2 call promised\n"
			       "1700000100 3 sms sent\n"
			       "1700000400 2 {\"rule\":\"daily_cap\"}\n");
	/* in ref order, not by time */
	records(p, "1700000300 2 call promised\n"
		   "1700000100 3 sms sent\n"
		   "1700000200 2 call no_answer\n");
	records(p, "");
	refusals(p, "1700000400 2 {\"rule\":\"daily_cap\"}\n"
		    "1700000600 3 {\"rule\":\"quiet_hours\"}\n");
	refusals(p, "");
	/* the audit watermark is the log's last row, refusal or not */
	q_check(p, "SELECT key, value FROM meta WHERE key LIKE 'report_%' "
		   "ORDER BY key",
		"report_audit_ref|3\nreport_record_ref|3\n");
	x(p, "INSERT INTO contact_records (case_ref, user_ref, at, channel, "
	     "outcome) VALUES (3, 1, 1700000700, 'visit', 'met')");
	x(p, "INSERT INTO audit_log (at, user_ref, client, action, target, "
	     "detail, prev_hash, hash) VALUES "
	     "(1700000800, 1, 'web', 'case.view', 'case:3', '{}', 'h3', 'h4')");
	records(p, "1700000700 1 visit met\n");
	refusals(p, "");
	q_check(p, "SELECT key, value FROM meta WHERE key LIKE 'report_%' "
		   "ORDER BY key",
		"report_audit_ref|4\nreport_record_ref|4\n");
}

static void activity_sum(struct pair *p, int32_t from, int32_t to,
			 const char *want)
{
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};

		ok(s->ops->report_activity_sum(s, from, to, activity_line, &c, &err),
		   &err, k);
	}
	out_check(p, &out_buf, want);
}

static void refusals_sum(struct pair *p, int32_t from, int32_t to,
			 const char *want)
{
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};

		ok(s->ops->report_refusals_sum(s, from, to, refusal_sum_line, &c,
					       &err),
		   &err, k);
	}
	out_check(p, &out_buf, want);
}

static void test_desk(void **state)
{
	struct pair *p = *state;
	const struct hk_ractivity_row act1[] = {
		{.day = 20100, .user_ref = 2, .channel = "call",
		 .outcome = "promised", .records = 2},
		{.day = 20100, .user_ref = 2, .channel = "call",
		 .outcome = "no_answer", .records = 1},
		{.day = 20101, .user_ref = 3, .channel = "sms", .outcome = "sent",
		 .records = 5},
		{.day = 20100, .user_ref = 2, .channel = "call",
		 .outcome = "promised", .records = 10},
	};
	/* "Call" sorts before "call" (byte order); a tab and a backslash
	 * travel as they are */
	const struct hk_ractivity_row act2[] = {
		{.day = 20100, .user_ref = 2, .channel = "call",
		 .outcome = "promised", .records = 1},
		{.day = 20102, .user_ref = 2, .channel = "call",
		 .outcome = "promised", .records = 4},
		{.day = 20102, .user_ref = 2, .channel = "Call",
		 .outcome = "promised", .records = 1},
		{.day = 20102, .user_ref = 1, .channel = "a\tb\\c",
		 .outcome = "其他", .records = 1},
	};
	const struct hk_rrefusal_row ref1[] = {
		{.day = 20100, .user_ref = 2, .rule = "daily_cap", .refusals = 1},
		{.day = 20100, .user_ref = 2, .rule = "quiet_hours", .refusals = 2},
	};
	const struct hk_rrefusal_row ref2[] = {
		{.day = 20100, .user_ref = 2, .rule = "daily_cap", .refusals = 3},
		{.day = 20101, .user_ref = 3, .rule = "daily_cap", .refusals = 1},
		{.day = 20101, .user_ref = 2, .rule = "Quiet", .refusals = 1},
	};
	const struct hk_rrecovery_row rec[] = {
		{.paid_on = 20100, .dims = 1, .bucket = 0, .payments = 1, .amount = 1},
	};
	const struct hk_ractivity_row bad[] = {
		{.day = 20100, .user_ref = 2, .channel = NULL, .outcome = "x",
		 .records = 1},
	};
	const struct hk_rrefusal_row bad_ref[] = {
		{.day = 20100, .user_ref = 2, .rule = NULL, .refusals = 1},
	};

	fixture(p);
	/* rolled back: nothing stays, and the staging tables made in that
	 * transaction are made again */
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->begin(s, &err), &err, k);
		ok(s->ops->report_activity_add(s, act1, 4, &err), &err, k);
		ok(s->ops->report_refusals_add(s, ref1, 2, &err), &err, k);
		ok(s->ops->report_recovery_add(s, rec, 1, &err), &err, k);
		ok(s->ops->rollback(s), &err, k);
	}
	q_check(p, "SELECT (SELECT count(*) FROM report_activity) + "
		   "(SELECT count(*) FROM report_refusals) + "
		   "(SELECT count(*) FROM report_recovery)", "0\n");
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->begin(s, &err), &err, k);
		ok(s->ops->report_recovery_add(s, rec, 1, &err), &err, k);
		ok(s->ops->report_activity_add(s, act1, 4, &err), &err, k);
		ok(s->ops->report_refusals_add(s, ref1, 2, &err), &err, k);
		ok(s->ops->report_activity_add(s, NULL, 0, &err), &err, k);
		ok(s->ops->report_refusals_add(s, NULL, 0, &err), &err, k);
		ok(s->ops->commit(s, &err), &err, k);
		ok(s->ops->begin(s, &err), &err, k);
		ok(s->ops->report_activity_add(s, act2, 4, &err), &err, k);
		ok(s->ops->report_refusals_add(s, ref2, 3, &err), &err, k);
		ok(s->ops->commit(s, &err), &err, k);
	}
	q_check(p, "SELECT day, user_ref, channel, outcome, records "
		   "FROM report_activity ORDER BY day, user_ref, records",
		"20100|2|call|no_answer|1\n"
		"20100|2|call|promised|13\n"
		"20101|3|sms|sent|5\n"
		"20102|1|a\tb\\c|其他|1\n"
		"20102|2|Call|promised|1\n"
		"20102|2|call|promised|4\n");
	q_check(p, "SELECT day, user_ref, rule, refusals FROM report_refusals "
		   "ORDER BY day, user_ref, refusals",
		"20100|2|quiet_hours|2\n"
		"20100|2|daily_cap|4\n"
		"20101|2|Quiet|1\n"
		"20101|3|daily_cap|1\n");
	activity_sum(p, 20000, 20200, "1 a\tb\\c 其他 1\n"
				      "2 Call promised 1\n"
				      "2 call no_answer 1\n"
				      "2 call promised 17\n"
				      "3 sms sent 5\n");
	activity_sum(p, 20101, 20101, "3 sms sent 5\n");
	activity_sum(p, 20100, 20100, "2 call no_answer 1\n2 call promised 13\n");
	activity_sum(p, 20103, 20200, "");
	refusals_sum(p, 20000, 20200, "2 Quiet 1\n2 daily_cap 4\n"
				      "2 quiet_hours 2\n3 daily_cap 1\n");
	refusals_sum(p, 20101, 20101, "2 Quiet 1\n3 daily_cap 1\n");
	refusals_sum(p, 20102, 20200, "");

	/* a text the table refuses (NULL): the same message on both */
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k, .stop_at = 1};

		ok(s->ops->begin(s, &err), &err, k);
		db_failed(s->ops->report_activity_add(s, bad, 1, &err), &err, k,
			  "could not save the activity");
		ok(s->ops->rollback(s), &err, k);
		memset(&err, 0, sizeof(err));
		ok(s->ops->begin(s, &err), &err, k);
		db_failed(s->ops->report_refusals_add(s, bad_ref, 1, &err), &err, k,
			  "could not save the refusals");
		ok(s->ops->rollback(s), &err, k);
		memset(&err, 0, sizeof(err));
		stopped(s->ops->report_activity_sum(s, 0, 99999, activity_line, &c,
						    &err),
			&err, k);
		c = (struct cb){.k = k, .stop_at = 1};
		stopped(s->ops->report_refusals_sum(s, 0, 99999, refusal_sum_line,
						    &c, &err),
			&err, k);
	}
	out_check(p, &out_buf, "1 a\tb\\c 其他 1\n2 Quiet 1\n");
	q_check(p, "SELECT count(*) FROM report_activity", "6\n");
	q_check(p, "SELECT * FROM report_recovery", "20100|1|0|1|1\n");
}

/* The PostgreSQL side itself: there when asked for, skipped otherwise. */
static void test_postgresql_side(void **state)
{
	struct pair *p = *state;
	struct hk_err err = {0};
	int version = 0;

	if (p->n < 2) {
		print_message("HUIKUAN_TEST_PG is not set: the PostgreSQL side "
			      "did not run\n");
		skip();
	}
	ok(p->s[PG]->ops->schema_version(p->s[PG], &version, &err), &err, PG);
	assert_true(version >= 28);
}

#define PAIR_TEST(f) cmocka_unit_test_setup_teardown(f, pair_setup, pair_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		PAIR_TEST(test_dims),
		PAIR_TEST(test_aging),
		PAIR_TEST(test_payments),
		PAIR_TEST(test_recovery),
		PAIR_TEST(test_stints),
		PAIR_TEST(test_month),
		PAIR_TEST(test_takes),
		PAIR_TEST(test_desk),
		PAIR_TEST(test_postgresql_side),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
