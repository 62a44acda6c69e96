// SPDX-License-Identifier: GPL-2.0
/*
 * wsbench nested track: watch a running QEMU's guest RAM from outside with
 * mechanisms that need nothing from QEMU (soft-dirty through
 * /proc/PID/clear_refs, idle page tracking through /proc/PID/pagemap), set
 * the interval edges of the nested guest's workload (link.h), and score
 * what each mechanism saw against the pages the nested guest says it
 * touched, in the RAM memfd's page offsets.  At the end, every page of the
 * workload is read back through the memfd at the offset its PFN names:
 * word 0 of page p must be p (the engine's stamp) and the sum of the page
 * hashes must equal the nested guest's, which proves truth and tracker
 * speak of the same bytes.
 *
 * Scoring, per interval k and mechanism (soft-dirty sees writes only, so
 * its truth is the written pages): reported R = its hot pages inside the
 * workload's PFNs; truth T = pages touched in k; windows W = pages touched
 * in the collect windows before and after k, which may show up in either
 * interval.  precision = |R & (T | W)| / |R|, recall = |R & T| / |T|.
 * The cold set, as an evictor would use it: C = workload pages not in R,
 * scored against reads and writes A (touched in k) and A' (touched in k
 * or its windows): cold precision = |C - A| / |C|, cold recall =
 * |C - A'| / |P - A'| with P the workload's pages.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "damon.h"
#include "env.h"
#include "link.h"
#include "track_impl.h"
#include "mem.h"
#include "nested.h"
#include "parse.h"
#include "result.h"
#include "timing.h"
#include "vmram.h"

static void sleep_ms(uint64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int open_vias(struct track *t)
{
	int n = 0;

	for (int i = 0; i < WS_VIA_NR; i++) {
		struct via_state *s = &t->v[i];

		if (!(t->a.vias & (1u << i)))
			continue;
		if (t->a.evict)
			s->on = !ws_nested_cycle_open(t, i, s->why,
						      sizeof(s->why));
		else if (ws_via_is_tracker(i))
			s->on = !ws_nested_uffd_open(t, i, s->why,
						     sizeof(s->why));
		else
			s->on = !ws_outer_open(&s->o, i, &t->ram, s->why,
					       sizeof(s->why));
		if (!s->on) {
			printf("%s: skipped: %s\n", ws_outer_via_name(i), s->why);
			continue;
		}
		s->hot = calloc(t->a.intervals, sizeof(*s->hot));
		for (uint64_t k = 0; s->hot && k < t->a.intervals; k++)
			if (ws_pageset_init(&s->hot[k], t->ram.npages))
				return -ENOMEM;
		if (!s->hot)
			return -ENOMEM;
		n++;
	}
	return n;
}

static int each_via(struct track *t, uint64_t k, bool collect)
{
	for (int i = 0; i < WS_VIA_NR; i++) {
		struct via_state *s = &t->v[i];
		int ret;

		if (!s->on)
			continue;
		if (t->a.evict)	/* armed by the cycle's set-up, re-armed here */
			ret = collect ? ws_nested_cycle_manage(t, k + 1,
							       &s->hot[k]) : 0;
		else if (ws_via_is_tracker(i))
			ret = collect ? ws_nested_uffd_collect(s, &s->hot[k]) :
					ws_nested_uffd_arm(s);
		else
			ret = collect ? ws_outer_collect(&s->o, &s->hot[k]) :
					ws_outer_arm(&s->o);
		if (ret) {
			fprintf(stderr, "wsbench nested track: %s %s: %s\n",
				ws_outer_via_name(i), collect ? "collect" :
				"arm", t->a.evict ? "see above" :
				ws_via_is_tracker(i) ? s->tk.err :
				strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* The interval loop: arm, begin, run, end, collect, re-arm, ... */
static int run_intervals(struct track *t)
{
	struct ws_nested_link *l = &t->l;
	uint64_t t0 = ws_now_ns(), te = 0;
	int ret = each_via(t, 0, false);

	if (!ret)
		ret = ws_nested_link_begin(l, 1);
	for (uint32_t k = 1; !ret && k <= t->a.intervals; k++) {
		uint64_t tb = ws_now_ns();

		if (k > 1)
			t->window_ms[k - 2] = (double)(tb - te) / 1e6;
		sleep_ms(t->a.interval_ms);
		te = ws_now_ns();
		ret = ws_nested_link_end(l, k);
		t->interval_ms[k - 1] = (double)(ws_now_ns() - tb) / 1e6;
		if (!ret)
			ret = each_via(t, k - 1, true);
		if (!ret)
			t->done = k;
		if (!ret)
			ret = each_via(t, 0, false);
		if (!ret && k < t->a.intervals)
			ret = ws_nested_link_begin(l, k + 1);
		printf("interval %u/%llu done\n", k,
		       (unsigned long long)t->a.intervals);
		fflush(stdout);
	}
	if (!ret)
		ret = ws_nested_link_finish(l);
	t->run_ns = ws_now_ns() - t0;
	return ret;
}

int ws_nested_track_cmd(int argc, char **argv)
{
	struct track t = { 0 };
	char why[512];
	int ret;

	if (ws_nested_track_args(argc, argv, &t.a))
		return WS_EXIT_USAGE;
	if (t.a.transcript && !(t.transcript = fopen(t.a.transcript, "we"))) {
		fprintf(stderr, "wsbench nested track: --transcript %s: %s\n",
			t.a.transcript, strerror(errno));
		return WS_EXIT_USAGE;
	}
	t.window_ms = calloc(t.a.intervals, sizeof(double));
	t.interval_ms = calloc(t.a.intervals, sizeof(double));
	if (!t.window_ms || !t.interval_ms) {
		fprintf(stderr, "wsbench nested track: out of memory\n");
		return 1;
	}
	if (t.a.handoff && ws_nested_handoff_listen(&t, why, sizeof(why))) {
		fprintf(stderr, "wsbench nested track: --handoff %s: %s\n",
			t.a.handoff, why);
		return 1;
	}
	printf("waiting for the nested guest on %s (boot)\n", t.a.socket);
	fflush(stdout);
	ret = ws_nested_link_open(&t.l, t.a.socket, t.transcript,
				  (int)t.a.boot_timeout_s, (int)t.a.timeout_s);
	if (!ret) {
		printf("nested guest said hello after %.1f s\n",
		       (double)(t.l.hello_ns - t.l.open_ns) / 1e9);
		ret = ws_vmram_open(&t.ram, (pid_t)t.a.pid, t.a.ram, why,
				    sizeof(why));
		if (ret)
			snprintf(t.l.err, sizeof(t.l.err), "%s", why);
	}
	if (!ret)
		ret = ws_nested_link_ready(&t.l, t.ram.npages);
	/*
	 * Nothing this kernel offers: the skips are the result (with the
	 * probes' reasons), next to the truth and the memfd check.
	 */
	if (!ret && (ret = open_vias(&t)) == 0 && t.a.vias != WS_VIA_NONE_ONLY)
		printf("no mechanism available: the truth and the memfd check alone\n");
	if (ret >= 0)
		ret = run_intervals(&t);
	if (ret)
		fprintf(stderr, "wsbench nested track: %s\n", t.l.err[0] ?
			t.l.err : strerror(-ret));
	/* QEMU's protections go before it may exit (its library waits). */
	ws_nested_handoff_end(&t);
	if (!ret)
		ret = ws_nested_track_report(&t);	/* reads the memfd */
	if (t.l.rep.bye)
		ws_nested_link_quit(&t.l);
	ws_nested_link_close(&t.l);
	ws_vmram_close(&t.ram);
	if (t.transcript)
		fclose(t.transcript);
	return ret ? 1 : 0;
}
