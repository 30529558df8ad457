#!/bin/sh
# bench/api.sh BUILD_DIR - the API benchmark of issue 3: wrk on loopback,
# 64 connections, against the demo portfolio (BENCH_API_ACCOUNTS, default
# 1,000,000): case lists with filters in each scope (collector, team
# leader, manager, agency), case detail, a case's timeline, and recording a
# contact record.  Prints requests/s and p99, also to bench/out/api.md.
# Targets: reads >= 5,000 req/s with p99 <= 20 ms; contact-record writes
# >= 2,000 req/s.  BENCH_API_DB=FILE reuses a demo database built before.
set -eu
BUILD=$(cd "$1" && pwd)
HK=$BUILD/huikuan
BENCH=$(cd "$(dirname "$0")" && pwd)
OUT=$BENCH/out
N=${BENCH_API_ACCOUNTS:-1000000}
DUR=${BENCH_API_SECONDS:-10}
W=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/huikuan-api.XXXXXX")
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$W"' EXIT
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "bench: wrk not found (scripts/install-deps.sh bench)" >&2; exit 1; }

if [ -n "${BENCH_API_DB:-}" ]; then
	# A demo database built before (huikuan demo --no-serve), copied so
	# the run's writes do not pile up in it.
	echo "[api] copying $BENCH_API_DB" >&2
	sqlite3 "$BENCH_API_DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
	cp "$BENCH_API_DB" "$W/api.db"
	N=$(sqlite3 "$W/api.db" "select count(*) from accounts")
else
	echo "[api] building the demo portfolio of $N accounts" >&2
	"$HK" demo --db "$W/api.db" --accounts "$N" --no-serve >/dev/null
fi
# Quiet hours (docs/compliance.md) twelve hours from now: the write
# scenario records calls, which the guardrails refuse at night.
h=$(TZ=Asia/Shanghai date +%H | sed 's/^0//')
printf '[compliance]\nquiet_hours = %02d:00-%02d:00\n' \
	$(((h + 12) % 24)) $(((h + 13) % 24)) >"$W/awake.ini"
"$HK" --db "$W/api.db" --config "$W/awake.ini" serve --listen 127.0.0.1:0 >"$W/out" 2>/dev/null &
pid=$!
for _ in $(seq 1 200); do grep -q "http://" "$W/out" && break; sleep 0.05; done
BASE=http://127.0.0.1:$(sed -n 's/.*:\([0-9][0-9]*\)$/\1/p' "$W/out")
token() {
	curl -s -X POST -H 'Content-Type: application/json' \
		-d "{\"username\":\"$1\",\"password\":\"huikuan-demo-2026\",\"bearer\":true}" \
		"$BASE/api/session" | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p'
}
COL=$(token li.na)
MGR=$(token wang.jl)
LEAD=$(token zhang.zz)
AGY=$(token wu.wb)
LINA=$(sqlite3 "$W/api.db" "select ref from users where username='li.na'")
sqlite3 "$W/api.db" "select ref from cases where collector_ref=$LINA limit 2000" >"$W/ids"

# One Lua script per scenario: auth header, and for detail a random id.
cat >"$W/get.lua" <<LUA
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
LUA
{
	echo 'local ids = {}'
	echo "for line in io.lines(\"$W/ids\") do ids[#ids + 1] = line end"
	echo 'wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")'
	echo 'request = function() return wrk.format("GET", "/api/cases/" .. ids[math.random(#ids)]) end'
} >"$W/detail.lua"
sed 's|"/api/cases/" .. ids\[math.random(#ids)\])|"/api/cases/" .. ids[math.random(#ids)] .. "/timeline")|' "$W/detail.lua" >"$W/timeline.lua"
{
	echo 'local ids = {}'
	echo "for line in io.lines(\"$W/ids\") do ids[#ids + 1] = line end"
	echo 'wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")'
	echo 'wrk.headers["Content-Type"] = "application/json"'
	echo 'local body = "{\"channel\":\"call\",\"outcome\":\"no_answer\",\"note\":\"bench\"}"'
	echo 'request = function() return wrk.format("POST", "/api/cases/" .. ids[math.random(#ids)] .. "/records", nil, body) end'
} >"$W/write.lua"

run() { # NAME TOKEN SCRIPT PATH
	TOKEN=$2 wrk -t2 -c64 -d"${DUR}s" --latency -s "$3" "$BASE$4" >"$W/$1.txt" 2>&1
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$W/$1.txt")
	p99=$(awk '$1 == "99%" { print $2 }' "$W/$1.txt")
	non2xx=$(awk '/Non-2xx/ { print $5 }' "$W/$1.txt")
	printf '| %s | %s | %s | %s |\n' "$1" "$rps" "$p99" "${non2xx:-0}"
}
{
	echo "# huikuan API benchmark ($N accounts, wrk -t2 -c64 -d${DUR}s, loopback, server threads: one per processor)"
	echo
	echo "| scenario | requests/s | p99 | non-2xx |"
	echo "|---|---:|---:|---:|"
	run "collector: case list (most overdue first)" "$COL" "$W/get.lua" "/api/cases?limit=50"
	run "collector: bucket M1, min 1,000 yuan" "$COL" "$W/get.lua" "/api/cases?bucket=M1&min_overdue=1000&limit=50"
	run "case detail" "$COL" "$W/detail.lua" "/"
	run "case timeline" "$COL" "$W/timeline.lua" "/"
	run "team leader: follow-ups due" "$LEAD" "$W/get.lua" "/api/cases?follow_up=due&sort=follow_up&limit=50"
	run "manager: bucket M3" "$MGR" "$W/get.lua" "/api/cases?bucket=M3&limit=50"
	run "manager: M2, credit cards, min 1,000 yuan" "$MGR" "$W/get.lua" "/api/cases?bucket=M2&product=credit_card&min_overdue=1000&limit=50"
	run "manager: broken promises" "$MGR" "$W/get.lua" "/api/cases?promise=broken&limit=50"
	run "agency collector: placed cases" "$AGY" "$W/get.lua" "/api/cases?limit=50"
	run "record a contact (write)" "$COL" "$W/write.lua" "/"
	run "collector: today's queue (issue 4)" "$COL" "$W/get.lua" "/api/queue?limit=50"
	echo
	echo "Targets (issue 3): reads >= 5,000 req/s with p99 <= 20 ms; writes >= 2,000 req/s. The queue (four list queries, the strategy's order, each line's treatment) is issue 4's; issue 5 asks it be usable within 1 s."
} | tee "$OUT/api.md"
kill -TERM $pid
wait $pid || true
pid=

# The web interface in a browser on the same portfolio (issue 5): from a
# click to a usable queue and case page (tests/e2e/run.mjs; it needs the
# built interface, web/dist, and Debian's chromium).
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -x /usr/bin/chromium ] && [ -f "$ROOT/web/dist/index.html" ]; then
	echo "[api] the web interface in Chromium" >&2
	(cd "$ROOT/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error >/dev/null &&
		E2E_DB="$W/api.db" node run.mjs "$HK") >"$W/e2e.txt" 2>&1 || true
	{
		echo
		echo "## The web interface in a browser ($N accounts)"
		echo
		grep -E '^(ok|not ok) - the (queue|case page)|^# times' "$W/e2e.txt"
		echo
		echo "Target (issue 5): the queue and the case page usable within 1 s of a click."
	} | tee -a "$OUT/api.md"
fi
