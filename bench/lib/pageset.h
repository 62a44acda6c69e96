/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A set of pages of one ws_mem region, as a bitmap indexed by page number
 * (granule = region page size).  Trackers fill one with what they saw;
 * workloads fill one with what they touched (ground truth); comparing the
 * two gives precision and recall.
 */
#ifndef WS_PAGESET_H
#define WS_PAGESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ws_pageset {
	size_t npages;
	uint64_t *bits;
};

int ws_pageset_init(struct ws_pageset *s, size_t npages);
void ws_pageset_free(struct ws_pageset *s);
void ws_pageset_clear(struct ws_pageset *s);

static inline void ws_pageset_set(struct ws_pageset *s, size_t i)
{
	s->bits[i / 64] |= 1ULL << (i % 64);
}

static inline bool ws_pageset_test(const struct ws_pageset *s, size_t i)
{
	return s->bits[i / 64] >> (i % 64) & 1;
}

void ws_pageset_set_range(struct ws_pageset *s, size_t first, size_t n);
size_t ws_pageset_count(const struct ws_pageset *s);
bool ws_pageset_equal(const struct ws_pageset *a, const struct ws_pageset *b);
/* Number of maximal runs of set pages (what PAGEMAP_SCAN must report). */
size_t ws_pageset_runs(const struct ws_pageset *s);
/* Iterate runs: start at *pos, returns false when none left. */
bool ws_pageset_next_run(const struct ws_pageset *s, size_t *pos,
			 size_t *first, size_t *n);

/*
 * Runs of non-zero words in @words[*pos, @n), a run extended over at most
 * @max_gap zero words to the next non-zero one (one I/O for words close
 * together).  On true, [*start, *end) is the run (first and last word
 * non-zero) and *pos is advanced past it; false when none is left.
 */
bool ws_word_run(const uint64_t *words, size_t n, size_t max_gap,
		 size_t *pos, size_t *start, size_t *end);

struct ws_accuracy {
	size_t truth;		/* pages actually touched */
	size_t reported;	/* pages the tracker reported */
	size_t true_pos;
	size_t false_pos;
	size_t false_neg;
	double precision;	/* tp / reported, 1.0 when reported == 0 */
	double recall;		/* tp / truth, 1.0 when truth == 0 */
};

void ws_pageset_compare(const struct ws_pageset *truth,
			const struct ws_pageset *reported,
			struct ws_accuracy *acc);
/* One page's (or granule's) decision into @a's counts. */
void ws_accuracy_count(struct ws_accuracy *a, bool reported, bool truth);
/* @a's counts added to @sum's, its precision and recall recomputed. */
void ws_accuracy_add(struct ws_accuracy *sum, const struct ws_accuracy *a);
/* Precision and recall from the counts. */
void ws_accuracy_finish(struct ws_accuracy *a);

#endif /* WS_PAGESET_H */
