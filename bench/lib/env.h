/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Environment capture for provenance: kernel (release, cmdline, config hash
 * and the relevant options), CPU, THP/KSM/NUMA/lru_gen settings, governor,
 * virtualisation (bare metal, KVM guest, TCG guest), harness commit,
 * compiler, and the kernel build key / image hash when run in the wsbench
 * VM (from WSBENCH_* environment variables set by the guest init).
 */
#ifndef WS_ENV_H
#define WS_ENV_H

#include <jansson.h>

json_t *ws_env_capture(void);

/* "bare-metal", "kvm", "tcg", or another hypervisor name. */
const char *ws_env_virt(char *buf, size_t len);

#endif /* WS_ENV_H */
