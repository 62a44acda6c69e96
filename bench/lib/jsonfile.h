/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Opening a file a user named, safely: regular files only.  A FIFO, a
 * device or a directory is refused before any read, so a reader never
 * blocks for ever on `mkfifo DIR/set-mode.json`.
 */
#ifndef WS_JSONFILE_H
#define WS_JSONFILE_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* A read-only fd of regular file @path, or -1 with the reason in @why. */
int ws_open_regular(const char *path, char *why, size_t len);
/* The same as a stdio stream ("r"), NULL with the reason. */
FILE *ws_fopen_regular(const char *path, char *why, size_t len);
/*
 * The JSON object in regular file @path, or NULL with the reason (naming
 * @path) in @why: not regular, unreadable, not JSON, not an object.
 */
json_t *ws_json_load_regular(const char *path, char *why, size_t len);
/* Member @key of @o as a double; NAN when absent or not a number. */
double ws_json_num(json_t *o, const char *key);

#endif /* WS_JSONFILE_H */
