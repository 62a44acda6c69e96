// SPDX-License-Identifier: GPL-2.0
/*
 * manifest.json of a result directory (manifest.h):
 *
 *   { "schema_version": 3, "kind": "manifest", "run_id": "...",
 *     "files": { "fault-latency.json": { "benchmark": "fault-latency" } },
 *     "pending": [ "set-mode", ... ] }
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonfile.h"
#include "manifest.h"
#include "parse.h"
#include "result.h"
#include "rundir.h"

static void manifest_path(const char *dir, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", dir, WS_MANIFEST);
}

/* @dir's manifest, an empty one when there is none; NULL with @why. */
static json_t *manifest_load(const char *dir, char *why, size_t len)
{
	char path[4096];
	struct stat st;
	json_t *m;

	manifest_path(dir, path, sizeof(path));
	if (lstat(path, &st) && errno == ENOENT)
		return json_pack("{s:i, s:s, s:n, s:{}, s:[]}", "schema_version",
				 WS_SCHEMA_VERSION, "kind", "manifest", "run_id",
				 "files", "pending");
	m = ws_json_load_regular(path, why, len);
	if (m && (strcmp(ws_jstr(m, "kind"), "manifest") ||
		  !json_is_object(json_object_get(m, "files")) ||
		  !json_is_array(json_object_get(m, "pending")))) {
		ws_why(why, len, "%s: not a wsbench manifest (kind, files, pending)",
		     path);
		json_decref(m);
		m = NULL;
	}
	return m;
}

/*
 * flock() on the directory itself: nothing extra in it.  A filesystem
 * without locks (some 9p mounts) gets no lock; its writers are the
 * sequential steps of one script.
 */
static int lock_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0)
		flock(fd, LOCK_EX);
	return fd;
}

static void unlock_dir(int fd)
{
	if (fd >= 0)
		close(fd);
}

static void drop_pending(json_t *pending, const char *bench)
{
	json_t *x;
	size_t i;

	json_array_foreach(pending, i, x)
		if (!strcmp(json_string_value(x) ?: "", bench)) {
			json_array_remove(pending, i);
			return;
		}
}

static int manifest_save(const char *dir, json_t *m, char *why, size_t len)
{
	char path[4096];
	int err;

	manifest_path(dir, path, sizeof(path));
	err = ws_json_write_atomic(m, path);
	if (err)
		return ws_why(why, len, "%s: cannot write: %s", path,
			    strerror(-err));
	return 0;
}

int ws_manifest_add(const char *dir, const char *fname, const char *bench,
		    const char *run_id, char *why, size_t len)
{
	int fd = lock_dir(dir), err = -1;
	json_t *m = manifest_load(dir, why, len);

	if (!m)
		goto out;
	if (json_is_null(json_object_get(m, "run_id")))
		json_object_set_new(m, "run_id", json_string(run_id));
	else if (strcmp(ws_jstr(m, "run_id"), run_id)) {
		ws_why(why, len, "%s/%s: belongs to run '%s', not '%s'", dir,
		     WS_MANIFEST, ws_jstr(m, "run_id"), run_id);
		goto out;
	}
	json_object_set_new(json_object_get(m, "files"), fname,
			    json_pack("{s:s}", "benchmark", bench));
	drop_pending(json_object_get(m, "pending"), bench);
	err = manifest_save(dir, m, why, len);
out:
	json_decref(m);
	unlock_dir(fd);
	return err;
}

int ws_manifest_expect(const char *dir, const char *benches, char *why,
		       size_t len)
{
	int fd = lock_dir(dir), err = -1;
	json_t *m = manifest_load(dir, why, len), *pending;
	char *copy = strdup(benches), *save = NULL;

	if (!m || !copy)
		goto out;
	pending = json_object_get(m, "pending");
	for (char *b = strtok_r(copy, " ,\t\n", &save); b;
	     b = strtok_r(NULL, " ,\t\n", &save)) {
		drop_pending(pending, b);
		json_array_append_new(pending, json_string(b));
	}
	err = manifest_save(dir, m, why, len);
out:
	free(copy);
	json_decref(m);
	unlock_dir(fd);
	return err;
}

int ws_manifest_may_add(const char *dir, const char *bench,
			const char *run_id, char *why, size_t len)
{
	char path[4096];
	struct stat st;
	json_t *m;
	int err = 0;

	snprintf(path, sizeof(path), "%s/%s.json", dir, bench);
	if (!lstat(path, &st))
		return ws_why(why, len, "%s already exists: a result is never replaced; use another --out directory",
			    path);
	if (lstat(dir, &st))
		return 0;	/* a new directory */
	m = manifest_load(dir, why, len);
	if (!m)
		return -1;
	if (!json_is_null(json_object_get(m, "run_id")) &&
	    strcmp(ws_jstr(m, "run_id"), run_id))
		err = ws_why(why, len, "%s holds run '%s': use --run-id %s to add to it, or another --out directory",
			   dir, ws_jstr(m, "run_id"), ws_jstr(m, "run_id"));
	json_decref(m);
	return err;
}

static int check_listed(const struct ws_run *run, json_t *files, char *why,
			size_t len)
{
	const char *name;
	json_t *v;

	for (size_t i = 0; i < run->nfiles; i++) {
		const char *base = strrchr(run->files[i].path, '/');

		base = base ? base + 1 : run->files[i].path;
		if (!json_object_get(files, base))
			return ws_why(why, len, "%s: incomplete run: %s is not in its %s (copied in, or its run did not finish)",
				    run->dir, base, WS_MANIFEST);
	}
	json_object_foreach(files, name, v)
		if (!ws_run_file(run, ws_jstr(v, "benchmark")))
			return ws_why(why, len, "%s: incomplete run: %s lists %s, which is missing",
				    run->dir, WS_MANIFEST, name);
	return 0;
}

int ws_manifest_check(const struct ws_run *run, char *why, size_t len)
{
	const char *ok = getenv("WSBENCH_ACCEPT_INCOMPLETE");
	char path[4096];
	struct stat st;
	json_t *m, *pending;
	int err;

	if (ok && !strcmp(ok, "1"))
		return 0;
	manifest_path(run->dir, path, sizeof(path));
	if (lstat(path, &st))
		return ws_why(why, len, "%s: incomplete run: no %s (interrupted, or written by a wsbench without manifests); WSBENCH_ACCEPT_INCOMPLETE=1 reads it anyway",
			    run->dir, WS_MANIFEST);
	m = manifest_load(run->dir, why, len);
	if (!m)
		return -1;
	pending = json_object_get(m, "pending");
	if (json_array_size(pending)) {
		char *s = json_dumps(pending, JSON_COMPACT);

		err = ws_why(why, len, "%s: incomplete run: %s still owes %s (the suite was interrupted?); WSBENCH_ACCEPT_INCOMPLETE=1 reads it anyway",
			   run->dir, WS_MANIFEST, s ? s : "benchmarks");
		free(s);
	} else {
		err = check_listed(run, json_object_get(m, "files"), why, len);
	}
	json_decref(m);
	return err;
}
