// SPDX-License-Identifier: GPL-2.0
/*
 * `wsbench report RUN --cover-letter`: what a linux-mm cover letter
 * quotes, in at most 72 columns: one line for kernel, machine and
 * accelerator; the headline medians with their 95 % CIs, one case per
 * backend and metric; the command that reproduces the run.  Under TCG
 * no timing is shown at all, only correctness, under a warning.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "envdiff.h"
#include "headline.h"
#include "reproduce.h"
#include "rundir.h"
#include "tools.h"

#define WIDTH	72

/* The case of @backend closest to the representative one having @metric. */
static json_t *representative(json_t *results, const char *bench,
			      const char *backend, const char *metric)
{
	json_t *c, *best = NULL;
	double bestd = INFINITY;
	size_t i;

	json_array_foreach(results, i, c) {
		struct ws_metric m[WS_MAX_METRICS];
		size_t n;

		if (strcmp(ws_jstr(c, "backend"), backend))
			continue;
		n = ws_headline_metrics(bench, c, m, WS_MAX_METRICS);
		for (size_t k = 0; k < n; k++)
			if (!strcmp(m[k].name, metric) && m[k].series &&
			    ws_case_distance(c) < bestd) {
				bestd = ws_case_distance(c);
				best = c;
			}
	}
	return best;
}

/*
 * Worst exact value of @backend's cases that can see what they track;
 * not the rates of re-arm policies declared lossy (they are in the report).
 */
static double worst_exact(json_t *results, const char *bench,
			  const char *backend, const char *metric, size_t *n)
{
	double worst = INFINITY;
	json_t *c;
	size_t i;

	*n = 0;
	json_array_foreach(results, i, c) {
		struct ws_metric m[WS_MAX_METRICS];
		size_t k = strcmp(ws_jstr(c, "backend"), backend) ||
			   json_is_false(json_object_get(c, "expected_visible")) ?
			   0 : ws_headline_metrics(bench, c, m, WS_MAX_METRICS);

		while (k--)
			if (!strcmp(m[k].name, metric) && !m[k].series &&
			    !m[k].varies) {
				worst = fmin(worst, m[k].value);
				(*n)++;
			}
	}
	return worst;
}

static void add_row(json_t *rows, const char *group, const char *text)
{
	json_array_append_new(rows, json_pack("{s:s, s:s}", "group", group,
					      "text", text));
}

static void series_row(json_t *rows, const char *bench, json_t *c,
		       const struct ws_metric *m)
{
	char *label = ws_case_label(c), group[1024], text[256];
	char med[32], lo[32], hi[32], ci[80];
	double scale, v = ws_jnum(m->series, "summary.median");
	json_t *ci95 = ws_jget(m->series, "summary.ci95_median");
	const char *unit = ws_display_unit(m->unit, v, &scale);

	snprintf(group, sizeof(group), "%s: %s", bench,
		 label ? label + strcspn(label, " ") + 1 : "");
	if (json_is_number(json_array_get(ci95, 0)))
		snprintf(ci, sizeof(ci), "[%s, %s]",
			 ws_fmt_num(json_number_value(json_array_get(ci95, 0)) *
				    scale, lo, sizeof(lo)),
			 ws_fmt_num(json_number_value(json_array_get(ci95, 1)) *
				    scale, hi, sizeof(hi)));
	else
		snprintf(ci, sizeof(ci), "(no CI)");
	snprintf(text, sizeof(text), "  %-9.9s %-16.16s %9s %-5.5s %s",
		 ws_jstr(c, "backend"), m->name,
		 ws_fmt_num(v * scale, med, sizeof(med)), unit, ci);
	add_row(rows, group, text);
	free(label);
}

static void exact_row(json_t *rows, const char *bench, json_t *results,
		      const char *backend, const char *metric)
{
	char group[256], text[256];
	size_t n;
	double v = worst_exact(results, bench, backend, metric, &n);

	if (!n)
		return;
	snprintf(group, sizeof(group), "%s: each backend's worst case it can see (lossy re-arms aside)",
		 bench);
	snprintf(text, sizeof(text), "  %-9.9s %-16.16s %9.4f       (%zu cases)",
		 backend, metric + (strncmp(metric, "accuracy.", 9) ? 0 : 9),
		 v, n);
	add_row(rows, group, text);
}

/* Metric names of @backend's cases, in order of first appearance. */
static json_t *metric_names(json_t *results, const char *bench,
			    const char *backend)
{
	json_t *names = json_object(), *c;
	size_t i;

	json_array_foreach(results, i, c) {
		struct ws_metric m[WS_MAX_METRICS];
		size_t n = strcmp(ws_jstr(c, "backend"), backend) ? 0 :
			   ws_headline_metrics(bench, c, m, WS_MAX_METRICS);

		for (size_t k = 0; k < n; k++)
			json_object_set_new(names, m[k].name,
					    json_boolean(!m[k].series));
	}
	return names;
}

static void file_rows(json_t *rows, const struct ws_run_file *f, int timings)
{
	json_t *results = json_object_get(f->root, "results");
	json_t *seen = json_object(), *c, *names, *exact;
	const char *name;
	size_t i;

	json_array_foreach(results, i, c) {
		const char *backend = ws_jstr(c, "backend");

		if (json_object_get(seen, backend))
			continue;
		json_object_set_new(seen, backend, json_true());
		names = metric_names(results, f->bench, backend);
		json_object_foreach(names, name, exact) {
			struct ws_metric m[WS_MAX_METRICS];
			json_t *rc;
			size_t n;

			if (json_is_true(exact)) {
				exact_row(rows, f->bench, results, backend, name);
				continue;
			}
			rc = timings ? representative(results, f->bench,
						      backend, name) : NULL;
			n = rc ? ws_headline_metrics(f->bench, rc, m, WS_MAX_METRICS) : 0;
			for (size_t k = 0; k < n; k++)
				if (!strcmp(m[k].name, name))
					series_row(rows, f->bench, rc, &m[k]);
		}
		json_decref(names);
	}
	json_decref(seen);
}

/* Rows grouped under their case line, groups in order of appearance. */
static void print_rows(FILE *f, json_t *rows)
{
	json_t *done = json_object(), *r, *s;
	size_t i, k;

	json_array_foreach(rows, i, r) {
		const char *group = ws_jstr(r, "group");

		if (json_object_get(done, group))
			continue;
		json_object_set_new(done, group, json_true());
		ws_wrap(f, WIDTH, "", "    ", group);
		json_array_foreach(rows, k, s)
			if (!strcmp(ws_jstr(s, "group"), group))
				fprintf(f, "%s\n", ws_jstr(s, "text"));
	}
	json_decref(done);
}

static void print_machine(FILE *f, const struct ws_run *run)
{
	char line[512], cpu[128];
	int room;

	snprintf(line, sizeof(line), "Linux %s %s | ",
		 ws_jstr(run->env, "kernel.release"),
		 ws_jstr(run->env, "kernel.machine"));
	snprintf(cpu, sizeof(cpu), " x%.0f | accel %s",
		 ws_jnum(run->env, "cpu.online"), run->accel);
	/* One line: the CPU model gives way. */
	room = WIDTH - (int)strlen(line) - (int)strlen(cpu);
	fprintf(f, "%s%.*s%s\n", line, room > 0 ? room : 0,
		ws_jstr(run->env, "cpu.model"), cpu);
}

int ws_cover_letter(FILE *f, const struct ws_run *run, char *why,
		    size_t len)
{
	int timings = strcmp(run->accel, "tcg") != 0;
	json_t *rows = json_array();

	fprintf(f, "wsbench run %.40s, profile %s, %.10s\n", run->run_id,
		ws_jstr(run->params, "profile"),
		ws_jstr(run->files[0].root, "started_at"));
	print_machine(f, run);
	if (ws_run_env_changed_keys(run, why, len)) {
		char line[1200];

		snprintf(line, sizeof(line), "changed during the run: %s",
			 why);
		ws_wrap(f, WIDTH, "WARNING: environment ", "  ", line);
	}
	if (!timings)
		fprintf(f, "WARNING: accel=tcg (QEMU emulation): timings are meaningless\n"
			   "and not shown; only correctness (precision/recall) is.\n");
	else
		fprintf(f, "\nMedians with 95%% CIs (bootstrap over repetitions); per backend\n"
			   "the case closest to anon, async, no helper threads, 50%% hot,\n"
			   "contiguous, largest region.\n");
	fprintf(f, "\n");
	for (size_t i = 0; i < run->nfiles; i++)
		file_rows(rows, &run->files[i], timings);
	print_rows(f, rows);
	json_decref(rows);
	fprintf(f, "\nReproduce:\n");
	if (ws_reproduce_print(f, run, WIDTH, why, len))
		return -1;
	fprintf(f, "Check on the same kind of machine:\n  make verify RESULT=%s\n",
		run->dir);
	return 0;
}
