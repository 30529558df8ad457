#!/bin/sh
# The compliance guardrails (docs/compliance.md) over real HTTP, one check
# each of the allowed and the refused side: quiet hours, conversations per
# day across collectors, unanswered attempts per number, the US profile's
# 7-in-7 and after-conversation rules, third parties, a contact's permanent
# stop, a debtor's channel stop and a complaint, the lexicon, the limitation
# period; the pre-contact check; every refusal audited.
# usage: guard_test.sh HUIKUAN_BINARY TESTS_DIR
. "$2/cli/lib.sh"

db=$(newdb g)
"$hk" demo --db "$db" --accounts 80 --no-serve >/dev/null 2>&1 || { bad "demo"; exit 1; }
h=$(TZ=Asia/Shanghai date +%H | sed 's/^0//')
# quiet hours that hold now, and ones twelve hours away
printf '[compliance]\nquiet_hours = %02d:00-%02d:00\n' "$h" $(((h + 1) % 24)) >"$tmp/night.ini"
printf '[compliance]\nquiet_hours = %02d:00-%02d:00\n' $(((h + 12) % 24)) $(((h + 13) % 24)) >"$tmp/day.ini"
printf '[compliance]\nprofile = us\nquiet_hours = %02d:00-%02d:00\n' $(((h + 12) % 24)) $(((h + 13) % 24)) >"$tmp/us.ini"
printf '[compliance]\nquiet_hours = %02d:00-%02d:00\nlimitation_years = 0\n' $(((h + 12) % 24)) $(((h + 13) % 24)) >"$tmp/barred.ini"

python3 - "$hk" "$db" "$tmp" "$2" <<'PY'
import json, subprocess, sys, time, urllib.request, urllib.error

hk, db, tmp, tests = sys.argv[1:5]
sys.path.insert(0, tests + "/cli")
from hkapi import connect
passed = failed = 0
server = None
base = None

def ok(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok - " + name)
    else:
        failed += 1
        print("not ok - %s %s" % (name, detail))

def start(config):
    global server, base
    stop()
    out = open(tmp + "/out", "w")
    server = subprocess.Popen([hk, "--db", db, "--config", config, "serve",
                               "--listen", "127.0.0.1:0"], stdout=out,
                              stderr=subprocess.DEVNULL)
    for _ in range(200):
        text = open(tmp + "/out").read()
        if "http://" in text:
            base = "http://127.0.0.1:" + text.strip().rsplit(":", 1)[1]
            return
        time.sleep(0.05)
    raise SystemExit("server did not start")

def stop():
    global server
    if server:
        server.terminate()
        server.wait()
        server = None

tokens = {}
def token(user):
    if (base, user) not in tokens:
        req = urllib.request.Request(base + "/api/session", method="POST",
            data=json.dumps({"username": user, "password": "huikuan-demo-2026",
                             "bearer": True}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req) as r:
            tokens[(base, user)] = json.loads(r.read())["token"]
    return tokens[(base, user)]

def call(user, method, path, body=None):
    req = urllib.request.Request(base + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": "Bearer " + token(user),
                 "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())

def record(user, case, **kw):
    body = {"channel": "call", "outcome": "no_answer"}
    body.update(kw)
    return call(user, "POST", "/api/cases/%d/records" % case, body)

def refused(name, got, rule):
    st, body = got
    ok(name, st == 403 and body.get("rule") == rule, (st, body))

def allowed(name, got):
    st, body = got
    ok(name, st in (200, 201), (st, body))

con = connect(db)
q = lambda sql, *a: con.execute(sql, a).fetchall()
lina = q("select ref from users where username='li.na'")[0][0]
# li.na's cases without agency, each used by one rule below
cases = [r[0] for r in q("select ref from cases where collector_ref=? and "
                         "agency_ref is null order by ref", lina)]
def contacts(case, relation=None):
    sql = ("select contact_id from contacts where debtor_ref=(select debtor_ref "
           "from cases where ref=?)")
    args = [case]
    if relation:
        sql += " and relation " + relation
    return [r[0] for r in q(sql + " order by contact_id", *args)]
def own_contact(case):
    return contacts(case, "= 'self'")[0]
def third_contact(case):
    c = contacts(case, "not in ('self','guarantor','co_borrower')")
    return c[0] if c else None
# cases with a third-party contact for the third-party rules
third_cases = [c for c in cases if third_contact(c)]
c_hours, c_conv, c_att, c_stop, c_lex, c_lim = cases[:6]
c_third, c_cstop = third_cases[-2:]

# ---- quiet hours
start(tmp + "/night.ini")
refused("GR-HOURS: a call in quiet hours", record("li.na", c_hours), "GR-HOURS")
refused("GR-HOURS: an SMS too", record("li.na", c_hours, channel="sms"), "GR-HOURS")
allowed("GR-HOURS: a letter is not a call", record("li.na", c_hours, channel="letter", outcome="delivered"))
st, chk = call("li.na", "GET", "/api/cases/%d/contact-check?channel=call" % c_hours)
ok("the pre-contact check says why", st == 200 and chk["allowed"] is False and chk["rule"] == "GR-HOURS", chk)
start(tmp + "/day.ini")
allowed("GR-HOURS: the same call outside quiet hours", record("li.na", c_hours))

# ---- conversations with the debtor: 3 a day, every user together
st, chk = call("li.na", "GET", "/api/cases/%d/contact-check?channel=call" % c_conv)
ok("before any: 3 conversations left today", chk.get("conversations_left_today") == 3, chk)
allowed("conversation 1 (li.na)", record("li.na", c_conv, outcome="reached_debtor"))
allowed("conversation 2 (the team leader)", record("zhang.zz", c_conv, outcome="promised"))
allowed("conversation 3 (the manager)", record("wang.jl", c_conv, outcome="hardship"))
st, chk = call("li.na", "GET", "/api/cases/%d/contact-check?channel=call" % c_conv)
ok("then none left, and the check refuses", chk.get("conversations_left_today") == 0 and chk["rule"] == "GR-CONVERSATIONS", chk)
refused("GR-CONVERSATIONS: a fourth call", record("li.na", c_conv), "GR-CONVERSATIONS")
refused("GR-CONVERSATIONS: nor a visit", record("li.na", c_conv, channel="visit", second_staff="zhao.lei"), "GR-CONVERSATIONS")
allowed("GR-CONVERSATIONS: an SMS is not a conversation", record("li.na", c_conv, channel="sms", outcome="delivered"))

# ---- unanswered attempts per number: 6 a day
num = own_contact(c_att)
for i in range(6):
    st, _ = record("li.na", c_att, contact_id=num)
ok("six unanswered calls on the debtor's number", st == 201)
st, chk = call("li.na", "GET", "/api/cases/%d/contact-check?channel=call&contact_id=%s" % (c_att, num))
ok("the check counts the number's attempts", chk.get("attempts_left_today") == 0, chk)
refused("GR-ATTEMPTS: a seventh on that number", record("li.na", c_att, contact_id=num), "GR-ATTEMPTS")
others = [c for c in contacts(c_att) if c != num]
if others:
    allowed("GR-ATTEMPTS: another number of the debtor's", record("li.na", c_att, contact_id=others[0], third_party_reason="debtor_unreachable"))
allowed("GR-ATTEMPTS: a call naming no number", record("li.na", c_att))

# ---- third parties
tp = third_contact(c_third)
refused("GR-THIRD-PARTY: a contact person without a reason", record("li.na", c_third, contact_id=tp, outcome="third_party"), "GR-THIRD-PARTY")
refused("GR-THIRD-PARTY: nor with another reason", record("li.na", c_third, contact_id=tp, outcome="third_party", third_party_reason="curious"), "GR-THIRD-PARTY")
allowed("GR-THIRD-PARTY: with debtor_unreachable", record("li.na", c_third, contact_id=tp, outcome="third_party", third_party_reason="debtor_unreachable"))

# ---- a contact's request not to be called again: permanent
tp2 = third_contact(c_cstop)
st, _ = call("li.na", "POST", "/api/cases/%d/contacts/%s/stop" % (c_cstop, tp2), {"reason": "本人要求不再来电"})
ok("a contact's stop is recorded", st == 200)
refused("GR-CONTACT-STOPPED: that contact, even with a reason", record("li.na", c_cstop, contact_id=tp2, outcome="third_party", third_party_reason="debtor_unreachable"), "GR-CONTACT-STOPPED")
allowed("GR-CONTACT-STOPPED: the debtor still", record("li.na", c_cstop, contact_id=own_contact(c_cstop)))
st, _ = call("li.na", "POST", "/api/cases/%d/contacts/NOPE/stop" % c_cstop, {"reason": "x"})
ok("stopping an unknown contact is 404", st == 404)

# ---- a debtor's stop of one channel, then a complaint pausing all
st, s1 = call("li.na", "POST", "/api/cases/%d/stops" % c_stop, {"channel": "sms", "reason": "debtor_request", "note": "客户要求不要发短信"})
ok("the debtor's request to stop SMS is recorded", st == 201, s1)
refused("GR-STOP: an SMS", record("li.na", c_stop, channel="sms", outcome="delivered"), "GR-STOP")
allowed("GR-STOP: a call is another channel", record("li.na", c_stop))
st, s2 = call("li.na", "POST", "/api/cases/%d/stops" % c_stop, {"channel": "call", "reason": "complaint"})
ok("a complaint pauses every channel", st == 201 and s2["channel"] == "all", s2)
refused("GR-STOP: then a call too", record("li.na", c_stop), "GR-STOP")
st, _ = call("li.na", "POST", "/api/cases/%d/stops/%d/lift" % (c_stop, s2["id"]), {"reason": "投诉已处理"})
ok("a collector may not lift a stop", st == 403)
st, _ = call("zhang.zz", "POST", "/api/cases/%d/stops/%d/lift" % (c_stop, s2["id"]), {"reason": "投诉已处理"})
ok("the team leader lifts the complaint", st == 200)
st, _ = call("zhang.zz", "POST", "/api/cases/%d/stops/%d/lift" % (c_stop, s2["id"]), {"reason": "x"})
ok("lifting it twice is refused", st == 409)
allowed("GR-STOP: calls again after the lift", record("li.na", c_stop))
refused("GR-STOP: the SMS stop stays", record("li.na", c_stop, channel="sms", outcome="delivered"), "GR-STOP")
st, lst = call("li.na", "GET", "/api/cases/%d/stops" % c_stop)
ok("the stops are listed with the lift", st == 200 and len(lst["stops"]) == 2 and lst["stops"][1]["lift_reason"] == "投诉已处理", lst)

# ---- the lexicon
st, body = record("li.na", c_lex, note="跟他说你是老赖，再不还钱就上门堵你")
ok("GR-LEXICON: an insult and a threat, the words named",
   st == 403 and body.get("rule") == "GR-LEXICON" and "老赖" in body["message"] and "上门堵" in body["message"], body)
refused("GR-LEXICON: impersonating a court", record("li.na", c_lex, note="告诉他我们是法院的"), "GR-LEXICON")
refused("GR-LEXICON: urging new borrowing", record("li.na", c_lex, note="让他以贷养贷先还上"), "GR-LEXICON")
allowed("GR-LEXICON: a plain note", record("li.na", c_lex, note="客户称月底发工资后还款"))
st, body = call("li.na", "POST", "/api/cases/%d/plans" % c_lex, {"installments": [{"due_on": time.strftime("%Y-%m-%d", time.localtime(time.time() + 5 * 86400)), "amount": "100.00"}], "note": "不还就让你坐牢"})
ok("GR-LEXICON: a plan's note too", st == 403 and body.get("rule") == "GR-LEXICON", (st, body))

# ---- the limitation period: limitation_years = 0 makes every overdue
# account time-barred today
overdue = [c for c in cases[6:] if q("select 1 from case_overdue where case_ref=?", c)]
c_bar = overdue[0]
start(tmp + "/barred.ini")
refused("GR-LIMITATION: a lawyer's letter past it", record("li.na", c_bar, channel="lawyer_letter", outcome="delivered"), "GR-LIMITATION")
refused("GR-LIMITATION: nor a note naming a lawsuit", record("li.na", c_bar, note="告知客户我方将起诉"), "GR-LIMITATION")
st, body = call("wang.jl", "POST", "/api/cases/%d/status" % c_bar, {"status": "in_collection", "reason": "跟进"})
st, body = call("wang.jl", "POST", "/api/cases/%d/status" % c_bar, {"status": "legal", "reason": "转诉讼"})
ok("GR-LIMITATION: nor going legal", st == 403 and body.get("rule") == "GR-LIMITATION", (st, body))
allowed("GR-LIMITATION: a friendly reminder is still lawful", record("li.na", c_bar, channel="sms", outcome="no_answer", note="温馨提示"))
start(tmp + "/day.ini")
allowed("GR-LIMITATION: a lawyer's letter within the period", record("li.na", c_bar, channel="lawyer_letter", outcome="delivered"))
st, detail = call("li.na", "GET", "/api/cases/%d" % c_bar)
ends = [a.get("limitation_ends") for a in detail["accounts"]]
ok("each overdue account shows when its limitation period ends", st == 200 and any(ends), ends)

# ---- the US profile: 7 calls in 7 days, none within 7 days of a conversation
start(tmp + "/us.ini")
used = {c_hours, c_conv, c_att, c_stop, c_lex, c_lim, c_third, c_cstop, c_bar}
# the US rules count the debtor's calls of the last 7 days: two cases
# whose debtors the demo's desk has not contacted in the last 8
def quiet(case):
    return not q("select 1 from contact_records r join cases c on c.ref = r.case_ref "
                 "where c.debtor_ref = (select debtor_ref from cases where ref=?) "
                 "and r.at >= ?", case, int(time.time()) - 8 * 86400)
c_us1, c_us2 = [c for c in cases if c not in used and quiet(c)][-2:]
for i in range(7):
    st, _ = record("li.na", c_us1)
ok("seven calls in a week under the US profile", st == 201)
refused("GR-7IN7: the eighth", record("li.na", c_us1), "GR-7IN7")
allowed("GR-7IN7: a letter", record("li.na", c_us1, channel="letter", outcome="delivered"))
allowed("a conversation (US profile)", record("li.na", c_us2, outcome="reached_debtor"))
refused("GR-AFTER-CONVERSATION: a call after it", record("li.na", c_us2), "GR-AFTER-CONVERSATION")
stop()

# ---- every refusal is on the audit trail
n = con.execute("select count(*) from audit_log where action='guard.refused'").fetchone()[0]
ok("refusals are audited (%d)" % n, n >= 20)
rules = {json.loads(r[0]).get("rule") for r in con.execute("select detail from audit_log where action='guard.refused'")}
want = {"GR-HOURS", "GR-CONVERSATIONS", "GR-ATTEMPTS", "GR-THIRD-PARTY", "GR-CONTACT-STOPPED",
        "GR-STOP", "GR-LEXICON", "GR-LIMITATION", "GR-7IN7", "GR-AFTER-CONVERSATION"}
ok("with their rules", want <= rules, want - rules)
ok("the audit chain holds", subprocess.run([hk, "--db", db, "audit", "verify"], capture_output=True).returncode == 0)
print("guard: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
