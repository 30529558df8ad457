# nextday_payments.awk - the benchmark's payments file for the day after the
# generated portfolio's "today": about 3% of the accounts each pay the amount
# of one installment (the next one falling due on or after that day, or the
# last one when the schedule has run out), channel online.
#
#   awk -v day=2026-11-24 -v tag=N -f nextday_payments.awk installments.csv
#
# Reads installments.csv as `huikuan gen` writes it (header row, no quoted
# fields, each account's rows together in seq order); refuses anything else
# rather than guess.  Money is handled in integer fen, never as a float
# fraction of a yuan.

function die(msg) {
	printf "nextday_payments.awk: %s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	failed = 1
	exit 1
}

# "2026-11-24" or "2026/3/5" -> 20261124 (comparable number).
function daynum(s,    p, n) {
	n = split(s, p, /[-\/]/)
	if (n != 3)
		die("bad date " s)
	return p[1] * 10000 + p[2] * 100 + p[3]
}

# "1234", "1234.5", "1234.50" -> fen.
function fen(s,    p, n, f) {
	if (s == "")
		return 0
	if (s !~ /^[0-9]+(\.[0-9][0-9]?)?$/)
		die("bad amount " s)
	n = split(s, p, ".")
	f = (n == 2) ? p[2] : "0"
	if (length(f) == 1)
		f = f "0"
	return p[1] * 100 + f
}

# Emit the payment of the account just finished, if it was picked.
function flush() {
	if (cur == "" || !picked)
		return
	amt = have_next ? next_amt : last_amt
	if (amt <= 0)
		return
	npay++
	printf "BENCH%s-%07d,%s,%s,%d.%02d,online,\n", tag, npay, cur, day,
	    int(amt / 100), amt % 100
}

BEGIN {
	FS = ","
	if (day == "")
		day = "2026-11-24"
	dayn = daynum(day)
	print "payment_id,account_id,paid_on,amount,channel,reference"
}

FNR == 1 {
	for (i = 1; i <= NF; i++) {
		h = $i
		sub(/^\357\273\277/, "", h)   # a UTF-8 BOM
		sub(/\r$/, "", h)
		col[h] = i
	}
	if (!("account_id" in col) || !("seq" in col) || !("due_date" in col) ||
	    !("principal" in col))
		die("installments header lacks account_id, seq, due_date or principal")
	next
}

{
	sub(/\r$/, "")
	if ($0 ~ /"/)
		die("quoted fields are not supported here")
	acct = $col["account_id"]
	seq = $col["seq"] + 0
	if (acct != cur) {
		flush()
		if (seq != 1)
			die("account " acct " does not start at seq 1 (rows not grouped by account?)")
		cur = acct
		naccts++
		# Knuth's multiplicative hash of the ordinal: ~3% of accounts,
		# spread over the whole file rather than every 33rd.
		picked = ((naccts * 2654435761) % 4294967296) % 100 < 3
		have_next = 0
		last_amt = 0
	} else if (seq != prev_seq + 1) {
		die("account " acct ": seq " seq " after " prev_seq)
	}
	prev_seq = seq
	if (!picked)
		next
	amt = fen($col["principal"])
	if ("interest" in col)
		amt += fen($col["interest"])
	if ("fee" in col)
		amt += fen($col["fee"])
	last_amt = amt
	if (!have_next && daynum($col["due_date"]) >= dayn) {
		have_next = 1
		next_amt = amt
	}
}

END {
	if (failed)
		exit 1
	flush()
	printf "nextday_payments.awk: %d of %d accounts pay on %s\n", npay,
	    naccts, day > "/dev/stderr"
}
