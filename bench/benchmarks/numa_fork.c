// SPDX-License-Identifier: GPL-2.0
/*
 * ni_run() in a child process (numa_interplay.h).  NUMA balancing keeps
 * per-process state: the scan sequence (early in a process's life a first
 * fault migrates at once), the scan offset and every mapping's scan
 * delay and accessing-thread bits.  Run in one process, every run would
 * start where the previous one left that state; a fresh mm per run gives
 * each the same start.
 *
 * The child disowns the parent's knobs (its exit or crash must not undo
 * kernel.numa_balancing for the runs still to come) and dies with the
 * parent (PR_SET_PDEATHSIG: SIGTERM, whose handler restores the knobs the
 * child set, e.g. the damon backend's kdamond).  Its answer travels back
 * as one JSON document: {"ret", "reason", "out"}.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "knobs.h"
#include "numa_interplay.h"

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

static __attribute__((noreturn))
void child(struct ws_bench_ctx *ctx, const struct ni_opts *o,
	   const struct ws_tracker_ops *ops, enum ws_mode mode, int fd,
	   pid_t parent)
{
	json_t *out = NULL, *reply;
	char *text;
	int ret;

	if (prctl(PR_SET_PDEATHSIG, SIGTERM) || getppid() != parent)
		_exit(3);
	ws_knobs_disown();
	ctx->skip_reason[0] = '\0';
	ret = ni_run(ctx, o, ops, mode, &out);
	reply = json_pack("{s:i,s:s,s:o}", "ret", ret,
			  "reason", ctx->skip_reason,
			  "out", out ? out : json_null());
	text = reply ? json_dumps(reply, JSON_COMPACT) : NULL;
	ret = text && !write_all(fd, text, strlen(text)) ? 0 : 4;
	ws_knobs_restore();
	_exit(ret);
}

/* Everything the child wrote, NUL-terminated; NULL on error. */
static char *read_all(int fd)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);

	while (buf) {
		ssize_t r;

		if (len + 1 == cap) {
			char *b = realloc(buf, cap *= 2);

			if (!b)
				break;
			buf = b;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			buf[len] = '\0';
			return r ? (free(buf), NULL) : buf;
		}
		len += (size_t)r;
	}
	free(buf);
	return NULL;
}

static int parse_reply(struct ws_bench_ctx *ctx, const char *text,
		       json_t **out)
{
	json_t *reply = text ? json_loads(text, 0, NULL) : NULL;
	json_t *ret = json_object_get(reply, "ret");
	int r;

	if (!json_is_integer(ret)) {
		json_decref(reply);
		return ws_case_fail(ctx, EIO, "isolated run: no answer from the child process");
	}
	r = (int)json_integer_value(ret);
	snprintf(ctx->skip_reason, sizeof(ctx->skip_reason), "%s",
		 json_string_value(json_object_get(reply, "reason")) ?: "");
	if (json_is_object(json_object_get(reply, "out")))
		*out = json_incref(json_object_get(reply, "out"));
	json_decref(reply);
	return r;
}

int ni_run_isolated(struct ws_bench_ctx *ctx, const struct ni_opts *o,
		    const struct ws_tracker_ops *ops, enum ws_mode mode,
		    json_t **out)
{
	pid_t parent = getpid(), pid;
	int fds[2], status = 0, ret;
	char *text;

	*out = NULL;
	if (pipe2(fds, O_CLOEXEC))
		return ws_case_fail(ctx, errno, "isolated run: pipe");
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = errno;
		close(fds[0]);
		close(fds[1]);
		return ws_case_fail(ctx, ret, "isolated run: fork");
	}
	if (!pid) {
		close(fds[0]);
		child(ctx, o, ops, mode, fds[1], parent);
	}
	close(fds[1]);
	text = read_all(fds[0]);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		free(text);
		return ws_case_fail(ctx, EIO, "isolated run: the child process %s %d",
				    WIFSIGNALED(status) ? "died of signal" :
				    "exited with status",
				    WIFSIGNALED(status) ? WTERMSIG(status) :
				    WEXITSTATUS(status));
	}
	ret = parse_reply(ctx, text, out);
	free(text);
	return ret;
}
