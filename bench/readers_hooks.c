// SPDX-License-Identifier: GPL-2.0
/*
 * tools/readers.h filled in from the trackers, the benchmarks, run's
 * option parser and nested/: the driver is the one floor that may know
 * them all.
 */
#include <stddef.h>

#include "bench.h"
#include "nested.h"
#include "readers.h"
#include "run_cli.h"
#include "tracker.h"

#define MAX_BACKENDS	32

/* anon if it can, else the first backing it supports. */
static const char *table_backing(const struct ws_tracker_ops *o)
{
	for (int b = 0; b < WS_BACKING_NR; b++)
		if (o->backings & WS_BACKING_BIT(b))
			return ws_backing_name(b);
	return "anon";
}

static const struct ws_backend_traits *const *backends(void)
{
	static struct ws_backend_traits traits[MAX_BACKENDS];
	static const struct ws_backend_traits *list[MAX_BACKENDS + 1];

	if (list[0])
		return list;
	for (size_t i = 0; ws_trackers[i] && i < MAX_BACKENDS; i++) {
		const struct ws_tracker_ops *o = ws_trackers[i];

		traits[i] = (struct ws_backend_traits){
			.name = o->name,
			.faults_on = o->faults_on,
			.arm_leaves_tlb = o->arm_leaves_tlb,
			.flush_disturbs_arm = o->flush_disturbs_arm,
			.sampling = o->sampling,
			.table_backing = table_backing(o),
			.sync_only = o->modes == WS_MODE_BIT(WS_MODE_SYNC),
			.table_why = o->backings & WS_BACKING_BIT(WS_BACKING_ANON) ?
				     NULL : o->backings_why,
		};
		list[i] = &traits[i];
	}
	return list;
}

static json_t *run_defaults(const char *bench, const char *profile)
{
	const struct ws_benchmark *b = ws_benchmark_by_name(bench);
	char *argv[] = { (char *)bench, "--profile", (char *)profile, NULL };
	struct ws_run_cfg cfg;
	json_t *j;

	/* The very parser `wsbench run` uses: its defaults, nothing else. */
	if (!b || ws_run_parse(b, 3, argv, &cfg))
		return NULL;
	j = ws_params_json(&cfg.p);
	ws_run_knob_params(j);
	json_object_set_new(j, "invocations", json_integer(cfg.invocations));
	return j;
}

static int run_reads_option(const char *bench, const char *opt)
{
	const struct ws_benchmark *b = ws_benchmark_by_name(bench);

	return b ? ws_run_reads_option(b, opt) : -1;
}

const struct ws_readers ws_readers = {
	.backends = backends,
	.run_defaults = run_defaults,
	.run_reads_option = run_reads_option,
	.nested_summary = ws_nested_summary_print,
};
