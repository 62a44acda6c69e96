// SPDX-License-Identifier: GPL-2.0
/*
 * The summary's warnings, printed under its title where a reader looks
 * first: what the JSON records but a table of medians would hide.
 *
 *   - the environment changed between the files of the run (another
 *     process turned a knob, or the kernel marked the TSC unstable and
 *     switched clocksource: timings after it come from another clock);
 *   - more helper threads than CPUs to run them (--threads N on fewer
 *     CPUs): threads then take turns, and their costs include the wait;
 *   - every warning a benchmark wrote into its file.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "envdiff.h"
#include "readers.h"
#include "rundir.h"
#include "summary.h"

static void env_change_lines(FILE *out, const struct ws_run *run)
{
	json_t *changes = ws_run_env_changes(run), *seen = json_object(), *d;
	char a[64], b[64];
	size_t i;

	json_array_foreach(changes, i, d) {
		const char *key = ws_jstr(d, "key");

		if (json_object_get(seen, key))
			continue;
		json_object_set_new(seen, key, json_true());
		ws_json_brief(json_object_get(d, "a"), a, sizeof(a));
		ws_json_brief(json_object_get(d, "b"), b, sizeof(b));
		fprintf(out, "WARNING: %s changed during the run: %s -> %s (in %s)%s\n",
			key, a, b, ws_jstr(d, "file"),
			!strcmp(key, "cpu.clocksource") ?
			": the kernel changed clock (an unstable TSC?); timings after it were taken with another clock" :
			"");
	}
	json_decref(seen);
	json_decref(changes);
}

/* Helper threads run on the CPUs the measuring thread leaves free. */
static void thread_lines(FILE *out, const struct ws_run_file *f)
{
	json_t *env = json_object_get(f->root, "environment");
	json_t *cpu = json_object_get(env, "cpu"), *t;
	json_int_t usable = json_integer_value(json_object_get(cpu, "usable"));
	json_int_t most = 0;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(f->root, "params"),
					   "threads"), i, t)
		if (json_integer_value(t) > most)
			most = json_integer_value(t);
	if (usable <= 0 || most <= usable - 1)
		return;
	fprintf(out, "WARNING: %s ran up to %lld helper threads on %lld usable CPUs (one measures): the threads took turns on %lld CPU(s), so their costs include waiting for one\n",
		f->bench, (long long)most, (long long)usable,
		(long long)(usable > 1 ? usable - 1 : 1));
}

void ws_summary_warnings(FILE *out, const struct ws_run *run)
{
	json_t *w;
	size_t i;

	env_change_lines(out, run);
	for (size_t k = 0; k < run->nfiles; k++) {
		const struct ws_run_file *f = &run->files[k];

		thread_lines(out, f);
		/* numa-interplay prints its own under its section. */
		if (!strcmp(f->bench, "numa-interplay"))
			continue;
		json_array_foreach(json_object_get(f->root, "warnings"), i, w)
			fprintf(out, "WARNING (%s): %s\n", f->bench,
				json_string_value(w));
	}
}

/* ---- which profile's sizes really ran ---- */

/*
 * The options of @f's params that differ from its profile's presets: the
 * params `wsbench run` would record with no option but --profile (the
 * driver hands them over, readers.h), compared key by key.
 */
static void overrides(const struct ws_run_file *f, char *buf, size_t len)
{
	static const struct { const char *key, *opt; } knobs[] = {
		{ "sizes_bytes", "--size" }, { "pages", "--pages" },
		{ "intervals", "--intervals" }, { "min_time_s", "--min-time" },
		{ "min_reps", "--min-reps" }, { "max_reps", "--max-reps" },
		{ "warmup", "--warmup" },
	};
	json_t *p = json_object_get(f->root, "params");
	json_t *d = ws_readers.run_defaults(f->bench, ws_jstr(p, "profile"));

	buf[0] = '\0';
	for (size_t i = 0; d && i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		json_t *a = json_object_get(p, knobs[i].key);
		json_t *b = json_object_get(d, knobs[i].key);

		if ((a || b) && !json_equal(a, b))
			snprintf(buf + strlen(buf), len - strlen(buf), " %s",
				 knobs[i].opt);
	}
	json_decref(d);
}

void ws_summary_profile(FILE *out, const struct ws_run *run)
{
	char buf[1024] = "", one[256];
	const char *prof = ws_jstr(run->params, "profile");

	for (size_t k = 0; k < run->nfiles; k++) {
		overrides(&run->files[k], one, sizeof(one));
		if (one[0])
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
				 "%s %s%s", buf[0] ? ";" : "",
				 run->files[k].bench, one);
	}
	if (buf[0])
		fprintf(out, "profile %s, its presets overridden by options (the JSON params have the values):%s\n",
			prof, buf);
	else
		fprintf(out, "profile %s, as preset (wsbench run <benchmark> --help shows the presets)\n",
			prof);
}
