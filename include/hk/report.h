/*
 * report.h - a report as tables (src/io/report_out.c), and its three
 * forms: JSON for the API and the screen, CSV, and XLSX (libxlsxwriter).
 * Every report of docs/reports.md is built as one struct hk_report: one or
 * more sheets (the whole, then one per breakdown), each a table of typed
 * cells.  The builders fill it once; the writers never compute, so the
 * screen, the CSV and the workbook show the same figures.
 *
 * Cell types and how each form shows them:
 *   TEXT   a string                   JSON string; CSV as is; XLSX string
 *   INT    a count                    JSON integer; CSV digits; XLSX number "#,##0"
 *   MONEY  integer fen                JSON string "1234.56"; CSV "1234.56";
 *                                     XLSX number fen/100, "#,##0.00"
 *   RATE   num/den, four places       JSON string "0.1234"; CSV "0.1234";
 *          (rounded half up, as the   XLSX number 0.1234 (already rounded,
 *          dashboard's rates)         so Excel shows what the CSV says), "0.00%"
 *   DATE   a day number (hk_date)     JSON/CSV "YYYY-MM-DD"; XLSX date "yyyy-mm-dd"
 * A null cell (no value: a rate over zero, a missing name) is JSON null, an
 * empty CSV field, an empty XLSX cell.
 *
 * CSV: one sheet per file (the caller names which), UTF-8 with a byte-order
 * mark so Excel opens Chinese text correctly, CRLF line ends, RFC 4180
 * quoting; the first line is the column titles.  XLSX: one worksheet per
 * sheet, named by the sheet's title (cut to Excel's 31 characters, without
 * []:*?/\), the report's title and subtitle in the first two rows, the
 * column titles in row 4, frozen below them, widths fitted to the longest
 * cell (a CJK character counted twice), a total row in bold.
 */
#ifndef HK_REPORT_H
#define HK_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "hk/rc.h"

enum hk_rtype { HK_R_TEXT, HK_R_INT, HK_R_MONEY, HK_R_RATE, HK_R_DATE };

struct hk_rcolumn {
	char *key;   /* stable, English, snake_case: the JSON's */
	char *title; /* in the report's language: CSV and XLSX heads */
	enum hk_rtype type;
};

struct hk_rcell {
	bool null;
	int64_t v;   /* INT, MONEY (fen), DATE (day number), RATE numerator */
	int64_t den; /* RATE denominator (> 0) */
	char *s;     /* TEXT (owned by the report) */
};

struct hk_rsheet {
	char *key;   /* "by_team": the JSON's, and ?sheet= */
	char *title; /* "按团队" */
	size_t ncols;
	struct hk_rcolumn *cols;
	size_t nrows;          /* rows filled (each ncols cells) */
	struct hk_rcell *cells; /* row-major, nrows * ncols */
	size_t cap;            /* cells allocated */
	size_t filled;         /* cells of the row being filled */
	bool total;            /* the last row is the sheet's total */
};

struct hk_report {
	char *key;      /* "aging" */
	char *title;    /* "账龄分析" */
	char *subtitle; /* what it covers: date or period, filters */
	enum hk_lang lang;
	size_t nsheets;
	struct hk_rsheet **sheets; /* each its own allocation: a sheet's pointer
				      stays valid while more are added */
	json_t *meta;   /* more for the JSON (the period, the filters...):
			   an object, copied into the JSON's "meta" */
};

struct hk_report *hk_report_new(const char *key, const char *title,
				enum hk_lang lang);
void hk_report_free(struct hk_report *r);
void hk_report_subtitle(struct hk_report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A new sheet; columns are added before the first row. */
struct hk_rsheet *hk_report_sheet(struct hk_report *r, const char *key,
				  const char *title);
void hk_rsheet_col(struct hk_rsheet *sh, const char *key, const char *title,
		   enum hk_rtype type);
/* Cells are appended in column order; a row is complete after ncols cells
 * (the next append starts the next row).  Each append checks the column's
 * type (a mismatch aborts: a builder's bug, as are a column added after
 * the first cell, a cell after the total row, and a writer given a sheet
 * whose last row is unfinished). */
void hk_rsheet_text(struct hk_rsheet *sh, const char *s /* NULL: null */);
void hk_rsheet_int(struct hk_rsheet *sh, int64_t v);
void hk_rsheet_money(struct hk_rsheet *sh, int64_t fen);
void hk_rsheet_rate(struct hk_rsheet *sh, int64_t num, int64_t den /* 0: null */);
void hk_rsheet_date(struct hk_rsheet *sh, int32_t day /* HK_DATE_NONE: null */);
void hk_rsheet_null(struct hk_rsheet *sh);
/* The row just completed is the sheet's total (shown bold in XLSX). */
void hk_rsheet_mark_total(struct hk_rsheet *sh);

/* The sheet named `key`, or NULL. */
const struct hk_rsheet *hk_report_find(const struct hk_report *r,
				       const char *key);

/* A rate as text, four places, rounded half up (halves away from zero:
 * -1/8 is "-0.1250", -1/20000 is "-0.0001"): "0.1234"; "" when den is 0.
 * Exact for any int64 num and den (no floating point).  Named apart from
 * types.h's hk_rate_format (ppm per year); buf of HK_RATIO_BUFSZ bytes. */
#define HK_RATIO_BUFSZ 32
void hk_ratio_format(int64_t num, int64_t den, char *buf);

/*
 * {"report": key, "title", "subtitle", "meta": {...}, "sheets": [{"key",
 *  "title", "columns": [{"key", "title", "type": "text|int|money|rate|date"}],
 *  "rows": [[cell, ...], ...], "total": bool}]}
 */
json_t *hk_report_json(const struct hk_report *r);
/* One sheet as CSV into out; HK_EIO if writing fails. */
enum hk_rc hk_report_csv(const struct hk_report *r, const struct hk_rsheet *sh,
			 FILE *out, struct hk_err *err);
/* The whole report as an XLSX workbook at path (created or replaced);
 * HK_EIO naming the path if it cannot be written. */
enum hk_rc hk_report_xlsx(const struct hk_report *r, const char *path,
			  struct hk_err *err);

#endif
