/*
 * test_pg_ledger.c - the ledger operations of the PostgreSQL backend
 * (src/store/store_pg_ledger.c: import, day-end, export) against their
 * SQLite twins.  Every test runs the same calls on a fresh SQLite store and,
 * when $HUIKUAN_TEST_PG names a server (scripts/pg-cluster.sh), on a fresh
 * PostgreSQL database created for the test; it asserts that both give the
 * same results and that these are the hand-computed ones.  The tables the
 * operations write are read back with plain SQL on a second connection of
 * each backend (the same query text on both).
 *
 * Only the ledger operations and the core ones (migrate, transactions,
 * meta) are called: the other areas of the PostgreSQL backend may not be
 * ported yet.  Without $HUIKUAN_TEST_PG only the SQLite side runs, and the
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "hk/store.h"

enum { SQ, PG, NB };
static const char *const side_name[NB] = {"sqlite", "postgresql"};

/* ====================================================================
 * A pair of fresh stores
 * ==================================================================== */

struct pair {
	int n; /* backends in use: 1 (SQLite only) or 2 */
	struct hk_store *s[NB];
	char dir[64], path[96];
	sqlite3 *sq;           /* SQLite, a second connection */
	PGconn *admin, *pg;    /* the server's database; the test's */
	char pg_db[64];
};

static const char *pg_uri(void)
{
	const char *uri = getenv("HUIKUAN_TEST_PG");

	return uri && *uri ? uri : NULL;
}

static void pg_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		fail_msg("postgresql: %s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

/* The connection string of database `db` on the server `admin` is on. */
static void conninfo_for(PGconn *admin, const char *db, char *buf, size_t cap)
{
	PQconninfoOption *opt = PQconninfo(admin);
	size_t n = 0;

	assert_non_null(opt);
	for (PQconninfoOption *o = opt; o->keyword; o++)
		if (o->val && *o->val &&
		    (!strcmp(o->keyword, "host") || !strcmp(o->keyword, "port") ||
		     !strcmp(o->keyword, "user")))
			n += (size_t)snprintf(buf + n, cap - n, "%s='%s' ",
					      o->keyword, o->val);
	snprintf(buf + n, cap - n, "dbname='%s'", db);
	PQconninfoFree(opt);
}

/* Apply a local schema file before migrating (HK_TEST_PG_SCHEMA), for
 * running against a server before the baseline migration exists. */
static void pg_apply_schema_file(PGconn *c)
{
	const char *path = getenv("HK_TEST_PG_SCHEMA");
	static char text[1 << 16];
	FILE *f;
	size_t n;

	if (!path || !*path)
		return;
	assert_non_null(f = fopen(path, "r"));
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	pg_ok(c, text);
}

static int pair_setup(void **state)
{
	static unsigned serial;
	struct pair *p = calloc(1, sizeof(*p));
	struct hk_err err = {0};

	assert_non_null(p);
	p->n = pg_uri() ? 2 : 1;
	snprintf(p->dir, sizeof(p->dir), "/tmp/hk_test_pg_ledger_XXXXXX");
	assert_non_null(mkdtemp(p->dir));
	snprintf(p->path, sizeof(p->path), "%s/huikuan.db", p->dir);
	assert_int_equal(hk_store_sqlite_open(p->path, HK_LANG_EN, &p->s[SQ], &err),
			 HK_OK);
	assert_int_equal(p->s[SQ]->ops->migrate(p->s[SQ], &err), HK_OK);
	assert_int_equal(sqlite3_open(p->path, &p->sq), SQLITE_OK);
	sqlite3_busy_timeout(p->sq, 5000);
	if (p->n == 2) {
		char sql[128], info[512];

		p->admin = PQconnectdb(pg_uri());
		if (PQstatus(p->admin) != CONNECTION_OK)
			fail_msg("HUIKUAN_TEST_PG: %s", PQerrorMessage(p->admin));
		snprintf(p->pg_db, sizeof(p->pg_db), "hk_test_pg_ledger_%d_%u",
			 (int)getpid(), serial++);
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", p->pg_db);
		pg_ok(p->admin, sql);
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", p->pg_db);
		pg_ok(p->admin, sql);
		conninfo_for(p->admin, p->pg_db, info, sizeof(info));
		p->pg = PQconnectdb(info);
		if (PQstatus(p->pg) != CONNECTION_OK)
			fail_msg("%s: %s", info, PQerrorMessage(p->pg));
		pg_ok(p->pg, "SET client_min_messages = warning");
		pg_apply_schema_file(p->pg);
		if (hk_store_pg_open(info, HK_LANG_EN, &p->s[PG], &err) != HK_OK)
			fail_msg("could not open the PostgreSQL store: %s", err.msg);
		if (p->s[PG]->ops->migrate(p->s[PG], &err) != HK_OK)
			fail_msg("migrate: %s", err.msg);
	}
	*state = p;
	return 0;
}

static int pair_teardown(void **state)
{
	struct pair *p = *state;
	char path[128];

	if (!p)
		return 0;
	for (int k = 0; k < NB; k++)
		if (p->s[k])
			hk_store_close(p->s[k]);
	sqlite3_close(p->sq);
	unlink(p->path);
	snprintf(path, sizeof(path), "%s-wal", p->path);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", p->path);
	unlink(path);
	rmdir(p->dir);
	if (p->pg)
		PQfinish(p->pg);
	if (p->admin) {
		char sql[128];

		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)",
			 p->pg_db);
		PQclear(PQexec(p->admin, sql));
		PQfinish(p->admin);
	}
	free(p);
	*state = NULL;
	return 0;
}

/* Every store of the pair in turn: `s` and `k` (SQ or PG) in the body. */
#define EACH(p)                                                                \
	for (int k = 0, k_once = 1; k < (p)->n; k++, k_once = 1)               \
		for (struct hk_store *s = (p)->s[k]; k_once; k_once = 0)

/* ---- plain SQL on the second connections ---------------------------- */

#define QBUF 16384
static char qbuf[NB][QBUF];

/* The rows of `sql` on one side as "a|b|c\n" lines, NULL as "NULL". */
static const char *q_side(struct pair *p, int k, const char *sql)
{
	char *b = qbuf[k];
	size_t n = 0;

	b[0] = 0;
	if (k == SQ) {
		sqlite3_stmt *st;
		int rc;

		if (sqlite3_prepare_v2(p->sq, sql, -1, &st, NULL) != SQLITE_OK)
			fail_msg("sqlite: %s: %s", sql, sqlite3_errmsg(p->sq));
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(st); c++) {
				const unsigned char *v = sqlite3_column_text(st, c);

				n += (size_t)snprintf(b + n, QBUF - n, "%s%s",
						      c ? "|" : "",
						      v ? (const char *)v : "NULL");
			}
			n += (size_t)snprintf(b + n, QBUF - n, "\n");
		}
		if (rc != SQLITE_DONE)
			fail_msg("sqlite: %s: %s", sql, sqlite3_errmsg(p->sq));
		sqlite3_finalize(st);
	} else {
		PGresult *r = PQexec(p->pg, sql);

		if (PQresultStatus(r) != PGRES_TUPLES_OK &&
		    PQresultStatus(r) != PGRES_COMMAND_OK)
			fail_msg("postgresql: %s: %s", sql, PQerrorMessage(p->pg));
		for (int i = 0; i < PQntuples(r); i++) {
			for (int c = 0; c < PQnfields(r); c++)
				n += (size_t)snprintf(
					b + n, QBUF - n, "%s%s", c ? "|" : "",
					PQgetisnull(r, i, c) ? "NULL"
							     : PQgetvalue(r, i, c));
			n += (size_t)snprintf(b + n, QBUF - n, "\n");
		}
		PQclear(r);
	}
	assert_true(n < QBUF - 1);
	return b;
}

/* The same on every side, asserted equal; SQLite's text. */
static const char *q(struct pair *p, const char *sql)
{
	for (int k = 0; k < p->n; k++)
		q_side(p, k, sql);
	if (p->n == 2 && strcmp(qbuf[SQ], qbuf[PG]))
		fail_msg("%s\n-- sqlite:\n%s-- postgresql:\n%s", sql, qbuf[SQ],
			 qbuf[PG]);
	return qbuf[SQ];
}

/* A statement on every side (fixtures the ledger ops do not write). */
static void x(struct pair *p, const char *sql)
{
	for (int k = 0; k < p->n; k++)
		q_side(p, k, sql);
}

/* ---- collected results ---------------------------------------------- */

struct out {
	char text[NB][QBUF];
	size_t n[NB];
};

static void outf(struct out *o, int k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	o->n[k] += (size_t)vsnprintf(o->text[k] + o->n[k], QBUF - o->n[k], fmt,
				     ap);
	va_end(ap);
	assert_true(o->n[k] < QBUF - 1);
}

/* Both sides gave the same text, and it is `want`. */
static void out_check(const struct pair *p, const struct out *o,
		      const char *want)
{
	for (int k = 0; k < p->n; k++)
		if (strcmp(o->text[k], want))
			fail_msg("%s gave:\n%s-- want:\n%s", side_name[k],
				 o->text[k], want);
}

static void out_reset(struct out *o)
{
	memset(o, 0, sizeof(*o));
}

/* ---- fixtures through the ledger ops -------------------------------- */

static void ok(enum hk_rc rc, const struct hk_err *err, int k)
{
	if (rc != HK_OK)
		fail_msg("%s: rc %d: %s", side_name[k], rc, err->msg);
}

static void debtor(struct pair *p, const char *id, int kind)
{
	struct hk_debtor_rec rec = {.debtor_id = id, .name = "测试债务人",
				    .kind = kind, .segment = "",
				    .province = "广东"};
	struct hk_err err = {0};

	EACH(p) ok(s->ops->insert_debtor(s, &rec, &err), &err, k);
}

static int64_t ref_of(struct pair *p, int kind, const char *id)
{
	int64_t ref = -1;

	EACH(p) {
		struct hk_found f;
		struct hk_err err = {0};

		ok(s->ops->lookup(s, kind, id, &f, &err), &err, k);
		if (ref >= 0)
			assert_int_equal(f.ref, ref);
		ref = f.ref;
	}
	return ref;
}

static int64_t account(struct pair *p, const char *id, int64_t debtor_ref,
		       const char *creditor, int product, int32_t open_date)
{
	struct hk_account_rec rec = {
		.account_id = id, .debtor_ref = debtor_ref, .creditor = creditor,
		.product = product, .principal = 100000, .annual_ppm = 120000,
		.penalty_ppm = 180000, .open_date = open_date};
	struct hk_err err = {0};

	EACH(p) ok(s->ops->insert_account(s, &rec, &err), &err, k);
	return ref_of(p, HK_ID_ACCOUNT, id);
}

static void inst(struct pair *p, int64_t account_ref, int seq, int32_t due,
		 int64_t principal, int64_t interest, int64_t fee)
{
	struct hk_installment_rec rec = {.account_ref = account_ref, .seq = seq,
					 .due = due, .principal = principal,
					 .interest = interest, .fee = fee};
	struct hk_err err = {0};

	EACH(p) ok(s->ops->insert_installment(s, &rec, &err), &err, k);
}

static void payment(struct pair *p, const char *id, int64_t account_ref,
		    int32_t paid_on, int64_t amount)
{
	struct hk_payment_rec rec = {.payment_id = id, .account_ref = account_ref,
				     .paid_on = paid_on, .amount = amount,
				     .channel = "online", .reference = ""};
	struct hk_err err = {0};

	EACH(p) ok(s->ops->insert_payment(s, &rec, &err), &err, k);
}

static void waiver(struct pair *p, int64_t account_ref, int32_t on,
		   int component, int64_t amount)
{
	struct hk_waiver_rec rec = {.account_ref = account_ref,
				    .approved_on = on, .component = component,
				    .amount = amount, .approved_by = "boss",
				    .reason = NULL};
	struct hk_err err = {0};

	EACH(p) ok(s->ops->insert_waiver(s, &rec, &err), &err, k);
}

static int64_t case_of(struct pair *p, int64_t debtor_ref, const char *creditor)
{
	int64_t ref = -1;

	EACH(p) {
		int64_t c = -1;
		struct hk_err err = {0};

		ok(s->ops->case_find(s, debtor_ref, creditor, &c, &err), &err, k);
		if (ref >= 0)
			assert_int_equal(c, ref);
		ref = c;
	}
	return ref;
}

static void promise(struct pair *p, int64_t case_ref, int32_t made_on,
		    int32_t due_on, int64_t amount)
{
	struct hk_promise_rec rec = {.case_ref = case_ref, .made_on = made_on,
				     .due_on = due_on, .amount = amount};
	struct hk_err err = {0};

	EACH(p) ok(s->ops->insert_promise(s, &rec, &err), &err, k);
}

/* A state as day-end would save it (only the fields the tests vary). */
static struct hk_summary summary(int32_t win_start, int32_t first_unpaid,
				 int64_t op, int64_t oi, int64_t of,
				 int64_t pd, int64_t daily)
{
	struct hk_summary sm = {
		.anchor = win_start, .win_start = win_start,
		.win_end = win_start + 9, .first_unpaid_due = first_unpaid,
		.overdue_principal = op, .overdue_interest = oi,
		.overdue_fee = of, .penalty_due = pd, .penalty_accrued = pd + 7,
		.daily_penalty = daily, .principal_outstanding = 90000,
		.credit_balance = 3, .paid_total = 11, .waived_total = 13};

	return sm;
}

/* account_get then state_save on every side. */
static void save_state(struct pair *p, int64_t ref, const struct hk_summary *sm)
{
	EACH(p) {
		struct hk_acct_row row;
		struct hk_err err = {0};
		bool found = false;

		ok(s->ops->account_get(s, ref, &row, &found, &err), &err, k);
		assert_true(found);
		ok(s->ops->state_save(s, &row, sm, &err), &err, k);
	}
}

/* ====================================================================
 * Import
 * ==================================================================== */

static void test_import_and_lookup(void **state)
{
	struct pair *p = *state;
	int64_t d1, d2, a1, a2, a3, c1, c2;

	debtor(p, "D1", HK_DEBTOR_PERSON);
	debtor(p, "D2", HK_DEBTOR_COMPANY);
	d1 = ref_of(p, HK_ID_DEBTOR, "D1");
	d2 = ref_of(p, HK_ID_DEBTOR, "D2");
	assert_int_equal(d1, 1);
	assert_int_equal(d2, 2);
	EACH(p) {
		struct hk_found f;
		struct hk_err err = {0};

		ok(s->ops->lookup(s, HK_ID_DEBTOR, "D2", &f, &err), &err, k);
		assert_int_equal(f.kind, HK_DEBTOR_COMPANY);
		ok(s->ops->lookup(s, HK_ID_DEBTOR, "D1", &f, &err), &err, k);
		assert_int_equal(f.kind, HK_DEBTOR_PERSON);
		ok(s->ops->lookup(s, HK_ID_DEBTOR, "nobody", &f, &err), &err, k);
		assert_int_equal(f.ref, 0);
		ok(s->ops->lookup(s, HK_ID_PAYMENT, "", &f, &err), &err, k);
		assert_int_equal(f.ref, 0);
		assert_int_equal(s->ops->lookup(s, 9, "D1", &f, &err),
				 HK_EINTERNAL);
		assert_string_equal(err.msg, "bad lookup kind 9");
	}
	/* "" is stored as NULL, like SQLite's bind_text */
	assert_string_equal(q(p, "SELECT ref, debtor_id, name, kind, "
				 "id_number IS NULL, segment IS NULL, province "
				 "FROM debtors ORDER BY ref"),
			    "1|D1|测试债务人|person|1|1|广东\n"
			    "2|D2|测试债务人|company|1|1|广东\n");

	/* a contact, and a duplicate refused with the same code and what */
	EACH(p) {
		struct hk_contact_rec rec = {.contact_id = "C1", .debtor_ref = d1,
					     .relation = "self", .name = "",
					     .phone = "13800000000",
					     .authorized = true};
		struct hk_err err = {0};

		ok(s->ops->insert_contact(s, &rec, &err), &err, k);
		assert_int_equal(s->ops->insert_contact(s, &rec, &err), HK_EDB);
		assert_memory_equal(err.msg, "could not insert a contact: ", 28);
	}
	assert_int_equal(ref_of(p, HK_ID_CONTACT, "C1"), 1);
	assert_string_equal(q(p, "SELECT contact_id, debtor_ref, relation, "
				 "name IS NULL, phone, authorized, validity "
				 "FROM contacts"),
			    "C1|1|self|1|13800000000|1|unverified\n");

	/* accounts: two products of one case, another creditor's case */
	a1 = account(p, "A1", d1, "BankA", HK_PRODUCT_CREDIT_CARD, 100);
	a2 = account(p, "A2", d1, "BankA", HK_PRODUCT_CONSUMER_LOAN, 101);
	a3 = account(p, "A3", d2, "BankB", HK_PRODUCT_INVOICE, 102);
	assert_int_equal(a1, 1);
	assert_int_equal(a2, 2);
	assert_int_equal(a3, 3);
	c1 = case_of(p, d1, "BankA");
	c2 = case_of(p, d2, "BankB");
	/* the second account of case 1 takes no case number: the next case
	 * is 2 on both backends */
	assert_int_equal(c1, 1);
	assert_int_equal(c2, 2);
	assert_int_equal(case_of(p, d1, "BankB"), 0);
	assert_int_equal(case_of(p, d2, "BankA"), 0);
	/* products: credit_card 1 | consumer_loan 2; invoice 8 */
	assert_string_equal(q(p, "SELECT ref, debtor_ref, creditor, status, "
				 "products FROM cases ORDER BY ref"),
			    "1|1|BankA|new|3\n2|2|BankB|new|8\n");
	assert_string_equal(q(p, "SELECT ref, account_id, debtor_ref, case_ref, "
				 "creditor, product, principal, annual_ppm, "
				 "penalty_ppm, open_date FROM accounts ORDER BY ref"),
			    "1|A1|1|1|BankA|credit_card|100000|120000|180000|100\n"
			    "2|A2|1|1|BankA|consumer_loan|100000|120000|180000|101\n"
			    "3|A3|2|2|BankB|invoice|100000|120000|180000|102\n");
	/* the cases' triggers marked them changed for the strategy */
	assert_string_equal(q(p, "SELECT case_ref FROM case_dirty ORDER BY 1"),
			    "1\n2\n");

	/* an account's lookup, before and after its schedule */
	EACH(p) {
		struct hk_found f;
		struct hk_err err = {0};

		ok(s->ops->lookup(s, HK_ID_ACCOUNT, "A2", &f, &err), &err, k);
		assert_int_equal(f.ref, 2);
		assert_int_equal(f.case_ref, 1);
		assert_int_equal(f.open_date, 101);
		assert_int_equal(f.principal, 100000);
		assert_false(f.has_schedule);
	}
	inst(p, a2, 1, 130, 50000, 1000, 500);
	EACH(p) {
		struct hk_found f;
		struct hk_err err = {0};

		ok(s->ops->lookup(s, HK_ID_ACCOUNT, "A2", &f, &err), &err, k);
		assert_true(f.has_schedule);
	}
	/* a new account's schedule is not news (booked 1); one added after
	 * day-end saved the account's state is (booked 0) */
	save_state(p, a1, &(struct hk_summary){.win_end = 200,
					       .first_unpaid_due = HK_DATE_NONE});
	inst(p, a1, 1, 150, 100000, 0, 0);
	assert_string_equal(q(p, "SELECT account_ref, seq, due_date, "
				 "sched_principal, sched_interest, sched_fee, "
				 "principal, interest, fee, penalty, "
				 "penalty_accrued, booked FROM installments "
				 "ORDER BY account_ref, seq"),
			    "1|1|150|100000|0|0|100000|0|0|0|0|0\n"
			    "2|1|130|50000|1000|500|50000|1000|500|0|0|1\n");

	/* payments, waivers, promises */
	payment(p, "P1", a1, 140, 2500);
	EACH(p) {
		struct hk_payment_rec rec = {.payment_id = "P2", .account_ref = a3,
					     .paid_on = 141, .amount = 700,
					     .channel = "bank_transfer",
					     .reference = "BANK-9"};
		struct hk_err err = {0};

		ok(s->ops->insert_payment(s, &rec, &err), &err, k);
		rec.amount = 0; /* CHECK (amount > 0) on both */
		rec.payment_id = "P3";
		assert_int_equal(s->ops->insert_payment(s, &rec, &err), HK_EDB);
		assert_memory_equal(err.msg, "could not insert a payment: ", 28);
	}
	assert_int_equal(ref_of(p, HK_ID_PAYMENT, "P2"), 2);
	assert_string_equal(q(p, "SELECT payment_id, account_ref, paid_on, "
				 "amount, channel, reference FROM payments "
				 "WHERE payment_id IN ('P1', 'P2') ORDER BY ref"),
			    "P1|1|140|2500|online|NULL\n"
			    "P2|3|141|700|bank_transfer|BANK-9\n");
	waiver(p, a3, 142, HK_COMP_PENALTY, 300);
	assert_string_equal(q(p, "SELECT ref, account_ref, approved_on, "
				 "component, amount, approved_by, reason "
				 "FROM waivers"),
			    "1|3|142|0|300|boss|NULL\n");
	x(p, "DELETE FROM case_dirty");
	promise(p, c2, 140, 150, 9900);
	/* the promise's triggers: the case's latest promise status, and the
	 * case marked changed */
	assert_string_equal(q(p, "SELECT ref, case_ref, made_on, due_on, amount, "
				 "status, evaluated_on FROM promises"),
			    "1|2|140|150|9900|0|NULL\n");
	assert_string_equal(q(p, "SELECT ref, promise_status FROM cases "
				 "ORDER BY ref"),
			    "1|NULL\n2|0\n");
	assert_string_equal(q(p, "SELECT case_ref FROM case_dirty"), "2\n");
}

/* A third account of an existing case with a new product: the bit is
 * added and the case marked changed; the same product again changes
 * nothing. */
static void test_case_products(void **state)
{
	struct pair *p = *state;
	int64_t d1;

	debtor(p, "D1", HK_DEBTOR_PERSON);
	d1 = ref_of(p, HK_ID_DEBTOR, "D1");
	account(p, "A1", d1, "BankA", HK_PRODUCT_CREDIT_CARD, 100);
	x(p, "DELETE FROM case_dirty");
	account(p, "A2", d1, "BankA", HK_PRODUCT_CREDIT_CARD, 100);
	assert_string_equal(q(p, "SELECT count(*) FROM case_dirty"), "0\n");
	account(p, "A3", d1, "BankA", HK_PRODUCT_OTHER, 100);
	assert_string_equal(q(p, "SELECT ref, products FROM cases"), "1|17\n");
	assert_string_equal(q(p, "SELECT case_ref FROM case_dirty"), "1\n");
	/* a missing creditor fails on both (NOT NULL) */
	EACH(p) {
		struct hk_account_rec rec = {.account_id = "A4", .debtor_ref = d1,
					     .creditor = "", .open_date = 1};
		struct hk_err err = {0};

		assert_int_equal(s->ops->insert_account(s, &rec, &err), HK_EDB);
		assert_memory_equal(err.msg, "could not insert a case: ", 25);
	}
	assert_string_equal(q(p, "SELECT count(*) FROM accounts"), "3\n");
}

/* ====================================================================
 * Day-end
 * ==================================================================== */

static int inst_count(void *ctx, const struct hk_inst *in)
{
	(void)in;
	++*(int *)ctx;
	return 0;
}

static int acct_ignore(void *ctx, const struct hk_acct_row *r)
{
	(void)ctx;
	(void)r;
	return 0;
}

struct acct_ctx {
	struct out *o;
	int k;
	int stop_after; /* stop at this row (0: never) */
	int rows;
	struct hk_err *err;       /* set when stopping, if given */
	struct hk_store *s;       /* read the store again per row, if given */
};

static int acct_collect(void *ctx, const struct hk_acct_row *r)
{
	struct acct_ctx *c = ctx;
	const struct hk_summary *sm = &r->summary;

	c->rows++;
	outf(c->o, c->k, "%lld %s p%d o%d %d/%d c%lld %s%s", (long long)r->ref,
	     r->account_id ? r->account_id : "-", r->product, r->open_date,
	     r->annual_ppm, r->penalty_ppm, (long long)r->case_ref,
	     r->has_state ? "state" : "new", r->lean ? " lean" : "");
	if (r->has_state)
		outf(c->o, c->k,
		     " a%d w%d-%d f%d %lld+%lld+%lld pd%lld pa%lld d%lld "
		     "po%lld cb%lld pt%lld wt%lld",
		     sm->anchor, sm->win_start, sm->win_end, sm->first_unpaid_due,
		     (long long)sm->overdue_principal,
		     (long long)sm->overdue_interest, (long long)sm->overdue_fee,
		     (long long)sm->penalty_due, (long long)sm->penalty_accrued,
		     (long long)sm->daily_penalty,
		     (long long)sm->principal_outstanding,
		     (long long)sm->credit_balance, (long long)sm->paid_total,
		     (long long)sm->waived_total);
	if (c->s) {
		/* the export reads installments inside its scan */
		struct hk_err e = {0};
		int n = 0;

		ok(c->s->ops->installments_load(c->s, r->ref, inst_count, &n, &e),
		   &e, c->k);
		outf(c->o, c->k, " i%d", n);
	}
	outf(c->o, c->k, "\n");
	if (c->stop_after && c->rows == c->stop_after) {
		if (c->err)
			hk_err_set(c->err, HK_EREFUSED, "stopped by the callback");
		return 1;
	}
	return 0;
}

static void test_accounts_scan_and_get(void **state)
{
	struct pair *p = *state;
	static struct out o;
	int64_t d1, d2;

	debtor(p, "D1", HK_DEBTOR_PERSON);
	debtor(p, "D2", HK_DEBTOR_PERSON);
	d1 = ref_of(p, HK_ID_DEBTOR, "D1");
	d2 = ref_of(p, HK_ID_DEBTOR, "D2");
	EACH(p) {
		int64_t max = -1;
		struct hk_err err = {0};

		ok(s->ops->account_max_ref(s, &max, &err), &err, k);
		assert_int_equal(max, 0);
	}
	account(p, "A1", d1, "BankA", HK_PRODUCT_CREDIT_CARD, 100);
	account(p, "A2", d1, "BankA", HK_PRODUCT_BUSINESS_LOAN, 101);
	account(p, "A3", d2, "BankA", HK_PRODUCT_OTHER, 102);
	EACH(p) {
		int64_t max = -1;
		struct hk_err err = {0};

		ok(s->ops->account_max_ref(s, &max, &err), &err, k);
		assert_int_equal(max, 3);
	}

	/* before any day-end: every account new, whole, products parsed */
	out_reset(&o);
	EACH(p) {
		struct acct_ctx c = {.o = &o, .k = k};
		struct hk_err err = {0};

		ok(s->ops->accounts_scan(s, 1, 3, acct_collect, &c, &err), &err, k);
	}
	out_check(p, &o,
		  "1 - p0 o100 120000/180000 c1 new\n"
		  "2 - p2 o101 120000/180000 c1 new\n"
		  "3 - p4 o102 120000/180000 c2 new\n");

	/* states for 1 and 2: they come lean from account_state, 3 whole */
	{
		struct hk_summary s1 = summary(110, 105, 1000, 100, 10, 50, 5);
		struct hk_summary s2 = summary(110, HK_DATE_NONE, 0, 0, 0, 0, 0);

		save_state(p, 1, &s1);
		save_state(p, 2, &s2);
	}
	out_reset(&o);
	EACH(p) {
		struct acct_ctx c = {.o = &o, .k = k};
		struct hk_err err = {0};

		ok(s->ops->accounts_scan(s, 1, 100, acct_collect, &c, &err), &err,
		   k);
	}
	/* lean: no terms, no anchor, accrued, balance or totals */
	out_check(p, &o,
		  "1 - p0 o0 0/0 c1 state lean a0 w110-119 f105 1000+100+10 "
		  "pd50 pa0 d5 po90000 cb0 pt0 wt0\n"
		  "2 - p0 o0 0/0 c1 state lean a0 w110-119 f-2147483648 0+0+0 "
		  "pd0 pa0 d0 po90000 cb0 pt0 wt0\n"
		  "3 - p4 o102 120000/180000 c2 new\n");
	out_reset(&o);
	EACH(p) {
		struct acct_ctx c = {.o = &o, .k = k};
		struct hk_err err = {0};

		ok(s->ops->accounts_scan(s, 2, 2, acct_collect, &c, &err), &err, k);
		ok(s->ops->accounts_scan(s, 3, 3, acct_collect, &c, &err), &err, k);
		ok(s->ops->accounts_scan(s, 4, 9, acct_collect, &c, &err), &err, k);
	}
	out_check(p, &o,
		  "2 - p0 o0 0/0 c1 state lean a0 w110-119 f-2147483648 0+0+0 "
		  "pd0 pa0 d0 po90000 cb0 pt0 wt0\n"
		  "3 - p4 o102 120000/180000 c2 new\n");

	/* the whole row of one account; none for a missing one */
	out_reset(&o);
	EACH(p) {
		struct acct_ctx c = {.o = &o, .k = k};
		struct hk_acct_row row;
		struct hk_err err = {0};
		bool found = false;

		for (int64_t ref = 1; ref <= 4; ref++) {
			ok(s->ops->account_get(s, ref, &row, &found, &err), &err, k);
			if (found)
				acct_collect(&c, &row);
			else
				outf(&o, k, "%lld none\n", (long long)ref);
		}
	}
	out_check(p, &o,
		  "1 - p0 o100 120000/180000 c1 state a110 w110-119 f105 "
		  "1000+100+10 pd50 pa57 d5 po90000 cb3 pt11 wt13\n"
		  "2 - p2 o101 120000/180000 c1 state a110 w110-119 "
		  "f-2147483648 0+0+0 pd0 pa7 d0 po90000 cb3 pt11 wt13\n"
		  "3 - p4 o102 120000/180000 c2 new\n"
		  "4 none\n");

	/* a callback that stops: HK_EINTERNAL, or the code it set */
	EACH(p) {
		struct acct_ctx c = {.o = &o, .k = k, .stop_after = 1};
		struct hk_err err = {0};

		assert_int_equal(s->ops->accounts_scan(s, 1, 3, acct_collect, &c,
						       &err),
				 HK_EINTERNAL);
		assert_int_equal(c.rows, 1);
		c.rows = 0;
		c.err = &err;
		assert_int_equal(s->ops->accounts_scan(s, 3, 3, acct_collect, &c,
						       &err),
				 HK_EREFUSED);
		assert_string_equal(err.msg, "stopped by the callback");
		/* and the connection is usable after it */
		err = (struct hk_err){0};
		ok(s->ops->accounts_scan(s, 1, 3, acct_ignore, NULL, &err),
		   &err, k);
	}
}
