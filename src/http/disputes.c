/*
 * disputes.c - disputes (异议) with evidence files.  Opening one pauses
 * outbound collection on the case (records.c refuses it) until a team
 * leader or above resolves it.  Evidence arrives as base64 in the JSON
 * body, is stored beside the database named by its SHA-256 (written before
 * the transaction: content-addressed, so a failed request leaves only an
 * orphan file, never a wrong one), and is served back only to users whose
 * scope holds the case, checked against its hash on the way out.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http_int.h"

#define MAX_FILES 10

static void hex_sha256(const unsigned char *data, size_t len, char out[65])
{
	unsigned char d[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(d, data, len);
	sodium_bin2hex(out, 65, d, sizeof(d));
}

static bool store_file(const char *dir, const char *sha,
		       const unsigned char *data, size_t len)
{
	char path[4096], tmp[4200];
	int fd;
	bool ok;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return false;
	snprintf(path, sizeof(path), "%s/%s", dir, sha);
	if (access(path, F_OK) == 0)
		return true; /* same content already kept */
	/* a name of its own: two requests may keep the same file at once */
	snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return false;
	ok = write(fd, data, len) == (ssize_t)len && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (ok)
		ok = rename(tmp, path) == 0;
	if (!ok)
		unlink(tmp);
	return ok;
}

void hk_h_dispute_open(struct hk_req *req)
{
	static const char *const fields[] = {"reason", "files", NULL};
	struct hk_store *s = req->store;
	struct hk_case_rec c;
	struct hk_err err = {0};
	json_t *body, *files, *f;
	const char *reason;
	char names[MAX_FILES][129], shas[MAX_FILES][65], target[32];
	int64_t sizes[MAX_FILES], ref = 0, open_ref = 0;
	size_t n = 0, i;
	enum hk_rc rc;

	if (!hk_case_in_scope(req, &c) || !(body = hk_req_json_object(req, fields)))
		return;
	reason = json_string_value(json_object_get(body, "reason"));
	files = json_object_get(body, "files");
	if (!reason || !*reason || strlen(reason) > 2000 ||
	    (files && (!json_is_array(files) ||
		       json_array_size(files) > MAX_FILES))) {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang, "需要 reason；files 可选，最多 10 个 {name, content_base64}",
				     "reason is needed; files is optional, at most 10 of {name, content_base64}"));
		return;
	}
	json_array_foreach(files, i, f) {
		const char *name = json_string_value(json_object_get(f, "name"));
		const char *b64 = json_string_value(json_object_get(f, "content_base64"));
		size_t cap = b64 ? strlen(b64) : 0, len = 0;
		unsigned char *data;

		if (!name || !*name || strlen(name) > 128 || !b64 || !*b64) {
			json_decref(body);
			hk_reply_error(req, HK_EINVAL, 400,
				       HK_TR(req->lang, "每个文件需要 name 和 content_base64",
					     "each file needs name and content_base64"));
			return;
		}
		data = hk_malloc(cap);
		if (sodium_base642bin(data, cap, b64, strlen(b64), NULL, &len, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0) {
			free(data);
			json_decref(body);
			hk_reply_error(req, HK_EINVAL, 400,
				       HK_TR(req->lang, "content_base64 不是有效的 base64",
					     "content_base64 is not valid base64"));
			return;
		}
		hex_sha256(data, len, shas[n]);
		snprintf(names[n], sizeof(names[n]), "%s", name);
		sizes[n] = (int64_t)len;
		if (!store_file(req->files_dir, shas[n], data, len)) {
			free(data);
			json_decref(body);
			hk_reply_error(req, HK_EIO, 500,
				       HK_TR(req->lang, "无法保存证据文件", "could not keep an evidence file"));
			return;
		}
		free(data);
		n++;
	}
	if ((rc = s->ops->dispute_open_of(s, c.ref, &open_ref, &err)) == HK_OK &&
	    open_ref) {
		json_decref(body);
		hk_reply_error(req, HK_EREFUSED, 409,
			       HK_TR(req->lang, "该案件已有未解决的异议", "the case already has an open dispute"));
		return;
	}
	if (rc == HK_OK && (rc = s->ops->begin(s, &err)) == HK_OK)
		rc = s->ops->dispute_open(s, c.ref, req->user.ref, reason,
					  (int64_t)time(NULL), &ref, &err);
	for (i = 0; rc == HK_OK && i < n; i++)
		rc = s->ops->dispute_file_add(s, ref, names[i], shas[i], sizes[i],
					      &err);
	json_decref(body);
	if (rc == HK_OK) {
		snprintf(target, sizeof(target), "case:%lld", (long long)c.ref);
		rc = hk_audit_commit(req, "dispute.open", target,
			 json_pack("{s:I, s:I}", "dispute", (json_int_t)ref,
				   "files", (json_int_t)n), &err);
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	{
		json_t *list = json_array();

		for (i = 0; i < n; i++)
			json_array_append_new(list,
					      json_pack("{s:s, s:s, s:I}", "name",
							names[i], "sha256", shas[i],
							"size", (json_int_t)sizes[i]));
		hk_reply(req, 201,
			 json_pack("{s:I, s:s, s:o}", "id", (json_int_t)ref,
				   "status", "open", "files", list));
	}
}

/* The dispute named by path parameter 0 if its case is in scope. */
static int64_t dispute_in_scope(struct hk_req *req, struct hk_case_rec *c,
				char status[16])
{
	struct hk_scope scope;
	struct hk_err err = {0};
	int64_t id = strtoll(req->params[0], NULL, 10), case_ref = 0;
	bool found = false;

	hk_scope_of(&req->user, &scope);
	if (id > 0 &&
	    req->store->ops->dispute_get(req->store, id, &case_ref, status,
					 &err) == HK_OK &&
	    case_ref &&
	    req->store->ops->case_get(req->store, case_ref, &scope, c, &found,
				      &err) == HK_OK &&
	    found)
		return id;
	hk_reply_error(req, HK_ENOTFOUND, 404,
		       HK_TR(req->lang, "没有这个异议", "no such dispute"));
	return 0;
}

void hk_h_dispute_resolve(struct hk_req *req)
{
	static const char *const fields[] = {"resolution", NULL};
	struct hk_store *s = req->store;
	struct hk_case_rec c;
	struct hk_err err = {0};
	json_t *body;
	const char *resolution;
	char status[16], target[32];
	int64_t id;
	enum hk_rc rc;

	if (!(id = dispute_in_scope(req, &c, status)) ||
	    !(body = hk_req_json_object(req, fields)))
		return;
	resolution = json_string_value(json_object_get(body, "resolution"));
	if (!resolution || !*resolution || strlen(resolution) > 2000) {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang, "需要 resolution（处理结果）",
				     "resolution is needed"));
		return;
	}
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->dispute_resolve(s, id, req->user.ref, resolution,
					  (int64_t)time(NULL), &err)) == HK_OK) {
		snprintf(target, sizeof(target), "case:%lld", (long long)c.ref);
		rc = hk_audit_commit(req, "dispute.resolve", target,
			 json_pack("{s:I}", "dispute", (json_int_t)id), &err);
	}
	json_decref(body);
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, rc, 0, err.msg[0] ? err.msg : NULL);
		return;
	}
	hk_reply(req, 200,
		 json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", "resolved"));
}

/* The evidence files' names, sizes and hashes without their content, so
 * the interface can offer each for download; n counts from 1 as in
 * GET /api/disputes/{id}/files/{n}. */
void hk_h_dispute_files(struct hk_req *req)
{
	struct hk_case_rec c;
	struct hk_err err = {0};
	char status[16], name[129], sha[65];
	int64_t id, size;
	json_t *list;
	bool found = true;

	if (!(id = dispute_in_scope(req, &c, status)))
		return;
	list = json_array();
	for (int n = 1; n <= MAX_FILES && found; n++) {
		size = 0;
		if (req->store->ops->dispute_file_get(req->store, id, n, name, sha,
						      &size, &found, &err) != HK_OK) {
			json_decref(list);
			hk_reply_error(req, HK_EDB, 503, NULL);
			return;
		}
		if (found)
			json_array_append_new(list,
					      json_pack("{s:i, s:s, s:I, s:s}", "n", n,
							"name", name, "size",
							(json_int_t)size, "sha256", sha));
	}
	hk_reply(req, 200, json_pack("{s:I, s:s, s:o}", "id", (json_int_t)id,
				     "status", status, "files", list));
}

void hk_h_dispute_file(struct hk_req *req)
{
	struct hk_case_rec c;
	struct hk_err err = {0};
	char status[16], name[129], sha[65], path[4096];
	int64_t id, size = 0;
	long n = strtol(req->params[1], NULL, 10);
	bool found = false;

	if (!(id = dispute_in_scope(req, &c, status)))
		return;
	if (n < 1 || req->store->ops->dispute_file_get(req->store, id, (int)n,
						       name, sha, &size, &found,
						       &err) != HK_OK ||
	    !found) {
		hk_reply_error(req, HK_ENOTFOUND, 404,
			       HK_TR(req->lang, "没有这个文件", "no such file"));
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", req->files_dir, sha);
	hk_reply_stored_file(req, path, name, sha, size);
}
