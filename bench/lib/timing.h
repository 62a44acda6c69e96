/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Timing.  CLOCK_MONOTONIC through the vDSO: cheap (tens of ns), comparable
 * across CPUs, and what every result names as its clock.  The cost of one
 * back-to-back pair of reads is measured in every run (ws_timer_overhead)
 * and reported next to the numbers it bounds.
 */
#ifndef WS_TIMING_H
#define WS_TIMING_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>

#define WS_CLOCK	CLOCK_MONOTONIC
#define WS_CLOCK_NAME	"CLOCK_MONOTONIC"

static inline uint64_t ws_now_ns(void)
{
	struct timespec ts;

	clock_gettime(WS_CLOCK, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Keep the compiler from moving memory accesses across a timestamp. */
#define ws_barrier()	__asm__ __volatile__("" ::: "memory")

/*
 * Measure the timer: @n back-to-back ws_now_ns() pairs.  Returns a JSON
 * object {"clock":..,"resolution_ns":..,"overhead_ns":{summary}}.
 * *median_ns receives the median overhead so callers can compare.
 */
json_t *ws_timer_overhead_json(size_t n, double *median_ns);

/*
 * Annotate @series_summary_median against the timer overhead: returns a
 * JSON object {"timer_overhead_ratio": x, "timer_overhead_ok": bool,
 * "note": ..}.  "ok" means overhead < 5 % of the measured median.
 */
json_t *ws_timer_check_json(double timer_median_ns, double measured_median_ns);

#endif /* WS_TIMING_H */
