// SPDX-License-Identifier: GPL-2.0
/*
 * `wsbench summary DIR`: one table a reviewer can read in a minute, every
 * cell from the same run, and each cell what its header says:
 *
 *   exact@4K     worst precision/recall over the deterministic patterns a
 *                backend can see (anon, shmem; TLB flushed, and as-is for
 *                mechanisms whose arm flushes the TLB); idle's TLB hazard
 *                has its own line below
 *   read-blind   read-only-hot pages the backend called cold (reviewer
 *                question 3: write-only trackers are blind to reads)
 *   THP          the granularity it reported at on anon-thp
 *   write fault  p50 of write faults that took exactly one page fault;
 *                "-" for a mechanism that never faults (idle)
 *   protect      arm cost per page, largest region, no helper threads
 *                (the case of both is named under the table)
 *   interval     per-interval tracking cost (reviewer question 1):
 *                collect + re-arm + the hot pages' faults, minus the same
 *                touches untracked, measured together in one repetition
 *                (scan-throughput) at the stated size and hot fraction,
 *                for the lossless re-arm and the lossy one where both exist
 *   set-mode     async -> sync switch
 *
 * followed by the re-arm loss checks, idle's recall under each TLB
 * condition, the baselines (marked where the timer's own overhead is not
 * negligible) and the spread between repetitions.  The JSON has all cases.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <sys/stat.h>

#include "envdiff.h"
#include "parse.h"
#include "readers.h"
#include "rundir.h"
#include "summary.h"

enum { F_CORR, F_FAULT, F_PROT, F_SCAN, F_SETM, F_VMM, F_NR };

static const char *const bench_files[F_NR] = {
	"correctness", "fault-latency", "protect-cost", "scan-throughput",
	"set-mode", "vmm-cycle",
};

struct run {
	const char *dir;
	json_t *f[F_NR];
	size_t st_size;		/* the interval cell's region size */
	double st_hot;		/* ... and hot percentage */
};

/* ---- JSON access ---- */

static double num(json_t *o, const char *key, double dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : dflt;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static bool is(json_t *c, const char *key, const char *val)
{
	return !strcmp(str(c, key), val);
}

typedef size_t (*json_pred_size_fn)(json_t *c);

static json_t *results(const struct run *r, int f)
{
	return json_object_get(r->f[f], "results");
}

static json_t *metric(json_t *c, const char *name)
{
	return json_object_get(json_object_get(c, "metrics"), name);
}

static double median(json_t *c, const char *name)
{
	return num(json_object_get(metric(c, name), "summary"), "median", NAN);
}

static double rep_cv(json_t *c, const char *name)
{
	json_t *s = json_object_get(metric(c, name), "summary");

	return num(json_object_get(s, "reps"), "cv", NAN);
}

static const struct ws_backend_traits *const *backends(void)
{
	return ws_readers.backends();
}

static const struct ws_backend_traits *ops_of(json_t *c)
{
	const char *name = str(c, "backend");

	for (size_t t = 0; name && backends()[t]; t++)
		if (!strcmp(backends()[t]->name, name))
			return backends()[t];
	return NULL;
}

/* ---- picking cases ---- */

typedef bool (*case_pred)(json_t *c, const void *arg);

/* The case of @backend satisfying @pred with the largest region. */
static json_t *pick(const struct run *r, int f, const char *backend,
		    case_pred pred, const void *arg)
{
	json_t *c, *best = NULL;
	double best_size = -1;
	size_t i;

	json_array_foreach(results(r, f), i, c) {
		double sz = num(json_object_get(c, "params"), "size_bytes", 0);

		if (!is(c, "backend", backend) || !pred(c, arg))
			continue;
		if (sz > best_size) {
			best = c;
			best_size = sz;
		}
	}
	return best;
}

/*
 * The table's point: anon, async mode (no mode for idle, soft-dirty and
 * DAMON); a backend without anon or without async has its own
 * (ws_backend_traits), named under the table by point_lines().
 */
static bool anon_async(json_t *c, const void *arg)
{
	const struct ws_backend_traits *o = ops_of(c);

	(void)arg;
	return is(c, "backing", o ? o->table_backing : "anon") &&
	       (is(c, "mode", "async") || is(c, "mode", "none") ||
		(o && o->sync_only && is(c, "mode", "sync")));
}

static bool anon_async_no_threads(json_t *c, const void *arg)
{
	return anon_async(c, arg) &&
	       num(json_object_get(c, "params"), "threads", 0) == 0;
}

struct interval_key {
	size_t size;
	double hot;
	bool cold_safe;
};

/*
 * A re-arm policy that loses no access to a page cold at the scan:
 * rearm_misses "nothing" or "hot-pages" (results before rearm_misses:
 * rearm_lossless, which meant that).
 */
static bool cold_safe(json_t *o)
{
	const char *m = str(o, "rearm_misses");

	if (*m)
		return strcmp(m, "any-page") != 0;
	return json_is_true(json_object_get(o, "rearm_lossless"));
}

/* What a re-arm policy can miss, in the words of rearm_misses. */
static const char *misses(json_t *o)
{
	const char *m = str(o, "rearm_misses");

	if (*m)
		return m;
	return json_is_true(json_object_get(o, "rearm_lossless")) ?
	       "lossless" : "lossy";
}

static bool interval_case(json_t *c, const void *arg)
{
	const struct interval_key *k = arg;
	json_t *p = json_object_get(c, "params");

	return anon_async(c, NULL) && is(p, "layout", "scattered") &&
	       num(p, "size_bytes", 0) == (double)k->size &&
	       num(p, "hot_pct", -1) == k->hot && cold_safe(p) == k->cold_safe;
}

/*
 * The interval cell's point: the largest region run at the hot
 * percentage closest to 20 % (a VMM's typical working set), scattered.
 */
static void interval_point(struct run *r)
{
	json_t *c;
	size_t i;

	r->st_size = 0;
	r->st_hot = -1;
	json_array_foreach(results(r, F_SCAN), i, c) {
		json_t *p = json_object_get(c, "params");
		double hot = num(p, "hot_pct", -1);
		size_t sz = (size_t)num(p, "size_bytes", 0);

		if (!is(p, "layout", "scattered") || hot <= 0)
			continue;
		if (sz > r->st_size ||
		    (sz == r->st_size &&
		     fabs(hot - 20) < fabs(r->st_hot - 20))) {
			r->st_size = sz;
			r->st_hot = hot;
		}
	}
}

/* ---- accuracy cells ---- */

struct acc {
	double prec, rec;
	int n;
};

static void acc_add(struct acc *a, json_t *c)
{
	json_t *x = json_object_get(c, "accuracy");

	a->prec = fmin(a->prec, num(x, "precision", 0));
	a->rec = fmin(a->rec, num(x, "recall", 0));
	a->n++;
}

/* A deterministic-pattern case that says what "exact@4K" promises. */
static bool exact_case(json_t *c)
{
	const struct ws_backend_traits *o = ops_of(c);
	json_t *lossless = json_object_get(c, "rearm_lossless");

	if (!json_is_true(json_object_get(c, "expected_visible")) ||
	    !json_object_get(c, "accuracy") ||
	    !(is(c, "backing", "anon") || is(c, "backing", "shmem")) ||
	    is(c, "pattern", "concurrent") || json_is_false(lossless))
		return false;
	if (o && o->arm_leaves_tlb)
		return is(c, "tlb", "flushed");
	if (o && o->flush_disturbs_arm)
		return !is(c, "tlb", "flushed");
	return true;
}

int ws_summary_exact(json_t *results, const char *backend, double *prec,
		     double *rec)
{
	struct acc a = { 1, 1, 0 };
	json_t *c;
	size_t i;

	json_array_foreach(results, i, c)
		if (is(c, "backend", backend) && exact_case(c))
			acc_add(&a, c);
	*prec = a.prec;
	*rec = a.rec;
	return a.n;
}

json_t *ws_summary_exact_all(json_t *results)
{
	json_t *all = json_array(), *seen = json_object(), *c;
	size_t i;

	json_array_foreach(results, i, c) {
		const char *be = json_string_value(json_object_get(c, "backend"));
		double p, r;
		int n;

		if (!be || json_object_get(seen, be))
			continue;
		json_object_set_new(seen, be, json_true());
		n = ws_summary_exact(results, be, &p, &r);
		json_array_append_new(all, n ?
			json_pack("{s:s, s:i, s:f, s:f}", "backend", be,
				  "cases", n, "precision", p, "recall", r) :
			json_pack("{s:s, s:i}", "backend", be, "cases", 0));
	}
	json_decref(seen);
	return all;
}

static void accuracy_cells(const struct run *r, const char *backend,
			   struct acc *exact, struct acc *blind,
			   const char **gran)
{
	json_t *c;
	size_t i;

	*exact = (struct acc){ 1, 1, 0 };
	*blind = (struct acc){ 1, 1, 0 };
	*gran = "-";
	json_array_foreach(results(r, F_CORR), i, c) {
		const char *at;

		if (!is(c, "backend", backend))
			continue;
		if (exact_case(c))
			acc_add(exact, c);
		if (is(c, "access", "read") && is(c, "tlb", "flushed") &&
		    (is(c, "backing", "anon") || is(c, "backing", "shmem")) &&
		    !is(c, "pattern", "none-read"))
			acc_add(blind, c);
		at = str(json_object_get(c, "granularity"), "tracked_at");
		if (!strcmp(at, "2M") || (!strcmp(at, "4K") &&
					  strcmp(*gran, "2M")))
			*gran = at;
	}
}

/* ---- the table ---- */

/* Three significant digits, never an exponent. */
static void cell(char *buf, size_t len, double v, double scale)
{
	double x = v * scale;

	if (isnan(v))
		snprintf(buf, len, "-");
	else if (fabs(x) >= 100)
		snprintf(buf, len, "%.0f", x);
	else if (fabs(x) >= 10)
		snprintf(buf, len, "%.1f", x);
	else
		snprintf(buf, len, "%.2f", x);
}

/*
 * A sampling mechanism's collect waits for its kernel thread's window:
 * its wall time is not a cost.  Its interval cost is CPU, ours in the
 * collect plus the kernel thread's over the interval, marked with '*'.
 */
static void interval_cell(const struct run *r, const struct ws_backend_traits *o,
			  bool cold_safe, char *buf, size_t len)
{
	struct interval_key k = { r->st_size, r->st_hot, cold_safe };
	json_t *c = pick(r, F_SCAN, o->name, interval_case, &k);

	if (!o->sampling) {
		cell(buf, len, c ? median(c, "interval_ns") : NAN, 1e-3);
		return;
	}
	cell(buf, len, c ? median(c, "collect_cpu_ns") +
	     median(c, "mech_cpu_ns") : NAN, 1e-3);
	if (strcmp(buf, "-"))
		strncat(buf, "*", len - strlen(buf) - 1);
}

static void header(FILE *out, const struct run *r)
{
	char sz[32];

	fprintf(out, "%-10s %-11s %6s %4s %9s %9s %10s %10s %9s\n", "", "exact@4K",
		"read-", "THP", "wr-fault", "protect", "interval", "interval",
		"set-mode");
	fprintf(out, "%-10s %-11s %6s %4s %9s %9s %10s %10s %9s\n",
		"backend", "prec/recall", "blind", "at", "p50 (us)", "(ns/page)",
		"cold-safe", "lossy", "(us)");
	if (r->st_size)
		fprintf(out, "%-46s (interval: us, %s region, %g%% hot, scattered)\n",
			"", ws_fmt_size(r->st_size, sz, sizeof(sz)), r->st_hot);
}

static bool row(FILE *out, const struct run *r,
		const struct ws_backend_traits *o)
{
	char a[24] = "-", b[12] = "-", f[16], p[16], il[16], iy[16], s[16];
	struct acc exact, blind;
	const char *gran;
	json_t *fc, *pc, *sc;

	accuracy_cells(r, o->name, &exact, &blind, &gran);
	/* '~': a sampling mechanism, inexact by design (measured, not a bug). */
	if (exact.n)
		snprintf(a, sizeof(a), "%s%.3f/%.3f", o->sampling ? "~" : "",
			 exact.prec, exact.rec);
	if (blind.n)
		snprintf(b, sizeof(b), "%.0f%%", 100 * (1 - blind.rec));
	fc = pick(r, F_FAULT, o->name, anon_async, NULL);
	pc = pick(r, F_PROT, o->name, anon_async_no_threads, NULL);
	sc = pick(r, F_SETM, o->name, anon_async_no_threads, NULL);
	cell(f, sizeof(f), fc ? median(fc, "fault_write_ns") : NAN, 1e-3);
	cell(p, sizeof(p), pc ? median(pc, "ns_per_page") : NAN, 1);
	interval_cell(r, o, true, il, sizeof(il));
	interval_cell(r, o, false, iy, sizeof(iy));
	cell(s, sizeof(s), sc ? median(sc, "to_sync_ns") : NAN, 1e-3);
	if (!exact.n && !fc && !pc && !sc && !strcmp(il, "-"))
		return false;
	fprintf(out, "%-10s %-11s %6s %4s %9s %9s %10s %10s %9s\n", o->name,
		a, b, gran, !o->faults_on && fc ? "never" : f, p, il, iy, s);
	return true;
}

/* Was @backend asked for (params.backends of any file of the run)? */
static bool requested(const struct run *r, const char *backend)
{
	json_t *b;
	size_t i;

	for (int f = 0; f < F_NR; f++)
		json_array_foreach(json_object_get(json_object_get(r->f[f],
					"params"), "backends"), i, b)
			if (!strcmp(json_string_value(b) ?: "", backend))
				return true;
	return false;
}

/*
 * The case behind the protect and write-fault cells: the largest region
 * each backend ran, which may differ between backends.
 */
static const char *amount(size_t n, bool pages, char *buf, size_t len)
{
	if (pages)
		snprintf(buf, len, "%zu", n);
	else
		ws_fmt_size(n, buf, len);
	return buf;
}

static void case_line(FILE *out, const struct run *r, int f,
		      const char *what, json_pred_size_fn size_of)
{
	bool pages = f == F_FAULT;
	char buf[512] = "", sz[32];
	size_t first = 0;
	bool same = true;

	for (size_t t = 0; backends()[t]; t++) {
		json_t *c = pick(r, f, backends()[t]->name,
				 f == F_PROT ? anon_async_no_threads : anon_async,
				 NULL);
		size_t n;

		if (!c)
			continue;
		n = size_of(c);
		if (!first)
			first = n;
		same &= n == first;
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s %s",
			 buf[0] ? ", " : "", backends()[t]->name,
			 amount(n, pages, sz, sizeof(sz)));
	}
	if (!first)
		return;
	if (same)
		fprintf(out, "(%s: %s)\n", what, amount(first, pages, sz, sizeof(sz)));
	else
		fprintf(out, "(%s: %s)\n", what, buf);
}

static size_t region_of(json_t *c)
{
	return (size_t)num(json_object_get(c, "params"), "size_bytes", 0);
}

static size_t fault_pages_of(json_t *c)
{
	json_t *p = json_object_get(c, "params");

	return (size_t)num(p, "npages", 0);
}

static void case_lines(FILE *out, const struct run *r)
{
	case_line(out, r, F_FAULT,
		  "wr-fault: the write fault on an armed page, anon, async mode; pages written per repetition",
		  fault_pages_of);
	case_line(out, r, F_PROT,
		  "protect: arming an anon region, async mode, no helper threads; region",
		  region_of);
}

/* ---- the lines under the table ---- */

/* @backend has cases in benchmark file @f of this run. */
static bool ran_in(const struct run *r, int f, const char *backend)
{
	json_t *c;
	size_t i;

	json_array_foreach(results(r, f), i, c)
		if (is(c, "backend", backend))
			return true;
	return false;
}

/* @backend has correctness cases in this run. */
static bool row_ran(const struct run *r, const char *backend)
{
	return ran_in(r, F_CORR, backend);
}

static bool any_sampling(const struct run *r)
{
	for (size_t t = 0; backends()[t]; t++)
		if (backends()[t]->sampling &&
		    pick(r, F_CORR, backends()[t]->name, anon_async, NULL))
			return true;
	return false;
}

/*
 * "lost" only where nothing may be missed: a lossless re-arm on a
 * mechanism whose arm flushes the TLB.  What a lossy policy misses is by
 * its design, and what a mechanism whose arm leaves TLB entries does not
 * see was never lost by the re-arm.
 */
static const char *loss_word(json_t *c)
{
	if (ops_of(c) && ops_of(c)->arm_leaves_tlb)
		return "unseen";
	return strcmp(misses(c), "nothing") && strcmp(misses(c), "lossless") ?
	       "missed" : "lost";
}

static const char *loss_why(json_t *c)
{
	if (ops_of(c) && ops_of(c)->arm_leaves_tlb)
		return "  (arm leaves TLB entries: accesses through them are not seen)";
	if (strcmp(loss_word(c), "lost"))
		return "  (by design of this re-arm)";
	return "";
}

/* Re-arm losslessness: rearm-race verdicts and concurrent losses. */
static void loss_lines(FILE *out, const struct run *r)
{
	json_t *c;
	size_t i;
	bool any = false;

	json_array_foreach(results(r, F_CORR), i, c) {
		if (!is(c, "pattern", "concurrent") || !is(c, "backing", "anon"))
			continue;
		if (!any)
			fprintf(out, "re-arm under concurrent writer+reader (anon, %d intervals): accesses never reported (lost: by a policy that misses nothing)\n",
				(int)num(json_object_get(c, "params"),
					 "intervals", 0));
		any = true;
		fprintf(out, "  %-10s %-5s %-13s %-9s %8.0f %s of %.0f%s\n",
			str(c, "backend"), str(c, "mode"), str(c, "rearm"),
			misses(c), num(c, "lost", 0), loss_word(c),
			num(json_object_get(c, "accuracy"), "truth", 0),
			loss_why(c));
	}
}

/*
 * rearm-race: a write between the scan and the re-arm to a page cold at
 * the scan and to one the scan reported hot; which the next collect saw.
 */
static void race_lines(FILE *out, const struct run *r)
{
	json_t *c;
	size_t i;
	bool any = false;

	json_array_foreach(results(r, F_CORR), i, c) {
		json_t *hot = json_object_get(c, "race_hot_page_reported");

		if (!is(c, "pattern", "rearm-race") || !is(c, "backing", "anon") ||
		    !hot)
			continue;
		if (!any)
			fprintf(out, "re-arm race (anon; a write between scan and re-arm, reported next interval?):\n");
		any = true;
		fprintf(out, "  %-10s %-5s %-13s misses %-9s  cold page: %-3s  hot page: %s\n",
			str(c, "backend"), str(c, "mode"), str(c, "rearm"),
			misses(c),
			json_is_true(json_object_get(c, "race_page_reported")) ?
			"yes" : "NO", json_is_true(hot) ? "yes" : "NO");
	}
}

/* Idle's recall per TLB condition: the hazard from worst case to none. */
static void tlb_lines(FILE *out, const struct run *r)
{
	static const char *const conds[] = { "as-is", "turnover", "flushed" };
	static const char *const what[] = {
		"TLB-resident worst case", "TLB turned over", "TLB flushed",
	};
	bool printed = false;

	for (size_t t = 0; backends()[t]; t++) {
		const struct ws_backend_traits *o = backends()[t];
		bool first = true;

		if (!o->arm_leaves_tlb)
			continue;
		for (size_t k = 0; k < 3; k++) {
			struct acc a = { 1, 1, 0 };
			json_t *c;
			size_t i;

			/*
			 * The deterministic patterns only: what a re-arm
			 * policy misses (rearm-race, concurrent) has its own
			 * lines, and is not the TLB's doing.
			 */
			json_array_foreach(results(r, F_CORR), i, c)
				if (is(c, "backend", o->name) &&
				    is(c, "tlb", conds[k]) &&
				    !is(c, "pattern", "rearm-race") &&
				    !is(c, "pattern", "concurrent") &&
				    json_is_true(json_object_get(c, "expected_visible")) &&
				    (is(c, "backing", "anon") ||
				     is(c, "backing", "shmem")))
					acc_add(&a, c);
			if (!a.n)
				continue;
			fprintf(out, "%s%s %s %.3f", first ? "" : ",",
				first ? o->name : "", first ?
				"recall (arm does not flush the TLB):" : "",
				a.rec);
			fprintf(out, " %s", what[k]);
			first = false;
		}
		if (!first)
			fprintf(out, "\n");
		printed |= !first;
	}
	if (printed && is(r->f[F_CORR], "accel", "tcg"))
		fprintf(out, "(TCG: reading other memory does not turn QEMU's soft TLB over as it does a hardware TLB)\n");
}

static void baseline_line(FILE *out, const struct run *r, int f,
			  const char *who, const char *name,
			  const char *label, double scale, const char *unit)
{
	json_t *c = pick(r, f, who, anon_async_no_threads, NULL);
	json_t *timer = json_object_get(json_object_get(r->f[f], "timer"),
					"overhead_ns");
	double v = c ? median(c, name) : NAN, ratio;
	char buf[16];

	if (isnan(v))
		return;
	cell(buf, sizeof(buf), v, scale);
	fprintf(out, "  baseline %-26s %s %s", label, buf, unit);
	/* A timestamp pair costs this much too: over 5 %, it shows. */
	ratio = num(timer, "median", NAN) / v;
	if (ratio > 0.05)
		fprintf(out, "  (timer overhead is %.0f%% of it: an upper bound)",
			100 * ratio);
	fprintf(out, "\n");
}

/* What the wr-fault CIs are over: the unit the loader recorded. */
static const char *ci_unit_of(json_t *c, const char *name)
{
	json_t *s = json_object_get(metric(c, name), "summary");

	return str(s, "ci_unit");
}

static void spread_line(FILE *out, const struct run *r)
{
	const char *unit = NULL;
	char buf[512] = "";

	for (size_t t = 0; backends()[t]; t++) {
		const char *b = backends()[t]->name;
		json_t *fc = pick(r, F_FAULT, b, anon_async, NULL);
		double cv = fc ? rep_cv(fc, "fault_write_ns") : NAN;

		if (isnan(cv))
			continue;
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			 " %s %.0f%%", b, 100 * cv);
		unit = unit ? unit : ci_unit_of(fc, "fault_write_ns");
	}
	if (!buf[0])
		return;
	if (unit && !strcmp(unit, "invocation"))
		fprintf(out, "between-repetition CV of the wr-fault p50:%s (CIs are over invocations)\n",
			buf);
	else
		fprintf(out, "between-repetition CV of the wr-fault p50:%s (CIs over %ss of 1 invocation; RUNS=6: over invocations)\n",
			buf, unit ? unit : "repetition");
}

/*
 * The macro table: per vmm-cycle case, the cold-set F1 of the interval's
 * decisions (pages resident when the cold set was picked) against ground
 * truth, the pages called cold among them that were in use, refaults/s,
 * the manager's CPU per interval, the freeze window (the vCPUs' stall)
 * and the share of the run spent frozen, the slowdown against the
 * untracked run of the same pattern (wall clock, stalls included), and
 * pages whose content was lost.
 */
static void macro_table(FILE *out, const struct run *r)
{
	json_t *c, *first = json_array_get(results(r, F_VMM), 0);
	json_t *p = json_object_get(first, "params");
	char cells[7][16];
	size_t i;

	if (!first)
		return;
	fprintf(out, "\nvmm-cycle: %s guest memory, %d vCPUs, %d x %g ms intervals, cold after %d\n",
		ws_fmt_size((size_t)num(p, "size_bytes", 0), cells[0],
			    sizeof(cells[0])),
		(int)num(p, "vcpus", 0), (int)num(p, "intervals", 0),
		num(p, "interval_ms", 0), (int)num(p, "cold_after", 0));
	fprintf(out, "%-10s %-14s %-6s %7s %6s %9s %8s %8s %6s %8s %5s\n",
		"backend", "pattern", "freeze", "cold F1", "false-", "refaults",
		"CPU/int", "stall", "frozen", "slowdown", "pages");
	fprintf(out, "%-10s %-14s %-6s %7s %6s %9s %8s %8s %6s %8s %5s\n",
		"", "", "", "decided", "cold %", "/s", "(ms)", "p50(ms)", "%",
		"%", "lost");
	json_array_foreach(results(r, F_VMM), i, c) {
		json_t *s = json_object_get(c, "summary");
		char detection_only[48];

		/* Eviction runs on shmem; the other backings only detect. */
		snprintf(detection_only, sizeof(detection_only),
			 "  (%s: detection only)", str(c, "backing"));
		cell(cells[0], 16, num(s, "f1_cold_decisions", NAN), 1);
		cell(cells[1], 16, num(s, "false_cold_decisions_pct", NAN), 1);
		cell(cells[2], 16, num(s, "refaults_per_s", NAN), 1);
		cell(cells[3], 16, num(s, "cpu_per_interval_ns", NAN), 1e-6);
		cell(cells[4], 16, median(c, "window_ns"), 1e-6);
		cell(cells[5], 16, num(s, "frozen_pct", NAN), 1);
		cell(cells[6], 16, num(s, "slowdown_pct", NAN), 1);
		fprintf(out, "%-10s %-14.14s %-6s %7s %6s %9s %8s %8s %6s %8s %5.0f%s\n",
			str(c, "backend"), str(c, "pattern"), str(c, "freeze"),
			cells[0], cells[1], cells[2], cells[3], cells[4],
			cells[5], cells[6], num(s, "pages_lost", NAN),
			is(c, "protocol", "unsafe") ? "  (unsafe protocol)" :
			json_object_get(c, "eviction") ? detection_only : "");
	}
	fprintf(out, "(cold F1, false-cold %%: each interval's decisions, over the pages resident\n"
		     " when the cold set was picked; rates, slowdown: wall clock, stalls included)\n");
}

static void skipped_lines(FILE *out, const struct run *r, json_t *any)
{
	json_t *s, *seen = json_object();
	size_t i;

	json_array_foreach(json_object_get(r->f[F_CORR] ? r->f[F_CORR] : any,
					   "skipped"), i, s) {
		/* Whole-backend skips only; the JSON has the rest. */
		if (json_string_value(json_object_get(s, "backing")) ||
		    json_string_value(json_object_get(s, "mode")) ||
		    json_object_get(seen, str(s, "backend")))
			continue;
		if (!json_object_size(seen))
			fprintf(out, "skipped:\n");
		json_object_set_new(seen, str(s, "backend"), json_true());
		fprintf(out, "  %-10s %s\n", str(s, "backend"), str(s, "reason"));
	}
	json_decref(seen);
}

static void title(FILE *out, const struct run *r, json_t *any)
{
	json_t *env = json_object_get(any, "environment");
	json_t *tun = json_object_get(json_object_get(env, "cpu"), "tuning");
	const char *accel = str(any, "accel");

	if (!strcmp(accel, "tcg"))
		fprintf(out, "WARNING: accel=tcg: these ran under QEMU emulation; timings are NOT meaningful, only correctness is.\n");
	fprintf(out, "wsbench %s  kernel %s  accel %s  cpus %d  tuned %s\n",
		r->dir, str(json_object_get(env, "kernel"), "release"), accel,
		(int)num(json_object_get(env, "cpu"), "online", 0),
		json_is_true(json_object_get(tun, "requested")) ? "yes" : "no");
}

/* Has @backend a case in any benchmark of the run? */
static bool ran_in_run(const struct run *r, const char *backend)
{
	for (int f = 0; f < F_NR; f++)
		if (ran_in(r, f, backend))
			return true;
	return false;
}

/* Rows whose cells are not anon, async (anon_async()): where and why. */
static void point_lines(FILE *out, const struct run *r)
{
	for (size_t t = 0; backends()[t]; t++) {
		const struct ws_backend_traits *o = backends()[t];

		if (!strcmp(o->table_backing, "anon") && !o->sync_only)
			continue;
		if (!ran_in_run(r, o->name))
			continue;
		fprintf(out, "(%s: its cells are %s, %s mode%s%s%s)\n", o->name,
			o->table_backing, o->sync_only ? "sync" : "async",
			o->table_why ? ": " : "", o->table_why ? o->table_why : "",
			o->sync_only ? "; sync is its only mode" : "");
	}
}

/* The per-backend table and the lines under it. */
static void tables(FILE *out, struct run *r)
{
	header(out, r);
	for (size_t t = 0; backends()[t]; t++)
		if (!row(out, r, backends()[t]))
			fprintf(out, "%-10s %s\n", backends()[t]->name,
				ran_in_run(r, backends()[t]->name) ?
				"ran: no case behind these columns (its sections below)" :
				requested(r, backends()[t]->name) ?
				"skipped (reason below)" :
				"not run (not requested)");
	point_lines(out, r);
	case_lines(out, r);
	if (any_sampling(r))
		fprintf(out, "(~ sampling mechanism: its accuracy is the measurement; * interval = CPU, ours in collect + its kernel thread's, not wall time)\n");
	for (size_t t = 0; backends()[t]; t++)
		if (backends()[t]->flush_disturbs_arm &&
		    row_ran(r, backends()[t]->name))
			fprintf(out, "(%s exact@4K: TLB as-is and turned over only; flushing with mprotect() is not neutral: %s)\n",
				backends()[t]->name,
				backends()[t]->flush_disturbs_arm);
	loss_lines(out, r);
	race_lines(out, r);
	tlb_lines(out, r);
	baseline_line(out, r, F_FAULT, "baseline", "present_ns",
		      "present-page store", 1, "ns");
	baseline_line(out, r, F_FAULT, "baseline", "first_touch_ns",
		      "first-touch fault", 1e-3, "us");
	baseline_line(out, r, F_PROT, "mprotect", "ns_per_page",
		      "mprotect(PROT_NONE)/page", 1, "ns");
	spread_line(out, r);
	macro_table(out, r);
}

/* The tables of a loaded run (its files are borrowed, not owned). */
static void print_run(FILE *out, const struct ws_run *run)
{
	struct run r = { .dir = run->dir };
	const struct ws_run_file *numa = ws_run_file(run, "numa-interplay");
	const struct ws_run_file *restore = ws_run_file(run, "restore");
	json_t *any = NULL;

	for (int f = 0; f < F_NR; f++) {
		const struct ws_run_file *rf = ws_run_file(run, bench_files[f]);

		r.f[f] = rf ? rf->root : NULL;
		if (r.f[f] && !any)
			any = r.f[f];
	}
	interval_point(&r);
	title(out, &r, any ? any : run->files[0].root);
	ws_summary_profile(out, run);
	ws_summary_warnings(out, run);
	/* A run of numa-interplay alone has only its own section. */
	if (any)
		tables(out, &r);
	if (numa)
		ws_summary_numa(out, numa->root);
	if (restore)
		ws_summary_restore(out, restore->root, run->accel);
	if (any)
		skipped_lines(out, &r, any);
	fprintf(out, "results: %s/*.json (how to read them: results/README.md)\n",
		run->dir);
}

int ws_summary_print(FILE *out, const char *dir)
{
	char why[2048], path[4096];
	struct ws_run run;
	struct stat st;

	/* BENCH_PROFILE=vmm: a nested QEMU guest's run, a table of its own. */
	snprintf(path, sizeof(path), "%s/nested-track.json", dir);
	if (!lstat(path, &st))
		return ws_readers.nested_summary(out, dir) ? WS_EXIT_USAGE : 0;
	if (ws_run_load(dir, &run, why, sizeof(why))) {
		fprintf(stderr, "wsbench summary: %s\n", why);
		return WS_EXIT_USAGE;
	}
	print_run(out, &run);
	ws_run_free(&run);
	return 0;
}

int ws_summary_main(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: wsbench summary <result-dir>\n");
		return WS_EXIT_USAGE;
	}
	return ws_summary_print(stdout, argv[1]);
}
