// SPDX-License-Identifier: GPL-2.0
/*
 * --damon sample=5ms,aggr=100ms,update=never,regions=10-1000
 *
 * Defaults and why:
 *  - sample 5 ms, aggr 100 ms, regions 10-1000: what the 7.3 sysfs
 *    interface gives a new context (mm/damon/sysfs.c
 *    damon_sysfs_attrs_add_dirs), i.e. DAMON as users get it untuned,
 *    which is what the reviewers ask about; damon-sweep varies them.
 *  - update never: vaddr's update step (every update_us, 60 s by default)
 *    replaces the monitored regions with three regions spanning the whole
 *    address space (mm/damon/vaddr.c damon_va_update), so after it DAMON
 *    would monitor our heap, stacks and libraries too and spend regions on
 *    them.  Keeping the initial region (the tracked range) makes the
 *    monitored range what the results say it is, as a VMM watching only
 *    guest memory would want.  update=60s gives the kernel default.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "damon.h"
#include "parse.h"

/* Bounds: sane for a benchmark, and the kernel's own checks. */
#define SAMPLE_MIN_US	100ULL
#define AGGR_MAX_US	(60ULL * 1000000)
#define UPDATE_MAX_US	(86400ULL * 1000000)
#define REGIONS_MIN	3ULL		/* damon_set_attrs() refuses fewer */
#define REGIONS_MAX	(1ULL << 20)

#define DEFAULTS {					\
	.sample_us = 5000,				\
	.aggr_us = 100000,				\
	.update_us = WS_DAMON_UPDATE_NEVER,		\
	.min_regions = 10,				\
	.max_regions = 1000,				\
}

static struct ws_damon_params current_params = DEFAULTS;

void ws_damon_params_default(struct ws_damon_params *p)
{
	*p = (struct ws_damon_params)DEFAULTS;
}

void ws_damon_set_params(const struct ws_damon_params *p)
{
	current_params = *p;
}

void ws_damon_get_params(struct ws_damon_params *p)
{
	*p = current_params;
}

/* "5ms" -> 5000; the unit is required: sysfs counts us, users think ms. */
static int parse_duration(const char *s, uint64_t *us)
{
	static const struct { const char *unit; uint64_t mul; } units[] = {
		{ "us", 1 }, { "ms", 1000 }, { "s", 1000000 },
	};
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].unit)) {
			if (v > UINT64_MAX / units[i].mul)
				return -1;
			*us = v * units[i].mul;
			return 0;
		}
	return -1;
}

static int parse_regions(const char *s, uint64_t *min, uint64_t *max)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*min = strtoull(s, &end, 10);
	if (errno || *end != '-' || end[1] < '0' || end[1] > '9')
		return -1;
	*max = strtoull(end + 1, &end, 10);
	return errno || *end ? -1 : 0;
}

static int in_range(const char *opt, const char *key, uint64_t v,
		    uint64_t lo, uint64_t hi, const char *unit, char *err,
		    size_t len)
{
	if (v >= lo && v <= hi)
		return 0;
	return ws_why(err, len, "%s: %s=%" PRIu64 "%s is out of range: use %" PRIu64 "%s to %" PRIu64 "%s",
		   opt, key, v, unit, lo, unit, hi, unit);
}

static int apply_item(const char *opt, char *item, struct ws_damon_params *p,
		      char *err, size_t len)
{
	char *val = strchr(item, '=');
	const char *dur = "a duration with a unit: us, ms or s (e.g. 5ms)";
	uint64_t v, lo, hi;

	if (!val || val == item)
		return ws_why(err, len, "%s: '%s' is not key=value: keys are %s (e.g. sample=5ms,aggr=100ms,update=never,regions=10-1000)",
			   opt, item, WS_DAMON_KEYS);
	*val++ = '\0';
	if (!strcmp(item, "sample") || !strcmp(item, "aggr")) {
		if (parse_duration(val, &v))
			return ws_why(err, len, "%s: %s='%s' is not %s", opt, item,
				   val, dur);
		if (in_range(opt, item, v, SAMPLE_MIN_US, AGGR_MAX_US, "us",
			     err, len))
			return -1;
		*(item[0] == 's' ? &p->sample_us : &p->aggr_us) = v;
	} else if (!strcmp(item, "update")) {
		if (!strcmp(val, "never")) {
			p->update_us = WS_DAMON_UPDATE_NEVER;
			return 0;
		}
		if (parse_duration(val, &v))
			return ws_why(err, len, "%s: update='%s' is not 'never' or %s",
				   opt, val, dur);
		if (in_range(opt, item, v, SAMPLE_MIN_US, UPDATE_MAX_US, "us",
			     err, len))
			return -1;
		p->update_us = v;
	} else if (!strcmp(item, "regions")) {
		if (parse_regions(val, &lo, &hi))
			return ws_why(err, len, "%s: regions='%s' is not MIN-MAX (e.g. regions=10-1000)",
				   opt, val);
		if (in_range(opt, "regions min", lo, REGIONS_MIN, REGIONS_MAX,
			     "", err, len) ||
		    in_range(opt, "regions max", hi, REGIONS_MIN, REGIONS_MAX,
			     "", err, len))
			return -1;
		p->min_regions = lo;
		p->max_regions = hi;
	} else {
		return ws_why(err, len, "%s: unknown key '%s': keys are %s",
			   opt, item, WS_DAMON_KEYS);
	}
	return 0;
}

int ws_damon_params_check(const char *opt, const struct ws_damon_params *p,
			  char *err, size_t len)
{
	if (p->min_regions > p->max_regions)
		return ws_why(err, len, "%s: regions=%" PRIu64 "-%" PRIu64 ": min is larger than max",
			   opt, p->min_regions, p->max_regions);
	if (p->sample_us > p->aggr_us)
		return ws_why(err, len, "%s: sample (%" PRIu64 "us) is longer than aggr (%" PRIu64 "us): an aggregation window holds whole samples",
			   opt, p->sample_us, p->aggr_us);
	return 0;
}

int ws_damon_params_parse(const char *opt, const char *spec,
			  struct ws_damon_params *p, char *err, size_t len)
{
	struct ws_damon_params next = *p;
	char *copy, *item, *save = NULL;
	int ret = 0;

	if (!*spec)
		return ws_why(err, len, "%s: empty: give key=value pairs, keys %s",
			   opt, WS_DAMON_KEYS);
	copy = strdup(spec);
	if (!copy)
		return ws_why(err, len, "%s: out of memory", opt);
	for (item = strtok_r(copy, ",", &save); item && !ret;
	     item = strtok_r(NULL, ",", &save))
		ret = apply_item(opt, item, &next, err, len);
	/* "a,,b" or a trailing comma: an empty item strtok skipped. */
	if (!ret && (strstr(spec, ",,") || spec[0] == ',' ||
		     spec[strlen(spec) - 1] == ','))
		ret = ws_why(err, len, "%s: '%s' has an empty item", opt, spec);
	free(copy);
	if (!ret)
		*p = next;
	return ret;
}

json_t *ws_damon_params_json(const struct ws_damon_params *p)
{
	json_t *j = json_pack("{s:I,s:I,s:I,s:I,s:I}",
			      "sample_us", (json_int_t)p->sample_us,
			      "aggr_us", (json_int_t)p->aggr_us,
			      "update_us", (json_int_t)p->update_us,
			      "min_regions", (json_int_t)p->min_regions,
			      "max_regions", (json_int_t)p->max_regions);

	if (j)
		json_object_set_new(j, "update",
				    json_string(p->update_us ==
						WS_DAMON_UPDATE_NEVER ?
						"never" : "periodic"));
	return j;
}
