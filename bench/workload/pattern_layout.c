// SPDX-License-Identifier: GPL-2.0
/*
 * From a parsed pattern to pages: region layout in a given memory, stream
 * parameters in pages, and the pattern as JSON for result files.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "dist.h"
#include "parse.h"
#include "pattern.h"

static __attribute__((format(printf, 5, 6)))
int fail_at(const struct ws_pattern *p, int line, char *err, size_t errlen,
	    const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s:%d: %s", p->file, line, msg);
	return -1;
}

/* floor(pct% of n), tolerant of 20% * 1000 landing on 199.99999. */
static uint64_t pct_of(double pct, uint64_t n)
{
	return (uint64_t)floor(pct * (double)n / 100.0 + 1e-9);
}

static int resolve_region(struct ws_pattern *p, struct ws_pat_region *r,
			  size_t next, char *err, size_t errlen)
{
	char a[32], b[32];

	if (r->is_pct) {
		r->npages = pct_of(r->size_pct, p->npages);
		if (!r->npages)
			return fail_at(p, r->line, err, errlen,
				       "expected region '%s' to be at least one page, got %g%% of %zu pages = 0 pages",
				       r->name, r->size_pct, p->npages);
	} else {
		if (r->size_bytes % p->page_size)
			return fail_at(p, r->line, err, errlen,
				       "expected a size that is a multiple of the page size (%s) for region '%s', got %llu bytes",
				       ws_fmt_size(p->page_size, a, sizeof(a)),
				       r->name,
				       (unsigned long long)r->size_bytes);
		r->npages = r->size_bytes / p->page_size;
	}
	r->first = next;
	if (r->npages > p->npages - next)
		return fail_at(p, r->line, err, errlen,
			       "expected regions that fit in the memory given (%s = %zu pages), got region '%s' (%zu pages) starting at page %zu and ending beyond it",
			       ws_fmt_size(p->npages * p->page_size, b, sizeof(b)),
			       p->npages, r->name, r->npages, next);
	return 0;
}

static int resolve_stream(struct ws_pattern *p, struct ws_pat_stream *s,
			  char *err, size_t errlen)
{
	const struct ws_pat_region *r = &p->regions[s->region];

	if (s->dist == WS_DIST_SEQ && s->stride >= r->npages && r->npages > 1)
		return fail_at(p, s->line, err, errlen,
			       "expected a stride smaller than region '%s' (%zu pages), got %llu pages",
			       r->name, r->npages,
			       (unsigned long long)s->stride);
	if (s->dist == WS_DIST_ZIPF && r->npages > WS_ZIPF_MAX_PAGES)
		return fail_at(p, s->line, err, errlen,
			       "expected at most %llu pages in a zipf region, got %zu in region '%s'",
			       WS_ZIPF_MAX_PAGES, r->npages, r->name);
	if (s->dist == WS_DIST_HOTSET) {
		s->hot_pages = pct_of(s->hot_pct, r->npages);
		s->hot_pages = s->hot_pages ? s->hot_pages : 1;
		s->shift_pages = s->shift_pct ? pct_of(s->shift_pct, r->npages) : 0;
		if (s->shift_pct && !s->shift_pages)
			s->shift_pages = 1;
	}
	return 0;
}

int ws_pattern_resolve(struct ws_pattern *p, size_t npages, size_t page_size,
		       char *err, size_t errlen)
{
	size_t next = 0;

	p->resolved = false;
	p->npages = npages;
	p->page_size = page_size;
	for (unsigned int i = 0; i < p->nregions; i++) {
		if (resolve_region(p, &p->regions[i], next, err, errlen))
			return -1;
		next += p->regions[i].npages;
	}
	for (unsigned int i = 0; i < p->nphases; i++)
		for (unsigned int j = 0; j < p->phases[i].nstreams; j++)
			if (resolve_stream(p, &p->phases[i].streams[j], err,
					   errlen))
				return -1;
	p->resolved = true;
	return 0;
}

const char *ws_dist_name(enum ws_dist_kind d)
{
	static const char *const names[] = {
		[WS_DIST_UNIFORM] = "uniform",
		[WS_DIST_ZIPF] = "zipf",
		[WS_DIST_SEQ] = "seq",
		[WS_DIST_HOTSET] = "hotset",
	};

	return (unsigned int)d < sizeof(names) / sizeof(names[0]) ?
	       names[d] : "?";
}

uint64_t ws_pattern_cycle_ns(const struct ws_pattern *p)
{
	uint64_t ns = 0;

	for (unsigned int i = 0; i < p->nphases; i++)
		ns += p->phases[i].duration_ns * p->phases[i].repeat;
	return ns;
}

static json_t *stream_json(const struct ws_pattern *p,
			   const struct ws_pat_stream *s)
{
	json_t *j = json_pack("{s:s, s:s, s:f, s:f}",
			      "region", p->regions[s->region].name,
			      "dist", ws_dist_name(s->dist),
			      "weight", s->weight, "reads_pct", s->reads_pct);

	if (s->dist == WS_DIST_ZIPF)
		json_object_set_new(j, "theta", json_real(s->theta));
	if (s->dist == WS_DIST_SEQ)
		json_object_set_new(j, "stride_pages", json_integer((json_int_t)s->stride));
	if (s->dist != WS_DIST_HOTSET)
		return j;
	json_object_set_new(j, "hot_pct", json_real(s->hot_pct));
	if (s->shift_pct) {
		json_object_set_new(j, "shift_pct", json_real(s->shift_pct));
		json_object_set_new(j, "shift_every_s",
				    json_real((double)s->shift_every_ns / 1e9));
		json_object_set_new(j, "zigzag", json_boolean(s->zigzag));
	}
	if (p->resolved) {
		json_object_set_new(j, "hot_pages", json_integer((json_int_t)s->hot_pages));
		json_object_set_new(j, "shift_pages", json_integer((json_int_t)s->shift_pages));
	}
	return j;
}

json_t *ws_pattern_json(const struct ws_pattern *p)
{
	json_t *regions = json_array(), *phases = json_array();

	for (unsigned int i = 0; i < p->nregions; i++) {
		const struct ws_pat_region *r = &p->regions[i];
		json_t *j = json_pack("{s:s}", "name", r->name);

		if (r->is_pct)
			json_object_set_new(j, "size_pct", json_real(r->size_pct));
		else
			json_object_set_new(j, "size_bytes", json_integer((json_int_t)r->size_bytes));
		if (p->resolved) {
			json_object_set_new(j, "first_page", json_integer((json_int_t)r->first));
			json_object_set_new(j, "pages", json_integer((json_int_t)r->npages));
		}
		json_array_append_new(regions, j);
	}
	for (unsigned int i = 0; i < p->nphases; i++) {
		const struct ws_pat_phase *ph = &p->phases[i];
		json_t *streams = json_array();

		for (unsigned int k = 0; k < ph->nstreams; k++)
			json_array_append_new(streams, stream_json(p, &ph->streams[k]));
		json_array_append_new(phases, json_pack("{s:s, s:f, s:i, s:o}",
			"name", ph->name, "duration_s",
			(double)ph->duration_ns / 1e9, "repeat", (int)ph->repeat,
			"streams", streams));
	}
	return json_pack("{s:s, s:o, s:o}", "file", p->file, "regions", regions,
			 "phases", phases);
}
