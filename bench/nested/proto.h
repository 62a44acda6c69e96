/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The nested-guest truth protocol: a line-based conversation between a
 * wsbench running the workload engine inside a nested QEMU guest ("WSN"
 * lines, nested side) and the tracker's side in the outer machine ("WSO"
 * lines), over the nested guest's second serial port.  Every line is
 * ASCII, "\n"-terminated, at most WS_NESTED_LINE_MAX bytes.
 *
 *   nested -> outer                       outer -> nested
 *   WSN hello v=1 pages=N page_size=B threads=T seed=S pattern=NAME
 *                  (repeated every 2 s until answered)
 *                                         WSO ready
 *   WSN region pfns=P moved=M bits=BITS
 *   WSN pokes n=64 bits=BITS   (tests: the poke pages, gpoke.h)
 *                                         WSO begin 1   (tracker armed)
 *   WSN begun 1    (epoch bumped: what follows is interval 1)
 *                                         WSO end 1
 *   WSN ended 1    (epoch bumped: interval 1 closed)
 *                  ... the outer collects, re-arms ...
 *                                         WSO begin 2
 *   WSN begun 2
 *   WSN iv 1 amb=A moved=M acc=N ns=T rd=BITS wr=BITS  (interval 1's
 *                  truth; N accesses in T ns of the nested guest's clock
 *                  from begun to ended)
 *   WSN win 1 amb=A rd=BITS wr=BITS            (the window after it)
 *   ...                                   WSO end N, WSO finish
 *   WSN iv N ..., WSN win N ...
 *   WSN disk dev=DEV ops=N checked=B bad_readback=R bad=M   (--disk only;
 *                  or "WSN disk dev=DEV error=ERRNO")
 *   WSN integrity pages=N bad=B sum=HEX poked=P poke_bad=Q
 *   WSN bye        (the workload's memory stays as it is until quit)
 *                                         WSO quit  (after reading it)
 *   WSN error TEXT                 (any time; the nested side gives up)
 *                                         WSO poke bits=BITS  (tests, any
 *                                         time after the region: write
 *                                         these poke pages now)
 *   WSN poked n=K  (K poke pages written)
 *
 * BITS is a set of guest page frame numbers (the nested guest's own
 * /proc/self/pagemap PFNs, so bit p = guest-physical address p * B = byte
 * offset p * B into the outer side's RAM memfd): 64-bit words, lowest PFNs
 * first, in hex, separated by '.', where "zN" stands for N zero words.
 */
#ifndef WS_NESTED_PROTO_H
#define WS_NESTED_PROTO_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pageset.h"

#define WS_NESTED_VERSION	1
#define WS_NESTED_LINE_MAX	(256 * 1024)

/* Append @s to @buf (NUL-terminated) at *@pos; -ENOSPC if it does not fit. */
int ws_nested_bits_encode(const struct ws_pageset *s, char *buf, size_t len,
			  size_t *pos);
/*
 * Parse BITS from @str (up to a blank or NUL) into @s, which must be
 * initialised with enough pages: a set bit at or beyond s->npages is an
 * error.  Returns the number of characters consumed, or -EINVAL.
 */
long ws_nested_bits_decode(const char *str, struct ws_pageset *s);

/* Buffered line I/O on one fd (a tty, a socket), optionally logged. */
struct ws_nested_io {
	int fd;
	FILE *log;		/* transcript: "< line" read, "> line" sent */
	char *buf;		/* WS_NESTED_LINE_MAX bytes */
	size_t have;
	uint64_t t0_ns;		/* transcript timestamps from here */
};

int ws_nested_io_init(struct ws_nested_io *io, int fd, FILE *log);
void ws_nested_io_free(struct ws_nested_io *io);
/*
 * Next line into @line (without the "\n", NUL-terminated), waiting at most
 * @timeout_ms (< 0: forever).  Returns its length, -ETIMEDOUT, -EPIPE at
 * end of stream, -EMSGSIZE for a longer line (skipped), or -errno.
 */
long ws_nested_readline(struct ws_nested_io *io, char *line, size_t len,
			int timeout_ms);
/* Send one line (the "\n" is added).  0 or -errno. */
int ws_nested_send(struct ws_nested_io *io, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Send a line already formatted in @line (no "\n"). */
int ws_nested_send_raw(struct ws_nested_io *io, const char *line, size_t n);

/* "key=" value in @line as an unsigned integer; -ENOENT or -EINVAL. */
int ws_nested_kv_u64(const char *line, const char *key, uint64_t *out);
/* Pointer to the value of "key=" in @line (runs to a blank), or NULL. */
const char *ws_nested_kv(const char *line, const char *key);

/*
 * FNV-1a of one page.  The integrity sum is these hashes added up over the
 * workload's pages (mod 2^64), so it does not depend on page order: the
 * outer side computes it from the RAM memfd at the reported PFNs.
 */
uint64_t ws_nested_page_hash(const void *page, size_t n);

#endif /* WS_NESTED_PROTO_H */
