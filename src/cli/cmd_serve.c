/*
 * cmd_serve.c - `huikuan serve [--listen HOST:PORT] [--threads N]
 * [--db-connections N] [--web DIR]`: the HTTP API and the web interface.
 * Default listen 127.0.0.1:8080; port 0 takes any free port and prints it.
 * --threads sets the worker pool (1-256, default one per processor).
 * --db-connections caps the database connections the threads share (1-256,
 * default as many as threads): opened as requests need them, each lent to
 * one request at a time; a request finding all lent waits up to 5 s, then
 * answers 503.  A connection the database dropped is reopened.
 * --web names the interface's built files (default: hk_web_dir_find).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hk/http.h"
#include "cli.h"

/* A whole number from 1 to 256 into *n; false for anything else. */
static bool parse_count(const char *text, unsigned *n)
{
	long long v;

	if (!cli_number(text, 1, 256, &v))
		return false;
	*n = (unsigned)v;
	return true;
}

/* "HOST:PORT" into host (copied to buf) and port. */
static bool parse_listen(const char *text, char *buf, size_t cap,
			 uint16_t *port)
{
	const char *colon = strrchr(text, ':');
	char *end;
	unsigned long p;

	if (!colon || colon == text || (size_t)(colon - text) >= cap)
		return false;
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (errno || *end || !colon[1] || p > 65535)
		return false;
	memcpy(buf, text, (size_t)(colon - text));
	buf[colon - text] = '\0';
	*port = (uint16_t)p;
	return true;
}

int cmd_serve(struct cli *cli, int argc, char **argv)
{
	struct hk_server_opts opts = {.host = "127.0.0.1", .port = 8080};
	struct hk_config cfg;
	struct hk_err err = {0};
	struct hk_store *s;
	char host[64], web[4096];
	const char *web_given = NULL;
	int status;
	enum hk_rc rc;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--listen") && i + 1 < argc) {
			if (!parse_listen(argv[++i], host, sizeof(host), &opts.port))
				return cli_usage(cli,
						 HK_TR(cli->lang,
						       "--listen 需要 HOST:PORT，例如 127.0.0.1:8080，而不是 %s",
						       "--listen takes HOST:PORT, such as 127.0.0.1:8080, not %s"),
						 argv[i]);
			opts.host = host;
		} else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
			if (!parse_count(argv[++i], &opts.threads))
				return cli_usage(cli,
						 HK_TR(cli->lang,
						       "--threads 需要 1 到 256 之间的整数，而不是 %s",
						       "--threads takes a whole number from 1 to 256, not %s"),
						 argv[i]);
		} else if (!strcmp(argv[i], "--db-connections") && i + 1 < argc) {
			if (!parse_count(argv[++i], &opts.db_connections))
				return cli_usage(cli,
						 HK_TR(cli->lang,
						       "--db-connections 需要 1 到 256 之间的整数，而不是 %s",
						       "--db-connections takes a whole number from 1 to 256, not %s"),
						 argv[i]);
		} else if (!strcmp(argv[i], "--web") && i + 1 < argc) {
			web_given = argv[++i];
		} else if (!strcmp(argv[i], "--no-send")) {
			opts.no_send = true;
		} else if (!cli_take_db(cli, argc, argv, &i)) {
			return cli_unknown(cli, argv[i]);
		}
	}
	if ((status = cli_config(cli, &cfg)) != EXIT_DONE)
		return status;
	/* Check the database once up front: a server that cannot read it
	 * should say so now, not on the first request. */
	if ((status = cli_open(cli, false, &s)) != EXIT_DONE)
		return status;
	hk_store_close(s);
	opts.db_uri = cli->db;
	opts.cfg = &cfg;
	opts.lang = cli->lang;
	opts.config_path = cli->config;
	if (hk_web_dir_find(web_given, web, sizeof(web)))
		opts.web_dir = web;
	else
		fprintf(stderr, "%s\n",
			HK_TR(cli->lang,
			      "huikuan: 未找到网页界面文件（make web 构建，或用 --web 指定）；只提供 API",
			      "huikuan: the web interface's files were not found (build them with make web, or give --web); serving the API only"));
	rc = hk_server_run(&opts, &err);
	return rc == HK_OK ? EXIT_DONE : cli_fail(cli, rc, &err);
}
