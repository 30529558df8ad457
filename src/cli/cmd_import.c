/*
 * cmd_import.c - `huikuan import KIND FILE [--encoding utf-8|gb18030]`:
 * one CSV file, whole or nothing (ledger.md §2).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_import(struct cli *cli, int argc, char **argv)
{
	struct hk_import_opts opts = {.encoding = HK_ENC_UTF8, .max_errors = 100};
	struct hk_import_result result = {0};
	struct hk_config cfg;
	struct hk_waivable_ctx wctx;
	struct hk_err err = {0};
	const char *words[2] = {NULL, NULL};
	struct hk_store *s;
	int n_words = 0, status;
	enum hk_rc rc;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--encoding") && i + 1 < argc) {
			const char *e = argv[++i];
			if (!strcmp(e, "utf-8") || !strcmp(e, "utf8") ||
			    !strcmp(e, "UTF-8"))
				opts.encoding = HK_ENC_UTF8;
			else if (!strcmp(e, "gb18030") || !strcmp(e, "GB18030") ||
				 !strcmp(e, "gbk") || !strcmp(e, "GBK"))
				opts.encoding = HK_ENC_GB18030;
			else
				return cli_usage(cli,
						 HK_TR(cli->lang,
						       "不支持的编码 %s；可用 utf-8 或 gb18030",
						       "unsupported encoding %s; use utf-8 or gb18030"),
						 e);
		} else if (cli_take_db(cli, argc, argv, &i)) {
			continue;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_usage(cli, HK_TR(cli->lang, "未知选项 %s",
						    "unknown option %s"),
					 argv[i]);
		} else if (n_words < 2) {
			words[n_words++] = argv[i];
		} else {
			return cli_usage(cli, HK_TR(cli->lang, "多余的参数 %s",
						    "unexpected argument %s"),
					 argv[i]);
		}
	}
	if (n_words != 2)
		return cli_usage(cli, "%s",
				 HK_TR(cli->lang,
				       "用法：huikuan import KIND FILE [--encoding utf-8|gb18030]",
				       "usage: huikuan import KIND FILE [--encoding utf-8|gb18030]"));
	opts.kind = hk_import_kind_parse(words[0]);
	if (opts.kind < 0)
		return cli_usage(cli,
				 HK_TR(cli->lang,
				       "未知的导入类型 %s；可用 debtors、contacts、accounts、installments、payments、waivers、promises",
				       "unknown import kind %s; use debtors, contacts, accounts, installments, payments, waivers or promises"),
				 words[0]);
	if ((status = cli_config(cli, &cfg)) != EXIT_DONE)
		return status;
	if ((status = cli_open(cli, false, &s)) != EXIT_DONE)
		return status;
	wctx.store = s;
	wctx.cfg = &cfg;
	opts.lang = cli->lang;
	opts.display_name = words[1];
	opts.errors = stderr;
	opts.progress = cli->tty;
	opts.waivable = hk_eod_waivable;
	opts.waivable_ctx = &wctx;
	rc = hk_import_file(s, words[1], &opts, &result, &err);
	hk_store_close(s);
	if ((rc == HK_EINVAL || rc == HK_EENCODING) && !err.msg[0])
		return hk_rc_exit_status(rc); /* row errors already printed */
	if (rc != HK_OK)
		return cli_fail(cli, rc, &err);
	printf(HK_TR(cli->lang, "已导入 %s：%zu 行\n", "imported %s: %zu rows\n"),
	       hk_import_kind_name(opts.kind), result.rows);
	return EXIT_DONE;
}
