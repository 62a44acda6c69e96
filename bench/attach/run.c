// SPDX-License-Identifier: GPL-2.0
/*
 * One tracked and one untracked run of wsbench attach's target (attach.h):
 * start it (or take the --pid), get its range -- handed off by the preload
 * library, or read from /proc/<pid>/maps when nothing has to happen inside
 * it -- run the interval loop, let go, wait for the command to finish, and
 * read what it reports: fio's JSON and, as ground truth, its per-I/O log.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attach.h"
#include "common.h"
#include "janitor.h"
#include "loop.h"
#include "maps.h"
#include "sharers.h"
#include "target.h"
#include "timing.h"
#include "truth.h"

#define MAPS_POLL_NS	50000000ULL

struct work {
	char dir[PATH_MAX];
	char json[PATH_MAX + 16], out[PATH_MAX + 16], err[PATH_MAX + 16];
	char sock[PATH_MAX + 16];
	struct ws_janitor jan;		/* removes dir should we be killed */
};

static int work_init(struct work *w, const struct ws_attach *a,
		     struct ws_bench_ctx *ctx)
{
	int ret;

	snprintf(w->dir, sizeof(w->dir), "%.3000s/wsbench-attach.XXXXXX", a->tmp);
	if (!mkdtemp(w->dir))
		return ws_case_fail(ctx, errno, "work directory in %s", a->tmp);
	ret = ws_janitor_start(&w->jan, w->dir);
	if (ret) {
		rmdir(w->dir);
		return ws_case_fail(ctx, ret, "fork of the work directory's janitor");
	}
	snprintf(w->json, sizeof(w->json), "%s/fio.json", w->dir);
	snprintf(w->out, sizeof(w->out), "%s/fio.out", w->dir);
	snprintf(w->err, sizeof(w->err), "%s/fio.err", w->dir);
	snprintf(w->sock, sizeof(w->sock), "%s/handoff.sock", w->dir);
	return 0;
}

static void work_free(struct work *w)
{
	ws_attach_rm_work(w->dir);
	ws_janitor_stop(&w->jan);
}

/* Start the command (fio: in the work directory, output to files). */
static int start(struct ws_bench_ctx *ctx, const struct ws_attach *a,
		 struct work *w, struct ws_target *t, const char *sock)
{
	static char env_lib[PATH_MAX + 32], env_sock[sizeof(w->sock) + 40];
	char *env[3] = { NULL };
	char **argv = a->is_fio ? ws_fio_argv(a->cmd, w->json) : a->cmd;
	const char *old = getenv("LD_PRELOAD");
	char why[512];
	int ofd = -1, efd = -1, ret;

	if (!argv)
		return ws_case_fail(ctx, ENOMEM, "fio command line");
	if (sock) {
		snprintf(env_lib, sizeof(env_lib), "LD_PRELOAD=%s%s%s",
			 a->preload, old ? ":" : "", old ? old : "");
		snprintf(env_sock, sizeof(env_sock), "%s=%s", WS_HANDOFF_ENV,
			 sock);
		env[0] = env_lib;
		env[1] = env_sock;
	}
	if (a->is_fio) {
		ofd = open(w->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			   0600);
		efd = open(w->err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			   0600);
	}
	ret = ws_target_spawn(t, argv, a->is_fio ? w->dir : NULL, env, ofd,
			      efd, why, sizeof(why));
	if (ofd >= 0)
		close(ofd);
	if (efd >= 0)
		close(efd);
	if (a->is_fio)
		ws_argv_free(argv);
	return ret ? ws_case_fail(ctx, ret, "%s", why) : 0;
}

static bool alive(void *arg)
{
	return ws_target_alive(arg);
}

/* Without the library: the selector over /proc/<pid>/maps, waiting for it. */
static int find_range(struct ws_bench_ctx *ctx, const struct ws_attach *a,
		      struct ws_target *t, struct ws_attach_mem *m)
{
	uint64_t end = ws_now_ns() + a->handoff_timeout_s * 1000000000ULL;
	char what[300];

	ws_select_describe(a->sel.sel, a->sel.size, a->sel.name, what,
			   sizeof(what));
	for (;;) {
		struct ws_map *v;
		size_t n;
		long i = -1;
		bool thp = false;
		uint64_t kpage;

		if (!ws_maps_read(t->pid, &v, &n)) {
			i = ws_maps_select(v, n, a->sel.sel, a->sel.size,
					   a->sel.name);
			if (i >= 0) {
				ws_maps_smaps(t->pid, v[i].start, &kpage, &thp);
				*m = (struct ws_attach_mem){
					.start = v[i].start,
					.len = v[i].end - v[i].start,
					.offset = v[i].offset,
					.shared = ws_map_shared(&v[i]),
					.thp = thp,
					.memfd = -1,
				};
				snprintf(m->path, sizeof(m->path), "%s",
					 v[i].path);
			}
			free(v);
		}
		if (i >= 0)
			return 0;
		if (!ws_target_alive(t))
			return ws_case_fail(ctx, ESRCH, "the target exited before mapping anything matching %s",
					    what);
		if (ws_now_ns() >= end)
			return ws_case_fail(ctx, ETIMEDOUT, "no mapping matching %s in pid %d within %u s",
					    what, (int)t->pid,
					    a->handoff_timeout_s);
		nanosleep(&(struct timespec){ 0, MAPS_POLL_NS }, NULL);
	}
}

static void mem_from_session(const struct ws_session *s,
			     struct ws_attach_mem *m)
{
	*m = (struct ws_attach_mem){
		.start = s->range.start,
		.len = s->range.len,
		.offset = s->range.offset,
		.shared = s->range.flags & WS_HO_F_SHARED,
		.thp = s->range.flags & WS_HO_F_THP,
		.memfd = s->memfd,
		.mmap_ns = s->range.mmap_ns,
	};
	snprintf(m->path, sizeof(m->path), "%s", s->range.name);
}

static json_t *mem_json(const struct ws_attach_mem *m,
			const struct ws_session *s, const struct ws_attach *a)
{
	char start[32];
	json_t *j;

	snprintf(start, sizeof(start), "0x%llx", (unsigned long long)m->start);
	j = json_pack("{s:s,s:I,s:I,s:s,s:b,s:b,s:b}",
		      "start", start, "len", (json_int_t)m->len,
		      "offset", (json_int_t)m->offset, "path", m->path,
		      "shared", m->shared, "thp_eligible", m->thp,
		      "memory_fd", m->memfd >= 0);
	if (!s)
		return j;
	snprintf(start, sizeof(start), "0x%llx",
		 (unsigned long long)s->uffd_features);
	json_object_set_new(j, "library", json_pack("{s:s,s:o,s:b,s:o}",
		"preload", a->preload,
		"uffd_features", s->have_uffd ? json_string(start) :
						json_null(),
		"user_mode_only", s->user_mode_only,
		"handoff_after_mmap_ns", m->mmap_ns && s->handoff_ns > m->mmap_ns ?
			json_integer((json_int_t)(s->handoff_ns - m->mmap_ns)) :
			json_null()));
	return j;
}

/* The truth log, if any, checked against our clock, scored. */
static json_t *truth(const struct ws_attach *a, struct work *w,
		     const struct ws_attach_mem *m, struct ws_target *t,
		     struct ws_attach_loop *l)
{
	char path[PATH_MAX + 320], why[512] = "";
	uint64_t first, last, lo, hi;
	struct ws_truth tr;
	json_t *j;
	int ret;

	if (a->truth_log[0])
		snprintf(path, sizeof(path), "%s", a->truth_log);
	else if (!a->is_fio)
		return json_pack("{s:n,s:b,s:s}", "source", "usable", 0,
				 "reason", "no access log: pass --truth-log, or run fio with the job files of workloads/fio/");
	else if (!a->fio.truth)
		return json_pack("{s:s,s:b,s:s}", "source", "fio iops log",
				 "usable", 0, "reason", a->fio.no_truth);
	else if (ws_fio_iops_log(&a->fio, w->dir, path, sizeof(path)))
		return json_pack("{s:s,s:b,s:s+}", "source", "fio iops log",
				 "usable", 0, "reason", "fio wrote no ", path);
	ret = ws_truth_load(&tr, path, m->offset, m->len, ws_page_size(), why,
			    sizeof(why));
	j = json_pack("{s:s,s:b,s:s}", "source",
		      a->truth_log[0] ? "--truth-log" : "fio iops log",
		      "usable", 0, "reason", why);
	if (ret)
		return j;
	ws_attach_loop_span(l, &first, &last);
	/* The log's clock must be ours: every access within the run. */
	lo = t->start_ns / 1000000;
	hi = (t->end_ns ? t->end_ns : ws_now_ns()) / 1000000 + 1;
	if (tr.t_min < lo || tr.t_max > hi) {
		snprintf(why, sizeof(why), "log timestamps %llu..%llu ms are not within the run (%llu..%llu ms of CLOCK_MONOTONIC)",
			 (unsigned long long)tr.t_min,
			 (unsigned long long)tr.t_max,
			 (unsigned long long)lo, (unsigned long long)hi);
	} else {
		ws_attach_loop_score(l, &tr);
		json_object_set_new(j, "usable", json_true());
	}
	json_object_set_new(j, "reason", json_string(why));
	json_object_set_new(j, "accesses", json_integer((json_int_t)tr.n));
	json_object_set_new(j, "lines", json_integer((json_int_t)tr.lines));
	json_object_set_new(j, "unreadable_lines",
			    json_integer((json_int_t)tr.bad_lines));
	json_object_set_new(j, "outside_range",
			    json_integer((json_int_t)tr.outside));
	json_object_set_new(j, "first_ms", json_integer((json_int_t)tr.t_min));
	json_object_set_new(j, "last_ms", json_integer((json_int_t)tr.t_max));
	json_object_set_new(j, "tracked_from_ms",
			    json_integer((json_int_t)(first / 1000000)));
	json_object_set_new(j, "tracked_to_ms",
			    json_integer((json_int_t)(last / 1000000)));
	ws_truth_free(&tr);
	return j;
}

/* What the command did: its exit, its time, fio's report. */
static json_t *outcome(const struct ws_attach *a, struct work *w,
		       struct ws_target *t)
{
	json_t *j = json_pack("{s:I}", "pid", (json_int_t)t->pid);
	char why[512];

	if (!t->child)
		return j;
	json_object_set_new(j, "exit_status", t->exited &&
			    WIFEXITED(t->status) ?
			    json_integer(WEXITSTATUS(t->status)) : json_null());
	json_object_set_new(j, "signal", t->exited &&
			    WIFSIGNALED(t->status) ?
			    json_integer(WTERMSIG(t->status)) : json_null());
	json_object_set_new(j, "wall_s", json_real((t->end_ns - t->start_ns) /
						   1e9));
	if (a->is_fio) {
		json_t *f = ws_fio_result(&a->fio, w->json, w->err,
					  WIFEXITED(t->status) ?
					  WEXITSTATUS(t->status) : -1, why,
					  sizeof(why));

		json_object_set_new(j, "fio", f ? f : json_pack("{s:s}",
							"error", why));
	}
	return j;
}

static int get_range(struct ws_bench_ctx *ctx, const struct ws_attach *a,
		     struct ws_session *s, struct ws_target *t,
		     struct ws_attach_mem *m)
{
	char why[768];
	int ret;

	if (!a->use_lib)
		return find_range(ctx, a, t, m);
	s->want_pid = a->pid;
	s->root_pid = t->pid;
	ret = ws_session_handoff(s, &a->sel, a->handoff_timeout_s * 1000,
				 alive, t, why, sizeof(why));
	if (ret)
		return ws_case_fail(ctx, ret, "%s", why);
	mem_from_session(s, m);
	return 0;
}

/* Once the range is accepted: a set-up failure says one line only. */
static void say_handed(const struct ws_attach *a, const struct ws_session *s,
		       const struct ws_attach_mem *m)
{
	if (!a->quiet && a->use_lib)
		fprintf(stderr, "wsbench attach: pid %d handed off %s (%llu bytes at 0x%llx)%s\n",
			(int)s->pid, m->path, (unsigned long long)m->len,
			(unsigned long long)m->start,
			m->memfd >= 0 ? " with its memory fd" : "");
}

/*
 * The process that handed the range over (SO_PEERCRED) is the one to
 * scan and stop: a wrapper (bash -c, env, a launcher) that started it
 * maps nothing of it.  @t stays the command we wait for.
 */
static int track_handed(struct ws_bench_ctx *ctx, const struct ws_session *s,
			struct ws_target *t, struct ws_target *handed,
			struct ws_target **tracked)
{
	char why[512];
	int ret;

	*tracked = t;
	if (!s->pid || s->pid == t->pid)
		return 0;
	ret = ws_target_from_pid(handed, s->pid, why, sizeof(why));
	if (ret)
		return ws_case_fail(ctx, ret, "the process that handed off: %s",
				    why);
	*tracked = handed;
	return 0;
}

/*
 * Evicting memory another process maps too (a child forked before the
 * handoff) would give it zeros where data was: refused before it starts.
 */
static int check_sharers(struct ws_bench_ctx *ctx, const struct ws_attach *a,
			 const struct ws_attach_mem *m, pid_t tracked)
{
	pid_t skip[2] = { getpid(), tracked }, first;
	int n;

	if (m->memfd < 0 || a->no_evict)
		return 0;
	n = ws_sharers(m->memfd, skip, 2, &first);
	if (n < 0)
		return ws_case_fail(ctx, n, "cannot tell who else maps %s: %s",
				    m->path, strerror(-n));
	if (n)
		return ws_case_fail(ctx, EBUSY, "pid %d maps %s too (%d process%s besides pid %d, e.g. a child forked before the handoff): without the uffd it would read evicted pages as zeros; use --no-evict or --select another mapping",
				    (int)first, m->path, n, n > 1 ? "es" : "",
				    (int)tracked);
	return 0;
}

int ws_attach_tracked(struct ws_bench_ctx *ctx, const struct ws_attach *a,
		      unsigned int rep, json_t **out)
{
	struct ws_attach_loop *l = NULL;
	struct ws_attach_mem m = { .memfd = -1 };
	struct ws_session s;
	struct ws_target t, handed, *tracked = &t;
	struct work w = { .dir = "", .jan = { .fd = -1 } };
	const char *sock = NULL;
	json_t *tj;
	char why[512];
	int ret;

	(void)rep;
	*out = NULL;
	ws_session_init(&s);
	ws_target_init(&t);
	ws_target_init(&handed);
	ret = work_init(&w, a, ctx);
	if (!ret && a->use_lib) {
		sock = a->socket_given ? a->socket : w.sock;
		ret = ws_session_listen(&s, sock, why, sizeof(why));
		if (ret)
			ret = ws_case_fail(ctx, ret, "%s", why);
	}
	if (!ret && a->pid) {
		ret = ws_target_from_pid(&t, a->pid, why, sizeof(why));
		if (ret)
			ret = ws_case_fail(ctx, ret, "%s", why);
	} else if (!ret) {
		ret = start(ctx, a, &w, &t, sock);
	}
	if (!ret)
		ret = get_range(ctx, a, &s, &t, &m);
	if (!ret)
		ret = track_handed(ctx, &s, &t, &handed, &tracked);
	if (!ret)
		ret = check_sharers(ctx, a, &m, tracked->pid);
	if (!ret)
		say_handed(a, &s, &m);
	/* Before anything can stop it: someone must resume it if we die. */
	if (!ret && a->use_lib && !a->no_evict &&
	    (ret = ws_target_guard(tracked, why, sizeof(why))))
		ret = ws_case_fail(ctx, ret, "%s", why);
	if (!ret)
		ret = ws_attach_loop_run(ctx, a, &m, a->use_lib ? &s : NULL,
					 tracked, &l);
	ws_session_close(&s);
	/* Asked to stop: the command we started stops too (released first). */
	if (ws_attach_stopping && t.child && t.pid) {
		if (handed.pid)
			kill(handed.pid, SIGTERM);
		kill(t.pid, SIGTERM);
	}
	ws_target_release(&handed);
	if (t.child && t.pid)
		ws_target_wait(&t, -1);
	ws_target_release(&t);
	/* Scored first: the intervals' JSON carries the cold-set scores. */
	tj = !ret && l ? truth(a, &w, &m, &t, l) : NULL;
	*out = l ? ws_attach_loop_json(l) : json_pack("{s:{s:s},s:[]}", "run",
						       "ended", "set-up failed",
						       "intervals");
	json_object_set_new(*out, "target", outcome(a, &w, &t));
	json_object_set_new(json_object_get(*out, "target"), "tracked_pid",
			    json_integer(tracked->pid));
	if (m.len)
		json_object_set_new(*out, "range", mem_json(&m, a->use_lib ?
							     &s : NULL, a));
	if (tj)
		json_object_set_new(*out, "truth", tj);
	ws_attach_loop_free(l);
	work_free(&w);
	return ret;
}

int ws_attach_untracked(struct ws_bench_ctx *ctx, const struct ws_attach *a,
			unsigned int rep, json_t **out)
{
	struct ws_target t;
	struct work w = { .dir = "", .jan = { .fd = -1 } };
	int ret;

	(void)rep;
	*out = NULL;
	ws_target_init(&t);
	ret = work_init(&w, a, ctx);
	if (!ret)
		ret = start(ctx, a, &w, &t, NULL);
	if (!ret)
		ws_target_wait(&t, -1);
	*out = json_pack("{s:o}", "target", outcome(a, &w, &t));
	ws_target_release(&t);
	work_free(&w);
	return ret;
}
