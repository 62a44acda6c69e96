// SPDX-License-Identifier: GPL-2.0
/*
 * One numa-interplay run (numa_interplay.h).  The memory is first touched
 * on mem_node (MPOL_BIND, the manager on that node's CPUs when it has
 * some), then the workload's threads run on cpu_node's CPUs with NUMA
 * balancing on, and the manager, on the other CPUs, runs the intervals:
 *
 *   sleep one interval | epoch bump | collect + re-arm (tracked) | bump |
 *   where the pages are (move_pages), /proc/vmstat, score the interval
 *
 * The untracked run does the same minus the collect, so the two differ
 * only by the tracker.  Tracking starts with the workers running, parked:
 * creating them maps their stacks, and in a fresh process (every run is
 * one) such a mapping can merge with the region and make the whole VMA
 * soft-dirty again, or change it under any tracker armed before.  So the
 * workers start, park, the tracker arms, two epoch bumps close what they
 * did before (epoch 0, untracked) and an empty window (epoch 1), and they
 * resume: interval k is epoch 2k, its collect window 2k + 1.  Accuracy of interval k, against the engine's exact
 * ground truth: the truth is what the workload touched during the
 * interval; a reported page is wrong (false_pos) only when the workload
 * touched it at no time the collect could have seen, i.e. neither during
 * the interval nor during the collect windows on either side of it
 * (accesses there may be reported by either collect); such window-only
 * pages are counted as "boundary", neither right nor wrong.
 */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "engine.h"
#include "numa_interplay.h"
#include "timing.h"

#define TRUTH_TIMEOUT_NS	(30ULL * 1000000000ULL)
#define PAUSE_TIMEOUT_NS	(30ULL * 1000000000ULL)

/*
 * Hot-set accuracy: a reported page touched only in the collect window
 * around the interval (boundary) is neither right nor wrong, so precision
 * here is 1 - false_pos / reported.
 */
struct ni_acc {
	struct ws_accuracy c;
	size_t boundary;
};

struct ni {
	struct ws_bench_ctx *ctx;
	const struct ni_opts *o;
	const struct ws_tracker_ops *ops;
	enum ws_mode mode;
	struct ws_mem mem;
	bool mapped;
	struct ws_tracker t;
	bool t_open;
	struct ws_wl *wl;
	bool started;
	void *census_buf;
	/* hot: last collect; touched / window: truth of interval / window */
	struct ws_pageset hot, rd, wr, touched, window, window_prev;
	struct ni_acc acc;
	struct ws_numa_census start;
	struct ws_numa_vmstat v_start, v_prev;
	uint64_t t0_ns;
	uint64_t ambiguous;
	json_t *intervals;
	int workers[WS_WL_MAX_THREADS];
	int nworkers;
	cpu_set_t allowed;
};

/* ---- CPUs, threads ---- */

/* Node @node's CPUs this process may use; their count. */
static int node_cpus(const struct ni *n, int node, cpu_set_t *set)
{
	CPU_ZERO(set);
	for (int i = 0; i < n->o->topo->nnodes; i++)
		if (n->o->topo->nodes[i].id == node)
			CPU_AND(set, &n->o->topo->nodes[i].cpus, &n->allowed);
	return CPU_COUNT(set);
}

static int pin_to(const cpu_set_t *set)
{
	return sched_setaffinity(0, sizeof(*set), set) ? -errno : 0;
}

/* Thread ids of this process, at most @max. */
static int list_tids(int *tids, int max)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) && n < max)
		if (e->d_name[0] != '.')
			tids[n++] = atoi(e->d_name);
	if (d)
		closedir(d);
	return n;
}

static bool has_tid(const int *tids, int n, int tid)
{
	for (int i = 0; i < n; i++)
		if (tids[i] == tid)
			return true;
	return false;
}

/*
 * Workers inherit the manager's affinity (the engine pins nothing here):
 * the cpu_node's CPUs while they are created, the manager moves off them
 * afterwards.  The tids that appeared are the workers'.
 */
static int start_workers(struct ni *n)
{
	int before[256], after[256], nb, na, ret;
	cpu_set_t work, rest;

	node_cpus(n, n->o->cpu_node, &work);
	nb = list_tids(before, 256);
	ret = pin_to(&work);
	if (ret)
		return ws_case_fail(n->ctx, -ret, "pinning to node %d's CPUs",
				    n->o->cpu_node);
	ret = ws_wl_start(n->wl);
	if (ret)
		return ws_case_fail(n->ctx, -ret, "starting the workload");
	n->started = true;
	CPU_XOR(&rest, &n->allowed, &work);
	ret = pin_to(CPU_COUNT(&rest) ? &rest : &n->allowed);
	if (ret)
		return ws_case_fail(n->ctx, -ret, "moving the manager off node %d",
				    n->o->cpu_node);
	na = list_tids(after, 256);
	for (int i = 0; i < na && n->nworkers < WS_WL_MAX_THREADS; i++)
		if (!has_tid(before, nb, after[i]))
			n->workers[n->nworkers++] = after[i];
	return 0;
}

/* ---- set-up ---- */

static int create_workload(struct ni *n)
{
	struct ws_wl_opts wo = {
		.nthreads = n->o->threads,
		.seed = n->o->seed,
		.pin = false,
		.truth = true,
	};
	char err[512];

	if (ws_wl_create(&n->wl, n->o->pat, n->mem.addr, n->mem.npages,
			 n->mem.page_size, &wo, err, sizeof(err)))
		return ws_case_fail(n->ctx, EINVAL, "workload: %s", err);
	return 0;
}

/* First touch on mem_node: MPOL_BIND, from that node's CPUs if any. */
static int populate(struct ni *n)
{
	cpu_set_t home;
	int ret = 0;

	if (node_cpus(n, n->o->mem_node, &home))
		ret = pin_to(&home);
	if (!ret)
		ret = ws_numa_bind_self(n->o->mem_node);
	if (ret)
		return ws_case_fail(n->ctx, -ret, "binding to node %d",
				    n->o->mem_node);
	ret = ws_wl_stamp_init(n->wl);
	ws_numa_unbind_self();
	pin_to(&n->allowed);
	if (ret)
		return ws_case_fail(n->ctx, -ret, "first touch on node %d",
				    n->o->mem_node);
	ret = ws_numa_census(n->mem.addr, n->mem.npages, n->mem.page_size,
			     n->census_buf, &n->start);
	return ret ? ws_case_fail(n->ctx, -ret, "move_pages(2) census") : 0;
}

static int open_tracker(struct ni *n)
{
	int ret;

	if (!n->ops)
		return 0;
	ret = ws_case_open(n->ctx, &n->t, n->ops, &n->mem, n->mode);
	if (ret)
		return ret;
	n->t_open = true;
	n->t.rearm = WS_REARM_PER_RUN;
	return 0;
}

/*
 * With the workers parked (see the top of the file): arm, close epoch 0
 * (before tracking) and the empty window 1, resume.
 */
static int arm_parked(struct ni *n)
{
	uint64_t took;
	int ret = ws_wl_pause(n->wl, PAUSE_TIMEOUT_NS, &took);

	if (ret) {
		ws_wl_resume(n->wl);
		return ws_case_fail(n->ctx, -ret, "parking the workers to arm");
	}
	if (n->ops)
		ret = n->ops->arm(&n->t, 0, n->mem.npages);
	ws_wl_epoch_bump(n->wl);
	ws_wl_epoch_bump(n->wl);
	ws_wl_resume(n->wl);
	return ret ? ws_case_fail(n->ctx, -ret, "arm: %s", n->t.err) : 0;
}

static int setup(struct ni *n)
{
	size_t np;
	int ret;

	CPU_ZERO(&n->allowed);
	sched_getaffinity(0, sizeof(n->allowed), &n->allowed);
	ret = ws_case_map(n->ctx, &n->mem, n->o->backing, n->o->size);
	if (ret)
		return ret;
	n->mapped = true;
	np = n->mem.npages;
	n->census_buf = malloc(ws_numa_census_scratch(np));
	n->intervals = json_array();
	if (!n->census_buf || ws_pageset_init(&n->hot, np) ||
	    ws_pageset_init(&n->rd, np) || ws_pageset_init(&n->wr, np) ||
	    ws_pageset_init(&n->touched, np) ||
	    ws_pageset_init(&n->window, np) ||
	    ws_pageset_init(&n->window_prev, np))
		return ws_case_fail(n->ctx, ENOMEM, "run buffers");
	ret = create_workload(n);
	if (!ret)
		ret = populate(n);
	if (!ret)
		ret = open_tracker(n);
	return ret;
}

static void teardown(struct ni *n)
{
	if (n->wl && n->started)
		ws_wl_stop(n->wl);
	if (n->t_open)
		ws_tracker_close(&n->t);
	if (n->wl)
		ws_wl_destroy(n->wl);
	if (n->mapped)
		ws_mem_unmap(&n->mem);
	ws_pageset_free(&n->hot);
	ws_pageset_free(&n->rd);
	ws_pageset_free(&n->wr);
	ws_pageset_free(&n->touched);
	ws_pageset_free(&n->window);
	ws_pageset_free(&n->window_prev);
	free(n->census_buf);
	json_decref(n->intervals);
}

/* ---- scoring ---- */

static size_t nwords(const struct ws_pageset *s)
{
	return (s->npages + 63) / 64;
}

/* @dst = pages read or written in closed @epoch. */
static int fetch_truth(struct ni *n, uint64_t epoch, struct ws_pageset *dst)
{
	int ret = ws_wl_truth(n->wl, epoch, &n->rd, &n->wr, TRUTH_TIMEOUT_NS);

	if (ret)
		return ws_case_fail(n->ctx, -ret, "ground truth of epoch %llu",
				    (unsigned long long)epoch);
	n->ambiguous += ws_wl_truth_ambiguous(n->wl, epoch);
	for (size_t i = 0; i < nwords(dst); i++)
		dst->bits[i] = n->rd.bits[i] | n->wr.bits[i];
	return 0;
}

static void acc_count(const struct ni *n, struct ni_acc *a)
{
	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < nwords(&n->hot); i++) {
		uint64_t r = n->hot.bits[i], t = n->touched.bits[i];
		uint64_t may = n->window_prev.bits[i] | t | n->window.bits[i];

		a->c.truth += (size_t)__builtin_popcountll(t);
		a->c.reported += (size_t)__builtin_popcountll(r);
		a->c.true_pos += (size_t)__builtin_popcountll(r & t);
		a->c.false_pos += (size_t)__builtin_popcountll(r & ~may);
	}
	a->c.false_neg = a->c.truth - a->c.true_pos;
	a->boundary = a->c.reported - a->c.true_pos - a->c.false_pos;
}

static void acc_sum(struct ni_acc *sum, const struct ni_acc *a)
{
	ws_accuracy_add(&sum->c, &a->c);
	sum->boundary += a->boundary;
}

static json_t *acc_json(const struct ni_acc *a)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:f}",
		"truth", (json_int_t)a->c.truth,
		"reported", (json_int_t)a->c.reported,
		"true_pos", (json_int_t)a->c.true_pos,
		"false_pos", (json_int_t)a->c.false_pos,
		"false_neg", (json_int_t)a->c.false_neg,
		"boundary", (json_int_t)a->boundary,
		"precision", a->c.reported ? 1.0 - (double)a->c.false_pos /
					   (double)a->c.reported : 1.0,
		"recall", a->c.truth ? (double)a->c.true_pos / (double)a->c.truth :
				     1.0);
}

/* Interval @k (from 1) is epoch 2k, then its collect window: score it. */
static int score(struct ni *n, uint32_t k, json_t *iv)
{
	struct ni_acc a;
	struct ws_pageset tmp;
	int ret;

	ret = fetch_truth(n, 2 * (uint64_t)k, &n->touched);
	if (!ret)
		ret = fetch_truth(n, 2 * (uint64_t)k + 1, &n->window);
	if (ret)
		return ret;
	acc_count(n, &a);
	acc_sum(&n->acc, &a);
	json_object_set_new(iv, "accuracy", acc_json(&a));
	/* This window is the next interval's window before. */
	tmp = n->window_prev;
	n->window_prev = n->window;
	n->window = tmp;
	return 0;
}

/* ---- the interval loop ---- */

static json_t *interval_json(struct ni *n, uint32_t k,
			     const struct ws_numa_census *c,
			     const struct ws_numa_vmstat *v)
{
	json_t *iv = json_pack("{s:i,s:f,s:f,s:I,s:I,s:I}",
		"i", (int)k,
		"t_s", (double)(ws_now_ns() - n->t0_ns) / 1e9,
		"local_fraction", ws_numa_fraction(c, n->o->cpu_node),
		"numa_hint_faults", (json_int_t)ws_numa_vmstat_delta(&n->v_prev,
					v, WS_NUMA_HINT_FAULTS),
		"numa_pages_migrated", (json_int_t)ws_numa_vmstat_delta(
					&n->v_prev, v, WS_NUMA_PAGES_MIGRATED),
		"numa_pte_updates", (json_int_t)ws_numa_vmstat_delta(&n->v_prev,
					v, WS_NUMA_PTE_UPDATES));

	if (n->ops)
		json_object_set_new(iv, "reported",
				    json_integer((json_int_t)ws_pageset_count(&n->hot)));
	return iv;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ULL),
			       .tv_nsec = (long)(ns % 1000000000ULL) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int one_interval(struct ni *n, uint32_t k)
{
	struct ws_numa_census c;
	struct ws_numa_vmstat v;
	json_t *iv;
	int ret = 0;

	sleep_ns(n->o->interval_ns);
	ws_wl_epoch_bump(n->wl);
	if (n->ops) {
		ret = n->ops->collect(&n->t, &n->hot, true);
		if (ret)
			return ws_case_fail(n->ctx, -ret, "collect (interval %u): %s",
					    k, n->t.err);
	}
	ws_wl_epoch_bump(n->wl);
	/* Bookkeeping, in the next interval: the workers keep running. */
	ret = ws_numa_census(n->mem.addr, n->mem.npages, n->mem.page_size,
			     n->census_buf, &c);
	if (ret)
		return ws_case_fail(n->ctx, -ret, "move_pages(2) census");
	ws_numa_vmstat_read("/proc/vmstat", &v);
	iv = interval_json(n, k, &c, &v);
	n->v_prev = v;
	if (n->ops)
		ret = score(n, k, iv);
	json_array_append_new(n->intervals, iv);
	return ret;
}

/* ---- the run's JSON ---- */

static json_t *workers_json(struct ni *n, long long *minflt, long long *seq)
{
	json_t *a = json_array();

	*minflt = 0;
	*seq = -1;
	for (int i = 0; i < n->nworkers; i++) {
		struct ws_numa_task t;
		long long f = ws_task_minflt(n->workers[i]);
		json_t *j;

		ws_numa_task_read(n->workers[i], &t);
		j = ws_numa_task_json(&t);
		if (json_is_object(j))
			json_object_set_new(j, "minflt", json_integer(f));
		json_array_append_new(a, j);
		*minflt += f > 0 ? f : 0;
		if (t.valid && t.scan_seq > *seq)
			*seq = t.scan_seq;
	}
	return a;
}

static json_t *tracker_json(struct ni *n, json_t *run)
{
	enum ws_rearm_miss misses = WS_MISS_ANY;
	const char *method = ws_tracker_rearm_method(n->ops, &n->t, &misses);

	json_object_set_new(run, "accuracy", acc_json(&n->acc));
	json_object_set_new(run, "rearm", json_string(method));
	json_object_set_new(run, "rearm_lossless",
			    json_boolean(misses == WS_MISS_NOTHING));
	json_object_set_new(run, "rearm_misses",
			    json_string(ws_rearm_miss_name(misses)));
	if (n->ops->info)
		json_object_set_new(run, "backend_info", n->ops->info(&n->t));
	return run;
}

static int finish(struct ni *n, json_t **out)
{
	struct ws_numa_census end;
	struct ws_numa_vmstat v;
	struct ws_wl_counters c;
	struct ws_wl_bad bad;
	long long minflt, seq;
	double run_s = (double)(ws_now_ns() - n->t0_ns) / 1e9;
	json_t *tasks = workers_json(n, &minflt, &seq), *run;
	long nbad;
	int ret;

	ws_wl_stop(n->wl);
	n->started = false;
	ws_numa_vmstat_read("/proc/vmstat", &v);
	ret = ws_numa_census(n->mem.addr, n->mem.npages, n->mem.page_size,
			     n->census_buf, &end);
	if (ret) {
		json_decref(tasks);
		return ws_case_fail(n->ctx, -ret, "move_pages(2) census");
	}
	ws_wl_counters(n->wl, -1, &c);
	nbad = ws_wl_check_all(n->wl, &bad, 1);
	run = json_pack("{s:b,s:f,s:I,s:o,s:o,s:f,s:f,s:o,s:I,s:I,s:I,s:o,s:I,s:I,s:o}",
		"tracked", n->ops != NULL, "run_s", run_s,
		"npages", (json_int_t)n->mem.npages,
		"start", ws_numa_census_json(&n->start, n->o->cpu_node),
		"end", ws_numa_census_json(&end, n->o->cpu_node),
		"local_fraction_start", ws_numa_fraction(&n->start, n->o->cpu_node),
		"local_fraction_end", ws_numa_fraction(&end, n->o->cpu_node),
		"vmstat", ws_numa_vmstat_delta_json(&n->v_start, &v),
		"worker_minflt", (json_int_t)minflt,
		"accesses", (json_int_t)(c.reads + c.writes),
		"numa_scan_seq", (json_int_t)seq,
		"tasks", tasks,
		"truth_ambiguous_batches", (json_int_t)n->ambiguous,
		"pages_bad", (json_int_t)nbad,
		"workload", ws_wl_json(n->wl));
	if (n->ops)
		tracker_json(n, run);
	*out = json_pack("{s:o,s:O}", "run", run, "intervals", n->intervals);
	return nbad ? ws_case_fail(n->ctx, EIO, "%ld pages lost their content (page %zu)",
				   nbad, bad.page) : 0;
}

int ni_run(struct ws_bench_ctx *ctx, const struct ni_opts *o,
	   const struct ws_tracker_ops *ops, enum ws_mode mode, json_t **out)
{
	struct ni n = { .ctx = ctx, .o = o, .ops = ops, .mode = mode };
	int ret = setup(&n);

	*out = NULL;
	if (!ret)
		ret = start_workers(&n);
	if (!ret)
		ret = arm_parked(&n);
	if (!ret) {
		ws_numa_vmstat_read("/proc/vmstat", &n.v_start);
		n.v_prev = n.v_start;
		n.t0_ns = ws_now_ns();
	}
	for (uint32_t k = 1; !ret && k <= o->intervals; k++)
		ret = one_interval(&n, k);
	if (!ret)
		ret = finish(&n, out);
	teardown(&n);
	return ret;
}
