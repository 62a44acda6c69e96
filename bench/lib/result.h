/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Result files: one JSON object per benchmark run, written atomically
 * (temp file in the same directory, fsync, rename).  Schema in
 * results/README.md and results/schema.json; bump WS_SCHEMA_VERSION on any
 * incompatible change.
 */
#ifndef WS_RESULT_H
#define WS_RESULT_H

#include <jansson.h>

#define WS_SCHEMA_VERSION	3

struct ws_result {
	json_t *root;
	json_t *results;	/* array of measured cases */
	json_t *skipped;	/* array of {backend, backing, mode, reason} */
	json_t *warnings;	/* array of strings */
};

int ws_result_init(struct ws_result *r, const char *benchmark,
		   const char *run_id, json_t *params);
/* Append a measured case (steals @c). */
void ws_result_add(struct ws_result *r, json_t *c);
/* Record a skip; @backing / @mode may be NULL meaning "all". */
void ws_result_skip(struct ws_result *r, const char *backend,
		    const char *backing, const char *mode, const char *reason);
void ws_result_warn(struct ws_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Stamp finished_at and write <dir>/<name> atomically.  0 or -errno. */
int ws_result_write(struct ws_result *r, const char *dir, const char *name);
void ws_result_free(struct ws_result *r);

/* Write any JSON atomically (temp + fsync + rename).  0 or -errno. */
int ws_json_write_atomic(json_t *j, const char *path);
/* mkdir -p */
int ws_mkdir_p(const char *path);

#endif /* WS_RESULT_H */
