/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The outer side's record of what the nested guest reported (proto.h),
 * built line by line: live by the link, or afterwards from a transcript.
 * Sets are in the nested guest's PFN space, which is the page-offset space
 * of the VMM's RAM memfd (PFN p = bytes [p * page_size, (p + 1) *
 * page_size) of it, for guest RAM mapped from guest-physical 0, as QEMU's
 * pc machine maps RAM below its PCI hole).
 */
#ifndef WS_NESTED_REPORT_H
#define WS_NESTED_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pageset.h"

struct ws_nested_iv {
	uint32_t k;
	bool have_iv, have_win;
	uint64_t ambiguous, win_ambiguous;	/* batches spanning an epoch */
	uint64_t moved;				/* pages whose PFN changed */
	/* the workload's accesses from begun to ended, the nested guest's
	 * ns between them; have_rate false for a guest that did not say */
	bool have_rate;
	uint64_t accesses, nested_ns;
	struct ws_pageset rd, wr;		/* epoch 2k-2: the interval */
	struct ws_pageset win_rd, win_wr;	/* epoch 2k-1: the window after */
};

struct ws_nested_report {
	size_t space;			/* pages of the PFN space (RAM pages) */
	/* hello */
	bool have_hello;
	uint64_t version, pages, page_size, threads, seed;
	char pattern[64];
	/* region: the workload's PFNs */
	bool have_region;
	struct ws_pageset region;
	uint64_t moved_total;
	/* intervals 1..niv, iv[k - 1] */
	struct ws_nested_iv *iv;
	size_t niv, cap;
	uint32_t begun, ended;		/* last acknowledged edges */
	/* the end */
	bool have_integrity, bye;
	uint64_t integrity_pages, integrity_bad, integrity_sum;
	char error[256];		/* "WSN error ..." text, if any */
	/* tests: the poke pages (gpoke.h) and the pokes acknowledged */
	bool have_pokes;
	struct ws_pageset pokes;
	uint64_t poke_acks, poke_pages_written;
	uint64_t integrity_poked, integrity_poke_bad;
	/* --disk: the nested guest's disk check */
	bool have_disk;
	char disk_dev[64];
	uint64_t disk_ops, disk_checked, disk_bad_readback, disk_bad;
	uint64_t disk_error;		/* errno of a failed disk check, 0 */
};

/*
 * @space: pages of the RAM the PFNs index (a PFN at or beyond it is a
 * protocol error: the guest has more RAM than the memfd).
 */
void ws_nested_report_init(struct ws_nested_report *r, size_t space);
void ws_nested_report_free(struct ws_nested_report *r);
/*
 * Take one received line (without "\n"); lines not starting with "WSN "
 * are ignored (boot noise, a partly received line).  0, or -EPROTO/-EINVAL
 * /-ENOMEM with the reason in @err.
 */
int ws_nested_report_feed(struct ws_nested_report *r, const char *line,
			  char *err, size_t errlen);
/* Interval @k, or NULL if not (fully) reported. */
const struct ws_nested_iv *ws_nested_report_iv(const struct ws_nested_report *r,
					       uint32_t k);
/*
 * Per-interval touched sets, ready for scoring, in the RAM memfd's
 * page-offset space, as runs [[first_page, npages], ...].
 */
json_t *ws_nested_report_json(const struct ws_nested_report *r);
/* [[first, n], ...] of a set. */
json_t *ws_nested_runs_json(const struct ws_pageset *s);

#endif /* WS_NESTED_REPORT_H */
