// SPDX-License-Identifier: GPL-2.0
/*
 * wsbench nested kvm-probe: can this machine run a KVM guest?  /dev/kvm
 * opening, and even KVM_CREATE_VM and KVM_CREATE_VCPU succeeding, do not
 * say so (a machine without VMX/SVM may still offer the API): the probe
 * runs a one-instruction real-mode guest (hlt) and wants KVM_EXIT_HLT
 * within two seconds.  Prints "kvm: usable" (exit 0) or "kvm: not usable:
 * REASON" (exit 1), the reason scripts/nested-run.sh records.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "nested.h"

#define GUEST_BASE	0x1000
#define PROBE_SECONDS	2

static void on_alarm(int sig)
{
	(void)sig;	/* only interrupts KVM_RUN */
}

static int no(const char *what, int err)
{
	printf("kvm: not usable: %s%s%s\n", what, err ? ": " : "",
	       err ? strerror(err) : "");
	return 1;
}

/* A real-mode vCPU at GUEST_BASE, where @code is. */
static int setup_vcpu(int vcpu)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = GUEST_BASE, .rflags = 2 };

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		return -errno;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) || ioctl(vcpu, KVM_SET_REGS, &regs))
		return -errno;
	return 0;
}

static int run_hlt(int kvm, int vm)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct kvm_userspace_memory_region region = {
		.guest_phys_addr = GUEST_BASE, .memory_size = 0x1000,
	};
	struct kvm_run *run;
	unsigned char *mem;
	int vcpu, size, ret;

	mem = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return no("mmap", errno);
	mem[0] = 0xf4;	/* hlt */
	region.userspace_addr = (unsigned long)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region))
		return no("KVM_SET_USER_MEMORY_REGION", errno);
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return no("KVM_CREATE_VCPU", errno);
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = size > 0 ? mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
			      MAP_SHARED, vcpu, 0) : MAP_FAILED;
	if (run == MAP_FAILED)
		return no("mapping the vCPU's kvm_run", errno);
	ret = setup_vcpu(vcpu);
	if (ret)
		return no("setting the vCPU's registers", -ret);
	sigaction(SIGALRM, &sa, NULL);
	alarm(PROBE_SECONDS);
	ret = ioctl(vcpu, KVM_RUN, 0);
	alarm(0);
	if (ret && errno == EINTR)
		return no("KVM_RUN of a one-instruction guest (hlt) did not come back within 2 s (no hardware virtualisation under this KVM API)", 0);
	if (ret)
		return no("KVM_RUN", errno);
	if (run->exit_reason != KVM_EXIT_HLT) {
		char why[128];

		snprintf(why, sizeof(why),
			 "KVM_RUN of a one-instruction guest (hlt) exited with reason %u, not KVM_EXIT_HLT",
			 run->exit_reason);
		return no(why, 0);
	}
	printf("kvm: usable\n");
	return 0;
}

int ws_nested_kvm_probe_cmd(int argc, char **argv)
{
	int kvm, vm, ver;

	(void)argc;
	(void)argv;
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return no("/dev/kvm", errno);
	ver = ioctl(kvm, KVM_GET_API_VERSION, 0);
	if (ver != KVM_API_VERSION)
		return no("KVM_GET_API_VERSION is not 12", ver < 0 ? errno : 0);
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return no("KVM_CREATE_VM", errno);
	return run_hlt(kvm, vm);
}
