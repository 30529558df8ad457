/*
 * pdf.c - letters as PDF (pdf.h, docs/letters.md).  One letter is laid out
 * once - its markup cut into blocks, each block a pango layout (pango
 * breaks Chinese lines, justifies, picks the fonts), the blocks' lines and
 * table rows placed on A4 pages - and then drawn into every file it goes
 * to.  cairo's PDF surface embeds the subset of each font the file uses.
 *
 * Sizes are in points (1/72 inch): the PDF surface's unit, and pango's at
 * the resolution set on the context.  Never reads anything but the fonts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <fontconfig/fontconfig.h>
#include <hb-subset.h>
#include <hb.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>
#include <zlib.h>

#include "hk/pdf.h"
#include "hk/types.h"

#define A4_W 595.276
#define A4_H 841.890
#define MM 2.834646 /* points in a millimetre */

void hk_letter_style_default(struct hk_letter_style *st)
{
	memset(st, 0, sizeof(*st));
	snprintf(st->font, sizeof(st->font), "Noto Serif CJK SC");
	snprintf(st->heading_font, sizeof(st->heading_font), "Noto Serif CJK SC");
	st->body_pt = 11;
	st->margin_mm = 22;
}

void hk_pdf_escape(struct hk_text *out, const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = v[i];

		if (c == '\n' || c == '\r' || c == '\t') {
			hk_text_add(out, " ", 1);
		} else {
			if (strchr("\\*#|>-", c))
				hk_text_add(out, "\\", 1);
			hk_text_add(out, &c, 1);
		}
	}
}

/* ---- files ----------------------------------------------------------- */

struct hk_pdf {
	cairo_surface_t *surface;
	cairo_t *cr;
	char path[1024];
	bool has_page; /* something drawn since the last show_page */
};

/* cairo compresses every PDF stream (a letter's cut fonts, its pages) at
 * zlib's default level and has no setting for it.  These two definitions,
 * in the program itself, come before zlib's for every library's calls (the
 * ELF rule: the executable's symbols are looked up first) and keep the
 * default level's meaning, with level 1 in its place: a letter's file
 * grows 2% and a batch draws 19% faster (deflate was a third of a
 * worker's time, docs/letters.md).  A caller asking for a level gets it:
 * libxlsxwriter and qpdf are unchanged.  Both are exactly zlib's own
 * definitions (zlib.h, compress.c) but for the level. */
#define HK_DEFLATE_LEVEL 1

int deflateInit_(z_streamp strm, int level, const char *version,
		 int stream_size)
{
	if (level == Z_DEFAULT_COMPRESSION)
		level = HK_DEFLATE_LEVEL;
	return deflateInit2_(strm, level, Z_DEFLATED, MAX_WBITS, 8,
			     Z_DEFAULT_STRATEGY, version, stream_size);
}

int compress(Bytef *dest, uLongf *dest_len, const Bytef *source,
	     uLong source_len)
{
	return compress2(dest, dest_len, source, source_len, HK_DEFLATE_LEVEL);
}

static enum hk_rc cairo_failed(cairo_status_t st, const char *path,
			       enum hk_lang lang, struct hk_err *err)
{
	return hk_err_set(err, HK_EIO,
			  HK_TR(lang, "无法写入 PDF 文件 %s：%s",
				"could not write the PDF file %s: %s"),
			  path, cairo_status_to_string(st));
}

enum hk_rc hk_pdf_open(const char *path, struct hk_pdf **out,
		       enum hk_lang lang, struct hk_err *err)
{
	struct hk_pdf *pdf = hk_calloc(1, sizeof(*pdf));
	cairo_status_t st;

	*out = NULL;
	snprintf(pdf->path, sizeof(pdf->path), "%s", path);
	pdf->surface = cairo_pdf_surface_create(path, A4_W, A4_H);
	st = cairo_surface_status(pdf->surface);
	if (st == CAIRO_STATUS_SUCCESS) {
		pdf->cr = cairo_create(pdf->surface);
		st = cairo_status(pdf->cr);
	}
	if (st != CAIRO_STATUS_SUCCESS) {
		enum hk_rc rc = cairo_failed(st, path, lang, err);

		if (pdf->cr)
			cairo_destroy(pdf->cr);
		cairo_surface_destroy(pdf->surface);
		free(pdf);
		return rc;
	}
	cairo_pdf_surface_set_metadata(pdf->surface, CAIRO_PDF_METADATA_CREATOR,
				       "huikuan");
	*out = pdf;
	return HK_OK;
}

enum hk_rc hk_pdf_close(struct hk_pdf *pdf, struct hk_err *err)
{
	cairo_status_t st;
	enum hk_rc rc = HK_OK;

	if (!pdf)
		return HK_OK;
	cairo_destroy(pdf->cr);
	cairo_surface_finish(pdf->surface);
	st = cairo_surface_status(pdf->surface);
	if (st != CAIRO_STATUS_SUCCESS)
		rc = cairo_failed(st, pdf->path, HK_LANG_ZH, err);
	cairo_surface_destroy(pdf->surface);
	free(pdf);
	return rc;
}

/* ---- markup to pango ------------------------------------------------- */

/* Pango markup of one line's text: & < > escaped, **…** bold, \x plain. */
static void line_markup(GString *m, const char *s, size_t n)
{
	bool bold = false;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\\' && i + 1 < n) {
			c = s[++i];
		} else if (c == '*' && i + 1 < n && s[i + 1] == '*') {
			g_string_append(m, bold ? "</b>" : "<b>");
			bold = !bold;
			i++;
			continue;
		}
		if (c == '&')
			g_string_append(m, "&amp;");
		else if (c == '<')
			g_string_append(m, "&lt;");
		else if (c == '>')
			g_string_append(m, "&gt;");
		else
			g_string_append_c(m, c);
	}
	if (bold)
		g_string_append(m, "</b>");
}

/* ---- layout ---------------------------------------------------------- */

enum item_kind { IT_LINE, IT_RULE, IT_BOX };

/* One thing drawn on a page: a line of a layout (its baseline at x, y),
 * a rule, or a table cell's frame (x, y, w, h; shaded for a header). */
struct item {
	enum item_kind kind;
	int page;
	PangoLayout *layout;
	int line;
	double x, y, w, h;
	bool shade;
};

struct letter {
	PangoContext *ctx;
	const struct hk_letter_style *st;
	double left, right, top, bottom; /* the text area */
	double y;                        /* next free height on the page */
	int page;
	struct item *items;
	size_t n_items, cap_items;
	PangoLayout **layouts;
	size_t n_layouts, cap_layouts;
};

static struct item *add_item(struct letter *L, enum item_kind kind)
{
	if (L->n_items == L->cap_items) {
		L->cap_items = L->cap_items ? 2 * L->cap_items : 128;
		L->items = hk_realloc(L->items, L->cap_items * sizeof(*L->items));
	}
	memset(&L->items[L->n_items], 0, sizeof(L->items[0]));
	L->items[L->n_items].kind = kind;
	L->items[L->n_items].page = L->page;
	return &L->items[L->n_items++];
}

/* A layout of `markup` in `font` at `pt`, `width` points wide. */
static PangoLayout *make_layout(struct letter *L, const char *font, double pt,
				bool bold, const char *markup, double width,
				PangoAlignment align, bool justify)
{
	PangoLayout *lay = pango_layout_new(L->ctx);
	PangoFontDescription *fd = pango_font_description_from_string(font);

	pango_font_description_set_absolute_size(fd, pt * PANGO_SCALE);
	if (bold)
		pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
	pango_layout_set_font_description(lay, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(lay, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(lay, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(lay, align);
	pango_layout_set_justify(lay, justify);
	pango_layout_set_spacing(lay, (int)(pt * 0.45 * PANGO_SCALE));
	pango_layout_set_markup(lay, markup, -1);
	if (L->n_layouts == L->cap_layouts) {
		L->cap_layouts = L->cap_layouts ? 2 * L->cap_layouts : 64;
		L->layouts = hk_realloc(L->layouts,
					L->cap_layouts * sizeof(*L->layouts));
	}
	L->layouts[L->n_layouts++] = lay;
	return lay;
}

static void new_page(struct letter *L)
{
	L->page++;
	L->y = L->top;
}

/* Place a layout's lines from the current height, breaking to a new page
 * between lines. */
static void place_lines(struct letter *L, PangoLayout *lay, double x)
{
	PangoLayoutIter *it = pango_layout_get_iter(lay);
	int line = 0;

	do {
		PangoRectangle logical;
		double h, baseline;

		pango_layout_iter_get_line_extents(it, NULL, &logical);
		h = (double)logical.height / PANGO_SCALE;
		if (L->y + h > L->bottom && L->y > L->top)
			new_page(L);
		baseline = (double)(pango_layout_iter_get_baseline(it) - logical.y) /
			   PANGO_SCALE;
		struct item *item = add_item(L, IT_LINE);

		item->layout = lay;
		item->line = line++;
		item->x = x + (double)logical.x / PANGO_SCALE;
		item->y = L->y + baseline;
		L->y += h;
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
}

/* A table's rows: cells split on unescaped |. */
struct row {
	char **cell;
	int n;
};

static int split_cells(const char *s, size_t n, char ***out)
{
	int cap = 8, k = 0;
	char **cells = hk_malloc((size_t)cap * sizeof(*cells));
	size_t i = 0, start;

	/* the line starts with | and may end with one */
	while (i < n && s[i] != '|')
		i++;
	start = ++i;
	for (; i <= n; i++) {
		if (i < n && s[i] == '\\') {
			i++;
			continue;
		}
		if (i == n || s[i] == '|') {
			size_t a = start, b = i;

			if (i == n && a >= b)
				break; /* the closing | */
			while (a < b && s[a] == ' ')
				a++;
			while (b > a && s[b - 1] == ' ')
				b--;
			if (k == cap) {
				cap *= 2;
				cells = hk_realloc(cells, (size_t)cap * sizeof(*cells));
			}
			cells[k] = hk_malloc(b - a + 1);
			memcpy(cells[k], s + a, b - a);
			cells[k][b - a] = '\0';
			k++;
			start = i + 1;
		}
	}
	*out = cells;
	return k;
}

static bool is_align_row(const struct row *r)
{
	for (int i = 0; i < r->n; i++) {
		const char *c = r->cell[i];

		if (!*c)
			return false;
		for (; *c; c++)
			if (*c != '-' && *c != ':')
				return false;
	}
	return r->n > 0;
}

#define CELL_PAD 4.0

/* Lay out one row of cells; its height. */
static double row_layouts(struct letter *L, const struct row *r, int ncols,
			  const PangoAlignment *align, bool header,
			  PangoLayout **lays)
{
	double colw = (L->right - L->left) / ncols, h = 0;

	for (int c = 0; c < ncols; c++) {
		GString *m = g_string_new(NULL);
		PangoRectangle ink, logical;

		if (c < r->n)
			line_markup(m, r->cell[c], strlen(r->cell[c]));
		lays[c] = make_layout(L, L->st->font, L->st->body_pt * 0.9, header,
				      m->str, colw - 2 * CELL_PAD, align[c], false);
		g_string_free(m, TRUE);
		pango_layout_get_extents(lays[c], &ink, &logical);
		if ((double)logical.height / PANGO_SCALE > h)
			h = (double)logical.height / PANGO_SCALE;
	}
	return h + 2 * CELL_PAD;
}

static void place_row(struct letter *L, PangoLayout **lays, int ncols,
		      double h, bool header)
{
	double colw = (L->right - L->left) / ncols;

	for (int c = 0; c < ncols; c++) {
		struct item *box = add_item(L, IT_BOX);
		PangoLayoutIter *it = pango_layout_get_iter(lays[c]);
		int line = 0;
		double y = L->y + CELL_PAD;

		box->x = L->left + c * colw;
		box->y = L->y;
		box->w = colw;
		box->h = h;
		box->shade = header;
		do {
			PangoRectangle logical;
			struct item *li = add_item(L, IT_LINE);

			pango_layout_iter_get_line_extents(it, NULL, &logical);
			li->layout = lays[c];
			li->line = line++;
			li->x = box->x + CELL_PAD + (double)logical.x / PANGO_SCALE;
			li->y = y + (double)(pango_layout_iter_get_baseline(it) -
					     logical.y) / PANGO_SCALE;
			y += (double)logical.height / PANGO_SCALE;
		} while (pango_layout_iter_next_line(it));
		pango_layout_iter_free(it);
	}
	L->y += h;
}

static void place_table(struct letter *L, struct row *rows, int n)
{
	int ncols = 0, first = 0;
	PangoAlignment align[32];
	PangoLayout *lays[32];
	PangoLayout *head[32];
	double head_h = 0;

	for (int i = 0; i < n; i++)
		if (rows[i].n > ncols)
			ncols = rows[i].n;
	if (ncols > 32)
		ncols = 32;
	for (int c = 0; c < ncols; c++)
		align[c] = PANGO_ALIGN_LEFT;
	if (n > 1 && is_align_row(&rows[1])) {
		for (int c = 0; c < rows[1].n && c < ncols; c++) {
			const char *a = rows[1].cell[c];
			size_t len = strlen(a);
			bool l = a[0] == ':', r = a[len - 1] == ':';

			align[c] = l && r ? PANGO_ALIGN_CENTER
				   : r	  ? PANGO_ALIGN_RIGHT
					  : PANGO_ALIGN_LEFT;
		}
	}
	for (int i = 0; i < n; i++) {
		double h;

		if (i == 1 && n > 1 && is_align_row(&rows[1]))
			continue;
		h = row_layouts(L, &rows[i], ncols, align, i == first, lays);
		if (i == first) {
			memcpy(head, lays, sizeof(head));
			head_h = h;
		}
		if (L->y + h > L->bottom && L->y > L->top) {
			new_page(L);
			/* the header again above the rest */
			if (i != first)
				place_row(L, head, ncols, head_h, true);
		}
		place_row(L, lays, ncols, h, i == first);
	}
	L->y += L->st->body_pt * 0.6;
}

/* Cut the markup into blocks and place them. */
static void place_markup(struct letter *L, const char *s, size_t len)
{
	const struct hk_letter_style *st = L->st;
	double width = L->right - L->left, pt = st->body_pt;
	size_t i = 0;

	while (i < len) {
		const char *line = s + i, *eol = memchr(line, '\n', len - i);
		size_t n = eol ? (size_t)(eol - line) : len - i;
		GString *m;

		i += n + (eol ? 1 : 0);
		if (n && line[n - 1] == '\r')
			n--;
		if (!n) {
			L->y += pt * 0.8;
			continue;
		}
		if (line[0] == '|') {
			/* the table runs while lines start with | */
			struct row *rows = NULL;
			int nrows = 0;

			rows = hk_realloc(rows, sizeof(*rows));
			rows[nrows].n = split_cells(line, n, &rows[nrows].cell);
			nrows++;
			while (i < len && s[i] == '|') {
				const char *l2 = s + i, *e2 = memchr(l2, '\n', len - i);
				size_t n2 = e2 ? (size_t)(e2 - l2) : len - i;

				i += n2 + (e2 ? 1 : 0);
				if (n2 && l2[n2 - 1] == '\r')
					n2--;
				rows = hk_realloc(rows, (size_t)(nrows + 1) * sizeof(*rows));
				rows[nrows].n = split_cells(l2, n2, &rows[nrows].cell);
				nrows++;
			}
			place_table(L, rows, nrows);
			for (int r = 0; r < nrows; r++) {
				for (int c = 0; c < rows[r].n; c++)
					free(rows[r].cell[c]);
				free(rows[r].cell);
			}
			free(rows);
			continue;
		}
		if (n >= 3 && !strncmp(line, "---", 3) &&
		    strspn(line, "-") >= n) {
			struct item *r;

			L->y += pt * 0.5;
			r = add_item(L, IT_RULE);
			r->x = L->left;
			r->y = L->y;
			r->w = width;
			L->y += pt * 0.5;
			continue;
		}
		m = g_string_new(NULL);
		if (n >= 3 && !strncmp(line, "## ", 3)) {
			line_markup(m, line + 3, n - 3);
			place_lines(L, make_layout(L, st->heading_font, pt * 1.15,
						   true, m->str, width,
						   PANGO_ALIGN_CENTER, false),
				    L->left);
			L->y += pt * 0.4;
		} else if (n >= 2 && !strncmp(line, "# ", 2)) {
			L->y += pt * 0.3;
			line_markup(m, line + 2, n - 2);
			place_lines(L, make_layout(L, st->heading_font, pt * 1.6,
						   true, m->str, width,
						   PANGO_ALIGN_CENTER, false),
				    L->left);
			L->y += pt * 0.8;
		} else if (n >= 2 && !strncmp(line, "> ", 2)) {
			line_markup(m, line + 2, n - 2);
			place_lines(L, make_layout(L, st->font, pt, false, m->str,
						   width, PANGO_ALIGN_RIGHT, false),
				    L->left);
		} else {
			line_markup(m, line, n);
			place_lines(L, make_layout(L, st->font, pt, false, m->str,
						   width, PANGO_ALIGN_LEFT, true),
				    L->left);
			L->y += pt * 0.25;
		}
		g_string_free(m, TRUE);
	}
}

/* ---- drawing --------------------------------------------------------- */

static void draw_letterhead(cairo_t *cr, struct letter *L)
{
	const struct hk_letter_style *st = L->st;
	double width = L->right - L->left, y = st->margin_mm * MM;

	if (!st->org[0])
		return;
	for (int k = 0; k < 2; k++) {
		const char *text = k ? st->org_line : st->org;
		PangoLayout *lay;
		GString *m;
		PangoRectangle logical;

		if (!text[0])
			continue;
		m = g_string_new(NULL);
		line_markup(m, text, strlen(text));
		lay = make_layout(L, st->heading_font, k ? st->body_pt * 0.8
							 : st->body_pt * 1.5,
				  !k, m->str, width, PANGO_ALIGN_CENTER, false);
		g_string_free(m, TRUE);
		cairo_move_to(cr, L->left, y);
		pango_cairo_show_layout(cr, lay);
		pango_layout_get_extents(lay, NULL, &logical);
		y += (double)logical.height / PANGO_SCALE + 2;
	}
	cairo_set_line_width(cr, 1.2);
	cairo_move_to(cr, L->left, y + 3);
	cairo_line_to(cr, L->right, y + 3);
	cairo_stroke(cr);
}

/* The letterhead's height on page one (0 without one). */
static double letterhead_height(struct letter *L)
{
	const struct hk_letter_style *st = L->st;
	double h = 0;

	if (!st->org[0])
		return 0;
	for (int k = 0; k < 2; k++) {
		const char *text = k ? st->org_line : st->org;
		PangoLayout *lay;
		GString *m;
		PangoRectangle logical;

		if (!text[0])
			continue;
		m = g_string_new(NULL);
		line_markup(m, text, strlen(text));
		lay = make_layout(L, st->heading_font, k ? st->body_pt * 0.8
							 : st->body_pt * 1.5,
				  !k, m->str, L->right - L->left,
				  PANGO_ALIGN_CENTER, false);
		g_string_free(m, TRUE);
		pango_layout_get_extents(lay, NULL, &logical);
		h += (double)logical.height / PANGO_SCALE + 2;
	}
	return h + 3 + st->body_pt * 1.5;
}

static void draw_page_number(cairo_t *cr, struct letter *L, int page,
			     int pages, enum hk_lang lang)
{
	char text[64];
	PangoLayout *lay;

	snprintf(text, sizeof(text),
		 HK_TR(lang, "第 %d 页，共 %d 页", "page %d of %d"), page, pages);
	lay = make_layout(L, L->st->font, L->st->body_pt * 0.8, false, text,
			  L->right - L->left, PANGO_ALIGN_CENTER, false);
	cairo_move_to(cr, L->left, A4_H - L->st->margin_mm * MM * 0.7);
	pango_cairo_show_layout(cr, lay);
}

static void draw(struct hk_pdf *pdf, struct letter *L, enum hk_lang lang)
{
	cairo_t *cr = pdf->cr;
	size_t k = 0;

	for (int page = 1; page <= L->page; page++) {
		cairo_set_source_rgb(cr, 0, 0, 0);
		if (page == 1)
			draw_letterhead(cr, L);
		for (; k < L->n_items && L->items[k].page == page; k++) {
			const struct item *it = &L->items[k];

			switch (it->kind) {
			case IT_LINE:
				cairo_move_to(cr, it->x, it->y);
				pango_cairo_show_layout_line(
					cr, pango_layout_get_line_readonly(
						    it->layout, it->line));
				break;
			case IT_RULE:
				cairo_set_line_width(cr, 0.6);
				cairo_move_to(cr, it->x, it->y);
				cairo_line_to(cr, it->x + it->w, it->y);
				cairo_stroke(cr);
				break;
			case IT_BOX:
				if (it->shade) {
					cairo_set_source_rgb(cr, 0.92, 0.92, 0.92);
					cairo_rectangle(cr, it->x, it->y, it->w, it->h);
					cairo_fill(cr);
					cairo_set_source_rgb(cr, 0, 0, 0);
				}
				cairo_set_line_width(cr, 0.5);
				cairo_rectangle(cr, it->x, it->y, it->w, it->h);
				cairo_stroke(cr);
				break;
			}
		}
		draw_page_number(cr, L, page, L->page, lang);
		cairo_show_page(cr);
	}
}

static bool utf8_ok(const char *s, size_t n)
{
	return g_utf8_validate(s, (gssize)n, NULL);
}

/* A pango context on fm at 72 dpi: points all through. */
static PangoContext *new_context(PangoFontMap *fm)
{
	PangoContext *ctx = pango_font_map_create_context(fm);
	cairo_font_options_t *fo = cairo_font_options_create();

	pango_cairo_context_set_resolution(ctx, 72);
	/* PDF text: outlines as designed, no hinting to the grid */
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(ctx, fo);
	cairo_font_options_destroy(fo);
	pango_context_set_language(ctx, pango_language_from_string("zh-cn"));
	return ctx;
}

/* This thread's context on the installed fonts (pango's default font map
 * is per thread). */
static PangoContext *thread_context(void)
{
	static __thread PangoContext *ctx;

	if (!ctx)
		ctx = new_context(pango_cairo_font_map_get_default());
	return ctx;
}

/* ---- a batch's own fonts --------------------------------------------- */

#define FACES 4

struct hk_pdf_fonts {
	struct hk_letter_style st;
	hb_set_t *chars;
	FcConfig *config;
	PangoFontMap *map;
	PangoContext *ctx;
};

struct hk_pdf_fonts *hk_pdf_fonts_new(const struct hk_letter_style *st)
{
	struct hk_pdf_fonts *f = hk_calloc(1, sizeof(*f));
	/* what every letter has: ASCII, and the page numbers' words */
	static const char always[] = "第页，共 page of ·：";

	f->st = *st;
	f->chars = hb_set_create();
	for (hb_codepoint_t c = 0x20; c < 0x7f; c++)
		hb_set_add(f->chars, c);
	hk_pdf_fonts_add(f, always, sizeof(always) - 1);
	hk_pdf_fonts_add(f, st->org, strlen(st->org));
	hk_pdf_fonts_add(f, st->org_line, strlen(st->org_line));
	return f;
}

void hk_pdf_fonts_add(struct hk_pdf_fonts *f, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		gunichar c = g_utf8_get_char_validated(p, end - p);

		if (c == (gunichar)-1 || c == (gunichar)-2)
			break; /* not UTF-8: hk_pdf_letter refuses it */
		hb_set_add(f->chars, c);
		p = g_utf8_next_char(p);
	}
}

/* Where fontconfig finds "family:weight": the file and its face index. */
static bool face_file(const char *family, bool bold, char *path, size_t cap,
		      int *index)
{
	FcPattern *pat = FcPatternCreate();
	FcPattern *match;
	FcResult res;
	FcChar8 *file = NULL;
	FcChar8 *got = NULL;
	bool ok = false;

	FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)family);
	FcPatternAddInteger(pat, FC_WEIGHT, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR);
	FcConfigSubstitute(NULL, pat, FcMatchPattern);
	FcDefaultSubstitute(pat);
	match = FcFontMatch(NULL, pat, &res);
	/* only the family asked for: a fallback font would look different
	 * in every batch */
	if (match && FcPatternGetString(match, FC_FAMILY, 0, &got) == FcResultMatch &&
	    !strcmp((const char *)got, family) &&
	    FcPatternGetString(match, FC_FILE, 0, &file) == FcResultMatch &&
	    FcPatternGetInteger(match, FC_INDEX, 0, index) == FcResultMatch) {
		snprintf(path, cap, "%s", (const char *)file);
		ok = true;
	}
	if (match)
		FcPatternDestroy(match);
	FcPatternDestroy(pat);
	return ok;
}

static enum hk_rc cut_face(struct hk_pdf_fonts *f, const char *family,
			   bool bold, const char *out, enum hk_lang lang,
			   struct hk_err *err)
{
	char path[1024];
	int index = 0;
	hb_blob_t *blob, *cut_blob;
	hb_face_t *face, *cut;
	hb_subset_input_t *in;
	const char *data;
	unsigned len = 0;
	FILE *fp;

	if (!face_file(family, bold, path, sizeof(path), &index))
		return hk_err_set(err, HK_EIO,
				  HK_TR(lang, "找不到字体“%s”（请安装 Debian 的 fonts-noto-cjk）",
					"the font \"%s\" is not installed (Debian's fonts-noto-cjk)"),
				  family);
	blob = hb_blob_create_from_file_or_fail(path);
	if (!blob)
		return hk_err_set(err, HK_EIO,
				  HK_TR(lang, "无法读取字体文件 %s", "could not read the font file %s"),
				  path);
	face = hb_face_create(blob, (unsigned)index);
	in = hb_subset_input_create_or_fail();
	hb_set_union(hb_subset_input_unicode_set(in), f->chars);
	/* glyphs without shared subroutines: cairo copies a CFF font's
	 * subroutines whole into every file, so kept they would cost each
	 * letter ~100 KB and the time to write it */
	hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_DESUBROUTINIZE | HB_SUBSET_FLAGS_NO_HINTING);
	cut = in ? hb_subset_or_fail(face, in) : NULL;
	hb_subset_input_destroy(in);
	hb_face_destroy(face);
	hb_blob_destroy(blob);
	if (!cut)
		return hk_err_set(err, HK_EIO,
				  HK_TR(lang, "无法裁剪字体 %s", "could not cut the font %s"),
				  path);
	cut_blob = hb_face_reference_blob(cut);
	data = hb_blob_get_data(cut_blob, &len);
	fp = fopen(out, "wb");
	if (!fp || fwrite(data, 1, len, fp) != len || fclose(fp) != 0) {
		if (fp)
			fclose(fp);
		hb_blob_destroy(cut_blob);
		hb_face_destroy(cut);
		return hk_err_set(err, HK_EIO,
				  HK_TR(lang, "无法写入字体文件 %s", "could not write the font file %s"),
				  out);
	}
	hb_blob_destroy(cut_blob);
	hb_face_destroy(cut);
	return HK_OK;
}

/* The faces: body regular and bold, headings regular and bold; the same
 * family twice (body = headings) is cut once. */
static bool face_wanted(const struct hk_pdf_fonts *f, int i)
{
	const char *family[FACES] = {f->st.font, f->st.font, f->st.heading_font,
				     f->st.heading_font};

	return i < 2 || strcmp(family[i], family[i - 2]);
}

enum hk_rc hk_pdf_fonts_load(struct hk_pdf_fonts *f, const char *dir,
			     enum hk_lang lang, struct hk_err *err)
{
	if (f->ctx)
		g_object_unref(f->ctx);
	if (f->map)
		g_object_unref(f->map);
	if (f->config)
		FcConfigDestroy(f->config);
	f->config = FcConfigCreate();
	for (int i = 0; i < FACES; i++) {
		char path[1200];

		if (!face_wanted(f, i))
			continue;
		snprintf(path, sizeof(path), "%s/face%d.otf", dir, i);
		if (!FcConfigAppFontAddFile(f->config, (const FcChar8 *)path))
			return hk_err_set(err, HK_EIO,
					  HK_TR(lang, "无法加载字体文件 %s", "could not load the font file %s"),
					  path);
	}
	f->map = pango_cairo_font_map_new();
	pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(f->map), f->config);
	f->ctx = new_context(f->map);
	return HK_OK;
}

enum hk_rc hk_pdf_fonts_build(struct hk_pdf_fonts *f, const char *dir,
			      enum hk_lang lang, struct hk_err *err)
{
	const char *family[FACES] = {f->st.font, f->st.font, f->st.heading_font,
				     f->st.heading_font};
	enum hk_rc rc;

	for (int i = 0; i < FACES; i++) {
		char out[1200];

		if (!face_wanted(f, i))
			continue;
		snprintf(out, sizeof(out), "%s/face%d.otf", dir, i);
		if ((rc = cut_face(f, family[i], i % 2, out, lang, err)) != HK_OK)
			return rc;
	}
	return hk_pdf_fonts_load(f, dir, lang, err);
}

void hk_pdf_fonts_free(struct hk_pdf_fonts *f)
{
	if (!f)
		return;
	if (f->ctx)
		g_object_unref(f->ctx);
	if (f->map)
		g_object_unref(f->map);
	if (f->config)
		FcConfigDestroy(f->config);
	hb_set_destroy(f->chars);
	free(f);
}

enum hk_rc hk_pdf_letter(const struct hk_pdf_fonts *fonts,
			 struct hk_pdf *const *to, int n,
			 const struct hk_letter_style *st, const char *markup,
			 size_t len, int *pages_out, enum hk_lang lang,
			 struct hk_err *err)
{
	struct letter L = {.st = st};
	double margin = st->margin_mm * MM;

	if (!utf8_ok(markup, len))
		return hk_err_set(err, HK_EINVAL, "%s",
				  HK_TR(lang, "信函内容不是有效的 UTF-8 文字",
					"the letter's text is not valid UTF-8"));
	L.ctx = fonts && fonts->ctx ? fonts->ctx : thread_context();
	L.left = margin;
	L.right = A4_W - margin;
	L.top = margin;
	L.bottom = A4_H - margin * 1.1;
	new_page(&L);
	L.y += letterhead_height(&L);
	place_markup(&L, markup, len);
	for (int i = 0; i < n; i++)
		draw(to[i], &L, lang);
	if (pages_out)
		*pages_out = L.page;
	for (size_t i = 0; i < L.n_layouts; i++)
		g_object_unref(L.layouts[i]);
	free(L.layouts);
	free(L.items);
	for (int i = 0; i < n; i++) {
		cairo_status_t cs = cairo_status(to[i]->cr);

		if (cs != CAIRO_STATUS_SUCCESS)
			return cairo_failed(cs, to[i]->path, lang, err);
	}
	return HK_OK;
}
