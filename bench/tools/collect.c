// SPDX-License-Identifier: GPL-2.0
/*
 * `wsbench collect [--json] RUN...`: result directories pulled from many
 * machines or kernels (e.g. LAVA jobs, scripts/lava/) side by side, one
 * column per run: the claims (claims.h, ratios measured inside each run,
 * which transfer between machines where absolute times do not) and each
 * backend's exact@4K correctness (summary's own function).
 *
 * The statistics rules of compare hold: runs of different accel or page
 * size are never put in one table (a TCG column beside a KVM one, or 4K
 * pages beside 64K, compares nothing); each such group is its own table
 * and the output says so.  Under TCG no claim is shown (timings are
 * meaningless there), only correctness.  Every column lists its
 * environment: host, kernel, CPU, accel, page size, THP, harness.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "parse.h"
#include "rundir.h"
#include "summary.h"
#include "tools.h"

#define MAX_RUNS	64

struct collect_opts {
	int json;
	const char *dirs[MAX_RUNS];
	size_t ndirs;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: wsbench collect [--json] RUN...\n"
"  RUN      result directories (results/<run-id>), from any machine or kernel;\n"
"           up to %d\n"
"  --json   the matrix as JSON on stdout\n"
"One table per accel and page size (never mixed); each column one run.\n",
		MAX_RUNS);
}

static int parse(int argc, char **argv, struct collect_opts *o)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'h')
			return usage(stdout), 1;
		if (c == 'j' && !o->json) {
			o->json = 1;
			continue;
		}
		return fprintf(stderr, "wsbench collect: %s '%s': accepted: --json (once), --help\n",
			       c == 'j' ? "repeated option" : "unknown option",
			       argv[optind - 1]), -1;
	}
	if (optind == argc)
		return fprintf(stderr, "wsbench collect: no result directory given: usage: wsbench collect [--json] RUN...\n"), -1;
	if (argc - optind > MAX_RUNS)
		return fprintf(stderr, "wsbench collect: %d result directories: at most %d\n",
			       argc - optind, MAX_RUNS), -1;
	for (; optind < argc; optind++)
		o->dirs[o->ndirs++] = argv[optind];
	return 0;
}

/* The same directory twice would be one run counted as two machines. */
static int check_distinct(const struct collect_opts *o)
{
	char a[PATH_MAX], b[PATH_MAX];

	for (size_t i = 0; i < o->ndirs; i++)
		for (size_t j = i + 1; j < o->ndirs; j++)
			if (realpath(o->dirs[i], a) && realpath(o->dirs[j], b) &&
			    !strcmp(a, b))
				return fprintf(stderr, "wsbench collect: '%s' and '%s' are the same directory: name each run once\n",
					       o->dirs[i], o->dirs[j]), -1;
	return 0;
}

/* "tcg/4096": what may share a table. */
static char *group_key(const struct ws_run *r)
{
	char *k;

	if (asprintf(&k, "%s/%.0f", r->accel,
		     ws_jnum(r->env, "mm.page_size")) < 0)
		return NULL;
	return k;
}

static json_t *column(const struct ws_run *r, size_t idx)
{
	json_t *e = r->env;

	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:f, s:s, s:f, s:s, s:s}",
		"column", (json_int_t)idx + 1, "dir", r->dir,
		"run_id", r->run_id, "hostname", ws_jstr(e, "hostname"),
		"kernel", ws_jstr(e, "kernel.release"),
		"cpu", ws_jstr(e, "cpu.model"), "cpus", ws_jnum(e, "cpu.online"),
		"accel", r->accel, "page_size", ws_jnum(e, "mm.page_size"),
		"thp", ws_jstr(e, "mm.thp_enabled"),
		"harness", ws_jstr(e, "harness.git_commit"));
}

/* row[id][col] = cell, rows created on first sight, other columns null. */
static void put(json_t *rows, const char *id, size_t col, size_t ncols,
		json_t *cell)
{
	json_t *row = json_object_get(rows, id);

	if (!row) {
		row = json_array();
		for (size_t i = 0; i < ncols; i++)
			json_array_append_new(row, json_null());
		json_object_set_new(rows, id, row);
	}
	json_array_set_new(row, col, cell);
}

static void add_claims(json_t *rows, const struct ws_run *r, size_t col,
		       size_t ncols)
{
	json_t *all = ws_claims_of(r), *c;
	size_t i;

	json_array_foreach(all, i, c)
		put(rows, ws_jstr(c, "id"), col, ncols,
		    json_pack("{s:O, s:O, s:O, s:O}",
			      "ratio", json_object_get(c, "ratio"),
			      "ci", json_object_get(c, "ci"),
			      "ci_level", json_object_get(c, "ci_level"),
			      "n_inv", json_object_get(c, "n_inv")));
	json_decref(all);
}

static void add_correctness(json_t *rows, const struct ws_run *r, size_t col,
			    size_t ncols)
{
	const struct ws_run_file *rf = ws_run_file(r, "correctness");
	json_t *all, *e;
	size_t i;

	if (!rf)
		return;
	all = ws_summary_exact_all(json_object_get(rf->root, "results"));
	json_array_foreach(all, i, e) {
		char *be = strdup(ws_jstr(e, "backend"));

		json_object_del(e, "backend");
		if (be)
			put(rows, be, col, ncols, json_incref(e));
		free(be);
	}
	json_decref(all);
}

/* One group: runs of one accel and page size. */
static json_t *group_of(struct ws_run *runs, size_t n, const char *key)
{
	json_t *cols = json_array(), *claims = json_object();
	json_t *exact = json_object(), *g;
	size_t ncols = 0, col = 0;
	char *k;

	for (size_t i = 0; i < n; i++) {
		k = group_key(&runs[i]);
		ncols += k && !strcmp(k, key);
		free(k);
	}
	for (size_t i = 0; i < n; i++) {
		k = group_key(&runs[i]);
		if (k && !strcmp(k, key)) {
			json_array_append_new(cols, column(&runs[i], i));
			if (strcmp(runs[i].accel, "tcg"))
				add_claims(claims, &runs[i], col, ncols);
			add_correctness(exact, &runs[i], col, ncols);
			col++;
		}
		free(k);
	}
	g = json_pack("{s:s, s:o, s:o, s:o}", "group", key, "runs", cols,
		      "claims", claims, "exact_4k", exact);
	if (!strncmp(key, "tcg/", 4))
		json_object_set_new(g, "note", json_string("accel tcg: timings are meaningless, no claim is shown"));
	return g;
}

static json_t *matrix(struct ws_run *runs, size_t n)
{
	json_t *groups = json_array(), *seen = json_object();

	for (size_t i = 0; i < n; i++) {
		char *k = group_key(&runs[i]);

		if (k && !json_object_get(seen, k)) {
			json_object_set_new(seen, k, json_true());
			json_array_append_new(groups, group_of(runs, n, k));
		}
		free(k);
	}
	json_decref(seen);
	return json_pack("{s:i, s:o}", "schema_version", 1, "groups", groups);
}

static void print_claim_cell(FILE *f, size_t col, json_t *c)
{
	json_t *ci = json_object_get(c, "ci");

	if (json_is_null(c))
		fprintf(f, "  c%zu -", col + 1);
	else if (json_is_array(ci))
		fprintf(f, "  c%zu %.3g [%.3g, %.3g] %.0f%%", col + 1,
			ws_jnum(c, "ratio"),
			json_number_value(json_array_get(ci, 0)),
			json_number_value(json_array_get(ci, 1)),
			100 * ws_jnum(c, "ci_level"));
	else
		fprintf(f, "  c%zu %.3g (no interval)", col + 1,
			ws_jnum(c, "ratio"));
}

static void print_exact_cell(FILE *f, size_t col, json_t *c)
{
	if (json_is_null(c))
		fprintf(f, "  c%zu not run", col + 1);
	else if (!json_integer_value(json_object_get(c, "cases")))
		fprintf(f, "  c%zu no exact case", col + 1);
	else
		fprintf(f, "  c%zu %.4f/%.4f", col + 1,
			ws_jnum(c, "precision"), ws_jnum(c, "recall"));
}

/* Each row: its id through @head, then its cells, one per run. */
static void print_rows(FILE *f, json_t *rows, const char *head,
		       void (*cell_fn)(FILE *, size_t, json_t *))
{
	const char *id;
	json_t *row, *cell;
	size_t col;

	json_object_foreach(rows, id, row) {
		fprintf(f, head, id);
		json_array_foreach(row, col, cell)
			cell_fn(f, col, cell);
		fprintf(f, "\n");
	}
}

static void print_group(FILE *f, json_t *g)
{
	json_t *r;
	size_t i;

	const char *key = ws_jstr(g, "group"), *slash = strchr(key, '/');

	fprintf(f, "== accel %.*s, page size %s bytes: %zu run(s) ==\n",
		(int)(slash - key), key, slash + 1,
		json_array_size(json_object_get(g, "runs")));
	json_array_foreach(json_object_get(g, "runs"), i, r)
		fprintf(f, "  c%zu  %s, Linux %s, %s x%.0f, THP %s, harness %.12s: %s\n",
			i + 1, ws_jstr(r, "hostname"), ws_jstr(r, "kernel"),
			ws_jstr(r, "cpu"), ws_jnum(r, "cpus"), ws_jstr(r, "thp"),
			ws_jstr(r, "harness"), ws_jstr(r, "dir"));
	if (json_object_get(g, "note"))
		fprintf(f, "%s.\n", ws_jstr(g, "note"));
	else if (!json_object_size(json_object_get(g, "claims")))
		fprintf(f, "Claims: none in these runs.\n");
	else
		fprintf(f, "Claims (ratio inside each run [interval over invocations, its level]; - not measured there):\n");
	print_rows(f, json_object_get(g, "claims"), "  %s\n   ",
		   print_claim_cell);
	fprintf(f, "Correctness (summary's exact@4K: worst precision/recall over the deterministic patterns each backend can see):\n");
	print_rows(f, json_object_get(g, "exact_4k"), "  %-12s",
		   print_exact_cell);
}

static void print_text(FILE *f, json_t *m)
{
	json_t *groups = json_object_get(m, "groups"), *g;
	size_t i;

	if (json_array_size(groups) > 1)
		fprintf(f, "%zu tables: runs of different accel or page size are never put in one table (their numbers do not compare).\n\n",
			json_array_size(groups));
	json_array_foreach(groups, i, g) {
		if (i)
			fprintf(f, "\n");
		print_group(f, g);
	}
}

static int collect(const void *opts, struct ws_out *out)
{
	const struct collect_opts *o = opts;
	struct ws_run runs[MAX_RUNS];
	size_t n = 0;
	char why[1024];
	json_t *m;
	int rc = WS_EXIT_USAGE;

	if (check_distinct(o))
		return rc;
	for (; n < o->ndirs; n++)
		if (ws_run_load(o->dirs[n], &runs[n], why, sizeof(why))) {
			fprintf(stderr, "wsbench collect: %s\n", why);
			goto out;
		}
	m = matrix(runs, n);
	if (o->json)
		json_dumpf(m, out->f, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
	else
		print_text(out->f, m);
	json_decref(m);
	rc = 0;
out:
	while (n)
		ws_run_free(&runs[--n]);
	return rc;
}

int ws_collect_main(int argc, char **argv)
{
	struct collect_opts o;
	int rc = parse(argc, argv, &o);

	return ws_reader_run(rc, collect, &o, 0);
}
