/*
 * tmpl.h - huikuan's template language (docs/letters.md): the letters,
 * SMS and emails a case sends are written in it.  Deliberately tiny:
 *
 *   {{debtor.name}}              a value (dotted path into the data)
 *   {{#each accounts}}…{{/each}} once per item of a list; inside, names
 *                                are looked up in the item first, then
 *                                outward; {{@n}} is the item's number (1…)
 *   {{#if path}}…{{else}}…{{/if}}  when the value is present and not empty,
 *                                false or 0 ({{#if !path}}: the opposite)
 *   {{#section name}}…{{/section}} a named part (rendered as written) that
 *                                the rules for a kind of template can ask
 *                                for: "how to dispute", "your rights"
 *   {{! a comment }}
 *
 * The data is a JSON object (jansson).  A template is parsed once into a
 * tree and rendered many times; rendering never fails on the template's
 * structure (the parser checked it), only on a name the data lacks.
 * Nothing here does I/O.
 */
#ifndef HK_TMPL_H
#define HK_TMPL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "hk/rc.h"

struct hk_tmpl;

/* Text grown by the renderer; the caller frees p. */
struct hk_text {
	char *p;
	size_t len, cap;
};

void hk_text_add(struct hk_text *t, const char *s, size_t n);
void hk_text_clear(struct hk_text *t);

/* Templates longer than this are refused (they come from users). */
#define HK_TMPL_MAX_BYTES (256 * 1024)
/* Sections and lists nest at most this deep. */
#define HK_TMPL_MAX_DEPTH 16

/*
 * Parse `src` (`len` bytes of UTF-8).  On success *out is the template,
 * freed with hk_tmpl_free().  A syntax error is HK_EINVAL, err->msg
 * naming the line and what is wrong ("第 3 行：{{#each}} 没有对应的
 * {{/each}}" / "line 3: {{#each}} is never closed by {{/each}}").
 */
enum hk_rc hk_tmpl_parse(const char *src, size_t len, enum hk_lang lang,
			 struct hk_tmpl **out /* OUT */, struct hk_err *err);
void hk_tmpl_free(struct hk_tmpl *t);

/* Values are written as they are; escape, when given, writes each value
 * instead (a letter's markup escapes its own characters, docs/letters.md). */
typedef void (*hk_tmpl_escape_fn)(struct hk_text *out, const char *value,
				  size_t len);

/*
 * Append the template rendered against `data` to `out`.  Strings are
 * written as they are, integers in decimal, true/false as 是/否 (yes/no in
 * English), null as nothing.  A name the data does not have, or a value
 * that is an object or a list where text is wanted, is HK_EINVAL naming it
 * and its line; `out` then holds what was rendered before it.
 */
enum hk_rc hk_tmpl_render(const struct hk_tmpl *t, const json_t *data,
			  hk_tmpl_escape_fn escape, struct hk_text *out,
			  enum hk_lang lang, struct hk_err *err);

/* What a template refers to, for the rules of a kind of template. */
enum hk_tmpl_ref_kind {
	HK_TMPL_REF_VALUE,   /* {{path}} */
	HK_TMPL_REF_EACH,    /* {{#each path}} */
	HK_TMPL_REF_IF,      /* {{#if path}} */
	HK_TMPL_REF_SECTION, /* {{#section name}}, with its text's length */
};

/* fn once per reference in document order: `path` as written, `in_each`
 * the path of the innermost enclosing {{#each}} (NULL at the top),
 * `text_len` (sections only) the bytes of plain text inside it.  A
 * non-zero return stops the walk. */
typedef int (*hk_tmpl_ref_fn)(void *ctx, enum hk_tmpl_ref_kind kind,
			      const char *path, const char *in_each,
			      size_t text_len, int line);
void hk_tmpl_refs(const struct hk_tmpl *t, hk_tmpl_ref_fn fn, void *ctx);

#endif
