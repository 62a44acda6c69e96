// SPDX-License-Identifier: GPL-2.0
/*
 * The cost and resolution of the clock every result is measured with, so a
 * reader can tell whether a latency is the operation or the stopwatch.
 */
#include <math.h>
#include <stdio.h>

#include "stats.h"
#include "timing.h"

#define WS_TIMER_WARMUP		1000	/* fault in the vDSO page, warm caches */
#define WS_TIMER_OK_RATIO	0.05
#define WS_TIMER_SEED		0x7131e5eedULL

json_t *ws_timer_overhead_json(size_t n, double *median_ns)
{
	struct ws_samples s;
	struct timespec res;
	struct ws_summary sum;
	json_t *o = NULL;
	int err = 0;

	*median_ns = NAN;
	ws_samples_init(&s);
	for (size_t i = 0; i < WS_TIMER_WARMUP; i++)
		(void)ws_now_ns();
	for (size_t i = 0; i < n; i++) {
		uint64_t t0, t1;

		t0 = ws_now_ns();
		ws_barrier();
		t1 = ws_now_ns();
		if (ws_samples_push(&s, (double)(t1 - t0)))
			goto out;
	}
	o = json_object();
	if (!o)
		goto out;
	err |= json_object_set_new(o, "clock", json_string(WS_CLOCK_NAME));
	if (clock_getres(WS_CLOCK, &res) == 0)
		err |= json_object_set_new(o, "resolution_ns",
			json_integer((json_int_t)res.tv_sec * 1000000000 +
				     res.tv_nsec));
	else
		err |= json_object_set_new(o, "resolution_ns", json_null());
	err |= json_object_set_new(o, "pairs", json_integer((json_int_t)n));
	if (ws_summarize(s.v, s.n, WS_TIMER_SEED, &sum, NULL)) {
		err = 1;
	} else {
		err |= json_object_set_new(o, "overhead_ns",
					   ws_summary_json(&sum));
		*median_ns = sum.median;
	}
	if (err) {
		json_decref(o);
		o = NULL;
		*median_ns = NAN;
	}
out:
	ws_samples_free(&s);
	return o;
}

json_t *ws_timer_check_json(double timer_median_ns, double measured_median_ns)
{
	double ratio = timer_median_ns / measured_median_ns;
	json_t *o = json_object();
	char note[512];
	bool ok;
	int err;

	if (!o)
		return NULL;
	if (!isfinite(ratio) || !(measured_median_ns > 0) ||
	    !(timer_median_ns >= 0)) {
		snprintf(note, sizeof(note),
			 "cannot compare: timer overhead %g ns, measured median %g ns",
			 timer_median_ns, measured_median_ns);
		err = json_object_set_new(o, "timer_overhead_ratio", json_null());
		err |= json_object_set_new(o, "timer_overhead_ok", json_false());
		err |= json_object_set_new(o, "note", json_string(note));
		goto out;
	}
	ok = ratio < WS_TIMER_OK_RATIO;
	if (ok)
		snprintf(note, sizeof(note),
			 "reading the clock twice costs %.1f ns, %.2f%% of the measured median (%.1f ns)",
			 timer_median_ns, 100 * ratio, measured_median_ns);
	else
		snprintf(note, sizeof(note),
			 "reading the clock twice costs %.1f ns, %.1f%% of the measured median (%.1f ns), above the %.0f%% bound: the numbers largely measure the clock, not the operation; time a batch of operations per timestamp pair instead",
			 timer_median_ns, 100 * ratio, measured_median_ns,
			 100 * WS_TIMER_OK_RATIO);
	err = json_object_set_new(o, "timer_overhead_ratio", json_real(ratio));
	err |= json_object_set_new(o, "timer_overhead_ok", json_boolean(ok));
	err |= json_object_set_new(o, "note", json_string(note));
out:
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}
