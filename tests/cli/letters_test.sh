#!/bin/sh
# Letters (docs/letters.md, issue 7) through the real binary on a demo
# portfolio with data/demo.ini's letterhead, creditors and law firm: every
# shipped letter template written for a case and read back with pdftotext
# against figures computed here from the ledger export (the total owed in
# figures and in Chinese capitals, dates, serial, names, page numbers),
# pdffonts (every font embedded), a picture of each first page saved in
# tests/cli/out/; the register (serials in order, never reused; the file
# named by its SHA-256); refusals (nothing owed, no law firm); batches from
# the treatments and from listed cases (manifest = the letters table, print
# file pages, files' hashes, a rerun changes nothing), a batch killed with
# -9 and finished by `letters run`; templates over the API (the rules'
# problems named, version 2 drafted, previewed, published and in force,
# published versions immutable, roles), a letter's file and a batch's files
# downloaded and checked; a batch started after the server's binary was
# rebuilt under it, and one whose process cannot start (failed, saying
# why); templates' authors, agency collectors reading published templates
# only; letters in the case's timeline; docs/letters.md naming every datum
# a template may use.
# usage: letters_test.sh HUIKUAN_BINARY TESTS_DIR
. "$2/cli/lib.sh"

src=$(cd "$2/.." && pwd)
mkdir -p "$2/cli/out"
db=$(newdb lt)
# the demo's configuration, files kept in $tmp (a PostgreSQL URI names no
# folder); and one without a law firm
{ cat "$src/data/demo.ini"; printf '\n[files]\ndir = %s/files\n' "$tmp"; } >"$tmp/letters.ini"
grep -v '^lawyer_' "$tmp/letters.ini" >"$tmp/nolawyer.ini"
{ cat "$tmp/letters.ini"; printf '[compliance]\nlimitation_years = 0\n'; } >"$tmp/barred.ini"
"$hk" --config "$tmp/letters.ini" demo --db "$db" --accounts 300 --no-serve >/dev/null 2>&1 ||
	{ bad "demo"; finish letters; exit 1; }

python3 - "$hk" "$db" "$tmp" "$2" "$src" <<'PY'
import base64, configparser, csv, datetime, glob, hashlib, io, json, os, re
import shutil, signal, subprocess, sys, time
from decimal import Decimal
from zoneinfo import ZoneInfo

hk, db, tmp, tests, src = sys.argv[1:6]
sys.path.insert(0, tests + "/cli")
from hkapi import Api, Checks, connect

ok = Checks()
cfg, files = tmp + "/letters.ini", tmp + "/files"
con = connect(db)
rows = lambda sql, *a: con.execute(sql, a).fetchall()
one = lambda sql, *a: rows(sql, *a)[0][0]


def run(*args, config=cfg):
    return subprocess.run([hk, "--db", db, "--config", config] + [str(a) for a in args],
                          capture_output=True, text=True)


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def pdf_text(path):
    return subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True).stdout


def flat(text):
    return re.sub(r"\s+", "", text)


def pdf_pages(path):
    out = subprocess.run(["pdfinfo", path], capture_output=True, text=True).stdout
    m = re.search(r"^Pages:\s+(\d+)", out, re.M)
    return int(m.group(1)) if m else -1


def fonts_embedded(path):
    """(fonts, all embedded) from pdffonts' table."""
    out = subprocess.run(["pdffonts", path], capture_output=True, text=True).stdout.splitlines()[2:]
    # columns: name type encoding emb sub uni object ID; the type may have spaces
    embs = [re.split(r"\s+", l.strip())[-5] for l in out if l.strip()]
    return len(embs), all(e == "yes" for e in embs)


# ---- what the letters must say, computed here -------------------------
def fen(s):
    return int(Decimal(s) * 100)


def grouped(f):
    return "%s%s.%02d" % ("-" if f < 0 else "", "{:,}".format(abs(f) // 100), abs(f) % 100)


def plain(f):
    return "%d.%02d" % (f // 100, f % 100)


DIG = "零壹贰叁肆伍陆柒捌玖"


def capitals(f):
    """大写金额: groups of four digits, one 零 for a run of zeros, 整
    without fen (hand-checked in tests/unit/test_types.c)."""
    if f == 0:
        return "零元整"
    yuan, jiao, fn = f // 100, f // 10 % 10, f % 10
    out = ""
    if yuan:
        groups = []
        while yuan:
            groups.append(yuan % 10000)
            yuan //= 10000
        zero = False
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
                    if zero:
                        out += "零"
                        zero = False
                    out += DIG[d] + ["", "拾", "佰", "仟"][di]
            out += ["", "万", "亿", "万亿"][gi]
        out += "元"
    if jiao:
        out += DIG[jiao] + "角"
    elif fn and out:
        out += "零"
    out += DIG[fn] + "分" if fn else "整"
    return out


ok("capitals as the unit test has them", capitals(1234567) == "壹万贰仟叁佰肆拾伍元陆角柒分"
   and capitals(10000500) == "壹拾万零伍元整" and capitals(105) == "壹元零伍分"
   and capitals(10500000009) == "壹亿零伍佰万元零玖分" and capitals(50) == "伍角整")


def cn_date(d):
    return "%d年%d月%d日" % (d.year, d.month, d.day)


today = datetime.datetime.now(ZoneInfo("Asia/Shanghai")).date()
ini = configparser.ConfigParser(inline_comment_prefixes=(";",))
ini.read(cfg, encoding="utf-8")

# the shipped letter templates: header fields and the title line
shipped = {}
for path in sorted(glob.glob(src + "/data/templates/*.letter.txt")):
    text = open(path, encoding="utf-8").read()
    head, body = text.split("\n---\n", 1)
    h = dict(l.split(": ", 1) for l in head.splitlines())
    h["title"] = re.search(r"^# (.+)$", body, re.M).group(1)
    h["body"] = body
    shipped[h["code"]] = h
ok("five shipped letter templates", sorted(shipped) == ["final_notice", "first_notice", "invoice_overdue",
                                                         "lawyers_letter", "second_notice"], sorted(shipped))

# the ledger as of the last day-end, by case
out = subprocess.run([hk, "--db", db, "export", "accounts"], capture_output=True, text=True).stdout
state = {r["account_id"]: r for r in csv.DictReader(io.StringIO(out))}
as_of = datetime.date.fromisoformat(next(iter(state.values()))["as_of"])
cases = {}
for ref, creditor, name, kind in rows("select c.ref, c.creditor, d.name, d.kind from cases c "
                                      "join debtors d on d.ref = c.debtor_ref"):
    cases[ref] = {"creditor": creditor, "name": name, "kind": kind, "accounts": [], "owed": 0}
for aid, case in rows("select account_id, case_ref from accounts order by ref"):
    cases[case]["accounts"].append(aid)
    cases[case]["owed"] += fen(state[aid]["total_overdue"])
owing = sorted(c for c in cases if cases[c]["owed"] > 0)
clear = sorted(c for c in cases if cases[c]["owed"] == 0)
ok("the portfolio has cases owing and cases owing nothing", len(owing) >= 40 and clear, (len(owing), len(clear)))


def serial_no(s):
    return int(s.rsplit("-", 1)[1])


def letters_count():
    return one("select count(*) from letters")


def letters_of_batch(b):
    return {r[0]: r for r in rows(
        "select l.ref, l.serial, l.case_ref, t.code, t.version, l.pages, l.total_owed, l.sha256, l.size "
        "from letters l join templates t on t.ref = l.template_ref where l.batch_ref = ?", b)}


def check_batch(b, name, print_file="print.pdf", consecutive=True):
    """The batch's manifest is its letters table; files by hash; the print
    file's pages are its letters'; amounts are the ledger's."""
    d = "%s/batches/%d" % (files, b)
    status, total, done, skipped, msha, mfsha = rows(
        "select status, total, done, skipped, merged_sha256, manifest_sha256 from letter_batches "
        "where ref = ?", b)[0]
    bcases = rows("select seq, case_ref, template_code, letter_ref, skipped from letter_batch_cases "
                  "where batch_ref = ? order by seq", b)
    lts = letters_of_batch(b)
    ok(name + ": done, its counts its cases'", status == "done" and total == len(bcases)
       and done == len(lts) and skipped == sum(1 for c in bcases if not c[3])
       and done + skipped == total, (status, total, done, skipped, len(lts)))
    want = []
    for seq, case, code, lref, skip in bcases:
        if lref:
            l = lts[lref]
            want.append("%d,%d,%s,%s,%d,%d,%s,%s,%s.pdf," % (seq, case, l[1], l[3], l[4], l[5], plain(l[6]),
                                                              l[7], l[1]))
        else:
            want.append("%d,%d,,%s,,,,,,%s" % (seq, case, code, skip))
    got = open(d + "/manifest.csv", encoding="utf-8").read().splitlines()
    ok(name + ": manifest.csv line for line the letters table",
       got[0] == "seq,case_id,serial,template,version,pages,total_owed,sha256,file,skipped"
       and got[1:] == want, (got[:3], want[:3]))
    ok(name + ": the manifest's SHA-256 recorded", mfsha == sha(d + "/manifest.csv"))
    ok(name + ": each letter's total owed the ledger's",
       all(l[6] == cases[l[2]]["owed"] for l in lts.values()),
       [(l[2], l[6], cases[l[2]]["owed"]) for l in lts.values() if l[6] != cases[l[2]]["owed"]][:3])
    ok(name + ": a case is skipped only when it owes nothing, with the reason",
       all(cases[c[1]]["owed"] == 0 and c[4] for c in bcases if not c[3]),
       [c for c in bcases if not c[3]][:3])
    ok(name + ": each letter's own file and the kept file match its SHA-256 and size",
       all(sha("%s/%s.pdf" % (d, l[1])) == l[7] == sha("%s/%s" % (files, l[7]))
           and os.path.getsize("%s/%s" % (files, l[7])) == l[8] for l in lts.values()))
    sample = sorted(lts.values())[:20]
    ok(name + ": pages recorded are the files' (pdfinfo)",
       all(pdf_pages("%s/%s.pdf" % (d, l[1])) == l[5] for l in sample))
    if consecutive:
        nos = [serial_no(lts[c[3]][1]) for c in bcases if c[3]]
        ok(name + ": serials consecutive in the batch's order",
           nos == list(range(nos[0], nos[0] + len(nos))) if nos else True, nos[:10])
    if print_file:
        ok(name + ": the print file's pages are the letters' (%s)" % print_file,
           pdf_pages(d + "/" + print_file) == sum(l[5] for l in lts.values()),
           (pdf_pages(d + "/" + print_file), sum(l[5] for l in lts.values())))
        ok(name + ": the print file's SHA-256 recorded", msha == sha(d + "/" + print_file))
    return lts


# ---- a batch from the treatments ------------------------------------------
strategies = {r[0]: json.loads(r[1]) for r in rows("select ref, body from strategies")}
in_force = one("select max(ref) from strategies where status = 'published'")
want = set()
for case, sref, rule, arm in rows("select case_ref, strategy_ref, rule_no, arm_no from case_treatment"):
    if sref != in_force or rule < 0:
        continue
    r = strategies[sref]["rules"][rule]
    then = r["arms"][arm]["then"] if arm >= 0 else r["then"]
    if then["channel"] in ("letter", "lawyer_letter"):
        want.add((case, then["template"]))
r = run("letters", "batch")
m = re.search(r"(\d+)\D+(\d+)", r.stdout)
ok("a batch from the treatments", r.returncode == 0 and m, (r.returncode, r.stdout, r.stderr))
tb = int(m.group(1)) if m else 0
got = {(c, t) for c, t in rows("select case_ref, template_code from letter_batch_cases where batch_ref = ?", tb)}
ok("its cases: exactly the treatments' letters (second, final notices and lawyer's letters)",
   got == want and {t for _, t in want} >= {"second_notice", "final_notice"}, (sorted(got - want), sorted(want - got)))
tlet = check_batch(tb, "treatments batch")
ok("serials from HK-YYYY-000001", sorted(l[1] for l in tlet.values())[0] == "HK-%d-000001" % today.year)


def snapshot(b):
    d = "%s/batches/%d" % (files, b)
    return (rows("select * from letter_batches where ref = ?", b),
            rows("select * from letter_batch_cases where batch_ref = ? order by seq", b),
            letters_count(), rows("select count(*) from letter_batches"),
            sorted((n, os.stat(d + "/" + n).st_mtime_ns, os.stat(d + "/" + n).st_size) for n in os.listdir(d)))


before = snapshot(tb)
r = run("letters", "run", tb)
ok("a rerun of the batch, nothing pending, changes nothing", r.returncode == 0 and snapshot(tb) == before,
   (r.returncode, r.stderr, before[0], snapshot(tb)[0], set(before[4]) ^ set(snapshot(tb)[4])))
r = run("letters", "batch")
ok("the treatments' letters are not written twice (exit 3, nothing changed)",
   r.returncode == 3 and snapshot(tb) == before, (r.returncode, r.stdout, r.stderr))

# ---- refusals ------------------------------------------------------------
n0 = letters_count()
r = run("letters", "write", clear[0], "first_notice")
ok("a demand for a case owing nothing is refused (exit 4), nothing recorded",
   r.returncode == 4 and letters_count() == n0 and "逾期欠款" in r.stderr, (r.returncode, r.stderr))
person_owing = [c for c in owing if cases[c]["kind"] == "person"]
r = run("letters", "write", person_owing[0], "lawyers_letter", config=tmp + "/nolawyer.ini")
ok("a lawyer's letter without [letters] lawyer_firm is refused (exit 3), nothing recorded",
   r.returncode == 3 and letters_count() == n0 and "lawyer_firm" in r.stderr, (r.returncode, r.stderr))
# time-barred with limitation_years = 0: every overdue account's last
# acknowledgement (its first overdue date, its payments) before today, no
# contact recorded on the case
last_paid = dict(rows("select a.account_id, max(p.paid_on) from accounts a join payments p "
                      "on p.account_ref = a.ref group by a.account_id"))
contacted = {c for (c,) in rows("select distinct case_ref from contact_records")}
epoch = datetime.date(1970, 1, 1)
barred = [c for c in person_owing if c not in contacted and all(
    datetime.date.fromisoformat(state[a]["first_overdue_date"]) < today
    and (last_paid.get(a) is None or epoch + datetime.timedelta(days=last_paid[a]) < today)
    for a in cases[c]["accounts"] if fen(state[a]["total_overdue"]) > 0)]
r = run("letters", "write", barred[0], "lawyers_letter", config=tmp + "/barred.ini") if barred else None
ok("a lawyer's letter on a time-barred case is refused GR-LIMITATION (exit 4), nothing recorded",
   r and r.returncode == 4 and letters_count() == n0 and "诉讼时效" in r.stderr, r and (r.returncode, r.stderr))
r = run("letters", "write", owing[0], "no_such_template")
ok("a template that does not exist is refused, nothing recorded",
   r.returncode == 3 and letters_count() == n0 and "no_such_template" in r.stderr, (r.returncode, r.stderr))

# ---- every shipped letter template, written and read back ---------------
company = [c for c in owing if cases[c]["kind"] == "company"]
multi = [c for c in person_owing if sum(1 for a in cases[c]["accounts"] if fen(state[a]["total_overdue"]) > 0) >= 2]
pick = {"invoice_overdue": company[0], "final_notice": multi[0], "lawyers_letter": multi[1] if len(multi) > 1 else person_owing[1],
        "first_notice": person_owing[2], "second_notice": person_owing[3]}
ok("cases for every template: a company's for the invoice letter, several overdue accounts for others",
   company and multi and len(set(pick.values())) == 5, pick)
single = {}
for code in sorted(shipped):
    case, h = pick[code], shipped[code]
    c = cases[case]
    last = max(serial_no(s) for (s,) in rows("select serial from letters"))
    r = run("letters", "write", case, code)
    m = re.search(r"(HK-\d{4}-\d{6})\D+(\d+)\D+SHA-256 ([0-9a-f]{64})\n(.+)\n", r.stdout)
    ok("%s: written for case %d" % (code, case), r.returncode == 0 and m, (r.returncode, r.stdout, r.stderr))
    if not m:
        continue
    serial, pages, digest, path = m.group(1), int(m.group(2)), m.group(3), m.group(4)
    ok("%s: serial %s, the next in order" % (code, serial), serial == "HK-%d-%06d" % (today.year, last + 1))
    ok("%s: kept under [files] dir by its SHA-256, which its bytes have" % code,
       os.path.abspath(path) == os.path.abspath(files + "/" + digest) and sha(path) == digest)
    rec = rows("select l.case_ref, t.code, t.version, l.total_owed, l.pages, l.sha256, l.size, l.batch_ref, l.as_of "
               "from letters l join templates t on t.ref = l.template_ref where l.serial = ?", serial)
    ok("%s: recorded on the case (template version 1, the ledger's total, pages, hash, size)" % code,
       len(rec) == 1 and rec[0][:8] == (case, code, 1, c["owed"], pages, digest, os.path.getsize(path), None), rec)
    single[code] = (case, serial, digest, path)
    text = flat(pdf_text(path))
    deadline = today + datetime.timedelta(days=int(h["days_to_pay"]))
    creditor = ini["creditor." + c["creditor"]]["name"]
    need = {"title": h["title"], "debtor": c["name"], "creditor": creditor, "serial": serial,
            "total": grouped(c["owed"]) + "元",
            "capitals": "大写：" + capitals(c["owed"]), "deadline": cn_date(deadline) + "前",
            "as of": "截至" + cn_date(as_of), "dated": cn_date(today),
            "letterhead": ini["letters"]["org"]}
    if code == "lawyers_letter":
        need["firm"] = ini["letters"]["lawyer_firm"]
        need["lawyer"] = ini["letters"]["lawyer_name"]
    for aid in c["accounts"]:
        # each account's line: its id (masked past 8 characters) and its total
        need["account " + aid] = aid if len(aid) <= 8 or code == "invoice_overdue" else aid[:4] + "****" + aid[-4:]
        need["account total " + aid] = grouped(fen(state[aid]["total_overdue"]))
    missing = [k for k, v in need.items() if flat(v) not in text]
    ok("%s: pdftotext finds title, names, serial, %s in figures and capitals, deadline %s, dates, accounts"
       % (code, grouped(c["owed"]), cn_date(deadline)), not missing, [(k, need[k]) for k in missing])
    n_pages = pdf_pages(path)
    ok("%s: %d page(s), each numbered 第 n 页，共 %d 页" % (code, n_pages, n_pages),
       n_pages == pages and all("第%d页，共%d页" % (p, n_pages) in text for p in range(1, n_pages + 1)))
    nf, emb = fonts_embedded(path)
    ok("%s: every font embedded (pdffonts: %d)" % (code, nf), nf >= 1 and emb)
    # (named by backend: meson runs the SQLite and PostgreSQL runs at once)
    png = "%s/cli/out/%s-%s" % (tests, os.environ.get("HK_TEST_BACKEND", "sqlite"), code)
    for old in glob.glob(png + "-*.png"):
        os.unlink(old)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", path, png])
    pics = glob.glob(png + "-*.png")
    ok("%s: a picture of page 1 in tests/cli/out/" % code,
       len(pics) == 1 and open(pics[0], "rb").read(8) == b"\x89PNG\r\n\x1a\n" and os.path.getsize(pics[0]) > 5000,
       pics)
serials = [s for (s,) in rows("select serial from letters")]
ok("no serial twice in the register", len(serials) == len(set(serials)))

# ---- a batch of listed cases with a template ------------------------------
listed = owing[10:13] + clear[:1] + owing[13:16] + clear[1:2]  # a case owing nothing in the middle
r = run("letters", "batch", "--template", "second_notice", "--cases", ",".join(map(str, listed)))
m = re.search(r"(\d+)\D+(\d+)", r.stdout)
ok("a batch of listed cases", r.returncode == 0 and m and int(m.group(2)) == len(listed), (r.stdout, r.stderr))
lb = int(m.group(1)) if m else 0
lts = check_batch(lb, "listed batch")
ok("listed batch: the owing cases' letters from second_notice, in the order given",
   [l[2] for l in sorted(lts.values(), key=lambda l: l[1])] == owing[10:16]
   and {l[3] for l in lts.values()} == {"second_notice"})
before = snapshot(lb)
r = run("letters", "run", lb)
ok("listed batch: a rerun changes nothing", r.returncode == 0 and snapshot(lb) == before, r.stderr)

# ---- a batch killed part-way, finished by letters run -----------------------
prev = one("select coalesce(max(ref), 0) from letter_batches")
allc = sorted(cases)
p = subprocess.Popen([hk, "--db", db, "--config", cfg, "letters", "batch", "--template", "first_notice",
                      "--cases", ",".join(map(str, allc)), "--threads", "1"],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
t0 = time.time()
while time.time() - t0 < 60 and p.poll() is None and \
        one("select count(*) from letters where batch_ref > ?", prev) == 0:
    time.sleep(0.01)
os.kill(p.pid, signal.SIGKILL)
p.wait()
kb = one("select max(ref) from letter_batches")
status, done = rows("select status, done from letter_batches where ref = ?", kb)[0]
ok("killed part-way: %d of %d letters recorded, the batch left running" % (done, len(owing)),
   kb > prev and status == "running" and 0 < done < len(owing), (kb, status, done))
time.sleep(0.2)
alive = []
for d in glob.glob("/proc/[0-9]*"):
    try:
        cmd = open(d + "/cmdline", "rb").read().split(b"\0")
    except OSError:
        continue
    if db.encode() in cmd and b"batch" in cmd:
        alive.append(d)
ok("its worker processes died with it", not alive, alive)
taken = int(one("select value from meta where key = ?", "letter_serial_%d" % today.year))
killed = {r[0] for r in rows("select serial from letters where batch_ref = ?", kb)}
runner = subprocess.Popen([hk, "--db", db, "--config", cfg, "letters", "run", str(kb), "--threads", "1"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
# once it has taken its serials (it is drawing), a second run of the batch
t0 = time.time()
while time.time() - t0 < 60 and runner.poll() is None and \
        int(one("select value from meta where key = ?", "letter_serial_%d" % today.year)) == taken:
    time.sleep(0.01)
r = run("letters", "run", kb)
ok("a second run of the batch while one is writing it is refused (exit 4), nothing written",
   runner.poll() is None and r.returncode == 4 and "另一个进程" in r.stderr, (runner.poll(), r.returncode, r.stderr))
ok("letters run finishes it", runner.wait() == 0, runner.stderr.read())
all_l = letters_of_batch(kb)
new = {l[1] for l in all_l.values()} - killed
per_case = {}
for l in all_l.values():
    per_case[l[2]] = per_case.get(l[2], 0) + 1
ok("every owing case written once, no other", sorted(per_case) == owing and set(per_case.values()) == {1},
   (len(per_case), len(owing)))
ok("the rerun took new serials only: none reused",
   new and min(serial_no(s) for s in new) > taken and max(serial_no(s) for s in killed) <= taken
   and len(set(serials) & new) == 0, (taken, sorted(new)[:3]))
serials = [s for (s,) in rows("select serial from letters")]
ok("no serial twice in the register", len(serials) == len(set(serials)))
check_batch(kb, "killed batch", print_file=None, consecutive=False)
print2 = "%s/batches/%d/print-2.pdf" % (files, kb)
ok("the rerun's print file (print-2.pdf) has the rerun's letters' pages",
   os.path.exists(print2) and pdf_pages(print2) == sum(l[5] for l in all_l.values() if l[1] in new)
   and one("select merged_sha256 from letter_batches where ref = ?", kb) == sha(print2))

# ---- over the API -----------------------------------------------------------
def serve(program, out, env=None):
    """A server of the database; (process, base URL)."""
    sout = open(out, "w")
    p = subprocess.Popen([program, "--db", db, "--config", cfg, "serve", "--listen", "127.0.0.1:0"],
                         stdout=sout, stderr=subprocess.DEVNULL, env=env)
    for _ in range(200):
        t = open(out).read()
        if "http://" in t:
            return p, "http://127.0.0.1:" + t.strip().rsplit(":", 1)[1]
        time.sleep(0.05)
    return p, None


# the server runs a copy of the binary, which is rebuilt under it below
os.mkdir(tmp + "/bin")
hk_copy = tmp + "/bin/huikuan"
shutil.copy2(hk, hk_copy)
server, base = serve(hk_copy, tmp + "/serve.out")
users = dict(rows("select username, ref from users"))
names = dict(rows("select username, display_name from users"))
try:
    api = Api(base, lang="en")
    api.login("admin", "wang.jl", "li.na", "zhang.zz")
    call = api.call
    st, lst = call("admin", "GET", "/api/templates")
    v1 = [t for t in lst.get("templates", []) if t["code"] == "first_notice" and t["channel"] == "letter"]
    ok("the templates: ten shipped, published, first_notice's letter at version 1",
       st == 200 and len(lst["templates"]) == 10 and all(t["status"] == "published" for t in lst["templates"])
       and len(v1) == 1 and v1[0]["version"] == 1, (st, lst))
    st, t1 = call("admin", "GET", "/api/templates/%d" % v1[0]["id"])
    body1 = t1["body"]
    ok("its body is the shipped file's", st == 200 and body1 == shipped["first_notice"]["body"])
    n_t = one("select count(*) from templates")
    fields = {"name": "还款提醒函（首次）", "audience": "debtor", "kind": "notice", "days_to_pay": 7}
    draft = dict(fields, code="first_notice", channel="letter")
    no_dispute = re.sub(r"\{\{#section dispute\}\}.*?\{\{/section\}\}", "", body1, flags=re.S)
    st, e = call("admin", "POST", "/api/templates", dict(draft, body=no_dispute))
    ok("a demand without its dispute section is refused 400, that problem named",
       st == 400 and e.get("problems") and len(e["problems"]) == 1 and "{{#section dispute}}" in e["problems"][0]
       and "dispute" in e["problems"][0], (st, e))
    st, e = call("admin", "POST", "/api/templates",
                 {"code": "tp_owed", "channel": "sms", "name": "第三方", "audience": "third_party", "kind": "message",
                  "body": "{{addressee.name}}您好，{{debtor.name}}欠款{{owed.total}}元，请转告。"})
    ok("a third-party template naming {{owed.total}} is refused, the name given",
       st == 400 and any("owed.total" in p and "third party" in p for p in e.get("problems", [])), (st, e))
    st, e = call("admin", "POST", "/api/templates",
                 {"code": "tp_words", "channel": "sms", "name": "第三方", "audience": "third_party", "kind": "message",
                  "body": "{{addressee.name}}您好，{{debtor.name}}的借款已逾期，请转告其回电。"})
    ok("a third-party template whose own words speak of a debt (借款, 逾期) is refused, each named",
       st == 400 and len(e.get("problems", [])) == 2
       and all("third party" in p for p in e["problems"])
       and any('"借款"' in p for p in e["problems"]) and any('"逾期"' in p for p in e["problems"]), (st, e))
    st, e = call("admin", "POST", "/api/templates", dict(draft, body=body1 + "\n　　你这个老赖，再不还钱就曝光你。\n"))
    ok("a template with lexicon words is refused, the words named",
       st == 400 and any("老赖" in p and "曝光你" in p for p in e.get("problems", [])), (st, e))
    st, e = call("admin", "POST", "/api/templates", dict(draft, body="{{debtor.nmae}} {{#each accounts}}"))
    ok("an unknown name and an unclosed block: refused with their lines",
       st == 400 and "line" in e.get("message", ""), (st, e))
    ok("nothing saved by a refusal", one("select count(*) from templates") == n_t)
    st, _ = call("li.na", "POST", "/api/templates", dict(draft, body=body1))
    ok("a collector cannot create templates (403)", st == 403)
    mark = "　　本函为第二版：如您已与催收员约定还款计划，请按计划还款。\n"
    body2 = body1.replace("\n　　如您确有还款困难", "\n" + mark + "\n　　如您确有还款困难")
    t_draft = int(time.time())
    st, d2 = call("admin", "POST", "/api/templates", dict(draft, body=body1))
    ok("a good draft is saved as version 2", st == 201 and d2["version"] == 2 and d2["status"] == "draft", (st, d2))
    st, lst = call("li.na", "GET", "/api/templates")
    mine = [t for t in lst.get("templates", []) if t["id"] == d2.get("id")]
    ok("the template list gives each version's author and creation time: the draft the admin's, just now",
       st == 200 and len(mine) == 1 and mine[0].get("created_by") == users["admin"]
       and mine[0].get("created_by_name") == names["admin"] and t_draft <= (mine[0].get("created_at") or 0) <= time.time() + 1
       and mine[0].get("published_by", 0) is None and mine[0].get("published_at", 0) is None, (st, mine))
    shipped_v = [t for t in lst.get("templates", []) if t["id"] != d2.get("id")]
    ok("the shipped versions: nobody's, created when the database was",
       shipped_v and all(t.get("created_by", 0) is None and t.get("created_by_name", 0) is None and t.get("created_at")
                         and t.get("created_at") == one("select created_at from templates where ref = ?", t["id"])
                         for t in shipped_v), shipped_v[:2])
    st, g2 = call("li.na", "GET", "/api/templates/%d" % d2.get("id", 0))
    ok("and so does one version read alone", st == 200 and g2.get("created_by") == users["admin"]
       and g2.get("created_by_name") == names["admin"] and mine and g2.get("created_at") == mine[0].get("created_at"), (st, g2))
    st, d2e = call("admin", "POST", "/api/templates/%d" % d2.get("id", 0), dict(fields, body=body2))
    ok("a draft is edited", st == 200 and body2 != body1 and d2e.get("body") == body2, (st, d2e))
    # a case of li.na's: she may fetch its letter
    lina = {r[0] for r in rows("select c.ref from cases c join users u on u.ref = c.collector_ref "
                               "where u.username = 'li.na'")}
    case = [c for c in person_owing if c in lina][0]
    n0 = letters_count()
    st, pv = call("admin", "POST", "/api/templates/%d/preview" % d2["id"], {"case_id": case})
    pv_text = ""
    if st == 200:
        open(tmp + "/preview.pdf", "wb").write(base64.b64decode(pv["content_base64"]))
        pv_text = flat(pdf_text(tmp + "/preview.pdf"))
    ok("the draft previewed for a case as a PDF: its new text, the specimen serial, the case's figures",
       st == 200 and flat(mark) in pv_text and "样张" in pv_text and cases[case]["name"] in pv_text
       and grouped(cases[case]["owed"]) in pv_text and capitals(cases[case]["owed"]) in pv_text
       and hashlib.sha256(base64.b64decode(pv["content_base64"])).hexdigest() == pv["sha256"], (st, pv_text[:200]))
    ok("a preview records nothing", letters_count() == n0)
    st, l1 = call("admin", "POST", "/api/cases/%d/letters" % case, {"template": "first_notice"})
    ok("before publishing, letters are written from version 1", st == 201 and l1["template_version"] == 1, (st, l1))
    st, pub = call("admin", "POST", "/api/templates/%d/publish" % d2["id"])
    ok("version 2 published", st == 200 and pub["status"] == "published", (st, pub))
    st, lst = call("li.na", "GET", "/api/templates")
    mine = [t for t in lst.get("templates", []) if t["id"] == d2.get("id")]
    ok("the list says who published it", mine and mine[0].get("published_by") == users["admin"]
       and mine[0]["published_at"], mine)
    st, l2 = call("wang.jl", "POST", "/api/cases/%d/letters" % case, {"template": "first_notice"})
    ok("then in force: a letter written after uses version 2",
       st == 201 and l2["template_version"] == 2 and l2["total_owed"] == plain(cases[case]["owed"]), (st, l2))
    st, f = call("li.na", "GET", "/api/letters/%d/file" % l2.get("id", 0))
    data = base64.b64decode(f["content_base64"]) if st == 200 else b""
    ok("its file through /api/letters/{id}/file decodes to its SHA-256",
       st == 200 and hashlib.sha256(data).hexdigest() == l2["sha256"] == f["sha256"]
       == one("select sha256 from letters where ref = ?", l2["id"]), (st, f.get("message")))
    open(tmp + "/v2.pdf", "wb").write(data)
    ok("and says version 2's words", flat(mark) in flat(pdf_text(tmp + "/v2.pdf")))
    # the case's timeline: both letters, newest first, with who wrote them
    st, tl = call("li.na", "GET", "/api/cases/%d/timeline" % case)
    ev = tl.get("events", []) if st == 200 else []
    lev = [(e["id"], e["serial"], e["template"], e["total_owed"], e["as_of"], e["user_id"], e["at"])
           for e in ev if e["kind"] == "letter"]
    want_l = [(r[0], r[1], r[2], plain(r[3]), (epoch + datetime.timedelta(days=r[4])).isoformat(), r[5], r[6])
              for r in rows("select l.ref, l.serial, t.code, l.total_owed, l.as_of, l.created_by, l.created_at "
                            "from letters l join templates t on t.ref = l.template_ref where l.case_ref = ? "
                            "order by l.created_at desc, l.ref desc", case)]
    ok("the case's timeline has its letters, newest first: serial, template, total owed, as of, who, when",
       lev == want_l and lev[:2] == [(l["id"], l["serial"], "first_notice", l["total_owed"], l["as_of"], users[u],
                                      l["created_at"]) for l, u in ((l2, "wang.jl"), (l1, "admin"))],
       (st, lev, want_l))

    def tl_key(e):
        if e["at"] is not None:
            return e["at"]
        return (datetime.date.fromisoformat(e["date"]) - datetime.date(1970, 1, 1)).days * 86400 + 86399

    keys = [tl_key(e) for e in ev]
    ok("among its other events, newest first", ev and all(a >= b for a, b in zip(keys, keys[1:])), keys[:10])

    # agency collectors write letters for the cases placed with them: they
    # read the published templates, never a draft
    st, d3 = call("admin", "POST", "/api/templates", dict(draft, body=body2))
    ok("a draft of version 3", st == 201 and d3["status"] == "draft", (st, d3))
    api.login("wu.wb")
    st, al = call("wu.wb", "GET", "/api/templates")
    published = {r[0] for r in rows("select ref from templates where status = 'published'")}
    got_ids = [t["id"] for t in al.get("templates", [])]
    ok("an agency collector lists the templates (200): the published versions, no draft",
       st == 200 and set(got_ids) == published and len(got_ids) == len(published)
       and all(t["status"] == "published" for t in al["templates"]), (st, al.get("message"), got_ids))
    st, e = call("wu.wb", "GET", "/api/templates/%d" % d3.get("id", 0))
    ok("a draft read by an agency collector: 404", st == 404, (st, e))
    st, t2 = call("wu.wb", "GET", "/api/templates/%d" % d2["id"])
    ok("a published version read by an agency collector: its text", st == 200 and t2.get("body") == body2, (st, t2))
    placed = [c for (c,) in rows("select c.ref from cases c join users u on u.agency_ref = c.agency_ref "
                                 "where u.username = 'wu.wb' order by c.ref") if c in person_owing]
    wrote, st, la = None, 0, None
    for c in placed[:8]:
        st, la = call("wu.wb", "POST", "/api/cases/%d/letters" % c, {"template": "first_notice"})
        if st == 201:
            wrote = la
            break
    ok("an agency collector writes a letter for a case placed with the agency, from the version in force",
       wrote and wrote["template_version"] == 2, (placed[:8], st, la))
    unplaced = [c for c in person_owing if c not in placed and
                one("select agency_ref is null from cases where ref = ?", c)][0]
    st, e = call("wu.wb", "POST", "/api/cases/%d/letters" % unplaced, {"template": "first_notice"})
    ok("but not for a case not placed with it (404)", st == 404, (st, e))
    st, e = call("wu.wb", "POST", "/api/templates", dict(draft, body=body1))
    ok("nor draft a template (403)", st == 403, (st, e))

    st, e = call("admin", "POST", "/api/templates/%d" % d2["id"], dict(fields, body=body1))
    ok("a published version cannot be edited (409)", st == 409, (st, e))
    st, e = call("admin", "POST", "/api/templates/%d" % v1[0]["id"], dict(fields, body=body2))
    ok("nor the shipped version 1 (409)", st == 409, (st, e))
    st, e = call("admin", "POST", "/api/templates/%d/publish" % d2["id"])
    ok("nor published twice (409)", st == 409, (st, e))

    # a batch started over the API, run by a process of its own, after the
    # server's binary was rebuilt under it (the linker writes a new file:
    # /proc/<pid>/exe then reads "... (deleted)")
    shutil.copy2(hk, hk_copy + ".new")
    os.rename(hk_copy + ".new", hk_copy)
    ok("the server's binary rebuilt under it", os.readlink("/proc/%d/exe" % server.pid).endswith(" (deleted)"),
       os.readlink("/proc/%d/exe" % server.pid))
    ids = owing[20:26]
    st, b = call("wang.jl", "POST", "/api/letters/batches", {"template": "final_notice", "case_ids": ids})
    ok("POST /api/letters/batches starts a batch (202)", st == 202 and b["total"] == len(ids), (st, b))
    ab = b.get("id", 0)
    t0 = time.time()
    while time.time() - t0 < 60:
        st, g = call("wang.jl", "GET", "/api/letters/batches/%d" % ab)
        if st != 200 or g["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    ok("it finishes (polled), the binary rebuilt or not", st == 200 and g["status"] == "done"
       and g["done"] == len(ids), (st, g))
    check_batch(ab, "API batch")
    st, mf = call("wang.jl", "GET", "/api/letters/batches/%d/file?file=manifest" % ab)
    ok("its manifest through the API decodes to manifest.csv",
       st == 200 and base64.b64decode(mf["content_base64"])
       == open("%s/batches/%d/manifest.csv" % (files, ab), "rb").read() and mf["sha256"] == g["manifest_sha256"],
       (st, mf.get("message")))
    st, pf = call("wang.jl", "GET", "/api/letters/batches/%d/file" % ab)
    ok("its print file through the API decodes to print.pdf",
       st == 200 and base64.b64decode(pf["content_base64"])
       == open("%s/batches/%d/print.pdf" % (files, ab), "rb").read(), (st, pf.get("message")))
    st, pf = call("wang.jl", "GET", "/api/letters/batches/%d/file" % kb)
    ok("the killed batch's print file through the API: the rerun's (print-2.pdf)",
       st == 200 and base64.b64decode(pf["content_base64"]) == open(print2, "rb").read(), (st, pf.get("message")))
    st, _ = call("li.na", "POST", "/api/letters/batches", {"template": "final_notice", "case_ids": ids})
    ok("a collector cannot start a batch (403)", st == 403)

    # a batch from the case list's filters, resolved in the caller's scope
    def wait_batch(user, ref):
        t0 = time.time()
        while time.time() - t0 < 60:
            st, g = call(user, "GET", "/api/letters/batches/%d" % ref)
            if st != 200 or g["status"] in ("done", "failed"):
                return st, g
            time.sleep(0.1)
        return st, g

    def listed(user, query):
        st, lst = call(user, "GET", "/api/cases?sort=id&limit=500&" + query)
        return [c["id"] for c in lst["cases"]] if st == 200 else None

    def batch_cases(ref):
        return [c for (c,) in rows("select case_ref from letter_batch_cases where batch_ref = ? order by seq", ref)]

    lina_ref = users["li.na"]
    want = None
    for bk in ("M2", "M3", "M1"):
        want = listed("wang.jl", "bucket=%s&collector=%d" % (bk, lina_ref))
        if want:
            break
    nb0 = one("select count(*) from letter_batches")
    st, fbatch = call("wang.jl", "POST", "/api/letters/batches",
                      {"template": "first_notice", "filter": {"bucket": bk, "collector": lina_ref}})
    ok("a batch from the case list's filters (bucket, collector): 202, its cases the list's, in id order",
       want and st == 202 and fbatch["total"] == len(want) and batch_cases(fbatch["id"]) == want, (bk, want, st, fbatch))
    st, g = wait_batch("wang.jl", fbatch.get("id", 0))
    ok("it is written like any batch", st == 200 and g["status"] == "done"
       and g["done"] + g["skipped"] == len(want), (st, g))
    audit = one("select detail from audit_log where action = 'letters.batch' and target = ?",
                "batch:%d" % fbatch.get("id", 0))
    ok("the audit keeps the filter that chose the cases",
       audit and json.loads(audit).get("filter") == {"bucket": bk, "collector": lina_ref}, audit)
    for body, why in (({"template": "first_notice", "filter": {"bucket": bk, "colector": 3}}, "unknown filter: colector"),
                      ({"template": "first_notice", "filter": {"bucket": "M99"}}, "unknown bucket"),
                      ({"template": "first_notice", "filter": {"dpd_min": "many"}}, "dpd_min takes a whole number"),
                      ({"template": "first_notice", "filter": {"bucket": bk, "status": 3}}, "filter status takes a text"),
                      ({"template": "first_notice", "filter": {"bucket": bk, "lost_contact": "yes"}},
                       "filter lost_contact takes true or false"),
                      ({"template": "first_notice", "filter": {"bucket": bk, "team": [1]}}, "filter team takes a number"),
                      ({"template": "first_notice", "filter": {"bucket": bk}, "case_ids": want[:1]}, "one of them"),
                      ({"filter": {"bucket": bk}}, "with a template"),
                      ({"template": "first_notice", "filter": {"dpd_min": 99999}}, "selects no case")):
        st, e = call("wang.jl", "POST", "/api/letters/batches", body)
        ok("a batch's filter refused (400): %s" % why, st == 400 and why in e.get("message", ""), (st, e))
    ok("and no batch made by the refusals", one("select count(*) from letter_batches") == nb0 + 1)

    # a team leader's batch: the team's cases only
    team1 = {c for (c,) in rows("select ref from cases where team_ref = "
                                "(select team_ref from users where username = 'zhang.zz')")}
    other = one("select min(ref) from cases where team_ref is not null and team_ref <> "
                "(select team_ref from users where username = 'zhang.zz') and ref in (%s)"
                % ",".join(str(c) for c in owing))
    mine = [c for c in owing if c in team1][:2]
    st, e = call("zhang.zz", "POST", "/api/letters/batches", {"template": "first_notice", "case_ids": mine + [other]})
    ok("a team leader's listed batch with another team's case: 400, naming it, no batch",
       st == 400 and ("case %d does not exist or is not yours" % other) in e.get("message", "")
       and one("select count(*) from letter_batches") == nb0 + 1, (st, e))
    st, tb = call("zhang.zz", "POST", "/api/letters/batches",
                  {"template": "first_notice", "filter": {"bucket": bk}})
    tcases = batch_cases(tb.get("id", 0))
    ok("a team leader's filtered batch: the team's cases of that bucket, as the leader's list shows them",
       st == 202 and tcases and set(tcases) <= team1 and tcases == listed("zhang.zz", "bucket=" + bk),
       (st, tb, tcases))
    st, g = wait_batch("zhang.zz", tb.get("id", 0))
    ok("and it is written", st == 200 and g["status"] == "done", (st, g))
    st, bl = call("zhang.zz", "GET", "/api/letters/batches")
    ok("a team leader's list of batches: the leader's own only",
       st == 200 and [b["id"] for b in bl["batches"]] == [tb["id"]], (st, bl))
    st, e = call("zhang.zz", "GET", "/api/letters/batches/%d/file?file=manifest" % fbatch["id"])
    st2, _ = call("zhang.zz", "GET", "/api/letters/batches/%d" % fbatch["id"])
    ok("not the manager's batch nor its files (404)", st == 404 and st2 == 404, (st, e))
    st, bl = call("wang.jl", "GET", "/api/letters/batches")
    ok("the manager sees every batch, the team leader's too",
       st == 200 and {fbatch["id"], tb["id"], ab} <= {b["id"] for b in bl["batches"]}, (st, bl))

    # a dispute pauses letters: one written alone as one in a batch
    dcase = owing[30]
    st, dsp = call("wang.jl", "POST", "/api/cases/%d/disputes" % dcase, {"reason": "客户称金额有误"})
    n0, a0 = letters_count(), one("select count(*) from audit_log where action = 'guard.refused'")
    st, e = call("wang.jl", "POST", "/api/cases/%d/letters" % dcase, {"template": "final_notice"})
    ok("a letter for a case with an open dispute: 403 GR-DISPUTE, audited, nothing recorded",
       st == 403 and e.get("rule") == "GR-DISPUTE" and letters_count() == n0
       and one("select count(*) from audit_log where action = 'guard.refused' and target = ?",
               "case:%d" % dcase) == 1, (st, e))
    r = run("letters", "write", dcase, "final_notice")
    ok("and by the CLI: exit 4, nothing recorded", r.returncode == 4 and letters_count() == n0, (r.returncode, r.stderr))
    r = run("letters", "batch", "--template", "final_notice", "--cases", "%d,%d" % (dcase, owing[31]))
    db_ = one("select max(ref) from letter_batches")
    ok("in a batch it is skipped with the rule, the other case written",
       r.returncode == 0 and rows("select case_ref, letter_ref is not null, skipped from letter_batch_cases "
                                  "where batch_ref = ? order by seq", db_) == [(dcase, 0, "GR-DISPUTE"), (owing[31], 1, None)],
       rows("select case_ref, letter_ref, skipped from letter_batch_cases where batch_ref = ?", db_))
finally:
    server.terminate()
    server.wait()

# ---- a batch whose process cannot be started ----------------------------------
server, base = serve(hk, tmp + "/serve2.out",
                     env=dict(os.environ, HUIKUAN_FAULT_SPAWN_EXE=tmp + "/no-such-program"))
try:
    api = Api(base, lang="en")
    api.login("wang.jl")
    prev = one("select coalesce(max(ref), 0) from letter_batches")
    ids = owing[26:29]
    st, e = api.call("wang.jl", "POST", "/api/letters/batches", {"template": "final_notice", "case_ids": ids})
    fb = one("select coalesce(max(ref), 0) from letter_batches")
    rec = rows("select status, coalesce(error, ''), finished_at from letter_batches where ref = ?", fb)
    ok("a batch whose process cannot be started: 500, the batch marked failed with the reason, not left queued",
       st == 500 and fb > prev and rec and rec[0][0] == "failed"
       and "could not start" in rec[0][1] and "No such file or directory" in rec[0][1] and rec[0][2]
       and e.get("batch", {}).get("id") == fb and e["batch"].get("status") == "failed", (st, e, rec))
    st, g = api.call("wang.jl", "GET", "/api/letters/batches/%d" % fb)
    ok("the batch says so when followed", st == 200 and g["status"] == "failed" and g["error"] == rec[0][1],
       (st, g))
finally:
    server.terminate()
    server.wait()
r = run("letters", "run", fb)
ok("letters run still writes it", r.returncode == 0 and fb > prev and
   one("select status from letter_batches where ref = ?", fb) == "done" and len(letters_of_batch(fb)) == len(ids),
   (r.returncode, r.stderr))

# ---- docs/letters.md names every datum a template may use, exactly ----------
code_src = open(src + "/src/batch/letters.c", encoding="utf-8").read()


def c_names(name):
    m = re.search(r"static const char \*const %s\[\] = \{(.*?)\};" % name, code_src, re.S)
    return set(re.findall(r'"([^"]+)"', m.group(1))) if m else set()


sec = open(src + "/docs/letters.md", encoding="utf-8").read().split("### The data a template sees", 1)[1]
sec = sec.split("\n### ", 1)[0]
tables, cur = [], None
for line in sec.splitlines():
    if line.startswith("|"):
        if cur is None:
            cur = []
            tables.append(cur)
        first = line.split("|")[1]
        if not re.fullmatch(r"\s*-*\s*", first) and first.strip() != "name":
            cur.extend(re.findall(r"`([a-z_.]+)`", first))
    else:
        cur = None
doc_top, doc_acct = (set(tables[0]), set(tables[1])) if len(tables) == 2 else (set(), set())
top, acct = c_names("top_names"), c_names("account_names")
ok("docs/letters.md's table of data: every name the rules accept, no other",
   top and doc_top == top, (sorted(top - doc_top), sorted(doc_top - top)))
ok("and of an account's data inside {{#each accounts}}",
   acct and doc_acct == acct, (sorted(acct - doc_acct), sorted(doc_acct - acct)))
server, base = serve(hk, tmp + "/serve3.out")
try:
    api = Api(base, lang="en")
    api.login("admin")
    body = "\n".join("{{%s}}" % n for n in sorted(doc_top - {"accounts"}))
    body += "\n{{#each accounts}}" + " ".join("{{%s}}" % n for n in sorted(doc_acct)) + "{{/each}}\n"
    st, e = api.call("admin", "POST", "/api/templates",
                     {"code": "every_datum", "channel": "letter", "name": "每个数据", "audience": "debtor",
                      "kind": "message", "body": body})
    ok("a template naming every documented datum is accepted (201)", st == 201, (st, e))
finally:
    server.terminate()
    server.wait()
ok("the register: every serial once", one("select count(distinct serial) from letters") == letters_count())
ok.finish("letters")
PY
