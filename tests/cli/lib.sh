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
	# (the names are kept in a file: newdb runs in a command substitution)
	for d in $(cat "$tmp/pgdbs" 2>/dev/null); do
		psql -XAtq "$HUIKUAN_TEST_PG" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1
	done
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

# The backend under test: sqlite (the default) or, with
# HK_TEST_BACKEND=postgresql, fresh databases in the throwaway cluster
# whose URI is $HUIKUAN_TEST_PG (scripts/pg-cluster.sh).  A script that
# works on both takes its databases from newdb and reads them through q;
# run.sh runs only those scripts on PostgreSQL.
backend=${HK_TEST_BACKEND:-sqlite}
# Debian's /usr/bin/psql is a Perl wrapper (pg_wrapper) that takes some
# 50 ms to start: the server's own client comes first, in the Python
# parts too, for scripts that read through q hundreds of times.
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$pgbin" ] && [ -x "$pgbin/psql" ] && PATH=$pgbin:$PATH && export PATH
# quiet: DROP ... IF EXISTS talks
export PGOPTIONS="-c client_min_messages=warning"

# newdb NAME: a database nobody has used, as a --db URI (printed).
newdb() {
	if [ "$backend" = postgresql ]; then pg_db "$1"; else echo "$tmp/$1.db"; fi
}

# pg_db NAME: a fresh PostgreSQL database whatever the backend under test
# (dropped at exit), as a --db URI.
pg_db() {
	d=hk_$$_$1
	psql -XAtq "$HUIKUAN_TEST_PG" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" -c "CREATE DATABASE $d" >/dev/null || return 1
	echo "$d" >>"$tmp/pgdbs"
	printf '%s\n' "$HUIKUAN_TEST_PG" | sed "s|^postgresql:///[^?]*|postgresql:///$d|"
}

# copydb DB NAME: a copy of DB (nobody connected to it) as a new
# database; its URI is printed.
copydb() {
	case $1 in
	postgresql:*)
		src=$(printf '%s\n' "$1" | sed 's|^postgresql:///\([^?]*\).*|\1|')
		d=hk_$$_$2
		psql -XAtq "$HUIKUAN_TEST_PG" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" -c "CREATE DATABASE $d TEMPLATE $src" >/dev/null || return 1
		echo "$d" >>"$tmp/pgdbs"
		printf '%s\n' "$1" | sed "s|^postgresql:///[^?]*|postgresql:///$d|"
		;;
	*) cp "$1" "$tmp/$2.db" && echo "$tmp/$2.db" ;;
	esac
}

# q DB SQL: the rows as sqlite3 prints them (fields joined by |, NULL
# empty), on either backend; SQL that both dialects read alike.
q() {
	case $1 in
	postgresql:*) psql -XAtq -F '|' "$1" -c "$2" ;;
	*) sqlite3 "$1" "$2" ;;
	esac
}

# intact DB: SQLite's integrity check; PostgreSQL keeps its own pages
# (a crash loses at most uncommitted transactions), so it answers ok.
intact() {
	case $1 in
	postgresql:*) q "$1" "select 'ok'" ;;
	*) sqlite3 "$1" "pragma integrity_check" ;;
	esac
}
