/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Access pattern files (workloads/NAME.pat, format in workloads/README.md):
 * regions laid out one after another in the memory the engine is given;
 * phases that run for a duration, in order, looping; per phase, streams
 * of accesses to one region each, with a distribution, a weight and a
 * read/write mix.
 *
 * Parsing knows nothing about the memory; ws_pattern_resolve() turns
 * sizes and percentages into pages for a given memory.  Both report
 * errors as "FILE:LINE: expected ..., got ..." in @err.
 */
#ifndef WS_PATTERN_H
#define WS_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define WS_PAT_NAME_MAX		32	/* including the NUL */
#define WS_PAT_MAX_REGIONS	32
#define WS_PAT_MAX_PHASES	64
#define WS_PAT_MAX_STREAMS	16	/* per phase */
#define WS_PAT_MAX_STRIDE	(1ULL << 32)	/* pages */
/* A stream line without "reads PCT%" reads half the time. */
#define WS_PAT_DEFAULT_READS_PCT	50.0

enum ws_dist_kind {
	WS_DIST_UNIFORM,
	WS_DIST_ZIPF,
	WS_DIST_SEQ,
	WS_DIST_HOTSET,
};

struct ws_pat_region {
	char name[WS_PAT_NAME_MAX];
	int line;
	bool is_pct;		/* size is a percentage of the memory */
	double size_pct;
	uint64_t size_bytes;
	/* Filled by ws_pattern_resolve(). */
	size_t first;		/* first page in the memory */
	size_t npages;
};

struct ws_pat_stream {
	int line;
	unsigned int region;	/* index into regions[] */
	enum ws_dist_kind dist;
	double theta;		/* zipf */
	uint64_t stride;	/* seq, in pages */
	double hot_pct;		/* hotset window, % of the region */
	double shift_pct;	/* hotset step, % of the region; 0: fixed */
	uint64_t shift_every_ns;
	bool zigzag;
	double weight;		/* > 0; streams are picked by weight */
	double reads_pct;	/* share of reads, 0..100 */
	/* Filled by ws_pattern_resolve(), in pages of the region. */
	uint64_t hot_pages;
	uint64_t shift_pages;
};

struct ws_pat_phase {
	char name[WS_PAT_NAME_MAX];
	int line;
	uint64_t duration_ns;
	unsigned int repeat;	/* consecutive occurrences, >= 1 */
	unsigned int nstreams;
	struct ws_pat_stream streams[WS_PAT_MAX_STREAMS];
};

struct ws_pattern {
	char file[256];		/* as given, for messages */
	unsigned int nregions;
	unsigned int nphases;
	struct ws_pat_region regions[WS_PAT_MAX_REGIONS];
	struct ws_pat_phase phases[WS_PAT_MAX_PHASES];
	/* Set by ws_pattern_resolve(). */
	bool resolved;
	size_t npages;		/* memory given */
	size_t page_size;
};

/*
 * Parse @text; @file names it in messages.  On success *out is a new
 * pattern (ws_pattern_free()) and 0 is returned; on error -1 with the
 * message in @err.
 */
int ws_pattern_parse(const char *file, const char *text,
		     struct ws_pattern **out, char *err, size_t errlen);
/* Read and parse the file at @path. */
int ws_pattern_load(const char *path, struct ws_pattern **out, char *err,
		    size_t errlen);
/*
 * Lay the regions out in @npages pages of @page_size bytes: declaration
 * order, from page 0, no gaps.  A percentage is of @npages, rounded down.
 * Fails (-1, message in @err) if a region is empty, not a page multiple,
 * or the regions do not fit, or a stream's parameters do not fit its
 * region.
 */
int ws_pattern_resolve(struct ws_pattern *p, size_t npages, size_t page_size,
		       char *err, size_t errlen);
void ws_pattern_free(struct ws_pattern *p);

const char *ws_dist_name(enum ws_dist_kind d);
/* Length of one pass over the phase list (sum of duration * repeat). */
uint64_t ws_pattern_cycle_ns(const struct ws_pattern *p);
/* The pattern as JSON (resolved sizes included when resolved). */
json_t *ws_pattern_json(const struct ws_pattern *p);

#endif /* WS_PATTERN_H */
