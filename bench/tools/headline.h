/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which numbers of a result are its headline, and which case is which
 * across runs.  compare, report and verify all read this one table; a new
 * benchmark or metric needs one line in headline.c, and a benchmark not in
 * the table (or a case with none of its listed metrics) shows every series
 * it has, so new measurements never vanish from a comparison.
 */
#ifndef WS_HEADLINE_H
#define WS_HEADLINE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define WS_MAX_METRICS	64

struct ws_metric {
	char name[64];		/* "write_ns", or "accuracy.recall" */
	json_t *series;		/* the series; NULL for an exact value */
	double value;		/* exact value: page counts of one run */
	bool varies;		/* exact value of a sampled or lossy case
				 * (ws_case_varies): a rate that varies
				 * from run to run, no CI */
	const char *unit;	/* "ns", "pages/s", "" */
	bool higher_better;
};

/* Headline metrics of case @c of benchmark @bench into @out; the count. */
size_t ws_headline_metrics(const char *bench, json_t *c,
			   struct ws_metric *out, size_t max);
/* Every series of @c and its exact accuracy fields (compare --all). */
size_t ws_all_metrics(json_t *c, struct ws_metric *out, size_t max);

/*
 * Is case @c's accuracy sampled or lossy, so that it varies from run to
 * run (DAMON, idle tracking with the TLB as-is or turned over, a re-arm
 * declared lossy)?  Such values are never exact and never marked.
 */
bool ws_case_varies(json_t *c);

/*
 * Identity of a case across runs: backend, backing, mode, the case's
 * other string fields (pattern, access, phase, tlb, ...; not "note") and
 * its params as canonical JSON.  Malloc'd.
 */
char *ws_case_key(json_t *c);
/* "wp anon async access=write npages=2000 size_bytes=8000K"; malloc'd. */
char *ws_case_label(json_t *c);
/*
 * {key: case} of a results array; a key seen again gets "#2", "#3", ...
 * so that repeated cases pair in order instead of overwriting each other.
 */
json_t *ws_case_index(json_t *results);

/*
 * How far a case is from the one the cover letter quotes for its
 * backend: anon, async (or no mode), no helper threads, 50 % hot,
 * contiguous, largest region.  Lower is closer.
 */
double ws_case_distance(json_t *c);

#endif /* WS_HEADLINE_H */
