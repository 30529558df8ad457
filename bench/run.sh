#!/bin/sh
# bench/run.sh BUILD_DIR - the benchmark of issue 2 (`make bench`).
#
# For each portfolio size (BENCH_SIZES, default "100000 1000000" accounts):
#   1. generate the portfolio as of 2026-11-23 (`huikuan gen`), plus a
#      payments file for 2026-11-24 (~3% of accounts pay one installment);
#   2. init + import every file, timed per kind: rows per second;
#   3. the first day-end, 2026-11-23: every account replayed from its
#      opening (full history replay);
#   4. import the next-day payments, then the one-day step, day-end
#      2026-11-24, on a fresh copy of the database BENCH_RUNS times (median);
#   5. the same one-day step as plain SQL in SQLite (bench/oneday_sql.sql)
#      on another copy, checked against the engine's day_totals;
#   6. a check that a full replay straight to 2026-11-24 gives the same
#      totals as the one-day step (untimed);
# and prints one report for all sizes, also saved to bench/out/report.md.
#
# The one-day step is timed twice a run: the whole day-end, with the
# strategy and allocation of issue 4 (a team set up by allocation_setup.sql
# before the first day-end), and the ledger's step alone
# (HUIKUAN_EOD_SKIP_STRATEGY=1), which is what the plain SQL does too.
#
# Environment:
#   BENCH_SIZES   sizes to run, e.g. "20000" for a quick run
#   BENCH_RUNS    runs of the one-day step per size (default 3)
#   BENCH_TMPDIR  where the portfolios and databases go (default $TMPDIR or
#                 /tmp; the 1,000,000 size needs a few GB)
#   BENCH_KEEP=1  keep the work directory (its path is printed)
#   BENCH_REPLAY_CHECK=0  skip the check that a full replay straight to
#                 2026-11-24 gives the one-day step's totals
#
# Needs: sh, awk, sqlite3 (CLI), /usr/bin/time (package `time`), GNU date.
set -eu

. "$(dirname "$0")/lib.sh"
bench_paths "$@"
SQL=$BENCH/oneday_sql.sql
SIZES=${BENCH_SIZES:-100000 1000000}
RUNS=${BENCH_RUNS:-3}
TODAY=2026-11-23
NEXT=2026-11-24

command -v sqlite3 >/dev/null || die "sqlite3 not found (scripts/install-deps.sh bench)"
[ -x /usr/bin/time ] || die "/usr/bin/time not found (scripts/install-deps.sh bench)"
case $RUNS in '' | *[!0-9]* | 0) die "BENCH_RUNS must be a positive number" ;; esac
for n in $SIZES; do
	case $n in '' | *[!0-9]* | 0) die "BENCH_SIZES: '$n' is not a positive number" ;; esac
done

# Day numbers since 1970-01-01, as the schema stores dates.
daynum() {
	sqlite3 :memory: "SELECT CAST(julianday('$1') - julianday('1970-01-01') AS INTEGER)"
}
D0=$(daynum $TODAY)
D1=$(daynum $NEXT)

mkdir -p "$OUT"
W=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/huikuan-bench.XXXXXX")
cleanup() {
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench: work directory kept: $W" >&2
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Messages in English, whatever the caller's locale.
export LANG=en_US.UTF-8
unset LC_ALL LC_MESSAGES HUIKUAN_DB

say() {
	printf '[%s %s] %s\n' "$(date +%H:%M:%S)" "${SIZE:-}" "$*" >&2
}

# timed LOG CMD...: run CMD with its output in LOG; sets T_SEC (wall
# seconds, ms resolution) and T_KB (peak RSS in KiB, from /usr/bin/time).
timed() {
	_log=$1
	shift
	_t0=$(date +%s.%N)
	if ! /usr/bin/time -f '%M' -o "$W/time.out" "$@" >"$_log" 2>&1; then
		echo "bench: command failed: $*" >&2
		tail -n 20 "$_log" >&2
		exit 1
	fi
	_t1=$(date +%s.%N)
	T_SEC=$(awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.3f", b - a }')
	T_KB=$(tail -n 1 "$W/time.out")
}

# Copy a database with its WAL files (if any) to a fresh name, and flush
# the copy to disk: otherwise the first fsync of the timed run (the WAL
# checkpoint) would pay for writing back the whole freshly copied file,
# which no real day-end does.
copy_db() {
	rm -f "$2" "$2-wal" "$2-shm"
	cp "$1" "$2"
	for x in wal shm; do
		[ -f "$1-$x" ] && cp "$1-$x" "$2-$x"
	done
	sync
	return 0
}

# One section of oneday_sql.sql ("SETUP", "TIMED", "CHECK"), with the
# day parameters bound first.  temp_store is set before them: changing it
# drops the temp schema, where the CLI keeps its parameters.
sql_part() {
	printf '.bail on\nPRAGMA temp_store = MEMORY;\n.parameter init\n.parameter set :d0 %s\n.parameter set :d1 %s\n' "$D0" "$D1"
	awk -v want="$1" '/^-- @@ / { on = ($3 == want); next } on' "$SQL"
}

# Median of numbers, one per line.
median() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) exit 1
		if (NR % 2) print v[(NR + 1) / 2]
		else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

rows_of() {
	awk 'END { print (NR > 0 ? NR - 1 : 0) }' "$1"
}

bench_size() {
	SIZE=$1
	d=$W/n$SIZE
	res=$OUT/result-$SIZE.env
	mkdir -p "$d/log"
	: >"$res"
	put() { echo "$1=$2" >>"$res"; }
	put accounts_wanted "$SIZE"

	# 1. The portfolio, and the next day's payments.
	say "generating $SIZE accounts as of $TODAY"
	timed "$d/log/gen.log" "$HK" gen --accounts "$SIZE" --out "$d/csv" \
		--today $TODAY --seed 1
	put gen_s "$T_SEC"
	put gen_counts "\"$(tr '\n' ' ' <"$d/log/gen.log")\""
	awk -v day=$NEXT -v tag="$SIZE" -f "$BENCH/nextday_payments.awk" \
		"$d/csv/installments.csv" >"$d/nextday_payments.csv" 2>"$d/log/nextday.log" ||
		{ cat "$d/log/nextday.log" >&2; die "could not make the next-day payments"; }

	# 2. Import.
	db=$d/hk.db
	timed "$d/log/init.log" "$HK" --db "$db" init
	total_rows=0
	total_s=0
	for kind in debtors contacts accounts installments payments promises; do
		f=$d/csv/$kind.csv
		[ -f "$f" ] || { say "no $kind.csv: skipped"; continue; }
		rows=$(rows_of "$f")
		say "importing $rows $kind"
		timed "$d/log/import-$kind.log" "$HK" --db "$db" import $kind "$f"
		put "import_${kind}_rows" "$rows"
		put "import_${kind}_s" "$T_SEC"
		put "import_${kind}_kb" "$T_KB"
		total_rows=$((total_rows + rows))
		total_s=$(awk -v a="$total_s" -v b="$T_SEC" 'BEGIN { printf "%.3f", a + b }')
	done
	put import_rows "$total_rows"
	put import_s "$total_s"
	n_acc=$(sqlite3 "$db" "SELECT count(*) FROM accounts")
	n_inst=$(sqlite3 "$db" "SELECT count(*) FROM installments")
	put accounts "$n_acc"
	put installments "$n_inst"

	# The team and the strategy with its allocation (issue 4).
	printf '.bail on\n.parameter init\n.parameter set :d0 %s\n.read %s\n' \
		"$D0" "$BENCH/allocation_setup.sql" | sqlite3 "$db" >/dev/null ||
		die "could not set up the allocation"

	# 3. Full history replay: the first day-end (and the strategy's first
	# look at every case).
	say "day-end $TODAY (full replay of $n_acc accounts)"
	timed "$d/log/eod0.log" "$HK" --db "$db" eod --date $TODAY
	put replay_s "$T_SEC"
	put replay_kb "$T_KB"
	put replay_msg "\"$(tr '\n' ' ' <"$d/log/eod0.log")\""

	# 4. The one-day step, on fresh copies of the database.
	np=$(rows_of "$d/nextday_payments.csv")
	say "importing $np payments dated $NEXT"
	timed "$d/log/import-nextday.log" "$HK" --db "$db" import payments \
		"$d/nextday_payments.csv"
	put nextday_payments "$np"
	put nextday_import_s "$T_SEC"
	sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
	put db_mb "$(du -m "$db" | cut -f1)"
	n_waivers=$(sqlite3 "$db" "SELECT count(*) FROM waivers")
	n_nostate=$(sqlite3 "$db" "SELECT count(*) FROM accounts a WHERE NOT EXISTS
		(SELECT 1 FROM account_state s WHERE s.account_ref = a.ref)")
	put waivers "$n_waivers"
	put accounts_without_state "$n_nostate"

	# Each run twice on fresh copies: the whole day-end, with the
	# strategy and allocation (issue 4; its phase timed by the engine),
	# and the ledger's step alone, which the plain SQL below also does.
	: >"$d/oneday.times"
	: >"$d/full.times"
	: >"$d/strategy.times"
	r=1
	while [ $r -le "$RUNS" ]; do
		copy_db "$db" "$d/run.db"
		say "day-end $NEXT with the strategy, run $r of $RUNS"
		HUIKUAN_EOD_TIMING=1 timed "$d/log/eod1-full-$r.log" "$HK" --db "$d/run.db" eod --date $NEXT
		echo "$T_SEC $T_KB" >>"$d/full.times"
		sed -n 's/.*strategy \([0-9.]*\),.*/\1/p' "$d/log/eod1-full-$r.log" >>"$d/strategy.times"
		put "full_run${r}" "\"$T_SEC s\""
		copy_db "$db" "$d/run.db"
		say "day-end $NEXT, the ledger's step alone, run $r of $RUNS"
		HUIKUAN_EOD_SKIP_STRATEGY=1 timed "$d/log/eod1-$r.log" "$HK" --db "$d/run.db" eod --date $NEXT
		echo "$T_SEC $T_KB" >>"$d/oneday.times"
		put "oneday_run${r}" "\"$T_SEC s, $T_KB KiB\""
		r=$((r + 1))
	done
	put oneday_s "$(cut -d' ' -f1 "$d/oneday.times" | median)"
	put oneday_kb "$(cut -d' ' -f2 "$d/oneday.times" | sort -n | tail -n 1)"
	put oneday_msg "\"$(tr '\n' ' ' <"$d/log/eod1-$RUNS.log")\""
	put full_s "$(cut -d' ' -f1 "$d/full.times" | median)"
	put full_kb "$(cut -d' ' -f2 "$d/full.times" | sort -n | tail -n 1)"
	put strategy_phase_s "$(median <"$d/strategy.times")"
	put strategy_msg "\"$(grep -v '^facts ' "$d/log/eod1-full-$RUNS.log" | tr '\n' ' ')\""
	put strategy_first_msg "\"$(grep -i 'strategy' "$d/log/eod0.log" | tr '\n' ' ')\""
	put eod0_moves "$(sqlite3 "$db" "SELECT count(*) FROM case_assignments")"

	# 5. The same step in plain SQL, on a copy taken before our step.
	copy_db "$db" "$d/sql.db"
	say "plain SQL: setup (untimed)"
	sql_part SETUP >"$d/setup.sql"
	timed "$d/log/sql-setup.log" sqlite3 "$d/sql.db" ".read $d/setup.sql"
	put sql_setup_s "$T_SEC"
	say "plain SQL: the one-day step"
	sql_part TIMED >"$d/timed.sql"
	timed "$d/log/sql-timed.log" sqlite3 "$d/sql.db" ".read $d/timed.sql"
	put sql_s "$T_SEC"
	put sql_kb "$T_KB"
	sql_part CHECK >"$d/check.sql"
	sqlite3 "$d/sql.db" ".read $d/check.sql" >"$d/sql.totals"
	sqlite3 -list -separator '|' "$d/run.db" "SELECT 'TOTAL', bucket, accounts,
		total_overdue, overdue_principal, overdue_interest, overdue_fee,
		penalty_due, principal_outstanding FROM day_totals
		WHERE as_of = $D1 ORDER BY position;
		SELECT 'TRANSITIONS', count(*) FROM bucket_transitions WHERE as_of = $D1;
		SELECT 'CASES', count(*), sum(overdue_since < 2147483647),
		       sum(max(0, $D1 - overdue_since)), sum(due) FROM (
			SELECT coalesce(o.overdue_since, 2147483647) AS overdue_since,
			       coalesce(o.due_base + o.due_daily * $D1, 0) AS due
			FROM cases c LEFT JOIN case_overdue o ON o.case_ref = c.ref);" \
		>"$d/engine.totals"
	# The contract: per-bucket account counts and total_overdue equal.
	cut -d'|' -f1-4 "$d/sql.totals" | grep '^TOTAL' >"$d/sql.req" || true
	cut -d'|' -f1-4 "$d/engine.totals" | grep '^TOTAL' >"$d/engine.req" || true
	if [ -s "$d/engine.req" ] && cmp -s "$d/sql.req" "$d/engine.req"; then
		put check MATCH
	else
		put check MISMATCH
	fi
	if cmp -s "$d/sql.totals" "$d/engine.totals"; then
		put check_all "\"all columns and the transition count equal\""
	else
		put check_all "\"differences in: $(diff "$d/engine.totals" "$d/sql.totals" |
			grep '^[<>]' | cut -d'|' -f1,2 | sort -u | tr '\n' ' ')\""
	fi
	# Same accounts changing bucket, between the same buckets?
	tdiff=$(sqlite3 "$d/sql.db" "ATTACH '$d/run.db' AS e;
		SELECT (SELECT count(*) FROM (
			SELECT account_ref, from_bucket, to_bucket FROM w_transitions WHERE as_of = $D1
			EXCEPT SELECT account_ref, from_bucket, to_bucket FROM e.bucket_transitions WHERE as_of = $D1))
		|| ' ' || (SELECT count(*) FROM (
			SELECT account_ref, from_bucket, to_bucket FROM e.bucket_transitions WHERE as_of = $D1
			EXCEPT SELECT account_ref, from_bucket, to_bucket FROM w_transitions WHERE as_of = $D1));")
	put transitions_sql_only "${tdiff% *}"
	put transitions_engine_only "${tdiff#* }"
	# Finer: the accounts the engine moved to D1 (the paying ones) store
	# their installments as of D1; they must equal the SQL's, fen for fen,
	# and so must every credit balance.
	idiff=$(sqlite3 "$d/sql.db" "ATTACH '$d/run.db' AS e;
		SELECT count(*) || ' ' || coalesce(sum(
			i.principal <> coalesce(w.principal, 0) OR
			i.interest <> coalesce(w.interest, 0) OR
			i.fee <> coalesce(w.fee, 0) OR
			i.penalty <> coalesce(w.penalty, 0)), 0)
		FROM e.account_state s
		JOIN e.installments i ON i.account_ref = s.account_ref
		LEFT JOIN w_inst w ON w.account_ref = i.account_ref AND w.seq = i.seq
		WHERE s.anchor = $D1;
		SELECT count(*) FROM e.account_state s JOIN w_acct w
			ON w.account_ref = s.account_ref
		WHERE s.credit_balance <> w.credit_balance;")
	put inst_compared "$(echo "$idiff" | head -n 1 | cut -d' ' -f1)"
	put inst_differ "$(echo "$idiff" | head -n 1 | cut -d' ' -f2)"
	put credit_differ "$(echo "$idiff" | tail -n 1)"
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -f "$d/sql.db" "$d/sql.db-wal" "$d/sql.db-shm"

	# 6. Path independence (ledger.md §3: the state as of D does not
	# depend on the day-end steps taken): forget every account's state and
	# day-end 2026-11-24 again, a full replay straight to that day; its
	# totals must equal the one-day step's.
	if [ "${BENCH_REPLAY_CHECK:-1}" = 1 ]; then
		copy_db "$db" "$d/replay.db"
		sqlite3 "$d/replay.db" "DELETE FROM account_state;"
		say "check: full replay straight to $NEXT"
		timed "$d/log/eod1-replay.log" "$HK" --db "$d/replay.db" eod --date $NEXT
		sqlite3 -list -separator '|' "$d/replay.db" "SELECT 'TOTAL', bucket,
			accounts, total_overdue, overdue_principal, overdue_interest,
			overdue_fee, penalty_due, principal_outstanding FROM day_totals
			WHERE as_of = $D1 ORDER BY position;" >"$d/replay.totals"
		if grep '^TOTAL' "$d/engine.totals" | cmp -s - "$d/replay.totals"; then
			put replay_check MATCH
		else
			put replay_check MISMATCH
		fi
		[ "${BENCH_KEEP:-0}" = 1 ] ||
			rm -f "$d/replay.db" "$d/replay.db-wal" "$d/replay.db-shm"
	fi
	{
		echo "engine day_totals $NEXT (bucket|accounts|total_overdue|op|oi|of|penalty|po, fen):"
		cat "$d/engine.totals"
		echo "plain SQL w_totals:"
		cat "$d/sql.totals"
		if [ -f "$d/replay.totals" ]; then
			echo "engine, full replay straight to $NEXT:"
			cat "$d/replay.totals"
		fi
	} >"$OUT/check-$SIZE.txt"
	say "check: $(grep '^check=' "$res" | cut -d= -f2)"

	if [ "${BENCH_KEEP:-0}" != 1 ]; then
		rm -rf "$d"
	fi
	SIZE=
}

# The source the binary was built from, as it is when the run starts.
GIT_HEAD=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')
GIT_DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no -- . ':!bench' 2>/dev/null |
	awk '{ f = f (f ? ", " : "") $2 } END { if (f) printf " + uncommitted changes to %s", f }')

say "huikuan benchmark: sizes $SIZES; work directory $W"
for n in $SIZES; do
	bench_size "$n"
done

# The report.
{
	printf '# huikuan benchmark\n\n'
	printf '%s; %s cores (%s); SQLite %s; build %s; commit %s%s.\n\n' \
		"$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" \
		"$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
		"$(sqlite3 -version | cut -d' ' -f1)" "$(basename "$BUILD")" \
		"$GIT_HEAD" "$GIT_DIRTY"
	files=
	for n in $SIZES; do files="$files $OUT/result-$n.env"; done
	# shellcheck disable=SC2086
	awk -v runs="$RUNS" -f "$BENCH/report.awk" $files
} >"$OUT/report.md"
cat "$OUT/report.md"
