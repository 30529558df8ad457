#!/bin/sh
# bench/letters.sh BUILD_DIR - the letters benchmark of issue 7 (`make
# bench`): letters written per second for a batch of 10,000
# (BENCH_LETTERS), on this machine's processors.
#
#   1. a portfolio of BENCH_LETTERS_ACCOUNTS accounts (`huikuan gen`) as of
#      2026-11-23, imported, its first day-end;
#   2. the first BENCH_LETTERS overdue cases;
#   3. for each template of BENCH_LETTERS_TEMPLATES (the friendly first
#      notice and the firm second notice: their tables differ), a fresh
#      files folder and `huikuan letters batch --template T --cases ...`,
#      timed whole: reading the cases, rendering the texts, numbering,
#      cutting the fonts, one PDF per letter and the print file, the
#      manifest, every letter recorded;
#   4. checks: the batch is done with every letter written, the print
#      file's pages are the letters' pages, every font embedded.
# Prints a report, also saved to bench/out/letters.md.
#
# Environment: BENCH_LETTERS (10000), BENCH_LETTERS_ACCOUNTS (32000),
# BENCH_LETTERS_TEMPLATES ("first_notice second_notice"), BENCH_TMPDIR.
# Needs: sqlite3, pdfinfo and pdffonts (poppler-utils), /usr/bin/time.
set -eu

. "$(dirname "$0")/lib.sh"
bench_paths "$@"
N=${BENCH_LETTERS:-10000}
ACCOUNTS=${BENCH_LETTERS_ACCOUNTS:-32000}
TEMPLATES=${BENCH_LETTERS_TEMPLATES:-first_notice second_notice}
W=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/huikuan-letters.XXXXXX")
trap 'rm -rf "$W"' EXIT
mkdir -p "$OUT"
for t in sqlite3 pdfinfo pdffonts; do
	command -v $t >/dev/null || die "$t not found (scripts/install-deps.sh bench)"
done

echo "[letters] a portfolio of $ACCOUNTS accounts" >&2
"$HK" gen --accounts "$ACCOUNTS" --out "$W/p" --today 2026-11-23 --seed 11 >/dev/null
DB=$W/letters.db
"$HK" --db "$DB" init >/dev/null
for k in debtors contacts accounts installments payments promises; do
	"$HK" --db "$DB" import $k "$W/p/$k.csv" >/dev/null
done
"$HK" --db "$DB" eod --date 2026-11-23 >/dev/null
have=$(sqlite3 "$DB" "select count(*) from case_overdue")
[ "$have" -ge "$N" ] || die "only $have overdue cases for $N letters: raise BENCH_LETTERS_ACCOUNTS"
IDS=$(sqlite3 "$DB" "select group_concat(case_ref) from (select case_ref from case_overdue order by case_ref limit $N)")
procs=$(getconf _NPROCESSORS_ONLN)

{
	echo "# Letters (issue 7): a batch of $N letters"
	echo
	echo "$procs processors; the portfolio: $ACCOUNTS accounts as of 2026-11-23, the first $N overdue cases."
	echo
	echo "| template | seconds | letters/s | pages | print file | one letter (median) |"
	echo "|---|---:|---:|---:|---:|---:|"
} >"$W/report.md"

run=0
for T in $TEMPLATES; do
	run=$((run + 1))
	# a fresh files folder and configuration for each run
	mkdir -p "$W/files$run"
	{ cat "$ROOT/data/demo.ini"; printf '\n[files]\ndir = %s/files%s\n' "$W" "$run"; } >"$W/c$run.ini"
	echo "[letters] $N letters from $T" >&2
	/usr/bin/time -f "%e" -o "$W/t$run" \
		"$HK" --db "$DB" --config "$W/c$run.ini" letters batch --template "$T" --cases "$IDS" \
		>"$W/out$run" 2>"$W/err$run" || { cat "$W/err$run" >&2; die "the batch failed"; }
	secs=$(cat "$W/t$run")
	ref=$(sqlite3 "$DB" "select max(ref) from letter_batches")
	line=$(sqlite3 "$DB" "select status, done, skipped from letter_batches where ref = $ref")
	[ "$line" = "done|$N|0" ] || die "batch $ref: $line, not done|$N|0"
	pages=$(sqlite3 "$DB" "select sum(pages) from letters where batch_ref = $ref")
	dir=$W/files$run/batches/$ref
	printed=$(pdfinfo "$dir/print.pdf" | awk '/^Pages:/ {print $2}')
	[ "$printed" = "$pages" ] || die "print file: $printed pages, the letters have $pages"
	one=$(ls "$dir"/HK-*.pdf | head -1)
	pdffonts "$one" | awk 'NR > 2 && $(NF-4) != "yes" {bad = 1} END {exit bad}' ||
		die "a font not embedded in $one"
	size=$(du -k "$dir/print.pdf" | cut -f1)
	median=$(ls -l "$dir"/HK-*.pdf | awk '{print $5}' | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
	rate=$(awk -v n="$N" -v s="$secs" 'BEGIN {printf "%.0f", n / s}')
	echo "| $T | $secs | $rate | $pages | $((size / 1024)) MB | $((median / 1024)) KB |" >>"$W/report.md"
	# The files stay until the end: on ext4 without a journal (this
	# machine's disk) a new inode skips every inode deleted in the last
	# minutes, one look-up each, so deleting 20,000 files here made the
	# next run's file creation a fifth of its time.
done
{
	echo
	echo "Target (issue 7): at least 200 letters/s on this 2-core machine. Each letter is one PDF with its"
	echo "fonts embedded (cut to the batch's characters, docs/letters.md), plus its page in the print file;"
	echo "every letter is recorded with its serial and SHA-256 as it goes."
} >>"$W/report.md"
cat "$W/report.md"
cp "$W/report.md" "$OUT/letters.md"
