// SPDX-License-Identifier: GPL-2.0
/*
 * What automatic NUMA balancing did and how fast it scans (numa.h):
 * /proc/vmstat events, per-task placement state, scan tunables.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "knobs.h"
#include "numa.h"

/* numa.h; here, not in numa.c, so that numa.c calls this file and not back. */
int ws_numa_read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return 0;
}

static const char *const event_names[WS_NUMA_EVENT_NR] = {
	[WS_NUMA_PTE_UPDATES] = "numa_pte_updates",
	[WS_NUMA_HUGE_PTE_UPDATES] = "numa_huge_pte_updates",
	[WS_NUMA_HINT_FAULTS] = "numa_hint_faults",
	[WS_NUMA_HINT_FAULTS_LOCAL] = "numa_hint_faults_local",
	[WS_NUMA_PAGES_MIGRATED] = "numa_pages_migrated",
	[WS_PGMIGRATE_SUCCESS] = "pgmigrate_success",
	[WS_PGMIGRATE_FAIL] = "pgmigrate_fail",
};

const char *ws_numa_event_name(enum ws_numa_event e)
{
	return event_names[e];
}

/* Next line of @s, or NULL. */
static const char *next_line(const char *s)
{
	s = strchr(s, '\n');
	return s ? s + 1 : NULL;
}

void ws_numa_vmstat_parse(const char *text, struct ws_numa_vmstat *s)
{
	memset(s, 0, sizeof(*s));
	for (const char *l = text; l && *l; l = next_line(l)) {
		char name[64];
		unsigned long long v;

		if (sscanf(l, "%63s %llu", name, &v) != 2)
			continue;
		for (int e = 0; e < WS_NUMA_EVENT_NR; e++)
			if (!strcmp(name, event_names[e])) {
				s->have[e] = true;
				s->v[e] = v;
			}
	}
}

int ws_numa_vmstat_read(const char *path, struct ws_numa_vmstat *s)
{
	static char buf[32768];	/* /proc/vmstat is about 5 KiB */
	int err = ws_numa_read_text(path, buf, sizeof(buf));

	memset(s, 0, sizeof(*s));
	if (!err)
		ws_numa_vmstat_parse(buf, s);
	return err;
}

json_t *ws_numa_vmstat_delta_json(const struct ws_numa_vmstat *before,
				  const struct ws_numa_vmstat *after)
{
	json_t *j = json_object();

	for (int e = 0; e < WS_NUMA_EVENT_NR; e++)
		if (before->have[e] && after->have[e])
			json_object_set_new(j, event_names[e], json_integer(
				(json_int_t)(after->v[e] - before->v[e])));
	return j;
}

/* "name    :    value" lines of /proc/<pid>/sched. */
static bool field(const char *line, const char *name, long long *v)
{
	size_t n = strlen(name);
	const char *colon;

	if (strncmp(line, name, n) || (line[n] != ' ' && line[n] != ':'))
		return false;
	colon = strchr(line, ':');
	return colon && sscanf(colon + 1, "%lld", v) == 1;
}

static void node_faults(const char *l, struct ws_numa_task *t)
{
	long long priv, shared;
	int node;

	if (sscanf(l, "numa_faults node=%d task_private=%lld task_shared=%lld",
		   &node, &priv, &shared) != 3 ||
	    node < 0 || node >= WS_NUMA_MAX_NODES)
		return;
	t->faults[node] = priv + shared;
	if (node + 1 > t->nnodes)
		t->nnodes = node + 1;
}

void ws_numa_task_parse(const char *text, struct ws_numa_task *t)
{
	memset(t, 0, sizeof(*t));
	t->preferred_nid = -1;
	for (const char *l = text; l && *l; l = next_line(l)) {
		if (field(l, "mm->numa_scan_seq", &t->scan_seq) ||
		    field(l, "numa_pages_migrated", &t->pages_migrated) ||
		    field(l, "total_numa_faults", &t->total_faults))
			continue;
		if (field(l, "numa_preferred_nid", &t->preferred_nid)) {
			t->valid = true;
			continue;
		}
		node_faults(l, t);
	}
}

int ws_numa_task_read(int tid, struct ws_numa_task *t)
{
	char path[64], buf[8192];
	int err;

	snprintf(path, sizeof(path), "/proc/self/task/%d/sched", tid);
	err = ws_numa_read_text(path, buf, sizeof(buf));
	if (err) {
		memset(t, 0, sizeof(*t));
		return err;
	}
	ws_numa_task_parse(buf, t);
	return 0;
}

long long ws_task_minflt(int tid)
{
	char path[64], buf[1024], *p;
	long long minflt;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	if (ws_numa_read_text(path, buf, sizeof(buf)))
		return -1;
	/* After "(comm)": state ppid pgrp session tty tpgid flags minflt. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %lld",
			 &minflt) != 1)
		return -1;
	return minflt;
}

json_t *ws_numa_task_json(const struct ws_numa_task *t)
{
	json_t *f = json_object();
	char key[16];

	if (!t->valid)
		return json_null();
	for (int n = 0; n < t->nnodes; n++) {
		snprintf(key, sizeof(key), "%d", n);
		json_object_set_new(f, key, json_integer(t->faults[n]));
	}
	return json_pack("{s:I,s:I,s:I,s:I,s:o}",
			 "numa_scan_seq", (json_int_t)t->scan_seq,
			 "numa_pages_migrated", (json_int_t)t->pages_migrated,
			 "numa_preferred_nid", (json_int_t)t->preferred_nid,
			 "total_numa_faults", (json_int_t)t->total_faults,
			 "faults_by_node", f);
}

/* ---- scan tunables ---- */

struct scan_key {
	const char *key;	/* --numa-scan key */
	const char *file;	/* under WS_NUMA_SCAN_DIR */
	size_t off;
	uint32_t max;
};

#define KEY(k, f, m, max) { k, f, offsetof(struct ws_numa_scan, m), max }
static const struct scan_key scan_keys[] = {
	KEY("delay", "scan_delay_ms", delay_ms, 3600000),
	KEY("period-min", "scan_period_min_ms", period_min_ms, 3600000),
	KEY("period-max", "scan_period_max_ms", period_max_ms, 3600000),
	KEY("size", "scan_size_mb", size_mb, 1 << 20),
};
#define NR_SCAN_KEYS	(sizeof(scan_keys) / sizeof(scan_keys[0]))

static uint32_t *scan_field(struct ws_numa_scan *s, const struct scan_key *k)
{
	return (uint32_t *)((char *)s + k->off);
}

static uint32_t scan_value(const struct ws_numa_scan *s,
			   const struct scan_key *k)
{
	return *(const uint32_t *)((const char *)s + k->off);
}

void ws_numa_scan_default(struct ws_numa_scan *s)
{
	s->delay_ms = 100;
	s->period_min_ms = 100;
	s->period_max_ms = 1000;
	s->size_mb = UINT32_MAX;	/* the kernel's 256 MB */
}

static int parse_item(const char *opt, char *item, struct ws_numa_scan *s,
		      char *err, size_t len)
{
	char *eq = strchr(item, '='), *end;
	unsigned long long v;

	for (size_t i = 0; eq && i < NR_SCAN_KEYS; i++) {
		const struct scan_key *k = &scan_keys[i];

		if (strncmp(item, k->key, (size_t)(eq - item)) ||
		    strlen(k->key) != (size_t)(eq - item))
			continue;
		if (!strcmp(eq + 1, "kernel")) {
			*scan_field(s, k) = UINT32_MAX;
			return 0;
		}
		errno = 0;
		v = strtoull(eq + 1, &end, 10);
		if (eq[1] && !*end && !errno && eq[1] != '-' && v >= 1 &&
		    v <= k->max) {
			*scan_field(s, k) = (uint32_t)v;
			return 0;
		}
		snprintf(err, len, "%s: %s='%s': accepted: a whole number from 1 to %u (%s), or kernel",
			 opt, k->key, eq + 1, k->max,
			 strcmp(k->key, "size") ? "ms" : "MB");
		return -1;
	}
	snprintf(err, len, "%s: '%s' is not KEY=VALUE with a key among %s",
		 opt, item, WS_NUMA_SCAN_KEYS);
	return -1;
}

int ws_numa_scan_parse(const char *opt, const char *spec,
		       struct ws_numa_scan *s, char *err, size_t len)
{
	struct ws_numa_scan tmp = *s;
	char *copy = strdup(spec), *save = NULL;
	int ret = copy && *copy ? 0 : -1;

	if (ret)
		snprintf(err, len, "%s: empty value: give KEY=VALUE,... with keys %s",
			 opt, WS_NUMA_SCAN_KEYS);
	for (char *it = copy ? strtok_r(copy, ",", &save) : NULL; !ret && it;
	     it = strtok_r(NULL, ",", &save))
		ret = parse_item(opt, it, &tmp, err, len);
	free(copy);
	if (!ret)
		*s = tmp;
	return ret;
}

int ws_numa_scan_check(const char *opt, const struct ws_numa_scan *s,
		       char *err, size_t len)
{
	if (s->period_min_ms == UINT32_MAX || s->period_max_ms == UINT32_MAX ||
	    s->period_min_ms <= s->period_max_ms)
		return 0;
	snprintf(err, len, "%s: period-min=%u is larger than period-max=%u",
		 opt, s->period_min_ms, s->period_max_ms);
	return -1;
}

json_t *ws_numa_scan_json(const struct ws_numa_scan *s)
{
	json_t *j = json_object();

	for (size_t i = 0; i < NR_SCAN_KEYS; i++) {
		uint32_t v = scan_value(s, &scan_keys[i]);

		json_object_set_new(j, scan_keys[i].file, v == UINT32_MAX ?
				    json_string("kernel") : json_integer(v));
	}
	return j;
}

int ws_numa_scan_apply(const char *dir, const struct ws_numa_scan *s,
		       char *err, size_t len)
{
	char path[512], val[16];

	if (access(dir, F_OK)) {
		snprintf(err, len, "%s: %s", dir, strerror(errno));
		return -ENOENT;
	}
	for (size_t i = 0; i < NR_SCAN_KEYS; i++) {
		uint32_t v = scan_value(s, &scan_keys[i]);
		int ret;

		if (v == UINT32_MAX)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, scan_keys[i].file);
		snprintf(val, sizeof(val), "%u", v);
		ret = ws_knob_set(path, val);
		if (ret) {
			snprintf(err, len, "%s: cannot write %s: %s", path,
				 val, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

json_t *ws_numa_scan_read_json(const char *dir)
{
	json_t *j = json_object();
	char path[512], buf[64];

	for (size_t i = 0; i < NR_SCAN_KEYS; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, scan_keys[i].file);
		json_object_set_new(j, scan_keys[i].file,
				    ws_knob_read(path, buf, sizeof(buf)) ?
				    json_null() :
				    json_integer(strtoll(buf, NULL, 10)));
	}
	return j;
}
