// SPDX-License-Identifier: GPL-2.0
/*
 * `wsbench attach` (attach.h): parse, probe, the runs (tracked and
 * untracked alternating), the optional hyperfine A/B, the result file and
 * a short summary on stdout.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "attach.h"
#include "common.h"
#include "knob_journal.h"
#include "knob_recheck.h"
#include "knobs.h"
#include "loop.h"
#include "parse.h"
#include "result.h"
#include "timing.h"

static struct sigaction prev_int, prev_term;

/* First SIGINT/SIGTERM: finish the interval, let go, report.  Second: die. */
static void on_stop(int sig)
{
	if (!ws_attach_stopping) {
		ws_attach_stopping = 1;
		return;
	}
	sigaction(sig, sig == SIGINT ? &prev_int : &prev_term, NULL);
	raise(sig);
}

static void catch_stop(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &prev_int);
	sigaction(SIGTERM, &sa, &prev_term);
}

static json_t *params(struct ws_attach *a)
{
	json_t *j;

	a->p.profile = WS_PROFILE_DEFAULT;
	for (size_t i = 0; ws_trackers[i]; i++)
		if (ws_trackers[i] == a->ops)
			a->p.backends = 1u << i;
	a->p.backings = WS_BACKING_BIT(WS_BACKING_SHMEM);
	a->p.modes = a->ops->modes;
	a->p.min_reps = a->p.max_reps = a->reps;
	a->p.seed = a->seed;
	a->p.intervals = a->intervals;
	a->p.interval_ms = a->interval_ms;
	a->p.cold_after = a->cold_after;
	a->p.unsafe = a->unsafe;
	a->p.run_id = a->run_id;
	a->p.out_dir = a->out_dir;
	j = ws_params_json(&a->p);
	json_object_set_new(j, "intervals", json_integer(a->intervals));
	json_object_set_new(j, "interval_ms", json_real(a->interval_ms));
	json_object_set_new(j, "cold_after", json_integer(a->cold_after));
	json_object_set_new(j, "protocol", json_string(a->unsafe ? "unsafe" :
						       "safe"));
	json_object_set_new(j, "freeze", json_string(
		a->freeze == WS_ATTACH_FREEZE_PAUSE ? "pause" : "auto"));
	json_object_set_new(j, "no_evict", json_boolean(a->no_evict));
	json_object_set_new(j, "ab_runs", json_integer(a->ab_runs));
	json_object_set_new(j, "ab_warmup", json_integer(a->ab_warmup));
	json_object_set_new(j, "ab_rounds", json_integer(a->ab_rounds));
	return j;
}

/* Intervals a tracked run measured (0: it never got going). */
static json_int_t intervals_of(json_t *tracked)
{
	return json_integer_value(json_object_get(json_object_get(tracked,
						  "run"), "intervals"));
}

/*
 * Tracked and untracked, the order alternating by repetition; no
 * untracked run after a tracked one that failed, measured nothing or was
 * stopped by a signal: that would be new work nobody asked for.
 */
static int one_rep(struct ws_bench_ctx *ctx, const struct ws_attach *a,
		   unsigned int rep, json_t *runs)
{
	json_t *t = NULL, *u = NULL;
	int ret = 0, rt;

	bool alone = !a->pid && !a->no_untracked;

	if (alone && rep % 2)
		ret = ws_attach_untracked(ctx, a, rep, &u);
	rt = ws_attach_tracked(ctx, a, rep, &t);
	if (alone && !(rep % 2) && !rt && intervals_of(t) &&
	    !ws_attach_stopping)
		ret = ws_attach_untracked(ctx, a, rep, &u);
	json_array_append_new(runs, json_pack("{s:o,s:o}",
		"tracked", t ? t : json_object(),
		"untracked", u ? u : json_null()));
	return rt ? rt : ret;
}

/* hyperfine's verdict: the medians, and the slowdown with its CI. */
static void say_ab(json_t *ab)
{
	json_t *ci = json_object_get(ab, "slowdown_pct_ci95");

	if (!ab || json_array_size(ci) != 2)
		return;
	printf("  hyperfine: %.3f s alone, %.3f s under attach (median of %lld runs each): %+.1f%%, 95%% CI [%+.1f%%, %+.1f%%]\n",
	       json_number_value(json_object_get(ab, "median_s_alone")),
	       json_number_value(json_object_get(ab, "median_s")),
	       (long long)(json_integer_value(json_object_get(ab, "runs")) *
			   json_integer_value(json_object_get(ab, "rounds"))),
	       json_number_value(json_object_get(ab, "slowdown_pct")),
	       json_number_value(json_array_get(ci, 0)),
	       json_number_value(json_array_get(ci, 1)));
}

/* Which mapping of which process, and whether its pages are evicted. */
static void say_range(json_t *c, json_t *t)
{
	json_t *r = json_object_get(t, "range");
	const char *ev = json_string_value(json_object_get(c, "eviction"));

	if (!r)
		return;
	printf("  range: %s, %lld KiB of pid %lld: %s\n",
	       json_string_value(json_object_get(r, "path")),
	       (long long)json_integer_value(json_object_get(r, "len")) / 1024,
	       (long long)json_integer_value(json_object_get(
			json_object_get(t, "target"), "tracked_pid")),
	       ev ? ev : "evicting (a fork of the target hands the range back first; memory another process maps is never evicted)");
}

/* A range the target never touched is likely the wrong one. */
static void say_idle(json_t *t)
{
	json_t *ivs = json_object_get(t, "intervals"), *iv;
	json_int_t hot = 0;
	size_t i;

	json_array_foreach(ivs, i, iv)
		hot += json_integer_value(json_object_get(iv,
						"detected_ws_pages"));
	if (json_array_size(ivs) && !hot)
		printf("  warning: the target touched no page of the range in any of the %zu intervals: is it the memory the program works on? (--select)\n",
		       json_array_size(ivs));
}

static void say_summary(const struct ws_attach *a, json_t *c,
			const char *path)
{
	json_t *s = json_object_get(c, "summary");
	json_t *t = json_object_get(json_array_get(json_object_get(c, "runs"),
						   0), "tracked");
	json_t *r = json_object_get(t, "run"), *truth = json_object_get(t, "truth");
	json_t *f1 = json_object_get(s, "f1_cold");
	json_t *sd = json_object_get(s, "slowdown_pct");
	json_t *cpu = json_object_get(s, "cpu_per_interval_ns");
	const char *vu = json_string_value(json_object_get(s,
						"fio_verify_untracked"));

	if (a->quiet)
		return;
	printf("wsbench attach: %s (%s mode), freeze %s: %lld intervals, ended: %s\n",
	       a->ops->name, json_string_value(json_object_get(c, "mode")),
	       json_string_value(json_object_get(c, "freeze")),
	       (long long)json_integer_value(json_object_get(r, "intervals")),
	       json_string_value(json_object_get(r, "ended")));
	say_range(c, t);
	printf("  evicted %lld pages, %lld refaults, %lld restored by the target at release\n",
	       (long long)json_integer_value(json_object_get(s, "evicted")),
	       (long long)json_integer_value(json_object_get(s, "refaults")),
	       (long long)json_integer_value(json_object_get(s,
					     "restored_at_release")));
	if (f1 && !json_is_null(f1))
		printf("  cold-set F1 %.3f against %s; %.1f%% of the pages called cold were in use (%.1f%% read only)\n",
		       json_number_value(f1),
		       json_string_value(json_object_get(truth, "source")),
		       json_number_value(json_object_get(s, "false_cold_pct")),
		       json_number_value(json_object_get(s,
					 "false_cold_read_pct")));
	else
		printf("  no ground truth: %s\n", json_string_value(
		       json_object_get(truth, "reason")) ?: "no truth log");
	if (cpu && !json_is_null(cpu))
		printf("  manager CPU per interval %.0f us\n",
		       json_number_value(cpu) / 1e3);
	if (sd && !json_is_null(sd))
		printf("  wall time against the untracked run: %+.1f%%\n",
		       json_number_value(sd));
	for (int d = 0; d < 2; d++) {
		const char *dir = d ? "write" : "read";
		char k[4][48];

		snprintf(k[0], sizeof(k[0]), "fio_%s_iops", dir);
		snprintf(k[1], sizeof(k[1]), "fio_%s_clat_p99_ns", dir);
		snprintf(k[2], sizeof(k[2]), "fio_%s_iops_untracked", dir);
		snprintf(k[3], sizeof(k[3]), "fio_%s_clat_p99_ns_untracked", dir);
		if (json_object_get(s, k[0]) && json_object_get(s, k[2]))
			printf("  fio %s: %.0f IOPS, p99 %.1f us tracked; %.0f IOPS, p99 %.1f us untracked\n",
			       dir, json_number_value(json_object_get(s, k[0])),
			       json_number_value(json_object_get(s, k[1])) / 1e3,
			       json_number_value(json_object_get(s, k[2])),
			       json_number_value(json_object_get(s, k[3])) / 1e3);
	}
	if (json_string_value(json_object_get(s, "fio_verify")))
		printf("  fio verify: %s tracked%s%s%s\n",
		       json_string_value(json_object_get(s, "fio_verify")),
		       vu ? ", " : "", vu ? vu : "", vu ? " untracked" : "");
	say_ab(json_object_get(c, "ab"));
	say_idle(t);
	printf("  -> %s\n", path);
}

/*
 * The target's own verdict is the integrity check: fio's verify failing,
 * or a command failing under tracking that does not fail the same way
 * alone, is data loss (an error under the safe protocol).
 */
static int verdict(struct ws_bench_ctx *ctx, const struct ws_attach *a,
		   json_t *c)
{
	size_t i;
	json_t *p;

	if (a->unsafe)
		return 0;
	json_array_foreach(json_object_get(c, "runs"), i, p) {
		json_t *tt = json_object_get(json_object_get(p, "tracked"),
					     "target");
		json_t *ut = json_object_get(json_object_get(p, "untracked"),
					     "target");
		json_t *f = json_object_get(tt, "fio");
		json_int_t es = json_integer_value(json_object_get(tt,
							"exit_status"));
		json_t *sig = json_object_get(tt, "signal");

		if (json_is_integer(sig) && !ws_attach_stopping)
			return ws_case_fail(ctx, EIO, "the command was killed by signal %lld (%s) under tracking (run %zu)",
					    (long long)json_integer_value(sig),
					    strsignal((int)json_integer_value(sig)),
					    i);
		if (!strcmp(json_string_value(json_object_get(f, "verify")) ?:
			    "", "failed"))
			return ws_case_fail(ctx, EIO, "fio's verify failed under tracking (run %zu): %s",
					    i, json_string_value(json_object_get(f,
						"verify_message")));
		/* Excused only when it fails alone just the same. */
		json_int_t eu = ut ? json_integer_value(json_object_get(ut,
						"exit_status")) : -1;

		if (es && eu != es)
			return ws_case_fail(ctx, EIO, "the command exited %lld under tracking, %s (run %zu)",
					    (long long)es, ut ? (eu ? "not 0 alone either, but differently" : "0 alone") :
					    "and ran only tracked", i);
	}
	return 0;
}

static int write_result(struct ws_result *res, const struct ws_attach *a)
{
	int err = ws_mkdir_p(a->out_dir);

	if (!err)
		err = ws_result_write(res, a->out_dir, "attach.json");
	if (err)
		fprintf(stderr, "wsbench attach: cannot write %s/attach.json: %s\n",
			a->out_dir, strerror(-err));
	return err ? 1 : 0;
}

/*
 * The first tracked run measured nothing (its set-up failed, or the
 * target let go before the first interval ended): one line, exit 2,
 * nothing written -- and the --out directory gone if we made it.
 */
static int refuse(struct ws_bench_ctx *ctx, json_t *runs, const char *out,
		  bool made_out)
{
	json_t *t = json_object_get(json_array_get(runs, 0), "tracked");
	const char *ended = json_string_value(json_object_get(
				json_object_get(t, "run"), "ended"));

	if (ctx->skip_reason[0])
		fprintf(stderr, "wsbench attach: %s\n", ctx->skip_reason);
	else
		fprintf(stderr, "wsbench attach: nothing measured: %s before the first interval ended\n",
			ended ? ended : "the target let go");
	if (made_out)
		rmdir(out);
	return WS_EXIT_USAGE;
}

static int record(struct ws_bench_ctx *ctx, struct ws_result *res, int ret)
{
	if (!ret)
		return 0;
	ctx->errors++;
	json_array_append_new(json_object_get(res->root, "errors"),
			      json_pack("{s:s,s:s}", "backend", "attach",
					"error", ctx->skip_reason[0] ?
					ctx->skip_reason : strerror(-ret)));
	fprintf(stderr, "wsbench attach: %s\n", ctx->skip_reason[0] ?
		ctx->skip_reason : strerror(-ret));
	return ret;
}

/* --out made (remembering whether it existed) and writable. */
static int open_out_dir(const struct ws_attach *a, bool *made_out)
{
	*made_out = access(a->out_dir, F_OK) != 0;
	if (ws_mkdir_p(a->out_dir) || access(a->out_dir, W_OK | X_OK)) {
		fprintf(stderr, "wsbench attach: --out %s: cannot write results there: %s\n",
			a->out_dir, strerror(errno));
		return WS_EXIT_USAGE;
	}
	return 0;
}

/*
 * The repetitions into @runs; *@refused when the first tracked run had
 * no interval (then @ret is refuse()'s and nothing more is recorded).
 */
static int run_reps(struct ws_bench_ctx *ctx, struct ws_attach *a,
		    json_t *runs, bool made_out, bool *refused)
{
	int ret = 0;

	*refused = false;
	for (unsigned int r = 0; !ret && r < a->reps && !ws_attach_stopping; r++) {
		int rr = one_rep(ctx, a, r, runs);

		if (!r && !intervals_of(json_object_get(json_array_get(runs, 0),
							"tracked")) &&
		    !ws_attach_stopping) {
			*refused = true;
			return refuse(ctx, runs, a->out_dir, made_out);
		}
		ret = record(ctx, ctx->res, rr);
	}
	if (!ret && ws_attach_stopping)
		ret = record(ctx, ctx->res, ws_case_fail(ctx, EINTR, "stopped by a signal before the end: a partial result, no untracked run after it"));
	return ret;
}

/* The case of @runs: its verdict, the A/B runs, the summary line. */
static int finish_case(struct ws_bench_ctx *ctx, struct ws_attach *a,
		       json_t *runs, const char *path, int ret)
{
	json_t *c = ws_attach_case(ctx, a, runs), *ab;
	char why[512];

	if (!ret)
		ret = record(ctx, ctx->res, verdict(ctx, a, c));
	if (!ret && a->ab_runs) {
		ab = ws_attach_hyperfine(ctx, a, json_object_get(c, "metrics"),
					 why, sizeof(why));
		if (!ab)
			ret = record(ctx, ctx->res, ws_case_fail(ctx, EIO,
						"hyperfine: %s", why));
		else
			json_object_set_new(c, "ab", ab);
	}
	say_summary(a, c, path);
	ws_result_add(ctx->res, c);
	return ret;
}

int ws_attach_main(int argc, char **argv)
{
	static struct ws_attach a;
	struct ws_bench_ctx ctx = { .p = &a.p };
	struct ws_result res;
	struct ws_probe pr = { 0 };
	bool made_out, refused;
	char path[600];
	json_t *runs;
	int ret;

	ret = ws_attach_parse(argc, argv, &a);
	if (ret)
		return ret == 1 ? 0 : ret;
	/* As `wsbench run`: no run changes a knob under this one. */
	if (ws_journal_lock(false, 3600) == -EWOULDBLOCK)
		return WS_EXIT_USAGE;
	if (open_out_dir(&a, &made_out))
		return WS_EXIT_USAGE;
	if (ws_result_init(&res, "attach", a.run_id, params(&a)))
		return 1;
	ctx.res = &res;
	json_object_set_new(res.root, "timer",
			    ws_timer_overhead_json(100000, &ctx.timer_ns));
	snprintf(path, sizeof(path), "%s/attach.json", a.out_dir);
	a.ops->probe(&pr);
	if (!pr.supported) {
		ws_result_skip(&res, a.ops->name, NULL, NULL, pr.reason);
		if (!a.quiet)
			printf("wsbench attach: %s skipped: %s\n  -> %s\n",
			       a.ops->name, pr.reason, path);
		ret = write_result(&res, &a);
		ws_result_free(&res);
		return ret;
	}
	alarm(a.timeout_s);
	catch_stop();
	runs = json_array();
	ret = run_reps(&ctx, &a, runs, made_out, &refused);
	if (refused) {
		json_decref(runs);
		ws_result_free(&res);
		return ret;
	}
	if (json_array_size(runs))
		ret = finish_case(&ctx, &a, runs, path, ret);
	json_decref(runs);
	ctx.errors += ws_knobs_recheck_result(res.root, "attach");
	ret = write_result(&res, &a) || ctx.errors;
	ws_result_free(&res);
	return ret;
}
