#!/bin/sh
# The strategy and allocation at day-end (docs/strategy.md, "At day-end"),
# on a small hand-made portfolio whose every figure is worked out below,
# over the real CLI and HTTP API:
#   - each case's treatment (rule, arm), its recheck date, and the change
#     of treatment when DPD crosses a rule's bound with nothing else
#     happening (C1: first-week notice until DPD 7, a call from DPD 8);
#   - allocation by queue to teams, balanced within a team by count and
#     amount; sticky from one day-end to the next;
#   - an absence hands a collector's cases to the team and back;
#   - rotation after N days without progress (a payment resets the clock);
#   - manual reassignment with a reason; an ended case loses its treatment;
#   - a rerun of a date changes nothing; a new version looks at every case.
# usage: allocation_test.sh HUIKUAN_BINARY TESTS_DIR
. "$2/cli/lib.sh"

db=$(newdb a)
d=$tmp/csv
mkdir -p "$d"
# Every account opens 2026-01-01, no interest, no penalty (totals are the
# principal), one installment due on the date given.
#   C1 due 03-05: DPD 5 on 03-10 (M1, first week)      1,000.00
#   C2 due 02-20: DPD 18 (M1)                           5,000.00
#   C3 due 01-25: DPD 44 (M2)                           2,000.00
#   C4 due 03-12: 2 days to due on 03-10 (reminder)       800.00
#   C5 due 04-01: 22 days to due (current)                900.00
#   C6 due 02-28: DPD 10, the debtor born 1949 (elderly) 1,500.00
#   C7..C10 due 02-25: DPD 13 (M1)   4,000 / 3,000 / 2,500 / 1,200.00
cat >"$d/debtors.csv" <<'EOF'
debtor_id,name,kind,id_number,phone,segment,province,city
D1,张一,person,,13800000001,白领,北京,北京
D2,张二,person,,13800000002,白领,北京,北京
D3,张三,person,,13800000003,白领,北京,北京
D4,张四,person,,13800000004,白领,北京,北京
D5,张五,person,,13800000005,白领,北京,北京
D6,张六,person,11010519491231002X,13800000006,退休,北京,北京
D7,张七,person,,13800000007,白领,北京,北京
D8,张八,person,,13800000008,白领,北京,北京
D9,张九,person,,13800000009,白领,北京,北京
D10,张十,person,,13800000010,白领,北京,北京
EOF
printf 'account_id,debtor_id,creditor,product,principal,annual_rate,penalty_rate,open_date\n' >"$d/accounts.csv"
printf 'account_id,seq,due_date,principal,interest,fee\n' >"$d/installments.csv"
for row in 1:2026-03-05:1000 2:2026-02-20:5000 3:2026-01-25:2000 \
	4:2026-03-12:800 5:2026-04-01:900 6:2026-02-28:1500 \
	7:2026-02-25:4000 8:2026-02-25:3000 9:2026-02-25:2500 10:2026-02-25:1200; do
	n=${row%%:*}; rest=${row#*:}; due=${rest%%:*}; amt=${rest#*:}
	echo "A$n,D$n,BANK-A,consumer_loan,$amt.00,0,0,2026-01-01" >>"$d/accounts.csv"
	echo "A$n,1,$due,$amt.00,0,0" >>"$d/installments.csv"
done
# C7 pays 100.00 on 03-15: progress, so its rotation clock restarts.
printf 'payment_id,account_id,paid_on,amount,channel,reference\nP1,A7,2026-03-15,100.00,online,\n' >"$d/payments.csv"

adminpw=$("$hk" --db "$db" init 2>/dev/null | sed -n 's/.*：\([A-Za-z0-9]\{16\}\)$/\1/p')
for k in debtors accounts installments payments; do
	"$hk" --db "$db" import $k "$d/$k.csv" >/dev/null 2>&1 || bad "import $k"
done
"$hk" --db "$db" --config "$(awake_config)" serve --listen 127.0.0.1:0 >"$tmp/out" 2>/dev/null &
pid=$!
for _ in $(seq 1 100); do grep -qs "http://" "$tmp/out" && break; sleep 0.05; done
base=http://127.0.0.1:$(sed -n 's/.*:\([0-9][0-9]*\)$/\1/p' "$tmp/out")

python3 - "$base" "$hk" "$db" "$adminpw" "$2" <<'PY'
import json, subprocess, sys, urllib.request, urllib.error, datetime

base, hk, db, adminpw, tests = sys.argv[1:6]
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

def call(tok, method, path, body=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=None if body is None else json.dumps(body).encode())
    req.add_header("Content-Type", "application/json")
    if tok:
        req.add_header("Authorization", "Bearer " + tok)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())

def login(user, pw):
    st, b = call(None, "POST", "/api/session", {"username": user, "password": pw, "bearer": True})
    return b.get("token")

con = connect(db)
def q(sql, *args):
    return con.execute(sql, args).fetchall()

def day(s):
    return (datetime.date.fromisoformat(s) - datetime.date(1970, 1, 1)).days

def eod(date, env=None):
    r = subprocess.run([hk, "--db", db, "eod", "--date", date], capture_output=True, text=True,
                       env=dict(env or {}, LANG="en_US.UTF-8", PATH="/usr/bin:/bin"))
    return r.returncode, r.stdout + r.stderr

tok = login("admin", adminpw)
call(tok, "POST", "/api/me/password", {"current_password": adminpw, "new_password": "admin-pass-2026"})
tok = login("admin", "admin-pass-2026")
teams = {}
for name in ("一组", "二组"):
    st, b = call(tok, "POST", "/api/teams", {"name": name})
    teams[name] = b.get("id")
ok("two teams", all(teams.values()), teams)
users = {}
for u, team in (("c1", "一组"), ("c2", "一组"), ("c3", "二组")):
    st, b = call(tok, "POST", "/api/users", {"username": u, "display_name": u, "role": "collector",
                                             "team": teams[team]})
    users[u] = b.get("user", {}).get("id")
    created = b.get("user", {})
ok("three collectors", all(users.values()), users)
ok("a new collector has no absence", created.get("absence") is None and created.get("capacity") == 0, created)
who = {v: k for k, v in users.items()}

# the shipped strategy plus an allocation: early and gentle to team 1,
# middle to team 2, rotation after 10 days without progress
st, one = call(tok, "GET", "/api/strategies/1")
mine = dict(one["strategy"], name="分案测试",
            allocation={"queues": {"early": ["一组"], "gentle": ["一组"], "middle": ["二组"]},
                        "rotate_after_days": 10})
st, b = call(tok, "POST", "/api/strategies", dict(mine, allocation={"queues": {"early": ["三组"]}}))
ok("a team the allocation names must exist", st == 400 and "三组" in b.get("message", ""), b)
st, b = call(tok, "POST", "/api/strategies", dict(mine, allocation={"queues": {"erly": ["一组"]}}))
ok("a queue no rule gives is refused", st == 400 and "allocation.queues.erly" in b.get("message", ""), b)
st, b = call(tok, "POST", "/api/strategies", mine)
ver = b.get("id")
st, _ = call(tok, "POST", "/api/strategies/%s/publish" % ver)
ok("published", st == 200)

case = {r[1]: r[0] for r in q("select c.ref, d.debtor_id from cases c join debtors d on d.ref = c.debtor_ref")}
C = {i: case["D%d" % i] for i in range(1, 11)}

def treat(i):
    st, b = call(tok, "GET", "/api/cases/%d" % C[i])
    return b.get("treatment") or {}

def holder(i):
    return who.get(q("select collector_ref from cases where ref = ?", C[i])[0][0])

rc, out = eod("2026-03-10")
ok("day-end 03-10 runs the strategy on every case", rc == 0 and "10 cases looked at (all)" in out, out)
want = {1: "m1-first-notice", 2: "m1-call", 3: "m2-second-notice", 4: "pre-due", 5: "current",
        6: "elderly", 7: "m1-call", 8: "m1-call", 9: "m1-call", 10: "m1-call"}
got = {i: treat(i).get("rule") for i in want}
ok("each case's rule, first match wins", got == want, got)
t1 = treat(1)
ok("the first-week rule's arm is named, with its treatment",
   t1.get("arm") in ("champion-sms", "challenger-call") and t1.get("queue") == "early"
   and t1.get("since") == "2026-03-10" and t1.get("strategy") == ver, t1)
ok("the elderly one: gentle, daytime", treat(6).get("queue") == "gentle" and treat(6).get("hours") == [10, 17], treat(6))
recheck = dict(q("select case_ref, recheck_on from case_treatment"))
# C1 leaves the first week at DPD 8 (03-13); C5's reminder rule takes it
# when 3 days are left (03-29); C4's holds until its due date passes
# (03-13); C2's rotation clock (assigned 03-10, 10 days) comes before M2
# (03-23): 03-20
exp = {1: "2026-03-13", 5: "2026-03-29", 4: "2026-03-13", 2: "2026-03-20", 3: "2026-03-20"}
ok("recheck dates as worked out", all(recheck[C[i]] == day(v) for i, v in exp.items()),
   {i: recheck[C[i]] for i in exp})

# allocation: early + gentle (C1, C2, C6..C10: 7 cases) to team 1's two
# collectors, middle (C3) to team 2's one; C4, C5 (current) stay unassigned
team1 = [1, 2, 6, 7, 8, 9, 10]
amount = {1: 1000, 2: 5000, 6: 1500, 7: 4000, 8: 3000, 9: 2500, 10: 1200}
h = {i: holder(i) for i in range(1, 11)}
ok("team 1's queues to its collectors", all(h[i] in ("c1", "c2") for i in team1), h)
ok("team 2's to its collector", h[3] == "c3", h)
ok("the current ones unassigned", h[4] is None and h[5] is None, h)
# Largest first, each to the collector whose (cases + 1) / mean cases +
# (amount + this) / mean amount is least (means per collector, this case
# counted; a tie to the first):
#   C2 5,000: 2 + 2 for both → c1 (1, 5,000)
#   C7 4,000: c1 2/1 + 9,000/4,500 = 4, c2 1 + 4,000/4,500 = 1.89 → c2
#   C8 3,000: c1 2/1.5 + 8,000/6,000 = 2.67, c2 2/1.5 + 7,000/6,000 = 2.5 → c2
#   C9 2,500: c1 2/2 + 7,500/7,250 = 2.03, c2 3/2 + 9,500/7,250 = 2.81 → c1
#   C6 1,500: c1 3/2.5 + 9,000/8,000 = 2.33, c2 3/2.5 + 8,500/8,000 = 2.26 → c2
#   C10 1,200: c1 3/3 + 8,700/8,600 = 2.01, c2 4/3 + 9,700/8,600 = 2.46 → c1
#   C1 1,000: c1 4/3.5 + 9,700/9,100 = 2.21, c2 4/3.5 + 9,500/9,100 = 2.19 → c2
# so c1: C2, C9, C10 (8,700.00), c2: C7, C8, C6, C1 (9,500.00)
ok("balanced by count and amount, as worked out",
   sorted(i for i in team1 if h[i] == "c1") == [2, 9, 10] and
   sorted(i for i in team1 if h[i] == "c2") == [1, 6, 7, 8], h)
moves = q("select kind, count(*) from case_assignments group by kind")
ok("each move recorded, by rule", moves == [("rule", 8)], moves)

rc, out = eod("2026-03-11")
ok("sticky: nothing moves the next day", {i: holder(i) for i in range(1, 11)} == h and
   q("select count(*) from case_assignments")[0][0] == 8, out)
ok("and no case is looked at: none changed, no recheck date came", "): 0 cases looked at," in out, out)

# c1 away 03-12..03-13: the team works c1's cases, which come back on 03-14
st, b = call(tok, "POST", "/api/users/%d/absence" % users["c1"], {"from": "2026-03-12", "until": "2026-03-13"})
ok("an absence recorded", st == 200 and b.get("absence") == {"from": "2026-03-12", "until": "2026-03-13"}, b)
st, b = call(tok, "POST", "/api/users/%d/absence" % users["c1"], {"from": "2026-03-12", "until": "2026-03-01"})
ok("an absence ending before it starts is refused", st == 400, b)
c1_cases = [i for i in team1 if h[i] == "c1"]
eod("2026-03-12")
ok("absent: c1's cases with c2, held for c1",
   all(holder(i) == "c2" for i in c1_cases) and
   all(r[0] == users["c1"] for r in q("select held_for from cases where ref in (%s)" % ",".join(str(C[i]) for i in c1_cases))),
   {i: holder(i) for i in team1})
eod("2026-03-13")
ok("still away on 03-13", all(holder(i) == "c2" for i in c1_cases))
eod("2026-03-14")
ok("back on 03-14: returned", all(holder(i) == "c1" for i in c1_cases) and
   q("select count(*) from cases where held_for is not null")[0][0] == 0, {i: holder(i) for i in team1})
kinds = dict(q("select kind, count(*) from case_assignments group by kind"))
ok("absence and return recorded", kinds.get("absence") == len(c1_cases) and kinds.get("return") == len(c1_cases), kinds)

# C1 crossed DPD 8 on 03-13 with nothing else happening: a call now
hist = q("select since, rule_no from treatment_history where case_ref = ? order by since", C[1])
ok("C1's treatment changed on 03-13 by its recheck date alone",
   [h_[0] for h_ in hist] == [day("2026-03-10"), day("2026-03-13")] and treat(1).get("rule") == "m1-call", hist)

# rotation: c2's own cases (assigned 03-10) rotate on 03-20 unless they
# made progress; C7 paid on 03-15; c1's returned cases were assigned 03-14
c2_cases = [i for i in team1 if h[i] == "c2"]
for dd in ("2026-03-15", "2026-03-16", "2026-03-17", "2026-03-18", "2026-03-19"):
    eod(dd)
before = {i: holder(i) for i in range(1, 11)}
eod("2026-03-20")
after = {i: holder(i) for i in range(1, 11)}
rotated = sorted(i for i in range(1, 11) if before[i] != after[i])
exp_rot = sorted(i for i in c2_cases if i != 7)
ok("rotated after 10 days without progress, to the team's other collector",
   rotated == exp_rot and all(after[i] == "c1" for i in rotated), (rotated, exp_rot, before, after))
ok("a payment restarts the clock (C7 stays)", 7 not in c2_cases or after[7] == "c2", after)
ok("C3 has nobody to rotate to in team 2: stays", after[3] == "c3", after)

# a person moves a case: recorded with the reason, and it sticks
st, b = call(tok, "POST", "/api/cases/%d/assign" % C[2], {"collector": "c3", "reason": "大额，组长指定"})
ok("manual reassignment", st == 200, b)
row = q("select kind, reason, by_user from case_assignments where case_ref = ? order by ref desc limit 1", C[2])
ok("recorded with the reason and who", row and row[0][0] == "manual" and row[0][1] == "大额，组长指定" and row[0][2], row)
st, tl = call(tok, "GET", "/api/cases/%d/timeline" % C[2])
moves_tl = [e for e in tl.get("events", tl.get("timeline", [])) if e.get("kind") == "assigned"] if isinstance(tl, dict) else []
ok("the moves are in the case's timeline, newest first",
   moves_tl and moves_tl[0].get("how") == "manual" and moves_tl[0].get("collector") == "c3"
   and moves_tl[0].get("reason") == "大额，组长指定" and moves_tl[-1].get("how") == "rule", tl)

# an ended case has no treatment
st, b = call(tok, "POST", "/api/cases/%d/status" % C[5], {"status": "closed", "reason": "测试"})
ok("a case closed", st == 200, b)
rc, out = eod("2026-03-21")
ok("it loses its treatment at day-end", treat(5) == {} and
   q("select strategy_ref from treatment_history where case_ref = ? order by since desc limit 1", C[5]) == [(None,)], treat(5))
n_hist = q("select count(*) from treatment_history")[0][0]
n_moves = q("select count(*) from case_assignments")[0][0]
rc, out = eod("2026-03-21")
ok("a rerun of the date changes nothing", rc == 0 and q("select count(*) from treatment_history")[0][0] == n_hist
   and q("select count(*) from case_assignments")[0][0] == n_moves, out)

# a new version is looked at for every case
st, b = call(tok, "POST", "/api/strategies", dict(mine, name="分案测试二"))
call(tok, "POST", "/api/strategies/%s/publish" % b.get("id"))
rc, out = eod("2026-03-22")
ok("a new version: every case looked at", "(all)" in out and treat(2).get("strategy") == b.get("id"), out)

# capacity: a third team for the early queue, c4 carrying 2 cases and c5
# 6; the early cases on 03-23 (C1, C4 at DPD 11, C7..C10: six; C2 is at
# DPD 31, M2) go there, shared
# 2 : 6 — c4 takes one or two, never more than its capacity while c5 has
# room
st, b = call(tok, "POST", "/api/teams", {"name": "三组"})
t3 = b.get("id")
for u, cap in (("c4", 2), ("c5", 6)):
    st, b = call(tok, "POST", "/api/users", {"username": u, "display_name": u, "role": "collector", "team": t3})
    users[u] = b.get("user", {}).get("id")
    who[users[u]] = u
    st, b = call(tok, "POST", "/api/users/%d" % users[u], {"capacity": cap})
ok("capacities set", b.get("capacity") == 6, b)
st, b = call(tok, "POST", "/api/strategies", dict(mine, name="分案测试三",
             allocation={"queues": {"early": ["三组"], "gentle": ["一组"], "middle": ["二组"]}}))
call(tok, "POST", "/api/strategies/%s/publish" % b.get("id"))
rc, out = eod("2026-03-23")
early = [i for i in range(1, 11) if treat(i).get("queue") == "early"]
h = {i: holder(i) for i in early}
ok("the early queue's cases to the new team", sorted(early) == [1, 4, 7, 8, 9, 10] and
   all(v in ("c4", "c5") for v in h.values()), h)
n4 = sum(1 for v in h.values() if v == "c4")
ok("shared by capacity (c4: 1 or 2 of 6)", 1 <= n4 <= 2, h)

# a bucket table the version does not fit: the ledger's day-end is done,
# the strategy says why it did not run
rc, out = eod("2026-03-24", {"HUIKUAN_BUCKETS": "C:0,X1:30,X2+"})
ok("a strategy that does not fit the buckets: day-end done, the reason said",
   rc == 0 and "does not fit the configured buckets" in out and
   q("select value from meta where key = 'last_eod'") == [("2026-03-24",)], out)

print("allocation: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
status=$?
kill -TERM "$pid"
wait "$pid" 2>/dev/null
pid=
exit $status
