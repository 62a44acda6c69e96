// SPDX-License-Identifier: GPL-2.0
/*
 * Cold-set scoring of a mechanism's view of the nested guest's RAM (see
 * cold.h).  A page touched only in a collect window may land in either
 * interval: it is neither a wrong cold call nor a cold page missed.
 */
#include "cold.h"

void ws_cold_count(struct ws_cold_score *c, bool hot, bool rd, bool wr,
		   bool win)
{
	if (!hot) {
		c->called++;
		c->in_use_written += wr;
		c->in_use_read += rd && !wr;
	}
	if (!rd && !wr && !win) {
		c->untouched++;
		c->untouched_called += !hot;
	}
}

void ws_cold_add(struct ws_cold_score *to, const struct ws_cold_score *c)
{
	to->called += c->called;
	to->in_use_read += c->in_use_read;
	to->in_use_written += c->in_use_written;
	to->untouched += c->untouched;
	to->untouched_called += c->untouched_called;
}

void ws_cold_finish(struct ws_cold_score *c)
{
	size_t in_use = c->in_use_read + c->in_use_written;

	c->precision = c->called ? 1.0 - (double)in_use / c->called : 1.0;
	c->recall = c->untouched ?
		(double)c->untouched_called / c->untouched : 1.0;
}
