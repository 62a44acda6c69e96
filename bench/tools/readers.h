/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the results readers (tools/) need to know of the floors above them:
 * which backends exist and what each promises, what `wsbench run` would
 * default to and which options it reads, and the nested run's table.  The
 * driver (bench/readers_hooks.c) fills this in, so that tools/ includes no
 * benchmark, tracker or nested code (README "Layout").
 */
#ifndef WS_READERS_H
#define WS_READERS_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

/* A backend's promises, as the summary reads its results by them. */
struct ws_backend_traits {
	const char *name;
	unsigned int faults_on;		/* access kinds that fault; 0: none */
	bool arm_leaves_tlb;		/* arming does not flush the TLB */
	const char *flush_disturbs_arm;	/* why flushing is not neutral */
	bool sampling;			/* its accuracy is the measurement */
	/*
	 * The summary table's cells are anon, async mode; a backend with
	 * no anon or no async has them on @table_backing / sync instead,
	 * and @table_why says why in a line under the table.
	 */
	const char *table_backing;	/* "anon", or its first backing */
	bool sync_only;
	const char *table_why;		/* NULL when anon, async */
};

struct ws_readers {
	/* Every backend this wsbench knows, NULL-terminated. */
	const struct ws_backend_traits *const *(*backends)(void);
	/* `wsbench run @bench --profile @profile`'s params; NULL: unknown. */
	json_t *(*run_defaults)(const char *bench, const char *profile);
	/* 1: `wsbench run @bench` reads @opt, 0: it does not, -1: no @bench. */
	int (*run_reads_option)(const char *bench, const char *opt);
	/* The table of a BENCH_PROFILE=vmm result directory; 0 or -1. */
	int (*nested_summary)(FILE *out, const char *dir);
};

extern const struct ws_readers ws_readers;

#endif /* WS_READERS_H */
