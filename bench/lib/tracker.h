/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One ops table per working-set tracking mechanism (as fio's ioengine_ops).
 *
 * Life cycle, driven by the benchmarks:
 *   probe()           static: does this kernel/process offer the mechanism?
 *   open()            attach to t->mem (register the range, open fds)
 *   arm()             start a tracking interval on a page range
 *                     (protect / clear soft-dirty / mark idle)
 *   ... workload runs ...
 *   collect()         fill the set of pages accessed (or written) since the
 *                     last arm; with rearm=true also start the next interval,
 *                     as cheaply as the API allows (WP: one PAGEMAP_SCAN with
 *                     PM_SCAN_WP_MATCHING; RWP: RWPROTECT of the hot runs only)
 *   set_mode()        switch async <-> sync resolution (NULL if not offered)
 *   close()
 *
 * Optional, NULL for mechanisms whose whole cost is in the calls above:
 *   mech_cpu_ns()     CPU time the mechanism spent since open() outside our
 *                     process (DAMON: its kdamond kernel thread), so that
 *                     benchmarks report it per interval next to collect()
 *   info()            backend facts for the result: parameters in effect and
 *                     what the last collect() saw (DAMON: region counts)
 *
 * Every op returns 0 or -errno and, on error, leaves a human message in
 * t->err.  Nothing falls back silently to another mechanism.
 */
#ifndef WS_TRACKER_H
#define WS_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "mem.h"
#include "pageset.h"

enum ws_mode {
	WS_MODE_ASYNC,	/* resolved in the kernel, no message */
	WS_MODE_SYNC,	/* round trip through a handler thread */
	WS_MODE_NR
};

#define WS_MODE_BIT(m)	(1u << (m))

const char *ws_mode_name(enum ws_mode m);
int ws_mode_from_name(const char *name);

/* What the mechanism can observe. */
enum ws_sees {
	WS_SEES_ACCESSES,	/* reads and writes */
	WS_SEES_WRITES,		/* writes only */
};

struct ws_probe {
	bool supported;
	char reason[512];	/* why not (errno, missing file, capability) */
	char detail[256];	/* what was found, e.g. "features=0x7ffff" */
};

struct ws_tracker;

struct ws_tracker_ops {
	const char *name;
	const char *summary;
	enum ws_sees sees;
	unsigned int backings;	/* WS_BACKING_BIT() mask */
	unsigned int modes;	/* WS_MODE_BIT() mask */
	/* arm() cost is per range (true) or per process (clear_refs: false) */
	bool arm_is_ranged;
	/*
	 * collect() reports what a kernel thread sampled on its own schedule
	 * (DAMON): not expected to be exact, arm() protects nothing and no
	 * access faults.  Benchmarks label such cases "sampling": true and
	 * skip the fault and protection costs, which do not exist.
	 */
	bool sampling;

	void (*probe)(struct ws_probe *p);
	int (*open)(struct ws_tracker *t);
	int (*arm)(struct ws_tracker *t, size_t first_page, size_t npages);
	int (*collect)(struct ws_tracker *t, struct ws_pageset *out, bool rearm);
	int (*set_mode)(struct ws_tracker *t, enum ws_mode mode);
	void (*close)(struct ws_tracker *t);
	/* Optional (see the top of this file). */
	int (*mech_cpu_ns)(struct ws_tracker *t, uint64_t *ns);
	json_t *(*info)(struct ws_tracker *t);
};

struct ws_tracker {
	const struct ws_tracker_ops *ops;
	struct ws_mem *mem;
	enum ws_mode mode;
	void *priv;
	/* sync mode: faults resolved by the handler thread (for reports) */
	uint64_t sync_faults;
	char err[512];
};

/* All backends, in report order; NULL-terminated. */
extern const struct ws_tracker_ops *const ws_trackers[];

const struct ws_tracker_ops *ws_tracker_by_name(const char *name);
/* "rwp, minor-anon, wp, idle, softdirty, damon" */
const char *ws_tracker_names(void);
/* Checks each ops table is complete; returns -1 and prints what is missing. */
int ws_trackers_check(void);

/*
 * Convenience wrappers: fill t, call ops->open(); on failure t->err holds
 * "<backend>: <what failed>: <strerror>".
 */
int ws_tracker_open(struct ws_tracker *t, const struct ws_tracker_ops *ops,
		    struct ws_mem *mem, enum ws_mode mode);
void ws_tracker_close(struct ws_tracker *t);

/* printf into t->err and return -err (err is a positive errno). */
int ws_tracker_fail(struct ws_tracker *t, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* WS_TRACKER_H */
