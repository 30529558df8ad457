/*
 * server.c - the HTTP server: libmicrohttpd (thread pool on epoll), request
 * bodies buffered up to a limit, a pool of store connections the worker
 * threads share (reopened when the database drops one), JSON answers and
 * errors in the caller's language, one access-log line per request, and a
 * graceful stop on SIGTERM/SIGINT.
 *
 * It must never exit because one request failed, never answer anything but
 * JSON from /api, and never log a request body (it may hold personal data).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include "hk/arena.h"
#include "hk/letters.h"
#include "http_int.h"

#define DEFAULT_MAX_BODY (1024 * 1024)
#define DRAIN_SECONDS 10
/* how long a request waits for a connection when all are lent */
#define POOL_WAIT_SECONDS 5

/* The store connections: at most `size` open, each lent to one request at
 * a time (an SQLite connection is opened NOMUTEX), opened when a request
 * finds none idle.  Nothing here outlives the process or matters to
 * another one: a second server keeps its own pool. */
struct pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;     /* a connection came back, or a slot */
	const char *db_uri;
	enum hk_lang lang;        /* of the console messages */
	unsigned size;            /* most connections open at once */
	unsigned open;            /* idle, lent, or being opened */
	unsigned n_idle;
	struct hk_store **idle;   /* `size` slots; the last given back on top */
};

enum pool_rc { POOL_LENT, POOL_BUSY, POOL_DOWN };

struct server {
	const struct hk_server_opts *opts;
	char files_dir[4096];
	size_t max_body;
	struct pool pool;
	atomic_int in_flight;
};

/* One request's buffered body and start time. */
struct conn_ctx {
	char *body;
	size_t len, cap;
	bool too_big;
	struct timespec t0;
};

/* ---- per-request memory: while a worker thread handles a request, every
 * jansson allocation comes from the thread's arena and is released at once
 * when the answer has been queued.  Outside a request (start-up, other
 * threads) jansson uses malloc as usual. */
static pthread_key_t arena_key;
static pthread_once_t arena_once = PTHREAD_ONCE_INIT;
static __thread struct hk_arena *req_arena; /* set while in a request */

static void *json_alloc(size_t n)
{
	return req_arena ? hk_arena_alloc(req_arena, n) : malloc(n);
}

static void json_free(void *p)
{
	struct hk_arena *a = pthread_getspecific(arena_key);

	if (p && !(a && hk_arena_owns(a, p)))
		free(p);
}

void hk_json_text_free(char *text)
{
	json_free(text);
}

static void arena_destroy(void *a)
{
	hk_arena_release(a);
	free(a);
}

static void arena_setup(void)
{
	pthread_key_create(&arena_key, arena_destroy);
	json_set_alloc_funcs(json_alloc, json_free);
}

static void request_arena_begin(void)
{
	struct hk_arena *a = pthread_getspecific(arena_key);

	if (!a) {
		a = hk_calloc(1, sizeof(*a));
		pthread_setspecific(arena_key, a);
	}
	req_arena = a;
}

static void request_arena_end(void)
{
	struct hk_arena *a = req_arena;

	req_arena = NULL;
	if (a)
		hk_arena_reset(a);
}

/* ====================================================================
 * The store connection pool
 * ==================================================================== */

static void pool_init(struct pool *p, const char *db_uri, unsigned size,
		      enum hk_lang lang)
{
	pthread_condattr_t attr;

	pthread_mutex_init(&p->lock, NULL);
	/* deadlines on the monotonic clock: a clock step must not stretch
	 * or cut a request's wait */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&p->freed, &attr);
	pthread_condattr_destroy(&attr);
	p->db_uri = db_uri;
	p->lang = lang;
	p->size = size;
	p->open = p->n_idle = 0;
	p->idle = hk_calloc(size, sizeof(*p->idle));
}

/* Close every connection.  Only when no request holds one (the daemon has
 * stopped). */
static void pool_release(struct pool *p)
{
	while (p->n_idle)
		hk_store_close(p->idle[--p->n_idle]);
	free(p->idle);
	p->idle = NULL;
	p->open = 0;
	pthread_cond_destroy(&p->freed);
	pthread_mutex_destroy(&p->lock);
}

static bool store_alive(struct hk_store *s)
{
	return !s->ops->alive || s->ops->alive(s);
}

static void lost_connection(const struct pool *p)
{
	fprintf(stderr, "huikuan: %s\n",
		HK_TR(p->lang, "数据库连接已断开，已关闭；下一个请求重新连接",
		      "a database connection was lost and closed; the next request reconnects"));
}

/*
 * Lend a connection to a request (*out), answering in `lang`: an idle one,
 * else a new one while fewer than `size` are open, else wait up to
 * POOL_WAIT_SECONDS for one to come back.  POOL_BUSY when none did,
 * POOL_DOWN when a new one could not be opened (logged).  Give it back
 * with pool_give.
 */
static enum pool_rc pool_take(struct pool *p, enum hk_lang lang,
			      struct hk_store **out)
{
	struct hk_store *s = NULL;
	struct hk_err err = {0};
	struct timespec deadline;
	int waited = 0;

	*out = NULL;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += POOL_WAIT_SECONDS;
	pthread_mutex_lock(&p->lock);
	while (!p->n_idle && p->open == p->size && waited != ETIMEDOUT)
		waited = pthread_cond_timedwait(&p->freed, &p->lock, &deadline);
	if (p->n_idle) {
		s = p->idle[--p->n_idle];
	} else if (p->open < p->size) {
		p->open++; /* the slot is ours; open outside the lock */
	} else {
		pthread_mutex_unlock(&p->lock);
		return POOL_BUSY;
	}
	pthread_mutex_unlock(&p->lock);

	/* broken while idle (the database restarted): a new one takes its
	 * slot, so the request does not fail for it */
	if (s && !store_alive(s)) {
		lost_connection(p);
		hk_store_close(s);
		s = NULL;
	}
	if (!s && (hk_store_open(p->db_uri, lang, &s, &err) != HK_OK ||
		   s->ops->serve_reads(s, &err) != HK_OK)) {
		fprintf(stderr, "huikuan: %s\n", err.msg);
		hk_store_close(s);
		pthread_mutex_lock(&p->lock);
		p->open--;
		pthread_cond_signal(&p->freed); /* a waiter may try instead */
		pthread_mutex_unlock(&p->lock);
		return POOL_DOWN;
	}
	s->lang = lang; /* its errors in this caller's language */
	*out = s;
	return POOL_LENT;
}

/* Take back a lent connection; one found broken (it failed its request,
 * most likely) is closed and its slot freed, so the next request opens a
 * fresh one. */
static void pool_give(struct pool *p, struct hk_store *s)
{
	bool alive = store_alive(s);

	if (!alive) {
		lost_connection(p);
		hk_store_close(s);
	}
	pthread_mutex_lock(&p->lock);
	if (alive)
		p->idle[p->n_idle++] = s;
	else
		p->open--;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

static enum hk_lang request_lang(struct MHD_Connection *conn)
{
	const char *al = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     "Accept-Language");

	return al && !strncasecmp(al, "en", 2) ? HK_LANG_EN : HK_LANG_ZH;
}

/* ====================================================================
 * Helpers for handlers
 * ==================================================================== */

void hk_reply(struct hk_req *req, int status, json_t *body)
{
	if (req->json)
		json_decref(req->json);
	free(req->raw);
	req->raw = NULL;
	req->status = status;
	req->json = body;
}

void hk_reply_raw(struct hk_req *req, int status, const char *type,
		  char *bytes, size_t len, const char *filename)
{
	hk_reply(req, status, NULL);
	req->raw = bytes;
	req->raw_len = len;
	req->raw_type = type;
	if (filename) {
		char v[192];

		/* the names made here are ASCII: a plain filename= will do */
		snprintf(v, sizeof(v), "attachment; filename=\"%s\"", filename);
		hk_reply_header(req, "Content-Disposition", v);
	}
}

void hk_reply_error(struct hk_req *req, enum hk_rc rc, int status,
		    const char *message)
{
	hk_reply(req, status ? status : hk_rc_http_status(rc),
		 json_pack("{s:s, s:s}", "code", hk_rc_name(rc), "message",
			   message ? message : hk_rc_message(rc, req->lang)));
}

bool hk_req_one_text(struct hk_req *req, const char *key, char *out,
		     size_t cap, const char *zh, const char *en)
{
	const char *const fields[] = {key, NULL};
	json_t *body = hk_req_json_object(req, fields);
	const char *v;

	if (!body)
		return false;
	v = json_string_value(json_object_get(body, key));
	if (!v || !*v || strlen(v) >= cap) {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400, HK_TR(req->lang, zh, en));
		return false;
	}
	snprintf(out, cap, "%s", v);
	json_decref(body);
	return true;
}

bool hk_one_of(const char *value, const char *const *list)
{
	for (size_t i = 0; value && list[i]; i++)
		if (!strcmp(value, list[i]))
			return true;
	return false;
}

void hk_reply_header(struct hk_req *req, const char *name, const char *value)
{
	if (req->n_headers == sizeof(req->headers) / sizeof(req->headers[0]))
		return;
	snprintf(req->headers[req->n_headers][0], sizeof(req->headers[0][0]),
		 "%s", name);
	snprintf(req->headers[req->n_headers][1], sizeof(req->headers[0][1]),
		 "%s", value);
	req->n_headers++;
}

const char *hk_req_header(struct hk_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *hk_req_query(struct hk_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
					   name);
}

json_t *hk_req_json_object(struct hk_req *req, const char *const *allowed)
{
	json_error_t jerr;
	json_t *obj;
	const char *key;
	json_t *value;
	char msg[256];

	if (!req->body || !req->body_len) {
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang, "请求体为空；需要 JSON 对象",
				     "the request body is empty; a JSON object is needed"));
		return NULL;
	}
	obj = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES,
			 &jerr);
	if (!obj || !json_is_object(obj)) {
		snprintf(msg, sizeof(msg),
			 HK_TR(req->lang, "请求体不是有效的 JSON 对象（第 %d 行第 %d 列）",
			       "the request body is not a valid JSON object (line %d, column %d)"),
			 obj ? 1 : jerr.line, obj ? 1 : jerr.column);
		json_decref(obj);
		hk_reply_error(req, HK_EINVAL, 400, msg);
		return NULL;
	}
	json_object_foreach(obj, key, value) {
		bool known = false;

		for (size_t i = 0; allowed && allowed[i]; i++)
			known = known || !strcmp(allowed[i], key);
		if (!known) {
			snprintf(msg, sizeof(msg),
				 HK_TR(req->lang, "未知字段 %.64s", "unknown field %.64s"),
				 key);
			json_decref(obj);
			hk_reply_error(req, HK_EINVAL, 400, msg);
			return NULL;
		}
	}
	return obj;
}

/* ====================================================================
 * The request lifecycle
 * ==================================================================== */

static enum MHD_Result send_json(struct MHD_Connection *conn,
				 const struct hk_req *req)
{
	int status = req->status;
	json_t *body = req->json;
	char *text = req->raw ? NULL : json_dumps(body, JSON_COMPACT);
	size_t len = text ? strlen(text) : 0;
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (req->raw) {
		resp = MHD_create_response_from_buffer(req->raw_len, req->raw,
						       MHD_RESPMEM_MUST_COPY);
		MHD_add_response_header(resp, "Content-Type", req->raw_type);
	} else {
		/* The text is in the request's arena: MHD keeps a copy. */
		resp = MHD_create_response_from_buffer(
			len, text ? text : (char *)"",
			text ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(resp, "Content-Type",
					"application/json; charset=utf-8");
	}
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	for (size_t i = 0; i < req->n_headers; i++)
		MHD_add_response_header(resp, req->headers[i][0],
					req->headers[i][1]);
	ret = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void access_log(const char *method,
		       const char *url, int status, const struct timespec *t0)
{
	struct timespec t1;
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	json_t *line;
	char *text;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	line = json_pack("{s:s, s:s, s:s, s:i, s:f}", "time", when, "method",
			 method, "path", url, "status", status, "ms",
			 (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
				 (double)(t1.tv_nsec - t0->tv_nsec) / 1e6);
	text = json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(4));
	if (text)
		fprintf(stderr, "%s\n", text);
	hk_json_text_free(text);
	json_decref(line);
}

static void client_address(struct MHD_Connection *conn, char *out,
			   size_t cap)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, cap, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
			  out, (socklen_t)cap);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
			  (socklen_t)cap);
}

struct query_check {
	const char *allowed; /* "a,b,c" or NULL */
	char unknown[64];
};

static enum MHD_Result check_query_arg(void *cls, enum MHD_ValueKind kind,
				       const char *key, const char *value)
{
	struct query_check *q = cls;
	size_t n = strlen(key);
	const char *p = q->allowed;

	(void)kind;
	(void)value;
	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && !memcmp(p, key, n))
			return MHD_YES;
		p = end ? end + 1 : NULL;
	}
	snprintf(q->unknown, sizeof(q->unknown), "%s", key);
	return MHD_NO;
}

/* A misspelt filter must not quietly widen a list: a query parameter the
 * route does not take answers 400. */
static bool query_known(struct hk_req *req, const struct hk_route *route)
{
	struct query_check q = {.allowed = route->query};
	char msg[160];

	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND,
				  check_query_arg, &q);
	if (!q.unknown[0])
		return true;
	snprintf(msg, sizeof(msg),
		 HK_TR(req->lang, "未知的查询参数：%s", "unknown query parameter: %s"),
		 q.unknown);
	hk_reply_error(req, HK_EINVAL, 400, msg);
	return false;
}

static void dispatch(struct server *srv, struct hk_req *req)
{
	bool path_known = false;
	const struct hk_route *route = hk_route_find(req, &path_known);

	if (!route) {
		if (path_known)
			hk_reply_error(req, HK_EUSAGE, 405,
				       HK_TR(req->lang, "该路径不支持此方法",
					     "this path does not take that method"));
		else
			hk_reply_error(req, HK_ENOTFOUND, 404,
				       HK_TR(req->lang, "没有这个接口",
					     "no such endpoint"));
		return;
	}
	switch (pool_take(&srv->pool, req->lang, &req->store)) {
	case POOL_LENT:
		break;
	case POOL_BUSY:
		hk_reply_header(req, "Retry-After", "1");
		hk_reply_error(req, HK_EDB, 503,
			       HK_TR(req->lang, "服务器繁忙：数据库连接都在使用中，请稍后重试",
				     "the server is busy: every database connection is in use; try again shortly"));
		return;
	case POOL_DOWN:
		hk_reply_header(req, "Retry-After", "1");
		hk_reply_error(req, HK_EDB, 503,
			       HK_TR(req->lang, "数据库暂不可用，请稍后重试",
				     "the database is not available; try again shortly"));
		return;
	}
	if (hk_authenticate(req, route) && query_known(req, route))
		route->handler(req);
	if (!req->json && !req->raw)
		hk_reply_error(req, HK_EINTERNAL, 500, NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct server *srv = cls;
	struct conn_ctx *cc = *con_cls;
	struct hk_req req;
	enum MHD_Result ret;

	(void)version;
	if (!cc) {
		const char *cl = MHD_lookup_connection_value(
			conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

		cc = hk_calloc(1, sizeof(*cc));
		clock_gettime(CLOCK_MONOTONIC, &cc->t0);
		*con_cls = cc;
		atomic_fetch_add(&srv->in_flight, 1);
		/* Refuse an announced oversized body before reading it. */
		if (cl && strtoull(cl, NULL, 10) > srv->max_body)
			cc->too_big = true;
		else
			return MHD_YES;
	}
	if (*upload_data_size) {
		if (!cc->too_big && cc->len + *upload_data_size <= srv->max_body) {
			if (cc->len + *upload_data_size + 1 > cc->cap) {
				cc->cap = 2 * (cc->len + *upload_data_size) + 1;
				cc->body = hk_realloc(cc->body, cc->cap);
			}
			memcpy(cc->body + cc->len, upload_data, *upload_data_size);
			cc->len += *upload_data_size;
			cc->body[cc->len] = '\0';
		} else {
			cc->too_big = true; /* keep reading, keep nothing */
		}
		*upload_data_size = 0;
		return MHD_YES;
	}

	/* The web interface's files: everything outside /api. */
	if (srv->opts->web_dir && strncmp(url, "/api/", 5) && strcmp(url, "/api")) {
		int status = 0;

		ret = (enum MHD_Result)hk_static_serve(conn, srv->opts->web_dir,
						       method, url, &status);
		access_log(method, url, status, &cc->t0);
		return ret;
	}
	request_arena_begin();
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = url;
	req.body = cc->body;
	req.body_len = cc->len;
	req.lang = request_lang(conn);
	req.cfg = srv->opts->cfg;
	req.conn = conn;
	client_address(conn, req.client, sizeof(req.client));
	req.files_dir = srv->files_dir;
	if (cc->too_big) {
		char msg[128];

		snprintf(msg, sizeof(msg),
			 HK_TR(req.lang, "请求体超过 %zu 字节的上限",
			       "the request body is over the limit of %zu bytes"),
			 srv->max_body);
		hk_reply_error(&req, HK_EINVAL, 413, msg);
	} else {
		dispatch(srv, &req);
	}
	ret = send_json(conn, &req);
	/* the answer is queued: the connection is the next request's */
	if (req.store)
		pool_give(&srv->pool, req.store);
	access_log(method, url, req.status, &cc->t0);
	json_decref(req.json);
	free(req.raw);
	request_arena_end();
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn,
			 void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct conn_ctx *cc = *con_cls;

	(void)conn;
	(void)toe;
	if (!cc)
		return;
	free(cc->body);
	free(cc);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->in_flight, 1);
}

/* ====================================================================
 * Start, wait for a signal, stop
 * ==================================================================== */

/* One worker per processor: the work is CPU-bound (SQLite reads come from
 * the page cache), and more threads than cores only lengthen the tail
 * (bench/README.md: p99 15 ms with 2 threads on 2 cores, 20 ms with 4). */
static unsigned default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 2 ? 2 : n > 64 ? 64 : (unsigned)n;
}

static const struct hk_server_opts *server_opts;

/* ---- the outbox's sender: a thread of its own with its own connection,
 * every SEND_EVERY seconds, while a channel is configured.  Several
 * servers may each run one: a message is leased to one sender at a time
 * (docs/letters.md). */
#define SEND_EVERY 5

struct sender {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop, running;
	const struct hk_server_opts *opts;
};

static void *sender_main(void *arg)
{
	struct sender *sd = arg;
	struct hk_store *s = NULL;
	struct hk_err err = {0};

	pthread_mutex_lock(&sd->mu);
	while (!sd->stop) {
		struct timespec until;

		pthread_mutex_unlock(&sd->mu);
		if (!s && hk_store_open(sd->opts->db_uri, sd->opts->lang, &s,
					&err) != HK_OK) {
			fprintf(stderr, "huikuan: outbox: %s\n", err.msg);
			s = NULL;
		}
		if (s) {
			int sent = 0;

			if (hk_outbox_send(s, sd->opts->cfg, (int64_t)time(NULL), 100,
					   &sent, sd->opts->lang, &err) != HK_OK) {
				fprintf(stderr, "huikuan: outbox: %s\n", err.msg);
				if (s->ops->alive && !s->ops->alive(s)) {
					hk_store_close(s);
					s = NULL;
				}
			}
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += SEND_EVERY;
		pthread_mutex_lock(&sd->mu);
		if (!sd->stop)
			pthread_cond_timedwait(&sd->cv, &sd->mu, &until);
	}
	pthread_mutex_unlock(&sd->mu);
	hk_store_close(s);
	return NULL;
}

static void sender_start(struct sender *sd, const struct hk_server_opts *opts)
{
	memset(sd, 0, sizeof(*sd));
	sd->opts = opts;
	if (opts->no_send || (!opts->cfg->sms.url[0] && !opts->cfg->email.url[0]))
		return;
	pthread_mutex_init(&sd->mu, NULL);
	pthread_cond_init(&sd->cv, NULL);
	sd->running = pthread_create(&sd->thread, NULL, sender_main, sd) == 0;
}

static void sender_stop(struct sender *sd)
{
	if (!sd->running)
		return;
	pthread_mutex_lock(&sd->mu);
	sd->stop = true;
	pthread_cond_broadcast(&sd->cv);
	pthread_mutex_unlock(&sd->mu);
	pthread_join(sd->thread, NULL);
	pthread_mutex_destroy(&sd->mu);
	pthread_cond_destroy(&sd->cv);
}

const struct hk_server_opts *hk_server_options(void)
{
	return server_opts;
}

enum hk_rc hk_server_run(const struct hk_server_opts *opts, struct hk_err *err)
{
	struct server srv = {.opts = opts};
	struct sender sender;
	struct sockaddr_in addr = {.sin_family = AF_INET};
	unsigned threads = opts->threads ? opts->threads : default_threads();
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	sigset_t stop_signals;
	int sig = 0;

	server_opts = opts;
	srv.max_body = opts->max_body ? opts->max_body : DEFAULT_MAX_BODY;
	/* Evidence files live beside the database file. */
	hk_files_dir(opts->cfg, opts->db_uri, srv.files_dir, sizeof(srv.files_dir));
	atomic_init(&srv.in_flight, 0);
	if (inet_pton(AF_INET, opts->host, &addr.sin_addr) != 1)
		return hk_err_set(err, HK_EUSAGE,
				  HK_TR(opts->lang, "无效的监听地址 %s（需要 IPv4 地址）",
					"invalid listen address %s (an IPv4 address is needed)"),
				  opts->host);
	addr.sin_port = htons(opts->port);
	if (hk_guard_init(opts->cfg, err) != HK_OK)
		return HK_ECONFIG;
	pool_init(&srv.pool, opts->db_uri,
		  opts->db_connections ? opts->db_connections : threads,
		  opts->lang);
	pthread_once(&arena_once, arena_setup);
	/* "Today" is the debtors' calendar day: set the zone once, before any
	 * thread starts, so localtime_r needs nothing else. */
	setenv("TZ", opts->cfg->time_zone, 1);
	tzset();

	/* Worker threads inherit this mask: only the main thread takes the
	 * stop signals, in sigwait below. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	d = MHD_start_daemon(
		MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC |
			MHD_USE_ERROR_LOG,
		0, NULL, NULL, on_request, &srv, MHD_OPTION_SOCK_ADDR, &addr,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_END);
	if (!d) {
		pthread_sigmask(SIG_UNBLOCK, &stop_signals, NULL);
		pool_release(&srv.pool);
		return hk_err_set(err, HK_EIO,
				  HK_TR(opts->lang, "无法监听 %s:%u：%s",
					"could not listen on %s:%u: %s"),
				  opts->host, (unsigned)opts->port, strerror(errno));
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf(HK_TR(opts->lang, "正在监听 http://%s:%u\n",
		     "listening on http://%s:%u\n"),
	       opts->host, info ? (unsigned)info->port : (unsigned)opts->port);
	fflush(stdout);

	sender_start(&sender, opts);
	sigwait(&stop_signals, &sig);
	sender_stop(&sender);
	/* Stop taking connections, let the requests in flight finish. */
	MHD_quiesce_daemon(d);
	for (int i = 0; i < DRAIN_SECONDS * 100 &&
			atomic_load(&srv.in_flight) > 0;
	     i++) {
		struct timespec ms10 = {0, 10 * 1000 * 1000};
		nanosleep(&ms10, NULL);
	}
	MHD_stop_daemon(d);
	pool_release(&srv.pool);
	pthread_sigmask(SIG_UNBLOCK, &stop_signals, NULL);
	fprintf(stderr, "%s\n",
		HK_TR(opts->lang, "服务已停止", "server stopped"));
	return HK_OK;
}
