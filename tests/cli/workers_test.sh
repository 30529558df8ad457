#!/bin/sh
# huikuan eod --workers N (issue 6): day-end split across worker processes
# by account range gives exactly one worker's result - the export, the
# bucket transitions, the day's totals, the strategy's treatments - and a
# multi-worker run killed part-way keeps whole chunks, refuses any other
# date, and is finished by a rerun with the same result.
# usage: workers_test.sh HUIKUAN_BINARY TESTS_DIR
. "$2/cli/lib.sh"

"$hk" gen --accounts 6000 --out "$tmp/p" --today 2026-11-23 --seed 11 >/dev/null ||
	{ echo "not ok - gen"; exit 1; }
load() {
	"$hk" --db "$1" init >/dev/null &&
	for k in debtors contacts accounts installments payments promises; do
		"$hk" --db "$1" import $k "$tmp/p/$k.csv" >/dev/null || return 1
	done
}
# what day-end leaves besides the export
state() {
	q "$1" "select account_ref, from_bucket, to_bucket, as_of from bucket_transitions order by account_ref, as_of"
	q "$1" "select * from day_totals order by 1, 2"
	q "$1" "select as_of, accounts, replayed, advanced, crossed, transitions from eod_runs order by ref"
	q "$1" "select * from promises order by ref"
	q "$1" "select * from case_treatment order by case_ref"
	q "$1" "select * from treatment_history order by since, case_ref"
	q "$1" "select case_ref, on_date, from_collector, collector_ref, team_ref, kind from case_assignments order by ref"
	# the reports' snapshot (the parent records it once the workers are done)
	q "$1" "select * from report_dims order by ref"
	q "$1" "select as_of, dims, bucket, accounts, total_overdue, principal_outstanding from report_aging order by 1, 2, 3"
	q "$1" "select * from report_recovery order by 1, 2, 3"
	q "$1" "select * from report_days order by 1"
}

one=$(newdb one)
load "$one" || bad "load"
three=$(copydb "$one" three)
killed=$(copydb "$one" killed)
# 500 accounts a chunk: 12 chunks, 4 for each of three workers
export HUIKUAN_EOD_CHUNK=500
for d in 2026-10-31 2026-11-23; do
	"$hk" --db "$one" eod --date $d >"$tmp/one.$d.out" || bad "one worker, $d"
	"$hk" --db "$three" eod --date $d --workers 3 >"$tmp/three.$d.out" ||
		bad "three workers, $d"
	cmp -s "$tmp/one.$d.out" "$tmp/three.$d.out" && ok "$d: the same summary from three workers" ||
		bad "$d: summaries differ: $(cat "$tmp/one.$d.out") / $(cat "$tmp/three.$d.out")"
done
"$hk" --db "$one" export accounts >"$tmp/one.csv"
"$hk" --db "$three" export accounts >"$tmp/three.csv"
[ "$(wc -l <"$tmp/one.csv")" -gt 6000 ] && cmp -s "$tmp/one.csv" "$tmp/three.csv" &&
	ok "the export is byte-identical" || bad "the export differs"
state "$one" >"$tmp/one.state"
state "$three" >"$tmp/three.state"
cmp -s "$tmp/one.state" "$tmp/three.state" &&
	ok "transitions, day totals, run records, promises, treatments, allocation, the reports' snapshot identical" ||
	bad "state differs: $(diff "$tmp/one.state" "$tmp/three.state" | head -5)"
[ "$(q "$three" "select count(*) from eod_parts")" = 0 ] &&
	ok "the chunks' records are cleared when the day closes" || bad "eod_parts left behind"
grep -q '[1-9][0-9]* 个账户\|[1-9][0-9]* accounts' "$tmp/three.2026-11-23.out" &&
	ok "the summary counts the accounts" || bad "summary: $(cat "$tmp/three.2026-11-23.out")"

# a rerun of the same date with no new facts changes nothing
"$hk" --db "$three" eod --date 2026-11-23 --workers 2 >/dev/null || bad "rerun"
"$hk" --db "$three" export accounts >"$tmp/three2.csv"
cmp -s "$tmp/three.csv" "$tmp/three2.csv" && ok "a rerun changes nothing" || bad "a rerun changed the export"

# killed: each of two workers dies after its second chunk (of six)
"$hk" --db "$killed" eod --date 2026-10-31 >/dev/null
HUIKUAN_FAULT_KILL_AFTER_CHUNK=2 "$hk" --db "$killed" eod --date 2026-11-23 --workers 2 \
	>/dev/null 2>"$tmp/killed.err"
st=$?
[ $st -eq 1 ] && ok "a run whose workers died fails (exit 1)" || bad "exit $st after the workers died"
grep -q "重跑" "$tmp/killed.err" && ok "and says a rerun finishes it" || bad "message: $(cat "$tmp/killed.err")"
[ "$(q "$killed" "select value from meta where key='last_eod'")" = 2026-10-31 ] &&
	ok "the last processed date is unchanged" || bad "last_eod moved"
parts=$(q "$killed" "select count(*) from eod_parts")
[ "$parts" = 4 ] && ok "four whole chunks were kept" || bad "$parts chunks kept (4 expected)"
[ "$(intact "$killed")" = ok ] && ok "integrity" || bad "integrity"
LANG=en_US.UTF-8 "$hk" --db "$killed" eod --date 2026-11-24 >/dev/null 2>"$tmp/other.err"
st=$?
[ $st -eq 4 ] && grep -q "interrupted; rerun huikuan eod --date 2026-11-23" "$tmp/other.err" &&
	ok "another date is refused until it is finished (exit 4)" || bad "another date: exit $st, $(cat "$tmp/other.err")"
# a plain rerun (no --workers) finishes it the way it was begun
"$hk" --db "$killed" eod --date 2026-11-23 >/dev/null && ok "the rerun completes" || bad "the rerun failed"
"$hk" --db "$killed" export accounts >"$tmp/killed.csv"
cmp -s "$tmp/one.csv" "$tmp/killed.csv" && ok "the finished run's export equals one worker's" ||
	bad "the finished run's export differs"
t1=$(state "$one" | sed -n 1,3p)
t2=$(state "$killed" | sed -n 1,3p)
[ "$t1" = "$t2" ] && ok "and so do its transitions, totals and run record" ||
	bad "transitions/totals differ after the rerun"
[ -z "$(q "$killed" "select value from meta where key='eod_pending' and value <> ''")" ] &&
	ok "nothing is left pending" || bad "eod_pending left"

# bad counts are usage errors
"$hk" --db "$one" eod --date 2026-11-23 --workers 0 >/dev/null 2>&1
[ $? -eq 2 ] && ok "--workers 0 is a usage error" || bad "--workers 0"
"$hk" --db "$one" eod --date 2026-11-23 --workers x >/dev/null 2>&1
[ $? -eq 2 ] && ok "--workers x is a usage error" || bad "--workers x"
finish workers
