// SPDX-License-Identifier: GPL-2.0
/*
 * wsbench nested track's options: one table (name, usage, kind, where it goes),
 * the checks between them, and the usage text.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "damon.h"
#include "mem.h"
#include "parse.h"
#include "track_impl.h"

/*
 * In enum ws_outer_via order; "none": the truth and the memfd check alone
 * (a kernel without any of them).
 */
static const char *const via_names[] = {
	"softdirty", "idle", "rwp", "wp", "damon", "none", NULL
};
static const char *const protocol_names[] = { "safe", "unsafe", NULL };
static const char *const accel_names[] = { "tcg", "kvm", NULL };

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

static int set_ram(struct track_args *a, const char *o, const char *v)
{
	return ws_parse_size(o, v, ws_page_size(), &a->ram);
}

static int set_via(struct track_args *a, const char *o, const char *v)
{
	return ws_parse_name_list(o, v, via_names, &a->vias);
}

static int set_protocol(struct track_args *a, const char *o, const char *v)
{
	int i;

	if (ws_parse_name(o, v, protocol_names, &i))
		return -1;
	a->unsafe = i == 1;
	return 0;
}

static int set_nested_accel(struct track_args *a, const char *o,
			    const char *v)
{
	int i;

	if (ws_parse_name(o, v, accel_names, &i))
		return -1;
	a->nested_accel = accel_names[i];
	return 0;
}

/* Checked now: a missing baseline must not cost a boot. */
static int set_baseline(struct track_args *a, const char *o, const char *v)
{
	if (access(v, R_OK)) {
		fprintf(stderr, "wsbench nested track: %s %s: %s\n", o, v,
			strerror(errno));
		return -1;
	}
	a->baseline = v;
	return 0;
}

enum opt_kind { OPT_FLAG, OPT_STR, OPT_UINT, OPT_FN };

struct track_opt {
	const char *name;
	const char *arg;		/* in the usage: NULL for a flag */
	const char *help;		/* lines of the usage, '\n' between */
	enum opt_kind kind;
	size_t off;			/* OPT_FLAG, OPT_STR, OPT_UINT */
	uint64_t min, max;		/* OPT_UINT */
	int (*set)(struct track_args *a, const char *o, const char *v);
};

#define ARG(f)		offsetof(struct track_args, f)
#define FLAG(n, f, h)	{ n, NULL, h, OPT_FLAG, ARG(f), 0, 0, NULL }
#define STR(n, a, f, h)	{ n, a, h, OPT_STR, ARG(f), 0, 0, NULL }
#define UINT(n, a, f, lo, hi, h) { n, a, h, OPT_UINT, ARG(f), lo, hi, NULL }
#define FN(n, a, fn, h)	{ n, a, h, OPT_FN, 0, 0, 0, fn }

/* The usage and the unknown-option message list them in this order. */
static const struct track_opt track_opts[] = {
	UINT("--pid", "PID", pid, 1, INT32_MAX,
	     "QEMU's process (required)"),
	STR("--socket", "PATH", socket,
	    "the nested guest's chardev socket (required)"),
	FN("--ram", "SIZE", set_ram,
	   "RAM memfd size (default: the largest memfd mapping)"),
	FN("--via", "LIST", set_via,
	   "softdirty,idle (default), rwp, wp, damon, or none;\n"
	   "rwp, wp and damon each alone"),
	STR("--damon", "SPEC", damon,
	    "DAMON's monitoring (sample, aggr, update, regions;\n"
	    "default: aggr = the interval + the interval or 1 s\n"
	    "whichever is more + 2 s: one window spans an\n"
	    "interval and its edges)"),
	STR("--handoff", "PATH", handoff,
	    "listen here for QEMU's libwsbench-handoff.so\n"
	    "(WSBENCH_HANDOFF_SOCKET): needed by rwp and wp"),
	UINT("--handoff-timeout", "S", handoff_timeout_s, 1, 86400,
	     "wait for QEMU's handoff after the hello (default 60)"),
	FLAG("--evict", evict,
	     "the VMM cycle on QEMU's RAM: freeze, detect, evict\n"
	     "the pages cold for K intervals, refault; one --via\n"
	     "and --handoff (refaults need QEMU's uffd)"),
	FN("--protocol", "P", set_protocol,
	   "safe (default): freeze first; unsafe: evict without\n"
	   "freezing (the nested guest's check must catch it)"),
	UINT("--cold-after", "K", cold_after, 1, MAX_INTERVALS,
	     "intervals a page must go unseen (default 1)"),
	STR("--qmp", "PATH", qmp,
	    "QEMU's QMP socket: the freeze of softdirty, idle,\n"
	    "damon"),
	STR("--disk", "PATH", disk,
	    "the nested guest has this disk image (virtio-blk):\n"
	    "its disk check must be reported and pass"),
	FN("--nested-accel", "A", set_nested_accel,
	   "tcg (default) or kvm: how QEMU runs, for the record"),
	STR("--nested-accel-why", "T", nested_accel_why,
	    "why not kvm (the probe's reason), for the record"),
	UINT("--test-punch-delay-us", "US", test_punch_delay_us, 0, 10000000,
	     "tests: wait between writing a run of pages\n"
	     "out and punching it, and ask the nested guest to\n"
	     "write its poke pages being evicted (unsafe loses\n"
	     "them; there only they wait, until it answers)"),
	UINT("--intervals", "N", intervals, 1, MAX_INTERVALS,
	     "tracking intervals (default 6)"),
	UINT("--interval-ms", "MS", interval_ms, 1, 600000,
	     "interval length (default 2000)"),
	UINT("--boot-timeout", "S", boot_timeout_s, 1, 86400,
	     "wait for the guest's hello (default 900)"),
	UINT("--timeout", "S", timeout_s, 1, 86400,
	     "any later wait (default 300)"),
	FN("--baseline", "FILE", set_baseline,
	   "result of an untracked boot of the same workload\n"
	   "(--via none): this boot's slowdown against it"),
	STR("--transcript", "FILE", transcript,
	    "every protocol line, timestamped"),
	STR("--truth", "FILE", truth,
	    "the per-interval truth (as 'nested truth' writes it)"),
	STR("--json", "FILE", json, "the result"),
};

#define NR_TRACK_OPTS	(sizeof(track_opts) / sizeof(track_opts[0]))

#define USAGE_COLUMN	24

/* Each option's help from the table, its lines at USAGE_COLUMN. */
static void usage(FILE *f)
{
	fputs("usage: wsbench nested track --pid PID --socket PATH [options]\n"
	      "Track the guest RAM of QEMU process PID from outside (soft-dirty, idle,\n"
	      "DAMON vaddr on PID; rwp, wp with QEMU's userfaultfd) against the truth\n"
	      "its nested guest reports on the chardev socket PATH.\n", f);
	for (size_t i = 0; i < NR_TRACK_OPTS; i++) {
		const struct track_opt *p = &track_opts[i];
		const char *h = p->help;
		int col = fprintf(f, "  %s%s%s", p->name, p->arg ? " " : "",
				  p->arg ? p->arg : "");

		do {
			size_t len = strcspn(h, "\n");

			fprintf(f, "%*s%.*s\n",
				col < USAGE_COLUMN - 1 ? USAGE_COLUMN - col : 2,
				"", (int)len, h);
			h += len + (h[len] == '\n');
			col = 0;
		} while (*h);
	}
}

static const struct track_opt *find_opt(const char *name)
{
	for (size_t i = 0; i < NR_TRACK_OPTS; i++)
		if (!strcmp(track_opts[i].name, name))
			return &track_opts[i];
	return NULL;
}

static void unknown_opt(const char *o)
{
	fprintf(stderr, "wsbench nested track: unknown option '%s': accepted:",
		o);
	for (size_t i = 0; i < NR_TRACK_OPTS; i++)
		fprintf(stderr, " %s", track_opts[i].name);
	fputc('\n', stderr);
}

/* Option @p with value @v (unused by a flag) into @a. */
static int set_opt(struct track_args *a, const struct track_opt *p,
		   const char *v)
{
	char *field = (char *)a + p->off;

	switch (p->kind) {
	case OPT_FLAG:
		*(bool *)field = true;
		return 0;
	case OPT_STR:
		*(const char **)field = v;
		return 0;
	case OPT_UINT:
		return ws_parse_uint(p->name, v, p->min, p->max,
				     (uint64_t *)field);
	case OPT_FN:
		return p->set(a, p->name, v);
	}
	return -1;
}

/* What the options say together: one message naming what is wrong. */
static int check_args(struct track_args *a)
{
	if (!a->pid || !a->socket) {
		fprintf(stderr, "wsbench nested track: --pid PID and --socket PATH are required\n");
		return -1;
	}
	if ((a->vias & WS_VIA_TRACKER_MASK) && __builtin_popcount(a->vias) > 1) {
		fprintf(stderr, "wsbench nested track: --via: rwp, wp and damon each run alone: QEMU's RAM mapping takes one userfaultfd, DAMON clears the accessed bits idle reads, and soft-dirty write-protects all of QEMU (accepted: softdirty,idle | rwp | wp | damon | none)\n");
		return -1;
	}
	if (a->evict && (a->vias & WS_VIA_NONE_ONLY || __builtin_popcount(a->vias) != 1)) {
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

int ws_nested_track_args(int argc, char **argv, struct track_args *a)
{
	const char *tmp = getenv("TMPDIR");

	*a = (struct track_args){ .vias = 3, .intervals = 6,
				  .interval_ms = 2000, .boot_timeout_s = 900,
				  .timeout_s = 300, .handoff_timeout_s = 60,
				  .cold_after = 1 };
	snprintf(a->tmp, sizeof(a->tmp), "%s", tmp && *tmp ? tmp : "/tmp");
	for (int i = 1; i < argc; i++) {
		const struct track_opt *p = find_opt(argv[i]);
		const char *v = "";

		if (!strcmp(argv[i], "--help")) {
			usage(stdout);
			exit(0);
		}
		if (!p) {
			unknown_opt(argv[i]);
			return -1;
		}
		if (p->kind != OPT_FLAG) {
			v = ++i < argc ? argv[i] : "";
			if (!*v) {
				fprintf(stderr, "wsbench nested track: %s needs a value\n",
					p->name);
				return -1;
			}
		}
		if (set_opt(a, p, v))
			return -1;
	}
	return check_args(a);
}
