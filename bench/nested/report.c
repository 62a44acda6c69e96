// SPDX-License-Identifier: GPL-2.0
/*
 * Parse the nested guest's reports (proto.h) into per-interval page sets
 * (report.h).  Strict: anything out of order or malformed is an error with
 * the line named, so a transcript either yields exact truth or none.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "report.h"

void ws_nested_report_init(struct ws_nested_report *r, size_t space)
{
	memset(r, 0, sizeof(*r));
	r->space = space;
}

static void iv_free(struct ws_nested_iv *iv)
{
	ws_pageset_free(&iv->rd);
	ws_pageset_free(&iv->wr);
	ws_pageset_free(&iv->win_rd);
	ws_pageset_free(&iv->win_wr);
}

void ws_nested_report_free(struct ws_nested_report *r)
{
	for (size_t i = 0; i < r->niv; i++)
		iv_free(&r->iv[i]);
	free(r->iv);
	ws_pageset_free(&r->region);
	ws_pageset_free(&r->pokes);
	memset(r, 0, sizeof(*r));
}

static int bad(char *err, size_t errlen, const char *line, const char *why)
{
	snprintf(err, errlen, "nested report: %s in '%.80s%s'", why, line,
		 strlen(line) > 80 ? "..." : "");
	return -EPROTO;
}

static int hello(struct ws_nested_report *r, const char *line, char *err,
		 size_t errlen)
{
	const char *pat = ws_nested_kv(line, "pattern");
	uint64_t v = 0, pages = 0, psz = 0, thr = 0, seed = 0;

	if (ws_nested_kv_u64(line, "v", &v) ||
	    ws_nested_kv_u64(line, "pages", &pages) ||
	    ws_nested_kv_u64(line, "page_size", &psz) ||
	    ws_nested_kv_u64(line, "threads", &thr) ||
	    ws_nested_kv_u64(line, "seed", &seed) || !pat)
		return bad(err, errlen, line, "missing or bad field");
	if (v != WS_NESTED_VERSION)
		return bad(err, errlen, line, "unknown protocol version");
	if (r->have_hello && (pages != r->pages || seed != r->seed))
		return bad(err, errlen, line, "a different hello");
	r->have_hello = true;
	r->version = v;
	r->pages = pages;
	r->page_size = psz;
	r->threads = thr;
	r->seed = seed;
	snprintf(r->pattern, sizeof(r->pattern), "%.*s",
		 (int)strcspn(pat, " "), pat);
	return 0;
}

/* Decode "key=BITS" of @line into @s (allocated at r->space pages). */
static int bits(struct ws_nested_report *r, const char *line, const char *key,
		struct ws_pageset *s, char *err, size_t errlen)
{
	const char *v = ws_nested_kv(line, key);

	if (!s->bits && ws_pageset_init(s, r->space))
		return -ENOMEM;
	if (!v)
		return bad(err, errlen, line, "missing set");
	if (ws_nested_bits_decode(v, s) < 0)
		return bad(err, errlen, line,
			   "bad set (or a PFN beyond the RAM)");
	return 0;
}

static int region(struct ws_nested_report *r, const char *line, char *err,
		  size_t errlen)
{
	uint64_t pfns, moved;
	int ret;

	if (ws_nested_kv_u64(line, "pfns", &pfns) ||
	    ws_nested_kv_u64(line, "moved", &moved))
		return bad(err, errlen, line, "missing or bad field");
	if (!r->space)		/* no RAM size given: the guest's bound */
		r->space = pfns;
	ret = bits(r, line, "bits", &r->region, err, errlen);
	if (ret)
		return ret;
	if (r->have_hello && ws_pageset_count(&r->region) != r->pages)
		return bad(err, errlen, line,
			   "region pages differ from hello's (two pages on one PFN?)");
	r->have_region = true;
	r->moved_total += moved;
	return 0;
}

static struct ws_nested_iv *iv_slot(struct ws_nested_report *r, uint32_t k)
{
	if (!k || k > r->niv + 1)
		return NULL;
	if (k == r->niv + 1) {
		if (r->niv == r->cap) {
			size_t cap = r->cap ? 2 * r->cap : 16;
			void *p = realloc(r->iv, cap * sizeof(*r->iv));

			if (!p)
				return NULL;
			r->iv = p;
			r->cap = cap;
		}
		memset(&r->iv[r->niv], 0, sizeof(r->iv[0]));
		r->iv[r->niv++].k = k;
	}
	return &r->iv[k - 1];
}

static int interval(struct ws_nested_report *r, const char *line, bool win,
		    char *err, size_t errlen)
{
	struct ws_nested_iv *iv;
	unsigned int k;
	uint64_t amb, moved = 0;
	int ret;

	if (sscanf(line, win ? "WSN win %u" : "WSN iv %u", &k) != 1 ||
	    ws_nested_kv_u64(line, "amb", &amb) ||
	    (!win && ws_nested_kv_u64(line, "moved", &moved)))
		return bad(err, errlen, line, "missing or bad field");
	if (!r->have_region || k > r->ended)
		return bad(err, errlen, line, "report before its interval ended");
	iv = iv_slot(r, k);
	if (!iv || (win ? iv->have_win || !iv->have_iv : iv->have_iv))
		return bad(err, errlen, line, "report out of order");
	ret = bits(r, line, "rd", win ? &iv->win_rd : &iv->rd, err, errlen);
	if (!ret)
		ret = bits(r, line, "wr", win ? &iv->win_wr : &iv->wr, err,
			   errlen);
	if (ret)
		return ret;
	if (win) {
		iv->win_ambiguous = amb;
		iv->have_win = true;
	} else {
		iv->ambiguous = amb;
		iv->moved = moved;
		iv->have_rate = !ws_nested_kv_u64(line, "acc", &iv->accesses) &&
				!ws_nested_kv_u64(line, "ns", &iv->nested_ns);
		iv->have_iv = true;
	}
	return 0;
}

static int edge(struct ws_nested_report *r, const char *line, bool end,
		char *err, size_t errlen)
{
	unsigned int k;

	if (sscanf(line, end ? "WSN ended %u" : "WSN begun %u", &k) != 1)
		return bad(err, errlen, line, "bad interval number");
	if (end ? k != r->begun || r->ended == k : k != r->ended + 1 ||
		  r->begun == k)
		return bad(err, errlen, line, "edge out of order");
	if (end)
		r->ended = k;
	else
		r->begun = k;
	return 0;
}

static int integrity(struct ws_nested_report *r, const char *line, char *err,
		     size_t errlen)
{
	const char *sum = ws_nested_kv(line, "sum");
	char *end;

	if (ws_nested_kv_u64(line, "pages", &r->integrity_pages) ||
	    ws_nested_kv_u64(line, "bad", &r->integrity_bad) || !sum)
		return bad(err, errlen, line, "missing or bad field");
	r->integrity_sum = strtoull(sum, &end, 16);
	if (end == sum || (*end && *end != ' '))
		return bad(err, errlen, line, "bad checksum");
	/* Absent from older guests: no pokes then. */
	ws_nested_kv_u64(line, "poked", &r->integrity_poked);
	ws_nested_kv_u64(line, "poke_bad", &r->integrity_poke_bad);
	r->have_integrity = true;
	return 0;
}

static int pokes(struct ws_nested_report *r, const char *line, char *err,
		 size_t errlen)
{
	int ret = bits(r, line, "bits", &r->pokes, err, errlen);

	r->have_pokes = !ret;
	return ret;
}

static int poked(struct ws_nested_report *r, const char *line, char *err,
		 size_t errlen)
{
	uint64_t n;

	if (ws_nested_kv_u64(line, "n", &n))
		return bad(err, errlen, line, "missing or bad field");
	r->poke_acks++;
	r->poke_pages_written += n;
	return 0;
}

/* "WSN disk dev=DEV ops=N checked=B bad_readback=R bad=M" or "... error=E" */
static int disk(struct ws_nested_report *r, const char *line, char *err,
		size_t errlen)
{
	const char *dev = ws_nested_kv(line, "dev");
	size_t n = dev ? strcspn(dev, " ") : 0;

	if (!n || n >= sizeof(r->disk_dev))
		return bad(err, errlen, line, "missing or bad dev");
	memcpy(r->disk_dev, dev, n);
	r->disk_dev[n] = 0;
	if (!ws_nested_kv_u64(line, "error", &r->disk_error)) {
		r->have_disk = true;
		return 0;
	}
	if (ws_nested_kv_u64(line, "ops", &r->disk_ops) ||
	    ws_nested_kv_u64(line, "checked", &r->disk_checked) ||
	    ws_nested_kv_u64(line, "bad_readback", &r->disk_bad_readback) ||
	    ws_nested_kv_u64(line, "bad", &r->disk_bad))
		return bad(err, errlen, line, "missing or bad field");
	r->have_disk = true;
	return 0;
}

int ws_nested_report_feed(struct ws_nested_report *r, const char *line,
			  char *err, size_t errlen)
{
	if (strncmp(line, "WSN ", 4))
		return 0;
	if (!strncmp(line, "WSN hello ", 10))
		return hello(r, line, err, errlen);
	if (!r->have_hello)
		return bad(err, errlen, line, "report before hello");
	if (!strncmp(line, "WSN region ", 11))
		return region(r, line, err, errlen);
	if (!strncmp(line, "WSN begun ", 10))
		return edge(r, line, false, err, errlen);
	if (!strncmp(line, "WSN ended ", 10))
		return edge(r, line, true, err, errlen);
	if (!strncmp(line, "WSN iv ", 7))
		return interval(r, line, false, err, errlen);
	if (!strncmp(line, "WSN win ", 8))
		return interval(r, line, true, err, errlen);
	if (!strncmp(line, "WSN integrity ", 14))
		return integrity(r, line, err, errlen);
	if (!strncmp(line, "WSN pokes ", 10))
		return pokes(r, line, err, errlen);
	if (!strncmp(line, "WSN poked ", 10))
		return poked(r, line, err, errlen);
	if (!strncmp(line, "WSN disk ", 9))
		return disk(r, line, err, errlen);
	if (!strcmp(line, "WSN bye")) {
		r->bye = true;
		return 0;
	}
	if (!strncmp(line, "WSN error ", 10)) {
		snprintf(r->error, sizeof(r->error), "%s", line + 10);
		snprintf(err, errlen, "the nested guest reported an error: %s",
			 line + 10);
		return -EPROTO;
	}
	return bad(err, errlen, line, "unknown report");
}

const struct ws_nested_iv *ws_nested_report_iv(const struct ws_nested_report *r,
					       uint32_t k)
{
	if (!k || k > r->niv || !r->iv[k - 1].have_iv || !r->iv[k - 1].have_win)
		return NULL;
	return &r->iv[k - 1];
}

json_t *ws_nested_runs_json(const struct ws_pageset *s)
{
	json_t *a = json_array();
	size_t pos = 0, first, n;

	while (s->bits && ws_pageset_next_run(s, &pos, &first, &n))
		json_array_append_new(a, json_pack("[I,I]", (json_int_t)first,
						   (json_int_t)n));
	return a;
}

static json_t *iv_json(const struct ws_nested_iv *iv)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o}",
		"i", (json_int_t)iv->k,
		"read_pages", (json_int_t)ws_pageset_count(&iv->rd),
		"written_pages", (json_int_t)ws_pageset_count(&iv->wr),
		"ambiguous_batches", (json_int_t)iv->ambiguous,
		"window_ambiguous_batches", (json_int_t)iv->win_ambiguous,
		"moved_pages", (json_int_t)iv->moved,
		"read", ws_nested_runs_json(&iv->rd),
		"written", ws_nested_runs_json(&iv->wr),
		"window_read", ws_nested_runs_json(&iv->win_rd),
		"window_written", ws_nested_runs_json(&iv->win_wr));
}

json_t *ws_nested_report_json(const struct ws_nested_report *r)
{
	json_t *ivs = json_array(), *j;

	for (uint32_t k = 1; k <= r->niv; k++) {
		const struct ws_nested_iv *iv = ws_nested_report_iv(r, k);

		if (iv)
			json_array_append_new(ivs, iv_json(iv));
	}
	j = json_pack("{s:s,s:s,s:I,s:I,s:s,s:I,s:I,s:{s:I,s:I,s:o},s:o}",
		"kind", "nested-truth",
		"space", "RAM memfd page offsets (= nested guest PFNs)",
		"page_size", (json_int_t)r->page_size,
		"space_pages", (json_int_t)r->space,
		"pattern", r->pattern,
		"seed", (json_int_t)r->seed,
		"threads", (json_int_t)r->threads,
		"region", "pages", (json_int_t)r->pages,
		"moved_pages", (json_int_t)r->moved_total,
		"runs", ws_nested_runs_json(&r->region),
		"intervals", ivs);
	if (r->have_integrity) {
		char sum[20];

		snprintf(sum, sizeof(sum), "%016llx",
			 (unsigned long long)r->integrity_sum);
		json_object_set_new(j, "integrity", json_pack("{s:I,s:I,s:s}",
			"pages", (json_int_t)r->integrity_pages,
			"bad_pages", (json_int_t)r->integrity_bad,
			"page_hash_sum", sum));
	}
	return j;
}
