/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Option parsing that fails loudly.  Every function takes the option's
 * name so the message can say "--size: '12Q' is not a size; use a number
 * with an optional K, M, G suffix (powers of 1024), e.g. 4K, 64M, 1G".
 * On error they print to stderr and return -1; callers exit(2).
 */
#ifndef WS_PARSE_H
#define WS_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define WS_EXIT_USAGE	2

/* Size with K/M/G/T suffix (base 1024), > 0, and a multiple of @align
 * (pass 1 for none). */
int ws_parse_size(const char *opt, const char *s, size_t align, size_t *out);
/* Comma-separated list of sizes; *n <= max. */
int ws_parse_size_list(const char *opt, const char *s, size_t align,
		       size_t *out, size_t max, size_t *n);
/* Unsigned integer in [min, max]. */
int ws_parse_uint(const char *opt, const char *s, uint64_t min, uint64_t max,
		  uint64_t *out);
/* Comma-separated list of unsigned integers in [min, max]. */
int ws_parse_uint_list(const char *opt, const char *s, uint64_t min,
		       uint64_t max, uint64_t *out, size_t maxn, size_t *n);
/* Non-negative decimal (e.g. seconds, percentages) in [min, max]. */
int ws_parse_double(const char *opt, const char *s, double min, double max,
		    double *out);
/* Comma-separated list of decimals in [min, max]. */
int ws_parse_double_list(const char *opt, const char *s, double min,
			 double max, double *out, size_t maxn, size_t *n);
/*
 * Comma-separated list of names from @names (NULL-terminated), "all"
 * selects every name.  Sets bit i of *mask for names[i].
 */
int ws_parse_name_list(const char *opt, const char *s,
		       const char *const *names, unsigned int *mask);
/* The index of @s in NULL-terminated @names, or -1. */
int ws_name_index(const char *s, const char *const *names);
/* One name from @names; *idx receives its index. */
int ws_parse_name(const char *opt, const char *s, const char *const *names,
		  int *idx);

/* Format bytes as "4K", "2M", "1G" (exact) or a byte count. */
const char *ws_fmt_size(size_t bytes, char *buf, size_t len);

/* Is @v a safe run id (--run-id)?  0, or -1 saying which rule it breaks. */
#define WS_RUN_ID_MAX	100
int ws_check_run_id(const char *opt, const char *v);
/* The reason, printf-style, into @why (capacity @len); returns -1. */
int ws_why(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same (@why may be NULL), returning -@err (an errno, either sign). */
int ws_why_err(char *why, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* WS_PARSE_H */
