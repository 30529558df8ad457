/*
 * cmd_serve.c - `huikuan serve`: the HTTP API and web interface.  The
 * server is the next capability (issue 3); until it lands the command says
 * so plainly instead of pretending.
 */
#include <stdio.h>

#include "cli.h"

int cmd_serve(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "huikuan: %s\n",
		HK_TR(cli->lang,
		      "此版本尚未包含 HTTP 服务；台账、导入、日终和导出已可用",
		      "this build has no HTTP server yet; the ledger, import, day-end and export work"));
	return EXIT_FAIL;
}
