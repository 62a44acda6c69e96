/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wsbench attach: the VMM cycle of bench/vmm/ (detect, freeze, evict,
 * refault) on the memory of a real, unmodified process -- a command it
 * starts, or a running --pid -- through the uffd handoff (handoff.h) where
 * the mechanism or eviction needs a userfaultfd in the target, and from
 * outside (/proc/<pid>/pagemap, clear_refs, DAMON's pid target) where the
 * mechanism works from there.  Ground truth, when the program logs its
 * accesses (fio), scores the cold sets; the program's own checks (fio's
 * verify) and an untracked run of the same command give the rest.
 *
 *   cli.c       options and the checks made before anything is touched
 *   run.c       one tracked and one untracked run of the target
 *   loop.c      the interval loop on the adopted memory, and scoring
 *   report.c    the result file (results/<run-id>/attach.json)
 *   hyperfine.c the whole-process A/B under hyperfine
 */
#ifndef WS_ATTACH_H
#define WS_ATTACH_H

#include <limits.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "bench.h"
#include "fio.h"
#include "session.h"
#include "tracker.h"

enum ws_attach_freeze { WS_ATTACH_FREEZE_AUTO, WS_ATTACH_FREEZE_PAUSE };

/* Intervals kept when the run lasts until the target lets go. */
#define WS_ATTACH_MAX_INTERVALS	4096

struct ws_attach {
	/* what */
	const struct ws_tracker_ops *ops;
	struct ws_selector sel;
	bool sel_given;
	pid_t pid;			/* --pid, else 0 */
	char **cmd;			/* the command, else NULL */
	bool is_fio;
	struct ws_fio_job fio;
	char truth_log[PATH_MAX];	/* --truth-log */
	/* how */
	unsigned int intervals;		/* 0: until the target lets go */
	double interval_ms;
	unsigned int cold_after;
	bool unsafe;
	enum ws_attach_freeze freeze;
	bool no_evict;			/* --no-evict: detection only */
	bool no_untracked;		/* --no-untracked */
	bool use_lib;			/* the handoff library is needed */
	unsigned int reps;
	unsigned int handoff_timeout_s;
	unsigned int hold_ms;		/* --test-hold-ms */
	unsigned int ab_runs, ab_warmup, ab_rounds;
	char socket[108];
	bool socket_given;
	char preload[PATH_MAX];
	char self[PATH_MAX];		/* this wsbench, for hyperfine */
	char **argv_all;		/* our own argv, for hyperfine */
	int argc_all;
	uint64_t seed;
	uint64_t timeout_s;		/* watchdog */
	bool quiet;
	char cwd[PATH_MAX];
	char tmp[PATH_MAX];		/* TMPDIR */
	/* out */
	struct ws_params p;
	char run_id[128], out_dir[512];
};

/* `wsbench attach ...`: exit status (2: bad input, nothing touched). */
int ws_attach_main(int argc, char **argv);
void ws_attach_usage(FILE *f);

/* Parse and check @argv into @a; WS_EXIT_USAGE (message printed), 1 for --help, 0. */
int ws_attach_parse(int argc, char **argv, struct ws_attach *a);

/* One tracked run of the target ({"run", "intervals", "fio"?, ...}). */
int ws_attach_tracked(struct ws_bench_ctx *ctx, const struct ws_attach *a,
		      unsigned int rep, json_t **out);
/* The same command alone, nothing preloaded ({"run", "fio"?}). */
int ws_attach_untracked(struct ws_bench_ctx *ctx, const struct ws_attach *a,
			unsigned int rep, json_t **out);

/* The case of the result file from the runs. */
json_t *ws_attach_case(struct ws_bench_ctx *ctx, const struct ws_attach *a,
		       json_t *runs);

/*
 * hyperfine over the command alone and under wsbench attach, its
 * --export-json read back with a bootstrap CI of the slowdown; adds the
 * series ab_wall_s and ab_wall_s_alone to @metrics.  NULL with @why if
 * hyperfine is missing or failed.
 */
json_t *ws_attach_hyperfine(struct ws_bench_ctx *ctx, const struct ws_attach *a,
			    json_t *metrics, char *why, size_t len);
/* Remove a work directory (kept with WSBENCH_KEEP_WORK set). */
void ws_attach_rm_work(const char *dir);

/* "/dev/shm/x" style label of what was attached, for messages. */
const char *ws_attach_what(const struct ws_attach *a, char *buf, size_t len);

#endif /* WS_ATTACH_H */
