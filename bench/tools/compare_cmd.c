// SPDX-License-Identifier: GPL-2.0
/*
 * `wsbench compare [--force] [--json] [--all] [--threshold PCT] [--fdr Q]
 * [--pair X=Y] A B`: the A/B table (at most 100 columns) or its JSON;
 * how rows are tested and marked is compare.c's.  Refuses runs of different
 * machines (envdiff.h) unless --force, which prints why in the header.
 * --pair X=Y compares backend X of A with backend Y of B: the same
 * mechanism under two names, e.g. rwp on Linux 7.3 with its RFC ancestor
 * minor-anon on the rfc-v1 kernel (same bits, same ioctl numbers).
 */
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envdiff.h"
#include "parse.h"
#include "rundir.h"
#include "tools.h"

#define WIDTH	100
#define MAX_PAIRS	8

struct backend_pair {
	char a[32], b[32];
};

struct compare_opts {
	int force, json;
	struct ws_compare_opts cmp;
	struct backend_pair pairs[MAX_PAIRS];
	size_t npairs;
	const char *a, *b;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: wsbench compare [--force] [--json] [--all] [--threshold PCT] [--fdr Q]\n"
"                       [--pair X=Y] RUN_A RUN_B\n"
"  RUN_A, RUN_B     result directories (results/<run-id>)\n"
"  --force          compare runs of different accel, CPU model or page size\n"
"  --json           the comparison as JSON on stdout\n"
"  --all            every series, not only the headline metrics, and equal\n"
"                   exact values\n"
"  --threshold PCT  smallest change worth marking, in percent (default 5)\n"
"  --fdr Q          false discovery rate over the tested rows (default 0.05)\n"
"  --pair X=Y     compare backend X of RUN_A with backend Y of RUN_B (repeatable;\n"
"                 e.g. rwp=minor-anon: 7.3 RWP against its RFC on rfc-v1)\n");
}

/* "X=Y": two backend names; -1 with the reason on stderr. */
static int parse_pair(const char *arg, struct compare_opts *o)
{
	const char *eq = strchr(arg, '=');
	struct backend_pair *bp = &o->pairs[o->npairs];
	size_t la = eq ? (size_t)(eq - arg) : 0;

	if (o->npairs == MAX_PAIRS)
		return fprintf(stderr, "wsbench compare: --pair: at most %d pairs\n",
			       MAX_PAIRS), -1;
	if (!eq || !la || !eq[1] || la >= sizeof(bp->a) ||
	    strlen(eq + 1) >= sizeof(bp->b))
		return fprintf(stderr, "wsbench compare: --pair '%s': expected BACKEND_A=BACKEND_B (e.g. rwp=minor-anon)\n",
			       arg), -1;
	memcpy(bp->a, arg, la);
	bp->a[la] = 0;
	strcpy(bp->b, eq + 1);
	o->npairs++;
	return 0;
}

/* Like verify.c's parse(), with compare's own options and defaults. */
static int parse(int argc, char **argv, struct compare_opts *o)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "threshold", required_argument, NULL, 't' },
		{ "fdr", required_argument, NULL, 'q' },
		{ "pair", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->cmp.threshold = 0.05;
	o->cmp.fdr_q = 0.05;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		double pct;

		if (c == 'f')
			o->force = 1;
		else if (c == 'j')
			o->json = 1;
		else if (c == 'a')
			o->cmp.all = 1;
		else if (c == 't') {
			if (ws_parse_double("--threshold", optarg, 0, 100, &pct))
				return -1;
			o->cmp.threshold = pct / 100;
		} else if (c == 'q') {
			if (ws_parse_double("--fdr", optarg, 1e-6, 0.5,
					    &o->cmp.fdr_q))
				return -1;
		} else if (c == 'p') {
			if (parse_pair(optarg, o))
				return -1;
		}
		else if (c == 'h')
			return usage(stdout), 1;
		else
			return fprintf(stderr, "wsbench compare: unknown option or missing value '%s': accepted: --force, --json, --all, --threshold PCT, --fdr Q, --pair X=Y, --help\n",
				       argv[optind - 1]), -1;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "wsbench compare: need two result directories, got %d\n",
			argc - optind);
		usage(stderr);
		return -1;
	}
	o->a = argv[optind];
	o->b = argv[optind + 1];
	return 0;
}

/* Once per key: later files of the run usually repeat a change. */
static void print_env_changes(FILE *f, json_t *changes)
{
	json_t *seen = json_object(), *d;
	char line[512], a[34], b[34];
	size_t i;

	json_array_foreach(changes, i, d) {
		if (json_object_get(seen, ws_jstr(d, "key")))
			continue;
		json_object_set_new(seen, ws_jstr(d, "key"), json_true());
		ws_json_brief(json_object_get(d, "a"), a, sizeof(a));
		ws_json_brief(json_object_get(d, "b"), b, sizeof(b));
		snprintf(line, sizeof(line), "changed during the run: %s %s -> %s (%s)",
			 ws_jstr(d, "key"), a, b,
			 strrchr(ws_jstr(d, "file"), '/') + 1);
		ws_wrap(f, WIDTH, "  WARNING: ", "    ", line);
	}
	json_decref(seen);
}

static void print_side(FILE *f, const char *name, json_t *s)
{
	char line[512];

	snprintf(line, sizeof(line), "%s (run %s): kernel %s, accel %s, cpu %s",
		 ws_jstr(s, "dir"), ws_jstr(s, "run_id"), ws_jstr(s, "kernel"),
		 ws_jstr(s, "accel"), ws_jstr(s, "cpu"));
	ws_wrap(f, WIDTH, name, "     ", line);
	print_env_changes(f, json_object_get(s, "env_changed_during_run"));
}

static void print_method(FILE *f, json_t *m)
{
	char line[1024];

	snprintf(line, sizeof(line),
		 "A, B: the 20 %%-trimmed geometric mean of each run's invocation medians (each invocation a separate process: what a second run varies by); B/A their ratio, with a 95 %% CI from Yuen's t over invocations (Welch's on trimmed means: one stray invocation cannot decide).  A row is marked \"better\" or \"worse\" for B only when that change exceeds +-%g %% beyond doubt: its minimum-effect p, adjusted over the %lld tested rows by Benjamini-Hochberg, is at most q = %g (column q).  Rows of runs with one invocation a side are shown, not tested.",
		 100 * ws_jnum(m, "threshold"),
		 json_integer_value(json_object_get(m, "rows_tested")),
		 ws_jnum(m, "fdr_q"));
	fprintf(f, "\n");
	ws_wrap(f, WIDTH, "", "", line);
	fprintf(f, "\n");
}

static void print_header(FILE *f, json_t *cmp)
{
	json_t *d;
	size_t i;

	print_side(f, "A    ", json_object_get(cmp, "a"));
	print_side(f, "B    ", json_object_get(cmp, "b"));
	json_array_foreach(json_object_get(cmp, "forced"), i, d)
		ws_wrap(f, WIDTH, "FORCED (--force): ", "    ", json_string_value(d));
	json_array_foreach(json_object_get(cmp, "pairs"), i, d)
		fprintf(f, "PAIRED (--pair): backend %s of A with %s of B (rows say %s)\n",
			ws_jstr(d, "a"), ws_jstr(d, "b"), ws_jstr(d, "a"));
	fprintf(f, "environment differences (listed, never refused): %zu\n",
		json_array_size(json_object_get(cmp, "differences")));
	json_array_foreach(json_object_get(cmp, "differences"), i, d) {
		char a[34], b[34];

		ws_json_brief(json_object_get(d, "a"), a, sizeof(a));
		ws_json_brief(json_object_get(d, "b"), b, sizeof(b));
		fprintf(f, "  %-29.29s %-33s %s\n", ws_jstr(d, "key"), a, b);
	}
	print_method(f, json_object_get(cmp, "method"));
	fprintf(f, "  %-20s %-6s %10s %10s %7s  %-17s %7s\n", "metric", "unit",
		"median A", "median B", "B/A", "95% CI of B/A", "q");
}

/* Equal exact values are only counted, unless --all. */
static int hidden(json_t *row, int all)
{
	return !all && json_is_true(json_object_get(row, "exact")) &&
	       ws_jnum(row, "median_a") == ws_jnum(row, "median_b");
}

static void print_row(FILE *f, json_t *row)
{
	double scale = 1, lo, hi;
	const char *unit = ws_display_unit(ws_jstr(row, "unit"),
					   ws_jnum(row, "median_a"), &scale);
	char a[32], b[32], r[32], ci[48], q[16];
	json_t *c = json_object_get(row, "ci95");

	lo = json_number_value(json_array_get(c, 0));
	hi = json_number_value(json_array_get(c, 1));
	if (json_is_true(json_object_get(row, "exact"))) {
		snprintf(a, sizeof(a), "%.4f", ws_jnum(row, "median_a"));
		snprintf(b, sizeof(b), "%.4f", ws_jnum(row, "median_b"));
		snprintf(ci, sizeof(ci), "%s, no CI", ws_jstr(row, "ci_unit"));
	} else {
		const char *ka = json_is_number(json_object_get(row, "center_a")) ?
				 "center_a" : "median_a";

		ws_fmt_num(ws_jnum(row, ka) * scale, a, sizeof(a));
		ws_fmt_num(ws_jnum(row, ka[0] == 'c' ? "center_b" : "median_b") * scale,
			   b, sizeof(b));
		if (c && json_is_array(c))
			snprintf(ci, sizeof(ci), "[%.3f, %.3f]", lo, hi);
		else
			snprintf(ci, sizeof(ci), "no CI");
	}
	ws_fmt_num(ws_jnum(row, "ratio"), r, sizeof(r));
	if (!isnan(ws_jnum(row, "ratio")))
		snprintf(r, sizeof(r), "%.3f", ws_jnum(row, "ratio"));
	if (json_is_number(json_object_get(row, "p_adj")))
		snprintf(q, sizeof(q), "%.3g", ws_jnum(row, "p_adj"));
	else
		snprintf(q, sizeof(q), "%s", json_is_true(json_object_get(row, "exact")) ?
			 "" : "untested");
	fprintf(f, "  %-20s %-6s %10s %10s %7s  %-17s %7s%s%s\n",
		ws_jstr(row, "metric"), unit, a, b, r, ci, q,
		*ws_jstr(row, "marker") ? " " : "", ws_jstr(row, "marker"));
}

struct tally {
	size_t rows, better, worse, hidden, no_ci, one_inv;
};

static void print_rows(FILE *f, json_t *rows, int all, struct tally *t)
{
	const char *shown_key = "";
	json_t *row;
	size_t i;

	memset(t, 0, sizeof(*t));
	json_array_foreach(rows, i, row) {
		const char *m = ws_jstr(row, "marker");

		t->rows++;
		t->better += !strcmp(m, "better");
		t->worse += !strcmp(m, "worse");
		t->no_ci += !json_is_array(json_object_get(row, "ci95")) &&
			    !json_is_true(json_object_get(row, "exact"));
		t->one_inv += !strncmp(ws_jstr(row, "why_unmarked"), "1 invocation", 12);
		if (hidden(row, all)) {
			t->hidden++;
			continue;
		}
		if (strcmp(shown_key, ws_jstr(row, "key"))) {
			char head[4096];

			snprintf(head, sizeof(head), "%s  %s",
				 ws_jstr(row, "benchmark"), ws_jstr(row, "case"));
			ws_wrap(f, WIDTH, "", "      ", head);
			shown_key = ws_jstr(row, "key");
		}
		print_row(f, row);
	}
}

static void print_unpaired(FILE *f, json_t *unpaired)
{
	json_t *u;
	size_t i;

	fprintf(f, "\nunpaired (in one run only, not compared): %zu\n",
		json_array_size(unpaired));
	json_array_foreach(unpaired, i, u) {
		char line[4096], first[32];

		snprintf(line, sizeof(line), "%s%s%s%s%s",
			 ws_jstr(u, "benchmark"),
			 *ws_jstr(u, "case") ? "  " : " (whole benchmark)",
			 ws_jstr(u, "case"),
			 *ws_jstr(u, "metric") ? "  metric " : "",
			 ws_jstr(u, "metric"));
		snprintf(first, sizeof(first), "  only in %s: ",
			 ws_jstr(u, "only_in"));
		ws_wrap(f, WIDTH, first, "      ", line);
	}
}

static void print_footer(FILE *f, json_t *cmp, const struct tally *t)
{
	json_t *m = json_object_get(cmp, "method");
	char line[1024];

	fprintf(f, "\n%zu metrics compared: %zu better, %zu worse, %zu unmarked (%zu of them without a CI).\n",
		t->rows, t->better, t->worse, t->rows - t->better - t->worse,
		t->no_ci);
	if (t->hidden)
		fprintf(f, "%zu exact values (precision, recall) equal in A and B are not shown (--all).\n",
			t->hidden);
	snprintf(line, sizeof(line),
		 "%lld rows were tested over invocations.  Benjamini-Hochberg keeps the expected share of false markers among the marked at most %g; when nothing changed, the chance of any marker at all is at most %g (and smaller still, since each test asks for a change beyond +-%g %%).",
		 json_integer_value(json_object_get(m, "rows_tested")),
		 ws_jnum(m, "fdr_q"), ws_jnum(m, "fdr_q"),
		 100 * ws_jnum(m, "threshold"));
	ws_wrap(f, WIDTH, "", "", line);
	if (t->one_inv)
		ws_wrap(f, WIDTH, "", "",
			"Rows marked 'untested' come from runs of one invocation: a CI over the repetitions of one process cannot show what a second run varies by.  Re-run both with RUNS=6 (make bench) or --invocations 6 (wsbench run).");
}

static void print_text(FILE *f, json_t *cmp, int all)
{
	struct tally t;

	print_header(f, cmp);
	print_rows(f, json_object_get(cmp, "rows"), all, &t);
	print_unpaired(f, json_object_get(cmp, "unpaired"));
	print_footer(f, cmp, &t);
}

/* "wp, idle": the backends of @r's measured cases, in @buf. */
static bool has_backend(const struct ws_run *r, const char *name, char *buf,
			size_t len)
{
	json_t *seen = json_object(), *c;
	const char *k;
	bool found;
	size_t i;

	for (size_t f = 0; f < r->nfiles; f++)
		json_array_foreach(json_object_get(r->files[f].root, "results"),
				   i, c)
			json_object_set_new(seen, ws_jstr(c, "backend"),
					    json_true());
	found = json_object_get(seen, name) != NULL;
	buf[0] = '\0';
	json_object_foreach(seen, k, c)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
			 buf[0] ? ", " : "", k);
	json_decref(seen);
	return found;
}

/*
 * A pair naming a backend its run never measured pairs nothing: the
 * table would claim a PAIRED comparison of nothing.  Refused.
 */
static int check_pairs(const struct compare_opts *o, const struct ws_run *a,
		       const struct ws_run *b)
{
	char have[1024];

	for (size_t p = 0; p < o->npairs; p++) {
		const struct backend_pair *bp = &o->pairs[p];
		const struct ws_run *r = a;
		const char *side = "RUN_A", *name = bp->a;

		if (has_backend(a, bp->a, have, sizeof(have))) {
			r = b;
			side = "RUN_B";
			name = bp->b;
			if (has_backend(b, bp->b, have, sizeof(have)))
				continue;
		}
		fprintf(stderr, "wsbench compare: --pair %s=%s: %s (%s) has no case of backend '%s' (it has: %s)\n",
			bp->a, bp->b, side, r->dir, name,
			have[0] ? have : "none");
		return -1;
	}
	return 0;
}

/*
 * Rename backend Y of every case of @b to X, so the cases pair with A's;
 * the pairs go into the comparison (and its header).
 */
static json_t *apply_pairs(const struct compare_opts *o, struct ws_run *b)
{
	json_t *pairs = json_array(), *c;
	size_t i;

	for (size_t p = 0; p < o->npairs; p++) {
		const struct backend_pair *bp = &o->pairs[p];

		json_array_append_new(pairs, json_pack("{s:s, s:s}", "a", bp->a,
						       "b", bp->b));
		for (size_t f = 0; f < b->nfiles; f++)
			json_array_foreach(json_object_get(b->files[f].root,
							   "results"), i, c)
				if (!strcmp(ws_jstr(c, "backend"), bp->b))
					json_object_set_new(c, "backend",
							    json_string(bp->a));
	}
	return pairs;
}

/* Load both, check comparability, build the comparison; exit code. */
static int compare(const void *opts, struct ws_out *out)
{
	const struct compare_opts *o = opts;
	struct ws_run a, b;
	char why[1024];
	json_t *refusals, *cmp, *pairs;
	int rc = WS_EXIT_USAGE;

	if (ws_run_load(o->a, &a, why, sizeof(why)))
		return fprintf(stderr, "wsbench compare: %s\n", why), rc;
	if (ws_run_load(o->b, &b, why, sizeof(why))) {
		ws_run_free(&a);
		return fprintf(stderr, "wsbench compare: %s\n", why), rc;
	}
	if (check_pairs(o, &a, &b)) {
		ws_run_free(&a);
		ws_run_free(&b);
		return rc;
	}
	pairs = apply_pairs(o, &b);
	refusals = ws_env_refusals(a.accel, a.env, b.accel, b.env);
	if (json_array_size(refusals) && !o->force) {
		json_t *r;
		size_t i;

		fprintf(stderr, "wsbench compare: refusing to compare %s with %s:\n",
			o->a, o->b);
		json_array_foreach(refusals, i, r)
			fprintf(stderr, "  %s\n", json_string_value(r));
		fprintf(stderr, "  (--force compares anyway and says so in the header)\n");
	} else if ((cmp = ws_compare_runs(&a, &b, &o->cmp))) {
		json_object_set(cmp, "forced", refusals);
		json_object_set_new(cmp, "pairs", pairs);
		pairs = NULL;
		if (o->json)
			json_dumpf(cmp, out->f, JSON_INDENT(1) |
				   JSON_REAL_PRECISION(10));
		else
			print_text(out->f, cmp, o->cmp.all);
		json_decref(cmp);
		rc = 0;
	} else {
		fprintf(stderr, "wsbench compare: out of memory\n");
		rc = 1;
	}
	json_decref(refusals);
	json_decref(pairs);
	ws_run_free(&a);
	ws_run_free(&b);
	return rc;
}

int ws_compare_main(int argc, char **argv)
{
	struct compare_opts o;
	int rc = parse(argc, argv, &o);

	return ws_reader_run(rc, compare, &o, 0);
}
