/*
 * test_channel.c - unit tests of src/io/channel.c against real peers on
 * loopback (tests/fixtures/sinks.py): aiosmtpd with STARTTLS and
 * authentication, and an SMS gateway that checks our signature and keeps
 * each id once.  Checked: the message as the server received it (headers
 * in RFC 2047, the Chinese body), STARTTLS refused without the CA, a bad
 * password refused for good, 451 as "later", 550 as "never", the SMS's
 * signature, 503 as "later", a lost answer retried without a second SMS,
 * 400 as "never", an unreachable gateway as "later".
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "hk/channel.h"

static char dir[] = "/tmp/hk-test-channel.XXXXXX";
static pid_t sinks;
static int smtp_port, sms_port;

/* The lines of DIR/name as JSON objects (a JSON array). */
static json_t *received(const char *name)
{
	char path[256], line[65536];
	json_t *all = json_array();
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		json_error_t jerr;
		json_t *o = json_loads(line, 0, &jerr);

		assert_non_null(o);
		json_array_append_new(all, o);
	}
	if (f)
		fclose(f);
	return all;
}

static void smtp_config(struct hk_smtp_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->url, sizeof(c->url), "smtp://127.0.0.1:%d", smtp_port);
	c->starttls = true;
	snprintf(c->ca_file, sizeof(c->ca_file), "%s/ca.pem", dir);
	snprintf(c->user, sizeof(c->user), "hk");
	snprintf(c->password, sizeof(c->password), "secret");
	snprintf(c->from, sizeof(c->from), "collections@bank.example");
	snprintf(c->from_name, sizeof(c->from_name), "某某银行信用卡中心");
	c->timeout_s = 10;
}

static void email_delivered(void **state)
{
	struct hk_smtp_config c;
	struct hk_message m = {.id = "hk-msg-1", .to = "zhang.san@example.cn",
			       .to_name = "张三",
			       .subject = "还款提醒：您的账户已逾期",
			       .body = "尊敬的张三：您的信用卡账户已逾期 45 天，逾期金额 12,345.67 元。\n如有疑问请致电 95588。"};
	enum hk_send_outcome out;
	struct hk_err err = {0};
	char pid[200], want[256];
	json_t *mail, *one;
	const char *data;
	unsigned char body[1024];
	size_t blen = 0;

	(void)state;
	smtp_config(&c);
	assert_int_equal(hk_smtp_send(&c, &m, &out, pid, sizeof(pid), &err), HK_OK);
	assert_int_equal(out, HK_SEND_OK);
	assert_string_equal(pid, "hk-msg-1@bank.example");
	mail = received("mail.jsonl");
	assert_int_equal(json_array_size(mail), 1);
	one = json_array_get(mail, 0);
	assert_true(json_is_true(json_object_get(one, "tls")));
	assert_string_equal(json_string_value(json_object_get(one, "from")),
			    "collections@bank.example");
	data = json_string_value(json_object_get(one, "data"));
	assert_non_null(strstr(data, "Message-ID: <hk-msg-1@bank.example>"));
	assert_non_null(strstr(data, "Content-Type: text/plain; charset=UTF-8"));
	/* the subject as one encoded word: base64 of its UTF-8 */
	snprintf(want, sizeof(want), "Subject: =?UTF-8?B?");
	assert_non_null(strstr(data, want));
	/* the body decodes to the text as written */
	const char *b = strstr(data, "\r\n\r\n");
	assert_non_null(b);
	char b64[2048];
	size_t k = 0;
	for (b += 4; *b && k + 1 < sizeof(b64); b++)
		if (*b != '\n' && *b != '\r')
			b64[k++] = *b;
	b64[k] = '\0';
	assert_int_equal(sodium_base642bin(body, sizeof(body), b64, k, NULL, &blen,
					   NULL, sodium_base64_VARIANT_ORIGINAL), 0);
	assert_int_equal(blen, strlen(m.body));
	assert_memory_equal(body, m.body, blen);
	json_decref(mail);
}

static void email_failures(void **state)
{
	struct hk_smtp_config c;
	struct hk_message m = {.id = "hk-msg-2", .to = "busy@example.cn",
			       .subject = "x", .body = "y"};
	enum hk_send_outcome out;
	struct hk_err err = {0};
	char pid[200];
	json_t *mail;

	(void)state;
	smtp_config(&c);
	/* 451 the first time: later; then delivered once */
	assert_int_equal(hk_smtp_send(&c, &m, &out, pid, sizeof(pid), &err), HK_OK);
	assert_int_equal(out, HK_SEND_RETRY);
	assert_int_equal(hk_smtp_send(&c, &m, &out, pid, sizeof(pid), &err), HK_OK);
	assert_int_equal(out, HK_SEND_OK);
	/* 550: never */
	m.to = "nobody@example.cn";
	assert_int_equal(hk_smtp_send(&c, &m, &out, pid, sizeof(pid), &err), HK_OK);
	if (out != HK_SEND_REJECTED)
		fail_msg("550 taken as %d: %s", out, err.msg);
	assert_non_null(strstr(err.msg, "550"));
	/* a wrong password: never */
	m.to = "zhang.san@example.cn";
	snprintf(c.password, sizeof(c.password), "wrong");
	assert_int_equal(hk_smtp_send(&c, &m, &out, pid, sizeof(pid), &err), HK_OK);
	if (out != HK_SEND_REJECTED)
		fail_msg("a wrong password taken as %d: %s", out, err.msg);
	/* a certificate we cannot check: never (no mail in clear text) */
	smtp_config(&c);
	c.ca_file[0] = '\0';
	assert_int_equal(hk_smtp_send(&c, &m, &out, pid, sizeof(pid), &err), HK_OK);
	assert_int_equal(out, HK_SEND_REJECTED);
	/* nothing listening: later */
	snprintf(c.url, sizeof(c.url), "smtp://127.0.0.1:1");
	assert_int_equal(hk_smtp_send(&c, &m, &out, pid, sizeof(pid), &err), HK_OK);
	assert_int_equal(out, HK_SEND_RETRY);
	/* a header line end is refused before anything is sent */
	m.subject = "a\r\nBcc: x@y";
	assert_int_equal(hk_smtp_send(&c, &m, &out, pid, sizeof(pid), &err), HK_EINVAL);
	mail = received("mail.jsonl");
	/* the first test's mail and busy@'s second attempt: nothing else */
	assert_int_equal(json_array_size(mail), 2);
	json_decref(mail);
}

static void sms_config(struct hk_sms_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->url, sizeof(c->url), "http://127.0.0.1:%d/sms", sms_port);
	snprintf(c->secret, sizeof(c->secret), "gw-secret");
	snprintf(c->sign_name, sizeof(c->sign_name), "【某某银行】");
	c->timeout_s = 5;
}

static void sms_sent_once(void **state)
{
	struct hk_sms_config c;
	struct hk_message m = {.id = "hk-sms-1", .to = "13800138001",
			       .body = "您的信用卡已逾期，请尽快还款。"};
	enum hk_send_outcome out;
	struct hk_err err = {0};
	char pid[64];
	json_t *sms;

	(void)state;
	sms_config(&c);
	assert_int_equal(hk_sms_send(&c, &m, &out, pid, sizeof(pid), &err), HK_OK);
	assert_int_equal(out, HK_SEND_OK);
	assert_string_equal(pid, "gw-1");
	/* 503 before anything was sent: later, then once */
	m.id = "hk-sms-2";
	m.to = "13800138000";
	assert_int_equal(hk_sms_send(&c, &m, &out, pid, sizeof(pid), &err), HK_OK);
	assert_int_equal(out, HK_SEND_RETRY);
	assert_int_equal(hk_sms_send(&c, &m, &out, pid, sizeof(pid), &err), HK_OK);
	assert_int_equal(out, HK_SEND_OK);
	/* sent, then the answer lost: later; the retry is the same message */
	m.id = "hk-sms-3";
	m.to = "13800138009";
	assert_int_equal(hk_sms_send(&c, &m, &out, pid, sizeof(pid), &err), HK_OK);
	assert_int_equal(out, HK_SEND_RETRY);
	assert_int_equal(hk_sms_send(&c, &m, &out, pid, sizeof(pid), &err), HK_OK);
	assert_int_equal(out, HK_SEND_OK);
	/* refused for good */
	m.id = "hk-sms-4";
	m.to = "0001234";
	assert_int_equal(hk_sms_send(&c, &m, &out, pid, sizeof(pid), &err), HK_OK);
	assert_int_equal(out, HK_SEND_REJECTED);
	assert_non_null(strstr(err.msg, "HTTP 400"));
	/* a wrong secret: the gateway refuses the signature */
	snprintf(c.secret, sizeof(c.secret), "not-it");
	m.id = "hk-sms-5";
	m.to = "13800138005";
	assert_int_equal(hk_sms_send(&c, &m, &out, pid, sizeof(pid), &err), HK_OK);
	assert_int_equal(out, HK_SEND_REJECTED);
	assert_non_null(strstr(err.msg, "HTTP 401"));
	/* nobody there: later */
	sms_config(&c);
	snprintf(c.url, sizeof(c.url), "http://127.0.0.1:1/sms");
	assert_int_equal(hk_sms_send(&c, &m, &out, pid, sizeof(pid), &err), HK_OK);
	assert_int_equal(out, HK_SEND_RETRY);

	sms = received("sms.jsonl");
	/* hk-sms-1, -2 and -3, each once, signed with our sign name */
	assert_int_equal(json_array_size(sms), 3);
	const char *ids[] = {"hk-sms-1", "hk-sms-2", "hk-sms-3"};
	for (size_t i = 0; i < 3; i++) {
		json_t *one = json_array_get(sms, i);

		assert_string_equal(json_string_value(json_object_get(one, "id")), ids[i]);
		assert_string_equal(json_string_value(json_object_get(one, "sign")),
				    "【某某银行】");
	}
	assert_string_equal(json_string_value(json_object_get(json_array_get(sms, 0), "text")),
			    "您的信用卡已逾期，请尽快还款。");
	json_decref(sms);
}

static void signature_is_hmac(void **state)
{
	char sig[65];

	(void)state;
	/* HMAC-SHA256("key", "1.abc"), computed apart with Python's hmac */
	hk_sms_signature("key", 1, "abc", 3, sig);
	assert_string_equal(sig, "90ebc65a2174297bcabd31e7cdb290734ffd97b67d17c09a380b0d4828d3d90c");
}

static int setup(void **state)
{
	int fd[2];
	char line[128] = "";
	FILE *f;

	(void)state;
	if (!mkdtemp(dir) || pipe(fd))
		return -1;
	sinks = fork();
	if (sinks == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		execl("/usr/bin/python3", "python3", HK_SOURCE_DIR "/tests/fixtures/sinks.py",
		      dir, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	f = fdopen(fd[0], "r");
	if (!fgets(line, sizeof(line), f) ||
	    sscanf(line, "smtp %d sms %d", &smtp_port, &sms_port) != 2) {
		fprintf(stderr, "the sinks did not start: %s\n", line);
		return -1;
	}
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	kill(sinks, SIGTERM);
	waitpid(sinks, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(signature_is_hmac),
		cmocka_unit_test(email_delivered),
		cmocka_unit_test(email_failures),
		cmocka_unit_test(sms_sent_once),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
