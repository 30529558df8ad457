#!/bin/sh
# The workflow limits of [workflow] (docs/configuration.md) over real HTTP:
# a team leader's waiver approval limit and the promise horizon, each
# checked under the defaults and under a configuration that moves them.
# usage: limits_test.sh HUIKUAN_BINARY TESTS_DIR
. "$2/cli/lib.sh"
J='Content-Type: application/json'

db=$(newdb w)
"$hk" demo --db "$db" --accounts 60 --no-serve >/dev/null 2>&1 || { bad "demo"; exit 1; }
lina=$(q "$db" "select ref from users where username='li.na'")
lead_team=$(q "$db" "select team_ref from users where username='zhang.zz'")
# li.na's overdue accounts in the team leader's team, with their total
# overdue (fen) and overdue principal from the export.
"$hk" --db "$db" export accounts | awk -F, 'NR > 1 && $9 != "0.00" { gsub(/\./, "", $9); gsub(/\./, "", $5); print $1, $9 + 0, $5 + 0 }' >"$tmp/due"
pick() { # the n-th such account: "account_id case_ref total principal"
	while read -r a t p; do
		c=$(q "$db" "select a.case_ref from accounts a join cases c on c.ref=a.case_ref where a.account_id='$a' and c.collector_ref=$lina and c.team_ref=$lead_team")
		[ -n "$c" ] && [ "$p" -ge $((t * 15 / 100)) ] && [ "$t" -ge 1000 ] && echo "$a $c $t $p"
	done <"$tmp/due" | sed -n "${1}p"
}
set -- $(pick 1)
acct1=$1 case1=$2 total1=$3
set -- $(pick 2)
acct2=$1 case2=$2 total2=$3
[ -n "$acct2" ] && ok "two overdue accounts of li.na's to work on" || { bad "no suitable accounts"; finish limits; exit 1; }

start() { # [global options...]: serve on a free port into $base
	"$hk" --db "$db" "$@" serve --listen 127.0.0.1:0 >"$tmp/out" 2>/dev/null &
	pid=$!
	for _ in $(seq 1 100); do grep -qs "http://" "$tmp/out" && break; sleep 0.05; done
	base=http://127.0.0.1:$(sed -n 's/.*:\([0-9][0-9]*\)$/\1/p' "$tmp/out")
}
stop() { kill -TERM "$pid"; wait "$pid" 2>/dev/null; pid=; }
token() {
	curl -s -X POST -H "$J" -d "{\"username\":\"$1\",\"password\":\"huikuan-demo-2026\",\"bearer\":true}" \
		"$base/api/session" | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p'
}
post() { # USER PATH BODY: prints the status, body in $tmp/body
	curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $(token "$1")" -X POST -H "$J" -d "$3" "$base$2"
}
yuan() { printf '%d.%02d' $(($1 / 100)) $(($1 % 100)); }
in_days() { date -d "+$1 days" +%Y-%m-%d; }
# ask for 15% of the account's total overdue, off its principal; the team
# leader decides; prints the decision's status
waive_15() { # ACCOUNT CASE TOTAL
	st=$(post li.na "/api/cases/$2/waivers" "{\"account_id\":\"$1\",\"component\":\"principal\",\"amount\":\"$(yuan $(($3 * 15 / 100)))\",\"reason\":\"困难\"}")
	[ "$st" = 201 ] || { echo "request $st $(cat "$tmp/body")"; return; }
	wid=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$tmp/body")
	post zhang.zz "/api/waivers/$wid/decision" '{"approve":true}'
}

export TZ=Asia/Shanghai
# ---- defaults: team leader up to 10%, promises within 30 days
start
st=$(waive_15 "$acct1" "$case1" "$total1")
[ "$st" = 403 ] && grep -q '审批权限' "$tmp/body" && ok "default: 15% is beyond a team leader" || bad "default: 15% is beyond a team leader ($st)"
# the approvals inbox: the request waits, beyond the team leader's limit
# (10% of the account's total overdue, at most 2,000.00) and within the
# manager's (30%)
get() { # USER PATH: prints the status, body in $tmp/body
	curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $(token "$1")" "$base$2"
}
wid=$(q "$db" "select max(ref) from waiver_requests")
lim=$((total1 / 10)); [ "$lim" -gt 200000 ] && lim=200000
st=$(get zhang.zz /api/approvals)
python3 - "$tmp/body" "$wid" "$(yuan $lim)" "$(yuan $((total1 * 15 / 100)))" <<'PY' && ok "approvals: the team leader sees it waiting, beyond the limit, with the limit" || bad "approvals for the team leader ($st $(cat "$tmp/body"))"
import json, sys
b = json.load(open(sys.argv[1])); wid = int(sys.argv[2])
w = [x for x in b["waivers"] if x["id"] == wid]
sys.exit(0 if w and w[0]["within_limit"] is False and w[0]["your_limit"] == sys.argv[3]
         and w[0]["amount"] == sys.argv[4] and b["limits"]["share_ppm"] == 100000
         and b["limits"]["max"] == "2000.00" and "plans" in b else 1)
PY
st=$(get wang.jl /api/approvals)
python3 - "$tmp/body" "$wid" <<'PY' && ok "approvals: within the manager's limit" || bad "approvals for the manager ($st)"
import json, sys
b = json.load(open(sys.argv[1])); wid = int(sys.argv[2])
w = [x for x in b["waivers"] if x["id"] == wid]
sys.exit(0 if w and w[0]["within_limit"] is True and b["limits"]["share_ppm"] == 300000 else 1)
PY
st=$(get li.na /api/approvals)
[ "$st" = 403 ] && ok "approvals: not a collector's" || bad "approvals for a collector ($st)"
st=$(post wang.jl "/api/waivers/$wid/decision" '{"approve":true}')
st2=$(get zhang.zz /api/approvals)
[ "$st" = 200 ] && ! grep -q "\"id\":$wid," "$tmp/body" && ok "approved by the manager: no longer waiting" || bad "after approval ($st $st2)"
st=$(post li.na "/api/cases/$case1/promises" "{\"amount\":\"100.00\",\"due_on\":\"$(in_days 25)\"}")
[ "$st" = 201 ] && ok "default: a promise in 25 days" || bad "default: a promise in 25 days ($st)"
st=$(post li.na "/api/cases/$case1/promises" "{\"amount\":\"100.00\",\"due_on\":\"$(in_days 31)\"}")
[ "$st" = 400 ] && ok "default: not in 31 days" || bad "default: not in 31 days ($st)"
stop

# ---- configured: team leader up to 20% without an amount limit; 10 days
printf '[workflow]\nteam_leader_waiver_share = 20\nteam_leader_waiver_max = none\npromise_horizon_days = 10\n' >"$tmp/w.ini"
start --config "$tmp/w.ini"
st=$(waive_15 "$acct2" "$case2" "$total2")
[ "$st" = 200 ] && ok "configured: 15% is within a team leader's 20%" || bad "configured: 15% within 20% ($st $(cat "$tmp/body"))"
st=$(post li.na "/api/cases/$case2/promises" "{\"amount\":\"100.00\",\"due_on\":\"$(in_days 10)\"}")
[ "$st" = 201 ] && ok "configured: a promise in 10 days" || bad "configured: a promise in 10 days ($st)"
st=$(post li.na "/api/cases/$case2/promises" "{\"amount\":\"100.00\",\"due_on\":\"$(in_days 11)\"}")
[ "$st" = 400 ] && grep -q '10' "$tmp/body" && ok "configured: not in 11 days, and the horizon is named" || bad "configured: not in 11 days ($st)"
stop

# ---- a bad [workflow] value stops the command naming the key
for kv in "team_leader_waiver_share = 120" "manager_waiver_max = lots" "promise_horizon_days = 0" "tea_leader = 1"; do
	printf '[workflow]\n%s\n' "$kv" >"$tmp/bad.ini"
	"$hk" --db "$db" --config "$tmp/bad.ini" export accounts >/dev/null 2>"$tmp/err"
	[ $? -eq 3 ] && grep -q "${kv%% *}" "$tmp/err" && ok "refused: $kv" || bad "refused: $kv"
done
finish limits
