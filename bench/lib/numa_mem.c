// SPDX-License-Identifier: GPL-2.0
/*
 * Page placement (numa.h): first-touch binding with set_mempolicy(2) and
 * where pages are with move_pages(2) status queries.  Raw syscalls: glibc
 * has no wrappers and libnuma is not worth a dependency for three calls.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/mempolicy.h>
#include <sys/syscall.h>

#include "numa.h"

#define MASK_BITS	(8 * sizeof(unsigned long))

int ws_numa_bind_self(int node)
{
	unsigned long mask[WS_NUMA_MAX_NODES / MASK_BITS + 1] = { 0 };

	if (node < 0 || node >= WS_NUMA_MAX_NODES)
		return -EINVAL;
	mask[node / MASK_BITS] = 1UL << (node % MASK_BITS);
	if (syscall(SYS_set_mempolicy, MPOL_BIND, mask,
		    (unsigned long)WS_NUMA_MAX_NODES + 1))
		return -errno;
	return 0;
}

int ws_numa_unbind_self(void)
{
	if (syscall(SYS_set_mempolicy, MPOL_DEFAULT, NULL, 0UL))
		return -errno;
	return 0;
}

size_t ws_numa_census_scratch(size_t npages)
{
	return npages * (sizeof(void *) + sizeof(int));
}

int ws_numa_census(void *base, size_t npages, size_t page_size,
		   void *scratch, struct ws_numa_census *c)
{
	void **pages = scratch;
	int *status = (int *)(pages + npages);

	memset(c, 0, sizeof(*c));
	c->npages = npages;
	for (size_t i = 0; i < npages; i++)
		pages[i] = (char *)base + i * page_size;
	/* nodes == NULL: only report where each page is, move nothing. */
	if (syscall(SYS_move_pages, 0, (unsigned long)npages, pages, NULL,
		    status, 0))
		return -errno;
	for (size_t i = 0; i < npages; i++) {
		if (status[i] >= 0 && status[i] < WS_NUMA_MAX_NODES)
			c->on_node[status[i]]++;
		else if (status[i] == -ENOENT)
			c->absent++;
		else
			c->other_err++;
	}
	return 0;
}

double ws_numa_fraction(const struct ws_numa_census *c, int node)
{
	if (!c->npages || node < 0 || node >= WS_NUMA_MAX_NODES)
		return 0;
	return (double)c->on_node[node] / (double)c->npages;
}

json_t *ws_numa_census_json(const struct ws_numa_census *c, int local)
{
	json_t *on = json_object();
	char key[16];

	for (int n = 0; n < WS_NUMA_MAX_NODES; n++) {
		if (!c->on_node[n])
			continue;
		snprintf(key, sizeof(key), "%d", n);
		json_object_set_new(on, key, json_integer((json_int_t)c->on_node[n]));
	}
	return json_pack("{s:I,s:o,s:I,s:I,s:f}",
			 "pages", (json_int_t)c->npages, "on_node", on,
			 "absent", (json_int_t)c->absent,
			 "other_error", (json_int_t)c->other_err,
			 "local_fraction", ws_numa_fraction(c, local));
}
