// SPDX-License-Identifier: GPL-2.0
/*
 * The nested workload's rate and a tracked boot's slowdown against an
 * untracked one.  The rate is measured inside the nested guest: its
 * workers' accesses from "begun K" to "ended K" over the time between the
 * two on its own clock (guest.c), summed over the intervals.  The
 * baseline is a boot of the same workload with no tracker and no
 * eviction (`nested track --via none`, scripts/nested-run.sh's first
 * boot); slowdown = its accesses/s / this boot's accesses/s, so 1.25
 * means the tracked workload made 20 % fewer accesses per second.
 *
 * What it covers: the intervals only, not the collect windows in which
 * the cycle freezes (a QMP stop also stops the nested guest's clock), so
 * it is what tracking and refaults cost the running workload.  Under TCG
 * it is no cost a KVM guest would see: the result says accel tcg.
 */
#include <string.h>

#include "track_impl.h"

json_t *ws_nested_rate_json(const struct track *t)
{
	uint64_t acc = 0, ns = 0;
	double wall_s = 0;

	for (uint32_t k = 1; k <= t->a.intervals; k++) {
		const struct ws_nested_iv *iv = ws_nested_report_iv(&t->l.rep, k);

		if (!iv || !iv->have_rate)
			return json_pack("{s:b,s:s}", "measured", false, "reason",
					 "the nested guest reported no accesses and time for every interval (an older wsbench-static?)");
		acc += iv->accesses;
		ns += iv->nested_ns;
		wall_s += t->interval_ms[k - 1] / 1e3;
	}
	if (!ns)
		return json_pack("{s:b,s:s}", "measured", false, "reason",
				 "no nested guest time in the intervals");
	/*
	 * The outer side's wall time of the same intervals too: under TCG the
	 * nested guest's clock need not keep up with it.
	 */
	return json_pack("{s:b,s:I,s:f,s:f,s:s,s:f,s:f}", "measured", true,
		"accesses", (json_int_t)acc, "nested_s", (double)ns / 1e9,
		"accesses_per_s", (double)acc / ((double)ns / 1e9),
		"measured_in", "the nested guest: its workers' reads and writes from begun to ended of each interval, over the time between them on its CLOCK_MONOTONIC",
		"wall_s", wall_s,
		"accesses_per_wall_s", wall_s > 0 ? (double)acc / wall_s : 0.0);
}

static json_t *not_measured(const char *fmt, const char *what)
{
	char why[512];

	snprintf(why, sizeof(why), fmt, what);
	return json_pack("{s:b,s:s}", "measured", false, "reason", why);
}

/* Why @b is no untracked boot of the workload @t ran, or NULL. */
static const char *incomparable(const struct track *t, json_t *b)
{
	const struct ws_nested_report *r = &t->l.rep;
	json_t *tr = json_object_get(b, "truth"), *p = json_object_get(b, "params");
	const char *pat = json_string_value(json_object_get(tr, "pattern"));
	const char *acc = json_string_value(json_object_get(b, "nested_accel"));

	if (json_object_size(json_object_get(b, "mechanisms")) ||
	    json_is_true(json_object_get(json_object_get(b, "eviction"),
					 "measured")))
		return "it tracked or evicted (a baseline runs --via none without --evict)";
	if (!pat || strcmp(pat, r->pattern) ||
	    json_integer_value(json_object_get(tr, "pages")) != (json_int_t)r->pages ||
	    json_integer_value(json_object_get(tr, "threads")) != (json_int_t)r->threads ||
	    json_integer_value(json_object_get(tr, "seed")) != (json_int_t)r->seed)
		return "its workload (pattern, pages, threads, seed) differs";
	if (json_integer_value(json_object_get(p, "intervals")) != (json_int_t)t->a.intervals ||
	    json_integer_value(json_object_get(p, "interval_ms")) != (json_int_t)t->a.interval_ms)
		return "its intervals (number, length) differ";
	if (!acc || strcmp(acc, t->a.nested_accel ? t->a.nested_accel : "tcg"))
		return "its nested QEMU ran with another accel";
	return NULL;
}

json_t *ws_nested_slowdown_json(const struct track *t, json_t *rate)
{
	json_error_t e;
	json_t *b, *brate, *j;
	const char *why;
	double mine, base, wmine, wbase;

	if (!t->a.baseline)
		return not_measured("%s", "no untracked baseline boot (--baseline FILE; scripts/nested-run.sh: NESTED_BASELINE=1)");
	if (!json_is_true(json_object_get(rate, "measured")))
		return not_measured("this boot's rate: %s",
			json_string_value(json_object_get(rate, "reason")));
	b = json_load_file(t->a.baseline, 0, &e);
	if (!b)
		return not_measured("--baseline: %s", e.text);
	why = incomparable(t, b);
	brate = json_object_get(b, "workload_rate");
	if (!why && !json_is_true(json_object_get(brate, "measured")))
		why = "it has no measured rate";
	if (why) {
		j = not_measured("--baseline is not this boot's untracked twin: %s", why);
		json_decref(b);
		return j;
	}
	mine = json_real_value(json_object_get(rate, "accesses_per_s"));
	base = json_real_value(json_object_get(brate, "accesses_per_s"));
	wmine = json_real_value(json_object_get(rate, "accesses_per_wall_s"));
	wbase = json_real_value(json_object_get(brate, "accesses_per_wall_s"));
	if (mine <= 0) {
		json_decref(b);
		return not_measured("%s", "the tracked workload made no access in its intervals");
	}
	j = json_pack("{s:b,s:f,s:f,s:f,s:s,s:{s:s,s:O,s:O?,s:O?}}", "measured", true,
		"slowdown", base / mine,
		"accesses_per_s", mine,
		"slowdown_wall", wmine > 0 ? wbase / wmine : 0.0,
		"definition", "baseline accesses/s / this boot's accesses/s (1: no slowdown), both on the nested guest's clock over the intervals; slowdown_wall: the same over the outer side's wall time of the intervals",
		"baseline", "file", t->a.baseline, "workload_rate", brate,
		"truth_intervals", json_object_get(json_object_get(b, "truth"), "intervals"),
		"run_s", json_object_get(json_object_get(b, "timing"), "run_s"));
	json_decref(b);
	return j;
}
