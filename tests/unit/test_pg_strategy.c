/*
 * test_pg_strategy.c - the strategy area of the PostgreSQL backend
 * (src/store/store_pg_strategy.c: strategy versions, day-end's case facts,
 * treatments and allocation, the queue's counts, the dashboard, talk
 * scripts) against its SQLite twin.  Every test runs the same calls on a
 * fresh SQLite store and, when $HUIKUAN_TEST_PG names a server
 * (scripts/pg-cluster.sh), on a fresh PostgreSQL database created for the
 * test; it asserts that both give the same results and that these are the
 * hand-computed ones.  Fixture rows are written with the same plain SQL on
 * a second connection of each backend, and the tables the operations write
 * are read back the same way.
 *
 * Only the strategy area's operations and the core ones (migrate,
 * transactions) are called.  Without $HUIKUAN_TEST_PG only the SQLite side
 * runs, and the test "postgresql_side" is reported skipped.
 * $HK_TEST_PG_SCHEMA names a schema file applied before migrating, for a
 * server without the baseline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pg_pair.h"

const char *const pg_pair_name = "strategy";

/* ---- the fixture ------------------------------------------------------ */

/*
 * Teams 1, 2; agency 1.  Users 1 admin; 2 c1 collector of team 1; 3 c2
 * collector of team 2 (capacity 5, absent 20010-20020); 4 ag, agency 1's;
 * 5 c3 collector without a team; 6 c4 of team 1, inactive.
 * Cases: 1 D1 bankA c1 (products 1, overdue since 20000: 1000 + 10 a day);
 * 2 D2 bankB c2 team 2 agency 1 (products 2, lost contact, since 20020:
 * 500); 3 D3 bankA nobody's, closed (products 3, not overdue); 4 D1 bankB
 * c3, held for c2 (products 4, since 20035: 200 + 1 a day).
 * Accounts 1, 2 of case 1, 3 of 2, 4 of 3, 5 of 4.
 */
static void fixture(struct pair *p)
{
	memset(&out_buf, 0, sizeof(out_buf)); /* a failed test's leftovers */
	x(p, "INSERT INTO teams (name) VALUES ('一组'), ('二组')");
	x(p, "INSERT INTO agencies (name, created_at) VALUES ('外包甲', 0)");
	x(p, "INSERT INTO users (username, display_name, role, team_ref, "
	     "password_hash, created_at, agency_ref, capacity, absent_from, "
	     "absent_until, active) VALUES "
	     "('admin', '管理员', 'admin', NULL, 'x', 0, NULL, 0, NULL, NULL, 1), "
	     "('c1', '催收一', 'collector', 1, 'x', 0, NULL, 0, NULL, NULL, 1), "
	     "('c2', '催收二', 'collector', 2, 'x', 0, NULL, 5, 20010, 20020, 1), "
	     "('ag', '外包员', 'agency_collector', NULL, 'x', 0, 1, 0, NULL, NULL, 1), "
	     "('c3', '催收三', 'collector', NULL, 'x', 0, NULL, 0, NULL, NULL, 1), "
	     "('c4', '催收四', 'collector', 1, 'x', 0, NULL, 0, NULL, NULL, 0)");
	x(p, "INSERT INTO debtors (debtor_id, name, kind, id_number, segment, "
	     "province) VALUES "
	     "('D1', '张三', 'person', '110101199001011234', 'vip', '北京'), "
	     "('D2', '某公司', 'company', NULL, NULL, NULL), "
	     "('D3', '李四', 'person', '440101200012310000', NULL, '广东')");
	x(p, "INSERT INTO cases (debtor_ref, creditor, collector_ref, team_ref, "
	     "agency_ref, products, status, lost_contact, assigned_on, held_for) "
	     "VALUES (1, 'bankA', 2, 1, NULL, 1, 'new', 0, 20000, NULL), "
	     "(2, 'bankB', 3, 2, 1, 2, 'new', 1, NULL, NULL), "
	     "(3, 'bankA', NULL, NULL, NULL, 3, 'closed', 0, NULL, NULL), "
	     "(1, 'bankB', 5, NULL, NULL, 4, 'new', 0, 20001, 3)");
	x(p, "INSERT INTO case_overdue (case_ref, overdue_since, collector_ref, "
	     "team_ref, agency_ref, due_base, due_daily) VALUES "
	     "(1, 20000, 2, 1, NULL, 1000, 10), (2, 20020, 3, 2, 1, 500, 0), "
	     "(4, 20035, 5, NULL, NULL, 200, 1)");
	x(p, "INSERT INTO accounts (account_id, debtor_ref, case_ref, creditor, "
	     "product, principal, annual_ppm, penalty_ppm, open_date) VALUES "
	     "('A1', 1, 1, 'bankA', 'credit_card', 100000, 0, 0, 19000), "
	     "('A2', 1, 1, 'bankA', 'credit_card', 100000, 0, 0, 19000), "
	     "('B1', 2, 2, 'bankB', 'consumer_loan', 100000, 0, 0, 19000), "
	     "('C1', 3, 3, 'bankA', 'credit_card', 100000, 0, 0, 19000), "
	     "('D1', 1, 4, 'bankB', 'mortgage', 100000, 0, 0, 19000)");
	x(p, "INSERT INTO account_state (account_ref, product, open_date, "
	     "annual_ppm, penalty_ppm, anchor, win_start, win_end, "
	     "first_unpaid_due, overdue_principal, overdue_interest, "
	     "overdue_fee, penalty_due, penalty_accrued, daily_penalty, "
	     "principal_outstanding, credit_balance, paid_total, waived_total, "
	     "case_ref) VALUES "
	     "(1, 0, 19000, 0, 0, 0, 0, 0, 20050, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), "
	     "(2, 0, 19000, 0, 0, 0, 0, 0, 20045, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), "
	     "(3, 0, 19000, 0, 0, 0, 0, 0, 20030, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2), "
	     "(4, 0, 19000, 0, 0, 0, 0, 0, 20039, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3), "
	     "(5, 0, 19000, 0, 0, 0, 0, 0, 20060, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4)");
	x(p, "INSERT INTO payments (payment_id, account_ref, paid_on, amount, "
	     "channel) VALUES ('P1', 1, 20025, 300, 'online'), "
	     "('P2', 2, 20030, 200, 'online'), ('P3', 3, 20025, 100, 'online'), "
	     "('P4', 4, 20040, 50, 'online'), ('P5', 1, 20041, 70, 'online'), "
	     "('P6', 4, 20042, 60, 'online'), ('P7', 2, 20041, 30, 'online')");
	/* the last record of a case sets its follow-up (a trigger) */
	x(p, "INSERT INTO contact_records (case_ref, user_ref, at, channel, "
	     "outcome, next_follow_up) VALUES "
	     "(1, 2, 1700000000, 'call', 'promised', NULL), "
	     "(1, 2, 1700100000, 'call', 'no_answer', 20040), "
	     "(1, 2, 1700050000, 'call', 'promised', 20040), "
	     "(2, 3, 1700200000, 'call', 'refused', 20045)");
	/* the last promise of a case sets its promise status (a trigger):
	 * case 1 broken (2), case 2 kept (1), case 4 pending (0) */
	x(p, "INSERT INTO promises (case_ref, made_on, due_on, amount, status, "
	     "user_ref) VALUES (1, 20026, 20031, 1000, 0, 2), "
	     "(2, 20027, 20040, 500, 1, NULL), (1, 20028, 20035, 300, 2, 2), "
	     "(4, 20039, 20045, 40, 0, 5)");
	x(p, "INSERT INTO disputes (case_ref, opened_by, opened_at, reason) "
	     "VALUES (2, 1, 100, 'not mine')");
	x(p, "INSERT INTO plans (case_ref, proposed_by, proposed_at, starts_on, "
	     "status) VALUES (1, 2, 100, 20040, 'approved'), "
	     "(4, 5, 100, 20040, 'proposed')");
	x(p, "INSERT INTO bucket_transitions (as_of, account_ref, from_bucket, "
	     "to_bucket) VALUES (20010, 1, 'C', 'M1'), (20040, 1, 'M1', 'M2'), "
	     "(20025, 3, 'C', 'M1'), (20035, 2, 'C', 'M1'), (20045, 2, 'M1', 'C'), "
	     "(20036, 5, 'C', 'M1'), (20041, 4, 'C', 'M1')");
	/* Oct 29, Nov 3, Nov 29, Dec 2, Dec 29 2024 */
	x(p, "INSERT INTO day_totals (as_of, bucket, position, accounts, "
	     "overdue_principal, overdue_interest, overdue_fee, penalty_due, "
	     "total_overdue, principal_outstanding) VALUES "
	     "(20025, 'C', 0, 10, 0, 0, 0, 0, 0, 0), "
	     "(20025, 'M1', 1, 2, 0, 0, 0, 0, 700, 0), "
	     "(20025, 'M2', 2, 1, 0, 0, 0, 0, 300, 0), "
	     "(20025, 'a', 3, 0, 0, 0, 0, 0, 0, 0), "
	     "(20030, 'C', 0, 9, 0, 0, 0, 0, 0, 0), "
	     "(20030, 'M1', 1, 3, 0, 0, 0, 0, 900, 0), "
	     "(20056, 'M1', 1, 4, 0, 0, 0, 0, 1000, 0), "
	     "(20056, 'C', 0, 8, 0, 0, 0, 0, 0, 0), "
	     "(20059, 'M2', 2, 2, 0, 0, 0, 0, 2000, 0), "
	     "(20086, 'C', 0, 7, 0, 0, 0, 0, 0, 0)");
	x(p, "DELETE FROM case_dirty");
}

/* ---- callbacks -------------------------------------------------------- */

struct cb {
	int k;
	int calls, stop_at;
	int64_t sum, last;
	bool ascending;
};

static int version_line(void *ctx, const struct hk_strategy_version *v)
{
	struct cb *c = ctx;

	outf(&out_buf, c->k, "%lld %s %s %lld %lld %lld %lld %s\n",
	     (long long)v->ref, v->name, v->status, (long long)v->created_by,
	     (long long)v->created_at, (long long)v->published_by,
	     (long long)v->published_at, v->body ? v->body : "(null)");
	return 1; /* ignored: every version comes */
}

static const char *date_or(int32_t d, char *buf)
{
	if (d == HK_DATE_NONE)
		return "-";
	sprintf(buf, "%d", (int)d);
	return buf;
}

/* the outcomes as a sorted set: SQLite's group_concat keeps no order */
static void sorted_set(const char *in, char *out, size_t cap)
{
	char tmp[256], *tok[16];
	int n = 0;
	size_t len = 0;

	if (!in) {
		snprintf(out, cap, "(null)");
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s", in);
	for (char *t = strtok(tmp, ","); t && n < 16; t = strtok(NULL, ","))
		tok[n++] = t;
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && strcmp(tok[j - 1], tok[j]) > 0; j--) {
			char *sw = tok[j];

			tok[j] = tok[j - 1];
			tok[j - 1] = sw;
		}
	out[0] = 0;
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? "," : "",
					tok[i]);
}

static int fact_line(void *ctx, const struct hk_case_fact_row *r)
{
	struct cb *c = ctx;
	char d1[16], d2[16], d3[16], d4[16], outcomes[256];

	sorted_set(r->outcomes, outcomes, sizeof(outcomes));
	outf(&out_buf, c->k,
	     "%lld since %d due %lld prod %u %s [%s|%s|%s|%s] promise %d "
	     "dispute %d lost %d contact %lld paid %s next %s [%s] plan %d "
	     "daily %lld %s coll %lld team %lld agency %lld held %lld "
	     "assigned %s promised %s treat %lld/%d/%d recheck %d\n",
	     (long long)r->case_ref, (int)r->overdue_since,
	     (long long)r->total_overdue, r->products, r->creditor, r->kind,
	     r->id_number, r->segment, r->province, r->promise_status,
	     r->dispute_open, r->lost_contact, (long long)r->last_contact_at,
	     date_or(r->last_paid_on, d1), date_or(r->next_due, d2), outcomes,
	     r->has_plan, (long long)r->due_daily, r->status,
	     (long long)r->collector_ref, (long long)r->team_ref,
	     (long long)r->agency_ref, (long long)r->held_for,
	     date_or(r->assigned_on, d3), date_or(r->last_promise_on, d4),
	     (long long)r->strategy_ref, r->rule_no, r->arm_no,
	     (int)r->recheck_on);
	return 0;
}

static int fact_ref(void *ctx, const struct hk_case_fact_row *r)
{
	struct cb *c = ctx;

	outf(&out_buf, c->k, "%lld", (long long)r->case_ref);
	if (r->strategy_ref)
		outf(&out_buf, c->k, " %lld %d %d %d", (long long)r->strategy_ref,
		     r->rule_no, r->arm_no, (int)r->recheck_on);
	outf(&out_buf, c->k, "\n");
	return 0;
}

/* many facts: counted, their order checked; stop_at: stop there */
static int fact_count(void *ctx, const struct hk_case_fact_row *r)
{
	struct cb *c = ctx;

	if (c->calls && r->case_ref <= c->last)
		c->ascending = false;
	c->last = r->case_ref;
	c->sum += r->case_ref;
	return ++c->calls == c->stop_at;
}

static int collector_line(void *ctx, const struct hk_collector_row *r)
{
	struct cb *c = ctx;
	char d1[16], d2[16];

	outf(&out_buf, c->k, "%lld team %lld %s cap %d away %s-%s %lld %lld\n",
	     (long long)r->ref, (long long)r->team_ref,
	     r->active ? "active" : "inactive", r->capacity,
	     date_or(r->absent_from, d1), date_or(r->absent_until, d2),
	     (long long)r->cases, (long long)r->overdue);
	return 1;
}

static int figures_line(void *ctx, const struct hk_collector_figures *f)
{
	struct cb *c = ctx;

	outf(&out_buf, c->k, "%lld team %lld %s %s %lld %lld %lld %lld %lld\n",
	     (long long)f->ref, (long long)f->team_ref, f->username,
	     f->display_name, (long long)f->cases, (long long)f->overdue_cases,
	     (long long)f->total_overdue, (long long)f->contacts_today,
	     (long long)f->promises_today);
	return 1;
}

/* overdue_scan gives no order: lines kept, sorted when checked */
static char ov_lines[NB][16][64];
static int ov_n[NB];

static int overdue_line(void *ctx, int32_t since, int64_t due)
{
	struct cb *c = ctx;

	assert_true(ov_n[c->k] < 16);
	snprintf(ov_lines[c->k][ov_n[c->k]++], 64, "%d %lld\n", (int)since,
		 (long long)due);
	return 1;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void overdue_flush(int k)
{
	qsort(ov_lines[k], (size_t)ov_n[k], sizeof(ov_lines[k][0]), cmp_line);
	for (int i = 0; i < ov_n[k]; i++)
		outf(&out_buf, k, "%s", ov_lines[k][i]);
	ov_n[k] = 0;
}

static int trend_line(void *ctx, int32_t date, int64_t accounts, int64_t due)
{
	struct cb *c = ctx;

	outf(&out_buf, c->k, "%d %lld %lld\n", (int)date, (long long)accounts,
	     (long long)due);
	return 1;
}

static int recovery_line(void *ctx, int32_t date, int64_t collector,
			 int64_t payments, int64_t amount)
{
	struct cb *c = ctx;

	outf(&out_buf, c->k, "%d %lld %lld %lld\n", (int)date,
	     (long long)collector, (long long)payments, (long long)amount);
	return 1;
}

static int taker_line(void *ctx, int64_t user, int status, int64_t promises,
		      int64_t amount)
{
	struct cb *c = ctx;

	outf(&out_buf, c->k, "%lld %d %lld %lld\n", (long long)user, status,
	     (long long)promises, (long long)amount);
	return 1;
}

static int census_line(void *ctx, const char *bucket, int64_t accounts)
{
	struct cb *c = ctx;

	outf(&out_buf, c->k, "%s %lld\n", bucket, (long long)accounts);
	return 1;
}

static int move_line(void *ctx, const char *from, const char *to, int64_t n)
{
	struct cb *c = ctx;

	outf(&out_buf, c->k, "%s %s %lld\n", from, to, (long long)n);
	return 1;
}

static int script_line(void *ctx, const struct hk_script *sc)
{
	struct cb *c = ctx;

	outf(&out_buf, c->k, "%lld %s|%s|%s|%s %lld %lld\n", (long long)sc->ref,
	     sc->title, sc->objection, sc->body, sc->outcomes,
	     (long long)sc->updated_by, (long long)sc->updated_at);
	return 1;
}

static const struct hk_scope scope_all = {.all = true};

/* ====================================================================
 * Strategy versions
 * ==================================================================== */

static const char no_draft[] =
	"no such draft: a published version never changes";

static void test_strategies(void **state)
{
	struct pair *p = *state;

	fixture(p);
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};
		int64_t ref = -1;

		ok(s->ops->strategy_insert(s, "默认", "{\"a\":1}", 1, 100, false,
					   &ref, &err), &err, k);
		assert_int_equal(ref, 1);
		ok(s->ops->strategy_insert(s, "上线", "{}", 0, 200, true, &ref,
					   &err), &err, k);
		assert_int_equal(ref, 2);
		ok(s->ops->strategy_update(s, 1, "默认v2", "{\"a\":2}", &err), &err,
		   k);
		refused(s->ops->strategy_update(s, 2, "x", "{}", &err), &err, k,
			no_draft);
		refused(s->ops->strategy_update(s, 99, "x", "{}", &err), &err, k,
			no_draft);
		ok(s->ops->strategy_publish(s, 1, 3, 300, &err), &err, k);
		refused(s->ops->strategy_publish(s, 1, 3, 400, &err), &err, k,
			no_draft);
		refused(s->ops->strategy_publish(s, 98, 3, 400, &err), &err, k,
			no_draft);
		ok(s->ops->strategy_insert(s, "又一版", "{\"b\":[]}", 5, 500, true,
					   &ref, &err), &err, k);
		assert_int_equal(ref, 3);
		ok(s->ops->strategies_scan(s, 0, true, version_line, &c, &err),
		   &err, k);
		ok(s->ops->strategies_scan(s, 1, false, version_line, &c, &err),
		   &err, k);
		ok(s->ops->strategies_scan(s, 97, true, version_line, &c, &err),
		   &err, k);
	}
	out_check(p, &out_buf,
		  "3 又一版 published 5 500 5 500 {\"b\":[]}\n"
		  "2 上线 published 0 200 0 200 {}\n"
		  "1 默认v2 published 1 100 3 300 {\"a\":2}\n"
		  "1 默认v2 published 1 100 3 300 (null)\n");
	q_check(p, "SELECT ref, created_by, published_by FROM strategies "
		   "ORDER BY ref",
		"1|1|3\n2|NULL|NULL\n3|5|5\n");
}

/* ====================================================================
 * Case facts
 * ==================================================================== */

static void test_case_facts(void **state)
{
	struct pair *p = *state;
	/* DPD 25-30 for the debtor (case 1, 40 days, is past it; case 3 is
	 * not overdue), never the next due date; the progress facts only */
	const struct hk_fact_need few = {HK_FACT_PROGRESS, 25, 30, 1, 0};

	fixture(p);
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};

		ok(s->ops->case_facts_scan(s, 20040, false, &HK_FACT_NEED_ALL,
					   fact_line, &c, &err), &err, k);
	}
	out_check(p, &out_buf,
		  "1 since 20000 due 201400 prod 1 bankA "
		  "[person|110101199001011234|vip|北京] promise 2 dispute 0 lost 0 "
		  "contact 1700100000 paid 20030 next 20045 [no_answer,promised] "
		  "plan 1 daily 10 new coll 2 team 1 agency 0 held 0 assigned 20000 "
		  "promised 20028 treat 0/-1/-1 recheck 2147483647\n"
		  "2 since 20020 due 500 prod 2 bankB [company|||] promise 1 "
		  "dispute 1 lost 1 contact 1700200000 paid 20025 next - [refused] "
		  "plan 0 daily 0 new coll 3 team 2 agency 1 held 0 assigned - "
		  "promised 20027 treat 0/-1/-1 recheck 2147483647\n"
		  "3 since 2147483647 due 0 prod 3 bankA "
		  "[person|440101200012310000||广东] promise -1 dispute 0 lost 0 "
		  "contact 0 paid 20040 next - [(null)] plan 0 daily 0 closed "
		  "coll 0 team 0 agency 0 held 0 assigned - promised - "
		  "treat 0/-1/-1 recheck 2147483647\n"
		  "4 since 20035 due 20240 prod 4 bankB "
		  "[person|110101199001011234|vip|北京] promise 0 dispute 0 lost 0 "
		  "contact 0 paid - next 20060 [(null)] plan 0 daily 1 new coll 5 "
		  "team 0 agency 0 held 3 assigned 20001 promised 20039 "
		  "treat 0/-1/-1 recheck 2147483647\n");
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};

		ok(s->ops->case_facts_scan(s, 20040, false, &few, fact_line, &c,
					   &err), &err, k);
	}
	/* the rotation clock's facts for the overdue cases with a collector
	 * (1, 2, 4), none for case 3; the debtor for DPD up to 30 */
	out_check(p, &out_buf,
		  "1 since 20000 due 201400 prod 1 bankA [|||] promise 2 dispute 0 "
		  "lost 0 contact 0 paid 20030 next - [(null)] plan 0 daily 10 new "
		  "coll 2 team 1 agency 0 held 0 assigned 20000 promised 20028 "
		  "treat 0/-1/-1 recheck 2147483647\n"
		  "2 since 20020 due 500 prod 2 bankB [company|||] promise 1 "
		  "dispute 0 lost 1 contact 0 paid 20025 next - [(null)] plan 0 "
		  "daily 0 new coll 3 team 2 agency 1 held 0 assigned - "
		  "promised 20027 treat 0/-1/-1 recheck 2147483647\n"
		  "3 since 2147483647 due 0 prod 3 bankA [|||] promise -1 "
		  "dispute 0 lost 0 contact 0 paid - next - [(null)] plan 0 daily 0 "
		  "closed coll 0 team 0 agency 0 held 0 assigned - promised - "
		  "treat 0/-1/-1 recheck 2147483647\n"
		  "4 since 20035 due 20240 prod 4 bankB "
		  "[person|110101199001011234|vip|北京] promise 0 dispute 0 lost 0 "
		  "contact 0 paid - next - [(null)] plan 0 daily 1 new coll 5 "
		  "team 0 agency 0 held 3 assigned 20001 promised 20039 "
		  "treat 0/-1/-1 recheck 2147483647\n");
}

/* The changed cases: the triggers' marks, day-end's own, the rechecks. */
static void test_changed_cases(void **state)
{
	struct pair *p = *state;
	const int64_t marks[] = {2, 2, 4};

	fixture(p);
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};
		int64_t ref;
		struct hk_treatment_rec t = {.case_ref = 3, .strategy_ref = 1,
					     .rule_no = 0, .arm_no = 1,
					     .priority = 5, .since = 20039,
					     .recheck_on = 20041};

		ok(s->ops->strategy_insert(s, "s", "{}", 1, 1, true, &ref, &err),
		   &err, k);
		ok(s->ops->treatment_save(s, &t, false, &err), &err, k);
		ok(s->ops->cases_mark_changed(s, marks, 3, &err), &err, k);
		ok(s->ops->case_facts_scan(s, 20040, true, &HK_FACT_NEED_ALL,
					   fact_ref, &c, &err), &err, k);
		outf(&out_buf, k, "--\n");
		ok(s->ops->case_facts_scan(s, 20041, true, &HK_FACT_NEED_ALL,
					   fact_ref, &c, &err), &err, k);
		outf(&out_buf, k, "--\n");
	}
	out_check(p, &out_buf, "2\n4\n--\n2\n3 1 0 1 20041\n4\n--\n");
	x(p, "INSERT INTO case_dirty VALUES (1)");
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};

		ok(s->ops->case_facts_scan(s, 20040, true, &HK_FACT_NEED_ALL,
					   fact_ref, &c, &err), &err, k);
		outf(&out_buf, k, "--\n");
		/* the triggers' marks go; day-end's stay until it marks anew */
		ok(s->ops->case_changes_clear(s, &err), &err, k);
		ok(s->ops->case_facts_scan(s, 20040, true, &HK_FACT_NEED_ALL,
					   fact_ref, &c, &err), &err, k);
		outf(&out_buf, k, "--\n");
		ok(s->ops->cases_mark_changed(s, NULL, 0, &err), &err, k);
		ok(s->ops->case_facts_scan(s, 20040, true, &HK_FACT_NEED_ALL,
					   fact_ref, &c, &err), &err, k);
		outf(&out_buf, k, "--\n");
	}
	out_check(p, &out_buf, "1\n2\n4\n--\n2\n4\n--\n--\n");
	q_check(p, "SELECT count(*) FROM case_dirty", "0\n");
}

/* Thousands of cases: PostgreSQL reads them in pages. */
static void test_many_facts(void **state)
{
	struct pair *p = *state;
	int64_t *refs = malloc(2500 * sizeof(*refs));

	assert_non_null(refs);
	for (int i = 0; i < 2500; i++)
		refs[i] = i + 1;
	fixture(p);
	/* cases 5-4504, each marked changed by its insert */
	x(p, "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
	     "WHERE i < 4500) INSERT INTO cases (debtor_ref, creditor) "
	     "SELECT 1, 'bulk' || i FROM n");
	EACH(p) {
		struct hk_err err = {0};
		struct cb all = {.k = k, .ascending = true},
			  stop = {.k = k, .stop_at = 2001, .ascending = true},
			  changed = {.k = k, .ascending = true},
			  marked = {.k = k, .ascending = true};

		ok(s->ops->case_facts_scan(s, 20040, false, &HK_FACT_NEED_ALL,
					   fact_count, &all, &err), &err, k);
		assert_int_equal(all.calls, 4504);
		assert_int_equal(all.sum, 4504LL * 4505 / 2);
		assert_true(all.ascending);
		/* a callback that stops the scan past the first page */
		ok(s->ops->case_facts_scan(s, 20040, false, &HK_FACT_NEED_ALL,
					   fact_count, &stop, &err), &err, k);
		assert_int_equal(stop.calls, 2001);
		assert_int_equal(stop.sum, 2001LL * 2002 / 2);
		ok(s->ops->cases_mark_changed(s, NULL, 0, &err), &err, k);
		ok(s->ops->case_facts_scan(s, 20040, true, &HK_FACT_NEED_ALL,
					   fact_count, &changed, &err), &err, k);
		assert_int_equal(changed.calls, 4500);
		assert_int_equal(changed.sum, 4504LL * 4505 / 2 - 10);
		assert_true(changed.ascending);
		/* 2,500 marks, three batches on PostgreSQL */
		ok(s->ops->cases_mark_changed(s, refs, 2500, &err), &err, k);
		ok(s->ops->case_facts_scan(s, 20040, true, &HK_FACT_NEED_ALL,
					   fact_count, &marked, &err), &err, k);
		assert_int_equal(marked.calls, 4504);
		assert_true(marked.ascending);
	}
	free(refs);
}

/* ====================================================================
 * Treatments
 * ==================================================================== */

static int treatment_line(struct hk_store *s, int k, int64_t case_ref)
{
	struct hk_err err = {0};
	struct hk_treatment_rec t = {0};
	bool found = true;

	ok(s->ops->treatment_get(s, case_ref, &t, &found, &err), &err, k);
	if (!found)
		outf(&out_buf, k, "%lld none\n", (long long)case_ref);
	else
		outf(&out_buf, k, "%lld %lld %d %d %d %d %d\n",
		     (long long)t.case_ref, (long long)t.strategy_ref, t.rule_no,
		     t.arm_no, t.priority, (int)t.since, (int)t.recheck_on);
	return 0;
}

static void test_treatments(void **state)
{
	struct pair *p = *state;

	fixture(p);
	EACH(p) {
		struct hk_err err = {0};
		int64_t ref;
		struct hk_treatment_rec t = {.case_ref = 1, .strategy_ref = 1,
					     .rule_no = 0, .arm_no = 1,
					     .priority = 5, .since = 20040,
					     .recheck_on = 20050};

		ok(s->ops->strategy_insert(s, "s1", "{}", 1, 1, true, &ref, &err),
		   &err, k);
		ok(s->ops->strategy_insert(s, "s2", "{}", 1, 2, true, &ref, &err),
		   &err, k);
		treatment_line(s, k, 1);
		ok(s->ops->treatment_save(s, &t, false, &err), &err, k);
		treatment_line(s, k, 1);
		/* the same date again: its history row replaced */
		t.strategy_ref = 2;
		t.rule_no = 3;
		t.arm_no = -1;
		t.priority = 9;
		ok(s->ops->treatment_save(s, &t, true, &err), &err, k);
		treatment_line(s, k, 1);
		/* a later date: a new history row */
		t.since = 20045;
		t.arm_no = 2;
		ok(s->ops->treatment_save(s, &t, false, &err), &err, k);
		ok(s->ops->treatment_recheck(s, 1, 20070, &err), &err, k);
		ok(s->ops->treatment_recheck(s, 2, 20070, &err), &err, k);
		treatment_line(s, k, 1);
		ok(s->ops->treatment_clear(s, 1, 20046, false, &err), &err, k);
		treatment_line(s, k, 1);
		/* a rerun of the end */
		ok(s->ops->treatment_clear(s, 1, 20046, true, &err), &err, k);
		/* a case without one */
		ok(s->ops->treatment_clear(s, 2, 20046, false, &err), &err, k);
		treatment_line(s, k, 2);
	}
	out_check(p, &out_buf,
		  "1 none\n"
		  "1 1 0 1 5 20040 20050\n"
		  "1 2 3 -1 9 20040 20050\n"
		  "1 2 3 2 9 20045 20070\n"
		  "1 none\n"
		  "2 none\n");
	q_check(p, "SELECT since, case_ref, strategy_ref, rule_no, arm_no FROM "
		   "treatment_history ORDER BY since, case_ref, strategy_ref",
		"20040|1|2|3|-1\n"
		"20045|1|2|3|2\n"
		"20046|1|NULL|NULL|NULL\n"
		"20046|2|NULL|NULL|NULL\n");
	q_check(p, "SELECT count(*) FROM case_treatment", "0\n");
}

/* ====================================================================
 * Allocation
 * ==================================================================== */

static void test_allocation(void **state)
{
	struct pair *p = *state;
	const struct hk_allocation_rec to_c1 = {
		.case_ref = 3, .collector_ref = 2, .team_ref = 1, .on_date = 20040,
		.at = 1700300000, .kind = "rule"};
	const struct hk_allocation_rec to_c2 = {
		.case_ref = 1, .from_collector = 2, .collector_ref = 3,
		.team_ref = 2, .held_for = 2, .on_date = 20041, .at = 1700400000,
		.by_user = 1, .kind = "manual", .reason = "请假"};
	const struct hk_allocation_rec away = {
		.case_ref = 2, .from_collector = 3, .on_date = 20042,
		.at = 1700500000, .by_user = 1, .kind = "manual", .reason = ""};
	const int64_t collectors[] = {2, 3}, teams[] = {1, 0};
	char sql[256], want[128];

	fixture(p);
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};

		ok(s->ops->collectors_scan(s, 20040, true, collector_line, &c,
					   &err), &err, k);
		outf(&out_buf, k, "--\n");
		ok(s->ops->collectors_scan(s, 20040, false, collector_line, &c,
					   &err), &err, k);
	}
	out_check(p, &out_buf,
		  "2 team 1 active cap 0 away --- 1 201400\n"
		  "3 team 2 active cap 5 away 20010-20020 1 500\n"
		  "5 team 0 active cap 0 away --- 1 20240\n"
		  "6 team 1 inactive cap 0 away --- 0 0\n"
		  "--\n"
		  "2 team 1 active cap 0 away --- 0 0\n"
		  "3 team 2 active cap 5 away 20010-20020 0 0\n"
		  "5 team 0 active cap 0 away --- 0 0\n"
		  "6 team 1 inactive cap 0 away --- 0 0\n");
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->case_allocate(s, &to_c1, &err), &err, k);
		ok(s->ops->case_allocate(s, &to_c2, &err), &err, k);
		ok(s->ops->case_allocate(s, &away, &err), &err, k);
	}
	q_check(p, "SELECT ref, collector_ref, team_ref, held_for, assigned_on "
		   "FROM cases ORDER BY ref",
		"1|3|2|2|20041\n2|NULL|NULL|NULL|20042\n3|2|1|NULL|20040\n"
		"4|5|NULL|3|20001\n");
	/* the overdue index's copies follow (a trigger) */
	q_check(p, "SELECT case_ref, collector_ref, team_ref FROM case_overdue "
		   "ORDER BY case_ref",
		"1|3|2\n2|NULL|NULL\n4|5|NULL\n");
	/* an empty reason is kept as given */
	q_check(p, "SELECT ref, case_ref, on_date, at, from_collector, "
		   "collector_ref, team_ref, kind, by_user, reason "
		   "FROM case_assignments ORDER BY ref",
		"1|3|20040|1700300000|NULL|2|1|rule|NULL|NULL\n"
		"2|1|20041|1700400000|2|3|2|manual|1|请假\n"
		"3|2|20042|1700500000|3|NULL|NULL|manual|1|\n");
	/* even refs to c1 of team 1, odd ones to c2 without a team, all
	 * assigned today */
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->cases_spread(s, collectors, teams, 2, &err), &err, k);
	}
	snprintf(sql, sizeof(sql),
		 "SELECT ref, collector_ref, team_ref, assigned_on = %lld "
		 "FROM cases ORDER BY ref",
		 (long long)(time(NULL) / 86400));
	snprintf(want, sizeof(want), "1|3|NULL|%s\n2|2|1|%s\n3|3|NULL|%s\n4|2|1|%s\n",
		 "1", "1", "1", "1");
	for (int k = 0; k < p->n; k++) {
		/* PostgreSQL prints a boolean as t */
		const char *got = q_side(p, k, sql);
		char norm[128];
		size_t n = 0;

		for (const char *c = got; *c && n < sizeof(norm) - 1; c++)
			norm[n++] = *c == 't' ? '1' : *c == 'f' ? '0' : *c;
		norm[n] = 0;
		if (strcmp(norm, want))
			fail_msg("%s: %s\n-- gave:\n%s-- want:\n%s", side_name[k],
				 sql, got, want);
	}
}

/* ====================================================================
 * The queue and the dashboard
 * ==================================================================== */

static void test_queue_counts(void **state)
{
	struct pair *p = *state;
	const struct hk_scope scopes[] = {
		{.all = true}, {.collector_ref = 3}, {.team_ref = 1},
		{.agency_ref = 1}, {.collector_ref = 5}, {0}};

	fixture(p);
	EACH(p) {
		for (size_t i = 0; i < sizeof(scopes) / sizeof(*scopes); i++) {
			struct hk_err err = {0};
			int64_t n[4] = {-1, -1, -1, -1};

			ok(s->ops->queue_counts(s, &scopes[i], 20040, n, &err), &err,
			   k);
			outf(&out_buf, k, "%lld %lld %lld %lld\n", (long long)n[0],
			     (long long)n[1], (long long)n[2], (long long)n[3]);
		}
	}
	/* broken: case 1; a pending promise due by the day: case 1's first
	 * (case 4's is due later); a follow-up due: case 1; overdue: 1, 2, 4 */
	out_check(p, &out_buf,
		  "1 1 1 3\n0 0 0 1\n1 1 1 1\n0 0 0 1\n0 0 0 1\n0 0 0 0\n");
}

static void test_dashboard(void **state)
{
	struct pair *p = *state;
	const struct hk_dash_filter none = {0}, bank_b = {.creditor = "bankB"},
				    card = {.products = 1},
				    nobody = {.creditor = "bankZ"};
	const struct hk_scope team2 = {.team_ref = 2}, c2 = {.collector_ref = 3},
			      team1 = {.team_ref = 1}, agency = {.agency_ref = 1};

	fixture(p);
	/* the overdue cases (in no order) */
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};

		ok(s->ops->overdue_scan(s, &scope_all, 20040, &none, overdue_line,
					&c, &err), &err, k);
		overdue_flush(k);
		outf(&out_buf, k, "--\n");
		ok(s->ops->overdue_scan(s, &scope_all, 20040, &bank_b,
					overdue_line, &c, &err), &err, k);
		overdue_flush(k);
		outf(&out_buf, k, "--\n");
		ok(s->ops->overdue_scan(s, &scope_all, 20040, &card, overdue_line,
					&c, &err), &err, k);
		ok(s->ops->overdue_scan(s, &team2, 20041, &none, overdue_line, &c,
					&err), &err, k);
		ok(s->ops->overdue_scan(s, &team2, 20041, &nobody, overdue_line,
					&c, &err), &err, k);
		overdue_flush(k);
	}
	out_check(p, &out_buf,
		  "20000 201400\n20020 500\n20035 20240\n--\n"
		  "20020 500\n20035 20240\n--\n"
		  "20000 201400\n20020 500\n");
	/* the day totals beyond the first bucket */
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};

		ok(s->ops->overdue_trend(s, 20025, 20059, trend_line, &c, &err),
		   &err, k);
		ok(s->ops->overdue_trend(s, 20060, 20090, trend_line, &c, &err),
		   &err, k);
	}
	out_check(p, &out_buf,
		  "20025 3 1000\n20030 3 900\n20056 4 1000\n20059 2 2000\n");
	/* promises made 20026-20040 by status */
	EACH(p) {
		const struct {
			const struct hk_scope *sc;
			const struct hk_dash_filter *df;
			int32_t from, to;
		} q[] = {{&scope_all, &none, 20026, 20040},
			 {&scope_all, &none, 20027, 20028},
			 {&scope_all, &bank_b, 20026, 20040},
			 {&team2, &none, 20026, 20040},
			 {&scope_all, &card, 20026, 20040}};

		for (size_t i = 0; i < sizeof(q) / sizeof(*q); i++) {
			struct hk_err err = {0};
			int64_t n[3] = {-1, -1, -1};

			ok(s->ops->promise_counts(s, q[i].sc, q[i].from, q[i].to,
						  q[i].df, n, &err), &err, k);
			outf(&out_buf, k, "%lld %lld %lld\n", (long long)n[0],
			     (long long)n[1], (long long)n[2]);
		}
	}
	out_check(p, &out_buf, "2 1 1\n0 1 1\n1 1 0\n0 1 0\n1 0 1\n");
	/* the collectors' figures: teamless first, as SQLite orders NULLs */
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};

		ok(s->ops->collector_figures(s, &scope_all, 20040, 1700050000,
					     20039, figures_line, &c, &err), &err,
		   k);
		outf(&out_buf, k, "--\n");
		ok(s->ops->collector_figures(s, &c2, 20040, 1700050000, 20039,
					     figures_line, &c, &err), &err, k);
		ok(s->ops->collector_figures(s, &team1, 20040, 1700050000, 20039,
					     figures_line, &c, &err), &err, k);
		ok(s->ops->collector_figures(s, &agency, 20040, 1700050000, 20039,
					     figures_line, &c, &err), &err, k);
	}
	out_check(p, &out_buf,
		  "4 team 0 ag 外包员 0 0 0 0 0\n"
		  "5 team 0 c3 催收三 1 1 20240 0 1\n"
		  "2 team 1 c1 催收一 1 1 201400 2 0\n"
		  "3 team 2 c2 催收二 1 1 500 1 0\n"
		  "--\n"
		  "3 team 2 c2 催收二 1 1 500 1 0\n"
		  "2 team 1 c1 催收一 1 1 201400 2 0\n"
		  "4 team 0 ag 外包员 0 0 0 0 0\n");
	/* recoveries: a payment on an account that stood beyond "C" before
	 * its day (P1, P5, P7 on case 1; P6 on case 3, nobody's) */
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};

		ok(s->ops->recovery_scan(s, &scope_all, 20020, 20045, &none, "C",
					 recovery_line, &c, &err), &err, k);
		outf(&out_buf, k, "--\n");
		ok(s->ops->recovery_scan(s, &team1, 20020, 20041, &none, "C",
					 recovery_line, &c, &err), &err, k);
		outf(&out_buf, k, "--\n");
		/* another first bucket: standing in M1 (P1, P6, P7) is no
		 * longer overdue, nor is no transition at all (P2-P4) */
		ok(s->ops->recovery_scan(s, &scope_all, 20020, 20045, &none,
					 "M1", recovery_line, &c, &err), &err, k);
		ok(s->ops->recovery_scan(s, &scope_all, 20020, 20045, &bank_b,
					 "M9", recovery_line, &c, &err), &err, k);
	}
	out_check(p, &out_buf,
		  "20025 2 1 300\n20041 2 2 100\n20042 0 1 60\n--\n"
		  "20025 2 1 300\n20041 2 2 100\n--\n"
		  "20041 2 1 70\n");
	/* promise takers: m2 has none recorded, its case's collector (3) */
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};

		ok(s->ops->promise_takers(s, &scope_all, 20026, 20040, &none,
					  taker_line, &c, &err), &err, k);
		outf(&out_buf, k, "--\n");
		ok(s->ops->promise_takers(s, &scope_all, 20026, 20040, &bank_b,
					  taker_line, &c, &err), &err, k);
	}
	out_check(p, &out_buf,
		  "2 0 1 1000\n2 2 1 300\n3 1 1 500\n5 0 1 40\n--\n"
		  "3 1 1 500\n5 0 1 40\n");
}

static void test_buckets(void **state)
{
	struct pair *p = *state;
	const struct hk_dash_filter none = {0}, bank_b = {.creditor = "bankB"},
				    card = {.products = 1};
	const struct hk_scope team1 = {.team_ref = 1};

	fixture(p);
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};

		/* the whole portfolio: the day's totals, in byte order */
		ok(s->ops->bucket_census(s, &scope_all, &none, 20025, "C",
					 census_line, &c, &err), &err, k);
		outf(&out_buf, k, "--\n");
		ok(s->ops->bucket_census(s, &team1, &none, 20040, "C",
					 census_line, &c, &err), &err, k);
		outf(&out_buf, k, "--\n");
		ok(s->ops->bucket_census(s, &scope_all, &bank_b, 20040, "C",
					 census_line, &c, &err), &err, k);
		outf(&out_buf, k, "--\n");
		ok(s->ops->bucket_census(s, &scope_all, &card, 20040, "C",
					 census_line, &c, &err), &err, k);
		outf(&out_buf, k, "--\n");
		/* the first bucket's name sorts among the others */
		ok(s->ops->bucket_census(s, &scope_all, &card, 20040, "Ma",
					 census_line, &c, &err), &err, k);
	}
	out_check(p, &out_buf,
		  "C 10\nM1 2\nM2 1\na 0\n--\n"
		  "M1 1\nM2 1\n--\n"
		  "M1 2\n--\n"
		  "C 1\nM1 1\nM2 1\n--\n"
		  "M1 1\nM2 1\nMa 1\n");
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};

		ok(s->ops->bucket_moves(s, &scope_all, &none, 20020, 20045,
					move_line, &c, &err), &err, k);
		outf(&out_buf, k, "--\n");
		/* (from, to]: 20040's move of account 1 is outside */
		ok(s->ops->bucket_moves(s, &team1, &none, 20040, 20045, move_line,
					&c, &err), &err, k);
		outf(&out_buf, k, "--\n");
		ok(s->ops->bucket_moves(s, &scope_all, &bank_b, 20000, 20030,
					move_line, &c, &err), &err, k);
		ok(s->ops->bucket_moves(s, &scope_all, &none, 20100, 20200,
					move_line, &c, &err), &err, k);
	}
	out_check(p, &out_buf,
		  "M1 M2 1\nC C 1\nC M1 1\nC M1 1\nC M1 1\n--\n"
		  "M1 C 1\n--\n"
		  "C M1 1\n");
	EACH(p) {
		struct hk_err err = {0};
		int32_t dates[8];
		int n = -1;

		ok(s->ops->month_ends(s, 20090, 8, dates, &n, &err), &err, k);
		for (int i = 0; i < n; i++)
			outf(&out_buf, k, "%d ", (int)dates[i]);
		outf(&out_buf, k, "\n");
		ok(s->ops->month_ends(s, 20090, 2, dates, &n, &err), &err, k);
		for (int i = 0; i < n; i++)
			outf(&out_buf, k, "%d ", (int)dates[i]);
		outf(&out_buf, k, "\n");
		ok(s->ops->month_ends(s, 20058, 8, dates, &n, &err), &err, k);
		for (int i = 0; i < n; i++)
			outf(&out_buf, k, "%d ", (int)dates[i]);
		outf(&out_buf, k, "\n");
		ok(s->ops->month_ends(s, 20000, 8, dates, &n, &err), &err, k);
		outf(&out_buf, k, "%d\n", n);
	}
	/* December's last is the 29th, November's the 29th, October's the
	 * 29th */
	out_check(p, &out_buf, "20086 20056 20025 \n20086 20056 \n20056 20025 \n0\n");
}

/* ====================================================================
 * Talk scripts
 * ==================================================================== */

/* the first `stop_at` scripts printed, all counted */
static int script_first(void *ctx, const struct hk_script *sc)
{
	struct cb *c = ctx;

	if (c->calls++ < c->stop_at)
		script_line(ctx, sc);
	return 1;
}

static void test_scripts(void **state)
{
	struct pair *p = *state;
	/* after the ten shipped ones (refs 1-10, Chinese titles) */
	const struct hk_script a = {0, "Zulu 催收话术", "没钱", "可以分期ABC",
				    "promised,refused", 1, 100},
			       b = {0, "Bravo", "too busy", "call later", NULL, 0,
				    200},
			       c3 = {0, "alpha", "no", "ok", "", 2, 300},
			       b2 = {12, "Bravo2", "忙", "稍后再打", "no_answer", 1,
				     400},
			       gone = {99, "x", "y", "z", "", 1, 500};

	fixture(p);
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k}, first = {.k = k, .stop_at = 3};
		int64_t ref = -1;

		ok(s->ops->script_save(s, &a, &ref, &err), &err, k);
		assert_int_equal(ref, 11);
		ok(s->ops->script_save(s, &b, &ref, &err), &err, k);
		assert_int_equal(ref, 12);
		ok(s->ops->script_save(s, &c3, NULL, &err), &err, k);
		/* by title in byte order: upper case, lower case, Chinese */
		ok(s->ops->scripts_scan(s, NULL, 0, script_first, &first, &err),
		   &err, k);
		assert_int_equal(first.calls, 13);
		outf(&out_buf, k, "--\n");
		ok(s->ops->scripts_scan(s, "ABC", 0, script_line, &c, &err), &err,
		   k);
		outf(&out_buf, k, "--\n");
		/* case-sensitive, and no wildcards */
		ok(s->ops->scripts_scan(s, "a", 0, script_line, &c, &err), &err, k);
		outf(&out_buf, k, "--\n");
		ok(s->ops->scripts_scan(s, "%", 0, script_line, &c, &err), &err, k);
		ok(s->ops->scripts_scan(s, "abc", 0, script_line, &c, &err), &err,
		   k);
		ok(s->ops->scripts_scan(s, "", 13, script_line, &c, &err), &err, k);
		ok(s->ops->scripts_scan(s, "alpha", 11, script_line, &c, &err),
		   &err, k);
		outf(&out_buf, k, "--\n");
		ref = -1;
		ok(s->ops->script_save(s, &b2, &ref, &err), &err, k);
		assert_int_equal(ref, 12);
		assert_int_equal(s->ops->script_save(s, &gone, &ref, &err),
				 HK_ENOTFOUND);
		assert_string_equal(err.msg, "no such script");
		ok(s->ops->scripts_scan(s, "稍后再打", 0, script_line, &c, &err),
		   &err, k);
	}
	out_check(p, &out_buf,
		  "12 Bravo|too busy|call later| 0 200\n"
		  "11 Zulu 催收话术|没钱|可以分期ABC|promised,refused 1 100\n"
		  "13 alpha|no|ok| 2 300\n--\n"
		  "11 Zulu 催收话术|没钱|可以分期ABC|promised,refused 1 100\n--\n"
		  "12 Bravo|too busy|call later| 0 200\n"
		  "13 alpha|no|ok| 2 300\n--\n"
		  "13 alpha|no|ok| 2 300\n--\n"
		  "12 Bravo2|忙|稍后再打|no_answer 1 400\n");
	q_check(p, "SELECT ref, updated_by FROM scripts WHERE ref > 10 "
		   "ORDER BY ref",
		"11|1\n12|1\n13|2\n");
}

/* ====================================================================
 * Transactions and failures
 * ==================================================================== */

static void test_transactions(void **state)
{
	struct pair *p = *state;
	const int64_t marks[] = {1, 3};
	const struct hk_allocation_rec move = {
		.case_ref = 3, .collector_ref = 2, .team_ref = 1, .on_date = 20040,
		.at = 1, .kind = "rule"};

	fixture(p);
	EACH(p) {
		struct hk_err err = {0};
		struct cb c = {.k = k};
		int64_t ref;
		struct hk_script sc = {0, "t", "o", "b", "", 1, 1};

		/* marks made and scanned in one transaction, then undone */
		ok(s->ops->begin(s, &err), &err, k);
		ok(s->ops->cases_mark_changed(s, marks, 2, &err), &err, k);
		ok(s->ops->case_facts_scan(s, 20040, true, &HK_FACT_NEED_ALL,
					   fact_ref, &c, &err), &err, k);
		ok(s->ops->case_allocate(s, &move, &err), &err, k);
		ok(s->ops->script_save(s, &sc, &ref, &err), &err, k);
		ok(s->ops->strategy_insert(s, "s", "{}", 1, 1, false, &ref, &err),
		   &err, k);
		ok(s->ops->rollback(s), &err, k);
		outf(&out_buf, k, "--\n");
		/* the marks' table went with the transaction: marked anew */
		ok(s->ops->cases_mark_changed(s, marks + 1, 1, &err), &err, k);
		ok(s->ops->case_facts_scan(s, 20040, true, &HK_FACT_NEED_ALL,
					   fact_ref, &c, &err), &err, k);
		/* committed ones stay */
		ok(s->ops->begin(s, &err), &err, k);
		ok(s->ops->case_allocate(s, &move, &err), &err, k);
		ok(s->ops->commit(s, &err), &err, k);
	}
	out_check(p, &out_buf, "1\n3\n--\n3\n");
	q_check(p, "SELECT count(*) FROM scripts", "10\n");
	q_check(p, "SELECT count(*) FROM strategies", "0\n");
	q_check(p, "SELECT ref, collector_ref FROM cases WHERE ref = 3", "3|2\n");
	q_check(p, "SELECT count(*) FROM case_assignments", "1\n");
}

static void test_failures(void **state)
{
	struct pair *p = *state;
	const struct hk_script untitled = {0, NULL, "o", "b", "", 1, 1};

	fixture(p);
	EACH(p) {
		struct hk_err err = {0};
		int64_t ref = -1;
		struct cb c = {.k = k};

		db_failed(s->ops->script_save(s, &untitled, &ref, &err), &err, k,
			  "could not save a script");
		db_failed(s->ops->strategy_insert(s, "s", NULL, 1, 1, false, &ref,
						  &err), &err, k,
			  "could not save a strategy");
		/* no marks made on this connection yet: no table to read.
		 * SQLite fails to prepare the statement ("could not prepare
		 * statement: ..."), PostgreSQL to run it ("could not read
		 * case facts: ..."): the same code, another prefix */
		assert_int_equal(s->ops->case_facts_scan(s, 20040, true,
							 &HK_FACT_NEED_ALL,
							 fact_ref, &c, &err),
				 HK_EDB);
		assert_int_equal(err.code, HK_EDB);
		assert_non_null(strstr(err.msg, "day_changed"));
	}
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
	assert_true(version >= 25);
	assert_int_equal(PQserverVersion(p->pg) / 10000, 15);
}

#define PAIR_TEST(f) cmocka_unit_test_setup_teardown(f, pair_setup, pair_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		PAIR_TEST(test_strategies),
		PAIR_TEST(test_case_facts),
		PAIR_TEST(test_changed_cases),
		PAIR_TEST(test_many_facts),
		PAIR_TEST(test_treatments),
		PAIR_TEST(test_allocation),
		PAIR_TEST(test_queue_counts),
		PAIR_TEST(test_dashboard),
		PAIR_TEST(test_buckets),
		PAIR_TEST(test_scripts),
		PAIR_TEST(test_transactions),
		PAIR_TEST(test_failures),
		PAIR_TEST(test_postgresql_side),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
