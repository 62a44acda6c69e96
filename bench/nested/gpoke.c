// SPDX-License-Identifier: GPL-2.0
/* Tests: the nested guest's poke pages (gpoke.h). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gpoke.h"
#include "pagemap.h"

#define PM_PRESENT	(1ULL << 63)
#define PM_PFN_MASK	((1ULL << 55) - 1)

static volatile uint64_t *word(const struct ws_gpoke *p, size_t i, size_t w)
{
	return (volatile uint64_t *)((char *)p->mem + i * p->page_size) + w;
}

int ws_gpoke_init(struct ws_gpoke *p, int pmfd)
{
	uint64_t e[GPOKE_PAGES];
	int ret;

	memset(p, 0, sizeof(*p));
	p->page_size = (size_t)sysconf(_SC_PAGESIZE);
	p->mem = mmap(NULL, GPOKE_PAGES * p->page_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->mem == MAP_FAILED) {
		p->mem = NULL;
		return -errno;
	}
	for (size_t i = 0; i < GPOKE_PAGES; i++)
		*word(p, i, 0) = GPOKE_MAGIC + i;
	if (mlock(p->mem, GPOKE_PAGES * p->page_size))
		return -errno;
	ret = ws_pagemap_read(pmfd, p->mem, GPOKE_PAGES, e);
	if (ret)
		return ret;
	for (size_t i = 0; i < GPOKE_PAGES; i++) {
		if (!(e[i] & PM_PRESENT) || !(e[i] & PM_PFN_MASK))
			return -ENODATA;
		p->pfn[i] = e[i] & PM_PFN_MASK;
	}
	return 0;
}

void ws_gpoke_pfns(const struct ws_gpoke *p, struct ws_pageset *s)
{
	for (size_t i = 0; i < GPOKE_PAGES; i++)
		if (p->pfn[i] < s->npages)
			ws_pageset_set(s, p->pfn[i]);
}

size_t ws_gpoke_write(struct ws_gpoke *p, const struct ws_pageset *pfns)
{
	size_t n = 0;

	for (size_t i = 0; p->mem && i < GPOKE_PAGES; i++) {
		if (p->pfn[i] >= pfns->npages || !ws_pageset_test(pfns, p->pfn[i]))
			continue;
		*word(p, i, 1) = ++p->version[i];
		n++;
	}
	p->poked += n;
	return n;
}

size_t ws_gpoke_check(const struct ws_gpoke *p)
{
	size_t bad = 0;

	for (size_t i = 0; p->mem && i < GPOKE_PAGES; i++)
		if (*word(p, i, 0) != GPOKE_MAGIC + i ||
		    *word(p, i, 1) != p->version[i])
			bad++;
	return bad;
}
