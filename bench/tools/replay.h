/* SPDX-License-Identifier: GPL-2.0 */
/*
 * From a result's recorded "params" back to the `wsbench run` options
 * that produce them: what the cover letter's reproduce command and
 * `wsbench verify` pass.  Generic over params keys (sizes_bytes ->
 * --size, min_time_s -> --min-time, any new key k -> --k), limited to the
 * options the benchmark reads (bench/run_cli.c), with the defaults of the
 * parser `wsbench run` itself uses.
 */
#ifndef WS_REPLAY_H
#define WS_REPLAY_H

#include <stddef.h>

#include <jansson.h>

/* Keys that name the run, not what it measured: run_id, out_dir. */
int ws_replay_bookkeeping(const char *key);

/* Params `wsbench run <bench> --profile <profile>` starts from; NULL if
 * either is unknown. */
json_t *ws_replay_defaults(const char *bench, const char *profile);

/*
 * Append to @args (array of strings: "--size", "4K,2M", ...) the options
 * that turn @base into @params: those whose value differs, or, with @base
 * NULL, every one the benchmark reads.  0, or -1 with the reason in @why.
 */
int ws_replay_args(const char *bench, json_t *params, json_t *base,
		   json_t *args, char *why, size_t len);

/*
 * --tune of the run of result file @root, "on" or "off": recorded in its
 * environment (cpu.tuning.requested), not in its params.  NULL: unknown.
 */
const char *ws_replay_tune(json_t *root);

/*
 * Keys (not bookkeeping) whose values differ between two params objects
 * or that only one has, comma separated into @buf; 0 when none.
 */
int ws_params_mismatch(json_t *a, json_t *b, char *buf, size_t len);

/* The same for keys alone: those only one of the two has. */
int ws_params_key_mismatch(json_t *a, json_t *b, char *buf, size_t len);

#endif /* WS_REPLAY_H */
