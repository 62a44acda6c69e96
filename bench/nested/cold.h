/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cold set of a tracked interval, as an evictor would use it: the
 * workload's pages a mechanism did not report hot, scored against every
 * access of the nested guest (a page only read is in use too, whatever the
 * mechanism sees).
 */
#ifndef WS_NESTED_COLD_H
#define WS_NESTED_COLD_H

#include <stdbool.h>
#include <stddef.h>

struct ws_cold_score {
	size_t called;			/* pages not reported hot */
	size_t in_use_read;		/* of them read (not written) in the interval */
	size_t in_use_written;		/* of them written in the interval */
	size_t untouched;		/* pages untouched in the interval and its windows */
	size_t untouched_called;	/* of them called cold */
	double precision;		/* 1 - in_use / called */
	double recall;			/* untouched_called / untouched */
};

/*
 * One workload page: @hot reported hot; @rd, @wr read, written in the
 * interval; @win touched in the collect windows around it.
 */
void ws_cold_count(struct ws_cold_score *c, bool hot, bool rd, bool wr,
		   bool win);
void ws_cold_add(struct ws_cold_score *to, const struct ws_cold_score *c);
/* Fill in precision and recall (1 when there is nothing to score). */
void ws_cold_finish(struct ws_cold_score *c);

#endif /* WS_NESTED_COLD_H */
