#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hk/report.h"
#include "hk/types.h"

static void scratch(void **state)
{
	struct hk_report *r = hk_report_new("aging", "账龄分析", HK_LANG_ZH);
	struct hk_rsheet *a = hk_report_sheet(r, "whole", "全部");
	struct hk_rsheet *b = hk_report_sheet(r, "by_team", "按团队/产品");
	struct hk_err err = {0};
	(void)state;
	hk_report_subtitle(r, "截至 %s", "2026-11-23");
	hk_rsheet_col(a, "bucket", "账龄", HK_R_TEXT);
	hk_rsheet_col(a, "cases", "案件数", HK_R_INT);
	hk_rsheet_col(a, "overdue", "逾期金额", HK_R_MONEY);
	hk_rsheet_col(a, "share", "占比", HK_R_RATE);
	hk_rsheet_col(a, "since", "最早逾期日", HK_R_DATE);
	hk_rsheet_text(a, "M1 逾期 1-30 天，含\"承诺\"");
	hk_rsheet_int(a, 1234567);
	hk_rsheet_money(a, 123456789);
	hk_rsheet_rate(a, 1, 3);
	hk_rsheet_date(a, hk_date_from_ymd(2026, 11, 23));
	hk_rsheet_text(a, "合计");
	hk_rsheet_int(a, 1234567);
	hk_rsheet_money(a, -5);
	hk_rsheet_rate(a, 1, 0);
	hk_rsheet_null(a);
	hk_rsheet_mark_total(a);
	hk_rsheet_col(b, "team", "团队", HK_R_TEXT);
	hk_rsheet_text(b, "一组");
	assert_int_equal(hk_report_xlsx(r, "/tmp/rpt/a.xlsx", &err), HK_OK);
	hk_report_csv(r, a, stdout, &err);
	char *j = json_dumps(hk_report_json(r), JSON_INDENT(1));
	puts(j);
	hk_report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scratch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
