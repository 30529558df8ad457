/*
 * auth.c - log-in, sessions and passwords.  Passwords are hashed with
 * Argon2id (libsodium); a session token is 32 random bytes given to the
 * client once, and only its SHA-256 is stored.  Browsers get it as an
 * HttpOnly, SameSite=Strict cookie plus a CSRF token that every write must
 * echo in X-CSRF-Token; machine clients ask for a bearer token instead.
 * Five wrong passwords in a row lock the account for 15 minutes.
 *
 * Must never log or echo a password or a token, and never say whether a
 * username exists.
 */
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_int.h"

#define COOKIE_NAME "hk_session"
#define COOKIE_SECONDS (12 * 3600)
#define BEARER_SECONDS (90 * 24 * 3600)
#define LOCK_AFTER 5
#define LOCK_SECONDS (15 * 60)

/* ====================================================================
 * Passwords and tokens
 * ==================================================================== */

enum hk_rc hk_password_hash(const char *password, char *out)
{
	if (sodium_init() < 0 ||
	    crypto_pwhash_str(out, password, strlen(password),
			      crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return HK_EINTERNAL;
	return HK_OK;
}

bool hk_password_verify(const char *hash, const char *password)
{
	return sodium_init() >= 0 &&
	       crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void hk_password_generate(char *out, size_t len)
{
	static const char alphabet[] =
		"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

	if (sodium_init() < 0)
		abort();
	for (size_t i = 0; i < len; i++)
		out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	out[len] = '\0';
}

/* 32 random bytes as 64 hex digits (+ NUL). */
static void random_token(char out[65])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, 65, raw, sizeof(raw));
}

static void token_hash(const char *token, char out[65])
{
	unsigned char digest[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(digest, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, 65, digest, sizeof(digest));
}

static bool is_token(const char *t)
{
	if (!t || strlen(t) != 64)
		return false;
	for (; *t; t++)
		if (!((*t >= '0' && *t <= '9') || (*t >= 'a' && *t <= 'f')))
			return false;
	return true;
}

/* The session token presented: bearer header first, then the cookie. */
static const char *presented_token(struct hk_req *req, bool *bearer)
{
	const char *auth = hk_req_header(req, "Authorization");
	const char *cookie;

	*bearer = false;
	if (auth && !strncmp(auth, "Bearer ", 7)) {
		*bearer = true;
		return auth + 7;
	}
	cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND,
					     COOKIE_NAME);
	return cookie;
}

/* ====================================================================
 * Who is asking
 * ==================================================================== */

bool hk_authenticate(struct hk_req *req, const struct hk_route *route)
{
	struct hk_err err = {0};
	const char *token;
	bool bearer, found = false;
	const char *csrf;

	if (!route->roles)
		return true;
	token = presented_token(req, &bearer);
	if (is_token(token)) {
		token_hash(token, req->token_hash);
		if (req->store->ops->session_get(req->store, req->token_hash,
						 (int64_t)time(NULL),
						 &req->session, &found,
						 &err) != HK_OK) {
			hk_reply_error(req, HK_EDB, 503, NULL);
			return false;
		}
		if (found && req->store->ops->user_get(req->store, NULL,
						       req->session.user_ref,
						       &req->user, &found,
						       &err) != HK_OK) {
			hk_reply_error(req, HK_EDB, 503, NULL);
			return false;
		}
	}
	if (!found || !req->user.active || req->session.bearer != bearer) {
		memset(&req->user, 0, sizeof(req->user));
		hk_reply_error(req, HK_EREFUSED, 401,
			       HK_TR(req->lang, "未登录或登录已过期；请重新登录",
				     "not logged in, or the session expired; log in again"));
		return false;
	}
	/* A browser's writes must carry the CSRF token of its session. */
	if (!bearer && strcmp(req->method, "GET") && strcmp(req->method, "HEAD")) {
		csrf = hk_req_header(req, "X-CSRF-Token");
		if (!csrf || strlen(csrf) != strlen(req->session.csrf) ||
		    sodium_memcmp(csrf, req->session.csrf, strlen(csrf)) != 0) {
			hk_reply_error(req, HK_EREFUSED, 403,
				       HK_TR(req->lang,
					     "缺少或错误的 X-CSRF-Token 请求头",
					     "the X-CSRF-Token header is missing or wrong"));
			return false;
		}
	}
	if (!(route->roles & req->user.role)) {
		hk_reply_error(req, HK_EREFUSED, 403,
			       HK_TR(req->lang, "你的角色无权执行此操作",
				     "your role may not do this"));
		return false;
	}
	return true;
}

/* An audit record whose target is the request's own user. */
static void audit_user(struct hk_req *req, const char *action)
{
	char target[32];

	snprintf(target, sizeof(target), "user:%lld", (long long)req->user.ref);
	hk_audit(req, action, target, NULL);
}

json_t *hk_user_json(const struct hk_user *u)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:b, s:b}", "id",
			      (json_int_t)u->ref, "username", u->username,
			      "display_name", u->display_name, "role",
			      hk_role_name(u->role), "must_change_password",
			      u->must_change, "active", u->active);

	json_object_set_new(o, "team_id",
			    u->team_ref ? json_integer(u->team_ref) : json_null());
	json_object_set_new(o, "agency_id", u->agency_ref
						    ? json_integer(u->agency_ref)
						    : json_null());
	if (u->role & HK_ROLE_COLLECTOR) {
		char from[HK_DATE_BUFSZ], until[HK_DATE_BUFSZ];

		hk_date_format(u->absent_from, from);
		hk_date_format(u->absent_until, until);
		json_object_set_new(o, "capacity", json_integer(u->capacity));
		json_object_set_new(o, "absence",
				    u->absent_from != HK_DATE_NONE
					    ? json_pack("{s:s, s:s?}", "from", from,
							"until",
							until[0] ? until : NULL)
					    : json_null());
	}
	return o;
}

/* ====================================================================
 * POST /api/session, DELETE /api/session, GET /api/me, POST /api/me/password
 * ==================================================================== */

void hk_h_login(struct hk_req *req)
{
	static const char *const fields[] = {"username", "password", "bearer",
					     NULL};
	struct hk_store *s = req->store;
	struct hk_err err = {0};
	struct hk_user u;
	struct hk_session se = {0};
	json_t *body = hk_req_json_object(req, fields);
	const char *username, *password;
	int64_t now = (int64_t)time(NULL);
	char token[65], hash[65], cookie[192];
	bool found = false, ok;

	if (!body)
		return;
	username = json_string_value(json_object_get(body, "username"));
	password = json_string_value(json_object_get(body, "password"));
	se.bearer = json_is_true(json_object_get(body, "bearer"));
	if (!username || !password) {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang, "需要 username 和 password 两个字符串",
				     "username and password are needed, as strings"));
		return;
	}
	/* No transaction around the check: Argon2id takes a tenth of a second
	 * on purpose, and must not hold the write lock that long. */
	if (s->ops->user_get(s, username, 0, &u, &found, &err) != HK_OK) {
		json_decref(body);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	if (found && u.locked_until > now) {
		json_decref(body);
		hk_reply_error(req, HK_EREFUSED, 403,
			       HK_TR(req->lang,
				     "密码连续错误次数过多，账户已锁定 15 分钟；请稍后再试或联系管理员",
				     "too many wrong passwords: the account is locked for 15 minutes; try later or ask an administrator"));
		return;
	}
	ok = found && u.active && hk_password_verify(u.password_hash, password);
	json_decref(body);
	if (!ok) {
		if (found && s->ops->begin(s, &err) == HK_OK) {
			int failed = u.failed_logins + 1;
			char target[32];

			s->ops->user_set_login_state(
				s, u.ref, failed >= LOCK_AFTER ? 0 : failed,
				failed >= LOCK_AFTER ? now + LOCK_SECONDS : 0,
				&err);
			snprintf(target, sizeof(target), "user:%lld",
				 (long long)u.ref);
			hk_audit(req, failed >= LOCK_AFTER ? "session.locked"
							   : "session.refused",
				 target, NULL);
			if (req->audit_failed)
				s->ops->rollback(s);
			else
				s->ops->commit(s, &err);
		}
		/* The same answer whether or not the username exists. */
		hk_reply_error(req, HK_EREFUSED, 401,
			       HK_TR(req->lang, "用户名或密码错误",
				     "wrong username or password"));
		return;
	}
	random_token(token);
	token_hash(token, hash);
	random_token(se.csrf);
	se.user_ref = u.ref;
	se.expires_at = now + (se.bearer ? BEARER_SECONDS : COOKIE_SECONDS);
	req->user = u; /* the audit record names who logged in */
	if (s->ops->begin(s, &err) != HK_OK ||
	    s->ops->user_set_login_state(s, u.ref, 0, 0, &err) != HK_OK ||
	    s->ops->session_create(s, hash, &se, now, &err) != HK_OK ||
	    (audit_user(req, se.bearer ? "session.create_bearer"
				       : "session.create"),
	     req->audit_failed) ||
	    s->ops->commit(s, &err) != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	if (se.bearer) {
		hk_reply(req, 200,
			 json_pack("{s:o, s:s, s:I}", "user", hk_user_json(&u),
				   "token", token, "expires_at",
				   (json_int_t)se.expires_at));
		return;
	}
	snprintf(cookie, sizeof(cookie),
		 COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d",
		 token, COOKIE_SECONDS);
	hk_reply_header(req, "Set-Cookie", cookie);
	hk_reply(req, 200,
		 json_pack("{s:o, s:s}", "user", hk_user_json(&u), "csrf_token",
			   se.csrf));
}

void hk_h_logout(struct hk_req *req)
{
	struct hk_store *s = req->store;
	struct hk_err err = {0};

	if (s->ops->begin(s, &err) != HK_OK ||
	    s->ops->session_delete(s, req->token_hash, &err) != HK_OK ||
	    (audit_user(req, "session.delete"), req->audit_failed) ||
	    s->ops->commit(s, &err) != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply_header(req, "Set-Cookie",
			COOKIE_NAME "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	hk_reply(req, 200, json_pack("{s:b}", "logged_out", 1));
}

void hk_h_me(struct hk_req *req)
{
	hk_reply(req, 200, hk_user_json(&req->user));
}

void hk_h_password(struct hk_req *req)
{
	static const char *const fields[] = {"current_password", "new_password",
					     NULL};
	struct hk_store *s = req->store;
	struct hk_err err = {0};
	json_t *body = hk_req_json_object(req, fields);
	const char *current, *fresh;
	char hash[HK_PASSWORD_HASH_MAX];
	char msg[160];

	if (!body)
		return;
	current = json_string_value(json_object_get(body, "current_password"));
	fresh = json_string_value(json_object_get(body, "new_password"));
	if (!current || !fresh ||
	    !hk_password_verify(req->user.password_hash, current)) {
		json_decref(body);
		hk_reply_error(req, HK_EREFUSED, 403,
			       HK_TR(req->lang, "当前密码不正确",
				     "the current password is wrong"));
		return;
	}
	if (strlen(fresh) < HK_PASSWORD_MIN || !strcmp(fresh, current)) {
		json_decref(body);
		snprintf(msg, sizeof(msg),
			 HK_TR(req->lang, "新密码至少 %d 个字符，且不能与当前密码相同",
			       "the new password needs at least %d characters and must differ from the current one"),
			 HK_PASSWORD_MIN);
		hk_reply_error(req, HK_EINVAL, 400, msg);
		return;
	}
	if (hk_password_hash(fresh, hash) != HK_OK) {
		json_decref(body);
		hk_reply_error(req, HK_EINTERNAL, 500, NULL);
		return;
	}
	json_decref(body);
	/* Every other session of the user ends with the old password. */
	if (s->ops->begin(s, &err) != HK_OK ||
	    s->ops->user_set_password(s, req->user.ref, hash, false, &err) !=
		    HK_OK ||
	    s->ops->sessions_delete_user(s, req->user.ref, &err) != HK_OK ||
	    (audit_user(req, "user.password"), req->audit_failed) ||
	    s->ops->commit(s, &err) != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200,
		 json_pack("{s:b, s:s}", "changed", 1, "message",
			   HK_TR(req->lang, "密码已修改，请重新登录",
				 "password changed; log in again")));
}
