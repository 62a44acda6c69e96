/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The accounting of evicted pages, checked every interval: every page
 * evicted so far was refaulted, is still evicted -- its memory a hole, so
 * that the next access faults -- or was restored at release.  A page
 * marked evicted whose memory holds data again was filled by someone
 * without a refault (a process that maps the memory without the uffd read
 * the hole and got zeros): its content is lost, and no later step would
 * notice.  A violation is an error that names the pages.
 */
#ifndef WS_ATTACH_INVARIANT_H
#define WS_ATTACH_INVARIANT_H

#include <stddef.h>
#include <stdint.h>

#include "guest.h"

/*
 * Pages of @g marked evicted whose memory holds data again, after a short
 * grace for a refault in flight (its UFFDIO_COPY lands before its state
 * flips).  The count, up to eight of them named in @why; -errno.
 */
long ws_inv_holes(const struct ws_guest *g, char *why, size_t len);

/* Pages of @g marked evicted (or being evicted). */
size_t ws_inv_evicted_now(const struct ws_guest *g);

#endif /* WS_ATTACH_INVARIANT_H */
