// SPDX-License-Identifier: GPL-2.0
/*
 * userfaultfd plumbing: fd creation, UFFDIO_API negotiation, fdinfo
 * parsing and the sync-mode handler thread.
 *
 * Every uffd is created with UFFD_USER_MODE_ONLY.  That needs no privilege
 * (brief §1.3) and has a consequence the benchmarks rely on: a protected
 * page touched from kernel mode (read(2) into it, process_vm_readv, ...)
 * fails with EFAULT instead of blocking on our handler (brief gotcha 10).
 * A benchmark therefore never deadlocks on a kernel access it did not
 * mean to measure; user-mode accesses, the ones we measure, are delivered.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "compat_uapi.h"
#include "threads.h"
#include "uffd.h"

#define UFFD_OPEN_FLAGS	(O_CLOEXEC | O_NONBLOCK | WS_UFFD_USER_MODE_ONLY)

int ws_uffd_create(char *why, size_t len)
{
	int fd, dev, sys_err, dev_err;

	fd = syscall(__NR_userfaultfd, UFFD_OPEN_FLAGS);
	if (fd >= 0)
		return fd;
	sys_err = errno;

	/*
	 * /dev/userfaultfd is the route for processes that may not call the
	 * syscall (vm.unprivileged_userfaultfd=0 and no CAP_SYS_PTRACE only
	 * matters without USER_MODE_ONLY, but LSMs and seccomp can still say
	 * no).  Same flags, so the same kernel-mode semantics.
	 */
	dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		dev_err = errno;
		snprintf(why, len,
			 "userfaultfd(2): %s; open /dev/userfaultfd: %s",
			 strerror(sys_err), strerror(dev_err));
		return -sys_err;
	}
	fd = ioctl(dev, WS_USERFAULTFD_IOC_NEW, UFFD_OPEN_FLAGS);
	dev_err = errno;
	close(dev);
	if (fd < 0) {
		snprintf(why, len,
			 "userfaultfd(2): %s; USERFAULTFD_IOC_NEW: %s",
			 strerror(sys_err), strerror(dev_err));
		return -sys_err;
	}
	return fd;
}

int ws_uffd_open(uint64_t features, uint64_t *features_out,
		 uint64_t *ioctls_out, char *why, size_t len)
{
	struct uffdio_api api = { .api = UFFD_API, .features = features };
	int fd, err;

	fd = ws_uffd_create(why, len);
	if (fd < 0)
		return fd;
	if (ioctl(fd, UFFDIO_API, &api)) {
		err = errno;
		/* The kernel zeroes the struct on error: nothing to report. */
		snprintf(why, len, "UFFDIO_API(features=0x%" PRIx64 "): %s",
			 features, strerror(err));
		close(fd);
		return -err;
	}
	if (features_out)
		*features_out = api.features;
	if (ioctls_out)
		*ioctls_out = api.ioctls;
	return fd;
}

int ws_uffd_probe_api(uint64_t *features, uint64_t *ioctls,
		      char *why, size_t len)
{
	/* UFFDIO_API works once per fd (brief gotcha 11): use a throwaway. */
	int fd = ws_uffd_open(0, features, ioctls, why, len);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

int ws_uffd_fdinfo_api(int fd, uint64_t *features, uint64_t *ioctls)
{
	char path[64], line[256];
	unsigned long long api, f, i;
	int ret = -ENOENT;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	fp = fopen(path, "re");
	if (!fp)
		return -errno;
	while (fgets(line, sizeof(line), fp)) {
		/* "API:\t%Lx:%x:%Lx" (brief §4.3 step 1) */
		if (sscanf(line, "API: %llx:%llx:%llx", &api, &f, &i) == 3) {
			*features = f;
			*ioctls = i;
			ret = 0;
			break;
		}
	}
	fclose(fp);
	return ret;
}

int ws_uffd_ioctl_retry(int uffd, unsigned long req, void *arg)
{
	while (ioctl(uffd, req, arg)) {
		if (errno != EAGAIN)
			return -errno;
	}
	return 0;
}

int ws_uffd_wake(int uffd, uint64_t start, uint64_t len)
{
	struct uffdio_range range = { .start = start, .len = len };

	return ioctl(uffd, UFFDIO_WAKE, &range) ? -errno : 0;
}

int ws_uffd_wake_if_exists(int uffd, int ret, uint64_t start, uint64_t len)
{
	return ret == -EEXIST ? ws_uffd_wake(uffd, start, len) : ret;
}

/* ---- sync-mode handler thread ---- */

/* Messages per read(2): one syscall drains a burst of faulting threads. */
#define HANDLER_BATCH	64

static void *handler_main(void *arg)
{
	struct ws_uffd_handler *h = arg;
	struct uffd_msg msgs[HANDLER_BATCH];
	struct pollfd pfd[2] = {
		{ .fd = h->uffd, .events = POLLIN },
		{ .fd = h->stop_pipe[0], .events = POLLIN },
	};

	for (;;) {
		ssize_t n;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			__atomic_store_n(&h->error, -errno, __ATOMIC_RELAXED);
			break;
		}
		if (pfd[1].revents)
			break;
		if (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
			__atomic_store_n(&h->error, -EPIPE, __ATOMIC_RELAXED);
			break;
		}
		if (!(pfd[0].revents & POLLIN))
			continue;

		n = read(h->uffd, msgs, sizeof(msgs));
		if (n < 0) {
			/* Woken waiter withdrew its message: nothing to do. */
			if (errno == EAGAIN || errno == EINTR)
				continue;
			__atomic_store_n(&h->error, -errno, __ATOMIC_RELAXED);
			break;
		}
		for (size_t i = 0; i < (size_t)n / sizeof(msgs[0]); i++) {
			int ret;

			if (msgs[i].event != UFFD_EVENT_PAGEFAULT) {
				__atomic_add_fetch(&h->unexpected, 1,
						   __ATOMIC_RELAXED);
				continue;
			}
			/*
			 * Count before resolving: resolve() wakes the faulting
			 * thread, which may read the counter at once.
			 */
			__atomic_add_fetch(&h->faults, 1, __ATOMIC_RELAXED);
			/*
			 * resolve() issues an ioctl on the uffd; it must never
			 * dereference the faulting address (brief gotcha 9).
			 */
			ret = h->resolve(h, &msgs[i]);
			if (ret) {
				__atomic_sub_fetch(&h->faults, 1,
						   __ATOMIC_RELAXED);
				__atomic_store_n(&h->error, ret,
						 __ATOMIC_RELAXED);
				return NULL;
			}
		}
	}
	return NULL;
}

/*
 * A thread inherits its creator's affinity, and the measuring thread is
 * usually pinned (CPU 0) and busy: the handler would then only run when it
 * is preempted, and every sync fault would measure the scheduler.  Pin the
 * handler to one fixed CPU other than the creator's -- the first in the
 * process's starting affinity mask -- so that its placement is the same in
 * every repetition (a handler migrating between CPUs gave bimodal fault
 * latencies) and is recorded; a VMM's fault handler does not share the
 * faulting vCPU's CPU either.
 */
static int handler_cpu(pthread_attr_t *attr)
{
	int self = sched_getcpu();
	cpu_set_t set;

	for (int i = 0; i < ws_cpu_count(); i++) {
		int c = ws_cpu_id(i);

		if (c == self)
			continue;
		CPU_ZERO(&set);
		CPU_SET(c, &set);
		if (pthread_attr_setaffinity_np(attr, sizeof(set), &set))
			return -1;
		return c;
	}
	return -1;	/* one CPU: it shares the creator's */
}

int ws_uffd_handler_start(struct ws_uffd_handler *h, int uffd,
			  size_t page_size, ws_uffd_resolve_fn resolve,
			  void *arg)
{
	pthread_attr_t attr;
	int err;

	memset(h, 0, sizeof(*h));
	h->uffd = uffd;
	h->page_size = page_size;
	h->resolve = resolve;
	h->arg = arg;
	if (pipe2(h->stop_pipe, O_CLOEXEC))
		return -errno;
	h->cpu = -1;
	err = pthread_attr_init(&attr);
	if (!err) {
		h->cpu = handler_cpu(&attr);
		err = pthread_create(&h->thread, &attr, handler_main, h);
		pthread_attr_destroy(&attr);
	}
	if (err) {
		close(h->stop_pipe[0]);
		close(h->stop_pipe[1]);
		return -err;
	}
	h->running = true;
	return 0;
}

void ws_uffd_handler_stop(struct ws_uffd_handler *h)
{
	char c = 0;

	if (!h->running)
		return;
	/* A full pipe cannot happen: one byte, written once. */
	if (write(h->stop_pipe[1], &c, 1) != 1)
		perror("wsbench: uffd handler stop pipe");
	pthread_join(h->thread, NULL);
	close(h->stop_pipe[0]);
	close(h->stop_pipe[1]);
	h->running = false;
}

uint64_t ws_uffd_handler_cpu_ns(const struct ws_uffd_handler *h)
{
	struct timespec ts;
	clockid_t clk;

	if (!h->running || pthread_getcpuclockid(h->thread, &clk) ||
	    clock_gettime(clk, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
