// SPDX-License-Identifier: GPL-2.0
/*
 * Pattern files and distributions: every shipped pattern parses and lays
 * out as documented; each malformed input fails naming file, line, what
 * was expected and what was found; Zipf frequencies follow theta; hot
 * sets visit the windows they should; sweeps go in order.
 */
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "pattern.h"
#include "unit.h"

static struct ws_pattern *parse_ok(const char *text, const char *desc)
{
	struct ws_pattern *p;
	char err[512] = "";

	if (!ok(!ws_pattern_parse("t.pat", text, &p, err, sizeof(err)),
		"parses: %s", desc))
		diag("%s", err);
	return p;
}

static void shipped_patterns(void)
{
	glob_t g;
	size_t n = 0;

	if (!ok(!glob("workloads/*.pat", 0, NULL, &g), "workloads/*.pat found"))
		return;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct ws_pattern *p;
		char err[512] = "";
		int r = ws_pattern_load(g.gl_pathv[i], &p, err, sizeof(err));

		/* Sensible for 64 MiB to 256 MiB of 4 KiB pages. */
		if (!r)
			r = ws_pattern_resolve(p, 64 << 8, 4096, err, sizeof(err));
		if (!r)
			r = ws_pattern_resolve(p, 256 << 8, 4096, err, sizeof(err));
		if (!ok(!r, "%s parses and fits 64M and 256M", g.gl_pathv[i]))
			diag("%s", err);
		n += !r;
		ws_pattern_free(p);
	}
	ok(n >= 8, "at least 8 shipped patterns (%zu)", n);
	globfree(&g);
}

/* Region layout in the memory: declaration order, floor of percentages. */
static void layout(void)
{
	struct ws_pattern *p;
	char err[512] = "";
	const struct ws_pat_region *r;

	p = parse_ok("region hot 20%\nregion mid 4M\nregion cold 12.5%\n"
		     "phase p 1s\n  hot uniform\n", "three regions");
	if (!p)
		return;
	ok(!ws_pattern_resolve(p, 65536, 4096, err, sizeof(err)),
	   "lays out in 256M");
	r = p->regions;
	ok(r[0].first == 0 && r[0].npages == 13107 &&
	   r[1].first == 13107 && r[1].npages == 1024 &&
	   r[2].first == 14131 && r[2].npages == 8192,
	   "20%% = 13107 pages at 0, 4M = 1024 at 13107, 12.5%% = 8192 at 14131 (got %zu@%zu %zu@%zu %zu@%zu)",
	   r[0].npages, r[0].first, r[1].npages, r[1].first, r[2].npages,
	   r[2].first);
	ws_pattern_free(p);

	p = parse_ok("region a 100%\nphase p 1s\n a hotset 20% shift 10% every 1s\n",
		     "hotset");
	if (!p)
		return;
	ws_pattern_resolve(p, 1000, 4096, err, sizeof(err));
	ok(p->phases[0].streams[0].hot_pages == 200 &&
	   p->phases[0].streams[0].shift_pages == 100,
	   "hotset 20%% shift 10%% of 1000 pages: window 200, step 100");
	ws_pattern_free(p);
}

/* Every field of the grammar lands where it should. */
static void fields(void)
{
	struct ws_pattern *p = parse_ok(
		"# comment line\n"
		"region a 64M   # trailing comment\n"
		"region b_2 1G\n"
		"phase one 500ms repeat 3\n"
		"\ta zipf 1.2 weight 2.5 reads 90%\n"
		"\tb_2 seq stride 4 reads 0%\n"
		"phase two 2s\n"
		"    a hotset 20% shift 5% every 250ms zigzag\n"
		"    b_2 uniform\n", "every option");
	const struct ws_pat_stream *s;

	if (!p)
		return;
	ok(p->nregions == 2 && p->regions[0].size_bytes == 64ULL << 20 &&
	   p->regions[1].size_bytes == 1ULL << 30 && !p->regions[1].is_pct,
	   "sizes 64M and 1G in bytes");
	ok(p->nphases == 2 && p->phases[0].duration_ns == 500000000 &&
	   p->phases[0].repeat == 3 && p->phases[1].duration_ns == 2000000000 &&
	   p->phases[1].repeat == 1, "durations 500ms x3 and 2s x1");
	s = p->phases[0].streams;
	ok(s[0].dist == WS_DIST_ZIPF && s[0].theta == 1.2 &&
	   s[0].weight == 2.5 && s[0].reads_pct == 90 && s[0].region == 0,
	   "zipf 1.2 weight 2.5 reads 90%% on region a");
	ok(s[1].dist == WS_DIST_SEQ && s[1].stride == 4 && s[1].reads_pct == 0 &&
	   s[1].weight == 1, "seq stride 4 reads 0%%, weight 1 by default");
	s = p->phases[1].streams;
	ok(s[0].dist == WS_DIST_HOTSET && s[0].hot_pct == 20 &&
	   s[0].shift_pct == 5 && s[0].shift_every_ns == 250000000 &&
	   s[0].zigzag, "hotset 20%% shift 5%% every 250ms zigzag");
	ok(s[1].dist == WS_DIST_UNIFORM && s[1].reads_pct == 50 &&
	   s[1].region == 1, "uniform reads 50%% by default");
	ok(ws_pattern_cycle_ns(p) == 3500000000ULL, "one pass is 3.5 s");
	ws_pattern_free(p);
}

struct bad_case {
	const char *text;
	int line;
	const char *want;	/* part of the message after "expected" */
	const char *got;
};

#define HDR "region a 10%\nphase p 1s\n"

static const struct bad_case bad_cases[] = {
	{ "regoin a 10%\n", 1, "'region' or 'phase'", "'regoin'" },
	{ "region a 12Q\n", 1, "a size for region 'a'", "'12Q'" },
	{ "region a 0%\n", 1, "a size for region 'a'", "'0%'" },
	{ "region a\n", 1, "a size for region 'a'", "end of line" },
	{ "region 9a 10%\n", 1, "a region name", "'9a'" },
	{ "region phase 10%\n", 1, "a region name", "'phase'" },
	{ "region a 10%\nphase region 1s\n", 2, "a phase name", "'region'" },
	{ "region a 10%\nregion a 20%\n", 2, "a new region name", "'a'" },
	{ "region a 60%\nregion b 50%\n", 2, "region percentages adding up to at most 100%", "110% in total" },
	{ "region a 10% extra\n", 1, "end of line after 'region NAME SIZE'", "'extra'" },
	{ "region a 10%\na uniform\n", 2, "'phase NAME DURATION' before", "'a'" },
	{ "region a 10%\nphase p 5\n", 2, "a duration for phase 'p'", "'5'" },
	{ "region a 10%\nphase p 5h\n", 2, "a duration", "'5h'" },
	{ "region a 10%\nphase p 0ms\n", 2, "a duration", "'0ms'" },
	{ "region a 10%\nphase p 1s repeat 0\n", 2, "a repeat count", "'0'" },
	{ "region a 10%\nphase p 1s twice\n", 2, "'repeat N' or end of line", "'twice'" },
	{ HDR "a uniform\nphase p 2s\n a uniform\n", 4, "a new phase name", "'p'" },
	{ HDR "b uniform\n", 3, "'region', 'phase' or a region name declared above", "'b'" },
	{ HDR "a gaussian\n", 3, "a distribution after region 'a'", "'gaussian'" },
	{ HDR "a zipf\n", 3, "a Zipf exponent", "end of line" },
	{ HDR "a zipf -1\n", 3, "a Zipf exponent", "'-1'" },
	{ HDR "a zipf 0\n", 3, "a Zipf exponent", "'0'" },
	{ HDR "a hotset 20\n", 3, "the hot set's size as a percentage", "'20'" },
	{ HDR "a hotset 20% shift 10%\n", 3, "'every DURATION'", "end of line" },
	{ HDR "a hotset 20% shift 10% every x\n", 3, "a shift period", "'x'" },
	{ HDR "a hotset 20% zigzag\n", 3, "'shift PCT% every DURATION' with 'zigzag'", "'zigzag' without 'shift'" },
	{ HDR "a uniform weight 0\n", 3, "a weight", "'0'" },
	{ HDR "a uniform reads 120%\n", 3, "the share of reads", "'120%'" },
	{ HDR "a uniform reads 90\n", 3, "the share of reads", "'90'" },
	{ HDR "a uniform stride 2\n", 3, "'weight W', 'reads PCT%' or end of line", "'stride'" },
	{ HDR "a seq stride 0\n", 3, "a stride in pages", "'0'" },
	{ HDR "a uniform reads 10% reads 20%\n", 3, "each option once", "'reads'" },
	{ HDR "phase q 1s\na uniform\n", 3, "a stream line 'REGION DIST ...' in phase 'p' (line 2)", "'phase'" },
	{ HDR, 2, "a stream line 'REGION DIST ...' in phase 'p'", "end of file" },
	{ "", 1, "at least one 'region NAME SIZE' line", "end of file" },
	{ "# nothing\nregion a 10%\n", 2, "at least one 'phase NAME DURATION' line", "end of file" },
};

static void malformed(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct ws_pattern *p = (void *)1;
		char err[512] = "", want[640];
		int r = ws_pattern_parse("t.pat", c->text, &p, err, sizeof(err));

		snprintf(want, sizeof(want), "t.pat:%d: expected %s", c->line,
			 c->want);
		if (!ok(r == -1 && !p && !strncmp(err, want, strlen(want)) &&
			strstr(err, ", got ") &&
			!strcmp(strstr(err, ", got ") + 6, c->got),
			"malformed #%zu -> \"t.pat:%d: expected %s..., got %s\"",
			i, c->line, c->want, c->got))
			diag("message: %s", err);
	}
}

struct resolve_case {
	const char *text;
	size_t npages;
	int line;
	const char *want;
};

static const struct resolve_case resolve_cases[] = {
	{ "region a 6000\nphase p 1s\n a uniform\n", 1000, 1,
	  "expected a size that is a multiple of the page size (4K) for region 'a', got 6000 bytes" },
	{ "region a 2M\nregion b 3M\nphase p 1s\n a uniform\n", 1024, 2,
	  "expected regions that fit in the memory given (4M = 1024 pages), got region 'b' (768 pages) starting at page 512" },
	{ "region a 1%\nphase p 1s\n a uniform\n", 10, 1,
	  "expected region 'a' to be at least one page, got 1% of 10 pages = 0 pages" },
	{ "region a 16K\nphase p 1s\n a seq stride 4\n", 1000, 3,
	  "expected a stride smaller than region 'a' (4 pages), got 4 pages" },
};

static void resolve_errors(void)
{
	for (size_t i = 0; i < sizeof(resolve_cases) / sizeof(resolve_cases[0]); i++) {
		const struct resolve_case *c = &resolve_cases[i];
		struct ws_pattern *p = parse_ok(c->text, "resolve case");
		char err[512] = "", want[640];

		if (!p)
			continue;
		snprintf(want, sizeof(want), "t.pat:%d: %s", c->line, c->want);
		if (!ok(ws_pattern_resolve(p, c->npages, 4096, err, sizeof(err)) == -1 &&
			!strncmp(err, want, strlen(want)),
			"layout error names line %d: %.60s...", c->line, c->want))
			diag("message: %s", err);
		ws_pattern_free(p);
	}
}

static void load_errors(void)
{
	struct ws_pattern *p;
	char err[512] = "";

	ok(ws_pattern_load("no/such.pat", &p, err, sizeof(err)) == -1 &&
	   !strncmp(err, "no/such.pat: cannot open: ", 26),
	   "missing file: \"no/such.pat: cannot open: ...\" (%s)", err);
}

/* ---- distributions ---- */

static void zipf_follows_theta(double theta)
{
	const uint64_t n = 1000, draws = 4000000;
	struct ws_zipf z;
	struct ws_rng r;
	uint64_t *count = calloc(n, sizeof(*count)), *rank = calloc(n, sizeof(*rank));
	double worst = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, slope;
	int k = 0;

	if (!count || !rank || ws_zipf_init(&z, n, theta, 7)) {
		ok(0, "zipf %.2f set-up", theta);
		return;
	}
	for (uint64_t i = 0; i < n; i++)
		rank[z.page_of_rank[i]] = i;
	ws_rng_seed(&r, 1);
	for (uint64_t i = 0; i < draws; i++)
		count[rank[ws_zipf_sample(&z, &r)]]++;
	/* Each of the top 100 ranks within 5 sigma of its probability. */
	for (uint64_t i = 0; i < 100; i++) {
		double p = ws_zipf_prob(&z, i), f = (double)count[i] / draws;
		double dev = fabs(f - p) / sqrt(p * (1 - p) / draws);

		worst = dev > worst ? dev : worst;
	}
	ok(worst < 5, "zipf %.2f: top 100 rank frequencies within 5 sigma (worst %.2f)",
	   theta, worst);
	/* The log-log slope over ranks 1..200 is -theta. */
	for (uint64_t i = 0; i < 200; i++, k++) {
		double x = log((double)i + 1), y = log((double)count[i] / draws);

		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
	}
	slope = (k * sxy - sx * sy) / (k * sxx - sx * sx);
	is_double(-slope, theta, 0.03, "zipf: fitted log-log slope is -theta");
	ok(z.page_of_rank[0] != 0 || z.page_of_rank[1] != 1,
	   "zipf: ranks are scattered over the pages (rank 0 -> page %u)",
	   z.page_of_rank[0]);
	ws_zipf_free(&z);
	free(count);
	free(rank);
}

static bool window_holds(const struct ws_hotset *h, uint64_t t_ns,
			 uint64_t want_start)
{
	uint64_t start = ws_hotset_start(h, t_ns);
	struct ws_rng r;

	if (start != want_start)
		return false;
	ws_rng_seed(&r, t_ns);
	for (int i = 0; i < 10000; i++) {
		uint64_t p = ws_hotset_sample(h, start, &r);
		uint64_t off = (p + h->n - start) % h->n;

		if (p >= h->n || off >= h->width)
			return false;
	}
	return true;
}

static void hotset_windows(void)
{
	struct ws_hotset stairs = { .n = 100, .width = 20, .step = 30,
				    .every_ns = 1000000000 };
	struct ws_hotset zig = stairs;
	static const uint64_t stair_start[] = { 0, 30, 60, 90, 20, 50, 80, 10 };
	static const uint64_t zig_start[] = { 0, 30, 60, 70, 40, 10, 20, 50 };
	bool s_ok = true, z_ok = true;

	zig.zigzag = true;
	for (int k = 0; k < 8; k++) {
		/* Mid-step: the window holds for the whole period. */
		s_ok &= window_holds(&stairs, k * 1000000000ULL + 999999999, stair_start[k]);
		s_ok &= window_holds(&stairs, k * 1000000000ULL, stair_start[k]);
		z_ok &= window_holds(&zig, k * 1000000000ULL + 500000000, zig_start[k]);
	}
	ok(s_ok, "hotset stairs: window steps 0,30,60,90(wrapping),20,... and samples stay inside");
	ok(z_ok, "hotset zigzag: window 0,30,60,70,40,10,20,50 bounces within [0, 80]");
	stairs.step = 0;
	ok(window_holds(&stairs, 5000000000ULL, 0), "hotset without shift stays at 0");
}

static void seq_order(void)
{
	static const uint64_t want[] = { 0, 3, 6, 9, 2, 5, 8, 1, 4, 7, 0 };
	uint64_t cursor = 0;
	bool good = true;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		good &= ws_seq_next(&cursor, 3, 10) == want[i];
	ok(good, "seq stride 3 over 10 pages: 0,3,6,9,2,5,8,1,4,7,0");
	cursor = 0;
	good = true;
	for (uint64_t i = 0; i < 2000; i++)
		good &= ws_seq_next(&cursor, 1, 1000) == i % 1000;
	ok(good, "seq stride 1: every page in order, wrapping");
}

static void uniform_range(void)
{
	struct ws_rng r;
	uint64_t c[10] = { 0 };
	double chi = 0;

	ws_rng_seed(&r, 3);
	for (int i = 0; i < 1000000; i++)
		c[ws_rng_below(&r, 10)]++;
	for (int i = 0; i < 10; i++)
		chi += (c[i] - 1e5) * (c[i] - 1e5) / 1e5;
	/* chi-square, 9 degrees of freedom: 27.9 is p = 0.001. */
	ok(chi < 27.9, "uniform draws: chi-square %.1f < 27.9 over 10 bins", chi);
}

int main(void)
{
	shipped_patterns();
	layout();
	fields();
	malformed();
	resolve_errors();
	load_errors();
	zipf_follows_theta(0.99);
	zipf_follows_theta(1.2);
	hotset_windows();
	seq_order();
	uniform_range();
	return done_testing();
}
