// SPDX-License-Identifier: GPL-2.0
/*
 * The phase clock (paused time left out) and the futex word: what both
 * the manager (engine.c) and the workers (worker.c) read.  Apart from
 * engine.c so that it starts the workers and they never call back up.
 */
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine_impl.h"
#include "timing.h"

long wl_futex_wait(uint32_t *addr, uint32_t val)
{
	return syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

long wl_futex_wake(uint32_t *addr)
{
	return syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, INT_MAX, NULL,
		       NULL, 0);
}

uint64_t wl_clock_at(const struct ws_wl *w, uint64_t now_ns)
{
	return now_ns - w->start_ns - wl_load(&w->paused_total_ns);
}

uint64_t ws_wl_clock_ns(const struct ws_wl *w)
{
	if (!w->started)
		return 0;
	if (w->stopped)
		return w->stop_clock_ns;
	if (__atomic_load_n(&w->pause_req, __ATOMIC_RELAXED))
		return wl_clock_at(w, w->pause_start_ns);
	return wl_clock_at(w, ws_now_ns());
}

uint64_t ws_wl_wall_ns(const struct ws_wl *w)
{
	if (!w->started)
		return 0;
	return w->stopped ? w->stop_wall_ns : ws_now_ns() - w->start_ns;
}

void wl_locate(const struct ws_wl *w, uint64_t clock_ns, unsigned int *phase,
	       uint64_t *occurrence, unsigned int *rep, uint64_t *start,
	       uint64_t *end)
{
	uint64_t pass = clock_ns / w->cycle_ns;
	uint64_t r = clock_ns % w->cycle_ns;
	uint64_t occ = pass * w->reps_per_cycle;
	unsigned int i;

	for (i = 0; i + 1 < w->pat.nphases; i++) {
		uint64_t span = w->phases[i].duration_ns * w->phases[i].repeat;

		if (r < span)
			break;
		r -= span;
		occ += w->phases[i].repeat;
	}
	*phase = i;
	*rep = (unsigned int)(r / w->phases[i].duration_ns);
	*occurrence = occ + *rep;
	*start = clock_ns - r % w->phases[i].duration_ns;
	*end = *start + w->phases[i].duration_ns;
}

void ws_wl_phase_at(const struct ws_wl *w, uint64_t clock_ns,
		    struct ws_wl_phase_pos *pos)
{
	uint64_t start, end;

	wl_locate(w, clock_ns, &pos->phase, &pos->occurrence, &pos->rep,
		  &start, &end);
	pos->name = w->pat.phases[pos->phase].name;
	pos->in_ns = clock_ns - start;
	pos->left_ns = end - clock_ns;
}
