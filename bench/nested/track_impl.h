/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wsbench nested track internals, shared by track.c (the run) and
 * track_score.c (scoring against the nested guest's truth, the content
 * check, the output).
 */
#ifndef WS_NESTED_TRACK_IMPL_H
#define WS_NESTED_TRACK_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "link.h"
#include "vmram.h"

#define MAX_INTERVALS	1000

struct track_args {
	uint64_t pid;
	const char *socket, *transcript, *json, *truth;
	size_t ram;
	unsigned int vias;		/* bit per enum ws_outer_via */
	uint64_t intervals, interval_ms, boot_timeout_s, timeout_s;
};

struct via_state {
	bool on;
	char why[512];			/* why not, when !on */
	struct ws_outer o;
	struct ws_pageset *hot;		/* per interval */
};

struct track {
	struct track_args a;
	struct ws_nested_link l;
	struct ws_vmram ram;
	struct via_state v[WS_VIA_NR];
	FILE *transcript;
	double *window_ms, *interval_ms;
	uint64_t run_ns;
};

int ws_nested_track_report(struct track *t);

#endif /* WS_NESTED_TRACK_IMPL_H */
