#!/bin/sh
# A throwaway PostgreSQL 15 cluster for the tests and benchmarks (Debian's
# postgresql-15): initdb into DIR, listening only on a Unix socket in DIR
# (no TCP at all: nothing outside this machine's user can reach it).
#
#   pg-cluster.sh start DIR   prints the connection URI of database "huikuan"
#   pg-cluster.sh uri DIR     prints it again
#   pg-cluster.sh fresh DIR NAME  drops and creates database NAME, prints its URI
#   pg-cluster.sh restart DIR stops the server (ending every session) and starts it again
#   pg-cluster.sh stop DIR    stops the cluster and removes DIR
set -eu

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "pg-cluster: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|uri|fresh|restart|stop DIR [NAME]" >&2; exit 2; }
port=54329
user=$(id -un)

uri() {
	# libpq's URI form with the socket directory as host
	printf 'postgresql:///%s?host=%s&port=%s&user=%s\n' "$1" "$dir" "$port" "$user"
}

# initdb and the server refuse to run as root: run them as a plain user
run() {
	if [ "$(id -u)" -eq 0 ]; then
		# from /: nobody may not enter the caller's directory (a
		# clone inside a 0700 mktemp folder)
		su nobody -s /bin/sh -c "cd / && $*"
	else
		sh -c "$*"
	fi
}

case "$cmd" in
start)
	mkdir -p "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		chown nobody "$dir"
		user=nobody
	fi
	run "'$bin/initdb' -D '$dir/data' -A trust -U '$user' -E UTF8 --locale=C.UTF-8 >'$dir/initdb.log' 2>&1"
	# fsync off: a test cluster, thrown away; the tests' crash checks are
	# about huikuan's transactions, not the disk
	run "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -o \"-k '$dir' -c listen_addresses='' -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\" start >/dev/null"
	run "'$bin/createdb' -h '$dir' -p $port -U '$user' huikuan"
	uri huikuan
	;;
uri)
	[ "$(id -u)" -eq 0 ] && user=nobody
	uri huikuan
	;;
fresh)
	[ "$(id -u)" -eq 0 ] && user=nobody
	name=${3:?name}
	run "'$bin/dropdb' -h '$dir' -p $port -U '$user' --if-exists '$name' && '$bin/createdb' -h '$dir' -p $port -U '$user' '$name'"
	uri "$name"
	;;
restart)
	# fast: the sessions are ended, as when a database server restarts;
	# the start options are those of the first start (postmaster.opts)
	run "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -m fast -w restart >/dev/null"
	;;
stop)
	if [ -d "$dir/data" ]; then
		run "'$bin/pg_ctl' -D '$dir/data' -m fast -w stop >/dev/null" || true
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: $0 start|uri|fresh|restart|stop DIR [NAME]" >&2
	exit 2
	;;
esac
