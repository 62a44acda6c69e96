// SPDX-License-Identifier: GPL-2.0
/*
 * wsbench: compare page working-set tracking mechanisms.
 *
 *   wsbench list                      benchmarks, backends, backings
 *   wsbench probe [--json FILE]       what this kernel offers, and why not
 *   wsbench run <benchmark> [opts]    measure; JSON into results/<run-id>/
 *   wsbench summary <dir>             human table of a result directory
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "env.h"
#include "knobs.h"
#include "mem.h"
#include "parse.h"
#include "result.h"
#include "summary.h"
#include "timing.h"
#include "tracker.h"
#include "trackers/damon.h"

static const char *const profile_names[] = { "quick", "default", NULL };
static const char *const layout_names[] = { "contiguous", "scattered", NULL };
static const char *const thp_names[] = { "always", "madvise", "never", NULL };

static void usage(FILE *f)
{
	fprintf(f,
"usage: wsbench <command> [options]\n"
"\n"
"commands:\n"
"  list                     benchmarks, backends, memory backings\n"
"  probe [--json FILE]      which backends this kernel supports, and why not\n"
"  run <benchmark> [opts]   run one benchmark (wsbench run <benchmark> --help)\n"
"  summary <dir>            print the human summary of a result directory\n"
"\n"
"benchmarks:");
	for (size_t i = 0; ws_benchmarks[i]; i++)
		fprintf(f, " %s", ws_benchmarks[i]->name);
	fprintf(f, "\nbackends: %s\nbackings: %s\n", ws_tracker_names(),
		ws_backing_names());
}

static int cmd_list(void)
{
	printf("benchmarks:\n");
	for (size_t i = 0; ws_benchmarks[i]; i++)
		printf("  %-16s %s\n", ws_benchmarks[i]->name,
		       ws_benchmarks[i]->summary);
	printf("backends:\n");
	for (size_t i = 0; ws_trackers[i]; i++) {
		const struct ws_tracker_ops *o = ws_trackers[i];
		char backings[128] = "", modes[32] = "";

		for (int b = 0; b < WS_BACKING_NR; b++)
			if (o->backings & WS_BACKING_BIT(b))
				snprintf(backings + strlen(backings),
					 sizeof(backings) - strlen(backings),
					 "%s%s", backings[0] ? "," : "",
					 ws_backing_name(b));
		for (int m = 0; m < WS_MODE_NR; m++)
			if (o->modes & WS_MODE_BIT(m))
				snprintf(modes + strlen(modes),
					 sizeof(modes) - strlen(modes), "%s%s",
					 modes[0] ? "," : "", ws_mode_name(m));
		printf("  %-12s sees %-8s backings %-28s modes %-11s %s\n",
		       o->name, o->sees == WS_SEES_WRITES ? "writes" :
		       "accesses", backings, modes, o->summary);
	}
	printf("backings: %s\n", ws_backing_names());
	return 0;
}

/* Probe every backend and every backing; JSON for the suite's records. */
static json_t *probe_all(void)
{
	json_t *j = json_object(), *be = json_object(), *bk = json_object();

	for (size_t i = 0; ws_trackers[i]; i++) {
		struct ws_probe p;

		memset(&p, 0, sizeof(p));
		ws_trackers[i]->probe(&p);
		json_object_set_new(be, ws_trackers[i]->name,
			json_pack("{s:b, s:s, s:s}", "supported", p.supported,
				  "reason", p.reason, "detail", p.detail));
	}
	for (int b = 0; b < WS_BACKING_NR; b++) {
		struct ws_mem m;
		char why[512] = "";
		size_t len = b == WS_BACKING_HUGETLB ? 2u << 20 : 4u << 20;
		int err = ws_mem_map(&m, b, len, why, sizeof(why));

		if (!err)
			ws_mem_unmap(&m);
		json_object_set_new(bk, ws_backing_name(b),
			json_pack("{s:b, s:s}", "available", !err, "reason",
				  err ? why : ""));
	}
	json_object_set_new(j, "schema_version", json_integer(WS_SCHEMA_VERSION));
	json_object_set_new(j, "kind", json_string("probe"));
	json_object_set_new(j, "environment", ws_env_capture());
	json_object_set_new(j, "backends", be);
	json_object_set_new(j, "backings", bk);
	return j;
}

static int cmd_probe(int argc, char **argv)
{
	const char *out = NULL;
	json_t *j;
	const char *k;
	json_t *v;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--help")) {
			printf("usage: wsbench probe [--json FILE]\n");
			return 0;
		} else {
			fprintf(stderr, "wsbench probe: unknown argument '%s'; accepted: --json FILE, --help\n",
				argv[i]);
			return WS_EXIT_USAGE;
		}
	}
	j = probe_all();
	json_object_foreach(json_object_get(j, "backends"), k, v)
		printf("%-12s %-12s %s\n", k,
		       json_is_true(json_object_get(v, "supported")) ?
		       "supported" : "unsupported",
		       json_is_true(json_object_get(v, "supported")) ?
		       json_string_value(json_object_get(v, "detail")) :
		       json_string_value(json_object_get(v, "reason")));
	json_object_foreach(json_object_get(j, "backings"), k, v)
		printf("backing %-9s %s %s\n", k,
		       json_is_true(json_object_get(v, "available")) ?
		       "available" : "unavailable:",
		       json_string_value(json_object_get(v, "reason")));
	if (out) {
		int err = ws_json_write_atomic(j, out);

		if (err) {
			fprintf(stderr, "wsbench probe: %s: %s\n", out,
				strerror(-err));
			json_decref(j);
			return 1;
		}
	}
	json_decref(j);
	return 0;
}

enum {
	OPT_PROFILE = 256, OPT_BACKEND, OPT_BACKING, OPT_MODE, OPT_LAYOUT,
	OPT_SIZE, OPT_THREADS, OPT_HOT, OPT_PAGES, OPT_WARMUP, OPT_MIN_REPS,
	OPT_MAX_REPS, OPT_MIN_TIME, OPT_SEED, OPT_OUT, OPT_RUN_ID, OPT_THP,
	OPT_HUGEPAGES, OPT_NUMA, OPT_QUIET, OPT_TIMEOUT, OPT_DAMON, OPT_HELP,
};

static const struct option run_options[] = {
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "backing", required_argument, NULL, OPT_BACKING },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "layout", required_argument, NULL, OPT_LAYOUT },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "hot", required_argument, NULL, OPT_HOT },
	{ "pages", required_argument, NULL, OPT_PAGES },
	{ "warmup", required_argument, NULL, OPT_WARMUP },
	{ "min-reps", required_argument, NULL, OPT_MIN_REPS },
	{ "max-reps", required_argument, NULL, OPT_MAX_REPS },
	{ "min-time", required_argument, NULL, OPT_MIN_TIME },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "run-id", required_argument, NULL, OPT_RUN_ID },
	{ "thp", required_argument, NULL, OPT_THP },
	{ "hugepages", required_argument, NULL, OPT_HUGEPAGES },
	{ "numa-balancing", required_argument, NULL, OPT_NUMA },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "damon", required_argument, NULL, OPT_DAMON },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* Options every benchmark accepts; the rest must be in bench->options. */
static const char *const generic_options =
	"--profile --out --run-id --seed --quiet --thp --hugepages "
	"--numa-balancing --timeout --damon --help";

static void run_usage(const struct ws_benchmark *b)
{
	printf("usage: wsbench run %s [options]\n%s\n\n", b->name, b->summary);
	printf("options this benchmark reads: %s\n", b->options);
	printf("options every benchmark reads: %s\n\n", generic_options);
	printf(
"  --profile quick|default   preset sizes and repetitions (default: default)\n"
"  --backend LIST            %s, or all\n"
"  --backing LIST            %s, or all\n"
"  --mode LIST               async, sync, or all\n"
"  --layout LIST             contiguous, scattered, or all\n"
"  --size LIST               region sizes, e.g. 4K,2M,1G (page multiples)\n"
"  --threads LIST            helper thread counts, e.g. 0,1\n"
"  --hot LIST                hot fractions in percent, e.g. 0,1,50,100\n"
"  --pages N                 pages per repetition\n"
"  --warmup N                discarded warm-up repetitions\n"
"  --min-reps N, --max-reps N, --min-time SECONDS\n"
"  --seed N                  PRNG seed (bootstrap, scattered layouts)\n"
"  --out DIR                 result directory (default results/<run-id>)\n"
"  --run-id ID               name of the run (default: UTC time + pid)\n"
"  --thp always|madvise|never   set THP mode for the run (restored after)\n"
"  --hugepages N             reserve N default-size huge pages (restored)\n"
"  --numa-balancing 0|1      set kernel.numa_balancing (restored)\n"
"  --quiet                   no progress lines\n"
"  --timeout SECONDS         watchdog for the whole run (default 3600; 0: none)\n"
"  --damon KEY=VAL,...       damon backend: sample=5ms,aggr=100ms,update=never,\n"
"                            regions=10-1000 (the defaults; keys %s)\n",
	ws_tracker_names(), ws_backing_names(), WS_DAMON_KEYS);
}

static const char *const *tracker_name_table(void)
{
	static const char *names[16];

	for (size_t i = 0; ws_trackers[i] && i < 15; i++)
		names[i] = ws_trackers[i]->name;
	return names;
}

static const char *const *backing_name_table(void)
{
	static const char *names[WS_BACKING_NR + 1];

	for (int i = 0; i < WS_BACKING_NR; i++)
		names[i] = ws_backing_name(i);
	return names;
}

static const char *const mode_names[] = { "async", "sync", NULL };

static void default_run_id(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf + strlen(buf), len - strlen(buf), "-%d", (int)getpid());
}

/*
 * Knob writes requested by options, applied only once every option parsed.
 * One slot per knob: a repeated option replaces the earlier value.
 */
struct knob_req {
	const char *opt;
	const char *path;
	char value[32];
};

static struct knob_req knob_reqs[3];	/* --thp, --hugepages, --numa-balancing */
static size_t nr_knob_reqs;

static void defer_knob(const char *opt, const char *path, const char *val)
{
	struct knob_req *k = knob_reqs;

	while (k < knob_reqs + nr_knob_reqs && strcmp(k->path, path))
		k++;
	if (k == knob_reqs + nr_knob_reqs)
		nr_knob_reqs++;
	k->opt = opt;
	k->path = path;
	snprintf(k->value, sizeof(k->value), "%s", val);
}

static int set_knob_opt(const char *opt, const char *path, const char *val)
{
	int err = ws_knob_set(path, val);

	if (err) {
		fprintf(stderr, "wsbench: %s: cannot write '%s' to %s: %s\n",
			opt, val, path, strerror(-err));
		return -1;
	}
	return 0;
}

/* Does @list (space separated option names) contain @opt? */
static int has_option(const char *list, const char *opt)
{
	size_t n = strlen(opt);

	for (const char *p = strstr(list, opt); p; p = strstr(p + 1, opt))
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

/* The run's parameters; --damon's only when the damon backend may run. */
static json_t *params_json(const struct ws_params *p,
			   const struct ws_damon_params *damon)
{
	json_t *j = ws_params_json(p);

	for (size_t i = 0; j && ws_trackers[i]; i++)
		if ((p->backends & (1u << i)) &&
		    !strcmp(ws_trackers[i]->name, "damon"))
			json_object_set_new(j, "damon",
					    ws_damon_params_json(damon));
	return j;
}

static int cmd_run(int argc, char **argv)
{
	const struct ws_benchmark *b;
	struct ws_params p;
	struct ws_result res;
	struct ws_bench_ctx ctx;
	char run_id[128], out_dir[512], name[128], optname[64];
	const char *profile_arg = NULL;
	struct ws_damon_params damon;
	char damon_err[256];
	uint64_t u, timeout = 3600;
	int opt, idx, err;
	json_t *timer;

	if (argc < 2 || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? WS_EXIT_USAGE : 0;
	}
	b = ws_benchmark_by_name(argv[1]);
	if (!b) {
		fprintf(stderr, "wsbench run: '%s' is not a benchmark: use one of", argv[1]);
		for (size_t i = 0; ws_benchmarks[i]; i++)
			fprintf(stderr, "%s %s", i ? "," : "", ws_benchmarks[i]->name);
		fprintf(stderr, "\n");
		return WS_EXIT_USAGE;
	}
	argc--;
	argv++;

	/* First pass: the profile decides the defaults the options override. */
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--profile=", 10))
			profile_arg = argv[i] + 10;
		else if (!strcmp(argv[i], "--profile") && i + 1 < argc)
			profile_arg = argv[i + 1];
	}
	memset(&p, 0, sizeof(p));
	p.profile = WS_PROFILE_DEFAULT;
	if (profile_arg) {
		if (ws_parse_name("--profile", profile_arg, profile_names, &idx))
			return WS_EXIT_USAGE;
		p.profile = idx;
	}
	p.backends = ~0u;
	p.backings = WS_BACKING_ALL;
	p.modes = WS_MODE_BIT(WS_MODE_ASYNC) | WS_MODE_BIT(WS_MODE_SYNC);
	p.layouts = (1u << WS_LAYOUT_NR) - 1;
	p.seed = 42;
	b->defaults(&p, p.profile);
	default_run_id(run_id, sizeof(run_id));
	p.run_id = run_id;
	ws_damon_params_default(&damon);
	p.out_dir = NULL;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", run_options, NULL)) != -1) {
		int r = 0;

		if (opt == '?') {
			fprintf(stderr, "wsbench run %s: unknown option '%s': accepted: %s %s (see --help)\n",
				b->name, argv[optind - 1], b->options,
				generic_options);
			return WS_EXIT_USAGE;
		}
		for (const struct option *o = run_options; o->name; o++)
			if (o->val == opt)
				snprintf(optname, sizeof(optname), "--%s", o->name);
		if (!has_option(generic_options, optname) &&
		    !has_option(b->options, optname)) {
			fprintf(stderr, "wsbench run %s: %s is not used by this benchmark: it reads %s %s\n",
				b->name, optname, b->options, generic_options);
			return WS_EXIT_USAGE;
		}
		switch (opt) {
		case OPT_PROFILE:
			break;
		case OPT_BACKEND:
			r = ws_parse_name_list(optname, optarg,
					       tracker_name_table(), &p.backends);
			break;
		case OPT_BACKING:
			r = ws_parse_name_list(optname, optarg,
					       backing_name_table(), &p.backings);
			break;
		case OPT_MODE:
			r = ws_parse_name_list(optname, optarg, mode_names,
					       &p.modes);
			break;
		case OPT_LAYOUT:
			r = ws_parse_name_list(optname, optarg, layout_names,
					       &p.layouts);
			break;
		case OPT_SIZE:
			r = ws_parse_size_list(optname, optarg, ws_page_size(),
					       p.sizes, WS_MAX_LIST, &p.nsizes);
			break;
		case OPT_THREADS:
			r = ws_parse_uint_list(optname, optarg, 0, 256,
					       p.threads, WS_MAX_LIST, &p.nthreads);
			break;
		case OPT_HOT:
			r = ws_parse_double_list(optname, optarg, 0, 100,
						 p.hot_pcts, WS_MAX_LIST, &p.nhot);
			break;
		case OPT_PAGES:
			r = ws_parse_uint(optname, optarg, 1, 1ULL << 28, &u);
			p.pages = u;
			break;
		case OPT_WARMUP:
			r = ws_parse_uint(optname, optarg, 0, 1000000, &p.warmup);
			break;
		case OPT_MIN_REPS:
			r = ws_parse_uint(optname, optarg, 1, 100000000, &p.min_reps);
			break;
		case OPT_MAX_REPS:
			r = ws_parse_uint(optname, optarg, 1, 100000000, &p.max_reps);
			break;
		case OPT_MIN_TIME:
			r = ws_parse_double(optname, optarg, 0, 86400, &p.min_time_s);
			break;
		case OPT_SEED:
			r = ws_parse_uint(optname, optarg, 0, UINT64_MAX, &p.seed);
			break;
		case OPT_OUT:
			p.out_dir = optarg;
			break;
		case OPT_RUN_ID:
			if (!*optarg || strchr(optarg, '/')) {
				fprintf(stderr, "wsbench: --run-id: '%s' is not a run id: use a non-empty name without '/'\n",
					optarg);
				return WS_EXIT_USAGE;
			}
			p.run_id = optarg;
			break;
		case OPT_THP:
			r = ws_parse_name(optname, optarg, thp_names, &idx);
			if (!r)
				defer_knob("--thp",
					"/sys/kernel/mm/transparent_hugepage/enabled",
					thp_names[idx]);
			break;
		case OPT_HUGEPAGES:
			r = ws_parse_uint(optname, optarg, 0, 1 << 20, &u);
			if (!r) {
				char v[32];

				snprintf(v, sizeof(v), "%llu", (unsigned long long)u);
				defer_knob("--hugepages", "/proc/sys/vm/nr_hugepages", v);
			}
			break;
		case OPT_NUMA:
			r = ws_parse_uint(optname, optarg, 0, 1, &u);
			if (!r)
				defer_knob("--numa-balancing",
					   "/proc/sys/kernel/numa_balancing",
					   u ? "1" : "0");
			break;
		case OPT_QUIET:
			setenv("WSBENCH_QUIET", "1", 1);
			break;
		case OPT_TIMEOUT:
			r = ws_parse_uint(optname, optarg, 0, 7 * 86400, &timeout);
			break;
		case OPT_DAMON:
			/* Repeated: later keys override earlier ones. */
			r = ws_damon_params_parse(optname, optarg, &damon,
						  damon_err, sizeof(damon_err));
			if (r)
				fprintf(stderr, "wsbench: %s\n", damon_err);
			break;
		case OPT_HELP:
			run_usage(b);
			return 0;
		}
		if (r)
			return WS_EXIT_USAGE;
	}
	if (optind < argc) {
		fprintf(stderr, "wsbench run %s: unexpected argument '%s': options start with --\n",
			b->name, argv[optind]);
		return WS_EXIT_USAGE;
	}
	if (!p.backends || !p.backings || !p.modes || !p.layouts) {
		fprintf(stderr, "wsbench run %s: an empty --backend/--backing/--mode/--layout list selects nothing\n",
			b->name);
		return WS_EXIT_USAGE;
	}
	if (ws_damon_params_check("--damon", &damon, damon_err,
				  sizeof(damon_err))) {
		fprintf(stderr, "wsbench: %s\n", damon_err);
		return WS_EXIT_USAGE;
	}
	if (p.max_reps && p.min_reps > p.max_reps) {
		fprintf(stderr, "wsbench: --min-reps (%llu) is larger than --max-reps (%llu)\n",
			(unsigned long long)p.min_reps,
			(unsigned long long)p.max_reps);
		return WS_EXIT_USAGE;
	}
	if (!p.out_dir) {
		snprintf(out_dir, sizeof(out_dir), "results/%s", p.run_id);
		p.out_dir = out_dir;
	}
	/*
	 * A sync fault nobody resolves blocks its thread for good; the
	 * watchdog turns that into an exit with the knobs restored.
	 */
	alarm(timeout);
	/* Input is valid: only now touch the system (restored at exit). */
	for (size_t i = 0; i < nr_knob_reqs; i++)
		if (set_knob_opt(knob_reqs[i].opt, knob_reqs[i].path,
				 knob_reqs[i].value))
			return 1;

	ws_damon_set_params(&damon);
	if (ws_result_init(&res, b->name, p.run_id, params_json(&p, &damon))) {
		fprintf(stderr, "wsbench: out of memory\n");
		return 1;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.p = &p;
	ctx.res = &res;
	/* The timer is measured in the same run as what it times. */
	timer = ws_timer_overhead_json(100000, &ctx.timer_ns);
	json_object_set_new(res.root, "timer", timer);

	err = b->run(&ctx);
	if (err < 0) {
		ctx.errors++;
		json_array_append_new(json_object_get(res.root, "errors"),
			json_pack("{s:s}", "error", strerror(-err)));
	}
	snprintf(name, sizeof(name), "%s.json", b->name);
	err = ws_result_write(&res, p.out_dir, name);
	if (err) {
		fprintf(stderr, "wsbench: cannot write %s/%s: %s\n", p.out_dir,
			name, strerror(-err));
		ws_result_free(&res);
		return 1;
	}
	fprintf(stderr, "wsbench: %s: %zu cases, %zu skipped, %d errors -> %s/%s\n",
		b->name, json_array_size(res.results),
		json_array_size(res.skipped), ctx.errors, p.out_dir, name);
	ws_result_free(&res);
	return ctx.errors ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (ws_trackers_check())
		return 1;
	ws_knobs_init();
	if (argc < 2) {
		usage(stderr);
		return WS_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "list"))
		return cmd_list();
	if (!strcmp(argv[1], "probe"))
		return cmd_probe(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "summary"))
		return ws_summary_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "wsbench: '%s' is not a command: use list, probe, run, summary or --help\n",
		argv[1]);
	return WS_EXIT_USAGE;
}
