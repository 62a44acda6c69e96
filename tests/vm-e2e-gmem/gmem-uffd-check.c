// SPDX-License-Identifier: GPL-2.0
/*
 * Run in the gmem guest by vm-e2e-gmem: what userfaultfd does on a
 * guest_memfd mapping, beyond the minor tracker.  One line per check,
 * "ok"/"FAIL"; exit 1 if any failed.
 *   - REGISTER(MISSING) is refused (the seed and the port add MINOR only);
 *   - REGISTER(MINOR) works;
 *   - UFFDIO_COPY and UFFDIO_ZEROPAGE are EINVAL (kernel/patches/gmem/0002:
 *     without it 7.3 calls a NULL ->alloc_folio());
 *   - a zapped page comes back with UFFDIO_CONTINUE, content intact;
 *   - the first access to an offset with no page yet raises no event
 *     (the thread's MISSING question): the page reads as zeroes;
 *   - the series' own selftest scenario (its patch "KVM: selftests: test
 *     userfaultfd minor for guest_memfd" is not in the seeds; this is our
 *     check of the same claim): a page written through a second,
 *     unregistered mapping of the file raises one MINOR message at its
 *     address when read through the registered one, and UFFDIO_CONTINUE
 *     lets the reader see what was written, with no further message.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#define KVMIO			0xAE
#define KVM_CREATE_VM_		_IO(KVMIO, 0x01)
struct gmem_args { uint64_t size, flags, reserved[6]; };
#define KVM_CREATE_GUEST_MEMFD_	_IOWR(KVMIO, 0xd4, struct gmem_args)
#define PG			4096UL
#define NPAGES			8

static int failed;

static void check(const char *what, long got, long want)
{
	printf("%s %s: got %ld, want %ld\n", got == want ? "ok" : "FAIL",
	       what, got, want);
	failed |= got != want;
}

static long err_of(int ret) { return ret ? -errno : 0; }

static volatile int absent_read = -1;

/* A thread, so that a fault that did wait for a handler cannot hang us. */
static void *read_absent(void *arg)
{
	absent_read = *(volatile char *)arg;
	return NULL;
}

static int last_gmem_fd = -1;

static char *map_gmem(int vm)
{
	struct gmem_args a = { .size = NPAGES * PG, .flags = 3 };
	int fd = ioctl(vm, KVM_CREATE_GUEST_MEMFD_, &a);
	char *p;

	if (fd < 0)
		return NULL;
	last_gmem_fd = fd;
	p = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

static int uffd_new(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	int fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK | 1);

	if (fd < 0 || ioctl(fd, UFFDIO_API, &api))
		return -1;
	return fd;
}

static long reg(int uffd, char *p, uint64_t mode)
{
	struct uffdio_register r = {
		.range = { (uintptr_t)p, NPAGES * PG }, .mode = mode };

	return err_of(ioctl(uffd, UFFDIO_REGISTER, &r));
}

static volatile int alias_read = -1;

static void *read_page(void *arg)
{
	alias_read = *(volatile unsigned char *)arg;
	return NULL;
}

/*
 * Page 4 of @p (registered MINOR, never touched through @p) written
 * through @alias, another mapping of the same file: the read through @p
 * is a minor fault, resolved by CONTINUE.
 */
static void alias_then_minor(int uffd, char *p, char *alias)
{
	char *page = p + 4 * PG;
	struct pollfd pf = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg = { 0 };
	pthread_t th;

	memset(alias + 4 * PG, 0xc3, PG);
	pthread_create(&th, NULL, read_page, page);
	check("a read through the registered mapping raises a message within 5 s",
	      poll(&pf, 1, 5000), 1);
	check("one message read", read(uffd, &msg, sizeof(msg)), sizeof(msg));
	check("it is a page fault", msg.event, UFFD_EVENT_PAGEFAULT);
	check("flagged MINOR", !!(msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_MINOR), 1);
	check("at the page read", (long)(msg.arg.pagefault.address & ~(PG - 1)),
	      (long)(uintptr_t)page);
	struct uffdio_continue co = { { (uintptr_t)page, PG }, 0, 0 };
	check("UFFDIO_CONTINUE resolves it", err_of(ioctl(uffd, UFFDIO_CONTINUE, &co)), 0);
	for (int i = 0; i < 50 && alias_read < 0; i++)
		usleep(100 * 1000);
	check("the reader saw what the other mapping wrote (0xc3)", alias_read, 0xc3);
	check("no further message", poll(&pf, 1, 0), 0);
	if (alias_read < 0)
		_exit(1);	/* the reader still waits: do not join it */
	pthread_join(th, NULL);
}

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR), vm, uffd, u2, pfd;
	char *p, *q, *alias, src[PG];

	vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM_, 0);
	p = vm < 0 ? NULL : map_gmem(vm);
	pfd = last_gmem_fd;
	q = vm < 0 ? NULL : map_gmem(vm);
	alias = pfd < 0 ? MAP_FAILED :
		mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE, MAP_SHARED, pfd, 0);
	uffd = uffd_new();
	u2 = uffd_new();
	if (!p || !q || alias == MAP_FAILED || uffd < 0 || u2 < 0) {
		printf("FAIL setup: %s\n", strerror(errno));
		return 1;
	}
	check("REGISTER(MISSING) on guest_memfd is EINVAL", reg(u2, q, UFFDIO_REGISTER_MODE_MISSING), -EINVAL);
	memset(p, 0x5a, PG);			/* page 0 in the page cache */
	check("REGISTER(MINOR) on guest_memfd", reg(uffd, p, UFFDIO_REGISTER_MODE_MINOR), 0);

	memset(src, 0xa5, sizeof(src));
	struct uffdio_copy cp = { (uintptr_t)p + PG, (uintptr_t)src, PG, 0, 0 };
	check("UFFDIO_COPY into it is EINVAL (no ->alloc_folio)", err_of(ioctl(uffd, UFFDIO_COPY, &cp)), -EINVAL);
	struct uffdio_zeropage zp = { { (uintptr_t)p + 2 * PG, PG }, 0, 0 };
	check("UFFDIO_ZEROPAGE into it is EINVAL", err_of(ioctl(uffd, UFFDIO_ZEROPAGE, &zp)), -EINVAL);

	check("MADV_DONTNEED zaps page 0", err_of(madvise(p, PG, MADV_DONTNEED)), 0);
	struct uffdio_continue co = { { (uintptr_t)p, PG }, 0, 0 };
	check("UFFDIO_CONTINUE maps page 0 back", err_of(ioctl(uffd, UFFDIO_CONTINUE, &co)), 0);
	check("page 0 kept its content (0x5a)", p[0] == 0x5a && p[PG - 1] == 0x5a, 1);

	/* Offset 3 has no page: MINOR only traps pages already cached. */
	pthread_t th;

	pthread_create(&th, NULL, read_absent, p + 3 * PG);
	for (int i = 0; i < 50 && absent_read < 0; i++)
		usleep(100 * 1000);
	check("first read of an absent page returns (reads 0) within 5 s", absent_read, 0);
	struct pollfd pf = { .fd = uffd, .events = POLLIN };
	check("no userfaultfd message was queued for it", poll(&pf, 1, 0), 0);
	if (absent_read < 0)
		_exit(1);	/* the reader still waits: do not join it */
	pthread_join(th, NULL);
	alias_then_minor(uffd, p, alias);
	return failed;
}
