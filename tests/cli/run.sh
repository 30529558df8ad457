#!/bin/sh
# Run every tests/cli/*_test.sh against the real binary.
# usage: run.sh HUIKUAN_BINARY TESTS_DIR
set -u
bin=$1
dir=$2
status=0
for t in "$dir"/cli/*_test.sh; do
	echo "== $(basename "$t")"
	sh "$t" "$bin" "$dir" || status=1
done
exit $status
