/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The manager's side of the uffd handoff (handoff.h): listen on the
 * socket, take the range a target process hands off, ask it for
 * userfaultfds as the trackers need them, give it the storage and page
 * state it needs to restore evicted pages on its own, and release it.
 */
#ifndef WS_ATTACH_SESSION_H
#define WS_ATTACH_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "handoff.h"

#define WS_SESSION_MAX_PEERS	16

struct ws_selector {
	enum ws_ho_select sel;
	uint64_t size;
	char name[256];
};

struct ws_session {
	int listen_fd;
	char path[108];
	bool bound;			/* we created path: unlink it */
	pid_t want_pid;			/* only this process, or */
	pid_t root_pid;			/* it and its descendants (0: any) */
	int peers[WS_SESSION_MAX_PEERS];	/* connected, not chosen yet */
	pid_t peer_pid[WS_SESSION_MAX_PEERS];
	int sock;			/* the chosen target */
	pid_t pid;			/* its pid (SO_PEERCRED) */
	struct ws_ho_msg range;		/* its RANGE */
	int memfd;			/* from RANGE, -1 if none */
	uint64_t handoff_ns;		/* CLOCK_MONOTONIC of the RANGE */
	/* the UFFD_REPLY of the uffd handed off */
	/* ORed into every uffd's features asked for (nested: THREAD_ID) */
	uint64_t extra_features;
	uint64_t uffd_features, uffd_ioctls;
	bool user_mode_only, have_uffd;
	bool unmapping;			/* the target asked for the range */
	uint32_t unmap_reason;
	bool gone;			/* its socket closed */
	unsigned int peers_seen;	/* processes that ran the library */
	uint64_t restored, restore_failed;	/* RELEASED */
};

void ws_session_init(struct ws_session *s);
/*
 * Listen on @path.  A stale socket file nobody listens on is replaced; a
 * live one or a file of another kind is refused (-EADDRINUSE / -EEXIST).
 */
int ws_session_listen(struct ws_session *s, const char *path, char *why,
		      size_t len);
/*
 * Wait up to @timeout_ms for a process to connect (s->want_pid, or any)
 * and hand off the mapping @sel picks; every other process that connects
 * gets BYE.  @alive (may be NULL) is asked now and then whether waiting
 * still makes sense (the command did not exit).  Closes the listening
 * socket when done.  0, or -errno with @why: -ETIMEDOUT, -ESRCH (@alive
 * said no), the target's RANGE error.
 */
int ws_session_handoff(struct ws_session *s, const struct ws_selector *sel,
		       int timeout_ms, bool (*alive)(void *), void *alive_arg,
		       char *why, size_t len);
/* struct ws_tracker_target's open_uffd, @arg a struct ws_session. */
int ws_session_open_uffd(void *arg, uint64_t features, uint64_t mode,
			 uint64_t *ioctls, char *why, size_t len);
/* Give the target the storage file and the page-state memfd. */
int ws_session_storage(struct ws_session *s, int storage_fd, int state_fd,
		       size_t npages, size_t page_size, char *why, size_t len);
/*
 * Wait up to @timeout_ms for the target to ask for its range back
 * (UNMAPPING) or to go away.  1 when it did (s->unmapping / s->gone),
 * else 0.
 */
int ws_session_poll(struct ws_session *s, int timeout_ms);
/*
 * The manager stopped using the uffd (its copies closed): the target
 * restores evicted pages and closes its uffd.  0, or -errno with @why;
 * s->restored / s->restore_failed say what it did.
 */
int ws_session_release(struct ws_session *s, int timeout_ms, char *why,
		       size_t len);
void ws_session_close(struct ws_session *s);

#endif /* WS_ATTACH_SESSION_H */
