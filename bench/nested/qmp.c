// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal QMP client (qmp.h).  Every message is one JSON object on a
 * line; asynchronous events ({"event": ...}) may come before a reply and
 * are skipped.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "qmp.h"

#define QMP_LINE_MAX	65536

static int fail(char *why, size_t len, int err, const char *what)
{
	snprintf(why, len, "QMP: %s: %s", what, strerror(-err));
	return err;
}

/* One line (without its end) into @line, or -errno. */
static int read_line(struct ws_qmp *q, char *line, size_t len)
{
	for (;;) {
		char *nl = memchr(q->buf, '\n', q->have);
		struct pollfd p = { .fd = q->fd, .events = POLLIN };
		ssize_t n;

		if (nl) {
			size_t l = (size_t)(nl - q->buf);

			if (l >= len)
				return -EMSGSIZE;
			memcpy(line, q->buf, l);
			line[l] = 0;
			q->have -= l + 1;
			memmove(q->buf, nl + 1, q->have);
			return 0;
		}
		if (q->have == sizeof(q->buf))
			return -EMSGSIZE;
		n = poll(&p, 1, q->timeout_ms);
		if (n <= 0)
			return n ? -errno : -ETIMEDOUT;
		n = read(q->fd, q->buf + q->have, sizeof(q->buf) - q->have);
		if (n <= 0)
			return n ? -errno : -EPIPE;
		q->have += (size_t)n;
	}
}

/* The next message that is not an event, or NULL (-errno in @err). */
static json_t *next_reply(struct ws_qmp *q, int *err)
{
	static char line[WS_QMP_LINE_MAX];

	for (;;) {
		json_t *j;

		*err = read_line(q, line, sizeof(line));
		if (*err)
			return NULL;
		j = json_loads(line, 0, NULL);
		if (!j) {
			*err = -EPROTO;
			return NULL;
		}
		if (!json_object_get(j, "event"))
			return j;
		json_decref(j);
	}
}

static int send_cmd(struct ws_qmp *q, const char *cmd)
{
	json_t *j = json_pack("{s:s}", "execute", cmd);
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	size_t n = s ? strlen(s) : 0;
	int ret = -ENOMEM;

	if (s) {
		s[n] = '\n';	/* over the NUL: one write, not a string */
		ret = write(q->fd, s, n + 1) == (ssize_t)(n + 1) ? 0 : -EIO;
	}
	free(s);
	json_decref(j);
	return ret;
}

json_t *ws_qmp_call(struct ws_qmp *q, const char *cmd, char *why,
		    size_t len, int *err)
{
	json_t *r, *e, *ret;

	*err = send_cmd(q, cmd);
	r = *err ? NULL : next_reply(q, err);
	if (!r) {
		fail(why, len, *err, cmd);
		return NULL;
	}
	e = json_object_get(r, "error");
	ret = json_object_get(r, "return");
	if (e || !ret) {
		snprintf(why, len, "QMP: %s: %s", cmd,
			 json_string_value(json_object_get(e, "desc")) ?:
			 "no return");
		json_decref(r);
		*err = -EPROTO;
		return NULL;
	}
	json_incref(ret);
	json_decref(r);
	return ret;
}

int ws_qmp_run(struct ws_qmp *q, const char *cmd, char *why, size_t len)
{
	int err;
	json_t *r = ws_qmp_call(q, cmd, why, len, &err);

	json_decref(r);
	return r ? 0 : err;
}

int ws_qmp_vcpu_tids(struct ws_qmp *q, pid_t *tids, size_t max, char *why,
		     size_t len)
{
	int err;
	json_t *r = ws_qmp_call(q, "query-cpus-fast", why, len, &err), *cpu;
	size_t i, n = 0;

	if (!r)
		return err;
	json_array_foreach(r, i, cpu) {
		json_int_t tid = json_integer_value(json_object_get(cpu,
								    "thread-id"));

		if (tid <= 0 || n == max) {
			snprintf(why, len, "QMP: query-cpus-fast: %s",
				 tid <= 0 ? "a vCPU without thread-id" :
					    "more vCPUs than expected");
			json_decref(r);
			return -EPROTO;
		}
		tids[n++] = (pid_t)tid;
	}
	json_decref(r);
	if (!n)
		snprintf(why, len, "QMP: query-cpus-fast: no vCPU");
	return n ? (int)n : -ENODEV;
}

int ws_qmp_open(struct ws_qmp *q, const char *path, int timeout_ms,
		char *why, size_t len)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	json_t *hello;
	int err = 0;

	q->have = 0;
	q->timeout_ms = timeout_ms;
	if (strlen(path) >= sizeof(a.sun_path))
		return fail(why, len, -ENAMETOOLONG, path);
	strcpy(a.sun_path, path);
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q->fd < 0 || connect(q->fd, (struct sockaddr *)&a, sizeof(a))) {
		err = -errno;
		ws_qmp_close(q);
		return fail(why, len, err, path);
	}
	hello = next_reply(q, &err);
	if (!hello || !json_object_get(hello, "QMP")) {
		json_decref(hello);
		ws_qmp_close(q);
		return fail(why, len, err ? err : -EPROTO, "greeting");
	}
	json_decref(hello);
	err = ws_qmp_run(q, "qmp_capabilities", why, len);
	if (err)
		ws_qmp_close(q);
	return err;
}

void ws_qmp_close(struct ws_qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
}
