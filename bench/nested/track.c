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

/*
 * In enum ws_outer_via order; "none": the truth and the memfd check alone
 * (a kernel without any of them).
 */
static const char *const via_names[] = {
	"softdirty", "idle", "rwp", "wp", "damon", "none", NULL
};

#define NONE_ONLY	(1u << WS_VIA_NR)

static void usage(FILE *f)
{
	fprintf(f,
"usage: wsbench nested track --pid PID --socket PATH [options]\n"
"Track the guest RAM of QEMU process PID from outside (soft-dirty, idle,\n"
"DAMON vaddr on PID; rwp, wp with QEMU's userfaultfd) against the truth\n"
"its nested guest reports on the chardev socket PATH.\n"
"  --ram SIZE            RAM memfd size (default: the largest memfd mapping)\n"
"  --via LIST            softdirty,idle (default), rwp, wp, damon, or none;\n"
"                        rwp, wp and damon each alone\n"
"  --damon SPEC          DAMON's monitoring (sample, aggr, update, regions;\n"
"                        default: aggr = the interval + the interval or 1 s\n"
"                        whichever is more + 2 s: one window spans an\n"
"                        interval and its edges)\n"
"  --handoff PATH        listen here for QEMU's libwsbench-handoff.so\n"
"                        (WSBENCH_HANDOFF_SOCKET): needed by rwp and wp\n"
"  --handoff-timeout S   wait for QEMU's handoff after the hello (default 60)\n"
"  --evict               the VMM cycle on QEMU's RAM: freeze, detect, evict\n"
"                        the pages cold for K intervals, refault; one --via\n"
"                        and --handoff (refaults need QEMU's uffd)\n"
"  --protocol P          safe (default): freeze first; unsafe: evict without\n"
"                        freezing (the nested guest's check must catch it)\n"
"  --cold-after K        intervals a page must go unseen (default 1)\n"
"  --qmp PATH            QEMU's QMP socket: the freeze of softdirty, idle,\n"
"                        damon\n"
"  --disk PATH           the nested guest has this disk image (virtio-blk):\n"
"                        its disk check must be reported and pass\n"
"  --nested-accel A      tcg (default) or kvm: how QEMU runs, for the record\n"
"  --nested-accel-why T  why not kvm (the probe's reason), for the record\n"
"  --test-punch-delay-us US  tests: wait between writing a run of pages\n"
"                        out and punching it, and ask the nested guest to\n"
"                        write its poke pages being evicted (unsafe loses\n"
"                        them; there only they wait, until it answers)\n"
"  --intervals N         tracking intervals (default 6)\n"
"  --interval-ms MS      interval length (default 2000)\n"
"  --boot-timeout S      wait for the guest's hello (default 900)\n"
"  --timeout S           any later wait (default 300)\n"
"  --baseline FILE       result of an untracked boot of the same workload\n"
"                        (--via none): this boot's slowdown against it\n"
"  --transcript FILE     every protocol line, timestamped\n"
"  --truth FILE          the per-interval truth (as 'nested truth' writes it)\n"
"  --json FILE           the result\n");
}

/*
 * DAMON reports the aggregation window that ends when collect() returns
 * (tracker_damon.c): the window the arm waited for must outlast the
 * interval and the edges' round trips (begin, end), or the collect gets
 * the next window and the interval's start is lost.  Under TCG in TCG the
 * first begin took 2.1 s (the nested guest starts its workers) and later
 * round trips up to 0.4 s: an aggregation of the interval + a quarter fell
 * short in 2 of 3 intervals there, twice the interval in the first.  So
 * the interval + the interval or 1 s, whichever is more, + 2 s.  --damon
 * may set anything else, or that too.
 */
static int damon_params(struct track_args *a)
{
	uint64_t margin_ms = (a->interval_ms > 1000 ? a->interval_ms : 1000) +
			     2000;
	char err[400];

	ws_damon_params_default(&a->damon_p);
	a->damon_p.aggr_us = (a->interval_ms + margin_ms) * 1000;
	if (a->damon && (ws_damon_params_parse("--damon", a->damon,
					       &a->damon_p, err, sizeof(err)) ||
			 ws_damon_params_check("--damon", &a->damon_p, err,
					       sizeof(err)))) {
		fprintf(stderr, "wsbench nested track: %s\n", err);
		return -1;
	}
	ws_damon_set_params(&a->damon_p);
	return 0;
}

static int parse_args(int argc, char **argv, struct track_args *a)
{
	*a = (struct track_args){ .vias = 3, .intervals = 6,
				  .interval_ms = 2000, .boot_timeout_s = 900,
				  .timeout_s = 300, .handoff_timeout_s = 60,
				  .cold_after = 1 };
	const char *tmp = getenv("TMPDIR");

	snprintf(a->tmp, sizeof(a->tmp), "%s", tmp && *tmp ? tmp : "/tmp");
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
		int r = 0;

		if (!strcmp(o, "--help")) {
			usage(stdout);
			exit(0);
		}
		if (!strcmp(o, "--evict")) {	/* the one flag without a value */
			a->evict = true;
			continue;
		}
		i++;
		if (!strcmp(o, "--pid"))
			r = ws_parse_uint(o, v, 1, INT32_MAX, &a->pid);
		else if (!strcmp(o, "--socket"))
			a->socket = v;
		else if (!strcmp(o, "--ram"))
			r = ws_parse_size(o, v, ws_page_size(), &a->ram);
		else if (!strcmp(o, "--via"))
			r = ws_parse_name_list(o, v, via_names, &a->vias);
		else if (!strcmp(o, "--intervals"))
			r = ws_parse_uint(o, v, 1, MAX_INTERVALS, &a->intervals);
		else if (!strcmp(o, "--interval-ms"))
			r = ws_parse_uint(o, v, 1, 600000, &a->interval_ms);
		else if (!strcmp(o, "--boot-timeout"))
			r = ws_parse_uint(o, v, 1, 86400, &a->boot_timeout_s);
		else if (!strcmp(o, "--timeout"))
			r = ws_parse_uint(o, v, 1, 86400, &a->timeout_s);
		else if (!strcmp(o, "--handoff"))
			a->handoff = v;
		else if (!strcmp(o, "--handoff-timeout"))
			r = ws_parse_uint(o, v, 1, 86400, &a->handoff_timeout_s);
		else if (!strcmp(o, "--protocol")) {
			if (strcmp(v, "safe") && strcmp(v, "unsafe")) {
				fprintf(stderr, "wsbench nested track: --protocol '%s': accepted: safe, unsafe\n", v);
				return -1;
			}
			a->unsafe = !strcmp(v, "unsafe");
		} else if (!strcmp(o, "--cold-after"))
			r = ws_parse_uint(o, v, 1, MAX_INTERVALS, &a->cold_after);
		else if (!strcmp(o, "--test-punch-delay-us"))
			r = ws_parse_uint(o, v, 0, 10000000,
					  &a->test_punch_delay_us);
		else if (!strcmp(o, "--nested-accel")) {
			if (strcmp(v, "tcg") && strcmp(v, "kvm")) {
				fprintf(stderr, "wsbench nested track: --nested-accel '%s': accepted: tcg, kvm\n", v);
				return -1;
			}
			a->nested_accel = v;
		} else if (!strcmp(o, "--nested-accel-why"))
			a->nested_accel_why = v;
		else if (!strcmp(o, "--baseline")) {
			a->baseline = v;
			if (*v && access(v, R_OK)) {
				fprintf(stderr, "wsbench nested track: --baseline %s: %s\n",
					v, strerror(errno));
				return -1;
			}
		} else if (!strcmp(o, "--damon"))
			a->damon = v;
		else if (!strcmp(o, "--qmp"))
			a->qmp = v;
		else if (!strcmp(o, "--disk"))
			a->disk = v;
		else if (!strcmp(o, "--transcript"))
			a->transcript = v;
		else if (!strcmp(o, "--truth"))
			a->truth = v;
		else if (!strcmp(o, "--json"))
			a->json = v;
		else {
			fprintf(stderr, "wsbench nested track: unknown option '%s': accepted: --pid --socket --ram --via --damon --handoff --handoff-timeout --evict --protocol --cold-after --qmp --disk --test-punch-delay-us --nested-accel --nested-accel-why --baseline --intervals --interval-ms --boot-timeout --timeout --transcript --truth --json\n",
				o);
			return -1;
		}
		if (r)
			return -1;
		if (!*v) {
			fprintf(stderr, "wsbench nested track: %s needs a value\n", o);
			return -1;
		}
	}
	if (!a->pid || !a->socket) {
		fprintf(stderr, "wsbench nested track: --pid PID and --socket PATH are required\n");
		return -1;
	}
	if ((a->vias & WS_VIA_TRACKER_MASK) && __builtin_popcount(a->vias) > 1) {
		fprintf(stderr, "wsbench nested track: --via: rwp, wp and damon each run alone: QEMU's RAM mapping takes one userfaultfd, DAMON clears the accessed bits idle reads, and soft-dirty write-protects all of QEMU (accepted: softdirty,idle | rwp | wp | damon | none)\n");
		return -1;
	}
	if (a->evict && (a->vias & NONE_ONLY || __builtin_popcount(a->vias) != 1)) {
		fprintf(stderr, "wsbench nested track: --evict runs the cycle for one --via at a time (accepted: softdirty, idle, rwp, wp, damon)\n");
		return -1;
	}
	if (a->evict && !a->handoff) {
		fprintf(stderr, "wsbench nested track: --evict needs --handoff PATH: every backend refaults through the userfaultfd QEMU hands over\n");
		return -1;
	}
	if (a->evict && !a->unsafe && !(a->vias & WS_VIA_UFFD_MASK) && !a->qmp) {
		fprintf(stderr, "wsbench nested track: --evict with %s freezes QEMU through QMP stop/cont: --qmp PATH is needed\n",
			ws_outer_via_name(__builtin_ctz(a->vias)));
		return -1;
	}
	if ((a->vias & WS_VIA_UFFD_MASK) && !a->handoff) {
		fprintf(stderr, "wsbench nested track: --via %s needs --handoff PATH: the socket QEMU's libwsbench-handoff.so connects to (WSBENCH_HANDOFF_SOCKET)\n",
			a->vias & (1u << WS_VIA_RWP) ? "rwp" : "wp");
		return -1;
	}
	if (damon_params(a))
		return -1;
	if (kill((pid_t)a->pid, 0) && errno == ESRCH) {
		fprintf(stderr, "wsbench nested track: --pid %llu: no such process\n",
			(unsigned long long)a->pid);
		return -1;
	}
	return 0;
}

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

	if (parse_args(argc, argv, &t.a))
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
	if (!ret && (ret = open_vias(&t)) == 0 && t.a.vias != NONE_ONLY)
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
