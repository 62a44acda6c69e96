/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inference over the unit that varies (statistics.md): an interval or a
 * test is computed over *units* -- invocations (separate processes) when a
 * result holds several, else the repetitions of one invocation -- never
 * over the samples inside a unit, which share its state and so hide the
 * noise the next unit will have.
 *
 *  - ws_median_ci_units(): a distribution-free interval for the median of
 *    the units' values from their order statistics (the sign-test
 *    interval, as benchstat uses).  Its coverage is exact for continuous
 *    data and depends only on k: with fewer than 6 units no interval
 *    reaches 95 %, and the best one, [min, max], is returned with its true
 *    coverage 1 - 2^(1-k) and the method "min-max" -- it is never called a
 *    95 % interval.
 *  - ws_welch_log(): Welch's two-sample t on the logarithms of two sets
 *    of unit values: the ratio of their geometric means, its CI, and the
 *    p-value of a minimum-effect test (is the change larger than a
 *    practical threshold?).
 *  - ws_yuen_log(): the same on 20 %-trimmed means (Yuen's test, Wilcox
 *    "Introduction to Robust Estimation and Hypothesis Testing" 5.3):
 *    with 5 or more units a side, one stray unit cannot move it; with 4
 *    or fewer it is Welch's.  compare uses it.
 *  - ws_bh_adjust(): Benjamini-Hochberg adjusted p-values.
 */
#ifndef WS_UNITCI_H
#define WS_UNITCI_H

#include <stddef.h>

struct ws_unit_ci {
	double lo, hi;		/* NAN: no interval */
	double level;		/* exact coverage (continuous data) */
	double center;		/* median of the unit values */
	const char *method;	/* "order-statistic", "min-max" or "none" */
	size_t k;		/* units */
};

/* Interval for the median of @k unit values (any order); 0 or -ENOMEM. */
int ws_median_ci_units(const double *u, size_t k, double level,
		       struct ws_unit_ci *ci);

/* Coverage of [x_(r), x_(k+1-r)] for the median: 1 - 2 P(Bin(k,.5) < r). */
double ws_order_stat_coverage(size_t k, size_t r);

/* Student t: P(T <= t) with @df degrees of freedom, and its inverse. */
double ws_t_cdf(double t, double df);
double ws_t_quantile(double p, double df);

struct ws_welch {
	double ratio;		/* exp(mean log B - mean log A) */
	double lo, hi;		/* CI of the ratio at the level asked */
	double df;		/* Welch-Satterthwaite degrees of freedom */
	double p_change;	/* minimum-effect p: H0 |log ratio| <= delta */
};

/*
 * Welch's t on log(@a), log(@b) (every value > 0, na, nb >= 2).  @delta
 * is the practical threshold as a ratio (1.05: a change within +-5 % is
 * "no change").  p_change <= 1 - level exactly when the CI lies wholly
 * outside [1/delta, delta].  -EDOM when a value is <= 0 or a side has
 * fewer than 2 units.
 */
int ws_welch_log(const double *a, size_t na, const double *b, size_t nb,
		 double level, double delta, struct ws_welch *w);

/* Yuen: as ws_welch_log() on the 20 %-trimmed means of the logs, with
 * winsorized variances; ratio is exp(trimmed mean log B - ... A). */
int ws_yuen_log(const double *a, size_t na, const double *b, size_t nb,
		double level, double delta, struct ws_welch *w);

/* exp of the 20 %-trimmed mean of log(@v): what ws_yuen_log() compares. */
double ws_trimmed_geo_mean(const double *v, size_t n);

/* Benjamini-Hochberg: @q[i] = adjusted p of @p[i] (NAN entries skipped). */
int ws_bh_adjust(const double *p, size_t m, double *q);

#endif /* WS_UNITCI_H */
