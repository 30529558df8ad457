#!/bin/sh
# The case list (GET /api/cases) against an independent computation: on a
# demo portfolio, every filter and sort is checked page by page against what
# the ledger export (ledger.md §4, per account) and the raw tables say, for
# each scope (manager, team leader, collector).  The list reads the figures
# day-end keeps on each case; this test never does.
# usage: caselist_test.sh HUIKUAN_BINARY TESTS_DIR
. "$2/cli/lib.sh"
J='Content-Type: application/json'

# 400 accounts (some 355 cases, ~2,500 pages of 7 over every scope, filter
# and sort): each filter still selects a few cases in every scope; the
# checks below fail, not pass, if one selects none
db=$(newdb l)
"$hk" demo --db "$db" --accounts 400 --no-serve >/dev/null 2>&1 || { bad "demo"; exit 1; }
"$hk" --db "$db" --config "$(awake_config)" serve --listen 127.0.0.1:0 >"$tmp/out" 2>/dev/null &
pid=$!
for _ in $(seq 1 100); do grep -qs "http://" "$tmp/out" && break; sleep 0.05; done
base=http://127.0.0.1:$(sed -n 's/.*:\([0-9][0-9]*\)$/\1/p' "$tmp/out")

python3 - "$hk" "$db" "$base" "$2" <<'PY'
import csv, io, json, subprocess, sys, urllib.parse, urllib.request, urllib.error, datetime, time, zoneinfo

hk, db, base, tests = sys.argv[1:5]
sys.path.insert(0, tests + "/cli")
from hkapi import connect
passed = failed = 0

def ok(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok - " + name)
    else:
        failed += 1
        print("not ok - %s %s" % (name, detail))

def call(method, path, token, body=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Authorization", "Bearer " + token)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())

def token(user):
    req = urllib.request.Request(base + "/api/session", method="POST",
        data=json.dumps({"username": user, "password": "huikuan-demo-2026", "bearer": True}).encode())
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())["token"]

tok = {u: token(u) for u in ("wang.jl", "zhang.zz", "li.na")}
con = connect(db)
q = lambda sql, *a: con.execute(sql, a).fetchall()
uref = {u: q("select ref from users where username=?", u)[0][0] for u in tok}
team_of_leader = q("select team_ref from users where username='zhang.zz'")[0][0]

# ---- the treatments day-end kept, looking only at the cases that changed
# or whose recheck date came (72 day-ends of the demo's year), are what
# the version in force gives every case when all are looked at (the dry
# run reads every fact of every case)
st, vs = call("GET", "/api/strategies", tok["wang.jl"])
ver = [v["id"] for v in vs["versions"] if v["in_force"]][0]
st, dr = call("GET", "/api/strategies/%d/dry-run" % ver, tok["wang.jl"])
kept = dict(((r, a), n) for r, a, n in q("select rule_no, arm_no, count(*) from case_treatment "
                                           "where strategy_ref = ? group by 1, 2", ver))
full = {}
for i, rule in enumerate(dr.get("rules", [])):
    if rule.get("arms"):
        for a, arm in enumerate(rule["arms"]):
            if arm["cases"]:
                full[(i, a)] = arm["cases"]
    elif rule["cases"]:
        full[(i, -1)] = rule["cases"]
ended = q("select count(*) from cases where status in ('paid_off','settled','written_off','closed')")[0][0]
ok("incremental treatments equal a full evaluation (%d cases, %d rules and arms)" % (dr.get("cases", 0), len(full)),
   st == 200 and ended == 0 and kept == full and len(full) > 8, (kept, full))

# Follow-ups and a promise through the API, so those filters have data.
lina_cases = [r[0] for r in q("select ref from cases where collector_ref=? order by ref", uref["li.na"])]
# "today" is the debtors' day (Asia/Shanghai), as the server reckons it
today = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date()
for i, ref in enumerate(lina_cases[:6]):
    nf = (today + datetime.timedelta(days=i % 3)).isoformat()
    st, _ = call("POST", "/api/cases/%d/records" % ref, tok["li.na"],
                 {"channel": "call", "outcome": "no_answer", "next_follow_up": nf})
    ok("record with follow-up on case %d" % ref, st == 201, st)
st, _ = call("POST", "/api/cases/%d/records" % lina_cases[6], tok["li.na"],
             {"channel": "call", "outcome": "no_answer"})
# Two cases lose contact: every contact of their debtors marked invalid.
for ref in lina_cases[7:9]:
    for (cid,) in q("select contact_id from contacts where debtor_ref = "
                    "(select debtor_ref from cases where ref=?)", ref):
        st, body = call("POST", "/api/cases/%d/contacts/%s/validity" % (ref, cid),
                        tok["li.na"], {"validity": "invalid"})
    ok("case %d lost contact" % ref, st == 200 and body.get("lost_contact") is True, body)

# ---- the expected figures, per case, from the export and the tables
export = subprocess.run([hk, "--db", db, "export", "accounts"], check=True,
                        capture_output=True, text=True).stdout
fen = lambda s: int(s.replace(".", ""))
acct_case = dict(q("select account_id, case_ref from accounts"))
acct_product = dict(q("select account_id, product from accounts"))
cases = {}
for ref, creditor, status, coll, team, lost, prov, seg in q(
        "select c.ref, c.creditor, c.status, coalesce(c.collector_ref,0), "
        "coalesce(c.team_ref,0), c.lost_contact, coalesce(d.province,''), "
        "coalesce(d.segment,'') from cases c join debtors d on d.ref=c.debtor_ref"):
    cases[ref] = dict(ref=ref, creditor=creditor, status=status, coll=coll, team=team,
                      lost=bool(lost), province=prov, segment=seg, dpd=0, due=0, po=0,
                      products=set(), accounts=0, promise=None, follow_up=None)
as_of = None
for row in csv.DictReader(io.StringIO(export)):
    c = cases[acct_case[row["account_id"]]]
    as_of = row["as_of"]
    c["dpd"] = max(c["dpd"], int(row["dpd"]))
    c["due"] += fen(row["total_overdue"])
    c["po"] += fen(row["principal_outstanding"])
    c["accounts"] += 1
    c["products"].add(acct_product[row["account_id"]])
names = {0: "pending", 1: "kept", 2: "broken"}
for ref, status in q("select case_ref, status from promises p where ref = "
                     "(select max(ref) from promises where case_ref=p.case_ref)"):
    cases[ref]["promise"] = names[status]
for ref, nf in q("select case_ref, next_follow_up from contact_records r where ref = "
                 "(select max(ref) from contact_records where case_ref=r.case_ref)"):
    cases[ref]["follow_up"] = nf  # day number or None
epoch = datetime.date(1970, 1, 1)
today_n = (today - epoch).days
buckets = [("M0", 0, 0), ("M1", 1, 30), ("M2", 31, 60), ("M3", 61, 90),
           ("M4", 91, 120), ("M5", 121, 150), ("M6", 151, 180), ("M7+", 181, 10**9)]
bucket_of = lambda d: next(n for n, lo, hi in buckets if lo <= d <= hi)

def fetch_all(user, query):
    out, after, pages = [], None, 0
    while True:
        path = "/api/cases?limit=7" + (("&" + query) if query else "") + \
               ("&after=" + after if after else "")
        st, body = call("GET", path, tok[user])
        if st != 200:
            return None, "status %d %s" % (st, body)
        out += body["cases"]
        pages += 1
        after = body["next_after"]
        if not after or pages > 500:
            return out, None

scopes = {"wang.jl": lambda c: True,
          "zhang.zz": lambda c: c["team"] == team_of_leader,
          "li.na": lambda c: c["coll"] == uref["li.na"]}
yuan = lambda f: "%d.%02d" % (f // 100, f % 100)
biggest = max(c["due"] for c in cases.values())
mid = sorted(c["due"] for c in cases.values())[len(cases) * 3 // 4]
filters = [
    ("", lambda c: True),
    ("bucket=M1", lambda c: 1 <= c["dpd"] <= 30),
    ("bucket=M0", lambda c: c["dpd"] == 0),
    ("bucket=M7%2B", lambda c: c["dpd"] >= 181),
    ("dpd_min=15&dpd_max=95", lambda c: 15 <= c["dpd"] <= 95),
    ("min_overdue=" + yuan(mid), lambda c: c["due"] >= mid),
    ("max_overdue=" + yuan(mid), lambda c: c["due"] <= mid),
    ("product=credit_card", lambda c: "credit_card" in c["products"]),
    ("promise=kept", lambda c: c["promise"] == "kept"),
    ("promise=broken", lambda c: c["promise"] == "broken"),
    ("promise=pending", lambda c: c["promise"] == "pending"),
    ("follow_up=due", lambda c: c["follow_up"] is not None and c["follow_up"] <= today_n),
    ("follow_up=" + (today + datetime.timedelta(days=1)).isoformat(),
     lambda c: c["follow_up"] is not None and c["follow_up"] <= today_n + 1),
    ("collector=%d" % uref["li.na"], lambda c: c["coll"] == uref["li.na"]),
    ("team=%d" % team_of_leader, lambda c: c["team"] == team_of_leader),
    ("status=new", lambda c: c["status"] == "new"),
    ("lost_contact=true", lambda c: c["lost"]),
]
prov = next(c["province"] for c in cases.values() if c["province"])
seg = next(c["segment"] for c in cases.values() if c["segment"])
filters.append(("province=" + urllib.parse.quote(prov), lambda c: c["province"] == prov))
filters.append(("segment=" + urllib.parse.quote(seg), lambda c: c["segment"] == seg))
# a product and a bucket together: the generated portfolio moves with the
# date it is built on, so take a pair it holds today rather than a fixed one
m2 = [c for c in cases.values() if 31 <= c["dpd"] <= 60 and c["products"]]
m2_product = sorted(p for c in m2 for p in c["products"] if p != "credit_card")[:1] or \
    sorted(p for c in m2 for p in c["products"])[:1] or ["invoice"]
m2_product = m2_product[0]
filters.append(("product=%s&bucket=M2" % m2_product,
                lambda c: m2_product in c["products"] and 31 <= c["dpd"] <= 60))

def order_ok(sort, lines):
    for a, b in zip(lines, lines[1:]):
        ca, cb = cases[a["id"]], cases[b["id"]]
        if sort == "id" and not a["id"] < b["id"]:
            return False
        if sort == "overdue" and not (ca["due"], -ca["ref"]) > (cb["due"], -cb["ref"]):
            return False
        if sort == "dpd" and (ca["dpd"] < cb["dpd"] or
                              (ca["dpd"] == cb["dpd"] > 0 and a["id"] > b["id"])):
            return False
        if sort == "follow_up":
            fa = ca["follow_up"] if ca["follow_up"] is not None else 2**31 - 1
            fb = cb["follow_up"] if cb["follow_up"] is not None else 2**31 - 1
            if (fa, a["id"]) > (fb, b["id"]):
                return False
    return True

nonempty = 0
for query, pred in filters:
    # every filter selects something in the whole portfolio, so none of
    # these checks passes by both sides being empty
    ok("the portfolio has cases for " + query, any(pred(c) for c in cases.values()))
for user, in_scope in scopes.items():
    for query, pred in filters:
        want = sorted(r for r, c in cases.items() if in_scope(c) and pred(c))
        nonempty += bool(want)
        for sort in ("dpd", "id", "overdue", "follow_up"):
            qs = query + ("&" if query else "") + "sort=" + sort
            lines, err = fetch_all(user, qs)
            name = "%s: %s" % (user, qs)
            if err:
                ok(name, False, err)
                continue
            got = [l["id"] for l in lines]
            if sorted(got) != want or len(set(got)) != len(got):
                ok(name, False, "got %d cases, want %d" % (len(got), len(want)))
                continue
            wrong = [l["id"] for l in lines if (
                l["dpd"], l["total_overdue"],
                l["bucket"], l["accounts"], l["promise"], l["lost_contact"]) != (
                cases[l["id"]]["dpd"], yuan(cases[l["id"]]["due"]),
                bucket_of(cases[l["id"]]["dpd"]),
                cases[l["id"]]["accounts"], cases[l["id"]]["promise"],
                cases[l["id"]]["lost"])]
            ok(name, not wrong and order_ok(sort, lines),
               "figures differ on %s" % wrong[:5] if wrong else "out of order")
ok("most filters select something (%d of %d)" % (nonempty, 3 * len(filters)),
   nonempty >= 2 * len(filters))

# ---- the queue: broken promises, promises due, follow-ups due, the rest
pending_due = {r[0] for r in q("select distinct case_ref from promises where status = 0 and due_on <= ?",
                                today_n)}
st, qu = call("GET", "/api/queue?limit=200", tok["li.na"])
mine = {r: c for r, c in cases.items() if c["coll"] == uref["li.na"]}
order = ["broken_promise", "promise_due", "follow_up_due", "strategy"]
got = [(l["id"], l["reason"]) for l in qu.get("cases", [])]
ok("the queue answers", st == 200 and len(got) > 0, (st, qu))
ok("each case once", len({g[0] for g in got}) == len(got))
ok("reasons in order", [order.index(r) for _, r in got] == sorted(order.index(r) for _, r in got), got[:20])
want, taken = {}, set()
for reason, pred in (("broken_promise", lambda c: c["promise"] == "broken"),
                     ("promise_due", lambda c: c["ref"] in pending_due),
                     ("follow_up_due", lambda c: c["follow_up"] is not None and c["follow_up"] <= today_n),
                     ("strategy", lambda c: c["dpd"] > 0)):
    want[reason] = {r for r, c in mine.items() if pred(c) and r not in taken}
    taken |= want[reason]
for reason in order:
    have = {r for r, why in got if why == reason}
    ok("queue: every %s case of li.na's, no other (%d)" % (reason, len(want[reason])),
       have == want[reason], (sorted(have - want[reason])[:5], sorted(want[reason] - have)[:5]))
ok("some case in each of the first groups", all(want[r] for r in ("broken_promise", "follow_up_due", "strategy")),
   {r: len(v) for r, v in want.items()})
# the rest: by the priority day-end's strategy gave (as stored), then the
# lines whose preferred hours and paydays suit now, then most overdue
prio = dict(q("select case_ref, priority from case_treatment"))
# "now" is the debtor's (Asia/Shanghai, the default), as the server sees it,
# not this machine's zone
lt = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai"))
def timely(t):
    h = t.get("hours")
    return ((h is not None and h[0] <= lt.hour < h[1]) +
            (lt.day in t.get("paydays", [])))
rest = [l for l in qu.get("cases", []) if l["reason"] == "strategy"]
ok("the rest carry their treatment, as stored",
   rest and all(l["treatment"] and l["treatment"]["priority"] == prio.get(l["id"]) for l in rest),
   [(l["id"], l["treatment"], prio.get(l["id"])) for l in rest[:3]])
keys = [(-l["treatment"]["priority"], -timely(l["treatment"]), -cases[l["id"]]["dpd"]) for l in rest]
ok("the rest by priority, timing, then most overdue", keys == sorted(keys), keys[:20])
ok("of several priorities", len({k[0] for k in keys}) > 2, keys[:20])

# the queue's counts: every case of the scope in each group (not just a
# page of them), a case counting in each group it is in
st, qc = call("GET", "/api/queue/counts", tok["li.na"])
want_counts = {
    "broken_promise": sum(1 for c in mine.values() if c["promise"] == "broken"),
    "promise_due": sum(1 for r in mine if r in pending_due),
    "follow_up_due": sum(1 for c in mine.values() if c["follow_up"] is not None and c["follow_up"] <= today_n),
    "strategy": sum(1 for c in mine.values() if c["dpd"] > 0)}
ok("queue counts: %s" % want_counts, st == 200 and qc == want_counts and want_counts["broken_promise"] and want_counts["strategy"], (qc, want_counts))
st, qc2 = call("GET", "/api/queue/counts", tok["wang.jl"])
ok("a manager's counts cover the portfolio", st == 200 and qc2["strategy"] == sum(1 for c in cases.values() if c["dpd"] > 0), qc2)

# ---- refusals
for qs, what in (("bucekt=M1", "unknown query parameter"), ("sort=amount", "sort"),
                 ("after=12", "after"), ("product=mortgage", "product"),
                 ("follow_up=soon", "follow_up"), ("max_overdue=lots", "max_overdue"),
                 ("lost_contact=false", "lost_contact")):
    st, body = call("GET", "/api/cases?" + qs, tok["wang.jl"])
    ok("refused: " + qs, st == 400 and body.get("code") == "HK_EINVAL", (st, body))
print("caselist: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
status=$?
kill -TERM "$pid"
wait "$pid" 2>/dev/null
pid=
exit $status
