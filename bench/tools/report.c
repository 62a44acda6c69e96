// SPDX-License-Identifier: GPL-2.0
/*
 * `wsbench report RUN [--cover-letter]`: a Markdown report of one result
 * directory (environment, provenance, the summary table, every headline
 * metric of every case with its CI, figures, skips with their reasons, the
 * reproduce command), or the plain-text cover letter (cover_letter.c).
 */
#include <dirent.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "envdiff.h"
#include "headline.h"
#include "parse.h"
#include "reproduce.h"
#include "rundir.h"
#include "summary.h"
#include "tools.h"

int ws_cover_letter(FILE *f, const struct ws_run *run, char *why,
		    size_t len);

/* A Markdown table cell: no '|' or newline may break the row. */
static void cell(FILE *f, const char *s)
{
	fputs("| ", f);
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else
			fputc(*s == '\n' ? ' ' : *s, f);
	}
	fputc(' ', f);
}

static void row2(FILE *f, const char *k, const char *v)
{
	cell(f, k);
	cell(f, *v ? v : "-");
	fputs("|\n", f);
}

/* Another process may turn a knob while a run is under way: say so. */
static void md_env_changes(FILE *f, const struct ws_run *run)
{
	json_t *changes = ws_run_env_changes(run), *d;
	char a[256], b[256];
	size_t i;

	if (json_array_size(changes))
		fprintf(f, "**WARNING: the environment changed during the run** (against %s):\n\n| file | key | first file | this file |\n|---|---|---|---|\n",
			run->files[0].path);
	json_array_foreach(changes, i, d) {
		ws_json_brief(json_object_get(d, "a"), a, sizeof(a));
		ws_json_brief(json_object_get(d, "b"), b, sizeof(b));
		cell(f, ws_jstr(d, "file"));
		cell(f, ws_jstr(d, "key"));
		cell(f, a);
		cell(f, b);
		fputs("|\n", f);
	}
	if (json_array_size(changes))
		fprintf(f, "\n");
	json_decref(changes);
}

static void md_environment(FILE *f, const struct ws_run *run)
{
	json_t *e = run->env;
	char buf[1024];

	fprintf(f, "## Environment\n\n| | |\n|---|---|\n");
	snprintf(buf, sizeof(buf), "%s %s (%s)", ws_jstr(e, "kernel.release"),
		 ws_jstr(e, "kernel.machine"), ws_jstr(e, "kernel.version"));
	row2(f, "kernel", buf);
	row2(f, "kernel command line", ws_jstr(e, "kernel.cmdline"));
	snprintf(buf, sizeof(buf), "%s (%s, hypervisor signature '%s', wsbench VM: %s)",
		 run->accel, ws_jstr(e, "virtualization.type"),
		 ws_jstr(e, "virtualization.hypervisor_signature"),
		 ws_jstr(e, "virtualization.in_wsbench_vm"));
	row2(f, "accel", buf);
	snprintf(buf, sizeof(buf), "%s, %.0f online, %.0f usable, governor %s",
		 ws_jstr(e, "cpu.model"), ws_jnum(e, "cpu.online"),
		 ws_jnum(e, "cpu.usable"),
		 *ws_jstr(e, "cpu.governor") ? ws_jstr(e, "cpu.governor") : "-");
	row2(f, "CPU", buf);
	snprintf(buf, sizeof(buf), "%.0f kB, page size %.0f, THP %s (defrag %s, shmem %s), NUMA balancing %s, KSM %s, nr_hugepages %s",
		 ws_jnum(e, "mm.mem_total_kb"), ws_jnum(e, "mm.page_size"),
		 ws_jstr(e, "mm.thp_enabled"), ws_jstr(e, "mm.thp_defrag"),
		 ws_jstr(e, "mm.thp_shmem_enabled"),
		 ws_jstr(e, "mm.numa_balancing"), ws_jstr(e, "mm.ksm_run"),
		 ws_jstr(e, "mm.nr_hugepages"));
	row2(f, "memory", buf);
	row2(f, "host name", ws_jstr(e, "hostname"));
	fprintf(f, "\n");
	md_env_changes(f, run);
}

static void md_patches(FILE *f, json_t *build)
{
	json_t *p;
	size_t i;
	char buf[512];

	json_array_foreach(json_object_get(build, "patches"), i, p) {
		snprintf(buf, sizeof(buf), "%s sha256 %s", ws_jstr(p, "name"),
			 ws_jstr(p, "sha256"));
		row2(f, i ? "" : "patches", buf);
	}
	if (!json_array_size(json_object_get(build, "patches")))
		row2(f, "patches", build ? "none" : "unknown: not built by make kernel");
}

static void md_provenance(FILE *f, const struct ws_run *run)
{
	json_t *e = run->env, *b = ws_jget(e, "kernel.build");
	char buf[1024];

	fprintf(f, "## Provenance\n\n| | |\n|---|---|\n");
	if (json_is_object(b))
		snprintf(buf, sizeof(buf), "%s %s%s (deb sha256 %s, tarball sha256 %s)",
			 ws_jstr(b, "source.kind"), ws_jstr(b, "source.package"),
			 ws_jstr(b, "source.git_describe"),
			 ws_jstr(b, "source.deb_sha256"),
			 ws_jstr(b, "source.tarball_sha256"));
	else
		snprintf(buf, sizeof(buf), "the running kernel, not built by make kernel");
	row2(f, "kernel source", buf);
	row2(f, "kernel build key", ws_jstr(e, "kernel.build_key"));
	md_patches(f, b);
	row2(f, "patches hash", ws_jstr(b, "patches_hash"));
	snprintf(buf, sizeof(buf), "%s (from %s)",
		 ws_jstr(e, "kernel.config.sha256"),
		 ws_jstr(e, "kernel.config.source"));
	row2(f, "kernel config sha256", buf);
	row2(f, "make kernel config hash", ws_jstr(b, "config_hash"));
	row2(f, "bzImage sha256", ws_jstr(b, "bzImage_sha256"));
	row2(f, "image hash", ws_jstr(e, "harness.image_hash"));
	snprintf(buf, sizeof(buf), "%s, %s, jansson %s",
		 ws_jstr(e, "harness.git_commit"), ws_jstr(e, "harness.compiler"),
		 ws_jstr(e, "harness.jansson"));
	row2(f, "harness", buf);
	for (size_t i = 0; i < run->nfiles; i++) {
		snprintf(buf, sizeof(buf), "%s to %s",
			 ws_jstr(run->files[i].root, "started_at"),
			 ws_jstr(run->files[i].root, "finished_at"));
		row2(f, run->files[i].bench, buf);
	}
	fprintf(f, "\n");
}

static void md_summary(FILE *f, const struct ws_run *run)
{
	fprintf(f, "## Summary\n\n```\n");
	fflush(f);
	ws_summary_print(f, run->dir);
	fprintf(f, "```\n\n");
}

static void md_metric(FILE *f, const char *label, const struct ws_metric *m)
{
	char a[32], b[32], c[32], ci[96], med[48], reps[32];
	double scale, v = m->series ? ws_jnum(m->series, "summary.median") :
					m->value;
	const char *unit = m->series ? ws_display_unit(m->unit, v, &scale) : "";
	json_t *ci95 = ws_jget(m->series, "summary.ci95_median");

	if (!m->series) {
		scale = 1;
		snprintf(ci, sizeof(ci), m->varies ? "varies, no CI" : "exact");
		snprintf(reps, sizeof(reps), "-");
	} else {
		snprintf(ci, sizeof(ci), json_is_number(json_array_get(ci95, 0)) ?
			 "[%s, %s]" : "no CI",
			 ws_fmt_num(json_number_value(json_array_get(ci95, 0)) * scale, a, sizeof(a)),
			 ws_fmt_num(json_number_value(json_array_get(ci95, 1)) * scale, b, sizeof(b)));
		snprintf(reps, sizeof(reps), "%zu",
			 json_array_size(json_object_get(m->series, "rep_sizes")));
	}
	if (m->series)
		snprintf(med, sizeof(med), "%s %s",
			 ws_fmt_num(v * scale, c, sizeof(c)), unit);
	else
		snprintf(med, sizeof(med), "%.4f", v);
	cell(f, label);
	cell(f, m->name);
	cell(f, med);
	cell(f, ci);
	cell(f, reps);
	fputs("|\n", f);
}

static void md_benchmark(FILE *f, const struct ws_run_file *file)
{
	json_t *c;
	size_t i;

	fprintf(f, "### %s\n\n| case | metric | median | 95%% CI | reps |\n|---|---|---|---|---|\n",
		file->bench);
	json_array_foreach(json_object_get(file->root, "results"), i, c) {
		struct ws_metric m[WS_MAX_METRICS];
		size_t n = ws_headline_metrics(file->bench, c, m, WS_MAX_METRICS);
		char *label = ws_case_label(c);

		for (size_t k = 0; k < n; k++)
			md_metric(f, label ? label : "", &m[k]);
		free(label);
	}
	fprintf(f, "\n");
}

static int image_name(const struct dirent *d)
{
	const char *dot = strrchr(d->d_name, '.');

	return dot && (!strcmp(dot, ".png") || !strcmp(dot, ".svg"));
}

static void md_figures_in(FILE *f, const char *dir, const char *rel)
{
	struct dirent **names;
	int n = scandir(dir, &names, image_name, alphasort);

	for (int i = 0; i < n; i++) {
		fprintf(f, "![%s](%s%s)\n\n", names[i]->d_name, rel,
			names[i]->d_name);
		free(names[i]);
	}
	if (n > 0)
		free(names);
}

static void md_figures(FILE *f, const struct ws_run *run)
{
	char plots[4096];

	fprintf(f, "## Figures\n\n(paths relative to %s)\n\n", run->dir);
	md_figures_in(f, run->dir, "");
	snprintf(plots, sizeof(plots), "%s/plots", run->dir);
	md_figures_in(f, plots, "plots/");
}

static void md_skips(FILE *f, const struct ws_run *run)
{
	fprintf(f, "## Skips, warnings and errors\n\n| benchmark | backend | backing | mode | reason |\n|---|---|---|---|---|\n");
	for (size_t i = 0; i < run->nfiles; i++) {
		json_t *s;
		size_t k;

		json_array_foreach(json_object_get(run->files[i].root, "skipped"), k, s) {
			cell(f, run->files[i].bench);
			cell(f, ws_jstr(s, "backend"));
			cell(f, *ws_jstr(s, "backing") ? ws_jstr(s, "backing") : "all");
			cell(f, *ws_jstr(s, "mode") ? ws_jstr(s, "mode") : "all");
			cell(f, ws_jstr(s, "reason"));
			fputs("|\n", f);
		}
		json_array_foreach(json_object_get(run->files[i].root, "warnings"), k, s)
			fprintf(f, "\nwarning (%s): %s\n", run->files[i].bench,
				json_string_value(s));
		json_array_foreach(json_object_get(run->files[i].root, "errors"), k, s)
			fprintf(f, "\nERROR (%s): %s %s\n", run->files[i].bench,
				ws_jstr(s, "backend"), ws_jstr(s, "error"));
	}
	fprintf(f, "\n");
}

static int markdown(FILE *f, const struct ws_run *run, char *why, size_t len)
{
	fprintf(f, "# wsbench run %s\n\n", run->run_id);
	if (!strcmp(run->accel, "tcg"))
		fprintf(f, "> **WARNING: accel=tcg**: these ran under QEMU emulation; timings are NOT meaningful, only correctness is.\n\n");
	md_environment(f, run);
	md_provenance(f, run);
	md_summary(f, run);
	fprintf(f, "## Every case\n\nMedians with the 95%% bootstrap CI of the median (resampling repetitions); exact: page counts of one run.\n\n");
	for (size_t i = 0; i < run->nfiles; i++)
		md_benchmark(f, &run->files[i]);
	md_figures(f, run);
	md_skips(f, run);
	fprintf(f, "## Reproduce\n\n```sh\n");
	if (ws_reproduce_print(f, run, 100, why, len))
		return -1;
	fprintf(f, "```\n\nCheck on the same kind of machine: `make verify RESULT=%s`\n",
		run->dir);
	return 0;
}

static int parse(int argc, char **argv, int *cover, const char **dir)
{
	static const struct option opts[] = {
		{ "cover-letter", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*cover = 0;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'c') {
			*cover = 1;
		} else if (c == 'h') {
			printf("usage: wsbench report [--cover-letter] RUN\n");
			return 1;
		} else {
			fprintf(stderr, "wsbench report: unknown option '%s': accepted: --cover-letter, --help\n",
				argv[optind - 1]);
			return -1;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "usage: wsbench report [--cover-letter] RUN\n");
		return -1;
	}
	*dir = argv[optind];
	return 0;
}

int ws_report_main(int argc, char **argv)
{
	struct ws_run run;
	struct ws_out out;
	const char *dir;
	char why[1024];
	int cover, rc = parse(argc, argv, &cover, &dir);

	if (rc)
		return rc > 0 ? 0 : WS_EXIT_USAGE;
	if (ws_run_load(dir, &run, why, sizeof(why)))
		return fprintf(stderr, "wsbench report: %s\n", why), WS_EXIT_USAGE;
	if (ws_out_open(&out)) {
		ws_run_free(&run);
		return 1;
	}
	rc = cover ? ws_cover_letter(out.f, &run, why, sizeof(why)) :
		     markdown(out.f, &run, why, sizeof(why));
	if (rc)
		fprintf(stderr, "wsbench report: %s\n", why);
	ws_out_close(&out, rc ? NULL : stdout);
	ws_run_free(&run);
	return rc ? WS_EXIT_USAGE : 0;
}
