/*
 * tmpl.c - the template language of tmpl.h (docs/letters.md): parse once
 * into a tree of nodes, render against JSON data.  The source comes from
 * users (administrators editing letters): every input must end in a tree
 * or a clear error naming its line, never a crash, however malformed
 * (tests/unit/test_tmpl.c, and the fuzz target tests/fuzz/fuzz_tmpl.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hk/tmpl.h"
#include "hk/types.h"

enum node_kind { N_TEXT, N_VALUE, N_INDEX, N_EACH, N_IF, N_SECTION };

struct node {
	enum node_kind kind;
	int line;
	/* N_TEXT: src[off, off + len) of the template's copy */
	size_t off, len;
	/* N_VALUE, N_EACH, N_IF: the path; N_SECTION: the name */
	char *path;
	bool negate;          /* N_IF: {{#if !path}} */
	struct node *body;    /* N_EACH, N_IF (then), N_SECTION */
	struct node *orelse;  /* N_IF: after {{else}} */
	struct node *next;
};

struct hk_tmpl {
	char *src;
	struct node *root;
};

/* ---- text ------------------------------------------------------------ */

void hk_text_add(struct hk_text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 256;

		while (t->len + n + 1 > cap)
			cap *= 2;
		t->p = hk_realloc(t->p, cap);
		t->cap = cap;
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
}

void hk_text_clear(struct hk_text *t)
{
	free(t->p);
	memset(t, 0, sizeof(*t));
}

/* ---- parsing --------------------------------------------------------- */

static void nodes_free(struct node *n)
{
	while (n) {
		struct node *next = n->next;

		nodes_free(n->body);
		nodes_free(n->orelse);
		free(n->path);
		free(n);
		n = next;
	}
}

void hk_tmpl_free(struct hk_tmpl *t)
{
	if (!t)
		return;
	nodes_free(t->root);
	free(t->src);
	free(t);
}

/* An open block while parsing: where its nodes go next. */
struct frame {
	struct node *block;  /* NULL: the top */
	struct node **tail;  /* the next node's link */
	bool in_else;
};

struct parser {
	const char *src;
	size_t len;
	int line;
	enum hk_lang lang;
	struct hk_err *err;
	struct frame stack[HK_TMPL_MAX_DEPTH + 1];
	int depth;
};

static bool is_name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

/* A dotted path: name(.name)*; false if it is not one. */
static bool valid_path(const char *p, size_t n)
{
	bool first = true;

	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '.') {
			if (first || i + 1 == n)
				return false;
			first = true;
			continue;
		}
		if (!is_name_char(p[i], first))
			return false;
		first = false;
	}
	return true;
}

static int count_lines(const char *p, size_t n)
{
	int lines = 0;

	for (size_t i = 0; i < n; i++)
		lines += p[i] == '\n';
	return lines;
}

static struct node *add_node(struct parser *ps, enum node_kind kind)
{
	struct frame *f = &ps->stack[ps->depth];
	struct node *n = hk_calloc(1, sizeof(*n));

	n->kind = kind;
	n->line = ps->line;
	*f->tail = n;
	f->tail = &n->next;
	return n;
}

static enum hk_rc syntax(struct parser *ps, const char *zh, const char *en,
			 const char *what)
{
	return hk_err_set(ps->err, HK_EINVAL,
			  HK_TR(ps->lang, "模板第 %d 行：%s%s", "template line %d: %s%s"),
			  ps->line, HK_TR(ps->lang, zh, en), what ? what : "");
}

static const char *block_word(enum node_kind k)
{
	return k == N_EACH ? "each" : k == N_IF ? "if" : "section";
}

/* Open a block node and make it where the next nodes go. */
static enum hk_rc open_block(struct parser *ps, enum node_kind kind,
			     const char *arg, size_t n)
{
	struct node *b;
	bool negate = false;

	if (ps->depth == HK_TMPL_MAX_DEPTH)
		return syntax(ps, "嵌套太深（最多 16 层）",
			      "blocks nest too deep (16 at most)", NULL);
	if (kind == N_IF && n && arg[0] == '!') {
		negate = true;
		arg++;
		n--;
		while (n && arg[0] == ' ') {
			arg++;
			n--;
		}
	}
	if (kind == N_SECTION ? !valid_path(arg, n) || memchr(arg, '.', n)
			      : !valid_path(arg, n))
		return syntax(ps, "缺少名称或名称无效：", "a missing or bad name: ",
			      kind == N_EACH ? "{{#each …}}"
			      : kind == N_IF ? "{{#if …}}"
					     : "{{#section …}}");
	b = add_node(ps, kind);
	b->path = hk_malloc(n + 1);
	memcpy(b->path, arg, n);
	b->path[n] = '\0';
	b->negate = negate;
	ps->depth++;
	ps->stack[ps->depth] = (struct frame){.block = b, .tail = &b->body};
	return HK_OK;
}

static enum hk_rc close_block(struct parser *ps, enum node_kind kind)
{
	struct frame *f = &ps->stack[ps->depth];
	char want[32];

	snprintf(want, sizeof(want), "{{/%s}}", block_word(kind));
	if (!ps->depth)
		return syntax(ps, "多余的结束标记 ", "an end tag with nothing open: ",
			      want);
	if (f->block->kind != kind) {
		char open[40];

		snprintf(open, sizeof(open), "{{#%s}} → {{/%s}}",
			 block_word(f->block->kind), block_word(f->block->kind));
		return syntax(ps, "结束标记与开始标记不符：", "the end tag does not match: ",
			      open);
	}
	ps->depth--;
	return HK_OK;
}

static enum hk_rc tag(struct parser *ps, const char *p, size_t n)
{
	struct node *v;

	while (n && (p[0] == ' ' || p[0] == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n && p[0] == '!')
		return HK_OK; /* a comment */
	if (n >= 6 && !memcmp(p, "#each ", 6))
		return open_block(ps, N_EACH, p + 6, n - 6);
	if (n >= 4 && !memcmp(p, "#if ", 4))
		return open_block(ps, N_IF, p + 4, n - 4);
	if (n >= 9 && !memcmp(p, "#section ", 9))
		return open_block(ps, N_SECTION, p + 9, n - 9);
	if (n == 5 && !memcmp(p, "/each", 5))
		return close_block(ps, N_EACH);
	if (n == 3 && !memcmp(p, "/if", 3))
		return close_block(ps, N_IF);
	if (n == 8 && !memcmp(p, "/section", 8))
		return close_block(ps, N_SECTION);
	if (n == 4 && !memcmp(p, "else", 4)) {
		struct frame *f = &ps->stack[ps->depth];

		if (!ps->depth || f->block->kind != N_IF || f->in_else)
			return syntax(ps, "{{else}} 只能在 {{#if}} 中出现一次",
				      "{{else}} belongs once inside an {{#if}}",
				      NULL);
		f->in_else = true;
		f->tail = &f->block->orelse;
		return HK_OK;
	}
	if (n == 2 && !memcmp(p, "@n", 2)) {
		int k;

		for (k = ps->depth; k > 0; k--)
			if (ps->stack[k].block->kind == N_EACH)
				break;
		if (!k)
			return syntax(ps, "{{@n}} 只能在 {{#each}} 中使用",
				      "{{@n}} belongs inside an {{#each}}", NULL);
		add_node(ps, N_INDEX);
		return HK_OK;
	}
	if (!valid_path(p, n))
		return syntax(ps, "无法识别的标记 ", "an unknown tag ",
			      n && (p[0] == '#' || p[0] == '/')
				      ? "{{#each|#if|#section …}}"
				      : "{{…}}");
	v = add_node(ps, N_VALUE);
	v->path = hk_malloc(n + 1);
	memcpy(v->path, p, n);
	v->path[n] = '\0';
	return HK_OK;
}

enum hk_rc hk_tmpl_parse(const char *src, size_t len, enum hk_lang lang,
			 struct hk_tmpl **out, struct hk_err *err)
{
	struct hk_tmpl *t;
	struct parser ps = {.len = len, .line = 1, .lang = lang, .err = err};
	size_t i = 0;
	enum hk_rc rc = HK_OK;

	*out = NULL;
	if (len > HK_TMPL_MAX_BYTES)
		return hk_err_set(err, HK_EINVAL,
				  HK_TR(lang, "模板太长（最多 %d 字节）",
					"the template is too long (%d bytes at most)"),
				  HK_TMPL_MAX_BYTES);
	if (memchr(src, '\0', len))
		return hk_err_set(err, HK_EINVAL, "%s",
				  HK_TR(lang, "模板含有 NUL 字符",
					"the template holds a NUL character"));
	t = hk_calloc(1, sizeof(*t));
	t->src = hk_malloc(len + 1);
	memcpy(t->src, src, len);
	t->src[len] = '\0';
	ps.src = t->src;
	ps.stack[0] = (struct frame){.tail = &t->root};
	while (i < len && rc == HK_OK) {
		const char *open = NULL, *close;

		for (size_t k = i; k + 1 < len; k++)
			if (t->src[k] == '{' && t->src[k + 1] == '{') {
				open = t->src + k;
				break;
			}
		if (!open) {
			struct node *n = add_node(&ps, N_TEXT);

			n->off = i;
			n->len = len - i;
			break;
		}
		if (open > t->src + i) {
			struct node *n = add_node(&ps, N_TEXT);

			n->off = i;
			n->len = (size_t)(open - t->src) - i;
			ps.line += count_lines(t->src + i, n->len);
		}
		close = strstr(open + 2, "}}");
		if (!close) {
			rc = syntax(&ps, "“{{”没有对应的“}}”",
				    "\"{{\" is never closed by \"}}\"", NULL);
			break;
		}
		rc = tag(&ps, open + 2, (size_t)(close - open - 2));
		ps.line += count_lines(open, (size_t)(close - open));
		i = (size_t)(close + 2 - t->src);
	}
	if (rc == HK_OK && ps.depth) {
		struct node *b = ps.stack[ps.depth].block;

		ps.line = b->line;
		rc = b->kind == N_EACH	  ? syntax(&ps, "{{#each}} 没有对应的 {{/each}}",
						   "{{#each}} is never closed by {{/each}}", NULL)
		     : b->kind == N_IF ? syntax(&ps, "{{#if}} 没有对应的 {{/if}}",
						"{{#if}} is never closed by {{/if}}", NULL)
				       : syntax(&ps, "{{#section}} 没有对应的 {{/section}}",
						"{{#section}} is never closed by {{/section}}",
						NULL);
	}
	if (rc != HK_OK) {
		hk_tmpl_free(t);
		return rc;
	}
	*out = t;
	return HK_OK;
}

/* ---- rendering ------------------------------------------------------- */

struct scope {
	const json_t *item;
	size_t index; /* 0-based, of the innermost each */
};

struct render {
	const struct hk_tmpl *t;
	hk_tmpl_escape_fn escape;
	struct hk_text *out;
	enum hk_lang lang;
	struct hk_err *err;
	struct scope scopes[HK_TMPL_MAX_DEPTH + 2];
	int depth;
};

/* The value at `path`: its first name from the innermost scope that has
 * it, the rest below that.  NULL if there is none. */
static const json_t *lookup(const struct render *r, const char *path)
{
	const char *dot = strchr(path, '.');
	size_t n = dot ? (size_t)(dot - path) : strlen(path);
	const json_t *v = NULL;
	char name[128];

	if (n >= sizeof(name))
		return NULL;
	memcpy(name, path, n);
	name[n] = '\0';
	for (int k = r->depth; k >= 0 && !v; k--)
		if (json_is_object(r->scopes[k].item))
			v = json_object_get(r->scopes[k].item, name);
	while (v && dot) {
		const char *next = strchr(dot + 1, '.');

		n = next ? (size_t)(next - dot - 1) : strlen(dot + 1);
		if (n >= sizeof(name) || !json_is_object(v))
			return NULL;
		memcpy(name, dot + 1, n);
		name[n] = '\0';
		v = json_object_get(v, name);
		dot = next;
	}
	return v;
}

static bool truthy(const json_t *v)
{
	if (!v || json_is_null(v) || json_is_false(v))
		return false;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	if (json_is_real(v))
		return json_real_value(v) != 0;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	return true;
}

static void put(struct render *r, const char *s, size_t n)
{
	if (r->escape)
		r->escape(r->out, s, n);
	else
		hk_text_add(r->out, s, n);
}

static enum hk_rc render_nodes(struct render *r, const struct node *n);

static enum hk_rc render_value(struct render *r, const struct node *n)
{
	const json_t *v = lookup(r, n->path);
	char num[32];

	if (!v)
		return hk_err_set(r->err, HK_EINVAL,
				  HK_TR(r->lang, "模板第 %d 行：没有数据“%s”",
					"template line %d: no value \"%s\""),
				  n->line, n->path);
	if (json_is_string(v)) {
		put(r, json_string_value(v), json_string_length(v));
	} else if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld",
			 (long long)json_integer_value(v));
		put(r, num, strlen(num));
	} else if (json_is_boolean(v)) {
		const char *yes = json_is_true(v) ? HK_TR(r->lang, "是", "yes")
						  : HK_TR(r->lang, "否", "no");

		put(r, yes, strlen(yes));
	} else if (!json_is_null(v)) {
		/* reals never reach letters: money is formatted text */
		return hk_err_set(r->err, HK_EINVAL,
				  HK_TR(r->lang, "模板第 %d 行：“%s”不是文字，不能直接写出（列表请用 {{#each}}）",
					"template line %d: \"%s\" is not text and cannot be written (a list takes {{#each}})"),
				  n->line, n->path);
	}
	return HK_OK;
}

static enum hk_rc render_nodes(struct render *r, const struct node *n)
{
	enum hk_rc rc = HK_OK;

	for (; n && rc == HK_OK; n = n->next) {
		switch (n->kind) {
		case N_TEXT:
			hk_text_add(r->out, r->t->src + n->off, n->len);
			break;
		case N_VALUE:
			rc = render_value(r, n);
			break;
		case N_INDEX: {
			char num[24];

			snprintf(num, sizeof(num), "%zu",
				 r->scopes[r->depth].index + 1);
			hk_text_add(r->out, num, strlen(num));
			break;
		}
		case N_IF:
			rc = render_nodes(r, truthy(lookup(r, n->path)) != n->negate
						     ? n->body
						     : n->orelse);
			break;
		case N_SECTION:
			rc = render_nodes(r, n->body);
			break;
		case N_EACH: {
			const json_t *list = lookup(r, n->path);

			if (!list || json_is_null(list))
				break; /* nothing to repeat */
			if (!json_is_array(list))
				return hk_err_set(r->err, HK_EINVAL,
						  HK_TR(r->lang, "模板第 %d 行：“%s”不是列表",
							"template line %d: \"%s\" is not a list"),
						  n->line, n->path);
			r->depth++;
			for (size_t i = 0; i < json_array_size(list) && rc == HK_OK;
			     i++) {
				r->scopes[r->depth].item = json_array_get(list, i);
				r->scopes[r->depth].index = i;
				rc = render_nodes(r, n->body);
			}
			r->depth--;
			break;
		}
		}
	}
	return rc;
}

enum hk_rc hk_tmpl_render(const struct hk_tmpl *t, const json_t *data,
			  hk_tmpl_escape_fn escape, struct hk_text *out,
			  enum hk_lang lang, struct hk_err *err)
{
	struct render r = {.t = t, .escape = escape, .out = out,
			   .lang = lang, .err = err};

	r.scopes[0].item = data;
	hk_text_add(out, "", 0); /* out->p is a string even when empty */
	return render_nodes(&r, t->root);
}

/* ---- references ------------------------------------------------------ */

/* The bytes of written text under n, blanks not counted: a section of
 * only spaces and line ends says nothing. */
static size_t text_len(const struct hk_tmpl *t, const struct node *n)
{
	size_t len = 0;

	for (; n; n = n->next) {
		for (size_t i = 0; n->kind == N_TEXT && i < n->len; i++) {
			char c = t->src[n->off + i];

			len += c != ' ' && c != '\t' && c != '\n' && c != '\r';
		}
		len += text_len(t, n->body) + text_len(t, n->orelse);
	}
	return len;
}

static int walk(const struct hk_tmpl *t, const struct node *n,
		const char *in_each, hk_tmpl_ref_fn fn, void *ctx)
{
	for (; n; n = n->next) {
		int stop = 0;

		switch (n->kind) {
		case N_VALUE:
			stop = fn(ctx, HK_TMPL_REF_VALUE, n->path, in_each, 0,
				  n->line);
			break;
		case N_EACH:
			stop = fn(ctx, HK_TMPL_REF_EACH, n->path, in_each, 0,
				  n->line) ||
			       walk(t, n->body, n->path, fn, ctx);
			break;
		case N_IF:
			stop = fn(ctx, HK_TMPL_REF_IF, n->path, in_each, 0,
				  n->line) ||
			       walk(t, n->body, in_each, fn, ctx) ||
			       walk(t, n->orelse, in_each, fn, ctx);
			break;
		case N_SECTION:
			stop = fn(ctx, HK_TMPL_REF_SECTION, n->path, in_each,
				  text_len(t, n->body), n->line) ||
			       walk(t, n->body, in_each, fn, ctx);
			break;
		default:
			break;
		}
		if (stop)
			return 1;
	}
	return 0;
}

void hk_tmpl_refs(const struct hk_tmpl *t, hk_tmpl_ref_fn fn, void *ctx)
{
	walk(t, t->root, NULL, fn, ctx);
}
