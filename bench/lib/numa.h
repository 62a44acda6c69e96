/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NUMA for the numa-interplay benchmark, without libnuma (raw syscalls):
 * the machine's nodes and which of them a run can use, where pages are
 * (move_pages(2) queries), first-touch placement (set_mempolicy(2)), and
 * what automatic NUMA balancing did: /proc/vmstat numa_* events, the
 * per-task placement statistics of /proc/<pid>/task/<tid>/sched, and its
 * scan-rate tunables under debugfs (sched/numa_balancing/).
 *
 * Parsers take the text or a root directory, so unit tests feed them
 * synthetic sysfs trees and files.
 */
#ifndef WS_NUMA_H
#define WS_NUMA_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define WS_NUMA_MAX_NODES	64
#define WS_NUMA_SYSFS		"/sys/devices/system/node"
#define WS_NUMA_BALANCING	"/proc/sys/kernel/numa_balancing"
#define WS_NUMA_SCAN_DIR	"/sys/kernel/debug/sched/numa_balancing"

struct ws_numa_node {
	int id;
	cpu_set_t cpus;
	int ncpus;
	char cpulist[128];	/* as sysfs prints it, e.g. "0-3,8" */
	uint64_t mem_total_kb;	/* 0: a memoryless node */
	uint64_t mem_free_kb;
};

struct ws_numa_topo {
	int nnodes;
	struct ws_numa_node nodes[WS_NUMA_MAX_NODES];
};

/*
 * Parse a kernel CPU list ("0-3,8,10-11", "" for none) into @set.
 * Returns the number of CPUs, or -1 when malformed.
 */
int ws_cpulist_parse(const char *s, cpu_set_t *set);
/* A small sysfs/procfs file into @buf (NUL-terminated, truncated); -errno. */
int ws_numa_read_text(const char *path, char *buf, size_t len);

/*
 * Read the online nodes under @root (WS_NUMA_SYSFS): each nodeN
 * directory's cpulist and meminfo.  0, or -1 with the reason in @why.
 */
int ws_numa_topo_read(const char *root, struct ws_numa_topo *t, char *why,
		      size_t len);

/*
 * The two nodes of a run: @cpu_node, where the workload's threads run (the
 * first node with memory and a CPU in @allowed), and @mem_node, where its
 * memory is first touched (the next node with memory).  0, or -1 with the
 * reason in @why, naming every node and what it lacks.
 */
int ws_numa_pick(const struct ws_numa_topo *t, const cpu_set_t *allowed,
		 int *cpu_node, int *mem_node, char *why, size_t len);

/*
 * Can numa-interplay run here?  Two usable nodes (ws_numa_pick), NUMA
 * balancing compiled in (WS_NUMA_BALANCING exists), move_pages(2) and
 * /proc/vmstat's NUMA events.  0, or -1 with the first missing piece in
 * @why.  The nodes picked go to @cpu_node and @mem_node.
 */
int ws_numa_probe(struct ws_numa_topo *t, int *cpu_node, int *mem_node,
		  char *why, size_t len);

/* The topology as JSON: [{"node","cpus","mem_total_kb","mem_free_kb"}]. */
json_t *ws_numa_topo_json(const struct ws_numa_topo *t);

/* ---- placement: numa_mem.c ---- */

/* Bind the calling thread's allocations to @node (MPOL_BIND); 0/-errno. */
int ws_numa_bind_self(int node);
/* Back to the default (local) policy; 0/-errno. */
int ws_numa_unbind_self(void);

/* Where the pages of a range are (move_pages with no target nodes). */
struct ws_numa_census {
	size_t npages;
	size_t on_node[WS_NUMA_MAX_NODES];
	size_t absent;		/* -ENOENT: not present (never touched) */
	size_t other_err;	/* any other negative status */
};

/*
 * Census of @npages pages of @page_size at @base; @scratch holds
 * 2 * npages pointers' worth of buffers (ws_numa_census_scratch()).
 * 0 or -errno.
 */
size_t ws_numa_census_scratch(size_t npages);
int ws_numa_census(void *base, size_t npages, size_t page_size,
		   void *scratch, struct ws_numa_census *c);
/* Pages on @node / npages (0 when npages is 0). */
double ws_numa_fraction(const struct ws_numa_census *c, int node);
/* {"pages","on_node":{"0":n,...},"absent","other_error","local_fraction"} */
json_t *ws_numa_census_json(const struct ws_numa_census *c, int local);

/* ---- what NUMA balancing did: numa_stats.c ---- */

/* /proc/vmstat counters numa-interplay reads, in this order. */
enum ws_numa_event {
	WS_NUMA_PTE_UPDATES,		/* PTEs made PROT_NONE by the scanner */
	WS_NUMA_HUGE_PTE_UPDATES,
	WS_NUMA_HINT_FAULTS,		/* hinting faults taken */
	WS_NUMA_HINT_FAULTS_LOCAL,
	WS_NUMA_PAGES_MIGRATED,
	WS_PGMIGRATE_SUCCESS,
	WS_PGMIGRATE_FAIL,
	WS_NUMA_EVENT_NR
};

struct ws_numa_vmstat {
	bool have[WS_NUMA_EVENT_NR];
	uint64_t v[WS_NUMA_EVENT_NR];
};

const char *ws_numa_event_name(enum ws_numa_event e);
/* Parse /proc/vmstat text; counters absent from it stay have=false. */
void ws_numa_vmstat_parse(const char *text, struct ws_numa_vmstat *s);
/* Read and parse @path (normally "/proc/vmstat"); 0 or -errno. */
int ws_numa_vmstat_read(const char *path, struct ws_numa_vmstat *s);
/* {name: after - before} for counters both have. */
json_t *ws_numa_vmstat_delta_json(const struct ws_numa_vmstat *before,
				  const struct ws_numa_vmstat *after);
static inline uint64_t ws_numa_vmstat_delta(const struct ws_numa_vmstat *b,
					    const struct ws_numa_vmstat *a,
					    enum ws_numa_event e)
{
	return a->have[e] && b->have[e] ? a->v[e] - b->v[e] : 0;
}

/* A task's NUMA placement state, from /proc/<pid>/task/<tid>/sched. */
struct ws_numa_task {
	bool valid;		/* the NUMA lines were there */
	long long scan_seq;	/* mm->numa_scan_seq: scanner passes so far */
	long long pages_migrated;
	long long preferred_nid;	/* -1: none chosen */
	long long total_faults;	/* decayed, as the scheduler keeps it */
	int nnodes;
	/* task_private + task_shared faults per node (decayed) */
	long long faults[WS_NUMA_MAX_NODES];
};

void ws_numa_task_parse(const char *text, struct ws_numa_task *t);
/* Read /proc/self/task/@tid/sched; 0 or -errno. */
int ws_numa_task_read(int tid, struct ws_numa_task *t);
/* One task's minor faults so far (/proc/self/task/@tid/stat); -1 if not. */
long long ws_task_minflt(int tid);
json_t *ws_numa_task_json(const struct ws_numa_task *t);

/*
 * NUMA balancing's scan-rate tunables (debugfs sched/numa_balancing/):
 * how soon a new task or mapping is scanned, how often, and how much per
 * pass.  UINT32_MAX in a field: leave it as the kernel has it.
 */
struct ws_numa_scan {
	uint32_t delay_ms;
	uint32_t period_min_ms;
	uint32_t period_max_ms;
	uint32_t size_mb;
};

#define WS_NUMA_SCAN_KEYS	"delay, period-min, period-max, size"

/* delay=100, period-min=100, period-max=1000: a short run sees passes. */
void ws_numa_scan_default(struct ws_numa_scan *s);
/*
 * Apply "key=value,..." (values: milliseconds, size in MB, or "kernel"
 * to leave one as it is).  -1 with a message naming @opt, the key and
 * what is accepted in @err, @s unchanged.
 */
int ws_numa_scan_parse(const char *opt, const char *spec,
		       struct ws_numa_scan *s, char *err, size_t len);
/* period-min > period-max: -1 with @err. */
int ws_numa_scan_check(const char *opt, const struct ws_numa_scan *s,
		       char *err, size_t len);
json_t *ws_numa_scan_json(const struct ws_numa_scan *s);
/*
 * Write the requested tunables under @dir through the knobs (restored
 * at exit).  0; -ENOENT when @dir is missing (debugfs not mounted, or no
 * CONFIG_NUMA_BALANCING); -errno naming the file in @err otherwise.
 */
int ws_numa_scan_apply(const char *dir, const struct ws_numa_scan *s,
		       char *err, size_t len);
/* What is in force under @dir, null for what cannot be read. */
json_t *ws_numa_scan_read_json(const char *dir);

#endif /* WS_NUMA_H */
