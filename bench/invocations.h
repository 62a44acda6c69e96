/* SPDX-License-Identifier: GPL-2.0 */
/* `wsbench run --invocations N`: separate processes, one merged result. */
#ifndef WS_INVOCATIONS_H
#define WS_INVOCATIONS_H

#include "run_cli.h"

/*
 * Run @b cfg->invocations times as children of this binary with the
 * user's @argv (argv[0] the benchmark name), then merge their results
 * into cfg->p.out_dir.  The exit code: 0, the first failing child's, or
 * 2 when a child refused its input.
 */
int ws_run_invocations(const struct ws_benchmark *b,
		       const struct ws_run_cfg *cfg, int argc, char **argv);

#endif /* WS_INVOCATIONS_H */
