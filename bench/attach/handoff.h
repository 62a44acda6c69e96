/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The uffd handoff protocol between wsbench (the manager) and the preload
 * library in a target process (bench/attach/preload/), so that wsbench can
 * track, evict and refault the memory of a program it did not write.
 *
 * The target is started with
 *     LD_PRELOAD=<dir>/libwsbench-handoff.so WSBENCH_HANDOFF_SOCKET=<path>
 * and its code is untouched.  The library connects to <path> (a UNIX
 * SOCK_SEQPACKET socket the manager listens on), retrying until a manager
 * is there, and then serves requests on a thread of its own:
 *
 *   library -> HELLO        {pid}
 *   manager -> SELECT       {select, size, name}: which mapping
 *   library -> RANGE        {start, len, offset, name, flags, mmap_ns}
 *                           + the memory fd (memfd / shmem file) if any
 *   manager -> UFFD         {features, mode}: UFFDIO_API(features),
 *                           UFFDIO_REGISTER(range, mode) in the target
 *   library -> UFFD_REPLY   {ioctls, features, flags} + the uffd
 *   manager -> STORAGE      {npages, page_size} + storage fd, state fd
 *   library -> STORAGE_ACK
 *   library -> UNMAPPING    the target is about to munmap/mremap the
 *                           range, fork or exit: the manager stops and
 *                           releases (a forked child shares the memory but
 *                           not the uffd: it would read evicted pages as
 *                           zeros, so the range is given back first)
 *   manager -> RELEASE      the manager has stopped using the uffd
 *   library -> RELEASED     {restored, failed}
 *   manager -> BYE          not this process (another one was chosen)
 *
 * RELEASE and a closed socket (the manager exited or was killed) lead to
 * the same recovery in the library: every page the shared state marks
 * evicted whose memory is a hole is read back from the storage file and
 * written into the memory fd, then the library closes its uffd, which
 * clears every protection and wakes every waiting thread.  The target
 * keeps running with its memory intact whatever happens to wsbench.
 *
 * Every reply carries status = 0 or -errno and, on error, text.  All
 * messages are one struct ws_ho_msg; fds travel as SCM_RIGHTS.
 */
#ifndef WS_HANDOFF_H
#define WS_HANDOFF_H

#include <stdint.h>
#include <sys/types.h>

/* The environment variable that names the socket (and enables the library). */
#define WS_HANDOFF_ENV		"WSBENCH_HANDOFF_SOCKET"
#define WS_HANDOFF_LIB_NAME	"libwsbench-handoff.so"

#define WS_HO_MAGIC		0x66687377u	/* "wshf" */
#define WS_HO_VERSION		1
#define WS_HO_MAX_FDS		2

enum ws_ho_type {
	WS_HO_HELLO = 1,
	WS_HO_SELECT,
	WS_HO_RANGE,
	WS_HO_UFFD,
	WS_HO_UFFD_REPLY,
	WS_HO_STORAGE,
	WS_HO_STORAGE_ACK,
	WS_HO_UNMAPPING,
	WS_HO_RELEASE,
	WS_HO_RELEASED,
	WS_HO_BYE,
	WS_HO_TYPE_NR
};

/* SELECT: which mapping (see ws_maps_select()). */
enum ws_ho_select {
	WS_SEL_LARGEST,		/* largest anon/shared mapping >= size */
	WS_SEL_NAME,		/* largest mapping whose path holds name */
	WS_SEL_SHARED,		/* largest shared mapping >= size (default) */
	WS_SEL_NR
};

/* RANGE / UFFD_REPLY flags. */
#define WS_HO_F_MEMFD		(1u << 0)	/* RANGE carries the memory fd */
#define WS_HO_F_SHARED		(1u << 1)	/* shared mapping (shmem/memfd/file) */
#define WS_HO_F_THP		(1u << 2)	/* smaps THPeligible: 1 */
#define WS_HO_F_USER_MODE_ONLY	(1u << 3)	/* uffd made with UFFD_USER_MODE_ONLY */

/* UNMAPPING reasons. */
enum ws_ho_unmap {
	WS_HO_UNMAP_MUNMAP = 1,
	WS_HO_UNMAP_MREMAP,
	WS_HO_UNMAP_EXIT,
	WS_HO_UNMAP_FORK,	/* fork(): a child would share the range */
};

struct ws_ho_msg {
	uint32_t magic;
	uint32_t version;
	uint32_t type;		/* enum ws_ho_type */
	int32_t status;		/* replies: 0 or -errno */
	uint32_t flags;		/* WS_HO_F_* */
	uint32_t select;	/* SELECT: enum ws_ho_select */
	uint32_t reason;	/* UNMAPPING: enum ws_ho_unmap */
	uint32_t pad;
	uint64_t pid;		/* HELLO */
	uint64_t size;		/* SELECT: minimum size */
	uint64_t start, len;	/* RANGE: the mapping, target addresses */
	uint64_t offset;	/* RANGE: its offset in the memory fd */
	uint64_t mmap_ns;	/* RANGE: CLOCK_MONOTONIC of the mmap() that
				 * made it, 0 if it predates the request */
	uint64_t features;	/* UFFD: asked; UFFD_REPLY: UFFDIO_API's */
	uint64_t mode;		/* UFFD: UFFDIO_REGISTER_MODE_* */
	uint64_t ioctls;	/* UFFD_REPLY: UFFDIO_REGISTER's ioctls */
	uint64_t npages;	/* STORAGE */
	uint64_t page_size;	/* STORAGE */
	uint64_t restored;	/* RELEASED: pages read back from storage */
	uint64_t failed;	/* RELEASED: pages that could not be */
	char name[256];		/* SELECT: substring; RANGE: maps path */
	char text[256];		/* error message */
};

/* A message of @type, header filled in. */
void ws_ho_init(struct ws_ho_msg *m, enum ws_ho_type type);
const char *ws_ho_type_name(uint32_t type);

/* Send @m with @nfds fds.  0 or -errno. */
int ws_ho_send(int sock, const struct ws_ho_msg *m, const int *fds, int nfds);
/*
 * Receive one message (wait at most @timeout_ms, -1: forever) and up to
 * WS_HO_MAX_FDS fds into @fds (unused slots -1; the caller owns them).
 * 0, -EPIPE on EOF, -ETIMEDOUT, -EPROTO for a malformed message, -errno.
 */
int ws_ho_recv(int sock, struct ws_ho_msg *m, int *fds, int timeout_ms);

#endif /* WS_HANDOFF_H */
