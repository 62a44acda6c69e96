// SPDX-License-Identifier: GPL-2.0
/*
 * The numa-interplay section of `wsbench summary` (summary.h): per backend,
 * what NUMA balancing achieved while it tracked, next to the untracked run
 * of the same repetitions, and how exact it stayed while NUMA scanning ran:
 *
 *   local      fraction of the workload's pages on its threads' node at
 *              the end (they all started on the other node)
 *   migrated   numa_pages_migrated during the run
 *   hints      numa_hint_faults during the run
 *   prec/rec   the tracker's precision/recall, pooled over every interval
 *   extra      the workload threads' page faults beyond the untracked
 *              run's, per interval
 *
 * tracked/untracked medians over the repetitions.  The JSON has all runs.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "parse.h"
#include "summary.h"

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* "a/b" with a precision that suits each; "-" for what is missing. */
static void pair(char *buf, size_t len, double a, double b, int digits)
{
	char x[16] = "-", y[16] = "-";

	if (!isnan(a))
		snprintf(x, sizeof(x), "%.*f", digits, a);
	if (!isnan(b))
		snprintf(y, sizeof(y), "%.*f", digits, b);
	snprintf(buf, len, "%s/%s", x, y);
}

static void title(FILE *out, json_t *c)
{
	json_t *p = json_object_get(c, "params");
	json_t *n = json_object_get(c, "numa");
	json_t *scan = json_object_get(n, "scan_in_force");
	char sz[32];

	fprintf(out, "\nnuma-interplay: %s %s, %d thread(s) on node %d, memory first touched on node %d, %d x %g ms, numa_balancing=%s\n",
		ws_fmt_size((size_t)num(p, "size_bytes"), sz, sizeof(sz)),
		json_string_value(json_object_get(c, "backing")) ?: "",
		(int)num(p, "vcpus"), (int)num(p, "cpu_node"),
		(int)num(p, "mem_node"), (int)num(p, "intervals"),
		num(p, "interval_ms"),
		json_string_value(json_object_get(n, "numa_balancing")) ?: "?");
	if (json_is_object(scan))
		fprintf(out, "  NUMA scan: delay %g ms, period %g-%g ms, %g MB per pass\n",
			num(scan, "scan_delay_ms"), num(scan, "scan_period_min_ms"),
			num(scan, "scan_period_max_ms"), num(scan, "scan_size_mb"));
	fprintf(out, "%-10s %-14s %13s %13s %12s %13s %9s\n", "backend",
		"pattern", "local at end", "migrated", "hint faults",
		"prec/recall", "extra");
	fprintf(out, "%-10s %-14s %13s %13s %12s %13s %9s\n", "", "",
		"track/untr.", "track/untr.", "track/untr.", "", "flt/int");
}

static void row(FILE *out, json_t *c)
{
	json_t *s = json_object_get(c, "summary");
	char lf[32], mig[32], hint[32], acc[32], ex[16] = "-";

	pair(lf, sizeof(lf), num(s, "local_fraction_end"),
	     num(s, "local_fraction_end_untracked"), 2);
	pair(mig, sizeof(mig), num(s, "pages_migrated"),
	     num(s, "pages_migrated_untracked"), 0);
	pair(hint, sizeof(hint), num(s, "hint_faults"),
	     num(s, "hint_faults_untracked"), 0);
	pair(acc, sizeof(acc), num(s, "precision"), num(s, "recall"), 3);
	if (!isnan(num(s, "extra_faults_per_interval")))
		snprintf(ex, sizeof(ex), "%.0f",
			 num(s, "extra_faults_per_interval"));
	fprintf(out, "%-10s %-14.14s %13s %13s %12s %13s %9s%s\n",
		json_string_value(json_object_get(c, "backend")) ?: "",
		json_string_value(json_object_get(c, "pattern")) ?: "",
		lf, mig, hint, acc, ex,
		json_is_true(json_object_get(c, "sampling")) ? "  ~" : "");
}

void ws_summary_numa(FILE *out, json_t *j)
{
	json_t *c, *s;
	size_t i;

	json_array_foreach(json_object_get(j, "results"), i, c) {
		if (!i)
			title(out, c);
		row(out, c);
	}
	json_array_foreach(json_object_get(j, "skipped"), i, s) {
		const char *why = json_string_value(json_object_get(s, "reason"));

		/* Without results every backend skipped for the same reason. */
		if (!json_array_size(json_object_get(j, "results"))) {
			fprintf(out, "\nnuma-interplay: skipped: %s\n", why ?: "");
			break;
		}
		fprintf(out, "%-10s skipped: %s\n",
			json_string_value(json_object_get(s, "backend")) ?: "",
			why ?: "");
	}
	json_array_foreach(json_object_get(j, "warnings"), i, s)
		fprintf(out, "  warning: %s\n", json_string_value(s) ?: "");
}
