#!/bin/sh
# Run tests/cli/*_test.sh against the real binary: every one, or the one
# named.  On PostgreSQL (HK_TEST_BACKEND=postgresql) only the scripts that
# take their databases from newdb run; another is skipped (exit 77, which
# meson counts as skipped), as is everything without HUIKUAN_TEST_PG.
# usage: run.sh HUIKUAN_BINARY TESTS_DIR [NAME]
set -u
bin=$1
dir=$2
only=${3:-}
status=0
if [ "${HK_TEST_BACKEND:-sqlite}" = postgresql ] && [ -z "${HUIKUAN_TEST_PG:-}" ]; then
	echo "HUIKUAN_TEST_PG is not set: the CLI tests on PostgreSQL did not run"
	exit 77
fi
ran=0
for t in "$dir"/cli/*_test.sh; do
	name=$(basename "$t" _test.sh)
	[ -n "$only" ] && [ "$name" != "$only" ] && continue
	if [ "${HK_TEST_BACKEND:-sqlite}" = postgresql ] && ! grep -q newdb "$t"; then
		continue
	fi
	ran=$((ran + 1))
	echo "== $(basename "$t")"
	t0=$(date +%s)
	sh "$t" "$bin" "$dir" || status=1
	echo "== $(basename "$t"): $(($(date +%s) - t0)) s"
done
if [ -n "$only" ] && [ "$ran" -eq 0 ]; then
	if [ -f "$dir/cli/${only}_test.sh" ]; then
		echo "$only: not written for PostgreSQL yet (it does not use newdb)"
		exit 77
	fi
	echo "no such test: $only" >&2
	exit 1
fi
exit $status
