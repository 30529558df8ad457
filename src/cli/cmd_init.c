/*
 * cmd_init.c - `huikuan init`: create or migrate the schema.  Running it
 * again is harmless.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hk/http.h"
#include "hk/io.h"
#include "hk/letters.h"
#include "hk/strategy.h"
#include "cli.h"

/* The first `huikuan init` creates the administrator with a one-time
 * password, printed once and never stored in clear: it must be changed at
 * the first log-in. */
static enum hk_rc create_first_admin(struct cli *cli, struct hk_store *s,
				     struct hk_err *err)
{
	struct hk_user admin = {.role = HK_ROLE_ADMIN, .must_change = true,
				.active = true};
	char password[17];
	int64_t count = 0;
	enum hk_rc rc = s->ops->user_count(s, &count, err);

	if (rc != HK_OK || count > 0)
		return rc;
	snprintf(admin.username, sizeof(admin.username), "admin");
	snprintf(admin.display_name, sizeof(admin.display_name), "%s",
		 HK_TR(cli->lang, "系统管理员", "Administrator"));
	hk_password_generate(password, 16);
	if (hk_password_hash(password, admin.password_hash) != HK_OK)
		return hk_err_set(err, HK_EINTERNAL, "could not hash a password");
	rc = s->ops->user_create(s, &admin, (int64_t)time(NULL), err);
	if (rc != HK_OK)
		return rc;
	printf(HK_TR(cli->lang,
		     "初始管理员：admin  一次性密码：%s\n（只显示这一次；首次登录后须修改）\n",
		     "first administrator: admin  one-time password: %s\n(shown only this once; it must be changed at the first log-in)\n"),
	       password);
	return HK_OK;
}

static int count_version(void *ctx, const struct hk_strategy_version *v)
{
	(void)v;
	(*(int *)ctx)++;
	return 0;
}

/* The first `huikuan init` (and the demo) puts in force the strategy
 * shipped with huikuan (docs/strategy.md), as its first published version. */
enum hk_rc cli_seed_strategy(struct hk_store *s, enum hk_lang lang,
				struct hk_err *err)
{
	static struct hk_strategy st; /* large: not on the stack */
	struct hk_bucket_table b;
	int versions = 0;
	int64_t ref;
	enum hk_rc rc;

	if ((rc = s->ops->strategies_scan(s, 0, false, count_version, &versions,
					  err)) != HK_OK ||
	    versions)
		return rc;
	hk_bucket_table_default(&b);
	if ((rc = hk_strategy_from_json(hk_default_strategy[0],
					strlen(hk_default_strategy[0]), &b, &st,
					lang, err)) != HK_OK)
		return rc;
	if ((rc = s->ops->begin(s, err)) == HK_OK &&
	    (rc = s->ops->strategy_insert(s, st.name, hk_default_strategy[0], 0,
					  (int64_t)time(NULL), true, &ref,
					  err)) == HK_OK)
		rc = s->ops->commit(s, err);
	if (rc != HK_OK)
		s->ops->rollback(s);
	return rc;
}

/* ... and the shipped letter and message templates (docs/letters.md), as
 * published version 1 of each code that has none. */
enum hk_rc cli_seed_templates(struct hk_store *s, struct hk_err *err)
{
	int added = 0;
	enum hk_rc rc;

	if ((rc = s->ops->begin(s, err)) == HK_OK &&
	    (rc = hk_templates_seed(s, (int64_t)time(NULL), &added, err)) ==
		    HK_OK)
		rc = s->ops->commit(s, err);
	if (rc != HK_OK)
		s->ops->rollback(s);
	return rc;
}

int cmd_init(struct cli *cli, int argc, char **argv)
{
	struct hk_store *s;
	struct hk_err err = {0};
	int version = 0, status;

	for (int i = 0; i < argc; i++) {
		if (!cli_take_db(cli, argc, argv, &i))
			return cli_usage(cli, HK_TR(cli->lang, "init 不接受参数 %s",
						    "init takes no argument %s"),
					 argv[i]);
	}
	if ((status = cli_open(cli, true, &s)) != EXIT_DONE)
		return status;
	if (create_first_admin(cli, s, &err) != HK_OK ||
	    cli_seed_strategy(s, cli->lang, &err) != HK_OK ||
	    cli_seed_templates(s, &err) != HK_OK) {
		hk_store_close(s);
		return cli_fail(cli, err.code, &err);
	}
	s->ops->schema_version(s, &version, &err);
	printf(HK_TR(cli->lang, "数据库已就绪：%s（结构版本 %d）\n",
		     "database ready: %s (schema version %d)\n"),
	       cli->db, version);
	hk_store_close(s);
	return EXIT_DONE;
}
