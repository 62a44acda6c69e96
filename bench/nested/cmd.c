// SPDX-License-Identifier: GPL-2.0
/*
 * wsbench nested: dispatch, and "nested truth", which replays a transcript
 * of the protocol (link.h writes one) into the per-interval touched sets in
 * the RAM memfd's page-offset space, as JSON ready for scoring.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nested.h"
#include "parse.h"
#include "proto.h"
#include "report.h"
#include "result.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: wsbench nested guest --pattern FILE [options]   (in the nested guest)\n"
"       wsbench nested track --pid PID --socket PATH [options]\n"
"       wsbench nested truth TRANSCRIPT [--json FILE]\n"
"       wsbench nested kvm-probe   can a KVM guest run here (and why not)\n"
"Ground truth from a workload inside a nested QEMU guest, for trackers of\n"
"that QEMU's guest RAM (README.md, 'The nested QEMU guest').\n"
"truth: the transcript's per-interval touched sets, in page offsets of the\n"
"  RAM memfd (= the nested guest's PFNs), as JSON (stdout by default).\n");
}

/* "< 12.345 WSN ..." -> "WSN ..."; NULL for lines we did not receive. */
static const char *received(char *line, size_t *ram_pages)
{
	char *p;

	line[strcspn(line, "\n")] = 0;
	if (sscanf(line, "# ram_pages=%zu", ram_pages) == 1)
		return NULL;
	if (line[0] != '<' || !(p = strchr(line + 2, ' ')))
		return NULL;
	return p + 1;
}

static int replay(FILE *f, const char *name, struct ws_nested_report *r)
{
	char *line = malloc(WS_NESTED_LINE_MAX + 64), err[512];
	size_t ram = 0, lineno = 0;
	bool init = false;
	int ret = 0;

	while (line && !ret && fgets(line, WS_NESTED_LINE_MAX + 64, f)) {
		const char *l = received(line, &ram);

		lineno++;
		if (!init && (ram || l)) {
			ws_nested_report_init(r, ram);
			init = true;
		}
		if (l && (ret = ws_nested_report_feed(r, l, err, sizeof(err))))
			fprintf(stderr, "%s:%zu: %s\n", name, lineno, err);
	}
	free(line);
	if (!ret && (!init || !r->have_region)) {
		fprintf(stderr, "%s: no nested-guest report in it\n", name);
		ret = -EINVAL;
	}
	return ret;
}

static int truth_cmd(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	struct ws_nested_report r = { 0 };
	FILE *f;
	json_t *j;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && i + 1 < argc)
			out = argv[++i];
		else if (argv[i][0] != '-' && !in)
			in = argv[i];
		else {
			fprintf(stderr, "wsbench nested truth: unexpected argument '%s': accepted: TRANSCRIPT [--json FILE]\n",
				argv[i]);
			return WS_EXIT_USAGE;
		}
	}
	if (!in || !(f = fopen(in, "re"))) {
		fprintf(stderr, "wsbench nested truth: %s%s%s\n",
			in ? in : "expected a transcript file", in ? ": " : "",
			in ? strerror(errno) : "");
		return WS_EXIT_USAGE;
	}
	ret = replay(f, in, &r);
	fclose(f);
	if (ret) {
		ws_nested_report_free(&r);
		return WS_EXIT_USAGE;
	}
	j = ws_nested_report_json(&r);
	if (out)
		ret = ws_json_write_atomic(j, out);
	else
		ret = json_dumpf(j, stdout, JSON_COMPACT) ? -EIO : 0;
	if (!out && !ret)
		putchar('\n');
	if (ret)
		fprintf(stderr, "wsbench nested truth: %s: %s\n",
			out ? out : "stdout", strerror(-ret));
	json_decref(j);
	ws_nested_report_free(&r);
	return ret ? 1 : 0;
}

int ws_nested_cmd(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? WS_EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "guest"))
		return ws_nested_guest_cmd(argc - 1, argv + 1);
	if (!strcmp(argv[1], "track"))
		return ws_nested_track_cmd(argc - 1, argv + 1);
	if (!strcmp(argv[1], "kvm-probe"))
		return ws_nested_kvm_probe_cmd(argc - 1, argv + 1);
	if (!strcmp(argv[1], "truth"))
		return truth_cmd(argc - 1, argv + 1);
	fprintf(stderr, "wsbench nested: '%s' is not a subcommand: use guest, track, truth, kvm-probe or --help\n",
		argv[1]);
	return WS_EXIT_USAGE;
}
