// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the damon backend's --damon option
 * (bench/trackers/damon_params.c) and avail_operations matching: good
 * specs apply exactly their keys, bad ones fail with a message naming the
 * option, the key and what is accepted, and leave the parameters alone.
 */
#include <string.h>

#include "../../bench/trackers/damon.h"
#include "../../bench/trackers/damon_sysfs.h"
#include "unit.h"

static char err[512];

static void bad(const char *spec, const char *want)
{
	struct ws_damon_params p, before;
	int r;

	ws_damon_params_default(&p);
	before = p;
	err[0] = '\0';
	r = ws_damon_params_parse("--damon", spec, &p, err, sizeof(err));
	if (!ok(r == -1 && strstr(err, "--damon") && strstr(err, want) &&
		!memcmp(&p, &before, sizeof(p)),
		"'%s' rejected, message names '%s', params unchanged", spec,
		want))
		diag("r=%d err='%s'", r, err);
}

static void defaults(void)
{
	struct ws_damon_params p;

	ws_damon_params_default(&p);
	ok(p.sample_us == 5000 && p.aggr_us == 100000 &&
	   p.update_us == WS_DAMON_UPDATE_NEVER && p.min_regions == 10 &&
	   p.max_regions == 1000,
	   "defaults: sample 5ms, aggr 100ms, update never, regions 10-1000");
	ok(!ws_damon_params_check("--damon", &p, err, sizeof(err)),
	   "defaults pass the kernel's cross-checks");
}

static void good(void)
{
	struct ws_damon_params p;
	int r;

	ws_damon_params_default(&p);
	r = ws_damon_params_parse("--damon",
				  "sample=500us,aggr=2s,update=60s,regions=3-20000",
				  &p, err, sizeof(err));
	ok(!r && p.sample_us == 500 && p.aggr_us == 2000000 &&
	   p.update_us == 60000000 && p.min_regions == 3 &&
	   p.max_regions == 20000, "every key and unit applied");
	r = ws_damon_params_parse("--damon", "aggr=50ms", &p, err,
				  sizeof(err));
	ok(!r && p.aggr_us == 50000 && p.sample_us == 500 &&
	   p.max_regions == 20000, "a second spec changes only its keys");
	r = ws_damon_params_parse("--damon", "update=never,update=1s", &p,
				  err, sizeof(err));
	ok(!r && p.update_us == 1000000, "a repeated key: the last wins");
	r = ws_damon_params_parse("--damon", "update=never", &p, err,
				  sizeof(err));
	ok(!r && p.update_us == WS_DAMON_UPDATE_NEVER, "update=never");
}

static void cross(void)
{
	struct ws_damon_params p;

	ws_damon_params_default(&p);
	/* Accepted one spec at a time: only the whole is checked. */
	ok(!ws_damon_params_parse("--damon", "sample=1s", &p, err,
				  sizeof(err)),
	   "sample=1s alone parses (aggr may follow)");
	ok(ws_damon_params_check("--damon", &p, err, sizeof(err)) == -1 &&
	   strstr(err, "sample") && strstr(err, "aggr"),
	   "sample 1s > aggr 100ms fails the check, naming both");
	ok(!ws_damon_params_parse("--damon", "aggr=2s", &p, err, sizeof(err)) &&
	   !ws_damon_params_check("--damon", &p, err, sizeof(err)),
	   "... and passes once aggr=2s follows");
	ok(!ws_damon_params_parse("--damon", "regions=100-10", &p, err,
				  sizeof(err)) &&
	   ws_damon_params_check("--damon", &p, err, sizeof(err)) == -1 &&
	   strstr(err, "min is larger than max"),
	   "regions=100-10 fails the check: min > max");
}

static void avail(void)
{
	ok(ws_damon_avail_has("vaddr fvaddr paddr", "vaddr"),
	   "'vaddr fvaddr paddr' has vaddr");
	ok(!ws_damon_avail_has("fvaddr paddr", "vaddr"),
	   "'fvaddr paddr' has no vaddr (fvaddr is not vaddr)");
	ok(!ws_damon_avail_has("paddr", "vaddr"), "'paddr' has no vaddr");
	ok(ws_damon_avail_has("paddr\nvaddr\n", "vaddr"),
	   "newline-separated list as sysfs prints it");
}

int main(void)
{
	defaults();
	good();
	cross();
	bad("", "empty");
	bad("sample", "key=value");
	bad("=5ms", "key=value");
	bad("frob=1", "unknown key 'frob'");
	bad("frob=1", "sample, aggr, update, regions");
	bad("sample=5", "unit: us, ms or s");
	bad("sample=5min", "unit: us, ms or s");
	bad("sample=-5ms", "sample='-5ms'");
	bad("sample=99us", "out of range");
	bad("aggr=61s", "out of range");
	bad("update=soon", "'never'");
	bad("regions=10", "MIN-MAX");
	bad("regions=2-10", "regions min=2");
	bad("regions=10-99999999", "regions max=");
	bad("regions=a-b", "MIN-MAX");
	bad("sample=5ms,,aggr=1s", "empty item");
	bad("sample=5ms,", "empty item");
	bad("sample=99999999999999999999ms", "unit");
	avail();
	return done_testing();
}
