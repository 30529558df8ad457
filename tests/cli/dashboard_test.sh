#!/bin/sh
# GET /api/dashboard against figures computed independently from the
# ledger export and the tables: overdue cases and amounts by bucket in each
# scope, the trend from the day totals, the last 30 days' promises and the
# kept rate, each collector's load and day (after two calls and a promise
# made here).
# usage: dashboard_test.sh HUIKUAN_BINARY TESTS_DIR
. "$2/cli/lib.sh"

db=$(newdb d)
"$hk" demo --db "$db" --accounts 300 --no-serve >/dev/null 2>&1 || { bad "demo"; exit 1; }
"$hk" --db "$db" --config "$(awake_config)" serve --listen 127.0.0.1:0 >"$tmp/out" 2>/dev/null &
pid=$!
for _ in $(seq 1 100); do grep -qs "http://" "$tmp/out" && break; sleep 0.05; done
base=http://127.0.0.1:$(sed -n 's/.*:\([0-9][0-9]*\)$/\1/p' "$tmp/out")

python3 - "$base" "$hk" "$db" "$2" <<'PY'
import csv, datetime, io, json, subprocess, sys, urllib.parse, urllib.request, urllib.error, zoneinfo

base, hk, db, tests = sys.argv[1:5]
sys.path.insert(0, tests + "/cli")
from hkapi import Api, Checks, connect
ok, api = Checks(), Api(base)
api.login("wang.jl", "zhang.zz", "li.na", "sun.sj")
call = api.call
con = connect(db)
q = lambda sql, *a: con.execute(sql, a).fetchall()
today = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date()
today_n = (today - datetime.date(1970, 1, 1)).days
uref = {u: q("select ref from users where username=?", u)[0][0] for u in ("li.na", "zhao.lei", "chen.jing", "zhang.zz")}
team1 = q("select team_ref from users where username='zhang.zz'")[0][0]

# two calls and a promise by li.na today
mine = [r[0] for r in q("select ref from cases where collector_ref=? and agency_ref is null order by ref", uref["li.na"])]
for ref in mine[:2]:
    st, _ = call("li.na", "POST", "/api/cases/%d/records" % ref, {"channel": "call", "outcome": "no_answer"})
    ok("a call on case %d" % ref, st == 201, st)
st, _ = call("li.na", "POST", "/api/cases/%d/promises" % mine[2],
             {"amount": "100.00", "due_on": (today + datetime.timedelta(days=3)).isoformat()})
ok("a promise", st == 201, st)

# expected, from the export: a case's DPD is its accounts' largest, its
# total overdue their sum; the bucket by DPD
export = subprocess.run([hk, "--db", db, "export", "accounts"], check=True, capture_output=True, text=True).stdout
fen = lambda s: int(s.replace(".", ""))
acct_case = dict(q("select account_id, case_ref from accounts"))
case_scope = {r: (c, t, a) for r, c, t, a in q("select ref, coalesce(collector_ref,0), coalesce(team_ref,0), coalesce(agency_ref,0) from cases")}
dpd, due = {}, {}
for row in csv.DictReader(io.StringIO(export)):
    c = acct_case[row["account_id"]]
    dpd[c] = max(dpd.get(c, 0), int(row["dpd"]))
    due[c] = due.get(c, 0) + fen(row["total_overdue"])
names = ["M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+"]
def bucket(d):
    for i, hi in enumerate([0, 30, 60, 90, 120, 150, 180]):
        if d <= hi:
            return names[i]
    return "M7+"
def money(f):
    return "%d.%02d" % (f // 100, f % 100)
def expect(pred):
    out = {n: [0, 0] for n in names[1:]}
    for c, d in dpd.items():
        if d > 0 and pred(c):
            out[bucket(d)][0] += 1
            out[bucket(d)][1] += due[c]
    return [{"bucket": n, "cases": v[0], "total_overdue": money(v[1])} for n, v in out.items()]

st, m = call("wang.jl", "GET", "/api/dashboard")
ok("the manager's dashboard answers", st == 200 and m.get("as_of") == today.isoformat(), (st, m.get("as_of")))
ok("overdue cases and amounts by bucket, the whole portfolio", m.get("buckets") == expect(lambda c: True),
   (m.get("buckets"), expect(lambda c: True)))
st, t = call("zhang.zz", "GET", "/api/dashboard")
ok("a team leader's: the team's cases only", t.get("buckets") == expect(lambda c: case_scope[c][1] == team1),
   t.get("buckets"))
ok("and the team's collectors only", sorted(x["username"] for x in t["collectors"]) == ["li.na", "zhao.lei"],
   [x["username"] for x in t["collectors"]])
# the trend: per processed date, accounts beyond M0 and their total overdue
want_trend = [{"date": (datetime.date(1970, 1, 1) + datetime.timedelta(days=d)).isoformat(),
               "overdue_accounts": a, "total_overdue": money(s)}
              for d, a, s in q("select as_of, sum(accounts), sum(total_overdue) from day_totals "
                               "where as_of >= ? and position > 0 group by as_of order by as_of", today_n - 90)]
ok("the trend: %d day-ends of the last 90 days, from the day totals" % len(want_trend),
   m.get("trend") == want_trend and len(want_trend) > 30, (len(m.get("trend", [])), len(want_trend)))
last = m["trend"][-1]
ok("its last point is today's ledger", last["date"] == today.isoformat() and
   last["overdue_accounts"] == sum(1 for r in csv.DictReader(io.StringIO(export)) if int(r["dpd"]) > 0), last)
# promises made in the last 30 days, by status
cnt = dict(q("select status, count(*) from promises where made_on >= ? group by status", today_n - 30))
kept, broken, pending = cnt.get(1, 0), cnt.get(2, 0), cnt.get(0, 0)
rate = "%d.%02d" % divmod((kept * 100 + (kept + broken) // 2) // (kept + broken), 100) if kept + broken else None
p = m.get("promises", {})
ok("promises of the last 30 days: taken %d, kept %d, broken %d, pending %d" % (kept + broken + pending, kept, broken, pending),
   p.get("taken") == kept + broken + pending and p.get("kept") == kept and p.get("broken") == broken
   and p.get("pending") == pending and p.get("from") == (today - datetime.timedelta(days=30)).isoformat()
   and p.get("to") == today.isoformat(), p)
ok("the kept rate, of those decided (%s)" % rate, p.get("kept_rate") == rate and rate is not None, p)
# each collector
fig = {x["username"]: x for x in m["collectors"]}
ok("every active collector, the agency's too", sorted(fig) == ["chen.jing", "li.na", "wu.wb", "zhao.lei"], sorted(fig))
for u in ("li.na", "chen.jing"):
    r = uref[u]
    cases = sum(1 for c, s in case_scope.items() if s[0] == r)
    od = [c for c, s in case_scope.items() if s[0] == r and dpd.get(c, 0) > 0]
    x = fig[u]
    ok("%s: %d cases, %d overdue, %s overdue" % (u, cases, len(od), money(sum(due[c] for c in od))),
       x["cases"] == cases and x["overdue_cases"] == len(od) and x["total_overdue"] == money(sum(due[c] for c in od)), x)
ok("li.na's day: 2 contacts, 1 promise", fig["li.na"]["contacts_today"] == 2 and fig["li.na"]["promises_today"] == 1, fig["li.na"])
ok("chen.jing's day: none", fig["chen.jing"]["contacts_today"] == 0 and fig["chen.jing"]["promises_today"] == 0, fig["chen.jing"])
# filters: a team (a manager's narrowing), a creditor, a product, a period
st, mt = call("wang.jl", "GET", "/api/dashboard?team=%d" % team1)
ok("the manager narrowed to team 1 sees what its leader sees", st == 200 and mt["buckets"] == t["buckets"], mt.get("buckets"))
st, b = call("zhang.zz", "GET", "/api/dashboard?team=%d" % (team1 + 1))
ok("a team leader cannot look at another team", st == 400, b)
prods = {}
for r, prod in q("select case_ref, product from accounts"):
    prods.setdefault(r, set()).add(prod)
st, mp = call("wang.jl", "GET", "/api/dashboard?product=credit_card")
ok("by product: the cases with a credit card account", st == 200 and
   mp["buckets"] == expect(lambda c: "credit_card" in prods.get(c, set())), mp.get("buckets"))
cred = q("select creditor from cases group by creditor order by count(*) desc limit 1")[0][0]
credit_of = dict(q("select ref, creditor from cases"))
st, mc = call("wang.jl", "GET", "/api/dashboard?creditor=" + urllib.parse.quote(cred))
ok("by creditor", st == 200 and mc["buckets"] == expect(lambda c: credit_of[c] == cred)
   and mc["buckets"] != m["buckets"], mc.get("buckets"))
f, tt = (today - datetime.timedelta(days=40)).isoformat(), (today - datetime.timedelta(days=20)).isoformat()
st, mpd = call("wang.jl", "GET", "/api/dashboard?from=%s&to=%s" % (f, tt))
cnt2 = dict(q("select status, count(*) from promises where made_on >= ? and made_on <= ? group by status",
              today_n - 40, today_n - 20))
ok("a period: the promises made in it, the trend's day-ends in it",
   st == 200 and mpd["promises"]["taken"] == sum(cnt2.values()) and mpd["promises"]["kept"] == cnt2.get(1, 0)
   and all(f <= x["date"] <= tt for x in mpd["trend"]) and len(mpd["trend"]) == 21, (mpd["promises"], len(mpd["trend"])))
st, b = call("wang.jl", "GET", "/api/dashboard?from=%s&to=%s" % (tt, f))
ok("from after to is refused", st == 400, b)
st, b = call("wang.jl", "GET", "/api/dashboard?product=mortgage")
ok("an unknown product is refused", st == 400, b)
# ---- recovery: the payments of the last 90 days on accounts overdue
# before the payment's day (their last bucket transition before it)
day = lambda n: (datetime.date(1970, 1, 1) + datetime.timedelta(days=n)).isoformat()
trans = {}
for a, d, fb, tb in q("select account_ref, as_of, from_bucket, to_bucket from bucket_transitions order by account_ref, as_of"):
    trans.setdefault(a, []).append((d, fb, tb))
def bucket_before(a, d, strict=True):
    b = "M0"
    for td, fb, tb in trans.get(a, []):
        if td < d or (not strict and td == d):
            b = tb
    return b
case_of_acct = dict(q("select ref, case_ref from accounts"))
pays = [(a, d, amt) for a, d, amt in q("select account_ref, paid_on, amount from payments")
        if bucket_before(a, d) != "M0"]
per_day = {}
for a, d, amt in pays:
    if today_n - 90 <= d <= today_n:
        n, s = per_day.get(d, (0, 0))
        per_day[d] = (n + 1, s + amt)
want_days = [{"date": day(d), "payments": n, "amount": money(s)} for d, (n, s) in sorted(per_day.items())]
r = m.get("recovery", {})
ok("recovery per day: %d days, %d payments, %s" % (len(want_days), sum(n for n, _ in per_day.values()),
                                                  money(sum(s for _, s in per_day.values()))),
   r.get("days") == want_days and len(want_days) > 20 and r.get("from") == day(today_n - 90)
   and r.get("recovered") == money(sum(s for _, s in per_day.values()))
   and r.get("payments") == sum(n for n, _ in per_day.values()), (len(r.get("days", [])), len(want_days)))
first = q("select sum(total_overdue) from day_totals where as_of = (select min(as_of) from day_totals "
          "where as_of >= ?) and position > 0", today_n - 90)[0][0]
rec = sum(s for _, s in per_day.values())
q4 = (rec * 10000 + first // 2) // first
ok("the recovery rate against the overdue at the period's first day-end (%d.%04d)" % divmod(q4, 10000),
   r.get("overdue_at_start") == money(first) and r.get("rate") == "%d.%04d" % divmod(q4, 10000), r)
ok("a narrowed dashboard has no portfolio recovery rate", mt["recovery"]["rate"] is None
   and mt["recovery"]["recovered"] != r["recovered"], mt["recovery"].get("rate"))

# ---- rankings: the last 30 days' recoveries by the case's collector,
# promises by their taker (none recorded: the case's collector)
coll_of_case = dict(q("select ref, coalesce(collector_ref, 0) from cases"))
got = {}
for a, d, amt in pays:
    if today_n - 30 <= d <= today_n:
        c = coll_of_case[case_of_acct[a]]
        got[c] = got.get(c, 0) + amt
prom = {}
for u, st_, amt in q("select coalesce(p.user_ref, c.collector_ref), p.status, p.amount from promises p "
                     "join cases c on c.ref = p.case_ref where p.made_on >= ? and p.made_on <= ?",
                     today_n - 30, today_n):
    x = prom.setdefault(u, [0, 0, 0, 0])
    x[0] += 1
    x[1] += st_ == 1
    x[2] += st_ == 2
    x[3] += amt if st_ == 1 else 0
active = q("select ref, username from users where role in ('collector', 'agency_collector') and active = 1")
order = sorted(active, key=lambda u: (-got.get(u[0], 0), u[0]))
rk = m.get("rankings", {})
ok("collectors ranked by recovered: " + ", ".join(u for _, u in order),
   [x["username"] for x in rk.get("collectors", [])] == [u for _, u in order]
   and [x["rank"] for x in rk["collectors"]] == list(range(1, len(order) + 1)), rk.get("collectors"))
for x in rk.get("collectors", []):
    p_ = prom.get(x["id"], [0, 0, 0, 0])
    ok("%s: recovered %s, promises %d taken %d kept %d broken, %s kept" % (x["username"], money(got.get(x["id"], 0)), *p_[:3], money(p_[3])),
       x["recovered"] == money(got.get(x["id"], 0)) and x["promises_taken"] == p_[0]
       and x["promises_kept"] == p_[1] and x["promises_broken"] == p_[2] and x["kept_amount"] == money(p_[3]), x)
team_of = dict(q("select ref, coalesce(team_ref, 0) from users"))
teams = {}
for ref, _ in active:
    if team_of[ref]:
        teams[team_of[ref]] = teams.get(team_of[ref], 0) + got.get(ref, 0)
ok("teams ranked by their collectors' recoveries",
   [(x["id"], x["recovered"]) for x in rk.get("teams", [])] ==
   [(t, money(v)) for t, v in sorted(teams.items(), key=lambda kv: (-kv[1], kv[0]))], rk.get("teams"))
ok("a team leader's rankings are the team's", [x["id"] for x in t["rankings"]["teams"]] == [team1]
   and sorted(x["username"] for x in t["rankings"]["collectors"]) == ["li.na", "zhao.lei"], t["rankings"]["teams"])

# ---- roll rates: each completed month, the accounts of each bucket at
# the previous month-end and where they stand at this one
processed = [d for d, in q("select distinct as_of from day_totals where as_of <= ? order by as_of desc", today_n)]
ends, seen = [], set()
for d in processed:
    ym = day(d)[:7]
    if ym not in seen:
        seen.add(ym)
        ends.append(d)
if day(ends[0] + 1)[8:] != "01":
    ends = ends[1:]
def roll(prev, cur, accounts=None):
    if accounts is None:
        start = dict(q("select bucket, accounts from day_totals where as_of = ?", prev))
    else:
        start = {}
        for a in accounts:
            b = bucket_before(a, prev, strict=False)
            start[b] = start.get(b, 0) + 1
    moved = {}
    for a, ts in trans.items():
        if accounts is not None and a not in accounts:
            continue
        inside = [x for x in ts if prev < x[0] <= cur]
        if inside and inside[0][1] != inside[-1][2]:
            k = (inside[0][1], inside[-1][2])
            moved[k] = moved.get(k, 0) + 1
    rows = []
    for i, b in enumerate(names):
        n = start.get(b, 0)
        out = sum(v for (f_, _), v in moved.items() if f_ == b)
        cells = [{"bucket": c, "accounts": n - out if c == b else moved.get((b, c), 0)} for c in names]
        fwd = sum(moved.get((b, c), 0) for c in names[i + 1:])
        rows.append((b, n, cells, fwd, moved.get((b, "M0"), 0) if i else None))
    return rows
def share4(a, n):
    return "%d.%04d" % divmod((a * 10000 + n // 2) // n, 10000) if n else None
rr = m.get("roll_rates", [])
ok("roll rates for %d completed months, newest first" % min(6, len(ends) - 1),
   [(x["from"], x["to"]) for x in rr] == [(day(ends[i + 1]), day(ends[i])) for i in range(min(6, len(ends) - 1))]
   and len(rr) >= 3, [(x["from"], x["to"]) for x in rr])
for month in rr:
    prev, cur = ends[[day(e) for e in ends].index(month["to"]) + 1], ends[[day(e) for e in ends].index(month["to"])]
    want = roll(prev, cur)
    ok("%s→%s: each bucket's accounts and where they went" % (month["from"], month["to"]),
       [(x["bucket"], x["accounts"], x["to"], x["forward"]) for x in month["rows"]] ==
       [(b, n, cells, fwd) for b, n, cells, fwd, _ in want]
       and all(x["forward_rate"] == share4(fwd, n) and x["cure_rate"] == (share4(cu, n) if cu is not None else None)
               for x, (b, n, cells, fwd, cu) in zip(month["rows"], want)), month["rows"][:3])
team_accts = {a for a, c in case_of_acct.items() if case_scope[c][1] == team1}
tr_ = t.get("roll_rates", [])
want = roll(ends[1], ends[0], team_accts) if tr_ else None
ok("a team's roll rates are its accounts', from their own transitions",
   tr_ and [(x["bucket"], x["accounts"], x["to"]) for x in tr_[0]["rows"]] ==
   [(b, n, cells) for b, n, cells, _, _ in want] and tr_[0]["rows"] != rr[0]["rows"], tr_[:1])
# parts=base: the same base figures, without the history (the team page,
# the case list and the reassignment dialog ask only for those)
st, mb = call("wang.jl", "GET", "/api/dashboard?parts=base")
ok("parts=base: the buckets, trend, promises and collectors of the whole",
   st == 200 and all(mb[k] == m[k] for k in ("as_of", "buckets", "trend", "promises", "collectors")), st)
ok("parts=base: no recovery, rankings or roll rates",
   mb.get("recovery") is None and mb.get("rankings") is None and mb.get("roll_rates") is None
   and m.get("recovery") is not None and m.get("rankings") is not None, sorted(k for k in mb if mb[k] is not None))
st, mall = call("wang.jl", "GET", "/api/dashboard?parts=all")
ok("parts=all is the whole dashboard", st == 200 and mall == m, st)
st, _ = call("wang.jl", "GET", "/api/dashboard?parts=history")
ok("parts must be base or all", st == 400, st)
st, _ = call("li.na", "GET", "/api/dashboard")
ok("not a collector's", st == 403, st)
st, _ = call("sun.sj", "GET", "/api/dashboard")
ok("nor an auditor's", st == 403, st)
ok.finish("dashboard")
PY
status=$?
kill -TERM "$pid"
wait "$pid" 2>/dev/null
pid=
exit $status
