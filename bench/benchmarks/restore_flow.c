// SPDX-License-Identifier: GPL-2.0
/*
 * One snapshot restore as the guest_memfd minor-mode thread describes it
 * (seed 004, Firecracker): the VMM puts the snapshot into the VM's memory
 * file -- write(), UFFDIO_COPY, or a memcpy through a second shared
 * mapping of the file -- while the VM's own mapping stays untouched and
 * is registered MODE_MINOR; then a vCPU touches its pages one by one and
 * a handler thread resolves each minor fault with UFFDIO_CONTINUE.
 *
 * Pages left out of the populate ("holes": the snapshot has content
 * there) are the MISSING question: under MINOR alone their first access
 * raises no message and reads a fresh zero page; under MISSING|MINOR it
 * raises a MISSING message the handler fills with UFFDIO_COPY.
 *
 * Every page is checked against the snapshot's checksum afterwards.
 * WSBENCH_TEST_RESTORE_DROP_PAGE=N (tests only, recorded in the result)
 * leaves populated page N out so that the check is seen to fail.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench_case.h"
#include "common.h"
#include "compat_uapi.h"
#include "restore.h"
#include "timing.h"
#include "uffd.h"

#define DROP_ENV	"WSBENCH_TEST_RESTORE_DROP_PAGE"

const char *const rs_reg_names[RS_REG_NR] = { "MINOR", "MISSING|MINOR" };

/* FNV-1a over 64-bit words: any changed word changes the sum. */
static uint64_t page_sum(const char *p, size_t len)
{
	const uint64_t *w = (const uint64_t *)(const void *)p;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len / sizeof(*w); i++) {
		h ^= w[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static bool page_zero(const char *p, size_t len)
{
	const uint64_t *w = (const uint64_t *)(const void *)p;

	for (size_t i = 0; i < len / sizeof(*w); i++)
		if (w[i])
			return false;
	return true;
}

/* Pages the restore must bring back: every page but the holes. */
static bool populated(const struct rs_snapshot *s, size_t i)
{
	return !s->hole[i];
}

/* Pages the populate writes: the test hook's page is left out. */
static bool written(const struct rs_snapshot *s, size_t i)
{
	return populated(s, i) && (long)i != s->drop;
}

/* The test hook's page: a populated one at or after N, or -1. */
static long drop_page(const struct rs_snapshot *s)
{
	const char *env = getenv(DROP_ENV);
	char *end;
	unsigned long n;

	if (!env || !*env)
		return -1;
	n = strtoul(env, &end, 10);
	if (*end)
		return -1;
	for (size_t i = n; i < s->npages; i++)
		if (!s->hole[i])
			return (long)i;
	return -1;
}

int rs_snapshot_build(struct rs_snapshot *s, size_t page_size,
		      size_t npages, double holes_pct, uint64_t seed)
{
	size_t len = page_size * npages, words = page_size / sizeof(uint64_t);

	memset(s, 0, sizeof(*s));
	s->page_size = page_size;
	s->npages = npages;
	s->drop = -1;
	s->buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	s->sum = calloc(npages, sizeof(*s->sum));
	s->hole = calloc(npages, sizeof(*s->hole));
	if (s->buf == MAP_FAILED || !s->sum || !s->hole) {
		if (s->buf == MAP_FAILED)
			s->buf = NULL;
		rs_snapshot_free(s);
		return -ENOMEM;
	}
	/* Non-zero everywhere: a page read as zeroes is a lost page. */
	for (size_t i = 0; i < npages; i++) {
		uint64_t st = (seed + 1) * 0x9E3779B97F4A7C15ULL + i + 1;
		uint64_t *w = (uint64_t *)(void *)(s->buf + i * page_size);

		for (size_t k = 0; k < words; k++)
			w[k] = ws_rand_next(&st) | 1;
		s->sum[i] = page_sum(s->buf + i * page_size, page_size);
	}
	/* Holes spread evenly: the k-th at page floor(k * npages / nholes). */
	s->nholes = (size_t)((double)npages * holes_pct / 100.0 + 0.5);
	if (s->nholes > npages)
		s->nholes = npages;
	for (size_t k = 0; k < s->nholes; k++)
		s->hole[k * npages / s->nholes] = true;
	s->drop = drop_page(s);
	return 0;
}

void rs_snapshot_free(struct rs_snapshot *s)
{
	if (s->buf)
		munmap(s->buf, s->page_size * s->npages);
	free(s->sum);
	free(s->hole);
	memset(s, 0, sizeof(*s));
	s->drop = -1;
}

/* "EINVAL (Invalid argument)" */
static const char *err_text(int err, char *buf, size_t len)
{
	snprintf(buf, len, "%s (%s)", strerrorname_np(err) ?: "?",
		 strerror(err));
	return buf;
}

/* The next run of pages to write at or after @from: its length. */
static size_t next_run(const struct rs_snapshot *s, size_t from,
		       size_t *first)
{
	size_t i = from;

	while (i < s->npages && !written(s, i))
		i++;
	*first = i;
	while (i < s->npages && written(s, i))
		i++;
	return i - *first;
}

/*
 * A populate call failed: before anything was populated it is the
 * kernel refusing the method (a skip, the reason exact), after that an
 * error.
 */
static int refused(struct rs_run *r, bool any_done, int err,
		   const char *call)
{
	char e[96];

	if (!any_done)
		return ws_case_skip(r->ctx, "%s: %s", call,
				    err_text(err, e, sizeof(e)));
	return ws_case_fail(r->ctx, err, "%s: %s after part of the snapshot was populated",
			    call, err_text(err, e, sizeof(e)));
}

/*
 * pwrite() refused before anything was written: what does write() at
 * the file position say?  (ESPIPE from pwrite() is the file's missing
 * FMODE_PWRITE; the thread's question is whether write() exists.)  The
 * case is skipped either way, so a write() that worked changes nothing
 * that is measured.
 */
static int write_refused(struct rs_run *r, const struct ws_mem *m,
			 const char *call, int err)
{
	char e1[96], e2[96];
	ssize_t w = write(m->fd, r->snap->buf, r->snap->page_size);
	int werr = w < 0 ? errno : 0;

	return ws_case_skip(r->ctx, "%s: %s; write(%zu bytes at the file position): %s",
			    call, err_text(err, e1, sizeof(e1)),
			    r->snap->page_size,
			    werr ? err_text(werr, e2, sizeof(e2)) : "accepted");
}

static int populate_write(struct rs_run *r, const struct ws_mem *m)
{
	const struct rs_snapshot *s = r->snap;
	size_t first, n, ps = s->page_size;
	bool any = false;
	char call[128];

	for (size_t at = 0; (n = next_run(s, at, &first)); at = first + n) {
		size_t off = first * ps, left = n * ps;

		while (left) {
			ssize_t w = pwrite(m->fd, s->buf + off, left, off);

			if (w <= 0) {
				int err = w ? errno : EIO;

				snprintf(call, sizeof(call),
					 "pwrite(%s file, %zu bytes at offset %zu)",
					 ws_backing_name(m->backing), left, off);
				if (!any)
					return write_refused(r, m, call, err);
				return refused(r, any, err, call);
			}
			any = true;
			off += (size_t)w;
			left -= (size_t)w;
		}
	}
	return 0;
}

static char *second_mapping(struct rs_run *r, const struct ws_mem *m)
{
	char *p = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       m->fd, 0);

	if (p != MAP_FAILED)
		return p;
	ws_case_fail(r->ctx, errno, "mmap(a second shared mapping of the %s file): %s",
		     ws_backing_name(m->backing), strerror(errno));
	return NULL;
}

static int populate_alias(struct rs_run *r, const struct ws_mem *m)
{
	const struct rs_snapshot *s = r->snap;
	size_t first, n, ps = s->page_size;
	char *alias = second_mapping(r, m);

	if (!alias)
		return -EIO;
	for (size_t at = 0; (n = next_run(s, at, &first)); at = first + n)
		memcpy(alias + first * ps, s->buf + first * ps, n * ps);
	munmap(alias, m->len);
	return 0;
}

static int uffd_register(int uffd, char *addr, size_t len, uint64_t mode)
{
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)addr, .len = len },
		.mode = mode,
	};

	return ioctl(uffd, UFFDIO_REGISTER, &reg) ? errno : 0;
}

/*
 * MISSING refused: is UFFDIO_COPY refused too, into a range the kernel
 * does register (MINOR)?  The two answers are the skip's reason.
 */
static int copy_refused(struct rs_run *r, int uffd, char *alias, int reg_err)
{
	struct uffdio_copy cp = {
		.dst = (uintptr_t)alias, .src = (uintptr_t)r->snap->buf,
		.len = r->snap->page_size,
	};
	char e1[96], e2[96];
	int err;

	err = uffd_register(uffd, alias, r->snap->page_size,
			    WS_UFFDIO_REGISTER_MODE_MINOR);
	if (!err)
		err = ioctl(uffd, UFFDIO_COPY, &cp) ? errno : 0;
	return ws_case_skip(r->ctx, "UFFDIO_REGISTER(MODE_MISSING, %s): %s; UFFDIO_COPY into a MODE_MINOR range of it: %s",
			    ws_backing_name(r->backing),
			    err_text(reg_err, e1, sizeof(e1)),
			    err ? err_text(err, e2, sizeof(e2)) : "0 (accepted)");
}

/* UFFDIO_COPY of @len bytes at @off, resumed after a partial copy. */
static int copy_range(int uffd, char *dst, const char *src, size_t len)
{
	while (len) {
		struct uffdio_copy cp = {
			.dst = (uintptr_t)dst, .src = (uintptr_t)src,
			.len = len,
		};
		size_t done;

		if (!ioctl(uffd, UFFDIO_COPY, &cp))
			return 0;
		if (errno != EAGAIN || cp.copy <= 0)
			return errno;
		done = (size_t)cp.copy;
		dst += done;
		src += done;
		len -= done;
	}
	return 0;
}

/* MISSING on a second mapping, one UFFDIO_COPY per run of pages. */
static int populate_copy(struct rs_run *r, const struct ws_mem *m)
{
	const struct rs_snapshot *s = r->snap;
	size_t first, n, ps = s->page_size;
	char *alias = second_mapping(r, m), call[128], why[256];
	bool any = false;
	int uffd, err, ret = 0;

	if (!alias)
		return -EIO;
	uffd = ws_uffd_open(0, NULL, NULL, why, sizeof(why));
	if (uffd < 0) {
		munmap(alias, m->len);
		return ws_case_skip(r->ctx, "%s", why);
	}
	err = uffd_register(uffd, alias, m->len,
			    WS_UFFDIO_REGISTER_MODE_MISSING);
	if (err) {
		ret = copy_refused(r, uffd, alias, err);
		goto out;
	}
	for (size_t at = 0; (n = next_run(s, at, &first)); at = first + n) {
		err = copy_range(uffd, alias + first * ps, s->buf + first * ps,
				 n * ps);
		if (err) {
			snprintf(call, sizeof(call),
				 "UFFDIO_COPY(%s, %zu bytes at page %zu)",
				 ws_backing_name(m->backing), n * ps, first);
			ret = refused(r, any, err, call);
			goto out;
		}
		any = true;
	}
out:
	close(uffd);
	munmap(alias, m->len);
	return ret;
}

static int populate(struct rs_run *r, const struct ws_mem *m)
{
	switch (r->populate) {
	case WS_POPULATE_WRITE:
		return populate_write(r, m);
	case WS_POPULATE_COPY:
		return populate_copy(r, m);
	default:
		return populate_alias(r, m);
	}
}

/* ---- the restore phase ---------------------------------------------- */

enum { RAISED_NONE, RAISED_MINOR, RAISED_MISSING };

/* Shared by the vCPU and the handler; the handler never touches @base. */
struct rs_live {
	char *base;
	const struct rs_snapshot *snap;
	uint64_t minor, missing;	/* messages, counted before resolving */
	uint8_t *raised;		/* per page: RAISED_* */
};

static int rs_resolve(struct ws_uffd_handler *h, const struct uffd_msg *msg)
{
	struct rs_live *l = h->arg;
	size_t ps = l->snap->page_size;
	uint64_t addr = msg->arg.pagefault.address & ~(uint64_t)(ps - 1);
	size_t page = (addr - (uintptr_t)l->base) / ps;
	int ret;

	if (addr < (uintptr_t)l->base || page >= l->snap->npages)
		return -EFAULT;
	if (msg->arg.pagefault.flags & WS_UFFD_PAGEFAULT_FLAG_MINOR) {
		struct ws_uffdio_continue cont = {
			.range = { .start = addr, .len = ps },
		};

		__atomic_store_n(&l->raised[page], RAISED_MINOR, __ATOMIC_RELAXED);
		__atomic_add_fetch(&l->minor, 1, __ATOMIC_RELEASE);
		ret = ws_uffd_ioctl_retry(h->uffd, WS_UFFDIO_CONTINUE, &cont);
	} else {
		/* MISSING: fill the page from the snapshot, lazily. */
		__atomic_store_n(&l->raised[page], RAISED_MISSING,
				 __ATOMIC_RELAXED);
		__atomic_add_fetch(&l->missing, 1, __ATOMIC_RELEASE);
		ret = -copy_range(h->uffd, (char *)(uintptr_t)addr,
				  l->snap->buf + page * ps, ps);
	}
	/* EEXIST: the page was mapped meanwhile. */
	return ws_uffd_wake_if_exists(h->uffd, ret, addr, ps);
}

static uint64_t counted(uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_ACQUIRE);
}

/* One page's first access, timed, filed by the messages it raised. */
static int vcpu_touch(struct rs_run *r, struct rs_live *l, size_t i,
		      bool measured)
{
	struct rs_counts *n = &r->n;
	uint64_t mi = counted(&l->minor), ms = counted(&l->missing);
	uint64_t t0, t1, dmi, dms;
	bool pop = populated(l->snap, i);

	t0 = ws_now_ns();
	ws_barrier();
	ws_touch(l->base + i * l->snap->page_size, false);
	ws_barrier();
	t1 = ws_now_ns();
	dmi = counted(&l->minor) - mi;
	dms = counted(&l->missing) - ms;

	n->samples++;
	n->populated_touched += pop;
	n->hole_touched += !pop;
	if (dmi == 1 && !dms) {
		n->one_minor++;
		if (measured && ws_samples_push(&r->s.minor_ns, (double)(t1 - t0)))
			return -ENOMEM;
	} else if (dms == 1 && !dmi) {
		n->one_missing++;
		if (measured && ws_samples_push(&r->s.missing_ns,
						(double)(t1 - t0)))
			return -ENOMEM;
	} else if (!dmi && !dms) {
		n->none++;
	} else {
		n->multi++;
	}
	if (pop && !(dmi == 1 && !dms))
		n->populated_not_one_minor++;
	return 0;
}

/* After the restore: every page against the snapshot. */
static void check_content(struct rs_run *r, const struct rs_live *l)
{
	const struct rs_snapshot *s = l->snap;
	struct rs_counts *n = &r->n;

	for (size_t i = 0; i < s->npages; i++) {
		const char *p = l->base + i * s->page_size;
		bool same = page_sum(p, s->page_size) == s->sum[i];

		if (populated(s, i)) {
			n->populated_checked++;
			if (!same && !n->bad_pages++)
				n->first_bad = (long)i;
			continue;
		}
		n->hole_raised_minor += l->raised[i] == RAISED_MINOR;
		n->hole_raised_missing += l->raised[i] == RAISED_MISSING;
		n->hole_unseen += l->raised[i] == RAISED_NONE;
		n->hole_content_ok += same;
		n->hole_filled += same && l->raised[i] == RAISED_MISSING;
		n->hole_read_zero += page_zero(p, s->page_size);
	}
}

static int restore_phase(struct rs_run *r, struct ws_mem *m, bool measured)
{
	static const uint64_t modes[RS_REG_NR] = {
		[RS_REG_MINOR] = WS_UFFDIO_REGISTER_MODE_MINOR,
		[RS_REG_MISSING_MINOR] = WS_UFFDIO_REGISTER_MODE_MINOR |
					 WS_UFFDIO_REGISTER_MODE_MISSING,
	};
	struct rs_live l = { .base = m->addr, .snap = r->snap };
	struct ws_uffd_handler h = { .running = false };
	char why[256], e[96];
	uint64_t t0, t1;
	int uffd, err, ret = 0;

	l.raised = calloc(r->snap->npages, 1);
	uffd = ws_uffd_open(0, NULL, NULL, why, sizeof(why));
	if (!l.raised || uffd < 0) {
		free(l.raised);
		return uffd < 0 ? ws_case_skip(r->ctx, "%s", why) :
				  ws_case_fail(r->ctx, ENOMEM, "out of memory");
	}
	/* The VM mapping was never touched; zapped all the same. */
	madvise(m->addr, m->len, MADV_DONTNEED);
	err = uffd_register(uffd, m->addr, m->len, modes[r->reg]);
	if (err) {
		r->reg_refused = true;
		ret = ws_case_skip(r->ctx, "UFFDIO_REGISTER(%s, %s): %s",
				   rs_reg_names[r->reg],
				   ws_backing_name(r->backing),
				   err_text(err, e, sizeof(e)));
		goto out;
	}
	ret = ws_uffd_handler_start(&h, uffd, r->snap->page_size, rs_resolve,
				    &l);
	if (ret) {
		ret = ws_case_fail(r->ctx, -ret, "handler thread: %s",
				   strerror(-ret));
		goto out;
	}
	r->n.handler_cpu = h.cpu;
	t0 = ws_now_ns();
	for (size_t i = 0; !ret && i < r->snap->npages; i++)
		ret = vcpu_touch(r, &l, i, measured);
	t1 = ws_now_ns();
	ws_uffd_handler_stop(&h);
	r->n.unexpected += h.unexpected;
	if (ret)
		ret = ws_case_fail(r->ctx, -ret, "samples: out of memory");
	else if (h.error)
		ret = ws_case_fail(r->ctx, -h.error, "handler: %s",
				   strerror(-h.error));
	if (!ret && measured &&
	    (ws_samples_push_rep(&r->s.restore_ns, (double)(t1 - t0)) ||
	     ws_samples_push_rep(&r->s.restore_ns_per_page,
				 (double)(t1 - t0) / (double)r->snap->npages) ||
	     ws_samples_end_rep(&r->s.minor_ns) ||
	     ws_samples_end_rep(&r->s.missing_ns)))
		ret = ws_case_fail(r->ctx, ENOMEM, "samples: out of memory");
out:
	/* Unregistered first: the check's reads must not wait for anyone. */
	close(uffd);
	if (!ret)
		check_content(r, &l);
	free(l.raised);
	return ret;
}

int rs_restore_once(struct rs_run *r, bool measured)
{
	size_t pop = r->snap->npages - r->snap->nholes - (r->snap->drop >= 0);
	struct ws_mem m = { .fd = -1 };
	uint64_t t0, t1;
	int ret;

	ret = ws_case_map(r->ctx, &m, r->backing,
			  r->snap->npages * r->snap->page_size);
	r->map_refused = ret == 1;
	if (ret)
		return ret;
	if (m.page_size != r->snap->page_size || m.npages != r->snap->npages) {
		ws_mem_unmap(&m);
		return ws_case_fail(r->ctx, EINVAL, "%s maps %zu pages of %zu bytes, the snapshot has %zu of %zu",
				    ws_backing_name(r->backing), m.npages,
				    m.page_size, r->snap->npages,
				    r->snap->page_size);
	}
	t0 = ws_now_ns();
	ret = populate(r, &m);
	t1 = ws_now_ns();
	if (!ret && measured && pop &&
	    ws_samples_push_rep(&r->s.populate_ns_per_page,
				(double)(t1 - t0) / (double)pop))
		ret = ws_case_fail(r->ctx, ENOMEM, "samples: out of memory");
	if (!ret)
		ret = restore_phase(r, &m, measured);
	if (!ret)
		r->n.reps++;
	ws_mem_unmap(&m);
	return ret;
}
