// SPDX-License-Identifier: GPL-2.0
/*
 * Result files.  The JSON shape is documented in results/README.md and
 * checked against results/schema.json by the tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "env.h"
#include "result.h"

static json_t *utc_now(void)
{
	char buf[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

int ws_result_init(struct ws_result *r, const char *benchmark,
		   const char *run_id, json_t *params)
{
	char accel[64];

	memset(r, 0, sizeof(*r));
	r->root = json_object();
	r->results = json_array();
	r->skipped = json_array();
	r->warnings = json_array();
	if (!r->root || !r->results || !r->skipped || !r->warnings)
		return -ENOMEM;

	json_object_set_new(r->root, "schema_version",
			    json_integer(WS_SCHEMA_VERSION));
	json_object_set_new(r->root, "benchmark", json_string(benchmark));
	json_object_set_new(r->root, "run_id", json_string(run_id));
	json_object_set_new(r->root, "started_at", utc_now());
	json_object_set_new(r->root, "params", params ? params : json_object());
	json_object_set_new(r->root, "environment", ws_env_capture());
	/* Top level so nobody can miss that TCG timings mean nothing. */
	json_object_set_new(r->root, "accel", json_string(ws_env_virt(accel,
							  sizeof(accel))));
	json_object_set(r->root, "results", r->results);
	json_object_set(r->root, "skipped", r->skipped);
	json_object_set(r->root, "warnings", r->warnings);
	json_object_set_new(r->root, "errors", json_array());
	return 0;
}

void ws_result_add(struct ws_result *r, json_t *c)
{
	json_array_append_new(r->results, c);
}

void ws_result_skip(struct ws_result *r, const char *backend,
		    const char *backing, const char *mode, const char *reason)
{
	json_t *s = json_pack("{s:s, s:s?, s:s?, s:s}", "backend", backend,
			      "backing", backing, "mode", mode,
			      "reason", reason);

	if (s)
		json_array_append_new(r->skipped, s);
}

void ws_result_warn(struct ws_result *r, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(r->warnings, json_string(buf));
}

int ws_mkdir_p(const char *path)
{
	char buf[4096];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * Readers (make bench's summary, the tests, a reviewer's jq) must never see
 * a half-written file: write a temp file in the same directory, fsync it,
 * then rename over the final name.
 */
int ws_json_write_atomic(json_t *j, const char *path)
{
	char tmp[4096], *text;
	size_t len;
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	/*
	 * Serialise into memory and write once: json_dumpfd() issues a write()
	 * per token, which over the VM's 9p share under TCG took minutes for
	 * a few MB of samples.
	 */
	text = json_dumps(j, JSON_INDENT(1) | JSON_SORT_KEYS |
			     JSON_REAL_PRECISION(10));
	if (!text)
		return -ENOMEM;
	len = strlen(text);
	text[len++] = '\n';	/* replaces the NUL; len is what we write */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = -errno;
		free(text);
		return err;
	}
	for (size_t off = 0; off < len && !err;) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno != EINTR)
			err = -errno;
		else if (n > 0)
			off += n;
	}
	free(text);
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int ws_result_write(struct ws_result *r, const char *dir, const char *name)
{
	char path[4096];
	int err;

	json_object_set_new(r->root, "finished_at", utc_now());
	err = ws_mkdir_p(dir);
	if (err)
		return err;
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	return ws_json_write_atomic(r->root, path);
}

void ws_result_free(struct ws_result *r)
{
	json_decref(r->results);
	json_decref(r->skipped);
	json_decref(r->warnings);
	json_decref(r->root);
	memset(r, 0, sizeof(*r));
}
