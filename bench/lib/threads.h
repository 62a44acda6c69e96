/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU placement and the "TLB-hot" helper threads of protect-cost and
 * set-mode.  Threads are pinned when the machine has the CPUs; the JSON
 * says what was done ("pinned": true/false and why).
 */
#ifndef WS_THREADS_H
#define WS_THREADS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "mem.h"

/* A spin-wait's pause: lets the sibling hyperthread run, saves power. */
static inline void ws_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

int ws_cpu_count(void);		/* CPUs in our affinity mask */
int ws_cpu_id(int idx);		/* real CPU id of mask index @idx (wraps) */
int ws_pin_self(int cpu);	/* mask index; 0 or -errno */

/*
 * @n threads, each pinned to a CPU other than the measuring thread's (CPU
 * 0) when enough CPUs exist.  On ws_hot_threads_sweep() every thread reads
 * one byte of every page of @mem once (so its TLB holds the range), then
 * they spin on private data -- staying on-CPU in this mm so TLB shootdowns
 * must reach them -- until the next sweep or stop.  They never touch @mem
 * outside a sweep, so protecting it while they spin cannot fault them.
 */
struct ws_hot_threads;

int ws_hot_threads_start(struct ws_hot_threads **out, struct ws_mem *mem,
			 unsigned int n);
/* Blocks until every thread finished its sweep. */
void ws_hot_threads_sweep(struct ws_hot_threads *h);
void ws_hot_threads_stop(struct ws_hot_threads *h);
/* {"threads":n,"pinned":bool,"cpus":[..],"note":..} */
json_t *ws_hot_threads_json(const struct ws_hot_threads *h);

#endif /* WS_THREADS_H */
