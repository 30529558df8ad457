#!/bin/sh
# Messages (docs/letters.md, docs/compliance.md; issue 7) through real
# channels on loopback (tests/fixtures/sinks.py: aiosmtpd with STARTTLS and
# AUTH, an SMS gateway checking our signature and keeping each id once):
# an SMS queued over the API and sent by `huikuan messages send` arrives
# as the template rendered here from the ledger export; retries after 503
# and after a lost answer (sent once), a refused number failed; email with
# its RFC 2047 subject and body, 451 retried and delivered once, 550
# failed; signed delivery receipts recorded once; each guardrail refusing
# a message with its rule (quiet hours holding it, the daily cap, third
# parties, stops - also at the moment of sending - disputes, the lexicon at
# the template); the treatments' messages queued once a day; the message
# lists (a case's, the outbox) with recipients masked and keyset pages;
# each message's steps in the case's timeline.
# usage: messages_test.sh HUIKUAN_BINARY TESTS_DIR
. "$2/cli/lib.sh"

src=$(cd "$2/.." && pwd)
db=$(newdb ms)
"$hk" --config "$src/data/demo.ini" demo --db "$db" --accounts 300 --no-serve >/dev/null 2>&1 ||
	{ bad "demo"; finish messages; exit 1; }

python3 - "$hk" "$db" "$tmp" "$2" "$src" <<'PY'
import base64, configparser, csv, datetime, email, email.header, hashlib, hmac, io, json, os, re
import subprocess, sys, time, urllib.error, urllib.request
from decimal import Decimal
from zoneinfo import ZoneInfo

hk, db, tmp, tests, src = sys.argv[1:6]
sys.path.insert(0, tests + "/cli")
from hkapi import Api, Checks, connect

ok = Checks()
con = connect(db)
rows = lambda sql, *a: con.execute(sql, a).fetchall()
one = lambda sql, *a: rows(sql, *a)[0][0]
SH = ZoneInfo("Asia/Shanghai")

# ---- the sinks and the configurations ------------------------------------
sinkdir = tmp + "/sinks"
os.mkdir(sinkdir)
sinks = subprocess.Popen(["/usr/bin/python3", src + "/tests/fixtures/sinks.py", sinkdir],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
smtp_port, sms_port = map(int, re.match(r"smtp (\d+) sms (\d+)", sinks.stdout.readline()).groups())
server = None


def received(name):
    try:
        return [json.loads(l) for l in open(os.path.join(sinkdir, name), encoding="utf-8")]
    except FileNotFoundError:
        return []


def write_config(name, quiet, extra=""):
    path = "%s/%s.ini" % (tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(open(src + "/data/demo.ini", encoding="utf-8").read())
        f.write("\n[files]\ndir = %s/files\n" % tmp)
        f.write("[sms]\nurl = http://127.0.0.1:%d/sms\nsecret = gw-secret\nsign_name = 回款演示\n" % sms_port)
        f.write("[email]\nurl = smtp://127.0.0.1:%d\nstarttls = yes\nca_file = %s/ca.pem\nuser = hk\n"
                "password = secret\nfrom = collections@demo.example\nfrom_name = 回款演示资产管理\n"
                % (smtp_port, sinkdir))
        f.write("[outbox]\nbackoff = 1\n")
        f.write("[compliance]\nquiet_hours = %02d:00-%02d:00\n%s" % (quiet[0], quiet[1], extra))
    return path


h = datetime.datetime.now(SH).hour
awake = write_config("awake", ((h + 12) % 24, (h + 13) % 24))
night = write_config("night", (h, (h + 2) % 24))
capped = write_config("capped", ((h + 12) % 24, (h + 13) % 24), "max_messages_per_day = 1\n")


def start(config):
    global server
    stop()
    out = open(tmp + "/serve.out", "w")
    server = subprocess.Popen([hk, "--db", db, "--config", config, "serve", "--no-send",
                               "--listen", "127.0.0.1:0"], stdout=out, stderr=subprocess.DEVNULL)
    for _ in range(200):
        t = open(tmp + "/serve.out").read()
        if "http://" in t:
            api = Api("http://127.0.0.1:" + t.strip().rsplit(":", 1)[1], lang="en")
            api.login("admin", "wang.jl", "zhang.zz")
            return api
        time.sleep(0.05)
    raise SystemExit("the server did not start")


def stop():
    global server
    if server:
        server.terminate()
        server.wait()
        server = None


def send(config=awake):
    r = subprocess.run([hk, "--db", db, "--config", config, "messages", "send"], capture_output=True, text=True)
    m = re.search(r"(\d+)", r.stdout)
    return r.returncode, int(m.group(1)) if m else -1


def masked(channel, addr):
    """A recipient as the API shows it: 138****5678, d***@example.cn."""
    if channel == "email":
        local, domain = addr.rsplit("@", 1)
        return local[0] + "***@" + domain
    return addr[:3] + "*" * (len(addr) - 7) + addr[-4:] if len(addr) > 7 else "*" * len(addr)


def outbox(ref):
    r = rows("select status, attempts, next_at, coalesce(provider_id, ''), coalesce(last_error, ''), "
             "coalesce(rule, ''), sent_at, msg_id, to_addr, body, delivered_at from outbox where ref = ?", ref)
    keys = ("status", "attempts", "next_at", "provider_id", "last_error", "rule", "sent_at", "msg_id", "to",
            "body", "delivered_at")
    return dict(zip(keys, r[0])) if r else {}


# ---- what a message must say, computed here ---------------------------------
def fen(s):
    return int(Decimal(s) * 100)


def grouped(f):
    return "{:,}".format(f // 100) + ".%02d" % (f % 100)


DIG = "零壹贰叁肆伍陆柒捌玖"


def capitals(f):
    if f == 0:
        return "零元整"
    yuan, jiao, fn, out = f // 100, f // 10 % 10, f % 10, ""
    if yuan:
        groups, zero = [], False
        while yuan:
            groups.append(yuan % 10000)
            yuan //= 10000
        for gi in reversed(range(len(groups))):
            g = groups[gi]
            if g == 0:
                zero = zero or bool(out)
                continue
            for di in (3, 2, 1, 0):
                d = g // 10 ** di % 10
                if d == 0:
                    zero = zero or bool(out)
                else:
                    out += ("零" if zero else "") + DIG[d] + ["", "拾", "佰", "仟"][di]
                    zero = False
            out += ["", "万", "亿", "万亿"][gi]
        out += "元"
    if jiao:
        out += DIG[jiao] + "角"
    elif fn and out:
        out += "零"
    return out + (DIG[fn] + "分" if fn else "整")


def cn_date(d):
    return "%d年%d月%d日" % (d.year, d.month, d.day)


def render(body, data):
    """The template language's subset the shipped messages use: sections
    written as they are, {{#each accounts}} with {{@n}}, dotted names."""
    body = re.sub(r"\{\{[#/]section[^}]*\}\}", "", body)

    def value(path, scope):
        for s in scope:
            v = s
            for part in path.split("."):
                v = v.get(part) if isinstance(v, dict) else None
            if v is not None:
                return str(v)
        raise KeyError(path)

    def each(m):
        return "".join(re.sub(r"\{\{([@\w.]+)\}\}",
                              lambda t: str(i + 1) if t.group(1) == "@n" else value(t.group(1), [item, data]),
                              m.group(1)) for i, item in enumerate(data["accounts"]))
    body = re.sub(r"\{\{#each accounts\}\}(.*?)\{\{/each\}\}", each, body, flags=re.S)
    return re.sub(r"\{\{([\w.]+)\}\}", lambda t: value(t.group(1), [data]), body).rstrip()


def template(name):
    text = open("%s/data/templates/%s.txt" % (src, name), encoding="utf-8").read()
    head, body = text.split("\n---\n", 1)
    h = dict(l.split(": ", 1) for l in head.splitlines())
    return h, body


ini = configparser.ConfigParser(inline_comment_prefixes=(";",))
ini.read(awake, encoding="utf-8")
out = subprocess.run([hk, "--db", db, "export", "accounts"], capture_output=True, text=True).stdout
state = {r["account_id"]: r for r in csv.DictReader(io.StringIO(out))}
as_of = datetime.date.fromisoformat(next(iter(state.values()))["as_of"])
cases = {}
for ref, debtor, creditor, name, kind, phone in rows(
        "select c.ref, c.debtor_ref, c.creditor, d.name, d.kind, d.phone from cases c "
        "join debtors d on d.ref = c.debtor_ref"):
    cases[ref] = {"debtor": debtor, "creditor": creditor, "name": name, "kind": kind, "phone": phone,
                  "accounts": []}
for aid, case, opened in rows("select account_id, case_ref, open_date from accounts order by ref"):
    cases[case]["accounts"].append((aid, opened))


def data_of(case, days_to_pay=7, addressee=None):
    c = cases[case]
    cr = ini["creditor." + c["creditor"]]
    today = datetime.datetime.now(SH).date()
    accts = [{"id": a, "open_date": cn_date(datetime.date(1970, 1, 1) + datetime.timedelta(days=o)),
              "dpd": int(state[a]["dpd"]), "owed_total": grouped(fen(state[a]["total_overdue"]))}
             for a, o in c["accounts"]]
    owed = sum(fen(state[a]["total_overdue"]) for a, _ in c["accounts"])
    return {"debtor": {"name": c["name"], "salutation": c["name"] + ("先生/女士" if c["kind"] == "person" else "")},
            "addressee": {"name": addressee or c["name"]},
            "creditor": {"name": cr["name"], "phone": cr["phone"]}, "contract": cr["contract"],
            "as_of": cn_date(as_of), "today": cn_date(today),
            "deadline": cn_date(today + datetime.timedelta(days=days_to_pay)),
            "dpd": max(a["dpd"] for a in accts), "accounts": accts,
            "owed": {"total": grouped(owed), "total_cn": capitals(owed)},
            "callback_phone": ini["letters"]["callback_phone"], "_owed": owed}


# the treatments' messages (the last part) and cases for each check: owing,
# each of its own debtor, none of them the treatments'
strategies = {r[0]: json.loads(r[1]) for r in rows("select ref, body from strategies")}
in_force = one("select max(ref) from strategies where status = 'published'")
treated = set()
for case, sref, rule, arm in rows("select case_ref, strategy_ref, rule_no, arm_no from case_treatment"):
    if sref == in_force and rule >= 0:
        r = strategies[sref]["rules"][rule]
        then = r["arms"][arm]["then"] if arm >= 0 else r["then"]
        if then["channel"] in ("sms", "email"):
            treated.add((case, then["template"], then["channel"]))
debtor_cases = {}
for c in cases:
    debtor_cases.setdefault(cases[c]["debtor"], []).append(c)
free = [c for c in sorted(cases) if data_of(c)["_owed"] > 0 and len(debtor_cases[cases[c]["debtor"]]) == 1
        and c not in {t[0] for t in treated} and cases[c]["phone"][-1] not in "09"]
ending = lambda d: [c for c in sorted(cases) if data_of(c)["_owed"] > 0 and cases[c]["phone"].endswith(d)
                    and len(debtor_cases[cases[c]["debtor"]]) == 1 and c not in {t[0] for t in treated}]
ok("cases to send to: owing, one a debtor, numbers ending in 0 and 9 among them",
   len(free) >= 14 and ending("0") and ending("9"), (len(free), ending("0")[:1], ending("9")[:1]))
(c_sms, c_000, c_mail, c_busy, c_nobody, c_third, c_stop, c_stop_late, c_dispute, c_cap, c_quiet,
 c_nomail, c_cap2) = free[:13]
c_0, c_9 = ending("0")[0], ending("9")[0]
audited0 = one("select count(*) from audit_log where action = 'guard.refused'")

try:
    api = start(awake)
    call = api.call
    sms_first, sms_first_body = template("first_notice.sms")

    # ---- an SMS, sent ---------------------------------------------------------
    st, m = call("wang.jl", "POST", "/api/cases/%d/messages" % c_sms,
                 {"template": "first_notice", "channel": "sms"})
    want = render(sms_first_body, data_of(c_sms))
    ok("an SMS queued through the API (201): the template rendered with the case's figures",
       st == 201 and m["status"] == "queued" and m["body"] == want
       and outbox(m["id"])["to"] == cases[c_sms]["phone"], (st, m, want))
    ok("its recipient in the answer masked (%s)" % masked("sms", cases[c_sms]["phone"]),
       st == 201 and m["to"] == masked("sms", cases[c_sms]["phone"]) != cases[c_sms]["phone"], m.get("to"))
    ok("the text as computed here names the total owed and the deadline",
       grouped(data_of(c_sms)["_owed"]) + "元" in want and data_of(c_sms)["deadline"] in want)
    sms_ref = m.get("id", 0)
    rc, n = send()
    got = [s for s in received("sms.jsonl") if s["id"] == m.get("msg_id")]
    ok("messages send: the gateway received exactly it (id, number, sign name, text)",
       rc == 0 and n == 1 and len(got) == 1 and got[0] == {"id": m["msg_id"], "to": cases[c_sms]["phone"],
                                                            "sign": "回款演示", "text": want},
       (rc, n, got))
    o = outbox(sms_ref)
    ok("sent, with the gateway's id, once", o["status"] == "sent" and re.fullmatch(r"gw-\d+", o["provider_id"])
       and o["attempts"] == 1 and o["sent_at"], o)
    rc, n = send()
    ok("a second send sends nothing", rc == 0 and n == 0 and len(received("sms.jsonl")) == 1, n)

    # ---- retries, a refused number, email ----------------------------------
    q_upd = "update debtors set phone = '00012345678' where ref = %d" % cases[c_000]["debtor"]
    con.execute(q_upd)
    con.commit()
    st, ct = call("wang.jl", "POST", "/api/cases/%d/contacts" % c_mail,
                  {"relation": "self", "name": cases[c_mail]["name"], "phone": "13800001111",
                   "source": "debtor_provided", "email": "debtor.%d@example.cn" % c_mail})
    ok("a contact with an email address (201)", st == 201 and ct.get("contact_id"), (st, ct))
    mail_contacts = {}
    for case, addr in ((c_busy, "busy.%d@example.cn" % c_busy), (c_nobody, "nobody.%d@example.cn" % c_nobody)):
        st, ct = call("wang.jl", "POST", "/api/cases/%d/contacts" % case,
                      {"relation": "self", "name": cases[case]["name"], "phone": "13800002222",
                       "source": "debtor_provided", "email": addr})
        mail_contacts[case] = ct.get("contact_id")
    st, e = call("wang.jl", "POST", "/api/cases/%d/contacts" % c_nomail,
                 {"relation": "self", "phone": "13800003333", "source": "x", "email": "not an address"})
    ok("an email that is not one address is refused (400)", st == 400, (st, e))
    st, e = call("wang.jl", "POST", "/api/cases/%d/messages" % c_nomail,
                 {"template": "invoice_overdue", "channel": "email"})
    ok("an email for a debtor without an address is refused (400)", st == 400 and "email" in e.get("message", ""),
       (st, e))
    queued = {}
    for case, body in ((c_0, {"template": "first_notice", "channel": "sms"}),
                       (c_9, {"template": "first_notice", "channel": "sms"}),
                       (c_000, {"template": "first_notice", "channel": "sms"}),
                       (c_mail, {"template": "invoice_overdue", "channel": "email"}),
                       (c_busy, {"template": "invoice_overdue", "channel": "email",
                                 "contact_id": mail_contacts[c_busy]}),
                       (c_nobody, {"template": "invoice_overdue", "channel": "email",
                                   "contact_id": mail_contacts[c_nobody]})):
        st, m = call("wang.jl", "POST", "/api/cases/%d/messages" % case, body)
        queued[case] = m
        ok("queued: case %d, %s by %s (201)" % (case, body["template"], body["channel"]),
           st == 201 and m["status"] == "queued", (st, m))
    ok("the email goes to the debtor's own contact's address, masked in the answer",
       outbox(queued[c_mail]["id"])["to"] == "debtor.%d@example.cn" % c_mail
       and queued[c_mail].get("to") == "d***@example.cn", queued[c_mail].get("to"))
    t_send = int(time.time())
    # (the refused number's due a while ago: failed, its next_at is when)
    con.execute("update outbox set next_at = ? where ref = ?", (t_send - 100, queued[c_000].get("id", 0)))
    con.commit()
    rc, n = send()
    sms = received("sms.jsonl")
    by_id = lambda case: [s for s in sms if s["id"] == queued[case].get("msg_id")]
    o0, o9, o000 = outbox(queued[c_0]["id"]), outbox(queued[c_9]["id"]), outbox(queued[c_000]["id"])
    ok("a number ending in 0 (503): queued again, attempt 1, next_at a backoff later, nothing sent",
       o0["status"] == "queued" and o0["attempts"] == 1 and t_send < o0["next_at"] <= int(time.time()) + 1
       and "503" in o0["last_error"] and not by_id(c_0), (o0, by_id(c_0)))
    ok("a number ending in 9 (answer lost): queued again, attempt 1; the gateway has it once",
       o9["status"] == "queued" and o9["attempts"] == 1 and len(by_id(c_9)) == 1, (o9, by_id(c_9)))
    ok("a number 000... refused by the gateway (400): failed at once, nothing sent",
       o000["status"] == "failed" and o000["attempts"] == 1 and "400" in o000["last_error"] and not by_id(c_000),
       o000)
    mails = received("mail.jsonl")
    to_mail = lambda case, addr: [x for x in mails if x["to"] == [addr]]
    om, ob, on = outbox(queued[c_mail]["id"]), outbox(queued[c_busy]["id"]), outbox(queued[c_nobody]["id"])
    ok("an email sent", om["status"] == "sent" and om["attempts"] == 1, om)
    ok("busy@ (451): queued again, attempt 1, nothing delivered",
       ob["status"] == "queued" and ob["attempts"] == 1 and not to_mail(c_busy, "busy.%d@example.cn" % c_busy), ob)
    ok("nobody@ (550): failed", on["status"] == "failed" and on["attempts"] == 1
       and not to_mail(c_nobody, "nobody.%d@example.cn" % c_nobody), on)
    got = to_mail(c_mail, "debtor.%d@example.cn" % c_mail)
    inv_h, inv_body = template("invoice_overdue.email")
    d = data_of(c_mail, int(inv_h["days_to_pay"]))
    ok("the SMTP sink received it once, over TLS, authenticated, from [email] from",
       len(got) == 1 and got[0]["tls"] and got[0]["auth"] and got[0]["from"] == "collections@demo.example", got)
    if got:
        msg = email.message_from_string(got[0]["data"])
        subject = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
        body = msg.get_payload(decode=True).decode("utf-8")
        to = str(email.header.make_header(email.header.decode_header(msg["To"])))
        ok("its subject in RFC 2047, decoding to the template's",
           msg["Subject"].startswith("=?UTF-8?B?") and subject == render(inv_h["subject"], d), subject)
        ok("its body (base64 UTF-8) the template rendered: each account, the total in figures and capitals",
           msg["Content-Transfer-Encoding"] == "base64" and body == render(inv_body, d)
           and d["owed"]["total"] in body and d["owed"]["total_cn"] in body, (body, render(inv_body, d)))
        ok("To names the debtor; Message-ID carries our id",
           cases[c_mail]["name"] in to and queued[c_mail]["msg_id"] in msg["Message-ID"], (to, msg["Message-ID"]))
    # the retries, once next_at has passed
    wait = max(o0["next_at"], o9["next_at"], ob["next_at"]) - time.time()
    time.sleep(max(0, wait) + 1.05)
    rc, n = send()
    sms = received("sms.jsonl")
    o0, o9, ob = outbox(queued[c_0]["id"]), outbox(queued[c_9]["id"]), outbox(queued[c_busy]["id"])
    ok("the 0 number's retry: sent, attempt 2, the gateway has it once",
       o0["status"] == "sent" and o0["attempts"] == 2 and len(by_id(c_0)) == 1
       and by_id(c_0)[0]["text"] == render(sms_first_body, data_of(c_0)), (o0, by_id(c_0)))
    ok("the 9 number's retry: sent with the gateway's id, still once there (no duplicate)",
       o9["status"] == "sent" and o9["attempts"] == 2 and len(by_id(c_9)) == 1
       and re.fullmatch(r"gw-\d+", o9["provider_id"]), (o9, by_id(c_9)))
    mails = received("mail.jsonl")
    ok("busy@'s retry: sent, delivered once",
       ob["status"] == "sent" and ob["attempts"] == 2 and len(to_mail(c_busy, "busy.%d@example.cn" % c_busy)) == 1,
       ob)
    ok("the failed ones stay failed and unsent", outbox(queued[c_000]["id"])["status"] == "failed"
       and outbox(queued[c_nobody]["id"])["status"] == "failed" and not by_id(c_000))

    # ---- delivery receipts ------------------------------------------------------
    def receipt(body, secret=b"gw-secret", ts=None):
        raw = json.dumps(body).encode()
        ts = str(ts or int(time.time()))
        sig = hmac.new(secret, ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
        req = urllib.request.Request(api.base + "/api/outbox/receipts", data=raw, method="POST",
                                     headers={"Content-Type": "application/json", "X-Huikuan-Timestamp": ts,
                                              "X-Huikuan-Signature": sig})
        try:
            with urllib.request.urlopen(req) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    o = outbox(sms_ref)
    st, b = receipt({"id": o["provider_id"], "status": "delivered"})
    o2 = outbox(sms_ref)
    ok("a signed receipt: delivered", st == 200 and b == {"duplicate": False} and o2["status"] == "delivered"
       and o2["delivered_at"], (st, b, o2))
    snap = (o2, rows("select * from outbox_receipts order by outbox_ref, status"))
    st, b = receipt({"id": o["provider_id"], "status": "delivered"})
    ok("the same receipt again: duplicate, nothing changes",
       st == 200 and b == {"duplicate": True} and (outbox(sms_ref), rows(
           "select * from outbox_receipts order by outbox_ref, status")) == snap, (st, b))
    ok("one receipt recorded", one("select count(*) from outbox_receipts where outbox_ref = ?", sms_ref) == 1)
    st, b = receipt({"id": outbox(queued[c_9]["id"])["provider_id"], "status": "undelivered"}, secret=b"wrong")
    ok("a bad signature: 401, nothing changes", st == 401 and outbox(queued[c_9]["id"])["status"] == "sent", (st, b))
    st, b = receipt({"id": outbox(queued[c_9]["id"])["provider_id"], "status": "delivered"},
                    ts=int(time.time()) - 3600)
    ok("an hour-old signature (a replay): 401", st == 401, (st, b))
    st, b = receipt({"id": "gw-no-such", "status": "delivered"})
    ok("a receipt for no message of ours: 404", st == 404, (st, b))

    # ---- the guardrails ---------------------------------------------------------
    def refused(name, case, body, rule):
        n0 = one("select count(*) from outbox where case_ref = ?", case)
        st, e = call("wang.jl", "POST", "/api/cases/%d/messages" % case, body)
        r = rows("select status, rule, coalesce(last_error, '') from outbox where case_ref = ? "
                 "order by ref desc limit 1", case)
        ok(name + ": 403 %s, in the outbox as refused" % rule,
           st == 403 and e.get("rule") == rule and e.get("message")
           and one("select count(*) from outbox where case_ref = ?", case) == n0 + 1
           and r and r[0][0] == "refused" and r[0][1] == rule and r[0][2] == e.get("message"), (st, e, r))

    st, friend = call("wang.jl", "POST", "/api/cases/%d/contacts" % c_third,
                      {"relation": "friend", "name": "王小明", "phone": "13912345678", "source": "debtor_provided"})
    fid = friend.get("contact_id")
    refused("a debtor's template to a friend", c_third,
            {"template": "first_notice", "channel": "sms", "contact_id": fid}, "GR-THIRD-PARTY")
    st, m = call("wang.jl", "POST", "/api/cases/%d/messages" % c_third,
                 {"template": "third_party_callback", "channel": "sms", "contact_id": fid})
    tp_h, tp_body = template("third_party_callback.sms")
    d = data_of(c_third, addressee="王小明")
    ok("the third-party call-back template to the friend: accepted, its text rendered, to the friend's number",
       st == 201 and m["body"] == render(tp_body, d) and outbox(m["id"])["to"] == "13912345678"
       and m["to"] == "139****5678", (st, m))
    ok("and it names no amount, no creditor, no debt",
       st == 201 and d["owed"]["total"] not in m["body"] and "元" not in m["body"]
       and d["creditor"]["name"] not in m["body"] and "逾期" not in m["body"] and "欠" not in m["body"], m.get("body"))
    st, e = call("wang.jl", "POST", "/api/cases/%d/messages" % c_third,
                 {"template": "third_party_callback", "channel": "sms"})
    ok("the third-party template to the debtor: refused (400)", st == 400, (st, e))

    st, s = call("wang.jl", "POST", "/api/cases/%d/stops" % c_stop, {"channel": "sms", "reason": "debtor_request"})
    ok("the debtor asks to stop SMS (201)", st == 201, (st, s))
    refused("an SMS after the debtor's stop", c_stop, {"template": "first_notice", "channel": "sms"}, "GR-STOP")
    st, s = call("wang.jl", "POST", "/api/cases/%d/stops" % c_mail, {"channel": "sms", "reason": "debtor_request"})
    st, m = call("wang.jl", "POST", "/api/cases/%d/messages" % c_mail,
                 {"template": "invoice_overdue", "channel": "email"})
    ok("a stop of SMS leaves email open (201)", st == 201, (st, m))
    refused("while SMS to that debtor is stopped", c_mail, {"template": "first_notice", "channel": "sms"}, "GR-STOP")
    # a stop after queueing: the sender checks again as it leaves
    st, late = call("wang.jl", "POST", "/api/cases/%d/messages" % c_stop_late,
                    {"template": "first_notice", "channel": "sms"})
    st2, s = call("wang.jl", "POST", "/api/cases/%d/stops" % c_stop_late,
                  {"channel": "all", "reason": "complaint"})
    t_late = int(time.time())
    # (due a while ago: refused, its next_at is when the sender refused it)
    con.execute("update outbox set next_at = ? where ref = ?", (t_late - 100, late.get("id", 0)))
    con.commit()
    rc, n = send()
    o = outbox(late.get("id", 0))
    ok("a message queued before a complaint: refused GR-STOP when sending, never sent",
       st == 201 and st2 == 201 and o["status"] == "refused" and o["rule"] == "GR-STOP"
       and not [x for x in received("sms.jsonl") if x["id"] == late["msg_id"]], o)
    st, dsp = call("wang.jl", "POST", "/api/cases/%d/disputes" % c_dispute, {"reason": "客户称已于上月结清"})
    ok("a dispute opened (201)", st == 201, (st, dsp))
    refused("an SMS while a dispute is open", c_dispute, {"template": "first_notice", "channel": "sms"},
            "GR-DISPUTE")
    st, e = call("admin", "POST", "/api/templates",
                 {"code": "rude", "channel": "sms", "name": "催收", "audience": "debtor", "kind": "reminder",
                  "body": "{{debtor.name}}，你这个老赖，再不还钱就爆通讯录。"})
    ok("the lexicon: an SMS template with its words is refused at saving (400), the words named",
       st == 400 and any("老赖" in p and "爆通讯录" in p for p in e.get("problems", [])), (st, e))
    ok("so no message can carry them: nothing saved",
       one("select count(*) from templates where code = 'rude'") == 0)
    ok("every refusal audited as guard.refused with its rule",
       one("select count(*) from audit_log where action = 'guard.refused'") - audited0 == 4
       and one("select count(*) from audit_log where action = 'guard.refused' and detail like '%GR-STOP%'") == 2,
       rows("select target, detail from audit_log where action = 'guard.refused'"))

    # ---- the lists: recipients masked, keyset pages ------------------------------
    # (a gateway's answer quoting the number it refused)
    con.execute("update outbox set last_error = ? where ref = ?",
                ("400 invalid number 00012345678", queued[c_000]["id"]))
    con.commit()
    db_to = {r[0]: (r[1], r[2]) for r in rows("select ref, channel, to_addr from outbox")}
    all_refs = [r[0] for r in rows("select ref from outbox order by ref desc")]
    st, ob = call("wang.jl", "GET", "/api/outbox?limit=500")
    msgs = ob.get("messages", [])
    ok("GET /api/outbox: every recipient masked, none whole (%d messages)" % len(msgs),
       st == 200 and [m["id"] for m in msgs] == all_refs and ob.get("next_before") is None
       and all(m["to"] == masked(*db_to[m["id"]]) and (m["to"] != db_to[m["id"]][1] or not m["to"])
               for m in msgs),
       (st, [(m["to"], db_to.get(m["id"])) for m in msgs if m["to"] != masked(*db_to[m["id"]])][:3]))
    st, cm = call("wang.jl", "GET", "/api/cases/%d/messages" % c_000)
    ok("a case's messages: the recipient masked, and where the gateway's answer quotes it",
       st == 200 and cm["messages"] and cm["messages"][0]["to"] == "000****5678"
       and cm["messages"][0]["last_error"] == "400 invalid number 000****5678"
       and "00012345678" not in json.dumps(cm), (st, cm))
    st, cm = call("wang.jl", "GET", "/api/cases/%d/messages" % c_mail)
    ok("an email's address masked in the case's list",
       st == 200 and any(m["to"] == "d***@example.cn" for m in cm["messages"])
       and "debtor.%d@" % c_mail not in json.dumps(cm), (st, cm))

    def walk(path, limit):
        """Every page of a list, following next_before; (ids, page sizes, statuses)."""
        ids, sizes, sts, before = [], [], [], None
        for _ in range(200):
            sep = "&" if "?" in path else "?"
            st, page = call("wang.jl", "GET", "%s%slimit=%d%s" % (path, sep, limit,
                                                                  "&before=%d" % before if before else ""))
            sts.append(st)
            if st != 200:
                break
            ids += [m["id"] for m in page["messages"]]
            sizes.append(len(page["messages"]))
            before = page.get("next_before")
            if before is None:
                break
        return ids, sizes, sts

    ids, sizes, sts = walk("/api/outbox", 3)
    ok("the outbox a page of 3 at a time, following next_before: every message once, newest first",
       ids == all_refs and set(sts) == {200} and all(n == 3 for n in sizes[:-1]) and 1 <= sizes[-1] <= 3,
       (ids, all_refs, sizes, sts))
    case_refs = [r[0] for r in rows("select ref from outbox where case_ref = ? order by ref desc", c_mail)]
    ids, sizes, sts = walk("/api/cases/%d/messages" % c_mail, 1)
    ok("a case's messages a page of 1 at a time: all %d, newest first, the last page's next_before null"
       % len(case_refs), len(case_refs) >= 3 and ids == case_refs and sizes == [1] * len(case_refs), (ids, case_refs))
    ids, sizes, sts = walk("/api/outbox?status=refused", 2)
    ok("pages keep the status filter",
       ids == [r[0] for r in rows("select ref from outbox where status = 'refused' order by ref desc")], ids)
    st, cm = call("wang.jl", "GET", "/api/cases/%d/messages" % c_mail)
    ok("by default a page of up to 200", st == 200 and [m["id"] for m in cm["messages"]] == case_refs
       and "next_before" in cm and cm["next_before"] is None, (st, cm.get("next_before")))
    # a team leader's outbox: the team's cases' messages only (their texts
    # name debtors and amounts), newest first
    team_refs = [r[0] for r in rows("select o.ref from outbox o join cases c on c.ref = o.case_ref "
                                    "where c.team_ref = (select team_ref from users where username = 'zhang.zz') "
                                    "order by o.ref desc")]
    st, tob = call("zhang.zz", "GET", "/api/outbox?limit=500")
    ok("a team leader's outbox: the team's %d of %d messages, no other" % (len(team_refs), len(all_refs)),
       st == 200 and team_refs and len(team_refs) < len(all_refs)
       and [m["id"] for m in tob["messages"]] == team_refs, (st, len(team_refs), len(all_refs)))
    bad_pages = ["before=abc", "before=0", "limit=0", "limit=501", "limit=x", "after=3"]
    answers = [call("wang.jl", "GET", "/api/cases/%d/messages?%s" % (c_mail, q))[0] for q in bad_pages]
    answers += [call("wang.jl", "GET", "/api/outbox?%s" % q)[0] for q in bad_pages]
    ok("a bad before or limit, or an unknown parameter: 400", answers == [400] * len(answers), answers)

    # ---- each message's steps in its case's timeline ----------------------------
    def timeline(case):
        st, tl = call("wang.jl", "GET", "/api/cases/%d/timeline" % case)
        return [e for e in tl.get("events", []) if e["kind"].startswith("message_")] if st == 200 else None

    wang = one("select ref from users where username = 'wang.jl'")
    o = outbox(sms_ref)
    ev = timeline(c_sms)
    want_ev = [("message_delivered", o["delivered_at"], None, "sms", "first_notice", masked("sms", o["to"])),
               ("message_sent", o["sent_at"], None, "sms", "first_notice", masked("sms", o["to"])),
               ("message_queued", one("select created_at from outbox where ref = ?", sms_ref), wang, "sms",
                "first_notice", masked("sms", o["to"]))]
    got_ev = [(e["kind"], e["at"], e["user_id"], e["channel"], e["template"], e["to"]) for e in ev or []
              if e["id"] == sms_ref]
    ok("the timeline: an SMS queued (by whom), sent, delivered, newest first, the number masked",
       got_ev == want_ev, (got_ev, want_ev))
    o = outbox(queued[c_000]["id"])
    got_ev = [(e["kind"], e["at"], e.get("error")) for e in timeline(c_000) or [] if e["kind"] == "message_failed"]
    ok("a message failed: when the sender gave up, the gateway's answer (masked)",
       got_ev == [("message_failed", o["next_at"], "400 invalid number 000****5678")] and o["next_at"] >= t_send,
       (got_ev, o["next_at"], t_send))
    refused_ref = one("select max(ref) from outbox where case_ref = ? and status = 'refused'", c_stop)
    got_ev = [(e["kind"], e["user_id"], e.get("rule")) for e in timeline(c_stop) or [] if e["id"] == refused_ref]
    ok("a message refused as it was asked: refused (by whom, the rule), never queued",
       got_ev == [("message_refused", wang, "GR-STOP")], got_ev)
    o = outbox(late["id"])
    got_ev = [(e["kind"], e["user_id"], e.get("rule")) for e in timeline(c_stop_late) or [] if e["id"] == late["id"]]
    at_refused = [e["at"] for e in timeline(c_stop_late) or [] if e["kind"] == "message_refused"]
    ok("one refused when leaving: queued, then refused by the rule when the sender checked again",
       got_ev == [("message_refused", None, "GR-STOP"), ("message_queued", wang, None)]
       and at_refused == [o["next_at"]] and o["next_at"] >= t_late, (got_ev, at_refused, o["next_at"], t_late))
    st, tl = call("wang.jl", "GET", "/api/cases/%d/timeline" % c_mail)
    keys = [e["at"] if e["at"] is not None else
            (datetime.date.fromisoformat(e["date"]) - datetime.date(1970, 1, 1)).days * 86400 + 86399
            for e in tl.get("events", [])]
    ok("merged with the case's other events, newest first",
       st == 200 and any(e["kind"] == "message_sent" for e in tl["events"])
       and any(not e["kind"].startswith("message_") for e in tl["events"])
       and all(a >= b for a, b in zip(keys, keys[1:])), keys[:12])

    # ---- the daily cap --------------------------------------------------------
    api = start(capped)
    call = api.call
    st, m = call("wang.jl", "POST", "/api/cases/%d/messages" % c_cap, {"template": "first_notice", "channel": "sms"})
    ok("max_messages_per_day = 1: the first SMS of the day (201)", st == 201, (st, m))
    refused("the second SMS to the same debtor the same day", c_cap,
            {"template": "pre_due_reminder", "channel": "sms"}, "GR-MESSAGES")
    # one queued yesterday and still waiting is not today's: sent today it
    # counts against today's cap
    st, old = call("wang.jl", "POST", "/api/cases/%d/messages" % c_cap2, {"template": "first_notice", "channel": "sms"})
    midnight = datetime.datetime.now(SH).replace(hour=0, minute=0, second=0, microsecond=0)
    con.execute("update outbox set created_at = %d where ref = %d" % (int(midnight.timestamp()) - 3600, old["id"]))
    con.commit()
    st2, new = call("wang.jl", "POST", "/api/cases/%d/messages" % c_cap2,
                    {"template": "pre_due_reminder", "channel": "sms"})
    rc, n = send(capped)
    o_old, o_new = outbox(old["id"]), outbox(new.get("id", 0))
    ok("a message queued yesterday, sent today after today's one: refused GR-MESSAGES, one SMS today",
       st == 201 and st2 == 201 and o_old["status"] == "refused" and o_old["rule"] == "GR-MESSAGES"
       and o_new["status"] == "sent" and not [x for x in received("sms.jsonl") if x["id"] == old["msg_id"]],
       (o_old, o_new))

    # ---- quiet hours ----------------------------------------------------------
    api = start(night)
    call = api.call
    now = datetime.datetime.now(SH)
    end = now.replace(hour=(h + 2) % 24, minute=0, second=0, microsecond=0)
    if now.hour * 60 + now.minute >= ((h + 2) % 24) * 60:
        end += datetime.timedelta(days=1)
    st, m = call("wang.jl", "POST", "/api/cases/%d/messages" % c_quiet, {"template": "first_notice", "channel": "sms"})
    o = outbox(m.get("id", 0))
    ok("in quiet hours an SMS is queued but held until they end (%s)" % end.strftime("%H:%M"),
       st == 201 and o["status"] == "queued" and o["next_at"] == int(end.timestamp())
       and "%02d:00" % h in m["last_error"] and o["last_error"] == m["last_error"],
       (st, m, o, int(end.timestamp())))
    rc, n = send(night)
    ok("messages send leaves it held", rc == 0 and outbox(m["id"])["status"] == "queued"
       and not [x for x in received("sms.jsonl") if x["id"] == m["msg_id"]], (rc, n, outbox(m["id"])))
    # due now, but still quiet: the sender holds it again
    con.execute("update outbox set next_at = %d where ref = %d" % (int(time.time()) - 1, m["id"]))
    con.commit()
    rc, n = send(night)
    o = outbox(m["id"])
    ok("due, but sent in quiet hours: the sender holds it again until they end, nothing sent",
       rc == 0 and o["status"] == "queued" and o["next_at"] == int(end.timestamp())
       and not [x for x in received("sms.jsonl") if x["id"] == m["msg_id"]], o)
    con.execute("update outbox set next_at = %d where ref = %d" % (int(time.time()) - 1, m["id"]))
    con.commit()
    rc, n = send(awake)
    ok("once the hours allow, it leaves, once",
       outbox(m["id"])["status"] == "sent" and len([x for x in received("sms.jsonl") if x["id"] == m["msg_id"]]) == 1,
       outbox(m["id"]))
finally:
    stop()

# ---- the treatments' messages -----------------------------------------------
last = one("select coalesce(max(ref), 0) from outbox")
r = subprocess.run([hk, "--db", db, "--config", awake, "messages", "queue"], capture_output=True, text=True)
m = re.search(r"(\d+)\D+(\d+)", r.stdout)
new = rows("select o.case_ref, t.code, o.channel, o.status, o.strategy_ref, o.rule_no, o.arm_no from outbox o "
           "join templates t on t.ref = o.template_ref where o.ref > ?", last)
tr = {c: (s, rn, a) for c, s, rn, a in rows("select case_ref, strategy_ref, rule_no, arm_no from case_treatment")}
ok("messages queue: the treatments' SMS and emails, one each (%d)" % len(treated),
   r.returncode == 0 and m and treated and {(c, t, ch) for c, t, ch, *_ in new} == treated
   and len(new) == len(treated), (r.stdout, r.stderr, new, treated))
ok("its counts: queued and refused as the outbox has them",
   m and int(m.group(1)) == sum(1 for x in new if x[3] == "queued")
   and int(m.group(2)) == sum(1 for x in new if x[3] == "refused"), (r.stdout, new))
ok("each recorded with its treatment (strategy, rule, arm)", all(tuple(x[4:7]) == tr[x[0]] for x in new), new)
r = subprocess.run([hk, "--db", db, "--config", awake, "messages", "queue"], capture_output=True, text=True)
m = re.search(r"(\d+)\D+(\d+)", r.stdout)
ok("a second run the same day queues nothing", r.returncode == 0 and m and m.groups() == ("0", "0")
   and one("select count(*) from outbox where ref > ?", last) == len(new), r.stdout)

# ---- a template naming what a case does not have ----------------------------
try:
    api = start(awake)
    pending = rows("select case_ref, amount, due_on from promises where status = 0 order by made_on desc, ref desc")
    c_prom, amount, due_on = pending[0]
    none = [c for c in free if c not in {p[0] for p in pending}][-1]
    n0 = one("select count(*) from outbox")
    st, e = api.call("wang.jl", "POST", "/api/cases/%d/messages" % none, {"template": "promise_reminder", "channel": "sms"})
    ok("a promise reminder for a case without a pending promise is refused (409), nothing queued: no gaps",
       st == 409 and "promise." in e.get("message", "") and one("select count(*) from outbox") == n0, (st, e))
    st, m = api.call("wang.jl", "POST", "/api/cases/%d/messages" % c_prom, {"template": "promise_reminder", "channel": "sms"})
    h_, body = template("promise_reminder.sms")
    d = data_of(c_prom)
    d["promise"] = {"amount": grouped(amount), "due_on": cn_date(datetime.date(1970, 1, 1) + datetime.timedelta(days=due_on))}
    ok("for a case with one it names the promise's amount and date",
       st == 201 and m["body"] == render(body, d), (st, m.get("body"), render(body, d)))
finally:
    stop()
sinks.terminate()
sinks.wait()
ok.finish("messages")
PY
