// SPDX-License-Identifier: GPL-2.0
/*
 * fio's JSON output (--output-format=json), reduced to what attach
 * compares tracked against untracked: per direction IOPS, bandwidth and
 * completion-latency percentiles; CPU and faults; and fio's own verify
 * verdict (fio.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fio.h"

/* The whole file; fio may print a line or two before its JSON. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		size_t r;

		if (n + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = 2 * cap + 8192);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, 4096, f);
		n += r;
		if (r < 4096)
			break;
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

static double num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : 0;
}

static json_t *pctl(json_t *clat, const char *key)
{
	json_t *v = json_object_get(json_object_get(clat, "percentile"), key);

	return json_is_number(v) ? json_real(json_number_value(v)) : json_null();
}

static json_t *direction(json_t *d)
{
	json_t *clat = json_object_get(d, "clat_ns");

	return json_pack("{s:f,s:f,s:I,s:I,s:f,s:o,s:o,s:o}",
		"iops", num(d, "iops"),
		"bw_bytes", num(d, "bw_bytes"),
		"io_bytes", (json_int_t)num(d, "io_bytes"),
		"total_ios", (json_int_t)num(d, "total_ios"),
		"clat_mean_ns", num(clat, "mean"),
		"clat_p50_ns", pctl(clat, "50.000000"),
		"clat_p99_ns", pctl(clat, "99.000000"),
		"clat_p99_9_ns", pctl(clat, "99.900000"));
}

/* fio's first stderr line about verification, if any. */
static void verify_line(const char *err_path, char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen(err_path, "re");

	buf[0] = '\0';
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "verify")) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, len, "%s", line);
			break;
		}
	if (f)
		fclose(f);
}

json_t *ws_fio_result(const struct ws_fio_job *job, const char *json_path,
		      const char *err_path, int exit_status, char *why,
		      size_t len)
{
	char *text = slurp(json_path), *brace, msg[512];
	json_error_t jerr;
	json_t *root, *j, *out;
	const char *verdict;
	long error;

	brace = text ? strchr(text, '{') : NULL;
	root = brace ? json_loads(brace, JSON_DISABLE_EOF_CHECK, &jerr) : NULL;
	free(text);
	j = json_array_get(json_object_get(root, "jobs"), 0);
	if (!j) {
		snprintf(why, len, "fio's JSON output %s: %s", json_path,
			 !brace ? "missing or empty" : root ? "no jobs" :
			 jerr.text);
		json_decref(root);
		return NULL;
	}
	error = (long)num(j, "error");
	verify_line(err_path, msg, sizeof(msg));
	if (!job->verify[0] || !strcmp(job->verify, "0") ||
	    !strcmp(job->verify, "none"))
		verdict = "not enabled";
	else if (!error && !exit_status && !msg[0])
		verdict = "passed";
	else
		verdict = "failed";
	out = json_pack("{s:I,s:I,s:I,s:o,s:o,s:f,s:f,s:I,s:I,s:s,s:s}",
		"error", (json_int_t)error,
		"exit_status", (json_int_t)exit_status,
		"runtime_ms", (json_int_t)num(j, "job_runtime"),
		"read", direction(json_object_get(j, "read")),
		"write", direction(json_object_get(j, "write")),
		"usr_cpu_pct", num(j, "usr_cpu"),
		"sys_cpu_pct", num(j, "sys_cpu"),
		"majf", (json_int_t)num(j, "majf"),
		"minf", (json_int_t)num(j, "minf"),
		"verify", verdict,
		"verify_message", msg);
	json_decref(root);
	return out;
}
