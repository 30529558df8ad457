/*
 * letters.c - letters, templates and messages over HTTP (docs/letters.md):
 * template versions (list, read, draft, edit, publish, preview), a case's
 * letters (write one, list, fetch its file), batches (start one: it runs
 * in a process of its own; follow it; fetch its print file and manifest),
 * a case's messages (send one through the outbox, list), the outbox, the
 * channel's delivery receipts, and the day's treatments' messages.
 *
 * Files come back inside JSON (base64), checked against their recorded
 * SHA-256 first: /api answers nothing but JSON, and a letter altered on
 * disk is refused, not served.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "hk/letters.h"
#include "hk/pdf.h"
#include "http_int.h"

#define TR(zh, en) HK_TR(req->lang, zh, en)

/* ---- files inside JSON ---------------------------------------------- */

void hk_reply_stored_file(struct hk_req *req, const char *path,
			  const char *name, const char *sha, int64_t size)
{
	unsigned char sum[crypto_hash_sha256_BYTES];
	char got[65], *b64;
	unsigned char *data;
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f) {
		hk_reply_error(req, HK_EIO, 500,
			       TR("文件缺失", "the file is missing"));
		return;
	}
	data = hk_malloc((size_t)size + 1);
	/* one byte more than recorded: a longer file is altered too */
	n = fread(data, 1, (size_t)size + 1, f);
	fclose(f);
	crypto_hash_sha256(sum, data, n);
	sodium_bin2hex(got, sizeof(got), sum, sizeof(sum));
	if (n != (size_t)size || strcmp(got, sha)) {
		free(data);
		hk_reply_error(req, HK_EIO, 500,
			       TR("文件已被改动，与登记的 SHA-256 不符",
				  "the file was altered: its SHA-256 does not match"));
		return;
	}
	b64 = hk_malloc(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL));
	sodium_bin2base64(b64, sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL),
			  data, n, sodium_base64_VARIANT_ORIGINAL);
	hk_reply(req, 200,
		 json_pack("{s:s, s:s, s:I, s:s}", "name", name, "sha256", sha,
			   "size", (json_int_t)size, "content_base64", b64));
	free(b64);
	free(data);
}

static int64_t param_ref(struct hk_req *req, int i)
{
	char *end;
	long long v = strtoll(req->params[i], &end, 10);

	return *end || v <= 0 ? 0 : v;
}

static void date_text(int32_t d, char out[HK_DATE_BUFSZ])
{
	if (d == HK_DATE_NONE)
		out[0] = '\0';
	else
		hk_date_format(d, out);
}

/* ---- templates -------------------------------------------------------- */

static json_t *id_or_null(int64_t ref)
{
	return ref ? json_integer(ref) : json_null();
}

static json_t *template_json(const struct hk_template_rec *t, bool whole)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:i, s:s, s:s, s:s, s:i, s:s}",
			      "id", (json_int_t)t->ref, "code", t->code,
			      "channel", t->channel, "version", t->version,
			      "name", t->name, "audience", t->audience, "kind",
			      t->kind, "days_to_pay", t->days_to_pay, "status",
			      t->status);

	/* who wrote it and when (a shipped one: nobody, at `huikuan init`) */
	json_object_set_new(o, "created_by", id_or_null(t->created_by));
	json_object_set_new(o, "created_at",
			    t->created_at ? json_integer(t->created_at)
					  : json_null());
	json_object_set_new(o, "published_by", id_or_null(t->published_by));
	json_object_set_new(o, "published_at",
			    t->published_at ? json_integer(t->published_at)
					    : json_null());
	if (whole) {
		json_object_set_new(o, "subject", json_string(t->subject ? t->subject : ""));
		json_object_set_new(o, "body", json_string(t->body ? t->body : ""));
	}
	return o;
}

/* Agency collectors see published versions only: what they may write
 * and send from, not the firm's drafts. */
static bool sees_drafts(const struct hk_req *req)
{
	return !(req->user.role & HK_ROLE_AGENCY_COLLECTOR);
}

/* The authors' names (created_by_name) on templates listed in `list`, each
 * user read once; false when the store failed. */
#define MAX_AUTHORS 64
static bool name_authors(struct hk_req *req, json_t *list)
{
	struct {
		int64_t ref;
		json_t *name;
	} seen[MAX_AUTHORS];
	size_t n_seen = 0, i;
	json_t *t;

	json_array_foreach(list, i, t) {
		int64_t ref = json_integer_value(json_object_get(t, "created_by"));
		json_t *name = NULL;
		size_t k;

		for (k = 0; ref && k < n_seen && !name; k++)
			if (seen[k].ref == ref)
				name = seen[k].name;
		if (ref && !name) {
			struct hk_user u = {0};
			struct hk_err err = {0};
			bool found = false;

			if (req->store->ops->user_get(req->store, NULL, ref, &u,
						      &found, &err) != HK_OK)
				return false;
			name = found ? json_string(u.display_name) : json_null();
			if (n_seen < MAX_AUTHORS) {
				seen[n_seen].ref = ref;
				seen[n_seen++].name = name;
			} else {
				json_object_set_new(t, "created_by_name", name);
				continue;
			}
		}
		json_object_set(t, "created_by_name", name ? name : json_null());
	}
	for (i = 0; i < n_seen; i++)
		json_decref(seen[i].name);
	return true;
}

struct template_list {
	json_t *list;
	bool drafts;
};

static int add_template(void *ctx, const struct hk_template_rec *t)
{
	struct template_list *tl = ctx;

	if (tl->drafts || !strcmp(t->status, "published"))
		json_array_append_new(tl->list, template_json(t, false));
	return 0;
}

void hk_h_templates_list(struct hk_req *req)
{
	struct hk_err err = {0};
	struct template_list tl = {.list = json_array(),
				   .drafts = sees_drafts(req)};

	if (req->store->ops->templates_scan(req->store, add_template, &tl,
					    &err) != HK_OK ||
	    !name_authors(req, tl.list)) {
		json_decref(tl.list);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:o}", "templates", tl.list));
}

/* The template named by {id}, whole (the caller clears it); false once it
 * has answered. */
static bool template_of(struct hk_req *req, struct hk_template_rec *t)
{
	struct hk_err err = {0};
	bool found = false;
	int64_t ref = param_ref(req, 0);

	if (ref && req->store->ops->template_get(req->store, ref, NULL, NULL, t,
						 &found, &err) != HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return false;
	}
	if (found && !sees_drafts(req) && strcmp(t->status, "published")) {
		hk_template_rec_clear(t);
		found = false;
	}
	if (!found) {
		hk_reply_error(req, HK_ENOTFOUND, 404,
			       TR("没有这个模板", "no such template"));
		return false;
	}
	return true;
}

void hk_h_template_get(struct hk_req *req)
{
	struct hk_template_rec t = {0};

	json_t *one;

	if (!template_of(req, &t))
		return;
	one = json_pack("[o]", template_json(&t, true));
	hk_template_rec_clear(&t);
	if (!name_authors(req, one)) {
		json_decref(one);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200, json_incref(json_array_get(one, 0)));
	json_decref(one);
}

/* A template's fields from the body into t (texts point into body);
 * false once it has answered. */
static bool template_fields(struct hk_req *req, json_t *body,
			    struct hk_template_rec *t, bool with_key)
{
	const char *v;
	json_t *days = json_object_get(body, "days_to_pay");

	if (with_key) {
		v = json_string_value(json_object_get(body, "code"));
		snprintf(t->code, sizeof(t->code), "%s", v ? v : "");
		v = json_string_value(json_object_get(body, "channel"));
		snprintf(t->channel, sizeof(t->channel), "%s", v ? v : "");
	}
	v = json_string_value(json_object_get(body, "name"));
	snprintf(t->name, sizeof(t->name), "%s", v ? v : "");
	v = json_string_value(json_object_get(body, "audience"));
	snprintf(t->audience, sizeof(t->audience), "%s", v ? v : "debtor");
	v = json_string_value(json_object_get(body, "kind"));
	snprintf(t->kind, sizeof(t->kind), "%s", v ? v : "");
	t->days_to_pay = days ? (int)json_integer_value(days) : 7;
	if (days && !json_is_integer(days))
		t->days_to_pay = -1;
	t->subject = (char *)json_string_value(json_object_get(body, "subject"));
	t->body = (char *)json_string_value(json_object_get(body, "body"));
	if (!t->body) {
		hk_reply_error(req, HK_EINVAL, 400, TR("需要 body（模板正文）",
						      "body (the template's text) is needed"));
		return false;
	}
	return true;
}

/* Answer the rules' problems: 400 with one a line and as a list. */
static void reply_problems(struct hk_req *req, const struct hk_err *err)
{
	json_t *list = json_array();
	char buf[sizeof(err->msg)], *save = NULL;

	/* strtok_r: the server answers on several threads at once */
	snprintf(buf, sizeof(buf), "%s", err->msg);
	for (char *line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		json_array_append_new(list, json_string(line));
	hk_reply_error(req, HK_EINVAL, 400, err->msg);
	json_object_set_new(req->json, "problems", list);
}

void hk_h_template_create(struct hk_req *req)
{
	static const char *const fields[] = {"code", "channel", "name", "audience",
					     "kind", "days_to_pay", "subject",
					     "body", NULL};
	struct hk_store *s = req->store;
	struct hk_template_rec t = {0};
	struct hk_err err = {0};
	char target[96];
	json_t *body;
	enum hk_rc rc;

	if (!(body = hk_req_json_object(req, fields)))
		return;
	if (!template_fields(req, body, &t, true)) {
		json_decref(body);
		return;
	}
	if (hk_template_check(&t, req->lang, &err) != HK_OK) {
		reply_problems(req, &err);
		json_decref(body);
		return;
	}
	t.created_by = req->user.ref;
	t.created_at = (int64_t)time(NULL);
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->template_insert(s, &t, &err)) == HK_OK) {
		snprintf(target, sizeof(target), "template:%lld", (long long)t.ref);
		rc = hk_audit_commit(req, "template.draft", target,
				     json_pack("{s:s, s:s, s:i}", "code", t.code,
					       "channel", t.channel, "version",
					       t.version), &err);
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, HK_EDB, 503, NULL);
	} else {
		snprintf(t.status, sizeof(t.status), "draft");
		hk_reply(req, 201, template_json(&t, true));
	}
	json_decref(body);
}

void hk_h_template_update(struct hk_req *req)
{
	static const char *const fields[] = {"name", "audience", "kind",
					     "days_to_pay", "subject", "body",
					     NULL};
	struct hk_store *s = req->store;
	struct hk_template_rec cur = {0}, t;
	struct hk_err err = {0};
	char target[96];
	json_t *body;
	enum hk_rc rc;

	if (!template_of(req, &cur))
		return;
	if (!(body = hk_req_json_object(req, fields))) {
		hk_template_rec_clear(&cur);
		return;
	}
	t = cur;
	t.subject = t.body = NULL;
	if (!template_fields(req, body, &t, false))
		goto out;
	if (hk_template_check(&t, req->lang, &err) != HK_OK) {
		reply_problems(req, &err);
		goto out;
	}
	snprintf(target, sizeof(target), "template:%lld", (long long)t.ref);
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->template_update(s, &t, &err)) == HK_OK)
		rc = hk_audit_commit(req, "template.edit", target, NULL, &err);
	if (rc != HK_OK) {
		s->ops->rollback(s);
		if (rc == HK_EREFUSED)
			hk_reply_error(req, rc, 409, err.msg);
		else
			hk_reply_error(req, HK_EDB, 503, NULL);
	} else {
		hk_reply(req, 200, template_json(&t, true));
	}
out:
	json_decref(body);
	hk_template_rec_clear(&cur);
}

void hk_h_template_publish(struct hk_req *req)
{
	struct hk_store *s = req->store;
	struct hk_template_rec t = {0};
	struct hk_err err = {0};
	char target[96];
	enum hk_rc rc;

	if (!template_of(req, &t))
		return;
	/* the rules again: a draft saved under older rules must pass today's */
	if (hk_template_check(&t, req->lang, &err) != HK_OK) {
		reply_problems(req, &err);
		hk_template_rec_clear(&t);
		return;
	}
	snprintf(target, sizeof(target), "template:%lld", (long long)t.ref);
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->template_publish(s, t.ref, req->user.ref,
					   (int64_t)time(NULL), &err)) == HK_OK)
		rc = hk_audit_commit(req, "template.publish", target,
				     json_pack("{s:s, s:s, s:i}", "code", t.code,
					       "channel", t.channel, "version",
					       t.version), &err);
	if (rc != HK_OK) {
		s->ops->rollback(s);
		if (rc == HK_EREFUSED)
			hk_reply_error(req, rc, 409, err.msg);
		else
			hk_reply_error(req, HK_EDB, 503, NULL);
	} else {
		snprintf(t.status, sizeof(t.status), "published");
		hk_reply(req, 200, template_json(&t, false));
	}
	hk_template_rec_clear(&t);
}

/* Today in the debtors' zone. */
static int32_t today_of(void)
{
	return hk_today();
}

void hk_h_template_preview(struct hk_req *req)
{
	static const char *const fields[] = {"case_id", "contact_id", NULL};
	struct hk_store *s = req->store;
	struct hk_template_rec t = {0};
	struct hk_letter_job job = {.tmpl = &t, .serial = "样张"};
	struct hk_scope scope;
	struct hk_case_rec c;
	struct hk_err err = {0};
	json_t *body;
	char *text = NULL, *subject = NULL;
	bool found = false;
	enum hk_rc rc;

	if (!template_of(req, &t))
		return;
	if (!(body = hk_req_json_object(req, fields)))
		goto out;
	job.case_ref = json_integer_value(json_object_get(body, "case_id"));
	job.contact_id = json_string_value(json_object_get(body, "contact_id"));
	hk_scope_of(&req->user, &scope);
	if (!job.case_ref ||
	    (rc = s->ops->case_get(s, job.case_ref, &scope, &c, &found, &err)) !=
		    HK_OK ||
	    !found) {
		hk_reply_error(req, HK_ENOTFOUND, 404,
			       TR("需要 case_id（您可查看的案件）",
				  "case_id (a case you may see) is needed"));
		goto out;
	}
	if ((rc = hk_store_meta_date(s, HK_META_LAST_EOD, &job.as_of, &err)) !=
	    HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		goto out;
	}
	job.today = today_of();
	if (job.as_of == HK_DATE_NONE)
		job.as_of = job.today;
	rc = hk_letter_render(s, req->cfg, &job, &text, &subject, NULL,
			      req->lang, &err);
	if (rc != HK_OK) {
		hk_reply_error(req, rc, rc == HK_EDB ? 503 : 0, err.msg);
		goto out;
	}
	if (strcmp(t.channel, "letter")) {
		hk_reply(req, 200,
			 json_pack("{s:s, s:s, s:s}", "channel", t.channel,
				   "subject", subject ? subject : "", "text", text));
	} else {
		/* a letter: drawn to a file of its own, sent, removed */
		struct hk_letter_style st;
		struct hk_pdf *pdf = NULL;
		char path[4200];
		struct stat sb;
		unsigned char sum[crypto_hash_sha256_BYTES];
		char sha[65];
		unsigned char *data;
		FILE *f;
		int fd, pages = 0;

		snprintf(path, sizeof(path), "%s.preview.XXXXXX", req->files_dir);
		if ((fd = mkstemp(path)) < 0) {
			hk_reply_error(req, HK_EIO, 500, NULL);
			goto out;
		}
		close(fd);
		hk_letter_style_default(&st);
		snprintf(st.org, sizeof(st.org), "%s", req->cfg->letters.org);
		snprintf(st.org_line, sizeof(st.org_line), "%s",
			 req->cfg->letters.org_line);
		if (hk_pdf_open(path, &pdf, req->lang, &err) != HK_OK ||
		    hk_pdf_letter(NULL, &pdf, 1, &st, text, strlen(text), &pages,
				  req->lang, &err) != HK_OK) {
			hk_pdf_close(pdf, &err);
			unlink(path);
			hk_reply_error(req, HK_EIO, 500, err.msg);
			goto out;
		}
		hk_pdf_close(pdf, &err);
		if (stat(path, &sb) != 0 || !(f = fopen(path, "rb"))) {
			unlink(path);
			hk_reply_error(req, HK_EIO, 500, NULL);
			goto out;
		}
		data = hk_malloc((size_t)sb.st_size + 1);
		sb.st_size = (off_t)fread(data, 1, (size_t)sb.st_size, f);
		fclose(f);
		unlink(path);
		crypto_hash_sha256(sum, data, (size_t)sb.st_size);
		sodium_bin2hex(sha, sizeof(sha), sum, sizeof(sum));
		{
			size_t cap = sodium_base64_ENCODED_LEN((size_t)sb.st_size,
							       sodium_base64_VARIANT_ORIGINAL);
			char *b64 = hk_malloc(cap);

			sodium_bin2base64(b64, cap, data, (size_t)sb.st_size,
					  sodium_base64_VARIANT_ORIGINAL);
			hk_reply(req, 200,
				 json_pack("{s:s, s:i, s:s, s:s, s:s}", "channel",
					   "letter", "pages", pages, "name",
					   "preview.pdf", "sha256", sha,
					   "content_base64", b64));
			free(b64);
		}
		free(data);
	}
out:
	json_decref(body);
	free(text);
	free(subject);
	hk_template_rec_clear(&t);
}

/* ---- a case's letters ------------------------------------------------- */

static json_t *letter_json(const struct hk_letter_rec *l)
{
	char as_of[HK_DATE_BUFSZ], owed[HK_MONEY_BUFSZ];

	date_text(l->as_of, as_of);
	hk_money_format(l->total_owed, owed);
	return json_pack("{s:I, s:s, s:I, s:s, s:i, s:s, s:s, s:i, s:s, s:I, s:I, s:o}",
			 "id", (json_int_t)l->ref, "serial", l->serial,
			 "case_id", (json_int_t)l->case_ref, "template",
			 l->template_code, "template_version", l->template_version,
			 "as_of", as_of, "total_owed", owed, "pages", l->pages,
			 "sha256", l->sha256, "size", (json_int_t)l->size,
			 "created_at", (json_int_t)l->created_at, "batch_id",
			 l->batch_ref ? json_integer(l->batch_ref) : json_null());
}

static int add_letter(void *ctx, const struct hk_letter_rec *l)
{
	json_array_append_new(ctx, letter_json(l));
	return 0;
}

void hk_h_case_letters(struct hk_req *req)
{
	struct hk_case_rec c;
	struct hk_err err = {0};
	json_t *list;

	if (!hk_case_in_scope(req, &c))
		return;
	list = json_array();
	if (req->store->ops->letters_scan(req->store, c.ref, 0, add_letter, list,
					  &err) != HK_OK) {
		json_decref(list);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:o}", "letters", list));
}

void hk_h_case_letter_write(struct hk_req *req)
{
	struct hk_store *s = req->store;
	struct hk_case_rec c;
	struct hk_letter_rec l;
	struct hk_err err = {0};
	char code[65], target[96];
	enum hk_rc rc;

	if (!hk_case_in_scope(req, &c) ||
	    !hk_req_one_text(req, "template", code, sizeof(code),
			     "需要 template（信函模板代码）",
			     "template (a letter template's code) is needed"))
		return;
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = hk_letter_write(s, req->cfg, req->files_dir, c.ref, code,
				  req->user.ref, &l, req->lang, &err)) == HK_OK) {
		snprintf(target, sizeof(target), "case:%lld/letter:%lld",
			 (long long)c.ref, (long long)l.ref);
		rc = hk_audit_commit(req, "letter.write", target,
				     json_pack("{s:s, s:s, s:s}", "serial", l.serial,
					       "template", code, "sha256", l.sha256),
				     &err);
	}
	if (rc == HK_EREFUSED && !strncmp(err.field, "GR-", 3)) {
		/* a guardrail: 403 with its rule, audited, as every refusal */
		struct hk_guard_result g = {.rule = err.field};

		s->ops->rollback(s);
		snprintf(g.message, sizeof(g.message), "%.300s", err.msg);
		hk_guard_refuse(req, &c, &g);
		return;
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, rc, rc == HK_EDB ? 503 : rc == HK_ECONFIG ? 409 : 0,
			       rc == HK_EDB ? NULL : err.msg);
		return;
	}
	hk_reply(req, 201, letter_json(&l));
}

struct one_letter {
	struct hk_letter_rec l;
	bool found;
};

static int got_letter(void *ctx, const struct hk_letter_rec *l)
{
	struct one_letter *o = ctx;

	o->l = *l;
	o->found = true;
	return 1;
}

void hk_h_letter_file(struct hk_req *req)
{
	struct one_letter o = {0};
	struct hk_scope scope;
	struct hk_case_rec c;
	struct hk_err err = {0};
	char path[4200], name[64];
	bool found = false;
	int64_t ref = param_ref(req, 0);

	if (ref && req->store->ops->letters_scan(req->store, 0, ref, got_letter,
						 &o, &err) != HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	/* a letter is seen by whoever may see its case */
	hk_scope_of(&req->user, &scope);
	if (o.found && req->store->ops->case_get(req->store, o.l.case_ref, &scope,
						 &c, &found, &err) != HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	if (!o.found || !found) {
		hk_reply_error(req, HK_ENOTFOUND, 404,
			       TR("没有这封信函", "no such letter"));
		return;
	}
	hk_stored_path(req->files_dir, o.l.sha256, path, sizeof(path));
	snprintf(name, sizeof(name), "%s.pdf", o.l.serial);
	hk_reply_stored_file(req, path, name, o.l.sha256, o.l.size);
}

/* ---- batches ------------------------------------------------------------ */

static json_t *batch_json(const struct hk_batch_rec *b)
{
	char as_of[HK_DATE_BUFSZ];

	date_text(b->as_of, as_of);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:s, s:I, s:o}",
			 "id", (json_int_t)b->ref, "status", b->status, "source",
			 b->source, "template", b->template_code, "as_of", as_of,
			 "total", (json_int_t)b->total, "done", (json_int_t)b->done,
			 "skipped", (json_int_t)b->skipped, "print_sha256",
			 b->merged_sha256, "manifest_sha256", b->manifest_sha256,
			 "error", b->error, "created_at", (json_int_t)b->created_at,
			 "finished_at",
			 b->finished_at ? json_integer(b->finished_at) : json_null());
}

/* A team leader sees the batches they started: a batch's print file and
 * manifest carry every case of it, and the others' batches carry other
 * teams' debtors.  Administrators, managers and auditors see them all. */
static bool batch_visible(const struct hk_req *req, const struct hk_batch_rec *b)
{
	return !(req->user.role & HK_ROLE_TEAM_LEADER) ||
	       b->created_by == req->user.ref;
}

struct batch_list {
	const struct hk_req *req;
	json_t *list;
};

static int add_batch(void *ctx, const struct hk_batch_rec *b)
{
	struct batch_list *bl = ctx;

	if (batch_visible(bl->req, b))
		json_array_append_new(bl->list, batch_json(b));
	return 0;
}

void hk_h_batches_list(struct hk_req *req)
{
	struct hk_err err = {0};
	struct batch_list bl = {.req = req, .list = json_array()};

	if (req->store->ops->batches_scan(req->store, 0, add_batch, &bl, &err) !=
	    HK_OK) {
		json_decref(bl.list);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:o}", "batches", bl.list));
}

static int got_batch(void *ctx, const struct hk_batch_rec *b)
{
	*(struct hk_batch_rec *)ctx = *b;
	return 1;
}

static bool batch_of(struct hk_req *req, struct hk_batch_rec *b)
{
	struct hk_err err = {0};
	int64_t ref = param_ref(req, 0);

	memset(b, 0, sizeof(*b));
	if (ref && req->store->ops->batches_scan(req->store, ref, got_batch, b,
						 &err) != HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return false;
	}
	if (!b->ref || !batch_visible(req, b)) {
		hk_reply_error(req, HK_ENOTFOUND, 404, TR("没有这个批次", "no such batch"));
		return false;
	}
	return true;
}

void hk_h_batch_get(struct hk_req *req)
{
	struct hk_batch_rec b;

	if (batch_of(req, &b))
		hk_reply(req, 200, batch_json(&b));
}

/* The batch's run in a process of its own: `huikuan letters run N`,
 * detached (a second fork: nobody waits for it), with this server's
 * database and configuration.  The program is /proc/self/exe itself, not
 * the path the link names: once the binary has been rebuilt or upgraded
 * under a running server, the link reads "/…/huikuan (deleted)", a path
 * that does not exist, while exec through the link still finds the
 * running program.  (HUIKUAN_FAULT_SPAWN_EXE, for the tests, names
 * another program to run.)  false, with the reason in `why`, when it did
 * not start: the fork or the exec failed, which the new process reports
 * through a pipe that its exec closes. */
static bool spawn_run(int64_t batch, char *why, size_t cap)
{
	const struct hk_server_opts *o = hk_server_options();
	const char *exe = getenv("HUIKUAN_FAULT_SPAWN_EXE");
	const char *argv[12];
	char num[24];
	int k = 0, fds[2], child_errno = 0;
	ssize_t n;
	pid_t pid;

	if (!exe || !*exe)
		exe = "/proc/self/exe";
	snprintf(num, sizeof(num), "%lld", (long long)batch);
	argv[k++] = "huikuan";
	argv[k++] = "--db";
	argv[k++] = o->db_uri;
	if (o->config_path) {
		argv[k++] = "--config";
		argv[k++] = o->config_path;
	}
	argv[k++] = "letters";
	argv[k++] = "run";
	argv[k++] = num;
	argv[k] = NULL;
	if (pipe2(fds, O_CLOEXEC) != 0) {
		snprintf(why, cap, "%s", strerror(errno));
		return false;
	}
	pid = fork();
	if (pid == 0) {
		/* only async-signal-safe calls until exec: this process is a
		 * copy of a threaded one */
		pid_t run;
		int e;

		close(fds[0]);
		run = fork();
		if (run == 0) {
			sigset_t none;

			setsid();
			/* the server's threads block SIGTERM and SIGINT; the
			 * run must stop when told to */
			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
			execv(exe, (char *const *)argv);
			e = errno;
			(void)!write(fds[1], &e, sizeof(e));
			_exit(127);
		}
		if (run < 0) {
			e = errno;
			(void)!write(fds[1], &e, sizeof(e));
		}
		_exit(0);
	}
	close(fds[1]);
	if (pid < 0) {
		child_errno = errno;
	} else {
		waitpid(pid, NULL, 0);
		/* end of file: the exec closed the last copy of the pipe */
		do
			n = read(fds[0], &child_errno, sizeof(child_errno));
		while (n < 0 && errno == EINTR);
		if (n != (ssize_t)sizeof(child_errno))
			child_errno = 0;
	}
	close(fds[0]);
	if (child_errno) {
		snprintf(why, cap, "%s", strerror(child_errno));
		return false;
	}
	return true;
}

/* The most cases one batch takes, listed or filtered. */
#define BATCH_MAX 100000

void hk_h_batch_create(struct hk_req *req)
{
	static const char *const fields[] = {"template", "case_ids", "filter",
					     NULL};
	struct hk_store *s = req->store;
	struct hk_batch_rec b;
	struct hk_err err = {0};
	json_t *body, *ids, *filter;
	const char *code;
	int64_t *refs = NULL;
	size_t n = 0;
	char target[64], why[128];
	struct hk_scope scope;
	enum hk_rc rc;

	if (!(body = hk_req_json_object(req, fields)))
		return;
	code = json_string_value(json_object_get(body, "template"));
	ids = json_object_get(body, "case_ids");
	filter = json_object_get(body, "filter");
	if ((ids && (!json_is_array(ids) || !json_array_size(ids) || !code ||
		     json_array_size(ids) > BATCH_MAX)) ||
	    (filter && (!code || ids))) {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400,
			       TR("case_ids 须为案件号列表，filter 须为案件列表的筛选条件，二者择一，并同时给出 template",
				  "case_ids (a list of case ids) or filter (the case list's filters), one of them, with a template"));
		return;
	}
	/* the case list's filters, as the caller sees the list */
	if (filter && !hk_cases_matching(req, filter, BATCH_MAX, &refs, &n)) {
		json_decref(body);
		return;
	}
	if (filter && !n) {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400,
			       TR("筛选条件没有选出案件", "the filter selects no case"));
		return;
	}
	if (ids) {
		size_t i;
		json_t *v;

		refs = hk_calloc(json_array_size(ids), sizeof(*refs));
		json_array_foreach(ids, i, v) {
			if (!json_is_integer(v) || json_integer_value(v) <= 0) {
				free(refs);
				json_decref(body);
				hk_reply_error(req, HK_EINVAL, 400,
					       TR("case_ids 须为正整数", "case_ids are positive integers"));
				return;
			}
			refs[n++] = json_integer_value(v);
		}
	}
	hk_scope_of(&req->user, &scope);
	rc = hk_batch_create(s, req->cfg, &scope, refs, n, code, req->user.ref,
			     &b, req->lang, &err);
	free(refs);
	if (rc != HK_OK) {
		json_decref(body);
		hk_reply_error(req, rc, rc == HK_EDB ? 503 : 0,
			       rc == HK_EDB ? NULL : err.msg);
		return;
	}
	snprintf(target, sizeof(target), "batch:%lld", (long long)b.ref);
	/* the audit keeps the filter that chose the cases */
	if (s->ops->begin(s, &err) != HK_OK ||
	    hk_audit_commit(req, "letters.batch", target,
			    json_pack("{s:I, s:O*}", "letters", (json_int_t)b.total,
				      "filter", filter),
			    &err) != HK_OK) {
		json_decref(body);
		s->ops->rollback(s);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	json_decref(body);
	if (!spawn_run(b.ref, why, sizeof(why))) {
		/* failed, saying why, rather than queued for ever with nobody
		 * to run it (huikuan letters run N still writes it) */
		snprintf(b.status, sizeof(b.status), "failed");
		snprintf(b.error, sizeof(b.error), "%s%.160s",
			 TR("无法启动批次进程：", "could not start the batch's process: "),
			 why);
		b.finished_at = (int64_t)time(NULL);
		if (s->ops->begin(s, &err) != HK_OK ||
		    s->ops->batch_update(s, &b, &err) != HK_OK ||
		    s->ops->commit(s, &err) != HK_OK)
			s->ops->rollback(s);
		hk_reply_error(req, HK_EIO, 500,
			       TR("无法启动批次（可用 huikuan letters run 继续）",
				  "could not start the batch (huikuan letters run finishes it)"));
		json_object_set_new(req->json, "batch", batch_json(&b));
		return;
	}
	hk_reply(req, 202, batch_json(&b));
}

void hk_h_batch_file(struct hk_req *req)
{
	struct hk_batch_rec b;
	const char *which = hk_req_query(req, "file");
	char path[4200], name[64];
	struct stat st;
	bool print = !which || !strcmp(which, "print");

	if (!batch_of(req, &b))
		return;
	if (which && strcmp(which, "print") && strcmp(which, "manifest")) {
		hk_reply_error(req, HK_EINVAL, 400,
			       TR("file 须为 print 或 manifest", "file is print or manifest"));
		return;
	}
	if (strcmp(b.status, "done")) {
		hk_reply_error(req, HK_EREFUSED, 409,
			       TR("批次尚未完成", "the batch is not done"));
		return;
	}
	snprintf(path, sizeof(path), "%s/batches/%lld/%s", req->files_dir,
		 (long long)b.ref, print ? "print.pdf" : "manifest.csv");
	/* a run after a crash writes print-2.pdf, print-3.pdf... and records
	 * the newest one's SHA-256: that is the batch's print file (print.pdf
	 * may not even exist, the crashed run never having joined it) */
	for (int n = 2; print && n < 10000; n++) {
		char next[4200];

		snprintf(next, sizeof(next), "%s/batches/%lld/print-%d.pdf",
			 req->files_dir, (long long)b.ref, n);
		if (stat(next, &st) != 0)
			break;
		snprintf(path, sizeof(path), "%s", next);
	}
	snprintf(name, sizeof(name), "batch-%lld-%s", (long long)b.ref,
		 print ? "print.pdf" : "manifest.csv");
	if (stat(path, &st) != 0) {
		hk_reply_error(req, HK_EIO, 500, TR("文件缺失", "the file is missing"));
		return;
	}
	hk_reply_stored_file(req, path, name,
			     print ? b.merged_sha256 : b.manifest_sha256,
			     (int64_t)st.st_size);
}

/* ---- messages ----------------------------------------------------------- */

/* A message's recipient as the API shows it (http/README.md, personal
 * data): a phone number masked as every number leaves (138****5678); an
 * email address its local part's first character and "***" before the
 * domain (d***@example.cn).  No role lists them whole: the audited
 * POST /api/cases/{id}/reveal gives a number. */
#define RECIPIENT_BUFSZ HK_RECIPIENT_BUFSZ
void hk_mask_recipient(const char *channel, const char *addr, char *out)
{
	const char *at = strrchr(addr, '@');

	if (!addr[0] || strlen(addr) >= RECIPIENT_BUFSZ) {
		out[0] = '\0';
	} else if (strcmp(channel, "email")) {
		hk_mask_phone(addr, out);
	} else if (at && at > addr) {
		/* the first character whole, UTF-8 continuation bytes too */
		size_t first = 1;

		while (addr + first < at && ((unsigned char)addr[first] & 0xC0) == 0x80)
			first++;
		snprintf(out, RECIPIENT_BUFSZ, "%.*s***%s", (int)first, addr, at);
	} else {
		snprintf(out, RECIPIENT_BUFSZ, "***");
	}
}

/* `text` with every occurrence of `addr` written as `masked`: a gateway's
 * or mail server's answer may quote the number or address it refused. */
void hk_mask_within(const char *text, const char *addr, const char *masked,
		    char *out, size_t cap)
{
	size_t len = 0, n = strlen(addr);
	const char *p = text, *hit;

	out[0] = '\0';
	while (n && (hit = strstr(p, addr)) && len < cap) {
		len += (size_t)snprintf(out + len, cap - len, "%.*s%s",
					(int)(hit - p), p, masked);
		p = hit + n;
	}
	if (len < cap)
		snprintf(out + len, cap - len, "%s", p);
}

static json_t *message_json(const struct hk_outbox_rec *m)
{
	char to[RECIPIENT_BUFSZ], error[sizeof(m->last_error) + RECIPIENT_BUFSZ];

	hk_mask_recipient(m->channel, m->to_addr, to);
	hk_mask_within(m->last_error, m->to_addr, to, error, sizeof(error));
	return json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:s, s:s, s:I, s:o, s:o}",
			 "id", (json_int_t)m->ref, "msg_id", m->msg_id, "case_id",
			 (json_int_t)m->case_ref, "contact_id", m->contact_id,
			 "channel", m->channel, "to", to, "subject",
			 m->subject ? m->subject : "", "body", m->body ? m->body : "",
			 "status", m->status, "attempts", m->attempts, "next_at",
			 (json_int_t)m->next_at, "rule", m->rule, "last_error",
			 error, "created_at", (json_int_t)m->created_at,
			 "sent_at", m->sent_at ? json_integer(m->sent_at) : json_null(),
			 "delivered_at",
			 m->delivered_at ? json_integer(m->delivered_at) : json_null());
}

/* A page of messages: `limit` of them; one more read tells whether a
 * next page exists. */
struct message_page {
	json_t *list;
	int limit, n;
	int64_t last;
	bool more;
};

static int add_message(void *ctx, const struct hk_outbox_rec *m)
{
	struct message_page *pg = ctx;

	if (pg->n == pg->limit) {
		pg->more = true;
		return 1;
	}
	json_array_append_new(pg->list, message_json(m));
	pg->n++;
	pg->last = m->ref;
	return 0;
}

/* The keyset page the query asks for: before (the next_before of the page
 * before: messages older than that id) and limit (1-500, `dflt`); false
 * once it has answered 400. */
static bool page_of(struct hk_req *req, int dflt, int64_t *before, int *limit)
{
	const char *b = hk_req_query(req, "before");
	const char *l = hk_req_query(req, "limit");
	char *end;
	long long v;

	*before = 0;
	*limit = dflt;
	if (b) {
		errno = 0;
		v = strtoll(b, &end, 10);
		if (!*b || *end || errno || v <= 0)
			goto bad;
		*before = v;
	}
	if (l) {
		errno = 0;
		v = strtoll(l, &end, 10);
		if (!*l || *end || errno || v < 1 || v > 500)
			goto bad;
		*limit = (int)v;
	}
	return true;
bad:
	hk_reply_error(req, HK_EINVAL, 400,
		       TR("before 须为上一页返回的 next_before，limit 为 1–500",
			  "before is the next_before of the page before, limit 1-500"));
	return false;
}

/* Answer a page read by outbox_scan: {messages, next_before}. */
static void reply_page(struct hk_req *req, int64_t case_ref,
		       const char *status, int64_t before, int limit)
{
	struct hk_err err = {0};
	struct message_page pg = {.list = json_array(), .limit = limit};
	struct hk_scope scope;

	/* a team leader's outbox: the team's cases' messages (their texts
	 * name debtors and amounts) */
	hk_scope_of(&req->user, &scope);
	if (req->store->ops->outbox_scan(req->store, case_ref,
					 scope.all ? 0 : scope.team_ref, status,
					 before, limit + 1, add_message, &pg,
					 &err) != HK_OK) {
		json_decref(pg.list);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200,
		 json_pack("{s:o, s:o}", "messages", pg.list, "next_before",
			   pg.more ? json_integer(pg.last) : json_null()));
}

void hk_h_case_messages(struct hk_req *req)
{
	struct hk_case_rec c;
	int64_t before;
	int limit;

	/* (200: as many as the case page showed before pages) */
	if (!hk_case_in_scope(req, &c) || !page_of(req, 200, &before, &limit))
		return;
	reply_page(req, c.ref, NULL, before, limit);
}

void hk_h_case_message_send(struct hk_req *req)
{
	static const char *const fields[] = {"template", "channel", "contact_id",
					     NULL};
	struct hk_store *s = req->store;
	struct hk_case_rec c;
	struct hk_outbox_rec m;
	struct hk_err err = {0};
	json_t *body;
	const char *code, *channel, *contact;
	char target[96];
	bool refused = false;
	enum hk_rc rc;

	if (!hk_case_in_scope(req, &c) || !(body = hk_req_json_object(req, fields)))
		return;
	code = json_string_value(json_object_get(body, "template"));
	channel = json_string_value(json_object_get(body, "channel"));
	contact = json_string_value(json_object_get(body, "contact_id"));
	if (!code || !channel) {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400,
			       TR("需要 template 和 channel（sms 或 email），contact_id 可选",
				  "template and channel (sms or email) are needed; contact_id is optional"));
		return;
	}
	memset(&m, 0, sizeof(m));
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = hk_message_queue(s, req->cfg, c.ref, code, channel, contact,
				   req->user.ref, (int64_t)time(NULL), &m,
				   &refused, req->lang, &err)) == HK_OK) {
		snprintf(target, sizeof(target), "case:%lld/message:%lld",
			 (long long)c.ref, (long long)m.ref);
		rc = hk_audit_commit(req, refused ? "guard.refused" : "message.queue",
				     target,
				     refused ? json_pack("{s:s}", "rule", m.rule)
					     : json_pack("{s:s, s:s}", "template", code,
							 "channel", channel),
				     &err);
	}
	json_decref(body);
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, rc, rc == HK_EDB ? 503 : 0,
			       rc == HK_EDB ? NULL : err.msg);
	} else if (refused) {
		hk_reply_error(req, HK_EREFUSED, 403, m.last_error);
		json_object_set_new(req->json, "rule", json_string(m.rule));
	} else {
		hk_reply(req, 201, message_json(&m));
	}
	hk_outbox_rec_clear(&m);
}

void hk_h_outbox_list(struct hk_req *req)
{
	static const char *const statuses[] = {"queued", "sending", "sent",
					       "delivered", "undelivered",
					       "failed", "refused", "cancelled",
					       NULL};
	const char *status = hk_req_query(req, "status");
	int64_t before;
	int limit;

	if (status && !hk_one_of(status, statuses)) {
		hk_reply_error(req, HK_EINVAL, 400,
			       TR("status 须为消息状态之一，limit 为 1–500",
				  "status is a message status, limit 1-500"));
		return;
	}
	if (!page_of(req, 100, &before, &limit))
		return;
	reply_page(req, 0, status, before, limit);
}

void hk_h_outbox_receipt(struct hk_req *req)
{
	static const char *const statuses[] = {"delivered", "undelivered", NULL};
	static const char *const fields[] = {"id", "status", "at", NULL};
	const struct hk_sms_config *sms = &req->cfg->sms;
	const char *ts = hk_req_header(req, "X-Huikuan-Timestamp");
	const char *sig = hk_req_header(req, "X-Huikuan-Signature");
	struct hk_store *s = req->store;
	struct hk_err err = {0};
	json_t *body;
	const char *id, *status;
	char want[65];
	bool found = false, dup = false;
	long long t;
	enum hk_rc rc;

	/* the gateway signs what it tells us as we sign what we send it; a
	 * receipt older than 10 minutes is a replay */
	t = ts ? strtoll(ts, NULL, 10) : 0;
	if (!sms->secret[0] || !ts || !sig) {
		hk_reply_error(req, HK_EREFUSED, 401, TR("需要签名", "a signature is needed"));
		return;
	}
	hk_sms_signature(sms->secret, t, req->body ? req->body : "",
			 req->body_len, want);
	if (strlen(sig) != 64 || sodium_memcmp(want, sig, 64) != 0 ||
	    llabs((long long)time(NULL) - t) > 600) {
		hk_reply_error(req, HK_EREFUSED, 401, TR("签名无效", "bad signature"));
		return;
	}
	if (!(body = hk_req_json_object(req, fields)))
		return;
	id = json_string_value(json_object_get(body, "id"));
	status = json_string_value(json_object_get(body, "status"));
	if (!id || !hk_one_of(status, statuses)) {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400,
			       TR("需要 id 和 status（delivered 或 undelivered）",
				  "id and status (delivered or undelivered) are needed"));
		return;
	}
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->outbox_receipt(s, id, status, (int64_t)time(NULL),
					 &found, &dup, &err)) == HK_OK)
		rc = s->ops->commit(s, &err);
	json_decref(body);
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, HK_EDB, 503, NULL);
	} else if (!found) {
		hk_reply_error(req, HK_ENOTFOUND, 404, TR("没有这条消息", "no such message"));
	} else {
		hk_reply(req, 200, json_pack("{s:b}", "duplicate", dup));
	}
}

void hk_h_messages_from_treatments(struct hk_req *req)
{
	struct hk_err err = {0};
	int queued = 0, refused = 0;
	enum hk_rc rc = hk_messages_from_treatments(req->store, req->cfg,
						    (int64_t)time(NULL), &queued,
						    &refused, req->lang, &err);

	if (rc != HK_OK) {
		hk_reply_error(req, rc, rc == HK_EDB ? 503 : 0,
			       rc == HK_EDB ? NULL : err.msg);
		return;
	}
	if (req->store->ops->begin(req->store, &err) != HK_OK ||
	    hk_audit_commit(req, "messages.from_treatments", "outbox",
			    json_pack("{s:i, s:i}", "queued", queued, "refused",
				      refused), &err) != HK_OK) {
		req->store->ops->rollback(req->store);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:i, s:i}", "queued", queued, "refused",
				     refused));
}
