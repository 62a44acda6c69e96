// SPDX-License-Identifier: GPL-2.0
/*
 * `wsbench report RUN --cover-letter`: what a linux-mm cover letter
 * quotes, every line at most 72 columns (long ids and paths wrap, nothing
 * is cut): provenance (kernel release, config sha256, patches, harness
 * commit, accel), the claims (claims.h) each with its interval labelled
 * for what it covers, n = invocations x repetitions and the variation
 * between invocations, caveats where the timer's overhead or emulation
 * make a number an upper bound or meaningless, correctness as `wsbench
 * summary` states it (the same function computes both), and the commands
 * that reproduce and re-check the run.  Under TCG no timing claim is
 * shown at all.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "envdiff.h"
#include "headline.h"
#include "reproduce.h"
#include "rundir.h"
#include "summary.h"
#include "tools.h"

#define WIDTH	72

static void line(FILE *f, const char *first, const char *cont, const char *fmt,
		 ...) __attribute__((format(printf, 4, 5)));

static void line(FILE *f, const char *first, const char *cont, const char *fmt,
		 ...)
{
	char buf[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ws_wrap(f, WIDTH, first, cont, buf);
}

static const char *or_dash(const char *s)
{
	return *s ? s : "-";
}

static void provenance(FILE *f, const struct ws_run *run)
{
	json_t *e = run->env, *b = ws_jget(e, "kernel.build");
	json_t *inv = json_object_get(run->files[0].root, "invocations");

	line(f, "", "  ", "wsbench run %s", run->run_id);
	line(f, "", "  ", "profile %s, %lld invocation(s), started %s",
	     ws_jstr(run->params, "profile"),
	     json_is_integer(inv) ? json_integer_value(inv) : 1,
	     ws_jstr(run->files[0].root, "started_at"));
	line(f, "", "  ", "Linux %s %s, %s x%.0f, accel %s",
	     ws_jstr(e, "kernel.release"), ws_jstr(e, "kernel.machine"),
	     ws_jstr(e, "cpu.model"), ws_jnum(e, "cpu.online"), run->accel);
	line(f, "", "  ", "kernel config sha256 %s",
	     or_dash(ws_jstr(e, "kernel.config.sha256")));
	if (json_is_object(b))
		line(f, "", "  ", "kernel source %s%s, patches hash %s",
		     ws_jstr(b, "source.package"),
		     ws_jstr(b, "source.git_describe"),
		     json_array_size(json_object_get(b, "patches")) ?
		     ws_jstr(b, "patches_hash") : "none (no patches)");
	else
		line(f, "", "  ", "kernel: the running one, not built by make kernel (no source or patch record)");
	line(f, "", "  ", "harness %s", ws_jstr(e, "harness.git_commit"));
}

/* "2.35 [2.30, 2.41] 95%" or "2.35 [2.30, 2.41] min-max of 3 (75%)". */
static void interval(char *buf, size_t len, json_t *c)
{
	json_t *ci = json_object_get(c, "ci");
	double lvl = ws_jnum(c, "ci_level");
	const char *m = ws_jstr(c, "ci_method");

	if (!json_is_array(ci))
		snprintf(buf, len, "%.3g (no interval)", ws_jnum(c, "ratio"));
	else if (!strcmp(m, "min-max"))
		snprintf(buf, len, "%.3g [%.3g, %.3g] min-max of %lld (covers %.0f%%)",
			 ws_jnum(c, "ratio"), json_number_value(json_array_get(ci, 0)),
			 json_number_value(json_array_get(ci, 1)),
			 json_integer_value(json_object_get(c, "n_inv")), 100 * lvl);
	else
		snprintf(buf, len, "%.3g [%.3g, %.3g] %.0f%%%s", ws_jnum(c, "ratio"),
			 json_number_value(json_array_get(ci, 0)),
			 json_number_value(json_array_get(ci, 1)),
			 100 * fmin(lvl, 0.95),
			 strncmp(m, "welch", 5) ? "" : " within one invocation");
}

/* Timer overhead flagged on a case a claim reads: an upper bound. */
static int timer_caveat(const struct ws_run *run, json_t *claim)
{
	const struct ws_run_file *rf = ws_run_file(run, ws_jstr(claim, "bench"));
	json_t *c;
	size_t i;

	json_array_foreach(rf ? json_object_get(rf->root, "results") : NULL, i, c) {
		char *label = ws_case_label(c);
		int hit = label && (!strcmp(label, ws_jstr(claim, "num.label")) ||
				    !strcmp(label, ws_jstr(claim, "den.label"))) &&
			  json_is_false(ws_jget(c, "timer.timer_overhead_ok"));

		free(label);
		if (hit)
			return 1;
	}
	return 0;
}

static void claims(FILE *f, const struct ws_run *run)
{
	json_t *all = ws_claims_of(run), *c;
	char ci[160], cv[32];
	size_t i;

	if (!json_array_size(all)) {
		line(f, "", "  ", "Claims: none (no mechanism measured beside its baseline or another mechanism in the same case).");
		json_decref(all);
		return;
	}
	line(f, "", "", "Claims: ratios measured inside this run (they transfer between machines where absolute times do not), with the interval over invocations, n = invocations x repetitions, and the CV of the ratio between invocations.");
	json_array_foreach(all, i, c) {
		fprintf(f, "\n");
		line(f, "  ", "      ", "%s", ws_jstr(c, "id"));
		interval(ci, sizeof(ci), c);
		if (json_is_number(json_object_get(c, "cv_inv")))
			snprintf(cv, sizeof(cv), "%.1f%%", 100 * ws_jnum(c, "cv_inv"));
		else
			snprintf(cv, sizeof(cv), "n/a (1 invocation)");
		line(f, "    ", "      ", "%s, n %lldx%lld, CV %s", ci,
		     json_integer_value(json_object_get(c, "n_inv")),
		     json_integer_value(json_object_get(c, "n_reps")), cv);
		if (timer_caveat(run, c))
			line(f, "    ", "      ", "caveat: the clock's own cost is over 5%% of a median here: an upper bound");
	}
	json_decref(all);
}

/* Correctness as the summary's exact@4K cell says it, per backend. */
static void correctness(FILE *f, const struct ws_run *run)
{
	const struct ws_run_file *rf = ws_run_file(run, "correctness");
	json_t *all, *e;
	size_t i;

	if (!rf)
		return;
	fprintf(f, "\n");
	line(f, "", "", "Correctness (as wsbench summary's exact@4K: worst precision and recall over the deterministic patterns each backend can see):");
	all = ws_summary_exact_all(json_object_get(rf->root, "results"));
	json_array_foreach(all, i, e) {
		const char *be = ws_jstr(e, "backend");

		if (ws_jnum(e, "cases") > 0)
			line(f, "  ", "    ", "%-10s precision %.4f recall %.4f (%.0f cases)",
			     be, ws_jnum(e, "precision"), ws_jnum(e, "recall"),
			     ws_jnum(e, "cases"));
		else
			line(f, "  ", "    ", "%-10s no exact case (sampled, lossy or not visible to it): see the report",
			     be);
	}
	json_decref(all);
}

/*
 * "  @cmd@arg" as sh reads it, in lines of at most WIDTH columns: a long
 * argument is continued with backslash-newline, which sh removes even
 * inside a word, so the continuation starts in column 0.
 */
static void shell_command(FILE *f, const char *cmd, const char *arg)
{
	int col = fprintf(f, "  %s", cmd);

	for (; *arg; arg++) {
		if (col == WIDTH - 1) {
			fputs("\\\n", f);
			col = 0;
		}
		fputc(*arg, f);
		col++;
	}
	fputc('\n', f);
}

int ws_cover_letter(FILE *f, const struct ws_run *run, char *why,
		    size_t len)
{
	int timings = strcmp(run->accel, "tcg") != 0;

	provenance(f, run);
	if (ws_run_env_changed_keys(run, why, len))
		line(f, "WARNING: ", "  ", "the environment changed during the run: %s", why);
	fprintf(f, "\n");
	if (timings)
		claims(f, run);
	else
		line(f, "WARNING: ", "  ", "accel=tcg (QEMU emulation): timings are meaningless and no timing claim is shown; only correctness is.");
	correctness(f, run);
	fprintf(f, "\nReproduce:\n");
	if (ws_reproduce_print(f, run, WIDTH, why, len))
		return -1;
	fprintf(f, "Check on the same kind of machine:\n");
	shell_command(f, "make verify RESULT=", run->dir);
	return 0;
}
