#!/bin/sh
# The server's pool of database connections (issue 6): with fewer
# connections than threads, 50 concurrent requests all answer correctly
# (they wait their turn, none gets a 5xx) and no more connections are ever
# open than --db-connections allows; on PostgreSQL, a restart of the
# database under a running server costs at most one failed request, idle
# or under load, and the same process answers again; a bad
# --db-connections is a usage error.
# usage: pool_test.sh HUIKUAN_BINARY TESTS_DIR
. "$2/cli/lib.sh"
J='Content-Type: application/json'

expect_status() {
	"$@" >/dev/null 2>&1
	echo $?
}
# a small ledger (a demo's year of day-ends is slow on PostgreSQL)
db=$(newdb p)
fx=$2/cli/fixtures/ledger
load() {
	"$hk" --db "$db" init >"$tmp/init" &&
	for k in debtors accounts installments payments; do
		"$hk" --db "$db" import $k "$fx/$k.csv" >/dev/null || return 1
	done &&
	"$hk" --db "$db" eod --date 2026-02-11 >/dev/null
}
load || { bad "the ledger"; finish pool; exit 1; }
adminpw=$(sed -n 's/.*一次性密码：\([A-Za-z0-9]*\).*/\1/p' "$tmp/init")
[ "$(expect_status "$hk" --db "$db" serve --listen 127.0.0.1:0 --db-connections 0)" = 2 ] &&
	ok "--db-connections 0 is a usage error" || bad "--db-connections 0 is a usage error"
[ "$(expect_status "$hk" --db "$db" serve --listen 127.0.0.1:0 --db-connections abc)" = 2 ] &&
	ok "--db-connections abc is a usage error" || bad "--db-connections abc is a usage error"
[ "$(expect_status "$hk" --db "$db" serve --listen 127.0.0.1:0 --db-connections 257)" = 2 ] &&
	ok "--db-connections 257 is a usage error" || bad "--db-connections 257 is a usage error"

# start THREADS CONNECTIONS: a server in $pid at $base; login: an admin
# bearer token in $token
start() {
	"$hk" --db "$db" serve --listen 127.0.0.1:0 --threads "$1" --db-connections "$2" >"$tmp/out" 2>"$tmp/log" &
	pid=$!
	for _ in $(seq 1 100); do grep -qs "http://" "$tmp/out" && break; sleep 0.05; done
	base=http://127.0.0.1:$(sed -n 's/.*:\([0-9][0-9]*\)$/\1/p' "$tmp/out")
}
login() {
	token=$(curl -s -X POST -H "$J" -d '{"username":"admin","password":"'"$adminpw"'","bearer":true}' \
		"$base/api/session" | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p')
}
# stop WHAT: SIGTERM, and the server must exit 0 having closed every
# connection (under ASan a leak would make it fail)
stop() {
	kill "$pid" 2>/dev/null
	wait "$pid"
	st=$?
	pid=
	[ $st -eq 0 ] && ok "$1: stopped cleanly" || bad "$1: exit $st ($(tail -3 "$tmp/log" | tr '\n' ' '))"
}

# conns: the database connections the server holds now (SQLite: its open
# descriptors of the database file, one per connection)
conns() {
	case $db in
	postgresql:*)
		q "$db" "select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()" ;;
	*)
		n=0
		for f in /proc/"$pid"/fd/*; do [ "$(readlink "$f")" = "$db" ] && n=$((n + 1)); done
		echo $n ;;
	esac
}

# 50 requests at once over six endpoints, each answer compared with the one
# the same request got alone: prints "200 x50, 0 differ" when all is well
cat >"$tmp/burst.py" <<'PY'
import sys, threading, urllib.request, urllib.error
base, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
paths = ["/api/health", "/api/me", "/api/cases?limit=5", "/api/cases/1",
         "/api/queue/counts", "/api/dashboard"]

def get(path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except OSError as e:
        return 0, str(e).encode()

want = {p: get(p) for p in paths}
got = [None] * n
gate = threading.Barrier(n)

def one(i):
    gate.wait()
    got[i] = get(paths[i % len(paths)])

threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
for t in threads:
    t.start()
for t in threads:
    t.join()
codes = {}
for status, _ in got:
    codes[status] = codes.get(status, 0) + 1
differ = sum(1 for i, g in enumerate(got) if g != want[paths[i % len(paths)]])
print(" ".join("%s x%d" % (c, k) for c, k in sorted(codes.items())) + ", %d differ" % differ)
PY

for c in 1 2; do
	start 4 $c
	[ "$(conns)" = 0 ] && ok "--db-connections $c: no connection open before the first request" ||
		bad "--db-connections $c: $(conns) connections open before the first request"
	login
	[ -n "$token" ] || { bad "server with --db-connections $c did not start"; cat "$tmp/log"; finish pool; exit 1; }
	[ "$(conns)" = 1 ] && ok "--db-connections $c: one connection open after one request" ||
		bad "--db-connections $c: $(conns) connections open after one request"
	r=$(python3 "$tmp/burst.py" "$base" "$token" 50)
	[ "$r" = "200 x50, 0 differ" ] && ok "--threads 4 --db-connections $c: 50 concurrent requests all answered alike (200)" ||
		bad "--threads 4 --db-connections $c: $r"
	r=$(python3 "$tmp/burst.py" "$base" "$token" 50)
	[ "$r" = "200 x50, 0 differ" ] && ok "--db-connections $c: again" || bad "--db-connections $c, again: $r"
	n=$(conns)
	[ "$n" -ge 1 ] && [ "$n" -le $c ] && ok "--db-connections $c: $n connections open for 4 threads" ||
		bad "--db-connections $c: $n connections open"
	grep -q '"status":5' "$tmp/log" && bad "--db-connections $c: a 5xx in the access log" ||
		ok "--db-connections $c: no 5xx in the access log"
	stop "--db-connections $c"
done

# ---- a database restart under a running server
if [ "$backend" != postgresql ]; then
	echo "# SQLite: no database server to restart; the reconnection checks run with HK_TEST_BACKEND=postgresql"
	finish pool
	exit
fi
tests=$2
# A cluster of its own to restart: the shared one (HUIKUAN_TEST_PG) serves
# the other tests running alongside (meson runs two at a time).
chmod 755 "$tmp" # the cluster runs as nobody when we are root
cluster=$tmp/pgc
trap 'sh "$tests/../scripts/pg-cluster.sh" stop "$cluster" >/dev/null 2>&1; cleanup' EXIT
if ! db=$(sh "$tests/../scripts/pg-cluster.sh" start "$cluster"); then
	bad "a PostgreSQL cluster of its own to restart"
	finish pool
	exit 1
fi
load || { bad "the ledger in the test's own cluster"; finish pool; exit 1; }
adminpw=$(sed -n 's/.*一次性密码：\([A-Za-z0-9]*\).*/\1/p' "$tmp/init")

start 4 2
login
first=$pid
python3 "$tmp/burst.py" "$base" "$token" 20 >/dev/null
[ "$(conns)" = 2 ] && ok "both connections open before the restart" || bad "$(conns) connections before the restart"
sh "$tests/../scripts/pg-cluster.sh" restart "$cluster" && ok "the database restarted" || bad "the database restarted"
codes=
for i in $(seq 1 12); do
	codes="$codes $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/api/me")"
done
# at most one failure, and only the first
case $codes in
" 200 200 200 200 200 200 200 200 200 200 200 200" | " "[0-9][0-9][0-9]" 200 200 200 200 200 200 200 200 200 200 200")
	ok "after the restart, at most one failed request, then answers again:$codes" ;;
*) bad "after the restart:$codes" ;;
esac
kill -0 "$first" 2>/dev/null && [ "$pid" = "$first" ] && ok "the same server process, never restarted" ||
	bad "the server process is gone"
grep -q "数据库连接已断开" "$tmp/log" && ok "the server logged the lost connections" || bad "no log line on the lost connections"

# the same under load: four clients keep asking while the database
# restarts; every request begun after it is back must succeed
cat >"$tmp/load.py" <<'PY'
import os, sys, threading, urllib.request, urllib.error
base, token, marks = sys.argv[1], sys.argv[2], sys.argv[3]
tally = {"during": {}, "after": {}}
lock = threading.Lock()

def loop():
    while not os.path.exists(marks + "/stop"):
        when = "after" if os.path.exists(marks + "/back") else "during"
        req = urllib.request.Request(base + "/api/me", headers={"Authorization": "Bearer " + token})
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                r.read()
                status = r.status
        except urllib.error.HTTPError as e:
            status = e.code
        except OSError:
            status = 0
        with lock:
            tally[when][status] = tally[when].get(status, 0) + 1

threads = [threading.Thread(target=loop) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for when in ("during", "after"):
    print(when, " ".join("%s x%d" % (c, k) for c, k in sorted(tally[when].items())))
print("failed_after", sum(k for c, k in tally["after"].items() if c != 200))
print("ok_after", tally["after"].get(200, 0))
PY
mkdir "$tmp/marks"
python3 "$tmp/load.py" "$base" "$token" "$tmp/marks" >"$tmp/tally" &
loader=$!
sleep 0.5
sh "$tests/../scripts/pg-cluster.sh" restart "$cluster" || bad "the database restarted under load"
touch "$tmp/marks/back"
sleep 1
touch "$tmp/marks/stop"
wait $loader
[ "$(sed -n 's/^failed_after //p' "$tmp/tally")" -le 1 ] && [ "$(sed -n 's/^ok_after //p' "$tmp/tally")" -gt 0 ] &&
	ok "restart under load: at most one failure once the database was back (during: $(sed -n 's/^during //p' "$tmp/tally"); after: $(sed -n 's/^after //p' "$tmp/tally"))" ||
	bad "restart under load: $(tr '\n' ';' <"$tmp/tally")"
codes=
for i in $(seq 1 5); do
	codes="$codes $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/api/cases/1")"
done
[ "$codes" = " 200 200 200 200 200" ] && ok "and then answers as before:$codes" || bad "after the restart under load:$codes"
n=$(conns)
[ "$n" -ge 1 ] && [ "$n" -le 2 ] && ok "still at most 2 connections ($n)" || bad "$n connections after the restarts"
kill -0 "$first" 2>/dev/null && ok "still the same server process" || bad "the server process is gone"
stop "after the restarts"

finish pool
