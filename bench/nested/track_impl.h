/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wsbench nested track internals, shared by track.c (the run) and
 * track_score.c (scoring against the nested guest's truth, the content
 * check, the output).
 */
#ifndef WS_NESTED_TRACK_IMPL_H
#define WS_NESTED_TRACK_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "damon.h"
#include "link.h"
#include "mem.h"
#include "session.h"
#include "tracker.h"
#include "vmram.h"

#define MAX_INTERVALS	1000

struct track_args {
	uint64_t pid;
	const char *socket, *transcript, *json, *truth;
	const char *handoff;		/* socket QEMU's preload library calls */
	uint64_t handoff_timeout_s;
	bool evict, unsafe;		/* --evict, --protocol unsafe */
	uint64_t cold_after;		/* K */
	uint64_t test_punch_delay_us;	/* tests: write-out to punch */
	const char *qmp;		/* QEMU's monitor socket */
	const char *disk;		/* the nested guest's disk image */
	const char *damon;		/* --damon SPEC */
	const char *baseline;		/* an untracked boot's result */
	struct ws_damon_params damon_p;	/* as the kdamond runs */
	char tmp[256];			/* storage file directory ($TMPDIR) */
	const char *nested_accel, *nested_accel_why;	/* as QEMU ran */
	size_t ram;
	unsigned int vias;		/* bit per enum ws_outer_via */
	uint64_t intervals, interval_ms, boot_timeout_s, timeout_s;
};

/* --via none: the truth and the memfd check alone. */
#define WS_VIA_NONE_ONLY	(1u << WS_VIA_NR)

/* argv into @a, checked together; -1 after saying what is wrong. */
int ws_nested_track_args(int argc, char **argv, struct track_args *a);

struct via_state {
	bool on;
	char why[512];			/* why not, when !on */
	struct ws_outer o;		/* soft-dirty, idle; its time counters
					 * for all */
	/* rwp, wp, damon: a tracker on QEMU's addresses (rwp, wp: with
	 * QEMU's uffd) */
	struct ws_tracker tk;
	struct ws_mem tmem;
	bool tk_open, armed;
	const char *rearm;		/* how collect re-arms (tracker.h) */
	const char *mode;		/* the tracker's mode, NULL: async */
	uint64_t uffd_features;		/* QEMU's uffd, as UFFDIO_API said */
	bool user_mode_only;
	struct ws_pageset *hot;		/* per interval */
	json_t *info;			/* the tracker's info(), at its close */
};

/*
 * Which of QEMU's threads took the faults its uffd delivered to the cycle
 * (qthreads.c): its vCPU threads (QMP query-cpus-fast) or others -- the
 * I/O threads and main loop of its device emulation.  Needs
 * UFFD_FEATURE_THREAD_ID on QEMU's uffd (checked in our copy's fdinfo).
 */
enum nested_fault_class { NFC_VCPU, NFC_DEVICE, NFC_UNKNOWN, NFC_NR };

#define NESTED_MAX_VCPUS	64
#define NESTED_MAX_THREADS	32

struct nested_thread {
	int tid;
	char comm[16];			/* /proc/QEMU/task/TID/comm */
	bool vcpu;
	uint64_t faults, refaults;
};

struct nested_faults {
	bool classified;		/* THREAD_ID on and vCPU tids known */
	char why[256];			/* why not */
	int vcpu[NESTED_MAX_VCPUS];
	size_t nvcpu;
	uint64_t faults[NFC_NR], refaults[NFC_NR];
	struct nested_thread th[NESTED_MAX_THREADS];
	size_t nth;
	uint64_t threads_untracked;	/* faults of threads past the table */
};

/* The cycle's outcome (evict.c), kept after the cycle is freed. */
struct nested_evict_iv {
	size_t evicted, resident;
	uint64_t refaults, window_ns, cpu_ns;
};

struct nested_evict {
	bool measured;
	const char *freeze;		/* "sync", "pause", "none" */
	uint32_t intervals;
	size_t evicted, page_size;
	uint64_t refaults, first_touches, held, cpu_ns, handler_cpu_ns;
	double stall_p50_ns, stall_p99_ns;
	uint64_t restored, restore_failed;	/* QEMU's library, at release */
	struct nested_faults f;
	/* tests: poke pages asked to be written in a punch window */
	uint64_t poke_windows, poke_pages, poke_acked_in_window;
	struct nested_evict_iv iv[MAX_INTERVALS];
};

struct nested_cycle;

struct track {
	struct track_args a;
	struct ws_nested_link l;
	struct ws_vmram ram;
	struct ws_session sess;		/* the uffd handoff, when asked */
	bool sess_listening, sess_handed;
	struct nested_cycle *cy;	/* --evict */
	struct nested_evict ev;
	uint32_t done;			/* intervals managed */
	struct via_state v[WS_VIA_NR];
	FILE *transcript;
	double *window_ms, *interval_ms;
	uint64_t run_ns;
};

int ws_nested_track_report(struct track *t);

/* uffdvia.c: rwp and wp through the uffd handoff; DAMON on QEMU's pid. */
/* Listen on a.handoff before QEMU's library gives up waiting. */
int ws_nested_handoff_listen(struct track *t, char *why, size_t len);
/*
 * Open tracker via @via on QEMU's RAM (rwp, wp: QEMU's RAM range, memfd
 * and uffd through the handoff first).
 */
int ws_nested_uffd_open(struct track *t, enum ws_outer_via via, char *why,
			size_t len);
int ws_nested_uffd_arm(struct via_state *s);
int ws_nested_uffd_collect(struct via_state *s, struct ws_pageset *hot);
/* QEMU's RAM range and memfd through the handoff (once). */
int ws_nested_take_range(struct track *t, char *why, size_t len);
/*
 * Keep what @tk says about itself (DAMON: its parameters) in @s.  Inline:
 * the uffd vias and the cycle both keep it, and neither calls the other.
 */
static inline void ws_nested_keep_info(struct via_state *s,
				       struct ws_tracker *tk)
{
	if (!s->info && tk->ops && tk->ops->info && tk->priv)
		s->info = tk->ops->info(tk);
}

/* slowdown.c: the nested workload's rate; against --baseline's. */
json_t *ws_nested_rate_json(const struct track *t);
json_t *ws_nested_slowdown_json(const struct track *t, json_t *rate);

/* evict.c: --evict, the VMM cycle on QEMU's RAM for via @via. */
int ws_nested_cycle_open(struct track *t, enum ws_outer_via via, char *why,
			 size_t len);

/* qthreads.c: QEMU's threads, and the JSON of the extras. */
/* Fault classes from @tids (QEMU's vCPU threads), @thread_id: ptid on. */
void ws_nested_faults_init(struct track *t, const int *tids, size_t n,
			   bool thread_id, const char *why);
/* A fault (refault) QEMU's thread @ptid took; any thread. */
void ws_nested_fault(struct track *t, uint32_t ptid, bool refault);
json_t *ws_nested_faults_json(const struct track *t);
/* The nested guest's disk check, or null when it has none. */
json_t *ws_nested_disk_json(const struct track *t);
/* The disk check failed (or was expected and is missing). */
bool ws_nested_disk_bad(const struct track *t);
/* Steps 2-5 after interval @k; @hot gets what was detected. */
int ws_nested_cycle_manage(struct track *t, uint32_t k,
			   struct ws_pageset *hot);
/* Counters into t->ev, the cycle freed (our uffds closed). */
void ws_nested_cycle_end(struct track *t);

/*
 * Stop tracking (close our uffd) and release QEMU's: its library closes
 * the uffd, which clears every protection.  Before QEMU may exit.
 */
void ws_nested_handoff_end(struct track *t);

#endif /* WS_NESTED_TRACK_IMPL_H */
