/*
 * test_eod.c - day-end (src/batch/eod.c) and the account export
 * (src/batch/export.c) through the real SQLite store, on a temporary
 * database file per test.
 *
 * Two kinds of expectation, never the engine's own output:
 *  - small portfolios computed by hand from ledger.md §3-§4 (the account of
 *    test_ledger.c: opened 2026-01-01, penalty 18%, seq 1 due 2026-02-01
 *    1000.00 + 10.00 + 5.00, seq 2 due 2026-03-01 1000.00 + 10.00; one
 *    day's penalty on 1000.00 is 50 fen), with the arithmetic beside them;
 *  - a random portfolio whose export is recomputed by a day-by-day model
 *    written here from the text of ledger.md, independently of src/core.
 * The tables day-end writes for reports (day_totals, bucket_transitions,
 * promises) are read with sqlite3 directly, not through the store.
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

#include <cmocka.h>

#include "rng.h"
#include <sqlite3.h>

#include "hk/batch.h"
#include "hk/io.h"
#include "hk/store.h"

/* ====================================================================
 * A temporary database
 * ==================================================================== */

struct db {
	char dir[64];
	char path[96];
	struct hk_store *s;
	struct hk_config cfg;
	size_t chunk; /* day-end chunk size (0: default) */
	bool read_ahead; /* day-end reads on a second connection and thread */
};

static int32_t D(const char *iso)
{
	int32_t d = 0;

	assert_int_equal(hk_date_parse(iso, strlen(iso), &d), HK_OK);
	return d;
}

/*
 * Databases still open when a test fails (cmocka leaves the test by
 * longjmp): copies of their handles, so the per-test teardown can close
 * them and remove their files.
 */
#define MAX_OPEN_DBS 8
static struct db open_dbs[MAX_OPEN_DBS];

static void db_remember(const struct db *d, bool open)
{
	for (int k = 0; k < MAX_OPEN_DBS; k++) {
		if (open && !open_dbs[k].s) {
			open_dbs[k] = *d;
			return;
		}
		if (!open && open_dbs[k].s == d->s) {
			memset(&open_dbs[k], 0, sizeof(open_dbs[k]));
			return;
		}
	}
	assert_false(open); /* more than MAX_OPEN_DBS at once */
}

static void db_open(struct db *d)
{
	struct hk_err err = {0};

	memset(d, 0, sizeof(*d));
	snprintf(d->dir, sizeof(d->dir), "/tmp/hk_test_eod_XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	snprintf(d->path, sizeof(d->path), "%s/huikuan.db", d->dir);
	assert_int_equal(hk_store_sqlite_open(d->path, HK_LANG_EN, &d->s, &err),
			 HK_OK);
	db_remember(d, true);
	assert_int_equal(d->s->ops->migrate(d->s, &err), HK_OK);
	hk_config_default(&d->cfg);
}

static void db_close(struct db *d)
{
	char p[128];

	db_remember(d, false);
	hk_store_close(d->s);
	d->s = NULL;
	unlink(d->path);
	snprintf(p, sizeof(p), "%s-wal", d->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", d->path);
	unlink(p);
	rmdir(d->dir);
}

/* ---- records -------------------------------------------------------- */

static int64_t lookup_ref(struct db *d, int kind, const char *id)
{
	struct hk_found found;
	struct hk_err err = {0};

	assert_int_equal(d->s->ops->lookup(d->s, kind, id, &found, &err), HK_OK);
	assert_true(found.ref > 0);
	return found.ref;
}

static int64_t add_debtor(struct db *d, const char *id)
{
	struct hk_debtor_rec rec = {.debtor_id = id, .name = "测试债务人",
				    .kind = HK_DEBTOR_PERSON};
	struct hk_err err = {0};

	assert_int_equal(d->s->ops->insert_debtor(d->s, &rec, &err), HK_OK);
	return lookup_ref(d, HK_ID_DEBTOR, id);
}

static int64_t add_account(struct db *d, const char *id, int64_t debtor_ref,
			   const char *creditor, int product, int32_t open_date,
			   int32_t annual_ppm, int32_t penalty_ppm,
			   int64_t principal)
{
	struct hk_account_rec rec = {
		.account_id = id, .debtor_ref = debtor_ref,
		.creditor = creditor, .product = product,
		.principal = principal, .annual_ppm = annual_ppm,
		.penalty_ppm = penalty_ppm, .open_date = open_date};
	struct hk_err err = {0};

	assert_int_equal(d->s->ops->insert_account(d->s, &rec, &err), HK_OK);
	return lookup_ref(d, HK_ID_ACCOUNT, id);
}

static void add_inst(struct db *d, int64_t account_ref, int seq, int32_t due,
		     int64_t principal, int64_t interest, int64_t fee)
{
	struct hk_installment_rec rec = {
		.account_ref = account_ref, .seq = seq, .due = due,
		.principal = principal, .interest = interest, .fee = fee};
	struct hk_err err = {0};

	assert_int_equal(d->s->ops->insert_installment(d->s, &rec, &err), HK_OK);
}

static void add_payment(struct db *d, const char *payment_id,
			int64_t account_ref, int32_t paid_on, int64_t amount)
{
	struct hk_payment_rec rec = {
		.payment_id = payment_id, .account_ref = account_ref,
		.paid_on = paid_on, .amount = amount, .channel = "online"};
	struct hk_err err = {0};

	assert_int_equal(d->s->ops->insert_payment(d->s, &rec, &err), HK_OK);
}

static void add_waiver(struct db *d, int64_t account_ref, int32_t approved_on,
		       int component, int64_t amount)
{
	struct hk_waiver_rec rec = {
		.account_ref = account_ref, .approved_on = approved_on,
		.component = component, .amount = amount,
		.approved_by = "supervisor", .reason = "hardship"};
	struct hk_err err = {0};

	assert_int_equal(d->s->ops->insert_waiver(d->s, &rec, &err), HK_OK);
}

static void add_promise(struct db *d, int64_t debtor_ref, const char *creditor,
			int32_t made_on, int32_t due_on, int64_t amount)
{
	struct hk_promise_rec rec = {.made_on = made_on, .due_on = due_on,
				     .amount = amount};
	struct hk_err err = {0};

	assert_int_equal(d->s->ops->case_find(d->s, debtor_ref, creditor,
					      &rec.case_ref, &err),
			 HK_OK);
	assert_true(rec.case_ref > 0);
	assert_int_equal(d->s->ops->insert_promise(d->s, &rec, &err), HK_OK);
}

/* The account of test_ledger.c. */
static int64_t add_std_account(struct db *d, const char *id, int64_t debtor_ref,
			       const char *creditor)
{
	int64_t ref = add_account(d, id, debtor_ref, creditor,
				  HK_PRODUCT_CONSUMER_LOAN, D("2026-01-01"), 0,
				  180000, 200000);

	add_inst(d, ref, 1, D("2026-02-01"), 100000, 1000, 500);
	add_inst(d, ref, 2, D("2026-03-01"), 100000, 1000, 0);
	return ref;
}

/* ---- running and reading -------------------------------------------- */

static void eod_at(struct db *d, int32_t as_of)
{
	struct hk_eod_opts opts = {.as_of = as_of, .chunk = d->chunk};
	struct hk_eod_stats stats;
	struct hk_err err = {0};
	enum hk_rc rc;

	if (d->read_ahead)
		assert_int_equal(hk_store_sqlite_open(d->path, HK_LANG_EN,
						      &opts.reader, &err),
				 HK_OK);
	rc = hk_eod_run(d->s, &d->cfg, &opts, &stats, &err);
	hk_store_close(opts.reader);

	if (rc != HK_OK) {
		char date[HK_DATE_BUFSZ];

		hk_date_format(as_of, date);
		print_message("day-end %s failed: %s\n", date, err.msg);
	}
	assert_int_equal(rc, HK_OK);
}

static char *export_text(struct db *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct hk_err err = {0};
	enum hk_rc rc;

	assert_non_null(out);
	rc = hk_export_accounts(d->s, &d->cfg, out, &err);
	fclose(out);
	if (rc != HK_OK)
		print_message("export failed: %s\n", err.msg);
	assert_int_equal(rc, HK_OK);
	return buf;
}

/* Compare two texts, naming the first line that differs. */
static void expect_text(const char *what, const char *want, const char *got)
{
	const char *w = want, *g = got;
	int line = 1;

	if (!strcmp(want, got))
		return;
	while (*w && *w == *g) {
		if (*w == '\n')
			line++;
		w++;
		g++;
	}
	while (w > want && w[-1] != '\n')
		w--;
	while (g > got && g[-1] != '\n')
		g--;
	if (getenv("HK_TEST_VERBOSE"))
		print_message("--- expected\n%s--- got\n%s", want, got);
	print_message("%s: line %d differs\n  expected: %.*s\n  got:      %.*s\n",
		      what, line, (int)strcspn(w, "\n"), w, (int)strcspn(g, "\n"), g);
	fail();
}

static void expect_export(struct db *d, const char *what, const char *want)
{
	char *got = export_text(d);

	expect_text(what, want, got);
	free(got);
}

/* The rows of a query as text, "a|b|c" per line, through a connection of
 * our own (read-only) so nothing of the store is trusted. */
static char *sql_text(struct db *d, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	int rc;

	assert_non_null(out);
	assert_int_equal(sqlite3_open_v2(d->path, &db, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(st); c++) {
			const unsigned char *text = sqlite3_column_text(st, c);

			fprintf(out, "%s%s", c ? "|" : "", text ? (const char *)text : "NULL");
		}
		fputc('\n', out);
	}
	assert_int_equal(rc, SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
	fclose(out);
	return buf;
}

static void expect_sql(struct db *d, const char *sql, const char *want)
{
	char *got = sql_text(d, sql);

	expect_text(sql, want, got);
	free(got);
}

/* Everything day-end writes, for "nothing changed" checks. */
static char *dump_all(struct db *d)
{
	static const char *const queries[] = {
		"SELECT * FROM account_state ORDER BY account_ref",
		"SELECT * FROM installments ORDER BY account_ref, seq",
		"SELECT * FROM payments ORDER BY ref",
		"SELECT * FROM waivers ORDER BY ref",
		"SELECT * FROM promises ORDER BY ref",
		"SELECT * FROM day_totals ORDER BY as_of, position",
		"SELECT * FROM bucket_transitions ORDER BY account_ref, as_of",
		"SELECT * FROM meta ORDER BY key",
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	for (size_t q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
		char *part = sql_text(d, queries[q]);

		fprintf(out, "-- %s\n%s", queries[q], part);
		free(part);
	}
	fclose(out);
	return buf;
}

#define TRANSITIONS_SQL                                                        \
	"SELECT a.account_id, date(t.as_of * 86400, 'unixepoch'), "           \
	"t.from_bucket, t.to_bucket FROM bucket_transitions t "               \
	"JOIN accounts a ON a.ref = t.account_ref "                           \
	"ORDER BY a.account_id, t.as_of"

#define PROMISES_SQL "SELECT status FROM promises ORDER BY ref"

#define HEADER                                                                 \
	"account_id,as_of,dpd,bucket,overdue_principal,overdue_interest,"     \
	"overdue_fee,penalty_due,total_overdue,principal_outstanding,"        \
	"credit_balance,penalty_accrued_total,paid_total,first_overdue_date," \
	"waived_total\n"

/* ====================================================================
 * Per-day totals against the export
 * ==================================================================== */

/* Money "1234.50" or "-1.05" to fen, by hand (no float, no hk_money_parse). */
static int64_t fen_of(const char *s, size_t len)
{
	int64_t v = 0;
	bool neg = len && *s == '-';

	for (size_t i = neg; i < len; i++)
		if (s[i] != '.')
			v = v * 10 + (s[i] - '0');
	return neg ? -v : v;
}

/*
 * Sum the export's rows by bucket and compare with day_totals for the
 * export's date: accounts, overdue principal/interest/fee, penalty due,
 * total overdue, principal outstanding, bucket by bucket (empty ones too).
 */
static void expect_totals_match_export(struct db *d, const char *export)
{
	struct hk_bucket_table *bt = &d->cfg.buckets;
	int64_t sum[HK_BUCKETS_MAX][7];
	char as_of[HK_DATE_BUFSZ] = "";
	const char *line = strchr(export, '\n') + 1;
	char sql[256], *got, *want = NULL;
	size_t len = 0;
	FILE *out;

	memset(sum, 0, sizeof(sum));
	for (; *line; line = strchr(line, '\n') + 1) {
		const char *f[15];
		size_t flen[15];
		const char *p = line;
		int b;

		for (int k = 0; k < 15; k++) {
			f[k] = p;
			flen[k] = strcspn(p, ",\n");
			p += flen[k] + 1;
		}
		memcpy(as_of, f[1], 10);
		as_of[10] = '\0';
		for (b = 0; b < bt->n; b++)
			if (strlen(bt->name[b]) == flen[3] &&
			    !memcmp(bt->name[b], f[3], flen[3]))
				break;
		assert_true(b < bt->n);
		sum[b][0]++;
		for (int k = 0; k < 6; k++)
			sum[b][k + 1] += fen_of(f[4 + k], flen[4 + k]);
	}
	out = open_memstream(&want, &len);
	for (int b = 0; b < bt->n; b++) {
		fprintf(out, "%s", bt->name[b]);
		for (int k = 0; k < 7; k++)
			fprintf(out, "|%lld", (long long)sum[b][k]);
		fputc('\n', out);
	}
	fclose(out);
	snprintf(sql, sizeof(sql),
		 "SELECT bucket, accounts, overdue_principal, overdue_interest, "
		 "overdue_fee, penalty_due, total_overdue, principal_outstanding "
		 "FROM day_totals WHERE as_of = %d ORDER BY position",
		 D(as_of));
	got = sql_text(d, sql);
	expect_text("day_totals vs export", want, got);
	free(got);
	free(want);
}

/* ====================================================================
 * (a) A hand-computed portfolio, exported byte for byte
 * ==================================================================== */

/*
 * A0: opens 2026-06-01 (after every date here): all zero, M0.
 * A1: no payment.
 * A2: 600.00 on 02-11.
 * A3: 2100.00 on 01-15 (prepaid: 75.00 credit balance).
 * A4: waiver of 3.00 penalty and payment of 10.00, both on 02-11.
 * Inserted out of id order; export is in id order.
 */
static void add_portfolio(struct db *d)
{
	int64_t d1 = add_debtor(d, "D1"), d2 = add_debtor(d, "D2");
	int64_t a0, a2, a3, a4;

	a2 = add_std_account(d, "A2", d1, "BANK1");
	add_payment(d, "P-A2-1", a2, D("2026-02-11"), 60000);
	a0 = add_account(d, "A0", d2, "BANK2", HK_PRODUCT_CREDIT_CARD,
			 D("2026-06-01"), 0, 180000, 50000);
	add_inst(d, a0, 1, D("2026-07-01"), 50000, 0, 0);
	a4 = add_std_account(d, "A4", d2, "BANK1");
	add_payment(d, "P-A4-1", a4, D("2026-02-11"), 1000);
	add_waiver(d, a4, D("2026-02-11"), HK_COMP_PENALTY, 300);
	add_std_account(d, "A1", d1, "BANK2");
	a3 = add_std_account(d, "A3", d2, "BANK3");
	add_payment(d, "P-A3-1", a3, D("2026-01-15"), 210000);
}

/*
 * As of 2026-03-05 (DPD 32 = 03-05 − 02-01, M2, for the overdue ones):
 * A1: seq 1 32 days (02-02..03-05) × 50 = 1600, seq 2 4 days × 50 = 200.
 * A2: through 02-10 9 × 50 = 450; 600.00 pays penalty 450, fee 500,
 *     interest 1000, principal 580.50 → 419.50 left, 20.975 + 0.5 → 21 a
 *     day for 23 days (02-11..03-05) = 483; seq 2 200: penalty 6.83,
 *     accrued 4.50 + 6.83 = 11.33; overdue 419.50 + 1000.00, interest 10.00.
 * A3: 2100.00 pays every fee, interest and principal (2025.00) early:
 *     75.00 credit, nothing overdue.
 * A4: penalty 450 − 300 waived = 150; 10.00 pays it, fee 5.00 and 3.50
 *     interest (6.50 left); seq 1 keeps 1000.00 → 23 × 50 = 1150, seq 2
 *     200: penalty 13.50, accrued 4.50 + 13.50 = 18.00, interest 6.50 +
 *     10.00 = 16.50, total 2000.00 + 16.50 + 13.50 = 2030.00.
 */
static const char export_0305[] =
	HEADER
	"A0,2026-03-05,0,M0,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,,0.00\n"
	"A1,2026-03-05,32,M2,2000.00,20.00,5.00,18.00,2043.00,2000.00,0.00,18.00,0.00,2026-02-01,0.00\n"
	"A2,2026-03-05,32,M2,1419.50,10.00,0.00,6.83,1436.33,1419.50,0.00,11.33,600.00,2026-02-01,0.00\n"
	"A3,2026-03-05,0,M0,0.00,0.00,0.00,0.00,0.00,0.00,75.00,0.00,2100.00,,0.00\n"
	"A4,2026-03-05,32,M2,2000.00,16.50,0.00,13.50,2030.00,2000.00,0.00,18.00,10.00,2026-02-01,3.00\n";

/*
 * As of 2026-04-30 (DPD 88 = 27 + 31 + 30, M3):
 * A1: seq 1 88 × 50 = 4400, seq 2 60 × 50 = 3000: 74.00.
 * A2: seq 1 79 days (02-11..04-30) × 21 = 1659, seq 2 3000: 46.59;
 *     accrued 4.50 + 46.59 = 51.09.
 * A4: seq 1 79 × 50 = 3950 (after the 02-11 payment), seq 2 3000: 69.50;
 *     accrued 4.50 + 69.50 = 74.00.
 */
static const char export_0430[] =
	HEADER
	"A0,2026-04-30,0,M0,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,,0.00\n"
	"A1,2026-04-30,88,M3,2000.00,20.00,5.00,74.00,2099.00,2000.00,0.00,74.00,0.00,2026-02-01,0.00\n"
	"A2,2026-04-30,88,M3,1419.50,10.00,0.00,46.59,1476.09,1419.50,0.00,51.09,600.00,2026-02-01,0.00\n"
	"A3,2026-04-30,0,M0,0.00,0.00,0.00,0.00,0.00,0.00,75.00,0.00,2100.00,,0.00\n"
	"A4,2026-04-30,88,M3,2000.00,16.50,0.00,69.50,2086.00,2000.00,0.00,74.00,10.00,2026-02-01,3.00\n";

static void test_export_hand_computed(void **state)
{
	struct db d;

	(void)state;
	db_open(&d);
	add_portfolio(&d);
	eod_at(&d, D("2026-03-05"));
	expect_export(&d, "export as of 03-05", export_0305);
	db_close(&d);
}

/* ====================================================================
 * (b) Daily, weekly and one run give the same export
 * ==================================================================== */

static void test_daily_weekly_once_agree(void **state)
{
	struct db daily, weekly, once;
	char *e_daily, *e_weekly, *e_once;

	(void)state;
	db_open(&daily);
	db_open(&weekly);
	db_open(&once);
	add_portfolio(&daily);
	add_portfolio(&weekly);
	add_portfolio(&once);
	for (int32_t d = D("2026-01-01"); d <= D("2026-04-30"); d++) {
		eod_at(&daily, d);
		if (d == D("2026-03-05"))
			expect_export(&daily, "daily, as of 03-05", export_0305);
	}
	/* 2026-01-01 + 7k reaches 03-05 (k = 9) and 04-30 (k = 17) */
	for (int32_t d = D("2026-01-01"); d <= D("2026-04-30"); d += 7) {
		eod_at(&weekly, d);
		if (d == D("2026-03-05"))
			expect_export(&weekly, "weekly, as of 03-05", export_0305);
	}
	eod_at(&once, D("2026-04-30"));
	e_daily = export_text(&daily);
	e_weekly = export_text(&weekly);
	e_once = export_text(&once);
	expect_text("daily as of 04-30", export_0430, e_daily);
	expect_text("weekly vs daily", e_daily, e_weekly);
	expect_text("once vs daily", e_daily, e_once);
	expect_totals_match_export(&daily, e_daily);
	expect_totals_match_export(&weekly, e_weekly);
	expect_totals_match_export(&once, e_once);
	free(e_daily);
	free(e_weekly);
	free(e_once);
	db_close(&daily);
	db_close(&weekly);
	db_close(&once);
}

/* ====================================================================
 * (c) A back-dated payment is applied at its own date
 * ==================================================================== */

/*
 * Day-end 03-05 with A1 (no payment), A2 and A5 (600.00 on 02-11 each).
 * Then, after that day-end, three payments arrive:
 *  - A1: 20.00 dated 03-05 itself.  Through 03-04 seq 1 has 31 × 50 =
 *    1550 penalty, seq 2 3 × 50 = 150; the 20.00 pays seq 1's penalty
 *    1550 and 4.50 of its fee (0.50 left); then 03-05 accrues 50 + 50:
 *    penalty 0.50 + 2.00 = 2.50, accrued 18.00.
 *  - A2: 100.00 dated 02-20 (after A2's last fact: day-end moves forward).
 *    Seq 1 accrued 21 a day 02-11..02-19 = 189; the 100.00 pays it and
 *    98.11 principal → 321.39, 16.57 + 0.5 → 16 a day for 14 days = 224;
 *    seq 2 200: penalty 4.24, accrued 4.50 + 1.89 + 2.24 + 2.00 = 10.63.
 *  - A5: 10.00 dated 02-05 (before A5's 02-11 payment: day-end replays).
 *    Through 02-04 150 penalty; 10.00 pays it, fee 5.00, interest 3.50;
 *    02-05..02-10 6 × 50 = 300; on 02-11 600.00 pays penalty 300,
 *    interest 6.50, principal 590.50 → 409.50, 20.475 + 0.5 → 20 a day for
 *    23 days = 460; seq 2 200: penalty 6.60, accrued 1.50 + 3.00 + 4.60 +
 *    2.00 = 11.10.
 */
static const char backdated_before[] =
	HEADER
	"A1,2026-03-05,32,M2,2000.00,20.00,5.00,18.00,2043.00,2000.00,0.00,18.00,0.00,2026-02-01,0.00\n"
	"A2,2026-03-05,32,M2,1419.50,10.00,0.00,6.83,1436.33,1419.50,0.00,11.33,600.00,2026-02-01,0.00\n"
	"A5,2026-03-05,32,M2,1419.50,10.00,0.00,6.83,1436.33,1419.50,0.00,11.33,600.00,2026-02-01,0.00\n";
static const char backdated_after[] =
	HEADER
	"A1,2026-03-05,32,M2,2000.00,20.00,0.50,2.50,2023.00,2000.00,0.00,18.00,20.00,2026-02-01,0.00\n"
	"A2,2026-03-05,32,M2,1321.39,10.00,0.00,4.24,1335.63,1321.39,0.00,10.63,700.00,2026-02-01,0.00\n"
	"A5,2026-03-05,32,M2,1409.50,10.00,0.00,6.60,1426.10,1409.50,0.00,11.10,610.00,2026-02-01,0.00\n";
/* 03-06: A1 + 50 + 50, A2 + 16 + 50, A5 + 20 + 50. */
static const char backdated_next_day[] =
	HEADER
	"A1,2026-03-06,33,M2,2000.00,20.00,0.50,3.50,2024.00,2000.00,0.00,19.00,20.00,2026-02-01,0.00\n"
	"A2,2026-03-06,33,M2,1321.39,10.00,0.00,4.90,1336.29,1321.39,0.00,11.29,700.00,2026-02-01,0.00\n"
	"A5,2026-03-06,33,M2,1409.50,10.00,0.00,7.30,1426.80,1409.50,0.00,11.80,610.00,2026-02-01,0.00\n";

static void test_backdated_payment(void **state)
{
	struct db d;
	int64_t deb, a1, a2, a5;

	(void)state;
	db_open(&d);
	deb = add_debtor(&d, "D1");
	a1 = add_std_account(&d, "A1", deb, "BANK1");
	a2 = add_std_account(&d, "A2", deb, "BANK1");
	a5 = add_std_account(&d, "A5", deb, "BANK1");
	add_payment(&d, "P-A2-1", a2, D("2026-02-11"), 60000);
	add_payment(&d, "P-A5-1", a5, D("2026-02-11"), 60000);
	eod_at(&d, D("2026-03-01"));
	eod_at(&d, D("2026-03-05"));
	expect_export(&d, "before the late payments", backdated_before);

	add_payment(&d, "P-A1-late", a1, D("2026-03-05"), 2000);
	add_payment(&d, "P-A2-late", a2, D("2026-02-20"), 10000);
	add_payment(&d, "P-A5-late", a5, D("2026-02-05"), 1000);
	/* export already shows them, before any day-end */
	expect_export(&d, "late payments, before the rerun", backdated_after);
	eod_at(&d, D("2026-03-05"));
	expect_export(&d, "late payments, after the rerun", backdated_after);
	/* every payment is booked: none past the watermark, none deferred */
	expect_sql(&d, "SELECT count(*) FROM payments WHERE ref > "
		       "(SELECT CAST(value AS INTEGER) FROM meta "
		       "WHERE key = 'booked_payment_ref')", "0\n");
	expect_sql(&d, "SELECT count(*) FROM deferred_facts", "0\n");
	expect_totals_match_export(&d, backdated_after);
	eod_at(&d, D("2026-03-06"));
	expect_export(&d, "the day after", backdated_next_day);
	expect_totals_match_export(&d, backdated_next_day);
	db_close(&d);
}

/* A late payment arriving after day-end 03-05 and before day-end 03-06
 * (no rerun of 03-05) is applied at its date by the 03-06 run. */
static void test_backdated_payment_next_day(void **state)
{
	struct db d;
	int64_t deb, a2, a5;

	(void)state;
	db_open(&d);
	deb = add_debtor(&d, "D1");
	add_std_account(&d, "A1", deb, "BANK1");
	a2 = add_std_account(&d, "A2", deb, "BANK1");
	a5 = add_std_account(&d, "A5", deb, "BANK1");
	add_payment(&d, "P-A2-1", a2, D("2026-02-11"), 60000);
	add_payment(&d, "P-A5-1", a5, D("2026-02-11"), 60000);
	add_payment(&d, "P-A1-late", lookup_ref(&d, HK_ID_ACCOUNT, "A1"),
		    D("2026-03-05"), 2000);
	eod_at(&d, D("2026-03-04"));
	add_payment(&d, "P-A2-late", a2, D("2026-02-20"), 10000);
	add_payment(&d, "P-A5-late", a5, D("2026-02-05"), 1000);
	eod_at(&d, D("2026-03-06"));
	expect_export(&d, "late payments applied by the next day-end",
		      backdated_next_day);
	db_close(&d);
}

/* ====================================================================
 * (d) A rerun with no new facts changes nothing
 * ==================================================================== */

static void test_rerun_changes_nothing(void **state)
{
	struct db d;
	char *before, *after;
	int64_t d1;

	(void)state;
	db_open(&d);
	add_portfolio(&d);
	d1 = lookup_ref(&d, HK_ID_DEBTOR, "D1");
	add_promise(&d, d1, "BANK1", D("2026-02-10"), D("2026-02-20"), 50000);
	add_promise(&d, d1, "BANK2", D("2026-03-01"), D("2026-03-31"), 1000);
	for (int32_t day = D("2026-01-25"); day <= D("2026-03-05"); day++)
		eod_at(&d, day);
	expect_export(&d, "as of 03-05", export_0305);
	before = dump_all(&d);
	eod_at(&d, D("2026-03-05"));
	eod_at(&d, D("2026-03-05"));
	after = dump_all(&d);
	expect_text("database after two reruns", before, after);
	expect_export(&d, "as of 03-05 after reruns", export_0305);
	free(before);
	free(after);
	db_close(&d);
}

/* ====================================================================
 * (e) A date before the last processed one is refused
 * ==================================================================== */

static void test_earlier_date_refused(void **state)
{
	struct db d;
	struct hk_eod_opts opts = {.as_of = D("2026-03-04")};
	struct hk_eod_stats stats;
	struct hk_err err = {0};
	char *before, *after, *buf = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	db_open(&d);
	add_portfolio(&d);
	/* no day-end yet: nothing to export */
	out = open_memstream(&buf, &len);
	assert_int_equal(hk_export_accounts(d.s, &d.cfg, out, &err), HK_EREFUSED);
	fclose(out);
	free(buf);

	eod_at(&d, D("2026-03-05"));
	before = dump_all(&d);
	memset(&err, 0, sizeof(err));
	assert_int_equal(hk_eod_run(d.s, &d.cfg, &opts, &stats, &err), HK_EREFUSED);
	assert_int_equal(err.code, HK_EREFUSED);
	assert_non_null(strstr(err.msg, "2026-03-05"));
	d.s->lang = HK_LANG_ZH;
	memset(&err, 0, sizeof(err));
	opts.as_of = D("2025-12-31");
	assert_int_equal(hk_eod_run(d.s, &d.cfg, &opts, &stats, &err), HK_EREFUSED);
	assert_non_null(strstr(err.msg, "2026-03-05"));
	after = dump_all(&d);
	expect_text("database after refused runs", before, after);
	/* the same date and a later one are fine */
	eod_at(&d, D("2026-03-05"));
	expect_export(&d, "rerun after refusals", export_0305);
	eod_at(&d, D("2026-03-06"));
	opts.as_of = D("2026-03-05");
	assert_int_equal(hk_eod_run(d.s, &d.cfg, &opts, &stats, &err), HK_EREFUSED);
	assert_non_null(strstr(err.msg, "2026-03-06"));
	free(before);
	free(after);
	db_close(&d);
}

/* ====================================================================
 * (f) Bucket transitions as they happen; per-day totals
 * ==================================================================== */

/*
 * A1 never pays: DPD 1 on 02-02 (M1), 31 on 03-04 (M2), 61 on 04-03 (M3).
 * B pays 1021.50 on 02-15: penalty 13 × 50 = 650 (02-02..02-14), fee 500,
 * interest 1000, principal 100000 — seq 1 is clear, back to M0 on 02-15;
 * seq 2 overdue from 03-02 (M1), DPD 31 on 04-01 (M2).
 * A0 (not open) and A3 (prepaid) stay M0 and never move.
 */
static void test_transitions_and_totals(void **state)
{
	struct db d;
	int64_t d1, b, a0, a3;

	(void)state;
	db_open(&d);
	d1 = add_debtor(&d, "D1");
	add_std_account(&d, "A1", d1, "BANK1");
	b = add_std_account(&d, "B", d1, "BANK2");
	add_payment(&d, "P-B-1", b, D("2026-02-15"), 102150);
	a0 = add_account(&d, "A0", d1, "BANK3", HK_PRODUCT_CREDIT_CARD,
			 D("2026-06-01"), 0, 180000, 50000);
	add_inst(&d, a0, 1, D("2026-07-01"), 50000, 0, 0);
	a3 = add_std_account(&d, "A3", d1, "BANK4");
	add_payment(&d, "P-A3-1", a3, D("2026-01-15"), 210000);
	for (int32_t day = D("2026-01-01"); day <= D("2026-04-30"); day++) {
		char *text;

		eod_at(&d, day);
		text = export_text(&d);
		expect_totals_match_export(&d, text);
		free(text);
	}
	expect_sql(&d, TRANSITIONS_SQL,
		   "A1|2026-02-02|M0|M1\n"
		   "A1|2026-03-04|M1|M2\n"
		   "A1|2026-04-03|M2|M3\n"
		   "B|2026-02-02|M0|M1\n"
		   "B|2026-02-15|M1|M0\n"
		   "B|2026-03-02|M0|M1\n"
		   "B|2026-04-01|M1|M2\n");
	/* one row per bucket per processed day */
	expect_sql(&d, "SELECT count(*), count(DISTINCT as_of) FROM day_totals",
		   "960|120\n");
	/* 04-30 by hand: A1 M3 (2099.00 total overdue); B M2: seq 2 60 days
	 * × 50 = 30.00, overdue 1000.00 + 10.00 + 30.00; A0, A3 in M0 with
	 * 0 and 0 outstanding. */
	expect_sql(&d,
		   "SELECT bucket, accounts, overdue_principal, overdue_interest, "
		   "overdue_fee, penalty_due, total_overdue, principal_outstanding "
		   "FROM day_totals WHERE date(as_of * 86400, 'unixepoch') = '2026-04-30' "
		   "AND accounts > 0 "
		   "ORDER BY position",
		   "M0|2|0|0|0|0|0|0\n"
		   "M2|1|100000|1000|0|3000|104000|100000\n"
		   "M3|1|200000|2000|500|7400|209900|200000\n");
	db_close(&d);
}

/* A rerun that lands back in the bucket the account started the day in
 * removes that day's transition, and the day's totals are replaced. */
static void test_rerun_moves_bucket_back(void **state)
{
	struct db d;
	int64_t d1, a1;

	(void)state;
	db_open(&d);
	d1 = add_debtor(&d, "D1");
	a1 = add_std_account(&d, "A1", d1, "BANK1");
	eod_at(&d, D("2026-02-01"));
	eod_at(&d, D("2026-02-02"));
	expect_sql(&d, TRANSITIONS_SQL, "A1|2026-02-02|M0|M1\n");
	/* 1015.00 dated 02-02 pays seq 1 (fee, interest, principal; no
	 * penalty has accrued yet) before 02-02's penalty: DPD 0 again */
	add_payment(&d, "P-A1-1", a1, D("2026-02-02"), 101500);
	eod_at(&d, D("2026-02-02"));
	expect_sql(&d, TRANSITIONS_SQL, "");
	expect_export(&d, "paid on the day",
		      HEADER "A1,2026-02-02,0,M0,0.00,0.00,0.00,0.00,0.00,"
			     "1000.00,0.00,0.00,1015.00,,0.00\n");
	expect_sql(&d,
		   "SELECT bucket, accounts, principal_outstanding FROM day_totals "
		   "WHERE date(as_of * 86400, 'unixepoch') = '2026-02-02' "
		   "AND position < 2 ORDER BY position",
		   "M0|1|100000\nM1|0|0\n");
	db_close(&d);
}

/* ====================================================================
 * (g) Promises to pay
 * ==================================================================== */

/*
 * D1 has A1, A1b with BANK1 (one case) and A1c with BANK2; D2 has A2 with
 * BANK1; D3 has A3a with BANK1 and A3b with BANK2.
 *   1 K: (D1, BANK1) made 02-10 due 02-20 for 500.00: 300.00 on A1b 02-12,
 *        250.00 on A1 02-18 (A1c's 1000.00 is another case) → kept 02-18.
 *   2 B: (D2, BANK1) made 02-10 due 02-15 for 100.00: A2 pays 02-09
 *        (before) and 02-16 (after) → broken from 02-16.
 *   3 C: (D3, BANK1) made 02-10 due 02-20 for 100.00: A3b (BANK2) pays
 *        150.00 on 02-12, not this case → broken 02-21; then a back-dated
 *        100.00 on A3a dated 02-19 arrives → kept on the rerun of 02-21.
 *   4 E: (D2, BANK1) made 02-16 due 02-16 for 200.00: A2's 200.00 on 02-16
 *        (window closed on both ends) → kept 02-16.
 *   5 P: (D2, BANK1) made 03-01 due 03-31 for 50.00 → pending on 03-05.
 *   6 Q: (D1, BANK2) made 03-10 → not yet made on 03-05: pending.
 */
static void test_promises(void **state)
{
	struct db d;
	int64_t d1, d2, d3, a1, a1b, a1c, a2, a3a, a3b;

	(void)state;
	db_open(&d);
	d1 = add_debtor(&d, "D1");
	d2 = add_debtor(&d, "D2");
	d3 = add_debtor(&d, "D3");
	a1 = add_std_account(&d, "A1", d1, "BANK1");
	a1b = add_std_account(&d, "A1b", d1, "BANK1");
	a1c = add_std_account(&d, "A1c", d1, "BANK2");
	a2 = add_std_account(&d, "A2", d2, "BANK1");
	a3a = add_std_account(&d, "A3a", d3, "BANK1");
	a3b = add_std_account(&d, "A3b", d3, "BANK2");
	add_payment(&d, "P1", a1b, D("2026-02-12"), 30000);
	add_payment(&d, "P2", a1, D("2026-02-18"), 25000);
	add_payment(&d, "P3", a1c, D("2026-02-13"), 100000);
	add_payment(&d, "P4", a2, D("2026-02-09"), 20000);
	add_payment(&d, "P5", a2, D("2026-02-16"), 20000);
	add_payment(&d, "P6", a3b, D("2026-02-12"), 15000);
	add_promise(&d, d1, "BANK1", D("2026-02-10"), D("2026-02-20"), 50000);
	add_promise(&d, d2, "BANK1", D("2026-02-10"), D("2026-02-15"), 10000);
	add_promise(&d, d3, "BANK1", D("2026-02-10"), D("2026-02-20"), 10000);
	add_promise(&d, d2, "BANK1", D("2026-02-16"), D("2026-02-16"), 20000);
	add_promise(&d, d2, "BANK1", D("2026-03-01"), D("2026-03-31"), 5000);
	add_promise(&d, d1, "BANK2", D("2026-03-10"), D("2026-03-20"), 5000);

	eod_at(&d, D("2026-02-15"));
	expect_sql(&d, PROMISES_SQL, "0\n0\n0\n0\n0\n0\n");
	eod_at(&d, D("2026-02-16"));
	expect_sql(&d, PROMISES_SQL, "0\n2\n0\n1\n0\n0\n");
	eod_at(&d, D("2026-02-18"));
	expect_sql(&d, PROMISES_SQL, "1\n2\n0\n1\n0\n0\n");
	eod_at(&d, D("2026-02-21"));
	expect_sql(&d, PROMISES_SQL, "1\n2\n2\n1\n0\n0\n");
	/* the back-dated payment inside C's window */
	add_payment(&d, "P7", a3a, D("2026-02-19"), 10000);
	eod_at(&d, D("2026-02-21"));
	expect_sql(&d, PROMISES_SQL, "1\n2\n1\n1\n0\n0\n");
	eod_at(&d, D("2026-03-05"));
	expect_sql(&d, PROMISES_SQL, "1\n2\n1\n1\n0\n0\n");
	db_close(&d);
}

/* ====================================================================
 * (h) Waivers through day-end
 * ==================================================================== */

static int64_t waivable(struct db *d, int64_t account_ref, int32_t on,
			int component)
{
	struct hk_waivable_ctx ctx = {.store = d->s, .cfg = &d->cfg};
	struct hk_err err = {0};
	int64_t max_fen = -1;

	assert_int_equal(hk_eod_waivable(&ctx, account_ref, on, component,
					 &max_fen, &err),
			 HK_OK);
	return max_fen;
}

/*
 * A4: 10.00 paid on 02-11, 3.00 of penalty waived on 02-11 (as in
 * export_0305).  After day-end 03-05 two back-dated waivers arrive:
 * interest 16.50 approved 03-01 (all of it: 6.50 + 10.00) and principal
 * 500.00 approved 03-03 (from seq 1, the oldest: 1000.00 → 500.00, so
 * seq 1 accrues 25 a day from 03-03).
 * Seq 1 penalty: 02-11..03-02 20 × 50 = 1000, 03-03..03-05 3 × 25 = 75;
 * seq 2 4 × 50 = 200: penalty 12.75, accrued 4.50 + 10.00 + 0.75 + 2.00
 * = 17.25; overdue principal 500.00 + 1000.00; waived 3.00 + 16.50 +
 * 500.00 = 519.50.  On 03-06: + 25 + 50.
 */
static void test_waivers(void **state)
{
	struct db d;
	struct hk_waivable_ctx ctx;
	struct hk_err err = {0};
	int64_t d1, a4, max_fen;

	(void)state;
	db_open(&d);
	d1 = add_debtor(&d, "D1");
	a4 = add_std_account(&d, "A4", d1, "BANK1");
	add_payment(&d, "P-A4-1", a4, D("2026-02-11"), 1000);
	/* what a waiver approved on 02-11 may forgive: unpaid at the end of
	 * 02-10, before 02-11's payment (9 × 50 penalty) */
	assert_int_equal(waivable(&d, a4, D("2026-02-11"), HK_COMP_PENALTY), 450);
	assert_int_equal(waivable(&d, a4, D("2026-02-11"), HK_COMP_FEE), 500);
	assert_int_equal(waivable(&d, a4, D("2026-02-11"), HK_COMP_INTEREST), 2000);
	assert_int_equal(waivable(&d, a4, D("2026-02-11"), HK_COMP_PRINCIPAL), 200000);
	/* before the account opens nothing has accrued */
	assert_int_equal(waivable(&d, a4, D("2026-01-01"), HK_COMP_PENALTY), 0);
	add_waiver(&d, a4, D("2026-02-11"), HK_COMP_PENALTY, 300);
	/* end of 02-11: 450 − 300 waived − 150 paid + 50 accrued that day */
	assert_int_equal(waivable(&d, a4, D("2026-02-12"), HK_COMP_PENALTY), 50);
	assert_int_equal(waivable(&d, a4, D("2026-02-12"), HK_COMP_FEE), 0);
	assert_int_equal(waivable(&d, a4, D("2026-02-12"), HK_COMP_INTEREST), 1650);

	eod_at(&d, D("2026-03-05"));
	expect_export(&d, "A4 as of 03-05",
		      HEADER "A4,2026-03-05,32,M2,2000.00,16.50,0.00,13.50,"
			     "2030.00,2000.00,0.00,18.00,10.00,2026-02-01,3.00\n");
	assert_int_equal(waivable(&d, a4, D("2026-03-01"), HK_COMP_INTEREST), 1650);
	add_waiver(&d, a4, D("2026-03-01"), HK_COMP_INTEREST, 1650);
	assert_int_equal(waivable(&d, a4, D("2026-03-03"), HK_COMP_INTEREST), 0);
	assert_int_equal(waivable(&d, a4, D("2026-03-03"), HK_COMP_PRINCIPAL), 200000);
	add_waiver(&d, a4, D("2026-03-03"), HK_COMP_PRINCIPAL, 50000);
	expect_export(&d, "late waivers, before the rerun",
		      HEADER "A4,2026-03-05,32,M2,1500.00,0.00,0.00,12.75,"
			     "1512.75,1500.00,0.00,17.25,10.00,2026-02-01,519.50\n");
	eod_at(&d, D("2026-03-05"));
	expect_export(&d, "late waivers, after the rerun",
		      HEADER "A4,2026-03-05,32,M2,1500.00,0.00,0.00,12.75,"
			     "1512.75,1500.00,0.00,17.25,10.00,2026-02-01,519.50\n");
	eod_at(&d, D("2026-03-06"));
	expect_export(&d, "late waivers, next day",
		      HEADER "A4,2026-03-06,33,M2,1500.00,0.00,0.00,13.50,"
			     "1513.50,1500.00,0.00,18.00,10.00,2026-02-01,519.50\n");
	assert_int_equal(waivable(&d, a4, D("2026-03-07"), HK_COMP_PENALTY), 1350);
	/* an unknown account */
	ctx = (struct hk_waivable_ctx){.store = d.s, .cfg = &d.cfg};
	assert_int_equal(hk_eod_waivable(&ctx, a4 + 1000, D("2026-03-07"),
					 HK_COMP_PENALTY, &max_fen, &err),
			 HK_ENOTFOUND);
	db_close(&d);
}

/*
 * A waiver approved on 02-11 that reaches the database after day-end has
 * booked A4's 10.00 payment of the same day still comes first on that day
 * (waivers, then payments): the result is export_0305's A4 row, not what
 * booking them in arrival order would give (the 10.00 taking all 4.50 of
 * penalty, the waiver then finding none).
 */
static void test_waiver_after_same_day_payment(void **state)
{
	struct db d;
	int64_t d1, a4;

	(void)state;
	db_open(&d);
	d1 = add_debtor(&d, "D1");
	a4 = add_std_account(&d, "A4", d1, "BANK1");
	add_payment(&d, "P-A4-1", a4, D("2026-02-11"), 1000);
	eod_at(&d, D("2026-02-11"));
	eod_at(&d, D("2026-02-12"));
	assert_int_equal(waivable(&d, a4, D("2026-02-11"), HK_COMP_PENALTY), 450);
	add_waiver(&d, a4, D("2026-02-11"), HK_COMP_PENALTY, 300);
	eod_at(&d, D("2026-03-05"));
	expect_export(&d, "waiver booked before the day's payment",
		      HEADER "A4,2026-03-05,32,M2,2000.00,16.50,0.00,13.50,"
			     "2030.00,2000.00,0.00,18.00,10.00,2026-02-01,3.00\n");
	db_close(&d);
}

/*
 * A waiver already approved on day w is taken off what a further waiver
 * on w may forgive.  ledger.md §3: a waiver "can never exceed what is
 * unpaid of that component on day w ... before that day's payments", and a
 * day's waivers are booked before its payments; after 3.00 of A4's 4.50
 * penalty was waived on 02-11, 1.50 is left for another waiver that day.
 */
static void test_waivable_counts_same_day_waivers(void **state)
{
	struct db d;
	int64_t d1, a4;

	(void)state;
	db_open(&d);
	d1 = add_debtor(&d, "D1");
	a4 = add_std_account(&d, "A4", d1, "BANK1");
	add_waiver(&d, a4, D("2026-02-11"), HK_COMP_PENALTY, 300);
	/* 9 × 50 accrued through 02-10, 300 of it already waived on 02-11 */
	assert_int_equal(waivable(&d, a4, D("2026-02-11"), HK_COMP_PENALTY), 150);
	db_close(&d);
}

/*
 * Before the account opens nothing is unpaid (ledger.md §4: an account
 * opened after as_of has all figures zero), so nothing can be waived.  A
 * waiver dated before opening, once stored, would make every later day-end
 * fail ("its payments or waivers are dated before it opened").
 */
static void test_waivable_before_opening(void **state)
{
	struct db d;
	int64_t d1, a4;

	(void)state;
	db_open(&d);
	d1 = add_debtor(&d, "D1");
	a4 = add_std_account(&d, "A4", d1, "BANK1");
	assert_int_equal(waivable(&d, a4, D("2026-01-01"), HK_COMP_PRINCIPAL), 200000);
	assert_int_equal(waivable(&d, a4, D("2025-12-15"), HK_COMP_PENALTY), 0);
	assert_int_equal(waivable(&d, a4, D("2025-12-15"), HK_COMP_PRINCIPAL), 0);
	db_close(&d);
}

/* ====================================================================
 * (i) A schedule that arrives after the account was first processed
 * ==================================================================== */

/*
 * C is imported with no installments and 100.00 paid on 02-05: day-end
 * 02-10 can only hold it as credit.  Then its schedule (the usual one)
 * arrives: through 02-04 150 penalty; the 100.00 pays it, fee 5.00,
 * interest 10.00 and 83.50 principal → 916.50, 45.825 + 0.5 → 46 a day
 * from 02-05: 6 days to 02-10 = 2.76 (accrued 1.50 + 2.76 = 4.26), 7 days
 * to 02-11 = 3.22.  A1 (no payment) beside it is untouched: 9 and 10 ×
 * 0.50.
 */
static void test_schedule_after_first_eod(void **state)
{
	struct db d;
	int64_t d1, c;

	(void)state;
	db_open(&d);
	d1 = add_debtor(&d, "D1");
	add_std_account(&d, "A1", d1, "BANK1");
	c = add_account(&d, "C", d1, "BANK2", HK_PRODUCT_CONSUMER_LOAN,
			D("2026-01-01"), 0, 180000, 200000);
	add_payment(&d, "P-C-1", c, D("2026-02-05"), 10000);
	eod_at(&d, D("2026-02-10"));
	expect_export(&d, "before the schedule",
		      HEADER
		      "A1,2026-02-10,9,M1,1000.00,10.00,5.00,4.50,1019.50,2000.00,0.00,4.50,0.00,2026-02-01,0.00\n"
		      "C,2026-02-10,0,M0,0.00,0.00,0.00,0.00,0.00,0.00,100.00,0.00,100.00,,0.00\n");
	add_inst(&d, c, 1, D("2026-02-01"), 100000, 1000, 500);
	add_inst(&d, c, 2, D("2026-03-01"), 100000, 1000, 0);
	expect_export(&d, "schedule known, before day-end",
		      HEADER
		      "A1,2026-02-10,9,M1,1000.00,10.00,5.00,4.50,1019.50,2000.00,0.00,4.50,0.00,2026-02-01,0.00\n"
		      "C,2026-02-10,9,M1,916.50,0.00,0.00,2.76,919.26,1916.50,0.00,4.26,100.00,2026-02-01,0.00\n");
	eod_at(&d, D("2026-02-11"));
	expect_export(&d, "schedule replayed by the next day-end",
		      HEADER
		      "A1,2026-02-11,10,M1,1000.00,10.00,5.00,5.00,1020.00,2000.00,0.00,5.00,0.00,2026-02-01,0.00\n"
		      "C,2026-02-11,10,M1,916.50,0.00,0.00,3.22,919.72,1916.50,0.00,4.72,100.00,2026-02-01,0.00\n");
	expect_sql(&d, "SELECT count(*) FROM installments WHERE booked = 0", "0\n");
	expect_sql(&d, TRANSITIONS_SQL, "A1|2026-02-10|M0|M1\nC|2026-02-11|M0|M1\n");
	db_close(&d);
}

/* ====================================================================
 * (j) A random portfolio: daily, once and random steps, with late files,
 *     against an independent model
 * ==================================================================== */


#define RP_ACCOUNTS 400
#define RP_MAX_INST 12
#define RP_MAX_FACTS 10

enum { FACT_PAYMENT, FACT_WAIVER };

struct rp_fact {
	int kind;
	int32_t date, arrives;
	int component;
	int64_t amount;
};

struct rp_acct {
	char id[8];
	int product;
	int32_t open_date, annual_ppm, penalty_ppm;
	int32_t arrives, schedule_arrives;
	size_t n_inst;
	int32_t due[RP_MAX_INST];
	int64_t principal[RP_MAX_INST], interest[RP_MAX_INST], fee[RP_MAX_INST];
	size_t n_fact;
	struct rp_fact fact[RP_MAX_FACTS]; /* by date */
};

struct rp {
	struct hk_config cfg;
	int32_t start, end;
	struct rp_acct acct[RP_ACCOUNTS];
	size_t order[RP_ACCOUNTS]; /* the order accounts are imported in */
};

/* What one database has been given so far. */
struct rp_db {
	struct db db;
	bool acct_in[RP_ACCOUNTS], sched_in[RP_ACCOUNTS];
	bool fact_in[RP_ACCOUNTS][RP_MAX_FACTS];
	int64_t ref[RP_ACCOUNTS];
};

/* ---- the model: ledger.md §3 day by day ----------------------------- */

struct model {
	int32_t eff_ppm, basis;
	bool compound;
	size_t n;
	int32_t due[RP_MAX_INST];
	int64_t p[RP_MAX_INST], i[RP_MAX_INST], f[RP_MAX_INST];
	int64_t pen[RP_MAX_INST], accrued[RP_MAX_INST];
	int64_t credit, paid, waived;
};

static int64_t *model_part(struct model *m, size_t k, int component)
{
	switch (component) {
	case HK_COMP_PENALTY:
		return &m->pen[k];
	case HK_COMP_FEE:
		return &m->f[k];
	case HK_COMP_INTEREST:
		return &m->i[k];
	default:
		return &m->p[k];
	}
}

static void model_take(int64_t *unpaid, int64_t *left)
{
	int64_t t = *unpaid < *left ? *unpaid : *left;

	*unpaid -= t;
	*left -= t;
}

static void model_init(struct model *m, const struct rp *rp,
		       const struct rp_acct *a, bool with_schedule)
{
	const struct hk_policy *pol = &rp->cfg.policy[a->product];
	int32_t room = pol->cap_ppm - a->annual_ppm;

	memset(m, 0, sizeof(*m));
	if (room < 0)
		room = 0;
	m->eff_ppm = a->penalty_ppm < room ? a->penalty_ppm : room;
	m->basis = pol->day_basis;
	m->compound = pol->compound;
	if (!with_schedule)
		return;
	m->n = a->n_inst;
	for (size_t k = 0; k < a->n_inst; k++) {
		m->due[k] = a->due[k];
		m->p[k] = a->principal[k];
		m->i[k] = a->interest[k];
		m->f[k] = a->fee[k];
	}
}

static int64_t model_unpaid(struct model *m, int component)
{
	int64_t sum = 0;

	for (size_t k = 0; k < m->n; k++)
		sum += *model_part(m, k, component);
	return sum;
}

/* One day: its waivers, its payments, then its penalty. */
static void model_day(struct model *m, int32_t day, const struct rp_fact *facts,
		      const bool *use, size_t n)
{
	static const int due_order[] = {HK_COMP_PENALTY, HK_COMP_FEE,
					HK_COMP_INTEREST, HK_COMP_PRINCIPAL};

	for (size_t e = 0; e < n; e++) {
		int64_t left = facts[e].amount;

		if (!use[e] || facts[e].date != day || facts[e].kind != FACT_WAIVER)
			continue;
		for (size_t k = 0; k < m->n; k++)
			model_take(model_part(m, k, facts[e].component), &left);
		m->waived += facts[e].amount;
	}
	for (size_t e = 0; e < n; e++) {
		int64_t left = facts[e].amount;

		if (!use[e] || facts[e].date != day || facts[e].kind != FACT_PAYMENT)
			continue;
		for (size_t k = 0; k < m->n; k++)
			if (m->due[k] <= day)
				for (int c = 0; c < 4; c++)
					model_take(model_part(m, k, due_order[c]), &left);
		for (size_t k = 0; k < m->n; k++)
			if (m->due[k] > day)
				for (int c = 1; c < 4; c++)
					model_take(model_part(m, k, due_order[c]), &left);
		m->credit += left;
		m->paid += facts[e].amount;
	}
	for (size_t k = 0; k < m->n; k++) {
		__int128 base;
		int64_t pen;

		if (!(m->due[k] < day))
			continue;
		base = m->p[k] + (m->compound ? m->i[k] : 0);
		pen = (int64_t)((base * m->eff_ppm + (__int128)m->basis * 500000) /
				((__int128)m->basis * 1000000));
		m->pen[k] += pen;
		m->accrued[k] += pen;
	}
}

/* Run the model from the opening to the end of `to` with the facts in
 * `use`. */
static void model_run(struct model *m, const struct rp *rp,
		      const struct rp_acct *a, bool with_schedule,
		      const bool *use, int32_t to)
{
	model_init(m, rp, a, with_schedule);
	for (int32_t day = a->open_date; day <= to; day++)
		model_day(m, day, a->fact, use, a->n_fact);
}

static void put_money(FILE *out, int64_t fen)
{
	int64_t abs_fen = fen < 0 ? -fen : fen;

	fprintf(out, ",%s%lld.%02lld", fen < 0 ? "-" : "",
		(long long)(abs_fen / 100), (long long)(abs_fen % 100));
}

/* Civil date of a day number (H. Hinnant's algorithm), as ISO text. */
static void put_date(FILE *out, int32_t days)
{
	int64_t z = (int64_t)days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t dd = doy - (153 * mp + 2) / 5 + 1;
	int64_t mm = mp < 10 ? mp + 3 : mp - 9;
	int64_t yy = yoe + era * 400 + (mm <= 2);

	fprintf(out, "%04lld-%02lld-%02lld", (long long)yy, (long long)mm,
		(long long)dd);
}

/* The export row of §4 for account a as of `as_of`, from the model. */
static void model_row(FILE *out, const struct rp *rp, const struct rp_db *x,
		      size_t ai, int32_t as_of)
{
	static const char *const bucket[] = {"M0", "M1", "M2", "M3",
					     "M4", "M5", "M6", "M7+"};
	static const int32_t upper[] = {0, 30, 60, 90, 120, 150, 180};
	const struct rp_acct *a = &rp->acct[ai];
	bool use[RP_MAX_FACTS];
	struct model m;
	int64_t op = 0, oi = 0, of = 0, pen = 0, po = 0, acc = 0;
	int32_t first = HK_DATE_NONE, dpd = 0;
	int b = 7;

	for (size_t e = 0; e < a->n_fact; e++)
		use[e] = x->fact_in[ai][e] && a->fact[e].date <= as_of;
	model_run(&m, rp, a, x->sched_in[ai], use, as_of);
	if (as_of < a->open_date)
		memset(&m, 0, sizeof(m)); /* opened after as_of: all zero */
	for (size_t k = 0; k < m.n; k++) {
		pen += m.pen[k];
		acc += m.accrued[k];
		po += m.p[k];
		if (m.due[k] < as_of) {
			op += m.p[k];
			oi += m.i[k];
			of += m.f[k];
			if (first == HK_DATE_NONE &&
			    m.p[k] + m.i[k] + m.f[k] + m.pen[k] > 0)
				first = m.due[k];
		}
	}
	if (first != HK_DATE_NONE)
		dpd = as_of - first;
	for (int k = 0; k < 7; k++)
		if (dpd <= upper[k]) {
			b = k;
			break;
		}
	fprintf(out, "%s,", a->id);
	put_date(out, as_of);
	fprintf(out, ",%d,%s", dpd, bucket[b]);
	put_money(out, op);
	put_money(out, oi);
	put_money(out, of);
	put_money(out, pen);
	put_money(out, op + oi + of + pen);
	put_money(out, po);
	put_money(out, m.credit);
	put_money(out, acc);
	put_money(out, m.paid);
	fputc(',', out);
	if (first != HK_DATE_NONE)
		put_date(out, first);
	put_money(out, m.waived);
	fputc('\n', out);
}

/* The bucket index of the model's state as of `as_of` (end of that day). */
static int model_bucket(const struct model *m, int32_t as_of)
{
	static const int32_t upper[] = {0, 30, 60, 90, 120, 150, 180};

	for (size_t k = 0; k < m->n; k++) {
		if (!(m->due[k] < as_of))
			break; /* due dates increase */
		if (m->p[k] + m->i[k] + m->f[k] + m->pen[k] > 0) {
			int32_t dpd = as_of - m->due[k];

			for (int b = 0; b < 7; b++)
				if (dpd <= upper[b])
					return b;
			return 7;
		}
	}
	return 0;
}

/*
 * The bucket transitions a daily run from rp->start to rp->end must record,
 * each day knowing what has arrived by then: one row on each day an
 * account's bucket differs from the one the previous day-end gave it (M0
 * before its first).  As TRANSITIONS_SQL lists them.
 */
static char *model_daily_transitions(const struct rp *rp)
{
	static const char *const bucket[] = {"M0", "M1", "M2", "M3",
					     "M4", "M5", "M6", "M7+"};
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	for (size_t ai = 0; ai < RP_ACCOUNTS; ai++) {
		const struct rp_acct *a = &rp->acct[ai];
		bool known[RP_MAX_FACTS] = {false}, sched = false;
		struct model m;
		int prev = 0;

		for (int32_t d = rp->start; d <= rp->end; d++) {
			bool news = false;
			int b;

			if (a->arrives > d)
				continue;
			if (!sched && a->schedule_arrives <= d)
				sched = news = true;
			for (size_t e = 0; e < a->n_fact; e++)
				if (!known[e] && a->fact[e].arrives <= d)
					known[e] = news = true;
			if (news || d == a->arrives)
				model_run(&m, rp, a, sched, known, d);
			else if (d >= a->open_date)
				model_day(&m, d, a->fact, known, a->n_fact);
			b = d < a->open_date ? 0 : model_bucket(&m, d);
			if (b != prev) {
				fprintf(out, "%s|", a->id);
				put_date(out, d);
				fprintf(out, "|%s|%s\n", bucket[prev], bucket[b]);
				prev = b;
			}
		}
	}
	fclose(out);
	return buf;
}

/* The whole export the model expects from database x as of `as_of`. */
static char *model_export(const struct rp *rp, const struct rp_db *x,
			  int32_t as_of)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	fputs(HEADER, out);
	for (size_t ai = 0; ai < RP_ACCOUNTS; ai++) /* ids sort like indexes */
		if (x->acct_in[ai])
			model_row(out, rp, x, ai, as_of);
	fclose(out);
	return buf;
}

/* ---- generating the portfolio -------------------------------------- */

static int cmp_fact_date(const void *pa, const void *pb)
{
	const struct rp_fact *a = pa, *b = pb;

	return (a->date > b->date) - (a->date < b->date);
}

static int32_t clamp_date(int32_t d, int32_t lo, int32_t hi)
{
	return d < lo ? lo : d > hi ? hi : d;
}

static void rp_generate(struct rp *rp, uint64_t seed)
{
	uint64_t rng = seed;

	memset(rp, 0, sizeof(*rp));
	hk_config_default(&rp->cfg);
	/* a different penalty policy per product */
	rp->cfg.policy[HK_PRODUCT_CONSUMER_LOAN].day_basis = 365;
	rp->cfg.policy[HK_PRODUCT_BUSINESS_LOAN].compound = true;
	rp->cfg.policy[HK_PRODUCT_INVOICE].cap_ppm = 150000;
	rp->cfg.policy[HK_PRODUCT_OTHER] =
		(struct hk_policy){.cap_ppm = 360000, .day_basis = 365, .compound = true};
	rp->start = D("2026-01-01");
	rp->end = D("2026-04-30");
	for (size_t ai = 0; ai < RP_ACCOUNTS; ai++) {
		struct rp_acct *a = &rp->acct[ai];
		int64_t scale = (int64_t[]){1000, 100000, 10000000}[rng_range(&rng, 0, 2)];
		int64_t total = 0;
		int32_t due;
		size_t n_pay, n_waive;
		bool use[RP_MAX_FACTS];

		snprintf(a->id, sizeof(a->id), "R%04zu", ai);
		a->product = (int)rng_range(&rng, 0, HK_PRODUCT_COUNT - 1);
		a->open_date = D("2025-10-01") + (int32_t)rng_range(&rng, 0, 200);
		a->annual_ppm = rng_range(&rng, 0, 3) == 0
					? (int32_t)rng_range(&rng, 240000, 400000)
					: (int32_t)rng_range(&rng, 0, 200000);
		a->penalty_ppm = (int32_t)rng_range(&rng, 0, 400000);
		a->arrives = rng_range(&rng, 0, 4) ? rp->start
						   : rp->start + (int32_t)rng_range(&rng, 0, 119);
		a->schedule_arrives = rng_range(&rng, 0, 6)
					      ? a->arrives
					      : clamp_date(a->arrives + (int32_t)rng_range(&rng, 1, 30),
							   rp->start, rp->end);
		a->n_inst = (size_t)rng_range(&rng, 1, RP_MAX_INST);
		due = a->open_date + (int32_t)rng_range(&rng, 0, 45);
		for (size_t k = 0; k < a->n_inst; k++) {
			if (k)
				due += (int32_t)rng_range(&rng, 1, 35);
			a->due[k] = due;
			a->principal[k] = rng_range(&rng, 0, 4) ? rng_range(&rng, 1, scale) : 0;
			a->interest[k] = rng_range(&rng, 0, 1) ? rng_range(&rng, 0, scale / 10) : 0;
			a->fee[k] = rng_range(&rng, 0, 2) ? 0 : rng_range(&rng, 1, scale / 20 + 1);
			if (!a->principal[k] && !a->interest[k] && !a->fee[k])
				a->interest[k] = 1;
			total += a->principal[k] + a->interest[k] + a->fee[k];
		}
		n_pay = (size_t)rng_range(&rng, 0, 7);
		for (size_t p = 0; p < n_pay; p++) {
			struct rp_fact *f = &a->fact[a->n_fact++];
			int64_t r = rng_range(&rng, 0, 19);

			f->kind = FACT_PAYMENT;
			f->date = a->open_date +
				  (int32_t)rng_range(&rng, 0, rp->end + 10 - a->open_date);
			if (p && rng_range(&rng, 0, 4) == 0)
				f->date = a->fact[p - 1].date; /* same day */
			f->amount = r < 6 ? rng_range(&rng, 1, total / (int64_t)a->n_inst + 1)
				    : r < 12 ? rng_range(&rng, 1, total)
				    : r < 15 ? total + rng_range(&rng, 0, total / 5)
					     : rng_range(&rng, 1, 500);
			/* on time, late (a back-dated file) or before its date */
			f->arrives = r % 4 == 0 ? f->date + (int32_t)rng_range(&rng, 1, 30)
				     : r % 7 == 0 ? f->date - (int32_t)rng_range(&rng, 1, 10)
						  : f->date;
			if (f->arrives < a->arrives)
				f->arrives = a->arrives;
			f->arrives = clamp_date(f->arrives, rp->start, rp->end);
		}
		qsort(a->fact, a->n_fact, sizeof(a->fact[0]), cmp_fact_date);
		/* waivers within what is unpaid the day before, knowing every
		 * payment (a late one can still make a waiver too big: cut) */
		n_waive = rng_range(&rng, 0, 1) ? 0 : (size_t)rng_range(&rng, 1, 2);
		for (size_t w = 0; w < n_waive; w++) {
			struct rp_fact *f = &a->fact[a->n_fact];
			struct model m;
			int64_t unpaid;

			f->kind = FACT_WAIVER;
			f->date = a->open_date +
				  (int32_t)rng_range(&rng, 1, rp->end - a->open_date);
			f->component = (int)rng_range(&rng, 0, HK_COMP_COUNT - 1);
			for (size_t e = 0; e < a->n_fact; e++)
				use[e] = true;
			model_run(&m, rp, a, true, use, f->date - 1);
			unpaid = model_unpaid(&m, f->component);
			if (unpaid <= 0)
				continue;
			f->amount = rng_range(&rng, 1, unpaid);
			f->arrives = rng_range(&rng, 0, 2) ? f->date
							   : f->date + (int32_t)rng_range(&rng, 1, 20);
			if (f->arrives < a->arrives)
				f->arrives = a->arrives;
			f->arrives = clamp_date(f->arrives, rp->start, rp->end);
			a->n_fact++;
			qsort(a->fact, a->n_fact, sizeof(a->fact[0]), cmp_fact_date);
		}
	}
	/* import order: a shuffle, so refs do not follow ids */
	for (size_t ai = 0; ai < RP_ACCOUNTS; ai++)
		rp->order[ai] = ai;
	for (size_t k = RP_ACCOUNTS; k > 1; k--) {
		size_t j = (size_t)rng_range(&rng, 0, k - 1), t = rp->order[k - 1];

		rp->order[k - 1] = rp->order[j];
		rp->order[j] = t;
	}
}

/* Import everything that has arrived by `upto` and is not yet in x. */
static void rp_deliver(const struct rp *rp, struct rp_db *x, int32_t upto)
{
	struct db *d = &x->db;
	struct hk_err err = {0};

	assert_int_equal(d->s->ops->begin(d->s, &err), HK_OK);
	for (size_t o = 0; o < RP_ACCOUNTS; o++) {
		size_t ai = rp->order[o];
		const struct rp_acct *a = &rp->acct[ai];
		int64_t total = 0;
		char debtor_id[16];

		if (x->acct_in[ai] || a->arrives > upto)
			continue;
		for (size_t k = 0; k < a->n_inst; k++)
			total += a->principal[k];
		snprintf(debtor_id, sizeof(debtor_id), "DR%04zu", ai);
		x->ref[ai] = add_account(d, a->id, add_debtor(d, debtor_id), "BANK",
					 a->product, a->open_date, a->annual_ppm,
					 a->penalty_ppm, total);
		x->acct_in[ai] = true;
	}
	for (size_t o = 0; o < RP_ACCOUNTS; o++) {
		size_t ai = rp->order[o];
		const struct rp_acct *a = &rp->acct[ai];

		if (!x->acct_in[ai])
			continue;
		if (!x->sched_in[ai] && a->schedule_arrives <= upto) {
			for (size_t k = 0; k < a->n_inst; k++)
				add_inst(d, x->ref[ai], (int)k + 1, a->due[k],
					 a->principal[k], a->interest[k], a->fee[k]);
			x->sched_in[ai] = true;
		}
		for (size_t e = 0; e < a->n_fact; e++) {
			const struct rp_fact *f = &a->fact[e];
			char payment_id[48];

			if (x->fact_in[ai][e] || f->arrives > upto)
				continue;
			if (f->kind == FACT_PAYMENT) {
				snprintf(payment_id, sizeof(payment_id), "PAY-%zu-%zu", ai, e);
				add_payment(d, payment_id, x->ref[ai], f->date, f->amount);
			} else {
				add_waiver(d, x->ref[ai], f->date, f->component, f->amount);
			}
			x->fact_in[ai][e] = true;
		}
	}
	assert_int_equal(d->s->ops->commit(d->s, &err), HK_OK);
}

/* The export against the model; and, unless facts arrived since the last
 * day-end (its totals are what it knew then), day_totals against the
 * export. */
static void rp_check(const struct rp *rp, struct rp_db *x, int32_t as_of,
		     const char *what, bool totals)
{
	char *want = model_export(rp, x, as_of), *got = export_text(&x->db);

	expect_text(what, want, got);
	if (totals)
		expect_totals_match_export(&x->db, got);
	free(want);
	free(got);
}

static void rp_open(const struct rp *rp, struct rp_db *x, size_t chunk)
{
	memset(x, 0, sizeof(*x));
	db_open(&x->db);
	x->db.cfg = rp->cfg;
	x->db.chunk = chunk;
}

static void test_random_portfolio(void **state)
{
	static struct rp rp;
	static struct rp_db daily, steps, once;
	uint64_t rng = UINT64_C(0x5eed0e0d);
	char *e_daily, *e_steps, *e_once, *want, *got;
	int32_t s;
	size_t late_files = 0;

	(void)state;
	rp_generate(&rp, UINT64_C(0x68756b75616e4a));
	rp_open(&rp, &daily, 0);
	rp_open(&rp, &steps, 7);
	rp_open(&rp, &once, 50);
	/* one of the three reads ahead on a second thread, in small chunks */
	steps.db.read_ahead = true;

	/* every day, each day's arrivals before its day-end */
	for (int32_t d = rp.start; d <= rp.end; d++) {
		rp_deliver(&rp, &daily, d);
		eod_at(&daily.db, d);
		if ((d - rp.start) % 10 == 0)
			rp_check(&rp, &daily, d, "daily", true);
	}
	want = model_daily_transitions(&rp);
	got = sql_text(&daily.db, TRANSITIONS_SQL);
	expect_text("daily bucket transitions", want, got);
	assert_true(strlen(want) > 1000);
	free(want);
	free(got);
	/* random steps; sometimes files arrive after a day-end and the day
	 * is run again, and export is checked before and after the rerun */
	for (s = rp.start;; s += (int32_t)rng_range(&rng, 1, 12)) {
		if (s > rp.end)
			s = rp.end;
		rp_deliver(&rp, &steps, s);
		eod_at(&steps.db, s);
		rp_check(&rp, &steps, s, "random steps", true);
		if (rng_range(&rng, 0, 9) < 5) {
			rp_deliver(&rp, &steps, s + (int32_t)rng_range(&rng, 1, 15));
			rp_check(&rp, &steps, s, "random steps, late file, before the rerun",
				 false);
			eod_at(&steps.db, s);
			rp_check(&rp, &steps, s, "random steps, late file, rerun", true);
			late_files++;
		}
		if (s == rp.end)
			break;
	}
	/* once, knowing everything */
	rp_deliver(&rp, &once, rp.end);
	eod_at(&once.db, rp.end);
	rp_check(&rp, &once, rp.end, "once", true);

	e_daily = export_text(&daily.db);
	e_steps = export_text(&steps.db);
	e_once = export_text(&once.db);
	expect_text("random steps vs daily", e_daily, e_steps);
	expect_text("once vs daily", e_daily, e_once);
	rp_check(&rp, &daily, rp.end, "daily, last day", true);
	assert_true(late_files >= 5);
	free(e_daily);
	free(e_steps);
	free(e_once);
	db_close(&daily.db);
	db_close(&steps.db);
	db_close(&once.db);
}

/* After each test: close what a failed test left open. */
static int close_leftovers(void **state)
{
	(void)state;
	for (int k = 0; k < MAX_OPEN_DBS; k++)
		if (open_dbs[k].s) {
			struct db d = open_dbs[k];

			db_close(&d);
		}
	return 0;
}

#define TEST(f) cmocka_unit_test_teardown(f, close_leftovers)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_export_hand_computed),
		TEST(test_daily_weekly_once_agree),
		TEST(test_backdated_payment),
		TEST(test_backdated_payment_next_day),
		TEST(test_rerun_changes_nothing),
		TEST(test_earlier_date_refused),
		TEST(test_transitions_and_totals),
		TEST(test_rerun_moves_bucket_back),
		TEST(test_promises),
		TEST(test_waivers),
		TEST(test_waiver_after_same_day_payment),
		TEST(test_waivable_counts_same_day_waivers),
		TEST(test_waivable_before_opening),
		TEST(test_schedule_after_first_eod),
		TEST(test_random_portfolio),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
