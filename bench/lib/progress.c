// SPDX-License-Identifier: GPL-2.0
/*
 * "[fault-latency 3/12] wp/anon/async  elapsed 12s, ETA 41s" on stderr, so a
 * long run shows where it is and how long it has left, without touching the
 * results on stdout.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"
#include "timing.h"

static void fmt_secs(char *buf, size_t len, uint64_t s)
{
	if (s < 60)
		snprintf(buf, len, "%us", (unsigned int)s);
	else if (s < 3600)
		snprintf(buf, len, "%um%02us", (unsigned int)(s / 60),
			 (unsigned int)(s % 60));
	else
		snprintf(buf, len, "%uh%02um", (unsigned int)(s / 3600),
			 (unsigned int)(s / 60 % 60));
}

void ws_progress_start(struct ws_progress *p, const char *what, size_t total)
{
	const char *env = getenv("WSBENCH_QUIET");

	p->what = what;
	p->total = total;
	p->done = 0;
	p->start_ns = ws_now_ns();
	/* Callers may still set p->quiet afterwards (e.g. from --quiet). */
	p->quiet = env && strcmp(env, "1") == 0;
}

/*
 * Steps run one after another, so announcing step i+1 means step i has
 * finished: p->done counts the steps announced so far.
 */
void ws_progress_step(struct ws_progress *p, const char *fmt, ...)
{
	uint64_t elapsed_ns = ws_now_ns() - p->start_ns;
	size_t finished = p->done++;
	char label[256], elapsed[16], eta[16];
	va_list ap;

	if (p->quiet == 1)
		return;
	va_start(ap, fmt);
	vsnprintf(label, sizeof(label), fmt, ap);
	va_end(ap);

	fmt_secs(elapsed, sizeof(elapsed), elapsed_ns / 1000000000ULL);
	if (finished == 0) {
		snprintf(eta, sizeof(eta), "unknown");
	} else {
		size_t left = p->total > finished ? p->total - finished : 0;
		/* Mean time per finished step times the steps left. */
		double eta_s = (double)elapsed_ns / 1e9 / (double)finished *
			       (double)left;

		fmt_secs(eta, sizeof(eta), (uint64_t)(eta_s + 0.5));
	}
	/* One fprintf per line: concurrent writers do not interleave. */
	fprintf(stderr, "[%s %zu/%zu] %s  elapsed %s, ETA %s\n", p->what,
		finished + 1, p->total, label, elapsed, eta);
}

void ws_progress_done(struct ws_progress *p)
{
	char elapsed[16];

	if (p->quiet == 1)
		return;
	fmt_secs(elapsed, sizeof(elapsed),
		 (ws_now_ns() - p->start_ns) / 1000000000ULL);
	fprintf(stderr, "[%s] %zu/%zu steps done in %s\n", p->what, p->done,
		p->total, elapsed);
}
