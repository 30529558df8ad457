#!/bin/sh
# SQLite and PostgreSQL side by side (issue 6): the same generated
# portfolio through the same day-ends (a back-dated bank file between
# them) gives byte-identical exports and the same transitions, totals,
# promises, treatments and allocation on both, and on PostgreSQL with 4
# day-end workers; the same demo answers the API alike on both; several
# servers on one PostgreSQL database take concurrent contact records,
# promises and one payment posted to all of them, losing and doubling
# nothing.  Skipped (its closing line says so) without HUIKUAN_TEST_PG.
# usage: backends_test.sh HUIKUAN_BINARY TESTS_DIR
. "$2/cli/lib.sh"
J='Content-Type: application/json'

if [ -z "${HUIKUAN_TEST_PG:-}" ]; then
	echo "# HUIKUAN_TEST_PG is not set: nothing compared (scripts/run-tests.sh starts a cluster)"
	finish backends
	exit 0
fi

# ---- day-end on both backends
"$hk" gen --accounts 3000 --out "$tmp/p" --today 2026-11-23 --seed 5 >/dev/null ||
	{ bad "gen"; finish backends; exit 1; }
# the bank file in two: the second half arrives after the first day-ends,
# back-dated, so the last day-end replays what it changes
n=$(wc -l <"$tmp/p/payments.csv")
head -n $((n / 2)) "$tmp/p/payments.csv" >"$tmp/pay1.csv"
{ head -n 1 "$tmp/p/payments.csv"; tail -n +$((n / 2 + 1)) "$tmp/p/payments.csv"; } >"$tmp/pay2.csv"
load() {
	"$hk" --db "$1" init >/dev/null &&
	for k in debtors contacts accounts installments promises; do
		"$hk" --db "$1" import $k "$tmp/p/$k.csv" >/dev/null || return 1
	done &&
	"$hk" --db "$1" import payments "$tmp/pay1.csv" >/dev/null
}
state() {
	q "$1" "select account_ref, from_bucket, to_bucket, as_of from bucket_transitions order by account_ref, as_of"
	q "$1" "select * from day_totals order by 1, 2"
	q "$1" "select as_of, accounts, replayed, advanced, crossed, transitions from eod_runs order by ref"
	q "$1" "select * from promises order by ref"
	q "$1" "select * from case_treatment order by case_ref"
	q "$1" "select * from treatment_history order by since, case_ref"
	q "$1" "select case_ref, on_date, from_collector, collector_ref, team_ref, kind from case_assignments order by ref"
	q "$1" "select ref, collector_ref, team_ref, agency_ref, status from cases order by ref"
}
sq=$tmp/s.db
pg=$(pg_db one)
pg4=$(pg_db four)
for db in "$sq" "$pg" "$pg4"; do load "$db" || bad "load $db"; done
step() { # DATE [back-dated file]
	for db in "$sq" "$pg"; do "$hk" --db "$db" eod --date $1 >/dev/null || bad "eod $1 on $db"; done
	# 300 accounts a chunk: ten chunks shared by the four workers
	HUIKUAN_EOD_CHUNK=300 "$hk" --db "$pg4" eod --date $1 --workers 4 >/dev/null || bad "eod $1 --workers 4"
	for db in "$sq" "$pg" "$pg4"; do "$hk" --db "$db" export accounts; done >/dev/null
	"$hk" --db "$sq" export accounts >"$tmp/s.csv"
	"$hk" --db "$pg" export accounts >"$tmp/p.csv"
	"$hk" --db "$pg4" export accounts >"$tmp/p4.csv"
	[ "$(wc -l <"$tmp/s.csv")" -eq 3001 ] && cmp -s "$tmp/s.csv" "$tmp/p.csv" &&
		ok "$1: the exports of SQLite and PostgreSQL are byte-identical" ||
		bad "$1: the exports differ ($(diff "$tmp/s.csv" "$tmp/p.csv" | head -3 | tr '\n' ' '))"
	cmp -s "$tmp/s.csv" "$tmp/p4.csv" && ok "$1: and PostgreSQL's with 4 workers" ||
		bad "$1: PostgreSQL with 4 workers differs"
}
step 2026-09-30
step 2026-10-31
for db in "$sq" "$pg" "$pg4"; do
	"$hk" --db "$db" import payments "$tmp/pay2.csv" >/dev/null || bad "back-dated file on $db"
done
step 2026-11-23
state "$sq" >"$tmp/s.state"
state "$pg" >"$tmp/p.state"
state "$pg4" >"$tmp/p4.state"
[ "$(wc -l <"$tmp/s.state")" -gt 3000 ] && cmp -s "$tmp/s.state" "$tmp/p.state" &&
	ok "the same transitions, totals, runs, promises, treatments and allocation" ||
	bad "state differs: $(diff "$tmp/s.state" "$tmp/p.state" | head -4 | tr '\n' ' ')"
cmp -s "$tmp/s.state" "$tmp/p4.state" && ok "and with 4 workers" ||
	bad "state with 4 workers differs: $(diff "$tmp/s.state" "$tmp/p4.state" | head -4 | tr '\n' ' ')"
# every report's every sheet, byte for byte (issue 8)
reports() { # DB
	for r in "aging" "roll --from 2026-09-01" "recovery --from 2026-10-01" \
		"promises --from 2026-09-01" "activity --from 2026-09-01" "agencies --from 2026-09-01"; do
		"$hk" --db "$1" report $r --format json || echo "failed: $r"
	done
}
reports "$sq" >"$tmp/s.rep"
reports "$pg" >"$tmp/p.rep"
reports "$pg4" >"$tmp/p4.rep"
[ "$(wc -l <"$tmp/s.rep")" -gt 500 ] && ! grep -q "^failed" "$tmp/s.rep" &&
	cmp -s "$tmp/s.rep" "$tmp/p.rep" && cmp -s "$tmp/s.rep" "$tmp/p4.rep" &&
	ok "every report the same on both backends, and with 4 workers" ||
	bad "reports differ: $(diff "$tmp/s.rep" "$tmp/p.rep" | head -4 | tr '\n' ' ')"

# ---- the API over the same demo on both
serve() { # DB OUT: starts a server, prints its base URL
	"$hk" --db "$1" --config "$(awake_config)" serve --listen 127.0.0.1:0 >"$2" 2>"$2.log" &
	echo $! >>"$tmp/pids"
	for _ in $(seq 1 100); do grep -qs "http://" "$2" && break; sleep 0.05; done
	echo "http://127.0.0.1:$(sed -n 's/.*:\([0-9][0-9]*\)$/\1/p' "$2")"
}
stop_all() { [ -f "$tmp/pids" ] && kill $(cat "$tmp/pids") 2>/dev/null; wait; rm -f "$tmp/pids"; }
dpg=$(pg_db demo)
"$hk" demo --db "$tmp/d.db" --accounts 150 --no-serve >/dev/null 2>&1 || bad "demo on SQLite"
"$hk" demo --db "$dpg" --accounts 150 --no-serve >/dev/null 2>&1 || bad "demo on PostgreSQL"
b1=$(serve "$tmp/d.db" "$tmp/o1")
b2=$(serve "$dpg" "$tmp/o2")
PYTHONPATH="$2/cli" python3 - "$b1" "$b2" <<'PY'
import json, sys
from hkapi import Api, Checks
ok = Checks()
a, b = Api(sys.argv[1]), Api(sys.argv[2])
users = ["wang.jl", "zhang.zz", "li.na", "wu.wb", "sun.sj"]
a.login(*users)
b.login(*users)

def norm(x):
    # the clock at init (when a seed row was written) is all that may differ
    if isinstance(x, dict):
        return {k: (None if k in ("created_at", "updated_at", "published_at") else norm(v)) for k, v in x.items()}
    if isinstance(x, list):
        return [norm(v) for v in x]
    return x

paths = ["/api/me", "/api/queue", "/api/queue/counts", "/api/cases?limit=50",
         "/api/cases?sort=dpd&limit=50", "/api/cases?sort=overdue&limit=20",
         "/api/cases/1", "/api/cases/7", "/api/cases/7/timeline", "/api/cases/9/records",
         "/api/dashboard", "/api/approvals", "/api/teams", "/api/users",
         "/api/strategies", "/api/scripts", "/api/agencies", "/api/audit?limit=5"]
for u in users:
    diff = []
    for p in paths:
        x, y = a.call(u, "GET", p), b.call(u, "GET", p)
        if x[0] != y[0] or norm(x[1]) != norm(y[1]):
            diff.append("%s (%s/%s)" % (p, x[0], y[0]))
    ok("%s: %d answers alike on both backends" % (u, len(paths)), not diff, " ".join(diff))
ok.finish("backends-api")
PY
[ $? -eq 0 ] && ok "the API answers alike" || bad "the API answers differ"
stop_all

# ---- three servers on one PostgreSQL database
s1=$(serve "$dpg" "$tmp/c1")
s2=$(serve "$dpg" "$tmp/c2")
s3=$(serve "$dpg" "$tmp/c3")
token() {
	curl -s -X POST -H "$J" -d '{"username":"admin","password":"huikuan-demo-2026","bearer":true}' "$1/api/session" |
		sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p'
}
# a session made on one server is honoured by the others: nothing of it
# lives in a process
t=$(token "$s1")
[ -n "$t" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t" "$s3/api/me")" = 200 ] &&
	ok "a session from one server works on another" || bad "a session from one server works on another"
H="Authorization: Bearer $t"
recs0=$(q "$dpg" "select count(*) from contact_records where case_ref=3")
proms0=$(q "$dpg" "select count(*) from promises where case_ref=4")
due=$(TZ=Asia/Shanghai date -d '+5 days' +%F)
w=0
for s in "$s1" "$s2" "$s3" "$s1" "$s2" "$s3"; do
	w=$((w + 1))
	(
		for i in $(seq 1 20); do
			curl -s -o /dev/null -w 'r%{http_code}\n' -H "$H" -X POST -H "$J" \
				-d "{\"channel\":\"call\",\"outcome\":\"no_answer\",\"note\":\"m$w-$i\"}" "$s/api/cases/3/records"
			curl -s -o /dev/null -w 'p%{http_code}\n' -H "$H" -X POST -H "$J" \
				-d "{\"amount\":\"1$w.0$((i % 10))\",\"due_on\":\"$due\"}" "$s/api/cases/4/promises"
		done
		# one payment, posted by every writer to its server at once
		curl -s -w ' %{http_code}\n' -H "$H" -X POST -H "$J" \
			-d "{\"payment_id\":\"MULTI-1\",\"account_id\":\"$(q "$dpg" "select account_id from accounts order by ref limit 1")\",\"paid_on\":\"$(TZ=Asia/Shanghai date +%F)\",\"amount\":\"88.00\",\"channel\":\"online\"}" \
			"$s/api/payments"
	) >"$tmp/m$w" 2>&1 &
done
wait_for() { for w in 1 2 3 4 5 6; do while [ "$(wc -l <"$tmp/m$w" 2>/dev/null || echo 0)" -lt 41 ]; do sleep 0.1; done; done; }
wait_for
r201=$(cat "$tmp"/m? | grep -c '^r201$')
p201=$(cat "$tmp"/m? | grep -c '^p201$')
recs=$(($(q "$dpg" "select count(*) from contact_records where case_ref=3") - recs0))
proms=$(($(q "$dpg" "select count(*) from promises where case_ref=4") - proms0))
[ "$r201" -eq 120 ] && [ "$recs" -eq 120 ] && ok "120 contact records through three servers, all written" ||
	bad "contact records: $r201 answered 201, $recs written"
[ "$p201" -eq 120 ] && [ "$proms" -eq 120 ] && ok "120 promises through three servers, all written" ||
	bad "promises: $p201 answered 201, $proms written"
[ "$(q "$dpg" "select count(distinct note) from contact_records where case_ref=3 and note like 'm%-%'")" -eq 120 ] &&
	ok "every record distinct" || bad "records repeated"
created=$(cat "$tmp"/m? | grep -c '"duplicate":false.* 201$')
dups=$(cat "$tmp"/m? | grep -c '"duplicate":true.* 200$')
[ "$(q "$dpg" "select count(*) from payments where payment_id='MULTI-1'")" = 1 ] && [ "$created" = 1 ] && [ "$dups" = 5 ] &&
	ok "one payment posted six times at once: booked once, five duplicates" ||
	bad "payment MULTI-1: created $created, duplicates $dups, rows $(q "$dpg" "select count(*) from payments where payment_id='MULTI-1'")"
stop_all
"$hk" --db "$dpg" audit verify >/dev/null 2>&1 && ok "the audit chain is whole after three servers wrote" ||
	bad "the audit chain after three servers"

finish backends
