/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ground truth for a program wsbench did not write: its own per-access log
 * (fio's iops log with log_offset=1: "msec, value, ddir, bs, offset[,
 * prio]", timestamps in CLOCK_MONOTONIC milliseconds), turned into the
 * pages of the tracked range each interval touched.
 *
 * A logged time L stands for an access in [L, L + 2) ms: fio adds its
 * elapsed milliseconds, truncated, to the epoch's, truncated.  An access
 * whose window straddles an interval boundary counts for both intervals
 * (the tracker may have seen it in either) and is counted as ambiguous.
 */
#ifndef WS_ATTACH_TRUTH_H
#define WS_ATTACH_TRUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pageset.h"

#define WS_TRUTH_SLACK_MS	2

struct ws_truth_access {
	uint64_t t_ms;
	uint32_t first, n;	/* pages of the range */
	bool write;
};

struct ws_truth {
	struct ws_truth_access *v;
	size_t n, cap;
	uint64_t lines, bad_lines, outside;	/* outside: not in the range */
	uint64_t t_min, t_max;			/* ms */
	size_t next;				/* ws_truth_interval()'s cursor */
};

/*
 * Load @path, keeping accesses to file offsets [@off, @off + @len) as page
 * numbers of the range (@psz).  0 or -errno with @why.
 */
int ws_truth_load(struct ws_truth *t, const char *path, uint64_t off,
		  uint64_t len, size_t psz, char *why, size_t whylen);
void ws_truth_free(struct ws_truth *t);

/*
 * Pages read (@rd) and written (@wr) in the interval (@lo_ns, @hi_ns] of
 * CLOCK_MONOTONIC; call for consecutive intervals in order.  Returns the
 * number of accesses that could also belong to a neighbour.
 */
uint64_t ws_truth_interval(struct ws_truth *t, uint64_t lo_ns, uint64_t hi_ns,
			   struct ws_pageset *rd, struct ws_pageset *wr);

#endif /* WS_ATTACH_TRUTH_H */
