#!/bin/sh
# CLI tests of init, eod, export, demo and the exit statuses of cli.md,
# driving the real binary.  Expected figures are hand-computed in
# tests/cli/fixtures/ledger/README.md.
# usage: eod_test.sh HUIKUAN_BINARY TESTS_DIR
. "$2/cli/lib.sh"
fx=$2/cli/fixtures/ledger


# expect STATUS NAME CMD...: run CMD, check its exit status
expect() {
	want=$1
	name=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$name"; else
		bad "$name (exit $got, want $want)"
		sed 's/^/    /' "$tmp/err"
	fi
}

# same_file NAME EXPECTED ACTUAL
same_file() {
	if cmp -s "$2" "$3"; then ok "$1"; else
		bad "$1"
		diff "$2" "$3" | sed 's/^/    /'
	fi
}

# stderr_has NAME TEXT
stderr_has() {
	if grep -qF -- "$2" "$tmp/err"; then ok "$1"; else
		bad "$1 (stderr lacks '$2')"
		sed 's/^/    /' "$tmp/err"
	fi
}

db=$(newdb t)

# ---- usage errors: 2
expect 2 "no command" "$hk"
expect 2 "unknown command" "$hk" frobnicate
expect 2 "unknown global option" "$hk" --nope init
expect 2 "eod without --date" "$hk" --db "$db" eod
expect 2 "eod with a bad date" "$hk" --db "$db" eod --date 2026-13-01
expect 2 "export of an unknown kind" "$hk" --db "$db" export things
expect 2 "import of an unknown kind" "$hk" --db "$db" import things "$fx/debtors.csv"
expect 2 "import with an unknown encoding" "$hk" --db "$db" import debtors "$fx/debtors.csv" --encoding latin1
expect 0 "help" "$hk" --help

# ---- state refusals: 4
expect 4 "eod on a database never initialised" "$hk" --db "$(newdb none)" eod --date 2026-01-01
stderr_has "message says to run init" "huikuan init"
expect 0 "init" "$hk" --db "$db" init
expect 0 "init again is harmless" "$hk" --db "$db" init
expect 4 "export before any day-end" "$hk" --db "$db" export accounts

# ---- the hand-computed portfolio
for k in debtors accounts installments payments; do
	expect 0 "import $k" "$hk" --db "$db" import $k "$fx/$k.csv"
done
expect 0 "eod 2026-02-11" "$hk" --db "$db" eod --date 2026-02-11
expect 0 "export to stdout" "$hk" --db "$db" export accounts
cat >"$tmp/want" <<'CSV'
account_id,as_of,dpd,bucket,overdue_principal,overdue_interest,overdue_fee,penalty_due,total_overdue,principal_outstanding,credit_balance,penalty_accrued_total,paid_total,first_overdue_date,waived_total
A0,2026-02-11,0,M0,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,,0.00
A1,2026-02-11,10,M1,419.50,0.00,0.00,0.21,419.71,1419.50,0.00,4.71,600.00,2026-02-01,0.00
CSV
same_file "export as of 2026-02-11" "$tmp/want" "$tmp/out"

expect 0 "rerun of the same date" "$hk" --db "$db" eod --date 2026-02-11
"$hk" --db "$db" export accounts >"$tmp/again"
same_file "rerun changes nothing" "$tmp/want" "$tmp/again"

expect 4 "an earlier date is refused" "$hk" --db "$db" eod --date 2026-02-10
stderr_has "refusal names the last date" "2026-02-11"
expect 4 "refusal in English" env LANG=en_US.UTF-8 "$hk" --db "$db" eod --date 2026-02-01
stderr_has "English refusal" "last processed date 2026-02-11"

expect 0 "eod 2026-03-05" "$hk" --db "$db" eod --date 2026-03-05
"$hk" --db "$db" export accounts --out "$tmp/state.csv"
cat >"$tmp/want" <<'CSV'
account_id,as_of,dpd,bucket,overdue_principal,overdue_interest,overdue_fee,penalty_due,total_overdue,principal_outstanding,credit_balance,penalty_accrued_total,paid_total,first_overdue_date,waived_total
A0,2026-03-05,0,M0,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,,0.00
A1,2026-03-05,32,M2,1419.50,10.00,0.00,6.83,1436.33,1419.50,0.00,11.33,600.00,2026-02-01,0.00
CSV
same_file "export --out as of 2026-03-05" "$tmp/want" "$tmp/state.csv"

# ---- a back-dated bank file: export reflects it at once, eod books it
expect 0 "import a back-dated payment" "$hk" --db "$db" import payments "$fx/payments_backdated.csv"
expect 3 "the same bank file again is refused" "$hk" --db "$db" import payments "$fx/payments_backdated.csv"
cat >"$tmp/want" <<'CSV'
account_id,as_of,dpd,bucket,overdue_principal,overdue_interest,overdue_fee,penalty_due,total_overdue,principal_outstanding,credit_balance,penalty_accrued_total,paid_total,first_overdue_date,waived_total
A0,2026-03-05,0,M0,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,,0.00
A1,2026-03-05,32,M2,1321.39,10.00,0.00,4.24,1335.63,1321.39,0.00,10.63,700.00,2026-02-01,0.00
CSV
"$hk" --db "$db" export accounts >"$tmp/out"
same_file "export applies the back-dated payment" "$tmp/want" "$tmp/out"
expect 0 "rerun books the back-dated payment" "$hk" --db "$db" eod --date 2026-03-05
"$hk" --db "$db" export accounts >"$tmp/out"
same_file "state after the rerun" "$tmp/want" "$tmp/out"
booked=$(q "$db" "select count(*) from payments p, meta m where p.payment_id='P2' and m.key='booked_payment_ref' and p.ref <= cast(m.value as integer)")
[ "$booked" = 1 ] && ok "payment marked booked" || bad "payment marked booked ($booked)"

# ---- transitions and day totals
trans=$(q "$db" "select a.account_id||':'||t.from_bucket||'>'||t.to_bucket from bucket_transitions t join accounts a on a.ref=t.account_ref order by t.as_of")
[ "$(echo $trans)" = "A1:M0>M1 A1:M1>M2" ] && ok "bucket transitions" || bad "bucket transitions ($trans)"
m2=$(q "$db" "select accounts||','||total_overdue from day_totals where as_of=(select max(as_of) from day_totals) and bucket='M2'")
[ "$m2" = "1,133563" ] && ok "day totals of M2" || bad "day totals of M2 ($m2)"

# ---- export failures lose nothing
expect 1 "export into a missing directory" "$hk" --db "$db" export accounts --out "$tmp/no/such/dir.csv"
[ ! -e "$tmp/no" ] && ok "no partial export file" || bad "no partial export file"

# ---- demo refuses a database that holds accounts
expect 4 "demo on a database with accounts" "$hk" demo --db "$db" --accounts 10 --no-serve

# ---- a small demo end to end
demo=$(newdb demo)
expect 0 "demo with 200 accounts" "$hk" demo --db "$demo" --accounts 200 --no-serve
grep -q "M0" "$tmp/out" && ok "demo prints the bucket summary" || bad "demo prints the bucket summary"
n=$("$hk" --db "$demo" export accounts | wc -l)
[ "$n" -eq 201 ] && ok "demo export has every account" || bad "demo export has every account ($n lines)"

# ---- what day-end keeps for the case list (case_overdue,
# src/store/README.md) gives each case the largest DPD of its accounts and
# their total overdue: checked against the export, per case.
case_dpd_match() { # DB NAME
	"$hk" --db "$1" export accounts >"$tmp/fig.csv"
	# the two tables read through q, so either backend's are checked
	rm -f "$tmp/fig.db"
	q "$1" "select account_id, case_ref from accounts" >"$tmp/fig.acc"
	q "$1" "select case_ref, overdue_since, due_base, due_daily from case_overdue" >"$tmp/fig.ov"
	sqlite3 "$tmp/fig.db" <<SQL
create table accounts (account_id text, case_ref integer);
create table case_overdue (case_ref integer, overdue_since integer, due_base integer, due_daily integer);
.import $tmp/fig.acc accounts
.import $tmp/fig.ov case_overdue
SQL
	mismatched=$(sqlite3 :memory: <<SQL
ATTACH '$tmp/fig.db' AS h;
.mode csv
.import $tmp/fig.csv x
.mode list
WITH per_case AS (
	SELECT a.case_ref AS ref,
	       CAST(julianday(x.as_of) - julianday('1970-01-01') AS INTEGER) AS d,
	       max(CAST(x.dpd AS INTEGER)) AS dpd,
	       sum(CAST(replace(x.total_overdue, '.', '') AS INTEGER)) AS due
	FROM x JOIN h.accounts a ON a.account_id = x.account_id
	GROUP BY a.case_ref)
SELECT count(*), sum(max(0, p.d - coalesce(o.overdue_since, 2147483647)) <> p.dpd
                    OR coalesce(o.due_base + o.due_daily * p.d, 0) <> p.due)
FROM per_case p LEFT JOIN h.case_overdue o ON o.case_ref = p.ref
;
SQL
)
	# every case checked (the demo has ~180 with accounts), none differing
	[ "${mismatched%|*}" -gt 100 ] && [ "${mismatched#*|}" = 0 ] && ok "$2" ||
		bad "$2 (cases checked|differing: $mismatched)"
}
case_dpd_match "$demo" "each case's DPD and total overdue are its accounts'"
"$hk" --db "$demo" eod --date 2026-12-15 >/dev/null
case_dpd_match "$demo" "and still do after quiet days and crossings"

finish eod
