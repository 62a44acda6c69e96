/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `wsbench run <benchmark> [options]`: the option table, its parsing into
 * struct ws_params, and the checks that must pass before anything on the
 * machine is touched (knobs, memory, the output directory).
 */
#ifndef WS_RUN_CLI_H
#define WS_RUN_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bench.h"
#include "damon.h"

struct ws_run_cfg {
	struct ws_params p;
	uint64_t timeout_s;		/* watchdog; 0: none */
	double knob_wait_s;		/* for another run's knob lock */
	bool tune;			/* --tune on: quiet-machine settings */
	unsigned invocations;		/* separate processes, merged */
	bool sizes_given, pages_given;	/* typed by the user, not defaults */
	char pattern_paths[WS_MAX_LIST][512];
	struct ws_damon_params damon;	/* --damon */
	char run_id[128];
	char out_dir[512];
};

/*
 * Parse @argv (argv[0] is the benchmark name) into @cfg, the benchmark's
 * profile defaults first.  Returns 0, 1 when --help was printed, or
 * WS_EXIT_USAGE after printing what was wrong.
 */
int ws_run_parse(const struct ws_benchmark *b, int argc, char **argv,
		 struct ws_run_cfg *cfg);

/*
 * Sizes the user typed (--size, --pages) that no selected backing can hold
 * here (MemAvailable; free or requested huge pages): a message and -1.
 */
int ws_run_check_memory(const struct ws_benchmark *b,
			const struct ws_run_cfg *cfg);

/* Is @opt ("--size") an option of `wsbench run` that @b reads? */
bool ws_run_reads_option(const struct ws_benchmark *b, const char *opt);

/*
 * The values each --profile sets for @b's options (run_help.c), for the
 * options @reads says @b reads (ws_run_reads_option: passed in, so that
 * run_help.c is called by run_cli.c and never calls back).
 */
void ws_run_profile_help(const struct ws_benchmark *b,
			 bool (*reads)(const struct ws_benchmark *b,
				       const char *opt));

/*
 * The one line `run` ends with: what ran and what was skipped whole,
 * the counts, the file and how to read it (run_line.c).
 */
void ws_run_what_ran(FILE *out, const char *bench,
		     const struct ws_run_cfg *c, const struct ws_result *res,
		     int errors, double secs);

/* Write the knobs the options asked for (saved and restored at exit). */
int ws_run_apply_knobs(void);
/* The run's parameters as JSON; --damon's only when damon may run. */
json_t *ws_run_params_json(const struct ws_run_cfg *cfg);

/* Add the knob options' params (--thp, --numa-balancing) to @j. */
void ws_run_knob_params(json_t *j);

/* Will the run write knobs (--thp, --hugepages, --tune on, DAMON...)? */
bool ws_run_wants_knobs(const struct ws_benchmark *b,
			const struct ws_run_cfg *cfg);
/* Can the knobs asked for be written (root)?  -1 with a message if not. */
int ws_run_check_knob_access(void);

/* --tune on: quiet-machine settings (restored at exit). */
int ws_run_apply_tuning(const struct ws_run_cfg *cfg);

#endif /* WS_RUN_CLI_H */
