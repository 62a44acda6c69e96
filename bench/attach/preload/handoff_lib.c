// SPDX-License-Identifier: GPL-2.0
/*
 * libwsbench-handoff.so: hands a mapping of an unmodified program to wsbench
 * (protocol: ../handoff.h).  Loaded with LD_PRELOAD and enabled by
 * WSBENCH_HANDOFF_SOCKET; without the variable it does nothing at all.
 *
 * A thread of its own (the watcher) connects to the manager, waits for its
 * SELECT, finds the mapping in /proc/self/maps -- now, or after the mmap()
 * that creates it (the mmap hook only pokes the watcher) -- and sends its
 * range and memory fd; on UFFD it opens a userfaultfd with the features
 * asked for, registers the range and sends the uffd.  It never touches the
 * tracked memory itself.
 *
 * The target must keep running with its memory intact whatever happens to
 * wsbench, so the watcher holds its own copy of the uffd and, when the
 * manager releases it or its socket closes (wsbench exited, crashed, was
 * SIGKILLed), reads every evicted page whose memory is a hole back from
 * the storage file into the memory fd and then closes the uffd: that
 * clears every protection and wakes every thread waiting in a fault.
 * munmap(), mremap() and MAP_FIXED over the range, and exit, first ask
 * the manager to stop and wait for that release, so no page the program
 * still maps (or a tmpfs file it leaves behind) is left evicted.
 *
 * fork() hands the range back too, before the child exists: the child
 * would share the memory but not the uffd, and read every evicted page as
 * a hole -- zeros, which would then hide the data from the parent's
 * refaults.  So tracking ends at the first fork of the target, with every
 * page restored.  A child takes no part (its copies of our fds are
 * closed).  One session per process: once a manager took the range (or
 * chose another process), the library never connects again.
 *
 * Limitations: one mapping per process; madvise(MADV_REMOVE), fallocate()
 * and raw clone()/fork syscalls that bypass libc's fork() are not
 * intercepted.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#include "handoff.h"
#include "maps.h"

#define EXPORT __attribute__((visibility("default")))

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY	1
#endif
#ifndef USERFAULTFD_IOC_NEW
#define USERFAULTFD_IOC_NEW	_IO(0xAA, 0x00)
#endif
#define PAGE_RESIDENT		0	/* enum ws_page_state (vmm/guest.h) */

/* What the watcher holds for one manager session. */
struct session {
	int sock;
	bool selecting, handed, unmap_sent;
	uint32_t sel;
	uint64_t size;
	char name[256];		/* the selector's */
	char path[256];		/* the mapping's, from maps */
	uint64_t start, len, offset;
	int memfd, uffd, storage_fd;
	const _Atomic uint8_t *state;
	size_t npages, psz;
};

static struct {
	bool enabled;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int efd;			/* hooks -> watcher */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	atomic_bool want_maps;		/* watcher waits for a new mapping */
	_Atomic uint64_t mmap_ns, mmap_addr, mmap_len;	/* the last one */
	/* The handed-off range, for the hooks (also under lock). */
	atomic_bool active;
	_Atomic uint64_t start, end;
	bool unmap_wanted;		/* lock */
	uint32_t unmap_reason;		/* lock */
	uint64_t generation;		/* lock: bumped when a session ends */
} ho = {
	.efd = -1,
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static struct session sess = {
	.sock = -1, .memfd = -1, .uffd = -1, .storage_fd = -1,
};

static void *(*real_mmap)(void *, size_t, int, int, int, off_t);
static int (*real_munmap)(void *, size_t);
static void *(*real_mremap)(void *, size_t, size_t, int, ...);

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "wsbench-handoff[%d]: ", (int)getpid());
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	/* One write: no stdio buffer shared with the program. */
	if (write(STDERR_FILENO, buf, strlen(buf)) < 0)
		return;
}

static void poke(void)
{
	uint64_t one = 1;

	if (ho.efd >= 0 && write(ho.efd, &one, sizeof(one)) < 0)
		return;
}

/* ---- the manager is done (RELEASE) or gone (EOF): restore, release ---- */

/* Does the memory fd hold data at @off (not a hole)? */
static bool has_data(int fd, uint64_t off)
{
	off_t d = lseek(fd, (off_t)off, SEEK_DATA);

	return d == (off_t)off;
}

/*
 * Every page the manager marked evicted (or was evicting) whose memory is
 * a hole goes back from storage: a page being written out when it died
 * is still in memory and is left alone; one punched already is restored
 * from the copy written before the punch.
 */
static void restore(struct session *s, uint64_t *restored, uint64_t *failed)
{
	static char buf[1 << 16];

	*restored = *failed = 0;
	if (!s->state || s->memfd < 0 || s->storage_fd < 0 ||
	    s->psz > sizeof(buf))
		return;
	for (size_t i = 0; i < s->npages; i++) {
		uint64_t off = s->offset + i * s->psz;

		if (atomic_load(&s->state[i]) == PAGE_RESIDENT ||
		    has_data(s->memfd, off))
			continue;
		if (pread(s->storage_fd, buf, s->psz, (off_t)(i * s->psz)) !=
		    (ssize_t)s->psz ||
		    pwrite(s->memfd, buf, s->psz, (off_t)off) !=
		    (ssize_t)s->psz)
			(*failed)++;
		else
			(*restored)++;
	}
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Close everything of @s; the last uffd close clears the protections. */
static void end_session(struct session *s)
{
	close_fd(&s->uffd);
	if (s->state)
		real_munmap((void *)s->state, s->npages ? s->npages : 1);
	s->state = NULL;
	close_fd(&s->storage_fd);
	close_fd(&s->memfd);
	close_fd(&s->sock);
	s->handed = s->selecting = s->unmap_sent = false;
	atomic_store(&ho.want_maps, false);
	pthread_mutex_lock(&ho.lock);
	atomic_store(&ho.active, false);
	ho.unmap_wanted = false;
	ho.generation++;
	pthread_cond_broadcast(&ho.cond);
	pthread_mutex_unlock(&ho.lock);
}

/* ---- requests ---- */

static void reply(struct session *s, enum ws_ho_type type, int status,
		  const char *text, struct ws_ho_msg *m, const int *fds,
		  int nfds)
{
	struct ws_ho_msg tmp;

	if (!m) {
		ws_ho_init(&tmp, type);
		m = &tmp;
	}
	m->status = status;
	if (text)
		snprintf(m->text, sizeof(m->text), "%s", text);
	if (ws_ho_send(s->sock, m, fds, nfds))
		close_fd(&s->sock);	/* seen as EOF by the loop */
}

/* An fd on the memory behind a shared mapping, for the manager's I/O view. */
static int open_memory(const struct ws_map *m, char *why, size_t len)
{
	char path[96];
	int fd, e1;

	snprintf(path, sizeof(path), "/proc/self/map_files/%llx-%llx",
		 (unsigned long long)m->start, (unsigned long long)m->end);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	e1 = errno;
	if (m->path[0] == '/' && !strstr(m->path, " (deleted)") &&
	    strncmp(m->path, "/memfd:", 7)) {
		fd = open(m->path, O_RDWR | O_CLOEXEC);
		if (fd >= 0)
			return fd;
	}
	snprintf(why, len, "no fd on the mapping's memory (%.60s: %s; %.100s): detection only",
		 path, strerror(e1), m->path);
	return -1;
}

/* SELECT pending: pick the mapping now if it exists, else wait for one. */
static void try_select(struct session *s)
{
	struct ws_ho_msg r;
	struct ws_map *v;
	uint64_t kpage = 0;
	bool thp = false;
	size_t n;
	long i;
	char why[256] = "";

	if (!s->selecting || s->handed || ws_maps_read(0, &v, &n))
		return;
	i = ws_maps_select(v, n, s->sel, s->size, s->name);
	if (i < 0) {
		free(v);
		return;		/* the next mmap() pokes us */
	}
	ws_ho_init(&r, WS_HO_RANGE);
	r.start = v[i].start;
	r.len = v[i].end - v[i].start;
	r.offset = v[i].offset;
	snprintf(r.name, sizeof(r.name), "%s", v[i].path);
	if (atomic_load(&ho.mmap_addr) <= r.start &&
	    r.start < atomic_load(&ho.mmap_addr) + atomic_load(&ho.mmap_len))
		r.mmap_ns = atomic_load(&ho.mmap_ns);
	ws_maps_smaps(0, r.start, &kpage, &thp);
	r.flags = (ws_map_shared(&v[i]) ? WS_HO_F_SHARED : 0) |
		  (thp ? WS_HO_F_THP : 0);
	s->selecting = false;
	atomic_store(&ho.want_maps, false);
	if (kpage && kpage != s->psz) {
		snprintf(why, sizeof(why), "%.120s: KernelPageSize %llu, not %zu: hugetlb mappings are not supported",
			 v[i].path, (unsigned long long)kpage, s->psz);
		free(v);
		reply(s, WS_HO_RANGE, -EOPNOTSUPP, why, &r, NULL, 0);
		return;
	}
	if (ws_map_shared(&v[i]))
		s->memfd = open_memory(&v[i], why, sizeof(why));
	free(v);
	snprintf(s->path, sizeof(s->path), "%s", r.name);
	s->start = r.start;
	s->len = r.len;
	s->offset = r.offset;
	s->handed = true;
	pthread_mutex_lock(&ho.lock);
	atomic_store(&ho.start, r.start);
	atomic_store(&ho.end, r.start + r.len);
	atomic_store(&ho.active, true);
	pthread_mutex_unlock(&ho.lock);
	if (s->memfd >= 0)
		r.flags |= WS_HO_F_MEMFD;
	reply(s, WS_HO_RANGE, 0, why, &r, &s->memfd, s->memfd >= 0);
}

/* Without UFFD_USER_MODE_ONLY when allowed: then the program's own
 * kernel-mode accesses (read(2) into the range) wait, rather than fail. */
static int make_uffd(bool *user_only)
{
	int flags = O_CLOEXEC | O_NONBLOCK, fd, dev;

	*user_only = false;
	fd = syscall(__NR_userfaultfd, flags);
	if (fd >= 0)
		return fd;
	dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
	if (dev >= 0) {
		fd = ioctl(dev, USERFAULTFD_IOC_NEW, flags);
		close(dev);
		if (fd >= 0)
			return fd;
	}
	*user_only = true;
	fd = syscall(__NR_userfaultfd, flags | UFFD_USER_MODE_ONLY);
	return fd >= 0 ? fd : -errno;
}

static void do_uffd(struct session *s, const struct ws_ho_msg *m)
{
	struct uffdio_api api = { .api = UFFD_API, .features = m->features };
	struct uffdio_register reg = {
		.range = { .start = s->start, .len = s->len },
		.mode = m->mode,
	};
	struct ws_ho_msg r;
	char why[256];
	bool user_only;
	int fd, e;

	ws_ho_init(&r, WS_HO_UFFD_REPLY);
	if (!s->handed || s->uffd >= 0) {
		reply(s, WS_HO_UFFD_REPLY, s->handed ? -EBUSY : -ENOENT,
		      s->handed ? "a uffd was handed off already" :
				  "no mapping selected", &r, NULL, 0);
		return;
	}
	fd = make_uffd(&user_only);
	if (fd < 0) {
		snprintf(why, sizeof(why), "userfaultfd(2): %s", strerror(-fd));
		reply(s, WS_HO_UFFD_REPLY, fd, why, &r, NULL, 0);
		return;
	}
	if (ioctl(fd, UFFDIO_API, &api)) {
		e = errno;
		snprintf(why, sizeof(why), "UFFDIO_API(features 0x%llx): %s",
			 (unsigned long long)m->features, strerror(e));
		goto fail;
	}
	if (ioctl(fd, UFFDIO_REGISTER, &reg)) {
		e = errno;
		snprintf(why, sizeof(why),
			 "UFFDIO_REGISTER(mode 0x%llx, %.120s, %llu bytes): %s",
			 (unsigned long long)m->mode, s->path,
			 (unsigned long long)s->len, strerror(e));
		goto fail;
	}
	s->uffd = fd;
	r.features = api.features;
	r.ioctls = reg.ioctls;
	r.flags = user_only ? WS_HO_F_USER_MODE_ONLY : 0;
	reply(s, WS_HO_UFFD_REPLY, 0, NULL, &r, &s->uffd, 1);
	return;
fail:
	close(fd);
	reply(s, WS_HO_UFFD_REPLY, -e, why, &r, NULL, 0);
}

static void do_storage(struct session *s, const struct ws_ho_msg *m,
		       int *fds)
{
	void *p = MAP_FAILED;
	int status = 0;

	if (!s->handed || s->storage_fd >= 0 || fds[0] < 0 || fds[1] < 0 ||
	    m->npages != s->len / s->psz || m->page_size != s->psz)
		status = -EINVAL;
	else
		p = real_mmap(NULL, m->npages ? m->npages : 1, PROT_READ,
			      MAP_SHARED, fds[1], 0);
	if (!status && p == MAP_FAILED)
		status = -errno;
	if (!status) {
		s->state = p;
		s->npages = m->npages;
		s->storage_fd = fds[0];
		fds[0] = -1;
	}
	close_fd(&fds[0]);
	close_fd(&fds[1]);
	reply(s, WS_HO_STORAGE_ACK, status,
	      status ? "bad STORAGE request" : NULL, NULL, NULL, 0);
}

enum verdict { GO_ON, RELEASED, NOT_CHOSEN };

/* A message from the manager: go on, or how the session ended. */
static enum verdict handle(struct session *s, struct ws_ho_msg *m, int *fds)
{
	struct ws_ho_msg r;

	switch (m->type) {
	case WS_HO_SELECT:
		if (s->handed || s->selecting)
			break;
		s->selecting = true;
		s->sel = m->select;
		s->size = m->size;
		snprintf(s->name, sizeof(s->name), "%s", m->name);
		atomic_store(&ho.want_maps, true);
		try_select(s);
		break;
	case WS_HO_UFFD:
		do_uffd(s, m);
		break;
	case WS_HO_STORAGE:
		do_storage(s, m, fds);
		break;
	case WS_HO_RELEASE:
		ws_ho_init(&r, WS_HO_RELEASED);
		restore(s, &r.restored, &r.failed);
		/* Before the reply: the manager may check the memory at once. */
		close_fd(&s->uffd);
		reply(s, WS_HO_RELEASED, r.failed ? -EIO : 0,
		      r.failed ? "pages could not be read back" : NULL, &r,
		      NULL, 0);
		return RELEASED;
	case WS_HO_BYE:
		return NOT_CHOSEN;	/* another process was */
	default:
		break;
	}
	for (int i = 0; i < WS_HO_MAX_FDS; i++)
		close_fd(&fds[i]);
	return GO_ON;
}

/* The program is about to lose the range: ask the manager to let go. */
static void send_unmapping(struct session *s)
{
	struct ws_ho_msg m;
	uint32_t reason;

	pthread_mutex_lock(&ho.lock);
	reason = ho.unmap_wanted ? ho.unmap_reason : 0;
	pthread_mutex_unlock(&ho.lock);
	if (!reason || !s->handed || s->unmap_sent)
		return;
	ws_ho_init(&m, WS_HO_UNMAPPING);
	m.reason = reason;
	reply(s, WS_HO_UNMAPPING, 0, NULL, &m, NULL, 0);
	s->unmap_sent = true;
}

/* One manager session; false: stop for good (BYE, or a session that
 * took the range: no second manager gets it after a release). */
static bool serve(struct session *s)
{
	struct pollfd p[2] = {
		{ .fd = s->sock, .events = POLLIN },
		{ .fd = ho.efd, .events = POLLIN },
	};
	enum verdict v = GO_ON;
	struct ws_ho_msg m;
	bool took;

	ws_ho_init(&m, WS_HO_HELLO);
	m.pid = (uint64_t)getpid();
	reply(s, WS_HO_HELLO, 0, NULL, &m, NULL, 0);
	while (v == GO_ON && s->sock >= 0) {
		int fds[WS_HO_MAX_FDS], ret;
		uint64_t cnt;

		/* While selecting, look again now and then: not every new
		 * mapping comes from an mmap() we see. */
		ret = poll(p, 2, s->selecting ? 500 : -1);
		if (ret < 0 && errno != EINTR)
			break;
		if (ret == 0 || (p[1].revents & POLLIN)) {
			if (read(ho.efd, &cnt, sizeof(cnt)) < 0 &&
			    errno != EAGAIN)
				break;
			try_select(s);
			send_unmapping(s);
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		ret = ws_ho_recv(s->sock, &m, fds, 0);
		if (ret == -ETIMEDOUT || ret == -EPROTO)
			continue;
		if (ret)
			break;
		v = handle(s, &m, fds);
	}
	if (v == GO_ON && (s->uffd >= 0 || s->state)) {
		uint64_t restored, failed;

		/* The manager is gone without a RELEASE. */
		restore(s, &restored, &failed);
		say("manager gone: %llu evicted pages restored, %llu failed; protections cleared, waiters woken\n",
		    (unsigned long long)restored, (unsigned long long)failed);
	}
	took = s->handed;
	end_session(s);
	return v != NOT_CHOSEN && !took;
}

/*
 * The memory goes only to a manager of our own user or root: whoever
 * listens on the path first would otherwise get it read-write (a socket
 * path in /tmp is anyone's to take).  SO_PEERCRED names the listener.
 */
static bool trusted_manager(int fd)
{
	static bool said;
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return false;
	if (cred.uid == 0 || cred.uid == getuid() || cred.uid == geteuid())
		return true;
	if (!said)
		say("%s: the listener (pid %d) runs as uid %u, neither ours nor root: nothing handed to it\n",
		    ho.path, (int)cred.pid, (unsigned int)cred.uid);
	said = true;
	return false;
}

static int connect_manager(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	unsigned int tries = 0;

	memcpy(a.sun_path, ho.path, sizeof(ho.path));
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		struct timespec ts = { 0, tries < 100 ? 100000000L : 0 };

		if (fd < 0)
			return -errno;
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a)) &&
		    trusted_manager(fd))
			return fd;
		close(fd);
		/* 100 ms for 10 s, then every second. */
		if (tries++ >= 100)
			ts.tv_sec = 1;
		nanosleep(&ts, NULL);
	}
}

static void *watcher(void *arg)
{
	sigset_t all;

	(void)arg;
	/* Signals are the program's business, not this thread's. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	sess.psz = (size_t)sysconf(_SC_PAGESIZE);
	for (;;) {
		sess.sock = connect_manager();
		if (sess.sock < 0 || !serve(&sess))
			break;
	}
	return NULL;
}

/* ---- hooks ---- */

static bool overlaps(const void *addr, size_t len)
{
	uint64_t a = (uintptr_t)addr;

	return atomic_load(&ho.active) && a < atomic_load(&ho.end) &&
	       a + len > atomic_load(&ho.start);
}

/* Block until the manager released the range (or the session ended). */
static void hand_back(uint32_t reason)
{
	uint64_t gen;

	if (pthread_equal(pthread_self(), ho.thread))
		return;
	pthread_mutex_lock(&ho.lock);
	gen = ho.generation;
	if (atomic_load(&ho.active)) {
		ho.unmap_wanted = true;
		ho.unmap_reason = reason;
		poke();
		while (atomic_load(&ho.active) && ho.generation == gen)
			pthread_cond_wait(&ho.cond, &ho.lock);
	}
	pthread_mutex_unlock(&ho.lock);
}

EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off)
{
	void *p;

	if (ho.enabled && (flags & MAP_FIXED) && overlaps(addr, len))
		hand_back(WS_HO_UNMAP_MUNMAP);
	p = real_mmap ? real_mmap(addr, len, prot, flags, fd, off) :
	    (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
	if (p != MAP_FAILED && atomic_load(&ho.want_maps)) {
		atomic_store(&ho.mmap_addr, (uintptr_t)p);
		atomic_store(&ho.mmap_len, len);
		atomic_store(&ho.mmap_ns, now_ns());
		poke();
	}
	return p;
}

EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd,
		    off_t off)
{
	return mmap(addr, len, prot, flags, fd, off);
}

EXPORT int munmap(void *addr, size_t len)
{
	if (ho.enabled && overlaps(addr, len))
		hand_back(WS_HO_UNMAP_MUNMAP);
	return real_munmap ? real_munmap(addr, len) :
	       (int)syscall(SYS_munmap, addr, len);
}

EXPORT void *mremap(void *old, size_t old_len, size_t new_len, int flags, ...)
{
	void *new_addr = NULL;
	va_list ap;

	if (flags & MREMAP_FIXED) {
		va_start(ap, flags);
		new_addr = va_arg(ap, void *);
		va_end(ap);
	}
	if (ho.enabled && (overlaps(old, old_len) ||
			   ((flags & MREMAP_FIXED) && overlaps(new_addr, new_len))))
		hand_back(WS_HO_UNMAP_MREMAP);
	if (real_mremap)
		return real_mremap(old, old_len, new_len, flags, new_addr);
	return (void *)syscall(SYS_mremap, old, old_len, new_len, flags,
			       new_addr);
}

/* ---- life cycle ---- */

/* Before fork(): no child may map the range while pages are evicted. */
static void atfork_prepare(void)
{
	if (ho.enabled && atomic_load(&ho.active))
		hand_back(WS_HO_UNMAP_FORK);
}

/* A forked child is not the target: drop our fds, never hand off. */
static void atfork_child(void)
{
	ho.enabled = false;
	atomic_store(&ho.active, false);
	atomic_store(&ho.want_maps, false);
	close_fd(&sess.uffd);
	close_fd(&sess.memfd);
	close_fd(&sess.storage_fd);
	close_fd(&sess.sock);
	close_fd(&ho.efd);
}

__attribute__((constructor)) static void handoff_init(void)
{
	const char *path = getenv(WS_HANDOFF_ENV);
	pthread_attr_t attr;

	real_mmap = dlsym(RTLD_NEXT, "mmap");
	real_munmap = dlsym(RTLD_NEXT, "munmap");
	real_mremap = dlsym(RTLD_NEXT, "mremap");
	if (!path || !*path || strlen(path) >= sizeof(ho.path) ||
	    !real_mmap || !real_munmap || !real_mremap)
		return;
	snprintf(ho.path, sizeof(ho.path), "%s", path);
	ho.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ho.efd < 0)
		return;
	pthread_atfork(atfork_prepare, NULL, atfork_child);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	ho.enabled = !pthread_create(&ho.thread, &attr, watcher, NULL);
	pthread_attr_destroy(&attr);
}

/* exit(): the range goes away with the process; a tmpfs file would keep
 * its evicted pages as holes. */
__attribute__((destructor)) static void handoff_fini(void)
{
	if (ho.enabled && atomic_load(&ho.active))
		hand_back(WS_HO_UNMAP_EXIT);
}
