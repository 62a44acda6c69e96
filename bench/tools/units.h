/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The units a reader tests a series over (unitci.h): the median of each
 * invocation when the series was merged from two or more, else of each
 * repetition, else each independent sample.
 */
#ifndef WS_UNITS_H
#define WS_UNITS_H

#include <stddef.h>

#include <jansson.h>

struct ws_units {
	double *v;		/* malloc'd unit medians */
	size_t k;
	const char *unit;	/* "invocation", "repetition", "sample" */
	size_t ninv, nreps;	/* invocations (1 when not merged), reps */
};

/* 0, or -1 when the series is malformed or empty. */
int ws_series_units(json_t *series, struct ws_units *u);
void ws_units_free(struct ws_units *u);

/* "3 invocations x 10 reps" / "1 invocation x 3 reps" into @buf. */
const char *ws_units_n(const struct ws_units *u, char *buf, size_t len);

#endif /* WS_UNITS_H */
