#!/bin/sh
# The web interface's files served beside the API (src/http/static.c):
# types, the Content-Security-Policy and caching headers, the interface's
# own routes answered by index.html, nothing outside the folder, only GET
# and HEAD, and /api untouched.  A small folder stands in for web/dist.
# usage: web_test.sh HUIKUAN_BINARY TESTS_DIR
. "$2/cli/lib.sh"

db=$(newdb w)
web=$tmp/dist
mkdir -p "$web/assets"
printf '<!doctype html><title>回款</title><script type="module" src="/assets/app-1a2b.js"></script>\n' >"$web/index.html"
printf 'console.log("app")\n' >"$web/assets/app-1a2b.js"
printf 'body{margin:0}\n' >"$web/assets/app-1a2b.css"
printf 'secret\n' >"$tmp/secret.txt"
"$hk" --db "$db" init >/dev/null 2>&1
"$hk" --db "$db" serve --listen 127.0.0.1:0 --web "$web" >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 1 100); do grep -qs "http://" "$tmp/out" && break; sleep 0.05; done
base=http://127.0.0.1:$(sed -n 's/.*:\([0-9][0-9]*\)$/\1/p' "$tmp/out")

# get PATH [curl args]: status, headers in $tmp/h, body in $tmp/b
get() {
	_p=$1
	shift
	curl -s -o "$tmp/b" -D "$tmp/h" -w '%{http_code}' "$@" "$base$_p"
}
header() { tr -d '\r' <"$tmp/h" | sed -n "s/^$1: //Ip" | head -n 1; }

st=$(get /)
[ "$st" = 200 ] && grep -q '回款' "$tmp/b" && ok "/ is the interface's index" || bad "/ ($st)"
[ "$(header content-type)" = "text/html; charset=utf-8" ] && ok "as HTML" || bad "index type: $(header content-type)"
csp=$(header content-security-policy)
case $csp in *"script-src 'self';"*"object-src 'none'"*"frame-ancestors 'none'"*) ok "a strict Content-Security-Policy" ;; *) bad "CSP: $csp" ;; esac
case $csp in *unsafe-eval* | *"script-src 'self' 'unsafe-inline'"*) bad "CSP allows inline or eval'd script" ;; *) ok "no inline or eval'd script allowed" ;; esac
[ "$(header cache-control)" = "no-cache" ] && ok "the index is revalidated" || bad "index cache: $(header cache-control)"
[ "$(header x-frame-options)" = "DENY" ] && ok "not framed" || bad "x-frame-options"

st=$(get /assets/app-1a2b.js)
[ "$st" = 200 ] && grep -q 'console.log' "$tmp/b" && ok "an asset" || bad "asset ($st)"
[ "$(header content-type)" = "text/javascript; charset=utf-8" ] && ok "JavaScript by its extension" || bad "js type: $(header content-type)"
case $(header cache-control) in *immutable*max-age=31536000*|*max-age=31536000*immutable*) ok "hashed assets cached for a year" ;; *) bad "asset cache: $(header cache-control)" ;; esac
st=$(get /assets/app-1a2b.css)
[ "$(header content-type)" = "text/css; charset=utf-8" ] && ok "CSS" || bad "css type"

st=$(get /cases/12)
[ "$st" = 200 ] && grep -q '回款' "$tmp/b" && ok "the interface's own routes get the index" || bad "route ($st)"
st=$(get /assets/missing.js)
[ "$st" = 404 ] && ok "a missing file is 404, not the index" || bad "missing asset ($st)"
st=$(get /../secret.txt --path-as-is)
[ "$st" = 404 ] && ! grep -q secret "$tmp/b" && ok "nothing outside the folder (..)" || bad "traversal ($st)"
st=$(get /%2e%2e/secret.txt --path-as-is)
[ "$st" = 404 ] && ! grep -q secret "$tmp/b" && ok "nor through an escaped .." || bad "escaped traversal ($st)"
st=$(get /.hidden)
[ "$st" = 404 ] && ok "no hidden files" || bad "hidden ($st)"
st=$(get / -X POST)
[ "$st" = 405 ] && ok "only GET and HEAD" || bad "POST / ($st)"
st=$(get / -I)
[ "$st" = 200 ] && ! grep -q doctype "$tmp/b" && ok "HEAD: headers only" || bad "HEAD ($st)"

st=$(get /api/health)
[ "$st" = 200 ] && [ "$(header content-type)" = "application/json; charset=utf-8" ] && ok "/api is the API still" || bad "api ($st)"
st=$(get /api/nothing)
[ "$st" = 404 ] && grep -q '"code"' "$tmp/b" && ok "an unknown endpoint is the API's JSON 404" || bad "api 404 ($st)"

kill -TERM "$pid"
wait "$pid" 2>/dev/null
# Without the files: the API alone, and it says so.
# (a new file: the first server's address must not be read for the second's)
HUIKUAN_WEB= "$hk" --db "$db" serve --listen 127.0.0.1:0 --web "$tmp/none" >"$tmp/out2" 2>"$tmp/err" &
pid=$!
for _ in $(seq 1 100); do grep -qs "http://" "$tmp/out2" && break; sleep 0.05; done
base=http://127.0.0.1:$(sed -n 's/.*:\([0-9][0-9]*\)$/\1/p' "$tmp/out2")
st=$(get /)
[ "$st" = 404 ] && ok "a folder without the files: 404" || bad "no files ($st)"
kill -TERM "$pid"
wait "$pid" 2>/dev/null
pid=
finish web
