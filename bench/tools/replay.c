// SPDX-License-Identifier: GPL-2.0
/*
 * Recorded params -> `wsbench run` options (replay.h).
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "readers.h"
#include "replay.h"

/*
 * Params keys whose option is not the key with '_' -> '-', and values that
 * mean "not given" (passing them would ask for something else: --hugepages
 * 0 would empty the huge page pool).
 */
static const struct {
	const char *key, *option;
	bool zero_is_unset;
} renamed[] = {
	{ "backends", "--backend", false }, { "backings", "--backing", false },
	{ "modes", "--mode", false }, { "layouts", "--layout", false },
	{ "rearms", "--rearm", false }, { "sizes_bytes", "--size", false },
	{ "hot_pcts", "--hot", false }, { "min_time_s", "--min-time", false },
	{ "patterns", "--pattern", false },
	{ "populates", "--populate", false }, { "holes_pct", "--holes", false },
	{ "hugepages_request", "--hugepages", true },
	{ "max_reps", "--max-reps", true },
	{ "profile", NULL, false },	/* passed on its own, first */
};

int ws_replay_bookkeeping(const char *key)
{
	return !strcmp(key, "run_id") || !strcmp(key, "out_dir");
}

json_t *ws_replay_defaults(const char *bench, const char *profile)
{
	return ws_readers.run_defaults(bench, profile);
}

/* Keys a run records only when they apply: --damon when damon may run. */
static int optional_key(const char *key)
{
	return !strcmp(key, "damon");
}

/* The option of @key into @buf; 0 when the key has none (profile). */
static int option_of(const char *key, char *buf, size_t len, bool *zero_unset)
{
	*zero_unset = false;
	for (size_t i = 0; i < sizeof(renamed) / sizeof(renamed[0]); i++)
		if (!strcmp(renamed[i].key, key)) {
			if (!renamed[i].option)
				return 0;
			snprintf(buf, len, "%s", renamed[i].option);
			*zero_unset = renamed[i].zero_is_unset;
			return 1;
		}
	snprintf(buf, len, "--%s", key);
	for (char *c = buf; *c; c++)
		if (*c == '_')
			*c = '-';
	return 1;
}

/* Shortest text that parses back to exactly @x. */
static void fmt_real(double x, char *buf, size_t len)
{
	for (int prec = 6; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			return;
	}
}

/* One scalar as option text; -1 if it has no text form. */
static int fmt_scalar(json_t *v, int is_size, char *buf, size_t len)
{
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v) && is_size)
		ws_fmt_size((size_t)json_integer_value(v), buf, len);
	else if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		fmt_real(json_real_value(v), buf, len);
	else
		return -1;
	return 0;
}

/*
 * params.damon ({"sample_us", "aggr_us", "update_us", "update",
 * "min_regions", "max_regions"}) back into --damon's KEY=VAL list.
 */
static int fmt_damon(json_t *v, char *buf, size_t len)
{
	json_int_t s = json_integer_value(json_object_get(v, "sample_us"));
	json_int_t a = json_integer_value(json_object_get(v, "aggr_us"));
	json_int_t u = json_integer_value(json_object_get(v, "update_us"));
	json_int_t lo = json_integer_value(json_object_get(v, "min_regions"));
	json_int_t hi = json_integer_value(json_object_get(v, "max_regions"));
	const char *never = json_string_value(json_object_get(v, "update"));
	char upd[32];
	int n;

	if (!s || !a || !lo || !hi || !never)
		return -1;
	if (!strcmp(never, "never"))
		snprintf(upd, sizeof(upd), "never");
	else
		snprintf(upd, sizeof(upd), "%lldus", (long long)u);
	n = snprintf(buf, len, "sample=%lldus,aggr=%lldus,update=%s,regions=%lld-%lld",
		     (long long)s, (long long)a, upd, (long long)lo, (long long)hi);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* A value (scalar, or array joined by commas) as option text. */
static int fmt_value(json_t *v, int is_size, char *buf, size_t len)
{
	size_t i, off = 0;
	json_t *x;

	if (json_is_object(v))
		return fmt_damon(v, buf, len);
	if (!json_is_array(v))
		return fmt_scalar(v, is_size, buf, len);
	if (!json_array_size(v))
		return -1;
	json_array_foreach(v, i, x) {
		if (i)
			buf[off++] = ',';
		if (fmt_scalar(x, is_size, buf + off, len - off))
			return -1;
		off += strlen(buf + off);
		if (off + 2 >= len)
			return -1;	/* would not fit: never truncate */
	}
	return 0;
}

/* Append the option for @key of @params to @args; -1 with @why if it
 * cannot be given. */
static int replay_one(const char *bench, const char *key,
		      json_t *v, json_t *base, json_t *args, char *why,
		      size_t len)
{
	char opt[64], val[4096];
	bool zero_unset;

	if (ws_replay_bookkeeping(key) ||
	    !option_of(key, opt, sizeof(opt), &zero_unset))
		return 0;
	if (base && json_equal(v, json_object_get(base, key)))
		return 0;
	if (json_is_null(v))
		return 0;	/* a knob option not given */
	if (ws_readers.run_reads_option(bench, opt) != 1) {
		if (!base)
			return 0;	/* every option: only those it reads */
		snprintf(why, len, "%s: params.%s differs from this wsbench's default, and no option of wsbench run %s sets it",
			 bench, key, bench);
		return -1;
	}
	if (!base && zero_unset && json_is_integer(v) && !json_integer_value(v))
		return 0;
	if (fmt_value(v, !strcmp(key, "sizes_bytes"), val, sizeof(val))) {
		snprintf(why, len, "%s: params.%s cannot be given as %s",
			 bench, key, opt);
		return -1;
	}
	json_array_append_new(args, json_string(opt));
	json_array_append_new(args, json_string(val));
	return 0;
}

int ws_replay_args(const char *bench, json_t *params, json_t *base,
		   json_t *args, char *why, size_t len)
{
	const char *key;
	json_t *v;

	if (ws_readers.run_reads_option(bench, "--profile") < 0) {
		snprintf(why, len, "benchmark '%s' is unknown to this wsbench",
			 bench);
		return -1;
	}
	json_object_foreach(params, key, v)
		if (replay_one(bench, key, v, base, args, why, len))
			return -1;
	return 0;
}

const char *ws_replay_tune(json_t *root)
{
	json_t *t = json_object_get(json_object_get(json_object_get(
			json_object_get(root, "environment"), "cpu"), "tuning"),
			"requested");

	return json_is_boolean(t) ? (json_is_true(t) ? "on" : "off") : NULL;
}

static void note_key(char *buf, size_t len, const char *key)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s%s", n ? ", " : "", key);
}

int ws_params_mismatch(json_t *a, json_t *b, char *buf, size_t len)
{
	const char *key;
	json_t *v;

	buf[0] = '\0';
	json_object_foreach(a, key, v)
		if (!ws_replay_bookkeeping(key) &&
		    !json_equal(v, json_object_get(b, key)))
			note_key(buf, len, key);
	json_object_foreach(b, key, v)
		if (!ws_replay_bookkeeping(key) && !json_object_get(a, key))
			note_key(buf, len, key);
	return buf[0] != '\0';
}

int ws_params_key_mismatch(json_t *a, json_t *b, char *buf, size_t len)
{
	const char *key;
	json_t *v;

	buf[0] = '\0';
	json_object_foreach(a, key, v)
		if (!ws_replay_bookkeeping(key) && !optional_key(key) &&
		    !json_object_get(b, key))
			note_key(buf, len, key);
	json_object_foreach(b, key, v)
		if (!ws_replay_bookkeeping(key) && !optional_key(key) &&
		    !json_object_get(a, key))
			note_key(buf, len, key);
	return buf[0] != '\0';
}
