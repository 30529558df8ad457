#!/bin/sh
# The demo's year of contact records (催记, src/cli/cmd_demo.c): each
# collector's working days, on cases they held that day, in lawful hours
# and numbers (docs/compliance.md), a "promised" record only with its
# promise, every record counted by the day-end of its own local day into
# the reports, and the same records from the same seed.
# usage: demo_test.sh HUIKUAN_BINARY TESTS_DIR
. "$2/cli/lib.sh"

db=$(newdb d1)
db2=$(newdb d2)
"$hk" demo --db "$db" --accounts 1500 --no-serve >"$tmp/out" 2>&1 || { bad "demo"; cat "$tmp/out"; finish demo; exit 1; }
"$hk" demo --db "$db2" --accounts 1500 --no-serve >/dev/null 2>&1 || bad "demo again"

python3 - "$db" "$db2" "$tmp/out" "$2" <<'PY'
import re, sys, time
from collections import Counter, defaultdict

db, db2, out, tests = sys.argv[1:5]
sys.path.insert(0, tests + "/cli")
from hkapi import Checks, connect

ok = Checks()
con = connect(db)
q = lambda sql, *a: con.execute(sql, a).fetchall()
TZ = 8 * 3600  # Asia/Shanghai, the default time zone: no summer time
today = (int(time.time()) + TZ) // 86400
CONV = {"reached_debtor", "promised", "refused", "disputes", "claims_paid", "hardship"}
OUTCOMES = CONV | {"third_party", "no_answer", "wrong_number", "deceased", "busy",
                   "switched_off", "left_message", "delivered", "returned"}

recs = q("select r.ref, r.case_ref, r.user_ref, r.at, r.channel, r.outcome, "
         "coalesce(r.second_staff_ref, 0), c.debtor_ref, coalesce(c.agency_ref, 0) "
         "from contact_records r join cases c on c.ref = r.case_ref order by r.ref")
n = len(recs)
said = re.search(r"(\d+) 条催记", open(out, encoding="utf-8").read())
ok("the demo writes a year of contact records and says how many (%d)" % n,
   n > 50000 and said and int(said.group(1)) == n, said and said.group(0))
day = lambda at: (at + TZ) // 86400
days = [day(r[3]) for r in recs]
ok("from a year ago to yesterday: today starts clean",
   min(days) >= today - 366 and max(days) == today - 1, (min(days), max(days), today))
secs = [(r[3] + TZ) % 86400 for r in recs]
ok("all between 08:00 and 21:00 local time", all(8 * 3600 <= s < 21 * 3600 for s in secs),
   (min(secs), max(secs)))
ok("channels call, SMS and visits; outcomes the API's",
   {r[4] for r in recs} == {"call", "sms", "visit"} and {r[5] for r in recs} <= OUTCOMES,
   ({r[4] for r in recs}, {r[5] for r in recs} - OUTCOMES))
ok("a visit always has a second member of staff",
   all(r[6] and r[6] != r[2] for r in recs if r[4] == "visit"))

per_case, conv_case, conv_debtor = Counter(), Counter(), Counter()
for r, d in zip(recs, days):
    per_case[(r[1], d)] += 1
    if r[5] in CONV:
        conv_case[(r[1], d)] += 1
        conv_debtor[(r[7], d)] += 1
ok("at most two records a case a day, one of them a conversation",
   max(per_case.values()) <= 2 and max(conv_case.values()) <= 1)
ok("at most three conversations with a debtor a day (GR-CONVERSATIONS)",
   max(conv_debtor.values()) <= 3)

calls = Counter(r[5] for r in recs if r[4] == "call")
share = lambda o: calls[o] / sum(calls.values())
ok("calls: about half unanswered, a fifth to a quarter reaching the debtor (%.2f, %.2f)"
   % (share("no_answer"), share("reached_debtor")),
   0.38 <= share("no_answer") <= 0.55 and 0.15 <= share("reached_debtor") <= 0.30
   and share("disputes") < 0.01 and calls["busy"] and calls["switched_off"]
   and calls["wrong_number"] and calls["third_party"] and calls["refused"])

# who held each case on a day: the last assignment before it, or before
# the first one, the collector it moved from (none: the case's collector)
users = dict(q("select ref, role from users"))
moves = defaultdict(list)
for case, on, frm, to in q("select case_ref, on_date, coalesce(from_collector, 0), "
                           "coalesce(collector_ref, 0) from case_assignments order by ref"):
    moves[case].append((on, frm, to))
now = dict(q("select ref, coalesce(collector_ref, 0) from cases"))
def holder(case, d):
    h = None
    for on, frm, to in moves.get(case, []):
        if on < d:
            h = to
        elif h is None:
            return frm
    return now[case] if h is None else h
placed_from = q("select min(starts_on) from agency_contracts")[0][0]
agency_user = {r[0]: r[1] for r in q("select ref, agency_ref from users where role = 'agency_collector'")}
inhouse = [(r, d) for r, d in zip(recs, days) if users[r[2]] == "collector"]
ok("every collector's record on a case they held that day",
   all(holder(r[1], d) == r[2] for r, d in inhouse),
   [(r[0], r[1], r[2], d, holder(r[1], d)) for r, d in inhouse if holder(r[1], d) != r[2]][:5])
agency = [(r, d) for r, d in zip(recs, days) if users[r[2]] == "agency_collector"]
ok("the agency's collector: only on the cases placed with it, from the contract's start (%d)" % len(agency),
   agency and all(r[8] == agency_user[r[2]] and d >= placed_from for r, d in agency))
ok("and the in-house collectors no longer on them",
   not any(r[8] and d >= placed_from for r, d in inhouse))

# a working day's load: 120-200 records per collector once the book is
# large enough (the portfolio's overdue book grows over the year; the
# agency's, a tenth of the cases, stays small here: each case at most
# about twice a day)
load = Counter((r[2], d) for r, d in zip(recs, days))
recent = lambda role: [load[(u, d)] for u in {r[2] for r in recs} if users[u] == role
                       for d in range(today - 28, today) if (d + 3) % 7 < 5 and (u, d) in load]
got = recent("collector")
ok("the last four weeks' working days: 120-200 records a collector (%d-%d)" % (min(got), max(got)),
   got and min(got) >= 120 and max(got) <= 200)
got = recent("agency_collector")
ok("and some every working day at the agency (%d-%d)" % (min(got), max(got)),
   len(got) == 20 and min(got) > 0 and max(got) <= 200)
ok("Sundays off (but for promises taken)",
   all(r[5] == "promised" for r, d in zip(recs, days) if (d + 3) % 7 == 6))

made = {(c, m) for c, m in q("select case_ref, made_on from promises")}
promised = [(r[1], d) for r, d in zip(recs, days) if r[5] == "promised"]
ok("a promised record only with a promise made that day (%d of %d promises)" % (len(promised), len(made)),
   promised and all(p in made for p in promised) and len(promised) >= len(made) * 0.8)

# the day-ends counted every record on its own local day
act = dict(q("select day, sum(records) from report_activity group by day"))
ok("the reports count every record on its local day",
   act == dict(Counter(days)), sorted(set(act.items()) ^ set(Counter(days).items()))[:5])

con2 = connect(db2)
again = con2.execute("select case_ref, user_ref, at, channel, outcome, note from contact_records "
                     "order by ref").fetchall()
mine = con.execute("select case_ref, user_ref, at, channel, outcome, note from contact_records "
                   "order by ref").fetchall()
ok("the same seed, the same records", [tuple(r) for r in again] == [tuple(r) for r in mine])
ok.finish("demo")
PY
