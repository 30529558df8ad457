#!/bin/sh
# Configuration: INI file and environment change the ledger as documented
# in docs/configuration.md; bad values are refused naming the key.
# usage: config_test.sh HUIKUAN_BINARY TESTS_DIR
. "$2/cli/lib.sh"
fx=$2/cli/fixtures/ledger

# The portfolio imported once; each setting gets a copy of it.
base=$(newdb base)
"$hk" --db "$base" init >/dev/null
for k in debtors accounts installments; do "$hk" --db "$base" import $k "$fx/$k.csv" >/dev/null; done

# fresh [global options...]: a new copy of the portfolio, day-end on
# 2026-02-11 with the given configuration, and A1's export row in $r.
# Settings apply to the state day-end computes, so each setting gets its
# own database.
n=0
fresh() {
	n=$((n + 1))
	db=$(copydb "$base" c$n)
	"$hk" --db "$db" "$@" eod --date 2026-02-11 >/dev/null
	r=$("$hk" --db "$db" "$@" export accounts | grep '^A1,')
}

# default: 18% penalty, 360 days: 10 days × 50 fen as of 2026-02-11
fresh
case $r in *,M1,1000.00,10.00,5.00,5.00,*) ok "default policy" ;; *) bad "default policy: $r" ;; esac

# a 10% cap leaves 10% of penalty (contract rate 0): 27.78 → 28 fen a day
printf '[ledger]\npenalty_cap = 10\n' >"$tmp/cap.ini"
fresh --config "$tmp/cap.ini"
case $r in *,M1,1000.00,10.00,5.00,2.80,*) ok "penalty cap from the INI file" ;; *) bad "penalty cap: $r" ;; esac
export HUIKUAN_PENALTY_CAP=10
fresh
unset HUIKUAN_PENALTY_CAP
case $r in *,M1,1000.00,10.00,5.00,2.80,*) ok "penalty cap from the environment" ;; *) bad "env cap: $r" ;; esac
# per product: consumer_loan only; 365 days: 49.3 → 49 fen a day
printf '[ledger.consumer_loan]\nday_basis = 365\n' >"$tmp/basis.ini"
fresh --config "$tmp/basis.ini"
case $r in *,M1,1000.00,10.00,5.00,4.90,*) ok "365-day basis for one product" ;; *) bad "365 basis: $r" ;; esac
printf '[ledger.credit_card]\nday_basis = 365\n' >"$tmp/basis.ini"
fresh --config "$tmp/basis.ini"
case $r in *,M1,1000.00,10.00,5.00,5.00,*) ok "another product's setting leaves this one alone" ;; *) bad "other product: $r" ;; esac
# compound: base 1010.00 → 50.5 → 51 fen a day
export HUIKUAN_COMPOUND_PENALTY=yes
fresh
unset HUIKUAN_COMPOUND_PENALTY
case $r in *,M1,1000.00,10.00,5.00,5.10,*) ok "compound penalty" ;; *) bad "compound: $r" ;; esac
# a bucket table with M1 up to 5 days: 10 days is M2 here
export HUIKUAN_BUCKETS='C:0,M1:5,M2:60,M3+'
fresh
unset HUIKUAN_BUCKETS
case $r in A1,2026-02-11,10,M2,*) ok "bucket table from the environment" ;; *) bad "buckets: $r" ;; esac

# refusals: exit 3, key named
printf '[ledger]\nday_basis = 364\n' >"$tmp/bad.ini"
"$hk" --db "$db" --config "$tmp/bad.ini" export accounts >/dev/null 2>"$tmp/err"
[ $? -eq 3 ] && grep -q day_basis "$tmp/err" && ok "bad day basis refused" || bad "bad day basis refused"
printf '[ledger]\nfrobnicate = 1\n' >"$tmp/bad.ini"
"$hk" --db "$db" --config "$tmp/bad.ini" export accounts >/dev/null 2>"$tmp/err"
[ $? -eq 3 ] && grep -q frobnicate "$tmp/err" && ok "unknown key refused" || bad "unknown key refused"
HUIKUAN_BUCKETS='M1:30,M0:0' "$hk" --db "$db" export accounts >/dev/null 2>"$tmp/err"
[ $? -eq 3 ] && grep -q HUIKUAN_BUCKETS "$tmp/err" && ok "bad bucket table refused" || bad "bad bucket table refused"
"$hk" --db "$db" --config "$tmp/missing.ini" export accounts >/dev/null 2>&1
[ $? -eq 3 ] && ok "missing config file refused" || bad "missing config file refused"

finish config
