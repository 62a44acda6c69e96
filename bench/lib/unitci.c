// SPDX-License-Identifier: GPL-2.0
/*
 * Intervals and tests over units (unitci.h).  tests/unit/test_unitci.c
 * simulates their coverage, false alarms and power.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "unitci.h"

/* Yuen's trimming: 20 % of each side, Wilcox's recommended default. */
#define YUEN_TRIM	0.2

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* log P(Bin(k, 1/2) = i) */
static double log_binom_half(size_t k, size_t i)
{
	return lgamma((double)k + 1) - lgamma((double)i + 1) -
	       lgamma((double)(k - i) + 1) - (double)k * M_LN2;
}

double ws_order_stat_coverage(size_t k, size_t r)
{
	double below = 0;	/* P(Bin(k, .5) <= r - 1) */

	if (!r || 2 * r > k + 1)
		return 0;
	for (size_t i = 0; i < r; i++)
		below += exp(log_binom_half(k, i));
	return 1 - 2 * below;
}

/*
 * The narrowest symmetric pair [x_(r), x_(k+1-r)] whose coverage is at
 * least @level: the largest r with 2 P(B <= r-1) <= 1 - level.  Scans
 * the binomial once, O(k).
 */
static size_t widest_rank(size_t k, double level)
{
	double below = 0, tail = (1 - level) / 2;
	size_t r = 0;

	while (2 * (r + 1) <= k + 1) {
		double next = below + exp(log_binom_half(k, r));

		if (next > tail + 1e-12)
			break;
		below = next;
		r++;
	}
	return r;	/* 0: even [min, max] falls short of @level */
}

static void ci_none(struct ws_unit_ci *ci, size_t k)
{
	ci->lo = ci->hi = ci->center = NAN;
	ci->level = 0;
	ci->method = "none";
	ci->k = k;
}

int ws_median_ci_units(const double *u, size_t k, double level,
		       struct ws_unit_ci *ci)
{
	double *s;
	size_t r;

	ci_none(ci, k);
	if (!k)
		return 0;
	s = malloc(k * sizeof(*s));
	if (!s)
		return -ENOMEM;
	memcpy(s, u, k * sizeof(*s));
	qsort(s, k, sizeof(*s), cmp_double);
	ci->center = k % 2 ? s[k / 2] : s[k / 2 - 1] + 0.5 * (s[k / 2] - s[k / 2 - 1]);
	if (k >= 2) {
		r = widest_rank(k, level);
		ci->method = r ? "order-statistic" : "min-max";
		r = r ? r : 1;
		ci->lo = s[r - 1];
		ci->hi = s[k - r];
		ci->level = ws_order_stat_coverage(k, r);
	}
	free(s);
	return 0;
}

/* Continued fraction of the incomplete beta (modified Lentz). */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	d = fabs(d) < tiny ? tiny : d;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 500; m++) {
		double m2 = 2.0 * m;
		double num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));

		for (int step = 0; step < 2; step++) {
			d = 1 + num * d;
			d = fabs(d) < tiny ? tiny : d;
			c = 1 + num / c;
			c = fabs(c) < tiny ? tiny : c;
			d = 1 / d;
			h *= d * c;
			num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		}
		if (fabs(d * c - 1) < 1e-15)
			break;
	}
	return h;
}

/* Regularized incomplete beta I_x(a, b). */
static double inc_beta(double x, double a, double b)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) +
		    b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(a, b, x) / a;
	return 1 - front * beta_cf(b, a, 1 - x) / b;
}

double ws_t_cdf(double t, double df)
{
	double tail;

	if (isnan(t) || !(df > 0))
		return NAN;
	if (isinf(t))
		return t > 0 ? 1 : 0;
	tail = 0.5 * inc_beta(df / (df + t * t), df / 2, 0.5);
	return t >= 0 ? 1 - tail : tail;
}

double ws_t_quantile(double p, double df)
{
	double lo = 0, hi = 1;

	if (!(p > 0 && p < 1) || !(df > 0))
		return NAN;
	if (p < 0.5)
		return -ws_t_quantile(1 - p, df);
	while (ws_t_cdf(hi, df) < p && hi < 1e300)
		hi *= 2;
	for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
		double mid = 0.5 * (lo + hi);

		if (ws_t_cdf(mid, df) < p)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

/*
 * The trimmed mean of log(@v) and Yuen's squared standard error of it:
 * @g of the smallest and of the largest values are trimmed for the mean
 * and winsorized (set to the nearest kept value) for the variance, d =
 * (n - 1) s_w^2 / (h (h - 1)) with h = n - 2g kept.  g = 0 gives the mean
 * and s^2 / n.  @h_out: h.  -EDOM if some value is <= 0 or not finite.
 */
static int log_trimmed(const double *v, size_t n, size_t g, double *mean,
		       double *d, size_t *h_out)
{
	double *x = malloc(n * sizeof(*x)), m = 0, wm = 0, m2 = 0;
	size_t h = n - 2 * g;

	if (!x)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (!(v[i] > 0) || !isfinite(v[i])) {
			free(x);
			return -EDOM;
		}
		x[i] = log(v[i]);
	}
	qsort(x, n, sizeof(*x), cmp_double);
	for (size_t i = g; i < n - g; i++)
		m += x[i] / (double)h;
	for (size_t i = 0; i < n; i++)
		x[i] = x[i < g ? g : i >= n - g ? n - g - 1 : i];
	for (size_t i = 0; i < n; i++)
		wm += x[i] / (double)n;
	for (size_t i = 0; i < n; i++)
		m2 += (x[i] - wm) * (x[i] - wm);
	free(x);
	*mean = m;
	*d = m2 / ((double)h * (double)(h - 1));
	*h_out = h;
	return 0;
}

/*
 * The finest step between distinct values of @a and @b (0 if all are
 * equal): medians of clock readings come in whole (or half) nanoseconds.
 */
static double resolution(const double *a, size_t na, const double *b,
			 size_t nb)
{
	double *x = malloc((na + nb) * sizeof(*x)), q = 0;

	if (!x)
		return 0;
	memcpy(x, a, na * sizeof(*x));
	memcpy(x + na, b, nb * sizeof(*x));
	qsort(x, na + nb, sizeof(*x), cmp_double);
	for (size_t i = 1; i < na + nb; i++)
		if (x[i] > x[i - 1] && (!q || x[i] - x[i - 1] < q))
			q = x[i] - x[i - 1];
	free(x);
	return q;
}

/*
 * Two-sample t on logs with @gamma trimming per side (0: Welch; 0.2:
 * Yuen's test, Welch's on 20 %-trimmed means, which one stray invocation
 * -- a process that met another job -- cannot drag).
 */
static int log_t_test(const double *a, size_t na, const double *b,
		      size_t nb, double level, double delta, double gamma,
		      struct ws_welch *w)
{
	size_t ga = (size_t)floor(gamma * (double)na);
	size_t gb = (size_t)floor(gamma * (double)nb), ha, hb;
	double ma, da, mb, db, d, se2, se, t, gap, q;

	w->ratio = w->lo = w->hi = w->df = w->p_change = NAN;
	if (na < 2 || nb < 2 || na - 2 * ga < 2 || nb - 2 * gb < 2 ||
	    log_trimmed(a, na, ga, &ma, &da, &ha) ||
	    log_trimmed(b, nb, gb, &mb, &db, &hb))
		return -EDOM;
	d = mb - ma;
	w->ratio = exp(d);
	gap = fabs(d) - log(delta);
	/*
	 * Values measured in steps of q cannot vouch for a mean finer than
	 * the rounding's own variance, q^2 / 12 per value: without this
	 * floor four invocations at 17 ns against four at 18 ns (one clock
	 * step) would be a certain change.
	 */
	q = resolution(a, na, b, nb);
	da = fmax(da, pow(q / exp(ma), 2) / (12.0 * (double)ha));
	db = fmax(db, pow(q / exp(mb), 2) / (12.0 * (double)hb));
	se2 = da + db;
	if (se2 <= 0) {
		/* No spread at all: the difference is what it is. */
		w->lo = w->hi = w->ratio;
		w->df = (double)(ha + hb - 2);
		w->p_change = gap > 0 ? 0 : 1;
		return 0;
	}
	se = sqrt(se2);
	w->df = se2 * se2 / (da * da / (double)(ha - 1) +
			     db * db / (double)(hb - 1));
	t = ws_t_quantile(1 - (1 - level) / 2, w->df);
	w->lo = exp(d - t * se);
	w->hi = exp(d + t * se);
	/* Two-sided against the nearer edge of the +-delta band. */
	w->p_change = fmin(1, 2 * (1 - ws_t_cdf(gap / se, w->df)));
	return 0;
}

int ws_welch_log(const double *a, size_t na, const double *b, size_t nb,
		 double level, double delta, struct ws_welch *w)
{
	return log_t_test(a, na, b, nb, level, delta, 0, w);
}

int ws_yuen_log(const double *a, size_t na, const double *b, size_t nb,
		double level, double delta, struct ws_welch *w)
{
	return log_t_test(a, na, b, nb, level, delta, YUEN_TRIM, w);
}

double ws_trimmed_geo_mean(const double *v, size_t n)
{
	size_t g = (size_t)floor(YUEN_TRIM * (double)n), h;
	double m, d;

	if (!n || log_trimmed(v, n, g, &m, &d, &h))
		return NAN;
	return exp(m);
}

struct ranked {
	double p;
	size_t i;
};

static int cmp_ranked(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;

	return (a->p > b->p) - (a->p < b->p);
}

int ws_bh_adjust(const double *p, size_t m, double *q)
{
	struct ranked *r = malloc((m ? m : 1) * sizeof(*r));
	size_t n = 0;
	double run = 1;

	if (!r)
		return -ENOMEM;
	for (size_t i = 0; i < m; i++) {
		q[i] = NAN;
		if (!isnan(p[i]))
			r[n++] = (struct ranked){ p[i], i };
	}
	qsort(r, n, sizeof(*r), cmp_ranked);
	/* q_(j) = min over l >= j of n p_(l) / l, capped at 1. */
	for (size_t j = n; j-- > 0;) {
		run = fmin(run, r[j].p * (double)n / (double)(j + 1));
		q[r[j].i] = run;
	}
	free(r);
	return 0;
}
