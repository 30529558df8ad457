/*
 * types.h - the domain's basic values: money, rates, dates, and the checks
 * every imported field goes through (identifiers, ID numbers, credit codes,
 * phone numbers).  Pure functions of their arguments: no I/O, no globals.
 *
 * Money is int64_t fen, never a float.  A rate is int32_t ppm per year
 * (18.25% = 182500).  A date is int32_t days since 1970-01-01 in the
 * proleptic Gregorian calendar; HK_DATE_NONE means "no date".
 */
#ifndef HK_TYPES_H
#define HK_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hk/rc.h"

#define HK_DATE_NONE INT32_MIN
/* Years accepted by the parser: wide enough for any contract, narrow enough
 * that day arithmetic never overflows. */
#define HK_YEAR_MIN 1900
#define HK_YEAR_MAX 2199

/* Largest money amount we accept in a file: 10^15 fen (10 trillion yuan). */
#define HK_MONEY_MAX INT64_C(1000000000000000)
/* Largest rate: 1000% per year. */
#define HK_RATE_MAX_PPM 10000000

/* Buffer sizes for the formatters, including the NUL. */
#define HK_MONEY_BUFSZ 24
#define HK_RATE_BUFSZ 16
#define HK_DATE_BUFSZ 11

/*
 * Parse money in yuan: digits, optionally a dot and one or two digits
 * ("1234", "1234.5", "1234.50", "007.10").  No sign, space, exponent,
 * thousands separator, ".5" or "5.".  `len` bytes of `s` are read.
 * Returns HK_EINVAL for anything else or above HK_MONEY_MAX.
 */
enum hk_rc hk_money_parse(const char *s, size_t len, int64_t *fen /* OUT */);
/* Write `fen` as yuan with two decimals ("-12.05" for negatives) into buf
 * (at least HK_MONEY_BUFSZ bytes).  Returns the length written. */
size_t hk_money_format(int64_t fen, char *buf);
/* The same with thousands separators ("12,345.67"), as letters show
 * amounts; buf of at least HK_MONEY_GROUPED_BUFSZ bytes. */
#define HK_MONEY_GROUPED_BUFSZ 32
size_t hk_money_format_grouped(int64_t fen, char *buf);
/*
 * The amount in Chinese capitals as written on demands and receipts
 * (大写金额: "壹万贰仟叁佰肆拾伍元陆角柒分", "壹佰元整", "壹元零伍分",
 * "伍角整", "零元整"; negatives "负…"): runs of zeros as one 零, 整 when
 * there are no fen.  buf of at least HK_MONEY_CN_BUFSZ bytes (any amount
 * up to HK_MONEY_MAX fits).  Returns the length written.
 */
#define HK_MONEY_CN_BUFSZ 160
size_t hk_money_cn_upper(int64_t fen, char *buf);

/*
 * Parse a yearly rate in percent with up to four decimals ("18.25",
 * "0.0005", "24") into ppm.  Same lexical rules as money; 0..1000%.
 */
enum hk_rc hk_rate_parse(const char *s, size_t len, int32_t *ppm /* OUT */);
/* Write ppm as percent, trailing zeros trimmed ("18.25", "24", "0.0005"). */
size_t hk_rate_format(int32_t ppm, char *buf);

/* Days since 1970-01-01 of a civil date; no range check. */
int32_t hk_date_from_ymd(int y, int m, int d);
/* The civil date of a day number. */
/* Put the process in time zone `tz` (the debtors', [general] time_zone)
 * for localtime_r; returns what to give hk_tz_restore, which puts the
 * previous zone back (and frees it). */
char *hk_tz_set(const char *tz);
void hk_tz_restore(char *saved);
/* The calendar day of Unix time `at` in the process's time zone. */
int32_t hk_date_of_time(int64_t at);
void hk_date_to_ymd(int32_t date, int *y /* OUT */, int *m /* OUT */,
		    int *d /* OUT */);
/* True when y-m-d is a real calendar date within HK_YEAR_MIN..HK_YEAR_MAX. */
bool hk_date_valid_ymd(int y, int m, int d);
/*
 * Parse "YYYY-MM-DD" exactly, or "YYYY/M/D" with one or two digits for
 * month and day.  Only real dates.  HK_EINVAL otherwise.
 */
enum hk_rc hk_date_parse(const char *s, size_t len, int32_t *date /* OUT */);
/* Write ISO "YYYY-MM-DD" into buf (HK_DATE_BUFSZ bytes); "" for NONE. */
size_t hk_date_format(int32_t date, char *buf);

/* 1-64 characters of A-Z a-z 0-9 _ - . (ids and creditor codes). */
bool hk_ident_valid(const char *s, size_t len);
/* Mainland mobile number: 11 digits starting with 1. */
bool hk_phone_valid(const char *s, size_t len);
/*
 * 18-character resident ID number (GB 11643): 17 digits and a check
 * character (digit or X/x) that matches, with a real birth date.  On
 * success the normalised form (x upper-cased) is written to out[19].
 */
bool hk_id_number_valid(const char *s, size_t len, char out[19]);
/* The age in whole years on `on` of the holder of an 18-character ID
 * number (its birth date, characters 7-14); -1 when it has none. */
int hk_id_age(const char *id, int32_t on);
/* 18-character unified social credit code with a valid GB 32100 check
 * character.  Upper-case only, as printed on licences. */
bool hk_credit_code_valid(const char *s, size_t len);

/*
 * Masks for personal data leaving the server by default: a phone number
 * keeps its first 3 and last 4 digits (138****5678), an ID number or credit
 * code its first 3 and last 4 characters.  Shorter text is masked whole.
 * out must hold strlen(in) + 1 bytes.
 */
void hk_mask_phone(const char *in, char *out);
void hk_mask_id(const char *in, char *out);
/*
 * An address keeps its first 6 characters (UTF-8 code points: about the
 * province and city, 北京市朝阳区) followed by "****"; 6 or fewer become
 * "****".  out must hold 6 * 4 + 5 bytes.
 */
#define HK_MASKED_ADDRESS_BUFSZ 29
void hk_mask_address(const char *in, char *out);

#endif
