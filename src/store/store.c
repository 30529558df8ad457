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
