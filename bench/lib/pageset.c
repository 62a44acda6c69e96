// SPDX-License-Identifier: GPL-2.0
/*
 * Page sets as plain bitmaps.  Bits at or beyond npages are always zero
 * (every setter respects npages), so counting and run iteration can work
 * on whole 64-bit words without masking the last one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pageset.h"

static size_t nwords(size_t npages)
{
	return (npages + 63) / 64;
}

int ws_pageset_init(struct ws_pageset *s, size_t npages)
{
	/* At least one word, so an empty set still has a valid pointer. */
	s->bits = calloc(nwords(npages) ? nwords(npages) : 1, sizeof(uint64_t));
	if (!s->bits) {
		s->npages = 0;
		return -ENOMEM;
	}
	s->npages = npages;
	return 0;
}

void ws_pageset_free(struct ws_pageset *s)
{
	free(s->bits);
	s->bits = NULL;
	s->npages = 0;
}

void ws_pageset_clear(struct ws_pageset *s)
{
	memset(s->bits, 0, nwords(s->npages) * sizeof(uint64_t));
}

/* Bits [lo, hi) of one word, 0 <= lo < hi <= 64. */
static uint64_t word_mask(unsigned int lo, unsigned int hi)
{
	uint64_t m = hi == 64 ? ~0ULL : (1ULL << hi) - 1;

	return m & ~((1ULL << lo) - 1);
}

void ws_pageset_set_range(struct ws_pageset *s, size_t first, size_t n)
{
	size_t end;

	if (first >= s->npages)
		return;
	end = n > s->npages - first ? s->npages : first + n;
	while (first < end) {
		size_t w = first / 64;
		unsigned int lo = first % 64;
		unsigned int hi = end - w * 64 < 64 ? end - w * 64 : 64;

		s->bits[w] |= word_mask(lo, hi);
		first = w * 64 + hi;
	}
}

size_t ws_pageset_count(const struct ws_pageset *s)
{
	size_t n = 0;

	for (size_t w = 0; w < nwords(s->npages); w++)
		n += __builtin_popcountll(s->bits[w]);
	return n;
}

size_t ws_pageset_runs(const struct ws_pageset *s)
{
	size_t runs = 0;
	uint64_t carry = 0;	/* bit 63 of the previous word */

	/* A run starts at every set bit whose predecessor is clear. */
	for (size_t w = 0; w < nwords(s->npages); w++) {
		uint64_t x = s->bits[w];

		runs += __builtin_popcountll(x & ~(x << 1 | carry));
		carry = x >> 63;
	}
	return runs;
}

/* First index >= pos whose bit equals @want, or npages if none. */
static size_t find_bit(const struct ws_pageset *s, size_t pos, bool want)
{
	size_t nw = nwords(s->npages);
	size_t w = pos / 64;
	uint64_t x;

	if (pos >= s->npages)
		return s->npages;
	x = (want ? s->bits[w] : ~s->bits[w]) & ~((1ULL << (pos % 64)) - 1);
	for (;;) {
		if (x) {
			size_t i = w * 64 + __builtin_ctzll(x);

			return i < s->npages ? i : s->npages;
		}
		if (++w >= nw)
			return s->npages;
		x = want ? s->bits[w] : ~s->bits[w];
	}
}

bool ws_pageset_next_run(const struct ws_pageset *s, size_t *pos,
			 size_t *first, size_t *n)
{
	size_t start = find_bit(s, *pos, true);
	size_t end;

	if (start >= s->npages) {
		*pos = s->npages;
		return false;
	}
	end = find_bit(s, start + 1, false);
	*first = start;
	*n = end - start;
	*pos = end;
	return true;
}

void ws_pageset_compare(const struct ws_pageset *truth,
			const struct ws_pageset *reported,
			struct ws_accuracy *acc)
{
	size_t na = nwords(truth->npages), nb = nwords(reported->npages);
	size_t nw = na > nb ? na : nb;

	memset(acc, 0, sizeof(*acc));
	for (size_t w = 0; w < nw; w++) {
		uint64_t t = w < na ? truth->bits[w] : 0;
		uint64_t r = w < nb ? reported->bits[w] : 0;

		acc->truth += __builtin_popcountll(t);
		acc->reported += __builtin_popcountll(r);
		acc->true_pos += __builtin_popcountll(t & r);
		acc->false_pos += __builtin_popcountll(r & ~t);
		acc->false_neg += __builtin_popcountll(t & ~r);
	}
	ws_accuracy_finish(acc);
}

void ws_accuracy_count(struct ws_accuracy *a, bool reported, bool truth)
{
	a->truth += truth;
	a->reported += reported;
	a->true_pos += reported && truth;
	a->false_pos += reported && !truth;
	a->false_neg += truth && !reported;
}

void ws_accuracy_add(struct ws_accuracy *sum, const struct ws_accuracy *a)
{
	sum->truth += a->truth;
	sum->reported += a->reported;
	sum->true_pos += a->true_pos;
	sum->false_pos += a->false_pos;
	sum->false_neg += a->false_neg;
	ws_accuracy_finish(sum);
}

void ws_accuracy_finish(struct ws_accuracy *a)
{
	a->precision = a->reported ? (double)a->true_pos / a->reported : 1.0;
	a->recall = a->truth ? (double)a->true_pos / a->truth : 1.0;
}

bool ws_pageset_equal(const struct ws_pageset *a, const struct ws_pageset *b)
{
	return a->npages == b->npages &&
	       !memcmp(a->bits, b->bits, (a->npages + 63) / 64 * sizeof(uint64_t));
}

bool ws_word_run(const uint64_t *words, size_t n, size_t max_gap,
		 size_t *pos, size_t *start, size_t *end)
{
	size_t w = *pos, last;

	while (w < n && !words[w])
		w++;
	if (w >= n)
		return false;
	last = w;
	for (size_t i = w + 1; i < n && i - last <= max_gap + 1; i++)
		if (words[i])
			last = i;
	*start = w;
	*end = last + 1;
	*pos = last + 1;
	return true;
}
