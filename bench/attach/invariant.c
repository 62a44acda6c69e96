// SPDX-License-Identifier: GPL-2.0
/*
 * The accounting of evicted pages (invariant.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "invariant.h"

#define GRACE_TRIES	5
#define GRACE_NS	10000000L	/* a refault between copy and state */

size_t ws_inv_evicted_now(const struct ws_guest *g)
{
	return g->mem.npages - ws_guest_resident(g);
}

/*
 * Mark in @data the pages of @g's memory fd that hold data: a walk over
 * its extents (SEEK_DATA/SEEK_HOLE), two calls per extent rather than one
 * per page.  Offsets as evict_run() punches them: page i at i * psz.
 */
static int data_pages(const struct ws_guest *g, unsigned char *data)
{
	size_t psz = g->mem.page_size;
	off_t end = (off_t)(g->mem.npages * psz), off = 0;

	while (off < end) {
		off_t d = lseek(g->mem.fd, off, SEEK_DATA), h;

		if (d < 0)
			return errno == ENXIO ? 0 : -errno;
		if (d >= end)
			break;
		h = lseek(g->mem.fd, d, SEEK_HOLE);
		if (h < 0)
			return -errno;
		if (h > end)
			h = end;
		for (off_t p = d / (off_t)psz; p * (off_t)psz < h; p++)
			data[p] = 1;
		off = h;
	}
	return 0;
}

/* Evicted and holding data: the suspects, marked in @bad; how many. */
static long suspects(const struct ws_guest *g, unsigned char *bad)
{
	unsigned char *data = calloc(g->mem.npages, 1);
	long n = 0;
	int ret;

	if (!data)
		return -ENOMEM;
	ret = data_pages(g, data);
	for (size_t i = 0; !ret && i < g->mem.npages; i++) {
		bad[i] = data[i] && atomic_load(&g->state[i]) ==
				    WS_PAGE_EVICTED;
		n += bad[i];
	}
	free(data);
	return ret ? ret : n;
}

static void name_pages(const unsigned char *bad, size_t npages, long n,
		       char *why, size_t len)
{
	size_t used = 0, shown = 0;

	used = snprintf(why, len, "%ld page%s marked evicted hold%s data no refault put there (a process without the uffd read or wrote the hole; their content is lost): page",
			n, n > 1 ? "s" : "", n > 1 ? "" : "s");
	for (size_t i = 0; i < npages && shown < 8 && used < len; i++)
		if (bad[i])
			used += snprintf(why + used, len - used, "%s %zu",
					 shown++ ? "," : "", i);
	if (n > 8 && used < len)
		snprintf(why + used, len - used, ", ...");
}

long ws_inv_holes(const struct ws_guest *g, char *why, size_t len)
{
	unsigned char *bad = calloc(g->mem.npages, 1);
	long n = 0;

	if (!bad)
		return -ENOMEM;
	for (int t = 0; t < GRACE_TRIES; t++) {
		n = suspects(g, bad);
		if (n <= 0)
			break;
		nanosleep(&(struct timespec){ 0, GRACE_NS }, NULL);
	}
	if (n > 0)
		name_pages(bad, g->mem.npages, n, why, len);
	free(bad);
	return n;
}
