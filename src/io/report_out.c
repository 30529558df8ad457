/*
 * report_out.c - a report as typed tables and its three forms (report.h,
 * docs/reports.md "Exports"): the JSON the screen shows, one sheet as CSV,
 * the whole report as an XLSX workbook (libxlsxwriter).  The builders
 * fill a struct hk_report once; the writers here only format, so every
 * form shows the same figures.  Never computes a figure and never reads
 * the store; the only file it touches is the one it is asked to write.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <xlsxwriter.h>

#include "hk/report.h"
#include "hk/types.h"

/* ---- building ---------------------------------------------------------- */

static char *dup_str(const char *s)
{
	return hk_strndup(s, strlen(s));
}

static const char *type_name(enum hk_rtype type)
{
	switch (type) {
	case HK_R_TEXT:
		return "text";
	case HK_R_INT:
		return "int";
	case HK_R_MONEY:
		return "money";
	case HK_R_RATE:
		return "rate";
	case HK_R_DATE:
		return "date";
	}
	return "?";
}

/* A builder's bug: say which sheet and stop (report.h). */
static void misuse(const struct hk_rsheet *sh, const char *what)
{
	fprintf(stderr, "huikuan: report sheet %s: %s\n", sh->key, what);
	abort();
}

struct hk_report *hk_report_new(const char *key, const char *title,
				enum hk_lang lang)
{
	struct hk_report *r = hk_calloc(1, sizeof(*r));

	r->key = dup_str(key);
	r->title = dup_str(title);
	r->subtitle = dup_str("");
	r->lang = lang;
	r->meta = json_object();
	if (!r->meta) {
		fprintf(stderr, "huikuan: out of memory allocating a JSON object\n");
		abort();
	}
	return r;
}

static void sheet_free(struct hk_rsheet *sh)
{
	size_t n = sh->nrows * sh->ncols + sh->filled;

	for (size_t i = 0; i < n; i++)
		free(sh->cells[i].s);
	free(sh->cells);
	for (size_t c = 0; c < sh->ncols; c++) {
		free(sh->cols[c].key);
		free(sh->cols[c].title);
	}
	free(sh->cols);
	free(sh->key);
	free(sh->title);
	free(sh);
}

void hk_report_free(struct hk_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nsheets; i++)
		sheet_free(r->sheets[i]);
	free(r->sheets);
	json_decref(r->meta);
	free(r->key);
	free(r->title);
	free(r->subtitle);
	free(r);
}

void hk_report_subtitle(struct hk_report *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	free(r->subtitle);
	r->subtitle = hk_malloc((size_t)(n > 0 ? n : 0) + 1);
	va_start(ap, fmt);
	vsnprintf(r->subtitle, (size_t)(n > 0 ? n : 0) + 1, fmt, ap);
	va_end(ap);
}

struct hk_rsheet *hk_report_sheet(struct hk_report *r, const char *key,
				  const char *title)
{
	struct hk_rsheet *sh = hk_calloc(1, sizeof(*sh));

	sh->key = dup_str(key);
	sh->title = dup_str(title);
	r->sheets = hk_realloc(r->sheets, (r->nsheets + 1) * sizeof(*r->sheets));
	r->sheets[r->nsheets++] = sh;
	return sh;
}

void hk_rsheet_col(struct hk_rsheet *sh, const char *key, const char *title,
		   enum hk_rtype type)
{
	if (sh->nrows || sh->filled)
		misuse(sh, "a column added after the first cell");
	sh->cols = hk_realloc(sh->cols, (sh->ncols + 1) * sizeof(*sh->cols));
	sh->cols[sh->ncols].key = dup_str(key);
	sh->cols[sh->ncols].title = dup_str(title);
	sh->cols[sh->ncols].type = type;
	sh->ncols++;
}

/* The next cell of the row being filled, checked against its column's
 * type unless it is hk_rsheet_null's (any column may be null). */
static struct hk_rcell *append(struct hk_rsheet *sh, enum hk_rtype type,
			       bool check, bool null)
{
	struct hk_rcell *cell;
	size_t at = sh->nrows * sh->ncols + sh->filled;

	if (!sh->ncols)
		misuse(sh, "a cell appended before any column");
	if (sh->total)
		misuse(sh, "a cell appended after the total row");
	if (check && sh->cols[sh->filled].type != type) {
		char what[256];

		snprintf(what, sizeof(what), "column %s is %s, a %s appended",
			 sh->cols[sh->filled].key,
			 type_name(sh->cols[sh->filled].type), type_name(type));
		misuse(sh, what);
	}
	if (at == sh->cap) {
		sh->cap = sh->cap ? sh->cap * 2 : sh->ncols * 16;
		sh->cells = hk_realloc(sh->cells, sh->cap * sizeof(*sh->cells));
	}
	cell = &sh->cells[at];
	memset(cell, 0, sizeof(*cell));
	cell->null = null;
	if (++sh->filled == sh->ncols) {
		sh->nrows++;
		sh->filled = 0;
	}
	return cell;
}

void hk_rsheet_text(struct hk_rsheet *sh, const char *s)
{
	struct hk_rcell *cell = append(sh, HK_R_TEXT, true, !s);

	if (s)
		cell->s = dup_str(s);
}

void hk_rsheet_int(struct hk_rsheet *sh, int64_t v)
{
	append(sh, HK_R_INT, true, false)->v = v;
}

void hk_rsheet_money(struct hk_rsheet *sh, int64_t fen)
{
	append(sh, HK_R_MONEY, true, false)->v = fen;
}

void hk_rsheet_rate(struct hk_rsheet *sh, int64_t num, int64_t den)
{
	struct hk_rcell *cell = append(sh, HK_R_RATE, true, !den);

	cell->v = num;
	cell->den = den;
}

void hk_rsheet_date(struct hk_rsheet *sh, int32_t day)
{
	append(sh, HK_R_DATE, true, day == HK_DATE_NONE)->v = day;
}

void hk_rsheet_null(struct hk_rsheet *sh)
{
	append(sh, HK_R_TEXT, false, true);
}

void hk_rsheet_mark_total(struct hk_rsheet *sh)
{
	if (!sh->nrows || sh->filled)
		misuse(sh, "a total marked with no row just completed");
	sh->total = true;
}

const struct hk_rsheet *hk_report_find(const struct hk_report *r,
				       const char *key)
{
	for (size_t i = 0; i < r->nsheets; i++)
		if (!strcmp(r->sheets[i]->key, key))
			return r->sheets[i];
	return NULL;
}

static const struct hk_rcell *cell_at(const struct hk_rsheet *sh, size_t row,
				      size_t col)
{
	return &sh->cells[row * sh->ncols + col];
}

/* Writers take whole rows only. */
static void check_complete(const struct hk_rsheet *sh)
{
	if (sh->filled)
		misuse(sh, "written with its last row unfinished");
}

/* ---- rates ------------------------------------------------------------- */

/* num/den in ten-thousandths, rounded half away from zero, exactly:
 * |num| * 20000 needs 79 bits, hence __int128.  den must not be 0. */
static __int128 ratio_q(int64_t num, int64_t den)
{
	__int128 n = num, d = den, q;

	if (d < 0) {
		n = -n;
		d = -d;
	}
	q = ((n < 0 ? -n : n) * 20000 + d) / (2 * d);
	return n < 0 ? -q : q;
}

void hk_ratio_format(int64_t num, int64_t den, char *buf)
{
	__int128 q;
	unsigned __int128 mag;

	buf[0] = '\0';
	if (!den)
		return;
	q = ratio_q(num, den);
	mag = (unsigned __int128)(q < 0 ? -q : q);
	/* the whole part is at most 2^63: it fits a uint64_t */
	snprintf(buf, HK_RATIO_BUFSZ, "%s%llu.%04u", q < 0 ? "-" : "",
		 (unsigned long long)(mag / 10000), (unsigned)(mag % 10000));
}

/* The rate as the number XLSX holds: the four places the text shows. */
static double ratio_value(int64_t num, int64_t den)
{
	return (double)ratio_q(num, den) / 10000.0;
}

/* ---- JSON -------------------------------------------------------------- */

static json_t *checked(json_t *j)
{
	if (!j) {
		fprintf(stderr, "huikuan: out of memory building a report's JSON\n");
		abort();
	}
	return j;
}

static json_t *cell_json(const struct hk_rcolumn *col,
			 const struct hk_rcell *cell)
{
	char text[HK_RATIO_BUFSZ > HK_MONEY_BUFSZ ? HK_RATIO_BUFSZ : HK_MONEY_BUFSZ];

	if (cell->null)
		return json_null();
	switch (col->type) {
	case HK_R_TEXT:
		return json_string(cell->s);
	case HK_R_INT:
		return json_integer(cell->v);
	case HK_R_MONEY:
		hk_money_format(cell->v, text);
		return json_string(text);
	case HK_R_RATE:
		hk_ratio_format(cell->v, cell->den, text);
		return json_string(text);
	case HK_R_DATE:
		hk_date_format((int32_t)cell->v, text);
		return text[0] ? json_string(text) : json_null();
	}
	return json_null();
}

json_t *hk_report_json(const struct hk_report *r)
{
	json_t *out = checked(json_object()), *sheets = checked(json_array());

	json_object_set_new(out, "report", checked(json_string(r->key)));
	json_object_set_new(out, "title", checked(json_string(r->title)));
	json_object_set_new(out, "subtitle", checked(json_string(r->subtitle)));
	json_object_set_new(out, "meta",
			    checked(r->meta ? json_deep_copy(r->meta) : json_object()));
	for (size_t i = 0; i < r->nsheets; i++) {
		const struct hk_rsheet *sh = r->sheets[i];
		json_t *js = checked(json_object()), *cols = checked(json_array());
		json_t *rows = checked(json_array());

		check_complete(sh);
		json_object_set_new(js, "key", checked(json_string(sh->key)));
		json_object_set_new(js, "title", checked(json_string(sh->title)));
		for (size_t c = 0; c < sh->ncols; c++) {
			json_t *jc = checked(json_object());

			json_object_set_new(jc, "key", checked(json_string(sh->cols[c].key)));
			json_object_set_new(jc, "title",
					    checked(json_string(sh->cols[c].title)));
			json_object_set_new(jc, "type",
					    checked(json_string(type_name(sh->cols[c].type))));
			json_array_append_new(cols, jc);
		}
		for (size_t row = 0; row < sh->nrows; row++) {
			json_t *jr = checked(json_array());

			for (size_t c = 0; c < sh->ncols; c++)
				json_array_append_new(
					jr, checked(cell_json(&sh->cols[c], cell_at(sh, row, c))));
			json_array_append_new(rows, jr);
		}
		json_object_set_new(js, "columns", cols);
		json_object_set_new(js, "rows", rows);
		json_object_set_new(js, "total", json_boolean(sh->total));
		json_array_append_new(sheets, js);
	}
	json_object_set_new(out, "sheets", sheets);
	return out;
}

/* ---- CSV --------------------------------------------------------------- */

/* One field, quoted as RFC 4180 says only when it must be: a comma, a
 * quote or a line break inside (quotes doubled). */
static void csv_field(FILE *out, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* A cell's text as the CSV and the JSON write it; "" for null. */
static void cell_text(const struct hk_rcolumn *col, const struct hk_rcell *cell,
		      char *buf, size_t size)
{
	buf[0] = '\0';
	if (cell->null)
		return;
	switch (col->type) {
	case HK_R_TEXT:
		break; /* the caller writes cell->s */
	case HK_R_INT:
		snprintf(buf, size, "%lld", (long long)cell->v);
		break;
	case HK_R_MONEY:
		hk_money_format(cell->v, buf);
		break;
	case HK_R_RATE:
		hk_ratio_format(cell->v, cell->den, buf);
		break;
	case HK_R_DATE:
		hk_date_format((int32_t)cell->v, buf);
		break;
	}
}

enum hk_rc hk_report_csv(const struct hk_report *r, const struct hk_rsheet *sh,
			 FILE *out, struct hk_err *err)
{
	char text[32];

	check_complete(sh);
	fputs("\xEF\xBB\xBF", out); /* so that Excel reads UTF-8 */
	for (size_t c = 0; c < sh->ncols; c++) {
		if (c)
			fputc(',', out);
		csv_field(out, sh->cols[c].title);
	}
	fputs("\r\n", out);
	for (size_t row = 0; row < sh->nrows; row++) {
		for (size_t c = 0; c < sh->ncols; c++) {
			const struct hk_rcell *cell = cell_at(sh, row, c);

			if (c)
				fputc(',', out);
			if (sh->cols[c].type == HK_R_TEXT && !cell->null) {
				csv_field(out, cell->s);
			} else {
				cell_text(&sh->cols[c], cell, text, sizeof(text));
				fputs(text, out);
			}
		}
		fputs("\r\n", out);
	}
	if (fflush(out) || ferror(out))
		return hk_err_set(err, HK_EIO,
				  HK_TR(r->lang, "无法写出报表 %s 的 CSV（%s）",
					"could not write the CSV of report %s (sheet %s)"),
				  r->key, sh->key);
	return HK_OK;
}

/* ---- XLSX -------------------------------------------------------------- */

#define XLSX_HEAD_ROW 3  /* 0-based: row 4, below title, subtitle, a gap */
#define XLSX_FIRST_ROW 4 /* the first data row */
#define XLSX_MAX_ROWS 1048576
#define XLSX_SHEET_NAME_MAX 31 /* Excel's limit, in UTF-16 units */
#define XLSX_NAME_BUFSZ 128    /* 31 units of at most 3 bytes each, NUL */
#define XLSX_WIDTH_MAX 60.0    /* a long note wraps the screen, not the column */

/* One UTF-8 character at s: its code point and length (a bad byte is
 * taken as U+FFFD, one byte long, so the loops always advance). */
static size_t utf8_next(const char *s, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xE0) == 0xC0) {
		*cp = u[0] & 0x1F;
		n = 2;
	} else if ((u[0] & 0xF0) == 0xE0) {
		*cp = u[0] & 0x0F;
		n = 3;
	} else if ((u[0] & 0xF8) == 0xF0) {
		*cp = u[0] & 0x07;
		n = 4;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		*cp = (*cp << 6) | (u[i] & 0x3F);
	}
	return n;
}

/* East Asian wide and fullwidth characters: two columns of a grid. */
static bool wide(uint32_t cp)
{
	return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
	       (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	       (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
	       (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	       (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	       (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
	       (cp >= 0x20000 && cp <= 0x3FFFD);
}

/* The width of text in digit widths: a CJK character two, the longest
 * line of several. */
static double text_width(const char *s)
{
	double w = 0, line = 0;
	uint32_t cp;

	while (*s) {
		s += utf8_next(s, &cp);
		if (cp == '\n') {
			line = 0;
			continue;
		}
		line += wide(cp) ? 2 : 1;
		if (line > w)
			w = line;
	}
	return w;
}

/* How a cell shows in the workbook, in digit widths: with its number
 * format's separators and percent sign. */
static double shown_width(const struct hk_rcolumn *col,
			  const struct hk_rcell *cell)
{
	char text[HK_MONEY_GROUPED_BUFSZ + HK_RATIO_BUFSZ];

	if (cell->null)
		return 0;
	switch (col->type) {
	case HK_R_TEXT:
		return text_width(cell->s);
	case HK_R_INT: {
		/* "#,##0": a separator every three digits */
		int n = snprintf(text, sizeof(text), "%lld", (long long)cell->v);
		int digits = n - (cell->v < 0);

		return (double)(n + (digits - 1) / 3);
	}
	case HK_R_MONEY:
		return (double)hk_money_format_grouped(cell->v, text);
	case HK_R_RATE: {
		/* "0.00%": the ten-thousandths as hundredths of a percent */
		hk_ratio_format(cell->v, cell->den, text);
		return (double)strlen(text) + 1; /* point moved, '%' added */
	}
	case HK_R_DATE:
		return 10;
	}
	return 0;
}

struct xlsx_formats {
	lxw_format *title, *subtitle, *head, *head_num;
	lxw_format *body[5], *total[5]; /* by enum hk_rtype */
};

static const char *const num_formats[5] = {
	[HK_R_TEXT] = NULL,
	[HK_R_INT] = "#,##0",
	[HK_R_MONEY] = "#,##0.00",
	[HK_R_RATE] = "0.00%",
	[HK_R_DATE] = "yyyy-mm-dd",
};

static void make_formats(lxw_workbook *wb, struct xlsx_formats *f)
{
	f->title = workbook_add_format(wb);
	format_set_bold(f->title);
	format_set_font_size(f->title, 14);
	f->subtitle = workbook_add_format(wb);
	format_set_font_color(f->subtitle, 0x595959);
	f->head = workbook_add_format(wb);
	format_set_bold(f->head);
	format_set_bg_color(f->head, 0xF2F2F2);
	format_set_bottom(f->head, LXW_BORDER_THIN);
	format_set_align(f->head, LXW_ALIGN_VERTICAL_CENTER);
	f->head_num = workbook_add_format(wb);
	format_set_bold(f->head_num);
	format_set_bg_color(f->head_num, 0xF2F2F2);
	format_set_bottom(f->head_num, LXW_BORDER_THIN);
	format_set_align(f->head_num, LXW_ALIGN_RIGHT);
	format_set_align(f->head_num, LXW_ALIGN_VERTICAL_CENTER);
	for (int t = 0; t < 5; t++) {
		f->body[t] = NULL;
		if (num_formats[t]) {
			f->body[t] = workbook_add_format(wb);
			format_set_num_format(f->body[t], num_formats[t]);
		}
		f->total[t] = workbook_add_format(wb);
		format_set_bold(f->total[t]);
		format_set_top(f->total[t], LXW_BORDER_THIN);
		if (num_formats[t])
			format_set_num_format(f->total[t], num_formats[t]);
	}
}

/* Excel's sheet names: none of []:*?/\ (nor a control character), no
 * apostrophe first or last, at most 31 UTF-16 units, unique whatever the
 * case, and not "History" (Excel keeps it).  Characters that may not
 * appear become '_'; a clash takes " (2)", " (3)"... */
static bool name_taken(char names[][XLSX_NAME_BUFSZ], size_t n, const char *name)
{
	if (!strcasecmp(name, "History"))
		return true;
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(names[i], name))
			return true;
	return false;
}

/* Copy at most `units` UTF-16 units of s (whole characters) into out. */
static size_t cut_units(const char *s, size_t units, char *out, size_t size)
{
	size_t k = 0, used = 0;
	uint32_t cp;

	while (*s) {
		size_t n = utf8_next(s, &cp), u = cp > 0xFFFF ? 2 : 1;

		if (used + u > units || k + n >= size)
			break;
		memcpy(out + k, s, n);
		k += n;
		used += u;
		s += n;
	}
	out[k] = '\0';
	return used;
}

static void sheet_name(const struct hk_report *r, size_t index,
		       char names[][XLSX_NAME_BUFSZ], char *out)
{
	char clean[XLSX_NAME_BUFSZ];
	size_t k = 0;

	for (const char *s = r->sheets[index]->title; *s && k + 5 < sizeof(clean);) {
		uint32_t cp;
		size_t n = utf8_next(s, &cp);

		/* strchr looks for (char)cp: only ASCII may be asked, or
		 * 机 (U+673A) would be taken for ':' */
		if (cp < 0x20 || cp == 0xFFFD ||
		    (cp < 0x80 && strchr("[]:*?/\\", (int)cp)) ||
		    (cp == '\'' && (k == 0 || !s[n]))) {
			clean[k++] = '_';
		} else {
			memcpy(clean + k, s, n);
			k += n;
		}
		s += n;
	}
	clean[k] = '\0';
	if (!k)
		snprintf(clean, sizeof(clean), HK_TR(r->lang, "表%zu", "Sheet%zu"),
			 index + 1);
	cut_units(clean, XLSX_SHEET_NAME_MAX, out, XLSX_NAME_BUFSZ);
	/* a cut may leave an apostrophe last */
	if (out[0] && out[strlen(out) - 1] == '\'')
		out[strlen(out) - 1] = '_';
	for (int dup = 2; name_taken(names, index, out); dup++) {
		char suffix[16];
		size_t n = (size_t)snprintf(suffix, sizeof(suffix), " (%d)", dup);
		size_t len;

		/* the name cut short enough for the suffix, in units and in
		 * bytes: both always fit out, nothing is ever truncated */
		cut_units(clean, XLSX_SHEET_NAME_MAX - n, out, XLSX_NAME_BUFSZ - n);
		len = strlen(out);
		memcpy(out + len, suffix, n + 1);
	}
}

/* The folder of path, for libxlsxwriter's temporary files (the caller
 * frees): whole, however long, never a cut that names another folder. */
static char *folder_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return dup_str(".");
	return hk_strndup(path, slash == path ? 1 : (size_t)(slash - path));
}

static lxw_error write_cell(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
			    const struct hk_rcolumn *rc, const struct hk_rcell *cell,
			    lxw_format *fmt, bool total)
{
	if (cell->null)
		/* a blank with the total's border; nothing at all elsewhere */
		return total ? worksheet_write_blank(ws, row, col, fmt) : LXW_NO_ERROR;
	switch (rc->type) {
	case HK_R_TEXT:
		return worksheet_write_string(ws, row, col, cell->s, fmt);
	case HK_R_INT:
		return worksheet_write_number(ws, row, col, (double)cell->v, fmt);
	case HK_R_MONEY:
		return worksheet_write_number(ws, row, col, (double)cell->v / 100.0, fmt);
	case HK_R_RATE:
		return worksheet_write_number(ws, row, col,
					      ratio_value(cell->v, cell->den), fmt);
	case HK_R_DATE: {
		int y, m, d;

		hk_date_to_ymd((int32_t)cell->v, &y, &m, &d);
		if (y < 1900 || y > 9999 || (y == 1900 && m < 3)) {
			/* outside Excel's calendar, or in its first two
			 * months, which Excel (with its 29 February 1900)
			 * and LibreOffice read a day apart: the date as text */
			char text[HK_DATE_BUFSZ];

			hk_date_format((int32_t)cell->v, text);
			return worksheet_write_string(ws, row, col, text, fmt);
		}
		lxw_datetime dt = {.year = y, .month = m, .day = d};
		return worksheet_write_datetime(ws, row, col, &dt, fmt);
	}
	}
	return LXW_NO_ERROR;
}

static lxw_error write_sheet(const struct hk_report *r,
			     const struct hk_rsheet *sh, lxw_worksheet *ws,
			     const struct xlsx_formats *f)
{
	lxw_error e = LXW_NO_ERROR;
	double total_width = 0;

	if (sh->nrows > XLSX_MAX_ROWS - XLSX_FIRST_ROW)
		return LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE;
	worksheet_set_row(ws, 0, 20, NULL);
	e = worksheet_write_string(ws, 0, 0, r->title, f->title);
	if (!e && r->subtitle[0])
		e = worksheet_write_string(ws, 1, 0, r->subtitle, f->subtitle);
	for (size_t c = 0; !e && c < sh->ncols; c++) {
		const struct hk_rcolumn *col = &sh->cols[c];
		/* the heads are bold: a tenth wider than their characters */
		double width = text_width(col->title) * 1.1;

		e = worksheet_write_string(ws, XLSX_HEAD_ROW, (lxw_col_t)c, col->title,
					   col->type == HK_R_TEXT ? f->head : f->head_num);
		for (size_t row = 0; !e && row < sh->nrows; row++) {
			const struct hk_rcell *cell = cell_at(sh, row, c);
			bool total = sh->total && row + 1 == sh->nrows;
			double w = shown_width(col, cell) * (total ? 1.1 : 1.0);

			if (w > width)
				width = w;
			e = write_cell(ws, (lxw_row_t)(XLSX_FIRST_ROW + row), (lxw_col_t)c,
				       col, cell, total ? f->total[col->type] : f->body[col->type],
				       total);
		}
		/* two digits of margin; no column narrower than Excel's own */
		width += 2;
		if (width < 8.43)
			width = 8.43;
		if (width > XLSX_WIDTH_MAX)
			width = XLSX_WIDTH_MAX;
		total_width += width;
		if (!e)
			e = worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, width, NULL);
	}
	if (e)
		return e;
	/* the heads stay in sight when scrolling, and on every printed page */
	worksheet_freeze_panes(ws, XLSX_FIRST_ROW, 0);
	worksheet_repeat_rows(ws, XLSX_HEAD_ROW, XLSX_HEAD_ROW);
	worksheet_set_paper(ws, 9); /* A4 */
	if (total_width > 100)
		worksheet_set_landscape(ws);
	worksheet_fit_to_pages(ws, 1, 0);
	worksheet_set_header(ws, "&C&A");
	worksheet_set_footer(ws, "&C&P / &N");
	return LXW_NO_ERROR;
}

enum hk_rc hk_report_xlsx(const struct hk_report *r, const char *path,
			  struct hk_err *err)
{
	char *folder = folder_of(path);
	char(*names)[XLSX_NAME_BUFSZ] = hk_calloc(r->nsheets ? r->nsheets : 1, sizeof(*names));
	/* Temporary files beside the workbook, not in /tmp: the folder is
	 * writable (the workbook goes there), while /tmp may be small, full
	 * or not ours (a service's private or read-only /tmp).  libxlsxwriter
	 * unlinks them as soon as they are open, so none is ever left. */
	lxw_workbook_options opts = {.constant_memory = LXW_FALSE, .tmpdir = folder};
	lxw_doc_properties props = {.title = r->title, .subject = r->subtitle};
	struct xlsx_formats f;
	lxw_workbook *wb;
	lxw_error e = LXW_NO_ERROR;
	size_t failed_sheet = 0;

	for (size_t i = 0; i < r->nsheets; i++)
		check_complete(r->sheets[i]);
	wb = workbook_new_opt(path, &opts);
	if (!wb) {
		free(names);
		free(folder);
		return hk_err_set(err, HK_EIO,
				  HK_TR(r->lang, "无法写入 XLSX 文件 %s：%s",
					"could not write the XLSX file %s: %s"),
				  path, lxw_strerror(LXW_ERROR_MEMORY_MALLOC_FAILED));
	}
	workbook_set_properties(wb, &props);
	make_formats(wb, &f);
	for (size_t i = 0; !e && i < r->nsheets; i++) {
		lxw_worksheet *ws;

		sheet_name(r, i, names, names[i]);
		ws = workbook_add_worksheet(wb, names[i]);
		if (!ws) {
			e = LXW_ERROR_SHEETNAME_ALREADY_USED;
		} else {
			e = write_sheet(r, r->sheets[i], ws, &f);
		}
		failed_sheet = i;
	}
	free(names);
	if (e) {
		lxw_workbook_free(wb);
		free(folder);
		return hk_err_set(err, HK_EIO,
				  HK_TR(r->lang, "无法写入 XLSX 文件 %s（工作表 %s）：%s",
					"could not write the XLSX file %s (sheet %s): %s"),
				  path, r->sheets[failed_sheet]->key, lxw_strerror(e));
	}
	e = workbook_close(wb);
	free(folder);
	if (e)
		return hk_err_set(err, HK_EIO,
				  HK_TR(r->lang, "无法写入 XLSX 文件 %s：%s",
					"could not write the XLSX file %s: %s"),
				  path, lxw_strerror(e));
	return HK_OK;
}
