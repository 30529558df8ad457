/*
 * test_pg_workflow.c - the case desk's operations of the PostgreSQL
 * backend (src/store/store_pg_workflow.c: cases and the case list, status
 * changes, contact records, promises, the timeline, a case's accounts and
 * payments, contacts, the guardrails' counts, skip tracing) against their
 * SQLite twins.  Every test runs the same calls on a fresh SQLite store
 * and, when $HUIKUAN_TEST_PG names a server (scripts/pg-cluster.sh), on a
 * fresh PostgreSQL database created for the test; it asserts that both
 * give the same results and that these are the hand-computed ones.
 * Fixture rows are written with the same plain SQL on a second connection
 * of each backend, and the tables the operations write (and their
 * triggers' effects) are read back the same way.
 *
 * Only the workflow operations and the core ones (migrate, transactions)
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

const char *const pg_pair_name = "workflow";

/* ---- the fixture ------------------------------------------------------ */

#define AS_OF 20100

/*
 * Users 1 admin, 2 collector of team 1, 3 collector of team 2, 4 of agency
 * 1.  Debtors 1 D1 (广东, retail), 2 D2 (浙江, vip), 3 D3 (广东, retail).
 * Cases (debtor, creditor, collector, team, agency, product bits):
 *   1 D1 bankA 2 1 -  1  accounts 1 "ACC-b", 2 "ACC-B", 3 "acc-a"
 *   2 D2 bankB 3 2 1  2  account 4 "Z-1"
 *   3 D3 bankA 2 1 -  1  account 5 "Y-1"
 *   4 D1 bankB 3 2 -  3  accounts 6 "X-1", 7 "X-2"; status contacted
 * Overdue at AS_OF 20100 (case_overdue): case 1 since 20000 (DPD 100),
 * owing 1000 + 10 x 20100 = 202000; case 2 since 20050 (DPD 50), 50000;
 * case 3 since 20000 (DPD 100), 300000.  Case 4 is current.
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
	x(p, "INSERT INTO debtors (debtor_id, name, kind, id_number, phone, "
	     "segment, province, city, address) VALUES "
	     "('D1', '张三', 'person', '110101199001011234', '13800000001', "
	     "'retail', '广东', '深圳', '深南大道1号'), "
	     "('D2', '李四', 'person', NULL, NULL, 'vip', '浙江', NULL, NULL), "
	     "('D3', '王五', 'company', NULL, NULL, 'retail', '广东', NULL, NULL)");
	x(p, "INSERT INTO cases (debtor_ref, creditor, collector_ref, team_ref, "
	     "agency_ref, products, status) VALUES "
	     "(1, 'bankA', 2, 1, NULL, 1, 'new'), (2, 'bankB', 3, 2, 1, 2, 'new'), "
	     "(3, 'bankA', 2, 1, NULL, 1, 'new'), "
	     "(1, 'bankB', 3, 2, NULL, 3, 'contacted')");
	x(p, "INSERT INTO accounts (account_id, debtor_ref, case_ref, creditor, "
	     "product, principal, annual_ppm, penalty_ppm, open_date) VALUES "
	     "('ACC-b', 1, 1, 'bankA', 'credit_card', 100000, 1, 2, 19000), "
	     "('ACC-B', 1, 1, 'bankA', 'credit_card', 100000, 3, 4, 19001), "
	     "('acc-a', 1, 1, 'bankA', 'consumer_loan', 100000, 5, 6, 19002), "
	     "('Z-1', 2, 2, 'bankB', 'credit_card', 100000, 0, 0, 19000), "
	     "('Y-1', 3, 3, 'bankA', 'credit_card', 100000, 0, 0, 19000), "
	     "('X-1', 1, 4, 'bankB', 'credit_card', 100000, 0, 0, 19000), "
	     "('X-2', 1, 4, 'bankB', 'consumer_loan', 100000, 0, 0, 19000)");
	x(p, "INSERT INTO case_overdue (case_ref, overdue_since, collector_ref, "
	     "team_ref, agency_ref, due_base, due_daily) VALUES "
	     "(1, 20000, 2, 1, NULL, 1000, 10), (2, 20050, 3, 2, 1, 50000, 0), "
	     "(3, 20000, 2, 1, NULL, 300000, 0)");
	/* the strategy the tests' case_treatment rows name (PostgreSQL keeps
	 * the foreign key) */
	x(p, "INSERT INTO strategies (name, status, body, created_at) VALUES "
	     "('test', 'published', '{}', 0)");
	x(p, "DELETE FROM case_dirty");
}

static const struct hk_scope scope_all = {.all = true};

/* ====================================================================
 * case_get
 * ==================================================================== */

static void case_line(struct out *o, int k, const struct hk_case_rec *c)
{
	outf(o, k, "%lld %s %s %lld/%lld/%lld %lld %s %s %s [%s] [%s] %s %s [%s] "
		   "lost%d [%s]\n",
	     (long long)c->ref, c->creditor, c->status, (long long)c->collector_ref,
	     (long long)c->team_ref, (long long)c->agency_ref,
	     (long long)c->debtor_ref, c->debtor_id, c->name, c->kind,
	     c->id_number, c->phone, c->segment, c->province, c->city,
	     c->lost_contact, c->address);
}

static void get_case(struct pair *p, int64_t ref, const struct hk_scope *sc)
{
	EACH(p) {
		struct hk_err err = {0};
		struct hk_case_rec c;
		bool found = true;

		ok(s->ops->case_get(s, ref, sc, &c, &found, &err), &err, k);
		if (found)
			case_line(&out_buf, k, &c);
		else
			outf(&out_buf, k, "none\n");
	}
}

static void test_case_get(void **state)
{
	struct pair *p = *state;
	const struct hk_scope c1 = {.collector_ref = 2}, t2 = {.team_ref = 2},
			      ag1 = {.agency_ref = 1}, none = {0};

	fixture(p);
	get_case(p, 1, &scope_all);
	get_case(p, 2, &scope_all);
	out_check(p, &out_buf,
		  "1 bankA new 2/1/0 1 D1 张三 person [110101199001011234] "
		  "[13800000001] retail 广东 [深圳] lost0 [深南大道1号]\n"
		  "2 bankB new 3/2/1 2 D2 李四 person [] [] vip 浙江 [] lost0 []\n");
	/* the scope hides what it does not cover, as if it were not there */
	get_case(p, 1, &c1);
	get_case(p, 2, &c1);
	get_case(p, 2, &t2);
	get_case(p, 1, &t2);
	get_case(p, 2, &ag1);
	get_case(p, 3, &ag1);
	get_case(p, 1, &none);
	get_case(p, 99, &scope_all);
	out_check(p, &out_buf,
		  "1 bankA new 2/1/0 1 D1 张三 person [110101199001011234] "
		  "[13800000001] retail 广东 [深圳] lost0 [深南大道1号]\n"
		  "none\n"
		  "2 bankB new 3/2/1 2 D2 李四 person [] [] vip 浙江 [] lost0 []\n"
		  "none\n"
		  "2 bankB new 3/2/1 2 D2 李四 person [] [] vip 浙江 [] lost0 []\n"
		  "none\nnone\nnone\n");
}

/* ====================================================================
 * cases_list
 * ==================================================================== */

struct page {
	int k;
	int64_t last_key, last_ref;
};

static int list_line(void *ctx, const struct hk_case_line *l)
{
	struct page *pg = ctx;

	outf(&out_buf, pg->k, "%lld %s %s %s %s %lld/%lld a%d dpd%d due%lld ",
	     (long long)l->ref, l->creditor, l->status, l->debtor_id, l->name,
	     (long long)l->collector_ref, (long long)l->team_ref, l->accounts,
	     l->dpd, (long long)l->total_overdue);
	if (l->next_follow_up == HK_DATE_NONE)
		outf(&out_buf, pg->k, "fu- ");
	else
		outf(&out_buf, pg->k, "fu%d ", l->next_follow_up);
	outf(&out_buf, pg->k, "ps%d lost%d key%lld\n", l->promise_status,
	     l->lost_contact, (long long)l->sort_key);
	pg->last_key = l->sort_key;
	pg->last_ref = l->ref;
	return 0;
}

/* Only the refs, for the filters' lists. */
static int ref_only(void *ctx, const struct hk_case_line *l)
{
	struct page *pg = ctx;

	outf(&out_buf, pg->k, "%lld ", (long long)l->ref);
	pg->last_key = l->sort_key;
	pg->last_ref = l->ref;
	return 0;
}

static struct hk_case_filter filter_none(enum hk_case_sort sort, int limit)
{
	struct hk_case_filter f = {
		.product = -1, .dpd_min = -1, .dpd_max = -1, .min_overdue = -1,
		.max_overdue = -1, .promise_status = -1,
		.follow_up_by = HK_DATE_NONE, .promise_due_by = HK_DATE_NONE,
		.sort = sort, .limit = limit};

	return f;
}

/* One list on every side, then "|"; the next page's cursor into *f (the
 * same on every side, or the check fails anyway). */
static void list(struct pair *p, const struct hk_scope *sc,
		 struct hk_case_filter *f,
		 int (*fn)(void *, const struct hk_case_line *))
{
	struct page pg[NB] = {{0}};

	EACH(p) {
		struct hk_err err = {0};

		pg[k].k = k;
		ok(s->ops->cases_list(s, sc, f, AS_OF, fn, &pg[k], &err), &err, k);
		outf(&out_buf, k, "|\n");
	}
	f->has_after = true;
	f->after_key = pg[0].last_key;
	f->after_ref = pg[0].last_ref;
}

#define L1 "1 bankA new D1 张三 2/1 a3 dpd100 due202000 "
#define L2 "2 bankB new D2 李四 3/2 a1 dpd50 due50000 "
#define L3 "3 bankA new D3 王五 2/1 a1 dpd100 due300000 "
#define L4 "4 bankB contacted D1 张三 3/2 a2 dpd0 due0 "

static void test_cases_list(void **state)
{
	struct pair *p = *state;
	const struct hk_scope c1 = {.collector_ref = 2}, t2 = {.team_ref = 2},
			      ag1 = {.agency_ref = 1}, none = {0};
	struct hk_case_filter f;

	fixture(p);
	/* follow-ups and a promise through the ops: their triggers keep the
	 * case's copies (case 2 at 20105, case 3 at 20110; case 1 pending) */
	EACH(p) {
		struct hk_err err = {0};
		struct hk_record r2 = {.case_ref = 2, .user_ref = 3, .at = 100,
				       .next_follow_up = 20105};
		struct hk_record r3 = {.case_ref = 3, .user_ref = 2, .at = 100,
				       .next_follow_up = 20110};
		struct hk_promise_rec pr = {.case_ref = 1, .made_on = 20090,
					    .due_on = 20110, .amount = 5000};
		int64_t ref;

		snprintf(r2.channel, sizeof(r2.channel), "call");
		snprintf(r2.outcome, sizeof(r2.outcome), "reached_debtor");
		snprintf(r3.channel, sizeof(r3.channel), "call");
		snprintf(r3.outcome, sizeof(r3.outcome), "no_answer");
		ok(s->ops->record_insert(s, &r2, &err), &err, k);
		ok(s->ops->record_insert(s, &r3, &err), &err, k);
		ok(s->ops->promise_take(s, &pr, 2, &ref, &err), &err, k);
	}
	q_check(p, "SELECT case_ref, promise_status FROM case_overdue ORDER BY 1",
		"1|0\n2|NULL\n3|NULL\n");
	/* case 2: the priority 50; case 1: 10; case 3: none (0) */
	x(p, "INSERT INTO case_treatment (case_ref, strategy_ref, rule_no, "
	     "arm_no, priority, since, recheck_on) VALUES "
	     "(1, 1, 1, 0, 10, 20000, 20200), (2, 1, 2, 0, 50, 20000, 20200)");

	/* by id, every scope */
	f = filter_none(HK_SORT_ID, 10);
	list(p, &scope_all, &f, list_line);
	out_check(p, &out_buf,
		  L1 "fu- ps0 lost0 key1\n" L2 "fu20105 ps-1 lost0 key2\n"
		  L3 "fu20110 ps-1 lost0 key3\n" L4 "fu- ps-1 lost0 key4\n|\n");
	f = filter_none(HK_SORT_ID, 10);
	list(p, &c1, &f, ref_only);
	f = filter_none(HK_SORT_ID, 10);
	list(p, &t2, &f, ref_only);
	f = filter_none(HK_SORT_ID, 10);
	list(p, &ag1, &f, ref_only);
	f = filter_none(HK_SORT_ID, 10);
	list(p, &none, &f, ref_only);
	out_check(p, &out_buf, "1 3 |\n2 4 |\n2 |\n|\n");
	/* by id, two a page */
	f = filter_none(HK_SORT_ID, 2);
	list(p, &scope_all, &f, ref_only);
	list(p, &scope_all, &f, ref_only);
	list(p, &scope_all, &f, ref_only);
	out_check(p, &out_buf, "1 2 |\n3 4 |\n|\n");

	/* most days past due first (ties by id), then the current cases by
	 * id, whose key is 2147483647 */
	f = filter_none(HK_SORT_DPD, 2);
	list(p, &scope_all, &f, list_line);
	assert_int_equal(f.after_key, 20000);
	assert_int_equal(f.after_ref, 3);
	list(p, &scope_all, &f, list_line);
	assert_int_equal(f.after_key, 2147483647);
	assert_int_equal(f.after_ref, 4);
	list(p, &scope_all, &f, list_line);
	out_check(p, &out_buf,
		  L1 "fu- ps0 lost0 key20000\n" L3 "fu20110 ps-1 lost0 key20000\n|\n"
		  L2 "fu20105 ps-1 lost0 key20050\n"
		  L4 "fu- ps-1 lost0 key2147483647\n|\n|\n");
	/* one a page across the arms' seam */
	f = filter_none(HK_SORT_DPD, 1);
	for (int i = 0; i < 5; i++)
		list(p, &scope_all, &f, ref_only);
	out_check(p, &out_buf, "1 |\n3 |\n2 |\n4 |\n|\n");
	f = filter_none(HK_SORT_DPD, 10);
	list(p, &t2, &f, ref_only);
	f = filter_none(HK_SORT_DPD, 10);
	list(p, &ag1, &f, ref_only);
	out_check(p, &out_buf, "2 4 |\n2 |\n");

	/* most overdue first */
	f = filter_none(HK_SORT_OVERDUE, 2);
	list(p, &scope_all, &f, list_line);
	assert_int_equal(f.after_key, 202000);
	list(p, &scope_all, &f, list_line);
	list(p, &scope_all, &f, list_line);
	out_check(p, &out_buf,
		  L3 "fu20110 ps-1 lost0 key300000\n" L1 "fu- ps0 lost0 key202000\n|\n"
		  L2 "fu20105 ps-1 lost0 key50000\n" L4 "fu- ps-1 lost0 key0\n|\n|\n");

	/* the next follow-up first; none (2147483647) last, by id */
	f = filter_none(HK_SORT_FOLLOW_UP, 3);
	list(p, &scope_all, &f, ref_only);
	assert_int_equal(f.after_key, 2147483647);
	assert_int_equal(f.after_ref, 1);
	list(p, &scope_all, &f, ref_only);
	out_check(p, &out_buf, "2 3 1 |\n4 |\n");

	/* the queue: overdue cases by priority, then date, then id */
	f = filter_none(HK_SORT_PRIORITY, 10);
	list(p, &scope_all, &f, list_line);
	out_check(p, &out_buf,
		  L2 "fu20105 ps-1 lost0 key50\n" L1 "fu- ps0 lost0 key10\n"
		  L3 "fu20110 ps-1 lost0 key0\n|\n");
	f = filter_none(HK_SORT_PRIORITY, 10);
	list(p, &c1, &f, ref_only);
	f = filter_none(HK_SORT_PRIORITY, 1);
	list(p, &scope_all, &f, ref_only);
	f = filter_none(HK_SORT_PRIORITY, 10);
	list(p, &ag1, &f, ref_only);
	f = filter_none(HK_SORT_PRIORITY, 10);
	list(p, &none, &f, ref_only);
	out_check(p, &out_buf, "1 3 |\n2 |\n2 |\n|\n");
}

static void test_cases_filters(void **state)
{
	struct pair *p = *state;
	const struct hk_scope c1 = {.collector_ref = 2};
	struct hk_case_filter f;

	fixture(p);
	x(p, "UPDATE cases SET next_follow_up = 20105 WHERE ref = 2");
	x(p, "UPDATE cases SET lost_contact = 1 WHERE ref = 3");
	x(p, "INSERT INTO promises (case_ref, made_on, due_on, amount) VALUES "
	     "(1, 20090, 20110, 5000), (4, 20090, 20130, 5000)");
	/* each filter by id, then in DPD order */
	for (int sort = 0; sort < 2; sort++) {
		enum hk_case_sort so = sort ? HK_SORT_DPD : HK_SORT_ID;

		f = filter_none(so, 10);
		f.status = "contacted";
		list(p, &scope_all, &f, ref_only);
		f = filter_none(so, 10);
		f.creditor = "bankA";
		list(p, &scope_all, &f, ref_only);
		f = filter_none(so, 10);
		f.collector_ref = 3;
		list(p, &scope_all, &f, ref_only);
		f = filter_none(so, 10);
		f.team_ref = 1;
		list(p, &scope_all, &f, ref_only);
		f = filter_none(so, 10);
		f.province = "广东";
		list(p, &scope_all, &f, ref_only);
		f = filter_none(so, 10);
		f.segment = "vip";
		list(p, &scope_all, &f, ref_only);
		f = filter_none(so, 10);
		f.product = 1; /* bit 2 */
		list(p, &scope_all, &f, ref_only);
		f = filter_none(so, 10);
		f.min_overdue = 100000;
		list(p, &scope_all, &f, ref_only);
		f = filter_none(so, 10);
		f.max_overdue = 60000;
		list(p, &scope_all, &f, ref_only);
		f = filter_none(so, 10);
		f.promise_status = 0;
		list(p, &scope_all, &f, ref_only);
		f = filter_none(so, 10);
		f.promise_due_by = 20120;
		list(p, &scope_all, &f, ref_only);
		f = filter_none(so, 10);
		f.follow_up_by = 20106;
		list(p, &scope_all, &f, ref_only);
		f = filter_none(so, 10);
		f.lost_contact = true;
		list(p, &scope_all, &f, ref_only);
		f = filter_none(so, 10);
		f.dpd_min = 60;
		list(p, &scope_all, &f, ref_only);
		f = filter_none(so, 10);
		f.dpd_max = 60;
		list(p, &scope_all, &f, ref_only);
		f = filter_none(so, 10);
		f.dpd_min = 40;
		f.dpd_max = 60;
		list(p, &scope_all, &f, ref_only);
		/* a collector's scope with a filter */
		f = filter_none(so, 10);
		f.min_overdue = 250000;
		list(p, &c1, &f, ref_only);
		/* in DPD order the same: the overdue cases by date and id
		 * (1, 3 since 20000; 2 since 20050), then the current 4 */
		out_check(p, &out_buf,
			  "4 |\n1 3 |\n2 4 |\n1 3 |\n1 3 4 |\n2 |\n2 4 |\n1 3 |\n"
			  "2 4 |\n1 4 |\n1 |\n2 |\n3 |\n1 3 |\n2 4 |\n2 |\n3 |\n");
	}
}

/*
 * Many cases with ties everywhere (dates, amounts, follow-ups, priorities),
 * then every sort under every scope and every filter, read a page at a
 * time until the end: the two backends give the same lines, and for the
 * keyset sorts one line a page gives what one large page gives (the page
 * boundaries lose and repeat nothing).
 */
static void many_cases(struct pair *p)
{
	char sql[512];
	uint32_t seed = 12345;

#define RND(n) ((seed = seed * 1103515245u + 12345u) >> 16) % (n)
	for (int c = 5; c <= 60; c++) {
		static const char *const status[] = {"new", "contacted",
						     "promised"};
		int collector = 2 + (int)RND(2);
		int agency = RND(3) == 0;
		int products = 1 + (int)RND(7);
		const char *st = status[RND(3)];
		int fu = RND(3) ? 20100 + (int)RND(4) : 2147483647;
		int lost = RND(5) == 0;
		int since = 20000 + 10 * (int)RND(8);
		int base = 1000 * (int)RND(5);
		int daily = (int)RND(2);

		snprintf(sql, sizeof(sql),
			 "INSERT INTO cases (debtor_ref, creditor, collector_ref, "
			 "team_ref, agency_ref, products, status, next_follow_up, "
			 "lost_contact) VALUES (%d, 'bank%d', %d, %d, %s, %d, '%s', "
			 "%d, %d)",
			 1 + c % 3, c, collector, collector - 1,
			 agency ? "1" : "NULL", products, st, fu, lost);
		x(p, sql);
		snprintf(sql, sizeof(sql),
			 "INSERT INTO accounts (account_id, debtor_ref, case_ref, "
			 "creditor, product, principal, annual_ppm, penalty_ppm, "
			 "open_date) VALUES ('M-%d', %d, %d, 'bank%d', "
			 "'credit_card', 1, 0, 0, 19000)",
			 c, 1 + c % 3, c, c);
		x(p, sql);
		if (RND(3)) {
			snprintf(sql, sizeof(sql),
				 "INSERT INTO case_overdue (case_ref, overdue_since, "
				 "collector_ref, team_ref, agency_ref, due_base, "
				 "due_daily) SELECT ref, %d, collector_ref, team_ref, "
				 "agency_ref, %d, %d FROM cases WHERE ref = %d",
				 since, base, daily, c);
			x(p, sql);
		}
		if (RND(2)) {
			snprintf(sql, sizeof(sql),
				 "INSERT INTO case_treatment (case_ref, strategy_ref, "
				 "rule_no, arm_no, priority, since, recheck_on) VALUES "
				 "(%d, 1, 1, 0, %d, 20000, 20200)",
				 c, 10 * (int)RND(4));
			x(p, sql);
		}
		if (RND(3) == 0) {
			snprintf(sql, sizeof(sql),
				 "INSERT INTO promises (case_ref, made_on, due_on, "
				 "amount) VALUES (%d, 20090, %d, 100)",
				 c, 20095 + (int)RND(30));
			x(p, sql);
		}
	}
#undef RND
	x(p, "UPDATE promises SET status = 2 WHERE ref % 3 = 0");
}

/*
 * A scope that covers nothing, in DPD order, filtered by a promise status:
 * PostgreSQL lists nothing.  SQLite's twin names the partial index
 * case_overdue_promise (INDEXED BY) for a query whose "AND 0" leaves the
 * planner no use of it, and fails with "no query solution" (a fault of
 * store_sqlite.c's list_arm, reported; it is not copied).  Until it is
 * mended either answer is accepted from SQLite: that failure or nothing.
 */
static void empty_scope_promise(struct pair *p, const struct hk_case_filter *f)
{
	const struct hk_scope none = {0};

	EACH(p) {
		struct hk_err err = {0};
		struct page pg = {.k = k};
		enum hk_rc rc = s->ops->cases_list(s, &none, f, AS_OF, list_line,
						   &pg, &err);

		if (k == SQ && rc == HK_EDB &&
		    strstr(err.msg, "no query solution"))
			continue;
		ok(rc, &err, k);
	}
	out_check(p, &out_buf, "");
}

static void test_cases_list_pages(void **state)
{
	struct pair *p = *state;
	const struct hk_scope scopes[] = {
		{.all = true}, {.collector_ref = 2}, {.team_ref = 2},
		{.agency_ref = 1}, {0}};
	static const char *const sorts[] = {"dpd", "id", "overdue",
					    "follow_up", "priority"};
	int lines = 0;

	fixture(p);
	many_cases(p);
	for (int so = HK_SORT_DPD; so <= HK_SORT_PRIORITY; so++)
		for (size_t sc = 0; sc < sizeof(scopes) / sizeof(*scopes); sc++)
			for (int v = 0; v < 16; v++) {
				struct hk_case_filter base =
					filter_none((enum hk_case_sort)so, 1);
				static char whole[NB][OBUF];

				switch (v) {
				case 1: base.status = "contacted"; break;
				case 2: base.creditor = "bank7"; break;
				case 3: base.collector_ref = 3; break;
				case 4: base.team_ref = 1; break;
				case 5: base.province = "浙江"; break;
				case 6: base.product = 2; break;
				case 7: base.min_overdue = 2000; break;
				case 8: base.max_overdue = 1000; break;
				case 9: base.promise_status = 2; break;
				case 10: base.promise_due_by = 20110; break;
				case 11: base.follow_up_by = 20102; break;
				case 12: base.lost_contact = true; break;
				case 13: base.dpd_min = 50; break;
				case 14: base.dpd_max = 70; break;
				case 15: base.dpd_min = 30;
					 base.dpd_max = 60;
					 base.promise_status = 0; break;
				}
				if (so == HK_SORT_DPD && !scopes[sc].all &&
				    !scopes[sc].collector_ref &&
				    !scopes[sc].team_ref &&
				    !scopes[sc].agency_ref &&
				    base.promise_status >= 0) {
					empty_scope_promise(p, &base);
					continue;
				}
				/* one large page */
				struct hk_case_filter f = base;

				f.limit = 200;
				list(p, &scopes[sc], &f, list_line);
				for (int k = 0; k < p->n; k++)
					snprintf(whole[k], OBUF, "%s", out_buf.text[k]);
				if (p->n == 2 && strcmp(whole[SQ], whole[PG]))
					fail_msg("%s scope %zu filter %d:\nsqlite:\n%s"
						 "postgresql:\n%s",
						 sorts[so], sc, v, whole[SQ],
						 whole[PG]);
				for (const char *c = whole[0]; *c; c++)
					lines += *c == '\n';
				memset(&out_buf, 0, sizeof(out_buf));
				if (so == HK_SORT_PRIORITY)
					continue; /* the queue is one page */
				/* then a line a page, to the end */
				f = base;
				for (int page = 0; page < 80; page++) {
					size_t before = out_buf.n[0];

					list(p, &scopes[sc], &f, list_line);
					if (out_buf.n[0] == before + 2)
						break; /* "|\n": the end */
				}
				for (int k = 0; k < p->n; k++) {
					/* without the pages' separators */
					char joined[OBUF];
					size_t n = 0;

					for (const char *c = out_buf.text[k]; *c;) {
						const char *e = strchr(c, '\n');

						if (strncmp(c, "|\n", 2))
							n += (size_t)snprintf(
								joined + n, OBUF - n, "%.*s",
								(int)(e - c + 1), c);
						c = e + 1;
					}
					joined[n] = 0;
					if (strncmp(whole[k], joined, n) ||
					    strcmp(whole[k] + n, "|\n"))
						fail_msg("%s: %s scope %zu filter %d paged:\n"
							 "%s-- whole:\n%s",
							 side_name[k], sorts[so], sc, v,
							 joined, whole[k]);
				}
				memset(&out_buf, 0, sizeof(out_buf));
			}
	/* the lists were not all empty */
	assert_true(lines > 2000);
}

/* ====================================================================
 * Status changes
 * ==================================================================== */

static int history_line(void *ctx, int64_t at, int64_t user_ref,
			const char *from, const char *to, const char *reason)
{
	outf(&out_buf, *(int *)ctx, "%lld %lld %s>%s %s\n", (long long)at,
	     (long long)user_ref, from, to, reason);
	return 0;
}

static void test_status(void **state)
{
	struct pair *p = *state;

	fixture(p);
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->case_set_status(s, 1, "new", "contacted", 2, "接通",
					   2000, &err),
		   &err, k);
		/* moved already: someone else's change is not overwritten */
		err = (struct hk_err){0};
		refused(s->ops->case_set_status(s, 1, "new", "closed", 3, "x",
						2500, &err),
			&err, k,
			"someone else changed the case's status; reload and try again");
		err = (struct hk_err){0};
		ok(s->ops->case_set_status(s, 1, "contacted", "promised", 3,
					   "承诺还款", 1000, &err),
		   &err, k);
		/* no such case: refused the same way */
		err = (struct hk_err){0};
		refused(s->ops->case_set_status(s, 99, "new", "closed", 3, "x",
						2500, &err),
			&err, k,
			"someone else changed the case's status; reload and try again");
		/* undone with its transaction */
		ok(s->ops->begin(s, &err), &err, k);
		ok(s->ops->case_set_status(s, 3, "new", "closed", 2, "回滚", 3000,
					   &err),
		   &err, k);
		ok(s->ops->rollback(s), &err, k);
	}
	q_check(p, "SELECT ref, status FROM cases ORDER BY ref",
		"1|promised\n2|new\n3|new\n4|contacted\n");
	q_check(p, "SELECT case_ref FROM case_dirty ORDER BY 1", "1\n");
	/* oldest first: by time, then ref */
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->case_status_history(s, 1, history_line, &k, &err), &err,
		   k);
		ok(s->ops->case_status_history(s, 3, history_line, &k, &err), &err,
		   k);
	}
	out_check(p, &out_buf,
		  "1000 3 contacted>promised 承诺还款\n2000 2 new>contacted 接通\n");
}

/* ====================================================================
 * Contact records and promises
 * ==================================================================== */

static int record_line(void *ctx, const struct hk_record *r)
{
	outf(&out_buf, *(int *)ctx, "%lld c%lld u%lld s%lld @%lld %s [%s] %s [%s] "
				    "[%s] ",
	     (long long)r->ref, (long long)r->case_ref, (long long)r->user_ref,
	     (long long)r->second_staff_ref, (long long)r->at, r->channel,
	     r->contact_id, r->outcome, r->note, r->recording_ref);
	if (r->next_follow_up == HK_DATE_NONE)
		outf(&out_buf, *(int *)ctx, "fu-\n");
	else
		outf(&out_buf, *(int *)ctx, "fu%d\n", r->next_follow_up);
	return 0;
}

static struct hk_record record(int64_t case_ref, int64_t user_ref, int64_t at,
			       const char *channel, const char *contact_id,
			       const char *outcome, const char *note,
			       const char *recording, int32_t follow_up,
			       int64_t second, const char *third)
{
	struct hk_record r = {.case_ref = case_ref, .user_ref = user_ref,
			      .at = at, .next_follow_up = follow_up,
			      .second_staff_ref = second};

	snprintf(r.channel, sizeof(r.channel), "%s", channel);
	snprintf(r.contact_id, sizeof(r.contact_id), "%s", contact_id);
	snprintf(r.outcome, sizeof(r.outcome), "%s", outcome);
	snprintf(r.note, sizeof(r.note), "%s", note);
	snprintf(r.recording_ref, sizeof(r.recording_ref), "%s", recording);
	snprintf(r.third_party_reason, sizeof(r.third_party_reason), "%s", third);
	return r;
}

static void test_records(void **state)
{
	struct pair *p = *state;

	fixture(p);
	EACH(p) {
		struct hk_err err = {0};
		struct hk_record r[] = {
			record(1, 2, 1000, "call", "C1", "reached_debtor", "接通",
			       "rec-1", 20110, 0, ""),
			record(1, 2, 3000, "sms", "", "no_answer", "", "",
			       HK_DATE_NONE, 3, "family"),
			record(1, 3, 3000, "call", "C1", "promised", "答应月底",
			       "", 20120, 0, ""),
			record(2, 3, 2000, "visit", "", "third_party", "邻居", "",
			       20105, 2, "neighbour"),
		};

		for (int i = 0; i < 4; i++) {
			r[i].ref = -1;
			ok(s->ops->record_insert(s, &r[i], &err), &err, k);
			assert_int_equal(r[i].ref, i + 1);
		}
	}
	/* "" is stored as NULL, a zero second staff as NULL; the note as
	 * given ("" stays "") */
	q_check(p, "SELECT ref, contact_id, note, recording_ref, next_follow_up, "
		   "second_staff_ref, third_party_reason FROM contact_records "
		   "ORDER BY ref",
		"1|C1|接通|rec-1|20110|NULL|NULL\n"
		"2|NULL||NULL|NULL|3|family\n"
		"3|C1|答应月底|NULL|20120|NULL|NULL\n"
		"4|NULL|邻居|NULL|20105|2|neighbour\n");
	/* the triggers: the latest record's follow-up, the cases dirty */
	q_check(p, "SELECT ref, next_follow_up FROM cases ORDER BY ref",
		"1|20120\n2|20105\n3|2147483647\n4|2147483647\n");
	q_check(p, "SELECT case_ref FROM case_dirty ORDER BY 1", "1\n2\n");
	/* newest first, ties by ref */
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->records_list(s, 1, record_line, &k, &err), &err, k);
		ok(s->ops->records_list(s, 4, record_line, &k, &err), &err, k);
	}
	out_check(p, &out_buf,
		  "3 c1 u3 s0 @3000 call [C1] promised [答应月底] [] fu20120\n"
		  "2 c1 u2 s3 @3000 sms [] no_answer [] [] fu-\n"
		  "1 c1 u2 s0 @1000 call [C1] reached_debtor [接通] [rec-1] fu20110\n");
}

static int promise_line(void *ctx, const struct hk_promise_detail *d)
{
	outf(&out_buf, *(int *)ctx, "%lld %d %d %lld %d\n", (long long)d->ref,
	     d->made_on, d->due_on, (long long)d->amount, d->status);
	return 0;
}

static void test_promises(void **state)
{
	struct pair *p = *state;
	const struct hk_promise_rec pr[] = {
		{.case_ref = 1, .made_on = 20095, .due_on = 20120, .amount = 30000},
		{.case_ref = 1, .made_on = 20090, .due_on = 20110, .amount = 50000},
		{.case_ref = 2, .made_on = 20080, .due_on = 20100, .amount = 1000},
		{.case_ref = 1, .made_on = 20090, .due_on = 20111, .amount = 700},
	};

	fixture(p);
	EACH(p) {
		struct hk_err err = {0};

		for (int i = 0; i < 4; i++) {
			int64_t ref = -1;

			ok(s->ops->promise_take(s, &pr[i], 2 + i % 2, &ref, &err),
			   &err, k);
			assert_int_equal(ref, i + 1);
		}
	}
	q_check(p, "SELECT ref, case_ref, user_ref, status FROM promises "
		   "ORDER BY ref",
		"1|1|2|0\n2|1|3|0\n3|2|2|0\n4|1|3|0\n");
	/* the latest promise's status on the case and its overdue copy */
	x(p, "UPDATE promises SET status = 2 WHERE ref = 4");
	x(p, "UPDATE promises SET status = 1 WHERE ref = 3");
	q_check(p, "SELECT ref, promise_status FROM cases ORDER BY ref",
		"1|2\n2|1\n3|NULL\n4|NULL\n");
	q_check(p, "SELECT case_ref, promise_status FROM case_overdue ORDER BY 1",
		"1|2\n2|1\n3|NULL\n");
	q_check(p, "SELECT case_ref FROM case_dirty ORDER BY 1", "1\n2\n");
	/* by the day made, ties by ref */
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->case_promises(s, 1, promise_line, &k, &err), &err, k);
		ok(s->ops->case_promises(s, 3, promise_line, &k, &err), &err, k);
	}
	out_check(p, &out_buf,
		  "2 20090 20110 50000 0\n4 20090 20111 700 2\n"
		  "1 20095 20120 30000 0\n");
}

/* ====================================================================
 * The timeline
 * ==================================================================== */

static int timeline_line(void *ctx, const struct hk_timeline_row *r)
{
	int k = *(int *)ctx;

	outf(&out_buf, k, "%s @%lld ", r->kind, (long long)r->at);
	if (r->date == HK_DATE_NONE)
		outf(&out_buf, k, "d- ");
	else
		outf(&out_buf, k, "d%d ", r->date);
	outf(&out_buf, k, "u%lld #%lld $%lld ", (long long)r->user_ref,
	     (long long)r->ref, (long long)r->amount);
	if (r->date2 == HK_DATE_NONE)
		outf(&out_buf, k, "d2- ");
	else
		outf(&out_buf, k, "d2%d ", r->date2);
	outf(&out_buf, k, "[%s] [%s] [%s]\n", r->t1 ? r->t1 : "NULL",
	     r->t2 ? r->t2 : "NULL", r->t3 ? r->t3 : "NULL");
	return 0;
}

static void test_timeline(void **state)
{
	struct pair *p = *state;

	fixture(p);
	/* a record and a status change at the same second with the same ref
	 * (100000), a promise and a payment on the same day 1 (its end,
	 * 172799): full ties, in the statement's arm order as SQLite gives */
	x(p, "INSERT INTO contact_records (case_ref, user_ref, at, channel, "
	     "outcome, note, next_follow_up) VALUES (1, 2, 100000, 'call', "
	     "'reached_debtor', '接通', 20110), (2, 3, 100001, 'call', "
	     "'no_answer', '', NULL)");
	x(p, "INSERT INTO case_status_history (case_ref, at, user_ref, "
	     "from_status, to_status, reason) VALUES (1, 100000, 2, 'new', "
	     "'contacted', '联系上')");
	x(p, "INSERT INTO promises (case_ref, made_on, due_on, amount, user_ref) "
	     "VALUES (1, 1, 5, 8000, 2)");
	x(p, "INSERT INTO payments (payment_id, account_ref, paid_on, amount, "
	     "channel) VALUES ('P1', 2, 1, 8000, 'online'), "
	     "('P2', 4, 1, 10, 'online')");
	x(p, "INSERT INTO waiver_requests (case_ref, account_ref, component, "
	     "amount, reason, requested_by, requested_at, status, decided_by, "
	     "decided_at, note) VALUES (1, 3, 0, 500, '困难', 2, 110000, "
	     "'approved', 1, 120000, '同意'), (1, 1, 3, 600, '本金', 2, 110500, "
	     "'pending', NULL, NULL, NULL)");
	x(p, "INSERT INTO disputes (case_ref, opened_by, opened_at, reason, "
	     "status, resolved_by, resolved_at, resolution) VALUES (1, 2, 130000, "
	     "'金额不符', 'resolved', 1, 140000, '已核实')");
	x(p, "INSERT INTO plans (case_ref, proposed_by, proposed_at, starts_on, "
	     "note, status, decided_by, decided_at) VALUES (1, 2, 150000, 20200, "
	     "'分三期', 'approved', 1, 160000)");
	x(p, "INSERT INTO placements (case_ref, agency_ref, placed_by, placed_at, "
	     "until, reason, recalled_by, recalled_at, recall_reason) VALUES "
	     "(1, 1, 1, 170000, 20300, '委外', 1, 180000, '收回')");
	x(p, "INSERT INTO case_assignments (case_ref, on_date, at, "
	     "from_collector, collector_ref, team_ref, kind, by_user, reason) "
	     "VALUES (1, 20100, 190000, 3, 2, 1, 'manual', 1, '调整'), "
	     "(1, 20100, 190000, 2, NULL, NULL, 'rule', NULL, NULL)");
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->case_timeline(s, 1, true, timeline_line, &k, &err),
		   &err, k);
		outf(&out_buf, k, "--\n");
		ok(s->ops->case_timeline(s, 1, false, timeline_line, &k, &err),
		   &err, k);
		outf(&out_buf, k, "--\n");
		ok(s->ops->case_timeline(s, 3, true, timeline_line, &k, &err),
		   &err, k);
	}
#define TL_DAY                                                                 \
	"promise @0 d1 u2 #1 $8000 d25 [pending] [NULL] [NULL]\n"             \
	"payment @0 d1 u0 #1 $8000 d2- [ACC-B] [online] [P1]\n"
#define TL_MID                                                                 \
	"plan_decided @160000 d- u1 #1 $-1 d2- [approved] [NULL] [NULL]\n"    \
	"plan_proposed @150000 d- u2 #1 $-1 d220200 [NULL] [NULL] [分三期]\n" \
	"dispute_resolved @140000 d- u1 #1 $-1 d2- [resolved] [NULL] [已核实]\n" \
	"dispute_opened @130000 d- u2 #1 $-1 d2- [NULL] [NULL] [金额不符]\n"  \
	"waiver_decision @120000 d- u1 #1 $500 d2- [approved] [NULL] [同意]\n" \
	"waiver_request @110500 d- u2 #2 $600 d2- [ACC-b] [principal] [本金]\n" \
	"waiver_request @110000 d- u2 #1 $500 d2- [acc-a] [penalty] [困难]\n" \
	"record @100000 d- u2 #1 $-1 d220110 [call] [reached_debtor] [接通]\n" \
	"status @100000 d- u2 #1 $-1 d2- [new] [contacted] [联系上]\n"
	out_check(p, &out_buf,
		  "assigned @190000 d- u0 #2 $-1 d2- [rule] [NULL] [NULL]\n"
		  "assigned @190000 d- u1 #1 $-1 d2- [manual] [c1] [调整]\n"
		  "recalled @180000 d- u1 #1 $-1 d2- [外包甲] [NULL] [收回]\n"
		  TL_DAY
		  "placed @170000 d- u1 #1 $-1 d220300 [外包甲] [NULL] [委外]\n"
		  TL_MID "--\n" TL_DAY TL_MID "--\n");
#undef TL_DAY
#undef TL_MID
}

/* ====================================================================
 * A case's accounts and payments
 * ==================================================================== */

struct acct_ctx {
	int k;
	int stop_at; /* stop at this row (1-based); 0: never */
	bool set_err;
	struct hk_err *err;
	int rows;
};

static int acct_line(void *ctx, const struct hk_acct_row *a)
{
	struct acct_ctx *c = ctx;
	const struct hk_summary *sm = &a->summary;

	outf(&out_buf, c->k, "%lld %s p%d o%d r%d/%d c%lld lean%d state%d",
	     (long long)a->ref, a->account_id, a->product, a->open_date,
	     a->annual_ppm, a->penalty_ppm, (long long)a->case_ref, a->lean,
	     a->has_state);
	if (a->has_state)
		outf(&out_buf, c->k,
		     " %d %d %d %d %lld %lld %lld %lld %lld %lld %lld %lld %lld "
		     "%lld",
		     sm->anchor, sm->win_start, sm->win_end, sm->first_unpaid_due,
		     (long long)sm->overdue_principal,
		     (long long)sm->overdue_interest, (long long)sm->overdue_fee,
		     (long long)sm->penalty_due, (long long)sm->penalty_accrued,
		     (long long)sm->daily_penalty,
		     (long long)sm->principal_outstanding,
		     (long long)sm->credit_balance, (long long)sm->paid_total,
		     (long long)sm->waived_total);
	outf(&out_buf, c->k, "\n");
	if (++c->rows == c->stop_at) {
		if (c->set_err)
			hk_err_set(c->err, HK_EREFUSED, "stopped");
		return 1;
	}
	return 0;
}

static int payment_line(void *ctx, const struct hk_payment_row *pay)
{
	outf(&out_buf, *(int *)ctx, "%s %d %lld %s\n", pay->payment_id,
	     pay->paid_on, (long long)pay->amount, pay->channel);
	return 0;
}

static void test_accounts_payments(void **state)
{
	struct pair *p = *state;

	fixture(p);
	x(p, "INSERT INTO account_state (account_ref, product, open_date, "
	     "annual_ppm, penalty_ppm, anchor, win_start, win_end, "
	     "first_unpaid_due, overdue_principal, overdue_interest, "
	     "overdue_fee, penalty_due, penalty_accrued, daily_penalty, "
	     "principal_outstanding, credit_balance, paid_total, waived_total, "
	     "case_ref) VALUES (1, 0, 19000, 1, 2, 20010, 20011, 20040, 20000, "
	     "101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 1)");
	x(p, "INSERT INTO payments (payment_id, account_ref, paid_on, amount, "
	     "channel, reference) VALUES ('P1', 1, 20005, 100, 'online', NULL), "
	     "('P2', 1, 20003, 200, 'bank', 'R-9'), "
	     "('P3', 3, 20001, 1000, 'cash', ''), "
	     "('P4', 4, 20002, 7, 'online', NULL), "
	     "('P5', 1, 20003, 300, 'cash', NULL)");
	/* account_id in byte order: "ACC-B" < "ACC-b" < "acc-a" */
	EACH(p) {
		struct hk_err err = {0};
		struct acct_ctx c = {.k = k, .err = &err};

		ok(s->ops->case_accounts(s, 1, acct_line, &c, &err), &err, k);
		outf(&out_buf, k, "--\n");
		/* a callback stops the scan: its error, or HK_EINTERNAL */
		c = (struct acct_ctx){.k = k, .stop_at = 2, .set_err = true,
				      .err = &err};
		assert_int_equal(s->ops->case_accounts(s, 1, acct_line, &c, &err),
				 HK_EREFUSED);
		err = (struct hk_err){0};
		c = (struct acct_ctx){.k = k, .stop_at = 1, .err = &err};
		assert_int_equal(s->ops->case_accounts(s, 4, acct_line, &c, &err),
				 HK_EINTERNAL);
		c = (struct acct_ctx){.k = k, .err = &err};
		ok(s->ops->case_accounts(s, 99, acct_line, &c, &err), &err, k);
	}
	out_check(p, &out_buf,
		  "2 ACC-B p0 o19001 r3/4 c1 lean0 state0\n"
		  "1 ACC-b p0 o19000 r1/2 c1 lean0 state1 20010 20011 20040 20000 "
		  "101 102 103 104 105 106 107 108 109 110\n"
		  "3 acc-a p1 o19002 r5/6 c1 lean0 state0\n--\n"
		  "2 ACC-B p0 o19001 r3/4 c1 lean0 state0\n"
		  "1 ACC-b p0 o19000 r1/2 c1 lean0 state1 20010 20011 20040 20000 "
		  "101 102 103 104 105 106 107 108 109 110\n"
		  "6 X-1 p0 o19000 r0/0 c4 lean0 state0\n");
	/* by the day paid, ties by ref */
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->account_payments(s, 1, payment_line, &k, &err), &err, k);
		ok(s->ops->account_payments(s, 2, payment_line, &k, &err), &err, k);
	}
	out_check(p, &out_buf,
		  "P2 20003 200 bank\nP5 20003 300 cash\nP1 20005 100 online\n");
	EACH(p) {
		const char *ids[] = {"P1", "P2", "P3", "nope"};

		for (int i = 0; i < 4; i++) {
			struct hk_err err = {0};
			int64_t account = -1, amount = -1;
			int32_t paid_on = -1;
			char channel[32] = "?", reference[129] = "?";
			bool found = true;

			ok(s->ops->payment_get(s, ids[i], &account, &paid_on, &amount,
					       channel, reference, &found, &err),
			   &err, k);
			if (found)
				outf(&out_buf, k, "%s: %lld %d %lld %s [%s]\n", ids[i],
				     (long long)account, paid_on, (long long)amount,
				     channel, reference);
			else
				outf(&out_buf, k, "%s: none\n", ids[i]);
		}
	}
	out_check(p, &out_buf,
		  "P1: 1 20005 100 online []\nP2: 1 20003 200 bank [R-9]\n"
		  "P3: 3 20001 1000 cash []\nnope: none\n");
	/* the case's accounts' payments in [from, to] */
	EACH(p) {
		const int32_t range[][3] = {{1, 20003, 20004}, {1, 20000, 20010},
					    {1, 20006, 20100}, {2, 20000, 20010},
					    {3, 0, 30000}, {1, 20005, 20005}};

		for (int i = 0; i < 6; i++) {
			struct hk_err err = {0};
			int64_t sum = -1;

			ok(s->ops->case_paid_between(s, range[i][0], range[i][1],
						     range[i][2], &sum, &err),
			   &err, k);
			outf(&out_buf, k, "%lld ", (long long)sum);
		}
	}
	out_check(p, &out_buf, "500 1600 0 7 0 100 ");
}

/* ====================================================================
 * Contacts: skip tracing, stops, the guardrails' counts
 * ==================================================================== */

static int contact_line(void *ctx, const struct hk_contact_row *c)
{
	outf(&out_buf, *(int *)ctx, "%s %s [%s] %s a%d %s [%s] stop%d\n",
	     c->contact_id, c->relation, c->name, c->phone, c->authorized,
	     c->validity, c->source, c->stopped);
	return 0;
}

static void add_contact(struct pair *p, const char *id, int64_t debtor,
			const char *relation, const char *name,
			const char *phone, bool authorized, const char *source,
			const char *refusal)
{
	const struct hk_contact_rec rec = {.contact_id = id, .debtor_ref = debtor,
					   .relation = relation, .name = name,
					   .phone = phone,
					   .authorized = authorized};

	EACH(p) {
		struct hk_err err = {0};
		enum hk_rc rc = s->ops->contact_add(s, &rec, source, &err);

		if (refusal)
			refused(rc, &err, k, refusal);
		else
			ok(rc, &err, k);
	}
}

static void validity(struct pair *p, int64_t debtor, const char *id,
		     const char *v)
{
	EACH(p) {
		struct hk_err err = {0};
		bool found = false, lost = true;

		ok(s->ops->contact_set_validity(s, debtor, id, v, &found, &lost,
						&err),
		   &err, k);
		outf(&out_buf, k, "%s:%s found%d lost%d\n", id, v, found, lost);
	}
}

static void test_contacts(void **state)
{
	struct pair *p = *state;

	fixture(p);
	x(p, "INSERT INTO contacts (contact_id, debtor_ref, relation, name, "
	     "phone, authorized) VALUES ('C1', 1, 'self', '张三', "
	     "'13800000001', 1), ('c0', 1, 'friend', NULL, '13700000000', 0)");
	add_contact(p, "C2", 1, "spouse", "", "13900000002", false, "skip_trace",
		    NULL);
	add_contact(p, "C4", 2, "self", "李四", "13600000004", true, "", NULL);
	/* a contact id taken, or any other constraint: the same refusal */
	add_contact(p, "C2", 2, "self", "x", "1", true, "import",
		    "contact C2 exists");
	add_contact(p, "C9", 2, "self", "x", "", true, "import",
		    "contact C9 exists");
	/* a refusal inside a transaction leaves the transaction usable */
	EACH(p) {
		struct hk_err err = {0};
		const struct hk_contact_rec dup = {.contact_id = "C1", .debtor_ref = 1,
						   .relation = "self", .name = "x",
						   .phone = "1"};
		const struct hk_contact_rec c3 = {.contact_id = "C3", .debtor_ref = 1,
						  .relation = "sibling",
						  .name = "张小三",
						  .phone = "13500000003",
						  .authorized = true};

		ok(s->ops->begin(s, &err), &err, k);
		refused(s->ops->contact_add(s, &dup, "x", &err), &err, k,
			"contact C1 exists");
		err = (struct hk_err){0};
		ok(s->ops->contact_add(s, &c3, "外呼", &err), &err, k);
		ok(s->ops->commit(s, &err), &err, k);
	}
	q_check(p, "SELECT contact_id, debtor_ref, name, authorized, validity, "
		   "source FROM contacts ORDER BY ref",
		"C1|1|张三|1|unverified|NULL\nc0|1|NULL|0|unverified|NULL\n"
		"C2|1|NULL|0|unverified|skip_trace\nC4|2|李四|1|unverified|NULL\n"
		"C3|1|张小三|1|unverified|外呼\n");
	EACH(p) {
		struct hk_err err = {0};
		const char *ids[] = {"C1", "C2", "C4", "nope"};

		for (int i = 0; i < 4; i++) {
			bool yes = !i;

			ok(s->ops->contact_of_debtor(s, 1, ids[i], &yes, &err), &err,
			   k);
			outf(&out_buf, k, "%d", yes);
		}
		outf(&out_buf, k, "\n");
	}
	out_check(p, &out_buf, "1100\n");

	/* a stop: the first request's time and reason stand */
	EACH(p) {
		struct hk_err err = {0};
		bool found = false;

		ok(s->ops->contact_stop(s, 1, "C1", 500, "asked", &found, &err), &err,
		   k);
		assert_true(found);
		ok(s->ops->contact_stop(s, 1, "C1", 600, "again", &found, &err), &err,
		   k);
		assert_true(found);
		ok(s->ops->contact_stop(s, 2, "C1", 600, "x", &found, &err), &err, k);
		assert_false(found);
		ok(s->ops->contact_stop(s, 1, "nope", 600, "x", &found, &err), &err,
		   k);
		assert_false(found);
	}
	q_check(p, "SELECT contact_id, stopped_at, stop_reason FROM contacts "
		   "ORDER BY ref",
		"C1|500|asked\nc0|NULL|NULL\nC2|NULL|NULL\nC4|NULL|NULL\n"
		"C3|NULL|NULL\n");
	/* contact_id in byte order: upper case first */
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->debtor_contacts(s, 1, contact_line, &k, &err), &err, k);
		ok(s->ops->debtor_contacts(s, 3, contact_line, &k, &err), &err, k);
	}
	out_check(p, &out_buf,
		  "C1 self [张三] 13800000001 a1 unverified [] stop1\n"
		  "C2 spouse [] 13900000002 a0 unverified [skip_trace] stop0\n"
		  "C3 sibling [张小三] 13500000003 a1 unverified [外呼] stop0\n"
		  "c0 friend [] 13700000000 a0 unverified [] stop0\n");

	/* lost contact: every one of the debtor's contacts invalid, on
	 * every case of the debtor (1 and 4) */
	validity(p, 1, "C1", "invalid");
	validity(p, 1, "C2", "invalid");
	validity(p, 1, "C3", "invalid");
	q_check(p, "SELECT case_ref FROM case_dirty ORDER BY 1", "");
	validity(p, 1, "c0", "invalid");
	q_check(p, "SELECT ref, lost_contact FROM cases ORDER BY ref",
		"1|1\n2|0\n3|0\n4|1\n");
	q_check(p, "SELECT case_ref FROM case_dirty ORDER BY 1", "1\n4\n");
	validity(p, 1, "nope", "valid");
	validity(p, 2, "C1", "valid");
	validity(p, 1, "C2", "valid");
	validity(p, 2, "C4", "invalid");
	out_check(p, &out_buf,
		  "C1:invalid found1 lost0\nC2:invalid found1 lost0\n"
		  "C3:invalid found1 lost0\nc0:invalid found1 lost1\n"
		  "nope:valid found0 lost0\nC1:valid found0 lost0\n"
		  "C2:valid found1 lost0\nC4:invalid found1 lost1\n");
	q_check(p, "SELECT ref, lost_contact FROM cases ORDER BY ref",
		"1|0\n2|1\n3|0\n4|0\n");
	q_check(p, "SELECT contact_id, validity FROM contacts ORDER BY ref",
		"C1|invalid\nc0|invalid\nC2|valid\nC4|invalid\nC3|invalid\n");
}

static void counts(struct pair *p, int64_t debtor, const char *contact,
		   int64_t day_start, int64_t week_start)
{
	EACH(p) {
		struct hk_err err = {0};
		struct hk_contact_counts c = {-1, -1, -1, -1};

		ok(s->ops->contact_counts(s, debtor, contact, day_start, week_start,
					  &c, &err),
		   &err, k);
		outf(&out_buf, k, "conv%d att%d calls%d last%lld\n",
		     c.conversations_today, c.attempts_today, c.calls_7_days,
		     (long long)c.last_conversation);
	}
}

static void test_contact_counts(void **state)
{
	struct pair *p = *state;

	fixture(p);
	/* debtor 1's cases are 1 and 4; case 2 is debtor 2's */
	x(p, "INSERT INTO contact_records (case_ref, user_ref, at, channel, "
	     "contact_id, outcome) VALUES "
	     "(1, 2, 4000, 'call', 'C1', 'reached_debtor'), "
	     "(1, 2, 6000, 'call', 'C1', 'no_answer'), "
	     "(4, 3, 10500, 'call', 'C1', 'hardship'), "
	     "(1, 2, 11000, 'sms', 'C1', 'busy'), "
	     "(1, 2, 12000, 'call', 'C2', 'no_answer'), "
	     "(1, 2, 12500, 'call', 'C1', 'left_message'), "
	     "(1, 2, 9000, 'visit', NULL, 'third_party'), "
	     "(2, 3, 13000, 'call', 'C1', 'promised')");
	/* today from 10000, the week from 5000 */
	counts(p, 1, "C1", 10000, 5000);
	counts(p, 1, "C2", 10000, 5000);
	counts(p, 1, NULL, 10000, 5000);
	counts(p, 1, "", 10000, 5000);
	/* a week starting after the day: the day's start bounds both */
	counts(p, 1, "C1", 10000, 20000);
	counts(p, 2, "C1", 0, 0);
	counts(p, 3, "C1", 0, 0);
	/* the last conversation counts from any time */
	counts(p, 1, "C1", 20000, 20000);
	out_check(p, &out_buf,
		  "conv1 att2 calls4 last10500\nconv1 att1 calls4 last10500\n"
		  "conv1 att0 calls4 last10500\nconv1 att0 calls4 last10500\n"
		  "conv1 att2 calls3 last10500\nconv1 att0 calls1 last13000\n"
		  "conv0 att0 calls0 last0\nconv0 att0 calls0 last10500\n");
}

/* ====================================================================
 * Failures, the PostgreSQL side
 * ==================================================================== */

static void test_failures(void **state)
{
	struct pair *p = *state;

	fixture(p);
	EACH(p) {
		struct hk_err err = {0};
		/* no channel: a NOT NULL column, a database failure */
		struct hk_record r = record(1, 2, 1000, "", "", "no_answer", "", "",
					    HK_DATE_NONE, 0, "");

		db_failed(s->ops->record_insert(s, &r, &err), &err, k,
			  "could not save a contact record");
	}
	q_check(p, "SELECT count(*) FROM contact_records", "0\n");
	q_check(p, "SELECT case_ref FROM case_dirty", "");
}

/* The PostgreSQL side itself: there when asked for, skipped otherwise. */
static void test_postgresql_side(void **state)
{
	struct pair *p = *state;
	struct hk_err err = {0};
	int version = 0, sq_version = -1;

	if (p->n < 2) {
		print_message("HUIKUAN_TEST_PG is not set: the PostgreSQL side "
			      "did not run\n");
		skip();
	}
	ok(p->s[SQ]->ops->schema_version(p->s[SQ], &sq_version, &err), &err, SQ);
	ok(p->s[PG]->ops->schema_version(p->s[PG], &version, &err), &err, PG);
	assert_int_equal(version, sq_version);
	assert_int_equal(PQserverVersion(p->pg) / 10000, 15);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, pair_setup, pair_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_case_get),      T(test_cases_list),
		T(test_cases_filters), T(test_cases_list_pages),
		T(test_status),
		T(test_records),       T(test_promises),
		T(test_timeline),      T(test_accounts_payments),
		T(test_contacts),      T(test_contact_counts),
		T(test_failures),      T(test_postgresql_side),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
