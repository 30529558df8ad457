/*
 * openapi.c - GET /api/openapi.json, generated from the route table: every
 * route appears with its method, summary, path parameters and the shared
 * error shape, so the document cannot drift from what the server serves.
 */
#include <ctype.h>
#include <string.h>

#include "http_int.h"

static json_t *path_params(const char *pattern)
{
	json_t *list = json_array();

	for (const char *p = strchr(pattern, '{'); p; p = strchr(p + 1, '{')) {
		const char *close = strchr(p, '}');

		if (!close)
			break;
		json_array_append_new(
			list, json_pack("{s:s%, s:s, s:b, s:{s:s}}", "name", p + 1,
					(size_t)(close - p - 1), "in", "path",
					"required", 1, "schema", "type",
					"string"));
	}
	return list;
}

static json_t *operation(const struct hk_route *r)
{
	json_t *op = json_pack(
		"{s:s, s:[s], s:{s:{s:s}, s:{s:s, s:{s:{s:{s:s}}}}}}", "summary",
		r->summary, "tags", r->tag, "responses", "200", "description",
		"OK", "default", "description",
		"Error: {code, message}, message in the caller's language",
		"content", "application/json", "schema", "$ref",
		"#/components/schemas/Error");
	json_t *params = path_params(r->pattern);

	for (const char *p = r->query; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		json_array_append_new(
			params, json_pack("{s:s%, s:s, s:b, s:{s:s}}", "name", p,
					  len, "in", "query", "required", 0,
					  "schema", "type", "string"));
		p = end ? end + 1 : NULL;
	}

	if (json_array_size(params))
		json_object_set_new(op, "parameters", params);
	else
		json_decref(params);
	return op;
}

void hk_h_openapi(struct hk_req *req)
{
	json_t *paths = json_object();

	for (const struct hk_route *r = hk_routes; r->method; r++) {
		json_t *item = json_object_get(paths, r->pattern);
		char method[16];
		size_t i;

		if (!item) {
			item = json_object();
			json_object_set_new(paths, r->pattern, item);
		}
		for (i = 0; r->method[i] && i + 1 < sizeof(method); i++)
			method[i] = (char)tolower((unsigned char)r->method[i]);
		method[i] = '\0';
		json_object_set_new(item, method, operation(r));
	}
	hk_reply(req, 200,
		 json_pack("{s:s, s:{s:s, s:s, s:s}, s:o, s:{s:{s:{s:s, s:[s,s], s:{s:{s:s}, s:{s:s}}}}}}",
			   "openapi", "3.1.0", "info", "title", "huikuan API",
			   "version", HK_VERSION, "description",
			   "Collection workflow API. Errors are {code, message}; "
			   "Accept-Language: en gives English, Chinese otherwise.",
			   "paths", paths, "components", "schemas", "Error",
			   "type", "object", "required", "code", "message",
			   "properties", "code", "type", "string", "message",
			   "type", "string"));
}
