// SPDX-License-Identifier: GPL-2.0
/* A benchmark case's setup and its skip/error messages: see bench_case.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench_case.h"
#include "parse.h"

uint64_t ws_thread_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int ws_case_skip(struct ws_bench_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->skip_reason, sizeof(ctx->skip_reason), fmt, ap);
	va_end(ap);
	return 1;
}

int ws_case_fail(struct ws_bench_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->skip_reason, sizeof(ctx->skip_reason), fmt, ap);
	va_end(ap);
	return err > 0 ? -err : (err ? err : -EIO);
}

int ws_case_map(struct ws_bench_ctx *ctx, struct ws_mem *m,
		enum ws_backing backing, size_t len)
{
	char why[sizeof(ctx->skip_reason)], a[32], b[32];
	size_t avail = ws_mem_available();
	int ret;

	/*
	 * A default size larger than the machine: skip it rather than let a
	 * populate run into the OOM killer.  (Sizes the user typed were
	 * checked before anything ran: wsbench run exits 2 for those.)
	 */
	if (backing != WS_BACKING_HUGETLB && avail && len > avail) {
		m->fd = -1;
		return ws_case_skip(ctx, "%s: %s does not fit in MemAvailable (%s)",
				    ws_backing_name(backing),
				    ws_fmt_size(len, a, sizeof(a)),
				    ws_fmt_size(avail, b, sizeof(b)));
	}
	ret = ws_mem_map(m, backing, len, why, sizeof(why));

	if (!ret)
		return 0;
	/*
	 * The backing is unavailable here, not broken: no huge pages
	 * reserved, THP off, or a size the huge page size does not divide.
	 */
	if (ret == -ENOMEM || ret == -EOPNOTSUPP ||
	    (ret == -EINVAL && backing == WS_BACKING_HUGETLB))
		return ws_case_skip(ctx, "%s", why);
	return ws_case_fail(ctx, ret, "%s", why);
}

void ws_case_say_point(struct ws_bench_ctx *ctx, const char *fmt, ...)
{
	size_t n = strlen(ctx->skip_reason);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->skip_reason + n, sizeof(ctx->skip_reason) - n, fmt, ap);
	va_end(ap);
}

int ws_case_open(struct ws_bench_ctx *ctx, struct ws_tracker *t,
		 const struct ws_tracker_ops *ops, struct ws_mem *m,
		 enum ws_mode mode)
{
	int ret = ws_tracker_open(t, ops, m, mode);

	if (!ret)
		return 0;
	t->ops = NULL;	/* open failed: nothing to close */
	/*
	 * The kernel offers the mechanism but not on this backing (minor on
	 * an unpatched guest_memfd): a skip with the tracker's reason.
	 */
	if (ret == -EOPNOTSUPP && t->err[0])
		return ws_case_skip(ctx, "%s", t->err);
	return ws_case_fail(ctx, ret, "%s", t->err[0] ? t->err :
			    "open failed without a message");
}
