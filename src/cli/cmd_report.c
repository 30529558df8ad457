/*
 * cmd_report.c - `huikuan report NAME [filters] [--format csv|xlsx|json]
 * [--sheet KEY] [--out FILE]`: one report of docs/reports.md, as the API
 * gives it.  `huikuan report list` names them.  CSV and JSON go to
 * standard output unless --out; a workbook needs --out.  A file is
 * written beside its final name and renamed into place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hk/reports.h"

#define TR(zh, en) HK_TR(cli->lang, zh, en)

struct find_named {
	const char *name;
	int64_t ref;
};

static int match_named(void *ctx, int64_t ref, const char *name)
{
	struct find_named *f = ctx;

	if (strcmp(f->name, name) == 0)
		f->ref = ref;
	return 0;
}

/* A team or agency by its name or its number. */
static enum hk_rc named_ref(struct hk_store *s, bool agency, const char *name,
			    int64_t *ref, struct hk_err *err)
{
	struct find_named f = {name, 0};
	long long v;
	enum hk_rc rc;

	if (cli_number(name, 1, INT64_MAX, &v)) {
		*ref = v;
		return HK_OK;
	}
	rc = agency ? s->ops->agencies_scan(s, match_named, &f, err)
		    : s->ops->teams_scan(s, match_named, &f, err);
	if (rc == HK_OK && !f.ref)
		rc = hk_err_set(err, HK_ENOTFOUND, "%s: %s",
				agency ? "agency" : "team", name);
	*ref = f.ref;
	return rc;
}

static bool parse_date(const char *s, int32_t *d)
{
	return hk_date_parse(s, strlen(s), d) == HK_OK;
}

static int usage(struct cli *cli)
{
	return cli_usage(
		cli, "%s",
		TR("用法：huikuan report list | huikuan report 报表名 [--date 日期] "
		   "[--from 日期] [--to 日期] [--period day|week] [--creditor X] "
		   "[--product X] [--province X] [--segment X] [--team 名称] "
		   "[--collector 用户名] [--agency 名称] [--strategy N] [--rule N] "
		   "[--arm N] [--format csv|xlsx|json] [--sheet 表] [--out 文件]",
		   "usage: huikuan report list | huikuan report NAME [--date DATE] "
		   "[--from DATE] [--to DATE] [--period day|week] [--creditor X] "
		   "[--product X] [--province X] [--segment X] [--team NAME] "
		   "[--collector USERNAME] [--agency NAME] [--strategy N] [--rule N] "
		   "[--arm N] [--format csv|xlsx|json] [--sheet KEY] [--out FILE]"));
}

static int list(struct cli *cli)
{
	const char *title;

	for (size_t i = 0; hk_report_key(i, &title, cli->lang); i++)
		printf("%s\t%s\n", hk_report_key(i, NULL, cli->lang), title);
	return EXIT_DONE;
}

/* Write the report in its form to path (NULL: standard output). */
static enum hk_rc write_out(struct cli *cli, const struct hk_report *r,
			    const char *format, const char *sheet,
			    const char *path, struct hk_err *err)
{
	char tmp[4096];
	const struct hk_rsheet *sh;
	FILE *out = stdout;
	enum hk_rc rc = HK_OK;

	if (!strcmp(format, "xlsx")) {
		snprintf(tmp, sizeof(tmp), "%s.tmp%ld.xlsx", path, (long)getpid());
		rc = hk_report_xlsx(r, tmp, err);
	} else {
		if (path) {
			snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path,
				 (long)getpid());
			if (!(out = fopen(tmp, "w")))
				return hk_err_set(err, HK_EIO,
						  TR("无法写入 %s", "could not write %s"),
						  path);
		}
		if (!strcmp(format, "json")) {
			json_t *j = hk_report_json(r);

			if (json_dumpf(j, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER) ||
			    fputc('\n', out) == EOF)
				rc = hk_err_set(err, HK_EIO, "%s",
						TR("写入失败", "could not write"));
			json_decref(j);
		} else {
			sh = sheet ? hk_report_find(r, sheet)
				   : (r->nsheets ? r->sheets[0] : NULL);
			if (!sh)
				rc = hk_err_set(err, HK_ENOTFOUND,
						TR("报表 %s 没有表 %s",
						   "report %s has no sheet %s"),
						r->key, sheet ? sheet : "");
			else
				rc = hk_report_csv(r, sh, out, err);
		}
		if (path && fclose(out) != 0 && rc == HK_OK)
			rc = hk_err_set(err, HK_EIO,
					TR("无法写入 %s", "could not write %s"), path);
	}
	if (path) {
		if (rc == HK_OK && rename(tmp, path) != 0)
			rc = hk_err_set(err, HK_EIO,
					TR("无法写入 %s", "could not write %s"), path);
		if (rc != HK_OK)
			unlink(tmp);
	}
	return rc;
}

int cmd_report(struct cli *cli, int argc, char **argv)
{
	struct hk_report_query q;
	const char *format = "csv", *sheet = NULL, *out = NULL;
	const char *team = NULL, *collector = NULL, *agency = NULL;
	struct hk_config cfg;
	struct hk_err err = {0};
	struct hk_report *r = NULL;
	struct hk_store *s;
	int status;
	enum hk_rc rc = HK_OK;

	hk_report_query_init(&q);
	q.lang = cli->lang;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		long long n = 0;
		bool ok = true;

		if (a[0] != '-') {
			if (q.name)
				return cli_unknown(cli, a);
			q.name = a;
			continue;
		}
		if (cli_take_db(cli, argc, argv, &i))
			continue;
		if (!v)
			return usage(cli);
		i++;
		if (!strcmp(a, "--date"))
			ok = parse_date(v, &q.date);
		else if (!strcmp(a, "--from"))
			ok = parse_date(v, &q.from);
		else if (!strcmp(a, "--to"))
			ok = parse_date(v, &q.to);
		else if (!strcmp(a, "--period"))
			q.period = v;
		else if (!strcmp(a, "--creditor"))
			q.creditor = v;
		else if (!strcmp(a, "--product"))
			q.product = v;
		else if (!strcmp(a, "--province"))
			q.province = v;
		else if (!strcmp(a, "--segment"))
			q.segment = v;
		else if (!strcmp(a, "--team"))
			team = v;
		else if (!strcmp(a, "--collector"))
			collector = v;
		else if (!strcmp(a, "--agency"))
			agency = v;
		else if (!strcmp(a, "--strategy"))
			ok = cli_number(v, 1, INT64_MAX, &n) && (q.strategy_ref = n);
		else if (!strcmp(a, "--rule"))
			ok = cli_number(v, 1, INT32_MAX, &n) &&
			     (q.rule_no = (int)n - 1) >= 0;
		else if (!strcmp(a, "--arm"))
			ok = cli_number(v, 0, INT32_MAX, &n) &&
			     (q.arm_no = (int)n) >= 0;
		else if (!strcmp(a, "--format"))
			ok = !strcmp((format = v), "csv") || !strcmp(v, "xlsx") ||
			     !strcmp(v, "json");
		else if (!strcmp(a, "--sheet"))
			sheet = v;
		else if (!strcmp(a, "--out"))
			out = v;
		else
			return cli_unknown(cli, a);
		if (!ok)
			return cli_usage(cli, TR("%s 的值无效：%s",
						 "%s: invalid value %s"),
					 a, v);
	}
	if (!q.name)
		return usage(cli);
	if (!strcmp(q.name, "list"))
		return list(cli);
	if (!strcmp(format, "xlsx") && !out)
		return cli_usage(cli, "%s",
				 TR("--format xlsx 需要 --out 文件",
				    "--format xlsx needs --out FILE"));
	if ((status = cli_config(cli, &cfg)) != EXIT_DONE)
		return status;
	if ((status = cli_open(cli, false, &s)) != EXIT_DONE)
		return status;
	if (team)
		rc = named_ref(s, false, team, &q.team_ref, &err);
	if (rc == HK_OK && agency)
		rc = named_ref(s, true, agency, &q.agency_ref, &err);
	if (rc == HK_OK && collector) {
		struct hk_user u;
		bool found = false;

		rc = s->ops->user_get(s, collector, 0, &u, &found, &err);
		if (rc == HK_OK && !found)
			rc = hk_err_set(&err, HK_ENOTFOUND, "collector: %s",
					collector);
		q.collector_ref = u.ref;
	}
	if (rc == HK_OK)
		rc = hk_report_build(s, &cfg, &q, &r, &err);
	hk_store_close(s);
	if (rc == HK_OK)
		rc = write_out(cli, r, format, sheet, out, &err);
	hk_report_free(r);
	return rc == HK_OK ? EXIT_DONE : cli_fail(cli, rc, &err);
}
