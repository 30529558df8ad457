# report.awk - bench/run.sh's markdown report from the result-N.env files
# (key=value lines, one file per portfolio size, in the order given).
#
#   awk -v runs=3 -f report.awk out/result-100000.env out/result-1000000.env
#
# The targets are issue 2's and are never adjusted here: the one-day step of
# 1,000,000 accounts within 2 s (SQLite reads and writes included), at least
# 10x faster than the plain-SQL step, peak memory within 400 bytes per
# account, import at least 300,000 rows per second.

function commas(x,    s, neg, out) {
	neg = x < 0
	s = sprintf("%.0f", neg ? -x : x)
	out = ""
	while (length(s) > 3) {
		out = "," substr(s, length(s) - 2) out
		s = substr(s, 1, length(s) - 3)
	}
	return (neg ? "-" : "") s out
}

function verdict(ok) {
	return ok ? "pass" : "**FAIL**"
}

function get(n, k) {
	return (n SUBSEP k) in v ? v[n, k] : ""
}

function miss(text) {
	misses[++nmiss] = text
}

FNR == 1 {
	size[++nsizes] = FILENAME
	sub(/.*result-/, "", size[nsizes])
	sub(/\.env$/, "", size[nsizes])
}

{
	eq = index($0, "=")
	if (!eq)
		next
	key = substr($0, 1, eq - 1)
	val = substr($0, eq + 1)
	if (val ~ /^".*"$/)
		val = substr(val, 2, length(val) - 2)
	v[size[nsizes], key] = val
}

END {
	IMPORT_MIN = 300000
	ONEDAY_MAX_S = 2
	ONEDAY_TARGET_N = 1000000
	BYTES_MAX = 400
	RATIO_MIN = 10
	STRATEGY_MAX_S = 1
	NEXT_DAY = "2026-11-24"

	print "## Results"
	print ""
	print "| accounts | import rows/s | full replay s | replay accounts/s | replay peak B/account | one-day s (median of " runs ") | one-day accounts/s | one-day peak B/account | plain-SQL one-day s | SQL takes | SQL check |"
	print "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---|"
	for (i = 1; i <= nsizes; i++) {
		n = size[i]
		acc = get(n, "accounts") + 0
		if (acc == 0)
			acc = n + 0
		imp = get(n, "import_s") > 0 ? get(n, "import_rows") / get(n, "import_s") : 0
		rs = get(n, "replay_s") + 0
		rb = get(n, "replay_kb") * 1024 / acc
		os = get(n, "oneday_s") + 0
		ob = get(n, "oneday_kb") * 1024 / acc
		ss = get(n, "sql_s") + 0
		ratio = os > 0 ? ss / os : 0
		check = get(n, "check")

		imp_ok = imp >= IMPORT_MIN
		rb_ok = rb <= BYTES_MAX
		ob_ok = ob <= BYTES_MAX
		ratio_ok = ratio >= RATIO_MIN
		os_cell = sprintf("%.3f", os)
		if (acc == ONEDAY_TARGET_N) {
			os_ok = os <= ONEDAY_MAX_S
			os_cell = os_cell " " verdict(os_ok)
			if (!os_ok)
				miss(sprintf("one-day step for %s accounts takes %.2f s; the target is at most %d s.", commas(acc), os, ONEDAY_MAX_S))
		}
		if (!imp_ok)
			miss(sprintf("import at %s accounts runs at %s rows/s; the target is at least %s rows/s.", commas(acc), commas(imp), commas(IMPORT_MIN)))
		if (!rb_ok)
			miss(sprintf("full replay at %s accounts peaks at %d bytes per account (%.1f MiB); the target is at most %d.", commas(acc), rb, get(n, "replay_kb") / 1024, BYTES_MAX))
		if (!ob_ok)
			miss(sprintf("one-day step at %s accounts peaks at %d bytes per account (%.1f MiB); the target is at most %d.", commas(acc), ob, get(n, "oneday_kb") / 1024, BYTES_MAX))
		if (!ratio_ok)
			miss(sprintf("at %s accounts the plain-SQL step takes only %.1f× as long as ours; the target is at least %d×.", commas(acc), ratio, RATIO_MIN))
		if (check != "MATCH")
			miss(sprintf("at %s accounts the plain-SQL result does not match the engine's day_totals (see out/check-%s.txt).", commas(acc), n))
		if (get(n, "replay_check") == "MISMATCH")
			miss(sprintf("at %s accounts a full replay straight to 2026-11-24 gives other totals than the one-day step (see out/check-%s.txt).", commas(acc), n))
		if (get(n, "transitions_sql_only") + get(n, "transitions_engine_only") + get(n, "inst_differ") + get(n, "credit_differ") > 0)
			miss(sprintf("at %s accounts the plain-SQL and engine states differ in detail: bucket transitions, installments or credit balances (see Details).", commas(acc)))

		printf "| %s | %s %s | %.2f | %s | %d %s | %s | %s | %d %s | %.2f | %.1f× %s | %s |\n",
		    commas(acc), commas(imp), verdict(imp_ok), rs,
		    commas(rs > 0 ? acc / rs : 0), rb, verdict(rb_ok), os_cell,
		    commas(os > 0 ? acc / os : 0), ob, verdict(ob_ok), ss, ratio,
		    verdict(ratio_ok), check
	}
	print ""
	print "Targets (issue 2): import ≥ 300,000 rows/s; one-day step (the ledger's step, without the strategy: see the next section) for 1,000,000 accounts ≤ 2 s including SQLite reads and writes (judged at 1,000,000 only); peak memory ≤ 400 bytes per account (peak RSS of the process ÷ accounts); plain SQL takes ≥ 10× as long as ours; SQL check = per-bucket account counts and total_overdue equal to our day_totals."
	print ""
	if (nmiss) {
		print "**Targets missed:**"
		print ""
		for (i = 1; i <= nmiss; i++)
			print "- " misses[i]
	} else {
		print "**All targets met.**"
	}

	print ""
	nmiss_before = nmiss
	print "## Strategy and allocation at day-end (issue 4)"
	print ""
	print "The one-day step of " NEXT_DAY " twice a run on fresh copies: the whole day-end, with the strategy and allocation (20 collectors in two teams, the shipped strategy with an allocation by stage and rotation after 45 days: bench/allocation_setup.sql), and the ledger's step alone (the columns above). What the strategy adds is the difference of the medians; the engine also times its own phase."
	print ""
	print "| accounts | day-end with strategy s (median) | ledger step alone s (median) | strategy adds s | strategy phase s (median) | target |"
	print "|---:|---:|---:|---:|---:|:---|"
	for (i = 1; i <= nsizes; i++) {
		n = size[i]
		acc = get(n, "accounts") + 0
		if (acc == 0)
			acc = n + 0
		fs = get(n, "full_s") + 0
		os = get(n, "oneday_s") + 0
		add = fs - os
		cell = "—"
		if (acc == ONEDAY_TARGET_N) {
			add_ok = add <= STRATEGY_MAX_S
			cell = sprintf("≤ %d s %s", STRATEGY_MAX_S, verdict(add_ok))
			if (!add_ok)
				miss(sprintf("at %s accounts the strategy and allocation add %.2f s to the one-day step; the target is at most %d s.", commas(acc), add, STRATEGY_MAX_S))
		}
		printf "| %s | %.3f | %.3f | %.3f | %s | %s |\n", commas(acc), fs, os, add,
		    get(n, "strategy_phase_s"), cell
	}
	print ""
	for (i = 1; i <= nsizes; i++) {
		n = size[i]
		print "- " commas(get(n, "accounts")) " accounts, the first day-end: " get(n, "strategy_first_msg") "(" commas(get(n, "eod0_moves")) " cases moved to their stage's team)"
		print "- the one-day step: " get(n, "strategy_msg")
		printf "- runs with the strategy:"
		for (r = 1; get(n, "full_run" r) != ""; r++)
			printf " %s%s", (r > 1 ? "; " : ""), get(n, "full_run" r)
		print ""
	}
	if (nmiss_before != nmiss) {
		print ""
		for (i = nmiss_before + 1; i <= nmiss; i++)
			print "**Target missed:** " misses[i]
	}

	print ""
	print "## Import by kind"
	print ""
	print "| accounts | kind | rows | s | rows/s | peak RSS MiB |"
	print "|---:|:---|---:|---:|---:|---:|"
	nk = split("debtors contacts accounts installments payments promises", kinds, " ")
	for (i = 1; i <= nsizes; i++) {
		n = size[i]
		for (k = 1; k <= nk; k++) {
			rows = get(n, "import_" kinds[k] "_rows")
			if (rows == "")
				continue
			s = get(n, "import_" kinds[k] "_s") + 0
			printf "| %s | %s | %s | %.2f | %s | %.1f |\n", commas(n), kinds[k],
			    commas(rows), s, commas(s > 0 ? rows / s : 0),
			    get(n, "import_" kinds[k] "_kb") / 1024
		}
		s = get(n, "import_s") + 0
		printf "| %s | **all** | %s | %.2f | %s | |\n", commas(n),
		    commas(get(n, "import_rows")), s,
		    commas(s > 0 ? get(n, "import_rows") / s : 0)
	}

	print ""
	print "## Details"
	for (i = 1; i <= nsizes; i++) {
		n = size[i]
		print ""
		print "### " commas(n) " accounts"
		print ""
		print "- generated (" get(n, "gen_s") " s): " get(n, "gen_counts")
		print "- database after the first day-end: " commas(get(n, "db_mb")) " MB, " commas(get(n, "installments")) " installments"
		print "- full replay, day-end 2026-11-23: " get(n, "replay_s") " s, peak RSS " sprintf("%.1f", get(n, "replay_kb") / 1024) " MiB — " get(n, "replay_msg")
		print "- next-day payments: " commas(get(n, "nextday_payments")) " dated 2026-11-24, imported in " get(n, "nextday_import_s") " s"
		printf "- one-day step, day-end 2026-11-24, each on a fresh copy of the database:"
		for (r = 1; get(n, "oneday_run" r) != ""; r++)
			printf " %s%s", (r > 1 ? "; " : ""), get(n, "oneday_run" r)
		print ""
		print "  — " get(n, "oneday_msg")
		print "- plain SQL: setup (untimed) " get(n, "sql_setup_s") " s; the step " get(n, "sql_s") " s, peak RSS " sprintf("%.1f", get(n, "sql_kb") / 1024) " MiB"
		print "- check: " get(n, "check") " (" get(n, "check_all") "); bucket transitions only in SQL: " get(n, "transitions_sql_only") ", only in ours: " get(n, "transitions_engine_only") "; installments of the paying accounts compared fen for fen: " commas(get(n, "inst_compared")) ", differing: " get(n, "inst_differ") "; credit balances differing: " get(n, "credit_differ")
		if (get(n, "replay_check") != "")
			print "- path independence: a full replay straight to 2026-11-24 (account_state emptied) gives the one-day step's day_totals: " get(n, "replay_check")
		if (get(n, "waivers") + 0 > 0)
			print "- WARNING: the database holds " get(n, "waivers") " waivers, which oneday_sql.sql does not book"
		if (get(n, "accounts_without_state") + 0 > 0)
			print "- WARNING: " get(n, "accounts_without_state") " accounts had no state after the first day-end"
	}
	print ""
	print "## Method"
	print ""
	print "- Portfolio: `huikuan gen --accounts N --today 2026-11-23 --seed 1` (a year of history). Next-day file: bench/nextday_payments.awk, ~3% of accounts pay one installment (the next one due, or the last) on 2026-11-24, channel online."
	print "- Times are wall-clock seconds of the whole command (process start, SQLite open, the transaction and its commit), warm page cache; peak memory is the maximum resident set size from /usr/bin/time."
	print "- Import: `huikuan init`, then one `huikuan import KIND FILE` per file; rows are data lines."
	print "- One-day step: the database after the first day-end plus the next-day payments, copied fresh before each run; median time, highest peak RSS."
	print "- Plain SQL: bench/oneday_sql.sql with the sqlite3 CLI on another copy; the untimed setup materialises every installment's state as of 2026-11-23 and builds the indexes the SQL wants; the timed part allocates the day's payments with window functions, accrues the day's penalty, recomputes DPD and buckets, records bucket changes and writes the per-bucket totals, in one transaction."
}
