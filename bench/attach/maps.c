// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/<pid>/maps parsing and the mapping selectors (maps.h).  libc only:
 * also built into the preload library.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps.h"

static FILE *open_proc(pid_t pid, const char *file)
{
	char path[64];

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	else
		snprintf(path, sizeof(path), "/proc/self/%s", file);
	return fopen(path, "re");
}

/* "start-end perms offset dev inode   path" */
static bool parse_line(const char *line, struct ws_map *m)
{
	int pos = 0;

	memset(m, 0, sizeof(*m));
	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64
		   " %n", &m->start, &m->end, m->perms, &m->offset,
		   &m->dev_major, &m->dev_minor, &m->inode, &pos) < 7)
		return false;
	snprintf(m->path, sizeof(m->path), "%s", line + pos);
	m->path[strcspn(m->path, "\n")] = '\0';
	return true;
}

int ws_maps_read(pid_t pid, struct ws_map **v, size_t *n)
{
	char line[512];
	size_t cap = 0;
	FILE *f = open_proc(pid, "maps");

	*v = NULL;
	*n = 0;
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		struct ws_map m;

		if (!parse_line(line, &m))
			continue;
		if (*n == cap) {
			struct ws_map *nv;

			cap = cap ? 2 * cap : 64;
			nv = realloc(*v, cap * sizeof(**v));
			if (!nv) {
				fclose(f);
				free(*v);
				*v = NULL;
				*n = 0;
				return -ENOMEM;
			}
			*v = nv;
		}
		(*v)[(*n)++] = m;
	}
	fclose(f);
	return 0;
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

bool ws_map_eligible(const struct ws_map *m)
{
	if (m->perms[0] != 'r' || m->perms[1] != 'w')
		return false;
	/*
	 * Anonymous (named with PR_SET_VMA_ANON_NAME, too), shared anonymous
	 * ("/dev/zero (deleted)"), memfd and tmpfs files: the kinds uffd
	 * registers.  Not [heap]/[stack]: memory a program hands out
	 * piecemeal is no guest RAM.
	 */
	return !m->path[0] || starts(m->path, "[anon:") ||
	       starts(m->path, "/memfd:") || starts(m->path, "/dev/zero") ||
	       starts(m->path, "/dev/shm/");
}

/*
 * A thread's stack: private anonymous memory right above a PROT_NONE
 * guard (glibc and musl lay them out so; a malloc arena has its reserve
 * above, not below).  Guest RAM it is not -- nor the preload library's
 * own thread.
 */
static bool thread_stack(const struct ws_map *v, size_t i)
{
	return i && !v[i].path[0] && v[i].perms[3] == 'p' &&
	       v[i - 1].end == v[i].start && !v[i - 1].path[0] &&
	       !strcmp(v[i - 1].perms, "---p");
}

long ws_maps_select(const struct ws_map *v, size_t n, enum ws_ho_select sel,
		    uint64_t size, const char *name)
{
	long best = -1;

	for (size_t i = 0; i < n; i++) {
		uint64_t len = v[i].end - v[i].start;

		if (sel == WS_SEL_NAME ? !strstr(v[i].path, name) :
		    !ws_map_eligible(&v[i]) || len < size ||
		    thread_stack(v, i) ||
		    (sel == WS_SEL_SHARED && !ws_map_shared(&v[i])))
			continue;
		if (best < 0 || len > v[best].end - v[best].start)
			best = (long)i;
	}
	return best;
}

int ws_maps_smaps(pid_t pid, uint64_t start, uint64_t *kpage, bool *thp)
{
	char line[512];
	bool in = false, found = false;
	unsigned long long kb;
	int flag;
	FILE *f = open_proc(pid, "smaps");

	*kpage = 0;
	*thp = false;
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		struct ws_map m;

		/* A mapping's header line parses as a maps line. */
		if (strchr(line, '-') && parse_line(line, &m) &&
		    strchr("r-", m.perms[0])) {
			in = m.start == start;
			found |= in;
			continue;
		}
		if (!in)
			continue;
		if (sscanf(line, "KernelPageSize: %llu kB", &kb) == 1)
			*kpage = kb * 1024;
		else if (sscanf(line, "THPeligible: %d", &flag) == 1)
			*thp = flag == 1;
	}
	fclose(f);
	return found ? 0 : -ENOENT;
}

static void human(uint64_t b, char *buf, size_t len)
{
	static const char *const unit[] = { "", "K", "M", "G", "T" };
	int u = 0;

	while (b >= 1024 && !(b % 1024) && u < 4) {
		b /= 1024;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 "%s", b, unit[u]);
}

void ws_maps_describe(const struct ws_map *v, size_t n, size_t max,
		      char *buf, size_t len)
{
	size_t used = 0, shown = 0;
	uint64_t below = UINT64_MAX;

	buf[0] = '\0';
	/* The @max largest, each found by a pass: n is a few hundred. */
	while (shown < max) {
		long best = -1;
		char sz[32];

		for (size_t i = 0; i < n; i++) {
			uint64_t l = v[i].end - v[i].start;

			if (l < below && (best < 0 ||
					  l > v[best].end - v[best].start))
				best = (long)i;
		}
		if (best < 0 || used + 1 >= len)
			break;
		below = v[best].end - v[best].start;
		human(below, sz, sizeof(sz));
		used += snprintf(buf + used, len - used, "%s%s %s %s",
				 shown ? "; " : "", sz, v[best].perms,
				 v[best].path[0] ? v[best].path : "[anon]");
		if (used >= len)
			break;
		shown++;
	}
}

void ws_select_describe(enum ws_ho_select sel, uint64_t size,
			const char *name, char *buf, size_t len)
{
	char sz[32];

	if (sel == WS_SEL_NAME) {
		snprintf(buf, len, "name=%s", name);
		return;
	}
	human(size, sz, sizeof(sz));
	snprintf(buf, len, "%s,min=%s", sel == WS_SEL_SHARED ? "shared" :
		 "largest", sz);
}
