// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for bench/lib/ratio.c: the bootstrap CI of a ratio of
 * medians that `wsbench compare` flags changes with.  Synthetic runs of
 * repetitions whose levels differ (as real repetitions do), so that the
 * resampling unit matters; coverage under no change, power against a
 * 1.5x shift, and the degenerate cases.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ratio.h"
#include "stats.h"
#include "unit.h"

enum { R = 10, N = 50, TRIALS = 200 };

static double uniform01(uint64_t *st)
{
	return (double)(ws_rand_next(st) >> 11) * 0x1.0p-53;
}

/*
 * One run: R repetitions of N samples around 100 * @scale; each
 * repetition has its own level (+-10 %), samples jitter +-1 % around it.
 */
static void fake_run(double *v, size_t *sizes, double scale, uint64_t *st)
{
	for (size_t r = 0; r < R; r++) {
		double level = 100 * (1 + 0.2 * (uniform01(st) - 0.5));

		sizes[r] = N;
		for (size_t i = 0; i < N; i++)
			v[r * N + i] = scale *
				       (level + 2 * (uniform01(st) - 0.5));
	}
}

static struct ws_series_view view(const double *v, const size_t *sizes)
{
	return (struct ws_series_view){ v, R * N, sizes, sizes ? R : 0 };
}

static void test_known_ratio(void)
{
	double a[R * N], b[R * N];
	size_t sizes[R];
	uint64_t st = 1;
	struct ws_series_view va, vb;
	struct ws_ratio r;
	int err;

	fake_run(a, sizes, 1, &st);
	for (size_t i = 0; i < R * N; i++)
		b[i] = 1.5 * a[i];
	va = view(a, sizes);
	vb = view(b, sizes);
	ok(!ws_ratio_of_medians(&va, &vb, 2000, 0.95, 42, &r),
	   "ratio of two series");
	is_double(r.ratio, 1.5, 1e-12, "B = 1.5 A exactly: ratio 1.5");
	diag("B = 1.5 A: CI [%.4f, %.4f]", r.lo, r.hi);
	ok(r.lo > 1 && r.lo <= 1.5 && 1.5 <= r.hi && ws_ratio_significant(&r),
	   "its CI holds 1.5, excludes 1: flagged");

	err = ws_ratio_of_medians(&va, &va, 2000, 0.95, 42, &r);
	ok(!err && r.ratio == 1 && r.lo < 1 && r.hi > 1 &&
	   !ws_ratio_significant(&r),
	   "A against itself: ratio 1, a real interval around it [%.4f, %.4f], not flagged",
	   r.lo, r.hi);
}

/* Share of trials whose CI excludes 1, B scaled by @scale. */
static int flagged(double scale, bool by_rep, int *above)
{
	double a[R * N], b[R * N];
	size_t sa[R], sb[R];
	uint64_t st = 1000 + (uint64_t)(scale * 1000) + by_rep;
	int n = 0;

	*above = 0;
	for (int t = 0; t < TRIALS; t++) {
		struct ws_series_view va, vb;
		struct ws_ratio r;

		fake_run(a, sa, 1, &st);
		fake_run(b, sb, scale, &st);
		va = view(a, by_rep ? sa : NULL);
		vb = view(b, by_rep ? sb : NULL);
		ws_ratio_of_medians(&va, &vb, 500, 0.95, t, &r);
		n += ws_ratio_significant(&r);
		*above += r.lo > 1;
	}
	return n;
}

static void test_coverage_and_power(void)
{
	int null_flags, naive_flags, shift_flags, above;

	null_flags = flagged(1, true, &above);
	diag("no change: %d/%d trials flagged (by repetition)", null_flags,
	     TRIALS);
	ok(null_flags <= 0.12 * TRIALS,
	   "no change: ratio 1 is inside the CI in >= 88%% of trials (95%% nominal)");
	naive_flags = flagged(1, false, &above);
	diag("no change: %d/%d trials flagged when samples are taken as independent",
	     naive_flags, TRIALS);
	ok(naive_flags > 0.5 * TRIALS,
	   "resampling samples instead of repetitions flags noise: the unit matters");
	shift_flags = flagged(1.5, true, &above);
	diag("1.5x shift: %d/%d flagged, %d above 1", shift_flags, TRIALS,
	     above);
	ok(shift_flags >= 0.95 * TRIALS && above == shift_flags,
	   "a 1.5x shift is flagged in >= 95%% of trials, always as > 1");
	shift_flags = flagged(1.0 / 1.5, true, &above);
	ok(shift_flags >= 0.95 * TRIALS && above == 0,
	   "a 1/1.5 shift is flagged, always as < 1");
}

static void test_degenerate(void)
{
	double a[4] = { 1, 2, 3, 4 }, z[4] = { 0, 0, 0, 5 };
	size_t one[1] = { 4 }, bad[2] = { 1, 1 };
	struct ws_series_view va = { a, 4, one, 1 }, vz = { z, 4, NULL, 0 };
	struct ws_series_view vbad = { a, 4, bad, 2 }, vnone = { a, 0, NULL, 0 };
	struct ws_ratio r;

	ok(!ws_ratio_of_medians(&va, &va, 100, 0.95, 1, &r) && r.ratio == 1 &&
	   isnan(r.lo) && isnan(r.hi) && !ws_ratio_significant(&r),
	   "one repetition of several samples: a ratio, no CI, not flagged");
	ok(!ws_ratio_of_medians(&vz, &va, 100, 0.95, 1, &r) && isnan(r.ratio) &&
	   isnan(r.lo) && !ws_ratio_significant(&r),
	   "median of A is 0: no ratio, no CI");
	ok(ws_ratio_of_medians(&vbad, &va, 100, 0.95, 1, &r) == -EINVAL,
	   "repetition sizes not adding up to the samples: -EINVAL");
	ok(ws_ratio_of_medians(&vnone, &va, 100, 0.95, 1, &r) == -EINVAL,
	   "empty series: -EINVAL");
}

/* The refactored block path gives the CI of a median exactly as before. */
static void test_same_as_median_ci(void)
{
	double a[R * N], med[2000], lo, hi, lo2, hi2;
	size_t sizes[R];
	uint64_t st = 5;

	fake_run(a, sizes, 1, &st);
	ws_block_bootstrap_median_ci(a, sizes, R, 2000, 0.95, 9, &lo, &hi);
	ws_bootstrap_medians(a, R * N, sizes, R, 2000, 9, med);
	for (size_t i = 1; i < 2000; i++)
		for (size_t j = i; j > 0 && med[j - 1] > med[j]; j--) {
			double t = med[j];

			med[j] = med[j - 1];
			med[j - 1] = t;
		}
	lo2 = ws_percentile_sorted(med, 2000, 2.5);
	hi2 = ws_percentile_sorted(med, 2000, 97.5);
	ok(lo == lo2 && hi == hi2,
	   "bootstrap medians reproduce the block CI of the median");
}

int main(void)
{
	plan(13);
	test_known_ratio();
	test_coverage_and_power();
	test_degenerate();
	test_same_as_median_ci();
	return done_testing();
}
