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

/*
 * Growable sample vector that remembers which repetition each sample came
 * from: samples of one repetition (one page sweep, one interval) are
 * correlated, so confidence intervals resample whole repetitions.
 * ws_samples_end_rep() closes the current repetition; a vector that never
 * had one closed holds one independent repetition per sample.
 */
struct ws_samples {
	double *v;
	size_t n;
	size_t cap;
	size_t *rep_end;	/* repetition r is v[rep_end[r-1]..rep_end[r]) */
	size_t nreps;
	size_t rep_cap;
};

void ws_samples_init(struct ws_samples *s);
int ws_samples_push(struct ws_samples *s, double x);
/* Close the current repetition (no-op when it holds no sample). */
int ws_samples_end_rep(struct ws_samples *s);
/* push + end_rep: a series with one sample per repetition. */
int ws_samples_push_rep(struct ws_samples *s, double x);
/* ws_samples_push_rep() of a value that may be missing (NAN: nothing). */
void ws_samples_push_rep_num(struct ws_samples *s, double x);
/* The median of every sample; NAN without any. */
double ws_samples_median(const struct ws_samples *s);
/*
 * Sizes of the repetitions into @sizes (capacity @max): one per sample
 * when none was closed; samples after the last close form a final one.
 * Returns the number of repetitions.
 */
size_t ws_samples_rep_sizes(const struct ws_samples *s, size_t *sizes,
			    size_t max);
void ws_samples_free(struct ws_samples *s);

#define WS_NR_PCTL 5
/* Percentiles every summary carries: p50 p90 p99 p99.9 (p100 is max). */
extern const double ws_pctl_levels[WS_NR_PCTL];	/* 50, 90, 99, 99.9, 99.99 */

/* How the medians of @n groups (repetitions, invocations) spread. */
struct ws_spread {
	size_t n;
	double median, min, max, cv;	/* of the groups' medians */
};

struct ws_summary {
	size_t n;
	double min, max, mean, stddev;	/* stddev: sample (n-1) */
	double median;
	double mad;			/* median absolute deviation (raw) */
	double pctl[WS_NR_PCTL];
	/*
	 * CI of the median over units (unitci.h): the order statistics of
	 * the units' medians.  ci_level is its exact coverage: 0.95 or more
	 * for "order-statistic", less for "min-max" (fewer than 6 units),
	 * which is never called a 95 % interval.
	 */
	double ci_level;
	double ci_lo, ci_hi;		/* NAN: no interval */
	double ci_center;		/* median of the units' medians */
	const char *ci_method;		/* order-statistic, min-max, none */
	size_t bootstrap_resamples;	/* 0: no bootstrap any more */
	size_t n_outliers;
	/*
	 * The unit: "invocation" (separate processes, when the series
	 * holds two or more), "repetition", or "sample" (independent
	 * samples).  One repetition of several samples has no CI.
	 */
	const char *ci_unit;
	size_t n_units;
	/* Spread between repetitions; between invocations (invs.n >= 2). */
	struct ws_spread reps, invs;
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

/*
 * Block bootstrap CI of the median of pooled repetitions: @v holds
 * @nreps consecutive repetitions of @sizes[r] samples; each resample draws
 * @nreps repetitions with replacement and takes the median of their pooled
 * samples.  Deterministic for a given @seed.  NAN with fewer than 2 reps.
 */
int ws_block_bootstrap_median_ci(const double *v, const size_t *sizes,
				 size_t nreps, size_t resamples, double level,
				 uint64_t seed, double *lo, double *hi);

/*
 * @resamples bootstrap medians of one series into @med, resampling the
 * unit its CI uses: whole repetitions (@sizes, @nreps as above), or single
 * samples when @sizes is NULL or every repetition is one sample.  0;
 * -EDOM when there is nothing to resample (one repetition of several
 * samples), -EINVAL when @sizes does not add up to @n, or -ENOMEM.
 */
int ws_bootstrap_medians(const double *v, size_t n, const size_t *sizes,
			 size_t nreps, size_t resamples, uint64_t seed,
			 double *med);

/* Full summary of independent samples; @flags (may be NULL) receives the
 * outlier flags. */
int ws_summarize(const double *v, size_t n, uint64_t seed,
		 struct ws_summary *s, bool *flags);
/*
 * Full summary of @nreps repetitions (@sizes as above, summing to @n):
 * the CI of the median resamples repetitions, and the between-repetition
 * spread is filled in; @rep_medians (may be NULL) receives each
 * repetition's median.
 */
int ws_summarize_reps(const double *v, size_t n, const size_t *sizes,
		      size_t nreps, uint64_t seed, struct ws_summary *s,
		      bool *flags, double *rep_medians);

/*
 * As ws_summarize_reps() for a series merged from @ninv invocations:
 * invocation i holds the next @inv_reps[i] repetitions.  With two or
 * more, the CI's unit is the invocation.
 */
int ws_summarize_inv(const double *v, size_t n, const size_t *sizes,
		     size_t nreps, const size_t *inv_reps, size_t ninv,
		     struct ws_summary *s, bool *flags, double *rep_medians);

/* {"n":..,"min":..,"median":..,"p50":..,"p90":..,"p99":..,"p99_9":..,
 *  "ci95_median":[lo,hi], ...} */
json_t *ws_summary_json(const struct ws_summary *s);

/*
 * One measured series: {"unit":..,"samples":[..],"rep_sizes":[..],
 * "rep_medians":[..],"outliers":[indices],"summary":{..}}.  NULL on
 * allocation failure.  ws_series_json() is the same for independent
 * samples (one repetition each).
 */
json_t *ws_series_json_reps(const struct ws_samples *s, const char *unit,
			    uint64_t seed);
json_t *ws_series_json(const double *v, size_t n, const char *unit,
		       uint64_t seed);
/* A series merged from invocations (inv_reps as above); adds "inv_reps". */
json_t *ws_series_json_inv(const double *v, size_t n, const size_t *sizes,
			   size_t nreps, const size_t *inv_reps, size_t ninv,
			   const char *unit);

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
