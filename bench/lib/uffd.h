/* SPDX-License-Identifier: GPL-2.0 */
/*
 * userfaultfd plumbing shared by the rwp, minor-anon and wp backends:
 * creating the fd, a throwaway feature probe (UFFDIO_API works once per fd
 * and zeroes its struct on error: brief §1.3), and the sync-mode handler
 * thread.  The handler never touches tracked memory (brief gotcha 9): it
 * only reads messages and issues resolve ioctls.
 */
#ifndef WS_UFFD_H
#define WS_UFFD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/userfaultfd.h>

/* Create a uffd: userfaultfd(2) with UFFD_USER_MODE_ONLY, falling back to
 * /dev/userfaultfd.  Returns fd or -errno; @why says what failed. */
int ws_uffd_create(char *why, size_t len);
/* Create + UFFDIO_API(@features); @features_out, @ioctls_out may be NULL. */
int ws_uffd_open(uint64_t features, uint64_t *features_out,
		 uint64_t *ioctls_out, char *why, size_t len);
/* Throwaway fd, UFFDIO_API(features=0): what the kernel offers. */
int ws_uffd_probe_api(uint64_t *features, uint64_t *ioctls,
		      char *why, size_t len);
/* Read the "API:" line of /proc/self/fdinfo/<fd>: aa:<features>:<ioctls>.
 * Returns 0 and fills the values, or -errno. */
int ws_uffd_fdinfo_api(int fd, uint64_t *features, uint64_t *ioctls);
/*
 * ioctl(@uffd, @req, @arg), issued again while it fails with EAGAIN
 * (mmap_changing: a non-cooperative event is in flight).  0 or -errno.
 */
int ws_uffd_ioctl_retry(int uffd, unsigned long req, void *arg);
/* UFFDIO_WAKE of [@start, @start + @len): 0 or -errno. */
int ws_uffd_wake(int uffd, uint64_t start, uint64_t len);
/*
 * @ret of a CONTINUE or COPY that resolved a fault at [@start, @start +
 * @len): -EEXIST means another resolution mapped the page first (and woke
 * its own waiter); wake the range anyway so that no faulting thread is
 * left asleep, and return 0.  Any other @ret is returned as is.
 */
int ws_uffd_wake_if_exists(int uffd, int ret, uint64_t start, uint64_t len);

struct ws_uffd_handler;
/* Resolve one fault message; return 0 or -errno (stops the handler). */
typedef int (*ws_uffd_resolve_fn)(struct ws_uffd_handler *h,
				  const struct uffd_msg *msg);

struct ws_uffd_handler {
	int uffd;
	size_t page_size;		/* resolve granule */
	ws_uffd_resolve_fn resolve;
	void *arg;
	pthread_t thread;
	int stop_pipe[2];
	bool running;
	int cpu;			/* CPU it is pinned to, -1: not pinned */
	uint64_t faults;		/* messages resolved */
	uint64_t unexpected;		/* non-pagefault or unexpected flags */
	int error;			/* first -errno from resolve, or 0 */
};

int ws_uffd_handler_start(struct ws_uffd_handler *h, int uffd,
			  size_t page_size, ws_uffd_resolve_fn resolve,
			  void *arg);
void ws_uffd_handler_stop(struct ws_uffd_handler *h);
/* CPU time the handler thread has used so far (0 if not running). */
uint64_t ws_uffd_handler_cpu_ns(const struct ws_uffd_handler *h);

#endif /* WS_UFFD_H */
