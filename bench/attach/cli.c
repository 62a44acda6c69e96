// SPDX-License-Identifier: GPL-2.0
/*
 * `wsbench attach` options and every check made before anything is
 * touched (attach.h): bad input exits 2 with the option and what it
 * accepts -- a pid that does not exist or is not ours, no mapping
 * matching the selector, a fio job attach cannot track.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "elf_static.h"
#include "maps.h"
#include "parse.h"
#include "target.h"

#define PROG "wsbench attach"

static int usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return WS_EXIT_USAGE;
}

void ws_attach_usage(FILE *f)
{
	fprintf(f,
"usage: wsbench attach --backend B [options] -- COMMAND [ARGS...]\n"
"       wsbench attach --backend B --pid PID [--socket PATH] [options]\n"
"\n"
"Runs the VMM cycle of vmm-cycle (detect, freeze, evict, refault) on the\n"
"memory of a real, unmodified process.  rwp, wp and minor-anon get their\n"
"userfaultfd from inside the target, through the preload library\n"
"(LD_PRELOAD=%s, %s=PATH); idle, softdirty and damon\n"
"work from outside (/proc/PID/pagemap, clear_refs, DAMON's pid target) and\n"
"use the library only to serve refaults of evicted pages (--no-evict: no\n"
"library at all).  A command is started with both set; a --pid must have\n"
"been started with them and --socket naming the same PATH.\n"
"\n"
"options:\n"
"  --backend B              rwp, minor-anon, wp, idle, softdirty or damon\n"
"  --select SEL             the mapping: shared[,min=SIZE], the largest\n"
"                           MAP_SHARED one, the only kind that can be\n"
"                           evicted (default shared,min=1M); largest[,min=SIZE]\n"
"                           (private memory too: detection only); or\n"
"                           name=TEXT (its path in /proc/PID/maps contains\n"
"                           TEXT); fio: its filename\n"
"  --pid PID                attach to a running process\n"
"  --socket PATH            the socket the library connects to (default: a\n"
"                           private one for a command)\n"
"  --preload PATH           the library (default: next to wsbench)\n"
"  --intervals N            tracking intervals (default 0: until the target\n"
"                           unmaps the range or exits)\n"
"  --interval-ms MS         interval length (default 200)\n"
"  --cold-after K           cold = not hot in the last K intervals (default 2)\n"
"  --protocol safe|unsafe   unsafe evicts without freezing (default safe)\n"
"  --freeze auto|pause      pause: stop the target even where faults could\n"
"                           be held (default auto)\n"
"  --no-evict               detection only\n"
"  --reps N                 tracked runs, each next to an untracked run of\n"
"                           the same command, alternating (default 1)\n"
"  --no-untracked           no untracked runs (hyperfine's inner command)\n"
"  --truth-log FILE         a per-access log (fio iops-log format, CLOCK_MONOTONIC\n"
"                           ms) as ground truth for a command that is not fio\n"
"  --handoff-timeout S      wait for the mapping at most S s (default 30)\n"
"  --ab-runs N              also hyperfine: the command alone vs under attach,\n"
"                           N runs each per round (default 0: no A/B)\n"
"  --ab-warmup N            hyperfine warm-up runs (default 1)\n"
"  --ab-rounds N            hyperfine rounds, alternating order (default 2)\n"
"  --out DIR, --run-id ID, --seed N, --timeout S, --quiet\n"
"  --test-hold-ms MS        (tests) linger MS in every freeze window\n"
"\n"
"Writes <out>/attach.json (results/README.md) and prints a summary.\n",
		WS_HANDOFF_LIB_NAME, WS_HANDOFF_ENV);
}

static int parse_select(struct ws_attach *a, const char *v)
{
	size_t sz;

	if (!strncmp(v, "name=", 5) && v[5] &&
	    strlen(v + 5) < sizeof(a->sel.name)) {
		a->sel.sel = WS_SEL_NAME;
		snprintf(a->sel.name, sizeof(a->sel.name), "%s", v + 5);
		return 0;
	}
	for (int s = 0; s < 2; s++) {
		const char *kw = s ? "shared" : "largest";
		size_t k = strlen(kw);

		if (strncmp(v, kw, k) || (v[k] && strncmp(v + k, ",min=", 5)))
			continue;
		if (v[k] && ws_parse_size("--select min", v + k + 5, 1, &sz))
			return WS_EXIT_USAGE;
		a->sel.sel = s ? WS_SEL_SHARED : WS_SEL_LARGEST;
		a->sel.size = v[k] ? sz : a->sel.size;
		return 0;
	}
	return usage_err("--select '%s': use shared[,min=SIZE], largest[,min=SIZE] or name=TEXT",
			 v);
}

/*
 * The socket's directory must be ours alone (0700): in one other users
 * may enter, such as /tmp, anyone could take the path first.
 */
static int private_dir(const char *sock)
{
	char dir[sizeof(((struct ws_attach *)0)->socket)];
	char *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", sock);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &st))
		return usage_err("--socket %s: directory %s: %s", sock, dir,
				 strerror(errno));
	if (st.st_uid != geteuid() || (st.st_mode & 077))
		return usage_err("--socket %s: directory %s (mode %04o, uid %u) is open to other users: use one only you can enter (0700), so nobody else can take the path first",
				 sock, dir, (unsigned int)(st.st_mode & 07777),
				 (unsigned int)st.st_uid);
	return 0;
}

static int set_path(char *dst, size_t len, const char *opt, const char *v)
{
	if (!*v || strlen(v) >= len)
		return usage_err("%s '%s': empty or longer than %zu bytes", opt,
				 v, len - 1);
	snprintf(dst, len, "%s", v);
	return 0;
}

static int set_backend(struct ws_attach *a, const char *o, const char *v)
{
	(void)o;
	a->ops = ws_tracker_by_name(v);
	return a->ops ? 0 : usage_err("--backend '%s': use one of %s", v,
				      ws_tracker_names());
}

static int set_select(struct ws_attach *a, const char *o, const char *v)
{
	(void)o;
	a->sel_given = true;
	return parse_select(a, v);
}

static int set_pid(struct ws_attach *a, const char *o, const char *v)
{
	uint64_t x;

	if (ws_parse_uint(o, v, 1, INT32_MAX, &x))
		return WS_EXIT_USAGE;
	a->pid = (pid_t)x;
	return 0;
}

static int set_socket(struct ws_attach *a, const char *o, const char *v)
{
	a->socket_given = true;
	return set_path(a->socket, sizeof(a->socket), o, v) ?:
	       private_dir(a->socket);
}

static int set_run_id(struct ws_attach *a, const char *o, const char *v)
{
	if (ws_check_run_id(o, v))
		return WS_EXIT_USAGE;
	return set_path(a->run_id, sizeof(a->run_id), o, v);
}

static int set_interval_ms(struct ws_attach *a, const char *o, const char *v)
{
	return ws_parse_double(o, v, 1, 600000, &a->interval_ms) ?
	       WS_EXIT_USAGE : 0;
}

static int set_protocol(struct ws_attach *a, const char *o, const char *v)
{
	(void)o;
	if (strcmp(v, "safe") && strcmp(v, "unsafe"))
		return usage_err("--protocol '%s': use safe or unsafe", v);
	a->unsafe = !strcmp(v, "unsafe");
	return 0;
}

static int set_freeze(struct ws_attach *a, const char *o, const char *v)
{
	(void)o;
	if (strcmp(v, "auto") && strcmp(v, "pause"))
		return usage_err("--freeze '%s': use auto or pause", v);
	a->freeze = strcmp(v, "pause") ? WS_ATTACH_FREEZE_AUTO :
		    WS_ATTACH_FREEZE_PAUSE;
	return 0;
}

enum opt_kind { OPT_FLAG, OPT_PATH, OPT_UINT, OPT_U64, OPT_FN };

struct attach_opt {
	const char *name;
	enum opt_kind kind;
	size_t off, len;	/* the field; OPT_PATH: its size */
	uint64_t min, max;	/* OPT_UINT, OPT_U64 */
	int (*set)(struct ws_attach *a, const char *o, const char *v);
};

#define FIELD(f)	offsetof(struct ws_attach, f)
#define FLAG(n, f)	{ n, OPT_FLAG, FIELD(f), 0, 0, 0, NULL }
#define PATH(n, f)	{ n, OPT_PATH, FIELD(f), \
			  sizeof(((struct ws_attach *)0)->f), 0, 0, NULL }
#define UINT(n, f, lo, hi) { n, OPT_UINT, FIELD(f), 0, lo, hi, NULL }
#define U64(n, f, lo, hi) { n, OPT_U64, FIELD(f), 0, lo, hi, NULL }
#define FN(n, fn)	{ n, OPT_FN, 0, 0, 0, 0, fn }

/* In the order of the unknown-option message. */
static const struct attach_opt attach_opts[] = {
	FN("--backend", set_backend),
	FN("--select", set_select),
	FN("--pid", set_pid),
	FN("--socket", set_socket),
	PATH("--preload", preload),
	PATH("--truth-log", truth_log),
	PATH("--out", out_dir),
	FN("--run-id", set_run_id),
	UINT("--intervals", intervals, 0, WS_ATTACH_MAX_INTERVALS),
	FN("--interval-ms", set_interval_ms),
	UINT("--cold-after", cold_after, 1, 1000),
	FN("--protocol", set_protocol),
	FN("--freeze", set_freeze),
	FLAG("--no-evict", no_evict),
	FLAG("--no-untracked", no_untracked),
	UINT("--reps", reps, 1, 1000),
	UINT("--ab-runs", ab_runs, 0, 1000),
	UINT("--ab-warmup", ab_warmup, 0, 100),
	UINT("--ab-rounds", ab_rounds, 1, 100),
	UINT("--handoff-timeout", handoff_timeout_s, 1, 3600),
	U64("--seed", seed, 0, UINT64_MAX),
	U64("--timeout", timeout_s, 0, 7 * 86400),
	FLAG("--quiet", quiet),
	UINT("--test-hold-ms", hold_ms, 0, 60000),
};

#define NR_ATTACH_OPTS	(sizeof(attach_opts) / sizeof(attach_opts[0]))

static const struct attach_opt *find_opt(const char *name)
{
	for (size_t i = 0; i < NR_ATTACH_OPTS; i++)
		if (!strcmp(attach_opts[i].name, name))
			return &attach_opts[i];
	return NULL;
}

static int unknown_opt(const char *o)
{
	char list[1024] = "";

	for (size_t i = 0; i < NR_ATTACH_OPTS; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 " %s", attach_opts[i].name);
	return usage_err("unknown option '%s': accepted:%s --help",
			 o, list);
}

/* Option @p with value @v (a flag has none) into @a. */
static int set_opt(struct ws_attach *a, const struct attach_opt *p,
		   const char *v)
{
	char *field = (char *)a + p->off;
	uint64_t x;

	switch (p->kind) {
	case OPT_FLAG:
		*(bool *)field = true;
		return 0;
	case OPT_PATH:
		return set_path(field, p->len, p->name, v);
	case OPT_UINT:
		if (ws_parse_uint(p->name, v, p->min, p->max, &x))
			return WS_EXIT_USAGE;
		*(unsigned int *)field = (unsigned int)x;
		return 0;
	case OPT_U64:
		return ws_parse_uint(p->name, v, p->min, p->max,
				     (uint64_t *)field) ? WS_EXIT_USAGE : 0;
	case OPT_FN:
		return p->set(a, p->name, v);
	}
	return WS_EXIT_USAGE;
}

static void defaults(struct ws_attach *a)
{
	const char *tmp = getenv("TMPDIR");
	char exe[PATH_MAX], *slash;
	ssize_t n;

	memset(a, 0, sizeof(*a));
	a->sel.sel = WS_SEL_SHARED;
	a->sel.size = 1 << 20;
	a->interval_ms = 200;
	a->cold_after = 2;
	a->reps = 1;
	a->handoff_timeout_s = 30;
	a->ab_warmup = 1;
	a->ab_rounds = 2;
	a->seed = 42;
	a->timeout_s = 3600;
	snprintf(a->tmp, sizeof(a->tmp), "%s", tmp && *tmp ? tmp : "/tmp");
	if (!getcwd(a->cwd, sizeof(a->cwd)))
		a->cwd[0] = '\0';
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	snprintf(a->self, sizeof(a->self), "%s", exe);
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	if (getenv("WSBENCH_HANDOFF_LIB"))
		snprintf(a->preload, sizeof(a->preload), "%s",
			 getenv("WSBENCH_HANDOFF_LIB"));
	else
		snprintf(a->preload, sizeof(a->preload), "%.3000s/%s", exe,
			 WS_HANDOFF_LIB_NAME);
}

/* Is @cmd runnable (as execvp would find it)?  Its path in @path. */
static bool runnable(const char *cmd, char *path, size_t len)
{
	const char *p = getenv("PATH");

	snprintf(path, len, "%s", cmd);
	if (strchr(cmd, '/'))
		return !access(cmd, X_OK);
	for (p = p ? p : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");

		snprintf(path, len, "%.*s/%s", (int)n, p, cmd);
		if (!access(path, X_OK))
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

/* --pid: it exists, it is ours, something matches, the library is in. */
static int check_pid(struct ws_attach *a)
{
	struct ws_map *v;
	char why[512], sel[300], big[600];
	bool lib = false;
	size_t n;
	long i;

	if (ws_target_check_pid(a->pid, why, sizeof(why)))
		return usage_err("%s", why);
	if (ws_maps_read(a->pid, &v, &n))
		return usage_err("--pid %d: /proc/%d/maps: %s", (int)a->pid,
				 (int)a->pid, strerror(errno));
	i = ws_maps_select(v, n, a->sel.sel, a->sel.size, a->sel.name);
	for (size_t k = 0; k < n; k++)
		lib |= strstr(v[k].path, WS_HANDOFF_LIB_NAME) != NULL;
	ws_select_describe(a->sel.sel, a->sel.size, a->sel.name, sel,
			   sizeof(sel));
	ws_maps_describe(v, n, 4, big, sizeof(big));
	free(v);
	if (i < 0)
		return usage_err("--pid %d has no mapping matching --select %s (its largest: %s)",
				 (int)a->pid, sel, big);
	if (a->use_lib && !lib)
		return usage_err("--pid %d has not loaded %s: %s needs it inside the target%s; start it with LD_PRELOAD=%s %s=PATH and give --socket PATH%s",
				 (int)a->pid, WS_HANDOFF_LIB_NAME, a->ops->name,
				 a->ops->uffd ? "" : " to serve refaults",
				 a->preload, WS_HANDOFF_ENV,
				 a->ops->uffd ? "" : ", or use --no-evict");
	if (a->use_lib && !a->socket_given)
		return usage_err("--pid needs --socket PATH: the %s the target was started with",
				 WS_HANDOFF_ENV);
	if (a->reps != 1 || a->ab_runs)
		return usage_err("--reps and --ab-runs need a command to start (not --pid)");
	return 0;
}

static int check_command(struct ws_attach *a)
{
	char why[512], path[PATH_MAX];

	if (!runnable(a->cmd[0], path, sizeof(path)))
		return usage_err("cannot run '%s': not found or not executable",
				 a->cmd[0]);
	if (a->use_lib && ws_elf_is_static(path))
		return usage_err("%s is statically linked: LD_PRELOAD cannot load %s into it, and %s needs it inside the target; only --no-evict with a backend that works from outside (idle, softdirty, damon) can watch it",
				 path, WS_HANDOFF_LIB_NAME,
				 a->ops->uffd ? a->ops->name : "eviction");
	a->is_fio = ws_fio_is_fio(a->cmd[0]);
	if (!a->is_fio)
		return 0;
	if (ws_fio_parse_cmd(a->cmd, &a->fio, why, sizeof(why)))
		return usage_err("%s", why);
	if (a->truth_log[0])
		return usage_err("--truth-log: fio's own log is the truth; drop it");
	if (!a->sel_given) {
		if (strlen(a->fio.filename) >= sizeof(a->sel.name))
			return usage_err("fio filename %s: longer than %zu bytes",
					 a->fio.filename,
					 sizeof(a->sel.name) - 1);
		a->sel.sel = WS_SEL_NAME;
		snprintf(a->sel.name, sizeof(a->sel.name), "%.255s",
			 a->fio.filename);
	}
	return 0;
}

static int check(struct ws_attach *a)
{
	struct stat st;

	if (!a->ops)
		return usage_err("--backend is required: one of %s",
				 ws_tracker_names());
	if (!!a->pid == !!a->cmd)
		return usage_err("give either --pid PID or -- COMMAND [ARGS...], not %s",
				 a->pid ? "both" : "neither");
	/* uffd trackers need a uffd from inside; eviction needs refaults. */
	a->use_lib = a->ops->uffd || !a->no_evict;
	if (a->use_lib && (stat(a->preload, &st) || !S_ISREG(st.st_mode)))
		return usage_err("--preload %s: %s (make builds it)", a->preload,
				 strerror(errno ? errno : EINVAL));
	/* Written by the program as it runs: only its form is checked. */
	if (a->truth_log[0] && a->truth_log[0] != '/')
		return usage_err("--truth-log %s: give an absolute path",
				 a->truth_log);
	return a->pid ? check_pid(a) : check_command(a);
}

/* --NAME=VALUE or --NAME VALUE at @argv[*i] (a flag takes none). */
static int parse_option(struct ws_attach *a, int argc, char **argv, int *i)
{
	const char *o = argv[*i], *eq = strchr(o, '=');
	const struct attach_opt *p;
	char name[64];

	if (strncmp(o, "--", 2))
		return usage_err("'%s': options come first, the command after --",
				 o);
	if (eq && (size_t)(eq - o) < sizeof(name))
		snprintf(name, sizeof(name), "%.*s", (int)(eq - o), o);
	else
		eq = NULL;
	p = find_opt(eq ? name : o);
	if (!p)
		return unknown_opt(eq ? name : o);
	if (p->kind == OPT_FLAG)
		return eq ? usage_err("%s takes no value", p->name) :
			    set_opt(a, p, NULL);
	if (eq)
		return set_opt(a, p, eq + 1);
	if (*i + 1 >= argc)
		return usage_err("%s needs a value", o);
	return set_opt(a, p, argv[++*i]);
}

int ws_attach_parse(int argc, char **argv, struct ws_attach *a)
{
	int i, ret;

	defaults(a);
	a->argv_all = argv;
	a->argc_all = argc;
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--help")) {
			ws_attach_usage(stdout);
			return 1;
		}
		ret = parse_option(a, argc, argv, &i);
		if (ret)
			return ret;
	}
	if (i < argc && i + 1 < argc)
		a->cmd = argv + i + 1;
	ret = check(a);
	if (ret)
		return ret;
	if (!a->run_id[0]) {
		time_t t = time(NULL);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(a->run_id, sizeof(a->run_id), "%Y%m%dT%H%M%SZ", &tm);
		snprintf(a->run_id + strlen(a->run_id),
			 sizeof(a->run_id) - strlen(a->run_id), "-%d",
			 (int)getpid());
	}
	if (!a->out_dir[0])
		snprintf(a->out_dir, sizeof(a->out_dir), "results/%s",
			 a->run_id);
	return 0;
}
