/*
 * cmd_init.c - `huikuan init`: create or migrate the schema.  Running it
 * again is harmless.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_init(struct cli *cli, int argc, char **argv)
{
	struct hk_store *s;
	struct hk_err err = {0};
	int version = 0, status;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			cli->db = argv[++i];
		else
			return cli_usage(cli, HK_TR(cli->lang, "init 不接受参数 %s",
						    "init takes no argument %s"),
					 argv[i]);
	}
	if ((status = cli_open(cli, true, &s)) != EXIT_DONE)
		return status;
	s->ops->schema_version(s, &version, &err);
	printf(HK_TR(cli->lang, "数据库已就绪：%s（结构版本 %d）\n",
		     "database ready: %s (schema version %d)\n"),
	       cli->db, version);
	hk_store_close(s);
	return EXIT_DONE;
}
