/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The invariants of one benchmark result file, checked by the loader
 * (rundir.c) before any reader prints a number from it: every number
 * finite, counts non-negative, precision and recall in [0, 1], every
 * series non-empty with its repetitions adding up to its samples and its
 * median inside its own confidence interval, and at least one case, skip
 * or error (a file that says nothing is not a result).
 */
#ifndef WS_RUNDIR_CHECK_H
#define WS_RUNDIR_CHECK_H

#include <stddef.h>

#include <jansson.h>

/* 0, or -1 with "@path: <field>: <problem>" in @why. */
int ws_result_check(const char *path, json_t *root, char *why, size_t len);

#endif /* WS_RUNDIR_CHECK_H */
