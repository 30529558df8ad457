/*
 * cmd_eod.c - `huikuan eod --date YYYY-MM-DD`: day-end for one date.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_eod(struct cli *cli, int argc, char **argv)
{
	struct hk_eod_opts opts = {.as_of = HK_DATE_NONE};
	struct hk_eod_stats stats;
	struct hk_config cfg;
	struct hk_err err = {0};
	struct hk_store *s;
	char date[HK_DATE_BUFSZ];
	int status, workers = 1;
	bool split;
	enum hk_rc rc;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--date") && i + 1 < argc) {
			const char *d = argv[++i];
			if (hk_date_parse(d, strlen(d), &opts.as_of) != HK_OK)
				return cli_usage(cli,
						 HK_TR(cli->lang,
						       "日期 %s 无效；请用 YYYY-MM-DD",
						       "invalid date %s; use YYYY-MM-DD"),
						 d);
		} else if (!strcmp(argv[i], "--workers") && i + 1 < argc) {
			long long n;

			if (!cli_number(argv[++i], 1, HK_EOD_WORKERS_MAX, &n))
				return cli_usage(cli,
						 HK_TR(cli->lang,
						       "--workers %s 无效；须为 1 到 %d 的整数",
						       "invalid --workers %s; use a whole number from 1 to %d"),
						 argv[i], HK_EOD_WORKERS_MAX);
			workers = (int)n;
		} else if (!cli_take_db(cli, argc, argv, &i)) {
			return cli_unknown(cli, argv[i]);
		}
	}
	if (opts.as_of == HK_DATE_NONE)
		return cli_usage(cli, "%s",
				 HK_TR(cli->lang, "用法：huikuan eod --date YYYY-MM-DD [--workers N]",
				       "usage: huikuan eod --date YYYY-MM-DD [--workers N]"));
	if ((status = cli_config(cli, &cfg)) != EXIT_DONE)
		return status;
	if ((status = cli_open(cli, false, &s)) != EXIT_DONE)
		return status;
	opts.progress = cli->tty;
	/* Test hooks (documented in tests/cli/crash_test.sh). */
	if (getenv("HUIKUAN_EOD_CHUNK"))
		opts.chunk = strtoul(getenv("HUIKUAN_EOD_CHUNK"), NULL, 10);
	/* Benchmark hook (bench/run.sh): the ledger's step alone. */
	opts.skip_strategy = getenv("HUIKUAN_EOD_SKIP_STRATEGY") != NULL;
	if (getenv("HUIKUAN_FAULT_KILL_AFTER_CHUNK"))
		opts.fault_kill_after_chunk =
			strtoll(getenv("HUIKUAN_FAULT_KILL_AFTER_CHUNK"), NULL, 10);
	/* An interrupted run across workers for this date is finished the
	 * way it was begun. */
	split = workers > 1;
	if (!split) {
		int32_t pending;

		split = hk_eod_pending(s, &pending, &err) == HK_OK &&
			pending == opts.as_of;
	}
	if (split) {
		/* the workers open their own connections */
		struct hk_eod_workers wk = {.uri = cli->db, .lang = cli->lang,
					    .workers = workers};

		hk_store_close(s);
		rc = hk_eod_run_workers(&wk, &cfg, &opts, &stats, &err);
	} else {
		/* A second connection lets day-end read ahead on the second
		 * core; without one it simply reads in turn. */
		if (hk_store_open(cli->db, cli->lang, &opts.reader, NULL) != HK_OK)
			opts.reader = NULL;
		rc = hk_eod_run(s, &cfg, &opts, &stats, &err);
		hk_store_close(opts.reader);
		hk_store_close(s);
	}
	if (rc != HK_OK)
		return cli_fail(cli, rc, &err);
	hk_date_format(opts.as_of, date);
	printf(HK_TR(cli->lang,
		     "日终 %s 完成：%lld 个账户，重算 %lld，入账 %lld，跨期 %lld，账龄迁移 %lld\n",
		     "day-end %s done: %lld accounts, %lld replayed, %lld advanced, %lld crossed, %lld bucket changes\n"),
	       date, (long long)stats.accounts, (long long)stats.replayed,
	       (long long)stats.advanced, (long long)stats.crossed,
	       (long long)stats.transitions);
	if (stats.strategy_problem[0])
		fprintf(stderr, "huikuan: %s\n", stats.strategy_problem);
	else if (stats.strategy_ref)
		printf(HK_TR(cli->lang,
			     "策略（版本 %lld）：查看 %lld 个案件%s，处置变化 %lld，结案 %lld，分案 %lld\n",
			     "strategy (version %lld): %lld cases looked at%s, %lld new treatments, %lld ended, %lld moved\n"),
		       (long long)stats.strategy_ref, (long long)stats.treated,
		       stats.strategy_full ? HK_TR(cli->lang, "（全部）", " (all)") : "",
		       (long long)stats.treat_changed, (long long)stats.treat_ended,
		       (long long)stats.allocated);
	return EXIT_DONE;
}
