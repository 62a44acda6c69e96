// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line values.  A benchmark run that silently used a different size
 * or thread count than the user typed would publish wrong numbers, so
 * everything is strict: no signs, no fractions where integers are meant, no
 * trailing junk, no overflow.  Every message names the option, quotes the
 * value and says what would have been accepted.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "parse.h"

#define SIZE_HINT "use a positive integer with an optional K, M, G or T " \
		  "suffix (powers of 1024), e.g. 4K, 64M, 1G"

/* Decimal digits only, no sign or blanks; *end is the first non-digit. */
static bool parse_digits(const char *s, uint64_t *out, const char **end,
			 bool *overflow)
{
	uint64_t v = 0;
	const char *p = s;

	*overflow = false;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			*overflow = true;
		else
			v = v * 10 + d;
	}
	*out = v;
	*end = p;
	return p != s;
}

/* log2 of the K/M/G/T multiplier at *p (advanced past it), 0 if none. */
static int size_shift(const char **p)
{
	static const char units[] = "KMGT";
	const char *u = **p ? strchr(units, toupper((unsigned char)**p)) : NULL;

	if (!u)
		return 0;
	(*p)++;
	/* "4K", "4KB" and "4KiB" all mean 4096 bytes. */
	if (strcasecmp(*p, "B") == 0)
		*p += 1;
	else if (strcasecmp(*p, "iB") == 0)
		*p += 2;
	return 10 * (int)(u - units + 1);
}

int ws_parse_size(const char *opt, const char *s, size_t align, size_t *out)
{
	const char *p;
	char a[32], b[32];
	bool overflow;
	uint64_t v;
	int shift;

	if (!s || !parse_digits(s, &v, &p, &overflow))
		goto not_a_size;
	shift = size_shift(&p);
	if (*p)
		goto not_a_size;
	if (overflow || v > (uint64_t)SIZE_MAX >> shift) {
		fprintf(stderr, "wsbench: %s: '%s' is too large: " SIZE_HINT "\n",
			opt, s);
		return -1;
	}
	v <<= shift;
	if (v == 0) {
		fprintf(stderr, "wsbench: %s: '%s' is zero: " SIZE_HINT "\n",
			opt, s);
		return -1;
	}
	if (align > 1 && v % align) {
		if ((long)align == sysconf(_SC_PAGESIZE))
			fprintf(stderr,
				"wsbench: %s: '%s' is not a multiple of the page size (%zu): use a multiple of %s, e.g. %s or %s\n",
				opt, s, align, ws_fmt_size(align, a, sizeof(a)),
				a, ws_fmt_size(align * 2, b, sizeof(b)));
		else
			fprintf(stderr,
				"wsbench: %s: '%s' is not a multiple of %zu: use a multiple of %s, e.g. %s or %s\n",
				opt, s, align, ws_fmt_size(align, a, sizeof(a)),
				a, ws_fmt_size(align * 2, b, sizeof(b)));
		return -1;
	}
	*out = (size_t)v;
	return 0;

not_a_size:
	fprintf(stderr, "wsbench: %s: '%s' is not a size: " SIZE_HINT "\n",
		opt, s ? s : "");
	return -1;
}

int ws_parse_uint(const char *opt, const char *s, uint64_t min, uint64_t max,
		  uint64_t *out)
{
	const char *end;
	bool overflow;
	uint64_t v;

	if (!s || !parse_digits(s, &v, &end, &overflow) || *end || overflow ||
	    v < min || v > max) {
		fprintf(stderr,
			"wsbench: %s: '%s' is not a whole number from %" PRIu64
			" to %" PRIu64 "\n", opt, s ? s : "", min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int ws_parse_double(const char *opt, const char *s, double min, double max,
		    double *out)
{
	char *end;
	double v;

	/*
	 * strtod() would also take blanks, hex, "inf" and "nan"; none of
	 * those is a sensible duration or percentage.
	 */
	if (!s || !*s || strspn(s, "0123456789.eE+-") != strlen(s))
		goto bad;
	v = strtod(s, &end);
	if (end == s || *end || !isfinite(v) || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	fprintf(stderr, "wsbench: %s: '%s' is not a number from %g to %g\n",
		opt, s ? s : "", min, max);
	return -1;
}

/*
 * Split @s at commas and hand each item (NUL-terminated copy) to @fn.  An
 * empty item goes to @fn too, so "4K,,8K" fails with @fn's own message.
 */
typedef int (*item_fn)(const char *opt, const char *item, size_t i,
		       void *ctx);

static int parse_list(const char *opt, const char *s, size_t maxn, size_t *n,
		      item_fn fn, void *ctx)
{
	size_t count = 0;
	const char *p = s ? s : "";

	for (;;) {
		size_t len = strcspn(p, ",");
		char *item;
		int ret;

		if (count == maxn) {
			fprintf(stderr,
				"wsbench: %s: too many values in '%s': at most %zu are accepted\n",
				opt, s, maxn);
			return -1;
		}
		item = strndup(p, len);
		if (!item) {
			fprintf(stderr, "wsbench: %s: out of memory\n", opt);
			return -1;
		}
		ret = fn(opt, item, count, ctx);
		free(item);
		if (ret)
			return -1;
		count++;
		if (!p[len])
			break;
		p += len + 1;
	}
	if (n)
		*n = count;
	return 0;
}

struct size_ctx {
	size_t align;
	size_t *out;
};

static int size_item(const char *opt, const char *item, size_t i, void *ctx)
{
	struct size_ctx *c = ctx;

	return ws_parse_size(opt, item, c->align, &c->out[i]);
}

int ws_parse_size_list(const char *opt, const char *s, size_t align,
		       size_t *out, size_t max, size_t *n)
{
	struct size_ctx c = { .align = align, .out = out };

	return parse_list(opt, s, max, n, size_item, &c);
}

struct uint_ctx {
	uint64_t min, max;
	uint64_t *out;
};

static int uint_item(const char *opt, const char *item, size_t i, void *ctx)
{
	struct uint_ctx *c = ctx;

	return ws_parse_uint(opt, item, c->min, c->max, &c->out[i]);
}

int ws_parse_uint_list(const char *opt, const char *s, uint64_t min,
		       uint64_t max, uint64_t *out, size_t maxn, size_t *n)
{
	struct uint_ctx c = { .min = min, .max = max, .out = out };

	return parse_list(opt, s, maxn, n, uint_item, &c);
}

struct double_ctx {
	double min, max;
	double *out;
};

static int double_item(const char *opt, const char *item, size_t i,
		       void *ctx)
{
	struct double_ctx *c = ctx;

	return ws_parse_double(opt, item, c->min, c->max, &c->out[i]);
}

int ws_parse_double_list(const char *opt, const char *s, double min,
			 double max, double *out, size_t maxn, size_t *n)
{
	struct double_ctx c = { .min = min, .max = max, .out = out };

	return parse_list(opt, s, maxn, n, double_item, &c);
}

int ws_name_index(const char *s, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/*
 * "--backend: 'foo' is not a backend: use one of rwp, wp, or softdirty".
 * The noun is the option without dashes and without a plural "s".
 */
static void bad_name(const char *opt, const char *s, const char *const *names,
		     bool list)
{
	const char *noun = opt;
	int len, nr = 0;

	while (*noun == '-')
		noun++;
	len = (int)strlen(noun);
	if (len > 3 && noun[len - 1] == 's' && noun[len - 2] != 's')
		len--;
	while (names[nr])
		nr++;

	fprintf(stderr, "wsbench: %s: '%s' is not %s %.*s: use %s", opt, s,
		strchr("aeiou", noun[0]) && noun[0] ? "an" : "a", len, noun,
		list ? "one or more of " : nr > 1 ? "one of " : "");
	for (int i = 0; i < nr; i++) {
		const char *sep = i ? ", " : "";

		if (i && i == nr - 1 && !list)
			sep = nr > 2 ? ", or " : " or ";
		fprintf(stderr, "%s%s", sep, names[i]);
	}
	fprintf(stderr, "%s\n", list ? ", or all" : "");
}

struct name_ctx {
	const char *const *names;
	unsigned int mask;
};

static int name_item(const char *opt, const char *item, size_t i, void *ctx)
{
	struct name_ctx *c = ctx;
	int idx;

	(void)i;
	if (strcmp(item, "all") == 0) {
		for (idx = 0; c->names[idx]; idx++)
			c->mask |= 1u << idx;
		return 0;
	}
	idx = ws_name_index(item, c->names);
	if (idx < 0) {
		bad_name(opt, item, c->names, true);
		return -1;
	}
	c->mask |= 1u << idx;
	return 0;
}

int ws_parse_name_list(const char *opt, const char *s,
		       const char *const *names, unsigned int *mask)
{
	struct name_ctx c = { .names = names, .mask = 0 };

	/* Repeating a name or "all" is harmless, so allow that many items. */
	if (parse_list(opt, s, SIZE_MAX, NULL, name_item, &c))
		return -1;
	*mask = c.mask;
	return 0;
}

int ws_parse_name(const char *opt, const char *s, const char *const *names,
		  int *idx)
{
	int i = s ? ws_name_index(s, names) : -1;

	if (i < 0) {
		bad_name(opt, s ? s : "", names, false);
		return -1;
	}
	*idx = i;
	return 0;
}

const char *ws_fmt_size(size_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (bytes && u < 3 && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%zu", bytes);
	else
		snprintf(buf, len, "%zu%c", bytes, units[u]);
	return buf;
}

/*
 * A run id names a directory, is printed in tables and goes into shell
 * commands (verify, the VM tests): letters, digits and . _ + - only, not
 * leading with . or -, at most WS_RUN_ID_MAX characters.
 */
#define RUN_ID_CHARS	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+-"
#define WS_XSTR(x)	#x
#define WS_STR(x)	WS_XSTR(x)

int ws_check_run_id(const char *opt, const char *v)
{
	size_t len = strlen(v), ok = strspn(v, RUN_ID_CHARS);
	const char *rule = "use 1 to " WS_STR(WS_RUN_ID_MAX) " characters from A-Z a-z 0-9 . _ + -, not starting with . or -";

	if (!len || len > WS_RUN_ID_MAX) {
		fprintf(stderr, "wsbench: %s: a run id of %zu characters: %s\n",
			opt, len, rule);
		return -1;
	}
	if (v[0] == '.' || v[0] == '-') {
		fprintf(stderr, "wsbench: %s: '%s' starts with '%c': %s\n",
			opt, v, v[0], rule);
		return -1;
	}
	if (ok < len) {
		/* Only the good part is echoed: the rest may be a newline. */
		fprintf(stderr, "wsbench: %s: '%.*s' is followed by character %zu, byte 0x%02x, which a run id cannot hold: %s\n",
			opt, (int)ok, v, ok + 1, (unsigned char)v[ok], rule);
		return -1;
	}
	return 0;
}

int ws_why(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

int ws_why_err(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return err > 0 ? -err : err;
}
