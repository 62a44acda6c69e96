// SPDX-License-Identifier: GPL-2.0
/*
 * Pattern file parser.  Line oriented: '#' starts a comment, blanks
 * separate tokens, indentation means nothing.  Every error names the file,
 * the line, what would have been accepted there and what was found, so a
 * pattern can be fixed from the message alone.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"

#define MAX_TOKENS	32
#define MAX_DURATION_NS	(86400ULL * 1000000000ULL)	/* one day */

struct parser {
	struct ws_pattern *p;
	int line;
	char *tok[MAX_TOKENS + 1];
	int ntok;
	int pos;			/* next token */
	struct ws_pat_phase *phase;	/* phase taking stream lines */
	double pct_total;		/* sum of percentage region sizes */
	char *err;
	size_t errlen;
};

static __attribute__((format(printf, 3, 4)))
int fail(struct parser *ps, const char *got, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(ps->err, ps->errlen, "%s:%d: expected %s, got %s",
		 ps->p->file, ps->line, what, got);
	return -1;
}

/* The current token quoted, or "end of line": the "got" of a message. */
static const char *got(struct parser *ps)
{
	static __thread char buf[96];

	if (ps->pos >= ps->ntok)
		return "end of line";
	snprintf(buf, sizeof(buf), "'%.80s'", ps->tok[ps->pos]);
	return buf;
}

static const char *peek(struct parser *ps)
{
	return ps->pos < ps->ntok ? ps->tok[ps->pos] : NULL;
}

/* ---- token grammar ---- */

static bool is_digits(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* Leading "123" or "1.25" (no sign, no exponent); length, 0 if none. */
static size_t decimal_len(const char *s)
{
	size_t n = strspn(s, "0123456789");

	if (!n)
		return 0;
	if (s[n] == '.') {
		size_t f = strspn(s + n + 1, "0123456789");

		if (!f)
			return 0;
		n += 1 + f;
	}
	return n;
}

/* Whole token is a decimal number. */
static bool parse_decimal(const char *s, double *v)
{
	size_t n = s ? decimal_len(s) : 0;

	if (!n || s[n])
		return false;
	*v = strtod(s, NULL);
	return isfinite(*v);
}

/* "20%" or "12.5%": the number, which must lie in [lo, hi]. */
static bool parse_pct(const char *s, double lo, double hi, bool lo_open,
		      double *v)
{
	size_t n = s ? decimal_len(s) : 0;

	if (!n || strcmp(s + n, "%"))
		return false;
	*v = strtod(s, NULL);
	return (lo_open ? *v > lo : *v >= lo) && *v <= hi;
}

static bool parse_count(const char *s, uint64_t lo, uint64_t hi, uint64_t *v)
{
	if (!s || !is_digits(s, strlen(s)) || strlen(s) > 12)
		return false;
	*v = strtoull(s, NULL, 10);
	return *v >= lo && *v <= hi;
}

/* "500ms", "2s", "1.5s": at least 1 ms, at most a day. */
static bool parse_duration(const char *s, uint64_t *ns)
{
	size_t n = s ? decimal_len(s) : 0;
	double v, unit;

	if (!n)
		return false;
	if (!strcmp(s + n, "ms"))
		unit = 1e6;
	else if (!strcmp(s + n, "s"))
		unit = 1e9;
	else
		return false;
	v = strtod(s, NULL) * unit;
	if (!(v >= 1e6) || v > (double)MAX_DURATION_NS)
		return false;
	*ns = (uint64_t)llround(v);
	return true;
}

/* "64M", "4K", "1G", "4096" (bytes, base 1024) or "20%" of the memory. */
static bool parse_size(const char *s, struct ws_pat_region *r)
{
	static const char units[] = "KMGT";
	size_t n = strspn(s, "0123456789");
	uint64_t v;
	int shift = 0;

	if (parse_pct(s, 0, 100, true, &r->size_pct)) {
		r->is_pct = true;
		return true;
	}
	if (!n || n > 15)
		return false;
	if (s[n]) {
		const char *u = strchr(units, toupper((unsigned char)s[n]));

		if (!u || s[n + 1])
			return false;
		shift = 10 * (int)(u - units + 1);
	}
	v = strtoull(s, NULL, 10);
	if (!v || v > (UINT64_MAX >> 1) >> shift)
		return false;
	r->is_pct = false;
	r->size_bytes = v << shift;
	return true;
}

/* The keywords cannot be names: "phase uniform" must stay a phase line. */
static bool valid_name(const char *s)
{
	if (!s || !(isalpha((unsigned char)*s) || *s == '_') ||
	    strlen(s) >= WS_PAT_NAME_MAX || !strcmp(s, "region") ||
	    !strcmp(s, "phase"))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

#define NAME_HINT "a name (letters, digits, '_' or '-', starting with a " \
		  "letter or '_', at most 31 characters, not 'region' or 'phase')"

static int region_index(const struct ws_pattern *p, const char *name)
{
	for (unsigned int i = 0; i < p->nregions; i++)
		if (!strcmp(p->regions[i].name, name))
			return (int)i;
	return -1;
}

static int expect_end(struct parser *ps, const char *what)
{
	if (ps->pos < ps->ntok)
		return fail(ps, got(ps), "%s", what);
	return 0;
}

/* ---- lines ---- */

static int region_line(struct parser *ps)
{
	struct ws_pattern *p = ps->p;
	struct ws_pat_region *r = &p->regions[p->nregions];
	const char *name = peek(ps);
	int dup;

	if (p->nregions == WS_PAT_MAX_REGIONS)
		return fail(ps, "another 'region' line",
			    "at most %d regions", WS_PAT_MAX_REGIONS);
	if (!valid_name(name))
		return fail(ps, got(ps), "a region name after 'region': " NAME_HINT);
	dup = region_index(p, name);
	if (dup >= 0)
		return fail(ps, got(ps), "a new region name (this one is declared on line %d)",
			    p->regions[dup].line);
	ps->pos++;
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->line = ps->line;
	if (!peek(ps) || !parse_size(peek(ps), r))
		return fail(ps, got(ps), "a size for region '%s': bytes with an optional K, M, G or T suffix (powers of 1024), e.g. 64M, or a percentage of the memory in (0, 100], e.g. 20%%",
			    name);
	ps->pos++;
	if (r->is_pct) {
		ps->pct_total += r->size_pct;
		if (ps->pct_total > 100 + 1e-9) {
			char total[64];

			snprintf(total, sizeof(total), "%g%% in total",
				 ps->pct_total);
			return fail(ps, total, "region percentages adding up to at most 100%% of the memory");
		}
	}
	if (expect_end(ps, "end of line after 'region NAME SIZE'"))
		return -1;
	p->nregions++;
	return 0;
}

/* A phase needs a stream; called when the next phase or the end comes. */
static int close_phase(struct parser *ps, const char *next)
{
	if (ps->phase && !ps->phase->nstreams)
		return fail(ps, next, "a stream line 'REGION DIST ...' in phase '%s' (line %d)",
			    ps->phase->name, ps->phase->line);
	return 0;
}

static int phase_line(struct parser *ps)
{
	struct ws_pattern *p = ps->p;
	struct ws_pat_phase *ph = &p->phases[p->nphases];
	const char *name = peek(ps);
	uint64_t n;

	if (close_phase(ps, "'phase'"))
		return -1;
	if (p->nphases == WS_PAT_MAX_PHASES)
		return fail(ps, "another 'phase' line", "at most %d phases",
			    WS_PAT_MAX_PHASES);
	if (!valid_name(name))
		return fail(ps, got(ps), "a phase name after 'phase': " NAME_HINT);
	for (unsigned int i = 0; i < p->nphases; i++)
		if (!strcmp(p->phases[i].name, name))
			return fail(ps, got(ps), "a new phase name (this one is declared on line %d)",
				    p->phases[i].line);
	ps->pos++;
	memset(ph, 0, sizeof(*ph));
	snprintf(ph->name, sizeof(ph->name), "%s", name);
	ph->line = ps->line;
	ph->repeat = 1;
	if (!parse_duration(peek(ps), &ph->duration_ns))
		return fail(ps, got(ps), "a duration for phase '%s' from 1ms to 86400s, e.g. 500ms or 2s",
			    name);
	ps->pos++;
	if (peek(ps) && !strcmp(peek(ps), "repeat")) {
		ps->pos++;
		if (!parse_count(peek(ps), 1, 1000000, &n))
			return fail(ps, got(ps), "a repeat count from 1 to 1000000 after 'repeat'");
		ph->repeat = (unsigned int)n;
		ps->pos++;
	}
	if (expect_end(ps, "'repeat N' or end of line after 'phase NAME DURATION'"))
		return -1;
	ps->phase = ph;
	p->nphases++;
	return 0;
}

/* The distribution and its own arguments: "zipf 0.99", "hotset 20%". */
static int stream_dist(struct parser *ps, struct ws_pat_stream *s)
{
	const char *d = peek(ps);

	if (d && !strcmp(d, "uniform")) {
		s->dist = WS_DIST_UNIFORM;
	} else if (d && !strcmp(d, "zipf")) {
		s->dist = WS_DIST_ZIPF;
		ps->pos++;
		if (!parse_decimal(peek(ps), &s->theta) || !(s->theta > 0) ||
		    s->theta > 10)
			return fail(ps, got(ps), "a Zipf exponent (theta) in (0, 10] after 'zipf', written as plain digits with an optional fraction (no sign, no exponent), e.g. 0.99 or 1.2");
	} else if (d && !strcmp(d, "seq")) {
		s->dist = WS_DIST_SEQ;
	} else if (d && !strcmp(d, "hotset")) {
		s->dist = WS_DIST_HOTSET;
		ps->pos++;
		if (!parse_pct(peek(ps), 0, 100, true, &s->hot_pct))
			return fail(ps, got(ps), "the hot set's size as a percentage of the region in (0, 100] after 'hotset', e.g. 20%%");
	} else {
		return fail(ps, got(ps), "a distribution after region '%s': uniform, zipf THETA, seq or hotset PCT%%",
			    ps->p->regions[s->region].name);
	}
	ps->pos++;
	return 0;
}

static int stream_shift(struct parser *ps, struct ws_pat_stream *s)
{
	if (!parse_pct(peek(ps), 0, 100, true, &s->shift_pct))
		return fail(ps, got(ps), "the shift step as a percentage of the region in (0, 100] after 'shift', e.g. 10%%");
	ps->pos++;
	if (!peek(ps) || strcmp(peek(ps), "every"))
		return fail(ps, got(ps), "'every DURATION' after 'shift %s'",
			    ps->tok[ps->pos - 1]);
	ps->pos++;
	if (!parse_duration(peek(ps), &s->shift_every_ns))
		return fail(ps, got(ps), "a shift period from 1ms to 86400s after 'every', e.g. 500ms or 2s");
	ps->pos++;
	return 0;
}

/* What may follow the distribution, for messages. */
static const char *option_hint(const struct ws_pat_stream *s)
{
	switch (s->dist) {
	case WS_DIST_SEQ:
		return "'stride PAGES', 'weight W', 'reads PCT%' or end of line";
	case WS_DIST_HOTSET:
		return "'shift PCT% every DURATION', 'zigzag', 'weight W', 'reads PCT%' or end of line";
	default:
		return "'weight W', 'reads PCT%' or end of line";
	}
}

/* One "name value" option after the distribution; 1 if not an option. */
static int stream_option(struct parser *ps, struct ws_pat_stream *s,
			 unsigned int *seen)
{
	const char *o = peek(ps);
	static const char *const names[] = {
		"weight", "reads", "stride", "shift", "zigzag", NULL
	};
	unsigned int i;

	for (i = 0; names[i] && strcmp(o, names[i]); i++)
		;
	if (!names[i] || (i == 2 && s->dist != WS_DIST_SEQ) ||
	    (i >= 3 && s->dist != WS_DIST_HOTSET))
		return 1;
	if (*seen & 1u << i)
		return fail(ps, got(ps), "each option once per stream line ('%s' is given twice)",
			    o);
	*seen |= 1u << i;
	ps->pos++;
	switch (i) {
	case 0:
		if (!parse_decimal(peek(ps), &s->weight) || !(s->weight > 0) ||
		    s->weight > 1e6)
			return fail(ps, got(ps), "a weight in (0, 1000000] after 'weight', written as plain digits with an optional fraction (no sign, no exponent), e.g. 1, 2.5 or 0.001");
		break;
	case 1:
		if (!parse_pct(peek(ps), 0, 100, false, &s->reads_pct))
			return fail(ps, got(ps), "the share of reads as a percentage in [0, 100] after 'reads', e.g. 90%%");
		break;
	case 2:
		if (!parse_count(peek(ps), 1, WS_PAT_MAX_STRIDE, &s->stride))
			return fail(ps, got(ps), "a stride in pages from 1 to %llu after 'stride'",
				    (unsigned long long)WS_PAT_MAX_STRIDE);
		break;
	case 3:
		return stream_shift(ps, s);
	case 4:
		s->zigzag = true;
		return 0;
	}
	ps->pos++;
	return 0;
}

static int stream_line(struct parser *ps)
{
	struct ws_pat_phase *ph = ps->phase;
	struct ws_pat_stream *s;
	unsigned int seen = 0;
	int r = region_index(ps->p, peek(ps));

	if (r < 0) {
		if (ps->p->nregions)
			return fail(ps, got(ps), "'region', 'phase' or a region name declared above (e.g. '%s')",
				    ps->p->regions[0].name);
		return fail(ps, got(ps), "'region' or 'phase'");
	}
	if (!ph)
		return fail(ps, got(ps), "'phase NAME DURATION' before the first stream line");
	if (ph->nstreams == WS_PAT_MAX_STREAMS)
		return fail(ps, "another stream line", "at most %d streams in phase '%s'",
			    WS_PAT_MAX_STREAMS, ph->name);
	s = &ph->streams[ph->nstreams];
	memset(s, 0, sizeof(*s));
	s->line = ps->line;
	s->region = (unsigned int)r;
	s->stride = 1;
	s->weight = 1;
	s->reads_pct = WS_PAT_DEFAULT_READS_PCT;
	ps->pos++;
	if (stream_dist(ps, s))
		return -1;
	while (peek(ps)) {
		int ret = stream_option(ps, s, &seen);

		if (ret < 0)
			return -1;
		if (ret > 0)
			return fail(ps, got(ps), "%s", option_hint(s));
	}
	if (s->zigzag && !s->shift_pct)
		return fail(ps, "'zigzag' without 'shift'", "'shift PCT%% every DURATION' with 'zigzag'");
	ph->nstreams++;
	return 0;
}

/* Split @line (modified) into tokens, dropping a '#' comment. */
static int tokenize(struct parser *ps, char *line)
{
	char *hash = strchr(line, '#'), *save = NULL, *t;

	if (hash)
		*hash = '\0';
	ps->ntok = 0;
	ps->pos = 0;
	for (t = strtok_r(line, " \t\r\v\f", &save); t;
	     t = strtok_r(NULL, " \t\r\v\f", &save)) {
		if (ps->ntok == MAX_TOKENS) {
			ps->pos = ps->ntok;
			return fail(ps, "more", "at most %d words on a line",
				    MAX_TOKENS);
		}
		ps->tok[ps->ntok++] = t;
	}
	return 0;
}

static int parse_line(struct parser *ps, char *line)
{
	if (tokenize(ps, line))
		return -1;
	if (!ps->ntok)
		return 0;
	if (!strcmp(ps->tok[0], "region")) {
		ps->pos++;
		return region_line(ps);
	}
	if (!strcmp(ps->tok[0], "phase")) {
		ps->pos++;
		return phase_line(ps);
	}
	return stream_line(ps);
}

static int finish(struct parser *ps)
{
	if (close_phase(ps, "end of file"))
		return -1;
	if (!ps->p->nregions)
		return fail(ps, "end of file", "at least one 'region NAME SIZE' line");
	if (!ps->p->nphases)
		return fail(ps, "end of file", "at least one 'phase NAME DURATION' line");
	return 0;
}

int ws_pattern_parse(const char *file, const char *text,
		     struct ws_pattern **out, char *err, size_t errlen)
{
	struct parser ps = { .err = err, .errlen = errlen };
	char *copy = strdup(text), *line, *next;
	int ret = 0;

	*out = NULL;
	ps.p = calloc(1, sizeof(*ps.p));
	if (!copy || !ps.p) {
		snprintf(err, errlen, "%s: out of memory", file);
		free(copy);
		free(ps.p);
		return -1;
	}
	snprintf(ps.p->file, sizeof(ps.p->file), "%s", file);
	for (line = copy; line && !ret; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (next && !*next)
			next = NULL;	/* a final newline ends the last line */
		ps.line++;
		ret = parse_line(&ps, line);
	}
	if (!ret)
		ret = finish(&ps);
	free(copy);
	if (ret) {
		free(ps.p);
		return -1;
	}
	*out = ps.p;
	return 0;
}

/* Whole file into a NUL-terminated buffer; NULL with errno on failure. */
static char *read_text(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap), *bigger;

	while (buf) {
		n += fread(buf + n, 1, cap - n - 1, f);
		if (ferror(f)) {
			free(buf);
			return NULL;
		}
		if (feof(f))
			break;
		bigger = realloc(buf, cap * 2);
		if (!bigger)
			free(buf);
		buf = bigger;
		cap *= 2;
	}
	if (!buf) {
		errno = ENOMEM;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

int ws_pattern_load(const char *path, struct ws_pattern **out, char *err,
		    size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text;
	size_t len;
	int ret;

	*out = NULL;
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 strerror(errno));
		return -1;
	}
	text = read_text(f, &len);
	if (!text) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 strerror(errno));
		fclose(f);
		return -1;
	}
	fclose(f);
	if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "%s: expected a text file, got a NUL byte at offset %zu",
			 path, (size_t)((char *)memchr(text, '\0', len) - text));
		free(text);
		return -1;
	}
	ret = ws_pattern_parse(path, text, out, err, errlen);
	free(text);
	return ret;
}

void ws_pattern_free(struct ws_pattern *p)
{
	free(p);
}
