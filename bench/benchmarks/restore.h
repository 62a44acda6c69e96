/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The restore benchmark's two halves: restore_flow.c does one snapshot
 * restore (populate the memory file, then the VM mapping's minor faults
 * resolved by a handler thread, then the content check); restore.c runs
 * the cases and files them.
 */
#ifndef WS_RESTORE_H
#define WS_RESTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench.h"
#include "stats.h"

/* How the VM's mapping is registered for the restore phase. */
enum rs_reg {
	RS_REG_MINOR,		/* MODE_MINOR: what the seed series offers */
	RS_REG_MISSING_MINOR,	/* MODE_MISSING | MODE_MINOR */
	RS_REG_NR
};

extern const char *const rs_reg_names[RS_REG_NR];

/* What the VM had in memory: the content to restore, page by page. */
struct rs_snapshot {
	char *buf;		/* anonymous, npages * page_size */
	size_t page_size, npages;
	uint64_t *sum;		/* each page's checksum */
	bool *hole;		/* left out of the populate */
	size_t nholes;
	long drop;		/* test hook: a populated page left out, or -1 */
};

/* What one case saw, over every repetition it ran. */
struct rs_counts {
	size_t reps;			/* repetitions checked (warm-up too) */
	/* per touch of a page, by the handler messages it contained */
	size_t samples, one_minor, one_missing, none, multi;
	size_t populated_touched, populated_not_one_minor;
	/* content, after the restore */
	size_t populated_checked, bad_pages;
	long first_bad;			/* page, or -1 */
	size_t hole_touched, hole_raised_minor, hole_raised_missing;
	size_t hole_unseen, hole_read_zero, hole_content_ok;
	size_t hole_filled;		/* raised MISSING, content correct */
	uint64_t unexpected;		/* non-pagefault messages */
	int handler_cpu;
};

struct rs_series {
	struct ws_samples populate_ns_per_page;	/* one per repetition */
	struct ws_samples minor_ns;		/* one minor fault each */
	struct ws_samples missing_ns;		/* one MISSING fault each */
	struct ws_samples restore_ns;		/* the vCPU's sweep, per rep */
	struct ws_samples restore_ns_per_page;
};

/* One restore of a snapshot into fresh memory. */
struct rs_run {
	struct ws_bench_ctx *ctx;
	enum ws_backing backing;
	enum ws_populate populate;
	enum rs_reg reg;
	const struct rs_snapshot *snap;
	int vcpu_cpu;			/* the sweeping thread's, -1: unpinned */
	bool reg_refused;		/* the skip is the registration's */
	bool map_refused;		/* ...the backing's (no huge pages) */
	struct rs_counts n;
	struct rs_series s;
};

int rs_snapshot_build(struct rs_snapshot *s, size_t page_size,
		      size_t npages, double holes_pct, uint64_t seed);
void rs_snapshot_free(struct rs_snapshot *s);

/*
 * Map fresh memory, populate it with r->populate, restore it under
 * r->reg and check every page.  @measured: file the samples.  0; 1 when
 * the kernel refuses the populate or the registration (the reason, with
 * its errno, in ctx->skip_reason); -errno (message set) otherwise.
 */
int rs_restore_once(struct rs_run *r, bool measured);

#endif /* WS_RESTORE_H */
