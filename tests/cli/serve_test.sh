#!/bin/sh
# The HTTP server, driven over loopback with curl: start on a free port,
# answers, errors, limits, the OpenAPI document, graceful stop on SIGTERM.
# usage: serve_test.sh HUIKUAN_BINARY TESTS_DIR
. "$2/cli/lib.sh"

# check NAME WANT_STATUS WANT_BODY_SUBSTRING curl-args...
check() {
	name=$1 want=$2 text=$3
	shift 3
	got=$(curl -s -o "$tmp/body" -w '%{http_code}' "$@" 2>/dev/null)
	if [ "$got" = "$want" ] && grep -qF -- "$text" "$tmp/body"; then ok "$name"; else
		bad "$name (status $got, want $want; body: $(head -c 300 "$tmp/body"))"
	fi
}

db=$(newdb s)
fx=$2/cli/fixtures/ledger
"$hk" --db "$db" init >"$tmp/init"
for k in debtors accounts installments payments; do "$hk" --db "$db" import $k "$fx/$k.csv" >/dev/null; done
"$hk" --db "$db" eod --date 2026-02-11 >/dev/null
adminpw=$(sed -n 's/.*一次性密码：\([A-Za-z0-9]*\).*/\1/p' "$tmp/init")
[ ${#adminpw} -eq 16 ] && ok "init prints a one-time admin password" || bad "init prints a one-time admin password"
"$hk" --db "$db" init >"$tmp/init2"
grep -q "一次性密码" "$tmp/init2" && bad "a second init creates no second admin" || ok "a second init creates no second admin"
stored=$(q "$db" "select password_hash from users where username='admin'")
case $stored in '$argon2id$'*) ok "password stored as Argon2id" ;; *) bad "password stored as Argon2id ($stored)" ;; esac
expect_status() {
	"$@" >/dev/null 2>&1
	echo $?
}
[ "$(expect_status "$hk" --db "$db" serve --listen nonsense)" = 2 ] && ok "bad --listen is a usage error" || bad "bad --listen is a usage error"
[ "$(expect_status "$hk" --db "$(newdb none)" serve --listen 127.0.0.1:0)" = 4 ] && ok "an uninitialised database is refused" || bad "an uninitialised database is refused"

# Evidence files: beside a SQLite database by default (DB.files); a
# PostgreSQL URI names no folder, so there [files] dir gives one.
cfg=$(awake_config)
if [ "$backend" = sqlite ]; then
	files=$db.files
else
	files=$tmp/files
	printf '[files]\ndir = %s\n' "$files" >>"$cfg"
fi
"$hk" --db "$db" --config "$cfg" serve --listen 127.0.0.1:0 >"$tmp/out" 2>"$tmp/log" &
pid=$!
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	grep -qs "http://" "$tmp/out" && break
	sleep 0.1
done
port=$(sed -n 's/.*:\([0-9][0-9]*\)$/\1/p' "$tmp/out")
[ -n "$port" ] && ok "listening on a free port ($port)" || { bad "server did not start"; cat "$tmp/log"; exit 1; }
base=http://127.0.0.1:$port

check "health" 200 '"status":"ok"' "$base/api/health"
check "health names the last day-end" 200 '"last_eod":"2026-02-11"' "$base/api/health"
check "unknown endpoint is 404 JSON" 404 '"code":"HK_ENOTFOUND"' "$base/api/nope"
check "errors in Chinese by default" 404 '没有这个接口' "$base/api/nope"
check "errors in English on request" 404 'no such endpoint' -H 'Accept-Language: en-US,en;q=0.9' "$base/api/nope"
check "wrong method is 405" 405 '"code"' -X DELETE "$base/api/health"
head -c 2000000 /dev/zero >"$tmp/big"
check "oversized body is 413" 413 '"code":"HK_EINVAL"' -X POST --data-binary @"$tmp/big" "$base/api/health"
check "OpenAPI document" 200 '"openapi":"3.1.0"' "$base/api/openapi.json"

# Every route in the document answers (no 404), and the document parses.
if python3 - "$tmp/body" "$base" <<'PY'
import json, sys, urllib.request, urllib.error
doc = json.load(open(sys.argv[1]))
base = sys.argv[2]
bad = []
for path, item in doc["paths"].items():
    for method in item:
        url = base + path.replace("{", "x").replace("}", "")
        req = urllib.request.Request(url, method=method.upper())
        try:
            urllib.request.urlopen(req)
        except urllib.error.HTTPError as e:
            if e.code in (404, 405):
                bad.append(f"{method} {path}: {e.code}")
        assert "summary" in item[method], path
sys.exit(1 if bad else 0)
PY
then ok "every documented route is served"; else bad "every documented route is served"; fi
grep -q '"path":"/api/health","status":200' "$tmp/log" && ok "access log line" || bad "access log line"

# ---- log-in, sessions, CSRF, bearer tokens, password change, lockout
J='Content-Type: application/json'
check "malformed JSON is 400" 400 '"code":"HK_EINVAL"' -X POST -H "$J" -d '{"username":' "$base/api/session"
check "unknown field is 400" 400 'unknown field' -H 'Accept-Language: en' -X POST -H "$J" -d '{"username":"admin","password":"x","evil":1}' "$base/api/session"
check "wrong password is 401" 401 '用户名或密码错误' -X POST -H "$J" -d '{"username":"admin","password":"wrong-password"}' "$base/api/session"
check "unknown user gets the same answer" 401 '用户名或密码错误' -X POST -H "$J" -d '{"username":"nobody","password":"wrong-password"}' "$base/api/session"
check "no session is 401" 401 '"code"' "$base/api/me"
check "log in" 200 '"csrf_token"' -c "$tmp/jar" -X POST -H "$J" -d "{\"username\":\"admin\",\"password\":\"$adminpw\"}" "$base/api/session"
csrf=$(sed -n 's/.*"csrf_token":"\([0-9a-f]*\)".*/\1/p' "$tmp/body")
grep -q "HttpOnly" "$tmp/jar" 2>/dev/null || grep -q "#HttpOnly_" "$tmp/jar" && ok "session cookie is HttpOnly" || bad "session cookie is HttpOnly"
check "me with the cookie" 200 '"must_change_password":true' -b "$tmp/jar" "$base/api/me"
check "a write without CSRF is refused" 403 'X-CSRF-Token' -b "$tmp/jar" -X DELETE "$base/api/session"
check "bearer log-in" 200 '"token"' -X POST -H "$J" -d "{\"username\":\"admin\",\"password\":\"$adminpw\",\"bearer\":true}" "$base/api/session"
token=$(sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p' "$tmp/body")
check "me with the bearer token" 200 '"username":"admin"' -H "Authorization: Bearer $token" "$base/api/me"
check "a too-short new password is refused" 400 '"code":"HK_EINVAL"' -b "$tmp/jar" -H "X-CSRF-Token: $csrf" -X POST -H "$J" -d "{\"current_password\":\"$adminpw\",\"new_password\":\"short\"}" "$base/api/me/password"
check "change the password" 200 '"changed":true' -b "$tmp/jar" -H "X-CSRF-Token: $csrf" -X POST -H "$J" -d "{\"current_password\":\"$adminpw\",\"new_password\":\"a-new-long-password\"}" "$base/api/me/password"
check "the change ends the other sessions" 401 '"code"' -H "Authorization: Bearer $token" "$base/api/me"
check "the old password no longer works" 401 '"code"' -X POST -H "$J" -d "{\"username\":\"admin\",\"password\":\"$adminpw\"}" "$base/api/session"
check "the new one does" 200 '"must_change_password":false' -c "$tmp/jar" -X POST -H "$J" -d '{"username":"admin","password":"a-new-long-password"}' "$base/api/session"
csrf=$(sed -n 's/.*"csrf_token":"\([0-9a-f]*\)".*/\1/p' "$tmp/body")
check "log out with CSRF" 200 '"logged_out":true' -b "$tmp/jar" -H "X-CSRF-Token: $csrf" -X DELETE "$base/api/session"
check "logged out is logged out" 401 '"code"' -b "$tmp/jar" "$base/api/me"
# ---- users and roles (an admin session from here on)
check "log in again" 200 '"csrf_token"' -c "$tmp/jar" -X POST -H "$J" -d '{"username":"admin","password":"a-new-long-password"}' "$base/api/session"
csrf=$(sed -n 's/.*"csrf_token":"\([0-9a-f]*\)".*/\1/p' "$tmp/body")
A="-b $tmp/jar -H X-CSRF-Token:$csrf"
check "admin creates a collector" 201 '"one_time_password"' $A -X POST -H "$J" -d '{"username":"li.na","display_name":"李娜","role":"collector"}' "$base/api/users"
colpw=$(sed -n 's/.*"one_time_password":"\([A-Za-z0-9]*\)".*/\1/p' "$tmp/body")
check "a taken username is refused" 409 '"code":"HK_EREFUSED"' $A -X POST -H "$J" -d '{"username":"li.na","display_name":"x","role":"collector"}' "$base/api/users"
check "an unknown role is refused" 400 '"code":"HK_EINVAL"' $A -X POST -H "$J" -d '{"username":"x1","display_name":"x","role":"boss"}' "$base/api/users"
check "admin lists users" 200 '"username":"li.na"' $A "$base/api/users"
check "the collector logs in" 200 '"role":"collector"' -c "$tmp/cjar" -X POST -H "$J" -d "{\"username\":\"li.na\",\"password\":\"$colpw\"}" "$base/api/session"
ccsrf=$(sed -n 's/.*"csrf_token":"\([0-9a-f]*\)".*/\1/p' "$tmp/body")
check "a collector may not list users" 403 '"code":"HK_EREFUSED"' -b "$tmp/cjar" "$base/api/users"
check "a collector may not create users" 403 '"code":"HK_EREFUSED"' -b "$tmp/cjar" -H "X-CSRF-Token: $ccsrf" -X POST -H "$J" -d '{"username":"x2","display_name":"x","role":"admin"}' "$base/api/users"
check "a collector may not read the audit trail" 403 '"code"' -b "$tmp/cjar" "$base/api/audit"
# ---- a case, within and outside the caller's scope
check "admin reads a case" 200 '"creditor":"BANK-A"' $A "$base/api/cases/1"
grep -q '"account_id":"A1","product":"consumer_loan"' "$tmp/body" || grep -q '"account_id":"A1"' "$tmp/body" && ok "case has its accounts" || bad "case has its accounts"
grep -q '"dpd":10' "$tmp/body" && grep -q '"total_overdue":"419.71"' "$tmp/body" && ok "account state as of the last day-end" || bad "account state as of the last day-end"
grep -q '"phone":"138\*\*\*\*8000"' "$tmp/body" && ok "phone masked" || bad "phone masked"
grep -q '13800138000' "$tmp/body" && bad "no full phone number" || ok "no full phone number"
grep -q '"id_number":"110\*\*\*\*\*\*\*\*\*\*\*002X"' "$tmp/body" && ok "ID number masked" || bad "ID number masked"
check "admin lists cases" 200 '"dpd":10,"bucket":"M1","total_overdue":"419.71"' $A "$base/api/cases"
check "filter by bucket" 200 '"cases":[]' $A "$base/api/cases?bucket=M2"
check "filter by bucket that matches" 200 '"id":1' $A "$base/api/cases?bucket=M1"
check "filter by amount" 200 '"cases":[]' $A "$base/api/cases?min_overdue=500"
check "filter by amount that matches" 200 '"id":1' $A "$base/api/cases?min_overdue=400.00&dpd_min=10&dpd_max=10"
check "keyset pagination" 200 '"next_after":"1"' $A "$base/api/cases?limit=1&sort=id"
check "the page after the last" 200 '"cases":[],"next_after":null' $A "$base/api/cases?limit=1&sort=id&after=1"
check "a bad limit is 400" 400 '"code":"HK_EINVAL"' $A "$base/api/cases?limit=abc"
check "a bad bucket is 400" 400 '"code":"HK_EINVAL"' $A "$base/api/cases?bucket=M9"
check "a collector's list is empty before assignment" 200 '"cases":[]' -b "$tmp/cjar" "$base/api/cases"
check "a case that does not exist" 404 '"code":"HK_ENOTFOUND"' $A "$base/api/cases/999"
check "a collector cannot see another's case" 404 '"code":"HK_ENOTFOUND"' -b "$tmp/cjar" "$base/api/cases/1"
colref=$(q "$db" "select ref from users where username='li.na'")
q "$db" "update cases set collector_ref=$colref where ref=1"
check "a collector sees an assigned case" 200 '"id":1' -b "$tmp/cjar" "$base/api/cases/1"
check "and has it in their list" 200 '"id":1' -b "$tmp/cjar" "$base/api/cases"
check "no session, no case" 401 '"code"' "$base/api/cases/1"

# ---- contact records and promises
C="-b $tmp/cjar -H X-CSRF-Token:$ccsrf"
check "record a call" 201 '"outcome":"promised"' $C -X POST -H "$J" -d '{"channel":"call","outcome":"promised","note":"x"}' "$base/api/cases/1/records"
check "an unknown contact is refused" 400 'contact_id' -H 'Accept-Language: en' $C -X POST -H "$J" -d '{"channel":"call","outcome":"promised","contact_id":"C-none"}' "$base/api/cases/1/records"
check "record a call without a contact" 201 '"channel":"call"' $C -X POST -H "$J" -d '{"channel":"call","outcome":"reached_debtor","note":"说明了逾期金额"}' "$base/api/cases/1/records"
check "an unknown outcome is refused" 400 '"code":"HK_EINVAL"' $C -X POST -H "$J" -d '{"channel":"call","outcome":"yelled"}' "$base/api/cases/1/records"
check "a visit alone is refused" 400 '两人' $C -X POST -H "$J" -d '{"channel":"visit","outcome":"reached_debtor"}' "$base/api/cases/1/records"
check "a visit with oneself as second is refused" 400 'second_staff' $C -X POST -H "$J" -d '{"channel":"visit","outcome":"reached_debtor","second_staff":"li.na"}' "$base/api/cases/1/records"
check "a visit with two staff" 201 '"second_staff_id"' $C -X POST -H "$J" -d '{"channel":"visit","outcome":"reached_debtor","second_staff":"admin"}' "$base/api/cases/1/records"
check "a past follow-up date is refused" 400 'next_follow_up' $C -X POST -H "$J" -d '{"channel":"call","outcome":"no_answer","next_follow_up":"2020-01-01"}' "$base/api/cases/1/records"
check "list the records" 200 '"channel":"visit"' -b "$tmp/cjar" "$base/api/cases/1/records"
today=$(TZ=Asia/Shanghai date +%F)
soon=$(TZ=Asia/Shanghai date -d '+7 days' +%F)
late=$(TZ=Asia/Shanghai date -d '+60 days' +%F)
check "take a promise" 201 '"status":"pending"' $C -X POST -H "$J" -d "{\"amount\":\"500.00\",\"due_on\":\"$soon\"}" "$base/api/cases/1/promises"
check "a promise beyond the horizon is refused" 400 '"code":"HK_EINVAL"' $C -X POST -H "$J" -d "{\"amount\":\"500.00\",\"due_on\":\"$late\"}" "$base/api/cases/1/promises"
check "a promise of nothing is refused" 400 '"code":"HK_EINVAL"' $C -X POST -H "$J" -d "{\"amount\":\"0\",\"due_on\":\"$today\"}" "$base/api/cases/1/promises"
check "the promise shows on the case" 200 '"status":"pending"' -b "$tmp/cjar" "$base/api/cases/1"
check "admin creates an auditor" 201 '"one_time_password"' $A -X POST -H "$J" -d '{"username":"shen.ji","display_name":"审计","role":"auditor"}' "$base/api/users"
audpw=$(sed -n 's/.*"one_time_password":"\([A-Za-z0-9]*\)".*/\1/p' "$tmp/body")
check "the auditor logs in" 200 '"role":"auditor"' -c "$tmp/ajar" -X POST -H "$J" -d "{\"username\":\"shen.ji\",\"password\":\"$audpw\"}" "$base/api/session"
acsrf=$(sed -n 's/.*"csrf_token":"\([0-9a-f]*\)".*/\1/p' "$tmp/body")
check "an auditor reads any case" 200 '"id":1' -b "$tmp/ajar" "$base/api/cases/1"
check "reveal the phone" 200 '"value":"13800138000"' $C -X POST -H "$J" -d '{"field":"phone"}' "$base/api/cases/1/reveal"
check "reveal the ID number" 200 '"value":"11010519491231002X"' $C -X POST -H "$J" -d '{"field":"id_number"}' "$base/api/cases/1/reveal"
check "reveal needs a known field" 400 '"code":"HK_EINVAL"' $C -X POST -H "$J" -d '{"field":"salary"}' "$base/api/cases/1/reveal"
check "a detail the debtor lacks is 404" 404 '"code":"HK_ENOTFOUND"' $C -X POST -H "$J" -d '{"field":"address"}' "$base/api/cases/1/reveal"
check "an auditor may not reveal" 403 '"code"' -b "$tmp/ajar" -H "X-CSRF-Token: $acsrf" -X POST -H "$J" -d '{"field":"phone"}' "$base/api/cases/1/reveal"
check "reveals are audited" 200 '"action":"pii.reveal"' -b "$tmp/ajar" "$base/api/audit"
grep -q '13800138000' "$tmp/body" && bad "the audit trail holds no revealed number" || ok "the audit trail holds no revealed number"
# payments through the API (admin session)
P='{"payment_id":"API-1","account_id":"A1","paid_on":"2026-02-12","amount":"100.00","channel":"bank_transfer","reference":"BT-1"}'
check "post a payment" 201 '"duplicate":false' $A -X POST -H "$J" -d "$P" "$base/api/payments"
check "the same payment again is a duplicate" 200 '"duplicate":true' $A -X POST -H "$J" -d "$P" "$base/api/payments"
check "another payment under that id is refused" 409 '"code":"HK_EREFUSED"' $A -X POST -H "$J" -d '{"payment_id":"API-1","account_id":"A1","paid_on":"2026-02-12","amount":"200.00","channel":"online"}' "$base/api/payments"
check "cash is refused" 400 '现金' $A -X POST -H "$J" -d '{"payment_id":"API-2","account_id":"A1","paid_on":"2026-02-12","amount":"1","channel":"cash"}' "$base/api/payments"
check "a bank transfer needs its reference" 400 'reference' $A -X POST -H "$J" -d '{"payment_id":"API-3","account_id":"A1","paid_on":"2026-02-12","amount":"1","channel":"bank_transfer"}' "$base/api/payments"
check "an unknown account is refused" 400 '"code":"HK_EINVAL"' $A -X POST -H "$J" -d '{"payment_id":"API-4","account_id":"NOPE","paid_on":"2026-02-12","amount":"1","channel":"online"}' "$base/api/payments"
check "a collector may not post payments" 403 '"code"' $C -X POST -H "$J" -d '{"payment_id":"API-5","account_id":"A1","paid_on":"2026-02-12","amount":"1","channel":"online"}' "$base/api/payments"
n=$(q "$db" "select count(*) from payments where payment_id like 'API-%'")
[ "$n" = 1 ] && ok "exactly one API payment stored" || bad "exactly one API payment stored ($n)"
# the status flow
check "a collector starts collection" 200 '"status":"in_collection"' $C -X POST -H "$J" -d '{"status":"in_collection","reason":"首次联系"}' "$base/api/cases/1/status"
check "a move needs a reason" 400 '"code":"HK_EINVAL"' $C -X POST -H "$J" -d '{"status":"promised","reason":""}' "$base/api/cases/1/status"
check "an impossible move is refused" 400 '"code":"HK_EINVAL"' $C -X POST -H "$J" -d '{"status":"new","reason":"x"}' "$base/api/cases/1/status"
check "a collector may not write a case off" 403 '"code"' $C -X POST -H "$J" -d '{"status":"written_off","reason":"x"}' "$base/api/cases/1/status"
check "the history shows who and why" 200 '"to":"in_collection","reason":"首次联系"' -b "$tmp/cjar" "$base/api/cases/1"
check "a manager-level move by admin" 200 '"status":"settled"' $A -X POST -H "$J" -d '{"status":"settled","reason":"和解"}' "$base/api/cases/1/status"
# waivers: request, limits, approval booked into the ledger
check "a collector asks for a waiver" 201 '"status":"pending"' $C -X POST -H "$J" -d '{"account_id":"A1","component":"penalty","amount":"50.00","reason":"困难客户"}' "$base/api/cases/1/waivers"
wid=$(sed -n 's/^{"id":\([0-9]*\).*/\1/p' "$tmp/body")
check "more than is unpaid is refused" 400 '"code":"HK_EINVAL"' $C -X POST -H "$J" -d '{"account_id":"A1","component":"fee","amount":"999999","reason":"x"}' "$base/api/cases/1/waivers"
check "a collector may not decide" 403 '"code"' $C -X POST -H "$J" -d '{"approve":true}' "$base/api/waivers/$wid/decision"
check "admin creates a team leader" 201 '"one_time_password"' $A -X POST -H "$J" -d '{"username":"zz.t","display_name":"组长","role":"team_leader"}' "$base/api/users"
tlpw=$(sed -n 's/.*"one_time_password":"\([A-Za-z0-9]*\)".*/\1/p' "$tmp/body")
check "the team leader logs in" 200 '"role":"team_leader"' -c "$tmp/tjar" -X POST -H "$J" -d "{\"username\":\"zz.t\",\"password\":\"$tlpw\"}" "$base/api/session"
tcsrf=$(sed -n 's/.*"csrf_token":"\([0-9a-f]*\)".*/\1/p' "$tmp/body")
teamref=$(q "$db" "insert into teams (name) values ('T1') returning ref")
q "$db" "update users set team_ref=$teamref where username='zz.t'"
q "$db" "update cases set team_ref=$teamref where ref=1"
check "beyond a team leader's limit (10% of 419.71)" 403 '审批权限' -b "$tmp/tjar" -H "X-CSRF-Token: $tcsrf" -X POST -H "$J" -d '{"approve":true}' "$base/api/waivers/$wid/decision"
check "admin approves" 200 '"status":"approved"' $A -X POST -H "$J" -d '{"approve":true,"note":"同意"}' "$base/api/waivers/$wid/decision"
check "a decided request cannot be decided again" 409 '"code":"HK_EREFUSED"' $A -X POST -H "$J" -d '{"approve":false}' "$base/api/waivers/$wid/decision"
w=$(q "$db" "select component, amount, approved_by from waivers")
[ "$w" = "0|5000|admin" ] && ok "the approval booked the waiver" || bad "the approval booked the waiver ($w)"
check "the case lists its waivers" 200 '"status":"approved"' -b "$tmp/cjar" "$base/api/cases/1/waivers"
# skip tracing
check "add a contact found by skip tracing" 201 '"validity":"unverified"' $C -X POST -H "$J" -d '{"relation":"colleague","name":"王同事","phone":"13912345678","source":"单位电话簿"}' "$base/api/cases/1/contacts"
cid=$(sed -n 's/.*"contact_id":"\([A-Za-z0-9]*\)".*/\1/p' "$tmp/body")
check "a bad phone is refused" 400 '"code":"HK_EINVAL"' $C -X POST -H "$J" -d '{"relation":"friend","phone":"12345","source":"x"}' "$base/api/cases/1/contacts"
check "the new contact shows, masked, with its source" 200 '"phone":"139****5678","authorized":false,"validity":"unverified","source":"单位电话簿"' -b "$tmp/cjar" "$base/api/cases/1"
check "mark it invalid: every contact invalid is lost contact" 200 '"lost_contact":true' $C -X POST -H "$J" -d '{"validity":"invalid"}' "$base/api/cases/1/contacts/$cid/validity"
check "the case shows lost contact" 200 '"lost_contact":true' -b "$tmp/cjar" "$base/api/cases/1"
check "mark it valid again" 200 '"lost_contact":false' $C -X POST -H "$J" -d '{"validity":"valid"}' "$base/api/cases/1/contacts/$cid/validity"
check "an unknown contact is 404" 404 '"code"' $C -X POST -H "$J" -d '{"validity":"valid"}' "$base/api/cases/1/contacts/NOPE/validity"
check "a third party needs a recorded reason" 403 '"rule":"GR-THIRD-PARTY"' $C -X POST -H "$J" -d '{"channel":"call","outcome":"third_party","contact_id":"'$cid'"}' "$base/api/cases/1/records"
check "a record may now name the contact, with the reason" 201 '"contact_id":"'$cid'"' $C -X POST -H "$J" -d '{"channel":"call","outcome":"third_party","contact_id":"'$cid'","third_party_reason":"debtor_unreachable"}' "$base/api/cases/1/records"
# disputes with evidence: collection pauses until resolved
ev=$(printf '还款凭证 2026-02-11' | base64 -w0)
evsha=$(printf '还款凭证 2026-02-11' | sha256sum | cut -c1-64)
check "open a dispute with evidence" 201 "\"sha256\":\"$evsha\"" $C -X POST -H "$J" -d "{\"reason\":\"债务人称已还款\",\"files\":[{\"name\":\"slip.txt\",\"content_base64\":\"$ev\"}]}" "$base/api/cases/1/disputes"
did=$(sed -n 's/^{"id":\([0-9]*\).*/\1/p' "$tmp/body")
check "a second open dispute is refused" 409 '"code"' $C -X POST -H "$J" -d '{"reason":"again"}' "$base/api/cases/1/disputes"
check "bad base64 is refused" 400 'base64' -H 'Accept-Language: en' $C -X POST -H "$J" -d '{"reason":"x","files":[{"name":"a","content_base64":"!!!"}]}' "$base/api/cases/1/disputes"
check "collection pauses during a dispute" 403 '"rule":"GR-DISPUTE"' $C -X POST -H "$J" -d '{"channel":"call","outcome":"no_answer"}' "$base/api/cases/1/records"
check "the evidence comes back" 200 "\"content_base64\":\"$ev\"" -b "$tmp/cjar" "$base/api/disputes/$did/files/1"
check "the evidence files are listed, without their content" 200 "\"files\":[{\"n\":1,\"name\":\"slip.txt\",\"size\":23,\"sha256\":\"$evsha\"}]" -b "$tmp/cjar" "$base/api/disputes/$did/files"
grep -q content_base64 "$tmp/body" && bad "the list carries no content" || ok "the list carries no content"
check "an unknown dispute's files are 404" 404 '"code":"HK_ENOTFOUND"' -b "$tmp/cjar" "$base/api/disputes/99999/files"
[ -f "$files/$evsha" ] && ok "evidence kept by its SHA-256" || bad "evidence kept by its SHA-256"
printf 'tampered' > "$files/$evsha"
check "an altered evidence file is detected" 500 'SHA-256' -b "$tmp/cjar" "$base/api/disputes/$did/files/1"
check "a collector may not resolve" 403 '"code"' $C -X POST -H "$J" -d '{"resolution":"x"}' "$base/api/disputes/$did/resolve"
check "admin resolves" 200 '"status":"resolved"' $A -X POST -H "$J" -d '{"resolution":"银行流水核实：未收到该笔还款"}' "$base/api/disputes/$did/resolve"
check "collection resumes (a letter: today's conversations are used up)" 201 '"channel":"letter"' $C -X POST -H "$J" -d '{"channel":"letter","outcome":"delivered"}' "$base/api/cases/1/records"
check "cases with a pending promise" 200 '"id":1' -b "$tmp/cjar" "$base/api/cases?promise=pending"
check "no case with a broken promise yet" 200 '"cases":[]' -b "$tmp/cjar" "$base/api/cases?promise=broken"
check "a bad promise filter is 400" 400 '"code":"HK_EINVAL"' -b "$tmp/cjar" "$base/api/cases?promise=maybe"

# repayment plans, tracked against payments as of the last day-end
d7=$(TZ=Asia/Shanghai date -d '+7 days' +%F)
d3=$(TZ=Asia/Shanghai date -d '+3 days' +%F)
d10=$(TZ=Asia/Shanghai date -d '+10 days' +%F)
d37=$(TZ=Asia/Shanghai date -d '+37 days' +%F)
d40=$(TZ=Asia/Shanghai date -d '+40 days' +%F)
check "propose a plan" 201 '"status":"proposed"' $C -X POST -H "$J" -d "{\"installments\":[{\"due_on\":\"$d7\",\"amount\":\"500.00\"},{\"due_on\":\"$d37\",\"amount\":\"500.00\"}],\"note\":\"两期\"}" "$base/api/cases/1/plans"
planid=$(sed -n 's/^{"id":\([0-9]*\).*/\1/p' "$tmp/body")
check "dates must increase" 400 '"code":"HK_EINVAL"' $C -X POST -H "$J" -d "{\"installments\":[{\"due_on\":\"$d37\",\"amount\":\"1\"},{\"due_on\":\"$d7\",\"amount\":\"1\"}]}" "$base/api/cases/1/plans"
check "a collector may not approve a plan" 403 '"code"' $C -X POST -H "$J" -d '{"approve":true}' "$base/api/plans/$planid/decision"
check "admin approves the plan" 200 '"status":"approved"' $A -X POST -H "$J" -d '{"approve":true}' "$base/api/plans/$planid/decision"
check "an approved plan starts on track" 200 '"tracking":"on_track"' -b "$tmp/cjar" "$base/api/cases/1/plans"
check "the plan's first payment arrives" 201 '"duplicate":false' $A -X POST -H "$J" -d "{\"payment_id\":\"PLAN-1\",\"account_id\":\"A1\",\"paid_on\":\"$d3\",\"amount\":\"500.00\",\"channel\":\"online\"}" "$base/api/payments"
"$hk" --db "$db" eod --date "$d10" >/dev/null
check "first installment met, still on track" 200 '"state":"met"' -b "$tmp/cjar" "$base/api/cases/1/plans"
grep -q '"tracking":"on_track"' "$tmp/body" && ok "on track after the first" || bad "on track after the first ($(cat "$tmp/body"))"
"$hk" --db "$db" eod --date "$d40" >/dev/null
check "the second missed: the plan is broken" 200 '"tracking":"broken"' -b "$tmp/cjar" "$base/api/cases/1/plans"
grep -q '"state":"missed"' "$tmp/body" && ok "the missed installment is marked" || bad "the missed installment is marked"
check "the plan's payment kept the promise too" 200 '"id":1' -b "$tmp/cjar" "$base/api/cases?promise=kept"
check "an auditor may not write records" 403 '"code"' -b "$tmp/ajar" -H "X-CSRF-Token: $acsrf" -X POST -H "$J" -d '{"channel":"call","outcome":"no_answer"}' "$base/api/cases/1/records"
check "writes outside the scope are 404" 404 '"code"' $C -X POST -H "$J" -d '{"channel":"call","outcome":"no_answer"}' "$base/api/cases/999/records"

# ---- the case's timeline: everything above, newest first
check "the case's timeline" 200 '"events":[' -b "$tmp/cjar" "$base/api/cases/1/timeline"
if python3 - "$tmp/body" <<'PY'
import json, sys, datetime
ev = json.load(open(sys.argv[1]))["events"]
kinds = {e["kind"] for e in ev}
want = {"record", "status", "promise", "payment", "waiver_request",
        "waiver_decision", "dispute_opened", "dispute_resolved",
        "plan_proposed", "plan_decided"}
missing = want - kinds
def key(e):
    if e["at"] is not None:
        return e["at"]
    d = datetime.date.fromisoformat(e["date"])
    return (d - datetime.date(1970, 1, 1)).days * 86400 + 86399
keys = [key(e) for e in ev]
order = all(a >= b for a, b in zip(keys, keys[1:]))
pay = [e for e in ev if e["kind"] == "payment" and e["payment_id"] == "PLAN-1"]
ok = not missing and order and pay and pay[0]["amount"] == "500.00" and pay[0]["account_id"] == "A1"
if not ok:
    print("missing", missing, "order", order, "payment", pay)
sys.exit(0 if ok else 1)
PY
then ok "the timeline has every kind of event, newest first"; else bad "the timeline has every kind of event, newest first"; fi
check "no timeline outside the scope" 404 '"code"' -b "$tmp/cjar" "$base/api/cases/999/timeline"

check "admin reads the audit trail" 200 '"action":"user.create"' $A "$base/api/audit"
grep -q 'li.na' "$tmp/body" && grep -q '"action":"session.create"' "$tmp/body" && ok "log-ins and user creation are audited" || bad "log-ins and user creation are audited"
grep -q "$colpw" "$tmp/body" && bad "no password in the audit trail" || ok "no password in the audit trail"

for i in 1 2 3 4; do
	curl -s -o /dev/null -X POST -H "$J" -d '{"username":"admin","password":"wrong-again"}' "$base/api/session"
done
check "the fifth wrong password" 401 '"code"' -X POST -H "$J" -d '{"username":"admin","password":"wrong-again"}' "$base/api/session"
check "then even the right one is locked out" 403 '锁定' -X POST -H "$J" -d '{"username":"admin","password":"a-new-long-password"}' "$base/api/session"

# SIGTERM: stops cleanly with status 0
kill -TERM "$pid"
wait "$pid"
st=$?
pid=
[ $st -eq 0 ] && ok "SIGTERM stops the server (exit 0)" || bad "SIGTERM stops the server (exit $st)"
grep -q "服务已停止" "$tmp/log" && ok "says it stopped" || bad "says it stopped"

# ---- the audit trail is tamper-evident
"$hk" --db "$db" audit verify >"$tmp/v" 2>&1 && grep -q "完好" "$tmp/v" && ok "audit verify: intact" || bad "audit verify: intact ($(cat "$tmp/v"))"
n=$(q "$db" "select count(*) from audit_log")
[ "$n" -ge 8 ] && ok "audit records written ($n)" || bad "audit records written ($n)"
t1=$(copydb "$db" t1)
q "$t1" "update audit_log set target='user:99' where ref=3"
"$hk" --db "$t1" audit verify >/dev/null 2>"$tmp/v"
[ $? -eq 4 ] && grep -q "3" "$tmp/v" && ok "an altered record is found" || bad "an altered record is found ($(cat "$tmp/v"))"
t2=$(copydb "$db" t2)
q "$t2" "delete from audit_log where ref=4"
"$hk" --db "$t2" audit verify >/dev/null 2>"$tmp/v"
[ $? -eq 4 ] && grep -q "5" "$tmp/v" && ok "a removed record is found" || bad "a removed record is found ($(cat "$tmp/v"))"

# ---- the demo serves its portfolio with its users
"$hk" demo --db "$(newdb demo)" --accounts 120 --port 0 >"$tmp/dout" 2>"$tmp/dlog" &
pid=$!
for _ in $(seq 1 100); do grep -q "http://" "$tmp/dout" && break; sleep 0.1; done
dport=$(sed -n 's/.*http:\/\/127.0.0.1:\([0-9][0-9]*\)$/\1/p' "$tmp/dout")
[ -n "$dport" ] && ok "the demo serves ($dport)" || bad "the demo serves"
grep -q "huikuan-demo-2026" "$tmp/dout" && grep -q "li.na" "$tmp/dout" && ok "the demo prints its log-ins" || bad "the demo prints its log-ins"
check "a demo collector logs in" 200 '"role":"collector"' -c "$tmp/djar" -X POST -H "$J" -d '{"username":"li.na","password":"huikuan-demo-2026"}' "http://127.0.0.1:$dport/api/session"
check "and has a queue" 200 '"bucket"' -b "$tmp/djar" "http://127.0.0.1:$dport/api/cases"
mine=$(grep -o '"id":' "$tmp/body" | wc -l)
check "a demo manager sees more" 200 '"role":"manager"' -c "$tmp/mjar" -X POST -H "$J" -d '{"username":"wang.jl","password":"huikuan-demo-2026"}' "http://127.0.0.1:$dport/api/session"
curl -s -b "$tmp/mjar" "http://127.0.0.1:$dport/api/cases?limit=500" >"$tmp/body"
all=$(grep -o '"id":' "$tmp/body" | wc -l)
[ "$mine" -gt 0 ] && [ "$all" -gt "$mine" ] && ok "scopes differ: collector $mine, manager $all cases" || bad "scopes differ: collector $mine, manager $all"
kill -TERM "$pid"; wait "$pid"; pid=

finish serve
