/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The distributions workload streams draw pages from.  Everything on the
 * sampling path is either per-thread state (the generator, a sequential
 * cursor) or a read-only table built before the threads start (the Zipf
 * alias table), so drawing a page takes no lock, no syscall and no write
 * to shared memory.  All page numbers here are offsets inside one region.
 */
#ifndef WS_DIST_H
#define WS_DIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* splitmix64: one add and three multiply-xorshifts per draw. */
struct ws_rng {
	uint64_t s;
};

static inline void ws_rng_seed(struct ws_rng *r, uint64_t seed)
{
	r->s = seed;
}

static inline uint64_t ws_rng_next(struct ws_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n): multiply-shift, bias below n / 2^64. */
static inline uint64_t ws_rng_below(struct ws_rng *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)ws_rng_next(r) * n) >> 64);
}

/* A seed for stream (a, b) of @seed: distinct inputs, unrelated outputs. */
uint64_t ws_seed_mix(uint64_t seed, uint64_t a, uint64_t b);

/*
 * Zipf over the n pages of a region: the page of rank r (0-based) has
 * probability (r + 1)^-theta / H(n, theta).  Ranks map to pages through a
 * permutation seeded by @seed, so the hot pages are scattered over the
 * region rather than packed at its start.  Sampling is Walker's alias
 * method over pages: one table entry (8 bytes) per draw, O(1).
 */
struct ws_alias_entry {
	uint32_t keep;		/* keep the drawn page if coin < keep */
	uint32_t alias;		/* else take this page */
};

struct ws_zipf {
	uint64_t n;
	double theta;
	struct ws_alias_entry *tab;	/* indexed by page */
	uint32_t *page_of_rank;
};

#define WS_ZIPF_MAX_PAGES	(1ULL << 32)

/* 0 or -errno (-EINVAL: n == 0 or above WS_ZIPF_MAX_PAGES, theta <= 0). */
int ws_zipf_init(struct ws_zipf *z, uint64_t n, double theta, uint64_t seed);
void ws_zipf_free(struct ws_zipf *z);
/* Probability of rank @r under the exact distribution. */
double ws_zipf_prob(const struct ws_zipf *z, uint64_t r);

static inline uint64_t ws_zipf_sample(const struct ws_zipf *z,
				      struct ws_rng *r)
{
	uint64_t x = ws_rng_next(r);
	uint64_t i = ((x >> 32) * z->n) >> 32;
	const struct ws_alias_entry *e = &z->tab[i];
	/*
	 * Select without a branch: the coin is random and e is often a cache
	 * miss, so a branch would mispredict half the time, each time only
	 * once the miss resolved, serialising the batch's table lookups.
	 */
	uint64_t keep = -(uint64_t)((uint32_t)x < e->keep);

	return (i & keep) | (e->alias & ~keep);
}

/*
 * Hot set: a window of @width pages, uniform inside.  With @step > 0 the
 * window moves by @step pages every @every_ns of phase time: "stairs"
 * wrap around the end of the region (the window itself may wrap), "zigzag"
 * bounces between the two ends without wrapping.
 */
struct ws_hotset {
	uint64_t n;		/* region pages */
	uint64_t width;		/* 1..n */
	uint64_t step;		/* 0: the window never moves */
	uint64_t every_ns;
	bool zigzag;
};

/* First page of the window at @t_ns into the phase. */
static inline uint64_t ws_hotset_start(const struct ws_hotset *h,
				       uint64_t t_ns)
{
	unsigned __int128 k, moved;
	uint64_t range, x;

	if (!h->step || !h->every_ns)
		return 0;
	k = t_ns / h->every_ns;
	moved = k * h->step;
	if (!h->zigzag)
		return (uint64_t)(moved % h->n);
	range = h->n - h->width;	/* highest start */
	if (!range)
		return 0;
	x = (uint64_t)(moved % (2 * (unsigned __int128)range));
	return x <= range ? x : 2 * range - x;
}

static inline uint64_t ws_hotset_sample(const struct ws_hotset *h,
					uint64_t start, struct ws_rng *r)
{
	uint64_t p = start + ws_rng_below(r, h->width);

	return p >= h->n ? p - h->n : p;
}

/* Sequential sweep: cursor advances by @stride pages, wrapping. */
static inline uint64_t ws_seq_next(uint64_t *cursor, uint64_t stride,
				   uint64_t n)
{
	uint64_t p = *cursor;

	*cursor += stride;
	if (*cursor >= n)
		*cursor -= n;
	return p;
}

#endif /* WS_DIST_H */
