/*
 * contacts.c - skip tracing (失联修复): add a contact detail found for the
 * debtor (with where it came from), and mark contacts valid, invalid or
 * unverified.  When every contact of the debtor is invalid, its cases are
 * flagged lost contact.  Phone numbers are checked like imported ones and
 * leave masked.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "http_int.h"

static const char *const relations[] = {
	"self",  "spouse",   "parent",    "child",       "sibling", "relative",
	"friend", "colleague", "employer", "guarantor", "co_borrower", "other",
	NULL};
static const char *const validities[] = {"valid", "invalid", "unverified",
					 NULL};

/* One address: local@domain.tld, printable ASCII without spaces, quotes
 * or angle brackets (it goes into an SMTP envelope). */
static bool email_valid(const char *e)
{
	const char *at = e ? strchr(e, '@') : NULL;

	if (!at || at == e || strchr(at + 1, '@') || !strchr(at + 1, '.') ||
	    strlen(e) > 128 || at[1] == '.' || e[strlen(e) - 1] == '.')
		return false;
	for (const char *p = e; *p; p++)
		if (*p <= ' ' || *p > '~' || strchr("\"<>(),;:[]\\", *p))
			return false;
	return true;
}

void hk_h_contact_add(struct hk_req *req)
{
	static const char *const fields[] = {"relation", "name", "phone",
					     "source", "authorized", "email",
					     NULL};
	struct hk_store *s = req->store;
	struct hk_contact_rec r = {0};
	struct hk_case_rec c;
	struct hk_err err = {0};
	json_t *body;
	const char *relation, *name, *phone, *source, *email;
	unsigned char raw[5];
	char id[16], target[96];
	enum hk_rc rc;

	if (!hk_case_in_scope(req, &c) || !(body = hk_req_json_object(req, fields)))
		return;
	relation = json_string_value(json_object_get(body, "relation"));
	name = json_string_value(json_object_get(body, "name"));
	phone = json_string_value(json_object_get(body, "phone"));
	source = json_string_value(json_object_get(body, "source"));
	email = json_string_value(json_object_get(body, "email"));
	if (json_object_get(body, "email") && !email_valid(email)) {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang, "email 须为一个电子邮件地址（如 name@example.com）",
				     "email must be one email address (name@example.com)"));
		return;
	}
	if (!hk_one_of(relation, relations) || !phone ||
	    !hk_phone_valid(phone, strlen(phone)) || !source || !*source ||
	    strlen(source) > 64 || (name && strlen(name) > 128)) {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang,
				     "需要 relation（self、spouse、parent…）、phone（11 位手机号）和 source（来源），name 可选",
				     "relation (self, spouse, parent, ...), phone (11-digit mobile) and source are needed; name is optional"));
		return;
	}
	/* A new id the importer's ids can never collide with (they would
	 * need a "SK" prefix and ten hex digits to). */
	randombytes_buf(raw, sizeof(raw));
	memcpy(id, "SK", 2);
	sodium_bin2hex(id + 2, sizeof(id) - 2, raw, sizeof(raw));
	r.contact_id = id;
	r.debtor_ref = c.debtor_ref;
	r.relation = relation;
	r.name = name;
	r.phone = phone;
	r.email = email;
	r.authorized = json_is_true(json_object_get(body, "authorized")) ||
		       !strcmp(relation, "self");
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->contact_add(s, &r, source, &err)) == HK_OK) {
		snprintf(target, sizeof(target), "case:%lld/contact:%s",
			 (long long)c.ref, id);
		rc = hk_audit_commit(req, "contact.create", target,
			 json_pack("{s:s, s:s}", "relation", relation, "source",
				   source), &err);
	}
	json_decref(body);
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 201,
		 json_pack("{s:s, s:s}", "contact_id", id, "validity",
			   "unverified"));
}

void hk_h_contact_validity(struct hk_req *req)
{
	static const char *const fields[] = {"validity", NULL};
	struct hk_store *s = req->store;
	struct hk_case_rec c;
	struct hk_err err = {0};
	json_t *body;
	const char *validity;
	char value[16], target[96];
	bool found = false, lost = false;
	enum hk_rc rc;

	if (!hk_case_in_scope(req, &c) || !(body = hk_req_json_object(req, fields)))
		return;
	validity = json_string_value(json_object_get(body, "validity"));
	if (!hk_one_of(validity, validities)) {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang, "validity 须为 valid、invalid 或 unverified",
				     "validity must be valid, invalid or unverified"));
		return;
	}
	snprintf(value, sizeof(value), "%s", validity);
	json_decref(body);
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->contact_set_validity(s, c.debtor_ref, req->params[1],
					       value, &found, &lost, &err)) ==
		    HK_OK &&
	    found) {
		snprintf(target, sizeof(target), "case:%lld/contact:%.64s",
			 (long long)c.ref, req->params[1]);
		rc = hk_audit_commit(req, "contact.validity", target,
			 json_pack("{s:s}", "validity", value), &err);
	}
	if (rc != HK_OK || !found) {
		s->ops->rollback(s);
		if (rc == HK_OK)
			hk_reply_error(req, HK_ENOTFOUND, 404,
				       HK_TR(req->lang, "该债务人没有这个联系人",
					     "the debtor has no such contact"));
		else
			hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200,
		 json_pack("{s:s, s:s, s:b}", "contact_id", req->params[1],
			   "validity", value, "lost_contact", lost));
}
