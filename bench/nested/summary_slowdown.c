// SPDX-License-Identifier: GPL-2.0
/*
 * The slowdown over boots.  scripts/nested-run.sh boots the untracked
 * baseline and then each mechanism once per round (NESTED_BOOTS rounds),
 * so the unit that varies is the boot: a mechanism's slowdown is the
 * geometric mean of the baseline boots' accesses/s over the geometric
 * mean of its own boots', with Welch's t interval on the logarithms over
 * boots (unitci.h).  One boot a side gives the ratio and no interval.
 * A tracked boot counts only when its own slowdown was measured, i.e. its
 * round's baseline ran the same workload (slowdown.c checks that).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "boots.h"
#include "nested.h"
#include "unitci.h"

#define MAX_GROUPS	16
#define MAX_BOOTS	64

struct rate_group {
	char name[64];			/* the boot's mechanisms, '+' between */
	double rate[MAX_BOOTS];		/* accesses/s, one per boot */
	size_t n;
};

static double boot_rate(json_t *j)
{
	json_t *r = json_object_get(j, "workload_rate");

	if (!json_is_true(json_object_get(r, "measured")))
		return NAN;
	return json_number_value(json_object_get(r, "accesses_per_s"));
}

/* "baseline" for the untracked boot, else its mechanisms; NULL: neither. */
static const char *group_name(json_t *j, char *buf, size_t n)
{
	json_t *mech = json_object_get(j, "mechanisms");
	const char *name;
	json_t *m;

	if (!json_object_size(mech))
		return json_is_true(json_object_get(json_object_get(j,
				"eviction"), "measured")) ? NULL : "baseline";
	if (!json_is_true(json_object_get(json_object_get(j, "slowdown"),
					  "measured")))
		return NULL;
	buf[0] = 0;
	json_object_foreach(mech, name, m)
		snprintf(buf + strlen(buf), n - strlen(buf), "%s%s",
			 buf[0] ? "+" : "", name);
	return buf;
}

static void add_rate(struct rate_group *g, size_t *ng, const char *name,
		     double rate)
{
	size_t i;

	for (i = 0; i < *ng && strcmp(g[i].name, name); i++)
		;
	if (i == *ng) {
		if (*ng == MAX_GROUPS)
			return;
		snprintf(g[i].name, sizeof(g[i].name), "%s", name);
		g[i].n = 0;
		(*ng)++;
	}
	if (g[i].n < MAX_BOOTS)
		g[i].rate[g[i].n++] = rate;
}

/* Group 0 is the baseline's; false when there is nothing to compare. */
static bool read_groups(const char *dir, struct rate_group *g, size_t *ng)
{
	struct ws_nested_boots b;
	const char *path, *name;
	char buf[64];
	json_t *j;

	snprintf(g[0].name, sizeof(g[0].name), "baseline");
	g[0].n = 0;
	*ng = 1;
	if (!ws_nested_boots_open(&b, dir, "nested-track*.json"))
		return false;
	while (ws_nested_boots_next(&b, &j, &path)) {
		double rate = boot_rate(j);

		name = j ? group_name(j, buf, sizeof(buf)) : NULL;
		if (name && rate > 0)
			add_rate(g, ng, name, rate);
		json_decref(j);
	}
	return g[0].n && *ng > 1;
}

static double geo_mean(const double *v, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += log(v[i]);
	return exp(s / (double)n);
}

static void group_row(FILE *out, const struct rate_group *base,
		      const struct rate_group *g)
{
	struct ws_welch w;

	fprintf(out, "%-16s %5zu %8zu %9.3f  ", g->name, g->n, base->n,
		geo_mean(base->rate, base->n) / geo_mean(g->rate, g->n));
	if (g->n < 2 || base->n < 2 ||
	    ws_welch_log(g->rate, g->n, base->rate, base->n, 0.95, 1.05, &w))
		fprintf(out, "no interval: under 2 boots a side (NESTED_BOOTS=N boots each N times)\n");
	else
		fprintf(out, "[%.3f, %.3f]\n", w.lo, w.hi);
}

void ws_nested_slowdown_table(FILE *out, const char *dir)
{
	struct rate_group g[MAX_GROUPS];
	size_t ng;

	if (!read_groups(dir, g, &ng))
		return;
	fprintf(out, "slowdown over boots (the baseline boots' accesses/s over the mechanism's, geometric means, on the nested guest's clock):\n");
	fprintf(out, "%-16s %5s %8s %9s  %s\n", "mechanism", "boots",
		"baseline", "slowdown", "95% CI (Welch's t on the logs, over boots)");
	for (size_t i = 1; i < ng; i++)
		group_row(out, &g[0], &g[i]);
}
