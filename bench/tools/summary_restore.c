// SPDX-License-Identifier: GPL-2.0
/*
 * The restore section of `wsbench summary` (summary.h): per backing,
 * populate method and registration of the VM mapping,
 *
 *   populate   the populate step per populated page (median)
 *   minor      minor-fault latency, median / p99 of the accesses that
 *              raised exactly one MINOR message
 *   1/page     did every populated page's access raise exactly one
 *   content    populated pages that differ from the snapshot / checked
 *   holes      what the pages left out of the populate did: unseen and
 *              read as zeroes (MINOR alone), or filled on demand
 *
 * then the skips with the kernel's reasons.  The JSON has the rest.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "summary.h"

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key)) ?: "-";
}

static json_int_t count(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* metrics[@name].summary[@stat], or NAN. */
static double stat(json_t *c, const char *name, const char *st)
{
	json_t *s = json_object_get(json_object_get(json_object_get(c,
				"metrics"), name), "summary");
	json_t *v = json_object_get(s, st);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* "-" for a statistic a series too small does not have. */
static const char *num(char *buf, size_t len, double x)
{
	if (isnan(x))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.0f", x);
	return buf;
}

static void holes_text(json_t *c, char *buf, size_t len)
{
	json_t *h = json_object_get(c, "holes");
	json_int_t touched = count(h, "touched");

	if (!touched)
		snprintf(buf, len, "none");
	else if (!strcmp(str(c, "registration"), "MINOR"))
		snprintf(buf, len, "%lld of %lld unseen, %lld read as zeroes",
			 (long long)count(h, "unseen"), (long long)touched,
			 (long long)count(h, "read_zero"));
	else
		snprintf(buf, len, "%lld of %lld filled on demand",
			 (long long)count(h, "filled_on_demand"),
			 (long long)touched);
}

static void row(FILE *out, json_t *c)
{
	json_t *f = json_object_get(c, "faults");
	json_t *k = json_object_get(c, "content");
	char minor[32], p50[16], p99[16], content[32], holes[96];

	snprintf(minor, sizeof(minor), "%s/%s",
		 num(p50, sizeof(p50), stat(c, "minor_fault_ns", "median")),
		 num(p99, sizeof(p99), stat(c, "minor_fault_ns", "p99")));
	snprintf(content, sizeof(content), "%lld/%lld%s",
		 (long long)count(k, "bad_pages"),
		 (long long)count(k, "populated_checked"),
		 json_is_true(json_object_get(k, "verified")) ? " ok" : " BAD");
	holes_text(c, holes, sizeof(holes));
	fprintf(out, "%-8s %-8s %-13s %9.0f %15s %6s %13s  %s\n",
		str(c, "backing"), str(c, "populate"), str(c, "registration"),
		stat(c, "populate_ns_per_page", "median"), minor,
		json_is_true(json_object_get(f, "one_minor_per_populated_page")) ?
		"yes" : "NO", content, holes);
}

void ws_summary_restore(FILE *out, json_t *j, const char *accel)
{
	json_t *c, *s;
	size_t i;

	fprintf(out, "\nrestore: populate the memory file, then a vCPU's minor faults resolved with UFFDIO_CONTINUE (medians; holes: pages left out of the populate, over every repetition)%s\n",
		accel && !strcmp(accel, "tcg") ?
		"\n  accel tcg: the timings are not meaningful, the counts are" : "");
	fprintf(out, "%-8s %-8s %-13s %9s %15s %6s %13s  %s\n", "backing",
		"populate", "registration", "ns/page", "minor ns p50/99",
		"1/page", "content bad", "holes");
	json_array_foreach(json_object_get(j, "results"), i, c)
		row(out, c);
	json_array_foreach(json_object_get(j, "skipped"), i, s)
		fprintf(out, "%-8s %-8s %-13s skipped: %s\n", str(s, "backing"),
			str(s, "populate"), str(s, "registration"),
			str(s, "reason"));
	json_array_foreach(json_object_get(j, "errors"), i, s)
		fprintf(out, "%-8s %-8s %-13s ERROR: %s\n", str(s, "backing"),
			str(s, "populate"), str(s, "registration"),
			str(s, "error"));
}
