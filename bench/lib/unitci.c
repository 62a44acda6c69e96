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

/* Mean and sample variance of log(@v); -EDOM if some value is <= 0. */
static int log_moments(const double *v, size_t n, double *mean, double *var)
{
	double m = 0, m2 = 0;

	for (size_t i = 0; i < n; i++) {
		double x, d;

		if (!(v[i] > 0) || !isfinite(v[i]))
			return -EDOM;
		x = log(v[i]);
		d = x - m;
		m += d / (double)(i + 1);
		m2 += d * (x - m);
	}
	*mean = m;
	*var = n > 1 ? m2 / (double)(n - 1) : NAN;
	return 0;
}

int ws_welch_log(const double *a, size_t na, const double *b, size_t nb,
		 double level, double delta, struct ws_welch *w)
{
	double ma, va, mb, vb, d, se2, se, t, half, gap;

	w->ratio = w->lo = w->hi = w->df = w->p_change = NAN;
	if (na < 2 || nb < 2 || log_moments(a, na, &ma, &va) ||
	    log_moments(b, nb, &mb, &vb))
		return -EDOM;
	d = mb - ma;
	w->ratio = exp(d);
	gap = fabs(d) - log(delta);
	se2 = va / (double)na + vb / (double)nb;
	if (se2 <= 0) {
		/* No spread at all: the difference is what it is. */
		w->lo = w->hi = w->ratio;
		w->df = (double)(na + nb - 2);
		w->p_change = gap > 0 ? 0 : 1;
		return 0;
	}
	se = sqrt(se2);
	w->df = se2 * se2 / (va * va / ((double)na * na * (double)(na - 1)) +
			     vb * vb / ((double)nb * nb * (double)(nb - 1)));
	t = ws_t_quantile(1 - (1 - level) / 2, w->df);
	half = t * se;
	w->lo = exp(d - half);
	w->hi = exp(d + half);
	/* Two-sided against the nearer edge of the +-delta band. */
	w->p_change = fmin(1, 2 * (1 - ws_t_cdf(gap / se, w->df)));
	return 0;
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
