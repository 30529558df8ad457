/*
 * test_types.c - unit tests of src/core/types.c: money, rates, dates and the
 * identifier checks, against the rules of spec/ledger.md §1-2.
 *
 * Every expected value is worked out by hand in a comment next to it (day
 * numbers, check characters), never by calling the code under test, so a
 * wrong algorithm cannot agree with itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hk/types.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

static int64_t money_ok(const char *s)
{
	int64_t fen = -1;

	assert_int_equal(hk_money_parse(s, strlen(s), &fen), HK_OK);
	return fen;
}

static void money_bad(const char *s)
{
	int64_t fen = 4242;

	if (hk_money_parse(s, strlen(s), &fen) != HK_EINVAL)
		fail_msg("money \"%s\" was accepted", s);
	/* A refused input leaves the out-parameter alone. */
	assert_int_equal(fen, 4242);
}

static int32_t rate_ok(const char *s)
{
	int32_t ppm = -1;

	assert_int_equal(hk_rate_parse(s, strlen(s), &ppm), HK_OK);
	return ppm;
}

static void rate_bad(const char *s)
{
	int32_t ppm = 4242;

	if (hk_rate_parse(s, strlen(s), &ppm) != HK_EINVAL)
		fail_msg("rate \"%s\" was accepted", s);
	assert_int_equal(ppm, 4242);
}

static int32_t date_ok(const char *s)
{
	int32_t date = HK_DATE_NONE;

	if (hk_date_parse(s, strlen(s), &date) != HK_OK)
		fail_msg("date \"%s\" was refused", s);
	return date;
}

static void date_bad(const char *s)
{
	int32_t date = 4242;

	if (hk_date_parse(s, strlen(s), &date) != HK_EINVAL)
		fail_msg("date \"%s\" was accepted", s);
	assert_int_equal(date, 4242);
}

static bool id_ok(const char *s)
{
	char out[19];

	return hk_id_number_valid(s, strlen(s), out) && strcmp(out, s) == 0;
}

static bool id_check(const char *s)
{
	char out[19] = "untouched";

	if (hk_id_number_valid(s, strlen(s), out))
		return true;
	/* A refused number must not be half-written to out. */
	assert_string_equal(out, "untouched");
	return false;
}

static bool credit_ok(const char *s)
{
	return hk_credit_code_valid(s, strlen(s));
}

/* ------------------------------------------------------------------------ */
/* Money                                                                    */
/* ------------------------------------------------------------------------ */

static void test_money_parse_accepts(void **state)
{
	(void)state;
	/* The forms of ledger.md §1. */
	assert_int_equal(money_ok("1234"), 123400);
	assert_int_equal(money_ok("1234.5"), 123450);
	assert_int_equal(money_ok("1234.50"), 123450);
	assert_int_equal(money_ok("007.10"), 710);
	assert_int_equal(money_ok("0"), 0);
	assert_int_equal(money_ok("0.0"), 0);
	assert_int_equal(money_ok("0.00"), 0);
	assert_int_equal(money_ok("0.01"), 1);
	assert_int_equal(money_ok("0.1"), 10);
	assert_int_equal(money_ok("12.05"), 1205);
	assert_int_equal(money_ok("99.99"), 9999);
}

static void test_money_parse_rejects(void **state)
{
	(void)state;
	money_bad("");
	money_bad("-1");
	money_bad("-0.01");
	money_bad("+1");
	money_bad(" 1");
	money_bad("1 ");
	money_bad("12 34");
	money_bad("1e3");
	money_bad("1E3");
	money_bad("1.5e2");
	money_bad("1,234");
	money_bad("1,234.50");
	money_bad(".5");
	money_bad("5.");
	money_bad(".");
	money_bad("1.234");
	money_bad("1..2");
	money_bad("1.2.3");
	money_bad("1.-5");
	money_bad("abc");
	money_bad("12a");
	money_bad("0x10");
	money_bad("¥12");
	money_bad("１２"); /* full-width digits */
	money_bad("nan");
	money_bad("inf");
}

static void test_money_parse_overflow(void **state)
{
	(void)state;
	/* HK_MONEY_MAX is 10^15 fen = 10^13 yuan, inclusive. */
	assert_int_equal(money_ok("10000000000000"), HK_MONEY_MAX);
	assert_int_equal(money_ok("10000000000000.00"), HK_MONEY_MAX);
	assert_int_equal(money_ok("9999999999999.99"), HK_MONEY_MAX - 1);
	money_bad("10000000000000.01");
	money_bad("10000000000001");
	money_bad("99999999999999");
	/* 2^63 yuan and 2^64 yuan: would wrap a careless accumulator. */
	money_bad("9223372036854775808");
	money_bad("18446744073709551616");
	money_bad("184467440737095516160000000000000000000000");
	money_bad("999999999999999999999999999999999999999.99");
	/* Leading zeros are not an overflow. */
	assert_int_equal(money_ok("000000000000000000000000000000000001.00"),
			 100);
	assert_int_equal(money_ok("00000000000000000000000010000000000000"),
			 HK_MONEY_MAX);
}

static void test_money_parse_uses_len(void **state)
{
	int64_t fen = 0;

	(void)state;
	/* Only `len` bytes are read: no NUL terminator needed. */
	assert_int_equal(hk_money_parse("12345", 3, &fen), HK_OK);
	assert_int_equal(fen, 12300);
	assert_int_equal(hk_money_parse("1.5xyz", 3, &fen), HK_OK);
	assert_int_equal(fen, 150);
	/* Cut right after the dot: "5." */
	assert_int_equal(hk_money_parse("5.00", 2, &fen), HK_EINVAL);
	/* An embedded NUL inside `len` is a bad byte, not an end. */
	assert_int_equal(hk_money_parse("1\0" "2", 3, &fen), HK_EINVAL);
	assert_int_equal(hk_money_parse("1.5\0", 4, &fen), HK_EINVAL);
	assert_int_equal(hk_money_parse("", 0, &fen), HK_EINVAL);
	assert_int_equal(hk_money_parse(NULL, 0, &fen), HK_EINVAL);
}

static void test_money_format(void **state)
{
	char buf[HK_MONEY_BUFSZ];

	(void)state;
	assert_int_equal(hk_money_format(123450, buf), 7);
	assert_string_equal(buf, "1234.50");
	assert_int_equal(hk_money_format(0, buf), 4);
	assert_string_equal(buf, "0.00");
	hk_money_format(1, buf);
	assert_string_equal(buf, "0.01");
	hk_money_format(10, buf);
	assert_string_equal(buf, "0.10");
	hk_money_format(100, buf);
	assert_string_equal(buf, "1.00");
	assert_int_equal(hk_money_format(-1205, buf), 6);
	assert_string_equal(buf, "-12.05");
	hk_money_format(-5, buf);
	assert_string_equal(buf, "-0.05");
	hk_money_format(-100, buf);
	assert_string_equal(buf, "-1.00");
	hk_money_format(HK_MONEY_MAX, buf);
	assert_string_equal(buf, "10000000000000.00");
	/* The extremes of int64_t fit HK_MONEY_BUFSZ. */
	assert_int_equal(hk_money_format(INT64_MAX, buf), 20);
	assert_string_equal(buf, "92233720368547758.07");
	assert_int_equal(hk_money_format(INT64_MIN, buf), 21);
	assert_string_equal(buf, "-92233720368547758.08");
}

static void test_money_round_trip(void **state)
{
	char buf[HK_MONEY_BUFSZ], neg[HK_MONEY_BUFSZ];
	int64_t fen, back;
	size_t n;

	(void)state;
	for (fen = 0; fen <= 200000; fen++) {
		n = hk_money_format(fen, buf);
		assert_int_equal(n, strlen(buf));
		assert_int_equal(hk_money_parse(buf, n, &back), HK_OK);
		assert_int_equal(back, fen);
		/* A negative is the positive with a minus in front. */
		if (fen > 0) {
			hk_money_format(-fen, neg);
			assert_int_equal(neg[0], '-');
			assert_string_equal(neg + 1, buf);
		}
	}
	/* Large amounts, up to the limit, stepping by an odd prime so every
	 * fen digit comes up. */
	for (fen = 0; fen <= HK_MONEY_MAX; fen += 999999999989LL) {
		n = hk_money_format(fen, buf);
		assert_int_equal(hk_money_parse(buf, n, &back), HK_OK);
		assert_int_equal(back, fen);
	}
	n = hk_money_format(HK_MONEY_MAX, buf);
	assert_int_equal(hk_money_parse(buf, n, &back), HK_OK);
	assert_int_equal(back, HK_MONEY_MAX);
}

/* ------------------------------------------------------------------------ */
/* Rates                                                                    */
/* ------------------------------------------------------------------------ */

static void test_rate_parse_accepts(void **state)
{
	(void)state;
	assert_int_equal(rate_ok("18.25"), 182500);
	assert_int_equal(rate_ok("24"), 240000);
	assert_int_equal(rate_ok("0.0005"), 5);
	assert_int_equal(rate_ok("0.0001"), 1);
	assert_int_equal(rate_ok("0"), 0);
	assert_int_equal(rate_ok("0.0000"), 0);
	assert_int_equal(rate_ok("12.3456"), 123456);
	assert_int_equal(rate_ok("3.6"), 36000);
	assert_int_equal(rate_ok("007.10"), 71000);
	/* The upper bound, 1000%, is included. */
	assert_int_equal(rate_ok("1000"), HK_RATE_MAX_PPM);
	assert_int_equal(rate_ok("1000.0"), HK_RATE_MAX_PPM);
	assert_int_equal(rate_ok("1000.0000"), HK_RATE_MAX_PPM);
	assert_int_equal(rate_ok("999.9999"), HK_RATE_MAX_PPM - 1);
	assert_int_equal(rate_ok("0001000"), HK_RATE_MAX_PPM);
}

static void test_rate_parse_rejects(void **state)
{
	int32_t ppm = 0;

	(void)state;
	/* Above 1000%. */
	rate_bad("1000.0001");
	rate_bad("1001");
	rate_bad("10000");
	rate_bad("2147483648");
	rate_bad("99999999999999999999999999");
	/* Five decimals, even when the fifth is a zero. */
	rate_bad("0.00001");
	rate_bad("18.25000");
	rate_bad("1.12345");
	/* The lexical rules of money. */
	rate_bad("");
	rate_bad("-1");
	rate_bad("+1");
	rate_bad(" 18.25");
	rate_bad("18.25 ");
	rate_bad("18.25%");
	rate_bad("1e2");
	rate_bad("1,000");
	rate_bad(".5");
	rate_bad("5.");
	rate_bad("1..2");
	rate_bad("1.2.3");
	rate_bad("abc");
	assert_int_equal(hk_rate_parse("18.25", 4, &ppm), HK_OK);
	assert_int_equal(ppm, 182000);
	assert_int_equal(hk_rate_parse(NULL, 0, &ppm), HK_EINVAL);
}

static void test_rate_format(void **state)
{
	char buf[HK_RATE_BUFSZ];

	(void)state;
	assert_int_equal(hk_rate_format(182500, buf), 5);
	assert_string_equal(buf, "18.25");
	assert_int_equal(hk_rate_format(240000, buf), 2);
	assert_string_equal(buf, "24");
	assert_int_equal(hk_rate_format(5, buf), 6);
	assert_string_equal(buf, "0.0005");
	assert_int_equal(hk_rate_format(0, buf), 1);
	assert_string_equal(buf, "0");
	hk_rate_format(1000, buf);
	assert_string_equal(buf, "0.1");
	hk_rate_format(100, buf);
	assert_string_equal(buf, "0.01");
	hk_rate_format(10, buf);
	assert_string_equal(buf, "0.001");
	hk_rate_format(123456, buf);
	assert_string_equal(buf, "12.3456");
	hk_rate_format(100010, buf);
	assert_string_equal(buf, "10.001");
	hk_rate_format(HK_RATE_MAX_PPM, buf);
	assert_string_equal(buf, "1000");
	/* Not a valid rate, but it must still be written safely. */
	hk_rate_format(-182500, buf);
	assert_string_equal(buf, "-18.25");
	assert_int_equal(hk_rate_format(INT32_MIN, buf), 12);
	assert_string_equal(buf, "-214748.3648");
	hk_rate_format(INT32_MAX, buf);
	assert_string_equal(buf, "214748.3647");
}

static void test_rate_round_trip(void **state)
{
	char buf[HK_RATE_BUFSZ];
	int32_t ppm, back;
	size_t n;

	(void)state;
	/* Every rate up to 30%, then a sparse walk up to 1000%. */
	for (ppm = 0; ppm <= 300000; ppm++) {
		n = hk_rate_format(ppm, buf);
		assert_int_equal(n, strlen(buf));
		assert_int_equal(hk_rate_parse(buf, n, &back), HK_OK);
		assert_int_equal(back, ppm);
	}
	for (ppm = 300000; ppm <= HK_RATE_MAX_PPM; ppm += 997) {
		n = hk_rate_format(ppm, buf);
		assert_int_equal(hk_rate_parse(buf, n, &back), HK_OK);
		assert_int_equal(back, ppm);
	}
}

/* ------------------------------------------------------------------------ */
/* Dates                                                                    */
/* ------------------------------------------------------------------------ */

static void test_date_day_numbers(void **state)
{
	int y, m, d;

	(void)state;
	assert_int_equal(hk_date_from_ymd(1970, 1, 1), 0);
	assert_int_equal(hk_date_from_ymd(1970, 1, 2), 1);
	assert_int_equal(hk_date_from_ymd(1969, 12, 31), -1);
	/* 1970..1999: 30 years, leap 1972..1996 = 7 -> 30*365+7 = 10957. */
	assert_int_equal(hk_date_from_ymd(2000, 1, 1), 10957);
	/* 2000 is a leap year: Feb 28 and Mar 1 are two days apart. */
	assert_int_equal(hk_date_from_ymd(2000, 2, 28), 10957 + 31 + 27);
	assert_int_equal(hk_date_from_ymd(2000, 3, 1), 10957 + 31 + 29);
	assert_int_equal(hk_date_from_ymd(2000, 3, 1) -
				 hk_date_from_ymd(2000, 2, 28),
			 2);
	/* 1900 is not: one day apart. */
	assert_int_equal(hk_date_from_ymd(1900, 3, 1) -
				 hk_date_from_ymd(1900, 2, 28),
			 1);
	/* 1970..2025: 56 years, leap 1972..2024 = 14 -> 20454; +31+28+4. */
	assert_int_equal(hk_date_from_ymd(2026, 3, 5), 20517);
	/* 1900..1969: 70 years, leap 1904..1968 = 17 -> -(25550+17). */
	assert_int_equal(hk_date_from_ymd(1900, 1, 1), -25567);
	/* 1970..2199: 230 years, leap 1972..2196 = 57 less 2100 = 56;
	 * 2200-01-01 is 83950+56 = 84006. */
	assert_int_equal(hk_date_from_ymd(2199, 12, 31), 84005);
	/* No range check: 0001-01-01 is 719162 days before the epoch. */
	assert_int_equal(hk_date_from_ymd(1, 1, 1), -719162);

	hk_date_to_ymd(0, &y, &m, &d);
	assert_true(y == 1970 && m == 1 && d == 1);
	hk_date_to_ymd(20517, &y, &m, &d);
	assert_true(y == 2026 && m == 3 && d == 5);
	hk_date_to_ymd(10957 + 31 + 28, &y, &m, &d);
	assert_true(y == 2000 && m == 2 && d == 29);
	hk_date_to_ymd(-1, &y, &m, &d);
	assert_true(y == 1969 && m == 12 && d == 31);
	hk_date_to_ymd(-719162, &y, &m, &d);
	assert_true(y == 1 && m == 1 && d == 1);
	/* The extremes must not trip the sanitizers. */
	hk_date_to_ymd(INT32_MIN, &y, &m, &d);
	assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
	hk_date_to_ymd(INT32_MAX, &y, &m, &d);
	assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
}

static void test_date_valid_ymd(void **state)
{
	(void)state;
	assert_true(hk_date_valid_ymd(2024, 2, 29));
	assert_false(hk_date_valid_ymd(2023, 2, 29));
	assert_false(hk_date_valid_ymd(1900, 2, 29));
	assert_true(hk_date_valid_ymd(2000, 2, 29));
	assert_false(hk_date_valid_ymd(2100, 2, 29));
	assert_false(hk_date_valid_ymd(2024, 2, 30));
	assert_true(hk_date_valid_ymd(2026, 4, 30));
	assert_false(hk_date_valid_ymd(2026, 4, 31));
	assert_true(hk_date_valid_ymd(2026, 12, 31));
	assert_false(hk_date_valid_ymd(2026, 12, 32));
	assert_false(hk_date_valid_ymd(2026, 0, 1));
	assert_false(hk_date_valid_ymd(2026, 13, 1));
	assert_false(hk_date_valid_ymd(2026, 1, 0));
	assert_false(hk_date_valid_ymd(2026, -1, 1));
	assert_true(hk_date_valid_ymd(HK_YEAR_MIN, 1, 1));
	assert_false(hk_date_valid_ymd(HK_YEAR_MIN - 1, 12, 31));
	assert_true(hk_date_valid_ymd(HK_YEAR_MAX, 12, 31));
	assert_false(hk_date_valid_ymd(HK_YEAR_MAX + 1, 1, 1));
}

static void test_date_parse_accepts(void **state)
{
	int32_t date = 0;

	(void)state;
	assert_int_equal(date_ok("2026-03-05"), 20517);
	assert_int_equal(date_ok("2026/3/5"), 20517);
	assert_int_equal(date_ok("2026/03/05"), 20517);
	assert_int_equal(date_ok("2026/3/05"), 20517);
	assert_int_equal(date_ok("2026/03/5"), 20517);
	assert_int_equal(date_ok("1970-01-01"), 0);
	assert_int_equal(date_ok("1970/1/1"), 0);
	assert_int_equal(date_ok("2000-02-29"), 10957 + 31 + 28);
	assert_int_equal(date_ok("2024-02-29"), hk_date_from_ymd(2024, 2, 29));
	assert_int_equal(date_ok("2024/2/29"), hk_date_from_ymd(2024, 2, 29));
	assert_int_equal(date_ok("2026/12/31"), hk_date_from_ymd(2026, 12, 31));
	assert_int_equal(date_ok("1900-01-01"), -25567);
	assert_int_equal(date_ok("2199-12-31"), 84005);
	/* Only `len` bytes are read. */
	assert_int_equal(hk_date_parse("2026-03-05 trailing", 10, &date),
			 HK_OK);
	assert_int_equal(date, 20517);
}

static void test_date_parse_rejects(void **state)
{
	int32_t date = 0;

	(void)state;
	/* Not real dates. */
	date_bad("2023-02-29");
	date_bad("1900-02-29");
	date_bad("2100-02-29");
	date_bad("2023/2/29");
	date_bad("2026-04-31");
	date_bad("2026-01-32");
	date_bad("2026-01-00");
	date_bad("2026-13-01");
	date_bad("2026-00-10");
	date_bad("2026/0/1");
	/* Outside HK_YEAR_MIN..HK_YEAR_MAX. */
	date_bad("1899-12-31");
	date_bad("2200-01-01");
	date_bad("0000-01-01");
	/* ISO needs two digits for month and day. */
	date_bad("2026-3-5");
	date_bad("2026-03-5");
	date_bad("2026-3-05");
	/* Nothing before or after. */
	date_bad("2026/3/5 ");
	date_bad(" 2026/3/5");
	date_bad("2026-03-05T");
	date_bad("2026-03-05T00:00:00");
	date_bad("2026-03-05 00:00:00");
	date_bad("2026-03-05\n");
	/* No other shapes. */
	date_bad("20260305");
	date_bad("2026-03/05");
	date_bad("2026/03-05");
	date_bad("2026.03.05");
	date_bad("2026/003/05");
	date_bad("2026/03/005");
	date_bad("2026/3/");
	date_bad("2026//5");
	date_bad("2026/3");
	date_bad("2026-03");
	date_bad("2026");
	date_bad("26/3/5");
	date_bad("26-03-05");
	date_bad("02026-03-05");
	date_bad("+026-03-05");
	date_bad("2026-0a-05");
	date_bad("3/5/2026");
	date_bad("05/03/2026");
	date_bad("2026年3月5日");
	date_bad("");
	assert_int_equal(hk_date_parse("2026-03-05", 9, &date), HK_EINVAL);
	assert_int_equal(hk_date_parse(NULL, 0, &date), HK_EINVAL);
}

static void test_date_format(void **state)
{
	char buf[HK_DATE_BUFSZ];

	(void)state;
	assert_int_equal(hk_date_format(20517, buf), 10);
	assert_string_equal(buf, "2026-03-05");
	hk_date_format(0, buf);
	assert_string_equal(buf, "1970-01-01");
	hk_date_format(-25567, buf);
	assert_string_equal(buf, "1900-01-01");
	hk_date_format(84005, buf);
	assert_string_equal(buf, "2199-12-31");
	hk_date_format(-719162, buf);
	assert_string_equal(buf, "0001-01-01");
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(hk_date_format(HK_DATE_NONE, buf), 0);
	assert_string_equal(buf, "");
	/* A year that cannot be written in four digits: written as no date
	 * (a documented choice; no parsed date gets there). */
	assert_int_equal(hk_date_format(hk_date_from_ymd(10000, 1, 1), buf), 0);
	assert_string_equal(buf, "");
	assert_int_equal(hk_date_format(hk_date_from_ymd(-1, 12, 31), buf), 0);
	assert_string_equal(buf, "");
	assert_int_equal(hk_date_format(INT32_MAX, buf), 0);
}

static void test_date_round_trip(void **state)
{
	int32_t first = hk_date_from_ymd(HK_YEAR_MIN, 1, 1);
	int32_t last = hk_date_from_ymd(HK_YEAR_MAX, 12, 31);
	int32_t date, back;
	int y, m, d, prev_y, prev_m, prev_d;
	char buf[HK_DATE_BUFSZ], excel[32];
	size_t n;

	(void)state;
	/* 1900-01-01 and 2199-12-31, from the hand counts above. */
	assert_int_equal(first, -25567);
	assert_int_equal(last, 84005);
	prev_y = HK_YEAR_MIN - 1;
	prev_m = 12;
	prev_d = 31;
	for (date = first; date <= last; date++) {
		hk_date_to_ymd(date, &y, &m, &d);
		assert_true(hk_date_valid_ymd(y, m, d));
		assert_int_equal(hk_date_from_ymd(y, m, d), date);
		/* Each day is the one after the previous. */
		if (d == 1) {
			assert_true(!hk_date_valid_ymd(prev_y, prev_m,
						       prev_d + 1) ||
				    prev_y < HK_YEAR_MIN);
			assert_true((m == prev_m + 1 && y == prev_y) ||
				    (m == 1 && prev_m == 12 &&
				     y == prev_y + 1));
		} else {
			assert_true(y == prev_y && m == prev_m &&
				    d == prev_d + 1);
		}
		n = hk_date_format(date, buf);
		assert_int_equal(n, 10);
		assert_int_equal(hk_date_parse(buf, n, &back), HK_OK);
		assert_int_equal(back, date);
		/* And in Excel's form without leading zeros. */
		n = (size_t)snprintf(excel, sizeof(excel), "%d/%d/%d", y, m,
				     d);
		assert_int_equal(hk_date_parse(excel, n, &back), HK_OK);
		assert_int_equal(back, date);
		prev_y = y;
		prev_m = m;
		prev_d = d;
	}
	assert_true(prev_y == HK_YEAR_MAX && prev_m == 12 && prev_d == 31);
}

/* ------------------------------------------------------------------------ */
/* Identifiers and phone numbers                                            */
/* ------------------------------------------------------------------------ */

static void test_ident(void **state)
{
	char id[66];

	(void)state;
	assert_true(hk_ident_valid("D0001", 5));
	assert_true(hk_ident_valid("a", 1));
	assert_true(hk_ident_valid("AZaz09_-.", 9));
	assert_true(hk_ident_valid("icbc.sh-01_A", 12));
	memset(id, 'a', sizeof(id));
	assert_true(hk_ident_valid(id, 64));
	assert_false(hk_ident_valid(id, 65));
	assert_false(hk_ident_valid("", 0));
	assert_false(hk_ident_valid(NULL, 0));
	assert_false(hk_ident_valid("a/b", 3));
	assert_false(hk_ident_valid("a b", 3));
	assert_false(hk_ident_valid("a,b", 3));
	assert_false(hk_ident_valid("a\0b", 3));
	assert_false(hk_ident_valid("D0001\n", 6));
	assert_false(hk_ident_valid("债务人", strlen("债务人")));
	assert_false(hk_ident_valid("D债01", strlen("D债01")));
}

static void test_phone(void **state)
{
	(void)state;
	assert_true(hk_phone_valid("13812345678", 11));
	assert_true(hk_phone_valid("19900000000", 11));
	assert_true(hk_phone_valid("10000000000", 11));
	assert_false(hk_phone_valid("1381234567", 10));
	assert_false(hk_phone_valid("138123456789", 12));
	assert_false(hk_phone_valid("23812345678", 11));
	assert_false(hk_phone_valid("03812345678", 11));
	assert_false(hk_phone_valid("1381234567a", 11));
	assert_false(hk_phone_valid("+8613812345678", 14));
	assert_false(hk_phone_valid("138 1234 5678", 13));
	assert_false(hk_phone_valid("138-12345678", 12));
	assert_false(hk_phone_valid("1381234567\0", 11));
	assert_false(hk_phone_valid("", 0));
	assert_false(hk_phone_valid(NULL, 0));
	assert_false(hk_phone_valid("１３８１２３４５６７８",
				    strlen("１３８１２３４５６７８")));
}

/*
 * GB 11643: sum = Σ digit[i] × weight[i] over the first 17 digits, weights
 * 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2; the check character is
 * "10X98765432"[sum mod 11].
 *
 * 11010519491231002X, digits 1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2:
 *   7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167, 167 mod 11 = 2 -> 'X'.
 * 440304200002291236 (born 2000-02-29, a leap day), digits
 *   4 4 0 3 0 4 2 0 0 0 0 2 2 9 1 2 3:
 *   28+36+0+15+0+16+4+0+0+0+0+18+20+45+8+8+6 = 204, 204 mod 11 = 6 -> '6'.
 * 110105199001010010 (born 1990-01-01), digits
 *   1 1 0 1 0 5 1 9 9 0 0 1 0 1 0 0 1:
 *   7+9+0+5+0+20+2+9+54+0+0+9+0+5+0+0+2 = 122, 122 mod 11 = 1 -> '0'.
 */
static void test_id_number_valid(void **state)
{
	/*
	 * One number for each of the 11 check characters, from the first
	 * sample by changing digit 17 (weight 2) and digit 16 (weight 4):
	 * sum = 167 - 2*2 + 2*digit17 + 4*digit16.
	 */
	static const char *const every_check[] = {
		"110105194912310003", /* 163 mod 11 = 9  -> '3' */
		"110105194912310011", /* 165 mod 11 = 0  -> '1' */
		"11010519491231002X", /* 167 mod 11 = 2  -> 'X' */
		"110105194912310038", /* 169 mod 11 = 4  -> '8' */
		"110105194912310046", /* 171 mod 11 = 6  -> '6' */
		"110105194912310054", /* 173 mod 11 = 8  -> '4' */
		"110105194912310062", /* 175 mod 11 = 10 -> '2' */
		"110105194912310070", /* 177 mod 11 = 1  -> '0' */
		"110105194912310089", /* 179 mod 11 = 3  -> '9' */
		"110105194912310097", /* 181 mod 11 = 5  -> '7' */
		"110105194912310185", /* 167+4+12 = 183, mod 11 = 7 -> '5' */
	};
	char out[19], wrong[19];
	size_t i;
	char c;

	(void)state;
	assert_true(id_ok("11010519491231002X"));
	for (i = 0; i < sizeof(every_check) / sizeof(every_check[0]); i++) {
		if (!id_ok(every_check[i]))
			fail_msg("%s was refused", every_check[i]);
		/* Any other check character is refused. */
		memcpy(wrong, every_check[i], sizeof(wrong));
		for (c = '0'; c <= '9' + 1; c++) {
			wrong[17] = c > '9' ? 'X' : c;
			if (wrong[17] != every_check[i][17] && id_check(wrong))
				fail_msg("%s was accepted", wrong);
		}
	}
	assert_true(id_ok("440304200002291236"));
	assert_true(id_ok("110105199001010010"));
	/* A lower-case x is accepted and stored upper-case. */
	memset(out, '?', sizeof(out));
	assert_true(hk_id_number_valid("11010519491231002x", 18, out));
	assert_string_equal(out, "11010519491231002X");
	/* Checking without keeping the normalised form. */
	assert_true(hk_id_number_valid("11010519491231002X", 18, NULL));
	/* Only `len` bytes are read. */
	assert_true(hk_id_number_valid("11010519491231002Xjunk", 18, out));
	assert_string_equal(out, "11010519491231002X");
}

/*
 * Numbers with a correct check character but an impossible birth date,
 * derived from the sums above by the weight of each changed digit:
 *   110105194913310021: month 12 -> 13 changes digit 12 (weight 9) by +1,
 *     167 + 9 = 176, 176 mod 11 = 0 -> '1'.
 *   440304202302291237: 2000 -> 2023 changes digit 9 (weight 6) by +2 and
 *     digit 10 (weight 3) by +3, 204 + 12 + 9 = 225, 225 mod 11 = 5 -> '7';
 *     2023-02-29 does not exist.
 *   110105189912310023: 1949 -> 1899 changes digit 8 (weight 1) by -1 and
 *     digit 9 (weight 6) by +5, 167 - 1 + 30 = 196, 196 mod 11 = 9 -> '3';
 *     1899 is before HK_YEAR_MIN.
 */
static void test_id_number_invalid(void **state)
{
	(void)state;
	/* Wrong check character. */
	assert_false(id_check("110105194912310021"));
	assert_false(id_check("11010519491231002Y"));
	assert_false(id_check("440304200002291235"));
	assert_false(id_check("44030420000229123X"));
	assert_false(id_check("44030420000229123x"));
	assert_false(id_check("11010519900101001X"));
	/* Right check character, impossible birth date. */
	assert_false(id_check("110105194913310021"));
	assert_false(id_check("440304202302291237"));
	assert_false(id_check("110105189912310023"));
	/* Wrong length: the old 15-digit form, one short, one long. */
	assert_false(id_check("110105491231002"));
	assert_false(id_check("11010519491231002"));
	assert_false(id_check("11010519491231002X0"));
	assert_false(id_check(""));
	assert_false(hk_id_number_valid(NULL, 0, NULL));
	/* Letters or spaces among the first 17 digits. */
	assert_false(id_check("1101051949123100AX"));
	assert_false(id_check("X1010519491231002X"));
	assert_false(id_check("110105 9491231002X"));
	assert_false(id_check("11010519491231002 "));
	assert_false(hk_id_number_valid("11010519491231002\0", 18, NULL));
	assert_false(hk_id_number_valid("1101051949123\0" "002X", 18, NULL));
}

/*
 * GB 32100: alphabet "0123456789ABCDEFGHJKLMNPQRTUWXY" (M = 21, Y = 30,
 * B = 11), weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28, check =
 * alphabet[(31 - sum mod 31) mod 31].
 *
 * 91350100M000100Y43, values 9 1 3 5 0 1 0 0 21 0 0 0 1 0 0 30 4:
 *   9+3+27+135+0+26+0+0+420+0+0+0+8+0+0+900+112 = 1640,
 *   1640 mod 31 = 28 (31*52 = 1612), 31 - 28 = 3 -> '3'.
 * 91350100M000100Y56: last body char 4 -> 5 (weight 28), 1668 mod 31 = 25
 *   (31*53 = 1643), 31 - 25 = 6 -> '6'.
 * 91350100M000000Y4B: 13th char 1 -> 0 (weight 8), 1632 mod 31 = 20,
 *   31 - 20 = 11 -> 'B'.
 * 92350100M000100Y40: 2nd char 1 -> 2 (weight 3), 1643 mod 31 = 0,
 *   (31 - 0) mod 31 = 0 -> '0'.
 */
static void test_credit_code(void **state)
{
	(void)state;
	assert_true(credit_ok("91350100M000100Y43"));
	assert_true(credit_ok("91350100M000100Y56"));
	assert_true(credit_ok("91350100M000000Y4B"));
	assert_true(credit_ok("92350100M000100Y40"));
	assert_true(hk_credit_code_valid("91350100M000100Y43junk", 18));
	/* Corrupted: wrong check character, transposed digits. */
	assert_false(credit_ok("91350100M000100Y44"));
	assert_false(credit_ok("91350100M000100Y4B"));
	assert_false(credit_ok("91350100M000010Y43"));
	assert_false(credit_ok("92350100M000100Y43"));
	/* Upper case only, as printed on licences. */
	assert_false(credit_ok("91350100m000100y43"));
	assert_false(credit_ok("91350100M000000Y4b"));
	/* I O S V Z are not in the alphabet. */
	assert_false(credit_ok("91350100I000100Y43"));
	assert_false(credit_ok("91350100O000100Y43"));
	assert_false(credit_ok("91350100S000100Y43"));
	assert_false(credit_ok("91350100V000100Y43"));
	assert_false(credit_ok("91350100Z000100Y43"));
	assert_false(credit_ok("91350100M000100Y4I"));
	/* Wrong length and stray bytes. */
	assert_false(credit_ok("91350100M000100Y4"));
	assert_false(credit_ok("91350100M000100Y430"));
	assert_false(credit_ok(""));
	assert_false(hk_credit_code_valid(NULL, 0));
	assert_false(hk_credit_code_valid("9135010\0M000100Y43", 18));
	assert_false(credit_ok("91350100-000100Y43"));
	assert_false(credit_ok("9135 0100M00100Y43"));
}

/* ------------------------------------------------------------------------ */
/* Masks                                                                    */
/* ------------------------------------------------------------------------ */

static void test_masks(void **state)
{
	char out[64];

	(void)state;
	hk_mask_phone("13812345678", out);
	assert_string_equal(out, "138****5678");
	hk_mask_id("11010519491231002X", out);
	assert_string_equal(out, "110***********002X");
	hk_mask_phone("1234567", out); /* 7 = 3 + 4: nothing left to hide */
	assert_string_equal(out, "*******");
	/* 北京市朝阳区 is 6 characters of 3 bytes: 18 bytes kept. */
	hk_mask_address("北京市朝阳区建国路88号", out);
	assert_string_equal(out, "北京市朝阳区****");
	hk_mask_address("上海市", out);
	assert_string_equal(out, "****");
	hk_mask_address("北京市朝阳区", out); /* exactly 6: all hidden */
	assert_string_equal(out, "****");
	hk_mask_address("Room 5, 88 Jianguo Rd", out);
	assert_string_equal(out, "Room 5****");
	hk_mask_address("", out);
	assert_string_equal(out, "****");
}

static void test_id_age(void **state)
{
	(void)state;
	/* born 1949-12-31: 76 on 2026-11-23, 77 from 2026-12-31 */
	assert_int_equal(hk_id_age("11010519491231002X",
				   hk_date_from_ymd(2026, 11, 23)), 76);
	assert_int_equal(hk_id_age("11010519491231002X",
				   hk_date_from_ymd(2026, 12, 30)), 76);
	assert_int_equal(hk_id_age("11010519491231002X",
				   hk_date_from_ymd(2026, 12, 31)), 77);
	assert_int_equal(hk_id_age("91110000100000000X", 20000), -1); /* a company's code: no birth date */
	assert_int_equal(hk_id_age("", 20000), -1);
}

static void money_grouped_and_capitals(void **state)
{
	char buf[HK_MONEY_CN_BUFSZ];
	static const struct {
		int64_t fen;
		const char *grouped, *cn;
	} cases[] = {
		{0, "0.00", "零元整"},
		{5, "0.05", "伍分"},
		{50, "0.50", "伍角整"},
		{56, "0.56", "伍角陆分"},
		{105, "1.05", "壹元零伍分"},
		{150, "1.50", "壹元伍角整"},
		{1500, "15.00", "壹拾伍元整"},
		{10000, "100.00", "壹佰元整"},
		{100100, "1,001.00", "壹仟零壹元整"},
		{1234567, "12,345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"},
		{10000000, "100,000.00", "壹拾万元整"},
		{10000500, "100,005.00", "壹拾万零伍元整"},
		{150000000, "1,500,000.00", "壹佰伍拾万元整"},
		{10000000100, "100,000,001.00", "壹亿零壹元整"},
		{10001000000, "100,010,000.00", "壹亿零壹万元整"},
		{10010000000, "100,100,000.00", "壹亿零壹拾万元整"},
		{10500000009, "105,000,000.09", "壹亿零伍佰万元零玖分"},
		{-2005, "-20.05", "负贰拾元零伍分"},
		{HK_MONEY_MAX, "10,000,000,000,000.00", "壹拾万亿元整"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		assert_int_equal(hk_money_format_grouped(cases[i].fen, buf),
				 strlen(cases[i].grouped));
		assert_string_equal(buf, cases[i].grouped);
		hk_money_cn_upper(cases[i].fen, buf);
		assert_string_equal(buf, cases[i].cn);
		assert_int_equal(hk_money_cn_upper(cases[i].fen, buf),
				 strlen(cases[i].cn));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(money_grouped_and_capitals),
		cmocka_unit_test(test_money_parse_accepts),
		cmocka_unit_test(test_money_parse_rejects),
		cmocka_unit_test(test_money_parse_overflow),
		cmocka_unit_test(test_money_parse_uses_len),
		cmocka_unit_test(test_money_format),
		cmocka_unit_test(test_money_round_trip),
		cmocka_unit_test(test_rate_parse_accepts),
		cmocka_unit_test(test_rate_parse_rejects),
		cmocka_unit_test(test_rate_format),
		cmocka_unit_test(test_rate_round_trip),
		cmocka_unit_test(test_date_day_numbers),
		cmocka_unit_test(test_date_valid_ymd),
		cmocka_unit_test(test_date_parse_accepts),
		cmocka_unit_test(test_date_parse_rejects),
		cmocka_unit_test(test_date_format),
		cmocka_unit_test(test_date_round_trip),
		cmocka_unit_test(test_ident),
		cmocka_unit_test(test_phone),
		cmocka_unit_test(test_id_number_valid),
		cmocka_unit_test(test_id_number_invalid),
		cmocka_unit_test(test_credit_code),
		cmocka_unit_test(test_masks),
		cmocka_unit_test(test_id_age),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
