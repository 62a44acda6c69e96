// SPDX-License-Identifier: GPL-2.0
/*
 * `wsbench run BENCH --invocations N`: the benchmark N times, each in a
 * fresh process of this binary (new address space layout, page
 * placement, THP and allocator state: what a second run varies by), into
 * a scratch directory inside --out; then one result merged from them
 * (bench/tools/merge.h) with the invocation as the unit of every CI.  The
 * children apply and restore the knobs themselves, one after the other.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "invocations.h"
#include "manifest.h"
#include "merge.h"
#include "result.h"
#include "parse.h"

static volatile sig_atomic_t child_pid, stop_signal;

/* SIGTERM/SIGINT/SIGHUP: pass it on to the child and start no more. */
static void on_signal(int sig)
{
	stop_signal = sig;
	if (child_pid > 0)
		kill(child_pid, sig);
}

/* argv for a child: --invocations dropped, --out and --run-id forced. */
static char **child_argv(int argc, char **argv, const char *out,
			 const char *run_id)
{
	char **a = calloc((size_t)argc + 8, sizeof(*a));
	int n = 0;

	if (!a)
		return NULL;
	a[n++] = "wsbench";
	a[n++] = "run";
	for (int i = 0; i < argc; i++) {
		const char *s = argv[i];

		if (!strcmp(s, "--invocations") || !strcmp(s, "--out") ||
		    !strcmp(s, "--run-id")) {
			i++;	/* and its value */
			continue;
		}
		if (!strncmp(s, "--invocations=", 14) || !strncmp(s, "--out=", 6) ||
		    !strncmp(s, "--run-id=", 9))
			continue;
		a[n++] = argv[i];
	}
	a[n++] = "--out";
	a[n++] = (char *)out;
	a[n++] = "--run-id";
	a[n++] = (char *)run_id;
	return a;
}

/* Run one child to completion; its exit code (128 + signal if killed). */
static int run_child(char **argv)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	child_pid = pid;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	child_pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) :
	       128 + WTERMSIG(status);
}

static void remove_tree(const char *dir)
{
	char path[4096 + 512];
	struct dirent **names;
	int n = scandir(dir, &names, NULL, NULL);

	for (int i = 0; i < n; i++) {
		const char *d = names[i]->d_name;

		if (strcmp(d, ".") && strcmp(d, "..")) {
			snprintf(path, sizeof(path), "%s/%s", dir, d);
			if (unlink(path) && (errno == EISDIR || errno == EPERM))
				remove_tree(path);
		}
		free(names[i]);
	}
	free(names);
	rmdir(dir);
}

/* List the merged file in the run directory's manifest; 0 or -1 (said). */
static int add_to_manifest(const struct ws_run_cfg *cfg, const char *bench)
{
	char name[128], why[4096];

	snprintf(name, sizeof(name), "%s.json", bench);
	if (!ws_manifest_add(cfg->p.out_dir, name, bench, cfg->p.run_id, why,
			     sizeof(why)))
		return 0;
	fprintf(stderr, "wsbench: %s\n", why);
	return -1;
}

/* Load every invocation's result of @bench and merge; 0 or 1 (said). */
static int merge_into(const struct ws_run_cfg *cfg, const char *bench,
		      const char *scratch, unsigned n)
{
	json_t **roots = calloc(n, sizeof(*roots)), *m = NULL;
	char path[4096], why[1024];
	json_error_t jerr;
	int rc = 1;

	for (unsigned i = 0; roots && i < n; i++) {
		snprintf(path, sizeof(path), "%s/%u/%s.json", scratch, i + 1, bench);
		roots[i] = json_load_file(path, 0, &jerr);
		if (!roots[i]) {
			fprintf(stderr, "wsbench: invocation %u wrote no readable %s: %s\n",
				i + 1, path, jerr.text);
			goto out;
		}
	}
	m = roots ? ws_merge_invocations(roots, n, why, sizeof(why)) : NULL;
	if (!m) {
		fprintf(stderr, "wsbench: cannot merge the invocations: %s\n", why);
		goto out;
	}
	json_object_set_new(json_object_get(m, "params"), "out_dir",
			    json_string(cfg->p.out_dir));
	json_object_set_new(json_object_get(m, "params"), "invocations",
			    json_integer(n));
	snprintf(path, sizeof(path), "%s/%s.json", cfg->p.out_dir, bench);
	rc = ws_json_write_atomic(m, path) ? 1 : 0;
	if (rc)
		fprintf(stderr, "wsbench: cannot write %s\n", path);
	else if (add_to_manifest(cfg, bench))
		rc = 1;
	else
		fprintf(stderr, "wsbench: %s: %u invocations merged -> %s\n",
			bench, n, path);
out:
	for (unsigned i = 0; roots && i < n; i++)
		json_decref(roots[i]);
	free(roots);
	json_decref(m);
	return rc;
}

int ws_run_invocations(const struct ws_benchmark *b,
		       const struct ws_run_cfg *cfg, int argc, char **argv)
{
	char scratch[600], out[700];
	struct sigaction sa = { .sa_handler = on_signal };
	char **cargv;
	int rc = 0, worst = 0;
	time_t t0 = time(NULL);
	unsigned i;

	snprintf(scratch, sizeof(scratch), "%s/.invocations.XXXXXX",
		 cfg->p.out_dir);
	if (!mkdtemp(scratch)) {
		fprintf(stderr, "wsbench: --out %s: %s\n", cfg->p.out_dir,
			strerror(errno));
		return WS_EXIT_USAGE;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	for (i = 0; i < cfg->invocations && !stop_signal; i++) {
		long el = (long)(time(NULL) - t0);

		snprintf(out, sizeof(out), "%s/%u", scratch, i + 1);
		cargv = child_argv(argc, argv, out, cfg->run_id);
		if (!cargv)
			break;
		fprintf(stderr, "[%s invocation %u/%u] elapsed %lds, ETA %s%lds\n",
			b->name, i + 1, cfg->invocations, el, i ? "~" : "unknown ",
			i ? el / (long)i * (long)(cfg->invocations - i) : 0L);
		rc = run_child(cargv);
		free(cargv);
		worst = rc == WS_EXIT_USAGE || rc < 0 ? WS_EXIT_USAGE :
			worst ? worst : rc;
		if (rc == WS_EXIT_USAGE || rc < 0 || rc >= 128)
			break;
	}
	if (stop_signal || i < cfg->invocations) {
		fprintf(stderr, "wsbench: %s: stopped after %u of %u invocations: nothing merged\n",
			b->name, i, cfg->invocations);
		remove_tree(scratch);
		return stop_signal ? 128 + stop_signal : worst ? worst : 1;
	}
	rc = merge_into(cfg, b->name, scratch, cfg->invocations);
	remove_tree(scratch);
	return rc ? rc : worst;
}
