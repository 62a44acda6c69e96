/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `wsbench summary <dir>`: the short human table printed at the end of
 * make bench -- one row per backend, one headline metric per benchmark --
 * plus skips with their reasons.  The JSON files remain the record.
 */
#ifndef WS_SUMMARY_H
#define WS_SUMMARY_H

#include <stdio.h>

#include <jansson.h>

/*
 * The table of result directory @dir on @out; 0, or WS_EXIT_USAGE after
 * saying on stderr why the directory is not a complete, sound result
 * (rundir.h: the same loader as compare, report and verify).
 */
int ws_summary_print(FILE *out, const char *dir);
int ws_summary_main(int argc, char **argv);
/*
 * The summary's exact@4K cell of @backend from correctness's results:
 * worst precision and recall over the deterministic, visible, lossless
 * cases on anon and shmem under the TLB condition the mechanism promises
 * (summary.c exact_case).  The number of cases; 0: none.  The cover
 * letter quotes this, so that the two never disagree.
 */
int ws_summary_exact(json_t *results, const char *backend, double *prec,
		     double *rec);
/*
 * That cell for every backend of @results, in the order they first
 * appear: [{"backend", "cases", "precision", "recall"}] (no precision or
 * recall when cases is 0).  The cover letter, collect and cases read it.
 */
json_t *ws_summary_exact_all(json_t *results);
struct ws_run;
/*
 * Warnings under the title (summary_warn.c): the environment changing
 * during the run (a clocksource switch), more helper threads than CPUs,
 * and the warnings each benchmark recorded.
 */
void ws_summary_warnings(FILE *out, const struct ws_run *run);
/*
 * Which profile ran, and which benchmarks' presets options overrode (a
 * TCG guest shrinks the default profile's sizes): summary_warn.c.
 */
void ws_summary_profile(FILE *out, const struct ws_run *run);
/* The numa-interplay section (summary_numa.c) of its loaded file @j. */
void ws_summary_numa(FILE *out, json_t *j);
/* The restore section (summary_restore.c); @accel "tcg" adds a caveat. */
void ws_summary_restore(FILE *out, json_t *j, const char *accel);

#endif /* WS_SUMMARY_H */
