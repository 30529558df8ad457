/*
 * channel.h - the ways a message leaves huikuan (src/io/channel.c,
 * docs/letters.md "Messages"): email over SMTP and SMS through an HTTP
 * gateway, both through libcurl, behind one call.  A channel only sends:
 * the outbox decides what, when and whether (guardrails, retries), and
 * records the outcome.
 *
 * Every message carries our own id.  Email puts it in Message-ID; the SMS
 * gateway receives it as "id" and is expected to treat a second request
 * with the same id as the same message (the common providers' "out id"),
 * so a retry after a lost answer sends nothing twice.
 */
#ifndef HK_CHANNEL_H
#define HK_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>

#include "hk/rc.h"

/* [email] in the configuration. */
struct hk_smtp_config {
	char url[256];       /* smtp://host:587, smtps://host:465 */
	bool starttls;       /* require STARTTLS on smtp:// (default true) */
	char ca_file[512];   /* CA bundle; "": the system's */
	char user[128], password[128];
	char auth[16];       /* a SASL mechanism to insist on ("PLAIN");
			      * "": the best the server offers */
	char from[256];      /* the envelope and From: address */
	char from_name[128]; /* shown beside it */
	int timeout_s;       /* 30 */
};

/* [sms] in the configuration: a JSON webhook (docs/letters.md). */
struct hk_sms_config {
	char url[512];
	char secret[128];    /* HMAC-SHA256 key of X-Huikuan-Signature */
	char sign_name[64];  /* the registered signature: 【某某银行】 */
	char id_field[64];   /* the provider's id in its answer ("id") */
	int timeout_s;       /* 15 */
};

struct hk_message {
	const char *id;      /* ours: idempotency key */
	const char *to;      /* an email address or a phone number */
	const char *to_name; /* email: shown beside the address (may be NULL) */
	const char *subject; /* email */
	const char *body;    /* UTF-8 */
};

/* What became of one attempt. */
enum hk_send_outcome {
	HK_SEND_OK,        /* accepted by the server or gateway */
	HK_SEND_RETRY,     /* not now (unreachable, busy, 4xx of SMTP, 5xx or
			    * 429 of HTTP): try again later */
	HK_SEND_REJECTED,  /* refused for good (5xx of SMTP, 4xx of HTTP,
			    * authentication): a person must look */
};

/*
 * Send `m` by email.  *outcome says what became of it and err->msg why
 * (the server's answer, no personal data beyond the address); provider_id
 * gets what identifies it there (the Message-ID).  Returns HK_OK whatever
 * the outcome; HK_EINVAL only for a message that cannot be written (no
 * address, a line end in the subject).
 */
enum hk_rc hk_smtp_send(const struct hk_smtp_config *c,
			const struct hk_message *m,
			enum hk_send_outcome *outcome /* OUT */,
			char *provider_id /* OUT */, size_t cap,
			struct hk_err *err);

/* Send `m` by SMS through the gateway; as hk_smtp_send, provider_id the
 * gateway's id from its answer (ours if it gives none). */
enum hk_rc hk_sms_send(const struct hk_sms_config *c,
		       const struct hk_message *m,
		       enum hk_send_outcome *outcome /* OUT */,
		       char *provider_id /* OUT */, size_t cap,
		       struct hk_err *err);

/* The gateway's signature of `body` at unix time `ts`: lower-case hex of
 * HMAC-SHA256(secret, ts "." body), 64 characters and a NUL.  Delivery
 * receipts coming back are checked with it too. */
void hk_sms_signature(const char *secret, long long ts, const char *body,
		      size_t len, char out[65]);

#endif
