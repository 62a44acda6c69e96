// SPDX-License-Identifier: GPL-2.0
/*
 * The whole-process A/B a user would see: hyperfine (Debian's) runs the
 * command alone and under `wsbench attach` (same backend and cycle
 * options), --ab-runs times each after --ab-warmup, in --ab-rounds rounds
 * whose order alternates so that drift hits both alike.  Every round's
 * --export-json is kept in the result; the runs are independent process
 * runs, so the CI of each median and of the slowdown (ratio of medians)
 * is a plain percentile bootstrap over them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attach.h"
#include "common.h"
#include "janitor.h"
#include "maps.h"
#include "stats.h"
#include "target.h"

#define RESAMPLES	2000

/* @s single-quoted for a POSIX shell (hyperfine splits commands so). */
static void quote(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);

	if (n + 3 >= len)
		return;
	buf[n++] = '\'';
	for (; *s && n + 5 < len; s++) {
		if (*s == '\'') {
			memcpy(buf + n, "'\\''", 4);
			n += 4;
		} else {
			buf[n++] = *s;
		}
	}
	buf[n++] = '\'';
	buf[n++] = ' ';
	buf[n] = '\0';
}

static void word(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void word(char *buf, size_t len, const char *fmt, ...)
{
	char w[PATH_MAX + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w, sizeof(w), fmt, ap);
	va_end(ap);
	quote(buf, len, w);
}

/*
 * The command as each run gets it (in @dir): fio with its job file made
 * absolute and, run alone, its output in @dir -- under wsbench attach, which
 * refuses an fio --output since it sets its own, without.
 */
static void command(const struct ws_attach *a, const char *dir, bool alone,
		    char *buf, size_t len)
{
	char **argv = a->cmd, json[PATH_MAX + 16];

	if (a->is_fio) {
		snprintf(json, sizeof(json), "%s/fio.json", dir);
		argv = ws_fio_argv(a->cmd, alone ? json : NULL);
	}
	for (size_t i = 0; argv && argv[i]; i++)
		quote(buf, len, argv[i]);
	if (a->is_fio)
		ws_argv_free(argv);
}

/* `wsbench attach` with this run's backend and cycle options. */
static void tracked(const struct ws_attach *a, const char *dir, char *buf,
		    size_t len)
{
	char sel[300];

	ws_select_describe(a->sel.sel, a->sel.size, a->sel.name, sel,
			   sizeof(sel));
	word(buf, len, "%s", a->self);
	word(buf, len, "attach");
	word(buf, len, "--backend=%s", a->ops->name);
	word(buf, len, "--select=%s", sel);
	word(buf, len, "--intervals=%u", a->intervals);
	word(buf, len, "--interval-ms=%g", a->interval_ms);
	word(buf, len, "--cold-after=%u", a->cold_after);
	word(buf, len, "--protocol=%s", a->unsafe ? "unsafe" : "safe");
	word(buf, len, "--freeze=%s", a->freeze == WS_ATTACH_FREEZE_PAUSE ?
	     "pause" : "auto");
	word(buf, len, "--preload=%s", a->preload);
	if (a->no_evict)
		word(buf, len, "--no-evict");
	word(buf, len, "--no-untracked");
	word(buf, len, "--quiet");
	word(buf, len, "--out=%s/attach-out", dir);
	word(buf, len, "--run-id=ab");
	word(buf, len, "--");
	command(a, dir, false, buf, len);
}

static int run_hyperfine(const struct ws_attach *a, const char *dir,
			 const char *first, const char *second,
			 const char *export, char *why, size_t len)
{
	char runs[16], warm[16], out[PATH_MAX + 16];
	char *argv[] = { "hyperfine", "--shell=none", "--style=none",
			 "--runs", runs, "--warmup", warm, "--export-json",
			 (char *)export, (char *)first, (char *)second, NULL };
	struct ws_target t;
	FILE *f;
	int fd, ret;

	snprintf(runs, sizeof(runs), "%u", a->ab_runs);
	snprintf(warm, sizeof(warm), "%u", a->ab_warmup);
	snprintf(out, sizeof(out), "%s/hyperfine.out", dir);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ws_target_init(&t);
	ret = ws_target_spawn(&t, argv, a->is_fio ? dir : NULL, NULL, fd, fd,
			      why, len);
	if (fd >= 0)
		close(fd);
	if (ret)
		return ret;
	ws_target_wait(&t, -1);
	ws_target_release(&t);
	if (WIFEXITED(t.status) && !WEXITSTATUS(t.status))
		return 0;
	f = fopen(out, "re");
	snprintf(why, len, "hyperfine exited 0x%x", t.status);
	if (f) {
		char line[256];

		while (fgets(line, sizeof(line), f))
			if (strstr(line, "rror"))
				snprintf(why, len, "hyperfine: %s", line);
		fclose(f);
	}
	return -EIO;
}

/* Append the times of @cmd in hyperfine export @root to @s. */
static int take_times(json_t *root, const char *cmd, struct ws_samples *s,
		      size_t *bad_exits)
{
	size_t i, k;
	json_t *r, *x;

	json_array_foreach(json_object_get(root, "results"), i, r) {
		if (strcmp(json_string_value(json_object_get(r, "command")) ?:
			   "", cmd))
			continue;
		json_array_foreach(json_object_get(r, "times"), k, x)
			ws_samples_push_rep(s, json_number_value(x));
		json_array_foreach(json_object_get(r, "exit_codes"), k, x)
			*bad_exits += json_integer_value(x) != 0;
		return 0;
	}
	return -ENOENT;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double resampled_median(const struct ws_samples *s, double *tmp,
			       uint64_t *seed)
{
	for (size_t i = 0; i < s->n; i++)
		tmp[i] = s->v[rnd(seed) % s->n];
	return ws_median(tmp, s->n);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Slowdown in % (median tracked / median alone - 1) and its bootstrap CI. */
static json_t *slowdown(const struct ws_samples *t, const struct ws_samples *u,
			uint64_t seed)
{
	double *tt = calloc(t->n, sizeof(double));
	double *tu = calloc(u->n, sizeof(double));
	double *r = calloc(RESAMPLES, sizeof(double));
	double mu = ws_median(u->v, u->n), mt = ws_median(t->v, t->n);
	json_t *ci = json_null();

	seed |= 1;
	if (tt && tu && r) {
		for (size_t i = 0; i < RESAMPLES; i++)
			r[i] = 100.0 * (resampled_median(t, tt, &seed) /
					resampled_median(u, tu, &seed) - 1);
		qsort(r, RESAMPLES, sizeof(*r), cmp_double);
		ci = json_pack("[f,f]", ws_percentile_sorted(r, RESAMPLES, 2.5),
			       ws_percentile_sorted(r, RESAMPLES, 97.5));
	}
	free(tt);
	free(tu);
	free(r);
	return json_pack("{s:f,s:o,s:f,s:I}", "slowdown_pct",
			 100.0 * (mt / mu - 1), "slowdown_pct_ci95", ci,
			 "ci_level", 0.95, "bootstrap_resamples",
			 (json_int_t)RESAMPLES);
}

json_t *ws_attach_hyperfine(struct ws_bench_ctx *ctx, const struct ws_attach *a,
			    json_t *metrics, char *why, size_t len)
{
	char dir[PATH_MAX], alone[8192] = "", under[8192] = "";
	char exp[PATH_MAX + 32];
	struct ws_samples t, u;
	size_t bad = 0;
	json_t *exports = json_array(), *j = NULL;
	struct ws_janitor jan;
	int ret = 0;

	snprintf(dir, sizeof(dir), "%.3000s/wsbench-ab.XXXXXX", a->tmp);
	if (!mkdtemp(dir)) {
		snprintf(why, len, "work directory in %s: %s", a->tmp,
			 strerror(errno));
		return NULL;
	}
	ret = ws_janitor_start(&jan, dir);
	if (ret)
		snprintf(why, len, "fork of the work directory's janitor: %s",
			 strerror(-ret));
	command(a, dir, true, alone, sizeof(alone));
	tracked(a, dir, under, sizeof(under));
	/* hyperfine names commands by their string, trailing blank cut. */
	alone[strlen(alone) - 1] = under[strlen(under) - 1] = '\0';
	ws_samples_init(&t);
	ws_samples_init(&u);
	for (unsigned int r = 0; !ret && r < a->ab_rounds; r++) {
		json_error_t jerr;
		json_t *root;

		snprintf(exp, sizeof(exp), "%s/round%u.json", dir, r);
		ret = run_hyperfine(a, dir, r % 2 ? under : alone,
				    r % 2 ? alone : under, exp, why, len);
		root = ret ? NULL : json_load_file(exp, 0, &jerr);
		if (!ret && (!root || take_times(root, alone, &u, &bad) ||
			     take_times(root, under, &t, &bad))) {
			snprintf(why, len, "%s: %s", exp, root ?
				 "a command is missing" : jerr.text);
			ret = -EPROTO;
		}
		if (root)
			json_array_append_new(exports, root);
	}
	if (!ret) {
		j = json_pack("{s:s,s:I,s:I,s:I,s:s,s:s,s:I,s:o}",
			"tool", "hyperfine",
			"runs", (json_int_t)a->ab_runs,
			"warmup", (json_int_t)a->ab_warmup,
			"rounds", (json_int_t)a->ab_rounds,
			"command_alone", alone,
			"command_tracked", under,
			"nonzero_exits", (json_int_t)bad,
			"exports", exports);
		json_t *sd = slowdown(&t, &u, a->seed);

		json_object_update(j, sd);
		json_decref(sd);
		json_object_set_new(j, "median_s",
				    json_real(ws_median(t.v, t.n)));
		json_object_set_new(j, "median_s_alone",
				    json_real(ws_median(u.v, u.n)));
		ws_metric_add(ctx, metrics, "ab_wall_s", &t, "s");
		ws_metric_add(ctx, metrics, "ab_wall_s_alone", &u, "s");
	} else {
		json_decref(exports);
	}
	ws_samples_free(&t);
	ws_samples_free(&u);
	ws_attach_rm_work(dir);
	ws_janitor_stop(&jan);
	return j;
}
