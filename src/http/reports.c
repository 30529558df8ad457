/*
 * reports.c - GET /api/reports (the list) and GET /api/reports/{key}: one
 * report of docs/reports.md with its filters, as JSON for the screen or
 * as a CSV sheet or an XLSX workbook to download.  The caller's scope
 * narrows it as it narrows the case list: a team leader sees the team, a
 * collector their own figures, an agency's user its placements.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hk/reports.h"
#include "http_int.h"

#define TR(zh, en) HK_TR(req->lang, zh, en)

void hk_h_reports_list(struct hk_req *req)
{
	json_t *list = json_array();
	const char *title;

	for (size_t i = 0; hk_report_key(i, &title, req->lang); i++)
		json_array_append_new(list,
				      json_pack("{s:s, s:s}", "key",
						hk_report_key(i, NULL, req->lang),
						"title", title));
	hk_reply(req, 200, json_pack("{s:o}", "reports", list));
}

static bool q_date(struct hk_req *req, const char *name, int32_t *out)
{
	const char *v = hk_req_query(req, name);

	if (!v || hk_date_parse(v, strlen(v), out) == HK_OK)
		return true;
	hk_reply_error(req, HK_EINVAL, 400,
		       TR("日期须为 YYYY-MM-DD", "dates are YYYY-MM-DD"));
	return false;
}

/* A positive number (or, with zero_ok, also 0); false once answered. */
static bool q_num(struct hk_req *req, const char *name, bool zero_ok,
		  int64_t *out)
{
	const char *v = hk_req_query(req, name);
	char *end;
	long long n;
	char msg[160];

	if (!v)
		return true;
	n = strtoll(v, &end, 10);
	if (*v && !*end && (n > 0 || (zero_ok && n == 0))) {
		*out = n;
		return true;
	}
	snprintf(msg, sizeof(msg), TR("%s 须为编号", "%s must be a number"),
		 name);
	hk_reply_error(req, HK_EINVAL, 400, msg);
	return false;
}

/* The scope overrides what the caller asks: asking past it is refused. */
static bool narrow(struct hk_req *req, int64_t *asked, int64_t mine)
{
	if (!mine)
		return true;
	if (*asked && *asked != mine) {
		hk_reply_error(req, HK_EREFUSED, 403,
			       TR("超出您的查看范围", "outside what you may see"));
		return false;
	}
	*asked = mine;
	return true;
}

/* The whole of a file, malloc'd; NULL when it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

static void reply_xlsx(struct hk_req *req, const struct hk_report *r,
		       const char *name)
{
	char path[] = "/tmp/huikuan-report-XXXXXX.xlsx";
	struct hk_err err = {0};
	size_t len = 0;
	char *bytes;
	int fd = mkstemps(path, 5);

	if (fd < 0) {
		hk_reply_error(req, HK_EIO, 500, NULL);
		return;
	}
	close(fd);
	if (hk_report_xlsx(r, path, &err) != HK_OK ||
	    !(bytes = slurp(path, &len))) {
		unlink(path);
		hk_reply_error(req, HK_EIO, 500, err.msg[0] ? err.msg : NULL);
		return;
	}
	unlink(path);
	hk_reply_raw(req, 200,
		     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		     bytes, len, name);
}

static void reply_csv(struct hk_req *req, const struct hk_report *r,
		      const char *sheet, const char *name)
{
	const struct hk_rsheet *sh = sheet ? hk_report_find(r, sheet)
					   : (r->nsheets ? r->sheets[0] : NULL);
	struct hk_err err = {0};
	char *bytes = NULL;
	size_t len = 0;
	FILE *f;
	enum hk_rc rc;

	if (!sh) {
		hk_reply_error(req, HK_ENOTFOUND, 404,
			       TR("报表没有这个表", "the report has no such sheet"));
		return;
	}
	if (!(f = open_memstream(&bytes, &len))) {
		hk_reply_error(req, HK_EIO, 500, NULL);
		return;
	}
	rc = hk_report_csv(r, sh, f, &err);
	if (fclose(f) != 0 || rc != HK_OK) {
		free(bytes);
		hk_reply_error(req, HK_EIO, 500, NULL);
		return;
	}
	hk_reply_raw(req, 200, "text/csv; charset=utf-8", bytes, len, name);
}

void hk_h_report(struct hk_req *req)
{
	struct hk_report_query q;
	struct hk_scope sc;
	struct hk_report *r = NULL;
	struct hk_err err = {0};
	const char *format = hk_req_query(req, "format");
	const char *sheet = hk_req_query(req, "sheet");
	int64_t strategy = 0, rule = 0, arm = -1;
	char name[160], day[HK_DATE_BUFSZ];
	enum hk_rc rc;

	hk_report_query_init(&q);
	q.name = req->params[0];
	q.lang = req->lang;
	q.period = hk_req_query(req, "period");
	q.creditor = hk_req_query(req, "creditor");
	q.product = hk_req_query(req, "product");
	q.province = hk_req_query(req, "province");
	q.segment = hk_req_query(req, "segment");
	if (format && strcmp(format, "json") && strcmp(format, "csv") &&
	    strcmp(format, "xlsx")) {
		hk_reply_error(req, HK_EINVAL, 400,
			       TR("format 只能是 json、csv 或 xlsx",
				  "format is json, csv or xlsx"));
		return;
	}
	if (!q_date(req, "date", &q.date) || !q_date(req, "from", &q.from) ||
	    !q_date(req, "to", &q.to) ||
	    !q_num(req, "team", false, &q.team_ref) ||
	    !q_num(req, "collector", false, &q.collector_ref) ||
	    !q_num(req, "agency", false, &q.agency_ref) ||
	    !q_num(req, "strategy", false, &strategy) ||
	    !q_num(req, "rule", false, &rule) ||
	    !q_num(req, "arm", true, &arm))
		return;
	q.strategy_ref = strategy;
	q.rule_no = rule ? (int)rule - 1 : -1;
	q.arm_no = arm >= 0 && hk_req_query(req, "arm") ? (int)arm : -1;
	hk_scope_of(&req->user, &sc);
	/* what agencies are paid is the office's and the agency's business,
	 * not a team's or a collector's */
	if (!sc.all && !sc.agency_ref && q.name && !strcmp(q.name, "agencies")) {
		hk_reply_error(req, HK_EREFUSED, 403,
			       TR("委外结算仅限经理、管理员、审计及委外机构本身查看",
				  "agency statements are for managers, admins, auditors and the agency itself"));
		return;
	}
	if (!sc.all &&
	    (!narrow(req, &q.team_ref, sc.team_ref) ||
	     !narrow(req, &q.collector_ref, sc.collector_ref) ||
	     !narrow(req, &q.agency_ref, sc.agency_ref)))
		return;
	rc = hk_report_build(req->store, req->cfg, &q, &r, &err);
	if (rc != HK_OK) {
		hk_reply_error(req, rc, 0, err.msg);
		return;
	}
	/* huikuan-aging-2026-11-30.xlsx: the report and the date it ends */
	{
		const char *d = json_string_value(json_object_get(r->meta, "date"));

		if (!d)
			d = json_string_value(json_object_get(r->meta, "to"));
		snprintf(day, sizeof(day), "%s", d ? d : "");
	}
	/* only a sheet the report has goes into a header */
	if (sheet && !hk_report_find(r, sheet))
		sheet = "?";
	if (!format || !strcmp(format, "json")) {
		hk_reply(req, 200, hk_report_json(r));
	} else if (!strcmp(format, "xlsx")) {
		snprintf(name, sizeof(name), "huikuan-%s-%s.xlsx", r->key, day);
		reply_xlsx(req, r, name);
	} else {
		snprintf(name, sizeof(name), "huikuan-%s-%s%s%s.csv", r->key, day,
			 sheet ? "-" : "", sheet ? sheet : "");
		reply_csv(req, r, sheet, name);
	}
	hk_report_free(r);
}
