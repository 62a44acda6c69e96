// SPDX-License-Identifier: GPL-2.0
/*
 * The headline table and case identity (headline.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "headline.h"
#include "parse.h"
#include "rundir.h"

/*
 * Per benchmark, the metrics compare/report/verify show: series names
 * from a case's "metrics", or accuracy.<field> for the exact page counts.
 * Extend here; everything else follows.
 */
static const struct {
	const char *bench;
	const char *metrics;	/* space separated */
} headlines[] = {
	{ "correctness", "accuracy.precision accuracy.recall" },
	{ "fault-latency", "fault_read_ns fault_write_ns access_read_ns access_write_ns "
			   "read_ns write_ns present_ns present_read_ns first_touch_ns" },
	{ "protect-cost", "ns_per_page" },
	/* collect_rearm_ns and interval_ns restate pages_per_s. */
	{ "scan-throughput", "pages_per_s" },
	{ "set-mode", "to_sync_ns to_async_ns" },
	/* Rates and costs; slowdown_pct is signed, *_untracked are controls. */
	{ "vmm-cycle", "accesses_per_s refaults_per_s cpu_per_interval_ns f1_cold_decisions" },
	{ "numa-interplay", "local_fraction_end pages_migrated extra_faults precision recall" },
	{ "damon-sweep", "precision recall mech_cpu_util" },
	/* restore_ns* restate the per-page costs with the timing overhead. */
	{ "restore", "minor_fault_ns missing_fault_ns populate_ns_per_page" },
};

static const char *listed_metrics(const char *bench)
{
	for (size_t i = 0; i < sizeof(headlines) / sizeof(headlines[0]); i++)
		if (!strcmp(headlines[i].bench, bench))
			return headlines[i].metrics;
	return NULL;
}

/* @name ("write_ns" or "accuracy.recall") of case @c into @m; 0 if there. */
static int metric_of(json_t *c, const char *name, struct ws_metric *m)
{
	json_t *series = json_object_get(json_object_get(c, "metrics"), name);

	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	/* A series without samples (no fault to time, say) is no number. */
	if (json_array_size(json_object_get(series, "samples"))) {
		m->series = series;
		m->unit = ws_jstr(series, "unit");
		m->higher_better = !strcmp(ws_jstr(series, "better"), "higher");
		return 0;
	}
	if (!strncmp(name, "accuracy.", 9) &&
	    json_is_number(ws_jget(c, name))) {
		m->value = ws_jnum(c, name);
		m->unit = "";
		m->higher_better = true;
		m->varies = ws_case_varies(c);
		return 0;
	}
	return -1;
}

static size_t listed(const char *list, json_t *c, struct ws_metric *out,
		     size_t max)
{
	char name[64];
	size_t n = 0;

	while (*list && n < max) {
		size_t len = strcspn(list, " ");

		snprintf(name, sizeof(name), "%.*s", (int)len, list);
		n += !metric_of(c, name, &out[n]);
		list += len + (list[len] == ' ');
	}
	return n;
}

bool ws_case_varies(json_t *c)
{
	const char *backend = ws_jstr(c, "backend"), *tlb = ws_jstr(c, "tlb");

	/*
	 * A re-arm policy the harness declares lossy loses pages at random,
	 * DAMON samples, and idle tracking clears young bits without a TLB
	 * flush: their precision/recall are rates, not exact counts.
	 */
	return json_is_false(json_object_get(c, "rearm_lossless")) ||
	       json_is_true(json_object_get(c, "sampling")) ||
	       json_is_object(json_object_get(c, "sampling")) ||
	       !strcmp(backend, "damon") ||
	       (!strcmp(backend, "idle") &&
		(!strcmp(tlb, "as-is") || !strcmp(tlb, "turnover")));
}

/* Controls (the untracked twin of a metric) are context, not claims. */
static bool is_control(const char *name)
{
	size_t n = strlen(name);

	return n > 10 && !strcmp(name + n - 10, "_untracked");
}

size_t ws_all_metrics(json_t *c, struct ws_metric *out, size_t max)
{
	const char *name;
	json_t *v;
	size_t n = 0;
	char acc[96];

	json_object_foreach(json_object_get(c, "metrics"), name, v)
		if (n < max && !is_control(name) && !metric_of(c, name, &out[n]))
			n++;
	json_object_foreach(json_object_get(c, "accuracy"), name, v) {
		snprintf(acc, sizeof(acc), "accuracy.%s", name);
		if (n < max && (!strcmp(name, "precision") || !strcmp(name, "recall")) &&
		    !json_object_get(json_object_get(c, "metrics"), acc) &&
		    !metric_of(c, acc, &out[n]))
			n++;
	}
	return n;
}

size_t ws_headline_metrics(const char *bench, json_t *c,
			   struct ws_metric *out, size_t max)
{
	const char *list = listed_metrics(bench), *name;
	json_t *series;
	size_t n = list ? listed(list, c, out, max) : 0;

	if (n)
		return n;
	/* Unknown benchmark or metrics: show every series the case has. */
	json_object_foreach(json_object_get(c, "metrics"), name, series)
		if (n < max && !is_control(name) && !metric_of(c, name, &out[n]))
			n++;
	return n;
}

/* Top-level string fields that name the case (not its measurements). */
static int is_label(const char *key, json_t *v)
{
	return json_is_string(v) && strcmp(key, "note") &&
	       strcmp(key, "backend") && strcmp(key, "backing") &&
	       strcmp(key, "mode");
}

char *ws_case_key(json_t *c)
{
	json_t *id = json_object(), *v;
	const char *k;
	char *s;

	json_object_foreach(c, k, v)
		if (is_label(k, v))
			json_object_set(id, k, v);
	json_object_set(id, "params", json_object_get(c, "params"));
	json_object_set_new(id, "~", json_pack("[sss]", ws_jstr(c, "backend"),
					   ws_jstr(c, "backing"),
					   ws_jstr(c, "mode")));
	s = json_dumps(id, JSON_SORT_KEYS | JSON_COMPACT |
			   JSON_REAL_PRECISION(17));
	json_decref(id);
	return s;
}

static void append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 > *cap) {
		size_t cap2 = 2 * (*len + n + 1);
		char *b = realloc(*buf, cap2);

		if (!b)
			return;
		*buf = b;
		*cap = cap2;
	}
	memcpy(*buf + *len, s, n + 1);
	*len += n;
}

/* " key=value", sizes in K/M/G. */
static void append_kv(char **buf, size_t *len, size_t *cap, const char *k,
		      json_t *v)
{
	char val[128], *dump = NULL;
	size_t klen = strlen(k);

	if (json_is_integer(v) && klen > 6 && !strcmp(k + klen - 6, "_bytes"))
		ws_fmt_size((size_t)json_integer_value(v), val, sizeof(val));
	else if (json_is_string(v))
		snprintf(val, sizeof(val), "%s", json_string_value(v));
	else if (json_is_real(v))
		snprintf(val, sizeof(val), "%g", json_real_value(v));
	else
		snprintf(val, sizeof(val), "%s",
			 (dump = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT)) ?
			 dump : "?");
	free(dump);
	append(buf, len, cap, " ");
	append(buf, len, cap, k);
	append(buf, len, cap, "=");
	append(buf, len, cap, val);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Keys of @o, sorted (a canonical order for labels); free() the array. */
static const char **sorted_keys(json_t *o, size_t *n)
{
	const char **keys = malloc((json_object_size(o) + 1) * sizeof(*keys));
	const char *k;
	json_t *v;

	*n = 0;
	if (!keys)
		return NULL;
	json_object_foreach(o, k, v)
		keys[(*n)++] = k;
	qsort(keys, *n, sizeof(*keys), cmp_str);
	return keys;
}

char *ws_case_label(json_t *c)
{
	size_t len, cap = 128, n;
	char *buf = malloc(cap);
	json_t *p = json_object_get(c, "params");
	const char **keys;

	if (!buf)
		return NULL;
	snprintf(buf, cap, "%s %s %s", ws_jstr(c, "backend"),
		 ws_jstr(c, "backing"), ws_jstr(c, "mode"));
	len = strlen(buf);
	keys = sorted_keys(c, &n);
	for (size_t i = 0; keys && i < n; i++)
		if (is_label(keys[i], json_object_get(c, keys[i])))
			append_kv(&buf, &len, &cap, keys[i],
				  json_object_get(c, keys[i]));
	free(keys);
	keys = sorted_keys(p, &n);
	for (size_t i = 0; keys && i < n; i++)
		append_kv(&buf, &len, &cap, keys[i], json_object_get(p, keys[i]));
	free(keys);
	return buf;
}

/* @key, or @key#2, #3, ... when taken already; malloc'd. */
static char *unique_key(json_t *index, const char *key)
{
	size_t len = strlen(key) + 16;
	char *k = malloc(len);

	for (int n = 1; k; n++) {
		if (n == 1)
			snprintf(k, len, "%s", key);
		else
			snprintf(k, len, "%s#%d", key, n);
		if (!json_object_get(index, k))
			break;
	}
	return k;
}

json_t *ws_case_index(json_t *results)
{
	json_t *index = json_object(), *c;
	size_t i;

	json_array_foreach(results, i, c) {
		char *key = ws_case_key(c);
		char *k = key ? unique_key(index, key) : NULL;

		if (k)
			json_object_set(index, k, c);
		free(k);
		free(key);
	}
	return index;
}

double ws_case_distance(json_t *c)
{
	json_t *p = json_object_get(c, "params");
	const char *mode = ws_jstr(c, "mode"), *layout = ws_jstr(p, "layout");
	double threads = ws_jnum(p, "threads"), hot = ws_jnum(p, "hot_pct");
	double size = ws_jnum(p, "size_bytes"), d = 0;

	if (strcmp(ws_jstr(c, "backing"), "anon"))
		d += 1e6;
	if (strcmp(mode, "async") && strcmp(mode, "none"))
		d += 1e5;
	d += 1e4 * (isnan(threads) ? 0 : threads);
	d += 10 * (isnan(hot) ? 0 : fabs(hot - 50));
	if (*layout && strcmp(layout, "contiguous"))
		d += 1e3;
	/* Largest region wins among otherwise equal cases. */
	return d - (isnan(size) ? 0 : log2(size + 1) / 64);
}
