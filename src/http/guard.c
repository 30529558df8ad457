/*
 * guard.c - the guardrails in the server (docs/compliance.md): the rules
 * themselves are src/batch/guard.c's; here a check answers 503 when the
 * database fails, and a refused write is answered 403 and audited, so an
 * attempt to break a rule is itself on the record.
 */
#include <stdio.h>
#include <string.h>

#include "http_int.h"

#define TR(zh, en) HK_TR(req->lang, zh, en)

bool hk_guard_contact(struct hk_req *req, const struct hk_case_rec *c,
		      const struct hk_contact_plan *p,
		      struct hk_guard_result *out)
{
	struct hk_err err = {0};

	if (hk_guard_check(req->store, req->cfg, req->lang, c, p, out, &err) !=
	    HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return false;
	}
	return true;
}

bool hk_guard_time_barred(struct hk_req *req, const struct hk_case_rec *c,
			  bool *barred)
{
	struct hk_err err = {0};

	if (hk_guard_barred(req->store, req->cfg, hk_today(), c->ref, barred,
			    &err) != HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return false;
	}
	return true;
}

bool hk_guard_text(struct hk_req *req, const struct hk_case_rec *c,
		   const char *text)
{
	struct hk_guard_result r = {0};
	const char *category;
	char words[200];

	if (!hk_guard_lexicon(text, words, sizeof(words), &category))
		return true;
	snprintf(r.message, sizeof(r.message),
		 TR("文字含有禁用词（%s）：%s", "the text has forbidden wording (%s): %s"),
		 category, words);
	r.rule = "GR-LEXICON";
	hk_guard_refuse(req, c, &r);
	return false;
}

void hk_guard_refuse(struct hk_req *req, const struct hk_case_rec *c,
		     const struct hk_guard_result *r)
{
	struct hk_store *s = req->store;
	struct hk_err err = {0};
	char target[32];

	/* The refusal is on the record before the answer leaves. */
	snprintf(target, sizeof(target), "case:%lld", (long long)c->ref);
	if (s->ops->begin(s, &err) != HK_OK ||
	    hk_audit_commit(req, "guard.refused", target,
			    json_pack("{s:s}", "rule", r->rule), &err) != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply_error(req, HK_EREFUSED, 403, r->message);
	json_object_set_new(req->json, "rule", json_string(r->rule));
}
