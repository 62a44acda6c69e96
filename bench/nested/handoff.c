// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU's RAM handed over by libwsbench-handoff.so (bench/attach/session.h):
 * the socket nested track listens on, and the range QEMU's library hands
 * over, checked to be exactly the RAM mapping found in /proc/PID/maps.
 * Below both of its users -- the uffd trackers (uffdvia.c) and the cycle's
 * refaults (evict.c) -- so that neither calls the other for it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>

#include "track_impl.h"

int ws_nested_handoff_listen(struct track *t, char *why, size_t len)
{
	int ret;

	ws_session_init(&t->sess);
	t->sess.want_pid = (pid_t)t->a.pid;
	ret = ws_session_listen(&t->sess, t->a.handoff, why, len);
	t->sess_listening = !ret;
	return ret;
}

static bool qemu_alive(void *arg)
{
	const struct track *t = arg;

	return !kill((pid_t)t->a.pid, 0) || errno != ESRCH;
}

/* QEMU's RAM as its library hands it over: the mapping we found. */
int ws_nested_take_range(struct track *t, char *why, size_t len)
{
	const struct ws_selector sel = {
		.sel = WS_SEL_SHARED, .size = t->ram.len,
	};
	const struct ws_ho_msg *r = &t->sess.range;
	int ret;

	if (t->sess_handed)
		return 0;
	if (!t->sess_listening) {
		snprintf(why, len, "no handoff socket (--handoff PATH)");
		return -EINVAL;
	}
	ret = ws_session_handoff(&t->sess, &sel,
				 (int)t->a.handoff_timeout_s * 1000,
				 qemu_alive, t, why, len);
	t->sess_listening = false;
	if (ret)
		return ret;
	if (r->start != t->ram.start || r->len != t->ram.len || r->offset) {
		snprintf(why, len,
			 "QEMU handed off %s at 0x%llx+%llu (offset %llu), not its RAM %s at 0x%llx+%zu",
			 r->name, (unsigned long long)r->start,
			 (unsigned long long)r->len,
			 (unsigned long long)r->offset, t->ram.name,
			 (unsigned long long)t->ram.start, t->ram.len);
		return -EPROTO;
	}
	t->sess_handed = true;
	return 0;
}
