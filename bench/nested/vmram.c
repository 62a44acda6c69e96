// SPDX-License-Identifier: GPL-2.0
/*
 * A VMM's guest RAM from outside, and soft-dirty / idle tracking of it
 * through /proc/PID (vmram.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "timing.h"
#include "vmram.h"

#define PM_PRESENT	(1ULL << 63)
#define PM_SWAPPED	(1ULL << 62)
#define PM_SOFT_DIRTY	(1ULL << 55)
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define IDLE_BITMAP	"/sys/kernel/mm/page_idle/bitmap"
#define SHMEM_THP	"/sys/kernel/mm/transparent_hugepage/shmem_enabled"
#define MERGE_GAP_WORDS	8

static int pread_full(int fd, void *buf, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = pread(fd, (char *)buf + done, len - done,
				  off + (off_t)done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r) {	/* past the end (idle: past max_pfn) */
			memset((char *)buf + done, 0, len - done);
			break;
		}
		done += (size_t)r;
	}
	return 0;
}

static int pwrite_full(int fd, const void *buf, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = pwrite(fd, (const char *)buf + done, len - done,
				   off + (off_t)done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)		/* idle: the partial word at max_pfn */
			break;
		done += (size_t)r;
	}
	return 0;
}

/* The largest (or the @want-byte) shared memfd mapping in @maps. */
static int find_mapping(struct ws_vmram *v, FILE *maps, size_t want)
{
	char line[512];

	v->len = 0;
	while (fgets(line, sizeof(line), maps)) {
		uint64_t lo, hi;
		char perms[8], name[256] = "";
		size_t len;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %*s %*s %*s %255[^\n]",
			   &lo, &hi, perms, name) < 3)
			continue;
		len = (size_t)(hi - lo);
		if (strncmp(name, "/memfd:", 7) || perms[3] != 's' ||
		    (want && len != want) || len <= v->len)
			continue;
		v->start = lo;
		v->len = len;
		snprintf(v->name, sizeof(v->name), "%s", name);
	}
	return v->len ? 0 : -ENOENT;
}

static int open_proc(pid_t pid, const char *what, int flags)
{
	char path[160];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int ws_vmram_open(struct ws_vmram *v, pid_t pid, size_t len, char *why,
		  size_t whylen)
{
	char path[96];
	FILE *maps;
	int ret;

	memset(v, 0, sizeof(*v));
	v->pid = pid;
	v->memfd = v->pagemap = -1;
	v->page_size = (size_t)sysconf(_SC_PAGESIZE);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = fopen(path, "re");
	if (!maps) {
		ret = -errno;
		snprintf(why, whylen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = find_mapping(v, maps, len);
	fclose(maps);
	if (ret) {
		snprintf(why, whylen, "no shared memfd mapping%s in %s (is the VMM's RAM a memory-backend-memfd with share=on?)",
			 len ? " of the given size" : "", path);
		return ret;
	}
	v->npages = v->len / v->page_size;
	snprintf(path, sizeof(path), "map_files/%" PRIx64 "-%" PRIx64,
		 v->start, v->start + v->len);
	v->memfd = open_proc(pid, path, O_RDONLY);
	v->pagemap = open_proc(pid, "pagemap", O_RDONLY);
	v->entries = calloc(v->npages, sizeof(*v->entries));
	if (v->memfd < 0 || v->pagemap < 0 || !v->entries) {
		ret = v->memfd < 0 ? v->memfd : v->pagemap < 0 ? v->pagemap :
		      -ENOMEM;
		snprintf(why, whylen, "/proc/%d/%s: %s (root needed)",
			 (int)pid, v->memfd < 0 ? path : "pagemap",
			 strerror(-ret));
		ws_vmram_close(v);
		return ret;
	}
	return 0;
}

void ws_vmram_close(struct ws_vmram *v)
{
	if (v->memfd >= 0)
		close(v->memfd);
	if (v->pagemap >= 0)
		close(v->pagemap);
	free(v->entries);
	v->entries = NULL;
	v->memfd = v->pagemap = -1;
}

int ws_vmram_pagemap(struct ws_vmram *v)
{
	return pread_full(v->pagemap, v->entries,
			  v->npages * sizeof(*v->entries),
			  (off_t)(v->start / v->page_size * sizeof(uint64_t)));
}

int ws_vmram_read_page(const struct ws_vmram *v, size_t page, void *buf)
{
	return pread_full(v->memfd, buf, v->page_size,
			  (off_t)(page * v->page_size));
}

/* ---- trackers ---- */

const char *ws_outer_via_name(enum ws_outer_via via)
{
	static const char *const names[WS_VIA_NR] = {
		"softdirty", "idle", "rwp", "wp", "damon",
	};

	return via < WS_VIA_NR ? names[via] : "?";
}

/* Idle tracking marks folios: 4 KiB shmem folios only (shmem THP off). */
static int idle_probe(char *why, size_t whylen)
{
	char buf[256] = "";
	FILE *f = fopen(SHMEM_THP, "re");

	if (access(IDLE_BITMAP, R_OK | W_OK)) {
		int err = -errno;

		snprintf(why, whylen, "%s: %s (CONFIG_IDLE_PAGE_TRACKING, root)",
			 IDLE_BITMAP, strerror(errno));
		if (f)
			fclose(f);
		return err;
	}
	if (f && fgets(buf, sizeof(buf), f) && !strstr(buf, "[never]") &&
	    !strstr(buf, "[deny]")) {
		fclose(f);
		snprintf(why, whylen, "%s is '%.*s': large shmem folios would report one bit per folio; set never",
			 SHMEM_THP, (int)strcspn(buf, "\n"), buf);
		return -EOPNOTSUPP;
	}
	if (f)
		fclose(f);
	return 0;
}

int ws_outer_open(struct ws_outer *o, enum ws_outer_via via,
		  struct ws_vmram *ram, char *why, size_t whylen)
{
	int ret;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->via = via;
	o->ram = ram;
	if (via == WS_VIA_SOFTDIRTY) {
		o->fd = open_proc(ram->pid, "clear_refs", O_WRONLY);
		if (o->fd < 0)
			snprintf(why, whylen, "/proc/%d/clear_refs: %s",
				 (int)ram->pid, strerror(-o->fd));
		return o->fd < 0 ? o->fd : 0;
	}
	ret = idle_probe(why, whylen);
	if (ret)
		return ret;
	o->fd = open(IDLE_BITMAP, O_RDWR | O_CLOEXEC);
	o->armed_pfn = calloc(ram->npages, sizeof(*o->armed_pfn));
	if (o->fd < 0 || !o->armed_pfn) {
		ret = o->fd < 0 ? -errno : -ENOMEM;
		snprintf(why, whylen, "%s: %s", IDLE_BITMAP, strerror(-ret));
		ws_outer_close(o);
		return ret;
	}
	return 0;
}

void ws_outer_close(struct ws_outer *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	free(o->armed_pfn);
	free(o->words);
	o->armed_pfn = o->words = NULL;
}

static uint64_t present_pfn(uint64_t e)
{
	return e & PM_PRESENT ? e & PM_PFN_MASK : 0;
}

/* Bitmap words big enough for PFN @pfn, zeroed. */
static int words_for(struct ws_outer *o, uint64_t max_pfn)
{
	size_t n = (size_t)(max_pfn / 64 + 1);

	if (n > o->nwords) {
		uint64_t *w = realloc(o->words, n * sizeof(*w));

		if (!w)
			return -ENOMEM;
		o->words = w;
		o->nwords = n;
	}
	memset(o->words, 0, o->nwords * sizeof(*o->words));
	return 0;
}

/* Write (arm) or read (collect) the words that hold our PFNs. */
static int idle_io(struct ws_outer *o, bool write)
{
	size_t pos = 0, w, end;

	while (ws_word_run(o->words, o->nwords, MERGE_GAP_WORDS, &pos, &w,
			   &end)) {
		size_t len = (end - w) * sizeof(uint64_t);
		off_t off = (off_t)(w * sizeof(uint64_t));
		int ret = write ? pwrite_full(o->fd, o->words + w, len, off) :
				  pread_full(o->fd, o->words + w, len, off);

		if (ret)
			return ret;
	}
	return 0;
}

static int idle_arm(struct ws_outer *o)
{
	struct ws_vmram *v = o->ram;
	uint64_t max = 0;
	int ret = ws_vmram_pagemap(v);

	for (size_t i = 0; !ret && i < v->npages; i++) {
		o->armed_pfn[i] = present_pfn(v->entries[i]);
		if (o->armed_pfn[i] > max)
			max = o->armed_pfn[i];
	}
	if (!ret)
		ret = words_for(o, max);
	for (size_t i = 0; !ret && i < v->npages; i++)
		if (o->armed_pfn[i])
			o->words[o->armed_pfn[i] / 64] |=
				1ULL << (o->armed_pfn[i] % 64);
	return ret ? ret : idle_io(o, true);
}

/*
 * Accessed = present and (not idle, or not the page we marked: a page
 * that appeared or moved since arm was touched by whoever faulted it in).
 */
static int idle_collect(struct ws_outer *o, struct ws_pageset *hot)
{
	struct ws_vmram *v = o->ram;
	int ret = ws_vmram_pagemap(v);

	if (!ret && o->nwords) {
		memset(o->words, 0, o->nwords * sizeof(*o->words));
		for (size_t i = 0; i < v->npages; i++)
			if (o->armed_pfn[i])
				o->words[o->armed_pfn[i] / 64] |=
					1ULL << (o->armed_pfn[i] % 64);
		ret = idle_io(o, false);
	}
	for (size_t i = 0; !ret && i < v->npages; i++) {
		uint64_t pfn = present_pfn(v->entries[i]);

		if (!pfn)
			continue;
		if (pfn != o->armed_pfn[i]) {
			o->pfn_moved += o->armed_pfn[i] != 0;
			ws_pageset_set(hot, i);
		} else if (!(o->words[pfn / 64] >> (pfn % 64) & 1)) {
			ws_pageset_set(hot, i);
		}
	}
	return ret;
}

int ws_outer_arm(struct ws_outer *o)
{
	uint64_t t0 = ws_now_ns();
	int ret;

	if (o->via == WS_VIA_SOFTDIRTY)
		ret = pwrite(o->fd, "4", 1, 0) == 1 ? 0 : -errno;
	else
		ret = idle_arm(o);
	o->arm_ns += ws_now_ns() - t0;
	o->arms++;
	return ret;
}

int ws_outer_collect(struct ws_outer *o, struct ws_pageset *hot)
{
	uint64_t t0 = ws_now_ns();
	int ret;

	ws_pageset_clear(hot);
	if (o->via == WS_VIA_SOFTDIRTY) {
		ret = ws_vmram_pagemap(o->ram);
		for (size_t i = 0; !ret && i < o->ram->npages; i++)
			if (o->ram->entries[i] & PM_SOFT_DIRTY &&
			    o->ram->entries[i] & (PM_PRESENT | PM_SWAPPED))
				ws_pageset_set(hot, i);
	} else {
		ret = idle_collect(o, hot);
	}
	o->collect_ns += ws_now_ns() - t0;
	o->collects++;
	return ret;
}
