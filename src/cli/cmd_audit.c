/*
 * cmd_audit.c - `huikuan audit verify`: walk the audit trail's hash chain
 * and name the first record altered, inserted or removed.  Exit 0 when the
 * trail is intact, 4 when it is not.
 */
#include <stdio.h>
#include <string.h>

#include "hk/http.h"
#include "cli.h"

int cmd_audit(struct cli *cli, int argc, char **argv)
{
	struct hk_err err = {0};
	struct hk_store *s;
	int64_t bad = 0, records = 0;
	char why[160];
	int status;
	enum hk_rc rc;

	for (int i = 1; i < argc; i++) {
		if (!cli_take_db(cli, argc, argv, &i))
			return cli_unknown(cli, argv[i]);
	}
	if (argc < 1 || strcmp(argv[0], "verify"))
		return cli_usage(cli, "%s",
				 HK_TR(cli->lang, "用法：huikuan audit verify",
				       "usage: huikuan audit verify"));
	if ((status = cli_open(cli, false, &s)) != EXIT_DONE)
		return status;
	rc = hk_audit_verify(s, &bad, &records, why, sizeof(why), &err);
	hk_store_close(s);
	if (rc != HK_OK)
		return cli_fail(cli, rc, &err);
	if (bad) {
		fprintf(stderr,
			HK_TR(cli->lang,
			      "huikuan: 审计记录已被改动：第 %lld 条起不可信（%s）\n",
			      "huikuan: the audit trail was tampered with from record %lld on (%s)\n"),
			(long long)bad, why);
		return EXIT_REFUSED;
	}
	printf(HK_TR(cli->lang, "审计记录完好：%lld 条\n",
		     "the audit trail is intact: %lld records\n"),
	       (long long)records);
	return EXIT_DONE;
}
