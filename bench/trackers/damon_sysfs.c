// SPDX-License-Identifier: GPL-2.0
/*
 * Reading and writing the DAMON sysfs tree (see damon_sysfs.h for why we
 * only ever add a kdamond next to empty ones).  File names and semantics:
 * Documentation/admin-guide/mm/damon/usage.rst and mm/damon/sysfs*.c of
 * Linux 7.3.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "damon_sysfs.h"
#include "knobs.h"
#include "tracker.h"

#define CTX		"contexts/0"
#define SCHEME		CTX "/schemes/0"
/* The access pattern matches every region: sz, nr_accesses, age ranges. */
#define MAX_ULONG	"18446744073709551615"
#define MAX_UINT	"4294967295"
/* EBUSY: another writer holds damon_sysfs_lock (it uses trylock). */
#define BUSY_RETRIES	100
#define BUSY_WAIT_NS	10000000L

static int fail(char *err, size_t len, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* printf into @err, append ": strerror(-ret)", return @ret. */
static int fail(char *err, size_t len, int ret, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	n = strlen(err);
	if (ret < 0 && n < len)
		snprintf(err + n, len - n, ": %s", strerror(-ret));
	return ret;
}

/*
 * Whole small file at @dirfd/@path, trailing newline cut.  state and pid
 * take damon_sysfs_lock with trylock too: EBUSY while another writer (a
 * tried_regions update waiting for its window) holds it.
 */
static int read_at(int dirfd, const char *path, char *buf, size_t len)
{
	struct timespec wait = { .tv_nsec = BUSY_WAIT_NS };
	ssize_t n = -EBUSY;

	for (int try = 0; n == -EBUSY && try < BUSY_RETRIES; try++) {
		int fd;

		if (try)
			nanosleep(&wait, NULL);
		fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		n = read(fd, buf, len - 1);
		if (n < 0)
			n = -errno;
		close(fd);
	}
	if (n < 0)
		return n;
	buf[n] = '\0';
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

static int read_u64_at(int dirfd, const char *path, uint64_t *v)
{
	char buf[32], *end;
	int ret = read_at(dirfd, path, buf, sizeof(buf));

	if (ret)
		return ret;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return errno || end == buf || *end ? -EINVAL : 0;
}

static int read_str(const char *path, char *buf, size_t len)
{
	return read_at(AT_FDCWD, path, buf, len);
}

static int read_int(const char *path, long long *v)
{
	char buf[32], *end;
	int ret = read_str(path, buf, sizeof(buf));

	if (ret)
		return ret;
	errno = 0;
	*v = strtoll(buf, &end, 10);
	return errno || end == buf || *end ? -EINVAL : 0;
}

static int write_fd_busy(int fd, const char *val)
{
	struct timespec wait = { .tv_nsec = BUSY_WAIT_NS };

	for (int try = 0; try < BUSY_RETRIES; try++) {
		if (pwrite(fd, val, strlen(val), 0) >= 0)
			return 0;
		if (errno != EBUSY)
			return -errno;
		nanosleep(&wait, NULL);
	}
	return -EBUSY;
}

static int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = write_fd_busy(fd, val);
	close(fd);
	return ret;
}

/* ---- what is there ---- */

bool ws_damon_avail_has(const char *avail, const char *ops)
{
	size_t n = strlen(ops);

	for (const char *p = strstr(avail, ops); p; p = strstr(p + 1, ops))
		if ((p == avail || p[-1] == ' ' || p[-1] == '\n') &&
		    (!p[n] || p[n] == ' ' || p[n] == '\n'))
			return true;
	return false;
}

static int inspect_one(struct ws_damon_tree *t, int k, char *err, size_t len)
{
	char path[192], state[16];
	long long nctx, refresh = 0, pid;
	int ret;

	snprintf(path, sizeof(path), WS_DAMON_KDAMONDS "/%d/state", k);
	ret = read_str(path, state, sizeof(state));
	if (ret)
		return fail(err, len, ret, "read %s", path);
	snprintf(path, sizeof(path), WS_DAMON_KDAMONDS "/%d/contexts/nr_contexts",
		 k);
	ret = read_int(path, &nctx);
	if (ret)
		return fail(err, len, ret, "read %s", path);
	/* refresh_ms is newer than the rest (6.17): absent means unset. */
	snprintf(path, sizeof(path), WS_DAMON_KDAMONDS "/%d/refresh_ms", k);
	ret = read_int(path, &refresh);
	if (ret && ret != -ENOENT)
		return fail(err, len, ret, "read %s", path);

	if (!strcmp(state, "on")) {
		if (t->running < 0) {
			snprintf(path, sizeof(path),
				 WS_DAMON_KDAMONDS "/%d/pid", k);
			t->running = k;
			t->running_pid = read_int(path, &pid) ? -1 : (int)pid;
		}
	} else if ((nctx || refresh) && t->configured < 0) {
		t->configured = k;
	}
	if (nctx > 0 && !t->avail_path[0]) {
		snprintf(t->avail_path, sizeof(t->avail_path),
			 WS_DAMON_KDAMONDS "/%d/" CTX "/avail_operations", k);
		ret = read_str(t->avail_path, t->avail, sizeof(t->avail));
		if (ret)
			return fail(err, len, ret, "read %s", t->avail_path);
		for (char *c = t->avail; *c; c++)
			if (*c == '\n')
				*c = ' ';
	}
	return 0;
}

int ws_damon_inspect(struct ws_damon_tree *t, char *err, size_t len)
{
	long long nr;
	int ret;

	memset(t, 0, sizeof(*t));
	t->running = t->configured = -1;
	ret = read_int(WS_DAMON_KDAMONDS "/nr_kdamonds", &nr);
	if (ret)
		return fail(err, len, ret, "read " WS_DAMON_KDAMONDS "/nr_kdamonds");
	t->nr_kdamonds = (int)nr;
	for (int k = 0; k < t->nr_kdamonds; k++) {
		ret = inspect_one(t, k, err, len);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- our kdamond ---- */

/* Write @val to @dir/@rel; on error a message naming the file. */
static int put(struct ws_damon_kdamond *k, const char *rel, const char *val,
	       char *err, size_t len)
{
	char path[256];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", k->dir, rel);
	ret = write_str(path, val);
	if (ret)
		return fail(err, len, ret, "write '%s' to %s", val, path);
	return 0;
}

static int put_u64(struct ws_damon_kdamond *k, const char *rel, uint64_t v,
		   char *err, size_t len)
{
	char val[32];

	snprintf(val, sizeof(val), "%" PRIu64, v);
	return put(k, rel, val, err, len);
}

int ws_damon_kdamond_add(struct ws_damon_kdamond *k, int nr_before,
			 char *err, size_t len)
{
	char val[16];
	long long now;
	int ret;

	memset(k, 0, sizeof(*k));
	k->state_fd = k->tried_fd = -1;
	k->idx = nr_before;
	k->knob_mark = ws_knobs_mark();
	snprintf(k->dir, sizeof(k->dir), WS_DAMON_KDAMONDS "/%d", k->idx);
	snprintf(val, sizeof(val), "%d", nr_before + 1);
	ret = ws_knob_set(WS_DAMON_KDAMONDS "/nr_kdamonds", val);
	if (ret) {
		ws_knobs_restore_to(k->knob_mark);
		return fail(err, len, ret, "write %s to " WS_DAMON_KDAMONDS "/nr_kdamonds",
			    val);
	}
	/* Someone else may have changed it since we looked. */
	ret = read_int(WS_DAMON_KDAMONDS "/nr_kdamonds", &now);
	if (!ret && now != nr_before + 1)
		ret = fail(err, len, -EBUSY,
			   "nr_kdamonds is %lld after writing %s: another DAMON user is changing it",
			   now, val);
	if (!ret)
		ret = put(k, "contexts/nr_contexts", "1", err, len);
	if (ret)
		ws_damon_kdamond_remove(k);
	return ret;
}

int ws_damon_kdamond_avail(struct ws_damon_kdamond *k, char *buf,
			   size_t len, char *err, size_t errlen)
{
	char path[192];
	int ret;

	snprintf(path, sizeof(path), "%s/" CTX "/avail_operations", k->dir);
	ret = read_str(path, buf, len);
	if (ret)
		return fail(err, errlen, ret, "read %s", path);
	for (char *c = buf; *c; c++)
		if (*c == '\n')
			*c = ' ';
	return 0;
}

static int put_attrs(struct ws_damon_kdamond *k,
		     const struct ws_damon_params *p, char *err, size_t len)
{
	static const char *const attrs = CTX "/monitoring_attrs";
	char rel[128];
	const struct { const char *name; uint64_t v; } vals[] = {
		{ "intervals/sample_us", p->sample_us },
		{ "intervals/aggr_us", p->aggr_us },
		{ "intervals/update_us", p->update_us },
		{ "nr_regions/min", p->min_regions },
		{ "nr_regions/max", p->max_regions },
	};

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		snprintf(rel, sizeof(rel), "%s/%s", attrs, vals[i].name);
		if (put_u64(k, rel, vals[i].v, err, len))
			return -1;
	}
	return 0;
}

static int put_target(struct ws_damon_kdamond *k, pid_t pid, uint64_t start,
		      uint64_t end, char *err, size_t len)
{
	if (put(k, CTX "/operations", "vaddr", err, len) ||
	    put(k, CTX "/targets/nr_targets", "1", err, len) ||
	    put_u64(k, CTX "/targets/0/pid_target", (uint64_t)pid, err, len) ||
	    put(k, CTX "/targets/0/regions/nr_regions", "1", err, len) ||
	    put_u64(k, CTX "/targets/0/regions/0/start", start, err, len) ||
	    put_u64(k, CTX "/targets/0/regions/0/end", end, err, len))
		return -1;
	return 0;
}

/*
 * "stat" does nothing but count; with every range wide open it is tried on
 * every region, so tried_regions lists them all.  Quotas (0: none),
 * watermarks (none) and filters (none) keep their defaults.
 */
static int put_scheme(struct ws_damon_kdamond *k, char *err, size_t len)
{
	static const char *const pattern[][2] = {
		{ SCHEME "/access_pattern/sz/min", "0" },
		{ SCHEME "/access_pattern/sz/max", MAX_ULONG },
		{ SCHEME "/access_pattern/nr_accesses/min", "0" },
		{ SCHEME "/access_pattern/nr_accesses/max", MAX_UINT },
		{ SCHEME "/access_pattern/age/min", "0" },
		{ SCHEME "/access_pattern/age/max", MAX_UINT },
	};

	if (put(k, CTX "/schemes/nr_schemes", "1", err, len) ||
	    put(k, SCHEME "/action", "stat", err, len))
		return -1;
	for (size_t i = 0; i < sizeof(pattern) / sizeof(pattern[0]); i++)
		if (put(k, pattern[i][0], pattern[i][1], err, len))
			return -1;
	return 0;
}

static int open_fds(struct ws_damon_kdamond *k, char *err, size_t len)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/state", k->dir);
	k->state_fd = open(path, O_WRONLY | O_CLOEXEC);
	if (k->state_fd < 0)
		return fail(err, len, -errno, "open %s", path);
	snprintf(path, sizeof(path), "%s/" SCHEME "/tried_regions", k->dir);
	k->tried_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (k->tried_fd < 0)
		return fail(err, len, -errno, "open %s", path);
	return 0;
}

int ws_damon_kdamond_start(struct ws_damon_kdamond *k,
			   const struct ws_damon_params *p, pid_t pid,
			   uint64_t start, uint64_t end, char *err,
			   size_t len)
{
	char path[192];
	long long kpid;
	int ret;

	if (put_target(k, pid, start, end, err, len) ||
	    put_attrs(k, p, err, len) || put_scheme(k, err, len) ||
	    open_fds(k, err, len))
		return -EIO;
	snprintf(path, sizeof(path), "%s/state", k->dir);
	ret = ws_knob_set(path, "on");
	if (ret)
		return fail(err, len, ret, "write 'on' to %s", path);
	snprintf(path, sizeof(path), "%s/pid", k->dir);
	ret = read_int(path, &kpid);
	if (ret)
		return fail(err, len, ret, "read %s", path);
	if (kpid <= 0)
		return fail(err, len, -ESRCH, "%s is %lld after 'on': the kdamond did not start",
			    path, kpid);
	k->pid = (pid_t)kpid;
	return 0;
}

int ws_damon_kdamond_cmd(struct ws_damon_kdamond *k, const char *cmd)
{
	return write_fd_busy(k->state_fd, cmd);
}

int ws_damon_kdamond_regions(struct ws_damon_kdamond *k,
			     void (*fn)(void *arg,
					const struct ws_damon_region *r),
			     void *arg, char *err, size_t len)
{
	uint64_t total, sum = 0, nacc;
	struct ws_damon_region r;
	char rel[48];
	int ret;

	ret = read_u64_at(k->tried_fd, "total_bytes", &total);
	if (ret)
		return fail(err, len, ret, "read tried_regions/total_bytes");
	for (int i = 0;; i++) {
		snprintf(rel, sizeof(rel), "%d/start", i);
		ret = read_u64_at(k->tried_fd, rel, &r.start);
		if (ret == -ENOENT)
			break;
		if (!ret) {
			snprintf(rel, sizeof(rel), "%d/end", i);
			ret = read_u64_at(k->tried_fd, rel, &r.end);
		}
		if (!ret) {
			snprintf(rel, sizeof(rel), "%d/nr_accesses", i);
			ret = read_u64_at(k->tried_fd, rel, &nacc);
		}
		if (ret)
			return fail(err, len, ret, "read tried_regions/%s", rel);
		r.nr_accesses = (unsigned int)nacc;
		sum += r.end - r.start;
		fn(arg, &r);
	}
	if (sum != total)
		return fail(err, len, -EIO,
			    "tried_regions adds up to %" PRIu64 " bytes, total_bytes says %" PRIu64 ": the kernel could not list every region",
			    sum, total);
	return 0;
}

void ws_damon_kdamond_remove(struct ws_damon_kdamond *k)
{
	ws_close_fd(&k->tried_fd);
	ws_close_fd(&k->state_fd);
	/* Newest first: state off, then nr_kdamonds back. */
	ws_knobs_restore_to(k->knob_mark);
}
