// SPDX-License-Identifier: GPL-2.0
/*
 * What every tracker calls (tracker.h): its error text, its cost and count
 * slots, /proc paths and the pagemap of its target, the names of modes
 * and re-arms.  Apart
 * from registry.c, which lists the trackers: they call down to here, the
 * registry calls them, and no two files call each other.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pagemap.h"
#include "parse.h"
#include "timing.h"
#include "tracker.h"

/* NULL-terminated for ws_name_index(). */
static const char *const mode_names[WS_MODE_NR + 1] = { "async", "sync" };
static const char *const rearm_names[WS_REARM_NR + 1] = { "per-run", "span" };

const char *ws_rearm_name(enum ws_rearm r)
{
	return r < WS_REARM_NR ? rearm_names[r] : "?";
}

const char *ws_rearm_miss_name(enum ws_rearm_miss m)
{
	static const char *const names[] = {
		[WS_MISS_NOTHING] = "nothing",
		[WS_MISS_HOT] = "hot-pages",
		[WS_MISS_ANY] = "any-page",
	};

	return m <= WS_MISS_ANY ? names[m] : "?";
}

int ws_rearm_from_name(const char *name)
{
	return ws_name_index(name, rearm_names);
}

const char *ws_mode_name(enum ws_mode m)
{
	return m < WS_MODE_NR ? mode_names[m] : "?";
}

int ws_mode_from_name(const char *name)
{
	return ws_name_index(name, mode_names);
}

static struct ws_cost *slot(struct ws_cost *tab, const char *name)
{
	for (size_t i = 0; i < WS_TRACKER_MAX_COSTS; i++) {
		struct ws_cost *c = &tab[i];

		if (!c->name)
			c->name = name;
		if (c->name == name || !strcmp(c->name, name))
			return c;
	}
	return NULL;
}

struct ws_cost *ws_tracker_cost(struct ws_tracker *t, const char *name)
{
	return slot(t->costs, name);
}

void ws_tracker_count(struct ws_tracker *t, const char *name, uint64_t n)
{
	struct ws_cost *c = slot(t->counts, name);

	if (c)
		c->calls += n;
}

json_t *ws_tracker_counts_json(const struct ws_tracker *t)
{
	json_t *j = NULL;

	for (size_t i = 0; i < WS_TRACKER_MAX_COSTS && t->counts[i].name; i++) {
		if (!j)
			j = json_object();
		json_object_set_new(j, t->counts[i].name,
				    json_integer((json_int_t)t->counts[i].calls));
	}
	return j;
}

void ws_tracker_cost_add(struct ws_tracker *t, const char *name, uint64_t t0)
{
	struct ws_cost *c = ws_tracker_cost(t, name);

	if (c) {
		c->ns += ws_now_ns() - t0;
		c->calls++;
	}
}

int ws_tracker_fail(struct ws_tracker *t, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(t->err, sizeof(t->err), "%s: ", t->ops->name);
	va_start(ap, fmt);
	vsnprintf(t->err + n, sizeof(t->err) - n, fmt, ap);
	va_end(ap);
	if (err) {
		n = strlen(t->err);
		snprintf(t->err + n, sizeof(t->err) - n, ": %s", strerror(err));
	}
	return -err;
}

void ws_tracker_proc_path(const struct ws_tracker_target *tg,
			  const char *file, char *buf, size_t len)
{
	if (tg && tg->pid)
		snprintf(buf, len, "/proc/%d/%s", (int)tg->pid, file);
	else
		snprintf(buf, len, "/proc/self/%s", file);
}

int ws_tracker_open_pagemap(struct ws_tracker *t)
{
	char path[64];
	int fd = ws_pagemap_open_pid(t->target.pid);

	if (fd >= 0)
		return fd;
	ws_tracker_proc_path(&t->target, "pagemap", path, sizeof(path));
	return ws_tracker_fail(t, -fd, "open %s", path);
}
