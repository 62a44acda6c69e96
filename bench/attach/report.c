// SPDX-License-Identifier: GPL-2.0
/*
 * The attach case of results/<run-id>/attach.json (results/README.md):
 * per-repetition series of accuracy, cost and the target's own numbers
 * tracked and untracked, a summary, the first tracked run's intervals and
 * every run in full.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "attach.h"
#include "common.h"
#include "jsonfile.h"
#include "maps.h"
#include "stats.h"

struct series {
	struct ws_samples f1, f1_2m, cpu, window, stop, refault;
	struct ws_samples wall_t, wall_u, slowdown;
	struct ws_samples fio[2][2][3];	/* [rd/wr][tracked/untracked][iops,p50,p99] */
};

static const char *const fio_dir[2] = { "read", "write" };
static const char *const fio_what[3] = { "iops", "clat_p50_ns", "clat_p99_ns" };

static void pool(struct ws_samples *s, json_t *arr)
{
	size_t i;
	json_t *x;

	json_array_foreach(arr, i, x)
		ws_samples_push(s, json_number_value(x));
	ws_samples_end_rep(s);
}

static void add_fio(struct series *v, json_t *fio, int tracked)
{
	for (int d = 0; d < 2; d++) {
		json_t *dir = json_object_get(fio, fio_dir[d]);

		/* A direction fio did not do has no numbers to compare. */
		if (ws_json_num(dir, "total_ios") > 0)
			for (int w = 0; w < 3; w++)
				ws_samples_push_rep_num(&v->fio[d][tracked][w],
				     ws_json_num(dir, fio_what[w]));
	}
}

static void add(struct series *v, json_t *pair)
{
	json_t *t = json_object_get(pair, "tracked");
	json_t *u = json_object_get(pair, "untracked");
	json_t *run = json_object_get(t, "run");
	double wt = ws_json_num(json_object_get(t, "target"), "wall_s");
	double wu = ws_json_num(json_object_get(u, "target"), "wall_s");

	ws_samples_push_rep_num(&v->f1, ws_json_num(run, "f1_cold"));
	ws_samples_push_rep_num(&v->f1_2m, ws_json_num(run, "f1_cold_2m"));
	ws_samples_push_rep_num(&v->cpu, ws_json_num(run, "cpu_per_interval_ns"));
	pool(&v->refault, json_object_get(t, "refault_ns"));
	pool(&v->stop, json_object_get(t, "stop_ns"));
	{
		size_t i;
		json_t *x;
		struct ws_samples *w = &v->window;

		json_array_foreach(json_object_get(t, "intervals"), i, x)
			ws_samples_push(w, ws_json_num(x, "window_ns"));
		ws_samples_end_rep(w);
	}
	ws_samples_push_rep_num(&v->wall_t, wt);
	ws_samples_push_rep_num(&v->wall_u, wu);
	ws_samples_push_rep_num(&v->slowdown, wu > 0 ? 100.0 * (wt / wu - 1) : NAN);
	add_fio(v, json_object_get(json_object_get(t, "target"), "fio"), 0);
	add_fio(v, json_object_get(json_object_get(u, "target"), "fio"), 1);
}

static void metric(struct ws_bench_ctx *ctx, json_t *m, const char *name,
		   struct ws_samples *s, const char *unit)
{
	if (s->n)
		ws_metric_add(ctx, m, name, s, unit);
	ws_samples_free(s);
}

static json_t *metrics(struct ws_bench_ctx *ctx, struct series *v)
{
	json_t *m = json_object();
	char name[64];

	metric(ctx, m, "f1_cold", &v->f1, "ratio");
	metric(ctx, m, "f1_cold_2m", &v->f1_2m, "ratio");
	metric(ctx, m, "cpu_per_interval_ns", &v->cpu, "ns");
	metric(ctx, m, "window_ns", &v->window, "ns");
	metric(ctx, m, "stop_ns", &v->stop, "ns");
	metric(ctx, m, "refault_ns", &v->refault, "ns");
	metric(ctx, m, "wall_s", &v->wall_t, "s");
	metric(ctx, m, "wall_s_untracked", &v->wall_u, "s");
	metric(ctx, m, "slowdown_pct", &v->slowdown, "%");
	for (int d = 0; d < 2; d++)
		for (int u = 0; u < 2; u++)
			for (int w = 0; w < 3; w++) {
				snprintf(name, sizeof(name), "fio_%s_%s%s",
					 fio_dir[d], fio_what[w],
					 u ? "_untracked" : "");
				metric(ctx, m, name, &v->fio[d][u][w],
				       w ? "ns" : "ops/s");
			}
	return m;
}

static json_t *pct(uint64_t a, uint64_t b)
{
	return b ? json_real(100.0 * (double)a / (double)b) : json_null();
}

/* Worst fio verdict over runs of one kind: failed > passed > not enabled. */
static const char *verdict(json_t *runs, const char *kind)
{
	const char *worst = NULL;
	size_t i;
	json_t *r;

	json_array_foreach(runs, i, r) {
		json_t *f = json_object_get(json_object_get(json_object_get(r,
					    kind), "target"), "fio");
		const char *v = json_string_value(json_object_get(f, "verify"));

		if (!v)
			continue;
		if (!worst || !strcmp(v, "failed") ||
		    (!strcmp(v, "passed") && strcmp(worst, "failed")))
			worst = v;
	}
	return worst;
}

static json_t *summary(json_t *runs, struct series *v)
{
	uint64_t ev = 0, rf = 0, rest = 0, called = 0, fr = 0, fw = 0;
	size_t i;
	json_t *p, *j;
	const char *vt = verdict(runs, "tracked");
	const char *vu = verdict(runs, "untracked");

	json_array_foreach(runs, i, p) {
		json_t *run = json_object_get(json_object_get(p, "tracked"),
					      "run");

		ev += (uint64_t)json_integer_value(json_object_get(run, "evicted"));
		rf += (uint64_t)json_integer_value(json_object_get(run, "refaults"));
		rest += (uint64_t)json_integer_value(json_object_get(run,
						"restored_by_target"));
		called += (uint64_t)json_integer_value(json_object_get(run,
						"called_cold"));
		fr += (uint64_t)json_integer_value(json_object_get(run,
						"false_cold_read"));
		fw += (uint64_t)json_integer_value(json_object_get(run,
						"false_cold_write"));
	}
	j = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:I,s:I}",
		"f1_cold", v->f1.n ? json_real(ws_median(v->f1.v, v->f1.n)) :
				     json_null(),
		"false_cold_pct", pct(fr + fw, called),
		"false_cold_read_pct", pct(fr, called),
		"false_cold_write_pct", pct(fw, called),
		"cpu_per_interval_ns", v->cpu.n ?
			json_real(ws_median(v->cpu.v, v->cpu.n)) : json_null(),
		"slowdown_pct", v->slowdown.n ?
			json_real(ws_median(v->slowdown.v, v->slowdown.n)) :
			json_null(),
		"evicted", (json_int_t)ev,
		"refaults", (json_int_t)rf,
		"restored_at_release", (json_int_t)rest);
	/* fio's throughput and tail latency, tracked and alone (medians). */
	for (int d = 0; d < 2; d++)
		for (int u = 0; u < 2; u++)
			for (int w = 0; w < 3; w++) {
				struct ws_samples *x = &v->fio[d][u][w];
				char name[64];

				snprintf(name, sizeof(name), "fio_%s_%s%s",
					 fio_dir[d], fio_what[w],
					 u ? "_untracked" : "");
				if (x->n)
					json_object_set_new(j, name, json_real(
						ws_median(x->v, x->n)));
			}
	json_object_set_new(j, "fio_verify", vt ? json_string(vt) : json_null());
	json_object_set_new(j, "fio_verify_untracked",
			    vu ? json_string(vu) : json_null());
	return j;
}

/* What the mechanism needs of the target, in words for the result. */
static const char *access_note(const struct ws_attach *a)
{
	if (a->ops->uffd)
		return "userfaultfd from inside the target: the preload library opens and registers it";
	if (a->no_evict)
		return "works from outside the target (/proc/PID/pagemap, clear_refs, DAMON pid target): no library";
	return "works from outside the target (/proc/PID/pagemap, clear_refs, DAMON pid target); the preload library only serves refaults of evicted pages";
}

static json_t *target_json(const struct ws_attach *a)
{
	json_t *cmd = json_array();
	char sel[300];

	for (size_t i = 0; a->cmd && a->cmd[i]; i++)
		json_array_append_new(cmd, json_string(a->cmd[i]));
	ws_select_describe(a->sel.sel, a->sel.size, a->sel.name, sel,
			   sizeof(sel));
	return json_pack("{s:s,s:o,s:o,s:s,s:s}",
		"workload", a->pid ? "pid" : a->is_fio ? "fio" : "command",
		"command", a->cmd ? cmd : (json_decref(cmd), json_null()),
		"pid", a->pid ? json_integer(a->pid) : json_null(),
		"selector", sel, "access", access_note(a));
}

json_t *ws_attach_case(struct ws_bench_ctx *ctx, const struct ws_attach *a,
		       json_t *runs)
{
	json_t *first = json_object_get(json_array_get(runs, 0), "tracked");
	json_t *run = json_object_get(first, "run");
	json_t *j = json_object(), *range = json_object_get(first, "range");
	const char *backing = json_string_value(json_object_get(run, "backing"));
	const char *mode = json_string_value(json_object_get(run, "mode"));
	struct series v;
	size_t i;
	json_t *p;

	memset(&v, 0, sizeof(v));
	json_array_foreach(runs, i, p)
		add(&v, p);
	json_object_set_new(j, "backend", json_string(a->ops->name));
	json_object_set_new(j, "backing", json_string(backing ? backing :
						      "unknown"));
	json_object_set_new(j, "mode", json_string(mode ? mode : "none"));
	json_object_set_new(j, "freeze", json_incref(json_object_get(run,
								     "freeze")));
	json_object_set_new(j, "protocol", json_string(a->unsafe ? "unsafe" :
						       "safe"));
	json_object_set_new(j, "target", target_json(a));
	json_object_set_new(j, "params", json_pack("{s:I,s:f,s:I,s:I,s:o}",
		"intervals", (json_int_t)a->intervals,
		"interval_ms", a->interval_ms,
		"cold_after", (json_int_t)a->cold_after,
		"reps", (json_int_t)a->reps,
		"size_bytes", json_incref(json_object_get(range, "len"))));
	json_object_set_new(j, "eviction", json_object_get(range, "memory_fd") ==
			    json_true() && !a->no_evict ? json_null() :
			    json_string(a->no_evict ? "--no-evict: detection only" :
					"detection only: no fd on the mapping's memory (private anonymous memory, or not shared), so a page cannot be written out without going through the tracked mapping"));
	/* The summary reads the series that metrics() then consumes. */
	json_object_set_new(j, "summary", summary(runs, &v));
	json_object_set_new(j, "metrics", metrics(ctx, &v));
	json_object_set_new(j, "intervals",
			    json_incref(json_object_get(first, "intervals")));
	json_object_set_new(j, "runs", json_incref(runs));
	return j;
}
