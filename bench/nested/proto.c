// SPDX-License-Identifier: GPL-2.0
/*
 * The nested-guest truth protocol's encoding and line I/O (proto.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"
#include "timing.h"

static int put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return -ENOSPC;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *pos)
		return -ENOSPC;
	*pos += (size_t)n;
	return 0;
}

int ws_nested_bits_encode(const struct ws_pageset *s, char *buf, size_t len,
			  size_t *pos)
{
	size_t nwords = (s->npages + 63) / 64, zeros = 0;
	const char *sep = "";
	int ret = 0;

	for (size_t i = 0; i <= nwords && !ret; i++) {
		uint64_t w = i < nwords ? s->bits[i] : 1;

		if (i < nwords && !w) {
			zeros++;
			continue;
		}
		if (zeros) {
			ret = put(buf, len, pos, "%sz%zu", sep, zeros);
			sep = ".";
			zeros = 0;
		}
		if (i < nwords && !ret) {
			ret = put(buf, len, pos, "%s%llx", sep,
				  (unsigned long long)w);
			sep = ".";
		}
	}
	if (!nwords && !ret)
		ret = put(buf, len, pos, "z0");
	return ret;
}

static int set_word(struct ws_pageset *s, size_t i, uint64_t w)
{
	size_t nwords = (s->npages + 63) / 64;

	if (!w)
		return 0;
	if (i >= nwords)
		return -EINVAL;
	if (i == nwords - 1 && s->npages % 64 && w >> (s->npages % 64))
		return -EINVAL;
	s->bits[i] = w;
	return 0;
}

long ws_nested_bits_decode(const char *str, struct ws_pageset *s)
{
	const char *p = str;
	size_t word = 0;

	ws_pageset_clear(s);
	for (;;) {
		char *end;

		if (*p == 'z') {
			unsigned long long n = strtoull(p + 1, &end, 10);

			if (end == p + 1)
				return -EINVAL;
			word += n;
		} else {
			unsigned long long w = strtoull(p, &end, 16);

			if (end == p || end - p > 16 || set_word(s, word, w))
				return -EINVAL;
			word++;
		}
		p = end;
		if (*p != '.')
			break;
		p++;
	}
	if (*p && *p != ' ')
		return -EINVAL;
	return p - str;
}

int ws_nested_io_init(struct ws_nested_io *io, int fd, FILE *log)
{
	io->fd = fd;
	io->log = log;
	io->have = 0;
	io->t0_ns = ws_now_ns();
	io->buf = malloc(WS_NESTED_LINE_MAX);
	return io->buf ? 0 : -ENOMEM;
}

void ws_nested_io_free(struct ws_nested_io *io)
{
	free(io->buf);
	io->buf = NULL;
}

static void log_line(struct ws_nested_io *io, char dir, const char *line,
		     size_t n)
{
	if (!io->log)
		return;
	fprintf(io->log, "%c %.3f %.*s\n", dir,
		(double)(ws_now_ns() - io->t0_ns) / 1e9, (int)n, line);
	fflush(io->log);
}

/* A complete line in the buffer: copy it out, keep the rest. */
static long take_line(struct ws_nested_io *io, char *line, size_t len)
{
	char *nl = memchr(io->buf, '\n', io->have);
	size_t n;

	if (!nl)
		return -EAGAIN;
	n = (size_t)(nl - io->buf);
	/* A tty in raw mode on the other end may send "\r\n". */
	while (n && io->buf[n - 1] == '\r')
		n--;
	if (n >= len) {
		io->have -= (size_t)(nl + 1 - io->buf);
		memmove(io->buf, nl + 1, io->have);
		return -EMSGSIZE;
	}
	memcpy(line, io->buf, n);
	line[n] = 0;
	log_line(io, '<', line, n);
	io->have -= (size_t)(nl + 1 - io->buf);
	memmove(io->buf, nl + 1, io->have);
	return (long)n;
}

long ws_nested_readline(struct ws_nested_io *io, char *line, size_t len,
			int timeout_ms)
{
	uint64_t deadline = ws_now_ns() + (uint64_t)timeout_ms * 1000000;

	for (;;) {
		struct pollfd pfd = { .fd = io->fd, .events = POLLIN };
		long r = take_line(io, line, len);
		int wait = -1;
		ssize_t got;

		if (r != -EAGAIN)
			return r;
		if (io->have == WS_NESTED_LINE_MAX)
			io->have = 0;	/* no newline in a full buffer: drop */
		if (timeout_ms >= 0) {
			uint64_t now = ws_now_ns();

			if (now >= deadline)
				return -ETIMEDOUT;
			wait = (int)((deadline - now + 999999) / 1000000);
		}
		r = poll(&pfd, 1, wait);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			continue;
		got = read(io->fd, io->buf + io->have,
			   WS_NESTED_LINE_MAX - io->have);
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got < 0)
			return -errno;
		if (!got)
			return -EPIPE;
		io->have += (size_t)got;
	}
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int ws_nested_send_raw(struct ws_nested_io *io, const char *line, size_t n)
{
	int ret;

	log_line(io, '>', line, n);
	ret = write_all(io->fd, line, n);
	return ret ? ret : write_all(io->fd, "\n", 1);
}

int ws_nested_send(struct ws_nested_io *io, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -EMSGSIZE;
	return ws_nested_send_raw(io, line, (size_t)n);
}

const char *ws_nested_kv(const char *line, const char *key)
{
	size_t k = strlen(key);

	for (const char *p = line; (p = strstr(p, key)); p += k)
		if ((p == line || p[-1] == ' ') && p[k] == '=')
			return p + k + 1;
	return NULL;
}

int ws_nested_kv_u64(const char *line, const char *key, uint64_t *out)
{
	const char *v = ws_nested_kv(line, key);
	char *end;

	if (!v)
		return -ENOENT;
	errno = 0;
	*out = strtoull(v, &end, 10);
	if (end == v || errno || (*end && *end != ' '))
		return -EINVAL;
	return 0;
}

uint64_t ws_nested_page_hash(const void *page, size_t n)
{
	const unsigned char *p = page;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}
