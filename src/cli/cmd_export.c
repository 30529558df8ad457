/*
 * cmd_export.c - `huikuan export accounts [--out FILE]`: ledger.md §4.
 * A file is written beside its final name and renamed into place, so a
 * failed export never leaves half a file.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cmd_export(struct cli *cli, int argc, char **argv)
{
	const char *what = NULL, *out_path = NULL;
	struct hk_config cfg;
	struct hk_err err = {0};
	struct hk_store *s;
	char tmp[4096];
	FILE *out = stdout;
	int status;
	enum hk_rc rc;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out_path = argv[++i];
		else if (!what && argv[i][0] != '-')
			what = argv[i];
		else if (!cli_take_db(cli, argc, argv, &i))
			return cli_unknown(cli, argv[i]);
	}
	if (!what || strcmp(what, "accounts"))
		return cli_usage(cli, "%s",
				 HK_TR(cli->lang,
				       "用法：huikuan export accounts [--out FILE]",
				       "usage: huikuan export accounts [--out FILE]"));
	if ((status = cli_config(cli, &cfg)) != EXIT_DONE)
		return status;
	if ((status = cli_open(cli, false, &s)) != EXIT_DONE)
		return status;
	if (out_path) {
		snprintf(tmp, sizeof(tmp), "%s.tmp%ld", out_path, (long)getpid());
		if (!(out = fopen(tmp, "w"))) {
			hk_store_close(s);
			hk_err_set(&err, HK_EIO,
				   HK_TR(cli->lang, "无法写入 %s", "could not write %s"),
				   out_path);
			return cli_fail(cli, HK_EIO, &err);
		}
	}
	rc = hk_export_accounts(s, &cfg, out, &err);
	hk_store_close(s);
	if (out_path) {
		if (fclose(out) != 0 && rc == HK_OK)
			rc = hk_err_set(&err, HK_EIO,
					HK_TR(cli->lang, "无法写入 %s",
					      "could not write %s"),
					out_path);
		if (rc == HK_OK && rename(tmp, out_path) != 0)
			rc = hk_err_set(&err, HK_EIO,
					HK_TR(cli->lang, "无法写入 %s",
					      "could not write %s"),
					out_path);
		if (rc != HK_OK)
			unlink(tmp);
	}
	return rc == HK_OK ? EXIT_DONE : cli_fail(cli, rc, &err);
}
