/*
 * cli.h - what the command files share: the parsed global options, the
 * user's language, and helpers to open the store and report errors.
 * One file per command, each with a cmd_<name>() entry point.
 */
#ifndef HK_CLI_H
#define HK_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "hk/batch.h"
#include "hk/io.h"
#include "hk/store.h"

struct cli {
	const char *db;     /* --db, $HUIKUAN_DB, or ./huikuan.db */
	const char *config; /* --config, or NULL */
	enum hk_lang lang;
	bool tty;           /* stderr is a terminal: show progress */
};

/* Exit statuses of cli.md. */
enum { EXIT_DONE = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_INVALID = 3,
       EXIT_REFUSED = 4 };

int cmd_init(struct cli *cli, int argc, char **argv);
int cmd_import(struct cli *cli, int argc, char **argv);
int cmd_eod(struct cli *cli, int argc, char **argv);
int cmd_export(struct cli *cli, int argc, char **argv);
int cmd_demo(struct cli *cli, int argc, char **argv);
int cmd_serve(struct cli *cli, int argc, char **argv);
int cmd_gen(struct cli *cli, int argc, char **argv);
int cmd_audit(struct cli *cli, int argc, char **argv);
int cmd_letters(struct cli *cli, int argc, char **argv);
int cmd_messages(struct cli *cli, int argc, char **argv);
int cmd_report(struct cli *cli, int argc, char **argv);

/* Print "huikuan: <message>" to stderr and return the exit status for rc. */
int cli_fail(const struct cli *cli, enum hk_rc rc, const struct hk_err *err);
/* Print a usage error (printf format) and return EXIT_USAGE. */
int cli_usage(const struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* `--db URI` given after the command: take it and advance *i; false when
 * argv[*i] is something else. */
bool cli_take_db(struct cli *cli, int argc, char **argv, int *i);
/* The usage error for an argument a command does not take. */
int cli_unknown(const struct cli *cli, const char *arg);
/* Open the store (and, if `migrate`, create or migrate its schema).  On
 * failure prints the error and returns its exit status (non-zero). */
int cli_open(struct cli *cli, bool migrate, struct hk_store **out);
/* Load the configuration; prints and returns the exit status on failure. */
int cli_config(struct cli *cli, struct hk_config *cfg);
/* A whole number in [lo, hi] written in decimal, nothing else around it;
 * false (and *out untouched) otherwise.  Every command's numeric
 * argument goes through here (atoi would take "12abc" and overflow). */
bool cli_number(const char *s, long long lo, long long hi, long long *out);
/* Today's date in time zone `tz`. */
int32_t cli_today(const char *tz);
/* Put the strategy shipped with huikuan in force in a database that has
 * none (cmd_init.c): init and the demo. */
enum hk_rc cli_seed_strategy(struct hk_store *s, enum hk_lang lang,
			     struct hk_err *err);
/* The shipped letter and message templates, where a code has none. */
enum hk_rc cli_seed_templates(struct hk_store *s, struct hk_err *err);

#endif
