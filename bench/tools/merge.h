/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Invocations of one benchmark (separate processes, each its own result)
 * merged into one result whose series carry "inv_reps", so that their
 * CIs and every comparison use the invocation as the unit: what a second
 * run would vary by (statistics.md, Kalibera & Jones).  `wsbench run
 * --invocations N` and scripts/suite.sh (RUNS=N) merge this way; so does
 * `wsbench merge`, for invocations run interleaved with another system's
 * (scripts/ab.sh).
 */
#ifndef WS_MERGE_H
#define WS_MERGE_H

#include <stddef.h>

#include <jansson.h>

/* @n result roots of one benchmark and run id, same params; NULL with
 * the reason in @why. */
json_t *ws_merge_invocations(json_t **roots, size_t n, char *why, size_t len);

/* `wsbench merge --out DIR INV_DIR...` */
int ws_merge_main(int argc, char **argv);

#endif /* WS_MERGE_H */
