#!/bin/sh
# Build twice - plain and with ASan+UBSan - and run the whole suite in both.
# Prints one closing line "tests: N passed, N failed" over both runs.
set -u
plain=${1:-build}
asan=${2:-build-asan}
status=0
failures=$(mktemp /tmp/hk-failures.XXXXXX)
passed=0
failed=0

run_suite() {
	dir=$1
	shift
	# A build folder made by `make` before cmocka was installed has no unit
	# tests: reconfigure so that meson looks for it again.
	if [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" "$@" >/dev/null || return 1
	else
		meson setup "$dir" "$@" >/dev/null || return 1
	fi
	ninja -C "$dir" >/dev/null || { ninja -C "$dir"; return 1; }
	meson test -C "$dir" --print-errorlogs --num-processes 2
	rc=$?
	# Count test cases, not test programs: cmocka's "[  PASSED  ] N" and
	# "[  FAILED  ] N" lines and the CLI scripts' "NAME: N passed, M failed".
	f=0
	log="$dir/meson-logs/testlog.txt"
	if [ -f "$log" ]; then
		p=$(awk '/^\[  PASSED  \] [0-9]+ test/ { n += $4 }
			/^[a-z]+: [0-9]+ passed, [0-9]+ failed$/ { n += $2 }
			END { print n + 0 }' "$log")
		f=$(awk '/^\[  FAILED  \] [0-9]+ test/ { n += $4 }
			/^[a-z]+: [0-9]+ passed, [0-9]+ failed$/ { n += $4 }
			END { print n + 0 }' "$log")
		passed=$((passed + p))
		failed=$((failed + f))
		# Name what failed again at the very end: CI shows the tail.
		grep -E '^(not ok|\[  FAILED  \] [a-z_])' "$log" |
			sed "s|^|$dir: |" >>"$failures"
	fi
	python3 -c 'import json, sys
for line in open(sys.argv[1]):
    t = json.loads(line)
    if t.get("result") not in ("OK", "SKIP", "EXPECTEDFAIL"):
        print(sys.argv[2] + ": test program " + t["name"] + " " + str(t.get("result")))' \
		"$dir/meson-logs/testlog.json" "$dir" >>"$failures" 2>/dev/null
	[ $rc -ne 0 ] && [ "$f" -eq 0 ] && failed=$((failed + 1)) # a program died
	return $rc
}

# A throwaway PostgreSQL 15 cluster (a Unix socket in a temporary folder,
# no TCP; stopped and removed at the end): every test that has a
# PostgreSQL side runs it there - the storage operations against SQLite's,
# the schema, the CLI scripts (cli_pg).
pgdir=$(mktemp -d /tmp/hk-pg.XXXXXX)
chmod 755 "$pgdir" # the cluster runs as nobody when we are root
if HUIKUAN_TEST_PG=$(sh scripts/pg-cluster.sh start "$pgdir/c"); then
	export HUIKUAN_TEST_PG
	trap 'sh scripts/pg-cluster.sh stop "$pgdir/c" >/dev/null 2>&1; rm -rf "$pgdir"' EXIT
	echo "== PostgreSQL: $HUIKUAN_TEST_PG =="
else
	echo "not ok - the PostgreSQL test cluster did not start"
	cat "$pgdir"/c/*.log 2>/dev/null
	failed=$((failed + 1))
	status=1
fi

run_suite "$plain" || status=1
echo "== again under AddressSanitizer and UndefinedBehaviorSanitizer =="
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
# libraries' own leaks (fontconfig's caches, cairo 1.16's font subsets)
export LSAN_OPTIONS=suppressions=$(pwd)/tests/lsan.supp
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_suite "$asan" -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debug || status=1

# The web interface: a clean install of its locked packages, its build
# (which the server serves, and the browser tests use), its unit tests.
if [ -f web/package-lock.json ]; then
	echo "== the web interface (web/: npm ci, vite build, vitest) =="
	rm -f web/node_modules/.vitest-result.json
	(cd web && npm ci --no-audit --no-fund --loglevel=error &&
		npm run build >/dev/null &&
		npx vitest run --reporter=default --reporter=json \
			--outputFile=node_modules/.vitest-result.json) || status=1
	counts=$(python3 -c 'import json
try:
    r = json.load(open("web/node_modules/.vitest-result.json"))
    print(r["numPassedTests"], r["numFailedTests"])
except Exception:
    print(0, 1)')
	passed=$((passed + ${counts% *}))
	failed=$((failed + ${counts#* }))

	# End to end in Debian's Chromium against the real server (tests/e2e).
	echo "== the web interface in a browser (tests/e2e) =="
	(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error &&
		node run.mjs "../../$plain/huikuan") >"$plain/e2e.log" 2>&1 || status=1
	grep -v 'chromium: 9' "$plain/e2e.log"
	e2e=$(sed -n 's/^e2e: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$plain/e2e.log")
	[ -n "$e2e" ] || e2e="0 1"
	passed=$((passed + ${e2e% *}))
	failed=$((failed + ${e2e#* }))
fi
grep -E '^not ok' "$plain/e2e.log" 2>/dev/null | sed 's|^|e2e: |' >>"$failures"
if [ -s "$failures" ]; then
	echo "== what failed =="
	cat "$failures"
fi
rm -f "$failures"
echo "tests: $passed passed, $failed failed"
exit $status
