// SPDX-License-Identifier: GPL-2.0
/*
 * `wsbench verify [--keep DIR | --rerun DIR] [--all] [--margin PCT]
 * [--same-machine] RESULT`: re-run exactly the recorded parameters of every
 * benchmark of RESULT on this machine (this binary, a scratch directory, as
 * many invocations as recorded; --rerun: a re-run kept before, whose params
 * must match as a fresh one's must), then check the claims, the within-run ratios a
 * cover letter cites, and the exact values (verify_check.c).  With
 * --same-machine the absolute medians too, by compare's test (Yuen over
 * invocations, Benjamini-Hochberg).  Exit 0: everything reproduces; 1:
 * something does not (listed); 2: bad input, nothing to check, or a run
 * of another kind of machine (accel, CPU model, page size; a wsbench VM
 * run from outside).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "env.h"
#include "envdiff.h"
#include "parse.h"
#include "replay.h"
#include "claims.h"
#include "headline.h"
#include "result.h"
#include "rundir.h"
#include "verify.h"

struct verify_opts {
	const char *result, *keep, *rerun;
	int all, same_machine;
	double margin;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: wsbench verify [--keep DIR | --rerun DIR] [--all] [--margin PCT] [--same-machine] RESULT\n"
"  RESULT          a result directory (results/<run-id>) made on this kind of machine\n"
"  --keep DIR      keep the re-run's results in DIR (default: a removed scratch dir)\n"
"  --rerun DIR     check against DIR, a re-run made here before (verify --keep),\n"
"                  instead of re-running\n"
"  --all           also list equal exact values (precision, recall)\n"
"  --margin PCT    equivalence margin of a claim's ratio, in percent (default 10)\n"
"  --same-machine  also test the absolute medians (two-sample, FDR-controlled)\n"
"exit: 0 every claim reproduces, 1 some do not (listed), 2 bad input\n");
}

/* Like compare_cmd.c's parse(), with verify's own options and defaults. */
static int parse(int argc, char **argv, struct verify_opts *o)
{
	static const struct option opts[] = {
		{ "keep", required_argument, NULL, 'k' },
		{ "rerun", required_argument, NULL, 'r' },
		{ "all", no_argument, NULL, 'a' },
		{ "margin", required_argument, NULL, 'm' },
		{ "same-machine", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->margin = 0.10;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		double pct;

		if (c == 'k')
			o->keep = optarg;
		else if (c == 'r')
			o->rerun = optarg;
		else if (c == 'a')
			o->all = 1;
		else if (c == 's')
			o->same_machine = 1;
		else if (c == 'm') {
			if (ws_parse_double("--margin", optarg, 0, 100, &pct))
				return -1;
			o->margin = pct / 100;
		}
		else if (c == 'h')
			return usage(stdout), 1;
		else
			return fprintf(stderr, "wsbench verify: unknown option or missing value '%s': accepted: --keep DIR, --rerun DIR, --all, --margin PCT, --same-machine, --help\n",
				       argv[optind - 1]), -1;
	}
	if (argc - optind != 1) {
		usage(stderr);
		return -1;
	}
	o->result = argv[optind];
	if (o->keep && o->rerun)
		return fprintf(stderr, "wsbench verify: --keep and --rerun: give one (--keep makes a re-run, --rerun uses one)\n"), -1;
	if (o->rerun && access(o->rerun, R_OK | X_OK))
		return fprintf(stderr, "wsbench verify: --rerun %s: %s; name the directory of a re-run (verify --keep DIR)\n",
			       o->rerun, strerror(errno)), -1;
	if (o->keep && !access(o->keep, F_OK))
		return fprintf(stderr, "wsbench verify: --keep %s: exists already; name a new directory\n",
			       o->keep), -1;
	return 0;
}

/* Reasons this machine cannot re-run @run (strings; empty: it can). */
static json_t *machine_refusals(const struct ws_run *run, json_t *here)
{
	char accel[64];
	json_t *why = ws_env_refusals(run->accel, run->env,
				      ws_env_virt(accel, sizeof(accel)), here);

	if (!strcmp(ws_jstr(run->env, "virtualization.in_wsbench_vm"), "yes") &&
	    strcmp(ws_jstr(here, "virtualization.in_wsbench_vm"), "yes"))
		json_array_append_new(why, json_string(
			"the run was made inside the wsbench VM (make bench TARGET=vm) and this is not it: verify it in the same kind of guest"));
	return why;
}

/* `wsbench run` arguments for every file, all checked before any runs. */
static json_t *plan_runs(const struct ws_run *run, char *why, size_t len)
{
	json_t *plan = json_array();

	for (size_t i = 0; i < run->nfiles; i++) {
		const struct ws_run_file *f = &run->files[i];
		json_t *params = json_object_get(f->root, "params");
		const char *profile = ws_jstr(params, "profile");
		json_t *base = ws_replay_defaults(f->bench, profile);
		json_t *args = json_pack("[sssssss]", "run", f->bench,
					 "--profile", profile, "--run-id",
					 run->run_id, "--quiet");
		char keys[1024];
		int err = !base;

		if (!base)
			snprintf(why, len, "%s: benchmark '%s' or profile '%s' is unknown to this wsbench",
				 f->path, f->bench, profile);
		else if (ws_params_key_mismatch(params, base, keys, sizeof(keys)))
			err = snprintf(why, len, "%s: params %s are unknown to this wsbench (or it has parameters the run did not record): another version made the run",
				       f->path, keys);
		else
			err = ws_replay_args(f->bench, params, base, args, why, len);
		if (!err && ws_replay_tune(f->root)) {
			json_array_append_new(args, json_string("--tune"));
			json_array_append_new(args, json_string(ws_replay_tune(f->root)));
		}
		json_decref(base);
		if (err) {
			json_decref(args);
			json_decref(plan);
			return NULL;
		}
		json_array_append_new(plan, args);
	}
	return plan;
}

/* Run this binary with @args --out @out; its stdout goes to our stderr. */
static int run_child(json_t *args, const char *out)
{
	size_t n = json_array_size(args);
	const char **argv = calloc(n + 4, sizeof(*argv));
	int status;
	pid_t pid;

	if (!argv)
		return -1;
	argv[0] = "wsbench";
	for (size_t i = 0; i < n; i++)
		argv[i + 1] = json_string_value(json_array_get(args, i));
	argv[n + 1] = "--out";
	argv[n + 2] = out;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		dup2(2, 1);
		execv("/proc/self/exe", (char **)argv);
		_exit(127);
	}
	free(argv);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void print_command(json_t *args, size_t i, size_t n, const char *out)
{
	json_t *a;
	size_t k;

	fprintf(stderr, "[verify %zu/%zu] wsbench", i + 1, n);
	json_array_foreach(args, k, a)
		fprintf(stderr, " %s", json_string_value(a));
	fprintf(stderr, " --out %s\n", out);
}

/* Every planned run; 0, or WS_EXIT_USAGE when this wsbench rejects one. */
static int rerun(json_t *plan, const char *out)
{
	json_t *args;
	size_t i;

	json_array_foreach(plan, i, args) {
		int rc;

		print_command(args, i, json_array_size(plan), out);
		rc = run_child(args, out);
		if (rc == WS_EXIT_USAGE || rc < 0) {
			fprintf(stderr, "wsbench verify: this wsbench rejected the recorded parameters (exit %d): see above\n",
				rc);
			return WS_EXIT_USAGE;
		}
		if (rc)
			fprintf(stderr, "wsbench verify: the re-run of %s exited %d: its missing cases will not reproduce\n",
				json_string_value(json_array_get(args, 1)), rc);
	}
	return 0;
}

/* The re-run must have measured with exactly the recorded parameters. */
static int same_params(const struct ws_run *old, const struct ws_run *new)
{
	for (size_t i = 0; i < old->nfiles; i++) {
		const struct ws_run_file *f = ws_run_file(new, old->files[i].bench);
		char keys[1024];

		if (!f) {
			fprintf(stderr, "wsbench verify: the re-run wrote no %s.json\n",
				old->files[i].bench);
			return -1;
		}
		if (ws_params_mismatch(json_object_get(old->files[i].root, "params"),
				       json_object_get(f->root, "params"),
				       keys, sizeof(keys))) {
			fprintf(stderr, "wsbench verify: %s: the re-run's params %s differ from the recorded ones\n",
				old->files[i].path, keys);
			return -1;
		}
	}
	return 0;
}

static void print_differences(FILE *f, json_t *recorded, json_t *rerun)
{
	json_t *diff = ws_env_differences(recorded, rerun), *d;
	size_t i;

	fprintf(f, "environment differences, recorded -> re-run (listed, never refused): %zu\n",
		json_array_size(diff));
	json_array_foreach(diff, i, d) {
		char a[34], b[34];

		ws_json_brief(json_object_get(d, "a"), a, sizeof(a));
		ws_json_brief(json_object_get(d, "b"), b, sizeof(b));
		fprintf(f, "  %-29.29s %-33s %s\n", ws_jstr(d, "key"), a, b);
	}
	json_decref(diff);
}

/* --same-machine: compare's test of every headline median; marked rows. */
static size_t same_machine_changes(FILE *f, const struct ws_run *old,
				   const struct ws_run *new,
				   struct ws_verify_tally *t)
{
	struct ws_compare_opts o = { .threshold = 0.05, .fdr_q = 0.05 };
	json_t *cmp = ws_compare_runs(old, new, &o), *row;
	size_t i, marked = 0;
	char line[4200];

	json_array_foreach(json_object_get(cmp, "rows"), i, row) {
		if (!*ws_jstr(row, "marker") ||
		    json_is_true(json_object_get(row, "exact")))
			continue;
		marked++;
		snprintf(line, sizeof(line), "median %s %s (B/A %.3f, q %.3g)  %s  %.3900s",
			 ws_jstr(row, "metric"), ws_jstr(row, "marker"),
			 ws_jnum(row, "ratio"), ws_jnum(row, "p_adj"),
			 ws_jstr(row, "benchmark"), ws_jstr(row, "case"));
		json_array_append_new(t->failures, json_string(line));
	}
	fprintf(f, "\n--same-machine: %lld headline medians tested over invocations (Yuen, +-5 %%, Benjamini-Hochberg q 0.05): %zu changed\n",
		json_integer_value(ws_jget(cmp, "method.rows_tested")), marked);
	json_decref(cmp);
	return marked;
}

/* Print every verdict; 0 when everything reproduced, 1 if not, 2 if
 * there was nothing to check. */
static int judge(FILE *f, const struct ws_run *old, const struct ws_run *new,
		 const struct verify_opts *o)
{
	struct ws_verify_tally t = { .failures = json_array() };
	json_t *oc = ws_claims_of(old), *nc = ws_claims_of(new), *s;
	char line[512];
	size_t i, checked, claims_checked, claims_unchecked;

	fprintf(f, "\nclaims: ratios measured inside one run; a claim reproduces when the re-run's\n"
		   "ratio lies within the larger of +-%g %% and its prediction interval.\n\n",
		100 * o->margin);
	ws_verify_claims(f, oc, nc, o->margin, &t);
	claims_unchecked = t.count[WS_UNCHECKED];
	fprintf(f, "\nexact values (precision, recall where the tracker is exact): must be equal\n");
	for (i = 0; i < old->nfiles; i++)
		ws_verify_file(f, old->files[i].bench, old->files[i].root,
			       ws_run_file(new, old->files[i].bench)->root,
			       o->all, &t);
	if (o->same_machine)
		same_machine_changes(f, old, new, &t);
	checked = t.count[WS_OK] + t.count[WS_OUTSIDE] + t.count[WS_DIFFERS] +
		  t.count[WS_MISSING];
	claims_checked = json_array_size(oc) - claims_unchecked;
	snprintf(line, sizeof(line), "%zu claims and %zu exact values checked: %zu reproduce, %zu outside their margin, %zu exact values differ, %zu missing; unchecked: %zu claims (band wider than x2), %zu values (sampled or lossy)",
		 claims_checked, checked - claims_checked,
		 t.count[WS_OK], t.count[WS_OUTSIDE], t.count[WS_DIFFERS],
		 t.count[WS_MISSING], claims_unchecked,
		 t.count[WS_UNCHECKED] - claims_unchecked);
	fprintf(f, "\n");
	ws_wrap(f, 100, "", "    ", line);
	if (json_array_size(t.failures))
		fprintf(f, "does not reproduce:\n");
	json_array_foreach(t.failures, i, s)
		ws_wrap(f, 100, "  ", "      ", json_string_value(s));
	if (!checked && claims_unchecked)
		fprintf(stderr, "wsbench verify: %s: nothing could be checked: %zu claims have a band wider than x2 (too few or too varied invocations; re-run with more) and there is no exact value\n",
			old->dir, claims_unchecked);
	else if (!checked)
		fprintf(stderr, "wsbench verify: %s: nothing to check (no claim, no exact value): the result is empty\n",
			old->dir);
	i = json_array_size(t.failures);
	json_decref(t.failures);
	json_decref(oc);
	json_decref(nc);
	return !checked ? WS_EXIT_USAGE : i ? 1 : 0;
}

static void remove_scratch(const char *dir)
{
	char path[4096 + 256 + 2];
	struct dirent **names;
	int n = scandir(dir, &names, NULL, NULL);

	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
			unlink(path);
		free(names[i]);
	}
	free(names);
	rmdir(dir);
}

/* Re-run @plan into @out, check, print to @f; the exit code. */
static int rerun_and_judge(const struct verify_opts *o, const struct ws_run *old,
			   json_t *plan, const char *out, FILE *f)
{
	struct ws_run new;
	char why[1024];
	int rc = o->rerun ? 0 : rerun(plan, out);

	if (rc)
		return rc;
	if (ws_run_load(out, &new, why, sizeof(why))) {
		fprintf(stderr, "wsbench verify: the re-run: %s\n", why);
		return 1;
	}
	if (!same_params(old, &new)) {
		print_differences(f, old->env, new.env);
		rc = judge(f, old, &new, o);
	} else {
		rc = WS_EXIT_USAGE;
	}
	ws_run_free(&new);
	return rc;
}

static void print_intro(FILE *f, const struct verify_opts *o,
			const struct ws_run *run, const char *dir)
{
	char line[8192];

	snprintf(line, sizeof(line), "%s (run %s, accel %s, cpu %s)",
		 o->result, run->run_id, run->accel,
		 ws_jstr(run->env, "cpu.model"));
	ws_wrap(f, 100, "wsbench verify ", "    ", line);
	if (o->rerun) {
		ws_wrap(f, 100, "re-run given: ", "    ", dir);
		return;
	}
	snprintf(line, sizeof(line), "%zu benchmarks with the recorded parameters into %s%s",
		 run->nfiles, dir, o->keep ? "" : " (removed afterwards)");
	ws_wrap(f, 100, "re-ran ", "    ", line);
}

/* The scratch (or --keep) directory for the re-run into @dir; 0 or -1. */
static int make_outdir(const struct verify_opts *o, char *dir, size_t len)
{
	const char *tmp = getenv("TMPDIR");
	int err;

	if (o->keep) {
		snprintf(dir, len, "%s", o->keep);
		err = ws_mkdir_p(dir);
		errno = -err;
	} else {
		snprintf(dir, len, "%s/wsbench-verify.XXXXXX",
			 tmp && *tmp ? tmp : "/tmp");
		err = mkdtemp(dir) ? 0 : -1;
	}
	if (err)
		fprintf(stderr, "wsbench verify: %s%s: cannot create it: %s\n",
			o->keep ? "--keep " : "", dir, strerror(errno));
	return err ? -1 : 0;
}

/* Headline metrics and claims @run has; 0 means nothing to verify. */
static size_t checkable(const struct ws_run *run)
{
	json_t *claims = ws_claims_of(run), *c;
	size_t n = json_array_size(claims), i;

	json_decref(claims);
	for (size_t f = 0; f < run->nfiles; f++)
		json_array_foreach(json_object_get(run->files[f].root, "results"), i, c) {
			struct ws_metric m[WS_MAX_METRICS];

			n += ws_headline_metrics(run->files[f].bench, c, m,
						 WS_MAX_METRICS);
		}
	return n;
}

/* Can this machine re-run @run, with which commands?  NULL: no (said). */
static json_t *checked_plan(const struct ws_run *run, json_t *here,
			    const char *result)
{
	json_t *refusals = machine_refusals(run, here), *plan = NULL, *r;
	char why[1024];
	size_t i;

	if (!checkable(run)) {
		fprintf(stderr, "wsbench verify: %s: nothing to check: no claim and no headline metric in any result\n",
			result);
	} else if (json_array_size(refusals)) {
		fprintf(stderr, "wsbench verify: refusing to verify %s on this machine:\n",
			result);
		json_array_foreach(refusals, i, r)
			fprintf(stderr, "  %s\n", json_string_value(r));
	} else if (!(plan = plan_runs(run, why, sizeof(why)))) {
		fprintf(stderr, "wsbench verify: %s\n", why);
	}
	json_decref(refusals);
	return plan;
}

static int verify(const void *opts, struct ws_out *out)
{
	const struct verify_opts *o = opts;
	char why[1024], dir[4096];
	json_t *here, *plan;
	struct ws_run run;
	int rc = WS_EXIT_USAGE;

	if (ws_run_load(o->result, &run, why, sizeof(why))) {
		fprintf(stderr, "wsbench verify: %s\n", why);
		return rc;
	}
	here = ws_env_capture();
	plan = checked_plan(&run, here, o->result);
	/* Nothing is written before every check passed. */
	if (plan && o->rerun) {
		snprintf(dir, sizeof(dir), "%s", o->rerun);
		print_intro(out->f, o, &run, dir);
		rc = rerun_and_judge(o, &run, plan, dir, out->f);
	} else if (plan && !make_outdir(o, dir, sizeof(dir))) {
		print_intro(out->f, o, &run, dir);
		if (ws_run_env_changed_keys(&run, why, sizeof(why)))
			fprintf(out->f, "WARNING: the recorded run's environment changed during it: %s\n",
				why);
		rc = rerun_and_judge(o, &run, plan, dir, out->f);
		if (!o->keep)
			remove_scratch(dir);
	} else if (plan) {
		rc = WS_EXIT_USAGE;	/* cannot write: nothing was run */
	}
	json_decref(plan);
	json_decref(here);
	ws_run_free(&run);
	return rc;
}

int ws_verify_main(int argc, char **argv)
{
	struct verify_opts o;
	int rc = parse(argc, argv, &o);

	/* A verdict (0 or 1) is printed; bad input leaves stdout empty. */
	return ws_reader_run(rc, verify, &o, 1);
}
