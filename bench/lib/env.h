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
/* Its "mm" part alone: the knobs, re-read at a run's end (knob_recheck.c). */
json_t *ws_env_mm(void);
/*
 * Re-read @env's "mm" and "numa" parts: for a benchmark that sets knobs
 * of its own (numa-interplay's numa_balancing=1) before it measures, so
 * that the record is what the measurement ran under.
 */
void ws_env_refresh_knobs(json_t *env);

/* "bare-metal", "kvm", "tcg", or another hypervisor name. */
const char *ws_env_virt(char *buf, size_t len);

#endif /* WS_ENV_H */
