// SPDX-License-Identifier: GPL-2.0
/*
 * Order statistics, a bootstrap CI of the median and MAD outlier flags.
 *
 * Samples are assumed finite (they are latencies and counts).  Everything
 * here is O(n log n) at worst: the input is sorted once per summary, the
 * MAD uses quickselect, and the bootstrap costs O(resamples) independent of
 * n (see bootstrap_medians_sorted() for why that is still an exact
 * bootstrap), so a summary of 1e6 samples takes well under a second.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "unitci.h"

#define WS_CI_LEVEL		0.95
#define WS_MAD_TO_SIGMA		1.4826	/* MAD of a normal is 0.6745 sigma */
#define WS_OUTLIER_Z		3.5	/* Iglewicz & Hoaglin */

const double ws_pctl_levels[WS_NR_PCTL] = { 50, 90, 99, 99.9, 99.99 };

void ws_samples_init(struct ws_samples *s)
{
	memset(s, 0, sizeof(*s));
}

/*
 * Array @v of *@cap elements of @elem bytes, with twice the room (@first
 * elements at first) and *@cap updated; NULL (@v untouched) when out of memory.
 */
static void *grow(void *v, size_t *cap, size_t elem, size_t first)
{
	size_t n = *cap ? *cap * 2 : first;
	void *p = realloc(v, n * elem);

	if (p)
		*cap = n;
	return p;
}

int ws_samples_push(struct ws_samples *s, double x)
{
	if (s->n == s->cap) {
		double *v = grow(s->v, &s->cap, sizeof(*v), 1024);

		if (!v)
			return -ENOMEM;
		s->v = v;
	}
	s->v[s->n++] = x;
	return 0;
}

int ws_samples_end_rep(struct ws_samples *s)
{
	if (s->n == (s->nreps ? s->rep_end[s->nreps - 1] : 0))
		return 0;
	if (s->nreps == s->rep_cap) {
		size_t *e = grow(s->rep_end, &s->rep_cap, sizeof(*e), 64);

		if (!e)
			return -ENOMEM;
		s->rep_end = e;
	}
	s->rep_end[s->nreps++] = s->n;
	return 0;
}

int ws_samples_push_rep(struct ws_samples *s, double x)
{
	int ret = ws_samples_push(s, x);

	return ret ? ret : ws_samples_end_rep(s);
}

void ws_samples_push_rep_num(struct ws_samples *s, double x)
{
	if (!isnan(x))
		ws_samples_push_rep(s, x);
}

double ws_samples_median(const struct ws_samples *s)
{
	return s->n ? ws_median(s->v, s->n) : NAN;
}

size_t ws_samples_rep_sizes(const struct ws_samples *s, size_t *sizes,
			    size_t max)
{
	size_t r = 0, start = 0;

	if (!s->nreps) {
		for (; r < s->n && r < max; r++)
			sizes[r] = 1;
		return r;
	}
	for (; r < s->nreps && r < max; r++) {
		sizes[r] = s->rep_end[r] - start;
		start = s->rep_end[r];
	}
	if (start < s->n && r < max)
		sizes[r++] = s->n - start;
	return r;
}

void ws_samples_free(struct ws_samples *s)
{
	free(s->v);
	free(s->rep_end);
	ws_samples_init(s);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double *sorted_copy(const double *v, size_t n)
{
	double *c = malloc((n ? n : 1) * sizeof(*c));

	if (!c)
		return NULL;
	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_double);
	return c;
}

/*
 * Hoare/Wirth selection: afterwards a[k] is the k-th smallest, everything
 * left of it is <= and everything right of it is >=.  The pivot is a value
 * (median of three), and both scans stop on elements equal to it, so runs
 * of equal samples -- common with integer nanoseconds -- split evenly
 * instead of degrading to O(n^2).
 */
static double select_kth(double *a, size_t n, size_t k)
{
	ptrdiff_t l = 0, r = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;

	while (l < r) {
		double x = a[l], y = a[l + (r - l) / 2], z = a[r];
		double pivot = x < y ? (y < z ? y : (x < z ? z : x))
				     : (x < z ? x : (y < z ? z : y));
		ptrdiff_t i = l, j = r;

		do {
			while (a[i] < pivot)
				i++;
			while (pivot < a[j])
				j--;
			if (i <= j) {
				double t = a[i];

				a[i] = a[j];
				a[j] = t;
				i++;
				j--;
			}
		} while (i <= j);
		if (j < kk)
			l = i;
		if (kk < i)
			r = j;
	}
	return a[k];
}

/* Median of @a (n >= 1) by selection; reorders @a. */
static double median_inplace(double *a, size_t n)
{
	size_t k = (n - 1) / 2;
	double lo = select_kth(a, n, k), hi;

	if (n % 2)
		return lo;
	/* Even n: the upper middle is the smallest element right of k. */
	hi = a[k + 1];
	for (size_t i = k + 2; i < n; i++)
		if (a[i] < hi)
			hi = a[i];
	return lo + 0.5 * (hi - lo);
}

double ws_percentile_sorted(const double *sorted, size_t n, double q)
{
	double h;
	size_t lo;

	if (n == 0)
		return NAN;
	if (q <= 0)
		return sorted[0];
	if (q >= 100)
		return sorted[n - 1];
	/* Hyndman & Fan type 7: h = (n - 1) q, interpolate x[h], x[h + 1]. */
	h = (double)(n - 1) * q / 100.0;
	lo = (size_t)h;
	if (lo >= n - 1)
		return sorted[n - 1];
	return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

double ws_median(const double *v, size_t n)
{
	double *c, m;

	if (n == 0)
		return NAN;
	c = malloc(n * sizeof(*c));
	if (!c)
		return NAN;
	memcpy(c, v, n * sizeof(*c));
	m = median_inplace(c, n);
	free(c);
	return m;
}

/* Uniform double in the open interval (0, 1). */
static double rand_open01(uint64_t *st)
{
	return ((double)(ws_rand_next(st) >> 11) + 0.5) * 0x1.0p-53;
}

static double rand_normal(uint64_t *st)
{
	/* Box-Muller; one of the pair is enough here. */
	return sqrt(-2.0 * log(rand_open01(st))) *
	       cos(2.0 * M_PI * rand_open01(st));
}

/* Gamma(shape >= 1, 1): Marsaglia & Tsang, ACM TOMS 26(3), 2000. */
static double rand_gamma(uint64_t *st, double shape)
{
	double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);

	for (;;) {
		double z = rand_normal(st), v = 1.0 + c * z, u;

		if (v <= 0)
			continue;
		v = v * v * v;
		u = rand_open01(st);
		if (log(u) < 0.5 * z * z + d - d * v + d * log(v))
			return d * v;
	}
}

/* Beta(a, b), a, b >= 1, as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
static double rand_beta(uint64_t *st, double a, double b)
{
	double x = rand_gamma(st, a), y = rand_gamma(st, b);

	return x / (x + y);
}

static size_t index_of(double u, size_t n)
{
	size_t i = (size_t)(u * (double)n);

	return i < n ? i : n - 1;
}

/*
 * One bootstrap resample draws n indices I_1..I_n uniformly from 0..n-1,
 * I = floor(n U) with U ~ Uniform(0,1).  Because @sorted is ascending and
 * floor is monotone, the k-th smallest resampled value is
 * sorted[floor(n U_(k))], where U_(k) is the k-th order statistic of n
 * uniforms, which is Beta(k, n + 1 - k) distributed.  Drawing U_(k)
 * directly therefore gives the resample's median with exactly the
 * distribution a literal resample-and-select would, at O(1) instead of
 * O(n) per resample.  (tests/unit/test_stats.c cross-checks it against a
 * literal bootstrap.)  For even n the median also needs U_(k+1): given
 * U_(k) = u, the n - k uniforms above u are iid Uniform(u, 1), so
 * U_(k+1) = u + (1 - u) * (1 - V^(1 / (n - k))), V ~ Uniform(0, 1).
 */
static void bootstrap_medians_sorted(const double *sorted, size_t n,
				     size_t resamples, uint64_t seed,
				     double *med)
{
	size_t k = (n + 1) / 2;	/* 1-based rank of the (lower) median */
	uint64_t st;

	/* splitmix64 of the seed: xorshift must not start at 0. */
	st = seed + 0x9E3779B97F4A7C15ULL;
	st = (st ^ (st >> 30)) * 0xBF58476D1CE4E5B9ULL;
	st = (st ^ (st >> 27)) * 0x94D049BB133111EBULL;
	st ^= st >> 31;
	if (!st)
		st = 1;

	for (size_t r = 0; r < resamples; r++) {
		double u = rand_beta(&st, (double)k, (double)(n + 1 - k));
		double lo = sorted[index_of(u, n)], hi, u2;

		if (n % 2) {
			med[r] = lo;
			continue;
		}
		/* 1 - V^(1/m) as -expm1(log(V)/m): accurate for large m. */
		u2 = u - (1.0 - u) *
		     expm1(log(rand_open01(&st)) / (double)(n - k));
		hi = sorted[index_of(u2, n)];
		med[r] = lo + 0.5 * (hi - lo);
	}
}

static int bootstrap_ci_sorted(const double *sorted, size_t n,
			       size_t resamples, double level, uint64_t seed,
			       double *lo, double *hi)
{
	double *med;

	*lo = *hi = NAN;
	if (n == 0 || resamples == 0)
		return 0;
	med = malloc(resamples * sizeof(*med));
	if (!med)
		return -ENOMEM;
	bootstrap_medians_sorted(sorted, n, resamples, seed, med);
	qsort(med, resamples, sizeof(*med), cmp_double);
	*lo = ws_percentile_sorted(med, resamples, 100.0 * (1.0 - level) / 2);
	*hi = ws_percentile_sorted(med, resamples, 100.0 * (1.0 + level) / 2);
	free(med);
	return 0;
}

void ws_bootstrap_median_ci(const double *v, size_t n, size_t resamples,
			    double level, uint64_t seed,
			    double *lo, double *hi)
{
	double *sorted;

	*lo = *hi = NAN;
	if (n == 0)
		return;
	sorted = sorted_copy(v, n);
	if (!sorted)
		return;
	bootstrap_ci_sorted(sorted, n, resamples, level, seed, lo, hi);
	free(sorted);
}

/* Repetitions sorted in place one by one, for counting below a value. */
struct rep_blocks {
	const double *v;	/* all samples, each repetition sorted */
	const size_t *start, *size;
	size_t *active;		/* repetitions drawn in this resample */
	size_t *weight;		/* how often each was drawn */
	size_t nactive;
};

static size_t upper_bound(const double *a, size_t n, double x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Pooled samples of the drawn repetitions that are <= @x, with weights. */
static size_t count_le(const struct rep_blocks *b, double x)
{
	size_t c = 0;

	for (size_t i = 0; i < b->nactive; i++) {
		size_t r = b->active[i];

		c += b->weight[r] * upper_bound(b->v + b->start[r], b->size[r], x);
	}
	return c;
}

/*
 * The @k-th smallest (1-based) pooled sample of the drawn repetitions:
 * the smallest value of @all (every sample, sorted) with at least @k
 * pooled samples at or below it.  O(log N * reps * log n) instead of
 * pooling and selecting O(N) per resample.
 */
static double pooled_kth(const struct rep_blocks *b, const double *all,
			 size_t n_all, size_t k)
{
	size_t lo = 0, hi = n_all - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (count_le(b, all[mid]) >= k)
			hi = mid;
		else
			lo = mid + 1;
	}
	return all[lo];
}

static double block_resample_median(struct rep_blocks *b, const double *all,
				    size_t n_all, size_t nreps, uint64_t *st)
{
	size_t m = 0, k;
	double lo;

	for (size_t i = 0; i < b->nactive; i++)
		b->weight[b->active[i]] = 0;
	b->nactive = 0;
	for (size_t i = 0; i < nreps; i++) {
		size_t r = ws_rand_next(st) % nreps;

		if (!b->weight[r]++)
			b->active[b->nactive++] = r;
		m += b->size[r];
	}
	k = (m + 1) / 2;
	lo = pooled_kth(b, all, n_all, k);
	if (m % 2)
		return lo;
	return lo + 0.5 * (pooled_kth(b, all, n_all, k + 1) - lo);
}

/* Every resample's pooled median into @med; -ENOMEM, or 0. */
static int block_bootstrap_medians(const double *v, const size_t *sizes,
				   size_t nreps, size_t n, size_t resamples,
				   uint64_t seed, double *med)
{
	size_t *start = malloc(nreps * sizeof(*start));
	size_t *idx = calloc(2 * nreps, sizeof(*idx));
	double *blocks = malloc(n * sizeof(*blocks)), *all = sorted_copy(v, n);
	struct rep_blocks b = { 0 };
	uint64_t st = seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;
	int ret = -ENOMEM;

	if (!start || !idx || !blocks || !all)
		goto out;
	memcpy(blocks, v, n * sizeof(*blocks));
	for (size_t r = 0, off = 0; r < nreps; off += sizes[r], r++) {
		start[r] = off;
		qsort(blocks + off, sizes[r], sizeof(*blocks), cmp_double);
	}
	b = (struct rep_blocks){ .v = blocks, .start = start, .size = sizes,
				 .active = idx, .weight = idx + nreps };
	if (!st)
		st = 1;
	for (size_t i = 0; i < resamples; i++)
		med[i] = block_resample_median(&b, all, n, nreps, &st);
	ret = 0;
out:
	free(start);
	free(idx);
	free(blocks);
	free(all);
	return ret;
}

static size_t total_size(const size_t *sizes, size_t nreps)
{
	size_t n = 0;

	for (size_t r = 0; r < nreps; r++)
		n += sizes[r];
	return n;
}

/* Sort @med and take its central @level interval. */
static void percentile_interval(double *med, size_t resamples, double level,
				double *lo, double *hi)
{
	qsort(med, resamples, sizeof(*med), cmp_double);
	*lo = ws_percentile_sorted(med, resamples, 100.0 * (1.0 - level) / 2);
	*hi = ws_percentile_sorted(med, resamples, 100.0 * (1.0 + level) / 2);
}

int ws_block_bootstrap_median_ci(const double *v, const size_t *sizes,
				 size_t nreps, size_t resamples, double level,
				 uint64_t seed, double *lo, double *hi)
{
	size_t n = total_size(sizes, nreps);
	double *med;
	int ret;

	*lo = *hi = NAN;
	if (nreps < 2 || !n || !resamples)
		return 0;
	med = malloc(resamples * sizeof(*med));
	if (!med)
		return -ENOMEM;
	ret = block_bootstrap_medians(v, sizes, nreps, n, resamples, seed, med);
	if (!ret)
		percentile_interval(med, resamples, level, lo, hi);
	free(med);
	return ret;
}

static bool one_sample_each(const size_t *sizes, size_t nreps)
{
	for (size_t r = 0; r < nreps; r++)
		if (sizes[r] != 1)
			return false;
	return true;
}

int ws_bootstrap_medians(const double *v, size_t n, const size_t *sizes,
			 size_t nreps, size_t resamples, uint64_t seed,
			 double *med)
{
	double *sorted;

	if (!n || (sizes && total_size(sizes, nreps) != n))
		return -EINVAL;
	if (sizes && !one_sample_each(sizes, nreps)) {
		if (nreps < 2)
			return -EDOM;
		return block_bootstrap_medians(v, sizes, nreps, n, resamples,
					       seed, med);
	}
	sorted = sorted_copy(v, n);
	if (!sorted)
		return -ENOMEM;
	bootstrap_medians_sorted(sorted, n, resamples, seed, med);
	free(sorted);
	return 0;
}

/* Raw MAD of @v around @med; @scratch holds n doubles. */
static double mad_of(const double *v, size_t n, double med, double *scratch)
{
	for (size_t i = 0; i < n; i++)
		scratch[i] = fabs(v[i] - med);
	return median_inplace(scratch, n);
}

static size_t flag_with(const double *v, size_t n, double med, double mad,
			bool *flags)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++) {
		bool out;

		/*
		 * MAD == 0 means more than half the samples are identical;
		 * any other value is then infinitely many MADs away.
		 */
		if (mad == 0)
			out = v[i] != med;
		else
			out = fabs(v[i] - med) / (WS_MAD_TO_SIGMA * mad) >
			      WS_OUTLIER_Z;
		if (flags)
			flags[i] = out;
		count += out;
	}
	return count;
}

/* Returns the count, or SIZE_MAX (flags untouched) if out of memory. */
size_t ws_flag_outliers(const double *v, size_t n, bool *flags)
{
	double *scratch, med, mad;

	if (n == 0)
		return 0;
	scratch = malloc(n * sizeof(*scratch));
	if (!scratch)
		return SIZE_MAX;
	memcpy(scratch, v, n * sizeof(*scratch));
	med = median_inplace(scratch, n);
	mad = mad_of(v, n, med, scratch);
	free(scratch);
	return flag_with(v, n, med, mad, flags);
}

/* Median, range and coefficient of variation of @k unit medians. */
static void spread_of(const double *med, size_t k, struct ws_spread *sp)
{
	double *c = malloc(k * sizeof(*c)), mean = 0, m2 = 0;

	for (size_t r = 0; r < k; r++)
		mean += (med[r] - mean) / (double)(r + 1);
	for (size_t r = 0; r < k; r++)
		m2 += (med[r] - mean) * (med[r] - mean);
	sp->n = k;
	sp->cv = k > 1 && mean != 0 ? sqrt(m2 / (double)(k - 1)) / fabs(mean) : NAN;
	sp->median = sp->min = sp->max = NAN;
	if (!c)
		return;
	memcpy(c, med, k * sizeof(*c));
	qsort(c, k, sizeof(*c), cmp_double);
	sp->min = c[0];
	sp->max = c[k - 1];
	sp->median = ws_percentile_sorted(c, k, 50);
	free(c);
}

/* Median of each of @k consecutive groups of @sizes[i] samples of @v. */
static int group_medians(const double *v, const size_t *sizes, size_t k,
			 double *med)
{
	size_t off = 0, maxsz = 1;
	double *scratch;

	for (size_t r = 0; r < k; r++)
		maxsz = sizes[r] > maxsz ? sizes[r] : maxsz;
	scratch = malloc(maxsz * sizeof(*scratch));
	if (!scratch)
		return -ENOMEM;
	for (size_t r = 0; r < k; off += sizes[r], r++) {
		memcpy(scratch, v + off, sizes[r] * sizeof(*scratch));
		med[r] = sizes[r] ? median_inplace(scratch, sizes[r]) : NAN;
	}
	free(scratch);
	return 0;
}

/* Repetitions' medians into @med and their spread into @s. */
static int rep_spread(const double *v, const size_t *sizes, size_t nreps,
		      struct ws_summary *s, double *med)
{
	int ret = group_medians(v, sizes, nreps, med);

	if (ret)
		return ret;
	spread_of(med, nreps, &s->reps);
	return 0;
}

/* Invocations' medians into @med (samples per invocation from the reps). */
static int inv_spread(const double *v, const size_t *sizes,
		      const size_t *inv_reps, size_t ninv,
		      struct ws_summary *s, double *med)
{
	size_t *isz = malloc(ninv * sizeof(*isz)), r = 0;
	int ret;

	if (!isz)
		return -ENOMEM;
	for (size_t i = 0; i < ninv; i++) {
		isz[i] = 0;
		for (size_t k = 0; k < inv_reps[i]; k++)
			isz[i] += sizes[r++];
	}
	ret = group_medians(v, isz, ninv, med);
	free(isz);
	if (ret)
		return ret;
	spread_of(med, ninv, &s->invs);
	return 0;
}

/* Everything but the CI and the between-repetition spread. */
static void order_stats(const double *v, const double *sorted, size_t n,
			struct ws_summary *s)
{
	double mean = 0, m2 = 0;

	/* Welford: no catastrophic cancellation for large, tight samples. */
	for (size_t i = 0; i < n; i++) {
		double d = v[i] - mean;

		mean += d / (double)(i + 1);
		m2 += d * (v[i] - mean);
	}
	s->mean = mean;
	if (n > 1)
		s->stddev = sqrt(m2 / (double)(n - 1));
	s->min = sorted[0];
	s->max = sorted[n - 1];
	s->median = ws_percentile_sorted(sorted, n, 50);
	for (int i = 0; i < WS_NR_PCTL; i++)
		/*
		 * A tail percentile needs samples beyond it: with fewer than
		 * 1/(1-q) samples p99.9 is just the maximum under another
		 * name, so it is reported as null instead.
		 */
		s->pctl[i] = (double)n * (1 - ws_pctl_levels[i] / 100) < 1 - 1e-9 ?
			     NAN : ws_percentile_sorted(sorted, n, ws_pctl_levels[i]);
}

static void summary_init(struct ws_summary *s, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->n = n;
	s->min = s->max = s->mean = s->stddev = s->median = s->mad = NAN;
	s->ci_lo = s->ci_hi = s->ci_center = NAN;
	s->ci_level = 0;
	s->ci_method = "none";
	s->reps = (struct ws_spread){ 0, NAN, NAN, NAN, NAN };
	s->invs = s->reps;
	for (int i = 0; i < WS_NR_PCTL; i++)
		s->pctl[i] = NAN;
}

/* The CI over @k unit values; the unit's name into the summary. */
static int unit_ci(const double *units, size_t k, const char *unit,
		   struct ws_summary *s)
{
	struct ws_unit_ci ci;
	int ret = ws_median_ci_units(units, k, WS_CI_LEVEL, &ci);

	if (ret)
		return ret;
	s->ci_unit = unit;
	s->n_units = k;
	s->ci_lo = ci.lo;
	s->ci_hi = ci.hi;
	s->ci_level = ci.level;
	s->ci_center = ci.center;
	s->ci_method = ci.method;
	return 0;
}

/*
 * @sizes == NULL: independent samples, each its own unit.  Otherwise the
 * units are the invocations (@ninv >= 2) or the repetitions.
 */
static int summarize(const double *v, size_t n, const size_t *sizes,
		     size_t nreps, const size_t *inv_reps, size_t ninv,
		     struct ws_summary *s, bool *flags, double *rep_medians)
{
	double *sorted, *units = NULL;
	int ret = 0;

	summary_init(s, n);
	s->ci_unit = sizes ? "repetition" : "sample";
	if (n == 0)
		return 0;
	sorted = sorted_copy(v, n);
	units = malloc((nreps > ninv ? nreps : ninv + 1) * sizeof(*units));
	if (!sorted || !units) {
		ret = -ENOMEM;
		goto out;
	}
	order_stats(v, sorted, n, s);
	if (sizes)
		ret = rep_spread(v, sizes, nreps, s, units);
	if (!ret && rep_medians && sizes)
		memcpy(rep_medians, units, nreps * sizeof(*units));
	if (!ret && ninv >= 2) {
		ret = inv_spread(v, sizes, inv_reps, ninv, s, units);
		if (!ret)
			ret = unit_ci(units, ninv, "invocation", s);
	} else if (!ret && sizes && nreps >= 2) {
		ret = unit_ci(units, nreps, "repetition", s);
	} else if (!ret && !sizes) {
		ret = unit_ci(v, n, "sample", s);
	}
	if (ret)
		goto out;

	/* The sorted copy is no longer needed: reuse it as MAD scratch. */
	s->mad = mad_of(v, n, s->median, sorted);
	s->n_outliers = flag_with(v, n, s->median, s->mad, flags);
out:
	free(units);
	free(sorted);
	return ret;
}

int ws_summarize(const double *v, size_t n, uint64_t seed,
		 struct ws_summary *s, bool *flags)
{
	(void)seed;	/* no resampling: the interval is exact */
	return summarize(v, n, NULL, 0, NULL, 0, s, flags, NULL);
}

int ws_summarize_reps(const double *v, size_t n, const size_t *sizes,
		      size_t nreps, uint64_t seed, struct ws_summary *s,
		      bool *flags, double *rep_medians)
{
	size_t sum = 0;

	for (size_t r = 0; r < nreps; r++)
		sum += sizes[r];
	(void)seed;
	if (sum != n || (n && !nreps))
		return -EINVAL;
	return summarize(v, n, sizes, nreps, NULL, 0, s, flags, rep_medians);
}

int ws_summarize_inv(const double *v, size_t n, const size_t *sizes,
		     size_t nreps, const size_t *inv_reps, size_t ninv,
		     struct ws_summary *s, bool *flags, double *rep_medians)
{
	size_t sum = 0, reps = 0;

	for (size_t r = 0; r < nreps; r++)
		sum += sizes[r];
	for (size_t i = 0; i < ninv; i++)
		reps += inv_reps[i];
	if (sum != n || (n && !nreps) || (ninv && reps != nreps))
		return -EINVAL;
	return summarize(v, n, sizes, nreps, inv_reps, ninv, s, flags,
			 rep_medians);
}
