// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for bench/lib/numa*.c: CPU lists, the node tree under sysfs
 * (synthetic trees: two nodes, one node, memoryless and CPU-less nodes),
 * which nodes a run picks and the exact reason when it cannot, /proc/vmstat
 * and /proc/<pid>/sched parsing, --numa-scan parsing with its messages,
 * and a real move_pages(2) census of our own pages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "numa.h"
#include "unit.h"

static char root[] = "/tmp/wsbench-numa.XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* A node directory with @cpus ("" for none) and @mem_kb of memory. */
static void node(int id, const char *cpus, unsigned int mem_kb)
{
	char rel[64], text[256];

	snprintf(rel, sizeof(rel), "%s/node%d", root, id);
	mkdir(rel, 0755);
	snprintf(rel, sizeof(rel), "node%d/cpulist", id);
	snprintf(text, sizeof(text), "%s\n", cpus);
	put(rel, text);
	snprintf(rel, sizeof(rel), "node%d/meminfo", id);
	snprintf(text, sizeof(text),
		 "Node %d MemTotal:       %u kB\nNode %d MemFree:        %u kB\nNode %d MemUsed:  1 kB\n",
		 id, mem_kb, id, mem_kb / 2, id);
	put(rel, text);
}

static void test_cpulist(void)
{
	cpu_set_t s;

	ok(ws_cpulist_parse("0-3,8\n", &s) == 5 && CPU_ISSET(8, &s) &&
	   !CPU_ISSET(4, &s), "cpulist 0-3,8 is 5 CPUs");
	ok(ws_cpulist_parse("", &s) == 0, "empty cpulist: no CPUs");
	ok(ws_cpulist_parse("\n", &s) == 0, "a bare newline: no CPUs");
	ok(ws_cpulist_parse("3-1", &s) == -1, "descending range refused");
	ok(ws_cpulist_parse("0-", &s) == -1, "open range refused");
	ok(ws_cpulist_parse("x", &s) == -1, "garbage refused");
	ok(ws_cpulist_parse("1,,2", &s) == -1, "empty item refused");
}

static void test_topology(void)
{
	struct ws_numa_topo t;
	cpu_set_t all, none;
	char why[512];
	int cn, mn;

	CPU_ZERO(&all);
	for (int c = 0; c < 8; c++)
		CPU_SET(c, &all);
	CPU_ZERO(&none);
	CPU_SET(7, &none);

	put("online", "0-1\n");
	node(0, "0", 1048576);
	node(1, "1", 2097152);
	ok(!ws_numa_topo_read(root, &t, why, sizeof(why)) && t.nnodes == 2 &&
	   t.nodes[1].id == 1 && t.nodes[1].mem_total_kb == 2097152 &&
	   t.nodes[1].mem_free_kb == 1048576 && t.nodes[0].ncpus == 1,
	   "two nodes read with their CPUs and memory");
	ok(!ws_numa_pick(&t, &all, &cn, &mn, why, sizeof(why)) && cn == 0 &&
	   mn == 1, "threads on node 0, memory on node 1");
	ok(ws_numa_pick(&t, &none, &cn, &mn, why, sizeof(why)) == -1,
	   "no usable CPU on any node: refused");

	put("online", "0\n");
	ok(!ws_numa_topo_read(root, &t, why, sizeof(why)) && t.nnodes == 1,
	   "one node read");
	ok(ws_numa_pick(&t, &all, &cn, &mn, why, sizeof(why)) == -1 &&
	   !strcmp(why, "1 NUMA node (node0: CPUs 0 (1 usable), 1024 MiB): numa-interplay needs two nodes with memory, one of them with a CPU this process may run on"),
	   "one node: the exact reason");
	diag("%s", why);

	/* Memoryless node 0, memory-only node 2. */
	put("online", "0-2\n");
	node(0, "0-1", 0);
	node(2, "", 524288);
	ok(!ws_numa_topo_read(root, &t, why, sizeof(why)) && t.nnodes == 3 &&
	   t.nodes[2].ncpus == 0 && !strcmp(t.nodes[0].cpulist, "0-1"),
	   "three nodes, one without CPUs, one without memory");
	ok(!ws_numa_pick(&t, &all, &cn, &mn, why, sizeof(why)) && cn == 1 &&
	   mn == 2, "memoryless node 0 skipped: threads on 1, memory on 2");

	put("online", "0-3\n");
	ok(ws_numa_topo_read(root, &t, why, sizeof(why)) == -1 &&
	   strstr(why, "node3/cpulist"), "a missing node directory is an error naming it");
}

static void test_vmstat(void)
{
	struct ws_numa_vmstat a, b;
	json_t *d;

	ws_numa_vmstat_parse("nr_free_pages 10\nnuma_pte_updates 5\nnuma_hint_faults 7\nnuma_pages_migrated 3\n", &a);
	ws_numa_vmstat_parse("numa_pte_updates 9\nnuma_hint_faults 17\nnuma_pages_migrated 4\npgmigrate_success 2\n", &b);
	ok(a.have[WS_NUMA_HINT_FAULTS] && a.v[WS_NUMA_HINT_FAULTS] == 7 &&
	   !a.have[WS_PGMIGRATE_SUCCESS], "vmstat counters parsed, absent ones marked");
	ok(ws_numa_vmstat_delta(&a, &b, WS_NUMA_HINT_FAULTS) == 10 &&
	   ws_numa_vmstat_delta(&a, &b, WS_PGMIGRATE_SUCCESS) == 0,
	   "deltas; none for a counter missing before");
	d = ws_numa_vmstat_delta_json(&a, &b);
	ok(json_integer_value(json_object_get(d, "numa_pages_migrated")) == 1 &&
	   !json_object_get(d, "pgmigrate_success"),
	   "delta JSON holds the counters both snapshots have");
	json_decref(d);
	ws_numa_vmstat_parse("numa_hint_faults\n", &a);
	ok(!a.have[WS_NUMA_HINT_FAULTS], "a name without a value is ignored");
}

static void test_task(void)
{
	const char *text =
		"wsbench (123, #threads: 3)\n"
		"se.exec_start                                :        1.000000\n"
		"mm->numa_scan_seq                            :                    6\n"
		"numa_pages_migrated                          :                  812\n"
		"numa_preferred_nid                           :                    0\n"
		"total_numa_faults                            :                 4096\n"
		"current_node=0, numa_group_id=0\n"
		"numa_faults node=0 task_private=100 task_shared=1 group_private=0 group_shared=0\n"
		"numa_faults node=1 task_private=30 task_shared=0 group_private=0 group_shared=0\n";
	struct ws_numa_task t;

	ws_numa_task_parse(text, &t);
	ok(t.valid && t.scan_seq == 6 && t.pages_migrated == 812 &&
	   t.preferred_nid == 0 && t.total_faults == 4096,
	   "sched: scan sequence, migrations, preferred node, faults");
	ok(t.nnodes == 2 && t.faults[0] == 101 && t.faults[1] == 30,
	   "sched: per-node faults (private + shared)");
	ws_numa_task_parse("se.exec_start : 1.0\n", &t);
	ok(!t.valid && t.preferred_nid == -1, "sched without NUMA lines: not valid");
	ok(ws_task_minflt(gettid()) > 0, "our own thread's minor faults read");
}

static void test_scan(void)
{
	struct ws_numa_scan s;
	char err[256];
	json_t *j;

	ws_numa_scan_default(&s);
	ok(ws_numa_scan_parse("--numa-scan", "delay=0,size=64", &s, err,
			      sizeof(err)) == -1 &&
	   !strcmp(err, "--numa-scan: delay='0': accepted: a whole number from 1 to 3600000 (ms), or kernel"),
	   "delay=0 refused with the accepted range");
	ok(s.delay_ms == 100 && s.size_mb == UINT32_MAX,
	   "... and the values are unchanged");
	ok(!ws_numa_scan_parse("--numa-scan", "period-max=kernel,size=64", &s,
			       err, sizeof(err)) &&
	   s.period_max_ms == UINT32_MAX && s.size_mb == 64,
	   "'kernel' and a size parsed");
	ok(ws_numa_scan_parse("--numa-scan", "speed=3", &s, err,
			      sizeof(err)) == -1 &&
	   !strcmp(err, "--numa-scan: 'speed=3' is not KEY=VALUE with a key among delay, period-min, period-max, size"),
	   "unknown key refused naming the keys");
	ok(ws_numa_scan_parse("--numa-scan", "", &s, err, sizeof(err)) == -1,
	   "empty value refused");
	ok(ws_numa_scan_parse("--numa-scan", "size=-1", &s, err,
			      sizeof(err)) == -1, "negative size refused");
	ok(!ws_numa_scan_parse("--numa-scan", "period-min=500,period-max=200",
			       &s, err, sizeof(err)) &&
	   ws_numa_scan_check("--numa-scan", &s, err, sizeof(err)) == -1 &&
	   !strcmp(err, "--numa-scan: period-min=500 is larger than period-max=200"),
	   "period-min > period-max refused by the check");
	j = ws_numa_scan_json(&s);
	ok(json_integer_value(json_object_get(j, "scan_period_min_ms")) == 500 &&
	   json_integer_value(json_object_get(j, "scan_delay_ms")) == 100 &&
	   json_integer_value(json_object_get(j, "scan_size_mb")) == 64,
	   "scan JSON: the debugfs file names with the values set");
	json_decref(j);
}

static void test_census(void)
{
	size_t psz = (size_t)sysconf(_SC_PAGESIZE), n = 64;
	char *m = mmap(NULL, n * psz, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *scratch = malloc(ws_numa_census_scratch(n));
	struct ws_numa_census c;
	size_t on = 0;

	for (size_t i = 0; i < n / 2; i++)
		m[i * psz] = 1;
	ok(!ws_numa_census(m, n, psz, scratch, &c), "move_pages census runs");
	for (int k = 0; k < WS_NUMA_MAX_NODES; k++)
		on += c.on_node[k];
	ok(on == n / 2 && c.absent == n / 2 && !c.other_err,
	   "touched pages are on a node, untouched ones absent (%zu, %zu)",
	   on, c.absent);
	ok(ws_numa_fraction(&c, 0) + ws_numa_fraction(&c, 1) <= 0.5 + 1e-9,
	   "fractions are of all pages");
	free(scratch);
	munmap(m, n * psz);
}

int main(void)
{
	char cmd[128];

	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	test_cpulist();
	test_topology();
	test_vmstat();
	test_task();
	test_scan();
	test_census();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd))
		diag("could not remove %s", root);
	return done_testing();
}
