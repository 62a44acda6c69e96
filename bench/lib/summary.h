/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `wsbench summary <dir>`: the short human table printed at the end of
 * make bench -- one row per backend, one headline metric per benchmark --
 * plus skips with their reasons.  The JSON files remain the record.
 */
#ifndef WS_SUMMARY_H
#define WS_SUMMARY_H

#include <stdio.h>

/* The table of result directory @dir on @out; 0, or 1 if it holds no result. */
int ws_summary_print(FILE *out, const char *dir);
int ws_summary_main(int argc, char **argv);
/* The numa-interplay section (summary_numa.c); nothing without its file. */
void ws_summary_numa(FILE *out, const char *dir);

#endif /* WS_SUMMARY_H */
