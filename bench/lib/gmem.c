// SPDX-License-Identifier: GPL-2.0
/*
 * guest_memfd through KVM.  Debian bookworm's <linux/kvm.h> predates
 * guest_memfd, so the few definitions needed are spelled out here, as in
 * Linux 7.3's include/uapi/linux/kvm.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "parse.h"
#include "gmem.h"

#define WS_KVMIO			0xAE
#define WS_KVM_CREATE_VM		_IO(WS_KVMIO, 0x01)
#define WS_KVM_CHECK_EXTENSION		_IO(WS_KVMIO, 0x03)
#define WS_KVM_CAP_GUEST_MEMFD		234
#define WS_KVM_CAP_GUEST_MEMFD_FLAGS	244
#define WS_GUEST_MEMFD_FLAG_MMAP	(1ULL << 0)
#define WS_GUEST_MEMFD_FLAG_INIT_SHARED	(1ULL << 1)

struct ws_kvm_create_guest_memfd {
	uint64_t size;
	uint64_t flags;
	uint64_t reserved[6];
};

#define WS_KVM_CREATE_GUEST_MEMFD \
	_IOWR(WS_KVMIO, 0xd4, struct ws_kvm_create_guest_memfd)

#define WS_GMEM_FLAGS	(WS_GUEST_MEMFD_FLAG_MMAP | \
			 WS_GUEST_MEMFD_FLAG_INIT_SHARED)

/* The VM, with the capabilities checked on it (they are per VM type). */
static int create_vm(char *why, size_t whylen)
{
	int kvm, vm, err;
	long flags;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return ws_why_err(why, whylen, EOPNOTSUPP,
				  "gmem: open /dev/kvm: %s (no KVM in this kernel, or no SVM/VMX for it: see dmesg)",
				  strerror(errno));
	vm = ioctl(kvm, WS_KVM_CREATE_VM, 0);
	err = errno;
	close(kvm);
	if (vm < 0)
		return ws_why_err(why, whylen, EOPNOTSUPP, "gmem: KVM_CREATE_VM: %s",
				  strerror(err));
	if (ioctl(vm, WS_KVM_CHECK_EXTENSION, WS_KVM_CAP_GUEST_MEMFD) <= 0) {
		close(vm);
		return ws_why_err(why, whylen, EOPNOTSUPP,
				  "gmem: KVM_CHECK_EXTENSION(KVM_CAP_GUEST_MEMFD) = 0 (CONFIG_KVM_GUEST_MEMFD off)");
	}
	flags = ioctl(vm, WS_KVM_CHECK_EXTENSION, WS_KVM_CAP_GUEST_MEMFD_FLAGS);
	if (flags < 0 || ((uint64_t)flags & WS_GMEM_FLAGS) != WS_GMEM_FLAGS) {
		close(vm);
		return ws_why_err(why, whylen, EOPNOTSUPP,
				  "gmem: KVM_CAP_GUEST_MEMFD_FLAGS = 0x%lx lacks MMAP|INIT_SHARED (0x%llx)",
				  flags, (unsigned long long)WS_GMEM_FLAGS);
	}
	return vm;
}

int ws_gmem_create(size_t len, int *vm_fd, char *why, size_t whylen)
{
	struct ws_kvm_create_guest_memfd args = {
		.size = len,
		.flags = WS_GMEM_FLAGS,
	};
	int vm, fd, err;

	vm = create_vm(why, whylen);
	if (vm < 0)
		return vm;
	fd = ioctl(vm, WS_KVM_CREATE_GUEST_MEMFD, &args);
	if (fd < 0) {
		err = errno;
		close(vm);
		/* ENOMEM is a size that does not fit; anything else a refusal. */
		return ws_why_err(why, whylen, err == ENOMEM ? ENOMEM : EOPNOTSUPP,
				  "gmem: KVM_CREATE_GUEST_MEMFD(%zu bytes, MMAP|INIT_SHARED): %s",
				  len, strerror(err));
	}
	/* KVM opens the VM fd close-on-exec, not the guest_memfd. */
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	*vm_fd = vm;
	return fd;
}
