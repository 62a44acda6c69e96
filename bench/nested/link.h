/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The outer side of the truth protocol (proto.h): a connection to the
 * nested guest's report port (a QEMU chardev UNIX socket) that sets the
 * interval edges and collects the reports.  This is what a tracker that
 * watches a VMM's RAM calls around its own arm and collect:
 *
 *	ws_nested_link_open()		connect, boot, hello
 *	ws_nested_link_ready()		RAM size known: region
 *	arm the tracker
 *	ws_nested_link_begin(l, 1)
 *	for k = 1..N:
 *		let the interval run
 *		ws_nested_link_end(l, k)
 *		collect the tracker's view of interval k, re-arm
 *		if k < N: ws_nested_link_begin(l, k + 1)
 *	ws_nested_link_finish(l)	last reports, integrity
 *	read the workload's pages from the RAM if wanted
 *	ws_nested_link_quit(l)		the nested guest may exit
 *	ws_nested_report_iv(&l->rep, k)	truth of interval k, any time after
 *
 * Truth of interval k (the engine's even epoch 2k-2) holds accesses made
 * after the tracker was armed for k and before it collected k: a tracker
 * must report them in k.  Accesses in the windows around the collect
 * (iv->win_* of k-1 and k) may be reported in either interval.
 */
#ifndef WS_NESTED_LINK_H
#define WS_NESTED_LINK_H

#include <stdio.h>

#include "proto.h"
#include "report.h"

struct ws_nested_link {
	struct ws_nested_io io;
	struct ws_nested_report rep;
	char *line;
	int timeout_ms;		/* longest wait for one answer */
	uint64_t open_ns;	/* when ws_nested_link_open() started */
	uint64_t hello_ns;	/* when the first hello arrived */
	uint64_t waited_ns;	/* time spent waiting for acknowledgements */
	char err[512];
};

/*
 * Connect to the UNIX socket @path (retrying until it exists) and wait up
 * to @boot_timeout_s for the guest's hello; @timeout_s bounds every later
 * wait.  @transcript (may be NULL) gets every line.  0, or -errno with the
 * reason in l->err; call ws_nested_link_close() either way.
 */
int ws_nested_link_open(struct ws_nested_link *l, const char *path,
			FILE *transcript, int boot_timeout_s, int timeout_s);
/*
 * Answer the hello once the RAM is known (@ram_pages: pages of the RAM
 * memfd, the PFN space) and wait for the workload's region.
 */
int ws_nested_link_ready(struct ws_nested_link *l, size_t ram_pages);
void ws_nested_link_close(struct ws_nested_link *l);
int ws_nested_link_begin(struct ws_nested_link *l, uint32_t k);
int ws_nested_link_end(struct ws_nested_link *l, uint32_t k);
/*
 * Tests: ask the nested guest to write the poke pages in @pfns now and
 * wait up to @wait_ms for it to say it did (*@acked); an answer that
 * comes later is counted when it comes.  0 or -errno.
 */
int ws_nested_link_poke(struct ws_nested_link *l, const struct ws_pageset *pfns,
			int wait_ms, bool *acked);
/* After the last end: the last reports, integrity, bye. */
int ws_nested_link_finish(struct ws_nested_link *l);
/*
 * Let the nested guest exit (its memory is then no longer the workload's)
 * and wait until it closed the connection (QEMU exited).
 */
int ws_nested_link_quit(struct ws_nested_link *l);

#endif /* WS_NESTED_LINK_H */
