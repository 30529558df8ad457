#!/bin/sh
# Run every tests/cli/*_test.sh against the real binary.
# usage: run.sh HUIKUAN_BINARY TESTS_DIR
set -u
bin=$1
dir=$2
status=0
if [ "${HK_TEST_BACKEND:-sqlite}" = postgresql ] && [ -z "${HUIKUAN_TEST_PG:-}" ]; then
	echo "HUIKUAN_TEST_PG is not set: the CLI tests on PostgreSQL did not run"
	exit 77
fi
for t in "$dir"/cli/*_test.sh; do
	# on PostgreSQL, the scripts that take their databases from newdb
	if [ "${HK_TEST_BACKEND:-sqlite}" = postgresql ] && ! grep -q newdb "$t"; then
		continue
	fi
	echo "== $(basename "$t")"
	sh "$t" "$bin" "$dir" || status=1
done
exit $status
