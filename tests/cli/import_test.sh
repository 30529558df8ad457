#!/bin/sh
# import_test.sh - `huikuan import` end to end, against the real binary.
#
# usage: import_test.sh HUIKUAN_BINARY TESTS_DIR
#
# Imports the good fixtures of fixtures/import/ into a fresh database, then
# feeds one file per defect (ledger.md §2) and checks that each is refused
# with exit status 3, a stderr line starting with the exact
# "FILE:LINE: column: " of the faulty record, and a database that has not
# changed by a single byte of its dump.  Messages are matched on that prefix
# only (they are free to improve), except in the one English case.
# Prints "ok - NAME" / "not ok - NAME" per case and a closing count; exits
# non-zero when anything failed.  Runs on either backend (lib.sh's newdb
# and q); needs iconv.
. "$2/cli/lib.sh"
bin=$hk
tests=$2
fx=$tests/cli/fixtures/import
trap 'exit 1' HUP INT PIPE TERM
db=$(newdb main)
passed=0
failed=0
cases=0

ok() {
	passed=$((passed + 1))
	echo "ok - $1"
}

not_ok() {
	failed=$((failed + 1))
	echo "not ok - $1"
	[ -n "${2:-}" ] && printf '#   %s\n' "$2"
	return 0
}

# The whole database as text, so "unchanged" means unchanged: SQLite's
# dump; on PostgreSQL every table's rows in a stable order.  Not the
# sequences: PostgreSQL never rolls them back, so a refused waiver file
# (its rows are written one by one, each checked against the ones before
# it, then rolled back) moves the waivers' identity sequence and nothing
# else - a gap in later waiver refs, which nothing reads as missing.
dbsum() {
	case $db in
	postgresql:*)
		psql -XAtq "$db" <<'SQL' | cksum
select format('select %L, count(*), md5(coalesce(string_agg(t::text, E''\n'' order by t::text), '''')) from %I t',
	c.relname, c.relname)
from pg_class c where c.relkind = 'r' and c.relnamespace = 'public'::regnamespace order by c.relname \gexec
SQL
		;;
	*) sqlite3 "$db" .dump | cksum ;;
	esac
}

# Does file $2 have a line that starts with $1?
starts() {
	awk -v p="$1" 'index($0, p) == 1 { found = 1 } END { exit !found }' "$2"
}

# good NAME KIND FILE [import options]: the file is imported, exit 0.
good() {
	name=$1 kind=$2 f=$3
	shift 3
	sum=
	"$bin" --db "$db" import "$kind" "$f" "$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	if [ "$st" -eq 0 ]; then
		ok "$name"
	else
		not_ok "$name" "exit status $st: $(head -n 3 "$tmp/err")"
	fi
}

# check NAME SQL EXPECTED: a query on the database gives EXPECTED.
check() {
	got=$(q "$db" "$2")
	if [ "$got" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "got '$got', expected '$3'"
	fi
}

# refused NAME KIND FILE LINE:COLUMN [import options]: exit 3, the prefix
# "FILE:LINE: COLUMN: " on stderr, and the database unchanged.  (The sum
# after one refused file is the sum before the next: good clears it.)
sum=
refused() {
	name=$1 kind=$2 f=$3 where=$4
	shift 4
	prefix="$f:${where%%:*}: ${where#*:}: "
	before=${sum:-$(dbsum)}
	"$bin" --db "$db" import "$kind" "$f" "$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	after=$(dbsum)
	sum=$after
	if [ "$st" -ne 3 ]; then
		not_ok "$name" "exit status $st, expected 3: $(head -n 3 "$tmp/err")"
	elif ! starts "$prefix" "$tmp/err"; then
		not_ok "$name" "no line starting '$prefix' in: $(head -n 3 "$tmp/err")"
	elif [ "$before" != "$after" ]; then
		not_ok "$name" "the database changed"
	else
		ok "$name"
	fi
}

# bad NAME KIND LINE:COLUMN [import options] <CSV: refused, from a here-doc.
bad() {
	name=$1 kind=$2 where=$3
	shift 3
	cases=$((cases + 1))
	cat >"$tmp/case$cases.csv"
	refused "$name" "$kind" "$tmp/case$cases.csv" "$where" "$@"
}

# ---- the good files ---------------------------------------------------

"$bin" --db "$db" init >/dev/null 2>"$tmp/err" || {
	echo "not ok - init: $(cat "$tmp/err")"
	echo "import: 0 passed, 1 failed"
	exit 1
}
for kind in debtors contacts accounts installments payments waivers promises; do
	good "good $kind" "$kind" "$fx/$kind.csv"
done
check "id number stored with upper-case X" \
	"select id_number from debtors where debtor_id = 'D001'" \
	"11010519491231002X"
check "quoted field keeps its comma and line break" \
	"select address from debtors where debtor_id = 'D001'" \
	"朝阳区建国路 88 号, 3 单元
1201 室"
check "doubled quotes inside a quoted field" \
	"select employer from debtors where debtor_id = 'D003'" \
	'某某银行 "信用卡中心"'
check "kind defaults to person" \
	"select kind from debtors where debtor_id = 'D003'" "person"
check "authorized defaults: yes for self, no for others, as given" \
	"select authorized from contacts order by contact_id" \
	"1
1
0
0"
check "money 007.10 and rate 0.0005 parsed exactly" \
	"select principal, penalty_ppm from accounts where account_id = 'A005'" \
	"710|5"
check "Excel date 2025/3/5 (day 20152 since 1970-01-01)" \
	"select open_date from accounts where account_id = 'A002'" "20152"
check "installments spread through the file all imported" \
	"select count(*) from installments" "6"

# ---- the header ---------------------------------------------------------

bad "unknown column" debtors 1:nickname <<'EOF'
debtor_id,name,nickname
D100,甲,小甲
EOF
bad "column names are case-sensitive" debtors 1:Debtor_ID <<'EOF'
Debtor_ID,name
D100,甲
EOF
bad "missing required column" debtors 1:name <<'EOF'
debtor_id,kind
D100,person
EOF
bad "duplicate column" debtors 1:phone <<'EOF'
debtor_id,name,phone,phone
D100,甲,13800138000,13800138000
EOF
bad "empty column name" debtors "1:#3" <<'EOF'
debtor_id,name,
D100,甲,
EOF
: >"$tmp/empty.csv"
refused "empty file" debtors "$tmp/empty.csv" 1:header

# ---- the shape of rows ---------------------------------------------------

bad "too few fields" debtors 2:phone <<'EOF'
debtor_id,name,phone
D100,甲
EOF
bad "too many fields" debtors "2:#3" <<'EOF'
debtor_id,name
D100,甲,多余
EOF
bad "stray quote in an unquoted field" debtors 3:name <<'EOF'
debtor_id,name
D100,甲
D101,ab"c
EOF
bad "quote never closed" debtors 3:name <<'EOF'
debtor_id,name
D100,甲
D101,"abc
D102,乙
EOF
long=$(printf '%01100d' 0)
bad "field too long" debtors 2:name <<EOF
debtor_id,name
D100,$long
EOF
bad "record after a quoted field with comma and line breaks" debtors 5:phone <<'EOF'
debtor_id,name,phone,address
D100,甲,13800138000,"北京市, 朝阳区
建国路 88 号
1201 室"
D101,乙,1380013800,上海市
EOF
bad "record spanning lines reported where it starts" debtors 2:segment <<'EOF'
debtor_id,name,address,segment
D100,甲,"北京市
朝阳区",老板
EOF
bad "blank lines are skipped but counted" debtors 4:phone <<'EOF'
debtor_id,name,phone
D100,甲,13800138000

D101,乙,12345
EOF
printf 'debtor_id,name,phone\r\nD100,甲,13800138000\r\nD101,乙,2380013800\r\n' >"$tmp/crlf.csv"
refused "CRLF line ends" debtors "$tmp/crlf.csv" 3:phone

# ---- debtors --------------------------------------------------------------

H='debtor_id,name,kind,id_number,phone,segment'
bad "debtor_id empty" debtors 2:debtor_id <<EOF
$H
,甲,,,,
EOF
bad "debtor_id bad characters" debtors 2:debtor_id <<EOF
$H
D/100,甲,,,,
EOF
bad "debtor_id longer than 64" debtors 2:debtor_id <<EOF
$H
D$(printf '%064d' 0),甲,,,,
EOF
bad "debtor_id repeated in the file" debtors 4:debtor_id <<EOF
$H
D100,甲,,,,
D101,乙,,,,
D100,丙,,,,
EOF
bad "debtor_id already imported" debtors 2:debtor_id <<EOF
$H
D001,甲,,,,
EOF
bad "name empty" debtors 2:name <<EOF
$H
D100,,,,,
EOF
bad "kind invalid" debtors 2:kind <<EOF
$H
D100,甲,individual,,,
EOF
bad "ID number wrong check digit" debtors 2:id_number <<EOF
$H
D100,甲,person,110105194912310021,,
EOF
bad "ID number birth date not real" debtors 2:id_number <<EOF
$H
D100,甲,person,110105194902300012,,
EOF
bad "ID number 17 characters" debtors 2:id_number <<EOF
$H
D100,甲,person,11010519491231002,,
EOF
bad "credit code wrong check character" debtors 2:id_number <<EOF
$H
D100,某公司,company,91440300708461136A,,
EOF
bad "company with a person's ID number" debtors 2:id_number <<EOF
$H
D100,某公司,company,11010519491231002X,,
EOF
bad "phone 10 digits" debtors 2:phone <<EOF
$H
D100,甲,,,1380013800,
EOF
bad "phone with +86" debtors 2:phone <<EOF
$H
D100,甲,,,+8613800138000,
EOF
bad "phone not starting with 1" debtors 2:phone <<EOF
$H
D100,甲,,,23800138000,
EOF
bad "segment invalid" debtors 2:segment <<EOF
$H
D100,甲,,,,老板
EOF

# ---- contacts -------------------------------------------------------------

H='contact_id,debtor_id,relation,name,phone,authorized'
bad "relation invalid" contacts 2:relation <<EOF
$H
C100,D001,boss,甲,13800138000,
EOF
bad "relation empty" contacts 2:relation <<EOF
$H
C100,D001,,甲,13800138000,
EOF
bad "contact phone missing" contacts 2:phone <<EOF
$H
C100,D001,friend,甲,,
EOF
bad "contact phone invalid" contacts 2:phone <<EOF
$H
C100,D001,friend,甲,138-0013-8000,
EOF
bad "authorized not yes/no" contacts 2:authorized <<EOF
$H
C100,D001,friend,甲,13800138000,Y
EOF
bad "contact of an unknown debtor" contacts 2:debtor_id <<EOF
$H
C100,D999,friend,甲,13800138000,
EOF
bad "contact_id repeated" contacts 3:contact_id <<EOF
$H
C100,D001,friend,甲,13800138000,
C100,D002,friend,乙,13800138001,
EOF
bad "contact_id already imported" contacts 2:contact_id <<EOF
$H
C001,D001,friend,甲,13800138000,
EOF

# ---- accounts -------------------------------------------------------------

H='account_id,debtor_id,creditor,product,principal,annual_rate,penalty_rate,open_date'
bad "account of an unknown debtor" accounts 2:debtor_id <<EOF
$H
A100,D999,BANK-A,consumer_loan,1000,18,12,2025-01-01
EOF
bad "account_id already imported" accounts 2:account_id <<EOF
$H
A001,D001,BANK-A,consumer_loan,1000,18,12,2025-01-01
EOF
bad "account_id repeated" accounts 3:account_id <<EOF
$H
A100,D001,BANK-A,consumer_loan,1000,18,12,2025-01-01
A100,D002,BANK-A,consumer_loan,1000,18,12,2025-01-01
EOF
bad "creditor invalid" accounts 2:creditor <<EOF
$H
A100,D001,银行A,consumer_loan,1000,18,12,2025-01-01
EOF
bad "product invalid" accounts 2:product <<EOF
$H
A100,D001,BANK-A,mortgage,1000,18,12,2025-01-01
EOF
bad "principal zero" accounts 2:principal <<EOF
$H
A100,D001,BANK-A,consumer_loan,0.00,18,12,2025-01-01
EOF
bad "principal empty" accounts 2:principal <<EOF
$H
A100,D001,BANK-A,consumer_loan,,18,12,2025-01-01
EOF
# Every money form ledger.md §1 refuses.
n=0
for amount in '-100' '"1,000.00"' '1e3' '.5' '5.' '12.345' ' 12' '12 ' '¥12' \
	'１２' '+12' '12,5' '10000000000000.01'; do
	n=$((n + 1))
	case "$amount" in
	'12,5') where="2:#9" ;; # an unquoted comma is a field separator
	*) where=2:principal ;;
	esac
	bad "money form [$amount]" accounts "$where" <<EOF
$H
A100,D001,BANK-A,consumer_loan,$amount,18,12,2025-01-01
EOF
done
for rate in '18.25%' '1000.01' '18.12345' '-1' ''; do
	bad "rate form [$rate]" accounts 2:annual_rate <<EOF
$H
A100,D001,BANK-A,consumer_loan,1000,$rate,12,2025-01-01
EOF
done
bad "penalty_rate invalid" accounts 2:penalty_rate <<EOF
$H
A100,D001,BANK-A,consumer_loan,1000,18,1.5%,2025-01-01
EOF
for date in '2025-02-30' '2025-2-3' '20250203' '2025.02.03' '03/02/2025' \
	'2025/13/1' '2025-02-03 00:00' '2025/2/29' '1899-12-31' '2025/02/3/' ''; do
	bad "date form [$date]" accounts 2:open_date <<EOF
$H
A100,D001,BANK-A,consumer_loan,1000,18,12,$date
EOF
done

# ---- installments ---------------------------------------------------------
# A004 (opened 2025-06-30, principal 500) and A005 (2025-01-01, 7.10) have
# no schedule yet; A001-A003 have one.

H='account_id,seq,due_date,principal,interest,fee'
bad "installment of an unknown account" installments 2:account_id <<EOF
$H
A999,1,2025-07-30,500,,
EOF
for seq in 0 1.0 a -1; do
	bad "seq form [$seq]" installments 2:seq <<EOF
$H
A004,$seq,2025-07-30,500,,
EOF
done
bad "due date before the account opened" installments 2:due_date <<EOF
$H
A004,1,2025-06-01,500,,
EOF
bad "installment all zero" installments 3:principal <<EOF
$H
A004,1,2025-07-30,500,,
A004,2,2025-08-30,0,0.00,0
EOF
bad "interest not money" installments 2:interest <<EOF
$H
A004,1,2025-07-30,500,abc,
EOF
bad "schedule sum differs from principal (first row of the account)" installments 3:principal <<EOF
$H
A005,1,2025-02-01,3,,
A004,1,2025-07-30,300,10,
A005,2,2025-03-01,4.10,,
A004,2,2025-08-30,100,10,
EOF
bad "seq gap (reported on the account's first row)" installments 2:seq <<EOF
$H
A004,3,2025-09-30,200,,
A004,1,2025-07-30,300,,
EOF
bad "seq repeated" installments 2:seq <<EOF
$H
A004,1,2025-07-30,300,,
A004,1,2025-08-30,200,,
EOF
bad "due dates equal" installments 2:due_date <<EOF
$H
A004,1,2025-07-30,300,,
A004,2,2025-07-30,200,,
EOF
bad "due dates decreasing" installments 3:due_date <<EOF
$H
A005,1,2025-02-01,7.10,,
A004,2,2025-07-30,200,,
A004,1,2025-08-30,300,,
EOF
bad "schedule for an account that has one" installments 2:account_id <<EOF
$H
A001,4,2025-05-15,100,,
EOF

# ---- payments -------------------------------------------------------------

H='payment_id,account_id,paid_on,amount,channel,reference'
bad "cash refused" payments 2:channel <<EOF
$H
P100,A001,2025-05-01,100,cash,
EOF
bad "channel invalid" payments 2:channel <<EOF
$H
P100,A001,2025-05-01,100,wechat,
EOF
bad "bank transfer without reference" payments 2:reference <<EOF
$H
P100,A001,2025-05-01,100,bank_transfer,
EOF
bad "amount zero" payments 2:amount <<EOF
$H
P100,A001,2025-05-01,0.00,online,
EOF
bad "amount negative" payments 2:amount <<EOF
$H
P100,A001,2025-05-01,-5,online,
EOF
bad "paid before the account opened" payments 2:paid_on <<EOF
$H
P100,A004,2025-06-29,100,online,
EOF
bad "paid_on not a date" payments 2:paid_on <<EOF
$H
P100,A001,2025-13-01,100,online,
EOF
bad "payment of an unknown account" payments 2:account_id <<EOF
$H
P100,A999,2025-05-01,100,online,
EOF
bad "payment_id repeated in the file" payments 3:payment_id <<EOF
$H
P100,A001,2025-05-01,100,online,
P100,A001,2025-05-02,100,online,
EOF
bad "payment_id already imported" payments 3:payment_id <<EOF
$H
P100,A001,2025-05-01,100,online,
P001,A001,2025-03-20,4180.00,bank_transfer,BR20250320001
EOF
refused "the same bank file twice" payments "$fx/payments.csv" 2:payment_id

# ---- waivers ---------------------------------------------------------------

H='account_id,approved_on,component,amount,approved_by,reason'
bad "waiver component invalid" waivers 2:component <<EOF
$H
A001,2025-05-01,late_fee,10,王经理,
EOF
bad "waiver amount zero" waivers 2:amount <<EOF
$H
A001,2025-05-01,penalty,0,王经理,
EOF
bad "waiver before the account opened" waivers 2:approved_on <<EOF
$H
A004,2025-06-01,fee,1,王经理,
EOF
bad "waiver of an unknown account" waivers 2:account_id <<EOF
$H
A999,2025-05-01,fee,1,王经理,
EOF
bad "waiver above what is unpaid" waivers 2:amount <<EOF
$H
A001,2025-05-01,principal,100000,王经理,
EOF
# A001's unpaid interest on 2025-05-01 is 150.00 + 120.50: each waiver
# fits, both together do not.
bad "waivers of one day add up" waivers 3:amount <<EOF
$H
A001,2025-05-01,interest,200,王经理,
A001,2025-05-01,interest,100,王经理,
EOF

# ---- promises --------------------------------------------------------------

H='debtor_id,creditor,made_on,due_on,amount'
bad "promise due before it was made" promises 2:due_on <<EOF
$H
D001,BANK-A,2025-05-10,2025-05-01,100
EOF
bad "promise without a case" promises 2:creditor <<EOF
$H
D004,BANK.B,2025-05-01,2025-05-10,100
EOF
bad "promise of an unknown debtor" promises 2:debtor_id <<EOF
$H
D999,BANK-A,2025-05-01,2025-05-10,100
EOF
bad "promise amount zero" promises 2:amount <<EOF
$H
D001,BANK-A,2025-05-01,2025-05-10,0
EOF

# ---- encodings -------------------------------------------------------------

cat >"$tmp/gb.utf8" <<'EOF'
debtor_id,name,province,city
D120,赵敏,浙江省,杭州市
D121,钱多多,江苏省,南京市
EOF
iconv -f UTF-8 -t GB18030 "$tmp/gb.utf8" >"$tmp/gb18030.csv"
refused "GB18030 file without the flag" debtors "$tmp/gb18030.csv" 2:name
if grep -q -- "--encoding gb18030" "$tmp/err"; then
	ok "invalid UTF-8 message suggests --encoding gb18030"
else
	not_ok "invalid UTF-8 message suggests --encoding gb18030" "$(cat "$tmp/err")"
fi
printf 'debtor_id,name\nD122,ab\201\n' >"$tmp/gb-bad.csv"
refused "undecodable GB18030 byte" debtors "$tmp/gb-bad.csv" 2:name --encoding gb18030
printf '\377\376d\000e\000\n\000' >"$tmp/utf16.csv"
refused "UTF-16 file" debtors "$tmp/utf16.csv" 1:header
printf '\357\273\277debtor_id,name,phone\nD130,孙七,1234\n' >"$tmp/bom-bad.csv"
refused "BOM file with a bad row" debtors "$tmp/bom-bad.csv" 2:phone
good "GB18030 file with the flag" debtors "$tmp/gb18030.csv" --encoding gb18030
check "GB18030 text stored as UTF-8" \
	"select name, city from debtors where debtor_id = 'D121'" "钱多多|南京市"
printf '\357\273\277debtor_id,name,phone\nD130,孙七,13800138000\n' >"$tmp/bom.csv"
good "BOM file" debtors "$tmp/bom.csv"
check "BOM not part of the first column" \
	"select count(*) from debtors where debtor_id = 'D130'" "1"
printf 'payment_id,account_id,paid_on,amount,channel,reference\r\nP200,A003,2025-04-01,10,online,\r\nP201,A003,2025-04-02,"10.5",bank_transfer,"BR 1"' >"$tmp/crlf-good.csv"
good "CRLF file without a final line end" payments "$tmp/crlf-good.csv"
check "last CRLF record read whole" \
	"select amount, reference from payments where payment_id = 'P201'" "1050|BR 1"

# ---- reporting -------------------------------------------------------------

# FILE is the path exactly as given on the command line.
printf 'debtor_id,name,phone\nD140,甲,123\n' >"$tmp/rel.csv"
before=$(dbsum)
(cd "$tmp" && "$bin" --db "$db" import debtors rel.csv >/dev/null 2>"$tmp/err")
st=$?
if [ "$st" -eq 3 ] && starts "rel.csv:2: phone: " "$tmp/err" &&
	[ "$before" = "$(dbsum)" ]; then
	ok "relative path reported as given"
else
	not_ok "relative path reported as given" "exit $st: $(head -n 2 "$tmp/err")"
fi

# At most 100 rows are listed, the first ones, then the count.
{
	echo 'debtor_id,name,phone'
	i=0
	while [ $i -lt 150 ]; do
		i=$((i + 1))
		echo "E$i,甲,12345"
	done
} >"$tmp/many.csv"
refused "150 bad rows" debtors "$tmp/many.csv" 2:phone
listed=$(grep -c "^$tmp/many.csv:" "$tmp/err")
lastrow=$(grep "^$tmp/many.csv:" "$tmp/err" | tail -n 1 | cut -d: -f2)
if [ "$listed" -eq 100 ] && [ "$lastrow" = 101 ] &&
	tail -n 1 "$tmp/err" | grep -q "150"; then
	ok "first 100 errors listed, then the count"
else
	not_ok "first 100 errors listed, then the count" \
		"listed $listed, last line $lastrow, count: $(tail -n 1 "$tmp/err")"
fi
if tail -n 1 "$tmp/err" | grep -q "未导入任何数据"; then
	ok "Chinese count line by default"
else
	not_ok "Chinese count line by default" "$(tail -n 1 "$tmp/err")"
fi

# English with LANG=en_*: the message itself is checked here.
printf 'payment_id,account_id,paid_on,amount,channel,reference\nP300,A001,2025-05-01,100,cash,\n' >"$tmp/en.csv"
before=$(dbsum)
LANG=en_US.UTF-8 "$bin" --db "$db" import payments "$tmp/en.csv" >/dev/null 2>"$tmp/err"
st=$?
if [ "$st" -eq 3 ] && starts "$tmp/en.csv:2: channel: " "$tmp/err" &&
	grep -q "field staff never take cash" "$tmp/err" &&
	grep -q "nothing was imported" "$tmp/err" && [ "$before" = "$(dbsum)" ]; then
	ok "English messages with LANG=en_US.UTF-8"
else
	not_ok "English messages with LANG=en_US.UTF-8" "exit $st: $(cat "$tmp/err")"
fi

echo "import: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
