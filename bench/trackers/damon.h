/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The DAMON backend's public side: its monitoring parameters (the run's
 * --damon option, and the damon-sweep benchmark's grid), and what one
 * collect() saw, for benchmarks that report DAMON-specific numbers.
 */
#ifndef WS_DAMON_H
#define WS_DAMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "tracker.h"

/*
 * update_us written for "update=never": 2^50 us, 35 years; divided by any
 * sample_us and added to DAMON's sample counter it cannot overflow.
 */
#define WS_DAMON_UPDATE_NEVER	(1ULL << 50)

struct ws_damon_params {
	uint64_t sample_us;	/* monitoring_attrs/intervals/sample_us */
	uint64_t aggr_us;	/* .../aggr_us: one reported window */
	uint64_t update_us;	/* .../update_us, WS_DAMON_UPDATE_NEVER */
	uint64_t min_regions;	/* monitoring_attrs/nr_regions/min */
	uint64_t max_regions;	/* monitoring_attrs/nr_regions/max */
};

/* The accepted keys, for messages and --help. */
#define WS_DAMON_KEYS	"sample, aggr, update, regions"

/* sample=5ms, aggr=100ms, update=never, regions=10-1000. */
void ws_damon_params_default(struct ws_damon_params *p);
/*
 * Apply "key=value,..." to @p (keys not named keep their value, so a
 * repeated option adds to the earlier ones).  Values: sample/aggr/update
 * take a duration with a unit (us, ms, s; update also "never"), regions
 * takes MIN-MAX (min >= 3).  On error returns -1, @p unchanged, and a
 * message naming @opt, the key and what is accepted in @err.
 */
int ws_damon_params_parse(const char *opt, const char *spec,
			  struct ws_damon_params *p, char *err, size_t len);
/*
 * Once every option is in: what the kernel would refuse with EINVAL at
 * "on" (regions min > max, sample > aggr).  0, or -1 with @err.
 */
int ws_damon_params_check(const char *opt, const struct ws_damon_params *p,
			  char *err, size_t len);
json_t *ws_damon_params_json(const struct ws_damon_params *p);

/* Parameters the next open() of the damon backend uses. */
void ws_damon_set_params(const struct ws_damon_params *p);
void ws_damon_get_params(struct ws_damon_params *p);

/* What the last collect() read from tried_regions. */
struct ws_damon_snapshot {
	size_t regions;		/* tried regions in the whole target */
	size_t in_range;	/* ... overlapping the tracked range */
	size_t hot;		/* ... of those with nr_accesses > 0 */
	unsigned int max_nr_accesses;	/* largest nr_accesses seen */
	/*
	 * false when the caller's interval (arm or the previous collect to
	 * this collect) was longer than aggr_us: the reported window may then
	 * not reach back to the interval's start.
	 */
	bool covers_interval;
};

/* 0, or -EINVAL when @t is not an open damon tracker. */
int ws_damon_last_snapshot(struct ws_tracker *t, struct ws_damon_snapshot *s);

#endif /* WS_DAMON_H */
