#!/bin/sh
# The talk-script library (话术) over real HTTP: the shipped scripts, search,
# suggestions by the last contact outcome, admins' edits screened by the
# lexicon, audit.
# usage: scripts_test.sh HUIKUAN_BINARY TESTS_DIR
. "$2/cli/lib.sh"

db=$(newdb s)
"$hk" demo --db "$db" --accounts 40 --no-serve >/dev/null 2>&1 || { bad "demo"; exit 1; }
"$hk" --db "$db" serve --listen 127.0.0.1:0 >"$tmp/out" 2>/dev/null &
pid=$!
for _ in $(seq 1 100); do grep -qs "http://" "$tmp/out" && break; sleep 0.05; done
base=http://127.0.0.1:$(sed -n 's/.*:\([0-9][0-9]*\)$/\1/p' "$tmp/out")

python3 - "$base" "$db" "$2" <<'PY'
import json, sys, urllib.parse, urllib.request, urllib.error

base, db, tests = sys.argv[1:4]
sys.path.insert(0, tests + "/cli")
from hkapi import Api, Checks, connect
ok, api = Checks(), Api(base)
api.login("admin", "li.na", "wu.wb")
call = api.call
st, b = call("li.na", "GET", "/api/scripts")
shipped = b.get("scripts", [])
ok("a collector reads the shipped scripts (10)", st == 200 and len(shipped) == 10, (st, len(shipped)))
titles = [s["title"] for s in shipped]
for want in ("客户称已经还款", "企业称自己的客户未付款", "称未收到发票或账单", "企业称正在重组或整顿",
             "客户称经济困难", "共同借款人或担保人互相推诿", "客户要求“你去起诉我”"):
    ok("shipped: " + want, want in titles)
st, b = call("wu.wb", "GET", "/api/scripts?outcome=claims_paid")
sug = [s["title"] for s in b.get("scripts", []) if s["id"] in b.get("suggested", [])]
ok("an agency collector too; suggested for \"claims paid\": the already-paid answer", st == 200 and sug == ["客户称已经还款"], sug)
st, b = call("li.na", "GET", "/api/scripts?outcome=hardship")
sug = sorted(s["title"] for s in b["scripts"] if s["id"] in b["suggested"])
ok("suggested for hardship: three", len(sug) == 3 and "客户称经济困难" in sug, sug)
st, b = call("li.na", "GET", "/api/scripts?q=" + urllib.parse.quote("重组"))
ok("search finds by any text", st == 200 and [s["title"] for s in b["scripts"]] == ["企业称正在重组或整顿"], b)
st, b = call("li.na", "GET", "/api/scripts?outcome=bogus")
ok("an unknown outcome is refused", st == 400, b)
# every shipped script passes the lexicon: an admin saves each unchanged
allok = True
for s in shipped:
    st, b = call("admin", "POST", "/api/scripts/%d" % s["id"],
                 {"title": s["title"], "objection": s["objection"], "body": s["body"], "outcomes": s["outcomes"]})
    allok = allok and st == 200
ok("every shipped script is clean by the lexicon", allok)
new = {"title": "测试话术", "objection": "“我没钱。”", "body": "理解您的情况，我们可以商量分期。", "outcomes": ["hardship"]}
st, b = call("li.na", "POST", "/api/scripts", new)
ok("a collector may not edit", st == 403, st)
st, b = call("admin", "POST", "/api/scripts", dict(new, body="你就是个老赖，不还就等着瞧。"))
ok("forbidden wording refused, the rule and the words named",
   st == 403 and b.get("rule") == "GR-LEXICON" and "老赖" in b.get("message", ""), b)
st, b = call("admin", "POST", "/api/scripts", dict(new, outcomes=["not_a_code"]))
ok("outcomes must be outcome codes", st == 400, b)
st, b = call("admin", "POST", "/api/scripts", new)
sid = b.get("id")
ok("an admin adds one", st == 201 and sid, b)
st, b = call("admin", "POST", "/api/scripts/%d" % sid, dict(new, body="理解您的情况，我们可以商量分期或延期。"))
st2, l = call("li.na", "GET", "/api/scripts?q=" + urllib.parse.quote("延期"))
ok("and changes it", st == 200 and any(s["id"] == sid for s in l["scripts"]), l)
st, b = call("admin", "POST", "/api/scripts/99999", new)
ok("changing one that is not there: 404", st == 404, b)
c = connect(db)
acts = [r[0] for r in c.execute("select action from audit_log where action like 'script.%'")]
ok("edits are audited", acts.count("script.create") == 1 and acts.count("script.update") == len(shipped) + 1, acts)
# the configuration in force, read-only (for the administration page)
st, cfg = call("admin", "GET", "/api/config")
ok("the configuration in force: defaults", st == 200 and cfg["time_zone"] == "Asia/Shanghai"
   and [b["name"] for b in cfg["buckets"]] == ["M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+"]
   and cfg["buckets"][1]["max_dpd"] == 30 and cfg["buckets"][-1]["max_dpd"] is None
   and cfg["products"]["credit_card"]["cap_ppm"] == 240000
   and cfg["workflow"]["team_leader_waiver_share_ppm"] == 100000
   and cfg["workflow"]["team_leader_waiver_max"] == "2000.00" and cfg["workflow"]["manager_waiver_max"] is None
   and cfg["compliance"]["profile"] == "cn" and cfg["compliance"]["quiet_from"] == "22:00"
   and cfg["compliance"]["quiet_until"] == "08:00" and cfg["compliance"]["max_conversations_per_day"] == 3, cfg)
st, _ = call("li.na", "GET", "/api/config")
ok("not a collector's", st == 403, st)
ok.finish("scripts")
PY
status=$?
kill -TERM "$pid"
wait "$pid" 2>/dev/null
pid=
exit $status
