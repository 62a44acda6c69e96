// SPDX-License-Identifier: GPL-2.0
/*
 * fio for wsbench attach: every shipped job file (workloads/fio/) is
 * accepted with its log usable as ground truth; broken jobs are refused
 * with the reason; fio's command line gets JSON output and absolute job
 * paths; a per-I/O log becomes per-interval page sets (boundaries,
 * ambiguity, offsets outside the range, unreadable lines); fio's JSON
 * output is read through a leading message, and its verify verdict comes
 * from its error, exit status and stderr.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fio.h"
#include "truth.h"
#include "unit.h"

#define MS	1000000ULL

static char dir[] = "/tmp/wsbench-fio-test.XXXXXX";

static const char *write_file(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

#define GOOD \
	"[global]\nioengine=mmap\nthread\nfilename=/dev/shm/wsbench-fio-unit.dat\n" \
	"size=16m\nbs=4k\nwrite_iops_log=x\nlog_offset=1\nlog_alternate_epoch=1\n" \
	"log_alternate_epoch_clock_id=1\nverify=crc32c\n"

/* Parse GOOD with @extra appended (as a job section unless it has one). */
static int parse(const char *extra, struct ws_fio_job *j, char *why)
{
	char text[2048];

	snprintf(text, sizeof(text), GOOD "%s%s",
		 strchr(extra, '[') ? "" : "[job]\nrw=randrw\n", extra);
	return ws_fio_parse_file(write_file("j.fio", text), j, why, 512);
}

/* @extra on one line, for a test's description. */
static const char *oneline(const char *extra)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s", extra);
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = p[1] ? ' ' : '\0';
	return buf;
}

static void refused(const char *extra, const char *want)
{
	struct ws_fio_job j;
	char why[512] = "";
	int ret = parse(extra, &j, why);

	ok(ret == -EINVAL && strstr(why, want), "refused: %s -> '%s' (%s)",
	   oneline(extra), want, why);
}

static void no_truth(const char *extra, const char *want)
{
	struct ws_fio_job j;
	char why[512] = "";
	int ret = parse(extra, &j, why);

	ok(!ret && !j.truth && strstr(j.no_truth, want),
	   "accepted without ground truth: %s -> '%s' (%s)", oneline(extra),
	   want, ret ? why : j.no_truth);
}

static void test_shipped(void)
{
	glob_t g = { 0 };
	char why[512];
	int ret = glob("workloads/fio/*.fio", 0, NULL, &g);

	ok(!ret && g.gl_pathc >= 4, "workloads/fio has the job files (%zu)",
	   g.gl_pathc);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct ws_fio_job j;
		int ret = ws_fio_parse_file(g.gl_pathv[i], &j, why, sizeof(why));

		ok(!ret && j.truth && j.size == 64 << 20 && j.bs == 4096 &&
		   !strcmp(j.filename, "/dev/shm/wsbench-fio.dat") &&
		   !strcmp(j.verify, "crc32c") && j.dist[0],
		   "%s: accepted, %s, log usable as truth %s", g.gl_pathv[i],
		   j.dist, ret ? why : j.no_truth);
	}
	globfree(&g);
}

static void test_refused(void)
{
	refused("ioengine=psync\n", "ioengine must be mmap");
	refused("thread=0\n", "needs 'thread'");
	refused("numjobs=2\n", "one fio job");
	refused("[a]\nrw=read\n[b]\nrw=write\n", "one fio job");
	refused("filename=\n", "needs one filename=");
	refused("filename=/dev/shm/a:/dev/shm/b\n", "needs one filename=");
	refused("filename=/proc/x\n", "is not on tmpfs");
	refused("size=0\n", "needs size=");
	refused("size=12Q\n", "not a size wsbench reads");
	no_truth("log_offset=0\n", "without log_offset=1");
	no_truth("log_alternate_epoch_clock_id=0\n", "not on CLOCK_MONOTONIC");
	no_truth("write_iops_log=\n", "no write_iops_log");
	no_truth("bs=1k\n", "not a multiple of the page size");
}

static void test_cmd(void)
{
	char *bad1[] = { "fio", "--output=x", "a.fio", NULL };
	char *bad2[] = { "fio", "a.fio", "b.fio", NULL };
	char *bad3[] = { "fio", "--eta=never", NULL };
	char *good[] = { "fio", "--eta=never", (char *)write_file("c.fio",
			 GOOD "[job]\nrw=read\n"), NULL };
	struct ws_fio_job j;
	char why[512], **v;

	ok(ws_fio_parse_cmd(bad1, &j, why, sizeof(why)) == -EINVAL &&
	   strstr(why, "wsbench sets fio's output"), "--output refused: %s", why);
	ok(ws_fio_parse_cmd(bad2, &j, why, sizeof(why)) == -EINVAL &&
	   strstr(why, "one job file"), "two job files refused: %s", why);
	ok(ws_fio_parse_cmd(bad3, &j, why, sizeof(why)) == -EINVAL &&
	   strstr(why, "no job file"), "no job file refused: %s", why);
	ok(!ws_fio_parse_cmd(good, &j, why, sizeof(why)) && ws_fio_is_fio("/usr/bin/fio") &&
	   !ws_fio_is_fio("fiona"), "a job file among options is found");
	v = ws_fio_argv(good, "/w/fio.json");
	ok(v && !strcmp(v[0], "fio") && !strcmp(v[1], "--output-format=json") &&
	   !strcmp(v[2], "--output=/w/fio.json") && !strcmp(v[3], "--eta=never") &&
	   v[4][0] == '/' && !v[5], "fio's argv: JSON output first, job file absolute (%s)",
	   v ? v[4] : "-");
	ws_argv_free(v);
}

static void test_truth(void)
{
	/* ms, value, ddir, bs, offset: 16 pages at file offset 64K. */
	const char *log =
		"100, 1, 0, 4096, 65536\n"	/* page 0, read */
		"101, 1, 1, 4096, 69632\n"	/* page 1, write */
		"101, 1, 1, 8192, 73728\n"	/* pages 2-3, write */
		"105, 1, 0, 4096, 4096\n"	/* before the range */
		"106, 1, 0, 4096, 131072\n"	/* past it */
		"garbage\n"
		"110, 1, 0, 4096, 126976, 0\n"	/* page 15, with prio */
		"103, 1, 2, 4096, 65536\n";	/* a trim: no access */
	struct ws_pageset rd, wr;
	struct ws_truth t;
	char why[256];
	uint64_t amb;
	int ret;

	ret = ws_truth_load(&t, write_file("iops.log", log), 65536, 16 * 4096,
			    4096, why, sizeof(why));
	ok(!ret && t.n == 4 && t.lines == 8 && t.bad_lines == 1 &&
	   t.outside == 3 && t.t_min == 100 && t.t_max == 110,
	   "log loaded: 4 accesses in range, 3 elsewhere or trims, 1 unreadable");
	ws_pageset_init(&rd, 16);
	ws_pageset_init(&wr, 16);
	/*
	 * (99.5, 100.5] ms: the read logged at 100 happened in [100, 102),
	 * which straddles 100.5: in, ambiguous.  The writes logged at 101
	 * happened in [101, 103): not yet.
	 */
	amb = ws_truth_interval(&t, 99500000, 100500000, &rd, &wr);
	ok(ws_pageset_test(&rd, 0) && ws_pageset_count(&rd) == 1 &&
	   ws_pageset_count(&wr) == 0 && amb == 1,
	   "interval (99.5, 100.5] ms: page 0 read, ambiguous; nothing written yet (%llu ambiguous)",
	   (unsigned long long)amb);
	/* (100.5, 104]: the read again (its window reaches in), the writes. */
	amb = ws_truth_interval(&t, 100500000, 104 * MS, &rd, &wr);
	ok(ws_pageset_test(&rd, 0) && ws_pageset_count(&rd) == 1 &&
	   ws_pageset_test(&wr, 1) && ws_pageset_test(&wr, 3) &&
	   ws_pageset_count(&wr) == 3 && amb == 1,
	   "interval (100.5, 104] ms: the straddling read again, pages 1-3 written (%llu ambiguous)",
	   (unsigned long long)amb);
	amb = ws_truth_interval(&t, 104 * MS, 120 * MS, &rd, &wr);
	ok(ws_pageset_test(&rd, 15) && ws_pageset_count(&rd) == 1 &&
	   ws_pageset_count(&wr) == 0 && amb == 0,
	   "interval (104, 120] ms: page 15 only, unambiguous");
	ws_truth_free(&t);
	ret = ws_truth_load(&t, write_file("none.log", "1, 1, 0, 4096, 0\n"),
			    65536, 4096, 4096, why, sizeof(why));
	ok(ret == -ENODATA && strstr(why, "no access in the range"),
	   "a log with nothing in the range: %s", why);
	ws_pageset_free(&rd);
	ws_pageset_free(&wr);
}

static void test_result(void)
{
	const char *json = "fio: pid=1, err=84/file:io_u.c:2152\n{\"jobs\": [{"
		"\"error\": 84, \"job_runtime\": 1000, \"usr_cpu\": 1.5,"
		"\"read\": {\"iops\": 10.5, \"total_ios\": 7, \"clat_ns\": "
		"{\"mean\": 3.0, \"percentile\": {\"50.000000\": 2, \"99.000000\": 9}}},"
		"\"write\": {\"iops\": 0, \"total_ios\": 0}}]}";
	struct ws_fio_job j = { .verify = "crc32c" };
	char why[256], jp[512], ep[512];
	json_t *r;

	snprintf(jp, sizeof(jp), "%s", write_file("fio.json", json));
	snprintf(ep, sizeof(ep), "%s", write_file("fio.err",
		 "verify: bad magic header 0, wanted acca at file x\n"));
	r = ws_fio_result(&j, jp, ep, 1, why, sizeof(why));
	ok(r && !strcmp(json_string_value(json_object_get(r, "verify")), "failed") &&
	   strstr(json_string_value(json_object_get(r, "verify_message")), "bad magic") &&
	   json_integer_value(json_object_get(r, "error")) == 84,
	   "fio's JSON read past its leading message; verify failed, with fio's line");
	ok(r && json_number_value(json_object_get(json_object_get(r, "read"), "clat_p99_ns")) == 9 &&
	   json_number_value(json_object_get(json_object_get(r, "read"), "iops")) == 10.5,
	   "read IOPS and clat p99 taken from fio's JSON");
	json_decref(r);
	write_file("fio.err", "");
	r = ws_fio_result(&j, write_file("ok.json", "{\"jobs\": [{\"error\": 0}]}"),
			  ep, 0, why, sizeof(why));
	ok(r && !strcmp(json_string_value(json_object_get(r, "verify")), "passed"),
	   "error 0, exit 0, nothing on stderr: verify passed");
	json_decref(r);
	j.verify[0] = '\0';
	r = ws_fio_result(&j, write_file("ok.json", "{\"jobs\": [{\"error\": 0}]}"),
			  ep, 0, why, sizeof(why));
	ok(r && !strcmp(json_string_value(json_object_get(r, "verify")), "not enabled"),
	   "no verify= in the job: not enabled");
	json_decref(r);
	r = ws_fio_result(&j, write_file("empty.json", "fio: oops\n"), ep, 1,
			  why, sizeof(why));
	ok(!r && strstr(why, "missing or empty"), "no JSON at all: %s", why);
}

int main(void)
{
	char cmd[128];

	plan(33);
	if (!mkdtemp(dir))
		return 1;
	test_shipped();
	test_refused();
	test_cmd();
	test_truth();
	test_result();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)!system(cmd);
	return done_testing();
}
