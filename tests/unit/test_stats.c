// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for bench/lib/stats.c and bench/lib/timing.c.  Reference
 * values are numpy's defaults (percentile type 7) worked out by hand; the
 * bootstrap is checked against the exact bootstrap distribution of the
 * median, against a literal resample-and-sort bootstrap, and for coverage.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "timing.h"
#include "unit.h"

static double uniform01(uint64_t *st)
{
	return (double)(ws_rand_next(st) >> 11) * 0x1.0p-53;
}

static void fill_uniform(double *v, size_t n, uint64_t seed)
{
	uint64_t st = seed * 0x9E3779B97F4A7C15ULL + 1;

	for (size_t i = 0; i < n; i++)
		v[i] = uniform01(&st);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double sorted_median(const double *v, size_t n)
{
	double *c = malloc(n * sizeof(*c)), m;

	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp);
	m = ws_percentile_sorted(c, n, 50);
	free(c);
	return m;
}

static bool json_has_nan(json_t *j)
{
	char *s = json_dumps(j, JSON_ENCODE_ANY);
	bool bad = !s || strcasestr(s, "nan") || strcasestr(s, "inf");

	free(s);
	return bad;
}

static void test_percentiles(void)
{
	double v[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, one = 42;

	is_double(ws_percentile_sorted(v, 10, 0), 1, 0, "[1..10] p0 = 1");
	is_double(ws_percentile_sorted(v, 10, 25), 3.25, 1e-12,
		  "[1..10] p25 = 3.25");
	is_double(ws_percentile_sorted(v, 10, 50), 5.5, 1e-12,
		  "[1..10] p50 = 5.5");
	is_double(ws_percentile_sorted(v, 10, 90), 9.1, 1e-12,
		  "[1..10] p90 = 9.1");
	is_double(ws_percentile_sorted(v, 10, 99), 9.91, 1e-12,
		  "[1..10] p99 = 9.91");
	is_double(ws_percentile_sorted(v, 10, 100), 10, 0,
		  "[1..10] p100 = 10");
	is_double(ws_percentile_sorted(&one, 1, 99.9), 42, 0,
		  "one sample: every percentile is that sample");
}

static void test_median(void)
{
	double odd[5] = { 9, 1, 7, 3, 5 }, even[6] = { 6, 1, 5, 2, 4, 3 };
	double dup[9] = { 2, 2, 1, 2, 3, 2, 2, 1, 3 };
	uint64_t st = 7;
	int bad = 0;

	is_double(ws_median(odd, 5), 5, 0, "median of odd-length vector");
	is_double(ws_median(even, 6), 3.5, 0, "median of even-length vector");
	ok(odd[0] == 9 && odd[4] == 5, "ws_median does not reorder input");
	is_double(ws_median(dup, 9), 2, 0, "median with many duplicates");

	/* Quickselect against a full sort on random vectors with ties. */
	for (int t = 0; t < 500; t++) {
		size_t n = 1 + ws_rand_next(&st) % 64;
		double v[64];

		for (size_t i = 0; i < n; i++)
			v[i] = (double)(ws_rand_next(&st) % 5);
		bad += ws_median(v, n) != sorted_median(v, n);
	}
	ok(bad == 0, "ws_median equals sort-based median on 500 random "
	   "vectors with ties (%d mismatches)", bad);
	ok(isnan(ws_median(odd, 0)), "median of nothing is NaN");
}

static void test_outliers(void)
{
	double v[9] = { 10, 11, 12, 10, 11, 12, 10, 11, 100 };
	double flat[5] = { 5, 5, 7, 5, 5 };
	double ramp[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	/* median 10, MAD 1: 0.6745 * 5.2 = 3.507 > 3.5 flags 15.2, 15 is 3.37 */
	double edge[7] = { 9, 10, 10, 11, 15, 15.2, 9 };
	bool f[10];
	size_t c;

	c = ws_flag_outliers(v, 9, f);
	ok(c == 1 && f[8] && !f[0] && !f[7],
	   "one obvious outlier is flagged, and only it (count %zu)", c);
	c = ws_flag_outliers(flat, 5, f);
	ok(c == 1 && f[2] && !f[0],
	   "MAD == 0: only values != median flagged (count %zu)", c);
	ok(ws_flag_outliers(ramp, 10, f) == 0, "evenly spread values: none");
	c = ws_flag_outliers(edge, 7, f);
	ok(c == 1 && f[5] && !f[4],
	   "modified z-score 0.6745 (x - med) / MAD > 3.5 (count %zu)", c);
	ok(ws_flag_outliers(v, 9, NULL) == 1, "flags may be NULL");
}

/* P(Binomial(n, p) >= k), straightforwardly in log space. */
static double binom_sf(int n, double p, int k)
{
	double s = 0;

	if (p <= 0)
		return k <= 0;
	if (p >= 1)
		return 1;
	for (int i = k; i <= n; i++)
		s += exp(lgamma(n + 1) - lgamma(i + 1) - lgamma(n - i + 1) +
			 i * log(p) + (n - i) * log1p(-p));
	return s;
}

/* Rank (0-based) of the exact bootstrap q-quantile of the median, odd n. */
static int exact_boot_rank(int n, double q)
{
	int k = (n + 1) / 2;

	/* The resample median is <= x_(j) iff at least k draws are <= it. */
	for (int j = 0; j < n; j++)
		if (binom_sf(n, (double)(j + 1) / n, k) >= q)
			return j;
	return n - 1;
}

static int rank_of(const double *sorted, size_t n, double x)
{
	for (size_t i = 0; i < n; i++)
		if (sorted[i] == x)
			return (int)i;
	return -1;
}

/* Textbook bootstrap: resample, sort, take the median; B times. */
static void literal_boot_ci(const double *v, size_t n, size_t b,
			    uint64_t seed, double *lo, double *hi)
{
	double *meds = malloc(b * sizeof(*meds)), *r = malloc(n * sizeof(*r));
	uint64_t st = seed;

	for (size_t i = 0; i < b; i++) {
		for (size_t j = 0; j < n; j++)
			r[j] = v[ws_rand_next(&st) % n];
		qsort(r, n, sizeof(*r), cmp);
		meds[i] = ws_percentile_sorted(r, n, 50);
	}
	qsort(meds, b, sizeof(*meds), cmp);
	*lo = ws_percentile_sorted(meds, b, 2.5);
	*hi = ws_percentile_sorted(meds, b, 97.5);
	free(meds);
	free(r);
}

static void test_bootstrap(void)
{
	enum { N = 2001, M = 101, REPS = 200 };
	double *v = malloc(N * sizeof(*v)), *s, lo, hi, lo2, hi2, med;
	double want = 1.96 * 0.5 / sqrt(N) * 2, width, pair[2] = { 0, 1 };
	int covered = 0, rlo, rhi, elo, ehi;

	fill_uniform(v, N, 1);
	med = sorted_median(v, N);
	ws_bootstrap_median_ci(v, N, 2000, 0.95, 12345, &lo, &hi);
	width = hi - lo;
	diag("n=%d uniform: median %.4f, CI [%.4f, %.4f], width %.4f "
	     "(asymptotic %.4f)", N, med, lo, hi, width, want);
	ok(lo <= 0.5 && 0.5 <= hi, "95%% CI of the median contains 0.5");
	ok(lo <= med && med <= hi, "CI contains the sample median");
	ok(width > want / 2 && width < want * 2,
	   "CI width %.4f within a factor 2 of 2*1.96*0.5/sqrt(n) = %.4f",
	   width, want);
	ws_bootstrap_median_ci(v, N, 2000, 0.95, 12345, &lo2, &hi2);
	ok(lo == lo2 && hi == hi2, "CI is deterministic for a seed");
	ws_bootstrap_median_ci(v, N, 2000, 0.95, 54321, &lo2, &hi2);
	ok(lo2 != lo || hi2 != hi, "a different seed resamples differently");

	/* Odd n: compare with the exact bootstrap distribution. */
	fill_uniform(v, M, 2);
	s = malloc(M * sizeof(*s));
	memcpy(s, v, M * sizeof(*s));
	qsort(s, M, sizeof(*s), cmp);
	ws_bootstrap_median_ci(v, M, 20000, 0.95, 3, &lo, &hi);
	rlo = rank_of(s, M, lo);
	rhi = rank_of(s, M, hi);
	elo = exact_boot_rank(M, 0.025);
	ehi = exact_boot_rank(M, 0.975);
	diag("n=%d: CI ranks [%d, %d], exact bootstrap ranks [%d, %d]",
	     M, rlo, rhi, elo, ehi);
	ok(rlo >= 0 && rhi >= 0 && abs(rlo - elo) <= 1 && abs(rhi - ehi) <= 1,
	   "odd n: CI ends are the exact bootstrap quantiles (+-1 rank)");

	/*
	 * Even n, exactly: resampling {0, 1} gives median 0, 0.5, 1 with
	 * probability 1/4, 1/2, 1/4, so the 30/70% quantiles are 0.5 and the
	 * 20/80% quantiles are 0 and 1.
	 */
	ws_bootstrap_median_ci(pair, 2, 20000, 0.4, 7, &lo, &hi);
	ws_bootstrap_median_ci(pair, 2, 20000, 0.6, 7, &lo2, &hi2);
	ok(lo == 0.5 && hi == 0.5 && lo2 == 0 && hi2 == 1,
	   "n = 2: bootstrap median distribution 1/4, 1/2, 1/4");

	/* Even n: compare with a literal resample-and-sort bootstrap. */
	fill_uniform(v, 100, 4);
	ws_bootstrap_median_ci(v, 100, 20000, 0.95, 5, &lo, &hi);
	literal_boot_ci(v, 100, 20000, 6, &lo2, &hi2);
	diag("n=100: CI [%.4f, %.4f], literal bootstrap [%.4f, %.4f]",
	     lo, hi, lo2, hi2);
	ok(fabs(lo - lo2) < 0.015 && fabs(hi - hi2) < 0.015,
	   "even n: CI agrees with a literal bootstrap");

	/* Coverage: a real statistical test of the whole procedure. */
	for (int r = 0; r < REPS; r++) {
		fill_uniform(v, M, 1000 + r);
		ws_bootstrap_median_ci(v, M, 2000, 0.95, r, &lo, &hi);
		covered += lo <= 0.5 && 0.5 <= hi;
	}
	diag("coverage of 0.5 over %d samples of n=%d: %d", REPS, M, covered);
	ok(covered >= 0.88 * REPS && covered <= 0.99 * REPS,
	   "95%% CI covers the true median in 88-99%% of samples (%d/%d)",
	   covered, REPS);
	free(s);
	free(v);
}


/* Literal block bootstrap: draw reps, pool, sort, median; B times. */
static void literal_block_ci(const double *v, const size_t *sizes, size_t R,
			     int B, uint64_t seed, double *lo, double *hi)
{
	size_t n = 0, start[64];
	double *pool, *med = malloc(B * sizeof(*med));
	uint64_t st = seed;

	for (size_t r = 0; r < R; r++) {
		start[r] = n;
		n += sizes[r];
	}
	pool = malloc(n * R * sizeof(*pool));
	for (int b = 0; b < B; b++) {
		size_t m = 0;

		for (size_t i = 0; i < R; i++) {
			size_t r = ws_rand_next(&st) % R;

			memcpy(pool + m, v + start[r], sizes[r] * sizeof(*pool));
			m += sizes[r];
		}
		med[b] = sorted_median(pool, m);
	}
	qsort(med, B, sizeof(*med), cmp);
	*lo = ws_percentile_sorted(med, B, 2.5);
	*hi = ws_percentile_sorted(med, B, 97.5);
	free(pool);
	free(med);
}

/*
 * Repetitions with a shared offset each (a rep's samples are correlated):
 * the CI must resample repetitions.  Pooling them as independent samples
 * gives an interval far too narrow; the block bootstrap covers.
 */
static void test_block_bootstrap(void)
{
	enum { R = 12, N = 40, TRIALS = 100 };
	static const size_t odd_sizes[6] = { 5, 9, 12, 7, 15, 8 };
	double v[R * N], lo, hi, lo2, hi2, rm[2];
	size_t sizes[R], cover_block = 0, cover_naive = 0;
	struct ws_samples s;
	struct ws_summary sum;
	uint64_t st = 77;
	json_t *j;

	for (size_t i = 0; i < 56; i++)
		v[i] = uniform01(&st) + (double)(i % 7);
	ws_block_bootstrap_median_ci(v, odd_sizes, 6, 20000, 0.95, 11, &lo,
				     &hi);
	literal_block_ci(v, odd_sizes, 6, 20000, 12, &lo2, &hi2);
	diag("block CI [%.3f, %.3f], literal [%.3f, %.3f]", lo, hi, lo2, hi2);
	ok(fabs(lo - lo2) < 0.1 && fabs(hi - hi2) < 0.1,
	   "block bootstrap agrees with a literal resample-pool-sort");

	for (size_t r = 0; r < R; r++)
		sizes[r] = N;
	for (int t = 0; t < TRIALS; t++) {
		for (size_t r = 0; r < R; r++) {
			double off = 2 * uniform01(&st) - 1;

			for (size_t i = 0; i < N; i++)
				v[r * N + i] = off + 0.05 * (uniform01(&st) - 0.5);
		}
		ws_block_bootstrap_median_ci(v, sizes, R, 1000, 0.95, t, &lo,
					     &hi);
		cover_block += lo <= 0 && 0 <= hi;
		ws_bootstrap_median_ci(v, R * N, 1000, 0.95, t, &lo, &hi);
		cover_naive += lo <= 0 && 0 <= hi;
	}
	diag("coverage of the true median 0: by repetition %zu/%d, pooled as independent %zu/%d",
	     cover_block, TRIALS, cover_naive, TRIALS);
	ok(cover_block >= 0.85 * TRIALS && cover_block <= 0.995 * TRIALS,
	   "block CI covers the true median in 85-99.5%% of trials");
	ok(cover_naive < 0.5 * TRIALS,
	   "the pooled CI (samples as independent) undercovers: the case for blocks");

	ws_samples_init(&s);
	for (int i = 1; i <= 3; i++)
		ws_samples_push(&s, i);
	ws_samples_end_rep(&s);
	ws_samples_end_rep(&s);		/* empty: ignored */
	for (int i = 10; i <= 12; i++)
		ws_samples_push(&s, i);
	ok(ws_samples_rep_sizes(&s, sizes, R) == 2 && sizes[0] == 3 &&
	   sizes[1] == 3, "repetitions: 3 + 3 (open tail counts, empty close ignored)");
	ok(!ws_summarize_reps(s.v, s.n, sizes, 2, 1, &sum, NULL, rm) &&
	   rm[0] == 2 && rm[1] == 11 && sum.reps.min == 2 &&
	   sum.reps.max == 11 && sum.reps.n == 2 &&
	   fabs(sum.reps.cv - sqrt(40.5) / 6.5) < 1e-12 &&
	   !strcmp(sum.ci_unit, "repetition"),
	   "between-repetition medians 2 and 11, CV sd/mean");
	j = ws_series_json_reps(&s, "ns", 1);
	ok(j && json_array_size(json_object_get(j, "rep_sizes")) == 2 &&
	   json_real_value(json_array_get(json_object_get(j, "rep_medians"), 1)) == 11 &&
	   !strcmp(json_string_value(json_object_get(json_object_get(j, "summary"),
						      "ci_unit")), "repetition") &&
	   json_integer_value(json_object_get(json_object_get(json_object_get(j, "summary"),
							       "reps"), "n")) == 2,
	   "series JSON: rep_sizes, rep_medians, ci_unit, reps block");
	json_decref(j);
	ok(ws_summarize_reps(s.v, s.n, sizes, 1, 1, &sum, NULL, NULL) == -EINVAL,
	   "repetition sizes that do not add up to n are refused");
	ws_samples_free(&s);
	ws_samples_push_rep(&s, 5);
	ws_samples_push_rep(&s, 6);
	ok(ws_samples_rep_sizes(&s, sizes, R) == 2 && sizes[0] == 1,
	   "push_rep: one sample per repetition");
	ws_samples_free(&s);
}

static void test_summary(void)
{
	double v[9] = { 10, 11, 12, 10, 11, 12, 10, 11, 100 };
	double w[8] = { 2, 4, 4, 4, 5, 5, 7, 9 }, one = 3.5;
	struct ws_summary s;
	json_t *j, *ci, *outl;

	ok(ws_summarize(w, 8, 1, &s, NULL) == 0, "summarize succeeds");
	is_double(s.mean, 5, 1e-12, "mean");
	is_double(s.stddev, sqrt(32.0 / 7), 1e-12, "sample stddev (n - 1)");
	ok(s.min == 2 && s.max == 9 && s.median == 4.5 &&
	   s.mad == 0.5 && isnan(s.pctl[1]) && !isnan(s.pctl[0]),
	   "min, max, median, MAD; p90 undefined with 8 samples (needs 10)");
	/*
	 * 8 independent samples: [x(2), x(7)] covers only 1 - 2*9/256 =
	 * 0.930, so the 95 % interval is [x(1), x(8)], 1 - 2/256 = 0.992.
	 */
	ok(s.bootstrap_resamples == 0 &&
	   !strcmp(s.ci_method, "order-statistic") &&
	   !strcmp(s.ci_unit, "sample") && s.n_units == 8 &&
	   s.ci_lo == 2 && s.ci_hi == 9 &&
	   fabs(s.ci_level - (1 - 2.0 / 256)) < 1e-12,
	   "8 samples: order-statistic CI [x(1), x(8)] = [2, 9], coverage 0.9922 (%.4f %s)",
	   s.ci_level, s.ci_method);

	j = ws_series_json(v, 9, "ns", 1);
	outl = json_object_get(j, "outliers");
	ok(j && json_array_size(json_object_get(j, "samples")) == 9 &&
	   json_array_size(outl) == 1 &&
	   json_integer_value(json_array_get(outl, 0)) == 8 &&
	   !strcmp(json_string_value(json_object_get(j, "unit")), "ns"),
	   "series JSON: samples, unit and outlier indices");
	ci = json_object_get(json_object_get(j, "summary"), "ci95_median");
	{
		double ten[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
		struct ws_summary s10;

		ok(!ws_summarize(ten, 10, 1, &s10, NULL) &&
		   fabs(s10.pctl[1] - 9.1) < 1e-12 && isnan(s10.pctl[2]),
		   "p90 defined from 10 samples (9.1), p99 undefined until 100");
	}
	ok(json_is_array(ci) && json_array_size(ci) == 2 &&
	   json_integer_value(json_object_get(json_object_get(j, "summary"),
					       "outliers")) == 1 &&
	   json_is_null(json_object_get(json_object_get(j, "summary"),
					"p99_99")) &&
	   json_is_real(json_object_get(json_object_get(j, "summary"),
					"p50")),
	   "summary JSON: ci95_median pair, outlier count, p99_99 null with 9 samples");
	json_decref(j);

	ok(ws_summarize(v, 0, 1, &s, NULL) == 0 && s.n == 0 &&
	   s.n_outliers == 0, "n = 0 summarises to n 0");
	j = ws_summary_json(&s);
	ok(j && json_is_null(json_object_get(j, "median")) &&
	   json_is_null(json_object_get(j, "stddev")) &&
	   json_integer_value(json_object_get(j, "n")) == 0 &&
	   !json_has_nan(j), "n = 0 JSON: nulls, never NaN");
	json_decref(j);
	j = ws_series_json(v, 0, "ns", 1);
	ok(j && !json_has_nan(j), "n = 0 series JSON is valid");
	json_decref(j);

	ok(ws_summarize(&one, 1, 1, &s, NULL) == 0 && s.median == 3.5 &&
	   isnan(s.ci_lo) && isnan(s.ci_hi) && isnan(s.stddev) &&
	   !strcmp(s.ci_method, "none") &&
	   s.n_outliers == 0, "n = 1: no CI (one unit), stddev undefined");
	j = ws_summary_json(&s);
	ok(j && json_is_null(json_object_get(j, "stddev")) &&
	   json_real_value(json_object_get(j, "min")) == 3.5 &&
	   !json_has_nan(j), "n = 1 JSON: stddev null, no NaN");
	json_decref(j);
}

static void test_large(void)
{
	enum { N = 1000000 };
	double *v = malloc(N * sizeof(*v));
	struct ws_summary s;
	uint64_t t0, st = 99;
	bool *flags = malloc(N * sizeof(*flags));
	double secs;

	/* A shuffled 0..N-1: median (N-1)/2 exactly. */
	for (size_t i = 0; i < N; i++)
		v[i] = (double)i;
	for (size_t i = N - 1; i > 0; i--) {
		size_t j = ws_rand_next(&st) % (i + 1);
		double t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
	t0 = ws_now_ns();
	ok(ws_summarize(v, N, 1, &s, flags) == 0, "1e6 samples summarise");
	secs = (double)(ws_now_ns() - t0) / 1e9;
	ok(secs < 2, "1e6-sample summary in %.3f s (< 2 s)", secs);
	ok(s.median == (N - 1) / 2.0 && s.ci_lo < s.median &&
	   s.median < s.ci_hi && s.n_outliers == 0 &&
	   s.ci_level >= 0.95 && !strcmp(s.ci_method, "order-statistic"),
	   "1e6 samples: median, CI, no outliers");

	/* Heavy ties (integer latencies): selection must stay fast. */
	for (size_t i = 0; i < N; i++)
		v[i] = (double)(ws_rand_next(&st) % 4);
	t0 = ws_now_ns();
	ws_summarize(v, N, 1, &s, flags);
	secs = (double)(ws_now_ns() - t0) / 1e9;
	ok(secs < 2 && s.min == 0 && s.max == 3,
	   "1e6 samples with 4 distinct values in %.3f s", secs);
	free(flags);
	free(v);
}

static void test_timing(void)
{
	double med;
	json_t *j = ws_timer_overhead_json(10000, &med), *c;

	ok(j && !strcmp(json_string_value(json_object_get(j, "clock")),
			WS_CLOCK_NAME) &&
	   json_integer_value(json_object_get(j, "resolution_ns")) > 0 &&
	   json_is_object(json_object_get(j, "overhead_ns")),
	   "timer overhead JSON: clock, resolution, summary");
	diag("timer overhead median %.1f ns", med);
	ok(med >= 0 && med < 100000, "timer overhead median is plausible");
	json_decref(j);

	c = ws_timer_check_json(20, 1000);
	ok(c && json_is_true(json_object_get(c, "timer_overhead_ok")) &&
	   fabs(json_real_value(json_object_get(c, "timer_overhead_ratio")) -
		0.02) < 1e-12, "20 ns timer vs 1000 ns median: ok, ratio 0.02");
	json_decref(c);
	c = ws_timer_check_json(100, 1000);
	ok(c && json_is_false(json_object_get(c, "timer_overhead_ok")) &&
	   strstr(json_string_value(json_object_get(c, "note")), "clock"),
	   "100 ns timer vs 1000 ns median: not ok, with a note");
	json_decref(c);
	c = ws_timer_check_json(20, 0);
	ok(c && json_is_null(json_object_get(c, "timer_overhead_ratio")) &&
	   !json_has_nan(c), "zero median: ratio null, not NaN/inf");
	json_decref(c);
}

int main(void)
{
	plan(57);
	test_percentiles();
	test_median();
	test_outliers();
	test_bootstrap();
	test_block_bootstrap();
	test_summary();
	test_large();
	test_timing();
	return done_testing();
}
