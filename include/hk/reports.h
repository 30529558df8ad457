/*
 * reports.h - the reports of docs/reports.md (src/batch/reports.c): a
 * query names one and its filters; the build reads what day-end recorded
 * (report_snap.c) and returns one struct hk_report (report.h), which the
 * API, the CLI and the web interface show as JSON, CSV or XLSX alike.
 */
#ifndef HK_REPORTS_H
#define HK_REPORTS_H

#include <stddef.h>
#include <stdint.h>

#include "hk/io.h"
#include "hk/report.h"
#include "hk/store.h"

struct hk_report_query {
	const char *name;   /* aging, roll, recovery, promises, activity,
			       team, agencies */
	int32_t date;       /* aging, team: the processed date (NONE: the
			       last) */
	int32_t from, to;   /* the period (NONE: the month to the last
			       processed date; roll: the year to it) */
	const char *period; /* team: "day" (default) or "week" */
	/* filters; NULL/""/0/-1: any */
	const char *creditor, *product, *province, *segment;
	int64_t team_ref, collector_ref, agency_ref, strategy_ref;
	int rule_no, arm_no;
	enum hk_lang lang;
};

/* Every field "any", dates NONE. */
void hk_report_query_init(struct hk_report_query *q);

/* The i-th report's key and its title in lang (NULL past the last). */
const char *hk_report_key(size_t i, const char **title, enum hk_lang lang);

/* Build the report q names.  HK_ENOTFOUND: no such report, or no
 * snapshot for the date asked; HK_EINVAL: a bad period. */
enum hk_rc hk_report_build(struct hk_store *s, const struct hk_config *cfg,
			   const struct hk_report_query *q,
			   struct hk_report **out /* OUT */,
			   struct hk_err *err);

#endif
