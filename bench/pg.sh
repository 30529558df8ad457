#!/bin/sh
# bench/pg.sh BUILD_DIR - the PostgreSQL benchmark of issue 6 (`make bench`):
# the same portfolio, day-ends and checks as bench/run.sh, on SQLite and
# on PostgreSQL 15 side by side.
#
# For each portfolio size (BENCH_PG_SIZES, default "100000" accounts):
#   1. start a throwaway PostgreSQL cluster (scripts/pg-cluster.sh, a Unix
#      socket in the work directory; stopped and removed at exit), generate
#      the portfolio as of 2026-11-23 and the 2026-11-24 payments exactly as
#      run.sh does, and import every file into an SQLite file and into a
#      PostgreSQL database, timed per kind (rows per second);
#   2. set up run.sh's collection team and strategy (allocation_setup.sql;
#      on PostgreSQL the same rows, the strategy's body copied from SQLite),
#      then the first day-end, 2026-11-23, on both (timed), then import the
#      next-day payments on both;
#   3. the one-day step, day-end 2026-11-24, on fresh copies (SQLite: cp;
#      PostgreSQL: CREATE DATABASE … TEMPLATE), BENCH_RUNS times (median):
#      SQLite and PostgreSQL each with --workers 1, 2 and 4, each run twice
#      like run.sh (the whole day-end, and the ledger's step alone with
#      HUIKUAN_EOD_SKIP_STRATEGY=1); after every run `export accounts` must
#      be byte-identical to SQLite's one-worker export, and PostgreSQL's
#      day_totals equal SQLite's, or the benchmark stops;
#   4. the same one-day step as plain SQL inside PostgreSQL
#      (bench/oneday_pg.sql, the port of oneday_sql.sql) on another copy,
#      its per-bucket totals checked against the engine's day_totals;
# and prints one report, also saved to bench/out/pg-report.md.
#
# Environment:
#   BENCH_PG_SIZES  sizes to run, e.g. "20000" for a quick run
#   BENCH_RUNS      runs of the one-day step per variant (default 3)
#   BENCH_TMPDIR    where the portfolios and both databases go (default
#                   $TMPDIR or /tmp)
#   BENCH_KEEP=1    keep the work directory (CSV files, SQLite databases,
#                   logs; the PostgreSQL cluster is removed regardless)
#
# Needs: sh, awk, sqlite3 (CLI), /usr/bin/time, GNU date, PostgreSQL 15
# server and client (Debian's postgresql, postgresql-client);
# scripts/install-deps.sh bench installs them.  As root the cluster runs as
# nobody (pg-cluster.sh), so the work directory is made world-traversable.
set -eu

. "$(dirname "$0")/lib.sh"
bench_paths "$@"
SQL=$BENCH/oneday_pg.sql
SIZES=${BENCH_PG_SIZES:-100000}
RUNS=${BENCH_RUNS:-3}
WORKERS="1 2 4"
TODAY=2026-11-23
NEXT=2026-11-24
KINDS="debtors contacts accounts installments payments promises"

command -v sqlite3 >/dev/null || die "sqlite3 not found (scripts/install-deps.sh bench)"
[ -x /usr/bin/time ] || die "/usr/bin/time not found (scripts/install-deps.sh bench)"
# the real psql, not Debian's perl wrapper (which warns about locales)
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PGBIN" ] && [ -x "$PGBIN/psql" ] && [ -x "$PGBIN/initdb" ] ||
	die "PostgreSQL server and client not found (scripts/install-deps.sh bench)"
PSQL=$PGBIN/psql
case $RUNS in '' | *[!0-9]* | 0) die "BENCH_RUNS must be a positive number" ;; esac
for n in $SIZES; do
	case $n in '' | *[!0-9]* | 0) die "BENCH_PG_SIZES: '$n' is not a positive number" ;; esac
done

# Day numbers since 1970-01-01, as the schema stores dates.
daynum() {
	sqlite3 :memory: "SELECT CAST(julianday('$1') - julianday('1970-01-01') AS INTEGER)"
}
D0=$(daynum $TODAY)
D1=$(daynum $NEXT)

mkdir -p "$OUT"
W=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/huikuan-pgbench.XXXXXX")
chmod 755 "$W" # the cluster runs as nobody when we are root
CLUSTER=$W/pg
cleanup() {
	if [ -d "$CLUSTER" ]; then
		sh "$ROOT/scripts/pg-cluster.sh" stop "$CLUSTER" >/dev/null 2>&1 ||
			echo "bench: could not stop the PostgreSQL cluster in $CLUSTER" >&2
	fi
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
unset LC_ALL LC_MESSAGES HUIKUAN_DB HUIKUAN_EOD_CHUNK HUIKUAN_EOD_SKIP_STRATEGY \
	HUIKUAN_EOD_TIMING

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

# ---- PostgreSQL

say "starting a PostgreSQL cluster in $CLUSTER"
ADMIN=$(sh "$ROOT/scripts/pg-cluster.sh" start "$CLUSTER" 2>"$W/pg-start.log") || {
	cat "$W/pg-start.log" "$CLUSTER"/*.log >&2 2>/dev/null || true
	die "the PostgreSQL cluster did not start"
}
PG_VERSION=$("$PGBIN/postgres" --version | awk '{ print $3 }')

# pg_uri NAME: the URI of database NAME in the cluster.
pg_uri() {
	printf '%s\n' "$ADMIN" | sed "s|^postgresql:///[^?]*|postgresql:///$1|"
}

# pq URI ARGS...: psql, quiet, stopping at the first error, unaligned
# output separated by "|" (the sqlite3 CLI's list mode).
pq() {
	_uri=$1
	shift
	PGOPTIONS="-c client_min_messages=warning" "$PSQL" -X -q -A -t -F '|' \
		-v ON_ERROR_STOP=1 -d "$_uri" "$@"
}

# pg_copy SRC DST: DST a fresh copy of database SRC (nobody connected to
# it), written out to disk first like run.sh's copies (the cluster runs with
# fsync off, so the CHECKPOINT only writes back the copy's dirty pages).
pg_copy() {
	pq "$ADMIN" -c "DROP DATABASE IF EXISTS $2 WITH (FORCE)" \
		-c "CREATE DATABASE $2 TEMPLATE $1" -c "CHECKPOINT" >/dev/null ||
		die "could not copy database $1 to $2"
}

pg_drop() {
	pq "$ADMIN" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null
}

# Statistics and visibility settled, untimed: what autovacuum would have
# done by then on a server left alone (huikuan itself runs no ANALYZE, on
# either backend).
pg_settle() {
	pq "$1" -c "VACUUM (ANALYZE)" >/dev/null || die "VACUUM ANALYZE failed"
}

# ---- SQLite

# Copy a database with its WAL files (if any) and flush the copy to disk
# (as run.sh does).
copy_db() {
	rm -f "$2" "$2-wal" "$2-shm"
	cp "$1" "$2"
	for x in wal shm; do
		[ -f "$1-$x" ] && cp "$1-$x" "$2-$x"
	done
	sync
	return 0
}

rm_db() {
	rm -f "$1" "$1-wal" "$1-shm"
}

# One section of oneday_pg.sql ("SETUP", "TIMED", "CHECK").
sql_part() {
	awk -v want="$1" '/^-- @@ / { on = ($3 == want); next } on' "$SQL"
}

# The engine's figures for D1, in the CHECK part's format.
engine_totals_sqlite() {
	sqlite3 -list -separator '|' "$1" "SELECT 'TOTAL', bucket, accounts,
		total_overdue, overdue_principal, overdue_interest, overdue_fee,
		penalty_due, principal_outstanding FROM day_totals
		WHERE as_of = $D1 ORDER BY position;
		SELECT 'TRANSITIONS', count(*) FROM bucket_transitions WHERE as_of = $D1;
		SELECT 'CASES', count(*), sum(overdue_since < 2147483647),
		       sum(max(0, $D1 - overdue_since)), sum(due) FROM (
			SELECT coalesce(o.overdue_since, 2147483647) AS overdue_since,
			       coalesce(o.due_base + o.due_daily * $D1, 0) AS due
			FROM cases c LEFT JOIN case_overdue o ON o.case_ref = c.ref);"
}
engine_totals_pg() {
	pq "$1" -c "SELECT 'TOTAL', bucket, accounts,
		total_overdue, overdue_principal, overdue_interest, overdue_fee,
		penalty_due, principal_outstanding FROM day_totals
		WHERE as_of = $D1 ORDER BY position" \
		-c "SELECT 'TRANSITIONS', count(*) FROM bucket_transitions WHERE as_of = $D1" \
		-c "SELECT 'CASES', count(*), sum(CAST(overdue_since < 2147483647 AS INTEGER)),
		       sum(GREATEST(0, $D1 - overdue_since)), sum(due) FROM (
			SELECT coalesce(o.overdue_since, 2147483647) AS overdue_since,
			       coalesce(o.due_base + o.due_daily * $D1, 0) AS due
			FROM cases c LEFT JOIN case_overdue o ON o.case_ref = c.ref) AS x"
}

# run.sh's team and strategy (allocation_setup.sql), on PostgreSQL: the
# same rows in the same order, so the same refs; the strategy's body is
# SQLite's, byte for byte (json_set wrote it there).
ALLOC_PG="INSERT INTO teams (name) VALUES ('早期组'), ('中后期组');
INSERT INTO users (username, display_name, role, team_ref, password_hash,
	created_at)
SELECT 'bench' || i, '催收员' || i, 'collector',
	(SELECT ref FROM teams WHERE name = CASE WHEN i <= 10 THEN '早期组'
		ELSE '中后期组' END), '!', CAST(floor(extract(epoch FROM now())) AS BIGINT)
FROM generate_series(1, 20) AS n (i);
UPDATE cases SET
	collector_ref = (SELECT ref FROM users WHERE username = 'bench' || (cases.ref % 20 + 1)),
	team_ref = (SELECT team_ref FROM users WHERE username = 'bench' || (cases.ref % 20 + 1)),
	assigned_on = :d0 - cases.ref % 45;
INSERT INTO strategies (name, status, body, created_at, published_at)
VALUES ('bench: 默认阶梯 + 按阶段分案', 'published', :'body',
	CAST(floor(extract(epoch FROM now())) AS BIGINT),
	CAST(floor(extract(epoch FROM now())) AS BIGINT));"

# The figures of the size being run, kept as shell variables R_<key>.
put() {
	eval "R_$1=\$2"
}
get() {
	eval "printf '%s' \"\${R_$1:-}\""
}

# export_check DB LABEL REF: DB's `export accounts` must be REF's bytes.
export_check() {
	"$HK" --db "$1" export accounts --out "$d/export.csv" >"$d/log/export.log" 2>&1 ||
		{ cat "$d/log/export.log" >&2; die "export accounts failed on $2"; }
	if ! cmp -s "$3" "$d/export.csv"; then
		cp "$3" "$OUT/pg-export-reference-$SIZE.csv"
		cp "$d/export.csv" "$OUT/pg-export-differs-$SIZE.csv"
		echo "bench: EXPORT DIFFERS: $2 is not byte-identical to SQLite's one-worker export:" >&2
		diff "$3" "$d/export.csv" | head -n 10 >&2 || true
		die "both exports saved as $OUT/pg-export-{reference,differs}-$SIZE.csv"
	fi
}

bench_size() {
	SIZE=$1
	d=$W/n$SIZE
	mkdir -p "$d/log"
	chmod 755 "$d"
	sdb=$d/hk.db
	pname=bench_$SIZE
	pdb=$(sh "$ROOT/scripts/pg-cluster.sh" fresh "$CLUSTER" "$pname") ||
		die "could not create database $pname"

	# 1. The portfolio, and the next day's payments (as run.sh makes them).
	say "generating $SIZE accounts as of $TODAY"
	timed "$d/log/gen.log" "$HK" gen --accounts "$SIZE" --out "$d/csv" \
		--today $TODAY --seed 1
	awk -v day=$NEXT -v tag="$SIZE" -f "$BENCH/nextday_payments.awk" \
		"$d/csv/installments.csv" >"$d/nextday_payments.csv" 2>"$d/log/nextday.log" ||
		{ cat "$d/log/nextday.log" >&2; die "could not make the next-day payments"; }
	chmod -R a+rX "$d/csv"

	# Import, timed per kind, on both.
	for b in sqlite pg; do
		if [ $b = sqlite ]; then db=$sdb; else db=$pdb; fi
		timed "$d/log/init-$b.log" "$HK" --db "$db" init
		for kind in $KINDS; do
			f=$d/csv/$kind.csv
			[ -f "$f" ] || die "gen wrote no $kind.csv"
			rows=$(rows_of "$f")
			say "$b: importing $rows $kind"
			timed "$d/log/import-$b-$kind.log" "$HK" --db "$db" import $kind "$f"
			put "rows_$kind" "$rows"
			put "import_${b}_$kind" "$T_SEC"
		done
	done
	n_acc=$(sqlite3 "$sdb" "SELECT count(*) FROM accounts")
	[ "$(pq "$pdb" -c "SELECT count(*) FROM accounts")" = "$n_acc" ] ||
		die "PostgreSQL holds another number of accounts than SQLite"
	put accounts "$n_acc"

	# The team and the strategy with its allocation (issue 4), on both.
	printf '.bail on\n.parameter init\n.parameter set :d0 %s\n.read %s\n' \
		"$D0" "$BENCH/allocation_setup.sql" | sqlite3 "$sdb" >/dev/null ||
		die "could not set up the allocation on SQLite"
	body=$(sqlite3 "$sdb" "SELECT body FROM strategies WHERE name LIKE 'bench:%'")
	printf '%s\n' "$ALLOC_PG" | pq "$pdb" -v d0="$D0" -v body="$body" >/dev/null ||
		die "could not set up the allocation on PostgreSQL"
	q_setup="SELECT (SELECT count(*) FROM users) || ' ' || (SELECT max(ref) FROM users)
		|| ' ' || (SELECT max(ref) FROM strategies) || ' '
		|| (SELECT sum(collector_ref * 7 + team_ref * 3 + assigned_on) FROM cases)"
	[ "$(sqlite3 "$sdb" "$q_setup")" = "$(pq "$pdb" -c "$q_setup")" ] ||
		die "the team and strategy differ between SQLite and PostgreSQL"
	pg_settle "$pdb"

	# 2. The first day-end: every account replayed from its opening.
	for b in sqlite pg; do
		if [ $b = sqlite ]; then db=$sdb; else db=$pdb; fi
		say "$b: day-end $TODAY (full replay of $n_acc accounts)"
		timed "$d/log/eod0-$b.log" "$HK" --db "$db" eod --date $TODAY
		put "eod0_$b" "$T_SEC"
		put "eod0_${b}_msg" "$(tr '\n' ' ' <"$d/log/eod0-$b.log")"
	done
	[ "$(get eod0_sqlite_msg)" = "$(get eod0_pg_msg)" ] ||
		die "the first day-end's summaries differ: $(get eod0_sqlite_msg) / $(get eod0_pg_msg)"
	np=$(rows_of "$d/nextday_payments.csv")
	put nextday_rows "$np"
	for b in sqlite pg; do
		if [ $b = sqlite ]; then db=$sdb; else db=$pdb; fi
		say "$b: importing $np payments dated $NEXT"
		timed "$d/log/import-$b-nextday.log" "$HK" --db "$db" import payments \
			"$d/nextday_payments.csv"
		put "nextday_$b" "$T_SEC"
	done
	sqlite3 "$sdb" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
	pg_settle "$pdb"
	put sqlite_mb "$(du -m "$sdb" | cut -f1)"
	put pg_mb "$(pq "$pdb" -c "SELECT pg_database_size(current_database()) / 1048576")"

	# 3. The one-day step on fresh copies; the variants take turns, run
	# after run, so that other load on the machine falls on all alike.
	: >"$d/times"
	ref_full=$d/ref-full.csv
	ref_ledger=$d/ref-ledger.csv
	r=1
	while [ $r -le "$RUNS" ]; do
		for b in sqlite pg; do
			for n in $WORKERS; do
				for mode in full ledger; do
					label="$b --workers $n ($mode), run $r of $RUNS"
					if [ $b = sqlite ]; then
						db=$d/run.db
						copy_db "$sdb" "$db"
					else
						# one-worker runs go to "eng": the last one is
						# the engine's side of the plain-SQL check
						if [ "$n" = 1 ]; then name=eng_$SIZE; else name=run_$SIZE; fi
						db=$(pg_uri "$name")
						pg_copy "$pname" "$name"
					fi
					say "day-end $NEXT: $label"
					if [ $mode = ledger ]; then
						HUIKUAN_EOD_SKIP_STRATEGY=1 timed "$d/log/eod1-$b-$n-$mode-$r.log" \
							"$HK" --db "$db" eod --date $NEXT --workers "$n"
					else
						timed "$d/log/eod1-$b-$n-$mode-$r.log" \
							"$HK" --db "$db" eod --date $NEXT --workers "$n"
					fi
					echo "$b $n $mode $T_SEC" >>"$d/times"
					eval "ref=\$ref_$mode"
					if [ ! -f "$ref" ]; then
						# the first run of all: SQLite, one worker
						"$HK" --db "$db" export accounts --out "$ref" \
							>"$d/log/export.log" 2>&1 ||
							{ cat "$d/log/export.log" >&2; die "export accounts failed"; }
						engine_totals_sqlite "$db" >"$d/sqlite-$mode.totals"
						put "msg_$mode" "$(tr '\n' ' ' <"$d/log/eod1-$b-$n-$mode-$r.log")"
					else
						export_check "$db" "$label" "$ref"
						if [ $b = pg ]; then
							engine_totals_pg "$db" >"$d/engine.totals"
						else
							engine_totals_sqlite "$db" >"$d/engine.totals"
						fi
						cmp -s "$d/sqlite-$mode.totals" "$d/engine.totals" || {
							diff "$d/sqlite-$mode.totals" "$d/engine.totals" >&2 || true
							die "TOTALS DIFFER: $label: day_totals, transitions or case figures are not SQLite's one-worker ones"
						}
					fi
					if [ $b = sqlite ]; then
						rm_db "$db"
					elif [ "$n" != 1 ]; then
						pg_drop "$name"
					fi
				done
			done
		done
		r=$((r + 1))
	done
	cmp -s "$ref_full" "$ref_ledger" && put full_eq_ledger yes || put full_eq_ledger no
	for b in sqlite pg; do
		for n in $WORKERS; do
			for mode in full ledger; do
				put "eod1_${b}_${n}_$mode" "$(awk -v b=$b -v n="$n" -v m=$mode \
					'$1 == b && $2 == n && $3 == m { print $4 }' "$d/times" | median)"
			done
		done
	done

	# 4. The same step in plain SQL, on a copy taken before our step.
	sname=sql_$SIZE
	sdbu=$(pg_uri "$sname")
	pg_copy "$pname" "$sname"
	sql_part SETUP >"$d/setup.sql"
	sql_part TIMED >"$d/timed.sql"
	sql_part CHECK >"$d/check.sql"
	say "plain SQL on PostgreSQL: setup (untimed)"
	timed "$d/log/sql-setup.log" env PGOPTIONS="-c client_min_messages=warning" \
		"$PSQL" -X -q -v ON_ERROR_STOP=1 -v d0="$D0" -v d1="$D1" -d "$sdbu" -f "$d/setup.sql"
	put sql_setup "$T_SEC"
	say "plain SQL on PostgreSQL: the one-day step"
	timed "$d/log/sql-timed.log" env PGOPTIONS="-c client_min_messages=warning" \
		"$PSQL" -X -q -v ON_ERROR_STOP=1 -v d0="$D0" -v d1="$D1" -d "$sdbu" -f "$d/timed.sql"
	put sql "$T_SEC"
	pq "$sdbu" -v d0="$D0" -v d1="$D1" -f "$d/check.sql" >"$d/sql.totals" ||
		die "the plain SQL's CHECK part failed"
	engine_totals_pg "$(pg_uri "eng_$SIZE")" >"$d/engine.totals"
	pg_drop "$sname"
	pg_drop "eng_$SIZE"
	{
		echo "engine on PostgreSQL, day_totals $NEXT (bucket|accounts|total_overdue|op|oi|of|penalty|po, fen):"
		cat "$d/engine.totals"
		echo "plain SQL on PostgreSQL, w_totals:"
		cat "$d/sql.totals"
	} >"$OUT/pg-check-$SIZE.txt"
	grep '^TOTAL' "$d/sql.totals" >"$d/sql.req" || true
	grep '^TOTAL' "$d/engine.totals" >"$d/engine.req" || true
	if [ -s "$d/engine.req" ] && cmp -s "$d/sql.req" "$d/engine.req"; then
		put check MATCH
	else
		put check MISMATCH
	fi
	if cmp -s "$d/sql.totals" "$d/engine.totals"; then
		put check_all "every total, the transition count and the case figures equal"
	else
		put check_all "differences in: $(diff "$d/engine.totals" "$d/sql.totals" |
			grep '^[<>]' | cut -d'|' -f1,2 | sort -u | tr '\n' ' ')"
	fi
	say "plain SQL check: $(get check)"
	pg_drop "$pname"
	report_size >>"$W/report.body"
	if [ "${BENCH_KEEP:-0}" != 1 ]; then
		rm -rf "$d"
	fi
	[ "$(get check)" = MATCH ] ||
		die "the plain SQL's per-bucket totals differ from the engine's (see $OUT/pg-check-$SIZE.txt)"
	SIZE=
}

# ---- the report

rate() { # ROWS SECONDS -> rows/s with thousands separators
	awk -v r="$1" -v s="$2" 'BEGIN {
		if (s <= 0) { print "-"; exit }
		x = sprintf("%.0f", r / s); out = ""
		while (length(x) > 3) { out = "," substr(x, length(x) - 2) out; x = substr(x, 1, length(x) - 3) }
		print x out }'
}
ratio() { # A B -> A/B as "1.23×"
	awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "-"; else printf "%.2f×\n", a / b }'
}
commas() {
	rate "$1" 1
}

report_size() {
	acc=$(get accounts)
	printf '## %s accounts\n\n' "$(commas "$acc")"
	printf 'SQLite file %s MB, PostgreSQL database %s MB (after the first day-end and the next-day payments).\n\n' \
		"$(get sqlite_mb)" "$(get pg_mb)"

	printf '### Import (rows/s)\n\n'
	printf '| kind | rows | SQLite rows/s | PostgreSQL rows/s | PG/SQLite time |\n'
	printf '|---|---:|---:|---:|---:|\n'
	all_rows=0 ts=0 tp=0
	for kind in $KINDS; do
		rows=$(get "rows_$kind")
		s=$(get "import_sqlite_$kind")
		p=$(get "import_pg_$kind")
		printf '| %s | %s | %s | %s | %s |\n' "$kind" "$(commas "$rows")" \
			"$(rate "$rows" "$s")" "$(rate "$rows" "$p")" "$(ratio "$p" "$s")"
		all_rows=$((all_rows + rows))
		ts=$(awk -v a="$ts" -v b="$s" 'BEGIN { printf "%.3f", a + b }')
		tp=$(awk -v a="$tp" -v b="$p" 'BEGIN { printf "%.3f", a + b }')
	done
	printf '| **all** | %s | %s | %s | %s |\n' "$(commas "$all_rows")" \
		"$(rate "$all_rows" "$ts")" "$(rate "$all_rows" "$tp")" "$(ratio "$tp" "$ts")"
	np=$(get nextday_rows)
	printf '| next-day payments | %s | %s | %s | %s |\n\n' "$(commas "$np")" \
		"$(rate "$np" "$(get nextday_sqlite)")" "$(rate "$np" "$(get nextday_pg)")" \
		"$(ratio "$(get nextday_pg)" "$(get nextday_sqlite)")"

	printf '### First day-end %s (full history replay)\n\n' "$TODAY"
	printf '| | SQLite | PostgreSQL | PG/SQLite |\n|---|---:|---:|---:|\n'
	printf '| seconds | %s | %s | %s |\n' "$(get eod0_sqlite)" "$(get eod0_pg)" \
		"$(ratio "$(get eod0_pg)" "$(get eod0_sqlite)")"
	printf '| accounts/s | %s | %s | |\n\n' "$(rate "$acc" "$(get eod0_sqlite)")" \
		"$(rate "$acc" "$(get eod0_pg)")"
	printf '%s\n\n' "$(get eod0_pg_msg)"

	printf '### One-day step, day-end %s (median of %s; seconds)\n\n' "$NEXT" "$RUNS"
	printf 'Whole day-end = with the strategy and allocation; ledger step = HUIKUAN_EOD_SKIP_STRATEGY=1 (what the plain SQL does).\n\n'
	printf '| backend | workers | whole day-end s | vs SQLite 1 worker | vs 1 worker, same backend | ledger step s | vs SQLite 1 worker | vs 1 worker, same backend |\n'
	printf '|---|---:|---:|---:|---:|---:|---:|---:|\n'
	sf=$(get eod1_sqlite_1_full)
	sl=$(get eod1_sqlite_1_ledger)
	for b in sqlite pg; do
		if [ $b = sqlite ]; then bn=SQLite; else bn=PostgreSQL; fi
		b1f=$(get "eod1_${b}_1_full")
		b1l=$(get "eod1_${b}_1_ledger")
		for n in $WORKERS; do
			f=$(get "eod1_${b}_${n}_full")
			l=$(get "eod1_${b}_${n}_ledger")
			printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$bn" "$n" \
				"$f" "$(ratio "$f" "$sf")" "$(ratio "$f" "$b1f")" \
				"$l" "$(ratio "$l" "$sl")" "$(ratio "$l" "$b1l")"
		done
	done
	printf '\n%s\n\n' "$(get msg_full)"

	pl=$(get eod1_pg_1_ledger)
	pf=$(get eod1_pg_1_full)
	sq=$(get sql)
	printf '### Plain SQL on PostgreSQL (bench/oneday_pg.sql)\n\n'
	printf '| | seconds | engine on PG / plain SQL on PG |\n|---|---:|---:|\n'
	printf '| plain SQL, timed part (setup %s s untimed) | %s | |\n' "$(get sql_setup)" "$sq"
	printf '| engine, ledger step, 1 worker | %s | %s |\n' "$pl" "$(ratio "$pl" "$sq")"
	printf '| engine, whole day-end, 1 worker | %s | %s |\n' "$pf" "$(ratio "$pf" "$sq")"
	bl=$(for n in $WORKERS; do echo "$n $(get "eod1_pg_${n}_ledger")"; done | sort -k2 -n | head -n 1)
	printf '| engine, ledger step, fastest of %s workers (%s) | %s | %s |\n\n' \
		"$(echo $WORKERS | tr ' ' /)" "${bl%% *}" "${bl#* }" \
		"$(ratio "${bl#* }" "$sq")"

	printf '### Checks\n\n'
	printf -- '- export accounts after every run of every variant (SQLite and PostgreSQL, 1/2/4 workers, both modes): byte-identical to SQLite'"'"'s one-worker export; day_totals, transitions and case figures equal too.\n'
	printf -- '- whole day-end and ledger step alone give the same export: %s.\n' "$(get full_eq_ledger)"
	printf -- '- plain SQL vs engine on PostgreSQL, per-bucket totals: **%s** (%s).\n\n' \
		"$(get check)" "$(get check_all)"
}

GIT_HEAD=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')
GIT_DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no -- . ':!bench' 2>/dev/null |
	awk '{ f = f (f ? ", " : "") $2 } END { if (f) printf " + uncommitted changes to %s", f }')

say "huikuan PostgreSQL benchmark: sizes $SIZES; work directory $W"
: >"$W/report.body"
for size in $SIZES; do
	bench_size "$size"
done

{
	printf '# huikuan on SQLite and PostgreSQL\n\n'
	printf '%s; %s cores (%s); SQLite %s; PostgreSQL %s (throwaway cluster: fsync, synchronous_commit, full_page_writes off; Unix socket); build %s; commit %s%s.\n\n' \
		"$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" \
		"$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
		"$(sqlite3 -version | cut -d' ' -f1)" "$PG_VERSION" "$(basename "$BUILD")" \
		"$GIT_HEAD" "$GIT_DIRTY"
	cat "$W/report.body"
} >"$OUT/pg-report.md"
cat "$OUT/pg-report.md"
