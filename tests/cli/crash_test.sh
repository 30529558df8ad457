#!/bin/sh
# kill -9 during import and day-end: the last committed state stays intact
# and a rerun completes the job, with the same result as an undisturbed run.
# usage: crash_test.sh HUIKUAN_BINARY TESTS_DIR
. "$2/cli/lib.sh"

"$hk" gen --accounts 6000 --out "$tmp/p" --today 2026-11-23 --seed 7 >/dev/null ||
	{ echo "not ok - gen"; exit 1; }
load() {
	"$hk" --db "$1" init >/dev/null &&
	for k in debtors contacts accounts installments payments promises; do
		"$hk" --db "$1" import $k "$tmp/p/$k.csv" >/dev/null || return 1
	done
}

ref=$(newdb ref)
v=$(newdb v)
i=$(newdb i)
# the reference: undisturbed
load "$ref" || bad "load reference"
"$hk" --db "$ref" eod --date 2026-10-31 >/dev/null
"$hk" --db "$ref" eod --date 2026-11-23 >/dev/null
"$hk" --db "$ref" export accounts >"$tmp/ref.csv"

# the victim: killed during day-end at several moments
load "$v" || bad "load victim"
"$hk" --db "$v" eod --date 2026-10-31 >/dev/null
mark_before=$(q "$v" "select value from meta where key='booked_payment_ref'")
# HUIKUAN_EOD_CHUNK=500 makes 12 chunks; HUIKUAN_FAULT_KILL_AFTER_CHUNK=k
# sends the process SIGKILL after chunk k, in the middle of the transaction.
for k in 1 6 12; do
	HUIKUAN_EOD_CHUNK=500 HUIKUAN_FAULT_KILL_AFTER_CHUNK=$k \
		"$hk" --db "$v" eod --date 2026-11-23 >/dev/null 2>&1
	st=$?
	[ $st -eq 137 ] || [ $st -gt 128 ] && ok "killed after chunk $k" || bad "killed after chunk $k (exit $st)"
	last=$(q "$v" "select value from meta where key='last_eod'")
	[ "$last" = 2026-10-31 ] && ok "after kill at chunk $k the last day is intact" ||
		bad "after kill at chunk $k last_eod is '$last'"
	check=$(intact "$v")
	[ "$check" = ok ] && ok "integrity after kill at chunk $k" || bad "integrity: $check"
	mark=$(q "$v" "select value from meta where key='booked_payment_ref'")
	[ "$mark" = "$mark_before" ] && ok "nothing of the killed day was kept" ||
		bad "the killed run moved the payments booked ($mark_before to $mark)"
done
# and at a random moment, by another process
"$hk" --db "$v" eod --date 2026-11-23 >/dev/null 2>&1 &
pid=$!
sleep 0.05
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
last=$(q "$v" "select value from meta where key='last_eod'")
case $last in
2026-10-31 | 2026-11-23) ok "after a kill at 0.05 s the last day is whole ($last)" ;;
*) bad "after a kill at 0.05 s last_eod is '$last'" ;;
esac
"$hk" --db "$v" eod --date 2026-11-23 >/dev/null && ok "rerun completes" || bad "rerun completes"
"$hk" --db "$v" export accounts >"$tmp/v.csv"
cmp -s "$tmp/ref.csv" "$tmp/v.csv" && ok "rerun equals the undisturbed run" ||
	bad "rerun equals the undisturbed run"
tq="select account_ref, as_of, from_bucket, to_bucket from bucket_transitions order by account_ref, as_of"
t1=$(q "$ref" "$tq")
t2=$(q "$v" "$tq")
[ -n "$t1" ] && [ "$t1" = "$t2" ] && ok "same bucket transitions" || bad "same bucket transitions"

# killed during an import: nothing of the file is there, a rerun imports it
"$hk" --db "$i" init >/dev/null
for k in debtors contacts accounts; do "$hk" --db "$i" import $k "$tmp/p/$k.csv" >/dev/null; done
"$hk" --db "$i" import installments "$tmp/p/installments.csv" >/dev/null 2>&1 &
pid=$!
sleep 0.03
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
n=$(q "$i" "select count(*) from installments")
want=$(($(wc -l <"$tmp/p/installments.csv") - 1))
if [ "$n" -eq 0 ] || [ "$n" -eq "$want" ]; then ok "import killed: all or nothing ($n rows)"; else bad "import killed left $n of $want rows"; fi
if [ "$n" -eq 0 ]; then
	"$hk" --db "$i" import installments "$tmp/p/installments.csv" >/dev/null && ok "import rerun" || bad "import rerun"
fi
n=$(q "$i" "select count(*) from installments")
[ "$n" -eq "$want" ] && ok "every installment imported once" || bad "installments: $n of $want"

finish crash
