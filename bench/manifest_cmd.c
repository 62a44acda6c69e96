// SPDX-License-Identifier: GPL-2.0
/*
 * `wsbench manifest --expect "BENCH..." DIR`: before a suite's first run,
 * the benchmarks DIR owes; readers call it an incomplete run until each
 * one's `wsbench run --out DIR` has written its file (manifest.h).
 * `wsbench manifest --check DIR`: exit 0 when DIR is a complete run, 2
 * with the reason otherwise (the suite's last step).
 */
#include <stdio.h>
#include <string.h>

#include "manifest.h"
#include "parse.h"
#include "rundir.h"

static int usage(void)
{
	fprintf(stderr, "usage: wsbench manifest --expect \"BENCHMARK...\" DIR | --check DIR\n");
	return WS_EXIT_USAGE;
}

static int check(const char *dir)
{
	char why[4096];
	struct ws_run run;

	if (ws_run_load(dir, &run, why, sizeof(why))) {
		fprintf(stderr, "wsbench manifest: %s\n", why);
		return WS_EXIT_USAGE;
	}
	printf("%s: a complete run of %zu benchmark%s\n", dir, run.nfiles,
	       run.nfiles == 1 ? "" : "s");
	ws_run_free(&run);
	return 0;
}

int ws_manifest_main(int argc, char **argv)
{
	char why[4096];

	if (argc == 3 && !strcmp(argv[1], "--check"))
		return check(argv[2]);
	if (argc != 4 || strcmp(argv[1], "--expect") || !*argv[2])
		return usage();
	if (ws_manifest_expect(argv[3], argv[2], why, sizeof(why))) {
		fprintf(stderr, "wsbench manifest: %s\n", why);
		return WS_EXIT_USAGE;
	}
	return 0;
}
