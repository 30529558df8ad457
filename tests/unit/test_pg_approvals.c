/*
 * test_pg_approvals.c - the approvals operations of the PostgreSQL backend
 * (src/store/store_pg_approvals.c: contact stops, limitation, disputes and
 * their evidence files, repayment plans, waiver requests, the approvals
 * inbox) against their SQLite twins.  Every test runs the same calls on a
 * fresh SQLite store and, when $HUIKUAN_TEST_PG names a server
 * (scripts/pg-cluster.sh), on a fresh PostgreSQL database created for the
 * test; it asserts that both give the same results and that these are the
 * hand-computed ones.  Fixture rows (users, cases, accounts, states,
 * payments, contact records) are written with the same plain SQL on a
 * second connection of each backend, and the tables the operations write
 * are read back the same way.
 *
 * Only the approvals operations and the core ones (migrate, transactions)
 * are called: the other areas of the PostgreSQL backend may not be ported
 * yet.  Without $HUIKUAN_TEST_PG only the SQLite side runs, and the test
 * "postgresql_side" is reported skipped.  $HK_TEST_PG_SCHEMA names a schema
 * file applied before migrating, for a server without the baseline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pg_pair.h"

const char *const pg_pair_name = "approvals";

/* ---- the fixture ------------------------------------------------------ */

/*
 * Users 1 admin, 2 collector of team 1, 3 collector of team 2, 4 of agency
 * 1.  Case 1: debtor 1 (D1), bankA, collector 2, team 1, accounts 1
 * "ACC-b", 2 "ACC-B", 3 "acc-a".  Case 2: debtor 2 (D2), bankB, collector
 * 3, team 2, placed with agency 1, account 4 "Z-1".
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
	x(p, "INSERT INTO debtors (debtor_id, name, kind) VALUES "
	     "('D1', '张三', 'person'), ('D2', '李四', 'person')");
	x(p, "INSERT INTO cases (debtor_ref, creditor, collector_ref, team_ref, "
	     "agency_ref) VALUES (1, 'bankA', 2, 1, NULL), (2, 'bankB', 3, 2, 1)");
	x(p, "INSERT INTO accounts (account_id, debtor_ref, case_ref, creditor, "
	     "product, principal, annual_ppm, penalty_ppm, open_date) VALUES "
	     "('ACC-b', 1, 1, 'bankA', 'credit_card', 100000, 0, 0, 19000), "
	     "('ACC-B', 1, 1, 'bankA', 'credit_card', 100000, 0, 0, 19000), "
	     "('acc-a', 1, 1, 'bankA', 'consumer_loan', 100000, 0, 0, 19000), "
	     "('Z-1', 2, 2, 'bankB', 'credit_card', 100000, 0, 0, 19000)");
	x(p, "DELETE FROM case_dirty");
}

/* What case_limitation reads beyond the accounts. */
static void limitation_fixture(struct pair *p)
{
	/* 1: overdue since 20000 (before its window's start); 2: nothing
	 * unpaid (-2^31); 3: unpaid from 20020, not before the window */
	x(p, "INSERT INTO account_state (account_ref, product, open_date, "
	     "annual_ppm, penalty_ppm, anchor, win_start, win_end, "
	     "first_unpaid_due, overdue_principal, overdue_interest, "
	     "overdue_fee, penalty_due, penalty_accrued, daily_penalty, "
	     "principal_outstanding, credit_balance, paid_total, waived_total, "
	     "case_ref) VALUES "
	     "(1, 0, 19000, 0, 0, 20010, 20010, 20040, 20000, 0, 0, 0, 0, 0, 0, "
	     "0, 0, 0, 0, 1), "
	     "(2, 0, 19000, 0, 0, 20010, 20010, 20040, -2147483648, 0, 0, 0, 0, "
	     "0, 0, 0, 0, 0, 0, 1), "
	     "(3, 0, 19000, 0, 0, 20010, 20010, 20040, 20020, 0, 0, 0, 0, 0, 0, "
	     "0, 0, 0, 0, 1)");
	x(p, "INSERT INTO payments (payment_id, account_ref, paid_on, amount, "
	     "channel) VALUES ('P1', 1, 20005, 100, 'online'), "
	     "('P2', 1, 20003, 100, 'online'), ('P3', 3, 20001, 100, 'online'), "
	     "('P4', 4, 20009, 100, 'online')");
	/* reached the debtor at 1000 and delivered at 2000 (both demands);
	 * an unanswered call at 3000 is none; case 2's demand is later */
	x(p, "INSERT INTO contact_records (case_ref, user_ref, at, channel, "
	     "outcome) VALUES (1, 2, 1000, 'call', 'reached_debtor'), "
	     "(1, 2, 3000, 'call', 'no_answer'), "
	     "(1, 2, 2000, 'letter', 'delivered'), "
	     "(2, 3, 5000, 'call', 'promised')");
}

/* ====================================================================
 * Contact stops
 * ==================================================================== */

static int stop_line(void *ctx, const struct hk_stop *x)
{
	int k = *(int *)ctx;

	outf(&out_buf, k, "%lld %lld %s %s [%s] %lld@%lld lifted %lld@%lld [%s]\n",
	     (long long)x->ref, (long long)x->debtor_ref, x->channel, x->reason,
	     x->note, (long long)x->created_by, (long long)x->created_at,
	     (long long)x->lifted_by, (long long)x->lifted_at, x->lift_reason);
	return 0;
}

static void add_stop(struct pair *p, int64_t debtor_ref, const char *channel,
		     const char *reason, const char *note, int64_t by,
		     int64_t at, int64_t want_ref)
{
	struct hk_stop st = {.debtor_ref = debtor_ref, .created_by = by,
			     .created_at = at};

	snprintf(st.channel, sizeof(st.channel), "%s", channel);
	snprintf(st.reason, sizeof(st.reason), "%s", reason);
	snprintf(st.note, sizeof(st.note), "%s", note);
	EACH(p) {
		struct hk_err err = {0};
		int64_t ref = -1;

		ok(s->ops->stop_add(s, &st, &ref, &err), &err, k);
		assert_int_equal(ref, want_ref);
	}
}

static void test_stops(void **state)
{
	struct pair *p = *state;

	fixture(p);
	add_stop(p, 1, "call", "debtor_request", "不要再打电话", 2, 100, 1);
	add_stop(p, 1, "all", "complaint", "", 1, 200, 2);
	add_stop(p, 2, "sms", "debtor_request", "no texts", 3, 250, 3);

	EACH(p) {
		struct hk_err err = {0};
		int64_t debtor = -1;

		ok(s->ops->stop_lift(s, 1, 1, 300, "已核实", &debtor, &err), &err, k);
		assert_int_equal(debtor, 1);
		/* lifted already: refused, in the store's language */
		memset(&err, 0, sizeof(err));
		debtor = -1;
		refused(s->ops->stop_lift(s, 1, 1, 400, "again", &debtor, &err),
			&err, k, "that stop is lifted already");
		assert_int_equal(debtor, 1);
		s->lang = HK_LANG_ZH;
		memset(&err, 0, sizeof(err));
		refused(s->ops->stop_lift(s, 1, 1, 400, "again", &debtor, &err),
			&err, k, "该暂停已解除");
		s->lang = HK_LANG_EN;
		/* no such stop: fine, with debtor 0 */
		debtor = -1;
		ok(s->ops->stop_lift(s, 99, 1, 400, "x", &debtor, &err), &err, k);
		assert_int_equal(debtor, 0);
	}

	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->stops_of_debtor(s, 1, false, stop_line, &k, &err), &err,
		   k);
	}
	out_check(p, &out_buf,
		  "1 1 call debtor_request [不要再打电话] 2@100 lifted 1@300 [已核实]\n"
		  "2 1 all complaint [] 1@200 lifted 0@0 []\n");
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->stops_of_debtor(s, 1, true, stop_line, &k, &err), &err,
		   k);
		ok(s->ops->stops_of_debtor(s, 2, true, stop_line, &k, &err), &err,
		   k);
		ok(s->ops->stops_of_debtor(s, 3, false, stop_line, &k, &err), &err,
		   k);
	}
	out_check(p, &out_buf,
		  "2 1 all complaint [] 1@200 lifted 0@0 []\n"
		  "3 2 sms debtor_request [no texts] 3@250 lifted 0@0 []\n");
	/* the refused second lift changed nothing */
	q_check(p,
		"SELECT ref, debtor_ref, channel, reason, note, created_by, "
		"created_at, lifted_by, lifted_at, lift_reason FROM contact_stops "
		"ORDER BY ref",
		"1|1|call|debtor_request|不要再打电话|2|100|1|300|已核实\n"
		"2|1|all|complaint||1|200|NULL|NULL|NULL\n"
		"3|2|sms|debtor_request|no texts|3|250|NULL|NULL|NULL\n");
}

/* ====================================================================
 * Limitation
 * ==================================================================== */

static int limitation_line(void *ctx, const struct hk_limitation_row *r)
{
	int k = *(int *)ctx;
	char since[16], paid[16];

	if (r->overdue_since == HK_DATE_NONE)
		snprintf(since, sizeof(since), "none");
	else
		snprintf(since, sizeof(since), "%d", r->overdue_since);
	if (r->last_paid == HK_DATE_NONE)
		snprintf(paid, sizeof(paid), "none");
	else
		snprintf(paid, sizeof(paid), "%d", r->last_paid);
	outf(&out_buf, k, "%lld %s overdue %s paid %s demand %lld\n",
	     (long long)r->account_ref, r->account_id, since, paid,
	     (long long)r->last_demand);
	return 0;
}

static void test_limitation(void **state)
{
	struct pair *p = *state;

	fixture(p);
	/* before any state, payment or record: every account, nothing */
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->case_limitation(s, 2, limitation_line, &k, &err), &err,
		   k);
	}
	out_check(p, &out_buf, "4 Z-1 overdue none paid none demand 0\n");
	limitation_fixture(p);
	/* by account_id in byte order (upper case first); the latest
	 * payment per account; the latest demand of the case, the
	 * unanswered call not one */
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->case_limitation(s, 1, limitation_line, &k, &err), &err,
		   k);
		ok(s->ops->case_limitation(s, 2, limitation_line, &k, &err), &err,
		   k);
		ok(s->ops->case_limitation(s, 99, limitation_line, &k, &err), &err,
		   k);
	}
	out_check(p, &out_buf,
		  "2 ACC-B overdue none paid none demand 2000\n"
		  "1 ACC-b overdue 20000 paid 20005 demand 2000\n"
		  "3 acc-a overdue none paid 20001 demand 2000\n"
		  "4 Z-1 overdue none paid 20009 demand 5000\n");
}

/* ====================================================================
 * Disputes
 * ==================================================================== */

static void file_line(struct pair *p, int k, struct hk_store *s,
		      int64_t dispute, int n)
{
	struct hk_err err = {0};
	char name[129] = "?", sha[65] = "?";
	int64_t size = -1;
	bool found = true;

	(void)p;
	ok(s->ops->dispute_file_get(s, dispute, n, name, sha, &size, &found,
				    &err),
	   &err, k);
	if (found)
		outf(&out_buf, k, "%d: %s %s %lld\n", n, name, sha,
		     (long long)size);
	else
		outf(&out_buf, k, "%d: none\n", n);
}

static void test_disputes(void **state)
{
	struct pair *p = *state;
	char long_name[301], sha_a[65], sha_b[65];

	fixture(p);
	memset(sha_a, 'a', 64);
	sha_a[64] = 0;
	memset(sha_b, 'b', 64);
	sha_b[64] = 0;
	/* 100 three-byte characters: 300 bytes, kept whole, read back as
	 * the first 128 bytes (42 characters and 2 bytes of the 43rd) */
	for (int i = 0; i < 100; i++)
		memcpy(long_name + 3 * i, "证", 3);
	long_name[300] = 0;

	EACH(p) {
		struct hk_err err = {0};
		int64_t ref = -1, open = -1, case_ref = -1;
		char status[16] = "?";

		ok(s->ops->dispute_open_of(s, 1, &open, &err), &err, k);
		assert_int_equal(open, 0);
		ok(s->ops->dispute_open(s, 1, 2, "账单金额有误", 500, &ref, &err),
		   &err, k);
		assert_int_equal(ref, 1);
		ok(s->ops->dispute_file_add(s, 1, "回单.pdf", sha_a, 10240, &err),
		   &err, k);
		ok(s->ops->dispute_file_add(s, 1, long_name, sha_b, 7, &err), &err,
		   k);
		ok(s->ops->dispute_open(s, 2, 3, "not mine", 510, &ref, &err),
		   &err, k);
		assert_int_equal(ref, 2);
		ok(s->ops->dispute_open_of(s, 1, &open, &err), &err, k);
		assert_int_equal(open, 1);
		ok(s->ops->dispute_open_of(s, 2, &open, &err), &err, k);
		assert_int_equal(open, 2);
		ok(s->ops->dispute_get(s, 1, &case_ref, status, &err), &err, k);
		assert_int_equal(case_ref, 1);
		assert_string_equal(status, "open");
		ok(s->ops->dispute_get(s, 99, &case_ref, status, &err), &err, k);
		assert_int_equal(case_ref, 0);
		assert_string_equal(status, "");
		/* n counts from 1; 0 reads as the first (SQLite's negative
		 * OFFSET is none) */
		for (int n = 0; n <= 3; n++)
			file_line(p, k, s, 1, n);
		file_line(p, k, s, 2, 1);
	}
	{
		char want[1024];
		char cut[129];

		memcpy(cut, long_name, 128);
		cut[128] = 0;
		snprintf(want, sizeof(want),
			 "0: 回单.pdf %s 10240\n1: 回单.pdf %s 10240\n"
			 "2: %s %s 7\n3: none\n1: none\n",
			 sha_a, sha_a, cut, sha_b);
		out_check(p, &out_buf, want);
	}
	/* the name is stored whole */
	q_check(p,
		"SELECT dispute_ref, length(name), substr(sha256, 1, 4), size "
		"FROM dispute_files ORDER BY ref",
		"1|6|aaaa|10240\n1|100|bbbb|7\n");

	EACH(p) {
		struct hk_err err = {0};
		int64_t open = -1, case_ref = -1;
		char status[16] = "?";

		ok(s->ops->dispute_resolve(s, 1, 1, "已更正", 600, &err), &err, k);
		memset(&err, 0, sizeof(err));
		refused(s->ops->dispute_resolve(s, 1, 1, "again", 700, &err), &err,
			k, "the dispute is not open");
		s->lang = HK_LANG_ZH;
		memset(&err, 0, sizeof(err));
		refused(s->ops->dispute_resolve(s, 99, 1, "x", 700, &err), &err, k,
			"该异议已处理");
		s->lang = HK_LANG_EN;
		ok(s->ops->dispute_open_of(s, 1, &open, &err), &err, k);
		assert_int_equal(open, 0);
		ok(s->ops->dispute_get(s, 1, &case_ref, status, &err), &err, k);
		assert_int_equal(case_ref, 1);
		assert_string_equal(status, "resolved");
		/* a NULL resolution is stored as NULL */
		ok(s->ops->dispute_resolve(s, 2, 3, NULL, 800, &err), &err, k);
	}
	q_check(p,
		"SELECT ref, case_ref, opened_by, opened_at, reason, status, "
		"resolved_by, resolved_at, resolution FROM disputes ORDER BY ref",
		"1|1|2|500|账单金额有误|resolved|1|600|已更正\n"
		"2|2|3|510|not mine|resolved|3|800|NULL\n");
	/* the triggers marked both cases for day-end */
	q_check(p, "SELECT case_ref FROM case_dirty ORDER BY case_ref",
		"1\n2\n");
}

/* ====================================================================
 * Repayment plans
 * ==================================================================== */

static int plan_inst_line(void *ctx, int64_t plan_ref, const char *status,
			  int32_t starts_on, int seq, int32_t due,
			  int64_t amount)
{
	int k = *(int *)ctx;

	outf(&out_buf, k, "plan %lld %s from %d: %d due %d %lld\n",
	     (long long)plan_ref, status, starts_on, seq, due, (long long)amount);
	return 0;
}

static int plan_pending_line(void *ctx, const struct hk_plan_pending *x)
{
	int k = *(int *)ctx;

	outf(&out_buf, k, "plan %lld case %lld by %lld@%lld from %d: %d, %lld\n",
	     (long long)x->ref, (long long)x->case_ref,
	     (long long)x->proposed_by, (long long)x->proposed_at, x->starts_on,
	     x->installments, (long long)x->total);
	return 0;
}

static void pending_plans(struct pair *p, struct hk_scope sc)
{
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->plans_pending(s, &sc, plan_pending_line, &k, &err),
		   &err, k);
	}
}

static void test_plans(void **state)
{
	struct pair *p = *state;
	const int32_t due[3] = {20100, 20130, 20160};
	const int64_t amount[3] = {10000, 10000, 5000};

	fixture(p);
	EACH(p) {
		struct hk_err err = {0};
		int64_t ref = -1, case_ref = -1;

		ok(s->ops->plan_insert(s, 1, 2, 20100, "分三期", due, amount, 3,
				       700, &ref, &err),
		   &err, k);
		assert_int_equal(ref, 1);
		/* no installments at all: a plan still */
		ok(s->ops->plan_insert(s, 2, 3, 20200, "", NULL, NULL, 0, 800,
				       &ref, &err),
		   &err, k);
		assert_int_equal(ref, 2);
		ok(s->ops->plan_case(s, 1, &case_ref, &err), &err, k);
		assert_int_equal(case_ref, 1);
		ok(s->ops->plan_case(s, 2, &case_ref, &err), &err, k);
		assert_int_equal(case_ref, 2);
		ok(s->ops->plan_case(s, 99, &case_ref, &err), &err, k);
		assert_int_equal(case_ref, 0);
	}
	/* 10000 + 10000 + 5000 = 25000; the empty plan counts 0, sums 0 */
	pending_plans(p, (struct hk_scope){.all = true});
	out_check(p, &out_buf,
		  "plan 1 case 1 by 2@700 from 20100: 3, 25000\n"
		  "plan 2 case 2 by 3@800 from 20200: 0, 0\n");

	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->plans_of_case(s, 1, plan_inst_line, &k, &err), &err, k);
		/* the plan without installments gives no line */
		ok(s->ops->plans_of_case(s, 2, plan_inst_line, &k, &err), &err, k);
	}
	out_check(p, &out_buf,
		  "plan 1 proposed from 20100: 1 due 20100 10000\n"
		  "plan 1 proposed from 20100: 2 due 20130 10000\n"
		  "plan 1 proposed from 20100: 3 due 20160 5000\n");

	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->plan_decide(s, 1, "approved", 1, 900, &err), &err, k);
		memset(&err, 0, sizeof(err));
		refused(s->ops->plan_decide(s, 1, "rejected", 1, 910, &err), &err,
			k, "the plan was already decided");
		s->lang = HK_LANG_ZH;
		memset(&err, 0, sizeof(err));
		refused(s->ops->plan_decide(s, 99, "approved", 1, 910, &err), &err,
			k, "该还款计划已被处理");
		s->lang = HK_LANG_EN;
		ok(s->ops->plans_of_case(s, 1, plan_inst_line, &k, &err), &err, k);
	}
	out_check(p, &out_buf,
		  "plan 1 approved from 20100: 1 due 20100 10000\n"
		  "plan 1 approved from 20100: 2 due 20130 10000\n"
		  "plan 1 approved from 20100: 3 due 20160 5000\n");
	pending_plans(p, (struct hk_scope){.all = true});
	out_check(p, &out_buf, "plan 2 case 2 by 3@800 from 20200: 0, 0\n");
	q_check(p,
		"SELECT ref, case_ref, proposed_by, proposed_at, starts_on, note, "
		"status, decided_by, decided_at FROM plans ORDER BY ref",
		"1|1|2|700|20100|分三期|approved|1|900\n"
		"2|2|3|800|20200||proposed|NULL|NULL\n");
	q_check(p,
		"SELECT plan_ref, seq, due_on, amount FROM plan_installments "
		"ORDER BY plan_ref, seq",
		"1|1|20100|10000\n1|2|20130|10000\n1|3|20160|5000\n");
	q_check(p, "SELECT case_ref FROM case_dirty ORDER BY case_ref",
		"1\n2\n");
}

/* ====================================================================
 * Waiver requests
 * ==================================================================== */

static int wr_line(void *ctx, const struct hk_waiver_request *w)
{
	int k = *(int *)ctx;

	outf(&out_buf, k,
	     "wr %lld case %lld acct %lld %s comp %d %lld [%s] by %lld@%lld "
	     "%s by %lld@%lld [%s]\n",
	     (long long)w->ref, (long long)w->case_ref,
	     (long long)w->account_ref, w->account_id, w->component,
	     (long long)w->amount, w->reason, (long long)w->requested_by,
	     (long long)w->requested_at, w->status, (long long)w->decided_by,
	     (long long)w->decided_at, w->note);
	return 0;
}

static void add_wr(struct pair *p, int64_t case_ref, int64_t account_ref,
		   int component, int64_t amount, const char *reason,
		   int64_t by, int64_t at, int64_t want_ref)
{
	EACH(p) {
		struct hk_waiver_request w = {
			.case_ref = case_ref, .account_ref = account_ref,
			.component = component, .amount = amount,
			.requested_by = by, .requested_at = at};
		struct hk_err err = {0};

		snprintf(w.reason, sizeof(w.reason), "%s", reason);
		ok(s->ops->waiver_request_insert(s, &w, &err), &err, k);
		assert_int_equal(w.ref, want_ref);
	}
}

static void pending_wrs(struct pair *p, struct hk_scope sc)
{
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->waiver_requests_pending(s, &sc, wr_line, &k, &err),
		   &err, k);
	}
}

static void test_waivers(void **state)
{
	struct pair *p = *state;

	fixture(p);
	add_wr(p, 1, 1, 3, 500, "困难减免", 2, 1000, 1);
	add_wr(p, 1, 3, 2, 700, "interest", 2, 1100, 2);
	add_wr(p, 2, 4, 0, 100, "fee", 3, 1200, 3);

	EACH(p) {
		struct hk_waiver_request w;
		struct hk_err err = {0};
		bool found = false;

		memset(&w, 0x55, sizeof(w));
		ok(s->ops->waiver_request_get(s, 1, &w, &found, &err), &err, k);
		assert_true(found);
		wr_line(&k, &w);
		found = true;
		ok(s->ops->waiver_request_get(s, 99, &w, &found, &err), &err, k);
		assert_false(found);
	}
	out_check(p, &out_buf,
		  "wr 1 case 1 acct 1 ACC-b comp 3 500 [困难减免] by 2@1000 "
		  "pending by 0@0 []\n");

	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->waiver_request_decide(s, 2, "rejected", 1, "超出权限",
						 1300, &err),
		   &err, k);
		memset(&err, 0, sizeof(err));
		refused(s->ops->waiver_request_decide(s, 2, "approved", 1, "x",
						      1310, &err),
			&err, k, "the waiver request was already decided");
		s->lang = HK_LANG_ZH;
		memset(&err, 0, sizeof(err));
		refused(s->ops->waiver_request_decide(s, 99, "approved", 1, "x",
						      1310, &err),
			&err, k, "该减免申请已被处理");
		s->lang = HK_LANG_EN;
		/* a decision without a note leaves it NULL, read as "" */
		ok(s->ops->waiver_request_decide(s, 3, "approved", 1, NULL, 1400,
						 &err),
		   &err, k);
		ok(s->ops->waiver_requests_list(s, 1, wr_line, &k, &err), &err, k);
		ok(s->ops->waiver_requests_list(s, 2, wr_line, &k, &err), &err, k);
		ok(s->ops->waiver_requests_list(s, 99, wr_line, &k, &err), &err, k);
	}
	out_check(p, &out_buf,
		  "wr 1 case 1 acct 1 ACC-b comp 3 500 [困难减免] by 2@1000 "
		  "pending by 0@0 []\n"
		  "wr 2 case 1 acct 3 acc-a comp 2 700 [interest] by 2@1100 "
		  "rejected by 1@1300 [超出权限]\n"
		  "wr 3 case 2 acct 4 Z-1 comp 0 100 [fee] by 3@1200 "
		  "approved by 1@1400 []\n");
	pending_wrs(p, (struct hk_scope){.all = true});
	out_check(p, &out_buf,
		  "wr 1 case 1 acct 1 ACC-b comp 3 500 [困难减免] by 2@1000 "
		  "pending by 0@0 []\n");
	q_check(p,
		"SELECT ref, status, decided_by, decided_at, note FROM "
		"waiver_requests ORDER BY ref",
		"1|pending|NULL|NULL|NULL\n2|rejected|1|1300|超出权限\n"
		"3|approved|1|1400|NULL\n");
}

/* ====================================================================
 * The approvals inbox by scope
 * ==================================================================== */

static void test_pending_scopes(void **state)
{
	struct pair *p = *state;
	const int32_t due[2] = {20100, 20130};
	const int64_t amount[2] = {3000, 4000};

	fixture(p);
	add_wr(p, 1, 2, 1, 900, "a", 2, 1000, 1);
	add_wr(p, 2, 4, 1, 800, "b", 3, 1100, 2);
	EACH(p) {
		struct hk_err err = {0};
		int64_t ref;

		ok(s->ops->plan_insert(s, 2, 3, 20100, "x", due, amount, 2, 1200,
				       &ref, &err),
		   &err, k);
		ok(s->ops->plan_insert(s, 1, 2, 20100, "y", due, amount, 1, 1300,
				       &ref, &err),
		   &err, k);
	}
	/* collector 2 sees case 1 only */
	pending_wrs(p, (struct hk_scope){.collector_ref = 2});
	pending_plans(p, (struct hk_scope){.collector_ref = 2});
	out_check(p, &out_buf,
		  "wr 1 case 1 acct 2 ACC-B comp 1 900 [a] by 2@1000 pending by 0@0 []\n"
		  "plan 2 case 1 by 2@1300 from 20100: 1, 3000\n");
	/* team 2 and agency 1 see case 2 */
	pending_wrs(p, (struct hk_scope){.team_ref = 2});
	pending_plans(p, (struct hk_scope){.agency_ref = 1});
	out_check(p, &out_buf,
		  "wr 2 case 2 acct 4 Z-1 comp 1 800 [b] by 3@1100 pending by 0@0 []\n"
		  "plan 1 case 2 by 3@1200 from 20100: 2, 7000\n");
	/* a scope of several parts: either case */
	pending_plans(p, (struct hk_scope){.collector_ref = 3, .team_ref = 1});
	out_check(p, &out_buf,
		  "plan 1 case 2 by 3@1200 from 20100: 2, 7000\n"
		  "plan 2 case 1 by 2@1300 from 20100: 1, 3000\n");
	/* nobody's: nothing; someone else's team: nothing */
	pending_wrs(p, (struct hk_scope){0});
	pending_plans(p, (struct hk_scope){0});
	pending_wrs(p, (struct hk_scope){.team_ref = 7, .agency_ref = 9});
	out_check(p, &out_buf, "");
	/* a case without collector, team or agency: only "all" sees it */
	x(p, "UPDATE cases SET collector_ref = NULL, team_ref = NULL, "
	     "agency_ref = NULL WHERE ref = 2");
	pending_wrs(p, (struct hk_scope){.collector_ref = 3, .team_ref = 2,
					 .agency_ref = 1});
	out_check(p, &out_buf, "");
	pending_wrs(p, (struct hk_scope){.all = true});
	out_check(p, &out_buf,
		  "wr 1 case 1 acct 2 ACC-B comp 1 900 [a] by 2@1000 pending by 0@0 []\n"
		  "wr 2 case 2 acct 4 Z-1 comp 1 800 [b] by 3@1100 pending by 0@0 []\n");
}

/* At most 500 of each, oldest first. */
static void test_pending_limit(void **state)
{
	struct pair *p = *state;
	int rows = 0;

	fixture(p);
	/* 501 pending requests and 501 proposed plans (one installment
	 * each) through plain SQL, refs 1..501 */
	x(p, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
	     "WHERE i < 501) INSERT INTO waiver_requests (case_ref, "
	     "account_ref, component, amount, reason, requested_by, "
	     "requested_at) SELECT 1, 1, 1, i, 'r', 2, i FROM n");
	x(p, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
	     "WHERE i < 501) INSERT INTO plans (case_ref, proposed_by, "
	     "proposed_at, starts_on) SELECT 1, 2, i, 20000 FROM n");
	x(p, "INSERT INTO plan_installments (plan_ref, seq, due_on, amount) "
	     "SELECT ref, 1, 20000, ref * 10 FROM plans");
	EACH(p) {
		struct hk_err err = {0};
		struct hk_scope all = {.all = true};

		ok(s->ops->waiver_requests_pending(s, &all, wr_line, &k, &err),
		   &err, k);
		ok(s->ops->plans_pending(s, &all, plan_pending_line, &k, &err),
		   &err, k);
	}
	for (int k = 0; k < p->n; k++) {
		const char *t = out_buf.text[k];
		const char *last_wr = strstr(t, "wr 500 case");
		const char *last_plan = strstr(t, "plan 500 case 1 by 2@500 from 20000: 1, 5000\n");

		rows = 0;
		for (const char *c = t; *c; c++)
			rows += *c == '\n';
		assert_int_equal(rows, 1000);
		assert_non_null(strstr(t, "wr 1 case 1 acct 1 ACC-b comp 1 1 [r]"));
		assert_non_null(last_wr);
		assert_null(strstr(t, "wr 501 "));
		assert_non_null(last_plan);
		assert_null(strstr(t, "plan 501 "));
	}
	if (p->n == 2)
		assert_string_equal(out_buf.text[SQ], out_buf.text[PG]);
	memset(&out_buf, 0, sizeof(out_buf));
}

/* ====================================================================
 * Transactions, failures, callbacks
 * ==================================================================== */

static void test_transactions(void **state)
{
	struct pair *p = *state;
	const int32_t due[1] = {20100};
	const int64_t amount[1] = {1000};

	fixture(p);
	/* rolled back: no dispute, file, plan, request or stop, and no
	 * trigger's mark */
	EACH(p) {
		struct hk_err err = {0};
		struct hk_waiver_request w = {.case_ref = 1, .account_ref = 1,
					      .component = 1, .amount = 5,
					      .requested_by = 2,
					      .requested_at = 1};
		struct hk_stop st = {.debtor_ref = 1, .channel = "call",
				     .reason = "complaint", .created_by = 1,
				     .created_at = 1};
		int64_t ref, open = -1;

		ok(s->ops->begin(s, &err), &err, k);
		ok(s->ops->dispute_open(s, 1, 2, "r", 1, &ref, &err), &err, k);
		ok(s->ops->dispute_file_add(s, ref, "f", "00", 1, &err), &err, k);
		ok(s->ops->plan_insert(s, 1, 2, 20100, "", due, amount, 1, 1, &ref,
				       &err),
		   &err, k);
		ok(s->ops->waiver_request_insert(s, &w, &err), &err, k);
		ok(s->ops->stop_add(s, &st, &ref, &err), &err, k);
		/* seen inside the transaction */
		ok(s->ops->dispute_open_of(s, 1, &open, &err), &err, k);
		assert_true(open > 0);
		ok(s->ops->rollback(s), &err, k);
		ok(s->ops->dispute_open_of(s, 1, &open, &err), &err, k);
		assert_int_equal(open, 0);
	}
	q_check(p,
		"SELECT (SELECT count(*) FROM disputes), (SELECT count(*) FROM "
		"dispute_files), (SELECT count(*) FROM plans), (SELECT count(*) "
		"FROM plan_installments), (SELECT count(*) FROM waiver_requests), "
		"(SELECT count(*) FROM contact_stops), (SELECT count(*) FROM "
		"case_dirty)",
		"0|0|0|0|0|0|0\n");
	/* committed: all of them, with the marks */
	EACH(p) {
		struct hk_err err = {0};
		int64_t ref = 0, plan = 0;

		ok(s->ops->begin(s, &err), &err, k);
		ok(s->ops->dispute_open(s, 2, 3, "r", 1, &ref, &err), &err, k);
		ok(s->ops->dispute_file_add(s, ref, "f", "00", 1, &err), &err, k);
		ok(s->ops->plan_insert(s, 1, 2, 20100, "", due, amount, 1, 1, &plan,
				       &err),
		   &err, k);
		ok(s->ops->plan_decide(s, plan, "rejected", 1, 2, &err), &err, k);
		ok(s->ops->commit(s, &err), &err, k);
	}
	q_check(p,
		"SELECT (SELECT count(*) FROM disputes), (SELECT count(*) FROM "
		"dispute_files), (SELECT count(*) FROM plans WHERE status = "
		"'rejected'), (SELECT count(*) FROM plan_installments)",
		"1|1|1|1\n");
	q_check(p, "SELECT case_ref FROM case_dirty ORDER BY case_ref",
		"1\n2\n");
}

static void test_failures(void **state)
{
	struct pair *p = *state;
	const int32_t due[2] = {20100, 20130};
	const int64_t amount[2] = {1000, 0};

	fixture(p);
	EACH(p) {
		struct hk_err err = {0};
		struct hk_waiver_request w = {.case_ref = 1, .account_ref = 1,
					      .component = 1, .amount = 0,
					      .requested_by = 2,
					      .requested_at = 1};
		int64_t ref = -7;

		/* a zero installment breaks the CHECK: the plan is saved,
		 * its installment is not, and the caller rolls back */
		ok(s->ops->begin(s, &err), &err, k);
		db_failed(s->ops->plan_insert(s, 1, 2, 20100, "", due, amount, 2, 1,
					      &ref, &err),
			  &err, k, "could not save a plan installment");
		assert_int_equal(ref, 1);
		ok(s->ops->rollback(s), &err, k);
		/* a zero waiver request: refused by the CHECK, no ref */
		memset(&err, 0, sizeof(err));
		db_failed(s->ops->waiver_request_insert(s, &w, &err), &err, k,
			  "could not save a waiver request");
		assert_int_equal(w.ref, 0);
		/* NULL where the column is NOT NULL */
		memset(&err, 0, sizeof(err));
		ref = -7;
		db_failed(s->ops->dispute_open(s, 1, 2, NULL, 1, &ref, &err), &err,
			  k, "could not open a dispute");
		assert_int_equal(ref, -7);
		memset(&err, 0, sizeof(err));
		db_failed(s->ops->plan_insert(s, 1, 2, 20100, NULL, NULL, NULL, 0,
					      1, &ref, &err),
			  &err, k, "could not save a plan");
		assert_int_equal(ref, -7);
		memset(&err, 0, sizeof(err));
		db_failed(s->ops->dispute_file_add(s, 1, NULL, "00", 1, &err), &err,
			  k, "could not record an evidence file");
	}
	q_check(p,
		"SELECT (SELECT count(*) FROM disputes), (SELECT count(*) FROM "
		"dispute_files), (SELECT count(*) FROM plans), (SELECT count(*) "
		"FROM plan_installments), (SELECT count(*) FROM waiver_requests)",
		"0|0|0|0|0\n");
}

/* A callback that asks to stop, and one that uses the store meanwhile. */
struct cb {
	int k;
	struct hk_store *s;
	int calls;
};

static int stop_asking_stop(void *ctx, const struct hk_stop *x)
{
	struct cb *c = ctx;

	(void)x;
	c->calls++;
	return 1;
}

static int wr_reentrant(void *ctx, const struct hk_waiver_request *w)
{
	struct cb *c = ctx;
	struct hk_waiver_request again;
	struct hk_err err = {0};
	bool found = false;
	int64_t open = -1;

	c->calls++;
	ok(c->s->ops->waiver_request_get(c->s, w->ref, &again, &found, &err),
	   &err, c->k);
	assert_true(found);
	assert_int_equal(again.amount, w->amount);
	ok(c->s->ops->dispute_open_of(c->s, w->case_ref, &open, &err), &err,
	   c->k);
	outf(&out_buf, c->k, "%lld: %lld open %lld\n", (long long)w->ref,
	     (long long)again.amount, (long long)open);
	return 0;
}

static void test_callbacks(void **state)
{
	struct pair *p = *state;

	fixture(p);
	add_stop(p, 1, "call", "complaint", "", 1, 1, 1);
	add_stop(p, 1, "sms", "complaint", "", 1, 2, 2);
	add_wr(p, 1, 1, 1, 11, "a", 2, 1, 1);
	add_wr(p, 1, 2, 1, 22, "b", 2, 2, 2);
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k, .s = s};
		int64_t ref;

		/* like its twin, the op calls back every row whatever the
		 * callback returns */
		ok(s->ops->stops_of_debtor(s, 1, false, stop_asking_stop, &c, &err),
		   &err, k);
		assert_int_equal(c.calls, 2);
		ok(s->ops->dispute_open(s, 1, 2, "r", 1, &ref, &err), &err, k);
		c.calls = 0;
		ok(s->ops->waiver_requests_list(s, 1, wr_reentrant, &c, &err), &err,
		   k);
		assert_int_equal(c.calls, 2);
	}
	out_check(p, &out_buf, "1: 11 open 1\n2: 22 open 1\n");
}

/* The PostgreSQL side itself: there when asked for, skipped otherwise. */
static void test_postgresql_side(void **state)
{
	struct pair *p = *state;
	struct hk_err err = {0};
	int version = 0, sqlite_version = 0;

	if (p->n < 2) {
		print_message("HUIKUAN_TEST_PG is not set: the PostgreSQL side "
			      "did not run\n");
		skip();
	}
	/* both migrated to the same end: every SQLite migration has its twin */
	ok(p->s[PG]->ops->schema_version(p->s[PG], &version, &err), &err, PG);
	ok(p->s[SQ]->ops->schema_version(p->s[SQ], &sqlite_version, &err), &err, SQ);
	assert_int_equal(version, sqlite_version);
	assert_true(version >= 26);
	assert_int_equal(PQserverVersion(p->pg) / 10000, 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stops, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_limitation, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_disputes, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_plans, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_waivers, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_pending_scopes, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_pending_limit, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_transactions, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_failures, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_callbacks, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_postgresql_side, pair_setup,
						pair_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
