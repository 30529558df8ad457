/*
 * letter_batch.c - batches of letters (letters.h, docs/letters.md): from
 * the day's treatments or a list of cases, written as one PDF per letter,
 * one print file of the run's letters in order, and a CSV manifest, every
 * letter recorded with its serial and SHA-256.
 *
 * A run first renders every letter's text (the store is read by this
 * process only), takes their serials in one transaction, and cuts the
 * fonts down to each group's characters (pdf.h).  Then worker processes
 * draw - processes, not threads: pango and cairo's font caches are one
 * process's, and a separate address space shares none of them - each a
 * contiguous part of the letters in order, into one PDF per letter and a
 * print file of its part, from one layout; results come back through
 * shared memory.  Meanwhile this process records each letter, in order,
 * in transactions of RECORD_EVERY, so progress is visible and a crash
 * loses at most those; the parts' print files are joined into one with
 * qpdf (libqpdf's job interface).  A rerun writes the letters not recorded
 * (new serials: a serial once taken is never given again) and a print
 * file of its own.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <qpdf/qpdfjob-c.h>
#include <sodium.h>

#include "hk/batch.h"
#include "hk/guard.h"
#include "hk/letters.h"
#include "hk/pdf.h"
#include "hk/strategy.h"
#include "hk/types.h"

#define RECORD_EVERY 100
/* Letters whose characters one cut of the fonts covers: fewer glyphs, a
 * faster subset per file (pdf.h). */
#define GROUP 200

/* ====================================================================
 * Which cases
 * ==================================================================== */

struct pick {
	struct hk_store *s;
	const struct hk_strategy *st;
	int64_t strategy_ref;
	struct hk_batch_case *cases;
	size_t n, cap;
	struct hk_err *err;
	enum hk_rc rc;
};

static void add_case(struct pick *p, int64_t case_ref, const char *code)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 256;
		p->cases = hk_realloc(p->cases, p->cap * sizeof(*p->cases));
	}
	memset(&p->cases[p->n], 0, sizeof(p->cases[0]));
	p->cases[p->n].seq = (int64_t)p->n + 1;
	p->cases[p->n].case_ref = case_ref;
	snprintf(p->cases[p->n].template_code,
		 sizeof(p->cases[p->n].template_code), "%s", code);
	p->n++;
}

/* The cases a treatment asks a letter for: collected here, checked below
 * (the scan's callback must not use the store). */
static int treated(void *ctx, const struct hk_case_fact_row *r)
{
	struct pick *p = ctx;
	const struct hk_treatment *t;

	if (r->strategy_ref != p->strategy_ref || r->rule_no < 0)
		return 0;
	t = hk_strategy_treatment(p->st, r->rule_no, r->arm_no);
	if (t && (t->channel == HK_CH_LETTER ||
		  t->channel == HK_CH_LAWYER_LETTER) &&
	    t->template_id[0])
		add_case(p, r->case_ref, t->template_id);
	return 0;
}

struct since_letter {
	const char *code;
	int32_t since;
	bool sent;
};

static int letter_since(void *ctx, const struct hk_letter_rec *l)
{
	struct since_letter *sl = ctx;
	time_t at = (time_t)l->created_at;
	struct tm tm;

	localtime_r(&at, &tm);
	if (!strcmp(l->template_code, sl->code) &&
	    hk_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) >=
		    sl->since)
		sl->sent = true;
	return sl->sent;
}

/* Is the case in the scope (a team leader's team)?  Every case is in an
 * all-seeing scope, even one that does not exist (the run skips it). */
static enum hk_rc in_scope(struct hk_store *s, const struct hk_scope *scope,
			   int64_t case_ref, bool *yes, struct hk_err *err)
{
	struct hk_case_rec c;

	*yes = true;
	if (scope->all)
		return HK_OK;
	return s->ops->case_get(s, case_ref, scope, &c, yes, err);
}

enum hk_rc hk_batch_create(struct hk_store *s, const struct hk_config *cfg,
			   const struct hk_scope *scope, const int64_t *cases,
			   size_t n, const char *code, int64_t user_ref,
			   struct hk_batch_rec *out, enum hk_lang lang,
			   struct hk_err *err)
{
	static struct hk_strategy st; /* large */
	struct pick p = {.s = s, .st = &st, .err = err};
	int32_t as_of;
	enum hk_rc rc;
	size_t kept = 0;

	memset(out, 0, sizeof(*out));
	if ((rc = hk_store_meta_date(s, HK_META_LAST_EOD, &as_of, err)) != HK_OK)
		return rc;
	if (as_of == HK_DATE_NONE)
		return hk_err_set(err, HK_EREFUSED, "%s",
				  HK_TR(lang, "尚未运行日终：信函的金额以日终为准",
					"no day-end yet: a letter's amounts are day-end's"));
	if (cases) {
		for (size_t i = 0; i < n && rc == HK_OK; i++) {
			bool yes;

			if ((rc = in_scope(s, scope, cases[i], &yes, err)) != HK_OK)
				break;
			if (!yes)
				rc = hk_err_set(err, HK_EINVAL,
						HK_TR(lang, "案件 %lld 不存在或不在您的范围内",
						      "case %lld does not exist or is not yours"),
						(long long)cases[i]);
			else
				add_case(&p, cases[i], code);
		}
	} else {
		struct hk_fact_need need = {.debtor_lo = 1, .debtor_hi = 0,
					    .due_lo = 1, .due_hi = 0};

		rc = hk_strategy_in_force(s, &cfg->buckets, &p.strategy_ref, &st,
					  err);
		if (rc == HK_OK && !p.strategy_ref)
			rc = hk_err_set(err, HK_EREFUSED, "%s",
					HK_TR(lang, "没有生效的催收策略",
					      "no strategy is in force"));
		if (rc == HK_OK)
			rc = s->ops->case_facts_scan(s, as_of, false, &need,
						     treated, &p, err);
		/* once per treatment: not if its letter went out since the
		 * case came under it */
		for (size_t i = 0; rc == HK_OK && i < p.n; i++) {
			struct hk_treatment_rec t;
			struct since_letter sl = {.code = p.cases[i].template_code};
			bool found = false;

			if (code && strcmp(code, p.cases[i].template_code))
				continue;
			/* a team leader's batch: the team's cases */
			if ((rc = in_scope(s, scope, p.cases[i].case_ref, &found,
					   err)) != HK_OK || !found)
				continue;
			rc = s->ops->treatment_get(s, p.cases[i].case_ref, &t,
						   &found, err);
			if (rc != HK_OK || !found)
				continue;
			sl.since = t.since;
			rc = s->ops->letters_scan(s, p.cases[i].case_ref, 0,
						  letter_since, &sl, err);
			if (rc == HK_OK && !sl.sent) {
				p.cases[kept] = p.cases[i];
				p.cases[kept].seq = (int64_t)kept + 1;
				kept++;
			}
		}
		p.n = kept;
	}
	if (rc == HK_OK && !p.n)
		rc = hk_err_set(err, HK_EINVAL, "%s",
				HK_TR(lang, "没有需要发函的案件",
				      "no case calls for a letter"));
	if (rc == HK_OK) {
		snprintf(out->source, sizeof(out->source), "%s",
			 cases ? "cases" : "treatments");
		snprintf(out->template_code, sizeof(out->template_code), "%s",
			 code ? code : "");
		out->as_of = as_of;
		out->created_by = user_ref;
		out->created_at = (int64_t)time(NULL);
		if ((rc = s->ops->begin(s, err)) == HK_OK &&
		    (rc = s->ops->batch_insert(s, out, p.cases, p.n, err)) ==
			    HK_OK)
			rc = s->ops->commit(s, err);
		if (rc != HK_OK)
			s->ops->rollback(s);
	}
	free(p.cases);
	return rc;
}

/* ====================================================================
 * Writing
 * ==================================================================== */

/* The SHA-256 (hex) and size of a file; false if it cannot be read. */
static bool file_hash(const char *path, char sha[65], int64_t *size)
{
	crypto_hash_sha256_state hs;
	unsigned char buf[65536], sum[crypto_hash_sha256_BYTES];
	FILE *fp = fopen(path, "rb");
	size_t k;

	*size = 0;
	if (!fp)
		return false;
	crypto_hash_sha256_init(&hs);
	while ((k = fread(buf, 1, sizeof(buf), fp)) > 0) {
		crypto_hash_sha256_update(&hs, buf, k);
		*size += (int64_t)k;
	}
	fclose(fp);
	crypto_hash_sha256_final(&hs, sum);
	sodium_bin2hex(sha, 65, sum, sizeof(sum));
	return true;
}

/* What a worker process tells of one letter (shared memory). */
struct result {
	atomic_int state;             /* 0 pending, 1 written, 2 failed */
	int pages;
	int64_t size;
	char sha256[65];
	char err[160];
};

/* One letter of the run. */
struct job {
	int64_t seq, case_ref;
	struct hk_template_rec *tmpl; /* cached per code */
	char serial[32];
	char *text;                   /* markup; NULL: skipped */
	char skipped[128];
	int64_t total_owed;
	int group;
};

struct run {
	struct hk_store *s;
	const struct hk_config *cfg;
	const char *files_dir;
	char dir[1100];               /* files_dir/batches/<ref> */
	struct hk_batch_rec b;
	struct hk_letter_style st;
	struct job *jobs;
	struct result *res;           /* n of them, shared with the workers */
	size_t n;
	int groups;
	enum hk_lang lang;
};

static int take_pending(void *ctx, const struct hk_batch_case *c)
{
	struct hk_batch_case **v = ctx;
	size_t n = 0;

	if (c->letter_ref || c->skipped[0])
		return 0;
	while (*v && (*v)[n].seq)
		n++;
	*v = hk_realloc(*v, (n + 2) * sizeof(**v));
	(*v)[n] = *c;
	memset(&(*v)[n + 1], 0, sizeof(**v));
	return 0;
}

static void group_dir(const struct run *r, int g, char *out, size_t cap)
{
	snprintf(out, cap, "%s/fonts-%d", r->dir, g);
}

/* Write job j's own file (in the batch folder as <serial>.pdf, linked
 * into files_dir by its SHA-256), drawn also into `part`. */
static void write_own(struct run *r, const struct job *j, struct result *res,
		      struct hk_pdf_fonts *f, struct hk_pdf *part)
{
	char path[1300], keep[1300];
	struct hk_pdf *own = NULL;
	struct hk_err err = {0};
	struct hk_pdf *to[2];
	enum hk_rc rc;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s.pdf", r->dir, j->serial);
	if ((rc = hk_pdf_open(path, &own, r->lang, &err)) == HK_OK) {
		to[0] = own;
		to[1] = part;
		rc = hk_pdf_letter(f, to, 2, &r->st, j->text, strlen(j->text),
				   &res->pages, r->lang, &err);
		if (hk_pdf_close(own, &err) != HK_OK && rc == HK_OK)
			rc = HK_EIO;
	}
	/* the case page finds it by its hash: the same file, linked */
	ok = rc == HK_OK && file_hash(path, res->sha256, &res->size);
	hk_stored_path(r->files_dir, res->sha256, keep, sizeof(keep));
	if (ok && link(path, keep) != 0 && errno != EEXIST) {
		snprintf(err.msg, sizeof(err.msg), "could not link %.300s: %s", keep,
			 strerror(errno));
		ok = false;
	}
	if (!ok)
		snprintf(res->err, sizeof(res->err), "%s: %.120s", j->serial,
			 err.msg[0] ? err.msg : "could not write the file");
	atomic_store(&res->state, ok ? 1 : 2);
}

/* A worker process: letters [from, to) in order, each into its own file
 * and into this part's print file.  Never touches the store. */
static void work_part(struct run *r, size_t from, size_t to, const char *part)
{
	struct hk_pdf_fonts **mine = hk_calloc((size_t)r->groups + 1,
					       sizeof(*mine));
	struct hk_pdf *pdf = NULL;
	struct hk_err err = {0};

	if (hk_pdf_open(part, &pdf, r->lang, &err) != HK_OK) {
		for (size_t i = from; i < to; i++) {
			snprintf(r->res[i].err, sizeof(r->res[i].err), "%.150s",
				 err.msg);
			atomic_store(&r->res[i].state, 2);
		}
		return;
	}
	for (size_t i = from; i < to; i++) {
		const struct job *j = &r->jobs[i];
		int g = j->group;

		if (!j->text)
			continue;
		if (!mine[g]) {
			char dir[1200];

			mine[g] = hk_pdf_fonts_new(&r->st);
			group_dir(r, g, dir, sizeof(dir));
			if (hk_pdf_fonts_load(mine[g], dir, r->lang, &err) != HK_OK) {
				snprintf(r->res[i].err, sizeof(r->res[i].err),
					 "%.150s", err.msg);
				atomic_store(&r->res[i].state, 2);
				continue;
			}
		}
		write_own(r, j, &r->res[i], mine[g], pdf);
	}
	hk_pdf_close(pdf, &err);
	/* the fonts and maps die with the process */
}

/* Join the parts' print files into `out`, in order. */
static enum hk_rc join_parts(char parts[][1300], int n, const char *out,
			     struct hk_err *err)
{
	const char *argv[80];
	int k = 0;

	if (n == 1)
		return rename(parts[0], out) == 0
			       ? HK_OK
			       : hk_err_set(err, HK_EIO, "could not write %s", out);
	argv[k++] = "qpdf";
	argv[k++] = "--empty";
	argv[k++] = "--pages";
	for (int i = 0; i < n; i++)
		argv[k++] = parts[i];
	argv[k++] = "--";
	argv[k++] = out;
	argv[k] = NULL;
	if (qpdfjob_run_from_argv(argv) != 0)
		return hk_err_set(err, HK_EIO, "could not join the print file %s",
				  out);
	for (int i = 0; i < n; i++)
		unlink(parts[i]);
	return HK_OK;
}

/* ---- preparing: templates, texts, serials, fonts --------------------- */

struct tmpl_cache {
	struct hk_template_rec t[32];
	bool found[32];
	int n;
};

static struct hk_template_rec *template_of(struct run *r, struct tmpl_cache *tc,
					   const char *code, struct hk_err *err,
					   enum hk_rc *rc)
{
	for (int i = 0; i < tc->n; i++)
		if (!strcmp(tc->t[i].code, code))
			return tc->found[i] ? &tc->t[i] : NULL;
	if (tc->n == 32) {
		*rc = hk_err_set(err, HK_EINVAL, "too many templates in a batch");
		return NULL;
	}
	*rc = r->s->ops->template_get(r->s, 0, code, "letter", &tc->t[tc->n],
				      &tc->found[tc->n], err);
	if (*rc == HK_OK && !tc->found[tc->n])
		snprintf(tc->t[tc->n].code, sizeof(tc->t[tc->n].code), "%s", code);
	tc->n++;
	return *rc == HK_OK && tc->found[tc->n - 1] ? &tc->t[tc->n - 1] : NULL;
}

static enum hk_rc prepare(struct run *r, struct hk_batch_case *pending,
			  size_t n, struct tmpl_cache *tc, struct hk_err *err)
{
	int32_t today;
	time_t now = time(NULL);
	struct tm tm;
	int y, m, d;
	enum hk_rc rc = HK_OK;

	localtime_r(&now, &tm);
	today = hk_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	r->jobs = hk_calloc(n ? n : 1, sizeof(*r->jobs));
	r->n = n;
	hk_date_to_ymd(today, &y, &m, &d);
	/* First which cases get a letter, their texts rendered without a
	 * serial; then serials for those only, in one transaction; then the
	 * texts again, naming them.  (Serials used to be taken for every
	 * case first: each case skipped - owing nothing, paused - left a
	 * hole in the register, 169 of 269 in a batch of listed cases.) */
	for (size_t i = 0; i < n; i++) {
		struct job *j = &r->jobs[i];
		struct hk_letter_job lj = {.case_ref = pending[i].case_ref,
					   .as_of = r->b.as_of, .today = today,
					   .serial = "HK-0000-000000"}; /* not a gap */
		struct hk_guard_result g = {0};
		struct hk_case_rec c;
		struct hk_scope all = {.all = true};
		bool found = false;

		j->seq = pending[i].seq;
		j->case_ref = pending[i].case_ref;
		j->group = (int)(i / GROUP);
		j->tmpl = template_of(r, tc, pending[i].template_code, err, &rc);
		if (rc != HK_OK)
			return rc;
		if (!j->tmpl) {
			snprintf(j->skipped, sizeof(j->skipped),
				 HK_TR(r->lang, "没有已发布的信函模板 %s",
				       "no published letter template %s"),
				 pending[i].template_code);
			continue;
		}
		if (!strcmp(j->tmpl->audience, "third_party")) {
			snprintf(j->skipped, sizeof(j->skipped), "%s",
				 HK_TR(r->lang, "第三方模板", "a third-party template"));
			continue;
		}
		lj.tmpl = j->tmpl;
		rc = hk_letter_render(r->s, r->cfg, &lj, &j->text, NULL,
				      &j->total_owed, r->lang, err);
		if (rc == HK_ENOTFOUND || rc == HK_EREFUSED) {
			/* gone, or owing nothing overdue: no letter */
			snprintf(j->skipped, sizeof(j->skipped), "%.120s",
				 rc == HK_ENOTFOUND ? HK_TR(r->lang, "案件不存在", "no such case")
						    : err->msg);
			rc = HK_OK;
			continue;
		}
		if (rc != HK_OK)
			return rc;
		/* the guardrails: a paused or disputed case gets no letter, a
		 * time-barred one no letter naming a lawsuit */
		if ((rc = r->s->ops->case_get(r->s, j->case_ref, &all, &c, &found,
					      err)) != HK_OK ||
		    (found &&
		     (rc = hk_guard_check(r->s, r->cfg, r->lang, &c,
					  &(struct hk_contact_plan){
						  .channel = !strcmp(j->tmpl->kind, "lawyer")
								     ? "lawyer_letter"
								     : "letter",
						  .note = j->text,
						  .at = (int64_t)now},
					  &g, err)) != HK_OK))
			return rc;
		if (g.rule)
			snprintf(j->skipped, sizeof(j->skipped), "%s", g.rule);
		free(j->text);
		j->text = NULL;
	}
	if ((rc = r->s->ops->begin(r->s, err)) != HK_OK)
		return rc;
	for (size_t i = 0; i < n && rc == HK_OK; i++)
		if (r->jobs[i].tmpl && !r->jobs[i].skipped[0])
			rc = r->s->ops->letter_serial_next(r->s, y, r->jobs[i].serial,
							   err);
	if (rc == HK_OK)
		rc = r->s->ops->commit(r->s, err);
	if (rc != HK_OK) {
		r->s->ops->rollback(r->s);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		struct job *j = &r->jobs[i];
		struct hk_letter_job lj = {.case_ref = j->case_ref,
					   .as_of = r->b.as_of, .today = today,
					   .serial = j->serial, .tmpl = j->tmpl};

		if (!j->serial[0])
			continue;
		rc = hk_letter_render(r->s, r->cfg, &lj, &j->text, NULL,
				      &j->total_owed, r->lang, err);
		if (rc != HK_OK)
			return rc;
	}
	return HK_OK;
}

/* Cut each group's fonts to its letters' characters. */
static enum hk_rc cut_fonts(struct run *r, struct hk_err *err)
{
	enum hk_rc rc = HK_OK;

	r->groups = r->n ? (int)((r->n - 1) / GROUP) + 1 : 0;
	for (int g = 0; g < r->groups && rc == HK_OK; g++) {
		struct hk_pdf_fonts *f = hk_pdf_fonts_new(&r->st);
		char dir[1200];

		group_dir(r, g, dir, sizeof(dir));
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			hk_pdf_fonts_free(f);
			return hk_err_set(err, HK_EIO, "could not create %s: %s",
					  dir, strerror(errno));
		}
		for (size_t i = (size_t)g * GROUP; i < r->n && i < (size_t)(g + 1) * GROUP; i++)
			if (r->jobs[i].text)
				hk_pdf_fonts_add(f, r->jobs[i].text,
						 strlen(r->jobs[i].text));
		rc = hk_pdf_fonts_build(f, dir, r->lang, err);
		hk_pdf_fonts_free(f);
	}
	return rc;
}

/* ---- the manifest ---------------------------------------------------- */

struct manifest {
	FILE *f;
	struct hk_store *s;
	const char *dir;
};

struct letter_by_ref {
	struct hk_letter_rec l;
	bool found;
};

static int got_letter(void *ctx, const struct hk_letter_rec *l)
{
	struct letter_by_ref *lb = ctx;

	lb->l = *l;
	lb->found = true;
	return 1;
}

static int manifest_line(void *ctx, const struct hk_batch_case *c)
{
	struct manifest *m = ctx;
	struct letter_by_ref lb = {0};
	struct hk_err err = {0};
	char money[HK_MONEY_BUFSZ];

	if (c->letter_ref)
		m->s->ops->letters_scan(m->s, 0, c->letter_ref, got_letter, &lb, &err);
	if (lb.found) {
		hk_money_format(lb.l.total_owed, money);
		fprintf(m->f, "%lld,%lld,%s,%s,%d,%d,%s,%s,%s.pdf,\n",
			(long long)c->seq, (long long)c->case_ref, lb.l.serial,
			lb.l.template_code, lb.l.template_version, lb.l.pages,
			money, lb.l.sha256, lb.l.serial);
	} else {
		/* a reason never holds a comma or a quote: it is ours */
		fprintf(m->f, "%lld,%lld,,%s,,,,,,%s\n", (long long)c->seq,
			(long long)c->case_ref, c->template_code,
			c->skipped[0] ? c->skipped : "pending");
	}
	return 0;
}

static enum hk_rc write_manifest(struct run *r, char sha[65],
				 struct hk_err *err)
{
	char path[1200], tmp[1220];
	struct manifest m = {.s = r->s, .dir = r->dir};
	enum hk_rc rc;
	int64_t size;

	snprintf(path, sizeof(path), "%s/manifest.csv", r->dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!(m.f = fopen(tmp, "w")))
		return hk_err_set(err, HK_EIO, "could not write %s", tmp);
	fputs("seq,case_id,serial,template,version,pages,total_owed,sha256,file,skipped\n",
	      m.f);
	rc = r->s->ops->batch_cases_scan(r->s, r->b.ref, manifest_line, &m, err);
	if (fclose(m.f) != 0 && rc == HK_OK)
		rc = hk_err_set(err, HK_EIO, "could not write %s", tmp);
	if (rc == HK_OK && rename(tmp, path) != 0)
		rc = hk_err_set(err, HK_EIO, "could not write %s", path);
	if (rc == HK_OK && !file_hash(path, sha, &size))
		rc = hk_err_set(err, HK_EIO, "could not read %s", path);
	return rc;
}

/* ---- the run --------------------------------------------------------- */

static int got_batch(void *ctx, const struct hk_batch_rec *b)
{
	*(struct hk_batch_rec *)ctx = *b;
	return 1;
}

/* Record jobs [from, to) that are done, in one transaction; skipped ones
 * with their reason. */
static enum hk_rc record(struct run *r, size_t from, size_t to,
			 struct hk_err *err)
{
	struct hk_store *s = r->s;
	enum hk_rc rc = s->ops->begin(s, err);

	for (size_t i = from; i < to && rc == HK_OK; i++) {
		struct job *j = &r->jobs[i];
		struct result *res = &r->res[i];
		struct hk_letter_rec l = {0};

		if (!j->text) {
			rc = s->ops->batch_case_done(s, r->b.ref, j->seq, 0,
						     j->skipped, err);
			r->b.skipped++;
			continue;
		}
		snprintf(l.serial, sizeof(l.serial), "%s", j->serial);
		l.case_ref = j->case_ref;
		l.template_ref = j->tmpl->ref;
		l.batch_ref = r->b.ref;
		l.as_of = r->b.as_of;
		l.total_owed = j->total_owed;
		l.pages = res->pages;
		snprintf(l.sha256, sizeof(l.sha256), "%s", res->sha256);
		l.size = res->size;
		l.created_by = r->b.created_by;
		l.created_at = (int64_t)time(NULL);
		{
			struct hk_treatment_rec t;
			bool found = false;

			if ((rc = s->ops->treatment_get(s, j->case_ref, &t, &found,
							err)) != HK_OK)
				break;
			if (found) {
				l.strategy_ref = t.strategy_ref;
				l.rule_no = t.rule_no;
				l.arm_no = t.arm_no;
			}
		}
		if ((rc = s->ops->letter_insert(s, &l, err)) == HK_OK)
			rc = s->ops->batch_case_done(s, r->b.ref, j->seq, l.ref,
						     NULL, err);
		r->b.done++;
	}
	if (rc == HK_OK)
		rc = s->ops->batch_update(s, &r->b, err);
	if (rc == HK_OK)
		rc = s->ops->commit(s, err);
	if (rc != HK_OK)
		s->ops->rollback(s);
	return rc;
}

/* Phases timed with HUIKUAN_BATCH_TIMING=1, for profiling. */
static double since(struct timespec *t0)
{
	struct timespec t;
	double d;

	clock_gettime(CLOCK_MONOTONIC, &t);
	d = (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
	*t0 = t;
	return d;
}

static int count_letters(void *ctx, const struct hk_batch_case *c)
{
	int64_t *n = ctx;

	n[0] += c->letter_ref != 0;
	n[1] += c->skipped[0] != 0;
	return 0;
}

/* Wait (up to a second) until this process has one thread.  Building the
 * fonts started pango's detached FcInit thread; a fork while it is still
 * exiting, holding a lock of the allocator or of GLib, leaves the worker
 * waiting on that lock for ever (seen under AddressSanitizer). */
static void wait_single_threaded(void)
{
	for (int tries = 0; tries < 200; tries++) {
		DIR *d = opendir("/proc/self/task");
		struct dirent *e;
		int n = 0;

		if (!d)
			return;
		while ((e = readdir(d)))
			n += e->d_name[0] != '.';
		closedir(d);
		if (n <= 1)
			return;
		usleep(5000);
	}
}

/* Fork `procs` workers over contiguous parts of the letters; wait for
 * them while recording, in order, what they write. */
static enum hk_rc draw_and_record(struct run *r, int procs, const char *print,
				  void (*progress)(void *, int64_t, int64_t),
				  void *pctx, struct hk_err *err)
{
	char parts[64][1300];
	pid_t pid[64];
	int started = 0;
	size_t recorded = 0;
	enum hk_rc rc = HK_OK;
	pid_t parent = getpid();

	if (!r->n)
		return HK_OK; /* nothing to draw: no worker, no part file */
	if (procs > 64)
		procs = 64;
	if ((size_t)procs > r->n)
		procs = r->n ? (int)r->n : 1;
	fflush(NULL); /* a child's exit must not write the parent's buffers */
	wait_single_threaded();
	for (int k = 0; k < procs; k++) {
		size_t from = r->n * (size_t)k / (size_t)procs;
		size_t to = r->n * (size_t)(k + 1) / (size_t)procs;

		snprintf(parts[k], sizeof(parts[k]), "%s.part%d", print, k);
		pid[k] = fork();
		if (pid[k] == 0) {
			/* a worker dies with this process: a killed run leaves
			 * nobody writing */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(1);
			work_part(r, from, to, parts[k]);
			_exit(0);
		}
		if (pid[k] < 0) {
			rc = hk_err_set(err, HK_EIO, "could not start a worker: %s",
					strerror(errno));
			break;
		}
		started++;
	}
	/* record in order as the letters come */
	while (rc == HK_OK && recorded < r->n) {
		size_t upto = recorded;

		while (upto < r->n && (!r->jobs[upto].text ||
				       atomic_load(&r->res[upto].state)))
			upto++;
		for (size_t i = recorded; i < upto; i++)
			if (atomic_load(&r->res[i].state) == 2) {
				rc = hk_err_set(err, HK_EIO, "%s", r->res[i].err);
				break;
			}
		if (rc != HK_OK)
			break;
		if (upto - recorded >= RECORD_EVERY || upto == r->n) {
			rc = record(r, recorded, upto, err);
			recorded = upto;
			if (progress)
				progress(pctx, r->b.done + r->b.skipped, r->b.total);
			continue;
		}
		/* a worker that died leaves its letters pending for ever */
		for (int k = 0; k < started; k++) {
			int st;

			if (pid[k] > 0 && waitpid(pid[k], &st, WNOHANG) == pid[k]) {
				pid[k] = 0;
				if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
					rc = hk_err_set(err, HK_EIO,
							"a letter worker stopped (status %d)",
							st);
			}
		}
		usleep(20000);
	}
	for (int k = 0; k < started; k++) {
		if (pid[k] <= 0)
			continue;
		if (rc != HK_OK)
			kill(pid[k], SIGKILL);
		waitpid(pid[k], NULL, 0);
	}
	if (rc == HK_OK && r->n)
		rc = join_parts(parts, started, print, err);
	for (int k = 0; k < started && rc != HK_OK; k++)
		unlink(parts[k]);
	return rc;
}

static enum hk_rc run_locked(struct hk_store *s, const struct hk_config *cfg,
			     const char *files_dir, int64_t batch_ref, int threads,
			     void (*progress)(void *ctx, int64_t done, int64_t total),
			     void *pctx, enum hk_lang lang, struct hk_err *err);

enum hk_rc hk_batch_run(struct hk_store *s, const struct hk_config *cfg,
			const char *files_dir, int64_t batch_ref, int threads,
			void (*progress)(void *ctx, int64_t done, int64_t total),
			void *pctx, enum hk_lang lang, struct hk_err *err)
{
	char path[1300];
	enum hk_rc rc;
	int fd;

	/* One run of a batch at a time: two (the server's and an operator's
	 * `letters run N`) each wrote every pending letter - every case
	 * twice - into the same part files, and the join failed.  The lock
	 * is the kernel's (flock), so a run killed with -9 releases it; it
	 * lives in the batch's folder, which every server shares. */
	snprintf(path, sizeof(path), "%s/batches", files_dir);
	if ((mkdir(files_dir, 0700) != 0 && errno != EEXIST) ||
	    (mkdir(path, 0700) != 0 && errno != EEXIST))
		return hk_err_set(err, HK_EIO, "could not create %s: %s", path,
				  strerror(errno));
	snprintf(path, sizeof(path), "%s/batches/%lld.lock", files_dir,
		 (long long)batch_ref);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return hk_err_set(err, HK_EIO, "could not open %s: %s", path,
				  strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return hk_err_set(err, HK_EREFUSED,
				  HK_TR(lang, "批次 %lld 正由另一个进程写入",
					"batch %lld is being written by another process"),
				  (long long)batch_ref);
	}
	rc = run_locked(s, cfg, files_dir, batch_ref, threads, progress, pctx,
			lang, err);
	close(fd);
	return rc;
}

static enum hk_rc run_locked(struct hk_store *s, const struct hk_config *cfg,
			     const char *files_dir, int64_t batch_ref, int threads,
			     void (*progress)(void *ctx, int64_t done, int64_t total),
			     void *pctx, enum hk_lang lang, struct hk_err *err)
{
	static struct tmpl_cache tc;
	struct run r = {.s = s, .cfg = cfg, .files_dir = files_dir,
			.lang = lang};
	struct hk_batch_case *pending = NULL;
	int run_no = 1;
	char path[1300], print_name[64];
	size_t npending = 0;
	int64_t counts[2] = {0, 0};
	struct timespec t0;
	bool timing;
	enum hk_rc rc;

	memset(&tc, 0, sizeof(tc));
	memset(&r.b, 0, sizeof(r.b));
	if ((rc = s->ops->batches_scan(s, batch_ref, got_batch, &r.b, err)) !=
	    HK_OK)
		return rc;
	if (!r.b.ref)
		return hk_err_set(err, HK_ENOTFOUND,
				  HK_TR(lang, "没有批次 %lld", "no batch %lld"),
				  (long long)batch_ref);
	if ((rc = s->ops->batch_cases_scan(s, batch_ref, take_pending, &pending,
					   err)) != HK_OK) {
		free(pending);
		return rc;
	}
	while (pending && pending[npending].seq)
		npending++;
	/* a done batch with nothing pending: a rerun changes nothing (it
	 * used to restamp finished_at and leave an empty part file) */
	if (!npending && !strcmp(r.b.status, "done")) {
		free(pending);
		return HK_OK;
	}
	/* the letters of earlier runs stay; this run's print file is its own */
	if ((rc = s->ops->batch_cases_scan(s, batch_ref, count_letters, counts,
					   err)) != HK_OK) {
		free(pending);
		return rc;
	}
	r.b.done = counts[0];
	r.b.skipped = counts[1];
	if (counts[0] || counts[1])
		run_no = 2;
	hk_letter_style_default(&r.st);
	snprintf(r.st.org, sizeof(r.st.org), "%s", cfg->letters.org);
	snprintf(r.st.org_line, sizeof(r.st.org_line), "%s", cfg->letters.org_line);
	snprintf(r.dir, sizeof(r.dir), "%s/batches", files_dir);
	if ((mkdir(files_dir, 0700) != 0 && errno != EEXIST) ||
	    (mkdir(r.dir, 0700) != 0 && errno != EEXIST)) {
		free(pending);
		return hk_err_set(err, HK_EIO, "could not create %s: %s", r.dir,
				  strerror(errno));
	}
	snprintf(r.dir, sizeof(r.dir), "%s/batches/%lld", files_dir,
		 (long long)batch_ref);
	if (mkdir(r.dir, 0700) != 0 && errno != EEXIST) {
		free(pending);
		return hk_err_set(err, HK_EIO, "could not create %s: %s", r.dir,
				  strerror(errno));
	}
	snprintf(r.b.status, sizeof(r.b.status), "running");
	r.b.error[0] = '\0';
	if ((rc = s->ops->begin(s, err)) == HK_OK &&
	    (rc = s->ops->batch_update(s, &r.b, err)) == HK_OK)
		rc = s->ops->commit(s, err);
	if (rc != HK_OK) {
		s->ops->rollback(s);
		free(pending);
		return rc;
	}
	timing = getenv("HUIKUAN_BATCH_TIMING") != NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = prepare(&r, pending, npending, &tc, err);
	free(pending);
	if (timing)
		fprintf(stderr, "prepare %.3f s\n", since(&t0));
	if (rc == HK_OK)
		rc = cut_fonts(&r, err);
	if (timing)
		fprintf(stderr, "fonts %.3f s\n", since(&t0));
	/* this run's print file: print.pdf, or print-<n>.pdf after a crash */
	for (; rc == HK_OK; run_no++) {
		snprintf(print_name, sizeof(print_name),
			 run_no == 1 ? "print.pdf" : "print-%d.pdf", run_no);
		snprintf(path, sizeof(path), "%s/%s", r.dir, print_name);
		if (access(path, F_OK) != 0)
			break;
	}
	if (rc == HK_OK) {
		size_t bytes = (r.n ? r.n : 1) * sizeof(*r.res);
		void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		if (m == MAP_FAILED) {
			rc = hk_err_set(err, HK_EIO, "could not share memory: %s",
					strerror(errno));
		} else {
			r.res = m;
			if (threads <= 0)
				threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
			rc = draw_and_record(&r, threads, path, progress, pctx, err);
			munmap(m, bytes);
			r.res = NULL;
		}
	}
	if (timing)
		fprintf(stderr, "draw %.3f s\n", since(&t0));
	if (rc == HK_OK && r.n) {
		char msha[65];
		int64_t msize;

		/* the print file's hash: in the batch record */
		if (file_hash(path, msha, &msize))
			snprintf(r.b.merged_sha256, sizeof(r.b.merged_sha256),
				 "%s", msha);
	}
	if (rc == HK_OK)
		rc = write_manifest(&r, r.b.manifest_sha256, err);
	if (timing)
		fprintf(stderr, "manifest %.3f s\n", since(&t0));
	snprintf(r.b.status, sizeof(r.b.status), "%s", rc == HK_OK ? "done" : "failed");
	if (rc != HK_OK)
		snprintf(r.b.error, sizeof(r.b.error), "%.250s", err->msg);
	r.b.finished_at = (int64_t)time(NULL);
	{
		struct hk_err e2 = {0};

		if (s->ops->begin(s, &e2) != HK_OK ||
		    s->ops->batch_update(s, &r.b, &e2) != HK_OK ||
		    s->ops->commit(s, &e2) != HK_OK)
			s->ops->rollback(s);
	}
	for (size_t i = 0; i < r.n; i++)
		free(r.jobs[i].text);
	free(r.jobs);
	for (int i = 0; i < tc.n; i++)
		hk_template_rec_clear(&tc.t[i]);
	return rc;
}
