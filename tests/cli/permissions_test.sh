#!/bin/sh
# The permission matrix: every role (six demo users, one per role, the
# agency collector with cases placed) against every endpoint, allowed or
# refused, over real HTTP on the demo portfolio.  A refusal is 403 for a
# role the route excludes and 404 for a case outside the caller's scope;
# "allowed" means the request got past access control (any other status).
# Then bulk reassignment (POST /api/cases/assign) in detail: the single
# reassignment's rules, all or nothing, an audit record per case.
# usage: permissions_test.sh HUIKUAN_BINARY TESTS_DIR
. "$2/cli/lib.sh"
J='Content-Type: application/json'

db=$(newdb p)
"$hk" demo --db "$db" --accounts 60 --no-serve >/dev/null 2>&1 || { bad "demo"; exit 1; }
"$hk" --db "$db" --config "$(awake_config)" serve --listen 127.0.0.1:0 >"$tmp/out" 2>/dev/null &
pid=$!
for _ in $(seq 1 100); do grep -qs "http://" "$tmp/out" && break; sleep 0.05; done
base=http://127.0.0.1:$(sed -n 's/.*:\([0-9][0-9]*\)$/\1/p' "$tmp/out")

# A case of li.na's (collector, team 1) and one of chen.jing's (team 2).
lina=$(q "$db" "select ref from users where username='li.na'")
chen=$(q "$db" "select ref from users where username='chen.jing'")
mine=$(q "$db" "select min(ref) from cases where collector_ref=$lina and agency_ref is null")
other=$(q "$db" "select min(ref) from cases where collector_ref=$chen and agency_ref is null")
# A case of li.na's placed with the demo agency, whose user is wu.wb.
placed=$(q "$db" "select min(ref) from cases where collector_ref=$lina and agency_ref is not null")
sunref=$(q "$db" "select ref from users where username='sun.sj'")
zhao=$(q "$db" "select ref from users where username='zhao.lei'")
agency=$(q "$db" "select agency_ref from users where username='wu.wb'")

token() {
	curl -s -X POST -H "$J" -d "{\"username\":\"$1\",\"password\":\"huikuan-demo-2026\",\"bearer\":true}" \
		"$base/api/session" | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p'
}
for u in admin wang.jl zhang.zz li.na sun.sj wu.wb; do
	eval "tok_$(echo $u | tr . _)=\$(token $u)"
done

# expect USER METHOD PATH BODY WANT (allow | deny)
expect() {
	u=$1 m=$2 p=$3 b=$4 want=$5
	eval "t=\$tok_$(echo $u | tr . _)"
	if [ -n "$b" ]; then
		code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t" -X "$m" -H "$J" -d "$b" "$base$p")
	else
		code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t" -X "$m" "$base$p")
	fi
	# Requests on id 999 (none) test the role alone: 404 means it passed.
	case $code in
	401 | 403) got=deny ;;
	404) case $p in */999/*) got=allow ;; *) got=deny ;; esac ;;
	*) got=allow ;;
	esac
	[ "$got" = "$want" ] && ok "$u $m $p: $want" || bad "$u $m $p: $got ($code), want $want"
}

REC='{"channel":"call","outcome":"no_answer"}'
# The demo agency's contract does not let it propose settlements, so wu.wb
# is refused waiver requests on its placed case too (agencies.c).
for row in \
	"GET /api/users - allow allow deny deny allow deny" \
	"POST /api/users {\"username\":\"x\",\"display_name\":\"x\",\"role\":\"collector\"} allow deny deny deny deny deny" \
	"POST /api/users/$sunref {\"display_name\":\"孙审计\"} allow deny deny deny deny deny" \
	"POST /api/users/$zhao/absence {\"from\":\"2020-01-01\",\"until\":\"2020-01-02\"} allow allow allow deny deny deny" \
	"POST /api/users/$chen/absence {\"from\":\"2020-01-01\",\"until\":\"2020-01-02\"} allow allow deny deny deny deny" \
	"GET /api/audit - allow deny deny deny allow deny" \
	"GET /api/approvals - allow allow allow deny deny deny" \
	"GET /api/dashboard - allow allow allow deny deny deny" \
	"GET /api/config - allow allow deny deny allow deny" \
	"GET /api/queue/counts - allow allow allow allow allow allow" \
	"GET /api/scripts - allow allow allow allow allow allow" \
	"POST /api/scripts {\"title\":\"t\",\"objection\":\"o\",\"body\":\"b\"} allow deny deny deny deny deny" \
	"GET /api/cases - allow allow allow allow allow allow" \
	"GET /api/cases/$mine - allow allow allow allow allow deny" \
	"GET /api/cases/$other - allow allow deny deny allow deny" \
	"GET /api/cases/$placed - allow allow allow allow allow allow" \
	"POST /api/cases/$mine/records $REC allow allow allow allow deny deny" \
	"POST /api/cases/$other/records $REC allow allow deny deny deny deny" \
	"POST /api/cases/$placed/records $REC allow allow allow allow deny allow" \
	"POST /api/cases/$mine/reveal {\"field\":\"phone\"} allow allow allow allow deny deny" \
	"POST /api/cases/$mine/waivers {} allow allow allow allow deny deny" \
	"POST /api/cases/$placed/waivers {} allow allow allow allow deny deny" \
	"POST /api/waivers/999/decision {\"approve\":true} allow allow allow deny deny deny" \
	"POST /api/plans/999/decision {\"approve\":true} allow allow allow deny deny deny" \
	"POST /api/payments {} allow allow deny deny deny deny" \
	"POST /api/disputes/999/resolve {} allow allow allow deny deny deny" \
	"GET /api/disputes/999/files - allow allow allow allow allow allow" \
	"GET /api/me - allow allow allow allow allow allow" \
	"GET /api/teams - allow allow allow deny allow deny" \
	"POST /api/teams {\"name\":\"X\"} allow deny deny deny deny deny" \
	"GET /api/agencies - allow allow allow deny allow deny" \
	"GET /api/agencies/$agency/contracts - allow allow deny deny allow deny" \
	"POST /api/agencies/$agency/contracts {} allow allow deny deny deny deny" \
	"POST /api/agencies/$agency/review {} allow allow deny deny deny deny" \
	"GET /api/agencies/$agency/statement?from=2026-01-01&to=2026-12-31 - allow allow deny deny allow allow" \
	"GET /api/strategies - allow allow allow deny allow deny" \
	"POST /api/strategies {} allow allow deny deny deny deny" \
	"GET /api/strategies/1 - allow allow allow deny allow deny" \
	"GET /api/strategies/1/dry-run - allow allow allow deny allow deny" \
	"POST /api/strategies/1/publish - allow allow deny deny deny deny" \
	"GET /api/cases/$mine/timeline - allow allow allow allow allow deny" \
	"GET /api/cases/$mine/contact-check?channel=letter - allow allow allow allow allow deny" \
	"GET /api/cases/$mine/stops - allow allow allow allow allow deny" \
	"POST /api/cases/$mine/stops {} allow allow allow allow deny deny" \
	"POST /api/agencies {\"name\":\"Y\"} allow allow deny deny deny deny" \
	"POST /api/cases/$mine/placement {} allow allow deny deny deny deny" \
	"POST /api/cases/$mine/recall {} allow allow deny deny deny deny" \
	"POST /api/cases/$mine/assign {\"collector\":\"zhao.lei\",\"reason\":\"r\"} allow allow allow deny deny deny" \
	"POST /api/cases/$other/assign {\"collector\":\"chen.jing\",\"reason\":\"r\"} allow allow deny deny deny deny" \
	"POST /api/cases/assign {\"cases\":[$mine],\"collector\":\"zhao.lei\",\"reason\":\"r\"} allow allow allow deny deny deny" \
	"POST /api/cases/assign {\"cases\":[$other],\"collector\":\"chen.jing\",\"reason\":\"r\"} allow allow deny deny deny deny"; do
	set -- $row
	m=$1 p=$2 b=$3
	[ "$b" = "-" ] && b=
	shift 3
	for u in admin wang.jl zhang.zz li.na sun.sj wu.wb; do
		expect "$u" "$m" "$p" "$b" "$1"
		shift
	done
done

# ---- bulk reassignment in detail ----

# post USER PATH BODY: the status, the answer in $tmp/body
post() {
	eval "t=\$tok_$(echo $1 | tr . _)"
	curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $t" -H "$J" -X POST -d "$3" "$base$2"
}
holders() { q "$db" "select collector_ref from cases where ref in ($1) order by ref" | paste -sd, -; }
moves() { q "$db" "select count(*) from case_assignments"; }
audits() { q "$db" "select count(*) from audit_log where action = 'case.assign'"; }

# three of team 1's cases, none placed, not moved above
team1=$(q "$db" "select c.ref from cases c join users u on u.ref = c.collector_ref
	where u.team_ref = 1 and c.agency_ref is null and c.ref <> $mine order by c.ref limit 3" | paste -sd, -)
before=$(holders "$team1") m0=$(moves) a0=$(audits)

# one case out of the team leader's scope: 404, nothing changes
code=$(post zhang.zz /api/cases/assign "{\"cases\":[$team1,$other],\"collector\":\"li.na\",\"reason\":\"组内调整\"}")
[ "$code" = 404 ] && grep -q "$other" "$tmp/body" && ok "bulk: a case outside the scope is 404, named" ||
	bad "bulk: a case outside the scope is 404, named ($code $(cat "$tmp/body"))"
[ "$(holders "$team1")" = "$before" ] && [ "$(moves)" = "$m0" ] && [ "$(audits)" = "$a0" ] &&
	ok "bulk: all or nothing, no case moved, nothing recorded or audited" ||
	bad "bulk: all or nothing ($(holders "$team1") / $before, moves $(moves) / $m0, audit $(audits) / $a0)"
# a collector of another team: the team leader's rule of one reassignment
code=$(post zhang.zz /api/cases/assign "{\"cases\":[$team1],\"collector\":\"chen.jing\",\"reason\":\"r\"}")
[ "$code" = 403 ] && [ "$(holders "$team1")" = "$before" ] && ok "bulk: a team leader within the team only (403)" ||
	bad "bulk: a team leader within the team only ($code)"
# malformed lists, and what a single reassignment refuses too
for body in '{"cases":[],"collector":"li.na","reason":"r"}' \
	"{\"cases\":[$mine,$mine],\"collector\":\"li.na\",\"reason\":\"r\"}" \
	"{\"cases\":[\"$mine\"],\"collector\":\"li.na\",\"reason\":\"r\"}" \
	"{\"cases\":[$mine,-1],\"collector\":\"li.na\",\"reason\":\"r\"}" \
	"{\"cases\":$mine,\"collector\":\"li.na\",\"reason\":\"r\"}" \
	"{\"cases\":[$(seq -s, 1 501)],\"collector\":\"li.na\",\"reason\":\"r\"}" \
	"{\"cases\":[$mine],\"collector\":\"li.na\"}" \
	"{\"cases\":[$mine],\"collector\":\"sun.sj\",\"reason\":\"r\"}" \
	"{\"cases\":[$mine],\"collector\":\"li.na\",\"reason\":\"r\",\"extra\":1}"; do
	code=$(post admin /api/cases/assign "$body")
	[ "$code" = 400 ] && ok "bulk: 400 for $(echo "$body" | cut -c1-60)" || bad "bulk: 400 for $body ($code)"
done
[ "$(moves)" = "$m0" ] && ok "bulk: refused requests moved nothing" || bad "bulk: refused requests moved nothing"

# the team leader moves the three to li.na: each recorded and audited
code=$(post zhang.zz /api/cases/assign "{\"cases\":[$team1],\"collector\":\"li.na\",\"reason\":\"组内调整\"}")
[ "$code" = 200 ] && grep -q "\"cases\":\[$team1\]" "$tmp/body" && grep -q '"collector":"li.na"' "$tmp/body" &&
	ok "bulk: a team leader moves three cases" || bad "bulk: a team leader moves three cases ($code $(cat "$tmp/body"))"
[ "$(holders "$team1")" = "$lina,$lina,$lina" ] && ok "bulk: all three are li.na's" || bad "bulk: all three are li.na's ($(holders "$team1"))"
rows=$(q "$db" "select count(*) from case_assignments where case_ref in ($team1) and kind = 'manual' and reason = '组内调整'
	and by_user = (select ref from users where username = 'zhang.zz') and collector_ref = $lina")
[ "$rows" = 3 ] && [ "$(moves)" = $((m0 + 3)) ] && ok "bulk: one manual assignment per case, with who and why" ||
	bad "bulk: one manual assignment per case ($rows, $(moves) / $m0)"
aud=$(q "$db" "select count(*) from audit_log where action = 'case.assign' and target in
	($(echo "$team1" | sed "s/\([0-9][0-9]*\)/'case:\1'/g")) and detail like '%\"to\":$lina%'")
[ "$aud" = 3 ] && [ "$(audits)" = $((a0 + 3)) ] && ok "bulk: an audit record per case" ||
	bad "bulk: an audit record per case ($aud, $(audits) / $a0)"
# a manager moves cases across teams, a collector may not move any
code=$(post wang.jl /api/cases/assign "{\"cases\":[$mine,$other],\"collector\":\"chen.jing\",\"reason\":\"跨组调整\"}")
[ "$code" = 200 ] && [ "$(holders "$mine,$other")" = "$chen,$chen" ] && ok "bulk: a manager across teams" ||
	bad "bulk: a manager across teams ($code $(holders "$mine,$other"))"
code=$(post li.na /api/cases/assign "{\"cases\":[$other],\"collector\":\"li.na\",\"reason\":\"r\"}")
[ "$code" = 403 ] && [ "$(holders "$other")" = "$chen" ] && ok "bulk: a collector is refused (403)" || bad "bulk: a collector is refused ($code)"

kill -TERM "$pid"; wait "$pid"; pid=
"$hk" --db "$db" audit verify >/dev/null 2>&1 && ok "the audit chain holds" || bad "the audit chain holds"
finish permissions
