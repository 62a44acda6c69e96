/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest_memfd as a memory backing.  KVM_CREATE_GUEST_MEMFD is a VM ioctl,
 * so a VM must exist to own the file: a default (KVM_X86_DEFAULT_VM) VM
 * with no vCPU and no memslot, only its file descriptor.  The file is
 * created with GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED so it
 * can be mmap()ed and faulted from user space like shmem.
 */
#ifndef WS_GMEM_H
#define WS_GMEM_H

#include <stddef.h>

/*
 * Create a VM and a guest_memfd of @len bytes.  Returns the guest_memfd
 * and stores the VM fd in *@vm_fd, or returns -EOPNOTSUPP (-ENOMEM: no
 * room) with the exact step that failed and its errno in @why ("gmem: open /dev/kvm: No such file or directory
 * (no KVM in this kernel, or no SVM/VMX for it)").
 */
int ws_gmem_create(size_t len, int *vm_fd, char *why, size_t whylen);

#endif /* WS_GMEM_H */
