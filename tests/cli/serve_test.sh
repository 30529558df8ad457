#!/bin/sh
# The HTTP server, driven over loopback with curl: start on a free port,
# answers, errors, limits, the OpenAPI document, graceful stop on SIGTERM.
# usage: serve_test.sh HUIKUAN_BINARY TESTS_DIR
set -u
hk=$1
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
export LANG=C.UTF-8
unset HUIKUAN_DB
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }

# check NAME WANT_STATUS WANT_BODY_SUBSTRING curl-args...
check() {
	name=$1 want=$2 text=$3
	shift 3
	got=$(curl -s -o "$tmp/body" -w '%{http_code}' "$@" 2>/dev/null)
	if [ "$got" = "$want" ] && grep -qF -- "$text" "$tmp/body"; then ok "$name"; else
		bad "$name (status $got, want $want; body: $(head -c 300 "$tmp/body"))"
	fi
}

db=$tmp/s.db
"$hk" --db "$db" init >/dev/null
expect_status() {
	"$@" >/dev/null 2>&1
	echo $?
}
[ "$(expect_status "$hk" --db "$db" serve --listen nonsense)" = 2 ] && ok "bad --listen is a usage error" || bad "bad --listen is a usage error"
[ "$(expect_status "$hk" --db "$tmp/none.db" serve --listen 127.0.0.1:0)" = 4 ] && ok "an uninitialised database is refused" || bad "an uninitialised database is refused"

"$hk" --db "$db" serve --listen 127.0.0.1:0 >"$tmp/out" 2>"$tmp/log" &
pid=$!
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	grep -q "http://" "$tmp/out" && break
	sleep 0.1
done
port=$(sed -n 's/.*:\([0-9][0-9]*\)$/\1/p' "$tmp/out")
[ -n "$port" ] && ok "listening on a free port ($port)" || { bad "server did not start"; cat "$tmp/log"; exit 1; }
base=http://127.0.0.1:$port

check "health" 200 '"status":"ok"' "$base/api/health"
check "health has no last day-end yet" 200 '"last_eod":null' "$base/api/health"
check "unknown endpoint is 404 JSON" 404 '"code":"HK_ENOTFOUND"' "$base/api/nope"
check "errors in Chinese by default" 404 '没有这个接口' "$base/api/nope"
check "errors in English on request" 404 'no such endpoint' -H 'Accept-Language: en-US,en;q=0.9' "$base/api/nope"
check "wrong method is 405" 405 '"code"' -X DELETE "$base/api/health"
head -c 2000000 /dev/zero >"$tmp/big"
check "oversized body is 413" 413 '"code":"HK_EINVAL"' -X POST --data-binary @"$tmp/big" "$base/api/health"
check "OpenAPI document" 200 '"openapi":"3.1.0"' "$base/api/openapi.json"

# Every route in the document answers (no 404), and the document parses.
if python3 - "$tmp/body" "$base" <<'PY'
import json, sys, urllib.request, urllib.error
doc = json.load(open(sys.argv[1]))
base = sys.argv[2]
bad = []
for path, item in doc["paths"].items():
    for method in item:
        url = base + path.replace("{", "x").replace("}", "")
        req = urllib.request.Request(url, method=method.upper())
        try:
            urllib.request.urlopen(req)
        except urllib.error.HTTPError as e:
            if e.code in (404, 405):
                bad.append(f"{method} {path}: {e.code}")
        assert "summary" in item[method], path
sys.exit(1 if bad else 0)
PY
then ok "every documented route is served"; else bad "every documented route is served"; fi
grep -q '"path":"/api/health","status":200' "$tmp/log" && ok "access log line" || bad "access log line"

# SIGTERM: stops cleanly with status 0
kill -TERM "$pid"
wait "$pid"
st=$?
pid=
[ $st -eq 0 ] && ok "SIGTERM stops the server (exit 0)" || bad "SIGTERM stops the server (exit $st)"
grep -q "服务已停止" "$tmp/log" && ok "says it stopped" || bad "says it stopped"

echo "serve: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
