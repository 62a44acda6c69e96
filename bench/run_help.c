// SPDX-License-Identifier: GPL-2.0
/*
 * `wsbench run <benchmark> --help`: what each profile sets, so that a
 * reader knows what `--profile quick` ran before running it.  Computed
 * from the benchmark's own defaults() (thread counts follow this
 * machine's CPUs), never a copy that could go stale.
 */
#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "run_cli.h"

#define VAL_LEN	160

static void sizes_text(const struct ws_params *p, char *buf)
{
	char one[32];

	buf[0] = '\0';
	for (size_t i = 0; i < p->nsizes; i++)
		snprintf(buf + strlen(buf), VAL_LEN - strlen(buf), "%s%s",
			 i ? "," : "", ws_fmt_size(p->sizes[i], one, sizeof(one)));
}

static void threads_text(const struct ws_params *p, char *buf)
{
	buf[0] = '\0';
	for (size_t i = 0; i < p->nthreads; i++)
		snprintf(buf + strlen(buf), VAL_LEN - strlen(buf), "%s%llu",
			 i ? "," : "", (unsigned long long)p->threads[i]);
}

static void hot_text(const struct ws_params *p, char *buf)
{
	buf[0] = '\0';
	for (size_t i = 0; i < p->nhot; i++)
		snprintf(buf + strlen(buf), VAL_LEN - strlen(buf), "%s%g",
			 i ? "," : "", p->hot_pcts[i]);
}

static void patterns_text(const struct ws_params *p, char *buf)
{
	buf[0] = '\0';
	for (size_t i = 0; i < p->npatterns; i++)
		snprintf(buf + strlen(buf), VAL_LEN - strlen(buf), "%s%s",
			 i ? "," : "", p->patterns[i]);
}

/* The text of option @opt under profile defaults @p; "" when unset. */
static void value_of(const struct ws_params *p, const char *opt, char *buf)
{
	buf[0] = '\0';
	if (!strcmp(opt, "--size"))
		sizes_text(p, buf);
	else if (!strcmp(opt, "--threads"))
		threads_text(p, buf);
	else if (!strcmp(opt, "--hot"))
		hot_text(p, buf);
	else if (!strcmp(opt, "--pattern"))
		patterns_text(p, buf);
	else if (!strcmp(opt, "--pages") && p->pages)
		snprintf(buf, VAL_LEN, "%zu", p->pages);
	else if (!strcmp(opt, "--intervals") && p->intervals)
		snprintf(buf, VAL_LEN, "%llu", (unsigned long long)p->intervals);
	else if (!strcmp(opt, "--interval-ms") && p->interval_ms)
		snprintf(buf, VAL_LEN, "%g", p->interval_ms);
	else if (!strcmp(opt, "--cold-after") && p->cold_after)
		snprintf(buf, VAL_LEN, "%llu", (unsigned long long)p->cold_after);
	else if (!strcmp(opt, "--vcpus") && p->vcpus)
		snprintf(buf, VAL_LEN, "%llu", (unsigned long long)p->vcpus);
	else if (!strcmp(opt, "--holes"))
		snprintf(buf, VAL_LEN, "%g", p->holes_pct);
	else if (!strcmp(opt, "--warmup"))
		snprintf(buf, VAL_LEN, "%llu", (unsigned long long)p->warmup);
	else if (!strcmp(opt, "--min-reps"))
		snprintf(buf, VAL_LEN, "%llu", (unsigned long long)p->min_reps);
	else if (!strcmp(opt, "--max-reps"))
		snprintf(buf, VAL_LEN, "%llu", (unsigned long long)p->max_reps);
	else if (!strcmp(opt, "--min-time"))
		snprintf(buf, VAL_LEN, "%g", p->min_time_s);
}

void ws_run_profile_help(const struct ws_benchmark *b,
			 bool (*reads)(const struct ws_benchmark *b,
				       const char *opt))
{
	static const char *const opts[] = {
		"--size", "--threads", "--hot", "--pages", "--pattern",
		"--intervals", "--interval-ms", "--cold-after", "--vcpus", "--holes",
		"--warmup", "--min-reps", "--max-reps", "--min-time", NULL,
	};
	struct ws_params prof[WS_PROFILE_NR];
	char q[VAL_LEN], d[VAL_LEN];

	for (int i = 0; i < WS_PROFILE_NR; i++) {
		memset(&prof[i], 0, sizeof(prof[i]));
		b->defaults(&prof[i], i);
	}
	printf("\nprofile defaults (what --profile sets on this machine; an option above overrides it):\n");
	printf("  %-16s %-28s %s\n", "", "quick", "default");
	for (size_t k = 0; opts[k]; k++) {
		if (!reads(b, opts[k]))
			continue;
		value_of(&prof[WS_PROFILE_QUICK], opts[k], q);
		value_of(&prof[WS_PROFILE_DEFAULT], opts[k], d);
		if (!q[0] && !d[0])
			continue;
		printf("  %-16s %-28s %s\n", opts[k], q[0] ? q : "-",
		       d[0] ? d : "-");
	}
}
