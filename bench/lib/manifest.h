/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A result directory's manifest.json: the result files of the run, added
 * by each `wsbench run --out DIR` once its file is complete, and the
 * benchmarks a suite still owes ("pending", set by `wsbench manifest
 * --expect` before the first run).  Readers trust a directory only when
 * the manifest exists, owes nothing and lists every result file in it: an
 * interrupted suite, a file copied in from elsewhere, or a run killed
 * before it wrote its file is "incomplete run", not a shorter result.
 *
 * Every update is read-modify-write under flock() on the directory, then
 * an atomic rename, so several runs writing into one directory (the VM
 * tests do) never lose each other's entries.
 */
#ifndef WS_MANIFEST_H
#define WS_MANIFEST_H

#include <stddef.h>

#define WS_MANIFEST	"manifest.json"

struct ws_run;

/*
 * Record result file @fname (of benchmark @bench, run @run_id) in @dir's
 * manifest and drop @bench from what is pending.  0, or -1 with @why.
 */
int ws_manifest_add(const char *dir, const char *fname, const char *bench,
		    const char *run_id, char *why, size_t len);
/* Set the benchmarks still owed (space or comma separated @benches). */
int ws_manifest_expect(const char *dir, const char *benches, char *why,
		       size_t len);
/*
 * May @bench of run @run_id be written into @dir?  Not when @dir already
 * holds that benchmark's file, or is another run's.  0, or -1 with @why.
 */
int ws_manifest_may_add(const char *dir, const char *bench,
			const char *run_id, char *why, size_t len);
/*
 * Is loaded run @run complete?  0, or -1 with "DIR: incomplete run: ...".
 * The check is skipped when WSBENCH_ACCEPT_INCOMPLETE=1.
 */
int ws_manifest_check(const struct ws_run *run, char *why, size_t len);

/* `wsbench manifest` (bench/manifest_cmd.c). */
int ws_manifest_main(int argc, char **argv);

#endif /* WS_MANIFEST_H */
