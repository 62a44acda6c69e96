// SPDX-License-Identifier: GPL-2.0
/*
 * wsbench pattern: check pattern files, and run one untracked to see how
 * fast the engine generates accesses and what recording the ground truth
 * costs (runs with truth off and on, interleaved, same pattern and seed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd_pattern.h"
#include "engine.h"
#include "mem.h"
#include "parse.h"
#include "pattern.h"
#include "threads.h"
#include "timing.h"

#define MAX_REPS	100

struct run_args {
	const char *file;
	size_t size;
	uint64_t threads;
	double time_s;
	uint64_t seed;
	uint64_t reps;
	uint64_t interval_ms;
	bool truth;
};

struct run_result {
	double rate;			/* accesses per second of phase clock */
	double cpu_rate;		/* accesses per second of worker CPU */
	double thread_rate[WS_WL_MAX_THREADS];
	double reads_pct;
	uint64_t ambiguous;
	double merge_us;		/* median ws_wl_truth() per interval */
	long bad_pages;
	struct ws_wl_bad first_bad;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: wsbench pattern check FILE... [--size SIZE]\n"
"       wsbench pattern run FILE [options]\n"
"\n"
"check: parse each pattern file (and lay it out in SIZE bytes if given);\n"
"  exit 2 with FILE:LINE and what was expected at the first error.\n"
"run: run the pattern untracked on anonymous memory; print accesses/s in\n"
"  total and per worker, and the cost of ground-truth recording (runs\n"
"  with truth off and on, interleaved).\n"
"  --size SIZE        memory, e.g. 64M, 256M (default 256M)\n"
"  --threads N        workers, 1..%d (default 1)\n"
"  --time SECONDS     phase-clock length of each run (default 1)\n"
"  --seed N           generator seed (default 42)\n"
"  --reps N           runs per setting, 1..%d (default 3)\n"
"  --interval MS      epoch (tracking interval) length (default 100)\n"
"  --no-truth         truth off only: no cost comparison\n"
"Pattern format: workloads/README.md\n", WS_WL_MAX_THREADS, MAX_REPS);
}

/* "--opt VALUE" or "--opt=VALUE" at argv[*i]; NULL if not this option. */
static const char *opt_value(int argc, char **argv, int *i, const char *opt)
{
	size_t n = strlen(opt);

	if (strncmp(argv[*i], opt, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static int check_cmd(int argc, char **argv)
{
	char err[512], *files[argc];
	size_t size = 0, nfiles = 0;
	const char *v;
	int bad = 0;

	for (int i = 1; i < argc; i++) {
		if ((v = opt_value(argc, argv, &i, "--size"))) {
			if (ws_parse_size("--size", v, ws_page_size(), &size))
				return WS_EXIT_USAGE;
		} else if (!strncmp(argv[i], "--", 2)) {
			fprintf(stderr, "wsbench pattern check: unknown option '%s': accepted: --size SIZE\n",
				argv[i]);
			return WS_EXIT_USAGE;
		} else {
			files[nfiles++] = argv[i];
		}
	}
	if (!nfiles) {
		fprintf(stderr, "wsbench pattern check: expected at least one pattern file\n");
		return WS_EXIT_USAGE;
	}
	for (size_t i = 0; i < nfiles; i++) {
		struct ws_pattern *p;
		int r = ws_pattern_load(files[i], &p, err, sizeof(err));

		if (!r && size)
			r = ws_pattern_resolve(p, size / ws_page_size(),
					       ws_page_size(), err, sizeof(err));
		if (r)
			fprintf(stderr, "%s\n", err);
		else
			printf("%s: ok (%u regions, %u phases)\n", files[i],
			       p->nregions, p->nphases);
		ws_pattern_free(p);
		bad |= r;
	}
	return bad ? WS_EXIT_USAGE : 0;
}

static int parse_run_args(int argc, char **argv, struct run_args *a)
{
	const char *v;

	*a = (struct run_args){ .size = 256 << 20, .threads = 1, .time_s = 1,
				.seed = 42, .reps = 3, .interval_ms = 100,
				.truth = true };
	for (int i = 1; i < argc; i++) {
		int r = 0;

		if ((v = opt_value(argc, argv, &i, "--size")))
			r = ws_parse_size("--size", v, ws_page_size(), &a->size);
		else if ((v = opt_value(argc, argv, &i, "--threads")))
			r = ws_parse_uint("--threads", v, 1, WS_WL_MAX_THREADS,
					  &a->threads);
		else if ((v = opt_value(argc, argv, &i, "--time")))
			r = ws_parse_double("--time", v, 0.01, 3600, &a->time_s);
		else if ((v = opt_value(argc, argv, &i, "--seed")))
			r = ws_parse_uint("--seed", v, 0, UINT64_MAX, &a->seed);
		else if ((v = opt_value(argc, argv, &i, "--reps")))
			r = ws_parse_uint("--reps", v, 1, MAX_REPS, &a->reps);
		else if ((v = opt_value(argc, argv, &i, "--interval")))
			r = ws_parse_uint("--interval", v, 1, 60000,
					  &a->interval_ms);
		else if (!strcmp(argv[i], "--no-truth"))
			a->truth = false;
		else if (!strncmp(argv[i], "--", 2) || a->file) {
			fprintf(stderr, "wsbench pattern run: unexpected argument '%s': accepted: FILE --size --threads --time --seed --reps --interval --no-truth\n",
				argv[i]);
			return -1;
		} else {
			a->file = argv[i];
		}
		if (r)
			return -1;
	}
	if (!a->file) {
		fprintf(stderr, "wsbench pattern run: expected a pattern file\n");
		return -1;
	}
	return 0;
}

static double median(double *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j && v[j - 1] > v[j]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * The manager's side of a tracking interval, without a tracker: close the
 * interval (bump), empty collect window (bump), merge the closed interval's
 * truth.  Returns the merge time in us, or -1 with truth off.
 */
static double interval_edge(struct ws_wl *w, struct ws_pageset *rd,
			    struct ws_pageset *wr)
{
	uint64_t closed = ws_wl_epoch(w), t0;
	int err;

	ws_wl_epoch_bump(w);
	ws_wl_epoch_bump(w);
	t0 = ws_now_ns();
	err = ws_wl_truth(w, closed, rd, wr, 0);
	return err ? -1 : (double)(ws_now_ns() - t0) / 1e3;
}

static int drive(const struct run_args *a, struct ws_wl *w,
		 struct run_result *r)
{
	uint64_t len = (uint64_t)(a->time_s * 1e9), step = a->interval_ms * 1000000;
	size_t n = 0, cap = len / step + 2;
	double *merge = calloc(cap, sizeof(*merge));
	struct ws_pageset rd, wr;
	size_t npages = ws_wl_pattern(w)->npages;
	int err;

	if (!merge || ws_pageset_init(&rd, npages) ||
	    ws_pageset_init(&wr, npages)) {
		free(merge);
		return -ENOMEM;
	}
	/* The engine leaves CPU 0 to us when there are more CPUs than workers. */
	if (ws_cpu_count() > (int)a->threads)
		ws_pin_self(0);
	err = ws_wl_start(w);
	while (!err && ws_wl_clock_ns(w) < len) {
		uint64_t left = len - ws_wl_clock_ns(w);
		double us;

		sleep_ns(left < step ? left : step);
		us = interval_edge(w, &rd, &wr);
		if (us >= 0 && n < cap)
			merge[n++] = us;
	}
	ws_wl_stop(w);
	r->merge_us = n ? median(merge, n) : -1;
	free(merge);
	ws_pageset_free(&rd);
	ws_pageset_free(&wr);
	return err;
}

static int run_once(const struct run_args *a, const struct ws_pattern *pat,
		    struct ws_mem *m, bool truth, struct run_result *r,
		    json_t **info)
{
	struct ws_wl_opts o = { .nthreads = (unsigned int)a->threads,
				.seed = a->seed, .pin = true, .truth = truth };
	struct ws_wl_counters c;
	struct ws_wl *w;
	char err[512];
	double secs;
	int ret;

	memset(r, 0, sizeof(*r));
	if (ws_wl_create(&w, pat, m->addr, m->npages, m->page_size, &o, err,
			 sizeof(err))) {
		fprintf(stderr, "wsbench pattern run: %s\n", err);
		return -EINVAL;
	}
	ws_wl_stamp_init(w);
	ret = drive(a, w, r);
	if (ret) {
		fprintf(stderr, "wsbench pattern run: %s\n", strerror(-ret));
		ws_wl_destroy(w);
		return ret;
	}
	secs = (double)ws_wl_clock_ns(w) / 1e9;
	ws_wl_counters(w, -1, &c);
	r->rate = (double)(c.reads + c.writes) / secs;
	r->cpu_rate = c.cpu_ns ? (double)(c.reads + c.writes) * 1e9 / (double)c.cpu_ns : 0;
	r->reads_pct = c.reads + c.writes ?
		100.0 * (double)c.reads / (double)(c.reads + c.writes) : 0;
	r->ambiguous = c.ambiguous;
	for (unsigned int t = 0; t < o.nthreads; t++) {
		ws_wl_counters(w, (int)t, &c);
		r->thread_rate[t] = (double)(c.reads + c.writes) / secs;
	}
	r->bad_pages = ws_wl_check_all(w, &r->first_bad, 1);
	if (info && !*info)
		*info = ws_wl_json(w);
	ws_wl_destroy(w);
	return 0;
}

static void print_run(const struct run_args *a, uint64_t rep, bool truth,
		      const struct run_result *r)
{
	printf("run %llu/%llu truth %-3s: %7.2f M accesses/s (%.2f M per worker CPU-second; %.1f %% reads); per worker:",
	       (unsigned long long)rep + 1, (unsigned long long)a->reps,
	       truth ? "on" : "off", r->rate / 1e6, r->cpu_rate / 1e6,
	       r->reads_pct);
	for (uint64_t t = 0; t < a->threads; t++)
		printf(" %.2f", r->thread_rate[t] / 1e6);
	printf(" M/s");
	if (truth)
		printf("; truth merge %.0f us/interval; ambiguous batches %llu",
		       r->merge_us, (unsigned long long)r->ambiguous);
	printf("\n");
	if (r->bad_pages)
		printf("  INTEGRITY: %ld bad pages; first: page %zu worker %d expected %llu found %llu\n",
		       r->bad_pages, r->first_bad.page, r->first_bad.thread,
		       (unsigned long long)r->first_bad.expected,
		       (unsigned long long)r->first_bad.found);
}

static void print_header(const struct run_args *a, const struct ws_pattern *p,
			 const struct ws_mem *m, json_t *info)
{
	json_t *pin = json_object_get(info, "pinning");
	json_t *cpus = json_object_get(pin, "cpus"), *v;
	char sz[32];
	size_t i;

	printf("pattern %s: %u regions, %u phases (%.3g s per pass); memory %s = %zu pages of %zu bytes; seed %llu\n",
	       a->file, p->nregions, p->nphases,
	       (double)ws_pattern_cycle_ns(p) / 1e9,
	       ws_fmt_size(m->len, sz, sizeof(sz)), m->npages, m->page_size,
	       (unsigned long long)a->seed);
	printf("%llu workers, %s, on CPUs", (unsigned long long)a->threads,
	       json_is_true(json_object_get(pin, "pinned")) ? "pinned" :
	       "not pinned");
	json_array_foreach(cpus, i, v)
		printf(" %lld", (long long)json_integer_value(v));
	printf("%s%s; %.3g s per run, epochs of %llu ms\n",
	       *json_string_value(json_object_get(pin, "note")) ? "; " : "",
	       json_string_value(json_object_get(pin, "note")), a->time_s,
	       (unsigned long long)a->interval_ms);
}

/* Median relative cost of truth on vs off over the interleaved pairs. */
static void print_cost(const char *basis, const double *off, const double *on,
		       uint64_t n)
{
	double cost[MAX_REPS], m;

	for (uint64_t i = 0; i < n; i++)
		cost[i] = 100.0 * (1.0 - on[i] / off[i]);
	m = median(cost, n);	/* sorts: cost[0] is the least */
	printf("ground-truth recording cost (%s): %.1f %% (median of %llu interleaved off/on pairs; range %.1f to %.1f %%)\n",
	       basis, m, (unsigned long long)n, cost[0], cost[n - 1]);
}

static void print_summary(const struct run_args *a, double rate[2][MAX_REPS],
			  double cpu[2][MAX_REPS])
{
	double v[MAX_REPS];

	for (int truth = 0; truth <= (int)a->truth; truth++) {
		memcpy(v, rate[truth], a->reps * sizeof(double));
		printf("untracked accesses/s, truth %s: median %.2f M/s",
		       truth ? "on" : "off", median(v, a->reps) / 1e6);
		memcpy(v, cpu[truth], a->reps * sizeof(double));
		printf(" (%.2f M per worker CPU-second) over %llu runs\n",
		       median(v, a->reps) / 1e6, (unsigned long long)a->reps);
	}
	if (!a->truth)
		return;
	print_cost("accesses/s", rate[0], rate[1], a->reps);
	print_cost("per worker CPU-second", cpu[0], cpu[1], a->reps);
}

static int run_cmd(int argc, char **argv)
{
	struct run_args a;
	struct ws_pattern *pat;
	struct run_result r;
	double rate[2][MAX_REPS], cpu[2][MAX_REPS];
	struct ws_mem m;
	json_t *info = NULL;
	char err[512];
	long bad = 0;
	int ret = 0;

	if (parse_run_args(argc, argv, &a))
		return WS_EXIT_USAGE;
	if (ws_pattern_load(a.file, &pat, err, sizeof(err)) ||
	    ws_pattern_resolve(pat, a.size / ws_page_size(), ws_page_size(),
			       err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		ws_pattern_free(pat);
		return WS_EXIT_USAGE;
	}
	if (ws_mem_map(&m, WS_BACKING_ANON, a.size, err, sizeof(err))) {
		fprintf(stderr, "wsbench pattern run: cannot map %zu bytes: %s\n",
			a.size, err);
		ws_pattern_free(pat);
		return 1;
	}
	for (uint64_t i = 0; i < a.reps && !ret; i++) {
		for (int truth = 0; truth <= (int)a.truth && !ret; truth++) {
			ret = run_once(&a, pat, &m, truth, &r, &info);
			if (ret)
				break;
			if (!i && !truth)
				print_header(&a, pat, &m, info);
			print_run(&a, i, truth, &r);
			rate[truth][i] = r.rate;
			cpu[truth][i] = r.cpu_rate;
			bad += r.bad_pages;
		}
	}
	if (!ret)
		print_summary(&a, rate, cpu);
	if (!ret)
		printf("integrity: %s (every page checked after each run)\n",
		       bad ? "DATA LOSS" : "ok");
	json_decref(info);
	ws_mem_unmap(&m);
	ws_pattern_free(pat);
	return ret || bad ? 1 : 0;
}

int ws_pattern_cmd(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? WS_EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "check"))
		return check_cmd(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return run_cmd(argc - 1, argv + 1);
	fprintf(stderr, "wsbench pattern: '%s' is not a subcommand: use check, run or --help\n",
		argv[1]);
	return WS_EXIT_USAGE;
}
