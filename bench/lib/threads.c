// SPDX-License-Identifier: GPL-2.0
/*
 * CPU placement and TLB-hot helper threads.
 *
 * CPU numbers given to ws_pin_self() are indices into the affinity mask
 * the process started with (captured before anyone pins), so "CPU 0" means
 * "the first CPU we may run on" also under taskset or a cgroup cpuset.
 * The JSON reports the real CPU ids.
 *
 * Helper thread protocol: the measuring thread bumps an atomic generation
 * number; each helper sees the change, reads one byte of every page of the
 * region (filling its TLB), acknowledges by incrementing an atomic counter,
 * and goes back to spinning.  While spinning it only increments a counter
 * in its own cache line (no false sharing with the measuring thread, no
 * coherence traffic besides the occasional generation check) with a pause
 * hint, so it stays runnable and on its CPU in our mm: a TLB shootdown
 * issued by the measuring thread must IPI it.  It never blocks in the
 * kernel (no futex sleep), as a sleeping CPU would switch to another mm or
 * to lazy TLB mode and the shootdown could skip it.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "threads.h"

#define CACHELINE	64

/* ---- CPUs ---- */

static cpu_set_t start_mask;
static int start_ncpu;
static int start_cpus[CPU_SETSIZE];

/* Run before main(), i.e. before any benchmark pins the main thread. */
__attribute__((constructor)) static void capture_affinity(void)
{
	CPU_ZERO(&start_mask);
	if (sched_getaffinity(0, sizeof(start_mask), &start_mask)) {
		start_ncpu = 1;	/* unknown: behave as a uniprocessor */
		start_cpus[0] = sched_getcpu() >= 0 ? sched_getcpu() : 0;
		return;
	}
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &start_mask))
			start_cpus[start_ncpu++] = c;
}

int ws_cpu_count(void)
{
	if (!start_ncpu)	/* not linked with constructors run? */
		capture_affinity();
	return start_ncpu;
}

int ws_cpu_id(int idx)
{
	return start_cpus[idx % ws_cpu_count()];
}

int ws_pin_self(int cpu)
{
	cpu_set_t set;
	int err;

	if (cpu < 0 || cpu >= ws_cpu_count())
		return -EINVAL;
	CPU_ZERO(&set);
	CPU_SET(ws_cpu_id(cpu), &set);
	err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	return -err;
}

/* ---- hot threads ---- */

struct hot_thread {
	/* Written only by its own thread while spinning. */
	_Alignas(CACHELINE) volatile uint64_t spins;
	uint64_t sum;		/* keeps the sweep reads alive */
	struct ws_hot_threads *h;
	pthread_t tid;
	int cpu;		/* real CPU id, -1 if unpinned */
};

struct ws_hot_threads {
	struct ws_mem *mem;
	unsigned int n;
	bool pinned;		/* each helper had a CPU of its own */
	char note[256];
	struct hot_thread *t;
	_Alignas(CACHELINE) atomic_uint gen;
	atomic_bool stop;
	_Alignas(CACHELINE) atomic_uint done;
};

static void sweep_once(struct hot_thread *t)
{
	const struct ws_mem *m = t->h->mem;
	const volatile char *p = (const volatile char *)m->addr;
	uint64_t sum = 0;

	for (size_t off = 0; off < m->len; off += m->page_size)
		sum += p[off];
	t->sum += sum;
}

static void *hot_thread_main(void *arg)
{
	struct hot_thread *t = arg;
	struct ws_hot_threads *h = t->h;
	unsigned int seen = 0;

	for (;;) {
		unsigned int g = atomic_load_explicit(&h->gen,
						      memory_order_acquire);

		if (atomic_load_explicit(&h->stop, memory_order_relaxed))
			break;
		if (g != seen) {
			seen = g;
			sweep_once(t);
			atomic_fetch_add_explicit(&h->done, 1,
						  memory_order_release);
			continue;
		}
		t->spins++;
		/*
		 * Sharing a CPU (see note): let the sibling that still has
		 * to sweep run.  sched_yield keeps us runnable, so whichever
		 * thread holds the CPU is still one of ours, in this mm.
		 */
		if (!h->pinned)
			sched_yield();
		else
			ws_cpu_relax();
	}
	return NULL;
}

int ws_hot_threads_start(struct ws_hot_threads **out, struct ws_mem *mem,
			 unsigned int n)
{
	struct ws_hot_threads *h;
	int ncpu = ws_cpu_count();
	/* CPUs besides the measuring thread's (index 0). */
	int others = ncpu > 1 ? ncpu - 1 : 0;
	int err = 0;

	*out = NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->t = aligned_alloc(CACHELINE, (n ? n : 1) * sizeof(*h->t));
	if (!h->t) {
		free(h);
		return -ENOMEM;
	}
	memset(h->t, 0, (n ? n : 1) * sizeof(*h->t));
	h->mem = mem;
	h->n = n;
	atomic_init(&h->gen, 0);
	atomic_init(&h->done, 0);
	atomic_init(&h->stop, false);
	h->pinned = (unsigned int)others >= n;
	if (!h->pinned)
		snprintf(h->note, sizeof(h->note),
			 "only %d CPUs: helper threads share CPUs with each other/the measuring thread, so remote TLB shootdown counts are not isolated",
			 ncpu);

	for (unsigned int i = 0; i < n; i++) {
		struct hot_thread *t = &h->t[i];
		pthread_attr_t attr;
		cpu_set_t set;

		t->h = h;
		/* Round robin over CPUs 1..ncpu-1; CPU 0 only if alone. */
		t->cpu = ws_cpu_id(others ? 1 + i % others : 0);
		CPU_ZERO(&set);
		CPU_SET(t->cpu, &set);
		pthread_attr_init(&attr);
		err = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		if (!err)
			err = pthread_create(&t->tid, &attr, hot_thread_main, t);
		pthread_attr_destroy(&attr);
		if (err) {
			h->n = i;	/* stop the ones already running */
			ws_hot_threads_stop(h);
			return -err;
		}
	}
	*out = h;
	return 0;
}

void ws_hot_threads_sweep(struct ws_hot_threads *h)
{
	unsigned long waits = 0;

	if (!h || !h->n)
		return;
	atomic_store_explicit(&h->done, 0, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->gen, 1, memory_order_release);
	while (atomic_load_explicit(&h->done, memory_order_acquire) < h->n) {
		/* Sharing a CPU with a helper: give it the CPU. */
		if (!h->pinned && ++waits % 64 == 0)
			sched_yield();
		ws_cpu_relax();
	}
}

void ws_hot_threads_stop(struct ws_hot_threads *h)
{
	if (!h)
		return;
	atomic_store_explicit(&h->stop, true, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->gen, 1, memory_order_release);
	for (unsigned int i = 0; i < h->n; i++)
		pthread_join(h->t[i].tid, NULL);
	free(h->t);
	free(h);
}

json_t *ws_hot_threads_json(const struct ws_hot_threads *h)
{
	json_t *o = json_object(), *cpus = json_array();

	for (unsigned int i = 0; h && i < h->n; i++)
		json_array_append_new(cpus, json_integer(h->t[i].cpu));
	json_object_set_new(o, "threads", json_integer(h ? h->n : 0));
	json_object_set_new(o, "pinned", json_boolean(h ? h->pinned : true));
	json_object_set_new(o, "cpus", cpus);
	json_object_set_new(o, "measuring_cpu", json_integer(ws_cpu_id(0)));
	if (h && h->note[0])
		json_object_set_new(o, "note", json_string(h->note));
	return o;
}
