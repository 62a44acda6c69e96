/* SPDX-License-Identifier: GPL-2.0 */
/* The command that reproduces a run (reproduce.c). */
#ifndef WS_REPRODUCE_H
#define WS_REPRODUCE_H

#include <stdio.h>

struct ws_run;

/*
 * Print the lines (indented by two spaces, at most @width columns) that
 * reproduce @run.  0, or -1 with the reason in @why.
 */
int ws_reproduce_print(FILE *f, const struct ws_run *run, int width,
		       char *why, size_t len);

#endif /* WS_REPRODUCE_H */
