// SPDX-License-Identifier: GPL-2.0
/*
 * The statistical methods behind summary CIs, compare and verify, tested
 * like code (statistics.md): reference values of the t distribution and
 * the order-statistic coverage, then simulations with a known truth and
 * variance at three levels (invocations, repetitions, samples):
 *  - coverage of the summary's interval at every unit count the profiles
 *    use (>= 93 % wherever it is labelled 95 %; [min, max] labelled with
 *    its true, lower coverage), and the old repetition bootstrap failing;
 *  - compare's decision (Yuen on log invocation medians, +-5 % band,
 *    Benjamini-Hochberg over 30 rows): false markers on A/A and power on
 *    a 20 % change, also when one invocation in ten is a stray (2x: a
 *    process that met another job), where Welch loses its power.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "unit.h"
#include "unitci.h"

static double unif(uint64_t *st)
{
	return ((double)(ws_rand_next(st) >> 11) + 0.5) * 0x1.0p-53;
}

static double gauss(uint64_t *st)
{
	return sqrt(-2 * log(unif(st))) * cos(2 * M_PI * unif(st));
}

static void test_reference_values(void)
{
	is_double(ws_t_quantile(0.975, 1), 12.706204736, 1e-6, "t(0.975, 1) = 12.7062");
	is_double(ws_t_quantile(0.975, 2), 4.302652730, 1e-6, "t(0.975, 2) = 4.3027");
	is_double(ws_t_quantile(0.975, 10), 2.228138852, 1e-6, "t(0.975, 10) = 2.2281");
	is_double(ws_t_quantile(0.975, 1e7), 1.959964, 1e-4, "t(0.975, inf) = 1.96");
	is_double(ws_t_cdf(-2.228138852, 10), 0.025, 1e-7, "t cdf is the quantile's inverse");
	is_double(ws_order_stat_coverage(3, 1), 0.75, 1e-12, "[min, max] of 3 covers 75 %");
	is_double(ws_order_stat_coverage(5, 1), 0.9375, 1e-12, "[min, max] of 5 covers 93.75 %");
	is_double(ws_order_stat_coverage(6, 1), 0.96875, 1e-12, "[min, max] of 6 covers 96.9 %");
}

static void test_bh(void)
{
	double p[5] = { 0.01, 0.04, 0.03, NAN, 0.5 }, q[5];

	ws_bh_adjust(p, 5, q);
	/* m = 4 (NAN skipped): 0.01*4/1, 0.03*4/2, 0.04*4/3, 0.5. */
	ok(fabs(q[0] - 0.04) < 1e-12 && fabs(q[2] - 0.0533333333) < 1e-9 &&
	   fabs(q[1] - 0.0533333333) < 1e-9 && isnan(q[3]) &&
	   fabs(q[4] - 0.5) < 1e-12,
	   "Benjamini-Hochberg adjusted p: 0.04 0.0533 0.0533 - 0.5");
}

/*
 * One invocation of a benchmark: a process effect (sd @s_inv on the log
 * scale), @reps repetitions with their own effect (sd @s_rep) of @per
 * samples each (lognormal, sd @s_sample, plus 2 % outliers 5x slower).
 */
struct model {
	double s_inv, s_rep, s_sample;
	size_t reps, per;
	double p_stray;		/* chance an invocation runs 2x slower */
};

static void draw_invocation(const struct model *m, double scale,
			    uint64_t *st, double *v)
{
	double inv = m->s_inv * gauss(st);

	if (m->p_stray > 0 && unif(st) < m->p_stray)
		inv += log(2);
	for (size_t r = 0; r < m->reps; r++) {
		double rep = inv + m->s_rep * gauss(st);

		for (size_t i = 0; i < m->per; i++) {
			double x = scale * exp(rep + m->s_sample * gauss(st));

			*v++ = unif(st) < 0.02 ? 5 * x : x;
		}
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The true median of an invocation's median, by brute force. */
static double true_inv_median(const struct model *m, uint64_t seed)
{
	enum { N = 4001 };
	double *med = malloc(N * sizeof(*med));
	double *v = malloc(m->reps * m->per * sizeof(*v)), t;
	uint64_t st = seed;

	for (size_t i = 0; i < N; i++) {
		draw_invocation(m, 1, &st, v);
		med[i] = ws_median(v, m->reps * m->per);
	}
	qsort(med, N, sizeof(*med), cmp_double);
	t = med[N / 2];
	free(med);
	free(v);
	return t;
}

/* Coverage of the summary's interval for k invocations (the real path). */
static void coverage_at(const struct model *m, size_t k, double truth,
			int trials, uint64_t *st)
{
	size_t per_inv = m->reps * m->per, n = k * per_inv;
	double *v = malloc(n * sizeof(*v));
	size_t *sizes = malloc(k * m->reps * sizeof(*sizes)), inv[64];
	struct ws_summary s;
	int cover = 0, labelled95 = 0;

	for (size_t r = 0; r < k * m->reps; r++)
		sizes[r] = m->per;
	for (size_t i = 0; i < k; i++)
		inv[i] = m->reps;
	for (int t = 0; t < trials; t++) {
		for (size_t i = 0; i < k; i++)
			draw_invocation(m, 1, st, v + i * per_inv);
		ws_summarize_inv(v, n, sizes, k * m->reps, inv, k, &s, NULL, NULL);
		cover += s.ci_lo <= truth && truth <= s.ci_hi;
		labelled95 += s.ci_level >= 0.95;
	}
	if (labelled95)
		ok(labelled95 == trials && cover >= 0.93 * trials,
		   "%zu invocations: labelled %.4f (%s), covers the true median in %.1f %% (>= 93 %%)",
		   k, s.ci_level, s.ci_method, 100.0 * cover / trials);
	else
		ok(!strcmp(s.ci_method, "min-max") &&
		   cover >= (s.ci_level - 0.04) * trials,
		   "%zu invocations: labelled min-max %.4f (not 95 %%), covers %.1f %%",
		   k, s.ci_level, 100.0 * cover / trials);
	free(v);
	free(sizes);
}

/*
 * The old method: a bootstrap over the repetitions of one run, read as a
 * 95 % CI of what a run measures.  It covers far less.
 */
static double old_method_coverage(const struct model *m, double truth,
				  int trials, uint64_t *st)
{
	size_t n = m->reps * m->per, sizes[16];
	double *v = malloc(n * sizeof(*v)), lo, hi;
	int cover = 0;

	for (size_t r = 0; r < m->reps; r++)
		sizes[r] = m->per;
	for (int t = 0; t < trials; t++) {
		draw_invocation(m, 1, st, v);
		ws_block_bootstrap_median_ci(v, sizes, m->reps, 1000, 0.95,
					     (uint64_t)t, &lo, &hi);
		cover += lo <= truth && truth <= hi;
	}
	free(v);
	return (double)cover / trials;
}

static void test_summary_coverage(void)
{
	static const size_t ks[] = { 2, 3, 4, 5, 6, 8, 10, 20 };
	struct model m = { .s_inv = 0.05, .s_rep = 0.02, .s_sample = 0.2,
			   .reps = 3, .per = 50 };
	struct model rep_only = { .s_inv = 0, .s_rep = 0.05, .s_sample = 0.2,
				  .reps = 3, .per = 50 };
	uint64_t st = 2026;
	double truth = true_inv_median(&m, 99), cov;

	diag("model: invocation sd 5 %%, repetition sd 2 %%, 3 x 50 samples; truth %.4f",
	     truth);
	for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++)
		coverage_at(&m, ks[i], truth, 1000, &st);
	/* Repetitions as the unit, within one invocation (no process effect). */
	cov = old_method_coverage(&rep_only, true_inv_median(&rep_only, 7),
				  1000, &st);
	ok(cov < 0.85,
	   "old method: a '95 %%' bootstrap over 3 repetitions covers only %.1f %% (fails >= 93 %%)",
	   100 * cov);
}

/* Per invocation, the median of @per_inv samples: what compare reads. */
static void inv_medians(const struct model *m, double scale, size_t k,
			uint64_t *st, double *out)
{
	size_t n = m->reps * m->per;
	double *v = malloc(n * sizeof(*v));

	for (size_t i = 0; i < k; i++) {
		draw_invocation(m, scale, st, v);
		out[i] = ws_median(v, n);
	}
	free(v);
}

/*
 * @pairs comparisons of @rows metrics with @k invocations a side, B =
 * @effect x A on @changed of them; how many pairs had any marker, and
 * how many changed rows were marked.
 */
typedef int (*two_sample_fn)(const double *, size_t, const double *, size_t,
			     double, double, struct ws_welch *);

static void compare_sim(const struct model *m, size_t k, size_t rows,
			size_t changed, double effect, int pairs,
			uint64_t *st, int *pairs_marked, double *power,
			two_sample_fn test)
{
	double a[16], b[16], p[64], q[64];
	size_t hits = 0;

	*pairs_marked = 0;
	for (int t = 0; t < pairs; t++) {
		int any = 0;

		for (size_t r = 0; r < rows; r++) {
			struct ws_welch w;

			inv_medians(m, 1, k, st, a);
			inv_medians(m, r < changed ? effect : 1, k, st, b);
			test(a, k, b, k, 0.95, 1.05, &w);
			p[r] = w.p_change;
		}
		ws_bh_adjust(p, rows, q);
		for (size_t r = 0; r < rows; r++) {
			any |= q[r] <= 0.05 && r >= changed;
			hits += q[r] <= 0.05 && r < changed;
		}
		*pairs_marked += any;
	}
	*power = changed ? (double)hits / ((double)changed * pairs) : 0;
}

static void test_compare_decision(void)
{
	/* Invocation medians vary by about 3 % (quiet) or 8 % (noisy). */
	struct model quiet = { .s_inv = 0.03, .s_rep = 0.01, .s_sample = 0.1,
			       .reps = 3, .per = 100 };
	struct model noisy = { .s_inv = 0.08, .s_rep = 0.02, .s_sample = 0.1,
			       .reps = 3, .per = 100 };
	uint64_t st = 314;
	int marked;
	double power;

	compare_sim(&quiet, 3, 30, 0, 1, 300, &st, &marked, &power, ws_yuen_log);
	ok(marked <= 0.05 * 300,
	   "A/A, 3 invocations a side, CV 3 %%, 30 rows: %d of 300 pairs with any marker (<= 5 %%)",
	   marked);
	compare_sim(&noisy, 6, 30, 0, 1, 300, &st, &marked, &power, ws_yuen_log);
	ok(marked <= 0.05 * 300,
	   "A/A, 6 invocations a side, CV 8 %%, 30 rows: %d of 300 pairs with any marker (<= 5 %%)",
	   marked);
	compare_sim(&quiet, 6, 30, 5, 1.2, 300, &st, &marked, &power, ws_yuen_log);
	ok(power >= 0.9 && marked <= 0.05 * 300,
	   "20 %% change on 5 of 30 rows, 6 invocations, CV 3 %%: %.1f %% of changed rows marked (>= 90 %%), %d pairs with a false marker",
	   100 * power, marked);
	compare_sim(&quiet, 3, 30, 5, 1.2, 300, &st, &marked, &power, ws_yuen_log);
	diag("the same with 3 invocations: %.1f %% marked (too few units for BH over 30 rows)",
	     100 * power);
	compare_sim(&quiet, 3, 30, 20, 1.2, 300, &st, &marked, &power, ws_yuen_log);
	diag("3 invocations, 20 of 30 rows changed: %.1f %% marked", 100 * power);
	compare_sim(&noisy, 6, 30, 5, 1.2, 300, &st, &marked, &power, ws_yuen_log);
	diag("6 invocations, CV 8 %%: %.1f %% of changed rows marked", 100 * power);
}

/* One invocation in ten a stray: Yuen keeps its power, Welch loses it. */
static void test_stray_invocations(void)
{
	struct model stray = { .s_inv = 0.03, .s_rep = 0.01, .s_sample = 0.1,
			       .reps = 3, .per = 100, .p_stray = 0.1 };
	uint64_t st = 2718;
	int marked, marked_w;
	double power, power_w;

	compare_sim(&stray, 6, 30, 0, 1, 300, &st, &marked, &power, ws_yuen_log);
	ok(marked <= 0.05 * 300,
	   "A/A with stray invocations (1 in 10 at 2x), 6 a side, 30 rows: Yuen marks %d of 300 pairs (<= 5 %%)",
	   marked);
	compare_sim(&stray, 6, 30, 5, 1.2, 300, &st, &marked, &power, ws_yuen_log);
	compare_sim(&stray, 6, 30, 5, 1.2, 300, &st, &marked_w, &power_w,
		    ws_welch_log);
	/* Trimming costs units (6 keep 4), so power drops; Welch's collapses. */
	ok(power >= 0.5 && power >= 2 * power_w && marked <= 0.05 * 300,
	   "20 %% change with stray invocations, 6 a side: Yuen marks %.1f %% of changed rows (>= 50 %%, twice Welch's %.1f %%); %d pairs with a false marker",
	   100 * power, 100 * power_w, marked);
	compare_sim(&stray, 10, 30, 5, 1.2, 300, &st, &marked, &power, ws_yuen_log);
	diag("the same with 10 invocations a side: Yuen marks %.1f %%", 100 * power);
}

/*
 * One clock step is no certain change: invocation medians of 17 and 18 ns
 * (whole nanoseconds) with no spread left after trimming.  Without the
 * resolution floor se is 0 and p is 0 (a real A/A pair was marked so).
 */
static void test_resolution_floor(void)
{
	double a[6] = { 17, 17, 17, 17, 17, 18 }, b[6] = { 18, 18, 18, 18, 17, 18 };
	double c[6] = { 17, 17, 17, 17, 17, 18 }, d[6] = { 25, 25, 25, 25, 24, 25 };
	struct ws_welch y, z;

	ws_yuen_log(a, 6, b, 6, 0.95, 1.05, &y);
	ws_yuen_log(c, 6, d, 6, 0.95, 1.05, &z);
	ok(y.p_change > 0.05 && z.p_change < 0.001,
	   "one clock step (17 -> 18 ns) is not a change beyond 5 %% (p %.3f); 17 -> 25 ns is (p %.2g)",
	   y.p_change, z.p_change);
}

/* With 4 or fewer units a side nothing is trimmed: Yuen is Welch. */
static void test_yuen_small(void)
{
	double a[4] = { 10, 11, 12, 10.5 }, b[4] = { 13, 12.5, 14, 13.2 };
	struct ws_welch w, y;

	ws_welch_log(a, 4, b, 4, 0.95, 1.05, &w);
	ws_yuen_log(a, 4, b, 4, 0.95, 1.05, &y);
	ok(w.ratio == y.ratio && w.lo == y.lo && w.hi == y.hi &&
	   w.p_change == y.p_change && w.df == y.df,
	   "Yuen with 4 units a side is Welch (ratio %.4f, CI [%.4f, %.4f])",
	   y.ratio, y.lo, y.hi);
}

/* Coverage of the Welch ratio CI over invocation medians. */
static void test_ratio_coverage(void)
{
	struct model m = { .s_inv = 0.05, .s_rep = 0.02, .s_sample = 0.2,
			   .reps = 3, .per = 30 };
	uint64_t st = 55;
	double a[8], b[8], truth = 1.2;
	int cover = 0, trials = 1000;

	int cover6 = 0, cover2 = 0;

	for (int t = 0; t < trials; t++) {
		struct ws_welch w;

		inv_medians(&m, 1, 6, &st, a);
		inv_medians(&m, truth, 6, &st, b);
		/* 2 + 2: the nested slowdown's two rounds of boots. */
		ws_welch_log(a, 2, b, 2, 0.95, 1.05, &w);
		cover2 += w.lo <= truth && truth <= w.hi;
		ws_welch_log(a, 3, b, 3, 0.95, 1.05, &w);
		cover += w.lo <= truth && truth <= w.hi;
		ws_yuen_log(a, 6, b, 6, 0.95, 1.05, &w);
		cover6 += w.lo <= truth && truth <= w.hi;
	}
	ok(cover2 >= 0.93 * trials,
	   "Welch 95 %% CI of B/A from 2 + 2 units covers the true 1.2 in %.1f %%",
	   100.0 * cover2 / trials);
	ok(cover >= 0.93 * trials,
	   "Welch 95 %% CI of B/A from 3 + 3 invocations covers the true 1.2 in %.1f %%",
	   100.0 * cover / trials);
	ok(cover6 >= 0.93 * trials,
	   "Yuen 95 %% CI of B/A from 6 + 6 invocations covers the true 1.2 in %.1f %%",
	   100.0 * cover6 / trials);
}

int main(void)
{
	plan(8 + 1 + 8 + 1 + 3 + 2 + 1 + 1 + 3);
	test_reference_values();
	test_bh();
	test_summary_coverage();
	test_compare_decision();
	test_stray_invocations();
	test_yuen_small();
	test_resolution_floor();
	test_ratio_coverage();
	return done_testing();
}
