/*
 * static.c - the web interface's built files (web/dist, issue 5), served
 * beside the API: GET and HEAD of any path outside /api.  A path with no
 * file and no extension is one of the interface's own routes (/cases/12):
 * it gets index.html.  Hashed assets (/assets/...) are cached for a year;
 * everything else is revalidated.  Every answer carries a strict
 * Content-Security-Policy: scripts only from this origin, no inline script.
 */
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include "http_int.h"

/* Styles may be inline: Element Plus sets element styles. */
#define CSP                                                                    \
	"default-src 'self'; script-src 'self'; "                              \
	"style-src 'self' 'unsafe-inline'; img-src 'self' data:; "            \
	"font-src 'self' data:; connect-src 'self'; object-src 'none'; "      \
	"base-uri 'self'; frame-ancestors 'none'; form-action 'self'"

static const struct {
	const char *ext, *type;
} types[] = {
	{".html", "text/html; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".json", "application/json; charset=utf-8"},
	{".map", "application/json; charset=utf-8"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".jpg", "image/jpeg"},
	{".ico", "image/x-icon"},
	{".woff2", "font/woff2"},
	{".woff", "font/woff"},
	{".ttf", "font/ttf"},
	{".txt", "text/plain; charset=utf-8"},
};

static const char *type_of(const char *path)
{
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

/* A path the interface may ask for: absolute, no "..", no backslash, no
 * hidden file. */
static bool path_ok(const char *url)
{
	if (url[0] != '/' || strchr(url, '\\'))
		return false;
	for (const char *p = url; (p = strchr(p, '/')); p++)
		if (p[1] == '.')
			return false;
	return true;
}

static int open_file(const char *dir, const char *url, struct stat *st)
{
	char path[PATH_MAX];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s%s", dir, url) >=
	    sizeof(path))
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

static enum MHD_Result plain(struct MHD_Connection *conn, unsigned status,
			     const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
	MHD_add_response_header(r, "Content-Security-Policy", CSP);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

int hk_static_serve(void *connection, const char *web_dir, const char *method,
		    const char *url, int *status)
{
	struct MHD_Connection *conn = connection;
	const char *want = strcmp(url, "/") ? url : "/index.html";
	const char *slash = strrchr(want, '/');
	struct MHD_Response *r;
	struct stat st;
	enum MHD_Result ret;
	bool asset = !strncmp(want, "/assets/", 8);
	int fd;

	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		*status = 405;
		return plain(conn, 405, "405 method not allowed\n");
	}
	if (!path_ok(want)) {
		*status = 404;
		return plain(conn, 404, "404 not found\n");
	}
	fd = open_file(web_dir, want, &st);
	/* the interface's own routes have no extension: its index answers */
	if (fd < 0 && !strchr(slash, '.')) {
		want = "/index.html";
		asset = false;
		fd = open_file(web_dir, want, &st);
	}
	if (fd < 0) {
		*status = 404;
		return plain(conn, 404, "404 not found\n");
	}
	r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (!r) {
		close(fd);
		*status = 500;
		return plain(conn, 500, "500 internal error\n");
	}
	MHD_add_response_header(r, "Content-Type", type_of(want));
	MHD_add_response_header(r, "Content-Security-Policy", CSP);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	/* built asset names carry a hash of their content */
	MHD_add_response_header(r, "Cache-Control",
				asset ? "public, max-age=31536000, immutable"
				      : "no-cache");
	*status = 200;
	ret = MHD_queue_response(conn, 200, r);
	MHD_destroy_response(r);
	return ret;
}

bool hk_web_dir_find(const char *given, char *out, size_t cap)
{
	/* beside the binary: build/huikuan in a source tree, or an installed
	 * bin/huikuan with share/huikuan/web */
	static const char *const rel[] = {"/../web/dist",
					  "/../share/huikuan/web"};
	char exe[PATH_MAX], probe[PATH_MAX + 32], *cut;
	const char *env = getenv("HUIKUAN_WEB");
	ssize_t n;
	struct stat st;

	if (given || env) {
		snprintf(out, cap, "%s", given ? given : env);
		return true;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	if ((cut = strrchr(exe, '/')))
		*cut = '\0';
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(probe, sizeof(probe), "%s%s/index.html", exe, rel[i]);
		if (stat(probe, &st) == 0 && S_ISREG(st.st_mode)) {
			snprintf(out, cap, "%s%s", exe, rel[i]);
			return true;
		}
	}
	return false;
}
