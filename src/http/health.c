/*
 * health.c - GET /api/health: is the server up, which version, and the
 * last date day-end processed.  No personal data, no log-in needed.
 */
#include "http_int.h"

void hk_h_health(struct hk_req *req)
{
	struct hk_err err = {0};
	int32_t last;
	char date[HK_DATE_BUFSZ] = "";

	if (hk_store_meta_date(req->store, HK_META_LAST_EOD, &last, &err) !=
	    HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_date_format(last, date);
	hk_reply(req, 200,
		 json_pack("{s:s, s:s, s:o}", "status", "ok", "version",
			   HK_VERSION, "last_eod",
			   date[0] ? json_string(date) : json_null()));
}
