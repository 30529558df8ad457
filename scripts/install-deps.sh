#!/bin/sh
# Install the Debian 12 packages huikuan needs to build, test and benchmark,
# skipping what is already there.  Idempotent; safe to run on every build.
set -eu

# cairo/pango with the CJK fonts: letters as PDF (docs/letters.md); libcurl:
# email over SMTP and the SMS gateway; libqpdf: a letter batch's print
# file joined from its parts; libxlsxwriter: report exports
build_pkgs="gcc make meson ninja-build pkgconf libsqlite3-dev libpq-dev libcsv-dev libinih-dev libmicrohttpd-dev libjansson-dev libsodium-dev libcairo2-dev zlib1g-dev libpango1.0-dev fonts-noto-cjk libcurl4-openssl-dev libxlsxwriter-dev libqpdf-dev"
# chromium: the web interface's browser tests (tests/e2e); poppler-utils
# (pdftotext, pdffonts, pdftoppm) and python3-aiosmtpd: the letters' and
# messages' tests; libreoffice-calc-nogui: test_report_out and reports_test.sh
# read the report workbooks back (soffice --convert-to csv)
test_pkgs="libcmocka-dev sqlite3 postgresql curl python3 chromium poppler-utils python3-aiosmtpd libreoffice-calc-nogui"
# bench/pg.sh: the PostgreSQL server (also in test_pkgs) and its client
bench_pkgs="hyperfine time wrk curl postgresql postgresql-client"

case "${1:-build}" in
build) want="$build_pkgs" ;;
test) want="$build_pkgs $test_pkgs" ;;
bench) want="$build_pkgs $test_pkgs $bench_pkgs" ;;
*) echo "usage: $0 [build|test|bench]" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
# The web interface (web/) is built with Node.js and npm: Debian's, unless
# a Node.js with its own npm is there already (Debian's npm package would
# conflict with it).
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
	missing="$missing nodejs npm"
fi
[ -z "$missing" ] && exit 0

echo "installing:$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
