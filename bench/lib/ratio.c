// SPDX-License-Identifier: GPL-2.0
/*
 * Bootstrap CI of a ratio of medians (see ratio.h).  Resampling A and B
 * independently is right because the two runs are independent; pairing
 * their repetitions would invent a correlation that is not there.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "ratio.h"
#include "stats.h"

/* Distinct streams for A and B even when both runs used the same seed. */
#define STREAM_B	0xD1B54A32D192ED03ULL

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* Bootstrap ratios into @ma (B's medians in @mb); 1 if some A median is 0. */
static int boot_ratios(const struct ws_series_view *a,
		       const struct ws_series_view *b, size_t resamples,
		       uint64_t seed, double *ma, double *mb)
{
	int err = ws_bootstrap_medians(a->v, a->n, a->sizes, a->nreps,
				       resamples, seed, ma);

	if (!err)
		err = ws_bootstrap_medians(b->v, b->n, b->sizes, b->nreps,
					   resamples, seed ^ STREAM_B, mb);
	if (err)
		return err;
	for (size_t i = 0; i < resamples; i++) {
		if (ma[i] == 0)
			return 1;
		ma[i] = mb[i] / ma[i];
	}
	return 0;
}

int ws_ratio_of_medians(const struct ws_series_view *a,
			const struct ws_series_view *b, size_t resamples,
			double level, uint64_t seed, struct ws_ratio *r)
{
	double *ma, *mb;
	int err;

	r->median_a = r->median_b = r->ratio = r->lo = r->hi = NAN;
	if (!a->n || !b->n)
		return -EINVAL;
	r->median_a = ws_median(a->v, a->n);
	r->median_b = ws_median(b->v, b->n);
	if (r->median_a != 0)
		r->ratio = r->median_b / r->median_a;
	if (!resamples)
		return 0;
	ma = malloc(resamples * sizeof(*ma));
	mb = malloc(resamples * sizeof(*mb));
	err = ma && mb ? boot_ratios(a, b, resamples, seed, ma, mb) : -ENOMEM;
	if (!err) {
		qsort(ma, resamples, sizeof(*ma), cmp_double);
		r->lo = ws_percentile_sorted(ma, resamples,
					     100.0 * (1.0 - level) / 2);
		r->hi = ws_percentile_sorted(ma, resamples,
					     100.0 * (1.0 + level) / 2);
	}
	free(ma);
	free(mb);
	/* Nothing to resample or a zero denominator: a ratio without a CI. */
	return err == -EDOM || err == 1 ? 0 : err;
}

int ws_ratio_significant(const struct ws_ratio *r)
{
	return isfinite(r->lo) && isfinite(r->hi) && (r->lo > 1 || r->hi < 1);
}
