// SPDX-License-Identifier: GPL-2.0
/*
 * wsbench nested guest: the nested guest's side of the truth protocol
 * (proto.h).  Runs a workload pattern on anonymous memory with the
 * engine's exact ground truth, and per interval reports the pages touched
 * as guest page frame numbers from /proc/self/pagemap (root needed), so
 * the outer side can line them up with offsets into the VMM's RAM memfd.
 *
 * Interval edges are the outer side's: "WSO begin K" bumps the engine's
 * epoch to 2K-2 (interval K), "WSO end K" to 2K-1 (the window in which the
 * outer side collects and re-arms), and each edge is acknowledged only
 * after the bump.  So an access recorded in epoch 2K-2 was made after the
 * tracker was armed for K and before it collected K; accesses in the
 * windows may fall either side and are reported separately.
 *
 * PFNs must not change under the workload: the region is mlock()ed, and
 * the nested init turns proactive compaction and compaction of unevictable
 * pages off.  PFNs are re-read at every report anyway; a page that moved
 * is counted ("moved=") and its accesses are reported at its new PFN.
 *
 * The workload's rate, on the nested guest's own clock: the accesses its
 * workers made from "begun K" to "ended K" and the time between the two
 * (CLOCK_MONOTONIC here), "acc=" and "ns=" of "WSN iv K".  A boot without
 * a tracker gives the untracked rate every tracked boot is compared with.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>

#include "engine.h"
#include "gdisk.h"
#include "gpoke.h"
#include "mem.h"
#include "nested.h"
#include "pagemap.h"
#include "parse.h"
#include "pattern.h"
#include "proto.h"
#include "timing.h"

#define HELLO_EVERY_MS		2000
#define PM_PRESENT		(1ULL << 63)
#define PM_PFN_MASK		((1ULL << 55) - 1)

struct guest_args {
	const char *port, *pattern, *disk;
	size_t size;
	uint64_t threads, seed, timeout_s;
};

struct guest {
	struct guest_args a;
	struct ws_nested_io io;
	struct ws_mem mem;
	struct ws_pattern *pat;
	struct ws_wl *wl;
	int pmfd;
	uint64_t *pfn;			/* region page -> PFN */
	uint64_t *entries;		/* pagemap scratch */
	size_t pfn_space;		/* PFN-space set size (max PFN + 1) */
	struct ws_pageset rd, wr;	/* region pages, from the engine */
	struct ws_pageset prd, pwr;	/* the same in PFN space */
	char *line;			/* outgoing and incoming lines */
	struct ws_gdisk disk;		/* --disk: QEMU's device touches RAM */
	struct ws_gpoke poke;		/* tests: writes in an eviction window */
	struct ws_pageset pokeset;	/* PFN space up to the last poke page */
	uint32_t k;			/* current (or last) interval */
	bool running, in_interval;
	/* the rate: accesses and ns at "begun", then of the whole interval */
	uint64_t acc_begun, ns_begun, iv_acc, iv_ns;
};

static uint64_t accesses(const struct guest *g)
{
	struct ws_wl_counters c;

	ws_wl_counters(g->wl, -1, &c);
	return c.reads + c.writes;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: wsbench nested guest --pattern FILE [options]\n"
"Inside a nested QEMU guest (as root): run the pattern on anonymous memory\n"
"and report the guest page frames it touches per interval over a serial\n"
"port, with interval edges set by the other end (bench/nested/proto.h).\n"
"  --port DEV         serial port (default /dev/ttyS1)\n"
"  --size SIZE        workload memory (default 16M)\n"
"  --threads N        workers, 1..%d (default 1)\n"
"  --seed N           generator seed (default 42)\n"
"  --disk DEV         a block device (the nested guest's virtio disk) to\n"
"                     write checksummed blocks to and read back, O_DIRECT,\n"
"                     while the workload runs; checked again at the end\n"
"  --timeout SECONDS  longest wait for the other end (default 1800)\n",
		WS_WL_MAX_THREADS);
}

static int parse_args(int argc, char **argv, struct guest_args *a)
{
	*a = (struct guest_args){ .port = "/dev/ttyS1", .size = 16 << 20,
				  .threads = 1, .seed = 42,
				  .timeout_s = 1800 };
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int r = 0;

		if (!strcmp(o, "--help")) {
			usage(stdout);
			exit(0);
		}
		if (!v || strncmp(o, "--", 2)) {
			fprintf(stderr, "wsbench nested guest: unexpected argument '%s': accepted: --pattern FILE --port DEV --size SIZE --threads N --seed N --timeout SECONDS --disk DEV\n",
				o);
			return -1;
		}
		i++;
		if (!strcmp(o, "--port"))
			a->port = v;
		else if (!strcmp(o, "--pattern"))
			a->pattern = v;
		else if (!strcmp(o, "--disk"))
			a->disk = v;
		else if (!strcmp(o, "--size"))
			r = ws_parse_size(o, v, ws_page_size(), &a->size);
		else if (!strcmp(o, "--threads"))
			r = ws_parse_uint(o, v, 1, WS_WL_MAX_THREADS, &a->threads);
		else if (!strcmp(o, "--seed"))
			r = ws_parse_uint(o, v, 0, UINT64_MAX, &a->seed);
		else if (!strcmp(o, "--timeout"))
			r = ws_parse_uint(o, v, 1, 86400, &a->timeout_s);
		else {
			fprintf(stderr, "wsbench nested guest: unknown option '%s': accepted: --pattern FILE --port DEV --size SIZE --threads N --seed N --timeout SECONDS --disk DEV\n",
				o);
			return -1;
		}
		if (r)
			return -1;
	}
	if (!a->pattern) {
		fprintf(stderr, "wsbench nested guest: --pattern FILE is required\n");
		return -1;
	}
	return 0;
}

/* Raw mode: no echo, no CR/LF translation, no line editing. */
static int open_port(const char *path)
{
	struct termios t;
	int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (!tcgetattr(fd, &t)) {
		cfmakeraw(&t);
		cfsetspeed(&t, B115200);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		if (tcsetattr(fd, TCSANOW, &t))
			fprintf(stderr, "nested guest: %s: cannot set raw mode: %s\n",
				path, strerror(errno));
		tcflush(fd, TCIOFLUSH);
	}
	return fd;
}

/* Read every region page's PFN; *moved counts changes since last time. */
static int read_pfns(struct guest *g, size_t *moved)
{
	int ret = ws_pagemap_read(g->pmfd, g->mem.addr, g->mem.npages,
				  g->entries);

	*moved = 0;
	if (ret)
		return ret;
	for (size_t p = 0; p < g->mem.npages; p++) {
		uint64_t e = g->entries[p], pfn = e & PM_PFN_MASK;

		if (!(e & PM_PRESENT) || !pfn) {
			fprintf(stderr, "nested guest: page %zu has no PFN in /proc/self/pagemap (entry %#llx): not present, or not root\n",
				p, (unsigned long long)e);
			return -ENODATA;
		}
		if (g->pfn[p] && g->pfn[p] != pfn)
			(*moved)++;
		g->pfn[p] = pfn;
	}
	return 0;
}

/* PFN-space sets big enough for every PFN of the region (they may grow). */
static int size_pfn_sets(struct guest *g)
{
	size_t need = 0;

	for (size_t p = 0; p < g->mem.npages; p++)
		if (g->pfn[p] + 1 > need)
			need = g->pfn[p] + 1;
	if (need <= g->pfn_space)
		return 0;
	need = (need + 63) & ~(size_t)63;
	ws_pageset_free(&g->prd);
	ws_pageset_free(&g->pwr);
	g->pfn_space = need;
	if (ws_pageset_init(&g->prd, need) || ws_pageset_init(&g->pwr, need))
		return -ENOMEM;
	return 0;
}

static void to_pfn_space(const struct guest *g, const struct ws_pageset *in,
			 struct ws_pageset *out)
{
	ws_pageset_clear(out);
	for (size_t p = 0; p < in->npages; p++)
		if (ws_pageset_test(in, p))
			ws_pageset_set(out, g->pfn[p]);
}

static int send_region(struct guest *g, size_t moved)
{
	size_t pos = 0;
	int ret;

	ws_pageset_clear(&g->prd);
	for (size_t p = 0; p < g->mem.npages; p++)
		ws_pageset_set(&g->prd, g->pfn[p]);
	pos = (size_t)snprintf(g->line, WS_NESTED_LINE_MAX,
			       "WSN region pfns=%zu moved=%zu bits=",
			       g->pfn_space, moved);
	ret = ws_nested_bits_encode(&g->prd, g->line, WS_NESTED_LINE_MAX, &pos);
	return ret ? ret : ws_nested_send_raw(&g->io, g->line, pos);
}

static int fail(struct guest *g, int err, const char *what)
{
	fprintf(stderr, "nested guest: %s: %s\n", what, strerror(-err));
	ws_nested_send(&g->io, "WSN error %s: %s", what, strerror(-err));
	return err;
}

/* Report one closed epoch as "WSN iv|win K ..." in PFN space. */
static int report_epoch(struct guest *g, const char *kind, uint64_t epoch,
			size_t moved)
{
	size_t pos;
	int ret = ws_wl_truth(g->wl, epoch, &g->rd, &g->wr,
			      g->a.timeout_s * 1000000000ULL);

	if (ret)
		return fail(g, ret, "ground truth");
	to_pfn_space(g, &g->rd, &g->prd);
	to_pfn_space(g, &g->wr, &g->pwr);
	pos = (size_t)snprintf(g->line, WS_NESTED_LINE_MAX,
			       "WSN %s %u amb=%llu", kind, g->k,
			       (unsigned long long)ws_wl_truth_ambiguous(g->wl,
									 epoch));
	if (!strcmp(kind, "iv"))
		pos += (size_t)snprintf(g->line + pos, WS_NESTED_LINE_MAX - pos,
					" moved=%zu acc=%llu ns=%llu", moved,
					(unsigned long long)g->iv_acc,
					(unsigned long long)g->iv_ns);
	pos += (size_t)snprintf(g->line + pos, WS_NESTED_LINE_MAX - pos, " rd=");
	ret = ws_nested_bits_encode(&g->prd, g->line, WS_NESTED_LINE_MAX, &pos);
	if (!ret)
		ret = pos + 4 < WS_NESTED_LINE_MAX ? 0 : -ENOSPC;
	if (!ret) {
		memcpy(g->line + pos, " wr=", 5);
		pos += 4;
		ret = ws_nested_bits_encode(&g->pwr, g->line,
					    WS_NESTED_LINE_MAX, &pos);
	}
	return ret ? fail(g, ret, "encoding a report") :
		     ws_nested_send_raw(&g->io, g->line, pos);
}

/* Interval g->k and the window after it, both closed now. */
static int report_interval(struct guest *g)
{
	size_t moved;
	int ret = read_pfns(g, &moved);

	if (!ret)
		ret = size_pfn_sets(g);
	if (!ret && moved)
		ret = send_region(g, moved);
	if (!ret)
		ret = report_epoch(g, "iv", 2 * (uint64_t)g->k - 2, moved);
	if (!ret)
		ret = report_epoch(g, "win", 2 * (uint64_t)g->k - 1, 0);
	return ret;
}

/*
 * An interval edge is acknowledged only after this thread ran: with the
 * workers busy on the same (emulated) CPU, waiting for the scheduler would
 * stretch every collect window.  So it waits for edges at real-time
 * priority, set once the workers exist (they must not inherit it), but
 * composes its reports at normal priority: on one vCPU a real-time report
 * starved the workers for a whole interval (an interval with no access).
 */
static void set_realtime(bool rt)
{
	struct sched_param sp = { .sched_priority = rt ? 1 : 0 };

	if (sched_setscheduler(0, rt ? SCHED_FIFO : SCHED_OTHER, &sp))
		fprintf(stderr, "nested guest: %s: %s (collect windows may be longer)\n",
			rt ? "SCHED_FIFO" : "SCHED_OTHER", strerror(errno));
}

/* Interval k - 1 and its window, at the workers' priority. */
static int report_previous(struct guest *g)
{
	int ret;

	set_realtime(false);
	ret = report_interval(g);
	set_realtime(true);
	return ret;
}

static int cmd_begin(struct guest *g, uint32_t k)
{
	int ret = 0;

	if (g->in_interval || k != g->k + 1)
		return fail(g, -EPROTO, "begin out of order");
	if (!g->running) {
		ret = ws_wl_start(g->wl);
		if (ret)
			return fail(g, ret, "starting the workers");
		g->running = true;
		if (g->a.disk && ws_gdisk_start(&g->disk))
			return fail(g, -EAGAIN, "starting the disk thread");
		set_realtime(true);
	} else {
		ws_wl_epoch_bump(g->wl);
	}
	g->in_interval = true;
	atomic_store(&g->disk.interval, k);
	g->acc_begun = accesses(g);
	g->ns_begun = ws_now_ns();
	ret = ws_nested_send(&g->io, "WSN begun %u", k);
	if (!ret && k > 1)
		ret = report_previous(g);
	g->k = k;
	return ret;
}

static int cmd_end(struct guest *g, uint32_t k)
{
	if (!g->in_interval || k != g->k)
		return fail(g, -EPROTO, "end out of order");
	ws_wl_epoch_bump(g->wl);
	g->iv_ns = ws_now_ns() - g->ns_begun;
	g->iv_acc = accesses(g) - g->acc_begun;
	g->in_interval = false;
	return ws_nested_send(&g->io, "WSN ended %u", k);
}

/*
 * The outer side reads the workload's pages from the RAM memfd after bye:
 * keep them (exiting would free them to the nested kernel) until it says
 * quit, or closes the connection, or the timeout passes.
 */
static int wait_quit(struct guest *g)
{
	for (;;) {
		long n = ws_nested_readline(&g->io, g->line, WS_NESTED_LINE_MAX,
					    (int)(g->a.timeout_s * 1000));

		if (n >= 0 && strcmp(g->line, "WSO quit"))
			continue;
		if (n == -ETIMEDOUT)
			fprintf(stderr, "nested guest: no quit after bye\n");
		return 0;
	}
}

/*
 * "WSN disk dev=DEV ops=N checked=B bad_readback=R bad=M": the disk
 * thread's write/read-back pairs and its mismatches, then every block
 * written read back once more (M: not its last generation).
 */
static int report_disk(struct guest *g)
{
	size_t checked;
	long bad = ws_gdisk_verify(&g->disk, &checked);

	if (bad < 0 || g->disk.error) {
		fprintf(stderr, "nested guest: disk %s: %s\n", g->a.disk,
			strerror(bad < 0 ? (int)-bad : -g->disk.error));
		return ws_nested_send(&g->io, "WSN disk dev=%s error=%d",
				      g->a.disk, bad < 0 ? (int)-bad :
						     -g->disk.error);
	}
	if (bad || g->disk.bad_readback)
		fprintf(stderr, "nested guest: DISK DATA LOSS: %ld of %zu blocks, %llu read-backs wrong\n",
			bad, checked,
			(unsigned long long)g->disk.bad_readback);
	return ws_nested_send(&g->io, "WSN disk dev=%s ops=%llu checked=%zu bad_readback=%llu bad=%ld",
			      g->a.disk, (unsigned long long)g->disk.ops,
			      checked, (unsigned long long)g->disk.bad_readback,
			      bad);
}

static int cmd_finish(struct guest *g)
{
	struct ws_wl_bad bad;
	uint64_t sum = 0;
	size_t pbad;
	long nbad;
	int ret;

	if (g->in_interval || !g->running)
		return fail(g, -EPROTO, "finish before the last end");
	ws_wl_epoch_bump(g->wl);
	ws_wl_stop(g->wl);
	ws_gdisk_stop(&g->disk);
	g->running = false;
	ret = report_interval(g);
	if (!ret && g->a.disk)
		ret = report_disk(g);
	if (ret)
		return ret;
	nbad = ws_wl_check_all(g->wl, &bad, 1);
	for (size_t p = 0; p < g->mem.npages; p++)
		sum += ws_nested_page_hash((unsigned char *)g->mem.addr +
				 p * g->mem.page_size, g->mem.page_size);
	if (nbad > 0)
		fprintf(stderr, "nested guest: DATA LOSS: %ld bad pages; first: page %zu worker %d expected %llu found %llu\n",
			nbad, bad.page, bad.thread,
			(unsigned long long)bad.expected,
			(unsigned long long)bad.found);
	pbad = ws_gpoke_check(&g->poke);
	if (pbad)
		fprintf(stderr, "nested guest: DATA LOSS: %zu of %d poke pages lost their last write\n",
			pbad, GPOKE_PAGES);
	ret = ws_nested_send(&g->io, "WSN integrity pages=%zu bad=%ld sum=%016llx poked=%llu poke_bad=%zu",
			     g->mem.npages, nbad, (unsigned long long)sum,
			     (unsigned long long)g->poke.poked, pbad);
	if (!ret)
		ret = ws_nested_send(&g->io, "WSN bye");
	if (!ret)
		ret = wait_quit(g);
	return ret ? ret : nbad ? 1 : 0;
}

/* Tests: where the poke pages are ("WSN pokes bits=PFNS"). */
static int send_pokes(struct guest *g)
{
	size_t pos = (size_t)snprintf(g->line, WS_NESTED_LINE_MAX,
				      "WSN pokes n=%d bits=", GPOKE_PAGES);
	int ret;

	ws_pageset_clear(&g->pokeset);
	ws_gpoke_pfns(&g->poke, &g->pokeset);
	ret = ws_nested_bits_encode(&g->pokeset, g->line, WS_NESTED_LINE_MAX,
				    &pos);
	return ret ? ret : ws_nested_send_raw(&g->io, g->line, pos);
}

/*
 * Tests: "WSO poke bits=PFNS": write those poke pages now.  The outer
 * side asks while it holds them written out but not yet punched.
 */
static int cmd_poke(struct guest *g, const char *bits)
{
	size_t n;

	ws_pageset_clear(&g->pokeset);
	if (ws_nested_bits_decode(bits, &g->pokeset) < 0)
		return fail(g, -EPROTO, "bad poke set");
	n = ws_gpoke_write(&g->poke, &g->pokeset);
	return ws_nested_send(&g->io, "WSN poked n=%zu", n);
}

/* Say hello until the other end answers "WSO ready". */
static int handshake(struct guest *g)
{
	const char *name = strrchr(g->a.pattern, '/');
	uint64_t waited = 0;

	name = name ? name + 1 : g->a.pattern;
	while (waited < g->a.timeout_s * 1000) {
		long n;

		ws_nested_send(&g->io, "WSN hello v=%d pages=%zu page_size=%zu threads=%llu seed=%llu pattern=%s",
			       WS_NESTED_VERSION, g->mem.npages,
			       g->mem.page_size,
			       (unsigned long long)g->a.threads,
			       (unsigned long long)g->a.seed, name);
		n = ws_nested_readline(&g->io, g->line, WS_NESTED_LINE_MAX,
				       HELLO_EVERY_MS);
		waited += HELLO_EVERY_MS;
		if (n >= 0 && !strcmp(g->line, "WSO ready")) {
			int ret = send_region(g, 0);

			return ret ? ret : send_pokes(g);
		}
		if (n < 0 && n != -ETIMEDOUT && n != -EMSGSIZE)
			return fail(g, (int)n, "reading the port");
	}
	return fail(g, -ETIMEDOUT, "waiting for WSO ready");
}

static int serve(struct guest *g)
{
	for (;;) {
		unsigned int k;
		long n = ws_nested_readline(&g->io, g->line,
					    WS_NESTED_LINE_MAX,
					    (int)(g->a.timeout_s * 1000));
		int ret;

		if (n < 0)
			return fail(g, (int)n, "waiting for a command");
		if (sscanf(g->line, "WSO begin %u", &k) == 1)
			ret = cmd_begin(g, k);
		else if (sscanf(g->line, "WSO end %u", &k) == 1)
			ret = cmd_end(g, k);
		else if (!strncmp(g->line, "WSO poke bits=", 14))
			ret = cmd_poke(g, g->line + 14);
		else if (!strcmp(g->line, "WSO finish"))
			return cmd_finish(g);
		else if (!strcmp(g->line, "WSO ready"))
			ret = 0;	/* a late answer to a repeated hello */
		else
			ret = fail(g, -EPROTO, "unknown command");
		if (ret)
			return ret;
	}
}

/* The poke pages (tests) and the disk, if any. */
static int setup_extras(struct guest *g, char *err, size_t errlen)
{
	uint64_t top = 0;
	int ret = ws_gpoke_init(&g->poke, g->pmfd);

	if (ret) {
		snprintf(err, errlen, "poke pages: %s", strerror(-ret));
		return 1;
	}
	for (size_t i = 0; i < GPOKE_PAGES; i++)
		top = g->poke.pfn[i] > top ? g->poke.pfn[i] : top;
	if (ws_pageset_init(&g->pokeset, (top + 64) & ~(uint64_t)63)) {
		snprintf(err, errlen, "out of memory");
		return 1;
	}
	g->disk.fd = -1;
	if (g->a.disk && ws_gdisk_open(&g->disk, g->a.disk, err, errlen))
		return 1;
	return 0;
}

static int setup(struct guest *g, char *err, size_t errlen)
{
	struct ws_wl_opts o = { .nthreads = (unsigned int)g->a.threads,
				.seed = g->a.seed, .pin = true, .truth = true };
	size_t moved;
	int ret;

	if (ws_pattern_load(g->a.pattern, &g->pat, err, errlen) ||
	    ws_pattern_resolve(g->pat, g->a.size / ws_page_size(),
			       ws_page_size(), err, errlen))
		return WS_EXIT_USAGE;
	ret = ws_mem_map(&g->mem, WS_BACKING_ANON, g->a.size, err, errlen);
	if (!ret)
		ret = ws_wl_create(&g->wl, g->pat, g->mem.addr, g->mem.npages,
				   g->mem.page_size, &o, err, errlen) ? -EINVAL : 0;
	if (ret)
		return 1;
	ws_wl_stamp_init(g->wl);
	if (mlock(g->mem.addr, g->mem.len))
		fprintf(stderr, "nested guest: mlock: %s (PFNs may move)\n",
			strerror(errno));
	g->pfn = calloc(g->mem.npages, sizeof(*g->pfn));
	g->entries = calloc(g->mem.npages, sizeof(*g->entries));
	g->line = malloc(WS_NESTED_LINE_MAX);
	g->pmfd = ws_pagemap_open();
	if (!g->pfn || !g->entries || !g->line || g->pmfd < 0 ||
	    ws_pageset_init(&g->rd, g->mem.npages) ||
	    ws_pageset_init(&g->wr, g->mem.npages)) {
		snprintf(err, errlen, "out of memory or no /proc/self/pagemap");
		return 1;
	}
	if (read_pfns(g, &moved) || size_pfn_sets(g)) {
		snprintf(err, errlen, "cannot translate the region to PFNs");
		return 1;
	}
	return setup_extras(g, err, errlen);
}

int ws_nested_guest_cmd(int argc, char **argv)
{
	struct guest g = { .pmfd = -1 };
	char err[512] = "";
	int fd, ret;

	if (parse_args(argc, argv, &g.a))
		return WS_EXIT_USAGE;
	ret = setup(&g, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "wsbench nested guest: %s\n", err);
		return ret;
	}
	fd = open_port(g.a.port);
	if (fd < 0) {
		fprintf(stderr, "wsbench nested guest: --port %s: %s\n",
			g.a.port, strerror(-fd));
		return 1;
	}
	ret = ws_nested_io_init(&g.io, fd, NULL);
	if (!ret)
		ret = handshake(&g);
	if (!ret)
		ret = serve(&g);
	if (g.running)
		ws_wl_stop(g.wl);
	if (g.a.disk)
		ws_gdisk_close(&g.disk);
	close(fd);
	return ret < 0 ? 1 : ret;
}
