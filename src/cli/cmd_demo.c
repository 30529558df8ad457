/*
 * cmd_demo.c - `huikuan demo [--accounts N] [--db URI]`: generate a
 * realistic portfolio, import it through the ordinary importer, run
 * day-end over its history up to today, and print a summary.  Refuses a
 * database that already holds accounts, so it can never mix with real data.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "hk/batch.h"
#include "hk/http.h"
#include "cli.h"

#define DEMO_PASSWORD "huikuan-demo-2026"

static const struct {
	const char *username, *name_zh, *name_en;
	int role;
	int team; /* 0 none, 1 or 2 */
} demo_users[] = {
	{"admin", "系统管理员", "Administrator", HK_ROLE_ADMIN, 0},
	{"wang.jl", "王经理", "Manager Wang", HK_ROLE_MANAGER, 0},
	{"zhang.zz", "张组长", "Team leader Zhang", HK_ROLE_TEAM_LEADER, 1},
	{"li.na", "李娜", "Li Na", HK_ROLE_COLLECTOR, 1},
	{"zhao.lei", "赵磊", "Zhao Lei", HK_ROLE_COLLECTOR, 1},
	{"chen.jing", "陈静", "Chen Jing", HK_ROLE_COLLECTOR, 2},
	{"sun.sj", "孙审计", "Auditor Sun", HK_ROLE_AUDITOR, 0},
	{"wu.wb", "吴文博（华信）", "Wu Wenbo (Huaxin)",
	 HK_ROLE_AGENCY_COLLECTOR, 0},
};

/* Every DEMO_PLACED_EVERY-th case is placed with the demo agency. */
#define DEMO_PLACED_EVERY 10
#define DEMO_PLACED_DAYS 90

/* A contract with the agency (started a month ago, 90 days to run, 15%
 * commission, 20 yuan a case placed), its next review in half a year, and
 * every DEMO_PLACED_EVERY-th case placed under it to the contract's end. */
static enum hk_rc demo_placements(struct cli *cli, struct hk_store *s,
				  int64_t agency, int64_t by, int32_t today,
				  struct hk_err *err)
{
	struct hk_contract k = {.agency_ref = agency,
				.starts_on = today - 30,
				.ends_on = today + DEMO_PLACED_DAYS,
				.commission_ppm = 150000,
				.upfront_fee = 2000};
	struct hk_scope all = {.all = true};
	struct hk_case_rec c;
	bool found = true;
	enum hk_rc rc;

	rc = s->ops->contract_create(s, &k, by, (int64_t)time(NULL), &k.ref, err);
	if (rc == HK_OK)
		rc = s->ops->agency_review_set(s, agency, today + 180, err);
	for (int64_t ref = DEMO_PLACED_EVERY; rc == HK_OK && found;
	     ref += DEMO_PLACED_EVERY) {
		rc = s->ops->case_get(s, ref, &all, &c, &found, err);
		if (rc == HK_OK && found)
			rc = s->ops->case_place(
				s, ref, agency, k.ref, by, (int64_t)time(NULL),
				k.ends_on,
				HK_TR(cli->lang, "演示：委外试点",
				      "demo: agency pilot"),
				err);
	}
	return rc;
}

/* Demo users, all with DEMO_PASSWORD, the cases spread over the three
 * collectors, and one agency with some cases placed: enough to log in as
 * each role and see scoping at work. */
static enum hk_rc demo_people(struct cli *cli, struct hk_store *s,
			      int32_t today,
			      struct hk_err *err)
{
	int64_t teams[3] = {0}, collectors[3], collector_teams[3];
	int64_t agency = 0, manager = 0;
	size_t n = 0;
	char hash[HK_PASSWORD_HASH_MAX];
	enum hk_rc rc;

	if ((rc = hk_password_hash(DEMO_PASSWORD, hash)) != HK_OK)
		return hk_err_set(err, rc, "could not hash a password");
	if ((rc = s->ops->begin(s, err)) != HK_OK)
		return rc;
	rc = s->ops->team_create(s, HK_TR(cli->lang, "一组", "Team 1"),
				 &teams[1], err);
	if (rc == HK_OK)
		rc = s->ops->team_create(s, HK_TR(cli->lang, "二组", "Team 2"),
					 &teams[2], err);
	if (rc == HK_OK)
		rc = s->ops->agency_create(
			s, HK_TR(cli->lang, "华信催收服务有限公司",
				 "Huaxin Collection Services"),
			(int64_t)time(NULL), &agency, err);
	for (size_t i = 0; rc == HK_OK && i < sizeof(demo_users) /
							    sizeof(demo_users[0]);
	     i++) {
		struct hk_user u = {.role = demo_users[i].role, .active = true,
				    .team_ref = teams[demo_users[i].team]};

		if (u.role == HK_ROLE_AGENCY_COLLECTOR)
			u.agency_ref = agency;

		snprintf(u.username, sizeof(u.username), "%s",
			 demo_users[i].username);
		snprintf(u.display_name, sizeof(u.display_name), "%s",
			 HK_TR(cli->lang, demo_users[i].name_zh,
			       demo_users[i].name_en));
		memcpy(u.password_hash, hash, sizeof(hash));
		rc = s->ops->user_create(s, &u, (int64_t)time(NULL), err);
		if (rc == HK_OK && u.role == HK_ROLE_COLLECTOR) {
			collectors[n] = u.ref;
			collector_teams[n++] = u.team_ref;
		}
		if (u.role == HK_ROLE_MANAGER)
			manager = u.ref;
	}
	if (rc == HK_OK)
		rc = s->ops->cases_spread(s, collectors, collector_teams, n, err);
	if (rc == HK_OK)
		rc = demo_placements(cli, s, agency, manager, today, err);
	if (rc == HK_OK)
		rc = s->ops->commit(s, err);
	if (rc != HK_OK)
		s->ops->rollback(s);
	return rc;
}

/* The demo's strategy: the shipped one plus an allocation, so the demo
 * shows cases moving by stage: early work (and the promises and hardship
 * that come from it) to team 1, the middle and late stages to team 2, a
 * case rotating after 45 days without a payment or a promise. */
static enum hk_rc demo_strategy(struct cli *cli, struct hk_store *s,
				struct hk_err *err)
{
	static const char *const team1[] = {"early", "gentle", "hardship",
					    "broken_promises", "promises", NULL};
	static const char *const team2[] = {"middle", "late", "legal",
					    "skip_tracing", "disputes", NULL};
	static struct hk_strategy st; /* large: not on the stack */
	struct hk_bucket_table b;
	json_t *doc = json_loads(hk_default_strategy[0], 0, NULL);
	json_t *queues = json_object();
	char *text = NULL;
	int64_t ref;
	enum hk_rc rc;

	if (!doc)
		return hk_err_set(err, HK_EINTERNAL, "the shipped strategy is not JSON");
	for (int i = 0; team1[i]; i++)
		json_object_set_new(queues, team1[i],
				    json_pack("[s]", HK_TR(cli->lang, "一组", "Team 1")));
	for (int i = 0; team2[i]; i++)
		json_object_set_new(queues, team2[i],
				    json_pack("[s]", HK_TR(cli->lang, "二组", "Team 2")));
	json_object_set_new(doc, "name",
			    json_string(HK_TR(cli->lang, "演示策略：默认阶梯 + 按阶段分案",
					      "demo strategy: the default ladder, allocated by stage")));
	json_object_set_new(doc, "allocation",
			    json_pack("{s:o, s:i}", "queues", queues,
				      "rotate_after_days", 45));
	text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	hk_bucket_table_default(&b);
	if ((rc = hk_strategy_from_json(text, strlen(text), &b, &st, cli->lang,
					err)) == HK_OK &&
	    (rc = s->ops->begin(s, err)) == HK_OK) {
		rc = s->ops->strategy_insert(s, st.name, text, 0,
					     (int64_t)time(NULL), true, &ref, err);
		rc = rc == HK_OK ? s->ops->commit(s, err) : rc;
		if (rc != HK_OK)
			s->ops->rollback(s);
	}
	free(text);
	return rc;
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static bool parse_count(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || s[0] == '-' || v == 0 || v > 10000000ULL)
		return false;
	*out = (size_t)v;
	return true;
}

/* Day-ends the demo runs: every month-end of the history, then every day
 * of the last 60, so aging and roll rates have a past to show. */
static bool wanted_day(int32_t d, int32_t today)
{
	int y, m, day, y2, m2, day2;

	if (d > today - 60)
		return true;
	hk_date_to_ymd(d, &y, &m, &day);
	hk_date_to_ymd(d + 1, &y2, &m2, &day2);
	return m2 != m;
}

static void print_money(int64_t fen)
{
	char buf[HK_MONEY_BUFSZ];

	hk_money_format(fen, buf);
	printf("%16s", buf);
}

int cmd_demo(struct cli *cli, int argc, char **argv)
{
	static const int kinds[] = {HK_IMPORT_DEBTORS, HK_IMPORT_CONTACTS,
				    HK_IMPORT_ACCOUNTS, HK_IMPORT_INSTALLMENTS,
				    HK_IMPORT_PAYMENTS, HK_IMPORT_PROMISES};
	struct hk_demo_opts dopts = {.accounts = 2000, .seed = 20261123,
				     .history_days = 365};
	struct hk_demo_counts counts;
	struct hk_config cfg;
	struct hk_eod_stats stats;
	struct hk_err err = {0};
	struct hk_store *s;
	char dir[] = "/tmp/huikuan-demo-XXXXXX";
	char date[HK_DATE_BUFSZ];
	int64_t max_ref = 0;
	int status = EXIT_DONE;
	enum hk_rc rc;

	struct hk_server_opts sopts = {.host = "127.0.0.1", .port = 8080};
	bool serve = true;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--no-serve")) {
			serve = false;
		} else if (!strcmp(argv[i], "--port") && i + 1 < argc) {
			char *end;
			unsigned long p = strtoul(argv[++i], &end, 10);

			if (*end || p > 65535)
				return cli_usage(cli, "%s",
						 HK_TR(cli->lang, "--port 需要 0 到 65535",
						       "--port takes 0 to 65535"));
			sopts.port = (uint16_t)p;
		} else if (!strcmp(argv[i], "--accounts") && i + 1 < argc) {
			if (!parse_count(argv[++i], &dopts.accounts))
				return cli_usage(cli,
						 HK_TR(cli->lang,
						       "--accounts 需要 1 到 10000000 之间的整数",
						       "--accounts takes a whole number from 1 to 10000000"));
		} else if (!cli_take_db(cli, argc, argv, &i)) {
			return cli_unknown(cli, argv[i]);
		}
	}
	if ((status = cli_config(cli, &cfg)) != EXIT_DONE)
		return status;
	if ((status = cli_open(cli, true, &s)) != EXIT_DONE)
		return status;
	if ((rc = s->ops->account_max_ref(s, &max_ref, &err)) == HK_OK &&
	    max_ref > 0)
		rc = hk_err_set(&err, HK_EREFUSED,
				HK_TR(cli->lang,
				      "数据库 %s 已有账户；演示只写入新数据库，请用 --db 指定一个新文件",
				      "database %s already holds accounts; the demo only fills a new database: give --db a new file"),
				cli->db);
	if (rc != HK_OK) {
		hk_store_close(s);
		return cli_fail(cli, rc, &err);
	}
	dopts.today = cli_today(cfg.time_zone);
	if (!mkdtemp(dir)) {
		hk_store_close(s);
		hk_err_set(&err, HK_EIO, "mkdtemp: %s", strerror(errno));
		return cli_fail(cli, HK_EIO, &err);
	}
	if (cli->tty)
		fprintf(stderr, HK_TR(cli->lang, "生成演示数据：%zu 个账户…\n",
				      "generating the demo portfolio: %zu accounts...\n"),
			dopts.accounts);
	rc = hk_demo_write(&dopts, dir, &counts, &err);
	for (size_t k = 0; rc == HK_OK && k < sizeof(kinds) / sizeof(kinds[0]);
	     k++) {
		struct hk_waivable_ctx wctx = {.store = s, .cfg = &cfg};
		struct hk_import_opts iopts = {
			.kind = kinds[k], .encoding = HK_ENC_UTF8,
			.lang = cli->lang, .errors = stderr, .max_errors = 20,
			.progress = cli->tty, .waivable = hk_eod_waivable,
			.waivable_ctx = &wctx};
		struct hk_import_result res;
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s.csv", dir,
			 hk_import_kind_name(kinds[k]));
		iopts.display_name = path;
		rc = hk_import_file(s, path, &iopts, &res, &err);
	}
	remove_dir(dir);
	/* People and the strategy first: every day-end runs them. */
	if (rc == HK_OK)
		rc = demo_people(cli, s, dopts.today, &err);
	if (rc == HK_OK)
		rc = cli_seed_strategy(s, cli->lang, &err);
	if (rc == HK_OK)
		rc = cli_seed_templates(s, &err);
	if (rc == HK_OK)
		rc = demo_strategy(cli, s, &err);
	for (int32_t d = dopts.today - dopts.history_days;
	     rc == HK_OK && d <= dopts.today; d++) {
		struct hk_eod_opts eopts = {.as_of = d};

		if (!wanted_day(d, dopts.today))
			continue;
		if (cli->tty) {
			hk_date_format(d, date);
			fprintf(stderr, "\r%s %s", HK_TR(cli->lang, "日终", "day-end"),
				date);
		}
		rc = hk_eod_run(s, &cfg, &eopts, &stats, &err);
	}
	if (cli->tty)
		fputc('\n', stderr);
	hk_store_close(s);
	if (rc != HK_OK)
		return cli_fail(cli, rc, &err);

	hk_date_format(dopts.today, date);
	printf(HK_TR(cli->lang,
		     "演示数据已就绪：%s（%zu 个债务人，%zu 个账户，%zu 笔还款，%zu 个承诺），日终处理至 %s\n\n",
		     "demo portfolio ready: %s (%zu debtors, %zu accounts, %zu payments, %zu promises), day-end run to %s\n\n"),
	       cli->db, counts.debtors, counts.accounts, counts.payments,
	       counts.promises, date);
	/* Column heads padded by hand: a Chinese character is three bytes
	 * but two columns wide, which printf widths cannot know. */
	fputs(HK_TR(cli->lang,
		    "账龄       账户数         逾期总额         剩余本金\n",
		    "bucket   accounts    total overdue   principal left\n"),
	      stdout);
	for (int b = 0; b < cfg.buckets.n; b++) {
		printf("%-6s %10lld ", cfg.buckets.name[b],
		       (long long)stats.totals[b].accounts);
		print_money(stats.totals[b].total_overdue);
		fputc(' ', stdout);
		print_money(stats.totals[b].principal_outstanding);
		fputc('\n', stdout);
	}
	printf(HK_TR(cli->lang, "\n演示用户（密码均为 %s）：\n",
		     "\ndemo users (all with the password %s):\n"),
	       DEMO_PASSWORD);
	for (size_t i = 0; i < sizeof(demo_users) / sizeof(demo_users[0]); i++)
		printf("  %-10s %-16s %s\n", demo_users[i].username,
		       hk_role_name(demo_users[i].role),
		       HK_TR(cli->lang, demo_users[i].name_zh,
			     demo_users[i].name_en));
	fflush(stdout);
	if (!serve)
		return EXIT_DONE;
	sopts.db_uri = cli->db;
	sopts.cfg = &cfg;
	sopts.lang = cli->lang;
	sopts.config_path = cli->config;
	{
		static char web[4096];

		if (hk_web_dir_find(NULL, web, sizeof(web)))
			sopts.web_dir = web;
	}
	rc = hk_server_run(&sopts, &err);
	return rc == HK_OK ? EXIT_DONE : cli_fail(cli, rc, &err);
}
