// SPDX-License-Identifier: GPL-2.0
/* Page set bitmaps: edges of the 64-bit word layout, runs, compare(). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pageset.h"
#include "unit.h"

/* Runs via next_run must agree with runs() and count(). */
static int iterate_consistent(const struct ws_pageset *s)
{
	size_t pos = 0, first, n, runs = 0, pages = 0, prev_end = 0;

	while (ws_pageset_next_run(s, &pos, &first, &n)) {
		if (!n || (runs && first <= prev_end))
			return 0;	/* empty or non-maximal run */
		for (size_t i = first; i < first + n; i++)
			if (!ws_pageset_test(s, i))
				return 0;
		if (first + n < s->npages && ws_pageset_test(s, first + n))
			return 0;
		prev_end = first + n;
		runs++;
		pages += n;
	}
	return runs == ws_pageset_runs(s) && pages == ws_pageset_count(s);
}

static void edge_size(size_t npages)
{
	struct ws_pageset s;
	size_t pos = 0, first = 99, n = 99;

	if (ws_pageset_init(&s, npages)) {
		ok(0, "init %zu pages", npages);
		return;
	}
	ok(ws_pageset_count(&s) == 0 && ws_pageset_runs(&s) == 0 &&
	   !ws_pageset_next_run(&s, &pos, &first, &n),
	   "%zu pages: empty set has no pages and no runs", npages);

	ws_pageset_set_range(&s, 0, npages + 10);	/* clamps */
	ok(ws_pageset_count(&s) == npages &&
	   ws_pageset_runs(&s) == (npages ? 1 : 0),
	   "%zu pages: full set_range clamps to npages, one run", npages);
	pos = 0;
	ok(npages ? ws_pageset_next_run(&s, &pos, &first, &n) &&
		    first == 0 && n == npages && pos == npages &&
		    !ws_pageset_next_run(&s, &pos, &first, &n)
		  : !ws_pageset_next_run(&s, &pos, &first, &n),
	   "%zu pages: next_run returns [0, npages) then stops", npages);

	ws_pageset_clear(&s);
	if (npages) {
		ws_pageset_set(&s, npages - 1);
		pos = 0;
		ok(ws_pageset_test(&s, npages - 1) &&
		   (npages == 1 || !ws_pageset_test(&s, npages - 2)) &&
		   ws_pageset_count(&s) == 1 &&
		   ws_pageset_next_run(&s, &pos, &first, &n) &&
		   first == npages - 1 && n == 1,
		   "%zu pages: last page alone is one run of 1", npages);
	}
	ws_pageset_free(&s);
}

static void every_third(void)
{
	struct ws_pageset s;
	int good = 1;

	ws_pageset_init(&s, 1000);
	for (size_t i = 0; i < 1000; i += 3)
		ws_pageset_set(&s, i);
	for (size_t i = 0; i < 1000; i++)
		if (ws_pageset_test(&s, i) != (i % 3 == 0))
			good = 0;
	ok(good, "every 3rd of %zu: test() matches", (size_t)1000);
	ok(ws_pageset_count(&s) == 334, "every 3rd of 1000: count 334");
	ok(ws_pageset_runs(&s) == 334, "every 3rd of 1000: runs 334");
	ok(iterate_consistent(&s), "every 3rd of 1000: next_run gives %zu runs of 1",
	   (size_t)334);

	/* Runs that cross word boundaries: [60, 70) and [127, 129). */
	ws_pageset_clear(&s);
	ws_pageset_set_range(&s, 60, 10);
	ws_pageset_set_range(&s, 127, 2);
	ws_pageset_set_range(&s, 128, 1);	/* overlap is idempotent */
	ok(ws_pageset_count(&s) == 12 && ws_pageset_runs(&s) == 2 &&
	   iterate_consistent(&s), "runs across word boundaries: %zu runs",
	   (size_t)2);
	ws_pageset_free(&s);
}

static int close_to(double a, double b)
{
	return fabs(a - b) < 1e-12;
}

static void compare(void)
{
	struct ws_pageset truth, rep;
	struct ws_accuracy acc;

	ws_pageset_init(&truth, 200);
	ws_pageset_init(&rep, 200);

	ws_pageset_compare(&truth, &rep, &acc);
	ok(acc.truth == 0 && acc.reported == 0 && acc.precision == 1.0 &&
	   acc.recall == 1.0, "compare: both empty -> precision=recall=%zu",
	   (size_t)1);

	/* truth [0,100), reported [50,150): tp 50, fp 50, fn 50 */
	ws_pageset_set_range(&truth, 0, 100);
	ws_pageset_set_range(&rep, 50, 100);
	ws_pageset_compare(&truth, &rep, &acc);
	ok(acc.truth == 100 && acc.reported == 100 && acc.true_pos == 50 &&
	   acc.false_pos == 50 && acc.false_neg == 50 &&
	   close_to(acc.precision, 0.5) && close_to(acc.recall, 0.5),
	   "compare: half overlap -> tp=fp=fn=%zu, 0.5/0.5", (size_t)50);

	/* reported = superset: recall 1, precision 100/150 */
	ws_pageset_set_range(&rep, 0, 50);
	ws_pageset_compare(&truth, &rep, &acc);
	ok(acc.true_pos == 100 && acc.false_pos == 50 && acc.false_neg == 0 &&
	   close_to(acc.precision, 100.0 / 150) && close_to(acc.recall, 1.0),
	   "compare: superset -> recall 1, precision 2/3 (fp=%zu)",
	   (size_t)50);

	/* nothing reported: precision 1 by definition, recall 0 */
	ws_pageset_clear(&rep);
	ws_pageset_compare(&truth, &rep, &acc);
	ok(acc.reported == 0 && acc.precision == 1.0 && acc.recall == 0.0 &&
	   acc.false_neg == 100, "compare: empty report -> recall 0, fn=%zu",
	   (size_t)100);

	/* nothing touched, something reported: recall 1, precision 0 */
	ws_pageset_clear(&truth);
	ws_pageset_set(&rep, 199);
	ws_pageset_compare(&truth, &rep, &acc);
	ok(acc.truth == 0 && acc.recall == 1.0 && acc.precision == 0.0 &&
	   acc.false_pos == 1, "compare: empty truth -> recall 1, fp=%zu",
	   (size_t)1);

	ws_pageset_free(&truth);
	ws_pageset_free(&rep);
}

/* Word runs (idle tracking's bitmap I/O): cover every non-zero word once. */
static void test_word_runs(void)
{
	uint64_t w[40] = { 0 };
	size_t pos = 0, a, b, calls = 0;
	uint64_t st = 7;
	bool good = true;

	w[3] = 1;
	w[13] = 1;	/* 9 zero words between: two runs with max_gap 8 */
	ok(ws_word_run(w, 40, 8, &pos, &a, &b) && a == 3 && b == 4 &&
	   ws_word_run(w, 40, 8, &pos, &a, &b) && a == 13 && b == 14 &&
	   !ws_word_run(w, 40, 8, &pos, &a, &b),
	   "9 zero words apart, max gap 8: two runs, each one word");
	w[12] = 1;	/* now 8 zero words between 3 and 12 */
	pos = 0;
	ok(ws_word_run(w, 40, 8, &pos, &a, &b) && a == 3 && b == 14 &&
	   !ws_word_run(w, 40, 8, &pos, &a, &b),
	   "8 zero words apart: one run [3, 14)");
	memset(w, 0, sizeof(w));
	pos = 0;
	ok(!ws_word_run(w, 40, 8, &pos, &a, &b) && !ws_word_run(w, 0, 8, &pos, &a, &b),
	   "no non-zero word: no run");
	for (int trial = 0; trial < 2000 && good; trial++) {
		size_t n = 1 + trial % 40, gap = trial % 5, covered = 0, prev = 0;
		bool first = true;

		for (size_t i = 0; i < n; i++)
			w[i] = (st = st * 6364136223846793005ULL + 1) >> 62 == 0;
		pos = 0;
		while (good && ws_word_run(w, n, gap, &pos, &a, &b)) {
			good &= b > a && w[a] && w[b - 1] && ++calls < 100000;
			good &= first || a - prev > gap;	/* gap between runs */
			for (size_t i = prev; !first && i < a; i++)
				good &= !w[i];
			for (size_t i = a, z = 0; i < b; i++) {
				z = w[i] ? 0 : z + 1;
				good &= z <= gap;
				covered += !!w[i];
			}
			prev = b;
			first = false;
		}
		for (size_t i = 0; i < n; i++)
			covered -= !!w[i];
		good &= covered == 0;
	}
	ok(good, "2000 random bitmaps: runs cover every non-zero word once, merge gaps <= max, separate larger ones");
}

int main(void)
{
	static const size_t sizes[] = { 0, 1, 63, 64, 65, 1000 };
	/* 3 per size, +1 for each non-empty size, + every_third + compare */
	plan(6 * 3 + 5 + 5 + 5 + 4);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		edge_size(sizes[i]);
	every_third();
	compare();
	test_word_runs();
	return done_testing();
}
