#!/bin/sh
# Build twice - plain and with ASan+UBSan - and run the whole suite in both.
# Prints one closing line "tests: N passed, N failed" over both runs.
set -u
plain=${1:-build}
asan=${2:-build-asan}
status=0
passed=0
failed=0

run_suite() {
	dir=$1
	shift
	[ -f "$dir/build.ninja" ] || meson setup "$dir" "$@" >/dev/null || return 1
	ninja -C "$dir" >/dev/null || { ninja -C "$dir"; return 1; }
	meson test -C "$dir" --print-errorlogs --num-processes 2
	rc=$?
	log="$dir/meson-logs/testlog.json"
	if [ -f "$log" ]; then
		p=$(grep -c '"result": "OK"' "$log")
		f=$(grep -c -E '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' "$log")
		passed=$((passed + p))
		failed=$((failed + f))
	fi
	return $rc
}

run_suite "$plain" || status=1
echo "== again under AddressSanitizer and UndefinedBehaviorSanitizer =="
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_suite "$asan" -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debug || status=1
echo "tests: $passed passed, $failed failed"
exit $status
