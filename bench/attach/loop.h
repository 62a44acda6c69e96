/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMM cycle of bench/vmm/ on another process's memory: the same
 * cycle_manage() per interval (freeze, detect, evict, unfreeze, re-arm)
 * and the same refault path, on a range adopted from the target; the
 * freeze "pause" stops the target process.  Ground truth arrives only
 * when the program is done (its log), so every interval's boundaries and
 * detected hot set are kept and scored afterwards with the same
 * cycle_score_cold().
 */
#ifndef WS_ATTACH_LOOP_H
#define WS_ATTACH_LOOP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "attach.h"
#include "session.h"
#include "target.h"
#include "truth.h"

/* The mapping being tracked, as handed off or found in maps. */
struct ws_attach_mem {
	uint64_t start, len, offset;
	char path[256];
	bool shared, thp;
	int memfd;		/* borrowed; -1: none (detection only) */
	uint64_t mmap_ns;	/* when the target mapped it, 0: unknown */
};

extern volatile sig_atomic_t ws_attach_stopping;

struct ws_attach_loop;

/*
 * Run intervals until a->intervals are done, the target asks for its
 * range back or goes away, or a signal; then stop tracking and give the
 * memory back (RELEASE, or restore evicted pages ourselves if the target
 * is gone).  *out is set even on error, for what it saw.  0 or -errno.
 */
int ws_attach_loop_run(struct ws_bench_ctx *ctx, const struct ws_attach *a,
		       const struct ws_attach_mem *m, struct ws_session *s,
		       struct ws_target *t, struct ws_attach_loop **out);
/* Score every interval against @truth (cycle_score_cold()). */
void ws_attach_loop_score(struct ws_attach_loop *l, struct ws_truth *truth);
/* Interval boundaries, for checking a truth log's clock: first and last. */
void ws_attach_loop_span(const struct ws_attach_loop *l, uint64_t *first_ns,
			 uint64_t *last_ns);
/* {"run": {...}, "intervals": [...], "refault_ns": [...], "stop_ns": [...]} */
json_t *ws_attach_loop_json(struct ws_attach_loop *l);
void ws_attach_loop_free(struct ws_attach_loop *l);

#endif /* WS_ATTACH_LOOP_H */
