// SPDX-License-Identifier: GPL-2.0
/* The benchmark table, in suite order. */
#include <string.h>

#include "bench.h"

extern const struct ws_benchmark ws_bench_correctness;
extern const struct ws_benchmark ws_bench_fault_latency;
extern const struct ws_benchmark ws_bench_protect_cost;
extern const struct ws_benchmark ws_bench_scan_throughput;
extern const struct ws_benchmark ws_bench_set_mode;
extern const struct ws_benchmark ws_bench_vmm_cycle;
extern const struct ws_benchmark ws_bench_damon_sweep;
extern const struct ws_benchmark ws_bench_numa_interplay;
extern const struct ws_benchmark ws_bench_restore;

const struct ws_benchmark *const ws_benchmarks[] = {
	&ws_bench_correctness,
	&ws_bench_fault_latency,
	&ws_bench_protect_cost,
	&ws_bench_scan_throughput,
	&ws_bench_set_mode,
	&ws_bench_vmm_cycle,
	&ws_bench_damon_sweep,
	&ws_bench_numa_interplay,
	&ws_bench_restore,
	NULL,
};

const struct ws_benchmark *ws_benchmark_by_name(const char *name)
{
	for (size_t i = 0; ws_benchmarks[i]; i++)
		if (!strcmp(ws_benchmarks[i]->name, name))
			return ws_benchmarks[i];
	return NULL;
}
