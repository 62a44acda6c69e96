// SPDX-License-Identifier: GPL-2.0
/*
 * Per-access logs as ground truth (truth.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "truth.h"

#define MS	1000000ULL

static int push(struct ws_truth *t, const struct ws_truth_access *a)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 65536;
		struct ws_truth_access *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = *a;
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct ws_truth_access *x = a, *y = b;

	return (x->t_ms > y->t_ms) - (x->t_ms < y->t_ms);
}

int ws_truth_load(struct ws_truth *t, const char *path, uint64_t off,
		  uint64_t len, size_t psz, char *why, size_t whylen)
{
	char line[256];
	FILE *f = fopen(path, "re");
	int ret = 0;

	memset(t, 0, sizeof(*t));
	t->t_min = UINT64_MAX;
	if (!f) {
		snprintf(why, whylen, "truth log %s: %s", path, strerror(errno));
		return -errno;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		uint64_t ms, val, bs, o;
		unsigned int ddir;
		struct ws_truth_access a;

		t->lines++;
		if (sscanf(line, "%" SCNu64 ", %" SCNu64 ", %u, %" SCNu64
			   ", %" SCNu64, &ms, &val, &ddir, &bs, &o) != 5 ||
		    !bs || ddir > 2) {
			t->bad_lines++;
			continue;
		}
		if (o < off || o + bs > off + len || ddir == 2) {
			t->outside++;	/* another file range, or a trim */
			continue;
		}
		a = (struct ws_truth_access){
			.t_ms = ms,
			.first = (uint32_t)((o - off) / psz),
			.n = (uint32_t)((o - off + bs - 1) / psz -
					(o - off) / psz + 1),
			.write = ddir == 1,
		};
		if (ms < t->t_min)
			t->t_min = ms;
		if (ms > t->t_max)
			t->t_max = ms;
		ret = push(t, &a);
	}
	fclose(f);
	if (ret) {
		snprintf(why, whylen, "truth log %s: out of memory", path);
		return ret;
	}
	if (!t->n) {
		snprintf(why, whylen, "truth log %s: no access in the range (%" PRIu64 " lines, %" PRIu64 " unreadable, %" PRIu64 " elsewhere)",
			 path, t->lines, t->bad_lines, t->outside);
		return -ENODATA;
	}
	qsort(t->v, t->n, sizeof(*t->v), by_time);
	return 0;
}

void ws_truth_free(struct ws_truth *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

uint64_t ws_truth_interval(struct ws_truth *t, uint64_t lo_ns, uint64_t hi_ns,
			   struct ws_pageset *rd, struct ws_pageset *wr)
{
	uint64_t ambiguous = 0;

	ws_pageset_clear(rd);
	ws_pageset_clear(wr);
	/* Accesses whose window ends at or before lo_ns are done with. */
	while (t->next < t->n &&
	       (t->v[t->next].t_ms + WS_TRUTH_SLACK_MS) * MS <= lo_ns)
		t->next++;
	for (size_t i = t->next; i < t->n && t->v[i].t_ms * MS <= hi_ns; i++) {
		const struct ws_truth_access *a = &t->v[i];
		size_t n = a->n;

		if (a->first + n > rd->npages)
			n = a->first < rd->npages ? rd->npages - a->first : 0;
		ws_pageset_set_range(a->write ? wr : rd, a->first, n);
		ambiguous += a->t_ms * MS <= lo_ns ||
			     (a->t_ms + WS_TRUTH_SLACK_MS) * MS > hi_ns;
	}
	return ambiguous;
}
