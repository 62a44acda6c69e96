// SPDX-License-Identifier: GPL-2.0
/*
 * `wsbench merge --out DIR INV_DIR...`: result directories that are
 * invocations of one run (same run id, benchmarks and params) into one
 * result directory with the invocation as the unit (merge.h).  Every
 * input is checked before anything is written; nothing in DIR is
 * replaced.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest.h"
#include "merge.h"
#include "parse.h"
#include "result.h"
#include "rundir.h"
#include "tools.h"

#define MAX_INV	256

static void usage(FILE *f)
{
	fprintf(f,
"usage: wsbench merge --out DIR INV_DIR INV_DIR...\n"
"  INV_DIR   result directories of one run made by separate invocations\n"
"            (same --run-id and parameters, e.g. scripts/ab.sh's)\n"
"  --out DIR where the merged result goes (must not hold those files yet)\n");
}

static int load_all(int n, char **dirs, struct ws_run *runs)
{
	char why[1024];

	for (int i = 0; i < n; i++)
		if (ws_run_load(dirs[i], &runs[i], why, sizeof(why))) {
			fprintf(stderr, "wsbench merge: %s\n", why);
			while (i--)
				ws_run_free(&runs[i]);
			return -1;
		}
	return 0;
}

/* Every benchmark of the first input, merged, or NULL (said). */
static json_t *merge_runs(struct ws_run *runs, int n, const char *out)
{
	json_t *merged = json_object(), *roots[MAX_INV];
	char why[1024], path[4096];

	for (size_t f = 0; f < runs[0].nfiles; f++) {
		const char *bench = runs[0].files[f].bench;
		json_t *m;

		for (int i = 0; i < n; i++) {
			const struct ws_run_file *rf = ws_run_file(&runs[i], bench);

			if (!rf || runs[i].nfiles != runs[0].nfiles) {
				fprintf(stderr, "wsbench merge: %s: not the same benchmarks as %s\n",
					runs[i].dir, runs[0].dir);
				goto fail;
			}
			roots[i] = rf->root;
		}
		snprintf(path, sizeof(path), "%s/%s.json", out, bench);
		if (!access(path, F_OK)) {
			fprintf(stderr, "wsbench merge: --out %s: holds %s.json already; name a new directory\n",
				out, bench);
			goto fail;
		}
		m = ws_merge_invocations(roots, (size_t)n, why, sizeof(why));
		if (!m) {
			fprintf(stderr, "wsbench merge: %s: %s\n", bench, why);
			goto fail;
		}
		json_object_set_new(merged, bench, m);
	}
	return merged;
fail:
	json_decref(merged);
	return NULL;
}

static int write_all(json_t *merged, const char *out)
{
	char path[4096];
	const char *bench;
	json_t *root;
	int err = ws_mkdir_p(out);

	if (err) {
		fprintf(stderr, "wsbench merge: --out %s: %s\n", out, strerror(-err));
		return WS_EXIT_USAGE;
	}
	json_object_foreach(merged, bench, root) {
		char name[128], why[4096];

		snprintf(name, sizeof(name), "%s.json", bench);
		snprintf(path, sizeof(path), "%s/%s", out, name);
		err = ws_json_write_atomic(root, path);
		if (err) {
			fprintf(stderr, "wsbench merge: %s: %s\n", path, strerror(-err));
			return 1;
		}
		/* Listed once written: a reader sees a complete result. */
		if (ws_manifest_add(out, name, bench, ws_jstr(root, "run_id"),
				    why, sizeof(why))) {
			fprintf(stderr, "wsbench merge: %s\n", why);
			return 1;
		}
		fprintf(stderr, "wsbench merge: %s: %lld invocations -> %s\n", bench,
			json_integer_value(json_object_get(root, "invocations")),
			path);
	}
	return 0;
}

int ws_merge_main(int argc, char **argv)
{
	struct ws_run runs[MAX_INV];
	const char *out = NULL;
	json_t *merged;
	int first = 1, n, rc;

	if (argc > 1 && !strcmp(argv[1], "--help"))
		return usage(stdout), 0;
	if (argc > 2 && !strcmp(argv[1], "--out")) {
		out = argv[2];
		first = 3;
	}
	n = argc - first;
	if (!out || n < 2 || n > MAX_INV) {
		fprintf(stderr, "wsbench merge: need --out DIR and 2 to %d invocation directories\n",
			MAX_INV);
		usage(stderr);
		return WS_EXIT_USAGE;
	}
	if (load_all(n, argv + first, runs))
		return WS_EXIT_USAGE;
	merged = merge_runs(runs, n, out);
	rc = merged ? write_all(merged, out) : WS_EXIT_USAGE;
	json_decref(merged);
	for (int i = 0; i < n; i++)
		ws_run_free(&runs[i]);
	return rc;
}
