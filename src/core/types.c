/*
 * types.c - parsing, formatting and validity checks of the domain's basic
 * values (see include/hk/types.h and spec/ledger.md §1-2).
 *
 * Every imported amount, rate, date and identifier passes through here, so
 * the lexical rules are strict and exact: money and rates are read digit by
 * digit into integers and never through a float or strtod(), and nothing is
 * trimmed or guessed.  Pure functions only: no I/O, no allocation, no
 * mutable globals.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hk/types.h"

#define FEN_PER_YUAN 100
#define PPM_PER_PERCENT 10000

/* ------------------------------------------------------------------------ */
/* Decimals: money and rates                                                */
/* ------------------------------------------------------------------------ */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Read `len` bytes of `s` as digits, optionally followed by a dot and 1 to
 * `max_frac` digits, into an integer count of 10^-max_frac units, rejecting
 * anything above `max_units`.  Money and rates share these rules, so they
 * share this lexer.  The whole part is checked against the limit after every
 * digit, so an arbitrarily long digit string can never overflow, while
 * leading zeros ("007.10") cost nothing.
 */
static bool parse_decimal(const char *s, size_t len, int max_frac,
			  int64_t scale, int64_t max_units, int64_t *units)
{
	int64_t whole = 0, frac = 0;
	size_t i = 0;
	int frac_digits = 0;

	if (!s || len == 0 || !is_digit(s[0]))
		return false;
	for (; i < len && is_digit(s[i]); i++) {
		whole = whole * 10 + (s[i] - '0');
		if (whole > max_units / scale)
			return false;
	}
	if (i < len) {
		/* A dot must be followed by at least one digit: "5." is out. */
		if (s[i] != '.' || i + 1 == len)
			return false;
		for (i++; i < len; i++) {
			if (!is_digit(s[i]) || frac_digits == max_frac)
				return false;
			frac = frac * 10 + (s[i] - '0');
			frac_digits++;
		}
	}
	/* "1234.5" means 50 fen, not 5: pad the fraction to full width. */
	for (; frac_digits < max_frac; frac_digits++)
		frac *= 10;
	if (whole * scale + frac > max_units)
		return false;
	*units = whole * scale + frac;
	return true;
}

enum hk_rc hk_money_parse(const char *s, size_t len, int64_t *fen)
{
	int64_t units;

	if (!parse_decimal(s, len, 2, FEN_PER_YUAN, HK_MONEY_MAX, &units))
		return HK_EINVAL;
	*fen = units;
	return HK_OK;
}

size_t hk_money_format(int64_t fen, char *buf)
{
	/* -(fen + 1) + 1 so that INT64_MIN has a magnitude too. */
	uint64_t mag = fen < 0 ? (uint64_t)(-(fen + 1)) + 1 : (uint64_t)fen;
	int n;

	n = snprintf(buf, HK_MONEY_BUFSZ, "%s%" PRIu64 ".%02u",
		     fen < 0 ? "-" : "", mag / FEN_PER_YUAN,
		     (unsigned)(mag % FEN_PER_YUAN));
	return n > 0 ? (size_t)n : 0;
}

size_t hk_money_format_grouped(int64_t fen, char *buf)
{
	char plain[HK_MONEY_BUFSZ];
	size_t n = hk_money_format(fen, plain), digits, k = 0;
	const char *p = plain;

	if (*p == '-')
		buf[k++] = *p++;
	digits = strcspn(p, ".");
	for (size_t i = 0; i < digits; i++) {
		if (i && (digits - i) % 3 == 0)
			buf[k++] = ',';
		buf[k++] = p[i];
	}
	n = strlen(p + digits);
	memcpy(buf + k, p + digits, n + 1);
	return k + n;
}

static size_t cn_add(char *buf, size_t k, const char *s)
{
	size_t n = strlen(s);

	memcpy(buf + k, s, n + 1);
	return k + n;
}

size_t hk_money_cn_upper(int64_t fen, char *buf)
{
	static const char *const digit[] = {"零", "壹", "贰", "叁", "肆",
					    "伍", "陆", "柒", "捌", "玖"};
	static const char *const place[] = {"仟", "佰", "拾", ""};
	static const char *const group_unit[] = {"", "万", "亿", "万亿"};
	uint64_t mag = fen < 0 ? (uint64_t)(-(fen + 1)) + 1 : (uint64_t)fen;
	uint64_t yuan = mag / FEN_PER_YUAN;
	unsigned jiao = (unsigned)(mag % FEN_PER_YUAN / 10);
	unsigned cents = (unsigned)(mag % 10);
	unsigned groups[5];
	int ngroups = 0;
	size_t k = 0;
	bool any = false, zero = false;

	buf[0] = '\0';
	if (mag > (uint64_t)HK_MONEY_MAX)
		return hk_money_format(fen, buf); /* outside the domain */
	if (fen < 0)
		k = cn_add(buf, k, "负");
	for (uint64_t y = yuan; y; y /= 10000)
		groups[ngroups++] = (unsigned)(y % 10000);
	/* the groups of four digits from the highest: a zero run between
	 * digits, inside a group or across groups, is one 零 */
	for (int g = ngroups - 1; g >= 0; g--) {
		unsigned v = groups[g];

		if (!v) {
			zero = any;
			continue;
		}
		for (int d = 0, div = 1000; d < 4; d++, div /= 10) {
			unsigned x = v / (unsigned)div % 10;

			if (!x) {
				zero = zero || any;
				continue;
			}
			if (zero)
				k = cn_add(buf, k, digit[0]);
			k = cn_add(buf, k, digit[x]);
			k = cn_add(buf, k, place[d]);
			zero = false;
			any = true;
		}
		k = cn_add(buf, k, group_unit[g < 4 ? g : 3]);
		/* zeros at a group's end stand before the next group's digits */
	}
	if (any)
		k = cn_add(buf, k, "元");
	if (!jiao && !cents)
		return cn_add(buf, k, any ? "整" : "零元整");
	if (jiao) {
		k = cn_add(buf, k, digit[jiao]);
		k = cn_add(buf, k, "角");
	} else if (any) {
		k = cn_add(buf, k, digit[0]);
	}
	if (!cents)
		return cn_add(buf, k, "整");
	k = cn_add(buf, k, digit[cents]);
	return cn_add(buf, k, "分");
}

enum hk_rc hk_rate_parse(const char *s, size_t len, int32_t *ppm)
{
	int64_t units;

	if (!parse_decimal(s, len, 4, PPM_PER_PERCENT, HK_RATE_MAX_PPM, &units))
		return HK_EINVAL;
	*ppm = (int32_t)units;
	return HK_OK;
}

size_t hk_rate_format(int32_t ppm, char *buf)
{
	/* Widened first: the magnitude of INT32_MIN does not fit an int32_t. */
	int64_t mag = ppm < 0 ? -(int64_t)ppm : (int64_t)ppm;
	unsigned frac = (unsigned)(mag % PPM_PER_PERCENT);
	int n;

	if (frac == 0)
		n = snprintf(buf, HK_RATE_BUFSZ, "%s%" PRId64,
			     ppm < 0 ? "-" : "", mag / PPM_PER_PERCENT);
	else
		n = snprintf(buf, HK_RATE_BUFSZ, "%s%" PRId64 ".%04u",
			     ppm < 0 ? "-" : "", mag / PPM_PER_PERCENT, frac);
	if (n <= 0)
		return 0;
	/* A non-zero fraction always keeps at least one digit after the dot,
	 * so trimming zeros never leaves a bare "18.". */
	if (frac != 0)
		while (buf[n - 1] == '0')
			buf[--n] = '\0';
	return (size_t)n;
}

/* ------------------------------------------------------------------------ */
/* Dates                                                                    */
/* ------------------------------------------------------------------------ */

/*
 * Day numbers follow Howard Hinnant's days_from_civil / civil_from_days
 * ("chrono-Compatible Low-Level Date Algorithms"): the year is shifted to
 * start on 1 March so the leap day falls at its end, and counted in 400-year
 * eras of 146097 days.  The arithmetic is done in 64 bits because
 * hk_date_from_ymd() promises no range check and must not overflow on a
 * silly year.
 */
int32_t hk_date_from_ymd(int y, int m, int d)
{
	int64_t month = m, day = d;
	int64_t year = (int64_t)y - (month <= 2);
	int64_t era = (year >= 0 ? year : year - 399) / 400;
	/* Year of era [0, 399], day of (March-based) year [0, 365], day of
	 * era [0, 146096]. */
	int64_t yoe = year - era * 400;
	int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 +
		      day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (int32_t)(era * 146097 + doe - 719468);
}

void hk_date_to_ymd(int32_t date, int *y, int *m, int *d)
{
	int64_t z = (int64_t)date + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	/* Day of era [0, 146096], year of era [0, 399], day of year
	 * [0, 365], March-based month [0, 11]. */
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int month = (int)(mp < 10 ? mp + 3 : mp - 9);

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = month;
	*y = (int)(yoe + era * 400 + (month <= 2));
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool hk_date_valid_ymd(int y, int m, int d)
{
	static const int days_in_month[12] = { 31, 28, 31, 30, 31, 30,
					       31, 31, 30, 31, 30, 31 };

	if (y < HK_YEAR_MIN || y > HK_YEAR_MAX || m < 1 || m > 12 || d < 1)
		return false;
	return d <= days_in_month[m - 1] + (m == 2 && is_leap(y));
}

/* Read between 1 and `max` digits at s[*pos], stopping at the first
 * non-digit or at `len`.  Returns the number of digits read (0 if none). */
static int read_digits(const char *s, size_t len, size_t *pos, int max,
		       int *value)
{
	int n = 0;

	*value = 0;
	while (*pos < len && n < max && is_digit(s[*pos])) {
		*value = *value * 10 + (s[*pos] - '0');
		(*pos)++;
		n++;
	}
	return n;
}

enum hk_rc hk_date_parse(const char *s, size_t len, int32_t *date)
{
	size_t pos = 0;
	int y, m, d;
	char sep;
	/* ISO wants exactly two digits; Excel's "2026/3/5" allows one. */
	int min_md;

	if (!s || read_digits(s, len, &pos, 4, &y) != 4 || pos == len)
		return HK_EINVAL;
	sep = s[pos++];
	if (sep != '-' && sep != '/')
		return HK_EINVAL;
	min_md = sep == '-' ? 2 : 1;
	if (read_digits(s, len, &pos, 2, &m) < min_md || pos == len ||
	    s[pos++] != sep)
		return HK_EINVAL;
	if (read_digits(s, len, &pos, 2, &d) < min_md || pos != len)
		return HK_EINVAL;
	if (!hk_date_valid_ymd(y, m, d))
		return HK_EINVAL;
	*date = hk_date_from_ymd(y, m, d);
	return HK_OK;
}

/* Write `value` as exactly `width` digits, zero-padded. */
static void put_digits(char *p, int value, int width)
{
	while (width-- > 0) {
		p[width] = (char)('0' + value % 10);
		value /= 10;
	}
}

size_t hk_date_format(int32_t date, char *buf)
{
	int y, m, d;

	buf[0] = '\0';
	if (date == HK_DATE_NONE)
		return 0;
	hk_date_to_ymd(date, &y, &m, &d);
	/* Only a four-digit year fits "YYYY-MM-DD" and HK_DATE_BUFSZ; no
	 * parsed date is ever outside, so anything else is written as no
	 * date rather than as a string that would not parse back. */
	if (y < 0 || y > 9999)
		return 0;
	put_digits(buf, y, 4);
	buf[4] = '-';
	put_digits(buf + 5, m, 2);
	buf[7] = '-';
	put_digits(buf + 8, d, 2);
	buf[10] = '\0';
	return 10;
}

/* ------------------------------------------------------------------------ */
/* Identifiers and personal numbers                                         */
/* ------------------------------------------------------------------------ */

bool hk_ident_valid(const char *s, size_t len)
{
	size_t i;

	if (!s || len < 1 || len > 64)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!(is_digit(c) || (c >= 'A' && c <= 'Z') ||
		      (c >= 'a' && c <= 'z') || c == '_' || c == '-' ||
		      c == '.'))
			return false;
	}
	return true;
}

bool hk_phone_valid(const char *s, size_t len)
{
	size_t i;

	if (!s || len != 11 || s[0] != '1')
		return false;
	for (i = 0; i < len; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

bool hk_id_number_valid(const char *s, size_t len, char out[19])
{
	/* GB 11643: weight i is 2^(17-i) mod 11; the check character makes
	 * the weighted sum of all 18 positions congruent to 1 mod 11. */
	static const int weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6,
					 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char check_chars[] = "10X98765432";
	int sum = 0, i, y, m, d;
	char check;

	if (!s || len != 18)
		return false;
	for (i = 0; i < 17; i++) {
		if (!is_digit(s[i]))
			return false;
		sum += (s[i] - '0') * weights[i];
	}
	check = s[17] == 'x' ? 'X' : s[17];
	if (check != check_chars[sum % 11])
		return false;
	/* Positions 7-14 are the birth date YYYYMMDD. */
	y = (s[6] - '0') * 1000 + (s[7] - '0') * 100 + (s[8] - '0') * 10 +
	    (s[9] - '0');
	m = (s[10] - '0') * 10 + (s[11] - '0');
	d = (s[12] - '0') * 10 + (s[13] - '0');
	if (!hk_date_valid_ymd(y, m, d))
		return false;
	if (out) {
		memcpy(out, s, 17);
		out[17] = check;
		out[18] = '\0';
	}
	return true;
}

bool hk_credit_code_valid(const char *s, size_t len)
{
	/* GB 32100 uses 31 characters: the digits and the capitals without
	 * I, O, S, V and Z, which are too easily misread. */
	static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	static const int weights[17] = { 1,  3,  9,  27, 19, 26, 16, 17, 20,
					 29, 25, 13, 8,  24, 10, 30, 28 };
	int sum = 0, i;

	if (!s || len != 18)
		return false;
	for (i = 0; i < 17; i++) {
		const char *p;

		/* memchr() rather than strchr() so that a NUL in the input
		 * does not match the alphabet's terminator. */
		p = memchr(alphabet, s[i], sizeof(alphabet) - 1);
		if (!p)
			return false;
		sum += (int)(p - alphabet) * weights[i];
	}
	return s[17] == alphabet[(31 - sum % 31) % 31];
}

/* Keep `head` leading and `tail` trailing bytes of an ASCII string. */
static void mask_middle(const char *in, char *out, size_t head, size_t tail)
{
	size_t n = strlen(in);

	for (size_t i = 0; i < n; i++)
		out[i] = (n > head + tail && (i < head || i >= n - tail)) ? in[i]
									  : '*';
	out[n] = '\0';
}

void hk_mask_phone(const char *in, char *out)
{
	mask_middle(in, out, 3, 4);
}

void hk_mask_id(const char *in, char *out)
{
	mask_middle(in, out, 3, 4);
}

void hk_mask_address(const char *in, char *out)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t chars = 0, keep = 0;

	/* Count code points by their lead bytes; keep whole characters. */
	for (size_t i = 0; p[i]; i++)
		if ((p[i] & 0xC0) != 0x80 && ++chars == 7)
			keep = i;
	if (chars <= 6)
		keep = 0;
	memcpy(out, in, keep);
	memcpy(out + keep, "****", 5);
}

int hk_id_age(const char *id, int32_t on)
{
	int y, m, d, oy, om, od, age;

	if (!id || strlen(id) != 18 ||
	    sscanf(id + 6, "%4d%2d%2d", &y, &m, &d) != 3 ||
	    !hk_date_valid_ymd(y, m, d) || on == HK_DATE_NONE)
		return -1;
	hk_date_to_ymd(on, &oy, &om, &od);
	age = oy - y - (om < m || (om == m && od < d));
	return age < 0 ? -1 : age;
}

char *hk_tz_set(const char *tz)
{
	const char *old = getenv("TZ");
	char *saved = old ? strdup(old) : NULL;

	setenv("TZ", tz, 1);
	tzset();
	return saved;
}

void hk_tz_restore(char *saved)
{
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else {
		unsetenv("TZ");
	}
	tzset();
}

int32_t hk_date_of_time(int64_t at)
{
	time_t t = (time_t)at;
	struct tm tm;

	localtime_r(&t, &tm);
	return hk_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}
