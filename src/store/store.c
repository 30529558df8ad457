/*
 * store.c - picks the backend for a database URI and holds the few helpers
 * that are the same for every backend.  No SQL here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hk/store.h"

enum hk_rc hk_store_open(const char *uri, enum hk_lang lang,
			 struct hk_store **out, struct hk_err *err)
{
	*out = NULL;
	if (!uri || !*uri)
		return hk_err_set(err, HK_EUSAGE, "%s",
				  HK_TR(lang, "未指定数据库", "no database given"));
	if (!strncmp(uri, "postgresql://", 13) || !strncmp(uri, "postgres://", 11))
		return hk_store_pg_open(uri, lang, out, err);
	return hk_store_sqlite_open(uri, lang, out, err);
}

void hk_store_close(struct hk_store *s)
{
	if (s)
		s->ops->close(s);
}

enum hk_rc hk_store_meta_date(struct hk_store *s, const char *key,
			      int32_t *date, struct hk_err *err)
{
	char buf[32];
	bool found = false;
	enum hk_rc rc = s->ops->meta_get(s, key, buf, sizeof(buf), &found, err);

	*date = HK_DATE_NONE;
	if (rc != HK_OK || !found)
		return rc;
	if (hk_date_parse(buf, strlen(buf), date) != HK_OK)
		return hk_err_set(err, HK_EDB, "meta %s holds a bad date '%s'",
				  key, buf);
	return HK_OK;
}

static const char *const role_names[] = {"admin", "manager", "team_leader",
					 "collector", "agency_collector",
					 "auditor"};

const char *hk_role_name(int role)
{
	for (int i = 0; i < 6; i++)
		if (role == 1 << i)
			return role_names[i];
	return "?";
}

int hk_role_parse(const char *text)
{
	for (int i = 0; text && i < 6; i++)
		if (!strcmp(text, role_names[i]))
			return 1 << i;
	return 0;
}

/* ---- day-end workers' chunk totals ----------------------------------- */

/* The seven figures of a bucket, in the order of the stored text. */
#define TOTALS_FIELDS(t)                                                       \
	{&(t)->accounts, &(t)->overdue_principal, &(t)->overdue_interest,      \
	 &(t)->overdue_fee, &(t)->penalty_due, &(t)->total_overdue,            \
	 &(t)->principal_outstanding}

void hk_eod_totals_text(const struct hk_bucket_totals *totals, char *buf,
			size_t cap)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int b = 0; b < HK_BUCKETS_MAX; b++) {
		const int64_t *f[7] = TOTALS_FIELDS(&totals[b]);

		for (int i = 0; i < 7 && at < cap; i++)
			at += (size_t)snprintf(buf + at, cap - at, "%s%lld",
					       i ? " " : (b ? ";" : ""),
					       (long long)*f[i]);
	}
}

enum hk_rc hk_eod_totals_parse(const char *text,
			       struct hk_bucket_totals *totals)
{
	const char *p = text ? text : "";

	memset(totals, 0, HK_BUCKETS_MAX * sizeof(*totals));
	for (int b = 0; b < HK_BUCKETS_MAX; b++) {
		int64_t *f[7] = TOTALS_FIELDS(&totals[b]);

		for (int i = 0; i < 7; i++) {
			char *end;

			*f[i] = strtoll(p, &end, 10);
			if (end == p)
				return HK_EINVAL;
			p = end;
			if (*p != (i < 6 ? ' ' : (b + 1 < HK_BUCKETS_MAX ? ';' : '\0')))
				return HK_EINVAL;
			if (*p)
				p++;
		}
	}
	return HK_OK;
}

enum hk_rc hk_store_lookup_many(struct hk_store *s, int kind,
				const char *const *ids, size_t n,
				struct hk_found *out, struct hk_err *err)
{
	if (s->ops->lookup_many)
		return s->ops->lookup_many(s, kind, ids, n, out, err);
	for (size_t i = 0; i < n; i++) {
		enum hk_rc rc = s->ops->lookup(s, kind, ids[i], &out[i], err);

		if (rc != HK_OK)
			return rc;
	}
	return HK_OK;
}

enum hk_rc hk_store_bulk_begin(struct hk_store *s, struct hk_err *err)
{
	return s->ops->bulk_begin ? s->ops->bulk_begin(s, err) : HK_OK;
}

enum hk_rc hk_store_bulk_end(struct hk_store *s, struct hk_err *err)
{
	return s->ops->bulk_end ? s->ops->bulk_end(s, err) : HK_OK;
}

void hk_template_rec_clear(struct hk_template_rec *t)
{
	free(t->subject);
	free(t->body);
	t->subject = t->body = NULL;
}

void hk_outbox_rec_clear(struct hk_outbox_rec *m)
{
	free(m->subject);
	free(m->body);
	m->subject = m->body = NULL;
}
