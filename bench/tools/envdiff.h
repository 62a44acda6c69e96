/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Can two runs' timings be compared at all, and what else differs?
 * Different accelerators (bare metal, KVM, TCG), CPU models or page sizes
 * measure different machines: a refusal.  Everything else that differs
 * (kernel release, patches, config, harness commit, THP settings, ...) is
 * listed, never refused: that is what an A/B is for.
 */
#ifndef WS_ENVDIFF_H
#define WS_ENVDIFF_H

#include <jansson.h>

/*
 * Reasons (strings) to refuse comparing a run on (@accel_a, @env_a) with
 * one on (@accel_b, @env_b); an empty array when comparable.
 */
json_t *ws_env_refusals(const char *accel_a, json_t *env_a,
			const char *accel_b, json_t *env_b);

/*
 * Every leaf of two environments that differs, as
 * [{"key": "kernel.release", "a": .., "b": ..}, ...] (arrays are leaves).
 */
json_t *ws_env_differences(json_t *env_a, json_t *env_b);

struct ws_run;
/*
 * What changed in the environment between the files of one run (another
 * process turning a knob mid-run, say): [{"file", "key", "a", "b"}, ...],
 * each file against the first.
 */
json_t *ws_run_env_changes(const struct ws_run *run);
/* The keys of such changes, comma separated, into @buf; 0 when none. */
int ws_run_env_changed_keys(const struct ws_run *run, char *buf, size_t len);

/* A JSON value as short text: strings bare, at most @max columns. */
void ws_json_brief(json_t *v, char *buf, size_t max);

#endif /* WS_ENVDIFF_H */
