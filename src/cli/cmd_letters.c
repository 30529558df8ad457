/*
 * cmd_letters.c - `huikuan letters` (docs/letters.md):
 *
 *   letters write CASE CODE         one letter for case CASE (its id) from
 *                                   the letter template CODE, recorded
 *   letters batch [--template CODE] [--cases ID,ID,...] [--threads N]
 *                                   a batch: the day's treatments' letters,
 *                                   or those cases with CODE; written now
 *   letters run BATCH [--threads N] write what a batch has not yet (after
 *                                   a crash, or one the server queued)
 *
 * Files go under [files] dir (docs/configuration.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hk/guard.h"
#include "hk/letters.h"
#include "cli.h"

static int usage(struct cli *cli)
{
	return cli_usage(cli, "%s",
			 HK_TR(cli->lang,
			       "用法：huikuan letters write 案件号 模板代码 | batch [--template 代码] [--cases 号,号…] [--threads N] | run 批次号 [--threads N]",
			       "usage: huikuan letters write CASE CODE | batch [--template CODE] [--cases ID,ID,...] [--threads N] | run BATCH [--threads N]"));
}

static bool parse_ref(const char *s, int64_t *out)
{
	long long v;

	if (!cli_number(s, 1, INT64_MAX, &v))
		return false;
	*out = v;
	return true;
}

static void show_progress(void *ctx, int64_t done, int64_t total)
{
	struct cli *cli = ctx;

	if (cli->tty && total > 0)
		fprintf(stderr, HK_TR(cli->lang, "\r信函：%lld/%lld",
				      "\rletters: %lld/%lld"),
			(long long)done, (long long)total);
}

static int write_one(struct cli *cli, struct hk_store *s,
		     const struct hk_config *cfg, const char *files,
		     int64_t case_ref, const char *code)
{
	struct hk_letter_rec l;
	struct hk_err err = {0};
	char path[1200];
	enum hk_rc rc;

	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = hk_letter_write(s, cfg, files, case_ref, code, 0, &l,
				  cli->lang, &err)) == HK_OK)
		rc = s->ops->commit(s, &err);
	if (rc != HK_OK) {
		s->ops->rollback(s);
		return cli_fail(cli, rc, &err);
	}
	hk_stored_path(files, l.sha256, path, sizeof(path));
	printf(HK_TR(cli->lang, "信函 %s：%d 页，SHA-256 %s\n%s\n",
		     "letter %s: %d pages, SHA-256 %s\n%s\n"),
	       l.serial, l.pages, l.sha256, path);
	return EXIT_DONE;
}

static int run_batch(struct cli *cli, struct hk_store *s,
		     const struct hk_config *cfg, const char *files,
		     int64_t batch, int threads)
{
	struct hk_err err = {0};
	enum hk_rc rc = hk_batch_run(s, cfg, files, batch, threads,
				     show_progress, cli, cli->lang, &err);

	if (cli->tty)
		fputc('\n', stderr);
	if (rc != HK_OK)
		return cli_fail(cli, rc, &err);
	return EXIT_DONE;
}

int cmd_letters(struct cli *cli, int argc, char **argv)
{
	static struct hk_config cfg;
	const char *sub = argc > 0 ? argv[0] : "", *code = NULL, *cases = NULL;
	const char *pos[2] = {NULL, NULL};
	int npos = 0, threads = 0, status;
	char files[600];
	struct hk_store *s;

	for (int i = 1; i < argc; i++) {
		if (cli_take_db(cli, argc, argv, &i))
			continue;
		if (!strcmp(argv[i], "--template") && i + 1 < argc)
			code = argv[++i];
		else if (!strcmp(argv[i], "--cases") && i + 1 < argc)
			cases = argv[++i];
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
			long long n;

			if (!cli_number(argv[++i], 1, 64, &n))
				return usage(cli);
			threads = (int)n;
		} else if (argv[i][0] != '-' && npos < 2)
			pos[npos++] = argv[i];
		else
			return cli_unknown(cli, argv[i]);
	}
	if (strcmp(sub, "write") && strcmp(sub, "batch") && strcmp(sub, "run"))
		return usage(cli);
	if ((!strcmp(sub, "write") && npos != 2) ||
	    (!strcmp(sub, "run") && npos != 1) ||
	    (!strcmp(sub, "batch") && npos != 0))
		return usage(cli);
	if ((status = cli_config(cli, &cfg)) != EXIT_DONE)
		return status;
	/* the debtors' clock, as serve and messages have it: a letter's date,
	 * deadline and serial year, and "sent since the treatment began",
	 * are their calendar day, not the machine's (UTC: a day behind
	 * Shanghai each morning) */
	setenv("TZ", cfg.time_zone, 1);
	tzset();
	{
		/* the guardrails screen a letter's text with the lexicon: load
		 * it, as serve and messages do (unloaded, nothing matched) */
		struct hk_err err = {0};
		enum hk_rc rc = hk_guard_init(&cfg, &err);

		if (rc != HK_OK)
			return cli_fail(cli, rc, &err);
	}
	if ((status = cli_open(cli, false, &s)) != EXIT_DONE)
		return status;
	hk_files_dir(&cfg, cli->db, files, sizeof(files));
	if (!strcmp(sub, "write")) {
		int64_t ref;

		status = parse_ref(pos[0], &ref) ? write_one(cli, s, &cfg, files,
							     ref, pos[1])
						 : usage(cli);
	} else if (!strcmp(sub, "run")) {
		int64_t ref;

		status = parse_ref(pos[0], &ref)
				 ? run_batch(cli, s, &cfg, files, ref, threads)
				 : usage(cli);
	} else {
		int64_t *refs = NULL;
		size_t n = 0;
		struct hk_batch_rec b;
		struct hk_err err = {0};
		enum hk_rc rc;

		for (const char *p = cases; p && *p;) {
			char *end;
			long long v = strtoll(p, &end, 10);

			if (end == p || v <= 0 || (*end && *end != ',')) {
				free(refs);
				hk_store_close(s);
				return usage(cli);
			}
			refs = realloc(refs, (n + 1) * sizeof(*refs));
			refs[n++] = v;
			p = *end ? end + 1 : end;
		}
		if (cases && !code) {
			free(refs);
			hk_store_close(s);
			return usage(cli);
		}
		rc = hk_batch_create(s, &cfg, &(struct hk_scope){.all = true},
				     refs, n, code, 0, &b, cli->lang, &err);
		free(refs);
		if (rc != HK_OK) {
			hk_store_close(s);
			return cli_fail(cli, rc, &err);
		}
		printf(HK_TR(cli->lang, "批次 %lld：%lld 封信函\n",
			     "batch %lld: %lld letters\n"),
		       (long long)b.ref, (long long)b.total);
		status = run_batch(cli, s, &cfg, files, b.ref, threads);
	}
	hk_store_close(s);
	return status;
}
