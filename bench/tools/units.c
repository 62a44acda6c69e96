// SPDX-License-Identifier: GPL-2.0
/* Unit medians of a recorded series (units.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rundir.h"
#include "stats.h"
#include "units.h"

/* Medians of @k consecutive groups of @size[i] units of @v into @out. */
static void group_medians(const double *v, const size_t *size, size_t k,
			  double *out)
{
	for (size_t i = 0, off = 0; i < k; off += size[i], i++)
		out[i] = ws_median(v + off, size[i]);
}

/* Samples per invocation from inv_reps and rep_sizes; -1 if inconsistent. */
static int inv_sizes(json_t *inv, const size_t *reps, size_t nreps,
		     size_t *out)
{
	size_t r = 0, i;
	json_t *x;

	json_array_foreach(inv, i, x) {
		json_int_t n = json_integer_value(x);

		out[i] = 0;
		if (!json_is_integer(x) || n < 1 || r + (size_t)n > nreps)
			return -1;
		for (json_int_t k = 0; k < n; k++)
			out[i] += reps[r++];
	}
	return r == nreps ? 0 : -1;
}

int ws_series_units(json_t *series, struct ws_units *u)
{
	json_t *inv = json_object_get(series, "inv_reps");
	struct ws_series_view view;
	double *samples;
	size_t *sizes, *isz = NULL;
	int ret = -1;

	memset(u, 0, sizeof(*u));
	if (ws_series_view_of(series, &view, &samples, &sizes))
		return -1;
	u->ninv = json_array_size(inv) ? json_array_size(inv) : 1;
	u->nreps = view.sizes ? view.nreps : view.n;
	u->v = malloc((view.n + 1) * sizeof(*u->v));
	if (!u->v)
		goto out;
	if (u->ninv >= 2 && view.sizes) {
		isz = malloc(u->ninv * sizeof(*isz));
		if (!isz || inv_sizes(inv, view.sizes, view.nreps, isz))
			goto out;
		group_medians(view.v, isz, u->ninv, u->v);
		u->k = u->ninv;
		u->unit = "invocation";
	} else if (view.sizes) {
		group_medians(view.v, view.sizes, view.nreps, u->v);
		u->k = view.nreps;
		u->unit = "repetition";
	} else {
		memcpy(u->v, view.v, view.n * sizeof(*u->v));
		u->k = view.n;
		u->unit = "sample";
	}
	ret = 0;
out:
	if (ret)
		ws_units_free(u);
	free(isz);
	free(samples);
	free(sizes);
	return ret;
}

void ws_units_free(struct ws_units *u)
{
	free(u->v);
	u->v = NULL;
	u->k = 0;
}

const char *ws_units_n(const struct ws_units *u, char *buf, size_t len)
{
	snprintf(buf, len, "%zu invocation%s x %zu rep%s", u->ninv,
		 u->ninv == 1 ? "" : "s", u->nreps / (u->ninv ? u->ninv : 1),
		 u->nreps / (u->ninv ? u->ninv : 1) == 1 ? "" : "s");
	return buf;
}
