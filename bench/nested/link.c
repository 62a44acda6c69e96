// SPDX-License-Identifier: GPL-2.0
/*
 * The outer side of the truth protocol (link.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "link.h"
#include "timing.h"

static int connect_unix(const char *path, int timeout_s, char *err,
			size_t errlen)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	uint64_t deadline = ws_now_ns() + (uint64_t)timeout_s * 1000000000ULL;

	if (strlen(path) >= sizeof(a.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	strcpy(a.sun_path, path);
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), e;
		struct timespec ts = { 0, 100000000 };

		if (fd < 0)
			return -errno;
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return fd;
		e = errno;
		close(fd);
		if ((e != ENOENT && e != ECONNREFUSED) ||
		    ws_now_ns() > deadline) {
			snprintf(err, errlen, "connecting to %s: %s", path,
				 strerror(e));
			return -e;
		}
		nanosleep(&ts, NULL);
	}
}

/* Read and feed one line, waiting at most @timeout_ms for it. */
static int read_one(struct ws_nested_link *l, const char *what,
		    int timeout_ms)
{
	long n = ws_nested_readline(&l->io, l->line, WS_NESTED_LINE_MAX,
				    timeout_ms);
	int ret;

	if (n == -EMSGSIZE)
		return 0;
	if (n < 0) {
		snprintf(l->err, sizeof(l->err),
			 "waiting for %s from the nested guest: %s", what,
			 n == -EPIPE ? "connection closed" : strerror((int)-n));
		return (int)n;
	}
	ret = ws_nested_report_feed(&l->rep, l->line, l->err, sizeof(l->err));
	if (!ret && l->rep.have_hello && !l->hello_ns)
		l->hello_ns = ws_now_ns();
	return ret;
}

/* Read and feed lines until *@flag is true (or an error/timeout). */
static int wait_until(struct ws_nested_link *l, const bool *flag,
		      const char *what, int timeout_ms)
{
	uint64_t t0 = ws_now_ns();
	int ret = 0;

	while (!*flag && !ret)
		ret = read_one(l, what, timeout_ms);
	l->waited_ns += ws_now_ns() - t0;
	return ret;
}

int ws_nested_link_open(struct ws_nested_link *l, const char *path,
			FILE *transcript, int boot_timeout_s, int timeout_s)
{
	int fd, ret;

	memset(l, 0, sizeof(*l));
	l->open_ns = ws_now_ns();
	l->timeout_ms = timeout_s * 1000;
	l->io.fd = -1;
	ws_nested_report_init(&l->rep, 0);
	fd = connect_unix(path, boot_timeout_s, l->err, sizeof(l->err));
	if (fd < 0)
		return fd;
	l->line = malloc(WS_NESTED_LINE_MAX);
	ret = ws_nested_io_init(&l->io, fd, transcript);
	if (!ret && !l->line)
		ret = -ENOMEM;
	if (ret) {
		snprintf(l->err, sizeof(l->err), "out of memory");
		return ret;
	}
	return wait_until(l, &l->rep.have_hello, "hello (boot)",
			  boot_timeout_s * 1000);
}

int ws_nested_link_ready(struct ws_nested_link *l, size_t ram_pages)
{
	int ret;

	l->rep.space = ram_pages;
	if (l->io.log)
		fprintf(l->io.log, "# ram_pages=%zu\n", ram_pages);
	ret = ws_nested_send(&l->io, "WSO ready");
	return ret ? ret : wait_until(l, &l->rep.have_region, "the region",
				      l->timeout_ms);
}

void ws_nested_link_close(struct ws_nested_link *l)
{
	if (l->io.fd >= 0)
		close(l->io.fd);
	l->io.fd = -1;
	ws_nested_io_free(&l->io);
	ws_nested_report_free(&l->rep);
	free(l->line);
	l->line = NULL;
}

/* Wait until the report's edge counter reaches @k. */
static int wait_edge(struct ws_nested_link *l, const uint32_t *edge,
		     uint32_t k, const char *what)
{
	uint64_t t0 = ws_now_ns();
	char w[32];
	int ret = 0;

	snprintf(w, sizeof(w), "'%s %u'", what, k);
	while (*edge < k && !ret)
		ret = read_one(l, w, l->timeout_ms);
	l->waited_ns += ws_now_ns() - t0;
	return ret;
}

int ws_nested_link_begin(struct ws_nested_link *l, uint32_t k)
{
	int ret = ws_nested_send(&l->io, "WSO begin %u", k);

	return ret ? ret : wait_edge(l, &l->rep.begun, k, "begun");
}

int ws_nested_link_end(struct ws_nested_link *l, uint32_t k)
{
	int ret = ws_nested_send(&l->io, "WSO end %u", k);

	return ret ? ret : wait_edge(l, &l->rep.ended, k, "ended");
}

int ws_nested_link_poke(struct ws_nested_link *l, const struct ws_pageset *pfns,
			int wait_ms, bool *acked)
{
	uint64_t want = l->rep.poke_acks + 1, t0 = ws_now_ns();
	size_t pos = (size_t)snprintf(l->line, WS_NESTED_LINE_MAX,
				      "WSO poke bits=");
	int ret = ws_nested_bits_encode(pfns, l->line, WS_NESTED_LINE_MAX,
					&pos);

	*acked = false;
	if (!ret)
		ret = ws_nested_send_raw(&l->io, l->line, pos);
	while (!ret && l->rep.poke_acks < want) {
		int64_t left = (int64_t)wait_ms -
			       (int64_t)((ws_now_ns() - t0) / 1000000);

		if (left <= 0)
			return 0;
		ret = read_one(l, "'poked'", (int)left);
		if (ret == -ETIMEDOUT)
			return 0;
	}
	*acked = !ret;
	return ret;
}

int ws_nested_link_finish(struct ws_nested_link *l)
{
	int ret = ws_nested_send(&l->io, "WSO finish");

	return ret ? ret : wait_until(l, &l->rep.bye, "bye", l->timeout_ms);
}

/*
 * Stay connected until the guest is gone: QEMU drops what its serial port
 * has not taken yet when the other end of the socket closes.
 */
int ws_nested_link_quit(struct ws_nested_link *l)
{
	int ret = ws_nested_send(&l->io, "WSO quit");
	long n = 0;

	while (!ret && n >= 0)
		n = ws_nested_readline(&l->io, l->line, WS_NESTED_LINE_MAX,
				       l->timeout_ms);
	return ret ? ret : n == -EPIPE ? 0 : (int)n;
}
