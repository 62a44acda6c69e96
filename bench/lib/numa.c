// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA topology (numa.h): the nodes under sysfs, which two a run uses,
 * and whether this machine can run numa-interplay at all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "numa.h"

int ws_cpulist_parse(const char *s, cpu_set_t *set)
{
	CPU_ZERO(set);
	while (*s && *s != '\n') {
		char *end;
		long lo = strtol(s, &end, 10), hi = lo;

		if (end == s || lo < 0)
			return -1;
		s = end;
		if (*s == '-') {
			hi = strtol(s + 1, &end, 10);
			if (end == s + 1 || hi < lo)
				return -1;
			s = end;
		}
		if (hi >= CPU_SETSIZE)
			return -1;
		for (long c = lo; c <= hi; c++)
			CPU_SET(c, set);
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -1;
	}
	return CPU_COUNT(set);
}

/* "Node 0 MemTotal:  1023548 kB" lines of nodeN/meminfo. */
static void node_meminfo(const char *text, struct ws_numa_node *n)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : l) {
		unsigned long long kb;
		int id;

		if (sscanf(l, "Node %d MemTotal: %llu", &id, &kb) == 2)
			n->mem_total_kb = kb;
		else if (sscanf(l, "Node %d MemFree: %llu", &id, &kb) == 2)
			n->mem_free_kb = kb;
	}
}

static int read_node(const char *root, int id, struct ws_numa_node *n,
		     char *why, size_t len)
{
	char path[512], buf[4096];
	int err;

	memset(n, 0, sizeof(*n));
	n->id = id;
	snprintf(path, sizeof(path), "%s/node%d/cpulist", root, id);
	err = ws_numa_read_text(path, n->cpulist, sizeof(n->cpulist));
	if (!err) {
		n->cpulist[strcspn(n->cpulist, "\n")] = '\0';
		n->ncpus = ws_cpulist_parse(n->cpulist, &n->cpus);
	}
	if (err || n->ncpus < 0) {
		snprintf(why, len, "%s: %s", path,
			 err ? strerror(-err) : "not a CPU list");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/node%d/meminfo", root, id);
	err = ws_numa_read_text(path, buf, sizeof(buf));
	if (err) {
		snprintf(why, len, "%s: %s", path, strerror(-err));
		return -1;
	}
	node_meminfo(buf, n);
	return 0;
}

int ws_numa_topo_read(const char *root, struct ws_numa_topo *t, char *why,
		      size_t len)
{
	char path[512], online[256];
	cpu_set_t ids;
	int err;

	memset(t, 0, sizeof(*t));
	snprintf(path, sizeof(path), "%s/online", root);
	err = ws_numa_read_text(path, online, sizeof(online));
	if (err) {
		snprintf(why, len, "%s: %s (no NUMA support in this kernel)",
			 path, strerror(-err));
		return -1;
	}
	/* Node ids use the CPU-list syntax. */
	if (ws_cpulist_parse(online, &ids) < 1) {
		snprintf(why, len, "%s: '%s' is not a node list", path,
			 online);
		return -1;
	}
	for (int id = 0; id < CPU_SETSIZE && t->nnodes < WS_NUMA_MAX_NODES; id++)
		if (CPU_ISSET(id, &ids) &&
		    read_node(root, id, &t->nodes[t->nnodes++], why, len))
			return -1;
	return 0;
}

/* Node @n's CPUs that @allowed lets us use. */
static int usable_cpus(const struct ws_numa_node *n, const cpu_set_t *allowed)
{
	cpu_set_t both;

	CPU_AND(&both, &n->cpus, allowed);
	return CPU_COUNT(&both);
}

static void describe(const struct ws_numa_topo *t, const cpu_set_t *allowed,
		     char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < t->nnodes && o < len; i++) {
		const struct ws_numa_node *n = &t->nodes[i];

		o += snprintf(buf + o, len - o, "%snode%d: CPUs %s (%d usable), %llu MiB",
			      i ? "; " : "", n->id,
			      n->ncpus ? n->cpulist : "none",
			      usable_cpus(n, allowed),
			      (unsigned long long)n->mem_total_kb / 1024);
	}
}

int ws_numa_pick(const struct ws_numa_topo *t, const cpu_set_t *allowed,
		 int *cpu_node, int *mem_node, char *why, size_t len)
{
	char nodes[512];

	*cpu_node = *mem_node = -1;
	for (int i = 0; i < t->nnodes && *cpu_node < 0; i++)
		if (t->nodes[i].mem_total_kb && usable_cpus(&t->nodes[i], allowed))
			*cpu_node = t->nodes[i].id;
	for (int i = 0; i < t->nnodes && *cpu_node >= 0 && *mem_node < 0; i++)
		if (t->nodes[i].mem_total_kb && t->nodes[i].id != *cpu_node)
			*mem_node = t->nodes[i].id;
	if (*mem_node >= 0)
		return 0;
	describe(t, allowed, nodes, sizeof(nodes));
	snprintf(why, len, "%d NUMA node%s (%s): numa-interplay needs two nodes with memory, one of them with a CPU this process may run on",
		 t->nnodes, t->nnodes == 1 ? "" : "s", nodes);
	return -1;
}

static int have_vmstat_events(char *why, size_t len)
{
	struct ws_numa_vmstat s;
	int err = ws_numa_vmstat_read("/proc/vmstat", &s);

	if (err) {
		snprintf(why, len, "/proc/vmstat: %s", strerror(-err));
		return -1;
	}
	if (!s.have[WS_NUMA_HINT_FAULTS] || !s.have[WS_NUMA_PAGES_MIGRATED]) {
		snprintf(why, len, "/proc/vmstat has no numa_hint_faults/numa_pages_migrated (kernel built without CONFIG_VM_EVENT_COUNTERS or CONFIG_NUMA_BALANCING)");
		return -1;
	}
	return 0;
}

int ws_numa_probe(struct ws_numa_topo *t, int *cpu_node, int *mem_node,
		  char *why, size_t len)
{
	cpu_set_t allowed;
	int status;
	void *page = &status;

	if (ws_numa_topo_read(WS_NUMA_SYSFS, t, why, len))
		return -1;
	CPU_ZERO(&allowed);
	sched_getaffinity(0, sizeof(allowed), &allowed);
	if (ws_numa_pick(t, &allowed, cpu_node, mem_node, why, len))
		return -1;
	if (access(WS_NUMA_BALANCING, W_OK)) {
		snprintf(why, len, "%s: %s (kernel without CONFIG_NUMA_BALANCING, or not root)",
			 WS_NUMA_BALANCING, strerror(errno));
		return -1;
	}
	/* A page of our stack: a status query moves nothing. */
	page = (void *)((uintptr_t)page & ~(uintptr_t)(sysconf(_SC_PAGESIZE) - 1));
	if (syscall(SYS_move_pages, 0, 1UL, &page, NULL, &status, 0)) {
		snprintf(why, len, "move_pages(2): %s (kernel without CONFIG_MIGRATION?)",
			 strerror(errno));
		return -1;
	}
	return have_vmstat_events(why, len);
}

json_t *ws_numa_topo_json(const struct ws_numa_topo *t)
{
	json_t *a = json_array();

	for (int i = 0; i < t->nnodes; i++) {
		const struct ws_numa_node *n = &t->nodes[i];

		json_array_append_new(a, json_pack("{s:i,s:s,s:I,s:I}",
			"node", n->id, "cpus", n->cpulist,
			"mem_total_kb", (json_int_t)n->mem_total_kb,
			"mem_free_kb", (json_int_t)n->mem_free_kb));
	}
	return a;
}
