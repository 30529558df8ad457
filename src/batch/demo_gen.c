/*
 * demo_gen.c - the demo portfolio (`huikuan demo`): a realistic, seeded set
 * of the six import files of spec/ledger.md §2, for demos, manual testing and
 * benchmarks.
 *
 * What it must never do: write a row the importer would refuse, depend on
 * anything but its options (same seed, same bytes, on every platform), or
 * touch money outside integers.  Every amount is integer fen; the behaviour of
 * each account is played through a small replay of the allocation rules of
 * §3 (penalty from core/ledger.c, default policy) so that each payment
 * clears exactly what it is meant to and the portfolio's buckets as of
 * `today` come out as designed, not by accident.
 *
 * Shape: debtors are generated one at a time, each with its contacts and
 * 1-3 accounts, and every row goes straight to its file through a large
 * output buffer; nothing is allocated per row.  Files are written under a
 * temporary name and renamed only when all six are complete, so a failed run
 * never leaves a half portfolio that looks whole.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "hk/io.h"
#include "hk/ledger.h"
#include "hk/rc.h"
#include "hk/types.h"

#define DEFAULT_ACCOUNTS 2000
#define DEFAULT_HISTORY_DAYS 365
/* Bounded so every generated date stays a real, parseable date. */
#define MAX_HISTORY_DAYS 3660
/* The longest schedule generated (business loans, 36 months). */
#define MAX_INST 36
#define OUT_BUFSZ (1u << 20)
/* The longest row any file gets; every field is bounded by its table. */
#define ROW_MAX 1024
#define FEN_PER_YUAN 100

/* ======================================================================== */
/* Tables                                                                   */
/* ======================================================================== */

struct weighted {
	const char *text;
	unsigned weight;
};

/* Surnames roughly by their frequency in the population (‰). */
static const struct weighted surnames[] = {
	{ "王", 72 }, { "李", 72 }, { "张", 68 }, { "刘", 55 }, { "陈", 45 },
	{ "杨", 32 }, { "赵", 20 }, { "黄", 19 }, { "周", 18 }, { "吴", 18 },
	{ "徐", 13 }, { "孙", 12 }, { "胡", 11 }, { "朱", 11 }, { "高", 10 },
	{ "林", 9 },  { "何", 9 },  { "郭", 9 },  { "马", 9 },  { "罗", 7 },
	{ "梁", 7 },  { "宋", 6 },  { "郑", 6 },  { "谢", 6 },  { "韩", 5 },
	{ "唐", 5 },  { "冯", 5 },  { "于", 5 },  { "董", 5 },  { "肖", 5 },
	{ "程", 4 },  { "曹", 4 },  { "袁", 4 },  { "邓", 4 },  { "许", 4 },
	{ "傅", 4 },  { "沈", 4 },  { "曾", 4 },  { "彭", 4 },  { "吕", 4 },
	{ "苏", 3 },  { "卢", 3 },  { "蒋", 3 },  { "蔡", 3 },  { "贾", 3 },
	{ "丁", 3 },  { "魏", 3 },  { "薛", 3 },  { "叶", 3 },  { "余", 3 },
	{ "潘", 3 },  { "杜", 3 },  { "戴", 2 },  { "夏", 2 },  { "钟", 2 },
	{ "汪", 2 },  { "田", 2 },  { "任", 2 },  { "姜", 2 },  { "范", 2 },
	{ "方", 2 },  { "石", 2 },  { "姚", 2 },  { "谭", 2 },  { "廖", 2 },
	{ "邹", 2 },  { "熊", 2 },  { "金", 2 },  { "陆", 2 },  { "郝", 2 },
	{ "孔", 2 },  { "白", 2 },  { "崔", 2 },  { "康", 2 },  { "毛", 2 },
	{ "邱", 2 },  { "秦", 2 },  { "江", 2 },  { "史", 2 },  { "顾", 2 },
	{ "侯", 2 },  { "邵", 2 },  { "孟", 2 },  { "龙", 2 },  { "万", 2 },
	{ "段", 2 },  { "欧阳", 1 },
};

/* Characters of given names; a given name is one or two of them. */
static const char *const given_male[] = {
	"伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉",
	"鹏", "华", "飞", "鑫", "波", "斌", "宇", "浩", "凯", "健", "俊", "帆",
	"旭", "宁", "龙", "林", "阳", "建", "国", "文", "志", "海", "峰", "亮",
	"成", "东", "晨", "博", "新", "德", "永", "嘉", "子", "轩", "天", "睿",
};
static const char *const given_female[] = {
	"芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "玲", "桂", "英",
	"华", "慧", "婷", "雪", "琳", "晶", "颖", "倩", "洁", "燕", "红", "梅",
	"兰", "萍", "莉", "丹", "玉", "佳", "欣", "怡", "雯", "琪", "璐", "晓",
	"思", "雨", "梦", "月", "悦", "彤", "春", "凤", "蓉", "薇", "婉", "宁",
};

struct district {
	const char *name;
	const char *code; /* last two digits of the 6-digit division code */
};

/* Real province/city pairs with the first four digits of their division
 * code, so ID numbers and credit codes carry a plausible region. */
struct city {
	const char *province;
	const char *name;
	const char *code;
	struct district districts[3];
	unsigned weight;
};

static const struct city cities[] = {
	{ "广东", "深圳", "4403",
	  { { "福田区", "04" }, { "罗湖区", "03" }, { "南山区", "05" } }, 9 },
	{ "广东", "广州", "4401",
	  { { "天河区", "06" }, { "越秀区", "04" }, { "海珠区", "05" } }, 9 },
	{ "浙江", "杭州", "3301",
	  { { "西湖区", "06" }, { "拱墅区", "05" }, { "滨江区", "08" } }, 7 },
	{ "浙江", "宁波", "3302",
	  { { "海曙区", "03" }, { "鄞州区", "12" }, { "江北区", "05" } }, 4 },
	{ "四川", "成都", "5101",
	  { { "锦江区", "04" }, { "武侯区", "07" }, { "成华区", "08" } }, 7 },
	{ "江苏", "南京", "3201",
	  { { "玄武区", "02" }, { "鼓楼区", "06" }, { "建邺区", "05" } }, 5 },
	{ "江苏", "苏州", "3205",
	  { { "姑苏区", "08" }, { "吴中区", "06" }, { "相城区", "07" } }, 5 },
	{ "上海", "上海", "3101",
	  { { "浦东新区", "15" }, { "徐汇区", "04" }, { "静安区", "06" } }, 9 },
	{ "北京", "北京", "1101",
	  { { "朝阳区", "05" }, { "海淀区", "08" }, { "丰台区", "06" } }, 8 },
	{ "天津", "天津", "1201",
	  { { "和平区", "01" }, { "河西区", "03" }, { "南开区", "04" } }, 4 },
	{ "重庆", "重庆", "5001",
	  { { "渝中区", "03" }, { "江北区", "05" }, { "南岸区", "08" } }, 6 },
	{ "湖北", "武汉", "4201",
	  { { "江岸区", "02" }, { "武昌区", "06" }, { "洪山区", "11" } }, 5 },
	{ "湖南", "长沙", "4301",
	  { { "芙蓉区", "02" }, { "岳麓区", "04" }, { "天心区", "03" } }, 4 },
	{ "河南", "郑州", "4101",
	  { { "中原区", "02" }, { "金水区", "05" }, { "二七区", "03" } }, 4 },
	{ "山东", "济南", "3701",
	  { { "历下区", "02" }, { "市中区", "03" }, { "槐荫区", "04" } }, 3 },
	{ "山东", "青岛", "3702",
	  { { "市南区", "02" }, { "市北区", "03" }, { "崂山区", "12" } }, 3 },
	{ "福建", "厦门", "3502",
	  { { "思明区", "03" }, { "湖里区", "06" }, { "集美区", "11" } }, 3 },
	{ "福建", "福州", "3501",
	  { { "鼓楼区", "02" }, { "台江区", "03" }, { "仓山区", "04" } }, 3 },
	{ "陕西", "西安", "6101",
	  { { "新城区", "02" }, { "碑林区", "03" }, { "雁塔区", "13" } }, 4 },
	{ "辽宁", "沈阳", "2101",
	  { { "和平区", "02" }, { "沈河区", "03" }, { "皇姑区", "05" } }, 3 },
	{ "河北", "石家庄", "1301",
	  { { "长安区", "02" }, { "桥西区", "04" }, { "新华区", "05" } }, 3 },
	{ "安徽", "合肥", "3401",
	  { { "瑶海区", "02" }, { "庐阳区", "03" }, { "蜀山区", "04" } }, 3 },
	{ "江西", "南昌", "3601",
	  { { "东湖区", "02" }, { "西湖区", "03" }, { "青山湖区", "11" } }, 2 },
	{ "云南", "昆明", "5301",
	  { { "五华区", "02" }, { "盘龙区", "03" }, { "官渡区", "11" } }, 2 },
	{ "广西", "南宁", "4501",
	  { { "兴宁区", "02" }, { "青秀区", "03" }, { "西乡塘区", "07" } }, 2 },
	{ "黑龙江", "哈尔滨", "2301",
	  { { "道里区", "02" }, { "南岗区", "03" }, { "香坊区", "10" } }, 2 },
	{ "吉林", "长春", "2201",
	  { { "南关区", "02" }, { "朝阳区", "04" }, { "绿园区", "06" } }, 2 },
	{ "山西", "太原", "1401",
	  { { "小店区", "05" }, { "迎泽区", "06" }, { "杏花岭区", "07" } }, 2 },
	{ "贵州", "贵阳", "5201",
	  { { "南明区", "02" }, { "云岩区", "03" }, { "观山湖区", "15" } }, 2 },
};

static const char *const roads[] = {
	"人民路", "解放路", "中山路", "建设路", "和平路", "长江路", "新华路",
	"文化路", "东风路", "胜利路", "青年路", "光明路", "幸福路", "朝阳路",
	"科技路", "花园路", "滨江路", "工业大道", "学府路", "迎宾大道",
	"商业街", "府前街", "环城东路", "环城西路", "体育路", "公园路",
	"新城大道", "金融街", "创业路", "湖滨路",
};

static const char *const estates[] = {
	"阳光花园", "锦绣家园", "翠苑小区", "幸福里", "世纪新城", "金色家园",
	"御景苑", "书香门第", "滨江花园", "枫林湾", "东方名苑", "和谐家园",
	"春晓苑", "丽景湾", "紫荆苑", "天一新村",
};

static const char *const buildings[] = {
	"国际大厦", "商务中心", "科技园", "财富广场", "创业大厦", "金融中心",
	"产业园", "商贸城",
};

/* Trade names for companies, employers and shops: invented, generic. */
static const char *const brands[] = {
	"华信", "恒通", "鑫源", "宏达", "天成", "金盛", "博远", "瑞丰", "中联",
	"东方", "永泰", "凯瑞", "新元", "安泰", "海川", "锦程", "德润", "盛世",
	"利华", "嘉禾", "汇通", "荣昌", "永信", "佳和", "恒远", "众诚", "明泰",
	"辰光", "远航", "顺达", "信合", "泰和", "广源", "宏图", "正阳", "启明",
};

/* What a debtor company does (its name is city + brand + trade). */
static const char *const company_trades[] = {
	"贸易", "商贸", "物流", "建筑工程", "电子科技", "网络科技", "食品",
	"服饰", "建材", "机械设备", "餐饮管理", "装饰工程", "医疗器械", "家具",
	"汽车销售", "印务", "包装材料", "化工", "农业科技", "文化传媒",
};
static const char *const office_trades[] = {
	"科技", "网络科技", "信息技术", "企业管理咨询", "金融服务", "教育科技",
	"文化传媒", "医药", "商贸", "房地产经纪", "保险代理", "广告",
};
static const char *const factory_trades[] = {
	"制造", "电子", "建设工程", "物流", "纺织", "汽车配件", "食品",
	"机械", "塑胶制品", "家具制造", "五金制品", "包装",
};
static const char *const shop_kinds[] = {
	"商行", "便利店", "餐馆", "五金店", "服装店", "汽修店", "水果店",
	"建材店", "美发店", "物流部", "茶庄", "小吃店",
};

/* Mobile number prefixes of the three carriers. */
static const char *const phone_prefixes[] = {
	"130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
	"147", "150", "151", "152", "153", "155", "156", "157", "158", "159",
	"166", "173", "175", "176", "177", "178", "180", "181", "182", "183",
	"184", "185", "186", "187", "188", "189", "191", "198", "199",
};

enum segment {
	SEG_WHITE_COLLAR,
	SEG_WORKER,
	SEG_BUSINESS_OWNER,
	SEG_RETIRED,
	SEG_STUDENT,
	SEG_OTHER,
	SEG_COUNT
};

/* Segment names as ledger.md §2 spells them, their share of the persons,
 * and the ages they come in. */
static const struct {
	const char *name;
	int age_min, age_max;
} segments[SEG_COUNT] = {
	[SEG_WHITE_COLLAR] = { "白领", 23, 52 },
	[SEG_WORKER] = { "工人", 20, 58 },
	[SEG_BUSINESS_OWNER] = { "小微企业主", 26, 62 },
	[SEG_RETIRED] = { "退休", 58, 82 },
	/* Students are old enough to have been adults when the oldest
	 * account (two years back) was opened. */
	[SEG_STUDENT] = { "学生", 21, 25 },
	[SEG_OTHER] = { "其他", 20, 68 },
};
static const unsigned segment_weights[SEG_COUNT] = {
	[SEG_WHITE_COLLAR] = 33, [SEG_WORKER] = 22, [SEG_BUSINESS_OWNER] = 18,
	[SEG_RETIRED] = 9,       [SEG_STUDENT] = 5, [SEG_OTHER] = 13,
};

#define CREDITOR_CARD "ICBC-CC"
#define CREDITOR_CONSUMER "XF-FIN"
#define CREDITOR_BANK "HB-BANK"
#define CREDITOR_SUPPLIER "SUPPLY-AR"

enum channel { CH_BANK_TRANSFER, CH_ONLINE, CH_OFFSET, CH_OTHER, CH_COUNT };
static const char *const channel_codes[CH_COUNT] = {
	"bank_transfer", "online", "offset", "other"
};
static const unsigned channel_weights[CH_COUNT] = { 50, 42, 4, 4 };

/* How an account is paid up to its first missed installment. */
enum style {
	STYLE_GOOD,    /* on the due date or a few days before */
	STYLE_EARLY,   /* one to three weeks ahead */
	STYLE_LATE,    /* 5-40 days late, penalty included */
	STYLE_ROUND,   /* rounds each payment up to 100 yuan: prepays, and
			* ends with a credit balance (溢缴款) */
	STYLE_PREPAY,  /* pays everything off at once (提前还款) */
	STYLE_COUNT
};
static const unsigned style_weights_current[STYLE_COUNT] = { 55, 10, 20, 8, 7 };
static const unsigned style_weights_delinquent[STYLE_COUNT] = { 60, 8, 32, 0, 0 };

/*
 * The bucket each account is steered to as of `today`: M0, M1 ... M6, M7+.
 * An account that cannot reach its bucket (nothing was due that long ago)
 * stays current, so the deep buckets get a little more weight than they end
 * up with.
 */
#define N_BUCKETS 8
static const unsigned bucket_weights[N_BUCKETS] = { 38, 16, 8, 7, 6, 5, 4, 12 };

/* ======================================================================== */
/* Random numbers                                                           */
/* ======================================================================== */

/* xoshiro256** seeded through splitmix64: fast, and its output is fixed by
 * its definition, unlike rand(), so a seed means the same files anywhere. */
struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform in [0, n), n > 0: Lemire's multiply-and-shift, whose bias (below
 * 2^-32 for our n) cannot show in a demo. */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]; lo when the range is empty. */
static int32_t rng_range(struct rng *r, int32_t lo, int32_t hi)
{
	if (hi <= lo)
		return lo;
	return lo + (int32_t)rng_below(r, (uint32_t)(hi - lo) + 1);
}

static bool rng_percent(struct rng *r, unsigned percent)
{
	return rng_below(r, 100) < percent;
}

static size_t pick_index(struct rng *r, const unsigned *weights, size_t n)
{
	unsigned total = 0, x;
	size_t i;

	for (i = 0; i < n; i++)
		total += weights[i];
	x = rng_below(r, total);
	for (i = 0; i + 1 < n; i++) {
		if (x < weights[i])
			return i;
		x -= weights[i];
	}
	return n - 1;
}

static const char *pick_weighted(struct rng *r, const struct weighted *table,
				 size_t n)
{
	unsigned total = 0, x;
	size_t i;

	for (i = 0; i < n; i++)
		total += table[i].weight;
	x = rng_below(r, total);
	for (i = 0; i + 1 < n; i++) {
		if (x < table[i].weight)
			break;
		x -= table[i].weight;
	}
	return table[i].text;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(r, table) ((table)[rng_below((r), (uint32_t)COUNT(table))])

/*
 * An amount in [lo, hi] fen skewed towards lo (the product of two uniforms,
 * mean a quarter of the way up), as real balances are: many small ones and
 * a long tail.  Integer only: (hi-lo) is below 2^31 and u1*u2 below 2^32.
 */
static int64_t skewed_fen(struct rng *r, int64_t lo, int64_t hi)
{
	uint64_t u1 = rng_below(r, 65536), u2 = rng_below(r, 65536);

	return lo + (int64_t)(((uint64_t)(hi - lo) * u1 * u2) >> 32);
}

/* ======================================================================== */
/* Output                                                                   */
/* ======================================================================== */

enum file_kind {
	F_DEBTORS,
	F_CONTACTS,
	F_ACCOUNTS,
	F_INSTALLMENTS,
	F_PAYMENTS,
	F_PROMISES,
	F_COUNT
};

static const struct {
	const char *name;
	const char *header;
} files[F_COUNT] = {
	[F_DEBTORS] = { "debtors.csv",
			"debtor_id,name,kind,id_number,phone,segment,province,"
			"city,address,employer\n" },
	[F_CONTACTS] = { "contacts.csv",
			 "contact_id,debtor_id,relation,name,phone,"
			 "authorized\n" },
	[F_ACCOUNTS] = { "accounts.csv",
			 "account_id,debtor_id,creditor,product,principal,"
			 "annual_rate,penalty_rate,open_date\n" },
	[F_INSTALLMENTS] = { "installments.csv",
			     "account_id,seq,due_date,principal,interest,"
			     "fee\n" },
	[F_PAYMENTS] = { "payments.csv",
			 "payment_id,account_id,paid_on,amount,channel,"
			 "reference\n" },
	[F_PROMISES] = { "promises.csv",
			 "debtor_id,creditor,made_on,due_on,amount\n" },
};

/* One output file: our own buffer, flushed in large writes.  The first
 * write error sticks and is reported when the file is closed. */
struct out {
	FILE *f;
	char *buf;
	size_t len;
	int write_errno; /* 0 while all is well */
	char path[PATH_MAX];
	char tmp_path[PATH_MAX];
};

static void out_flush(struct out *o)
{
	if (o->len && !o->write_errno && fwrite(o->buf, 1, o->len, o->f) != o->len)
		o->write_errno = errno ? errno : EIO;
	o->len = 0;
}

/* Room for one row: every row is far below ROW_MAX, so callers write into
 * the buffer without a check per byte. */
static void out_row_begin(struct out *o)
{
	if (OUT_BUFSZ - o->len < ROW_MAX)
		out_flush(o);
}

static void out_bytes(struct out *o, const char *s, size_t n)
{
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void out_char(struct out *o, char c)
{
	o->buf[o->len++] = c;
}

static void out_str(struct out *o, const char *s)
{
	out_bytes(o, s, strlen(s));
}

/* A text field, quoted (RFC 4180) only when it holds a comma, a quote or a
 * line break.  None of our tables do today; this keeps it so if they grow. */
static void out_field(struct out *o, const char *s)
{
	size_t n = strcspn(s, ",\"\r\n");

	if (s[n] == '\0') {
		out_bytes(o, s, n);
		return;
	}
	out_char(o, '"');
	for (; *s; s++) {
		if (*s == '"')
			out_char(o, '"');
		out_char(o, *s);
	}
	out_char(o, '"');
}

/* `v` in decimal, zero-padded to at least `width` digits. */
static void out_uint(struct out *o, uint64_t v, int width)
{
	char digits[24];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n < width)
		digits[n++] = '0';
	while (n)
		out_char(o, digits[--n]);
}

static void out_id(struct out *o, char prefix, uint64_t number, int width)
{
	out_char(o, prefix);
	out_uint(o, number, width);
}

static void out_money(struct out *o, int64_t fen)
{
	char buf[HK_MONEY_BUFSZ];

	out_bytes(o, buf, hk_money_format(fen, buf));
}

/* ======================================================================== */
/* The generator                                                            */
/* ======================================================================== */

/* One installment: its schedule and, while the account's history is being
 * played, what of it is unpaid. */
struct inst {
	int32_t due;
	int64_t sched_principal, sched_interest, sched_fee;
	int64_t principal, interest, fee, penalty;
};

struct account {
	const struct hk_policy *policy; /* the rules payments are planned by */
	uint64_t number;
	int product;
	const char *creditor;
	int64_t principal;
	int32_t annual_ppm, penalty_ppm;
	int32_t eff_ppm;         /* penalty rate after the policy's cap */
	int32_t open;
	int n_inst;
	int32_t accrued_through; /* penalty is booked up to this day */
	enum channel channel;    /* the debtor's usual way of paying */
	struct inst inst[MAX_INST];
};

struct person {
	char name[32];
	bool male;
	int age;
	char phone[12];
};

struct debtor {
	uint64_t number;
	bool company;
	int segment; /* enum segment, persons only */
	size_t city;
	int district;
	struct person self; /* the person, or a company's legal representative */
	char name[160];
	char id_number[19];
	char address[192];
	char employer[160];
};

struct gen {
	struct rng rng;
	/* The default policy: payments are planned by it, so under another
	 * configuration (compound penalty, a 365-day basis) a late payer may
	 * leave a few fen of penalty unpaid and sit in a deeper bucket. */
	struct hk_policy policy;
	int32_t today;
	int history_days;
	size_t accounts_wanted;
	struct hk_demo_counts counts;
	/* "YYYY-MM-DD" for every day in [date_lo, date_lo + n_dates), without
	 * NULs: formatting a date is then a copy, not a division per field. */
	int32_t date_lo;
	size_t n_dates;
	char *dates;
	struct out out[F_COUNT];
};

static void out_date(struct gen *g, struct out *o, int32_t date)
{
	char buf[HK_DATE_BUFSZ];

	if (date >= g->date_lo && (size_t)(date - g->date_lo) < g->n_dates) {
		out_bytes(o, g->dates + (size_t)(date - g->date_lo) * 10, 10);
		return;
	}
	out_bytes(o, buf, hk_date_format(date, buf));
}

/* YYYYMMDD, as bank references carry it. */
static void out_date_compact(struct gen *g, struct out *o, int32_t date)
{
	char iso[HK_DATE_BUFSZ];
	const char *s = iso;

	if (date >= g->date_lo && (size_t)(date - g->date_lo) < g->n_dates)
		s = g->dates + (size_t)(date - g->date_lo) * 10;
	else
		hk_date_format(date, iso);
	out_bytes(o, s, 4);
	out_bytes(o, s + 5, 2);
	out_bytes(o, s + 8, 2);
}

/* Bounded string building for names and addresses (never overflows; a
 * too-long result is cut, which our tables never produce). */
static void cat(char *buf, size_t cap, const char *s)
{
	size_t len = strlen(buf), n = strlen(s);

	if (n >= cap - len)
		n = cap - len - 1;
	memcpy(buf + len, s, n);
	buf[len + n] = '\0';
}

static void cat_uint(char *buf, size_t cap, unsigned v)
{
	char digits[12];
	size_t n = sizeof(digits) - 1;

	digits[n] = '\0';
	do {
		digits[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	cat(buf, cap, digits + n);
}

/* ---- people ------------------------------------------------------------ */

static void make_phone(struct rng *r, char phone[12])
{
	const char *prefix = PICK(r, phone_prefixes);
	int i;

	memcpy(phone, prefix, 3);
	for (i = 3; i < 11; i++)
		phone[i] = (char)('0' + rng_below(r, 10));
	phone[11] = '\0';
}

static void make_name(struct rng *r, const char *surname, bool male,
		      char *name, size_t cap)
{
	name[0] = '\0';
	cat(name, cap, surname ? surname
			       : pick_weighted(r, surnames, COUNT(surnames)));
	if (male) {
		cat(name, cap, PICK(r, given_male));
		if (rng_percent(r, 70))
			cat(name, cap, PICK(r, given_male));
	} else {
		cat(name, cap, PICK(r, given_female));
		if (rng_percent(r, 70))
			cat(name, cap, PICK(r, given_female));
	}
}

/* The surname part of a name we made: the compound surnames are the only
 * ones longer than one character (3 bytes of UTF-8). */
static void surname_of(const char *name, char *out, size_t cap)
{
	size_t n = strncmp(name, "欧阳", strlen("欧阳")) == 0 ? strlen("欧阳") : 3;

	if (n >= cap)
		n = cap - 1;
	memcpy(out, name, n);
	out[n] = '\0';
}

static void make_person(struct rng *r, const char *surname, bool male,
			int age, struct person *p)
{
	p->male = male;
	p->age = age;
	make_name(r, surname, male, p->name, sizeof(p->name));
	make_phone(r, p->phone);
}

/*
 * An 18-digit resident ID number (GB 11643): region, birth date, a serial
 * whose last digit is odd for men, and the check character.
 */
static void make_id_number(struct gen *g, const struct debtor *d, char id[19])
{
	static const int weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6,
					 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char check_chars[] = "10X98765432";
	/* Most people live where they were born; some moved in. */
	const struct city *c = rng_percent(&g->rng, 80)
				       ? &cities[d->city]
				       : &cities[rng_below(&g->rng, COUNT(cities))];
	const struct district *dist = &c->districts[rng_below(&g->rng, 3)];
	int32_t birth = g->today - d->self.age * 365 - d->self.age / 4 -
			rng_range(&g->rng, 0, 364);
	int y, m, day, i, sum = 0;
	unsigned serial = rng_below(&g->rng, 500) * 2 + (d->self.male ? 1 : 0);

	hk_date_to_ymd(birth, &y, &m, &day);
	memcpy(id, c->code, 4);
	memcpy(id + 4, dist->code, 2);
	id[6] = (char)('0' + y / 1000);
	id[7] = (char)('0' + y / 100 % 10);
	id[8] = (char)('0' + y / 10 % 10);
	id[9] = (char)('0' + y % 10);
	id[10] = (char)('0' + m / 10);
	id[11] = (char)('0' + m % 10);
	id[12] = (char)('0' + day / 10);
	id[13] = (char)('0' + day % 10);
	id[14] = (char)('0' + serial / 100);
	id[15] = (char)('0' + serial / 10 % 10);
	id[16] = (char)('0' + serial % 10);
	for (i = 0; i < 17; i++)
		sum += (id[i] - '0') * weights[i];
	id[17] = check_chars[sum % 11];
	id[18] = '\0';
}

/*
 * A unified social credit code (GB 32100): '9' (registered by the market
 * regulator), '1' (enterprise), the 6-digit division code, the 9-character
 * organisation code (GB 11714, with its own check character) and the
 * GB 32100 check character.
 */
static void make_credit_code(struct gen *g, const struct debtor *d,
			     char code[19])
{
	static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	static const int weights[17] = { 1,  3,  9,  27, 19, 26, 16, 17, 20,
					 29, 25, 13, 8,  24, 10, 30, 28 };
	static const int org_weights[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };
	const struct city *c = &cities[d->city];
	int i, sum = 0, check;

	code[0] = '9';
	code[1] = '1';
	memcpy(code + 2, c->code, 4);
	memcpy(code + 6, c->districts[d->district].code, 2);
	/* Newer organisation codes start "MA" and mix in letters; older
	 * ones are digits.  Letters only from the credit-code alphabet. */
	if (rng_percent(&g->rng, 50)) {
		code[8] = 'M';
		code[9] = 'A';
		code[10] = alphabet[rng_below(&g->rng, 31)];
		for (i = 11; i < 16; i++)
			code[i] = (char)('0' + rng_below(&g->rng, 10));
	} else {
		for (i = 8; i < 16; i++)
			code[i] = (char)('0' + rng_below(&g->rng, 10));
	}
	for (i = 0; i < 8; i++) {
		char ch = code[8 + i];
		int v = ch >= 'A' ? ch - 'A' + 10 : ch - '0';

		sum += v * org_weights[i];
	}
	check = 11 - sum % 11;
	code[16] = check == 10 ? 'X' : check == 11 ? '0' : (char)('0' + check);
	sum = 0;
	for (i = 0; i < 17; i++)
		sum += (int)(strchr(alphabet, code[i]) - alphabet) * weights[i];
	code[17] = alphabet[(31 - sum % 31) % 31];
	code[18] = '\0';
}

static void make_address(struct gen *g, struct debtor *d, bool office)
{
	struct rng *r = &g->rng;
	char *a = d->address;
	size_t cap = sizeof(d->address);

	a[0] = '\0';
	cat(a, cap, cities[d->city].districts[d->district].name);
	cat(a, cap, PICK(r, roads));
	cat_uint(a, cap, (unsigned)rng_range(r, 1, 999));
	cat(a, cap, "号");
	if (office) {
		if (rng_percent(r, 60)) {
			cat(a, cap, PICK(r, buildings));
			cat_uint(a, cap, (unsigned)rng_range(r, 2, 32));
			cat(a, cap, "层");
		}
	} else if (rng_percent(r, 70)) {
		int floor = rng_range(r, 1, 33);

		cat(a, cap, PICK(r, estates));
		cat_uint(a, cap, (unsigned)rng_range(r, 1, 30));
		cat(a, cap, "栋");
		cat_uint(a, cap, (unsigned)(floor * 100 + rng_range(r, 1, 6)));
		cat(a, cap, "室");
	}
}

static void make_debtor(struct gen *g, struct debtor *d)
{
	unsigned city_weights[COUNT(cities)];
	struct rng *r = &g->rng;
	size_t i;

	for (i = 0; i < COUNT(cities); i++)
		city_weights[i] = cities[i].weight;
	memset(d, 0, sizeof(*d));
	d->number = ++g->counts.debtors;
	d->company = rng_percent(r, 10);
	d->city = pick_index(r, city_weights, COUNT(cities));
	d->district = (int)rng_below(r, 3);

	if (d->company) {
		/* The legal representative speaks for the company. */
		make_person(r, NULL, rng_percent(r, 75), rng_range(r, 30, 62),
			    &d->self);
		cat(d->name, sizeof(d->name), cities[d->city].name);
		cat(d->name, sizeof(d->name), PICK(r, brands));
		cat(d->name, sizeof(d->name), PICK(r, company_trades));
		cat(d->name, sizeof(d->name), "有限公司");
		make_credit_code(g, d, d->id_number);
		make_address(g, d, true);
		return;
	}

	d->segment = (int)pick_index(r, segment_weights, SEG_COUNT);
	make_person(r, NULL, rng_percent(r, 55),
		    rng_range(r, segments[d->segment].age_min,
			      segments[d->segment].age_max),
		    &d->self);
	memcpy(d->name, d->self.name, sizeof(d->self.name));
	make_id_number(g, d, d->id_number);
	make_address(g, d, false);
	switch (d->segment) {
	case SEG_WHITE_COLLAR:
		cat(d->employer, sizeof(d->employer), cities[d->city].name);
		cat(d->employer, sizeof(d->employer), PICK(r, brands));
		cat(d->employer, sizeof(d->employer), PICK(r, office_trades));
		cat(d->employer, sizeof(d->employer), "有限公司");
		break;
	case SEG_WORKER:
		cat(d->employer, sizeof(d->employer), cities[d->city].name);
		cat(d->employer, sizeof(d->employer), PICK(r, brands));
		cat(d->employer, sizeof(d->employer), PICK(r, factory_trades));
		cat(d->employer, sizeof(d->employer), "有限公司");
		break;
	case SEG_BUSINESS_OWNER:
		/* Their own shop: where their income comes from. */
		cat(d->employer, sizeof(d->employer),
		    cities[d->city].districts[d->district].name);
		cat(d->employer, sizeof(d->employer), PICK(r, brands));
		cat(d->employer, sizeof(d->employer), PICK(r, shop_kinds));
		break;
	default:
		break;
	}
}

static void write_debtor(struct gen *g, const struct debtor *d)
{
	struct out *o = &g->out[F_DEBTORS];
	const struct city *c = &cities[d->city];

	out_row_begin(o);
	out_id(o, 'D', d->number, 6);
	out_char(o, ',');
	out_field(o, d->name);
	out_str(o, d->company ? ",company," : ",person,");
	out_field(o, d->id_number);
	out_char(o, ',');
	out_field(o, d->self.phone);
	out_char(o, ',');
	if (!d->company)
		out_field(o, segments[d->segment].name);
	out_char(o, ',');
	out_field(o, c->province);
	out_char(o, ',');
	out_field(o, c->name);
	out_char(o, ',');
	out_field(o, d->address);
	out_char(o, ',');
	out_field(o, d->employer);
	out_char(o, '\n');
}

static void write_contact(struct gen *g, const struct debtor *d,
			  const char *relation, const struct person *p,
			  bool authorized)
{
	struct out *o = &g->out[F_CONTACTS];

	out_row_begin(o);
	out_id(o, 'C', ++g->counts.contacts, 7);
	out_char(o, ',');
	out_id(o, 'D', d->number, 6);
	out_char(o, ',');
	out_str(o, relation);
	out_char(o, ',');
	out_field(o, p->name);
	out_char(o, ',');
	out_field(o, p->phone);
	out_str(o, authorized ? ",yes\n" : ",no\n");
}

enum relation {
	REL_SPOUSE,
	REL_PARENT,
	REL_CHILD,
	REL_SIBLING,
	REL_RELATIVE,
	REL_FRIEND,
	REL_COLLEAGUE,
	REL_EMPLOYER,
	REL_GUARANTOR,
	REL_CO_BORROWER,
	REL_OTHER,
	REL_COUNT
};
static const char *const relation_codes[REL_COUNT] = {
	"spouse",    "parent",   "child",     "sibling",
	"relative",  "friend",   "colleague", "employer",
	"guarantor", "co_borrower", "other",
};
static const unsigned relation_weights[REL_COUNT] = {
	22, 20, 8, 14, 6, 12, 10, 4, 5, 4, 2
};

/* Whether a relation makes sense for this person (and has not been used
 * where there can be only one). */
static bool relation_fits(const struct debtor *d, int rel, unsigned used)
{
	bool employed = d->segment == SEG_WHITE_COLLAR || d->segment == SEG_WORKER;

	switch (rel) {
	case REL_SPOUSE:
		return d->self.age >= 24 && !(used & (1u << rel));
	case REL_PARENT:
		return d->self.age <= 58;
	case REL_CHILD:
		return d->self.age >= 45;
	case REL_COLLEAGUE:
	case REL_EMPLOYER:
		return employed;
	default:
		return true;
	}
}

static void write_person_contacts(struct gen *g, const struct debtor *d)
{
	struct rng *r = &g->rng;
	char surname[16];
	unsigned used = 0;
	static const unsigned n_others_weights[3] = { 40, 40, 20 };
	int n_others = (int)pick_index(r, n_others_weights, 3) + 1;
	int i;

	write_contact(g, d, "self", &d->self, true);
	surname_of(d->self.name, surname, sizeof(surname));
	for (i = 0; i < n_others; i++) {
		struct person p;
		int rel = REL_FRIEND, tries;
		bool authorized = false;

		for (tries = 0; tries < 8; tries++) {
			int cand = (int)pick_index(r, relation_weights, REL_COUNT);

			if (relation_fits(d, cand, used)) {
				rel = cand;
				break;
			}
		}
		used |= 1u << rel;
		switch (rel) {
		case REL_SPOUSE:
			make_person(r, NULL, !d->self.male, d->self.age, &p);
			authorized = rng_percent(r, 5);
			break;
		case REL_PARENT: {
			/* Fathers share the surname; mothers usually not. */
			bool father = rng_percent(r, 55);

			make_person(r, father ? surname : NULL, father,
				    d->self.age + 28, &p);
			break;
		}
		case REL_CHILD:
		case REL_SIBLING:
			make_person(r, surname, rng_percent(r, 50),
				    d->self.age, &p);
			break;
		case REL_GUARANTOR:
			make_person(r, NULL, rng_percent(r, 55), 40, &p);
			authorized = rng_percent(r, 50);
			break;
		case REL_CO_BORROWER:
			make_person(r, NULL, rng_percent(r, 55), d->self.age, &p);
			authorized = rng_percent(r, 70);
			break;
		default:
			make_person(r, NULL, rng_percent(r, 55), d->self.age, &p);
			break;
		}
		write_contact(g, d, relation_codes[rel], &p, authorized);
	}
}

/* A company is reached through its legal representative (self) and its
 * staff who handle payments; the representative often guarantees too. */
static void write_company_contacts(struct gen *g, const struct debtor *d)
{
	static const unsigned weights[3] = { 50, 30, 20 };
	static const int rels[3] = { REL_EMPLOYER, REL_GUARANTOR, REL_OTHER };
	struct rng *r = &g->rng;
	int n_others = rng_range(r, 1, 2), i;

	write_contact(g, d, "self", &d->self, true);
	for (i = 0; i < n_others; i++) {
		int rel = rels[pick_index(r, weights, 3)];
		struct person p;
		bool authorized;

		if (rel == REL_GUARANTOR && rng_percent(r, 50)) {
			/* The representative's personal guarantee. */
			p = d->self;
			authorized = true;
		} else {
			make_person(r, NULL, rng_percent(r, 45),
				    rng_range(r, 25, 55), &p);
			authorized = rel == REL_EMPLOYER ? rng_percent(r, 60)
							 : rng_percent(r, 20);
		}
		write_contact(g, d, relation_codes[rel], &p, authorized);
	}
}

/* ---- accounts and schedules ---------------------------------------------- */

/* A date `months` calendar months after `date`, on the same day of the month
 * or the month's last day (31 Jan + 1 month = 28/29 Feb). */
static int32_t add_months(int32_t date, int months)
{
	static const int days_in_month[12] = { 31, 28, 31, 30, 31, 30,
					       31, 31, 30, 31, 30, 31 };
	int y, m, d, last;

	hk_date_to_ymd(date, &y, &m, &d);
	m += months;
	y += (m - 1) / 12;
	m = (m - 1) % 12 + 1;
	last = days_in_month[m - 1] +
	       (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	return hk_date_from_ymd(y, m, d > last ? last : d);
}

/* A rate in [lo, hi] ppm in steps of 0.01% (100 ppm). */
static int32_t pick_rate(struct rng *r, int32_t lo, int32_t hi)
{
	return rng_range(r, lo / 100, hi / 100) * 100;
}

static int pick_product(struct gen *g, const struct debtor *d)
{
	struct rng *r = &g->rng;

	if (d->company) {
		static const unsigned w[3] = { 40, 45, 15 };
		static const int p[3] = { HK_PRODUCT_BUSINESS_LOAN,
					  HK_PRODUCT_INVOICE,
					  HK_PRODUCT_OTHER };

		return p[pick_index(r, w, 3)];
	} else {
		/* Only business owners borrow for a business. */
		unsigned w[4] = { 46, 40, 6,
				  d->segment == SEG_BUSINESS_OWNER ? 30 : 0 };
		static const int p[4] = { HK_PRODUCT_CREDIT_CARD,
					  HK_PRODUCT_CONSUMER_LOAN,
					  HK_PRODUCT_OTHER,
					  HK_PRODUCT_BUSINESS_LOAN };

		return p[pick_index(r, w, 4)];
	}
}

/* Choices of terms, each entry equally likely (repeats weigh more). */
static const int32_t card_annual_ppm[] = { 182500, 182500, 182500, 146000, 0 };
static const int32_t card_penalty_ppm[] = { 60000, 90000, 120000, 182500 };
static const int card_months[] = { 3, 6, 6, 12, 12, 12, 18, 24 };
static const int consumer_months[] = { 3, 6, 6, 12, 12, 12, 18, 24, 24 };
static const int business_months[] = { 12, 12, 24, 24, 36 };
static const int other_months[] = { 1, 3, 6, 12 };
static const int32_t invoice_penalty_ppm[] = { 0, 54750, 109500, 182500 };
static const int32_t invoice_terms_days[] = { 30, 45, 60, 60, 90 };

/* Terms of one account: creditor, principal, rates, opening and length. */
static void make_terms(struct gen *g, const struct debtor *d, struct account *a)
{
	struct rng *r = &g->rng;

	a->product = pick_product(g, d);
	switch (a->product) {
	case HK_PRODUCT_CREDIT_CARD:
		a->creditor = rng_percent(r, 70) ? CREDITOR_CARD : CREDITOR_BANK;
		a->principal = skewed_fen(r, 3000 * FEN_PER_YUAN,
					  80000 * FEN_PER_YUAN);
		/* 0.05% a day is the classic card rate; some instalment
		 * plans charge no interest but a monthly fee instead. */
		a->annual_ppm = PICK(r, card_annual_ppm);
		a->penalty_ppm = PICK(r, card_penalty_ppm);
		a->n_inst = PICK(r, card_months);
		break;
	case HK_PRODUCT_CONSUMER_LOAN:
		a->creditor = rng_percent(r, 70) ? CREDITOR_CONSUMER : CREDITOR_BANK;
		a->principal = skewed_fen(r, 50, 2000) * 100 * FEN_PER_YUAN;
		a->annual_ppm = pick_rate(r, 72000, 239000);
		a->penalty_ppm = pick_rate(r, 60000, 180000);
		a->n_inst = PICK(r, consumer_months);
		break;
	case HK_PRODUCT_BUSINESS_LOAN:
		a->creditor = CREDITOR_BANK;
		a->principal = skewed_fen(r, 50, 2000) * 1000 * FEN_PER_YUAN;
		a->annual_ppm = pick_rate(r, 36500, 120000);
		a->penalty_ppm = pick_rate(r, 60000, 120000);
		a->n_inst = PICK(r, business_months);
		break;
	case HK_PRODUCT_INVOICE:
		a->creditor = CREDITOR_SUPPLIER;
		a->principal = skewed_fen(r, 1000 * FEN_PER_YUAN,
					  500000 * FEN_PER_YUAN);
		a->annual_ppm = 0;
		/* Late-payment charges per day written into supply
		 * contracts; some contracts have none. */
		a->penalty_ppm = PICK(r, invoice_penalty_ppm);
		a->n_inst = 1;
		break;
	default:
		a->creditor = d->company ? CREDITOR_SUPPLIER : CREDITOR_CONSUMER;
		a->principal = skewed_fen(r, 1000, 50000) * FEN_PER_YUAN;
		a->annual_ppm = rng_percent(r, 30) ? 0 : pick_rate(r, 36000, 120000);
		a->penalty_ppm = pick_rate(r, 60000, 120000);
		a->n_inst = PICK(r, other_months);
		break;
	}
	/* Some accounts are well over a year old so that the deep buckets
	 * (M4 to M7+) have members. */
	if (rng_percent(r, 15))
		a->open = g->today - rng_range(r, 395, 730);
	else
		a->open = g->today - rng_range(r, 0, g->history_days - 1);
	a->eff_ppm = hk_penalty_effective_ppm(a->policy, a->annual_ppm,
					      a->penalty_ppm);
}

/*
 * The schedule: equal principal (等额本金) with the remainder on the last
 * installment, so the installments add up to the principal exactly;
 * interest on the balance before each installment at annual/12, half up
 * on the fen.  Invoices fall due once, 30-90 days after issue.
 */
static void make_schedule(struct gen *g, struct account *a)
{
	struct rng *r = &g->rng;
	int64_t share = a->principal / a->n_inst;
	int64_t balance = a->principal;
	int i;
	/* An occasional one-off charge (annual fee, arrangement fee). */
	int fee_at = rng_percent(r, 8) ? (int)rng_below(r, (uint32_t)a->n_inst) : -1;
	/* Interest-free card plans charge 0.6% of the amount each month. */
	bool monthly_fee = a->product == HK_PRODUCT_CREDIT_CARD &&
			   a->annual_ppm == 0;

	for (i = 0; i < a->n_inst; i++) {
		struct inst *in = &a->inst[i];

		memset(in, 0, sizeof(*in));
		if (a->product == HK_PRODUCT_INVOICE)
			in->due = a->open + PICK(r, invoice_terms_days);
		else
			in->due = add_months(a->open, i + 1);
		in->sched_principal = i + 1 == a->n_inst ? balance : share;
		in->sched_interest = (balance * a->annual_ppm + 6000000) / 12000000;
		if (monthly_fee)
			in->sched_fee = (a->principal * 6 + 500) / 1000;
		if (i == fee_at)
			in->sched_fee += rng_range(r, 20, 300) * FEN_PER_YUAN;
		balance -= in->sched_principal;
		in->principal = in->sched_principal;
		in->interest = in->sched_interest;
		in->fee = in->sched_fee;
	}
	a->accrued_through = a->open - 1;
}

static void write_account(struct gen *g, const struct debtor *d,
			  const struct account *a)
{
	struct out *o = &g->out[F_ACCOUNTS];
	char rate[HK_RATE_BUFSZ];
	int i;

	out_row_begin(o);
	out_id(o, 'A', a->number, 7);
	out_char(o, ',');
	out_id(o, 'D', d->number, 6);
	out_char(o, ',');
	out_str(o, a->creditor);
	out_char(o, ',');
	out_str(o, hk_product_name(a->product));
	out_char(o, ',');
	out_money(o, a->principal);
	out_char(o, ',');
	out_bytes(o, rate, hk_rate_format(a->annual_ppm, rate));
	out_char(o, ',');
	out_bytes(o, rate, hk_rate_format(a->penalty_ppm, rate));
	out_char(o, ',');
	out_date(g, o, a->open);
	out_char(o, '\n');

	o = &g->out[F_INSTALLMENTS];
	for (i = 0; i < a->n_inst; i++) {
		const struct inst *in = &a->inst[i];

		out_row_begin(o);
		out_id(o, 'A', a->number, 7);
		out_char(o, ',');
		out_uint(o, (uint64_t)(i + 1), 1);
		out_char(o, ',');
		out_date(g, o, in->due);
		out_char(o, ',');
		out_money(o, in->sched_principal);
		out_char(o, ',');
		out_money(o, in->sched_interest);
		out_char(o, ',');
		out_money(o, in->sched_fee);
		out_char(o, '\n');
	}
	g->counts.installments += (size_t)a->n_inst;
}

/* ---- playing an account's history (ledger.md §3, default policy) -------- */

/* Book penalty up to the end of day `through`: on each installment, for
 * each day after its due date, on its unpaid principal (and interest, when
 * the policy compounds). */
static void sim_accrue(struct account *a, int32_t through)
{
	int i;

	if (through <= a->accrued_through)
		return;
	for (i = 0; i < a->n_inst; i++) {
		struct inst *in = &a->inst[i];
		int32_t first = in->due + 1;
		int64_t base = in->principal +
			       (a->policy->compound ? in->interest : 0);

		if (first <= a->accrued_through)
			first = a->accrued_through + 1;
		if (base == 0 || first > through)
			continue;
		in->penalty += (int64_t)(through - first + 1) *
			       hk_penalty_daily(base, a->eff_ppm,
						a->policy->day_basis);
	}
	a->accrued_through = through;
}

/* What is unpaid of installments 0..last, penalty included. */
static int64_t sim_owed(const struct account *a, int last)
{
	int64_t owed = 0;
	int i;

	for (i = 0; i <= last && i < a->n_inst; i++)
		owed += a->inst[i].penalty + a->inst[i].fee +
			a->inst[i].interest + a->inst[i].principal;
	return owed;
}

static void take(int64_t *unpaid, int64_t *amount)
{
	int64_t part = *unpaid < *amount ? *unpaid : *amount;

	*unpaid -= part;
	*amount -= part;
}

/* Allocate a payment as ledger.md §3 does: what is due, oldest first
 * (penalty, fee, interest, principal), then what is not yet due; anything
 * left is the credit balance, which the plan never needs to track. */
static void sim_pay(struct account *a, int32_t day, int64_t amount)
{
	int i;

	sim_accrue(a, day - 1);
	for (i = 0; i < a->n_inst && a->inst[i].due <= day; i++) {
		take(&a->inst[i].penalty, &amount);
		take(&a->inst[i].fee, &amount);
		take(&a->inst[i].interest, &amount);
		take(&a->inst[i].principal, &amount);
	}
	for (; i < a->n_inst; i++) {
		take(&a->inst[i].fee, &amount);
		take(&a->inst[i].interest, &amount);
		take(&a->inst[i].principal, &amount);
	}
}

static enum channel pick_channel(struct rng *r, const struct account *a)
{
	if (rng_percent(r, 85))
		return a->channel;
	return (enum channel)pick_index(r, channel_weights, CH_COUNT);
}

static void pay(struct gen *g, struct account *a, int32_t day, int64_t amount)
{
	struct out *o = &g->out[F_PAYMENTS];
	struct rng *r = &g->rng;
	enum channel ch = pick_channel(r, a);
	int i;

	sim_pay(a, day, amount);
	out_row_begin(o);
	out_id(o, 'P', ++g->counts.payments, 8);
	out_char(o, ',');
	out_id(o, 'A', a->number, 7);
	out_char(o, ',');
	out_date(g, o, day);
	out_char(o, ',');
	out_money(o, amount);
	out_char(o, ',');
	out_str(o, channel_codes[ch]);
	out_char(o, ',');
	/* A bank transfer always carries the bank's reference; online
	 * payments mostly carry the platform's order number. */
	if (ch == CH_BANK_TRANSFER || (ch == CH_ONLINE && rng_percent(r, 70))) {
		out_str(o, ch == CH_BANK_TRANSFER ? "BT" : "OL");
		out_date_compact(g, o, day);
		for (i = 0; i < 6; i++)
			out_char(o, (char)('0' + rng_below(r, 10)));
	}
	out_char(o, '\n');
}

static void write_promise(struct gen *g, const struct debtor *d,
			  const struct account *a, int32_t made_on,
			  int32_t due_on, int64_t amount)
{
	struct out *o = &g->out[F_PROMISES];

	out_row_begin(o);
	out_id(o, 'D', d->number, 6);
	out_char(o, ',');
	out_str(o, a->creditor);
	out_char(o, ',');
	out_date(g, o, made_on);
	out_char(o, ',');
	out_date(g, o, due_on);
	out_char(o, ',');
	out_money(o, amount);
	out_char(o, '\n');
	g->counts.promises++;
}

/*
 * The bucket an account is steered to and its first missed installment:
 * pick a bucket, then an installment whose due date puts the account there
 * today.  Returns the index of that installment, or n_inst (all paid as due)
 * for M0.
 */
static int pick_first_missed(struct gen *g, const struct account *a)
{
	int bucket = (int)pick_index(&g->rng, bucket_weights, N_BUCKETS);
	int32_t lo, hi;
	int i, candidates[MAX_INST], n = 0;

	if (bucket == 0)
		return a->n_inst;
	lo = 30 * (bucket - 1) + 1;
	hi = bucket == N_BUCKETS - 1 ? INT32_MAX : 30 * bucket;
	for (i = 0; i < a->n_inst; i++) {
		int32_t dpd = g->today - a->inst[i].due;

		if (dpd >= lo && dpd <= hi)
			candidates[n++] = i;
	}
	return n ? candidates[rng_below(&g->rng, (uint32_t)n)] : a->n_inst;
}

/* The day an installment is paid in a style, before today's limit. */
static int32_t planned_day(struct rng *r, enum style style, int32_t due,
			   int late_days)
{
	switch (style) {
	case STYLE_EARLY:
		return due - rng_range(r, 5, 20);
	case STYLE_LATE:
		/* Now and then even a late payer is on time. */
		if (rng_percent(r, 20))
			return due;
		return due + late_days + rng_range(r, -4, 4);
	default:
		return due - (rng_percent(r, 70) ? 0 : rng_range(r, 1, 5));
	}
}

/*
 * After the first missed installment: nothing (lost contact), small token
 * payments that never clear it, or a promise to pay (kept, broken or not
 * yet due).  `after` is the last day with a payment so far.
 */
static void play_delinquency(struct gen *g, const struct debtor *d,
			     struct account *a, int missed, int32_t after)
{
	struct rng *r = &g->rng;
	int32_t today = g->today;
	int32_t lo = a->inst[missed].due + 1;
	unsigned what = rng_below(r, 100);

	if (lo < after)
		lo = after;
	if (lo > today)
		return;
	if (what < 25) {
		/* Token payments, smaller than what the oldest installment
		 * still owes, so it stays unpaid. */
		int n = rng_range(r, 1, 3), i;
		int32_t day = lo;

		for (i = 0; i < n && day <= today; i++) {
			int64_t owed, amount;

			day = rng_range(r, day, today);
			sim_accrue(a, day - 1);
			owed = sim_owed(a, missed);
			amount = owed * rng_range(r, 10, 50) / 100 /
				 FEN_PER_YUAN * FEN_PER_YUAN;
			if (amount > 0 && amount < owed)
				pay(g, a, day, amount);
			day++;
		}
	} else if (what < 70) {
		/* A promise made in the last 60 days, 1-14 days ahead. */
		unsigned kind = rng_below(r, 100); /* kept, broken, pending */
		int32_t made, due, lo60 = lo > today - 59 ? lo : today - 59;
		int64_t owed, amount;

		if (kind < 45) {
			made = rng_range(r, lo60, today);
			due = made + rng_range(r, 1, 14);
		} else if (kind < 80) {
			if (lo60 > today - 2)
				return;
			made = rng_range(r, lo60, today - 2);
			due = made + rng_range(r, 1, 14);
			if (due > today - 1)
				due = today - 1;
		} else {
			made = rng_range(r, lo60 > today - 13 ? lo60 : today - 13,
					 today);
			due = rng_range(r, today + 1, made + 14);
		}
		sim_accrue(a, made - 1);
		owed = sim_owed(a, missed);
		amount = owed * rng_range(r, 20, 80) / 100;
		/* People promise round sums: whole hundreds of yuan, or whole
		 * yuan when the sum is small. */
		if (amount >= 200 * FEN_PER_YUAN)
			amount -= amount % (100 * FEN_PER_YUAN);
		else
			amount -= amount % FEN_PER_YUAN;
		if (amount <= 0 || amount >= owed)
			return;
		write_promise(g, d, a, made, due, amount);
		if (kind < 45) {
			int32_t last = due < today ? due : today;

			pay(g, a, rng_range(r, made, last), amount);
		} else if (kind < 80 && rng_percent(r, 30)) {
			/* Broken, though something was paid. */
			int64_t part = amount * rng_range(r, 10, 50) / 100 /
				       FEN_PER_YUAN * FEN_PER_YUAN;

			if (part > 0)
				pay(g, a, rng_range(r, made, due), part);
		}
	}
}

/*
 * Play one account's history up to today: choose where it should stand,
 * then pay each installment before the first missed one in the account's
 * style, each payment computed from the simulated ledger so that it clears
 * exactly what it should (penalty included) and no more.
 */
static void play_account(struct gen *g, const struct debtor *d,
			 struct account *a)
{
	struct rng *r = &g->rng;
	int32_t today = g->today, prev = a->open;
	int missed = pick_first_missed(g, a);
	bool current = missed == a->n_inst;
	enum style style = (enum style)pick_index(
		r, current ? style_weights_current : style_weights_delinquent,
		STYLE_COUNT);
	int late_days = rng_range(r, 5, 36);
	int j;

	a->channel = (enum channel)pick_index(r, channel_weights, CH_COUNT);
	for (j = 0; j < missed; j++) {
		int32_t due = a->inst[j].due;
		int32_t day = planned_day(r, style, due, late_days);
		int64_t amount;

		if (day < prev)
			day = prev;
		if (day > today) {
			/* Anything due before today must be cleared to keep
			 * the account where it was steered. */
			if (due >= today)
				break;
			day = rng_range(r, due > prev ? due : prev, today);
		}
		sim_accrue(a, day - 1);
		if (style == STYLE_PREPAY && rng_percent(r, 30)) {
			pay(g, a, day, sim_owed(a, a->n_inst - 1));
			prev = day;
			break;
		}
		amount = sim_owed(a, j);
		if (style == STYLE_ROUND)
			amount = (amount + 100 * FEN_PER_YUAN - 1) /
				 (100 * FEN_PER_YUAN) * (100 * FEN_PER_YUAN);
		if (amount <= 0)
			continue;
		pay(g, a, day, amount);
		prev = day;
	}
	if (!current)
		play_delinquency(g, d, a, missed, prev);
}

static void make_accounts(struct gen *g, const struct debtor *d)
{
	static const unsigned per_debtor[3] = { 78, 16, 6 };
	size_t n = pick_index(&g->rng, per_debtor, 3) + 1, i;
	struct account a;

	if (n > g->accounts_wanted - g->counts.accounts)
		n = g->accounts_wanted - g->counts.accounts;
	for (i = 0; i < n; i++) {
		memset(&a, 0, offsetof(struct account, inst));
		a.policy = &g->policy;
		a.number = ++g->counts.accounts;
		make_terms(g, d, &a);
		make_schedule(g, &a);
		write_account(g, d, &a);
		play_account(g, d, &a);
	}
}

/* ======================================================================== */
/* Files and the entry point                                                */
/* ======================================================================== */

/* mkdir -p: each missing component in turn; an existing directory is fine. */
static enum hk_rc make_dir(const char *dir, struct hk_err *err)
{
	char path[PATH_MAX];
	size_t len = strlen(dir), i;
	struct stat st;

	if (len == 0 || len >= sizeof(path))
		return hk_err_set(err, HK_EINVAL,
				  "cannot use \"%s\" as the demo directory",
				  dir);
	memcpy(path, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST)
			return hk_err_set(err, HK_EIO,
					  "could not create directory \"%s\": %s",
					  path, strerror(errno));
		path[i] = i == len ? '\0' : '/';
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return hk_err_set(err, HK_EIO,
				  "could not create directory \"%s\": %s", dir,
				  "a file of that name is in the way");
	return HK_OK;
}

static enum hk_rc open_files(struct gen *g, const char *dir, struct hk_err *err)
{
	int k;

	for (k = 0; k < F_COUNT; k++) {
		struct out *o = &g->out[k];
		int n = snprintf(o->path, sizeof(o->path), "%s/%s", dir,
				 files[k].name);
		int m = snprintf(o->tmp_path, sizeof(o->tmp_path), "%s/.%s.tmp",
				 dir, files[k].name);

		if (n < 0 || (size_t)n >= sizeof(o->path) || m < 0 ||
		    (size_t)m >= sizeof(o->tmp_path))
			return hk_err_set(err, HK_EINVAL,
					  "cannot use \"%s\" as the demo "
					  "directory: path too long", dir);
		o->f = fopen(o->tmp_path, "wb");
		if (!o->f)
			return hk_err_set(err, HK_EIO,
					  "could not create file \"%s\": %s",
					  o->tmp_path, strerror(errno));
		/* Our buffer already batches writes; a second one in
		 * stdio would only copy every byte again. */
		setvbuf(o->f, NULL, _IONBF, 0);
		o->buf = hk_malloc(OUT_BUFSZ);
		out_str(o, files[k].header);
	}
	return HK_OK;
}

/* Flush and close every file; on success move them to their real names. */
static enum hk_rc close_files(struct gen *g, bool ok, struct hk_err *err)
{
	enum hk_rc rc = HK_OK;
	int k;

	for (k = 0; k < F_COUNT; k++) {
		struct out *o = &g->out[k];

		if (!o->f)
			continue;
		out_flush(o);
		if (fclose(o->f) != 0 && !o->write_errno)
			o->write_errno = errno ? errno : EIO;
		o->f = NULL;
		if (ok && rc == HK_OK && o->write_errno)
			rc = hk_err_set(err, HK_EIO, "could not write \"%s\": %s",
					o->tmp_path, strerror(o->write_errno));
	}
	for (k = 0; k < F_COUNT; k++) {
		struct out *o = &g->out[k];

		if (!o->tmp_path[0])
			continue;
		if (ok && rc == HK_OK) {
			if (rename(o->tmp_path, o->path) != 0)
				rc = hk_err_set(err, HK_EIO,
						"could not rename \"%s\" to \"%s\": %s",
						o->tmp_path, o->path,
						strerror(errno));
		} else {
			unlink(o->tmp_path);
		}
	}
	return rc;
}

/* Cache the ISO text of every date the files can hold. */
static void make_date_cache(struct gen *g)
{
	size_t i;

	g->date_lo = g->today - (g->history_days > 730 ? g->history_days : 730) - 1;
	/* The latest date written: a 36-month schedule opened today. */
	g->n_dates = (size_t)(g->today - g->date_lo) + 3 * 366 + 120;
	g->dates = hk_malloc(g->n_dates * 10 + 1);
	for (i = 0; i < g->n_dates; i++) {
		char buf[HK_DATE_BUFSZ];

		hk_date_format(g->date_lo + (int32_t)i, buf);
		memcpy(g->dates + i * 10, buf, 10);
	}
}

enum hk_rc hk_demo_write(const struct hk_demo_opts *opts, const char *dir,
			 struct hk_demo_counts *counts, struct hk_err *err)
{
	struct gen *g;
	enum hk_rc rc, close_rc;
	int y, m, d, k;

	if (counts)
		memset(counts, 0, sizeof(*counts));
	if (!opts || !dir)
		return hk_err_set(err, HK_EINVAL, "demo options and directory "
				  "are required");
	if (opts->history_days < 0 || opts->history_days > MAX_HISTORY_DAYS)
		return hk_err_set(err, HK_EINVAL,
				  "history_days must be between 1 and %d (0 for "
				  "the default), not %d",
				  MAX_HISTORY_DAYS, opts->history_days);
	if (opts->today == HK_DATE_NONE)
		return hk_err_set(err, HK_EINVAL, "the demo needs a date for today");
	hk_date_to_ymd(opts->today, &y, &m, &d);
	/* Room for birth dates 82 years back and schedules 3 years ahead. */
	if (y < HK_YEAR_MIN + 100 || y > HK_YEAR_MAX - 4)
		return hk_err_set(err, HK_EINVAL,
				  "cannot generate a portfolio as of year %d", y);
	rc = make_dir(dir, err);
	if (rc != HK_OK)
		return rc;

	g = hk_calloc(1, sizeof(*g));
	rng_seed(&g->rng, opts->seed);
	hk_policy_default(&g->policy);
	g->today = opts->today;
	g->history_days = opts->history_days ? opts->history_days
					     : DEFAULT_HISTORY_DAYS;
	g->accounts_wanted = opts->accounts ? opts->accounts : DEFAULT_ACCOUNTS;
	make_date_cache(g);

	rc = open_files(g, dir, err);
	while (rc == HK_OK && g->counts.accounts < g->accounts_wanted) {
		struct debtor debtor;

		make_debtor(g, &debtor);
		/* Self-check: a bad number here is a bug of ours, and the
		 * importer would refuse the whole file for it. */
		if (debtor.company
			    ? !hk_credit_code_valid(debtor.id_number, 18)
			    : !hk_id_number_valid(debtor.id_number, 18, NULL)) {
			rc = hk_err_set(err, HK_EINTERNAL,
					"generated an invalid %s for debtor D%06llu",
					debtor.company ? "credit code" : "ID number",
					(unsigned long long)debtor.number);
			break;
		}
		write_debtor(g, &debtor);
		if (debtor.company)
			write_company_contacts(g, &debtor);
		else
			write_person_contacts(g, &debtor);
		make_accounts(g, &debtor);
	}
	close_rc = close_files(g, rc == HK_OK, err);
	if (rc == HK_OK)
		rc = close_rc;
	if (rc == HK_OK && counts)
		*counts = g->counts;
	for (k = 0; k < F_COUNT; k++)
		free(g->out[k].buf);
	free(g->dates);
	free(g);
	return rc;
}
