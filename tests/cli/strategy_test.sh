#!/bin/sh
# Strategy versions over real HTTP (docs/strategy.md): the shipped strategy
# in force from the start, export, import as a draft, refusals named by
# path, drafts replaced, publishing, published versions immutable, roles.
# usage: strategy_test.sh HUIKUAN_BINARY TESTS_DIR
. "$2/cli/lib.sh"

db=$(newdb st)
"$hk" demo --db "$db" --accounts 40 --no-serve >/dev/null 2>&1 || { bad "demo"; exit 1; }
"$hk" --db "$db" --config "$(awake_config)" serve --listen 127.0.0.1:0 >"$tmp/out" 2>/dev/null &
pid=$!
for _ in $(seq 1 100); do grep -qs "http://" "$tmp/out" && break; sleep 0.05; done
base=http://127.0.0.1:$(sed -n 's/.*:\([0-9][0-9]*\)$/\1/p' "$tmp/out")

python3 - "$base" "$hk" "$db" "$2" <<'PY'
import json, subprocess, sys, urllib.request, urllib.error

base, hk, db, tests = sys.argv[1:5]
sys.path.insert(0, tests + "/cli")
from hkapi import Api, Checks, connect
ok, api = Checks(), Api(base, lang="en")
api.login("wang.jl", "zhang.zz", "li.na")
call, tok = api.call, api.tok

st, lst = call("wang.jl", "GET", "/api/strategies")
ok("the shipped strategy is published from the start",
   st == 200 and len(lst["versions"]) == 2 and lst["versions"][1]["id"] == 1
   and lst["versions"][1]["status"] == "published" and lst["versions"][1]["created_by"] is None, lst)
ok("and the demo's (the shipped one with an allocation) in force",
   lst["versions"][0]["in_force"] and not lst["versions"][1]["in_force"], lst)
st, demo = call("wang.jl", "GET", "/api/strategies/2")
ok("the demo's routes queues to its teams",
   st == 200 and demo["strategy"]["allocation"]["queues"]["early"] == ["一组"]
   and demo["strategy"]["allocation"]["rotate_after_days"] == 45, demo)
st, one = call("zhang.zz", "GET", "/api/strategies/1")
ok("a team leader exports it", st == 200 and one["strategy"]["rules"][-1]["id"] == "rest", st)
rules = one["strategy"]["rules"]
ok("with its escalation ladder", [r["id"] for r in rules][6:8] == ["pre-due", "current"] and
   any(r.get("arms") for r in rules), [r["id"] for r in rules])

mine = dict(one["strategy"], name="试点策略")
st, d = call("wang.jl", "POST", "/api/strategies", mine)
ok("an import is a new draft", st == 201 and d["status"] == "draft", (st, d))
draft = d["id"]
bad1 = json.loads(json.dumps(mine))
bad1["rules"][0]["when"]["bukcet"] = ["M1"]
st, e = call("wang.jl", "POST", "/api/strategies", bad1)
ok("an unknown field is refused by its path", st == 400 and e["message"] == "rules[0].when.bukcet: unknown field", e)
bad2 = json.loads(json.dumps(mine))
bad2["rules"].insert(1, {"id": "late-m1", "when": {"bucket": ["M1"], "dispute_open": True},
                         "then": {"queue": "x", "channel": "call"}})
st, e = call("wang.jl", "POST", "/api/strategies", bad2)
ok("a rule an earlier one shadows is refused", st == 400 and "shadowed by the earlier rules[0] (dispute-hold)" in e["message"], e)
bad3 = json.loads(json.dumps(mine))
bad3["rules"][9]["when"]["dpd"] = {"min": 100, "max": 200}
st, e = call("wang.jl", "POST", "/api/strategies", bad3)
ok("an impossible condition is refused", st == 400 and "rules[9] (m1-call)" in e["message"] and "no case can match" in e["message"], e)
st, e = call("wang.jl", "POST", "/api/strategies", b"{not json")
ok("malformed JSON is refused", st == 400 and "malformed JSON" in e["message"], e)
st, _ = call("li.na", "POST", "/api/strategies", mine)
ok("a collector may not import", st == 403)
st, _ = call("li.na", "GET", "/api/strategies")
ok("nor read strategies", st == 403)

mine["rules"][10]["then"]["priority"] = 58
st, _ = call("wang.jl", "POST", "/api/strategies/%d" % draft, mine)
ok("a draft is replaced", st == 200)
st, got = call("wang.jl", "GET", "/api/strategies/%d" % draft)
ok("with the new content", got["strategy"]["rules"][10]["then"]["priority"] == 58)
st, _ = call("wang.jl", "POST", "/api/strategies/%d/publish" % draft)
ok("published", st == 200)
st, lst = call("wang.jl", "GET", "/api/strategies")
ok("and in force, the shipped one kept", lst["versions"][0]["id"] == draft and lst["versions"][0]["in_force"]
   and not lst["versions"][1]["in_force"] and len(lst["versions"]) == 3, lst)
st, _ = call("wang.jl", "POST", "/api/strategies/%d" % draft, mine)
ok("a published version never changes", st == 409)
st, _ = call("wang.jl", "POST", "/api/strategies/%d/publish" % draft)
ok("nor is published twice", st == 409)
st, _ = call("wang.jl", "POST", "/api/strategies/1", mine)
ok("the shipped one is published: immutable too", st == 409)
st, _ = call("wang.jl", "GET", "/api/strategies/99")
ok("an unknown version is 404", st == 404)
con = connect(db)
# ---- dry run: every case lands in exactly one rule
st, dr = call("zhang.zz", "GET", "/api/strategies/1/dry-run")
ncases = con.execute("select count(*) from cases").fetchone()[0]
current = con.execute("select count(*) from cases where ref not in (select case_ref from case_overdue)").fetchone()[0]
disputed = con.execute("select count(*) from disputes where status='open'").fetchone()[0]
by = {r["id"]: r for r in dr.get("rules", [])}
ok("dry run: every case in exactly one rule", st == 200 and dr["cases"] == ncases and
   sum(r["cases"] for r in dr["rules"]) == ncases, (st, dr))
ok("the current cases in pre-due and current", disputed == 0 and
   by["pre-due"]["cases"] + by["current"]["cases"] == current, (current, by.get("pre-due"), by.get("current")))
m1 = by["m1-first-notice"]
ok("an arm split adds up", sum(a["cases"] for a in m1["arms"]) == m1["cases"], m1)
catch = {"name": "全部复核", "rules": [{"id": "all", "then": {"queue": "review", "channel": "none"}}]}
st, d2 = call("wang.jl", "POST", "/api/strategies", catch)
st, dr2 = call("wang.jl", "GET", "/api/strategies/%d/dry-run" % d2["id"])
ok("a one-rule draft takes every case", dr2["rules"][0]["cases"] == ncases, dr2)
# a case with an approved plan on track: the plan condition sees it
import datetime, zoneinfo
lina = con.execute("select ref from users where username='li.na'").fetchone()[0]
case = con.execute("select min(ref) from cases where collector_ref=? and agency_ref is null", (lina,)).fetchone()[0]
due = (datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date() + datetime.timedelta(days=5)).isoformat()
st, pl = call("li.na", "POST", "/api/cases/%d/plans" % case, {"installments": [{"due_on": due, "amount": "100.00"}]})
st2, _ = call("wang.jl", "POST", "/api/plans/%d/decision" % pl.get("id", 0), {"approve": True})
ok("a plan proposed and approved", st == 201 and st2 == 200, (st, pl, st2))
planned = {"name": "分期", "rules": [
    {"id": "on-track", "when": {"plan": ["on_track"]}, "then": {"queue": "plans", "channel": "none"}},
    {"id": "broken", "when": {"plan": ["broken"]}, "then": {"queue": "x", "channel": "call"}},
    {"id": "rest", "then": {"queue": "review", "channel": "none"}}]}
st, d3 = call("wang.jl", "POST", "/api/strategies", planned)
st, dr3 = call("wang.jl", "GET", "/api/strategies/%d/dry-run" % d3["id"])
ok("the dry run sees the plan on track", [r["cases"] for r in dr3["rules"]][:2] == [1, 0], dr3)
n = con.execute("select count(*) from audit_log where action like 'strategy.%'").fetchone()[0]
ok("imports, changes and publishing are audited (%d)" % n, n == 5)
ok.finish("strategy")
PY
status=$?
kill -TERM "$pid"; wait "$pid" 2>/dev/null; pid=
exit $status
