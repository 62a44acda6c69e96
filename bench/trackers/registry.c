// SPDX-License-Identifier: GPL-2.0
/* The backend table: report order is the order below. */
#include <stdio.h>
#include <string.h>

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

void ws_tracker_close(struct ws_tracker *t)
{
	if (t->ops)
		t->ops->close(t);
	t->ops = NULL;
}
