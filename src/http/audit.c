/*
 * audit.c - the tamper-evident audit trail: every record carries the
 * SHA-256 of the one before it, so `huikuan audit verify` finds the first
 * record altered, inserted or removed.  Records hold ids, never personal
 * data, and are written in the same transaction as what they record.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_int.h"

void hk_audit_hash(const struct hk_audit_rec *r, char out[65])
{
	crypto_hash_sha256_state st;
	unsigned char digest[crypto_hash_sha256_BYTES];
	char head[128];
	int n;

	if (sodium_init() < 0)
		abort();
	n = snprintf(head, sizeof(head), "%s|%lld|%lld|", r->prev_hash,
		     (long long)r->at, (long long)r->user_ref);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)head, (size_t)n);
	/* Field separators keep "ab|c" and "a|bc" apart. */
	crypto_hash_sha256_update(&st, (const unsigned char *)r->client,
				  strlen(r->client));
	crypto_hash_sha256_update(&st, (const unsigned char *)"|", 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)r->action,
				  strlen(r->action));
	crypto_hash_sha256_update(&st, (const unsigned char *)"|", 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)r->target,
				  strlen(r->target));
	crypto_hash_sha256_update(&st, (const unsigned char *)"|", 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)r->detail,
				  strlen(r->detail));
	crypto_hash_sha256_final(&st, digest);
	sodium_bin2hex(out, 65, digest, sizeof(digest));
}

enum hk_rc hk_audit_write(struct hk_store *s, struct hk_audit_rec *rec,
			  struct hk_err *err)
{
	enum hk_rc rc = s->ops->audit_last_hash(s, rec->prev_hash, err);

	if (rc != HK_OK)
		return rc;
	hk_audit_hash(rec, rec->hash);
	return s->ops->audit_append(s, rec, err);
}

struct verify {
	char prev[65];
	int64_t last_ref, first_bad, records;
	char *why;
	size_t cap;
};

static int verify_step(void *ctx, const struct hk_audit_rec *r)
{
	struct verify *v = ctx;
	char hash[65];

	v->records++;
	if (v->first_bad)
		return 0;
	hk_audit_hash(r, hash);
	if (strcmp(r->prev_hash, v->prev))
		snprintf(v->why, v->cap,
			 "record %lld does not follow the one before it (one removed or inserted)",
			 (long long)r->ref);
	else if (strcmp(hash, r->hash))
		snprintf(v->why, v->cap, "record %lld was altered",
			 (long long)r->ref);
	else if (v->last_ref && r->ref != v->last_ref + 1)
		snprintf(v->why, v->cap, "records before %lld were removed",
			 (long long)r->ref);
	else {
		memcpy(v->prev, r->hash, sizeof(v->prev));
		v->last_ref = r->ref;
		return 0;
	}
	v->first_bad = r->ref;
	return 0;
}

enum hk_rc hk_audit_verify(struct hk_store *s, int64_t *first_bad,
			   int64_t *records, char *why, size_t cap,
			   struct hk_err *err)
{
	struct verify v = {.why = why, .cap = cap};
	enum hk_rc rc;

	why[0] = '\0';
	rc = s->ops->audit_scan(s, verify_step, &v, err);
	*first_bad = v.first_bad;
	*records = v.records;
	return rc;
}

void hk_audit(struct hk_req *req, const char *action, const char *target,
	      json_t *detail)
{
	struct hk_audit_rec rec = {.at = (int64_t)time(NULL),
				   .user_ref = req->user.ref};
	struct hk_err err = {0};
	char *text = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS)
			    : NULL;

	snprintf(rec.client, sizeof(rec.client), "%s", req->client);
	snprintf(rec.action, sizeof(rec.action), "%s", action);
	snprintf(rec.target, sizeof(rec.target), "%s", target);
	snprintf(rec.detail, sizeof(rec.detail), "%s", text ? text : "{}");
	hk_json_text_free(text);
	json_decref(detail);
	if (hk_audit_write(req->store, &rec, &err) != HK_OK)
		req->audit_failed = true;
}

enum hk_rc hk_audit_commit(struct hk_req *req, const char *action,
			   const char *target, json_t *detail,
			   struct hk_err *err)
{
	hk_audit(req, action, target, detail);
	if (req->audit_failed)
		return HK_EDB;
	return req->store->ops->commit(req->store, err);
}
