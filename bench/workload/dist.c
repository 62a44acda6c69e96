// SPDX-License-Identifier: GPL-2.0
/*
 * Table construction for the distributions in dist.h; sampling itself is
 * inline there.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "dist.h"

uint64_t ws_seed_mix(uint64_t seed, uint64_t a, uint64_t b)
{
	struct ws_rng r;

	/* Three chained draws: every input bit reaches every output bit. */
	ws_rng_seed(&r, seed);
	ws_rng_seed(&r, ws_rng_next(&r) ^ a);
	ws_rng_seed(&r, ws_rng_next(&r) ^ b);
	return ws_rng_next(&r);
}

/* Fisher-Yates: page_of_rank is a uniformly random permutation of 0..n-1. */
static void shuffle(uint32_t *v, uint64_t n, uint64_t seed)
{
	struct ws_rng r;

	ws_rng_seed(&r, ws_seed_mix(seed, 0x7a697066, n));
	for (uint64_t i = 0; i < n; i++)
		v[i] = (uint32_t)i;
	for (uint64_t i = n - 1; i > 0; i--) {
		uint64_t j = ws_rng_below(&r, i + 1);
		uint32_t t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
}

static uint32_t keep_threshold(double q)
{
	double t = nearbyint(q * 4294967296.0);

	return t >= 4294967295.0 ? UINT32_MAX : (uint32_t)t;
}

/*
 * Vose's alias construction over pages, q[p] = n * P(p) (mean 1).  Pages
 * with q < 1 keep a share q of their slot and give the rest to a page with
 * q > 1.  Whatever is left at the end is 1 up to rounding: full slots.
 */
static int build_alias(struct ws_zipf *z, double *q)
{
	uint32_t *small = malloc(z->n * sizeof(*small));
	uint32_t *large = malloc(z->n * sizeof(*large));
	uint64_t ns = 0, nl = 0;

	if (!small || !large) {
		free(small);
		free(large);
		return -ENOMEM;
	}
	for (uint64_t p = 0; p < z->n; p++) {
		if (q[p] < 1.0)
			small[ns++] = (uint32_t)p;
		else
			large[nl++] = (uint32_t)p;
	}
	while (ns && nl) {
		uint32_t s = small[--ns], l = large[nl - 1];

		z->tab[s].keep = keep_threshold(q[s]);
		z->tab[s].alias = l;
		q[l] -= 1.0 - q[s];
		if (q[l] < 1.0) {
			nl--;
			small[ns++] = l;
		}
	}
	while (nl) {
		uint32_t l = large[--nl];

		z->tab[l].keep = UINT32_MAX;
		z->tab[l].alias = l;
	}
	while (ns) {
		uint32_t s = small[--ns];

		z->tab[s].keep = UINT32_MAX;
		z->tab[s].alias = s;
	}
	free(small);
	free(large);
	return 0;
}

int ws_zipf_init(struct ws_zipf *z, uint64_t n, double theta, uint64_t seed)
{
	double *q, h = 0;
	int err;

	z->tab = NULL;
	z->page_of_rank = NULL;
	if (!n || n > WS_ZIPF_MAX_PAGES || !(theta > 0) || !isfinite(theta))
		return -EINVAL;
	z->n = n;
	z->theta = theta;
	z->tab = malloc(n * sizeof(*z->tab));
	z->page_of_rank = malloc(n * sizeof(*z->page_of_rank));
	q = malloc(n * sizeof(*q));
	if (!z->tab || !z->page_of_rank || !q) {
		err = -ENOMEM;
		goto fail;
	}
	shuffle(z->page_of_rank, n, seed);
	/* Smallest terms first: less rounding in the normaliser. */
	for (uint64_t r = n; r > 0; r--)
		h += pow((double)r, -theta);
	for (uint64_t r = 0; r < n; r++)
		q[z->page_of_rank[r]] = (double)n * pow((double)(r + 1), -theta) / h;
	err = build_alias(z, q);
	if (err)
		goto fail;
	free(q);
	return 0;
fail:
	free(q);
	ws_zipf_free(z);
	return err;
}

void ws_zipf_free(struct ws_zipf *z)
{
	free(z->tab);
	free(z->page_of_rank);
	z->tab = NULL;
	z->page_of_rank = NULL;
}

double ws_zipf_prob(const struct ws_zipf *z, uint64_t r)
{
	double h = 0;

	for (uint64_t k = z->n; k > 0; k--)
		h += pow((double)k, -z->theta);
	return pow((double)(r + 1), -z->theta) / h;
}
