// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for bench/lib/parse.c: every parser accepts what it documents,
 * rejects the rest with -1, and its message on stderr names the option,
 * the value and what would have been accepted.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"
#include "unit.h"

static char err[4096];
static FILE *cap_file;
static int cap_saved = -1;

/* Redirect fd 2 into a temporary file until end_capture(). */
static void begin_capture(void)
{
	fflush(stderr);
	cap_file = tmpfile();
	cap_saved = dup(2);
	if (!cap_file || cap_saved < 0 || dup2(fileno(cap_file), 2) < 0) {
		perror("capture");
		exit(1);
	}
}

static const char *end_capture(void)
{
	size_t n;

	fflush(stderr);
	dup2(cap_saved, 2);
	close(cap_saved);
	rewind(cap_file);
	n = fread(err, 1, sizeof(err) - 1, cap_file);
	err[n] = '\0';
	fclose(cap_file);
	return err;
}

static const char *const backends[] = {
	"rwp", "minor-anon", "wp", "idle", "softdirty", NULL
};

static void size_ok(const char *s, size_t want)
{
	size_t got = 0;
	int ret = ws_parse_size("--size", s, 4096, &got);

	ok(ret == 0 && got == want, "size '%s' = %zu (got %zu)", s, want, got);
}

/* Rejected, and stderr contains @needle as well as the option's name. */
static void size_bad(const char *s, size_t align, const char *needle)
{
	char head[128];
	size_t got;
	int ret;

	snprintf(head, sizeof(head), "wsbench: --size: '%s' ", s);
	begin_capture();
	ret = ws_parse_size("--size", s, align, &got);
	end_capture();
	if (!ok(ret == -1 && strstr(err, head) == err &&
		strstr(err, needle), "size '%s' rejected: %s", s, needle))
		diag("ret %d, stderr: %s", ret, err);
}

static void test_size(void)
{
	const char *hint = "positive integer with an optional K, M, G or T "
			   "suffix (powers of 1024), e.g. 4K, 64M, 1G";
	size_t v[4], n = 0;
	int ret;

	size_ok("4K", 4096);
	size_ok("64M", 64UL << 20);
	size_ok("1G", 1UL << 30);
	size_ok("2m", 2UL << 20);
	size_ok("4KiB", 4096);
	size_ok("8kb", 8192);
	size_ok("1T", 1UL << 40);
	size_ok("12288", 12288);

	size_bad("12Q", 1, hint);
	size_bad("", 1, hint);
	size_bad("-1", 1, hint);
	size_bad("0", 1, hint);
	size_bad("1.5G", 1, hint);
	size_bad("99999999999999T", 1, hint);
	size_bad("99999999999999999999999", 1, "too large");
	size_bad(" 4K", 1, hint);
	size_bad("4K ", 1, hint);
	size_bad("K", 1, hint);
	size_bad("4KX", 1, hint);
	size_bad("6000", 4096,
		 "'6000' is not a multiple of the page size (4096)");
	size_bad("3M", 2UL << 20, "not a multiple of 2097152: use a multiple "
		 "of 2M");
	begin_capture();
	ret = ws_parse_size("--size", NULL, 1, &v[0]);
	end_capture();
	ok(ret == -1 && strstr(err, "--size: '' is not a size"),
	   "NULL is rejected like an empty string");

	ret = ws_parse_size_list("--sizes", "4K,64M,1G", 4096, v, 4, &n);
	ok(ret == 0 && n == 3 && v[0] == 4096 && v[1] == 64UL << 20 &&
	   v[2] == 1UL << 30, "size list '4K,64M,1G'");
	begin_capture();
	ret = ws_parse_size_list("--sizes", "4K,8K,12K", 4096, v, 2, &n);
	end_capture();
	if (!ok(ret == -1 && strstr(err, "wsbench: --sizes: ") &&
		strstr(err, "at most 2"),
		"size list longer than its maximum rejected"))
		diag("stderr: %s", err);
	begin_capture();
	ret = ws_parse_size_list("--sizes", "4K,,8K", 4096, v, 4, &n);
	end_capture();
	ok(ret == -1 && strstr(err, "--sizes: '' is not a size"),
	   "empty item in a size list rejected");
	begin_capture();
	ret = ws_parse_size_list("--sizes", "4K,6000", 4096, v, 4, &n);
	end_capture();
	ok(ret == -1 && strstr(err, "'6000' is not a multiple"),
	   "misaligned item in a size list rejected");
}

static void uint_bad(const char *s, uint64_t min, uint64_t max,
		     const char *want)
{
	uint64_t got;
	int ret;

	begin_capture();
	ret = ws_parse_uint("--threads", s, min, max, &got);
	end_capture();
	if (!ok(ret == -1 && !strcmp(err, want), "uint '%s' rejected", s))
		diag("ret %d, stderr: %s", ret, err);
}

static void test_uint(void)
{
	uint64_t v[4], x = 0;
	size_t n = 0;
	int ret;

	ok(ws_parse_uint("--threads", "8", 0, 64, &x) == 0 && x == 8,
	   "uint '8' in [0, 64]");
	ok(ws_parse_uint("--threads", "0", 0, 64, &x) == 0 && x == 0,
	   "uint '0' at the lower bound");
	ok(ws_parse_uint("--seed", "18446744073709551615", 0, UINT64_MAX,
			 &x) == 0 && x == UINT64_MAX, "uint UINT64_MAX");
	uint_bad("-1", 0, 64, "wsbench: --threads: '-1' is not a whole number "
		 "from 0 to 64\n");
	uint_bad("65", 0, 64, "wsbench: --threads: '65' is not a whole number "
		 "from 0 to 64\n");
	uint_bad("0", 1, 64, "wsbench: --threads: '0' is not a whole number "
		 "from 1 to 64\n");
	uint_bad("", 0, 64, "wsbench: --threads: '' is not a whole number "
		 "from 0 to 64\n");
	uint_bad("0x10", 0, 64, "wsbench: --threads: '0x10' is not a whole "
		 "number from 0 to 64\n");
	uint_bad("1e3", 0, 10000, "wsbench: --threads: '1e3' is not a whole "
		 "number from 0 to 10000\n");
	uint_bad("18446744073709551616", 0, UINT64_MAX,
		 "wsbench: --threads: '18446744073709551616' is not a whole "
		 "number from 0 to 18446744073709551615\n");

	ret = ws_parse_uint_list("--threads", "1,2,4", 1, 64, v, 4, &n);
	ok(ret == 0 && n == 3 && v[0] == 1 && v[1] == 2 && v[2] == 4,
	   "uint list '1,2,4'");
	begin_capture();
	ret = ws_parse_uint_list("--threads", "1,x", 1, 64, v, 4, &n);
	end_capture();
	ok(ret == -1 && strstr(err, "--threads: 'x' is not a whole number"),
	   "uint list with a bad item rejected");
	begin_capture();
	ret = ws_parse_uint_list("--threads", "1,2,3,4,5", 1, 64, v, 4, &n);
	end_capture();
	ok(ret == -1 && strstr(err, "at most 4"), "uint list too long");
}

static void test_double(void)
{
	const char *bad[] = { "nan", "inf", "-1", "101", "abc", "", "0x10",
			      "1e", "5%", " 5", NULL };
	double v[4], x = 0;
	size_t n = 0;
	int ret;

	ok(ws_parse_double("--hot", "2.5", 0, 100, &x) == 0 && x == 2.5,
	   "double '2.5'");
	ok(ws_parse_double("--hot", "1e1", 0, 100, &x) == 0 && x == 10,
	   "double '1e1'");
	ok(ws_parse_double("--hot", "100", 0, 100, &x) == 0 && x == 100,
	   "double at the upper bound");
	for (int i = 0; bad[i]; i++) {
		char want[128];

		snprintf(want, sizeof(want), "wsbench: --hot: '%s' is not a "
			 "number from 0 to 100\n", bad[i]);
		begin_capture();
		ret = ws_parse_double("--hot", bad[i], 0, 100, &x);
		end_capture();
		if (!ok(ret == -1 && !strcmp(err, want),
			"double '%s' rejected", bad[i]))
			diag("stderr: %s", err);
	}
	ret = ws_parse_double_list("--hot", "10,50,90.5", 0, 100, v, 4, &n);
	ok(ret == 0 && n == 3 && v[2] == 90.5, "double list '10,50,90.5'");
	begin_capture();
	ret = ws_parse_double_list("--hot", "10,50,", 0, 100, v, 4, &n);
	end_capture();
	ok(ret == -1 && strstr(err, "--hot: '' is not a number"),
	   "double list with trailing comma rejected");
}

static void test_names(void)
{
	const char *const two[] = { "host", "vm", NULL };
	unsigned int mask = 0;
	int idx = -1, ret;

	ok(ws_parse_name_list("--backend", "rwp,wp", backends, &mask) == 0 &&
	   mask == 0x5, "name list 'rwp,wp' = bits 0 and 2");
	ok(ws_parse_name_list("--backend", "all", backends, &mask) == 0 &&
	   mask == 0x1f, "'all' selects every name");
	ok(ws_parse_name_list("--backend", "wp,all", backends, &mask) == 0 &&
	   mask == 0x1f, "'all' mixed with names");
	begin_capture();
	ret = ws_parse_name_list("--backend", "rwp,foo", backends, &mask);
	end_capture();
	if (!ok(ret == -1 && !strcmp(err, "wsbench: --backend: 'foo' is not "
				     "a backend: use one or more of rwp, "
				     "minor-anon, wp, idle, softdirty, or "
				     "all\n"), "unknown name rejected, "
		"accepted values listed"))
		diag("stderr: %s", err);
	begin_capture();
	ret = ws_parse_name_list("--backends", "", backends, &mask);
	end_capture();
	if (!ok(ret == -1 &&
		strstr(err, "'' is not a backend: use one or more of rwp,"),
		"empty name list rejected, plural option name made singular"))
		diag("stderr: %s", err);
	begin_capture();
	ret = ws_parse_name_list("--backend", "RWP", backends, &mask);
	end_capture();
	ok(ret == -1, "names are case-sensitive");

	ok(ws_parse_name("--backend", "wp", backends, &idx) == 0 && idx == 2,
	   "single name 'wp' = index 2");
	begin_capture();
	ret = ws_parse_name("--backend", "all", backends, &idx);
	end_capture();
	if (!ok(ret == -1 && !strcmp(err, "wsbench: --backend: 'all' is not "
				     "a backend: use one of rwp, minor-anon, "
				     "wp, idle, or softdirty\n"),
		"'all' is not a single name"))
		diag("stderr: %s", err);
	begin_capture();
	ret = ws_parse_name("--target", "qemu", two, &idx);
	end_capture();
	if (!ok(ret == -1 && !strcmp(err, "wsbench: --target: 'qemu' is not "
				     "a target: use one of host or vm\n"),
		"two accepted names read 'host or vm'"))
		diag("stderr: %s", err);
}

static void test_fmt(void)
{
	static const struct { size_t v; const char *s; } t[] = {
		{ 4096, "4K" }, { 2UL << 20, "2M" }, { 1UL << 30, "1G" },
		{ 3UL << 40, "3T" }, { 1UL << 50, "1024T" }, { 5000, "5000" },
		{ 1536, "1536" }, { 0, "0" },
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ok(!strcmp(ws_fmt_size(t[i].v, buf, sizeof(buf)), t[i].s),
		   "ws_fmt_size(%zu) = %s (got %s)", t[i].v, t[i].s, buf);
}

int main(void)
{
	test_size();
	test_uint();
	test_double();
	test_names();
	test_fmt();
	return done_testing();
}
