/*
 * http.h - the JSON HTTP API server (`huikuan serve`).  libmicrohttpd with
 * a thread pool on epoll; the worker threads share a pool of store
 * connections.  See src/http/README.md.
 */
#ifndef HK_HTTP_H
#define HK_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hk/io.h"
#include "hk/rc.h"

struct hk_server_opts {
	const char *db_uri;           /* database every worker opens */
	const struct hk_config *cfg;
	const char *host;             /* listen address, "127.0.0.1" */
	uint16_t port;                /* 0: any free port */
	unsigned threads;             /* worker threads (0: one per processor) */
	unsigned db_connections;      /* most store connections (0: threads) */
	size_t max_body;              /* request body limit (0: 1 MiB) */
	enum hk_lang lang;            /* language of the console messages */
	const char *web_dir;          /* the web interface's files; NULL: none */
	const char *config_path;      /* --config, for the processes it starts
				       * (letter batches); NULL: none */
	bool no_send;                 /* do not send the outbox's messages */
};

/* Where the web interface's built files are: `given` (serve --web), else
 * $HUIKUAN_WEB, else web/dist beside a build directory's binary or
 * share/huikuan/web beside an installed one.  false when none is found. */
bool hk_web_dir_find(const char *given, char *out, size_t cap);

/*
 * Serve until SIGTERM or SIGINT, then stop taking connections, let the
 * requests in flight finish, and return HK_OK.  Once listening, prints
 * "listening on http://HOST:PORT" on stdout (flushed), so a caller that
 * asked for port 0 learns the port.  Fails with HK_EIO when the address
 * cannot be bound.
 */
enum hk_rc hk_server_run(const struct hk_server_opts *opts,
			 struct hk_err *err);

/* ---- the audit trail (audit.c) -------------------------------------- */

struct hk_store;
struct hk_audit_rec;

/* SHA-256 (hex) of a record's content chained to rec->prev_hash. */
void hk_audit_hash(const struct hk_audit_rec *rec, char out[65]);
/* Chain `rec` to the last record and append it.  Call inside the write
 * transaction of the action it records, so both land or neither does. */
enum hk_rc hk_audit_write(struct hk_store *s, struct hk_audit_rec *rec,
			  struct hk_err *err);
/*
 * Walk the whole trail.  *first_bad = 0 when it is intact; otherwise the
 * ref of the first record altered, inserted after the fact, or following a
 * removed one, with `why` (cap bytes) saying which.
 */
enum hk_rc hk_audit_verify(struct hk_store *s, int64_t *first_bad,
			   int64_t *records, char *why, size_t cap,
			   struct hk_err *err);

/* ---- passwords (auth.c): Argon2id through libsodium ----------------- */

#define HK_PASSWORD_HASH_MAX 160
#define HK_PASSWORD_MIN 10

/* Hash `password` into out (HK_PASSWORD_HASH_MAX bytes).  HK_EINTERNAL
 * when libsodium cannot (out of memory). */
enum hk_rc hk_password_hash(const char *password, char *out);
/* True when `password` matches the stored hash. */
bool hk_password_verify(const char *hash, const char *password);
/* A random password of `len` characters from an unambiguous alphabet
 * (no 0/O, 1/l/I) into out (len + 1 bytes). */
void hk_password_generate(char *out, size_t len);

#endif
