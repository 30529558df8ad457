/*
 * cli_util.c - shared plumbing of the commands: errors to stderr in the
 * user's language with the exit statuses of cli.md, opening the store.
 */
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

int cli_fail(const struct cli *cli, enum hk_rc rc, const struct hk_err *err)
{
	const char *msg = err && err->msg[0] ? err->msg
					     : hk_rc_message(rc, cli->lang);

	fprintf(stderr, "huikuan: %s\n", msg);
	return hk_rc_exit_status(rc);
}

int cli_usage(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	fputs("huikuan: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s\n",
		HK_TR(cli->lang, "用法见 huikuan --help", "see huikuan --help"));
	return EXIT_USAGE;
}

bool cli_take_db(struct cli *cli, int argc, char **argv, int *i)
{
	if (strcmp(argv[*i], "--db") || *i + 1 >= argc)
		return false;
	cli->db = argv[++*i];
	return true;
}

int cli_unknown(const struct cli *cli, const char *arg)
{
	return cli_usage(cli, HK_TR(cli->lang, "未知参数 %s", "unknown argument %s"),
			 arg);
}

int cli_open(struct cli *cli, bool migrate, struct hk_store **out)
{
	struct hk_err err = {0};
	enum hk_rc rc = hk_store_open(cli->db, cli->lang, out, &err);
	int version = 0;

	if (rc != HK_OK)
		return cli_fail(cli, rc, &err);
	if (migrate)
		rc = (*out)->ops->migrate(*out, &err);
	else if ((rc = (*out)->ops->schema_version(*out, &version, &err)) ==
			 HK_OK &&
		 version == 0)
		rc = hk_err_set(&err, HK_EREFUSED,
				HK_TR(cli->lang,
				      "数据库 %s 尚未初始化；请先运行 huikuan init",
				      "database %s is not initialised; run huikuan init first"),
				cli->db);
	if (rc != HK_OK) {
		hk_store_close(*out);
		*out = NULL;
		return cli_fail(cli, rc, &err);
	}
	return EXIT_DONE;
}

int cli_config(struct cli *cli, struct hk_config *cfg)
{
	struct hk_err err = {0};
	enum hk_rc rc = hk_config_load(cfg, cli->config, cli->lang, &err);

	return rc == HK_OK ? EXIT_DONE : cli_fail(cli, rc, &err);
}

bool cli_number(const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

int32_t cli_today(const char *tz)
{
	/* The debtor's calendar day, not the server's. */
	char *saved = hk_tz_set(tz);
	int32_t today = hk_date_of_time((int64_t)time(NULL));

	hk_tz_restore(saved);
	return today;
}
