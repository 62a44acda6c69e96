// SPDX-License-Identifier: GPL-2.0
/*
 * Environment comparison (envdiff.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envdiff.h"
#include "rundir.h"

/* The environment facts that make two timings incomparable. */
static const struct {
	const char *path;
	const char *what;
} machine_keys[] = {
	{ "cpu.model", "CPU model" },
	{ "mm.page_size", "page size" },
};

void ws_json_brief(json_t *v, char *buf, size_t max)
{
	char *dump = NULL;
	const char *s;

	if (!v)
		s = "(absent)";
	else if (json_is_string(v))
		s = json_string_value(v);
	else
		s = (dump = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT)) ?
		    dump : "?";
	if (strlen(s) < max)
		snprintf(buf, max, "%s", s);
	else
		snprintf(buf, max, "%.*s...", (int)(max > 4 ? max - 4 : 0), s);
	free(dump);
}

json_t *ws_env_refusals(const char *accel_a, json_t *env_a,
			const char *accel_b, json_t *env_b)
{
	json_t *why = json_array();
	char a[128], b[128], line[512];

	if (strcmp(accel_a, accel_b)) {
		snprintf(line, sizeof(line), "accel differs (%s vs %s): timings under different accelerators measure different machines",
			 accel_a, accel_b);
		json_array_append_new(why, json_string(line));
	}
	for (size_t i = 0; i < sizeof(machine_keys) / sizeof(machine_keys[0]); i++) {
		json_t *va = ws_jget(env_a, machine_keys[i].path);
		json_t *vb = ws_jget(env_b, machine_keys[i].path);

		if ((!va && !vb) || (va && vb && json_equal(va, vb)))
			continue;
		ws_json_brief(va, a, sizeof(a));
		ws_json_brief(vb, b, sizeof(b));
		snprintf(line, sizeof(line), "%s differs (%s vs %s)",
			 machine_keys[i].what, a, b);
		json_array_append_new(why, json_string(line));
	}
	return why;
}

static void diff_into(json_t *out, const char *prefix, json_t *a, json_t *b);

/* Recurse into the keys of @o (one side), skipping those done already. */
static void diff_keys(json_t *out, const char *prefix, json_t *o,
		      json_t *a, json_t *b, int second)
{
	const char *k;
	json_t *v;
	char path[512];

	json_object_foreach(o, k, v) {
		if (second && json_object_get(a, k))
			continue;	/* seen from the first side */
		snprintf(path, sizeof(path), "%s%s%s", prefix,
			 *prefix ? "." : "", k);
		diff_into(out, path, json_object_get(a, k),
			  json_object_get(b, k));
	}
}

static void diff_into(json_t *out, const char *prefix, json_t *a, json_t *b)
{
	if (json_is_object(a) && json_is_object(b)) {
		diff_keys(out, prefix, a, a, b, 0);
		diff_keys(out, prefix, b, a, b, 1);
		return;
	}
	if (a && b && json_equal(a, b))
		return;
	json_array_append_new(out, json_pack("{s:s, s:O?, s:O?}", "key", prefix,
					     "a", a, "b", b));
}

/*
 * A copy of @env without what is a reading, not a setting: the free memory
 * of each NUMA node changes from one file to the next of any run.
 */
static json_t *settings_of(json_t *env)
{
	json_t *copy = json_deep_copy(env), *node;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(copy, "numa"),
					   "nodes"), i, node)
		json_object_del(node, "mem_free_kb");
	return copy;
}

json_t *ws_env_differences(json_t *env_a, json_t *env_b)
{
	json_t *out = json_array();
	json_t *a = settings_of(env_a), *b = settings_of(env_b);

	diff_into(out, "", a, b);
	json_decref(a);
	json_decref(b);
	return out;
}

json_t *ws_run_env_changes(const struct ws_run *run)
{
	json_t *out = json_array(), *d;
	size_t k;

	for (size_t i = 1; i < run->nfiles; i++) {
		json_t *diff = ws_env_differences(run->env, json_object_get(
					run->files[i].root, "environment"));

		json_array_foreach(diff, k, d) {
			json_object_set_new(d, "file", json_string(run->files[i].path));
			json_array_append(out, d);
		}
		json_decref(diff);
	}
	return out;
}

int ws_run_env_changed_keys(const struct ws_run *run, char *buf, size_t len)
{
	json_t *changes = ws_run_env_changes(run), *seen = json_object(), *d;
	size_t i, n = 0;

	buf[0] = '\0';
	json_array_foreach(changes, i, d) {
		const char *key = ws_jstr(d, "key");

		if (json_object_get(seen, key))
			continue;
		json_object_set_new(seen, key, json_true());
		if (n + 1 >= len)
			break;
		n += snprintf(buf + n, len - n, "%s%s", n ? ", " : "", key);
	}
	json_decref(seen);
	json_decref(changes);
	return buf[0] != '\0';
}
