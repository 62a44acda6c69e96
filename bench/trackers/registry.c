// SPDX-License-Identifier: GPL-2.0
/* The backend table: report order is the order below. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "timing.h"
#include "tracker.h"

extern const struct ws_tracker_ops ws_tracker_rwp;
extern const struct ws_tracker_ops ws_tracker_minor_anon;
extern const struct ws_tracker_ops ws_tracker_minor;
extern const struct ws_tracker_ops ws_tracker_wp;
extern const struct ws_tracker_ops ws_tracker_idle;
extern const struct ws_tracker_ops ws_tracker_softdirty;
extern const struct ws_tracker_ops ws_tracker_damon;

const struct ws_tracker_ops *const ws_trackers[] = {
	&ws_tracker_rwp,
	&ws_tracker_minor_anon,
	&ws_tracker_wp,
	&ws_tracker_idle,
	&ws_tracker_softdirty,
	&ws_tracker_damon,
	/* Last: opt-in, and existing names keep their order and bits. */
	&ws_tracker_minor,
	NULL,
};

static const char *const mode_names[WS_MODE_NR] = { "async", "sync" };
static const char *const rearm_names[WS_REARM_NR] = { "per-run", "span" };

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
	for (int r = 0; r < WS_REARM_NR; r++)
		if (!strcmp(name, rearm_names[r]))
			return r;
	return -1;
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

const char *ws_mode_name(enum ws_mode m)
{
	return m < WS_MODE_NR ? mode_names[m] : "?";
}

int ws_mode_from_name(const char *name)
{
	for (int m = 0; m < WS_MODE_NR; m++)
		if (!strcmp(name, mode_names[m]))
			return m;
	return -1;
}

const struct ws_tracker_ops *ws_tracker_by_name(const char *name)
{
	for (size_t i = 0; ws_trackers[i]; i++)
		if (!strcmp(ws_trackers[i]->name, name))
			return ws_trackers[i];
	return NULL;
}

const char *ws_tracker_names(void)
{
	static char buf[256];

	if (!buf[0])
		for (size_t i = 0; ws_trackers[i]; i++)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
				 "%s%s", i ? ", " : "", ws_trackers[i]->name);
	return buf;
}

unsigned int ws_trackers_default_mask(void)
{
	unsigned int mask = 0;

	for (size_t i = 0; ws_trackers[i]; i++)
		if (!ws_trackers[i]->opt_in)
			mask |= 1u << i;
	return mask;
}

/* Like fio's ioengine check: an incomplete table is a bug, caught at start. */
int ws_trackers_check(void)
{
	int bad = 0;

	for (size_t i = 0; ws_trackers[i]; i++) {
		const struct ws_tracker_ops *o = ws_trackers[i];
		const char *missing = NULL;

		if (!o->name || !o->summary)
			missing = "name/summary";
		else if (!o->probe || !o->open || !o->arm || !o->collect ||
			 !o->close)
			missing = "probe/open/arm/collect/close";
		else if (!o->backings || !o->modes)
			missing = "backings/modes";
		else if ((o->modes & WS_MODE_BIT(WS_MODE_SYNC)) && !o->set_mode)
			missing = "set_mode (sync mode offered)";
		else if (!o->rearm_method == !o->rearm_fixed)
			missing = "rearm_method or rearm_fixed (one of them)";
		if (missing) {
			fprintf(stderr, "wsbench: tracker %s: ops table lacks %s\n",
				o->name ? o->name : "?", missing);
			bad = 1;
		}
	}
	return bad ? -1 : 0;
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

const char *ws_tracker_rearm_method(const struct ws_tracker_ops *ops,
				    const struct ws_tracker *t,
				    enum ws_rearm_miss *misses)
{
	if (ops->rearm_method)
		return ops->rearm_method(t, misses);
	*misses = ops->rearm_fixed_misses;
	return ops->rearm_fixed;
}

int ws_tracker_open(struct ws_tracker *t, const struct ws_tracker_ops *ops,
		    struct ws_mem *mem, enum ws_mode mode)
{
	/* What the caller asked for before open survives the reset. */
	bool missing = t->register_missing;
	int (*hook)(void *, int, const struct uffd_msg *) = t->fault_hook;
	void *hook_arg = t->fault_hook_arg;
	struct ws_tracker_target target = t->target;

	memset(t, 0, sizeof(*t));
	t->target = target;
	t->register_missing = missing;
	t->fault_hook = hook;
	t->fault_hook_arg = hook_arg;
	t->ops = ops;
	t->mem = mem;
	t->mode = mode;
	t->handler_cpu = -1;
	return ops->open(t);
}

void ws_tracker_proc_path(const struct ws_tracker_target *tg,
			  const char *file, char *buf, size_t len)
{
	if (tg && tg->pid)
		snprintf(buf, len, "/proc/%d/%s", (int)tg->pid, file);
	else
		snprintf(buf, len, "/proc/self/%s", file);
}

void ws_tracker_close(struct ws_tracker *t)
{
	if (t->ops)
		t->ops->close(t);
	t->ops = NULL;
}
