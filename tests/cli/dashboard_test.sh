#!/bin/sh
# GET /api/dashboard against figures computed independently from the
# ledger export and the tables: overdue cases and amounts by bucket in each
# scope, the trend from the day totals, the last 30 days' promises and the
# kept rate, each collector's load and day (after two calls and a promise
# made here).
# usage: dashboard_test.sh HUIKUAN_BINARY TESTS_DIR
. "$2/cli/lib.sh"

db=$tmp/d.db
"$hk" demo --db "$db" --accounts 300 --no-serve >/dev/null 2>&1 || { bad "demo"; exit 1; }
"$hk" --db "$db" --config "$(awake_config)" serve --listen 127.0.0.1:0 >"$tmp/out" 2>/dev/null &
pid=$!
for _ in $(seq 1 100); do grep -qs "http://" "$tmp/out" && break; sleep 0.05; done
base=http://127.0.0.1:$(sed -n 's/.*:\([0-9][0-9]*\)$/\1/p' "$tmp/out")

python3 - "$base" "$hk" "$db" "$2" <<'PY'
import csv, datetime, io, json, sqlite3, subprocess, sys, urllib.parse, urllib.request, urllib.error, zoneinfo

base, hk, db, tests = sys.argv[1:5]
sys.path.insert(0, tests + "/cli")
from hkapi import Api, Checks
ok, api = Checks(), Api(base)
api.login("wang.jl", "zhang.zz", "li.na", "sun.sj")
call = api.call
con = sqlite3.connect(db)
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
