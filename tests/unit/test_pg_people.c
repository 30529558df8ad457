/*
 * test_pg_people.c - the people operations of the PostgreSQL backend
 * (src/store/store_pg_people.c: users, sessions, the audit trail, teams,
 * agencies, their contracts, review dates and statements, placements)
 * against their SQLite twins.  Every test runs the same calls on a fresh
 * SQLite store and, when $HUIKUAN_TEST_PG names a server
 * (scripts/pg-cluster.sh), on a fresh PostgreSQL database created for the
 * test; it asserts that both give the same results and that these are the
 * hand-computed ones.  Fixture rows (debtors, cases, accounts, payments)
 * are written with the same plain SQL on a second connection of each
 * backend, and the tables the operations write are read back the same way.
 *
 * Only the people operations and the core ones (migrate, transactions) are
 * called: the other areas of the PostgreSQL backend may not be ported yet.
 * Without $HUIKUAN_TEST_PG only the SQLite side runs, and the test
 * "postgresql_side" is reported skipped.  $HK_TEST_PG_SCHEMA names a schema
 * file applied before migrating, for a server without the baseline.
 *
 * The process runs in Asia/Shanghai (TZ): an agency statement's dates are
 * local dates, eight hours from UTC.
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

const char *const pg_pair_name = "people";

/* ---- the fixture ------------------------------------------------------ */

/*
 * Debtors 1 (D1), 2 (D2), 3 (D3); cases 1 (bankA, D1), 2 (bankB, D2), 3
 * (bankA, D3) with no collector (the tests set them); accounts 1 "A-1"
 * and 2 "A-2" of case 1, 3 "B-1" of case 2, 4 "C-1" of case 3.  Case 1
 * and 2 are overdue (case_overdue rows).  No users, teams or agencies:
 * the operations under test make those.
 */
static void fixture(struct pair *p)
{
	memset(&out_buf, 0, sizeof(out_buf)); /* a failed test's leftovers */
	x(p, "INSERT INTO debtors (debtor_id, name, kind) VALUES "
	     "('D1', '张三', 'person'), ('D2', '李四', 'person'), "
	     "('D3', '王五', 'person')");
	x(p, "INSERT INTO cases (debtor_ref, creditor) VALUES "
	     "(1, 'bankA'), (2, 'bankB'), (3, 'bankA')");
	x(p, "INSERT INTO accounts (account_id, debtor_ref, case_ref, creditor, "
	     "product, principal, annual_ppm, penalty_ppm, open_date) VALUES "
	     "('A-1', 1, 1, 'bankA', 'credit_card', 100000, 0, 0, 19000), "
	     "('A-2', 1, 1, 'bankA', 'consumer_loan', 100000, 0, 0, 19000), "
	     "('B-1', 2, 2, 'bankB', 'credit_card', 100000, 0, 0, 19000), "
	     "('C-1', 3, 3, 'bankA', 'credit_card', 100000, 0, 0, 19000)");
	x(p, "INSERT INTO case_overdue (case_ref, overdue_since) VALUES "
	     "(1, 19500), (2, 19600)");
	x(p, "DELETE FROM case_dirty");
}

/* The users every test after test_users starts from: 1 admin, 2 c1
 * (collector, team 1 "一组"), 3 ag (agency collector of agency 1 "外包甲"). */
static void people(struct pair *p)
{
	EACH(p) {
		struct hk_err err = {0};
		struct hk_user u = {0};
		int64_t ref = 0;

		ok(s->ops->team_create(s, "一组", &ref, &err), &err, k);
		assert_int_equal(ref, 1);
		ok(s->ops->agency_create(s, "外包甲", 100, &ref, &err), &err, k);
		assert_int_equal(ref, 1);
		snprintf(u.username, sizeof(u.username), "admin");
		snprintf(u.display_name, sizeof(u.display_name), "管理员");
		snprintf(u.password_hash, sizeof(u.password_hash), "h-admin");
		u.role = HK_ROLE_ADMIN;
		ok(s->ops->user_create(s, &u, 1000, &err), &err, k);
		assert_int_equal(u.ref, 1);
		snprintf(u.username, sizeof(u.username), "c1");
		snprintf(u.display_name, sizeof(u.display_name), "催收一");
		u.role = HK_ROLE_COLLECTOR;
		u.team_ref = 1;
		ok(s->ops->user_create(s, &u, 1001, &err), &err, k);
		assert_int_equal(u.ref, 2);
		snprintf(u.username, sizeof(u.username), "ag");
		snprintf(u.display_name, sizeof(u.display_name), "外包员");
		u.role = HK_ROLE_AGENCY_COLLECTOR;
		u.team_ref = 0;
		u.agency_ref = 1;
		ok(s->ops->user_create(s, &u, 1002, &err), &err, k);
		assert_int_equal(u.ref, 3);
	}
}

/* ====================================================================
 * Users
 * ==================================================================== */

static void user_line(int k, const struct hk_user *u)
{
	outf(&out_buf, k,
	     "%lld %s [%s] %s team %lld agency %lld [%s] must %d active %d "
	     "failed %d locked %lld cap %d absent %d..%d\n",
	     (long long)u->ref, u->username, u->display_name,
	     hk_role_name(u->role), (long long)u->team_ref,
	     (long long)u->agency_ref, u->password_hash, u->must_change,
	     u->active, u->failed_logins, (long long)u->locked_until,
	     u->capacity, u->absent_from == HK_DATE_NONE ? -1 : u->absent_from,
	     u->absent_until == HK_DATE_NONE ? -1 : u->absent_until);
}

struct scan_ctx {
	int k, calls, stop_at;
};

static int user_scan_line(void *ctx, const struct hk_user *u)
{
	struct scan_ctx *c = ctx;

	user_line(c->k, u);
	return ++c->calls == c->stop_at;
}

static void test_users(void **state)
{
	struct pair *p = *state;

	fixture(p);
	EACH(p) {
		struct hk_err err = {0};
		int64_t n = -1;

		ok(s->ops->user_count(s, &n, &err), &err, k);
		assert_int_equal(n, 0);
	}
	people(p);
	EACH(p) {
		struct hk_err err = {0};
		struct hk_user u = {0}, got;
		bool found = true;
		int64_t n = -1;

		/* the name taken, and an unknown role: both the one refusal */
		snprintf(u.username, sizeof(u.username), "c1");
		snprintf(u.display_name, sizeof(u.display_name), "x");
		snprintf(u.password_hash, sizeof(u.password_hash), "x");
		u.role = HK_ROLE_MANAGER;
		refused(s->ops->user_create(s, &u, 5, &err), &err, k,
			"the username c1 is taken");
		snprintf(u.username, sizeof(u.username), "nobody");
		u.role = 0;
		refused(s->ops->user_create(s, &u, 5, &err), &err, k,
			"the username nobody is taken");
		ok(s->ops->user_count(s, &n, &err), &err, k);
		assert_int_equal(n, 3);

		ok(s->ops->user_get(s, "c1", 0, &got, &found, &err), &err, k);
		assert_true(found);
		user_line(k, &got);
		ok(s->ops->user_get(s, NULL, 3, &got, &found, &err), &err, k);
		assert_true(found);
		user_line(k, &got);
		ok(s->ops->user_get(s, "C1", 0, &got, &found, &err), &err, k);
		assert_false(found); /* names compare byte for byte */
		ok(s->ops->user_get(s, NULL, 99, &got, &found, &err), &err, k);
		assert_false(found);
	}
	out_check(p, &out_buf,
		  "2 c1 [催收一] collector team 1 agency 0 [h-admin] must 0 "
		  "active 1 failed 0 locked 0 cap 0 absent -1..-1\n"
		  "3 ag [外包员] agency_collector team 0 agency 1 [h-admin] "
		  "must 0 active 1 failed 0 locked 0 cap 0 absent -1..-1\n");
	q_check(p, "SELECT ref, username, created_at, team_ref, agency_ref "
		   "FROM users ORDER BY ref",
		"1|admin|1000|NULL|NULL\n2|c1|1001|1|NULL\n3|ag|1002|NULL|1\n");

	/* the log-in state, the password, the profile */
	x(p, "UPDATE cases SET collector_ref = 2 WHERE ref IN (1, 3)");
	x(p, "UPDATE cases SET held_for = 2 WHERE ref = 2");
	x(p, "DELETE FROM case_dirty");
	EACH(p) {
		struct hk_err err = {0};
		struct hk_user u;
		bool found = false;

		ok(s->ops->user_set_login_state(s, 2, 3, 1700000000, &err), &err,
		   k);
		ok(s->ops->user_set_password(s, 2, "h-new", true, &err), &err, k);
		ok(s->ops->user_get(s, NULL, 2, &u, &found, &err), &err, k);
		assert_true(found);
		user_line(k, &u);
		/* a display name alone marks none of the user's cases */
		snprintf(u.display_name, sizeof(u.display_name), "%s", "");
		ok(s->ops->user_update(s, &u, &err), &err, k);
		ok(s->ops->user_get(s, NULL, 2, &u, &found, &err), &err, k);
		user_line(k, &u);
	}
	out_check(p, &out_buf,
		  "2 c1 [催收一] collector team 1 agency 0 [h-new] must 1 "
		  "active 1 failed 3 locked 1700000000 cap 0 absent -1..-1\n"
		  "2 c1 [] collector team 1 agency 0 [h-new] must 1 "
		  "active 1 failed 3 locked 1700000000 cap 0 absent -1..-1\n");
	q_check(p, "SELECT count(*) FROM case_dirty", "0\n");
	/* "" is kept as "", not made NULL */
	q_check(p, "SELECT count(*) FROM users WHERE ref = 2 AND "
		   "display_name = ''", "1\n");
	EACH(p) {
		struct hk_err err = {0};
		struct hk_user u;
		bool found = false;

		ok(s->ops->user_get(s, NULL, 2, &u, &found, &err), &err, k);
		snprintf(u.display_name, sizeof(u.display_name), "催收甲");
		u.team_ref = 0;
		u.agency_ref = 1;
		u.active = false;
		u.capacity = 40;
		u.absent_from = 20100;
		u.absent_until = HK_DATE_NONE;
		ok(s->ops->user_update(s, &u, &err), &err, k);
		ok(s->ops->user_get(s, NULL, 2, &u, &found, &err), &err, k);
		user_line(k, &u);
	}
	out_check(p, &out_buf,
		  "2 c1 [催收甲] collector team 0 agency 1 [h-new] must 1 "
		  "active 0 failed 3 locked 1700000000 cap 40 absent 20100..-1\n");
	q_check(p, "SELECT team_ref, agency_ref, active, capacity, absent_from, "
		   "absent_until FROM users WHERE ref = 2",
		"NULL|1|0|40|20100|NULL\n");
	/* users_dirty: the cases the user holds or is held for */
	q_check(p, "SELECT case_ref FROM case_dirty ORDER BY case_ref",
		"1\n2\n3\n");

	/* the list in byte order: upper case before lower, ASCII before
	 * Chinese, whatever the server's collation */
	EACH(p) {
		struct hk_err err = {0};
		struct hk_user u = {0};

		snprintf(u.password_hash, sizeof(u.password_hash), "h");
		u.role = HK_ROLE_AUDITOR;
		snprintf(u.username, sizeof(u.username), "Zed");
		ok(s->ops->user_create(s, &u, 7, &err), &err, k);
		snprintf(u.username, sizeof(u.username), "审计");
		ok(s->ops->user_create(s, &u, 8, &err), &err, k);
		snprintf(u.username, sizeof(u.username), "b");
		ok(s->ops->user_create(s, &u, 9, &err), &err, k);
	}
	EACH(p) {
		struct hk_err err = {0};
		struct scan_ctx c = {.k = k};

		ok(s->ops->users_scan(s, user_scan_line, &c, &err), &err, k);
		assert_int_equal(c.calls, 6);
		/* a callback's non-zero stops the scan */
		c = (struct scan_ctx){.k = k, .stop_at = 2};
		assert_int_equal(s->ops->users_scan(s, user_scan_line, &c, &err),
				 HK_EINTERNAL);
		assert_int_equal(c.calls, 2);
	}
#define ZED "4 Zed [] auditor team 0 agency 0 [h] must 0 active 1 failed 0 " \
	    "locked 0 cap 0 absent -1..-1\n"
#define ADMIN "1 admin [管理员] admin team 0 agency 0 [h-admin] must 0 " \
	      "active 1 failed 0 locked 0 cap 0 absent -1..-1\n"
	out_check(p, &out_buf,
		  ZED ADMIN
		  "3 ag [外包员] agency_collector team 0 agency 1 [h-admin] "
		  "must 0 active 1 failed 0 locked 0 cap 0 absent -1..-1\n"
		  "6 b [] auditor team 0 agency 0 [h] must 0 active 1 failed 0 "
		  "locked 0 cap 0 absent -1..-1\n"
		  "2 c1 [催收甲] collector team 0 agency 1 [h-new] must 1 "
		  "active 0 failed 3 locked 1700000000 cap 40 absent 20100..-1\n"
		  "5 审计 [] auditor team 0 agency 0 [h] must 0 active 1 failed 0 "
		  "locked 0 cap 0 absent -1..-1\n"
		  ZED ADMIN);
#undef ZED
#undef ADMIN
}

/* A refused create inside a transaction leaves it usable, as on SQLite:
 * what came before and after it commits. */
static void test_refusal_in_transaction(void **state)
{
	struct pair *p = *state;

	fixture(p);
	people(p);
	EACH(p) {
		struct hk_err err = {0};
		struct hk_user u = {0};
		int64_t ref = 0;

		snprintf(u.display_name, sizeof(u.display_name), "x");
		snprintf(u.password_hash, sizeof(u.password_hash), "x");
		u.role = HK_ROLE_MANAGER;
		ok(s->ops->begin(s, &err), &err, k);
		snprintf(u.username, sizeof(u.username), "m1");
		ok(s->ops->user_create(s, &u, 1, &err), &err, k);
		snprintf(u.username, sizeof(u.username), "admin");
		refused(s->ops->user_create(s, &u, 1, &err), &err, k,
			"the username admin is taken");
		refused(s->ops->team_create(s, "一组", &ref, &err), &err, k,
			"team 一组 exists");
		refused(s->ops->agency_create(s, "外包甲", 1, &ref, &err), &err,
			k, "there is already an agency named 外包甲");
		snprintf(u.username, sizeof(u.username), "m2");
		ok(s->ops->user_create(s, &u, 1, &err), &err, k);
		/* the refusals drew no ref: the same as SQLite's */
		assert_int_equal(u.ref, 5);
		ok(s->ops->commit(s, &err), &err, k);
	}
}

/* ====================================================================
 * Sessions
 * ==================================================================== */

static void session_line(int k, const char *token, bool found,
			 const struct hk_session *se)
{
	if (!found)
		outf(&out_buf, k, "%s: none\n", token);
	else
		outf(&out_buf, k, "%s: user %lld %s [%s] until %lld\n", token,
		     (long long)se->user_ref, se->bearer ? "bearer" : "cookie",
		     se->csrf, (long long)se->expires_at);
}

static void test_sessions(void **state)
{
	struct pair *p = *state;
	static const char *const tokens[] = {"t-a", "t-b", "t-c", "t-d"};

	fixture(p);
	people(p);
	EACH(p) {
		struct hk_err err = {0};
		struct hk_session se = {.user_ref = 2, .expires_at = 5000};

		snprintf(se.csrf, sizeof(se.csrf), "csrf-a");
		ok(s->ops->session_create(s, "t-a", &se, 1000, &err), &err, k);
		se.bearer = true;
		se.csrf[0] = 0; /* a bearer session has no CSRF token: "" */
		se.expires_at = 6000;
		ok(s->ops->session_create(s, "t-b", &se, 1001, &err), &err, k);
		se.user_ref = 3;
		se.bearer = false;
		snprintf(se.csrf, sizeof(se.csrf), "csrf-c");
		ok(s->ops->session_create(s, "t-c", &se, 1002, &err), &err, k);
		se.user_ref = 2;
		ok(s->ops->session_create(s, "t-d", &se, 1003, &err), &err, k);
		/* the same token twice: the key breaks, a database failure */
		db_failed(s->ops->session_create(s, "t-d", &se, 1003, &err), &err,
			  k, "could not create a session");
	}
	q_check(p, "SELECT token_hash, user_ref, kind, csrf, created_at, "
		   "expires_at FROM sessions ORDER BY token_hash",
		"t-a|2|cookie|csrf-a|1000|5000\nt-b|2|bearer||1001|6000\n"
		"t-c|3|cookie|csrf-c|1002|6000\nt-d|2|cookie|csrf-c|1003|6000\n");
	EACH(p) {
		struct hk_err err = {0};
		struct hk_session se;
		bool found;

		/* alive while expires_at > now */
		for (int i = 0; i < 4; i++) {
			found = true;
			ok(s->ops->session_get(s, tokens[i], 4999, &se, &found, &err),
			   &err, k);
			session_line(k, tokens[i], found, &se);
		}
		ok(s->ops->session_get(s, "t-a", 5000, &se, &found, &err), &err,
		   k);
		session_line(k, "t-a@5000", found, &se);
		ok(s->ops->session_get(s, "nope", 0, &se, &found, &err), &err, k);
		session_line(k, "nope", found, &se);
	}
	out_check(p, &out_buf,
		  "t-a: user 2 cookie [csrf-a] until 5000\n"
		  "t-b: user 2 bearer [] until 6000\n"
		  "t-c: user 3 cookie [csrf-c] until 6000\n"
		  "t-d: user 2 cookie [csrf-c] until 6000\n"
		  "t-a@5000: none\nnope: none\n");
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->session_delete(s, "t-c", &err), &err, k);
		ok(s->ops->session_delete(s, "nope", &err), &err, k);
	}
	q_check(p, "SELECT token_hash FROM sessions ORDER BY token_hash",
		"t-a\nt-b\nt-d\n");
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->sessions_delete_user(s, 2, &err), &err, k);
		ok(s->ops->sessions_delete_user(s, 99, &err), &err, k);
	}
	q_check(p, "SELECT count(*) FROM sessions", "0\n");
}

/* ====================================================================
 * The audit trail
 * ==================================================================== */

static int audit_line(void *ctx, const struct hk_audit_rec *r)
{
	struct scan_ctx *c = ctx;

	outf(&out_buf, c->k, "%lld at %lld user %lld [%s] %s %s [%s] %s<-%s\n",
	     (long long)r->ref, (long long)r->at, (long long)r->user_ref,
	     r->client, r->action, r->target, r->detail, r->hash, r->prev_hash);
	return ++c->calls == c->stop_at;
}

static void test_audit(void **state)
{
	struct pair *p = *state;

	fixture(p);
	EACH(p) {
		struct hk_err err = {0};
		struct hk_audit_rec r = {0};
		char last[65] = "junk";
		struct scan_ctx c = {.k = k};

		ok(s->ops->audit_last_hash(s, last, &err), &err, k);
		assert_string_equal(last, "");
		ok(s->ops->audit_scan(s, audit_line, &c, &err), &err, k);
		assert_int_equal(c.calls, 0);
		for (int i = 1; i <= 3; i++) {
			r.at = 100 * i;
			r.user_ref = i == 2 ? 0 : i;
			snprintf(r.client, sizeof(r.client), "10.0.0.%d", i);
			snprintf(r.action, sizeof(r.action), "%s",
				 i == 1 ? "session.create" : "user.create");
			snprintf(r.target, sizeof(r.target), "user:%d", i);
			/* the second's detail is empty: "" stays "" */
			snprintf(r.detail, sizeof(r.detail), "%s",
				 i == 2 ? "" : "{\"k\":\"值\"}");
			snprintf(r.prev_hash, sizeof(r.prev_hash), "%s", last);
			snprintf(r.hash, sizeof(r.hash), "h%d", i);
			ok(s->ops->audit_append(s, &r, &err), &err, k);
			ok(s->ops->audit_last_hash(s, last, &err), &err, k);
			assert_string_equal(last, r.hash);
		}
	}
	q_check(p, "SELECT count(*) FROM audit_log WHERE detail = ''", "1\n");
	EACH(p) {
		struct hk_err err = {0};
		struct scan_ctx c = {.k = k};

		ok(s->ops->audit_scan(s, audit_line, &c, &err), &err, k);
		assert_int_equal(c.calls, 3);
		/* stopped by the callback after two: HK_EINTERNAL; the store
		 * is usable after it */
		c = (struct scan_ctx){.k = k, .stop_at = 2};
		assert_int_equal(s->ops->audit_scan(s, audit_line, &c, &err),
				 HK_EINTERNAL);
		assert_int_equal(c.calls, 2);
		char last[65];

		ok(s->ops->audit_last_hash(s, last, &err), &err, k);
		assert_string_equal(last, "h3");
	}
	out_check(p, &out_buf,
		  "1 at 100 user 1 [10.0.0.1] session.create user:1 [{\"k\":\"值\"}] h1<-\n"
		  "2 at 200 user 0 [10.0.0.2] user.create user:2 [] h2<-h1\n"
		  "3 at 300 user 3 [10.0.0.3] user.create user:3 [{\"k\":\"值\"}] h3<-h2\n"
		  "1 at 100 user 1 [10.0.0.1] session.create user:1 [{\"k\":\"值\"}] h1<-\n"
		  "2 at 200 user 0 [10.0.0.2] user.create user:2 [] h2<-h1\n");
}

/* ====================================================================
 * Teams and agencies
 * ==================================================================== */

static int name_line(void *ctx, int64_t ref, const char *name)
{
	outf(&out_buf, *(int *)ctx, "%lld %s\n", (long long)ref, name);
	return 1; /* ignored: every row is called back, as by the twin */
}

static void test_teams_agencies(void **state)
{
	struct pair *p = *state;
	static const char *const names[] = {"二组", "一组", "b", "B", "a"};

	fixture(p);
	EACH(p) {
		struct hk_err err = {0};
		int64_t ref = 0;

		ok(s->ops->teams_scan(s, name_line, &k, &err), &err, k);
		ok(s->ops->agencies_scan(s, name_line, &k, &err), &err, k);
		for (int i = 0; i < 5; i++) {
			ok(s->ops->team_create(s, names[i], &ref, &err), &err, k);
			assert_int_equal(ref, i + 1);
			ok(s->ops->agency_create(s, names[i], 500 + i, &ref, &err),
			   &err, k);
			assert_int_equal(ref, i + 1);
		}
		ref = -7;
		refused(s->ops->team_create(s, "b", &ref, &err), &err, k,
			"team b exists");
		assert_int_equal(ref, -7);
		refused(s->ops->agency_create(s, "一组", 9, &ref, &err), &err, k,
			"there is already an agency named 一组");
		assert_int_equal(ref, -7);
		ok(s->ops->team_create(s, "c", &ref, &err), &err, k);
		assert_int_equal(ref, 6);
		ok(s->ops->agency_create(s, "c", 9, &ref, &err), &err, k);
		assert_int_equal(ref, 6);
	}
	EACH(p) {
		struct hk_err err = {0};

		/* byte order: "B" < "a" < "b" < "c" < 一 (E4 B8 80) < 二
		 * (E4 BA 8C) */
		ok(s->ops->teams_scan(s, name_line, &k, &err), &err, k);
		ok(s->ops->agencies_scan(s, name_line, &k, &err), &err, k);
	}
	out_check(p, &out_buf,
		  "4 B\n5 a\n3 b\n6 c\n2 一组\n1 二组\n"
		  "4 B\n5 a\n3 b\n6 c\n2 一组\n1 二组\n");
	q_check(p, "SELECT ref, name, created_at, next_review FROM agencies "
		   "WHERE ref IN (1, 6) ORDER BY ref",
		"1|二组|500|NULL\n6|c|9|NULL\n");

	/* review dates */
	EACH(p) {
		struct hk_err err = {0};
		int32_t next = 0;
		bool found = false;

		ok(s->ops->agency_review_get(s, 1, &next, &found, &err), &err, k);
		assert_true(found);
		assert_int_equal(next, HK_DATE_NONE);
		ok(s->ops->agency_review_set(s, 1, 20300, &err), &err, k);
		ok(s->ops->agency_review_get(s, 1, &next, &found, &err), &err, k);
		assert_true(found);
		assert_int_equal(next, 20300);
		next = 5;
		ok(s->ops->agency_review_get(s, 77, &next, &found, &err), &err, k);
		assert_false(found);
		assert_int_equal(next, HK_DATE_NONE);
		ok(s->ops->agency_review_set(s, 77, 1, &err), &err, k);
	}
	q_check(p, "SELECT ref, next_review FROM agencies WHERE next_review "
		   "IS NOT NULL", "1|20300\n");
}

/* ====================================================================
 * Contracts
 * ==================================================================== */

static int contract_line(void *ctx, const struct hk_contract *c)
{
	outf(&out_buf, *(int *)ctx, "%lld ag %lld %d..%d ppm %d fee %lld settle %d\n",
	     (long long)c->ref, (long long)c->agency_ref, c->starts_on,
	     c->ends_on, c->commission_ppm, (long long)c->upfront_fee,
	     c->may_settle);
	return 1;
}

static void test_contracts(void **state)
{
	struct pair *p = *state;

	fixture(p);
	people(p);
	EACH(p) {
		struct hk_err err = {0};
		int64_t ref = 0, other = 0;
		struct hk_contract c = {.agency_ref = 1, .starts_on = 20000,
					.ends_on = 20100,
					.commission_ppm = 150000,
					.upfront_fee = 500};

		ok(s->ops->agency_create(s, "外包乙", 1, &other, &err), &err, k);
		ok(s->ops->contract_create(s, &c, 1, 7000, &ref, &err), &err, k);
		assert_int_equal(ref, 1);
		c.starts_on = 20200;
		c.ends_on = 20300;
		c.may_settle = true;
		c.upfront_fee = 0;
		ok(s->ops->contract_create(s, &c, 1, 7001, &ref, &err), &err, k);
		assert_int_equal(ref, 2);
		/* the same start as the first: the newer ref first */
		c.starts_on = 20000;
		c.commission_ppm = 1000000;
		ok(s->ops->contract_create(s, &c, 2, 7002, &ref, &err), &err, k);
		assert_int_equal(ref, 3);
		c.agency_ref = other;
		ok(s->ops->contract_create(s, &c, 2, 7003, &ref, &err), &err, k);
		assert_int_equal(ref, 4);
		/* the schema's checks: a database failure on both */
		c.commission_ppm = 1000001;
		db_failed(s->ops->contract_create(s, &c, 2, 7004, &ref, &err), &err,
			  k, "could not create a contract");
		c.commission_ppm = 0;
		c.ends_on = c.starts_on - 1;
		db_failed(s->ops->contract_create(s, &c, 2, 7004, &ref, &err), &err,
			  k, "could not create a contract");
	}
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->contracts_of_agency(s, 1, contract_line, &k, &err), &err,
		   k);
		ok(s->ops->contracts_of_agency(s, 9, contract_line, &k, &err), &err,
		   k);
	}
	out_check(p, &out_buf,
		  "2 ag 1 20200..20300 ppm 150000 fee 0 settle 1\n"
		  "3 ag 1 20000..20300 ppm 1000000 fee 0 settle 1\n"
		  "1 ag 1 20000..20100 ppm 150000 fee 500 settle 0\n");
	q_check(p, "SELECT ref, agency_ref, created_by, created_at FROM "
		   "agency_contracts ORDER BY ref",
		"1|1|1|7000\n2|1|1|7001\n3|1|2|7002\n4|2|2|7003\n");
}

/* ====================================================================
 * Placements
 * ==================================================================== */

static int placement_line(void *ctx, const struct hk_placement *x)
{
	outf(&out_buf, *(int *)ctx,
	     "%lld case %lld ag %lld [%s] k %lld by %lld@%lld until %d [%s] "
	     "recalled %lld@%lld [%s]\n",
	     (long long)x->ref, (long long)x->case_ref, (long long)x->agency_ref,
	     x->agency, (long long)x->contract_ref, (long long)x->placed_by,
	     (long long)x->placed_at, x->until, x->reason,
	     (long long)x->recalled_by, (long long)x->recalled_at,
	     x->recall_reason);
	return 1;
}

static void test_placements(void **state)
{
	struct pair *p = *state;

	fixture(p);
	people(p);
	EACH(p) {
		struct hk_err err = {0};
		struct hk_contract c = {.agency_ref = 1, .starts_on = 20000,
					.ends_on = 20300,
					.commission_ppm = 100000};
		int64_t ref;

		ok(s->ops->contract_create(s, &c, 1, 1, &ref, &err), &err, k);
		ok(s->ops->case_place(s, 1, 1, 1, 1, 10000, 20100, "逾期委外",
				      &err),
		   &err, k);
		refused(s->ops->case_place(s, 1, 1, 0, 2, 10001, 20100, "x", &err),
			&err, k, "the case is placed already; recall it first");
		ok(s->ops->case_place(s, 2, 1, 0, 2, 10001, 20050, "", &err), &err,
		   k);
		refused(s->ops->case_recall(s, 3, 1, 11000, "r", &err), &err, k,
			"the case is not placed with an agency");
	}
	q_check(p, "SELECT ref, agency_ref FROM cases ORDER BY ref",
		"1|1\n2|1\n3|NULL\n");
	/* the schema's triggers: the scope's copy, the changed cases */
	q_check(p, "SELECT case_ref, agency_ref FROM case_overdue ORDER BY "
		   "case_ref", "1|1\n2|1\n");
	q_check(p, "SELECT case_ref FROM case_dirty ORDER BY case_ref",
		"1\n2\n");
	q_check(p, "SELECT ref, contract_ref, reason FROM placements ORDER BY ref",
		"1|1|逾期委外\n2|NULL|\n");
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->case_recall(s, 1, 1, 12000, "收回", &err), &err, k);
		refused(s->ops->case_recall(s, 1, 1, 12001, "again", &err), &err,
			k, "the case is not placed with an agency");
		ok(s->ops->case_place(s, 1, 1, 1, 2, 13000, 20200, "again", &err),
		   &err, k);
	}
	EACH(p) {
		struct hk_err err = {0};

		for (int64_t c = 1; c <= 3; c++)
			ok(s->ops->placements_of_case(s, c, placement_line, &k, &err),
			   &err, k);
	}
	out_check(p, &out_buf,
		  "1 case 1 ag 1 [外包甲] k 1 by 1@10000 until 20100 [逾期委外] "
		  "recalled 1@12000 [收回]\n"
		  "3 case 1 ag 1 [外包甲] k 1 by 2@13000 until 20200 [again] "
		  "recalled 0@0 []\n"
		  "2 case 2 ag 1 [外包甲] k 0 by 2@10001 until 20050 [] "
		  "recalled 0@0 []\n");

	/* day-end: only placements whose until is before the date */
	x(p, "DELETE FROM case_dirty");
	EACH(p) {
		struct hk_err err = {0};
		int n = -1;

		ok(s->ops->placements_expire(s, 20050, 14000, &n, &err), &err, k);
		assert_int_equal(n, 0); /* until 20050 is not before 20050 */
		ok(s->ops->placements_expire(s, 20101, 14001, &n, &err), &err, k);
		assert_int_equal(n, 1);
		ok(s->ops->placements_expire(s, 20101, 14002, &n, &err), &err, k);
		assert_int_equal(n, 0);
	}
	q_check(p, "SELECT ref, COALESCE(recalled_by, -1), recalled_at, "
		   "recall_reason FROM placements ORDER BY ref",
		"1|1|12000|收回\n2|-1|14001|placement period ended\n"
		"3|-1|NULL|NULL\n");
	q_check(p, "SELECT ref, agency_ref FROM cases ORDER BY ref",
		"1|1\n2|NULL\n3|NULL\n");
	q_check(p, "SELECT case_ref, agency_ref FROM case_overdue ORDER BY "
		   "case_ref", "1|1\n2|NULL\n");
	q_check(p, "SELECT case_ref FROM case_dirty ORDER BY case_ref", "2\n");

	/* a rolled-back placement leaves nothing behind */
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->begin(s, &err), &err, k);
		ok(s->ops->case_place(s, 3, 1, 0, 1, 15000, 20300, "tx", &err),
		   &err, k);
		refused(s->ops->case_place(s, 3, 1, 0, 1, 15000, 20300, "tx",
					   &err),
			&err, k, "the case is placed already; recall it first");
		ok(s->ops->rollback(s), &err, k);
	}
	q_check(p, "SELECT count(*) FROM placements WHERE case_ref = 3", "0\n");
	q_check(p, "SELECT agency_ref FROM cases WHERE ref = 3", "NULL\n");
	/* and a committed one after a refusal in the same transaction */
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->begin(s, &err), &err, k);
		refused(s->ops->case_place(s, 1, 1, 0, 1, 15000, 20300, "tx",
					   &err),
			&err, k, "the case is placed already; recall it first");
		ok(s->ops->case_place(s, 3, 1, 0, 1, 15000, 20300, "tx", &err),
		   &err, k);
		ok(s->ops->commit(s, &err), &err, k);
	}
	q_check(p, "SELECT case_ref, reason FROM placements WHERE case_ref = 3",
		"3|tx\n");
	/* The one difference: PostgreSQL's identity sequence is not rolled
	 * back, so the rolled-back placement's ref 4 stays used; SQLite
	 * hands out max(ref) + 1 again. */
	for (int k = 0; k < p->n; k++)
		assert_string_equal(
			q_side(p, k, "SELECT ref FROM placements WHERE case_ref = 3"),
			k == SQ ? "4\n" : "5\n");
	q_check(p, "SELECT agency_ref FROM cases WHERE ref = 3", "1\n");
}

/* ====================================================================
 * An agency's statement
 * ==================================================================== */

static int statement_line(void *ctx, const struct hk_statement_row *r)
{
	outf(&out_buf, *(int *)ctx,
	     "%lld case %lld %d..%d ppm %d fee %lld recovered %lld\n",
	     (long long)r->placement_ref, (long long)r->case_ref, r->placed_on,
	     r->ends_on, r->commission_ppm, (long long)r->upfront_fee,
	     (long long)r->recovered);
	return 1;
}

#define AT(day, hour) ((int64_t)(day) * 86400 + (hour) * 3600)

static void test_statement(void **state)
{
	struct pair *p = *state;

	fixture(p);
	people(p);
	/* case 1: 100 before the period, 200 and 300 in placement 1's
	 * window, 400 and 500 in placement 3's, 600 after it; case 2: 1000
	 * before placement 2, 2000 and 3000 in it, 4000 after it; case 3
	 * (another agency's) 7 */
	x(p, "INSERT INTO payments (payment_id, account_ref, paid_on, amount, "
	     "channel) VALUES ('p1', 1, 20002, 100, 'online'), "
	     "('p2', 1, 20003, 200, 'online'), ('p3', 2, 20010, 300, 'online'), "
	     "('p4', 1, 20011, 400, 'online'), ('p5', 2, 20020, 500, 'online'), "
	     "('p6', 1, 20021, 600, 'online'), ('q1', 3, 20004, 1000, 'online'), "
	     "('q2', 3, 20005, 2000, 'online'), ('q3', 3, 20008, 3000, 'online'), "
	     "('q4', 3, 20009, 4000, 'online'), ('r1', 4, 20010, 7, 'online')");
	EACH(p) {
		struct hk_err err = {0};
		struct hk_contract c = {.agency_ref = 1, .starts_on = 19000,
					.ends_on = 21000,
					.commission_ppm = 150000,
					.upfront_fee = 500};
		int64_t ref, other;

		ok(s->ops->contract_create(s, &c, 1, 1, &ref, &err), &err, k);
		ok(s->ops->agency_create(s, "外包乙", 1, &other, &err), &err, k);
		/* 1: placed 20:00 UTC on 20000, 04:00 on 20001 in Shanghai;
		 * recalled 01:00 on 20011 local, so it ends on 20010 */
		ok(s->ops->case_place(s, 1, 1, 1, 1, AT(20000, 20), 20030, "a",
				      &err),
		   &err, k);
		/* 2: 20005 to its until, 20008 (recalled later) */
		ok(s->ops->case_place(s, 2, 1, 1, 1, AT(20005, 0), 20008, "b",
				      &err),
		   &err, k);
		ok(s->ops->case_recall(s, 1, 1, AT(20010, 17), "r", &err), &err, k);
		/* 3: no contract, 10:00 on 20011 local, open to 20020 */
		ok(s->ops->case_place(s, 1, 1, 0, 1, AT(20011, 2), 20020, "c",
				      &err),
		   &err, k);
		ok(s->ops->case_recall(s, 2, 1, AT(20012, 0), "r", &err), &err, k);
		/* 4: another agency's; 5: after the period */
		ok(s->ops->case_place(s, 3, other, 0, 1, AT(20001, 0), 20030, "d",
				      &err),
		   &err, k);
		ok(s->ops->case_place(s, 2, 1, 1, 1, AT(20040, 0), 20050, "e",
				      &err),
		   &err, k);
	}
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->agency_statement(s, 1, 20003, 20030, statement_line, &k,
					    &err),
		   &err, k);
		outf(&out_buf, k, "--\n");
		/* a period the first two windows reach */
		ok(s->ops->agency_statement(s, 1, 19990, 20005, statement_line, &k,
					    &err),
		   &err, k);
		outf(&out_buf, k, "--\n");
		ok(s->ops->agency_statement(s, 2, 20000, 20100, statement_line, &k,
					    &err),
		   &err, k);
		outf(&out_buf, k, "--\n");
		ok(s->ops->agency_statement(s, 9, 20000, 20100, statement_line, &k,
					    &err),
		   &err, k);
		ok(s->ops->agency_statement(s, 1, 20031, 20039, statement_line, &k,
					    &err),
		   &err, k);
	}
	out_check(p, &out_buf,
		  "1 case 1 20001..20010 ppm 150000 fee 500 recovered 500\n"
		  "2 case 2 20005..20008 ppm 150000 fee 500 recovered 5000\n"
		  "3 case 1 20011..20020 ppm 0 fee 0 recovered 900\n"
		  "--\n"
		  "1 case 1 20001..20010 ppm 150000 fee 500 recovered 300\n"
		  "2 case 2 20005..20008 ppm 150000 fee 500 recovered 2000\n"
		  "--\n"
		  "4 case 3 20001..20030 ppm 0 fee 0 recovered 7\n"
		  "--\n");
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_users, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_refusal_in_transaction,
						pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_sessions, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_audit, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_teams_agencies, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_contracts, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_placements, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_statement, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_postgresql_side, pair_setup,
						pair_teardown),
	};

	/* local dates of the statement: eight hours east of UTC */
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
