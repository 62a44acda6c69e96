/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The DAMON sysfs tree (Documentation/admin-guide/mm/damon/usage.rst, Linux
 * 7.3): what is already there, and our own kdamond in it.
 *
 * Two kernel facts shape everything here (mm/damon/sysfs.c,
 * damon_sysfs_kdamonds_add_dirs):
 *  - writing nr_kdamonds fails with EBUSY while ANY kdamond runs, and
 *  - it removes every kdamonds/<N> directory and creates empty ones, so
 *    the configuration of existing kdamonds is lost.
 * So we add our kdamond only when every existing one is off and empty
 * (nr_contexts 0, refresh_ms 0: recreating it changes nothing), and refuse
 * otherwise with the evidence.
 */
#ifndef WS_DAMON_SYSFS_H
#define WS_DAMON_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "damon.h"

#define WS_DAMON_ADMIN		"/sys/kernel/mm/damon/admin"
#define WS_DAMON_KDAMONDS	WS_DAMON_ADMIN "/kdamonds"

/* What the tree holds before we touch it (read only). */
struct ws_damon_tree {
	int nr_kdamonds;
	int running;		/* index of a running kdamond, or -1 */
	int running_pid;
	int configured;		/* index of an off but configured one, or -1 */
	char avail[128];	/* avail_operations of an existing context */
	char avail_path[256];	/* where it was read; "" if none exists */
};

/* 0, or -errno with @err saying which file failed. */
int ws_damon_inspect(struct ws_damon_tree *t, char *err, size_t len);
/* Does the whitespace-separated @avail list name @ops? */
bool ws_damon_avail_has(const char *avail, const char *ops);

struct ws_damon_kdamond {
	int idx;		/* kdamonds/<idx> */
	int knob_mark;		/* ws_knobs_mark() before nr_kdamonds grew */
	char dir[96];		/* WS_DAMON_KDAMONDS "/<idx>" */
	int state_fd;		/* kdamonds/<idx>/state, for commands */
	int tried_fd;		/* directory fd of schemes/0/tried_regions */
	pid_t pid;		/* the kdamond thread, once on */
};

/*
 * Grow nr_kdamonds from @nr_before to @nr_before + 1 (a knob: restored on
 * exit and signals) and give the new kdamond one context.  On error
 * everything is undone.
 */
int ws_damon_kdamond_add(struct ws_damon_kdamond *k, int nr_before,
			 char *err, size_t len);
/* contexts/0/avail_operations of our kdamond. */
int ws_damon_kdamond_avail(struct ws_damon_kdamond *k, char *buf,
			   size_t len, char *err, size_t errlen);
/*
 * vaddr of @pid with [start, end) as the initial region, @p's intervals and
 * region limits, one "stat" scheme whose access pattern matches every
 * region; then state "on" (a knob: turned off again before nr_kdamonds
 * shrinks, knobs restore newest first).  Reads the kdamond's pid.
 */
int ws_damon_kdamond_start(struct ws_damon_kdamond *k,
			   const struct ws_damon_params *p, pid_t pid,
			   uint64_t start, uint64_t end, char *err,
			   size_t len);
/* Write a command (update_schemes_tried_regions, ...) to state. */
int ws_damon_kdamond_cmd(struct ws_damon_kdamond *k, const char *cmd);

/* One region of schemes/0/tried_regions. */
struct ws_damon_region {
	uint64_t start, end;
	unsigned int nr_accesses;
};

/*
 * Read every tried_regions/<i> (after update_schemes_tried_regions) and
 * call @fn for each.  Checks that the regions add up to total_bytes (the
 * kernel counts a region there even when it could not create its
 * directory): -EIO with @err otherwise.
 */
int ws_damon_kdamond_regions(struct ws_damon_kdamond *k,
			     void (*fn)(void *arg,
					const struct ws_damon_region *r),
			     void *arg, char *err, size_t len);

/* state off, nr_kdamonds back (ws_knobs_restore_to), fds closed. */
void ws_damon_kdamond_remove(struct ws_damon_kdamond *k);

#endif /* WS_DAMON_SYSFS_H */
