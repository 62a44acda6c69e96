// SPDX-License-Identifier: GPL-2.0
/*
 * wsbench: compare page working-set tracking mechanisms.
 *
 *   wsbench list                      benchmarks, backends, backings
 *   wsbench probe [--json FILE]       what this kernel offers, and why not
 *   wsbench run <benchmark> [opts]    measure; JSON into results/<run-id>/
 *   wsbench summary <dir>             human table of a result directory
 *   wsbench manifest --expect|--check  a suite's result directory, complete?
 *   wsbench pattern check|run ...     workload pattern files
 *   wsbench attach --backend B ...    a real process's memory (bench/attach/)
 *   wsbench nested guest|track|truth  truth from a nested QEMU guest
 *   wsbench compare A B               A/B with CIs of the ratios
 *   wsbench report <dir>              Markdown report, or --cover-letter
 *   wsbench verify <dir>              re-run the recorded parameters here
 *   wsbench collect <dir>...          many machines' runs side by side
 *   wsbench cases <dir>               a run as LAVA test cases
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "bench.h"
#include "cmd_pattern.h"
#include "env.h"
#include "invocations.h"
#include "knob_journal.h"
#include "knob_recheck.h"
#include "knobs.h"
#include "manifest.h"
#include "mem.h"
#include "merge.h"
#include "nested.h"
#include "parse.h"
#include "result.h"
#include "run_cli.h"
#include "summary.h"
#include "timing.h"
#include "tools.h"
#include "tracker.h"


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
"  manifest --expect L DIR  the benchmarks a suite's DIR owes (--check DIR: complete?)\n"
"  pattern check|run ...    check or run workload patterns (wsbench pattern --help)\n"
"  attach --backend B ...   track a real process's memory (wsbench attach --help)\n"
"  nested guest|track|truth truth from a nested QEMU guest (wsbench nested --help)\n"
"  compare <dirA> <dirB>    A/B table: medians, ratio B/A with its 95%% CI\n"
"  report <dir>             Markdown report (--cover-letter: for a patch)\n"
"  verify <dir>             re-run the recorded parameters, check the CIs\n"
"  merge --out D <dir>...   one run from single-invocation runs (merge --help)\n"
"  collect <dir>...         many machines' or kernels' runs side by side\n"
"  cases <dir>              a run as LAVA test cases (name, result, measurement)\n"
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
	/* First: a file that cannot be written is exit 2, stdout empty. */
	if (out) {
		int err = ws_json_write_atomic(j, out);

		if (err) {
			fprintf(stderr, "wsbench probe: --json %s: cannot write it: %s\n",
				out, strerror(-err));
			json_decref(j);
			return WS_EXIT_USAGE;
		}
	}
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
	json_decref(j);
	return 0;
}

/* Check that results can be written to @dir before measuring anything. */
static int check_out_dir(const char *dir)
{
	int err = ws_mkdir_p(dir);

	if (!err && access(dir, W_OK | X_OK))
		err = -errno;
	if (err) {
		fprintf(stderr, "wsbench: --out %s: cannot write results there: %s\n",
			dir, strerror(-err));
		return -1;
	}
	return 0;
}

/* Never replace a result, never mix two runs in one directory. */
static int may_write(const struct ws_benchmark *b, const struct ws_run_cfg *c)
{
	char why[4096];

	if (!ws_manifest_may_add(c->p.out_dir, b->name, c->p.run_id, why,
				 sizeof(why)))
		return 0;
	fprintf(stderr, "wsbench: --out: %s\n", why);
	return -1;
}

/*
 * Every run holds the machine-wide knob lock for its whole life
 * (knob_journal.h): exclusively when it changes knobs, shared otherwise,
 * so that no run changes a knob under another.  Taken before the output
 * directory and the watchdog: a refusal leaves nothing behind, and
 * waiting for another run is not this run's run time.  Without
 * /run/wsbench the run goes on unlocked (a minimal guest runs alone).
 */
static int take_knob_lock(const struct ws_benchmark *b,
			  const struct ws_run_cfg *c)
{
	int err = ws_journal_lock(ws_run_wants_knobs(b, c), c->knob_wait_s);

	if (err == -EWOULDBLOCK) {
		fprintf(stderr, "wsbench: run %s refused: another run holds the knobs (--knob-wait %g): run it again once that one has ended\n",
			b->name, c->knob_wait_s);
		return WS_EXIT_USAGE;
	}
	if (err && err != -EACCES && err != -EROFS && err != -ENOENT) {
		fprintf(stderr, "wsbench: knob lock %s: %s\n",
			ws_journal_lock_path(), strerror(-err));
		return 1;
	}
	return 0;
}

static int run_benchmark(const struct ws_benchmark *b, struct ws_run_cfg *c)
{
	struct ws_bench_ctx ctx = { .p = &c->p };
	struct ws_result res;
	char name[128], why[4096];
	int err;

	uint64_t start = ws_now_ns();

	ws_damon_set_params(&c->damon);
	if (ws_result_init(&res, b->name, c->p.run_id, ws_run_params_json(c))) {
		fprintf(stderr, "wsbench: out of memory\n");
		return 1;
	}
	ctx.res = &res;
	/* The timer is measured in the same run as what it times. */
	json_object_set_new(res.root, "timer",
			    ws_timer_overhead_json(100000, &ctx.timer_ns));
	err = b->run(&ctx);
	if (err < 0) {
		ctx.errors++;
		json_array_append_new(json_object_get(res.root, "errors"),
			json_pack("{s:s}", "error", strerror(-err)));
	}
	/* What the file records must have held for the whole run. */
	ctx.errors += ws_knobs_recheck_result(res.root, b->name);
	snprintf(name, sizeof(name), "%s.json", b->name);
	err = ws_result_write(&res, c->p.out_dir, name);
	if (err) {
		fprintf(stderr, "wsbench: cannot write %s/%s: %s\n",
			c->p.out_dir, name, strerror(-err));
		ws_result_free(&res);
		return 1;
	}
	/* Listed only once complete: the manifest is the run's last word. */
	if (ws_manifest_add(c->p.out_dir, name, b->name, c->p.run_id, why,
			    sizeof(why))) {
		fprintf(stderr, "wsbench: %s\n", why);
		ws_result_free(&res);
		return 1;
	}
	ws_run_what_ran(stderr, b->name, c, &res, ctx.errors,
			(ws_now_ns() - start) / 1e9);
	ws_result_free(&res);
	return ctx.errors ? 1 : 0;
}

static int cmd_run(int argc, char **argv)
{
	const struct ws_benchmark *b;
	static struct ws_run_cfg cfg;
	int ret;

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
	ret = ws_run_parse(b, argc - 1, argv + 1, &cfg);
	if (ret)
		return ret == 1 ? 0 : ret;
	if (ws_run_check_knob_access() || ws_run_check_memory(b, &cfg) ||
	    may_write(b, &cfg))
		return WS_EXIT_USAGE;
	/*
	 * Invocations are child runs that each take the knob lock for
	 * themselves: a parent holding it would shut them out.
	 */
	if (cfg.invocations > 1)
		return check_out_dir(cfg.p.out_dir) ? WS_EXIT_USAGE :
		       ws_run_invocations(b, &cfg, argc - 1, argv + 1);
	ret = take_knob_lock(b, &cfg);
	if (ret)
		return ret;
	if (check_out_dir(cfg.p.out_dir))
		return WS_EXIT_USAGE;
	/*
	 * A sync fault nobody resolves blocks its thread for good; the
	 * watchdog turns that into an exit with the knobs restored.
	 */
	alarm(cfg.timeout_s);
	/* Input is valid: only now touch the system (restored at exit). */
	if (ws_run_apply_knobs() || ws_run_apply_tuning(&cfg))
		return 1;
	return run_benchmark(b, &cfg);
}

static int cmd_list_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cmd_list();
}

/* Each command gets its own argv: argv[0] is the command's name. */
static const struct {
	const char *name;
	int (*main)(int argc, char **argv);
} commands[] = {
	{ "list", cmd_list_main },
	{ "probe", cmd_probe },
	{ "run", cmd_run },
	{ "summary", ws_summary_main },
	{ "manifest", ws_manifest_main },
	{ "pattern", ws_pattern_cmd },
	{ "attach", ws_attach_main },
	{ "nested", ws_nested_cmd },
	{ "compare", ws_compare_main },
	{ "report", ws_report_main },
	{ "verify", ws_verify_main },
	{ "merge", ws_merge_main },
	{ "collect", ws_collect_main },
	{ "cases", ws_cases_main },
};

static int dispatch(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return WS_EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "wsbench: '%s' is not a command: use list, probe, run, summary, manifest, pattern, nested, compare, report, verify, merge, collect, cases, attach or --help\n",
		argv[1]);
	return WS_EXIT_USAGE;
}

/*
 * Output errors are errors: a table cut short by a full disk or a closed
 * pipe must not exit 0.  Every command prints through stdout, so one
 * check at the end, after the last flush, covers them all.
 */
static int stdout_done(int ret)
{
	int bad = ferror(stdout);

	errno = 0;
	if (fflush(stdout) == EOF || bad) {
		fprintf(stderr, "wsbench: cannot write to standard output%s%s: the output is lost or cut short\n",
			errno ? ": " : "", errno ? strerror(errno) : "");
		return ret ? ret : 1;
	}
	return ret;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (ws_trackers_check())
		return 1;
	ws_knobs_init();
	return stdout_done(dispatch(argc, argv));
}
