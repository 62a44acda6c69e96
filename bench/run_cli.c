// SPDX-License-Identifier: GPL-2.0
/*
 * The options of `wsbench run`, one table row each: name, value syntax,
 * help, whether every benchmark reads it, and the handler that checks the
 * value and stores it.  Knob options only record a request: knobs are
 * written once every option parsed, so bad input never touches the
 * machine.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "knobs.h"
#include "parse.h"
#include "run_cli.h"
#include "tuning.h"
#include "cycle.h"
#include "pattern.h"

struct run_opt {
	const char *name;
	const char *arg;	/* value syntax, NULL: a flag */
	const char *help;
	bool generic;		/* read by every benchmark */
	int (*set)(struct ws_run_cfg *c, const char *opt, const char *val);
};

static const char *const profile_names[] = { "quick", "default", NULL };
static const char *const layout_names[] = { "contiguous", "scattered", NULL };
static const char *const thp_names[] = { "always", "madvise", "never", NULL };
static const char *const mode_names[] = { "async", "sync", NULL };
static const char *const rearm_names[] = { "per-run", "span", NULL };
static const char *const onoff_names[] = { "off", "on", NULL };

#define WS_NR_HUGEPAGES	"/proc/sys/vm/nr_hugepages"

static const char *const *tracker_names(void)
{
	static const char *names[16];

	for (size_t i = 0; ws_trackers[i] && i < 15; i++)
		names[i] = ws_trackers[i]->name;
	return names;
}

static const char *const *backing_names(void)
{
	static const char *names[WS_BACKING_NR + 1];

	for (int i = 0; i < WS_BACKING_NR; i++)
		names[i] = ws_backing_name(i);
	return names;
}

/* ---- knob requests: one slot per knob, a repeat replaces the value ---- */

struct knob_req {
	const char *opt;
	const char *path;
	char value[32];
};

static struct knob_req knob_reqs[3];	/* --thp, --hugepages, --numa-balancing */
static size_t nr_knob_reqs;

static void defer_knob(const char *opt, const char *path, const char *val)
{
	struct knob_req *k = knob_reqs;

	while (k < knob_reqs + nr_knob_reqs && strcmp(k->path, path))
		k++;
	if (k == knob_reqs + nr_knob_reqs)
		nr_knob_reqs++;
	k->opt = opt;
	k->path = path;
	snprintf(k->value, sizeof(k->value), "%s", val);
}

/* The value requested for knob @path, NULL when none. */
static const char *knob_value_requested(const char *path)
{
	for (size_t i = 0; i < nr_knob_reqs; i++)
		if (!strcmp(knob_reqs[i].path, path))
			return knob_reqs[i].value;
	return NULL;
}

int ws_run_apply_knobs(void)
{
	for (size_t i = 0; i < nr_knob_reqs; i++) {
		const struct knob_req *k = &knob_reqs[i];
		int err = ws_knob_set(k->path, k->value);

		if (err) {
			fprintf(stderr, "wsbench: %s: cannot write '%s' to %s: %s\n",
				k->opt, k->value, k->path, strerror(-err));
			return -1;
		}
	}
	return 0;
}

static json_t *knob_request(const char *opt)
{
	for (size_t i = 0; i < nr_knob_reqs; i++)
		if (!strcmp(knob_reqs[i].opt, opt))
			return json_string(knob_reqs[i].value);
	return json_null();
}

/*
 * Knob options, null when not given (the knob was left as found).
 * --tune is in environment.cpu.tuning.requested.
 */
void ws_run_knob_params(json_t *j)
{
	json_object_set_new(j, "thp", knob_request("--thp"));
	json_object_set_new(j, "numa_balancing",
			    knob_request("--numa-balancing"));
}

json_t *ws_run_params_json(const struct ws_run_cfg *cfg)
{
	json_t *j = ws_params_json(&cfg->p);

	ws_run_knob_params(j);
	json_object_set_new(j, "invocations",
			    json_integer((json_int_t)cfg->invocations));
	for (size_t i = 0; j && ws_trackers[i]; i++)
		if ((cfg->p.backends & (1u << i)) &&
		    !strcmp(ws_trackers[i]->name, "damon"))
			json_object_set_new(j, "damon",
					    ws_damon_params_json(&cfg->damon));
	return j;
}

/* Will the damon backend run (and so write DAMON's sysfs knobs)? */
static bool runs_damon(const struct ws_benchmark *b,
		       const struct ws_run_cfg *cfg)
{
	struct ws_probe pr = { .supported = false };

	for (size_t i = 0; ws_trackers[i]; i++) {
		if (!(cfg->p.backends & (1u << i)) ||
		    strcmp(ws_trackers[i]->name, "damon") ||
		    !ws_run_reads_option(b, "--backend"))
			continue;
		ws_trackers[i]->probe(&pr);
		return pr.supported;
	}
	return false;
}

/*
 * Knobs the run will write: its options', numa-interplay's
 * numa_balancing=1 and scan tunables, and DAMON's kdamonds (machine-wide
 * sysfs, whichever benchmark runs the damon backend).
 */
bool ws_run_wants_knobs(const struct ws_benchmark *b,
			const struct ws_run_cfg *cfg)
{
	return nr_knob_reqs || cfg->tune ||
	       !strcmp(b->name, "numa-interplay") || runs_damon(b, cfg);
}

/*
 * Writing a knob needs root (or a writable sysfs): refused here, before
 * the result directory exists, not at the first write with an empty
 * directory left behind.
 */
int ws_run_check_knob_access(void)
{
	for (size_t i = 0; i < nr_knob_reqs; i++) {
		const struct knob_req *k = &knob_reqs[i];

		if (!access(k->path, W_OK))
			continue;
		fprintf(stderr, "wsbench: %s %s: cannot write %s: %s%s\n",
			k->opt, k->value, k->path, strerror(errno),
			geteuid() ? " (setting it needs root: run as root, or drop the option)" : "");
		return -1;
	}
	return 0;
}

int ws_run_apply_tuning(const struct ws_run_cfg *cfg)
{
	if (cfg->tune)
		ws_tuning_apply();
	return 0;
}

/* ---- memory the typed sizes need ---- */

/*
 * Bytes backing @b can hold: MemAvailable, or the free (or --hugepages)
 * huge pages; 0 when hugetlb has none at all, which is a skip with the
 * probe's reason later, not bad input.
 */
static size_t capacity(const struct ws_run_cfg *c, enum ws_backing b)
{
	size_t hp_size, free_hp;

	if (b != WS_BACKING_HUGETLB)
		return ws_mem_available();
	free_hp = ws_hugetlb_free(&hp_size);
	if (c->p.hugepages_request > free_hp)
		free_hp = c->p.hugepages_request;
	return free_hp * hp_size;
}

static int check_fits(const struct ws_benchmark *b, const struct ws_run_cfg *c,
		      enum ws_backing bk, const char *opt, const char *typed,
		      size_t need)
{
	size_t cap = capacity(c, bk);
	char nb[32], cb[32];

	if (!cap || need <= cap)
		return 0;
	fprintf(stderr, "wsbench run %s: %s %s: needs %s of %s%s, but this machine can hold %s (%s); use a smaller %s\n",
		b->name, opt, typed, ws_fmt_size(need, nb, sizeof(nb)),
		ws_backing_name(bk),
		b->regions_at_once > 1 ? " (two regions at once)" : "",
		ws_fmt_size(cap, cb, sizeof(cb)),
		bk == WS_BACKING_HUGETLB ? "free or requested huge pages" :
		"MemAvailable", opt);
	return -1;
}

int ws_run_check_memory(const struct ws_benchmark *b,
			const struct ws_run_cfg *c)
{
	unsigned int at_once = b->regions_at_once ? b->regions_at_once : 1;
	char typed[32];

	for (int bk = 0; bk < WS_BACKING_NR; bk++) {
		size_t npages;

		if (!(c->p.backings & WS_BACKING_BIT(bk)))
			continue;
		for (size_t i = 0; c->sizes_given && i < c->p.nsizes; i++)
			if (check_fits(b, c, bk, "--size",
				       ws_fmt_size(c->p.sizes[i], typed,
						   sizeof(typed)),
				       at_once * c->p.sizes[i]))
				return -1;
		if (!c->pages_given)
			continue;
		snprintf(typed, sizeof(typed), "%zu", c->p.pages);
		if (check_fits(b, c, bk, "--pages", typed,
			       at_once * ws_case_len(bk, c->p.pages, &npages)))
			return -1;
	}
	return 0;
}

/* ---- handlers ---- */

static int set_profile(struct ws_run_cfg *c, const char *o, const char *v)
{
	int idx;

	/* Already applied before parsing (it sets the defaults); checked. */
	(void)c;
	return ws_parse_name(o, v, profile_names, &idx);
}

static int set_backend(struct ws_run_cfg *c, const char *o, const char *v)
{
	return ws_parse_name_list(o, v, tracker_names(), &c->p.backends);
}

static int set_backing(struct ws_run_cfg *c, const char *o, const char *v)
{
	return ws_parse_name_list(o, v, backing_names(), &c->p.backings);
}

static int set_mode(struct ws_run_cfg *c, const char *o, const char *v)
{
	return ws_parse_name_list(o, v, mode_names, &c->p.modes);
}

static int set_layout(struct ws_run_cfg *c, const char *o, const char *v)
{
	return ws_parse_name_list(o, v, layout_names, &c->p.layouts);
}

static int set_rearm(struct ws_run_cfg *c, const char *o, const char *v)
{
	return ws_parse_name_list(o, v, rearm_names, &c->p.rearms);
}

static int set_size(struct ws_run_cfg *c, const char *o, const char *v)
{
	c->sizes_given = true;
	return ws_parse_size_list(o, v, ws_page_size(), c->p.sizes,
				  WS_MAX_LIST, &c->p.nsizes);
}

static int set_threads(struct ws_run_cfg *c, const char *o, const char *v)
{
	return ws_parse_uint_list(o, v, 0, 256, c->p.threads, WS_MAX_LIST,
				  &c->p.nthreads);
}

static int set_hot(struct ws_run_cfg *c, const char *o, const char *v)
{
	return ws_parse_double_list(o, v, 0, 100, c->p.hot_pcts, WS_MAX_LIST,
				    &c->p.nhot);
}

static int set_pages(struct ws_run_cfg *c, const char *o, const char *v)
{
	uint64_t u;
	int r = ws_parse_uint(o, v, 1, 1ULL << 28, &u);

	c->pages_given = true;
	c->p.pages = u;
	return r;
}

static int set_warmup(struct ws_run_cfg *c, const char *o, const char *v)
{
	return ws_parse_uint(o, v, 0, 1000000, &c->p.warmup);
}

static int set_min_reps(struct ws_run_cfg *c, const char *o, const char *v)
{
	return ws_parse_uint(o, v, 1, 100000000, &c->p.min_reps);
}

static int set_max_reps(struct ws_run_cfg *c, const char *o, const char *v)
{
	return ws_parse_uint(o, v, 1, 100000000, &c->p.max_reps);
}

static int set_min_time(struct ws_run_cfg *c, const char *o, const char *v)
{
	return ws_parse_double(o, v, 0, 86400, &c->p.min_time_s);
}

static int set_seed(struct ws_run_cfg *c, const char *o, const char *v)
{
	/* JSON integers are signed 64-bit. */
	return ws_parse_uint(o, v, 0, INT64_MAX, &c->p.seed);
}

static int set_out(struct ws_run_cfg *c, const char *o, const char *v)
{
	if (!*v || strlen(v) >= sizeof(c->out_dir)) {
		fprintf(stderr, "wsbench: %s: '%s' is not a directory name: use a non-empty path shorter than %zu bytes\n",
			o, v, sizeof(c->out_dir));
		return -1;
	}
	snprintf(c->out_dir, sizeof(c->out_dir), "%s", v);
	return 0;
}

static int set_run_id(struct ws_run_cfg *c, const char *o, const char *v)
{
	if (ws_check_run_id(o, v))
		return -1;
	snprintf(c->run_id, sizeof(c->run_id), "%s", v);
	return 0;
}

static int set_thp(struct ws_run_cfg *c, const char *o, const char *v)
{
	int idx;

	(void)c;
	if (ws_parse_name(o, v, thp_names, &idx))
		return -1;
	defer_knob("--thp", "/sys/kernel/mm/transparent_hugepage/enabled",
		   thp_names[idx]);
	return 0;
}

static int set_hugepages(struct ws_run_cfg *c, const char *o, const char *v)
{
	char val[32];
	uint64_t u;

	if (ws_parse_uint(o, v, 0, 1 << 20, &u))
		return -1;
	c->p.hugepages_request = u;
	snprintf(val, sizeof(val), "%llu", (unsigned long long)u);
	defer_knob("--hugepages", WS_NR_HUGEPAGES, val);
	return 0;
}

static int set_numa(struct ws_run_cfg *c, const char *o, const char *v)
{
	uint64_t u;

	(void)c;
	if (ws_parse_uint(o, v, 0, 1, &u))
		return -1;
	defer_knob("--numa-balancing", WS_NUMA_BALANCING,
		   u ? "1" : "0");
	return 0;
}

static int set_quiet(struct ws_run_cfg *c, const char *o, const char *v)
{
	(void)c;
	(void)o;
	(void)v;
	setenv("WSBENCH_QUIET", "1", 1);
	return 0;
}

static int set_timeout(struct ws_run_cfg *c, const char *o, const char *v)
{
	return ws_parse_uint(o, v, 0, 7 * 86400, &c->timeout_s);
}

static int set_knob_wait(struct ws_run_cfg *c, const char *o, const char *v)
{
	return ws_parse_double(o, v, 0, 7 * 86400, &c->knob_wait_s);
}

/* A pattern must exist and parse now: a typo is exit 2, not a late error. */
static int set_pattern_item(struct ws_run_cfg *c, const char *o, char *item)
{
	char why[512];
	struct ws_pattern *pat;

	if (c->p.npatterns == WS_MAX_LIST) {
		fprintf(stderr, "wsbench: %s: at most %d patterns\n", o,
			WS_MAX_LIST);
		return -1;
	}
	if (ws_pattern_find(item, c->pattern_paths[c->p.npatterns],
			    sizeof(c->pattern_paths[0]), why, sizeof(why))) {
		fprintf(stderr, "wsbench: %s: %s\n", o, why);
		return -1;
	}
	if (ws_pattern_load(c->pattern_paths[c->p.npatterns], &pat, why,
			    sizeof(why))) {
		fprintf(stderr, "wsbench: %s: %s\n", o, why);
		return -1;
	}
	ws_pattern_free(pat);
	c->p.patterns[c->p.npatterns] = c->pattern_paths[c->p.npatterns];
	c->p.npatterns++;
	return 0;
}

static int set_pattern(struct ws_run_cfg *c, const char *o, const char *v)
{
	char *copy = strdup(v), *save = NULL;
	int ret = 0;

	c->p.npatterns = 0;
	for (char *it = strtok_r(copy, ",", &save); !ret && it;
	     it = strtok_r(NULL, ",", &save))
		ret = set_pattern_item(c, o, it);
	if (!ret && !c->p.npatterns) {
		fprintf(stderr, "wsbench: %s: '%s' names no pattern\n", o, v);
		ret = -1;
	}
	free(copy);
	return ret;
}

static int set_intervals(struct ws_run_cfg *c, const char *o, const char *v)
{
	return ws_parse_uint(o, v, 1, 100000, &c->p.intervals);
}

static int set_interval_ms(struct ws_run_cfg *c, const char *o, const char *v)
{
	return ws_parse_double(o, v, 1, 3600000, &c->p.interval_ms);
}

static int set_cold_after(struct ws_run_cfg *c, const char *o, const char *v)
{
	return ws_parse_uint(o, v, 1, 1000, &c->p.cold_after);
}

static int set_protocol(struct ws_run_cfg *c, const char *o, const char *v)
{
	static const char *const names[] = { "safe", "unsafe", NULL };
	int idx;

	if (ws_parse_name(o, v, names, &idx))
		return -1;
	c->p.unsafe = idx;
	return 0;
}

static int set_vcpus(struct ws_run_cfg *c, const char *o, const char *v)
{
	return ws_parse_uint(o, v, 1, 64, &c->p.vcpus);
}

static int set_damon(struct ws_run_cfg *c, const char *o, const char *v)
{
	char err[256];

	/* Repeated: later keys override earlier ones. */
	if (!ws_damon_params_parse(o, v, &c->damon, err, sizeof(err)))
		return 0;
	fprintf(stderr, "wsbench: %s\n", err);
	return -1;
}

static int set_numa_scan(struct ws_run_cfg *c, const char *o, const char *v)
{
	char err[256];

	/* Repeated: later keys override earlier ones. */
	if (!ws_numa_scan_parse(o, v, &c->p.numa_scan, err, sizeof(err)))
		return 0;
	fprintf(stderr, "wsbench: %s\n", err);
	return -1;
}

static int set_populate(struct ws_run_cfg *c, const char *o, const char *v)
{
	return ws_parse_name_list(o, v, ws_populate_names, &c->p.populates);
}

static int set_holes(struct ws_run_cfg *c, const char *o, const char *v)
{
	return ws_parse_double(o, v, 0, 100, &c->p.holes_pct);
}

static int set_tune(struct ws_run_cfg *c, const char *o, const char *v)
{
	int idx;

	if (ws_parse_name(o, v, onoff_names, &idx))
		return -1;
	c->tune = idx;
	return 0;
}

static int set_invocations(struct ws_run_cfg *c, const char *o,
			   const char *v)
{
	uint64_t n;

	if (ws_parse_uint(o, v, 1, 1000, &n))
		return -1;
	c->invocations = (unsigned)n;
	return 0;
}

static const struct run_opt run_opts[] = {
	{ "profile", "quick|default", "preset sizes and repetitions (default: default)", true, set_profile },
	{ "backend", "LIST", NULL, false, set_backend },
	{ "backing", "LIST", NULL, false, set_backing },
	{ "mode", "LIST", "async, sync, or all", false, set_mode },
	{ "layout", "LIST", "contiguous, scattered, or all", false, set_layout },
	{ "rearm", "LIST", "per-run, span, or all: how uffd trackers re-arm the hot set", false, set_rearm },
	{ "size", "LIST", "region sizes, e.g. 4K,2M,1G (page multiples)", false, set_size },
	{ "threads", "LIST", "helper thread counts, e.g. 0,1", false, set_threads },
	{ "hot", "LIST", "hot fractions in percent, e.g. 0,1,50,100", false, set_hot },
	{ "pages", "N", "pages per repetition", false, set_pages },
	{ "pattern", "LIST", "workload patterns: names from workloads/ or paths", false, set_pattern },
	{ "intervals", "N", "tracking intervals per run", false, set_intervals },
	{ "interval-ms", "MS", "length of one tracking interval", false, set_interval_ms },
	{ "cold-after", "K", "a page is cold after K intervals without access", false, set_cold_after },
	{ "protocol", "safe|unsafe", "unsafe: evict without freezing (must be caught losing data)", false, set_protocol },
	{ "vcpus", "N", "workload threads (vCPUs)", false, set_vcpus },
	{ "populate", "LIST", "write, copy, alias, or all: how the snapshot is put into the memory file", false, set_populate },
	{ "holes", "PCT", "percent of the snapshot's pages left out of the populate (0-100)", false, set_holes },
	{ "warmup", "N", "discarded warm-up repetitions", false, set_warmup },
	{ "min-reps", "N", "at least N measured repetitions", false, set_min_reps },
	{ "max-reps", "N", "at most N measured repetitions", false, set_max_reps },
	{ "min-time", "SECONDS", "measure at least this long per case", false, set_min_time },
	{ "seed", "N", "PRNG seed (bootstrap, scattered layouts, workloads)", true, set_seed },
	{ "out", "DIR", "result directory (default results/<run-id>)", true, set_out },
	{ "run-id", "ID", "name of the run (default: UTC time + pid)", true, set_run_id },
	{ "thp", "always|madvise|never", "set THP mode for the run (restored after)", true, set_thp },
	{ "hugepages", "N", "reserve N default-size huge pages (restored)", true, set_hugepages },
	{ "numa-balancing", "0|1", "set kernel.numa_balancing (restored)", true, set_numa },
	{ "damon", "KEY=VAL,...", "damon backend: sample=5ms,aggr=100ms,update=never,regions=10-1000 (the defaults; keys " WS_DAMON_KEYS ")", true, set_damon },
	{ "numa-scan", "KEY=VAL,...", "NUMA balancing scan tunables for the run: delay=100,period-min=100,period-max=1000 (ms; the defaults), size=MB; a value 'kernel' leaves one as it is (restored; keys " WS_NUMA_SCAN_KEYS ")", false, set_numa_scan },
	{ "tune", "on|off", "quiet machine: performance governor, no deep C-states (restored; default off)", true, set_tune },
	{ "invocations", "N", "run N separate processes, merged: CIs and compare over invocations, what a second run varies by (default 1)", true, set_invocations },
	{ "quiet", NULL, "no progress lines", true, set_quiet },
	{ "timeout", "SECONDS", "watchdog for the whole run (default 3600; 0: none)", true, set_timeout },
	{ "knob-wait", "SECONDS", "wait at most this long for another wsbench run that holds the knobs (default 3600; 0: refuse at once, exit 2)", true, set_knob_wait },
	{ "help", NULL, "this text", true, NULL },
	{ NULL, NULL, NULL, false, NULL },
};

#define NR_RUN_OPTS	(sizeof(run_opts) / sizeof(run_opts[0]) - 1)

/* Does @list (space separated option names) contain @opt? */
static bool has_option(const char *list, const char *opt)
{
	size_t n = strlen(opt);

	for (const char *p = strstr(list, opt); p; p = strstr(p + 1, opt))
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

/* Does benchmark @b read option @o? */
static bool reads_option(const struct ws_benchmark *b, const struct run_opt *o)
{
	char name[64];

	if (o->generic)
		return true;
	snprintf(name, sizeof(name), "--%s", o->name);
	return has_option(b->options, name);
}

bool ws_run_reads_option(const struct ws_benchmark *b, const char *opt)
{
	for (const struct run_opt *o = run_opts; o->name; o++)
		if (!strncmp(opt, "--", 2) && !strcmp(o->name, opt + 2))
			return reads_option(b, o);
	return false;
}

static void generic_list(char *buf, size_t len)
{
	buf[0] = '\0';
	for (const struct run_opt *o = run_opts; o->name; o++)
		if (o->generic)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s--%s",
				 buf[0] ? " " : "", o->name);
}

static void run_usage(const struct ws_benchmark *b)
{
	char generic[512], arg[96];

	generic_list(generic, sizeof(generic));
	printf("usage: wsbench run %s [options]\n%s\n\n", b->name, b->summary);
	printf("options this benchmark reads: %s\n", b->options);
	printf("options every benchmark reads: %s\n\n", generic);
	for (const struct run_opt *o = run_opts; o->name; o++) {
		const char *help = o->help;

		if (!reads_option(b, o))
			continue;
		if (!strcmp(o->name, "backend"))
			help = ws_tracker_names();
		else if (!strcmp(o->name, "backing"))
			help = ws_backing_names();
		snprintf(arg, sizeof(arg), "--%s%s%s", o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
		printf("  %-28s %s%s\n", arg, help,
		       !strcmp(o->name, "backend") ||
		       !strcmp(o->name, "backing") ? ", or all" : "");
	}
	ws_run_profile_help(b, ws_run_reads_option);
}

static void default_run_id(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf + strlen(buf), len - strlen(buf), "-%d", (int)getpid());
}

/* The profile decides the defaults the other options override. */
static int early_profile(int argc, char **argv, enum ws_profile *prof)
{
	const char *arg = NULL;
	int idx;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--profile=", 10))
			arg = argv[i] + 10;
		else if (!strcmp(argv[i], "--profile") && i + 1 < argc)
			arg = argv[i + 1];
	}
	*prof = WS_PROFILE_DEFAULT;
	if (!arg)
		return 0;
	if (ws_parse_name("--profile", arg, profile_names, &idx))
		return -1;
	*prof = idx;
	return 0;
}

static void defaults(const struct ws_benchmark *b, enum ws_profile prof,
		     struct ws_run_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->p.profile = prof;
	c->p.backends = ws_trackers_default_mask();
	c->p.backings = WS_BACKING_DEFAULT;
	c->p.modes = WS_MODE_BIT(WS_MODE_ASYNC) | WS_MODE_BIT(WS_MODE_SYNC);
	c->p.layouts = (1u << WS_LAYOUT_NR) - 1;
	c->p.rearms = 1u << WS_REARM_PER_RUN;
	c->p.seed = 42;
	c->timeout_s = 3600;
	c->invocations = 1;
	c->knob_wait_s = 3600;
	ws_damon_params_default(&c->damon);
	b->defaults(&c->p, prof);
	default_run_id(c->run_id, sizeof(c->run_id));
}

/*
 * --hugepages N takes N huge pages out of ordinary memory: more than
 * MemAvailable (plus the pool as it is) would only fail late, or push the
 * machine into reclaim while it measures.
 */
static int check_hugepages(void)
{
	const char *req = knob_value_requested(WS_NR_HUGEPAGES);
	size_t hp_size = 0, pool = 0, most, want, avail = ws_mem_available();
	char now[32], a[32], b[32], c[32];

	ws_hugetlb_free(&hp_size);
	if (!req || !hp_size || !avail)
		return 0;
	if (!ws_knob_read(WS_NR_HUGEPAGES, now, sizeof(now)))
		pool = strtoull(now, NULL, 10);
	want = strtoull(req, NULL, 10);
	most = pool + avail / hp_size;
	if (want <= most)
		return 0;
	fprintf(stderr, "wsbench: --hugepages %zu: %zu huge pages of %s need %s, but this machine has %s available (MemAvailable %s plus the %zu huge pages reserved now): use at most %zu\n",
		want, want, ws_fmt_size(hp_size, a, sizeof(a)),
		ws_fmt_size(want * hp_size, b, sizeof(b)),
		ws_fmt_size(most * hp_size, c, sizeof(c)),
		ws_fmt_size(avail, now, sizeof(now)), pool, most);
	return -1;
}

/* Cross-option checks, after every option parsed. */
static int check_combination(const struct ws_benchmark *b,
			     struct ws_run_cfg *c)
{
	char err[256];

	if (!c->p.backends || !c->p.backings || !c->p.modes ||
	    !c->p.layouts || !c->p.rearms ||
	    (ws_run_reads_option(b, "--populate") && !c->p.populates)) {
		fprintf(stderr, "wsbench run %s: an empty --backend/--backing/--mode/--layout/--rearm/--populate list selects nothing\n",
			b->name);
		return -1;
	}
	if (c->p.max_reps && c->p.min_reps > c->p.max_reps) {
		fprintf(stderr, "wsbench: --min-reps (%llu) is larger than --max-reps (%llu)\n",
			(unsigned long long)c->p.min_reps,
			(unsigned long long)c->p.max_reps);
		return -1;
	}
	if (ws_damon_params_check("--damon", &c->damon, err, sizeof(err)) ||
	    ws_numa_scan_check("--numa-scan", &c->p.numa_scan, err,
			       sizeof(err))) {
		fprintf(stderr, "wsbench: %s\n", err);
		return -1;
	}
	if (!strcmp(b->name, "numa-interplay") &&
	    !strcmp(knob_value_requested(WS_NUMA_BALANCING) ?: "1", "0")) {
		fprintf(stderr, "wsbench run %s: --numa-balancing 0: this benchmark runs with NUMA balancing on (it sets kernel.numa_balancing=1 itself, restored after); drop the option\n",
			b->name);
		return -1;
	}
	if (check_hugepages())
		return -1;
	if (!c->out_dir[0])
		snprintf(c->out_dir, sizeof(c->out_dir), "results/%s",
			 c->run_id);
	c->p.run_id = c->run_id;
	c->p.out_dir = c->out_dir;
	return 0;
}

static int apply_option(const struct ws_benchmark *b, struct ws_run_cfg *c,
			const struct run_opt *o, const char *val)
{
	char name[64], generic[512];

	snprintf(name, sizeof(name), "--%s", o->name);
	if (!reads_option(b, o)) {
		generic_list(generic, sizeof(generic));
		fprintf(stderr, "wsbench run %s: %s is not used by this benchmark: it reads %s %s\n",
			b->name, name, b->options, generic);
		return -1;
	}
	return o->set(c, name, val);
}

/*
 * An option given twice silently took the last value (`--backend wp
 * --backend idle` ran idle only): refused, except --damon and
 * --numa-scan, whose KEY=VAL lists add up by design.
 */
static int given_twice(const struct ws_benchmark *b, const struct run_opt *o,
		       const char **given, const char *val)
{
	size_t i = o - run_opts;

	if (!strcmp(o->name, "damon") || !strcmp(o->name, "numa-scan")) {
		given[i] = val ? val : "";
		return 0;
	}
	if (!given[i]) {
		given[i] = val ? val : "";
		return 0;
	}
	if (o->arg)
		fprintf(stderr, "wsbench run %s: --%s given twice ('%s', then '%s'): give it once%s\n",
			b->name, o->name, given[i], val,
			strstr(o->arg, "LIST") ? " (lists take commas, e.g. --backend wp,idle)" : "");
	else
		fprintf(stderr, "wsbench run %s: --%s given twice: give it once\n",
			b->name, o->name);
	return -1;
}

int ws_run_parse(const struct ws_benchmark *b, int argc, char **argv,
		 struct ws_run_cfg *cfg)
{
	struct option longopts[NR_RUN_OPTS + 1];
	const char *given[NR_RUN_OPTS] = { NULL };
	char generic[512];
	enum ws_profile prof;
	int opt;

	if (early_profile(argc, argv, &prof))
		return WS_EXIT_USAGE;
	defaults(b, prof, cfg);
	for (size_t i = 0; i <= NR_RUN_OPTS; i++)
		longopts[i] = (struct option){
			run_opts[i].name,
			run_opts[i].arg ? required_argument : no_argument,
			NULL, (int)i + 256 };
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		const struct run_opt *o;

		if (opt == '?' || opt == ':') {
			generic_list(generic, sizeof(generic));
			fprintf(stderr, "wsbench run %s: unknown option '%s' (or missing value): accepted: %s %s (see --help)\n",
				b->name, argv[optind - 1], b->options, generic);
			return WS_EXIT_USAGE;
		}
		o = &run_opts[opt - 256];
		if (!o->set) {
			run_usage(b);
			return 1;
		}
		if (given_twice(b, o, given, optarg) ||
		    apply_option(b, cfg, o, optarg))
			return WS_EXIT_USAGE;
	}
	if (optind < argc) {
		fprintf(stderr, "wsbench run %s: unexpected argument '%s': options start with --\n",
			b->name, argv[optind]);
		return WS_EXIT_USAGE;
	}
	return check_combination(b, cfg) ? WS_EXIT_USAGE : 0;
}
