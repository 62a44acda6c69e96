/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A result records the knobs in force when it started (environment.mm,
 * .numa.scan, .cpu.governor).  The run's lock (knob_journal.h) keeps
 * other wsbench runs from changing them meanwhile, but not an
 * administrator or another tool: re-read at the run's end, any that
 * differ were changed under the run, so the record is not what was in
 * force for the whole run.  The caller files that as an error of the run.
 */
#ifndef WS_KNOB_RECHECK_H
#define WS_KNOB_RECHECK_H

#include <stddef.h>

#include <jansson.h>

/* 0 when @env's knobs still hold, else -1 with the changes in @why. */
int ws_knobs_recheck(json_t *env, char *why, size_t len);
/* The same for result @root: a change goes into its "errors" and on
 * stderr (as @who's); 1 when one did, else 0. */
int ws_knobs_recheck_result(json_t *root, const char *who);

#endif /* WS_KNOB_RECHECK_H */
