/*
 * test_demo_gen.c - unit tests of src/batch/demo_gen.c: the demo portfolio
 * must pass every rule of spec/ledger.md §2 that the importer applies, and
 * the same seed must give the same bytes.
 *
 * The files are read back with plain line and comma splitting, which is
 * exact for this generator's output because none of its fields needs
 * quoting (the test checks that no quote appears).  Every check goes
 * through the core validators and parsers, never through the generator's
 * own code, so a wrong generator cannot agree with itself.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "hk/io.h"
#include "hk/types.h"

#define N_ACCOUNTS 300
#define MAX_FIELDS 16

static const char *const file_names[] = {
	"debtors.csv",  "contacts.csv", "accounts.csv",
	"installments.csv", "payments.csv", "promises.csv",
};
#define N_FILES (sizeof(file_names) / sizeof(file_names[0]))

/* The product codes of ledger.md §2, in enum hk_product order (spelt out
 * here so the test needs only core/types). */
static const char *const products[HK_PRODUCT_COUNT] = {
	"credit_card", "consumer_loan", "business_loan", "invoice", "other",
};

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

struct fixture {
	char root[64]; /* the mkdtemp directory everything goes under */
};

static int32_t test_today(void)
{
	return hk_date_from_ymd(2026, 3, 15);
}

static void generate(const char *dir, uint64_t seed,
		     struct hk_demo_counts *counts)
{
	struct hk_demo_opts opts = {
		.accounts = N_ACCOUNTS,
		.seed = seed,
		.today = test_today(),
		.history_days = 365,
	};
	struct hk_err err = { 0 };
	enum hk_rc rc = hk_demo_write(&opts, dir, counts, &err);

	if (rc != HK_OK)
		fail_msg("hk_demo_write(%s): %s", dir, err.msg);
}

static void path_join(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);

	assert_true(n > 0 && (size_t)n < cap);
}

/* The whole file, NUL-terminated; the caller frees it. */
static char *slurp(const char *dir, const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	long size;
	char *buf;

	path_join(path, sizeof(path), dir, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size >= 0);
	rewind(f);
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	buf[size] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)size;
	return buf;
}

/* Cut `line` at its commas, in place.  Returns the number of fields. */
static int split(char *line, char **fields)
{
	int n = 0;

	fields[n++] = line;
	for (; *line; line++) {
		if (*line != ',')
			continue;
		*line = '\0';
		assert_true(n < MAX_FIELDS);
		fields[n++] = line + 1;
	}
	return n;
}

/*
 * Walk the data rows of a file: checks the file as a whole (no BOM, LF
 * only, a final newline, no quoting, the exact header), then hands each
 * row's fields to `row`.  Returns the number of data rows.
 */
typedef void (*row_fn)(void *ctx, char **fields, int n_fields, long line);

static size_t each_row(const char *dir, const char *name, const char *header,
		       int n_columns, row_fn row, void *ctx)
{
	size_t len, rows = 0;
	char *buf = slurp(dir, name, &len), *line = buf, *end;
	char *fields[MAX_FIELDS];
	long line_no = 1;

	assert_true(len > 0);
	assert_false((unsigned char)buf[0] == 0xEF); /* no BOM */
	assert_null(strchr(buf, '\r'));
	assert_null(strchr(buf, '"'));
	assert_int_equal(buf[len - 1], '\n');
	end = strchr(line, '\n');
	*end = '\0';
	assert_string_equal(line, header);
	for (line = end + 1; *line; line = end + 1, line_no++) {
		end = strchr(line, '\n');
		*end = '\0';
		if (split(line, fields) != n_columns)
			fail_msg("%s:%ld: expected %d fields", name, line_no + 1,
				 n_columns);
		row(ctx, fields, n_columns, line_no + 1);
		rows++;
	}
	free(buf);
	return rows;
}

/* Money that parses and is written the one canonical way ("12.50"). */
static int64_t money(const char *s)
{
	char again[HK_MONEY_BUFSZ];
	int64_t fen = -1;

	if (hk_money_parse(s, strlen(s), &fen) != HK_OK)
		fail_msg("bad money \"%s\"", s);
	hk_money_format(fen, again);
	assert_string_equal(again, s);
	return fen;
}

static int32_t date(const char *s)
{
	char again[HK_DATE_BUFSZ];
	int32_t day = 0;

	if (hk_date_parse(s, strlen(s), &day) != HK_OK)
		fail_msg("bad date \"%s\"", s);
	hk_date_format(day, again);
	assert_string_equal(again, s);
	return day;
}

static int32_t rate(const char *s)
{
	int32_t ppm = -1;

	if (hk_rate_parse(s, strlen(s), &ppm) != HK_OK)
		fail_msg("bad rate \"%s\"", s);
	return ppm;
}

/* The number of a generated id ("A0000042" -> 42), checking its prefix. */
static size_t id_number(const char *id, char prefix)
{
	char *end;
	unsigned long n;

	assert_true(hk_ident_valid(id, strlen(id)));
	assert_int_equal(id[0], prefix);
	n = strtoul(id + 1, &end, 10);
	assert_int_equal(*end, '\0');
	return (size_t)n;
}

/* The index of `s` in `set`, or -1. */
static int index_of(const char *s, const char *const *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, set[i]) == 0)
			return (int)i;
	return -1;
}

static bool one_of(const char *s, const char *const *set, size_t n)
{
	return index_of(s, set, n) >= 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->root, sizeof(fx->root), "/tmp/hk_demo_test.XXXXXX");
	if (!mkdtemp(fx->root)) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	int rc = nftw(fx->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);

	free(fx);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* The portfolio passes the import rules                                    */
/* ------------------------------------------------------------------------ */

struct acct_seen {
	int64_t principal, installment_sum;
	int32_t open, last_due;
	int last_seq;
	size_t debtor;
};

struct portfolio {
	int32_t today;
	size_t n_debtors, persons, companies, self_contacts;
	bool debtor_has_self[N_ACCOUNTS + 1];
	struct acct_seen acct[N_ACCOUNTS + 1];
	size_t n_accounts;
	size_t products[HK_PRODUCT_COUNT];
	size_t payments, promises;
};

static void debtor_row(void *ctx, char **f, int n, long line)
{
	static const char *const segments[] = { "白领", "退休", "小微企业主",
						"工人", "学生", "其他" };
	struct portfolio *p = ctx;
	size_t id = id_number(f[0], 'D');

	(void)n;
	/* Ids are issued in order, so this also proves them unique. */
	assert_int_equal(id, ++p->n_debtors);
	assert_true(f[1][0] != '\0');
	if (strcmp(f[2], "person") == 0) {
		char normal[19];

		if (!hk_id_number_valid(f[3], strlen(f[3]), normal))
			fail_msg("debtors.csv:%ld: bad ID number", line);
		assert_string_equal(normal, f[3]);
		assert_true(one_of(f[5], segments, 6));
		p->persons++;
	} else {
		assert_string_equal(f[2], "company");
		if (!hk_credit_code_valid(f[3], strlen(f[3])))
			fail_msg("debtors.csv:%ld: bad credit code", line);
		assert_string_equal(f[5], "");
		p->companies++;
	}
	if (!hk_phone_valid(f[4], strlen(f[4])))
		fail_msg("debtors.csv:%ld: bad phone", line);
	assert_true(f[6][0] && f[7][0] && f[8][0]);
}

static void contact_row(void *ctx, char **f, int n, long line)
{
	static const char *const relations[] = {
		"self",     "spouse",    "parent",   "child",
		"sibling",  "relative",  "friend",   "colleague",
		"employer", "guarantor", "co_borrower", "other",
	};
	struct portfolio *p = ctx;
	size_t debtor = id_number(f[1], 'D');

	(void)n;
	id_number(f[0], 'C');
	assert_true(debtor >= 1 && debtor <= p->n_debtors);
	assert_true(one_of(f[2], relations, 12));
	assert_true(f[3][0] != '\0');
	if (!hk_phone_valid(f[4], strlen(f[4])))
		fail_msg("contacts.csv:%ld: bad phone", line);
	assert_true(strcmp(f[5], "yes") == 0 || strcmp(f[5], "no") == 0);
	if (strcmp(f[2], "self") == 0) {
		assert_string_equal(f[5], "yes");
		if (debtor <= N_ACCOUNTS) {
			assert_false(p->debtor_has_self[debtor]);
			p->debtor_has_self[debtor] = true;
		}
		p->self_contacts++;
	}
}

static void account_row(void *ctx, char **f, int n, long line)
{
	struct portfolio *p = ctx;
	size_t id = id_number(f[0], 'A');
	struct acct_seen *a;
	int product;

	(void)n;
	assert_int_equal(id, ++p->n_accounts);
	assert_true(id <= N_ACCOUNTS);
	a = &p->acct[id];
	a->debtor = id_number(f[1], 'D');
	assert_true(a->debtor >= 1 && a->debtor <= p->n_debtors);
	assert_true(hk_ident_valid(f[2], strlen(f[2])));
	product = index_of(f[3], products, HK_PRODUCT_COUNT);
	if (product < 0)
		fail_msg("accounts.csv:%ld: bad product \"%s\"", line, f[3]);
	p->products[product]++;
	a->principal = money(f[4]);
	assert_true(a->principal > 0);
	assert_true(rate(f[5]) <= 240000);
	assert_true(rate(f[6]) <= 240000);
	a->open = date(f[7]);
	assert_true(a->open <= p->today);
	if (product == HK_PRODUCT_INVOICE)
		assert_int_equal(rate(f[5]), 0);
}

static void installment_row(void *ctx, char **f, int n, long line)
{
	struct portfolio *p = ctx;
	size_t id = id_number(f[0], 'A');
	struct acct_seen *a;
	char *end;
	long seq = strtol(f[1], &end, 10);
	int32_t due = date(f[2]);
	int64_t principal = money(f[3]), interest = money(f[4]),
		fee = money(f[5]);

	(void)n;
	assert_true(id >= 1 && id <= p->n_accounts);
	a = &p->acct[id];
	assert_int_equal(*end, '\0');
	if (seq != a->last_seq + 1)
		fail_msg("installments.csv:%ld: seq %ld after %d", line, seq,
			 a->last_seq);
	if (a->last_seq > 0 && due <= a->last_due)
		fail_msg("installments.csv:%ld: due date not increasing", line);
	if (due < a->open)
		fail_msg("installments.csv:%ld: due before opening", line);
	assert_true(principal + interest + fee > 0);
	a->last_seq = (int)seq;
	a->last_due = due;
	a->installment_sum += principal;
}

static void payment_row(void *ctx, char **f, int n, long line)
{
	static const char *const channels[] = { "bank_transfer", "online",
						"offset", "other" };
	struct portfolio *p = ctx;
	size_t id = id_number(f[1], 'A');
	int32_t paid_on = date(f[2]);

	(void)n;
	assert_int_equal(id_number(f[0], 'P'), ++p->payments);
	assert_true(id >= 1 && id <= p->n_accounts);
	if (paid_on < p->acct[id].open || paid_on > p->today)
		fail_msg("payments.csv:%ld: paid_on out of range", line);
	assert_true(money(f[3]) > 0);
	/* Cash is refused by the importer, and never taken in the field. */
	assert_true(one_of(f[4], channels, 4));
	if (strcmp(f[4], "bank_transfer") == 0)
		assert_true(f[5][0] != '\0');
}

static void promise_row(void *ctx, char **f, int n, long line)
{
	struct portfolio *p = ctx;
	size_t debtor = id_number(f[0], 'D');
	int32_t made_on = date(f[2]), due_on = date(f[3]);

	(void)n;
	(void)line;
	assert_true(debtor >= 1 && debtor <= p->n_debtors);
	assert_true(hk_ident_valid(f[1], strlen(f[1])));
	assert_true(made_on <= p->today && made_on >= p->today - 60);
	assert_true(due_on > made_on && due_on <= made_on + 14);
	assert_true(money(f[4]) > 0);
	p->promises++;
}

static void test_files_pass_the_import_rules(void **state)
{
	struct fixture *fx = *state;
	struct portfolio *p = calloc(1, sizeof(*p));
	struct hk_demo_counts counts;
	char dir[256];
	size_t i, rows;

	assert_non_null(p);
	p->today = test_today();
	/* A nested path: the generator creates what is missing. */
	path_join(dir, sizeof(dir), fx->root, "nested/portfolio");
	generate(dir, 20260315, &counts);

	rows = each_row(dir, "debtors.csv",
			"debtor_id,name,kind,id_number,phone,segment,province,"
			"city,address,employer",
			10, debtor_row, p);
	assert_int_equal(rows, counts.debtors);
	rows = each_row(dir, "contacts.csv",
			"contact_id,debtor_id,relation,name,phone,authorized",
			6, contact_row, p);
	assert_int_equal(rows, counts.contacts);
	assert_int_equal(p->self_contacts, counts.debtors);
	rows = each_row(dir, "accounts.csv",
			"account_id,debtor_id,creditor,product,principal,"
			"annual_rate,penalty_rate,open_date",
			8, account_row, p);
	assert_int_equal(rows, N_ACCOUNTS);
	assert_int_equal(counts.accounts, N_ACCOUNTS);
	rows = each_row(dir, "installments.csv",
			"account_id,seq,due_date,principal,interest,fee", 6,
			installment_row, p);
	assert_int_equal(rows, counts.installments);
	rows = each_row(dir, "payments.csv",
			"payment_id,account_id,paid_on,amount,channel,reference",
			6, payment_row, p);
	assert_int_equal(rows, counts.payments);
	rows = each_row(dir, "promises.csv",
			"debtor_id,creditor,made_on,due_on,amount", 5,
			promise_row, p);
	assert_int_equal(rows, counts.promises);

	/* Every account has a schedule that adds up to its principal. */
	for (i = 1; i <= N_ACCOUNTS; i++) {
		if (p->acct[i].last_seq < 1)
			fail_msg("A%07zu has no installments", i);
		if (p->acct[i].installment_sum != p->acct[i].principal)
			fail_msg("A%07zu: installments sum to %lld, principal "
				 "is %lld", i,
				 (long long)p->acct[i].installment_sum,
				 (long long)p->acct[i].principal);
	}
	/* The shape: mostly persons, some companies, every product, and a
	 * history to collect on. */
	assert_true(p->companies > 0 && p->persons > 5 * p->companies);
	assert_true(counts.debtors < N_ACCOUNTS);
	for (i = 0; i < HK_PRODUCT_COUNT; i++)
		if (p->products[i] == 0)
			fail_msg("no %s account", products[i]);
	assert_true(counts.payments > N_ACCOUNTS);
	assert_true(counts.promises > 0);
	free(p);
}

/* ------------------------------------------------------------------------ */
/* Determinism and failure                                                  */
/* ------------------------------------------------------------------------ */

static bool same_file(const char *dir_a, const char *dir_b, const char *name)
{
	size_t len_a, len_b;
	char *a = slurp(dir_a, name, &len_a), *b = slurp(dir_b, name, &len_b);
	bool same = len_a == len_b && memcmp(a, b, len_a) == 0;

	free(a);
	free(b);
	return same;
}

static void test_same_seed_same_bytes(void **state)
{
	struct fixture *fx = *state;
	struct hk_demo_counts counts;
	char first[256], again[256], other[256];
	size_t i, differ = 0;

	path_join(first, sizeof(first), fx->root, "seed1");
	path_join(again, sizeof(again), fx->root, "seed1-again");
	path_join(other, sizeof(other), fx->root, "seed2");
	generate(first, 1, &counts);
	generate(again, 1, &counts);
	generate(other, 2, &counts);
	for (i = 0; i < N_FILES; i++) {
		if (!same_file(first, again, file_names[i]))
			fail_msg("%s differs between runs with one seed",
				 file_names[i]);
		differ += !same_file(first, other, file_names[i]);
	}
	assert_int_equal(differ, N_FILES);
	/* Writing into an existing directory replaces the files. */
	generate(first, 2, &counts);
	for (i = 0; i < N_FILES; i++)
		assert_true(same_file(first, other, file_names[i]));
}

static void test_unwritable_directory_is_eio(void **state)
{
	struct fixture *fx = *state;
	struct hk_demo_opts opts = { .accounts = 10, .seed = 1,
				     .today = test_today(),
				     .history_days = 365 };
	struct hk_demo_counts counts;
	struct hk_err err = { 0 };
	char blocker[256], dir[320];
	FILE *f;

	/* A plain file where a directory should be. */
	path_join(blocker, sizeof(blocker), fx->root, "blocker");
	f = fopen(blocker, "w");
	assert_non_null(f);
	fclose(f);
	path_join(dir, sizeof(dir), blocker, "portfolio");
	assert_int_equal(hk_demo_write(&opts, dir, &counts, &err), HK_EIO);
	assert_int_equal(err.code, HK_EIO);
	assert_non_null(strstr(err.msg, blocker));

	assert_int_equal(hk_demo_write(&opts, blocker, &counts, &err), HK_EIO);

	opts.today = HK_DATE_NONE;
	assert_int_equal(hk_demo_write(&opts, fx->root, &counts, &err),
			 HK_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files_pass_the_import_rules),
		cmocka_unit_test(test_same_seed_same_bytes),
		cmocka_unit_test(test_unwritable_directory_is_eio),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
