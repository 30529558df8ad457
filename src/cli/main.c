/*
 * main.c - the huikuan command: global options, the user's language, and
 * dispatch to one cmd_<name>() per command.  Nothing else lives here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static enum hk_lang detect_lang(void)
{
	const char *vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};

	for (size_t i = 0; i < 3; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return strncmp(v, "en", 2) == 0 ? HK_LANG_EN : HK_LANG_ZH;
	}
	return HK_LANG_ZH;
}

static void help(enum hk_lang lang)
{
	fputs(HK_TR(lang,
		    "huikuan 回款 —— 催收管理系统\n\n"
		    "用法：\n"
		    "  huikuan [--db URI] [--config FILE] init\n"
		    "  huikuan [--db URI] import KIND FILE [--encoding utf-8|gb18030]\n"
		    "      KIND：debtors contacts accounts installments payments（及 waivers promises）\n"
		    "  huikuan [--db URI] eod --date YYYY-MM-DD [--workers N]\n"
		    "  huikuan [--db URI] export accounts [--out FILE]\n"
		    "  huikuan [--db URI] serve [--listen HOST:PORT]\n"
		    "  huikuan demo [--accounts N] [--db URI]\n"
		    "  huikuan gen --accounts N --out DIR [--today YYYY-MM-DD] [--seed S]\n"
		    "  huikuan [--db URI] audit verify\n"
		    "  huikuan [--db URI] letters write 案件号 模板 | batch [--template 模板] [--cases 号,…] | run 批次号\n"
		    "  huikuan [--db URI] messages queue | send [--max N] [--loop]\n"
		    "  huikuan [--db URI] report list | 报表名 [--date|--from|--to 日期] [筛选] [--format csv|xlsx|json] [--out FILE]\n\n"
		    "URI：SQLite 文件路径（默认 ./huikuan.db 或 $HUIKUAN_DB），或 postgresql://…\n"
		    "退出码：0 完成；2 用法错误；3 输入无效，未做任何更改；4 因当前状态被拒绝；1 其他错误\n",
		    "huikuan - debt collection and receivables recovery\n\n"
		    "usage:\n"
		    "  huikuan [--db URI] [--config FILE] init\n"
		    "  huikuan [--db URI] import KIND FILE [--encoding utf-8|gb18030]\n"
		    "      KIND: debtors contacts accounts installments payments (and waivers promises)\n"
		    "  huikuan [--db URI] eod --date YYYY-MM-DD [--workers N]\n"
		    "  huikuan [--db URI] export accounts [--out FILE]\n"
		    "  huikuan [--db URI] serve [--listen HOST:PORT]\n"
		    "  huikuan demo [--accounts N] [--db URI]\n"
		    "  huikuan gen --accounts N --out DIR [--today YYYY-MM-DD] [--seed S]\n"
		    "  huikuan [--db URI] audit verify\n"
		    "  huikuan [--db URI] letters write CASE TEMPLATE | batch [--template T] [--cases ID,...] | run BATCH\n"
		    "  huikuan [--db URI] messages queue | send [--max N] [--loop]\n"
		    "  huikuan [--db URI] report list | NAME [--date|--from|--to DATE] [filters] [--format csv|xlsx|json] [--out FILE]\n\n"
		    "URI: an SQLite file path (default ./huikuan.db, or $HUIKUAN_DB), or postgresql://...\n"
		    "exit status: 0 done; 2 usage error; 3 invalid input, nothing changed;\n"
		    "             4 refused because of the state; 1 anything else\n"),
	      stdout);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct cli *, int, char **);
	} cmds[] = {
		{"init", cmd_init},   {"import", cmd_import},
		{"eod", cmd_eod},     {"export", cmd_export},
		{"demo", cmd_demo},   {"serve", cmd_serve},
		{"gen", cmd_gen},     {"audit", cmd_audit},
		{"letters", cmd_letters}, {"messages", cmd_messages},
		{"report", cmd_report},
	};
	struct cli cli = {0};
	int i = 1;

	cli.lang = detect_lang();
	cli.tty = isatty(STDERR_FILENO);
	cli.db = getenv("HUIKUAN_DB");
	if (!cli.db || !*cli.db)
		cli.db = "./huikuan.db";
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			help(cli.lang);
			return EXIT_DONE;
		} else if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			cli.db = argv[++i];
		} else if (!strcmp(argv[i], "--config") && i + 1 < argc) {
			cli.config = argv[++i];
		} else {
			return cli_usage(&cli, HK_TR(cli.lang, "未知选项 %s",
						     "unknown option %s"),
					 argv[i]);
		}
	}
	if (i >= argc)
		return cli_usage(&cli, "%s",
				 HK_TR(cli.lang, "缺少命令", "no command given"));
	for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++)
		if (!strcmp(argv[i], cmds[c].name))
			return cmds[c].fn(&cli, argc - i - 1, argv + i + 1);
	return cli_usage(&cli, HK_TR(cli.lang, "未知命令 %s", "unknown command %s"),
			 argv[i]);
}
