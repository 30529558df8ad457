/*
 * scripts.c - the talk-script library (话术, issue 5): answers to the
 * common objections, read by every user beside a case and suggested by the
 * case's last contact outcome; edited by admins.  A script is screened by
 * the lexicon like a collector's note (docs/compliance.md): one with
 * forbidden wording is refused with the rule and the words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hk/strategy.h"
#include "http_int.h"

struct listing {
	json_t *list, *suggested;
	const char *outcome;
};

/* Whether the comma-separated `codes` hold `code`. */
static bool has_code(const char *codes, const char *code)
{
	size_t n = strlen(code);

	for (const char *p = codes; p && *p;) {
		size_t len = strcspn(p, ",");

		if (len == n && !strncmp(p, code, n))
			return true;
		p += len + (p[len] == ',');
	}
	return false;
}

static json_t *codes_json(const char *codes)
{
	json_t *a = json_array();

	for (const char *p = codes; p && *p;) {
		size_t len = strcspn(p, ",");

		if (len)
			json_array_append_new(a, json_stringn(p, len));
		p += len + (p[len] == ',');
	}
	return a;
}

static int add_script(void *ctx, const struct hk_script *sc)
{
	struct listing *l = ctx;

	json_array_append_new(
		l->list,
		json_pack("{s:I, s:s, s:s, s:s, s:o, s:I}", "id",
			  (json_int_t)sc->ref, "title", sc->title, "objection",
			  sc->objection, "body", sc->body, "outcomes",
			  codes_json(sc->outcomes), "updated_at",
			  (json_int_t)sc->updated_at));
	if (l->outcome && has_code(sc->outcomes, l->outcome))
		json_array_append_new(l->suggested, json_integer(sc->ref));
	return 0;
}

/* GET /api/scripts?q=&outcome=: the scripts holding q, and those suited
 * to a case whose last contact had this outcome. */
void hk_h_scripts_list(struct hk_req *req)
{
	struct listing l = {.list = json_array(), .suggested = json_array()};
	struct hk_err err = {0};
	const char *q = hk_req_query(req, "q");

	l.outcome = hk_req_query(req, "outcome");
	if ((l.outcome && hk_outcome_bit(l.outcome) < 0) ||
	    (q && strlen(q) > 200)) {
		json_decref(l.list);
		json_decref(l.suggested);
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang, "outcome 须为联系结果代码，q 至多 200 字节",
				     "outcome must be an outcome code, q at most 200 bytes"));
		return;
	}
	if (req->store->ops->scripts_scan(req->store, q, 0, add_script, &l,
					  &err) != HK_OK) {
		json_decref(l.list);
		json_decref(l.suggested);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:o, s:o}", "scripts", l.list,
				     "suggested", l.suggested));
}

/* The body of a script: its texts checked, outcomes as codes; false once
 * it has answered. */
static bool script_of(struct hk_req *req, json_t *body, struct hk_script *sc,
		      char *codes, size_t cap)
{
	static const struct {
		const char *key;
		size_t max;
	} texts[] = {{"title", 200}, {"objection", 500}, {"body", 5000}};
	const char *v[3];
	json_t *outcomes = json_object_get(body, "outcomes"), *o;
	char words[256], msg[400];
	const char *category;
	size_t i, n = 0;

	for (i = 0; i < 3; i++) {
		v[i] = json_string_value(json_object_get(body, texts[i].key));
		if (!v[i] || !*v[i] || strlen(v[i]) > texts[i].max) {
			hk_reply_error(req, HK_EINVAL, 400,
				       HK_TR(req->lang,
					     "title（≤200 字节）、objection（≤500）和 body（≤5000）须为非空文字",
					     "title (at most 200 bytes), objection (500) and body (5000) must be non-empty text"));
			return false;
		}
	}
	codes[0] = '\0';
	if (outcomes && !json_is_array(outcomes))
		outcomes = NULL, n = cap; /* refused below */
	json_array_foreach(outcomes, i, o) {
		const char *c = json_string_value(o);

		if (!c || hk_outcome_bit(c) < 0 || n + strlen(c) + 2 > cap) {
			n = cap;
			break;
		}
		n += (size_t)snprintf(codes + n, cap - n, "%s%s", n ? "," : "", c);
	}
	if (n >= cap) {
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang, "outcomes 须为联系结果代码的列表",
				     "outcomes must be a list of outcome codes"));
		return false;
	}
	for (i = 0; i < 3; i++)
		if (hk_guard_lexicon(v[i], words, sizeof(words), &category)) {
			snprintf(msg, sizeof(msg),
				 HK_TR(req->lang, "文字含有禁用词（%s）：%s",
				       "the text has forbidden wording (%s): %s"),
				 category, words);
			hk_reply(req, 403,
				 json_pack("{s:s, s:s, s:s}", "code", "HK_EREFUSED",
					   "rule", "GR-LEXICON", "message", msg));
			return false;
		}
	sc->title = v[0];
	sc->objection = v[1];
	sc->body = v[2];
	sc->outcomes = codes;
	sc->updated_by = req->user.ref;
	sc->updated_at = (int64_t)time(NULL);
	return true;
}

static void save(struct hk_req *req, int64_t ref)
{
	static const char *const fields[] = {"title", "objection", "body",
					     "outcomes", NULL};
	struct hk_store *s = req->store;
	struct hk_script sc = {.ref = ref};
	struct hk_err err = {0};
	char codes[512], target[32];
	json_t *body;
	enum hk_rc rc;

	if (!(body = hk_req_json_object(req, fields)))
		return;
	if (!script_of(req, body, &sc, codes, sizeof(codes))) {
		json_decref(body);
		return;
	}
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->script_save(s, &sc, &ref, &err)) == HK_OK) {
		snprintf(target, sizeof(target), "script:%lld", (long long)ref);
		rc = hk_audit_commit(req, sc.ref ? "script.update" : "script.create",
				     target, NULL, &err);
	}
	json_decref(body);
	if (rc != HK_OK) {
		s->ops->rollback(s);
		if (rc == HK_ENOTFOUND)
			hk_reply_error(req, rc, 404,
				       HK_TR(req->lang, "没有这个话术", "no such script"));
		else
			hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, sc.ref ? 200 : 201,
		 json_pack("{s:I}", "id", (json_int_t)ref));
}

/* POST /api/scripts {title, objection, body, outcomes?} */
void hk_h_script_create(struct hk_req *req)
{
	save(req, 0);
}

/* POST /api/scripts/{id}: the same, replacing it */
void hk_h_script_update(struct hk_req *req)
{
	int64_t id = strtoll(req->params[0], NULL, 10);

	if (id <= 0) {
		hk_reply_error(req, HK_ENOTFOUND, 404,
			       HK_TR(req->lang, "没有这个话术", "no such script"));
		return;
	}
	save(req, id);
}
