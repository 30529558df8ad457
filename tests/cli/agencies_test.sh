#!/bin/sh
# Agencies (委外) over real HTTP: creating agencies and agency collectors,
# placing a case, the agency user's scope (only placed cases, inside the
# store's queries), what they may do there, recall, and deactivating a user.
# usage: agencies_test.sh HUIKUAN_BINARY TESTS_DIR
. "$2/cli/lib.sh"
J='Content-Type: application/json'

db=$(newdb a)
"$hk" demo --db "$db" --accounts 60 --no-serve >/dev/null 2>&1 || { bad "demo"; exit 1; }
"$hk" --db "$db" --config "$(awake_config)" serve --listen 127.0.0.1:0 >"$tmp/out" 2>/dev/null &
pid=$!
for _ in $(seq 1 100); do grep -qs "http://" "$tmp/out" && break; sleep 0.05; done
base=http://127.0.0.1:$(sed -n 's/.*:\([0-9][0-9]*\)$/\1/p' "$tmp/out")

# check NAME WANT_STATUS WANT_BODY_SUBSTRING TOKEN METHOD PATH [BODY]
check() {
	name=$1 want=$2 text=$3 tok=$4 m=$5 p=$6
	if [ $# -ge 7 ]; then
		got=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $tok" -X "$m" -H "$J" -d "$7" "$base$p")
	else
		got=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $tok" -X "$m" "$base$p")
	fi
	if [ "$got" = "$want" ] && grep -qF -- "$text" "$tmp/body"; then ok "$name"; else
		bad "$name (status $got, want $want; body: $(head -c 300 "$tmp/body"))"
	fi
}
token() { # USER [PASSWORD]
	curl -s -X POST -H "$J" -d "{\"username\":\"$1\",\"password\":\"${2:-huikuan-demo-2026}\",\"bearer\":true}" \
		"$base/api/session" | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p'
}
ADM=$(token admin)
MGR=$(token wang.jl)
LEAD=$(token zhang.zz)
COL=$(token li.na)
# a case without payments since yesterday, so the statement below is
# exactly what this test pays in
ydn=$(( $(date -u -d "$(TZ=Asia/Shanghai date -d '-1 days' +%Y-%m-%d)" +%s) / 86400 )) # as the schema stores dates
placed=$(q "$db" "select min(c.ref) from cases c where c.agency_ref is null and not exists (
	select 1 from accounts a join payments p on p.account_ref = a.ref
	where a.case_ref = c.ref and p.paid_on >= $ydn)")
other=$(q "$db" "select max(ref) from cases")
soon=$(TZ=Asia/Shanghai date -d '+30 days' +%Y-%m-%d)
later=$(TZ=Asia/Shanghai date -d '+40 days' +%Y-%m-%d)
today=$(TZ=Asia/Shanghai date +%Y-%m-%d)
ago=$(TZ=Asia/Shanghai date -d '-10 days' +%Y-%m-%d)
yesterday=$(TZ=Asia/Shanghai date -d '-1 days' +%Y-%m-%d)

# ---- agencies and their users
check "manager creates an agency" 201 '"name":"信达催收"' "$MGR" POST /api/agencies '{"name":"信达催收"}'
ag=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$tmp/body")
check "the same name twice is refused" 409 '"code":"HK_EREFUSED"' "$MGR" POST /api/agencies '{"name":"信达催收"}'
check "a collector may not create agencies" 403 '"code"' "$COL" POST /api/agencies '{"name":"x"}'
check "agencies are listed" 200 '"name":"信达催收"' "$LEAD" GET /api/agencies
check "an agency collector needs an agency" 400 '"code":"HK_EINVAL"' "$ADM" POST /api/users '{"username":"ag.wu","display_name":"吴","role":"agency_collector"}'
check "an unknown agency is refused" 400 '"code":"HK_EINVAL"' "$ADM" POST /api/users '{"username":"ag.wu","display_name":"吴","role":"agency_collector","agency":999}'
check "only agency collectors have an agency" 400 '"code":"HK_EINVAL"' "$ADM" POST /api/users "{\"username\":\"c.x\",\"display_name\":\"x\",\"role\":\"collector\",\"agency\":$ag}"
check "admin creates an agency collector" 201 "\"agency_id\":$ag" "$ADM" POST /api/users "{\"username\":\"ag.wu\",\"display_name\":\"吴\",\"role\":\"agency_collector\",\"agency\":$ag}"
agpw=$(sed -n 's/.*"one_time_password":"\([A-Za-z0-9]*\)".*/\1/p' "$tmp/body")
agref=$(q "$db" "select ref from users where username='ag.wu'")
AG=$(token ag.wu "$agpw")
[ -n "$AG" ] && ok "the agency collector logs in" || bad "the agency collector logs in"

# ---- nothing placed: nothing in scope
check "an agency user sees no case before placement" 200 '"cases":[]' "$AG" GET /api/cases
check "nor any case by id" 404 '"code":"HK_ENOTFOUND"' "$AG" GET "/api/cases/$placed"

# ---- contracts and reviews
check "no contract, no placement" 409 '"code":"HK_EREFUSED"' "$MGR" POST "/api/cases/$placed/placement" "{\"agency\":$ag,\"reason\":\"x\"}"
check "a contract needs its terms" 400 '"code":"HK_EINVAL"' "$MGR" POST "/api/agencies/$ag/contracts" '{"starts_on":"2026-01-01"}'
check "a contract ends after it starts" 400 '"code":"HK_EINVAL"' "$MGR" POST "/api/agencies/$ag/contracts" '{"starts_on":"2026-02-01","ends_on":"2026-01-01","commission":"15"}'
check "a collector may not sign contracts" 403 '"code"' "$COL" POST "/api/agencies/$ag/contracts" "{\"starts_on\":\"$ago\",\"ends_on\":\"$soon\",\"commission\":\"15\"}"
check "manager records a contract" 201 '"commission":"15"' "$MGR" POST "/api/agencies/$ag/contracts" "{\"starts_on\":\"$ago\",\"ends_on\":\"$soon\",\"commission\":\"15\",\"upfront_fee\":\"20.00\"}"
check "the contracts are listed" 200 '"upfront_fee":"20.00"' "$MGR" GET "/api/agencies/$ag/contracts"
check "a review date in the past" 200 "\"next_review\":\"$yesterday\"" "$MGR" POST "/api/agencies/$ag/review" "{\"next_review\":\"$yesterday\"}"
check "refuses placements (GR-AGENCY-REVIEW)" 403 '"rule":"GR-AGENCY-REVIEW"' "$MGR" POST "/api/cases/$placed/placement" "{\"agency\":$ag,\"reason\":\"x\"}"
check "the review done, the next one set" 200 "\"next_review\":\"$later\"" "$MGR" POST "/api/agencies/$ag/review" "{\"next_review\":\"$later\"}"
check "a placement cannot outrun the contract" 409 '"code":"HK_EREFUSED"' "$MGR" POST "/api/cases/$placed/placement" "{\"agency\":$ag,\"until\":\"$later\",\"reason\":\"x\"}"

# ---- placement
check "a placement needs a date from today" 400 '"code":"HK_EINVAL"' "$MGR" POST "/api/cases/$placed/placement" "{\"agency\":$ag,\"until\":\"2020-01-01\",\"reason\":\"x\"}"
check "a placement needs a real agency" 400 '"code":"HK_EINVAL"' "$MGR" POST "/api/cases/$placed/placement" "{\"agency\":999,\"until\":\"$soon\",\"reason\":\"x\"}"
check "a team leader may not place" 403 '"code"' "$LEAD" POST "/api/cases/$placed/placement" "{\"agency\":$ag,\"until\":\"$soon\",\"reason\":\"x\"}"
check "manager places a case, to the contract's end" 200 "\"until\":\"$soon\"" "$MGR" POST "/api/cases/$placed/placement" "{\"agency\":$ag,\"reason\":\"M3 以上委外\"}"
check "placing it twice is refused" 409 '"code":"HK_EREFUSED"' "$MGR" POST "/api/cases/$placed/placement" "{\"agency\":$ag,\"until\":\"$soon\",\"reason\":\"x\"}"
check "the agency user lists the placed case" 200 "\"id\":$placed," "$AG" GET /api/cases
n=$(grep -o '"id":' "$tmp/body" | wc -l)
[ "$n" -eq 1 ] && ok "and only it" || bad "and only it ($n cases)"
check "the agency user reads the placed case" 200 "\"agency_id\":$ag" "$AG" GET "/api/cases/$placed"
grep -q '"placements"' "$tmp/body" && bad "the placement history is not shown to the agency" || ok "the placement history is not shown to the agency"
check "but not a case placed elsewhere" 404 '"code":"HK_ENOTFOUND"' "$AG" GET "/api/cases/$other"
check "the agency user records a call" 201 '"outcome":"no_answer"' "$AG" POST "/api/cases/$placed/records" '{"channel":"call","outcome":"no_answer"}'
check "and cannot on another case" 404 '"code":"HK_ENOTFOUND"' "$AG" POST "/api/cases/$other/records" '{"channel":"call","outcome":"no_answer"}'
acct=$(q "$db" "select account_id from accounts where case_ref=$placed limit 1")
check "a contract without may_settle: no waiver requests from the agency" 403 '"code":"HK_EREFUSED"' "$AG" POST "/api/cases/$placed/waivers" "{\"account_id\":\"$acct\",\"component\":\"principal\",\"amount\":\"1.00\",\"reason\":\"困难\"}"
check "the firm's own staff may ask" 201 '"status":"pending"' "$MGR" POST "/api/cases/$placed/waivers" "{\"account_id\":\"$acct\",\"component\":\"principal\",\"amount\":\"1.00\",\"reason\":\"困难\"}"
wid=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$tmp/body")
check "and an agency may never approve one" 403 '"code"' "$AG" POST "/api/waivers/$wid/decision" '{"approve":true}'
check "the agency user's timeline has their call" 200 '"kind":"record"' "$AG" GET "/api/cases/$placed/timeline"
grep -q '"kind":"placed"' "$tmp/body" && bad "but not the placement" || ok "but not the placement"
check "the manager sees the placement on the case" 200 '"reason":"M3 以上委外"' "$MGR" GET "/api/cases/$placed"
check "the manager's list filters nothing away" 200 "\"id\":$placed," "$MGR" GET "/api/cases?sort=id&limit=500"

# ---- the commission statement: a payment in the window counts, one
# dated before the placement does not; 15% of 1,000.00 and a 20.00 fee
acct1=$(q "$db" "select account_id from accounts where case_ref=$placed limit 1")
check "a payment on the placed case" 201 '"duplicate":false' "$MGR" POST /api/payments "{\"payment_id\":\"AG-1\",\"account_id\":\"$acct1\",\"paid_on\":\"$today\",\"amount\":\"1000.00\",\"channel\":\"online\"}"
check "and one from before the placement" 201 '"duplicate":false' "$MGR" POST /api/payments "{\"payment_id\":\"AG-0\",\"account_id\":\"$acct1\",\"paid_on\":\"$yesterday\",\"amount\":\"500.00\",\"channel\":\"online\"}"
check "the statement" 200 '"recovered":"1000.00","commission":"150.00","upfront_fees":"20.00","total_due":"170.00"' "$MGR" GET "/api/agencies/$ag/statement?from=$ago&to=$soon"
check "the agency reads its own statement" 200 '"total_due":"170.00"' "$AG" GET "/api/agencies/$ag/statement?from=$ago&to=$soon"
demo_ag=$(q "$db" "select ref from agencies where ref <> $ag limit 1")
check "but no other agency's" 404 '"code"' "$AG" GET "/api/agencies/$demo_ag/statement?from=$ago&to=$soon"
check "a period before the placement owes nothing" 200 '"recovered":"0.00","commission":"0.00","upfront_fees":"0.00"' "$MGR" GET "/api/agencies/$ag/statement?from=$ago&to=$yesterday"

# ---- recall
check "a collector may not recall" 403 '"code"' "$COL" POST "/api/cases/$placed/recall" '{"reason":"x"}'
check "manager recalls the case" 200 '"agency":null' "$MGR" POST "/api/cases/$placed/recall" '{"reason":"协议到期"}'
check "recalling twice is refused" 409 '"code":"HK_EREFUSED"' "$MGR" POST "/api/cases/$placed/recall" '{"reason":"x"}'
check "the recalled case leaves the agency's scope" 404 '"code":"HK_ENOTFOUND"' "$AG" GET "/api/cases/$placed"
check "and its list" 200 '"cases":[]' "$AG" GET /api/cases
check "the history keeps the recall" 200 '"recall_reason":"协议到期"' "$MGR" GET "/api/cases/$placed"
check "the timeline shows placement and recall" 200 '"kind":"recalled"' "$MGR" GET "/api/cases/$placed/timeline"
grep -q '"kind":"placed"' "$tmp/body" && ok "with the placement" || bad "with the placement"

# ---- the debtor's address: masked in the case, revealed on an audited request
addr=$(q "$db" "select d.address from cases c join debtors d on d.ref=c.debtor_ref where c.ref=$other")
check "the address leaves masked" 200 '****"' "$MGR" GET "/api/cases/$other"
grep -qF "$addr" "$tmp/body" && bad "no full address in the case" || ok "no full address in the case"
check "an audited reveal gives the whole address" 200 "\"value\":\"$addr\"" "$MGR" POST "/api/cases/$other/reveal" '{"field":"address"}'
n=$(q "$db" "select count(*) from audit_log where action='pii.reveal' and detail like '%address%'")
[ "$n" -eq 1 ] && ok "the address reveal is audited" || bad "the address reveal is audited ($n)"

# ---- automatic recall: day-end the day after the placement's end
other2=$(q "$db" "select min(ref) from cases where agency_ref is null and ref <> $placed and ref <> $other")
check "another placement" 200 "\"until\":\"$soon\"" "$MGR" POST "/api/cases/$other2/placement" "{\"agency\":$ag,\"reason\":\"x\"}"
check "visible to the agency" 200 "\"id\":$other2" "$AG" GET "/api/cases/$other2"
day_after=$(TZ=Asia/Shanghai date -d '+31 days' +%Y-%m-%d)
"$hk" --db "$db" eod --date "$day_after" >/dev/null
check "recalled by day-end after the contract's end" 404 '"code":"HK_ENOTFOUND"' "$AG" GET "/api/cases/$other2"
n=$(q "$db" "select count(*) from placements where case_ref=$other2 and recalled_at is not null and recalled_by is null")
[ "$n" -eq 1 ] && ok "the recall is day-end's, on the record" || bad "the recall is day-end's ($n)"

# ---- changing and deactivating users
team=$(q "$db" "select max(ref) from teams")
colref=$(q "$db" "select ref from users where username='li.na'")
check "admin moves a collector to another team" 200 "\"team_id\":$team" "$ADM" POST "/api/users/$colref" "{\"team\":$team}"
check "to a team that does not exist: refused" 400 '"code":"HK_EINVAL"' "$ADM" POST "/api/users/$colref" '{"team":999}'
check "an unknown field is refused" 400 '"code":"HK_EINVAL"' "$ADM" POST "/api/users/$colref" '{"role":"admin"}'
check "a manager may not change users" 403 '"code"' "$MGR" POST "/api/users/$colref" '{"active":false}'
check "admin deactivates the agency user" 200 '"active":false' "$ADM" POST "/api/users/$agref" '{"active":false}'
check "whose session ends at once" 401 '"code"' "$AG" GET /api/cases
[ -z "$(token ag.wu "$agpw")" ] && ok "and who cannot log in again" || bad "and who cannot log in again"
n=$(q "$db" "select count(*) from audit_log where action in ('agency.create','case.place','case.recall','user.update')")
[ "$n" -eq 6 ] && ok "placements, recalls and user changes are audited" || bad "audited ($n records)"
"$hk" --db "$db" audit verify >/dev/null 2>&1 && ok "the audit chain holds" || bad "the audit chain holds"

finish agencies
