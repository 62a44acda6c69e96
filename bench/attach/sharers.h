/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who else maps the memory wsbench attach evicts.  A process that maps the
 * range's memory fd but has no userfaultfd on it (a child forked before the
 * handoff, another program mapping the same /dev/shm file) would read an
 * evicted page as a hole: zeros, which the kernel then keeps in the page
 * cache, so the tracked process never faults and its data is lost.  Such a
 * range is never evicted.
 */
#ifndef WS_ATTACH_SHARERS_H
#define WS_ATTACH_SHARERS_H

#include <sys/types.h>

/*
 * Scan /proc/<pid>/maps of every process but @skip[0..@nskip) for a
 * mapping of the file @fd refers to.  The number found (0: nobody else)
 * and the first one's pid in *@first, or -errno.  Processes whose maps we
 * may not read are not counted: they could not open our memfd either.
 */
int ws_sharers(int fd, const pid_t *skip, size_t nskip, pid_t *first);

#endif /* WS_ATTACH_SHARERS_H */
