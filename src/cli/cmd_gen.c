/*
 * cmd_gen.c - `huikuan gen --accounts N --out DIR [--today D] [--seed S]`:
 * write the demo portfolio's CSV files without importing them (for
 * benchmarks, trials of the importer, and users who want sample files).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_gen(struct cli *cli, int argc, char **argv)
{
	struct hk_demo_opts opts = {.accounts = 2000, .seed = 20261123,
				    .history_days = 365, .today = HK_DATE_NONE};
	struct hk_demo_counts counts;
	struct hk_config cfg;
	struct hk_err err = {0};
	const char *dir = NULL;
	int status;
	enum hk_rc rc;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end = NULL;

		if (!v)
			return cli_usage(cli, HK_TR(cli->lang, "%s 缺少值",
						    "%s needs a value"),
					 a);
		i++;
		errno = 0;
		if (!strcmp(a, "--accounts")) {
			unsigned long long n = strtoull(v, &end, 10);
			if (errno || *end || n == 0 || n > 100000000ULL || v[0] == '-')
				return cli_usage(cli, "%s",
						 HK_TR(cli->lang, "--accounts 需要正整数",
						       "--accounts takes a positive whole number"));
			opts.accounts = (size_t)n;
		} else if (!strcmp(a, "--seed")) {
			opts.seed = strtoull(v, &end, 10);
			if (errno || *end)
				return cli_usage(cli, "%s",
						 HK_TR(cli->lang, "--seed 需要整数",
						       "--seed takes a whole number"));
		} else if (!strcmp(a, "--today")) {
			if (hk_date_parse(v, strlen(v), &opts.today) != HK_OK)
				return cli_usage(cli,
						 HK_TR(cli->lang, "日期 %s 无效",
						       "invalid date %s"),
						 v);
		} else if (!strcmp(a, "--out")) {
			dir = v;
		} else {
			return cli_usage(cli, HK_TR(cli->lang, "未知参数 %s",
						    "unknown argument %s"),
					 a);
		}
	}
	if (!dir)
		return cli_usage(cli, "%s",
				 HK_TR(cli->lang,
				       "用法：huikuan gen --accounts N --out DIR [--today YYYY-MM-DD] [--seed S]",
				       "usage: huikuan gen --accounts N --out DIR [--today YYYY-MM-DD] [--seed S]"));
	if ((status = cli_config(cli, &cfg)) != EXIT_DONE)
		return status;
	if (opts.today == HK_DATE_NONE)
		opts.today = cli_today(cfg.time_zone);
	rc = hk_demo_write(&opts, dir, &counts, &err);
	if (rc != HK_OK)
		return cli_fail(cli, rc, &err);
	printf("debtors %zu, contacts %zu, accounts %zu, installments %zu, "
	       "payments %zu, promises %zu\n",
	       counts.debtors, counts.contacts, counts.accounts,
	       counts.installments, counts.payments, counts.promises);
	return EXIT_DONE;
}
