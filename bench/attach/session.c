// SPDX-License-Identifier: GPL-2.0
/*
 * The manager's side of the uffd handoff (session.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"
#include "maps.h"
#include "session.h"

/* A reply to a request must come within this (the target is running). */
#define REPLY_TIMEOUT_MS	10000
#define TICK_MS			200

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void ws_session_init(struct ws_session *s)
{
	memset(s, 0, sizeof(*s));
	s->listen_fd = s->sock = s->memfd = -1;
	for (int i = 0; i < WS_SESSION_MAX_PEERS; i++)
		s->peers[i] = -1;
}

/* Is someone listening on @a? */
static bool live_socket(const struct sockaddr_un *a)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	bool live;

	if (fd < 0)
		return false;
	live = !connect(fd, (const struct sockaddr *)a, sizeof(*a));
	close(fd);
	return live;
}

int ws_session_listen(struct ws_session *s, const char *path, char *why,
		      size_t len)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat st;

	if (strlen(path) >= sizeof(a.sun_path))
		return ws_why_err(why, len, -ENAMETOOLONG,
				  "socket path %s is longer than %zu bytes", path,
				  sizeof(a.sun_path) - 1);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode))
			return ws_why_err(why, len, -EEXIST,
					  "%s exists and is not a socket", path);
		if (live_socket(&a))
			return ws_why_err(why, len, -EADDRINUSE,
					  "%s: another manager is listening there",
					  path);
		unlink(path);	/* stale: its manager is gone */
	}
	s->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0 ||
	    bind(s->listen_fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(s->listen_fd, WS_SESSION_MAX_PEERS))
		return ws_why_err(why, len, -errno, "listen on %s: %s", path,
				  strerror(errno));
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->bound = true;
	return 0;
}

static void stop_listening(struct ws_session *s)
{
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	s->listen_fd = -1;
	if (s->bound)
		unlink(s->path);
	s->bound = false;
}

static void bye(int fd)
{
	struct ws_ho_msg m;

	ws_ho_init(&m, WS_HO_BYE);
	ws_ho_send(fd, &m, NULL, 0);
	close(fd);
}

static void drop_peer(struct ws_session *s, int i, bool say_bye)
{
	if (say_bye)
		bye(s->peers[i]);
	else
		close(s->peers[i]);
	s->peers[i] = -1;
}

/* The parent of @pid from /proc/<pid>/stat, or 0. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	int ppid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	/* "pid (comm) S ppid ...": comm may hold anything but ')' last. */
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
	    sscanf(p + 1, " %*c %d", &ppid) != 1)
		ppid = 0;
	fclose(f);
	return (pid_t)ppid;
}

/*
 * Only the target we expect gets the SELECT: the --pid, or the command we
 * started and its descendants (a wrapper's child), of our user.
 */
static bool expected_peer(const struct ws_session *s, const struct ucred *c)
{
	pid_t p = c->pid;

	if (s->want_pid)
		return c->pid == s->want_pid;
	if (c->uid != geteuid())
		return false;
	for (int depth = 0; s->root_pid && p > 1 && depth < 64; depth++) {
		if (p == s->root_pid)
			return true;
		p = parent_of(p);
	}
	return !s->root_pid;
}

/* A new connection: the one we want gets SELECT, any other BYE. */
static void accept_peer(struct ws_session *s, const struct ws_selector *sel)
{
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	struct ws_ho_msg m;
	int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC), i;

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) ||
	    !expected_peer(s, &cred)) {
		bye(fd);
		return;
	}
	for (i = 0; i < WS_SESSION_MAX_PEERS && s->peers[i] >= 0; i++)
		;
	if (i == WS_SESSION_MAX_PEERS) {
		bye(fd);
		return;
	}
	ws_ho_init(&m, WS_HO_SELECT);
	m.select = sel->sel;
	m.size = sel->size;
	snprintf(m.name, sizeof(m.name), "%s", sel->name);
	if (ws_ho_send(fd, &m, NULL, 0)) {
		close(fd);
		return;
	}
	s->peers[i] = fd;
	s->peer_pid[i] = cred.pid;
	s->peers_seen++;
}

/*
 * A message from peer @i while selecting: HELLO is noted, RANGE decides.
 * 1: chosen; 0: keep waiting; <0: the target refused (why set).
 */
static int peer_message(struct ws_session *s, int i, char *why, size_t len)
{
	int fds[WS_HO_MAX_FDS], ret;
	struct ws_ho_msg m;

	ret = ws_ho_recv(s->peers[i], &m, fds, 0);
	if (ret == -EPIPE || (ret && ret != -ETIMEDOUT)) {
		drop_peer(s, i, false);	/* exited, or exec'd another program */
		return 0;
	}
	if (ret || m.type != WS_HO_RANGE) {
		for (int k = 0; k < WS_HO_MAX_FDS; k++)
			if (fds[k] >= 0)
				close(fds[k]);
		return 0;
	}
	if (m.status) {
		for (int k = 0; k < WS_HO_MAX_FDS; k++)
			if (fds[k] >= 0)
				close(fds[k]);
		return ws_why_err(why, len, m.status, "pid %d cannot hand off %s: %s",
				  (int)s->peer_pid[i], m.name, m.text);
	}
	s->range = m;
	s->memfd = (m.flags & WS_HO_F_MEMFD) ? fds[0] : -1;
	if (fds[1] >= 0)
		close(fds[1]);
	if (s->memfd < 0 && fds[0] >= 0)
		close(fds[0]);
	s->sock = s->peers[i];
	s->pid = s->peer_pid[i];
	s->peers[i] = -1;
	s->handoff_ns = mono_ns();
	return 1;
}

/* Why no handoff came: the library never ran, or nothing qualified. */
static const char *no_handoff_hint(const struct ws_session *s,
				   const struct ws_selector *sel)
{
	if (!s->peers_seen)
		return "; no process connected from " WS_HANDOFF_LIB_NAME ": it exited first, or LD_PRELOAD never reached it (a statically linked program, or one that clears LD_PRELOAD)";
	if (sel->sel == WS_SEL_SHARED)
		return "; the processes that ran the library had no MAP_SHARED mapping (memfd, /dev/shm, shared anonymous) that large: private memory cannot be evicted (--select largest watches it, detection only), and a statically linked program never runs the library";
	return "; a statically linked program never runs the library (LD_PRELOAD)";
}

int ws_session_handoff(struct ws_session *s, const struct ws_selector *sel,
		       int timeout_ms, bool (*alive)(void *), void *alive_arg,
		       char *why, size_t len)
{
	uint64_t end = mono_ns() + (uint64_t)timeout_ms * 1000000ULL;
	char what[300];
	int ret = 0;

	ws_select_describe(sel->sel, sel->size, sel->name, what, sizeof(what));
	while (!ret) {
		struct pollfd p[WS_SESSION_MAX_PEERS + 1];
		int n = 0, idx[WS_SESSION_MAX_PEERS];

		if (mono_ns() >= end) {
			ret = ws_why_err(why, len, -ETIMEDOUT,
					 "no process handed off a mapping matching %s within %d s%s",
					 what, timeout_ms / 1000,
					 no_handoff_hint(s, sel));
			break;
		}
		if (alive && !alive(alive_arg)) {
			ret = ws_why_err(why, len, -ESRCH,
					 "the target exited before handing off a mapping matching %s%s",
					 what, no_handoff_hint(s, sel));
			break;
		}
		p[n++] = (struct pollfd){ .fd = s->listen_fd, .events = POLLIN };
		for (int i = 0; i < WS_SESSION_MAX_PEERS; i++)
			if (s->peers[i] >= 0) {
				idx[n - 1] = i;
				p[n++] = (struct pollfd){ .fd = s->peers[i],
							  .events = POLLIN };
			}
		if (poll(p, n, TICK_MS) < 0 && errno != EINTR) {
			ret = ws_why_err(why, len, -errno, "poll: %s", strerror(errno));
			break;
		}
		if (p[0].revents & POLLIN)
			accept_peer(s, sel);
		for (int k = 1; !ret && k < n; k++)
			if (p[k].revents)
				ret = peer_message(s, idx[k - 1], why, len);
	}
	for (int i = 0; i < WS_SESSION_MAX_PEERS; i++)
		if (s->peers[i] >= 0)
			drop_peer(s, i, true);
	stop_listening(s);
	return ret < 0 ? ret : 0;
}

/*
 * Wait for a reply of @type; UNMAPPING meanwhile is remembered (the
 * target may ask for its range back at any time).
 */
static int await(struct ws_session *s, uint32_t type, struct ws_ho_msg *m,
		 int *fds, int timeout_ms)
{
	for (;;) {
		int ret = ws_ho_recv(s->sock, m, fds, timeout_ms);

		if (ret == -EPIPE)
			s->gone = true;
		if (ret)
			return ret;
		if (m->type == type)
			return 0;
		if (m->type == WS_HO_UNMAPPING) {
			s->unmapping = true;
			s->unmap_reason = m->reason;
		}
		for (int k = 0; k < WS_HO_MAX_FDS; k++)
			if (fds[k] >= 0)
				close(fds[k]);
	}
}

/* Send @m with @nfds of @fds, then await() its @reply into @m and @fds. */
static int ask(struct ws_session *s, struct ws_ho_msg *m, int *fds, int nfds,
	       uint32_t reply, int timeout_ms)
{
	int ret = ws_ho_send(s->sock, m, nfds ? fds : NULL, nfds);

	return ret ? ret : await(s, reply, m, fds, timeout_ms);
}

int ws_session_open_uffd(void *arg, uint64_t features, uint64_t mode,
			 uint64_t *ioctls, char *why, size_t len)
{
	struct ws_session *s = arg;
	int fds[WS_HO_MAX_FDS], ret;
	struct ws_ho_msg m;

	ws_ho_init(&m, WS_HO_UFFD);
	m.features = features | s->extra_features;
	m.mode = mode;
	ret = ask(s, &m, fds, 0, WS_HO_UFFD_REPLY, REPLY_TIMEOUT_MS);
	if (ret)
		return ws_why_err(why, len, ret, "uffd from pid %d: %s", (int)s->pid,
				  strerror(-ret));
	if (m.status || fds[0] < 0) {
		for (int k = 0; k < WS_HO_MAX_FDS; k++)
			if (fds[k] >= 0)
				close(fds[k]);
		return ws_why_err(why, len, m.status ? m.status : -EPROTO,
				  "pid %d: %s", (int)s->pid,
				  m.text[0] ? m.text : "no uffd in the reply");
	}
	if (fds[1] >= 0)
		close(fds[1]);
	*ioctls = m.ioctls;
	s->uffd_features = m.features;
	s->uffd_ioctls = m.ioctls;
	s->user_mode_only = m.flags & WS_HO_F_USER_MODE_ONLY;
	s->have_uffd = true;
	return fds[0];
}

int ws_session_storage(struct ws_session *s, int storage_fd, int state_fd,
		       size_t npages, size_t page_size, char *why, size_t len)
{
	int fds[WS_HO_MAX_FDS] = { storage_fd, state_fd }, ret;
	struct ws_ho_msg m;

	ws_ho_init(&m, WS_HO_STORAGE);
	m.npages = npages;
	m.page_size = page_size;
	ret = ask(s, &m, fds, 2, WS_HO_STORAGE_ACK, REPLY_TIMEOUT_MS);
	if (!ret && m.status)
		ret = m.status;
	return ret ? ws_why_err(why, len, ret, "storage to pid %d: %s", (int)s->pid,
				m.text[0] ? m.text : strerror(-ret)) : 0;
}

int ws_session_poll(struct ws_session *s, int timeout_ms)
{
	int fds[WS_HO_MAX_FDS], ret;
	struct ws_ho_msg m;

	if (s->unmapping || s->gone)
		return 1;
	ret = ws_ho_recv(s->sock, &m, fds, timeout_ms);
	for (int k = 0; !ret && k < WS_HO_MAX_FDS; k++)
		if (fds[k] >= 0)
			close(fds[k]);
	if (ret == -ETIMEDOUT || ret == -EPROTO)
		return 0;
	if (ret) {
		s->gone = true;
		return 1;
	}
	if (m.type == WS_HO_UNMAPPING) {
		s->unmapping = true;
		s->unmap_reason = m.reason;
	}
	return s->unmapping;
}

int ws_session_release(struct ws_session *s, int timeout_ms, char *why,
		       size_t len)
{
	int fds[WS_HO_MAX_FDS], ret;
	struct ws_ho_msg m;

	if (s->gone)
		return ws_why_err(why, len, -EPIPE, "pid %d is gone", (int)s->pid);
	ws_ho_init(&m, WS_HO_RELEASE);
	ret = ask(s, &m, fds, 0, WS_HO_RELEASED, timeout_ms);
	if (ret)
		return ws_why_err(why, len, ret, "release of pid %d: %s",
				  (int)s->pid, strerror(-ret));
	s->restored = m.restored;
	s->restore_failed = m.failed;
	return m.status ? ws_why_err(why, len, m.status, "pid %d: %s", (int)s->pid,
				     m.text) : 0;
}

void ws_session_close(struct ws_session *s)
{
	for (int i = 0; i < WS_SESSION_MAX_PEERS; i++)
		if (s->peers[i] >= 0)
			drop_peer(s, i, true);
	stop_listening(s);
	if (s->sock >= 0)
		close(s->sock);
	if (s->memfd >= 0)
		close(s->memfd);
	s->sock = s->memfd = -1;
}
