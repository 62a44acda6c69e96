// SPDX-License-Identifier: GPL-2.0
/*
 * Loading a result directory (rundir.h).  Every check runs before any
 * caller prints or writes, so bad input costs nothing but a message: each
 * file is opened as a regular file only (a FIFO never blocks a reader),
 * its invariants checked (rundir_check.c), then the run's completeness
 * (manifest.c).
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jsonfile.h"
#include "manifest.h"
#include "parse.h"
#include "result.h"
#include "rundir.h"
#include "rundir_check.h"

int ws_series_view_of(json_t *series, struct ws_series_view *v,
		      double **samples, size_t **sizes)
{
	json_t *s = json_object_get(series, "samples");
	json_t *rs = json_object_get(series, "rep_sizes"), *x;
	size_t n = json_array_size(s), nreps = json_array_size(rs), sum = 0, i;

	*samples = NULL;
	*sizes = NULL;
	if (!json_is_array(s) || !n || (rs && !json_is_array(rs)))
		return -1;
	*samples = malloc(n * sizeof(**samples));
	*sizes = malloc((nreps ? nreps : 1) * sizeof(**sizes));
	if (!*samples || !*sizes)
		goto bad;
	json_array_foreach(s, i, x) {
		if (!json_is_number(x))
			goto bad;
		(*samples)[i] = json_number_value(x);
	}
	json_array_foreach(rs, i, x) {
		if (!json_is_integer(x) || json_integer_value(x) < 1)
			goto bad;
		(*sizes)[i] = (size_t)json_integer_value(x);
		sum += (*sizes)[i];
	}
	if (rs && sum != n)
		goto bad;
	*v = (struct ws_series_view){ *samples, n, rs ? *sizes : NULL, nreps };
	return 0;
bad:
	free(*samples);
	free(*sizes);
	*samples = NULL;
	*sizes = NULL;
	return -1;
}

static int check_version(const char *path, json_t *j, char *why, size_t len)
{
	json_t *v = json_object_get(j, "schema_version");

	if (!json_is_integer(v))
		return ws_why(why, len, "%s: no schema_version: not a wsbench result file",
			    path);
	if (json_integer_value(v) != WS_SCHEMA_VERSION)
		return ws_why(why, len, "%s: schema_version %lld, this wsbench reads %d (results/README.md)",
			    path, (long long)json_integer_value(v),
			    WS_SCHEMA_VERSION);
	return 0;
}

/* The fields every reader relies on, and one run per directory. */
static int check_bench_file(struct ws_run *run, const char *path,
			    const char *fname, json_t *j, char *why,
			    size_t len)
{
	const char *bench = ws_jstr(j, "benchmark");
	size_t blen = strlen(bench);

	if (strncmp(fname, bench, blen) || strcmp(fname + blen, ".json"))
		return ws_why(why, len, "%s: holds benchmark '%s', not what its name says",
			    path, bench);
	if (!*ws_jstr(j, "run_id") || !*ws_jstr(j, "accel") ||
	    !json_is_object(json_object_get(j, "environment")) ||
	    !json_is_object(json_object_get(j, "params")) ||
	    !json_is_array(json_object_get(j, "results")))
		return ws_why(why, len, "%s: lacks run_id, accel, environment, params or results",
			    path);
	if (run->nfiles && strcmp(run->run_id, ws_jstr(j, "run_id")))
		return ws_why(why, len, "%s: run_id '%s' differs from '%s' of %s: files of different runs are mixed",
			    path, ws_jstr(j, "run_id"), run->run_id,
			    run->files[0].path);
	return ws_result_check(path, j, why, len);
}

/* Takes @j over, also on failure. */
static int add_file(struct ws_run *run, const char *path, json_t *j)
{
	struct ws_run_file *f = realloc(run->files,
					(run->nfiles + 1) * sizeof(*f));

	if (!f) {
		json_decref(j);
		return -1;
	}
	run->files = f;
	f += run->nfiles;
	f->bench = strdup(ws_jstr(j, "benchmark"));
	f->path = strdup(path);
	f->root = j;
	if (!run->nfiles) {
		run->run_id = ws_jstr(j, "run_id");
		run->accel = ws_jstr(j, "accel");
		run->env = json_object_get(j, "environment");
		run->params = json_object_get(j, "params");
	}
	run->nfiles++;
	return f->bench && f->path ? 0 : -1;
}

/* One *.json of the directory: a benchmark file, probe.json, or other. */
static int load_one(struct ws_run *run, const char *fname, char *why,
		    size_t len)
{
	char path[4096];
	json_t *j;

	snprintf(path, sizeof(path), "%s/%s", run->dir, fname);
	j = ws_json_load_regular(path, why, len);
	if (!j)
		return -1;
	if (json_object_get(j, "benchmark")) {
		if (check_version(path, j, why, len) ||
		    check_bench_file(run, path, fname, j, why, len)) {
			json_decref(j);
			return -1;
		}
		if (add_file(run, path, j))
			return ws_why(why, len, "%s: out of memory", path);
		return 0;
	}
	if (!strcmp(fname, "probe.json")) {
		if (check_version(path, j, why, len)) {
			json_decref(j);
			return -1;
		}
		run->probe = j;
		return 0;
	}
	json_decref(j);		/* vm.json and the like: not results */
	return 0;
}

static int json_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && !strcmp(d->d_name + n - 5, ".json");
}

int ws_run_load(const char *dir, struct ws_run *run, char *why, size_t len)
{
	struct dirent **names;
	struct stat st;
	int n, err = 0;

	memset(run, 0, sizeof(*run));
	if (stat(dir, &st))
		return ws_why(why, len, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return ws_why(why, len, "%s: not a directory", dir);
	run->dir = strdup(dir);
	n = scandir(dir, &names, json_name, alphasort);
	if (n < 0 || !run->dir)
		return ws_why(why, len, "%s: %s", dir, strerror(errno));
	for (int i = 0; i < n; i++) {
		if (!err)
			err = load_one(run, names[i]->d_name, why, len);
		free(names[i]);
	}
	free(names);
	if (!err && !run->nfiles)
		err = ws_why(why, len, "%s: no <benchmark>.json result file: not a wsbench result directory",
			   dir);
	if (!err)
		err = ws_manifest_check(run, why, len);
	if (err)
		ws_run_free(run);
	return err;
}

void ws_run_free(struct ws_run *run)
{
	for (size_t i = 0; i < run->nfiles; i++) {
		free(run->files[i].bench);
		free(run->files[i].path);
		json_decref(run->files[i].root);
	}
	free(run->files);
	json_decref(run->probe);
	free(run->dir);
	memset(run, 0, sizeof(*run));
}
