/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How much did a median change between two runs, and is the change more
 * than the runs' own noise?  Ratio of medians B/A with a percentile
 * bootstrap CI that resamples each run the way its own CI of the median
 * does (whole repetitions), A and B independently.
 */
#ifndef WS_RATIO_H
#define WS_RATIO_H

#include <stddef.h>
#include <stdint.h>

/* One measured series: @n samples in @nreps repetitions of @sizes[r]
 * (NULL: independent samples). */
struct ws_series_view {
	const double *v;
	size_t n;
	const size_t *sizes;
	size_t nreps;
};

struct ws_ratio {
	double median_a, median_b;	/* pooled medians */
	double ratio;			/* median_b / median_a; NAN if a is 0 */
	double lo, hi;			/* CI of the ratio; NAN: none */
};

/*
 * Fill @r.  Each of @resamples rounds draws a bootstrap median of A and
 * one of B (independent streams derived from @seed) and takes their
 * ratio; the CI is the central @level of those ratios.  No CI (NAN) when
 * either series has nothing to resample or a resampled median of A is 0.
 * 0, -EINVAL (empty series, sizes not adding up) or -ENOMEM.
 */
int ws_ratio_of_medians(const struct ws_series_view *a,
			const struct ws_series_view *b, size_t resamples,
			double level, uint64_t seed, struct ws_ratio *r);

/* Does the CI exclude 1?  False when there is no CI. */
int ws_ratio_significant(const struct ws_ratio *r);

#endif /* WS_RATIO_H */
