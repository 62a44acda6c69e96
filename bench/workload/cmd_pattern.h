/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wsbench pattern check FILE... [--size SIZE]
 * wsbench pattern run FILE [--size SIZE] [--threads N] [--time SECONDS]
 *                          [--seed N] [--reps N] [--interval MS] [--no-truth]
 */
#ifndef WS_CMD_PATTERN_H
#define WS_CMD_PATTERN_H

/* argv[0] is "pattern".  Returns the exit status (2: bad input). */
int ws_pattern_cmd(int argc, char **argv);

#endif /* WS_CMD_PATTERN_H */
