/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Progress lines on stderr: "[fault-latency 3/12 wp/anon/async] ... ETA 41s".
 * The ETA extrapolates the mean time per finished step.
 */
#ifndef WS_PROGRESS_H
#define WS_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

struct ws_progress {
	const char *what;
	size_t total;
	size_t done;
	uint64_t start_ns;
	int quiet;
};

void ws_progress_start(struct ws_progress *p, const char *what, size_t total);
/* Announce the step about to run (printf-style label). */
void ws_progress_step(struct ws_progress *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ws_progress_done(struct ws_progress *p);

#endif /* WS_PROGRESS_H */
