#!/bin/sh
# bench/api.sh BUILD_DIR - the API benchmark of issues 3 and 6: wrk on
# loopback, 64 connections, against the demo portfolio: case lists with
# filters in each scope (collector, team leader, manager, agency), case
# detail, a case's timeline, recording a contact record, and the
# collector's queue - on SQLite and on PostgreSQL 15 side by side.
# Prints requests/s and p99 for both backends and their ratio, judges
# issue 3's targets for each (reads >= 5,000 req/s with p99 <= 20 ms;
# contact-record writes >= 2,000 req/s), also to bench/out/api.md; then
# times the web interface in a browser on the SQLite portfolio.
#
# Environment:
#   BENCH_API_ACCOUNTS     SQLite demo size (default 1,000,000)
#   BENCH_API_DB=FILE      reuse an SQLite demo built before (huikuan demo
#                          --no-serve); copied, so the run's writes do not
#                          pile up in it
#   BENCH_API_PG=0         SQLite only (a quick run)
#   BENCH_API_PG_ACCOUNTS  PostgreSQL demo size (default: the SQLite size)
#   BENCH_API_PG_DB=URI    reuse a PostgreSQL demo built before (nobody
#                          connected to it): copied with CREATE DATABASE …
#                          TEMPLATE in its own server, the copy dropped at
#                          the end; otherwise a throwaway cluster
#                          (scripts/pg-cluster.sh, a Unix socket in the work
#                          directory, removed at exit) gets a new demo
#   BENCH_API_PG_THREADS   the PostgreSQL server's --threads (default 8;
#                          --db-connections the same)
#   BENCH_API_SECONDS      seconds per scenario (default 10)
#   BENCH_TMPDIR           work directory (default $TMPDIR or /tmp)
#
# The scenarios take turns: each runs on SQLite, then on PostgreSQL, so
# other load on the machine falls on both alike.  As root the cluster runs
# as nobody (pg-cluster.sh), so the work directory is world-traversable.
set -eu

. "$(dirname "$0")/lib.sh"
bench_paths "$@"
N=${BENCH_API_ACCOUNTS:-1000000}
NPG=${BENCH_API_PG_ACCOUNTS:-$N}
DUR=${BENCH_API_SECONDS:-10}
PG=${BENCH_API_PG:-1}
PG_THREADS=${BENCH_API_PG_THREADS:-8}
for v in "$N" "$NPG" "$DUR" "$PG_THREADS"; do
	case $v in '' | *[!0-9]* | 0) die "'$v' is not a positive number" ;; esac
done
case $PG in 0 | 1) ;; *) die "BENCH_API_PG is 0 or 1, not '$PG'" ;; esac
command -v wrk >/dev/null || die "wrk not found (scripts/install-deps.sh bench)"
command -v sqlite3 >/dev/null || die "sqlite3 not found (scripts/install-deps.sh bench)"
BACKENDS=sqlite
if [ "$PG" = 1 ]; then
	BACKENDS="sqlite pg"
	# the real psql, not Debian's perl wrapper
	PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -n "$PGBIN" ] && [ -x "$PGBIN/psql" ] && [ -x "$PGBIN/initdb" ] ||
		die "PostgreSQL server and client not found (scripts/install-deps.sh bench)"
	PSQL=$PGBIN/psql
fi

mkdir -p "$OUT"
W=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/huikuan-api.XXXXXX")
chmod 755 "$W" # the cluster runs as nobody when we are root
CLUSTER=$W/pg
pid_sqlite=
pid_pg=
PG_COPY= # the copy of BENCH_API_PG_DB, dropped at the end
cleanup() {
	for p in $pid_sqlite $pid_pg; do
		kill -9 "$p" 2>/dev/null || true
	done
	if [ -n "$PG_COPY" ]; then
		pq "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_COPY WITH (FORCE)" >/dev/null 2>&1 ||
			echo "bench: could not drop database $PG_COPY" >&2
	fi
	if [ -d "$CLUSTER" ]; then
		sh "$ROOT/scripts/pg-cluster.sh" stop "$CLUSTER" >/dev/null 2>&1 ||
			echo "bench: could not stop the PostgreSQL cluster in $CLUSTER" >&2
	fi
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
unset HUIKUAN_DB HUIKUAN_CONFIG

say() {
	printf '[api %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

# pq URI ARGS...: psql, quiet, stopping at the first error, unaligned.
pq() {
	_uri=$1
	shift
	PGOPTIONS="-c client_min_messages=warning" "$PSQL" -X -q -A -t \
		-v ON_ERROR_STOP=1 -d "$_uri" "$@"
}

# q BACKEND SQL: one value or rows from the backend's demo database.
q() {
	if [ "$1" = sqlite ]; then
		sqlite3 "$W/api.db" "$2"
	else
		pq "$PG_URI" -c "$2"
	fi
}

# secs_since T0: seconds since date +%s T0
secs_since() {
	echo $(($(date +%s) - $1))
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the SQLite demo
if [ -n "${BENCH_API_DB:-}" ]; then
	# A demo database built before (huikuan demo --no-serve), copied so
	# the run's writes do not pile up in it.
	say "copying $BENCH_API_DB"
	sqlite3 "$BENCH_API_DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
	cp "$BENCH_API_DB" "$W/api.db"
	BUILT_sqlite="reused $BENCH_API_DB"
else
	say "SQLite: building the demo portfolio of $N accounts"
	t0=$(date +%s)
	"$HK" demo --db "$W/api.db" --accounts "$N" --no-serve >"$W/demo-sqlite.log" 2>&1 ||
		{ tail -n 20 "$W/demo-sqlite.log" >&2; die "demo on SQLite failed"; }
	BUILT_sqlite="built by huikuan demo in $(secs_since "$t0") s"
fi
N=$(q sqlite "select count(*) from accounts")

# ---- the PostgreSQL demo
if [ "$PG" = 1 ]; then
	PG_VERSION=$("$PGBIN/postgres" --version | awk '{ print $3 }')
	if [ -n "${BENCH_API_PG_DB:-}" ]; then
		src=$(printf '%s\n' "$BENCH_API_PG_DB" | sed 's|^postgres\(ql\)\{0,1\}://[^/]*/\([^?]*\).*|\2|')
		[ -n "$src" ] || die "BENCH_API_PG_DB: no database name in $BENCH_API_PG_DB"
		PG_ADMIN=$(printf '%s\n' "$BENCH_API_PG_DB" | sed 's|^\(postgres\(ql\)\{0,1\}://[^/]*/\)[^?]*|\1postgres|')
		PG_COPY=hk_api_bench_$$
		say "PostgreSQL: copying database $src"
		pq "$PG_ADMIN" -c "CREATE DATABASE $PG_COPY TEMPLATE $src" >/dev/null ||
			die "could not copy database $src (is anybody connected to it?)"
		PG_URI=$(printf '%s\n' "$BENCH_API_PG_DB" | sed "s|^\(postgres\(ql\)\{0,1\}://[^/]*/\)[^?]*|\1$PG_COPY|")
		BUILT_pg="reused $src"
		PG_WHERE="the server of BENCH_API_PG_DB"
	else
		say "starting a PostgreSQL cluster in $CLUSTER"
		sh "$ROOT/scripts/pg-cluster.sh" start "$CLUSTER" >"$W/pg-start.out" 2>"$W/pg-start.log" || {
			cat "$W/pg-start.log" "$CLUSTER"/*.log >&2 2>/dev/null || true
			die "the PostgreSQL cluster did not start"
		}
		PG_URI=$(sh "$ROOT/scripts/pg-cluster.sh" fresh "$CLUSTER" api 2>/dev/null) ||
			die "could not create the database"
		say "PostgreSQL: building the demo portfolio of $NPG accounts"
		t0=$(date +%s)
		"$HK" demo --db "$PG_URI" --accounts "$NPG" --no-serve >"$W/demo-pg.log" 2>&1 ||
			{ tail -n 20 "$W/demo-pg.log" >&2; die "demo on PostgreSQL failed"; }
		BUILT_pg="built by huikuan demo in $(secs_since "$t0") s"
		PG_WHERE="a throwaway cluster (fsync, synchronous_commit, full_page_writes off; Unix socket; default shared_buffers)"
	fi
	# Statistics and visibility settled, untimed: what autovacuum would
	# have done by then on a server left alone (as bench/pg.sh does).
	say "PostgreSQL: VACUUM (ANALYZE)"
	pq "$PG_URI" -c "VACUUM (ANALYZE)" -c "CHECKPOINT" >/dev/null || die "VACUUM ANALYZE failed"
	NPG=$(q pg "select count(*) from accounts")
fi

# Quiet hours (docs/compliance.md) twelve hours from now: the write
# scenario records calls, which the guardrails refuse at night.
h=$(TZ=Asia/Shanghai date +%H | sed 's/^0//')
printf '[compliance]\nquiet_hours = %02d:00-%02d:00\n' \
	$(((h + 12) % 24)) $(((h + 13) % 24)) >"$W/awake.ini"

# serve BACKEND DB ARGS...: start a server on DB, set pid_BACKEND and
# BASE_BACKEND.
serve() {
	_b=$1
	_db=$2
	shift 2
	"$HK" --db "$_db" --config "$W/awake.ini" serve --listen 127.0.0.1:0 "$@" \
		>"$W/serve-$_b.out" 2>"$W/serve-$_b.err" &
	eval "pid_$_b=\$!"
	for _ in $(seq 1 200); do grep -q "http://" "$W/serve-$_b.out" && break; sleep 0.05; done
	_port=$(sed -n 's/.*:\([0-9][0-9]*\)$/\1/p' "$W/serve-$_b.out")
	[ -n "$_port" ] || { cat "$W/serve-$_b.err" >&2; die "the server on $_b did not start"; }
	eval "BASE_$_b=http://127.0.0.1:$_port"
}
# The SQLite server as before: one worker thread per processor, as many
# connections.  The PostgreSQL one: a thread waits for the database's
# answer to every statement, so more threads than processors keep both
# busy; one connection per thread, so a request never waits for one.
serve sqlite "$W/api.db"
SERVE_sqlite="serve defaults: --threads $(nproc) (one per processor), --db-connections $(nproc)"
if [ "$PG" = 1 ]; then
	serve pg "$PG_URI" --threads "$PG_THREADS" --db-connections "$PG_THREADS"
	SERVE_pg="--threads $PG_THREADS --db-connections $PG_THREADS"
fi

token() { # BACKEND USER
	eval "_base=\$BASE_$1"
	curl -s -X POST -H 'Content-Type: application/json' \
		-d "{\"username\":\"$2\",\"password\":\"huikuan-demo-2026\",\"bearer\":true}" \
		"$_base/api/session" | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p'
}

# Per backend: the tokens, 2,000 of li.na's cases, and one Lua script per
# scenario (auth header; detail, timeline and write take a random case).
for b in $BACKENDS; do
	mkdir -p "$W/$b"
	for u in COL:li.na MGR:wang.jl LEAD:zhang.zz AGY:wu.wb; do
		t=$(token $b "${u#*:}")
		[ -n "$t" ] || die "$b: could not log in as ${u#*:}"
		eval "${u%%:*}_$b=\$t"
	done
	lina=$(q $b "select ref from users where username = 'li.na'")
	q $b "select ref from cases where collector_ref = $lina order by ref limit 2000" >"$W/$b/ids"
	[ -s "$W/$b/ids" ] || die "$b: li.na has no cases"
	cat >"$W/$b/get.lua" <<LUA
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
LUA
	{
		echo 'local ids = {}'
		echo "for line in io.lines(\"$W/$b/ids\") do ids[#ids + 1] = line end"
		echo 'wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")'
		echo 'request = function() return wrk.format("GET", "/api/cases/" .. ids[math.random(#ids)]) end'
	} >"$W/$b/detail.lua"
	sed 's|"/api/cases/" .. ids\[math.random(#ids)\])|"/api/cases/" .. ids[math.random(#ids)] .. "/timeline")|' \
		"$W/$b/detail.lua" >"$W/$b/timeline.lua"
	{
		echo 'local ids = {}'
		echo "for line in io.lines(\"$W/$b/ids\") do ids[#ids + 1] = line end"
		echo 'wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")'
		echo 'wrk.headers["Content-Type"] = "application/json"'
		echo 'local body = "{\"channel\":\"call\",\"outcome\":\"no_answer\",\"note\":\"bench\"}"'
		echo 'request = function() return wrk.format("POST", "/api/cases/" .. ids[math.random(#ids)] .. "/records", nil, body) end'
	} >"$W/$b/write.lua"
done

# The scenarios: NAME|KIND|WHO|SCRIPT|PATH; KIND read or write (issue 3's
# targets) or other (judged elsewhere).
cat >"$W/scenarios" <<'EOF'
collector: case list (most overdue first)|read|COL|get|/api/cases?limit=50
collector: bucket M1, min 1,000 yuan|read|COL|get|/api/cases?bucket=M1&min_overdue=1000&limit=50
case detail|read|COL|detail|/
case timeline|read|COL|timeline|/
team leader: follow-ups due|read|LEAD|get|/api/cases?follow_up=due&sort=follow_up&limit=50
manager: bucket M3|read|MGR|get|/api/cases?bucket=M3&limit=50
manager: M2, credit cards, min 1,000 yuan|read|MGR|get|/api/cases?bucket=M2&product=credit_card&min_overdue=1000&limit=50
manager: broken promises|read|MGR|get|/api/cases?promise=broken&limit=50
agency collector: placed cases|read|AGY|get|/api/cases?limit=50
record a contact (write)|write|COL|write|/
collector: today's queue (issue 4)|other|COL|get|/api/queue?limit=50
EOF

# wrk's latency (850.00us, 14.30ms, 1.03s, 2.00m) in milliseconds.
to_ms() {
	awk -v v="$1" 'BEGIN {
		if (v == "") { print "-"; exit }
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000
		else if (u == "m") n *= 60000; else if (u == "h") n *= 3600000
		printf "%.2f\n", n }'
}

# run BACKEND I WHO SCRIPT PATH: scenario I on BACKEND; appends
# "I|req/s|p99 ms|non-2xx|socket errors" to $W/res-BACKEND.
run() {
	eval "_base=\$BASE_$1 _tok=\$${3}_$1"
	TOKEN=$_tok wrk -t2 -c64 -d"${DUR}s" --latency -s "$W/$1/$4.lua" "$_base$5" </dev/null \
		>"$W/$1/s$2.txt" 2>&1 || true
	_rps=$(awk '/^Requests\/sec:/ { print $2 }' "$W/$1/s$2.txt")
	_p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$W/$1/s$2.txt")")
	_non2xx=$(awk '/Non-2xx/ { print $5 }' "$W/$1/s$2.txt")
	_sock=$(awk '/Socket errors/ { sub(/^ *Socket errors: */, ""); print }' "$W/$1/s$2.txt")
	echo "$2|${_rps:--}|$_p99|${_non2xx:-0}|${_sock:-}" >>"$W/res-$1"
	say "$1: $(sed -n "${2}p" "$W/scenarios" | cut -d'|' -f1): ${_rps:--} req/s, p99 $_p99 ms${_non2xx:+, $_non2xx non-2xx}${_sock:+, socket errors: $_sock}"
}

i=0
while IFS='|' read -r name kind who script path; do
	i=$((i + 1))
	for b in $BACKENDS; do
		run $b $i "$who" "$script" "$path"
	done
done <"$W/scenarios"
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

for b in $BACKENDS; do
	eval "_p=\$pid_$b"
	kill -TERM "$_p"
	wait "$_p" || true
	eval "pid_$b="
done

# ---- the report
commas() {
	awk -v x="$1" 'BEGIN {
		if (x == "-" || x == "") { print "-"; exit }
		x = sprintf("%.0f", x); out = ""
		while (length(x) > 3) { out = "," substr(x, length(x) - 2) out; x = substr(x, 1, length(x) - 3) }
		print x out }'
}
ms() {
	awk -v x="$1" 'BEGIN { if (x == "-") print "-"; else if (x < 100) printf "%.1f ms\n", x; else printf "%.0f ms\n", x }'
}
ratio() { # A B -> A/B as "0.45×"
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b <= 0) print "-"; else printf "%.2f×\n", a / b }'
}
# judge KIND RPS P99 -> met / missed (what)
judge() {
	awk -v k="$1" -v r="$2" -v p="$3" 'BEGIN {
		if (k == "other") { print "—"; exit }
		if (r == "-") { print "**missed** (no answer)"; exit }
		m = ""
		if (k == "read" && r < 5000) m = "req/s"
		if (k == "write" && r < 2000) m = "req/s"
		if (k == "read" && p > 20) m = m (m ? ", " : "") "p99"
		print (m ? "**missed** (" m ")" : "met") }'
}
field() { # BACKEND I COLUMN
	awk -F'|' -v i="$2" -v c="$3" '$1 == i { print $c }' "$W/res-$1"
}
bname() {
	if [ "$1" = sqlite ]; then echo SQLite; else echo PostgreSQL; fi
}

GIT_HEAD=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')
{
	printf '# huikuan API benchmark\n\n'
	printf '%s; %s cores (%s); wrk -t2 -c64 -d%ss on loopback, the load generator on the same cores; build %s; commit %s. Load average (1/5/15 min) %s at the start, %s after the last scenario.\n\n' \
		"$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" \
		"$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
		"$DUR" "$(basename "$BUILD")" "$GIT_HEAD" "$LOAD_START" "$LOAD_END"
	printf -- '- SQLite %s: %s accounts (%s); %s.\n' "$(sqlite3 -version | cut -d' ' -f1)" \
		"$(commas "$N")" "$BUILT_sqlite" "$SERVE_sqlite"
	if [ "$PG" = 1 ]; then
		printf -- '- PostgreSQL %s on %s: %s accounts (%s; then VACUUM ANALYZE, untimed); %s.\n' \
			"$PG_VERSION" "$PG_WHERE" "$(commas "$NPG")" "$BUILT_pg" "$SERVE_pg"
		[ "$N" = "$NPG" ] ||
			printf -- '- **The two portfolios differ in size**: the ratios compare unlike portfolios.\n'
	fi
	printf -- '- The scenarios take turns: each on SQLite, then on PostgreSQL.\n\n'

	if [ "$PG" = 1 ]; then
		printf '| scenario | SQLite req/s | SQLite p99 | PostgreSQL req/s | PostgreSQL p99 | PG/SQLite req/s | PG/SQLite p99 | target on SQLite | target on PostgreSQL |\n'
		printf '|---|---:|---:|---:|---:|---:|---:|---|---|\n'
	else
		printf '| scenario | SQLite req/s | SQLite p99 | target |\n|---|---:|---:|---|\n'
	fi
	i=0
	while IFS='|' read -r name kind who script path; do
		i=$((i + 1))
		sr=$(field sqlite $i 2)
		sp=$(field sqlite $i 3)
		if [ "$PG" = 1 ]; then
			pr=$(field pg $i 2)
			pp=$(field pg $i 3)
			printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" \
				"$(commas "$sr")" "$(ms "$sp")" "$(commas "$pr")" "$(ms "$pp")" \
				"$(ratio "$pr" "$sr")" "$(ratio "$pp" "$sp")" \
				"$(judge "$kind" "$sr" "$sp")" "$(judge "$kind" "$pr" "$pp")"
		else
			printf '| %s | %s | %s | %s |\n' "$name" "$(commas "$sr")" "$(ms "$sp")" \
				"$(judge "$kind" "$sr" "$sp")"
		fi
	done <"$W/scenarios"
	echo
	echo "Targets (issue 3): reads >= 5,000 req/s with p99 <= 20 ms; contact-record writes >= 2,000 req/s. The queue (four list queries, the strategy's order, each line's treatment) is issue 4's; issue 5 asks it be usable within 1 s."
	echo
	# Errors: any non-2xx answer or socket error is a fault, not a figure.
	errors=
	for b in $BACKENDS; do
		i=0
		while IFS='|' read -r name kind who script path; do
			i=$((i + 1))
			n2=$(field $b $i 4)
			se=$(field $b $i 5)
			if [ "$n2" != 0 ] || [ -n "$se" ]; then
				errors="$errors
- $(bname $b), $name: $n2 non-2xx answers${se:+; socket errors: $se}"
			fi
		done <"$W/scenarios"
	done
	if [ -n "$errors" ]; then
		printf '**Errors** (wrk counts an answer slower than 2 s as a timeout):%s\n' "$errors"
	else
		echo "Every answer on every backend was 2xx, without socket errors."
	fi
	missed=
	for b in $BACKENDS; do
		i=0
		while IFS='|' read -r name kind who script path; do
			i=$((i + 1))
			j=$(judge "$kind" "$(field $b $i 2)" "$(field $b $i 3)")
			case $j in *missed*) missed="$missed
- $(bname $b): $name: $j" ;; esac
		done <"$W/scenarios"
	done
	if [ -n "$missed" ]; then
		printf '\n**Targets missed**:%s\n' "$missed"
	fi
} >"$OUT/api.md"
cat "$OUT/api.md"
# What the servers logged besides their 2xx answers (the access log is
# one JSON line a request on stderr).
for b in $BACKENDS; do
	grep -v '"status":2[0-9][0-9],\|web/dist\|网页界面\|web interface' "$W/serve-$b.err" |
		sed 's/^{"time":"[^"]*",/{/; s/"ms":[0-9.]*/"ms":…/' | sort | uniq -c | sort -rn >"$W/serve-$b.other" || true
	if [ -s "$W/serve-$b.other" ]; then
		echo "bench: the $(bname $b) server logged (counts):" >&2
		head -n 10 "$W/serve-$b.other" >&2
	fi
done

# The web interface in a browser on the SQLite portfolio (issue 5): from
# a click to a usable queue and case page (tests/e2e/run.mjs; it needs the
# built interface, web/dist, and Debian's chromium; SQLite only).
if [ -x /usr/bin/chromium ] && [ -f "$ROOT/web/dist/index.html" ]; then
	say "the web interface in Chromium"
	(cd "$ROOT/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error >/dev/null &&
		E2E_DB="$W/api.db" node run.mjs "$HK") >"$W/e2e.txt" 2>&1 || true
	{
		echo
		echo "## The web interface in a browser ($N accounts, SQLite)"
		echo
		grep -E '^(ok|not ok) - the (queue|case page)|^# times' "$W/e2e.txt"
		echo
		echo "Target (issue 5): the queue and the case page usable within 1 s of a click."
	} | tee -a "$OUT/api.md"
fi
