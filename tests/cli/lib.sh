# lib.sh - what every CLI test script shares (sourced, not run): the
# binary under test in $hk, a temporary directory in $tmp removed at exit
# (killing the server in $pid, if any), a clean environment, and the
# ok/bad counters with the closing "NAME: N passed, M failed" line.
# usage, first line after the header: . "$2/cli/lib.sh"
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
unset HUIKUAN_DB HUIKUAN_CONFIG HUIKUAN_PENALTY_CAP HUIKUAN_DAY_BASIS \
	HUIKUAN_COMPOUND_PENALTY HUIKUAN_BUCKETS HUIKUAN_TZ LC_ALL LC_MESSAGES
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }

# finish NAME: the closing line and the exit status.
finish() {
	echo "$1: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}

# awake_config: a configuration file whose quiet hours (no contact, see
# docs/compliance.md) lie twelve hours from now, so a test that records
# contacts passes at any time of day; prints its path.
awake_config() {
	h=$(TZ=Asia/Shanghai date +%H | sed 's/^0//')
	printf '[compliance]\nquiet_hours = %02d:00-%02d:00\n' \
		$(((h + 12) % 24)) $(((h + 13) % 24)) >"$tmp/awake.ini"
	echo "$tmp/awake.ini"
}
