# bench/lib.sh - sourced by every benchmark script: `die`, and the paths
# from the one argument, the build directory (BUILD, HK, BENCH, ROOT, OUT).
# Usage at the top of a script:  . "$(dirname "$0")/lib.sh"; bench_paths "$@"

die() {
	echo "bench: $*" >&2
	exit 1
}

bench_paths() {
	[ $# -eq 1 ] || die "usage: bench/$(basename "$0") BUILD_DIR"
	[ -d "$1" ] || die "no build directory $1 (run 'make bench')"
	BUILD=$(cd "$1" && pwd)
	HK=$BUILD/huikuan
	[ -x "$HK" ] || die "$HK not found; build it first (make bench)"
	BENCH=$(cd "$(dirname "$0")" && pwd)
	ROOT=$(cd "$BENCH/.." && pwd)
	OUT=$BENCH/out
}
