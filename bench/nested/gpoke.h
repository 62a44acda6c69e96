/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tests: pages of the nested guest the outer side may ask it to write
 * ("WSO poke bits=PFNS", proto.h) while it is between writing a run out
 * and punching it (--test-punch-delay-us).  Without a freeze that write
 * lands in memory about to be punched and is lost, every time: nothing
 * writes these pages again, so the end's check cannot miss it, where the
 * workload's own writes under TCG in TCG only rarely hit the window and a
 * later write to the same page hides the loss.  Word 0 of poke page i is
 * GPOKE_MAGIC + i, word 1 the number of times it was poked.
 */
#ifndef WS_NESTED_GPOKE_H
#define WS_NESTED_GPOKE_H

#include <stddef.h>
#include <stdint.h>

#include "pageset.h"

#define GPOKE_PAGES	64
#define GPOKE_MAGIC	0x706f6b6500000000ULL	/* "poke" */

struct ws_gpoke {
	uint64_t *mem;			/* GPOKE_PAGES pages, mlock()ed */
	size_t page_size;
	uint64_t pfn[GPOKE_PAGES];
	uint64_t version[GPOKE_PAGES];	/* what word 1 must hold */
	uint64_t poked;			/* writes made */
};

/* Map, stamp and lock the pages and read their PFNs.  0 or -errno. */
int ws_gpoke_init(struct ws_gpoke *p, int pmfd);
/* The pages' PFNs into @s (PFN space). */
void ws_gpoke_pfns(const struct ws_gpoke *p, struct ws_pageset *s);
/* Write every poke page whose PFN is in @pfns; how many. */
size_t ws_gpoke_write(struct ws_gpoke *p, const struct ws_pageset *pfns);
/* Pages whose stamps are not what was written. */
size_t ws_gpoke_check(const struct ws_gpoke *p);

#endif /* WS_NESTED_GPOKE_H */
