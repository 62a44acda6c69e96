// SPDX-License-Identifier: GPL-2.0
/*
 * rwp and wp on a nested QEMU's guest RAM.  Both need the userfaultfd of
 * that RAM, which only QEMU's own process can open and register: QEMU
 * runs with libwsbench-handoff.so preloaded (scripts/nested-run.sh), whose
 * watcher thread connects to the socket we listen on and hands over the
 * RAM range and memfd (bench/attach/session.h).  The trackers then open
 * on QEMU's addresses (never dereferenced here) and get their uffd
 * through the session: QEMU's library opens it with the features they
 * ask for and registers its RAM mapping.  PAGEMAP_SCAN reads
 * /proc/QEMU/pagemap.  One uffd per process: rwp or wp, one per boot.
 *
 * Each mechanism re-arms the way its best user would: wp async in the
 * scan itself (PM_SCAN_WP_MATCHING, lossless), rwp per hot run (cold
 * pages stay armed); see tracker.h.
 *
 * DAMON is a tracker too, but needs nothing from QEMU: vaddr monitoring
 * of QEMU's pid with the RAM mapping as its one initial region
 * (tracker_damon.c with target.pid); only --evict hands QEMU's RAM over,
 * for the refaults.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "timing.h"
#include "track_impl.h"

#define RELEASE_TIMEOUT_MS	30000

int ws_nested_uffd_open(struct track *t, enum ws_outer_via via, char *why,
			size_t len)
{
	struct via_state *s = &t->v[via];
	const struct ws_tracker_ops *ops =
		ws_tracker_by_name(ws_outer_via_name(via));
	struct ws_probe p = { 0 };
	int ret;

	memset(&s->o, 0, sizeof(s->o));
	s->o.via = via;
	s->o.fd = -1;
	if (!ops) {
		snprintf(why, len, "no %s backend in this build",
			 ws_outer_via_name(via));
		return -ENOSYS;
	}
	ops->probe(&p);
	if (!p.supported) {
		snprintf(why, len, "%s", p.reason);
		return -EOPNOTSUPP;
	}
	ret = ws_via_is_uffd(via) ? ws_nested_take_range(t, why, len) : 0;
	if (ret)
		return ret;
	s->tmem = (struct ws_mem){
		.backing = WS_BACKING_SHMEM,
		.addr = (char *)(uintptr_t)t->ram.start,
		.len = t->ram.len,
		.page_size = t->ram.page_size,
		.npages = t->ram.npages,
		.fd = -1,
	};
	s->tk.target = (struct ws_tracker_target){
		.pid = (pid_t)t->a.pid,
		.open_uffd = ws_via_is_uffd(via) ? ws_session_open_uffd : NULL,
		.arg = &t->sess,
	};
	ret = ws_tracker_open(&s->tk, ops, &s->tmem, WS_MODE_ASYNC);
	if (ret) {
		snprintf(why, len, "%s", s->tk.err);
		ws_tracker_close(&s->tk);
		return ret;
	}
	s->tk_open = true;
	if (s->tk.ops->rearm_method) {
		enum ws_rearm_miss miss;

		s->rearm = s->tk.ops->rearm_method(&s->tk, &miss);
	}
	if (!ws_via_is_uffd(via))
		return 0;
	s->uffd_features = t->sess.uffd_features;
	s->user_mode_only = t->sess.user_mode_only;
	return 0;
}

/* The first arm protects the whole RAM; later ones happen in collect. */
int ws_nested_uffd_arm(struct via_state *s)
{
	uint64_t t0 = ws_now_ns();
	int ret = 0;

	if (!s->armed)
		ret = s->tk.ops->arm(&s->tk, 0, s->tmem.npages);
	s->armed = !ret;
	s->o.arm_ns += ws_now_ns() - t0;
	s->o.arms++;
	return ret;
}

int ws_nested_uffd_collect(struct via_state *s, struct ws_pageset *hot)
{
	uint64_t t0 = ws_now_ns();
	int ret;

	ws_pageset_clear(hot);
	ret = s->tk.ops->collect(&s->tk, hot, true);
	s->o.collect_ns += ws_now_ns() - t0;
	s->o.collects++;
	return ret;
}

void ws_nested_handoff_end(struct track *t)
{
	char why[512];

	ws_nested_cycle_end(t);
	for (int i = 0; i < WS_VIA_NR; i++)
		if (t->v[i].tk_open) {
			ws_nested_keep_info(&t->v[i], &t->v[i].tk);
			ws_tracker_close(&t->v[i].tk);
			t->v[i].tk_open = false;
		}
	if (t->sess_handed && !t->sess.gone &&
	    ws_session_release(&t->sess, RELEASE_TIMEOUT_MS, why, sizeof(why)))
		fprintf(stderr, "wsbench nested track: %s\n", why);
	t->ev.restored = t->sess.restored;
	t->ev.restore_failed = t->sess.restore_failed;
	t->sess_handed = false;
	ws_session_close(&t->sess);
	t->sess_listening = false;
}
