// SPDX-License-Identifier: GPL-2.0
/*
 * `wsbench cases [--json] RUN`: a result directory as test cases for a lab
 * (LAVA's lava-test-case, Linaro test-definitions' result.txt), one per
 * line: "NAME RESULT [MEASUREMENT UNITS]".
 *
 *   BENCH.METRIC.CASE  pass, the headline metric's median (the JSON's
 *                      summary.median, the pooled median) or exact value;
 *                      not for correctness, whose hundreds of per-case
 *                      precisions and recalls exact4k.B sums up
 *   claim.ID           pass, the claim's ratio (claims.h); none under TCG
 *   exact4k.B          pass when backend B is exact on every case summary's
 *                      exact@4K reads, fail when not, skip with no case
 *   lost.BENCH.CASE    pass when a vmm-cycle case lost no page, else fail
 *                      (--protocol unsafe, a control whose losses are
 *                      the point: skip, with the pages as measurement)
 *
 * Names keep [A-Za-z0-9._-] (what LAVA accepts), are unique within the
 * run (a name seen again gets "-2", "-3", ... in the order of the JSON) and
 * at most 100 characters: a longer one keeps its first 91 and a hash of
 * the whole.
 */
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "headline.h"
#include "parse.h"
#include "rundir.h"
#include "summary.h"
#include "tools.h"

#define NAME_MAX_LEN	100

static void usage(FILE *f)
{
	fprintf(f,
"usage: wsbench cases [--json] RUN\n"
"  RUN      a result directory (results/<run-id>)\n"
"  --json   the cases as a JSON array, with where each number comes from\n"
"Prints \"NAME RESULT [MEASUREMENT UNITS]\" per test case (Linaro\n"
"test-definitions' result.txt; scripts/lava/ sends them to LAVA).\n");
}

/* FNV-1a: short, stable, enough to keep two long names apart. */
static unsigned int hash(const char *s)
{
	unsigned int h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* @raw as a LAVA test case name into @out (4 * NAME_MAX_LEN + 1 bytes). */
static void case_name(const char *raw, char *out)
{
	size_t n = 0;
	int gap = 0;

	for (const char *p = raw; *p && n < 4 * NAME_MAX_LEN - 1; p++) {
		char ch = *p;
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			 (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
			 ch == '-';

		if (!ok) {
			gap = n > 0;
			continue;
		}
		if (gap && out[n - 1] != '.' && out[n - 1] != '_')
			out[n++] = '_';
		gap = 0;
		out[n++] = ch;
	}
	out[n] = 0;
	if (n > NAME_MAX_LEN)	/* 91 characters, "-", 8 hex digits */
		snprintf(out + NAME_MAX_LEN - 9, 10, "-%08x", hash(raw));
}

/* The cases so far, and their names: a name is given once. */
struct case_list {
	json_t *cases;
	json_t *seen;
};

/*
 * Append a case; a name seen before (two cases with one label) gets
 * "-2", "-3", ... in order.
 */
static void add(struct case_list *cl, const char *raw, const char *result,
		double measurement, const char *units, json_t *from)
{
	char name[4 * NAME_MAX_LEN + 16];
	size_t len;
	json_t *c;

	case_name(raw, name);
	len = strlen(name);
	for (int k = 2; json_object_get(cl->seen, name); k++)
		snprintf(name + len, sizeof(name) - len, "-%d", k);
	json_object_set_new(cl->seen, name, json_true());
	c = json_pack("{s:s, s:s, s:o}", "name", name, "result", result,
		      "from", from);
	if (!isnan(measurement)) {
		json_object_set_new(c, "measurement", json_real(measurement));
		json_object_set_new(c, "units", json_string(units && *units ?
							    units : "none"));
	}
	json_array_append_new(cl->cases, c);
}

/* A metric's median: the series' summary.median, or the exact value. */
static void metric_cases(struct case_list *cl, const struct ws_run_file *rf,
			 size_t idx, const char *label, json_t *c)
{
	struct ws_metric m[WS_MAX_METRICS];
	size_t n = ws_headline_metrics(rf->bench, c, m, WS_MAX_METRICS);
	char *raw;

	for (size_t k = 0; k < n; k++) {
		double v = m[k].series ?
			   ws_jnum(m[k].series, "summary.median") : m[k].value;

		if (asprintf(&raw, "%s.%s.%s", rf->bench, m[k].name, label) < 0)
			continue;
		add(cl, raw, "pass", v, m[k].unit,
		    json_pack("{s:s, s:I, s:s}", "file", rf->path,
			      "index", (json_int_t)idx, "metric", m[k].name));
		free(raw);
	}
}

static void lost_case(struct case_list *cl, const struct ws_run_file *rf,
		      size_t idx, const char *label, json_t *c)
{
	json_t *lost = ws_jget(c, "summary.pages_lost");
	char *raw;

	/* --protocol unsafe is a control: its losses are the point. */
	bool verdict = !strcmp(ws_jstr(c, "protocol"), "safe");

	if (strcmp(rf->bench, "vmm-cycle") || !json_is_number(lost) ||
	    asprintf(&raw, "lost.%s.%s", rf->bench, label) < 0)
		return;
	add(cl, raw, !verdict ? "skip" :
	    json_number_value(lost) == 0 ? "pass" : "fail",
	    json_number_value(lost), "pages",
	    json_pack("{s:s, s:I, s:s}", "file", rf->path,
		      "index", (json_int_t)idx, "field", "summary.pages_lost"));
	free(raw);
}

static void correctness_cases(struct case_list *cl, const struct ws_run *run)
{
	const struct ws_run_file *rf = ws_run_file(run, "correctness");
	json_t *all, *e;
	char raw[128];
	size_t i;

	if (!rf)
		return;
	all = ws_summary_exact_all(json_object_get(rf->root, "results"));
	json_array_foreach(all, i, e) {
		int n = ws_jnum(e, "cases") > 0;

		snprintf(raw, sizeof(raw), "exact4k.%s", ws_jstr(e, "backend"));
		add(cl, raw, !n ? "skip" :
		    ws_jnum(e, "precision") == 1 && ws_jnum(e, "recall") == 1 ?
		    "pass" : "fail", NAN, NULL,
		    json_pack("{s:s, s:O}", "file", rf->path, "exact", e));
	}
	json_decref(all);
}

static void claim_cases(struct case_list *cl, const struct ws_run *run)
{
	json_t *all, *c;
	char *raw;
	size_t i;

	if (!strcmp(run->accel, "tcg"))
		return;
	all = ws_claims_of(run);
	json_array_foreach(all, i, c) {
		if (asprintf(&raw, "claim.%s", ws_jstr(c, "id")) < 0)
			continue;
		add(cl, raw, "pass", ws_jnum(c, "ratio"), "ratio",
		    json_pack("{s:s}", "claim", ws_jstr(c, "id")));
		free(raw);
	}
	json_decref(all);
}

static json_t *cases_of(const struct ws_run *run)
{
	struct case_list cl = { json_array(), json_object() };

	correctness_cases(&cl, run);
	for (size_t f = 0; f < run->nfiles; f++) {
		const struct ws_run_file *rf = &run->files[f];
		json_t *c;
		size_t i;

		if (!strcmp(rf->bench, "correctness"))
			continue;
		json_array_foreach(json_object_get(rf->root, "results"), i, c) {
			char *label = ws_case_label(c);

			metric_cases(&cl, rf, i, label ? label : "case", c);
			lost_case(&cl, rf, i, label ? label : "case", c);
			free(label);
		}
	}
	claim_cases(&cl, run);
	json_decref(cl.seen);
	return cl.cases;
}

static void print_text(FILE *f, json_t *cases)
{
	json_t *c;
	size_t i;

	json_array_foreach(cases, i, c) {
		fprintf(f, "%s %s", ws_jstr(c, "name"), ws_jstr(c, "result"));
		if (json_object_get(c, "measurement"))
			fprintf(f, " %.12g %s", ws_jnum(c, "measurement"),
				ws_jstr(c, "units"));
		fprintf(f, "\n");
	}
}

int ws_cases_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ws_run run;
	struct ws_out out;
	char why[1024];
	json_t *cases;
	int c, json = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'h')
			return usage(stdout), 0;
		if (c != 'j' || json++)
			return fprintf(stderr, "wsbench cases: %s '%s': accepted: --json (once), --help\n",
				       c == 'j' ? "repeated option" : "unknown option",
				       argv[optind - 1]), WS_EXIT_USAGE;
	}
	if (argc - optind != 1)
		return fprintf(stderr, "wsbench cases: expected one result directory, got %d: usage: wsbench cases [--json] RUN\n",
			       argc - optind), WS_EXIT_USAGE;
	if (ws_run_load(argv[optind], &run, why, sizeof(why)))
		return fprintf(stderr, "wsbench cases: %s\n", why), WS_EXIT_USAGE;
	if (ws_out_open(&out)) {
		ws_run_free(&run);
		return 1;
	}
	cases = cases_of(&run);
	if (json)
		json_dumpf(cases, out.f, JSON_INDENT(1) | JSON_REAL_PRECISION(17));
	else
		print_text(out.f, cases);
	json_decref(cases);
	ws_run_free(&run);
	return ws_out_close(&out, stdout) ? 1 : 0;
}
