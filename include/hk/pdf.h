/*
 * pdf.h - letters as PDF (src/io/pdf.c, docs/letters.md): a rendered
 * template's text in the letters' light markup, laid out by pango (Chinese
 * line breaking, the Noto CJK fonts embedded) on A4 pages under a
 * letterhead, with page numbers, drawn by cairo into one or more PDF files
 * at once (a batch writes each letter to its own file and to the merged
 * print file from one layout).
 *
 * The markup, line by line:
 *   # text        the title: centred, bold, larger
 *   ## text       a subtitle: centred, bold
 *   > text        right-aligned (the date, the signature)
 *   | a | b |     table rows (consecutive lines); a row of only -, : and
 *                 | after the first sets the columns' alignment (---:
 *                 right); the first row is the header, repeated on a new
 *                 page
 *   ---           a rule across the page
 *   (empty)       a gap
 *   anything else a paragraph, justified; **bold** inside any line
 * A backslash makes the next character plain (\*, \#, \|, \>, \-, \\):
 * hk_pdf_escape writes a template's values that way, so no value can
 * change a letter's layout.
 */
#ifndef HK_PDF_H
#define HK_PDF_H

#include <stddef.h>

#include "hk/rc.h"
#include "hk/tmpl.h"

/* The letterhead and the page (from [letters] in the configuration). */
struct hk_letter_style {
	char org[128];      /* the sender's name, at the top of page one */
	char org_line[256]; /* address · phone · website, under it */
	char font[64];      /* body: "Noto Serif CJK SC" */
	char heading_font[64]; /* titles, letterhead: "Noto Sans CJK SC" */
	double body_pt;     /* 11 */
	double margin_mm;   /* 22 */
};

void hk_letter_style_default(struct hk_letter_style *st /* OUT */);

/* hk_tmpl_escape_fn for letters: markup characters made plain, line ends
 * in a value made spaces. */
void hk_pdf_escape(struct hk_text *out, const char *value, size_t len);

/*
 * A batch's own fonts.  cairo embeds in each file the subset of each font
 * it uses, and cutting that subset out of a whole CJK font (tens of MB,
 * 65,000 glyphs) costs tens of milliseconds a file.  A batch therefore
 * first collects every character its letters use, cuts the body's and the
 * headings' faces (regular and bold) down to those with HarfBuzz's
 * subsetter into `dir`, and lays its letters out with only those: each
 * file then subsets a font of a few thousand glyphs.  Characters added
 * after hk_pdf_fonts_build are not in the fonts: add every letter first.
 */
struct hk_pdf_fonts;

struct hk_pdf_fonts *hk_pdf_fonts_new(const struct hk_letter_style *st);
/* Note the characters of `text` (UTF-8, len bytes). */
void hk_pdf_fonts_add(struct hk_pdf_fonts *f, const char *text, size_t len);
/* Cut the faces into dir; HK_EIO if a face is not installed (naming it:
 * Debian's fonts-noto-cjk) or cannot be cut or written. */
enum hk_rc hk_pdf_fonts_build(struct hk_pdf_fonts *f, const char *dir,
			      enum hk_lang lang, struct hk_err *err);
/* Load the faces hk_pdf_fonts_build cut into dir, for another thread
 * (a font map is one thread's). */
enum hk_rc hk_pdf_fonts_load(struct hk_pdf_fonts *f, const char *dir,
			     enum hk_lang lang, struct hk_err *err);
void hk_pdf_fonts_free(struct hk_pdf_fonts *f);

struct hk_pdf;

/*
 * A PDF file being written at `path`.  HK_EIO naming the path if it
 * cannot be created.  Letters added go in order, each starting on a new
 * page; hk_pdf_close finishes the file (fonts embedded then) and frees.
 */
enum hk_rc hk_pdf_open(const char *path, struct hk_pdf **out /* OUT */,
		       enum hk_lang lang, struct hk_err *err);
enum hk_rc hk_pdf_close(struct hk_pdf *pdf, struct hk_err *err);

/*
 * Lay out one letter (`markup`, `len` bytes of UTF-8) and draw it into
 * each of the n files in `to` (its pages numbered 1…N of its own in every
 * one).  *pages_out gets N.  HK_EINVAL if the text is not UTF-8.  `fonts`
 * from hk_pdf_fonts_build, or NULL for the installed fonts (one letter:
 * slower to write, nothing to prepare).
 */
enum hk_rc hk_pdf_letter(const struct hk_pdf_fonts *fonts,
			 struct hk_pdf *const *to, int n,
			 const struct hk_letter_style *st, const char *markup,
			 size_t len, int *pages_out /* OUT, may be NULL */,
			 enum hk_lang lang, struct hk_err *err);

#endif
