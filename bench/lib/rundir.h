/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A result directory, loaded and checked before anything reads it:
 * compare, report and verify refuse a directory that is missing, holds no
 * <benchmark>.json, holds a file that does not parse (truncated), has
 * another schema_version, is not the benchmark its name says, mixes files
 * of different runs, or carries a series whose repetitions do not add up.
 * The message names the file and the problem.
 */
#ifndef WS_RUNDIR_H
#define WS_RUNDIR_H

#include <stddef.h>

#include <jansson.h>

#include "jpath.h"	/* ws_jstr(), ws_jnum(): every reader uses them */


struct ws_run_file {
	char *bench;		/* "fault-latency" */
	char *path;		/* DIR/fault-latency.json */
	json_t *root;
};

struct ws_run {
	char *dir;
	json_t *probe;		/* probe.json, NULL when absent */
	struct ws_run_file *files;	/* sorted by benchmark name */
	size_t nfiles;
	const char *run_id;	/* shared by every file */
	const char *accel;	/* of the first file */
	json_t *env;		/* "environment" of the first file */
	json_t *params;		/* "params" of the first file */
};

/* 0, or -1 with the reason (naming the file) in @why. */
int ws_run_load(const char *dir, struct ws_run *run, char *why, size_t len);
void ws_run_free(struct ws_run *run);
const struct ws_run_file *ws_run_file(const struct ws_run *run,
				      const char *bench);

/* One measured series: @n samples in @nreps repetitions of @sizes[r]
 * (NULL: independent samples). */
struct ws_series_view {
	const double *v;
	size_t n;
	const size_t *sizes;
	size_t nreps;
};

/*
 * A series as a view: @sizes receives the
 * repetition sizes (freed by the caller).  0, or -1 if malformed.
 */
int ws_series_view_of(json_t *series, struct ws_series_view *v,
		      double **samples, size_t **sizes);

#endif /* WS_RUNDIR_H */
