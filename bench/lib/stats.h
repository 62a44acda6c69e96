/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statistics a reviewer can check: order statistics with linear
 * interpolation (Hyndman & Fan type 7, as numpy's default), a percentile
 * bootstrap CI of the median with a seeded PRNG (reproducible), and
 * MAD-based outlier flags (modified z-score > 3.5, Iglewicz & Hoaglin).
 * Outliers are flagged, never dropped: every summary is over all samples.
 */
#ifndef WS_STATS_H
#define WS_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Growable sample vector. */
struct ws_samples {
	double *v;
	size_t n;
	size_t cap;
};

void ws_samples_init(struct ws_samples *s);
int ws_samples_push(struct ws_samples *s, double x);
void ws_samples_free(struct ws_samples *s);

#define WS_NR_PCTL 5
/* Percentiles every summary carries: p50 p90 p99 p99.9 (p100 is max). */
extern const double ws_pctl_levels[WS_NR_PCTL];	/* 50, 90, 99, 99.9, 99.99 */

struct ws_summary {
	size_t n;
	double min, max, mean, stddev;	/* stddev: sample (n-1) */
	double median;
	double mad;			/* median absolute deviation (raw) */
	double pctl[WS_NR_PCTL];
	double ci_level;		/* 0.95 */
	double ci_lo, ci_hi;		/* bootstrap CI of the median */
	size_t bootstrap_resamples;
	size_t n_outliers;
};

/* q in [0,100]; @sorted must be ascending; n >= 1. */
double ws_percentile_sorted(const double *sorted, size_t n, double q);
double ws_median(const double *v, size_t n);	/* copies, does not reorder */

/*
 * Percentile-bootstrap confidence interval of the median.  Deterministic for
 * a given @seed.  @level e.g. 0.95.
 */
void ws_bootstrap_median_ci(const double *v, size_t n, size_t resamples,
			    double level, uint64_t seed,
			    double *lo, double *hi);

/*
 * Flag outliers: |x - median| / (1.4826 * MAD) > 3.5.  When MAD == 0 only
 * values different from the median are flagged.  Returns the count.
 */
size_t ws_flag_outliers(const double *v, size_t n, bool *flags);

/* Full summary; @flags (may be NULL) receives the outlier flags. */
int ws_summarize(const double *v, size_t n, uint64_t seed,
		 struct ws_summary *s, bool *flags);

/* {"n":..,"min":..,"median":..,"p50":..,"p90":..,"p99":..,"p99_9":..,
 *  "ci95_median":[lo,hi], ...} */
json_t *ws_summary_json(const struct ws_summary *s);

/*
 * One measured series: {"unit":..,"samples":[..],"outliers":[indices],
 * "summary":{..}}.  Summarises @v itself.  NULL on allocation failure.
 */
json_t *ws_series_json(const double *v, size_t n, const char *unit,
		       uint64_t seed);

/* xorshift64* PRNG: tiny, seedable, good enough for resampling. */
static inline uint64_t ws_rand_next(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

#endif /* WS_STATS_H */
