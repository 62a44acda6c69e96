// SPDX-License-Identifier: GPL-2.0
/*
 * Cold-set scoring of the nested guest's RAM (bench/nested/cold.c): which
 * pages count as wrong cold calls (read or written in the interval), which
 * as cold pages (untouched, windows included), and the fractions.
 */
#include "cold.h"
#include "unit.h"

/* Six pages, one of each kind (see the comments). */
static void six_pages(void)
{
	struct ws_cold_score c = { 0 }, sum = { 0 };

	ws_cold_count(&c, true, true, true, false);	/* hot, in use */
	ws_cold_count(&c, false, true, false, false);	/* cold call, read */
	ws_cold_count(&c, false, true, true, false);	/* cold call, written */
	ws_cold_count(&c, false, false, false, false);	/* cold, called */
	ws_cold_count(&c, false, false, false, true);	/* window only */
	ws_cold_count(&c, true, false, false, false);	/* cold, missed */
	ws_cold_finish(&c);
	ok(c.called == 4, "pages not reported hot are called cold (%zu)",
	   c.called);
	ok(c.in_use_read == 1 && c.in_use_written == 1,
	   "a read page and a written page called cold are counted apart (%zu, %zu)",
	   c.in_use_read, c.in_use_written);
	ok(c.untouched == 2 && c.untouched_called == 1,
	   "untouched pages (windows excluded) and those called cold (%zu, %zu)",
	   c.untouched, c.untouched_called);
	ok(c.precision == 0.5 && c.recall == 0.5,
	   "precision 1 - 2/4, recall 1/2 (%g, %g)", c.precision, c.recall);
	ws_cold_add(&sum, &c);
	ws_cold_add(&sum, &c);
	ws_cold_finish(&sum);
	ok(sum.called == 8 && sum.untouched == 4 && sum.precision == 0.5 &&
	   sum.recall == 0.5, "two intervals add up (%zu called, %zu untouched)",
	   sum.called, sum.untouched);
}

int main(void)
{
	struct ws_cold_score none = { 0 };

	plan(6);
	six_pages();
	ws_cold_finish(&none);
	ok(none.precision == 1 && none.recall == 1,
	   "nothing called cold, nothing untouched: 1 and 1");
	return done_testing();
}
