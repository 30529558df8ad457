/*
 * cmd_messages.c - `huikuan messages` (docs/letters.md "Messages"):
 *
 *   messages queue                   the SMS and emails the day's
 *                                    treatments ask for, into the outbox
 *                                    (guardrails applied), once a day each
 *   messages send [--max N] [--loop] send what is due through [sms] and
 *                                    [email]; --loop keeps at it (every 5 s)
 *                                    until SIGTERM or SIGINT
 *
 * `huikuan serve` sends too when a channel is configured; several senders
 * never send a message twice (each takes a lease).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hk/guard.h"
#include "hk/letters.h"
#include "cli.h"

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

int cmd_messages(struct cli *cli, int argc, char **argv)
{
	static struct hk_config cfg;
	const char *sub = argc > 0 ? argv[0] : "";
	bool loop = false;
	int max = 100, status;
	struct hk_store *s;
	struct hk_err err = {0};
	enum hk_rc rc = HK_OK;

	for (int i = 1; i < argc; i++) {
		if (cli_take_db(cli, argc, argv, &i))
			continue;
		if (!strcmp(argv[i], "--loop"))
			loop = true;
		else if (!strcmp(argv[i], "--max") && i + 1 < argc) {
			long long n;

			if (!cli_number(argv[++i], 1, 10000, &n))
				return cli_usage(cli, "%s", "--max 1..10000");
			max = (int)n;
		} else
			return cli_unknown(cli, argv[i]);
	}
	if (strcmp(sub, "queue") && strcmp(sub, "send"))
		return cli_usage(cli, "%s",
				 HK_TR(cli->lang,
				       "用法：huikuan messages queue | send [--max N] [--loop]",
				       "usage: huikuan messages queue | send [--max N] [--loop]"));
	if ((status = cli_config(cli, &cfg)) != EXIT_DONE)
		return status;
	/* the debtors' clock: quiet hours and "today" are theirs */
	setenv("TZ", cfg.time_zone, 1);
	tzset();
	if ((rc = hk_guard_init(&cfg, &err)) != HK_OK)
		return cli_fail(cli, rc, &err);
	if ((status = cli_open(cli, false, &s)) != EXIT_DONE)
		return status;
	if (!strcmp(sub, "queue")) {
		int queued = 0, refused = 0;

		rc = hk_messages_from_treatments(s, &cfg, (int64_t)time(NULL),
						 &queued, &refused, cli->lang, &err);
		if (rc == HK_OK)
			printf(HK_TR(cli->lang, "已排队 %d 条消息，%d 条被拒绝或无法发送\n",
				     "%d messages queued, %d refused or not sendable\n"),
			       queued, refused);
	} else {
		signal(SIGTERM, on_stop);
		signal(SIGINT, on_stop);
		do {
			int sent = 0;

			rc = hk_outbox_send(s, &cfg, (int64_t)time(NULL), max, &sent,
					    cli->lang, &err);
			if (rc == HK_OK && (sent || !loop))
				printf(HK_TR(cli->lang, "已发送 %d 条\n", "%d sent\n"),
				       sent);
			fflush(stdout);
			for (int i = 0; loop && rc == HK_OK && !stopping && i < 50; i++)
				usleep(100000);
		} while (loop && rc == HK_OK && !stopping);
	}
	hk_store_close(s);
	return rc == HK_OK ? EXIT_DONE : cli_fail(cli, rc, &err);
}
