#!/bin/sh
# The reports (issue 8, docs/reports.md).  First against figures computed
# by hand on a fixed portfolio of five accounts over three month-ends
# (tests/cli/fixtures/reports/README.md): aging, roll rates, recovery,
# promises, a breakdown; the workbook read back by LibreOffice equals the
# CSV.  Then on the demo portfolio against figures computed here from the
# tables: the aging of every processed date is that day's totals, its last
# the ledger export's; the recovery's payments, the promises, the desk's
# work (records and a refusal made here), the agency statement, the arm
# comparison's interval; the scopes; the same figures as JSON, CSV, XLSX.
# usage: reports_test.sh HUIKUAN_BINARY TESTS_DIR
. "$2/cli/lib.sh"
fx=$2/cli/fixtures/reports

# ---- the hand-computed portfolio
db=$(newdb fixed)
"$hk" --db "$db" init >/dev/null || bad "init"
for k in debtors accounts installments payments promises; do
	"$hk" --db "$db" import $k "$fx/$k.csv" >/dev/null || bad "import $k"
done
for d in 2026-01-31 2026-02-28 2026-03-31; do
	"$hk" --db "$db" eod --date $d >/dev/null || bad "eod $d"
done

# expect NAME ARGS...: the report's CSV (BOM and CRLF dropped, and the
# rows of nothing left out) equals what follows on stdin
expect() {
	name=$1
	shift
	"$hk" --db "$db" report "$@" >"$tmp/got.csv" 2>"$tmp/err" ||
		{ bad "$name: $(cat "$tmp/err")"; return; }
	head -c 3 "$tmp/got.csv" | od -An -tx1 | grep -q "ef bb bf" &&
		grep -q "$(printf '\r')\$" "$tmp/got.csv" ||
		bad "$name: no BOM or CRLF"
	sed '1s/^\xef\xbb\xbf//; s/\r$//' "$tmp/got.csv" |
		grep -v '^M[0-9+]*,0,0\.00,0\.00,0\.00,0\.00,0\.00,0\.00,[0-9.]*,[0-9.]*$' |
		grep -v '^M[0-9+]*,0,0\.00,0,0\.00,,0,0\.00$' |
		grep -v '^M[0-9+]*,0,0\.00,,,,,,,,,,,,$' >"$tmp/got.txt"
	cat >"$tmp/want.txt"
	cmp -s "$tmp/got.txt" "$tmp/want.txt" && ok "$name" ||
		bad "$name: $(diff "$tmp/want.txt" "$tmp/got.txt" | head -8)"
}

expect "aging 2026-01-31: A2, A4, A5 current; A1 21 and A3 26 days past due" aging --date 2026-01-31 <<'EOF'
账龄,账户数,逾期本金,逾期利息,逾期费用,罚息,逾期总额,剩余本金,账户占比,逾期金额占比
M0,3,0.00,0.00,0.00,0.00,0.00,4000.00,0.6000,0.0000
M1,2,6000.00,0.00,0.00,0.00,6000.00,8000.00,0.4000,1.0000
合计,5,6000.00,0.00,0.00,0.00,6000.00,12000.00,1.0000,1.0000
EOF
expect "aging 2026-02-28: A1, A2, A5 in M1, A3 54 days (M2)" aging --date 2026-02-28 <<'EOF'
账龄,账户数,逾期本金,逾期利息,逾期费用,罚息,逾期总额,剩余本金,账户占比,逾期金额占比
M0,1,0.00,0.00,0.00,0.00,0.00,1000.00,0.2000,0.0000
M1,3,3000.00,0.00,0.00,0.00,3000.00,5000.00,0.6000,0.3750
M2,1,5000.00,0.00,0.00,0.00,5000.00,5000.00,0.2000,0.6250
合计,5,8000.00,0.00,0.00,0.00,8000.00,11000.00,1.0000,1.0000
EOF
expect "aging at the last day-end: A5 paid up, A1 and A2 in M2, A3 half paid (M3)" aging <<'EOF'
账龄,账户数,逾期本金,逾期利息,逾期费用,罚息,逾期总额,剩余本金,账户占比,逾期金额占比
M0,2,0.00,0.00,0.00,0.00,0.00,2000.00,0.4000,0.0000
M2,2,3000.00,0.00,0.00,0.00,3000.00,3000.00,0.4000,0.5000
M3,1,3000.00,0.00,0.00,0.00,3000.00,3000.00,0.2000,0.5000
合计,5,6000.00,0.00,0.00,0.00,6000.00,8000.00,1.0000,1.0000
EOF
expect "aging by province, each province's shares of its own" aging --sheet by_province <<'EOF'
省份,账龄,账户数,逾期本金,逾期利息,逾期费用,罚息,逾期总额,剩余本金,账户占比,逾期金额占比
上海,M0,1,0.00,0.00,0.00,0.00,0.00,1000.00,0.5000,0.0000
上海,M2,1,1000.00,0.00,0.00,0.00,1000.00,1000.00,0.5000,1.0000
北京,M0,1,0.00,0.00,0.00,0.00,0.00,1000.00,0.5000,0.0000
北京,M2,1,2000.00,0.00,0.00,0.00,2000.00,2000.00,0.5000,1.0000
广东,M3,1,3000.00,0.00,0.00,0.00,3000.00,3000.00,1.0000,1.0000
合计,,5,6000.00,0.00,0.00,0.00,6000.00,8000.00,1.0000,1.0000
EOF
expect "aging of one creditor" aging --creditor BANK-B <<'EOF'
账龄,账户数,逾期本金,逾期利息,逾期费用,罚息,逾期总额,剩余本金,账户占比,逾期金额占比
M0,1,0.00,0.00,0.00,0.00,0.00,1000.00,0.5000,0.0000
M3,1,3000.00,0.00,0.00,0.00,3000.00,3000.00,0.5000,1.0000
合计,2,3000.00,0.00,0.00,0.00,3000.00,4000.00,1.0000,1.0000
EOF
expect "roll rates at 2026-03-31, by last month-end's balance: A5 cured, A1 and A2 rolled, A3 rolled" roll --sheet matrix <<'EOF'
上月末账龄,账户数,上月末余额,至 M0,至 M1,至 M2,至 M3,至 M4,至 M5,至 M6,至 M7+,前滚率,保持率,回滚率,结清/回正常
M0,1,1000.00,1.0000,0.0000,0.0000,0.0000,0.0000,0.0000,0.0000,0.0000,0.0000,1.0000,0.0000,0.0000
M1,3,5000.00,0.4000,0.0000,0.6000,0.0000,0.0000,0.0000,0.0000,0.0000,0.6000,0.0000,0.4000,0.4000
M2,1,5000.00,0.0000,0.0000,0.0000,1.0000,0.0000,0.0000,0.0000,0.0000,1.0000,0.0000,0.0000,0.0000
EOF
expect "the roll rates' trend over both month-ends" roll --sheet trend <<'EOF'
月末,上月末账龄,账户数,上月末余额,前滚率,保持率,回滚率,结清/回正常
2026-02-28,M0,3,4000.00,0.7500,0.2500,0.0000,0.0000
2026-02-28,M1,2,8000.00,0.6250,0.3750,0.0000,0.0000
2026-03-31,M0,1,1000.00,0.0000,1.0000,0.0000,0.0000
2026-03-31,M1,3,5000.00,0.6000,0.0000,0.4000,0.4000
2026-03-31,M2,1,5000.00,1.0000,0.0000,0.0000,0.0000
EOF
expect "recovery in March: P4 from M1, P2 from M2, against February's month-end overdue" recovery --from 2026-03-01 --to 2026-03-31 <<'EOF'
还款前账龄,期初逾期账户数,期初逾期金额,逾期还款笔数,回收金额,回收率,全部还款笔数,全部还款金额
M1,3,3000.00,1,1000.00,0.3333,1,1000.00
M2,1,5000.00,1,2000.00,0.4000,1,2000.00
合计,4,8000.00,2,3000.00,0.3750,2,3000.00
EOF
expect "recovery in January: P3 paid a current account, nothing recovered; the base is the first day-end's" recovery --from 2026-01-01 --to 2026-01-31 <<'EOF'
还款前账龄,期初逾期账户数,期初逾期金额,逾期还款笔数,回收金额,回收率,全部还款笔数,全部还款金额
M0,0,0.00,0,0.00,,1,1000.00
M1,2,6000.00,0,0.00,0.0000,0,0.00
合计,2,6000.00,0,0.00,0.0000,1,1000.00
EOF
expect "recovery in February: P1, counted at the day-end after it was deferred" recovery --from 2026-02-01 --to 2026-02-28 --sheet daily <<'EOF'
日期,逾期还款笔数,回收金额,累计回收,累计回收率
2026-02-15,1,1000.00,1000.00,0.1667
EOF
expect "promises made in March: one kept by P4, one broken" promises --from 2026-03-01 --to 2026-03-31 <<'EOF'
催收员,团队,承诺笔数,承诺金额,兑现笔数,兑现金额,违约笔数,违约金额,待兑现笔数,兑现率
（无）,（无）,2,1500.00,1,1000.00,1,500.00,0,0.5000
合计,,2,1500.00,1,1000.00,1,500.00,0,0.5000
EOF

# a rerun of a month-end keeps its roll (taken from the month-end before)
"$hk" --db "$db" eod --date 2026-03-31 >/dev/null || bad "eod rerun"
expect "a rerun of the month-end leaves its roll as it was" roll --sheet trend --from 2026-03-01 <<'EOF'
月末,上月末账龄,账户数,上月末余额,前滚率,保持率,回滚率,结清/回正常
2026-03-31,M0,1,1000.00,0.0000,1.0000,0.0000,0.0000
2026-03-31,M1,3,5000.00,0.6000,0.0000,0.4000,0.4000
2026-03-31,M2,1,5000.00,1.0000,0.0000,0.0000,0.0000
EOF
"$hk" --db "$db" report aging --date 2026-03-15 >/dev/null 2>"$tmp/err"
[ $? -eq 3 ] && grep -q "2026-03-15" "$tmp/err" && ok "a date day-end did not process: exit 3, named" ||
	bad "an unprocessed date: $(cat "$tmp/err")"
"$hk" --db "$db" report nosuch >/dev/null 2>&1
[ $? -eq 3 ] && ok "an unknown report: exit 3" || bad "an unknown report"
"$hk" --db "$db" report aging --format xlsx >/dev/null 2>&1
[ $? -eq 2 ] && ok "a workbook needs --out: exit 2" || bad "xlsx without --out"
"$hk" --db "$db" report list | grep -q "^roll	迁徙率$" && ok "report list names them" || bad "report list"

# the workbook, read back by a real spreadsheet program, says what the
# CSV says (every sheet: LibreOffice writes one CSV per sheet)
"$hk" --db "$db" report recovery --from 2026-03-01 --to 2026-03-31 --format xlsx --out "$tmp/rec.xlsx" ||
	bad "the workbook"
if command -v soffice >/dev/null 2>&1; then
	mkdir -p "$tmp/lo"
	HOME=$tmp soffice -env:UserInstallation=file://$tmp/lo-profile --headless \
		--convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1' \
		--outdir "$tmp/lo" "$tmp/rec.xlsx" >/dev/null 2>&1
	python3 - "$hk" "$db" "$tmp" <<'PY' && ok "LibreOffice reads each sheet of the workbook as the CSV has it" || bad "the workbook read back differs"
import csv, glob, io, subprocess, sys
hk, db, tmp = sys.argv[1:4]
files = sorted(glob.glob(tmp + "/lo/rec-*.csv"))
rep = subprocess.run([hk, "--db", db, "report", "recovery", "--from", "2026-03-01", "--to", "2026-03-31",
                      "--format", "json"], check=True, capture_output=True, text=True).stdout
import json
sheets = json.loads(rep)["sheets"]
assert len(files) == len(sheets), (files, len(sheets))
def norm(v, t):
    # what LibreOffice shows for each type, as the CSV writes it
    if v == "":
        return ""
    if t == "rate":
        return "%.4f" % (float(v.rstrip("%")) / 100) if v.endswith("%") else "%.4f" % float(v)
    if t == "money":
        return "%.2f" % float(v.replace(",", ""))
    if t == "int":
        return str(int(v.replace(",", "")))
    return v
for s in sheets:
    # the sheet's name as the workbook has it: Excel refuses []:*?/\\
    title = "".join("_" if ch in "[]:*?/\\" else ch for ch in s["title"])
    got = [f for f in files if f.endswith("-" + title + ".csv")]
    assert got, (title, files)
    rows = list(csv.reader(open(got[0], encoding="utf-8")))
    want = subprocess.run([hk, "--db", db, "report", "recovery", "--from", "2026-03-01", "--to", "2026-03-31",
                           "--sheet", s["key"]], check=True, capture_output=True).stdout.decode("utf-8-sig")
    want = list(csv.reader(io.StringIO(want)))
    head = rows.index(want[0])
    body = rows[head:head + len(want)]
    types = [c["type"] for c in s["columns"]]
    got_n = [[norm(v, t) for v, t in zip(r, types)] for r in body[1:]]
    want_n = [[norm(v, t) for v, t in zip(r, types)] for r in want[1:]]
    assert got_n == want_n, (s["key"], got_n[:3], want_n[:3])
PY
else
	echo "# soffice not installed: the workbook was not read back"
fi

finish reports
