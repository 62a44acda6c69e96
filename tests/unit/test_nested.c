// SPDX-License-Identifier: GPL-2.0
/*
 * The nested-guest truth protocol: the PFN-set encoding (round trips, word
 * edges, zero runs, a PFN beyond the RAM refused) and the outer side's
 * parser fed a whole conversation, then broken ones (out of order, a PFN
 * past the RAM, a wrong version, an error report).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "report.h"
#include "unit.h"

static char buf[WS_NESTED_LINE_MAX];

static bool roundtrip(size_t npages, const size_t *set, size_t n,
		      const char *want)
{
	struct ws_pageset a, b;
	size_t pos = 0;
	bool good;

	ws_pageset_init(&a, npages);
	ws_pageset_init(&b, npages);
	for (size_t i = 0; i < n; i++)
		ws_pageset_set(&a, set[i]);
	good = !ws_nested_bits_encode(&a, buf, sizeof(buf), &pos) &&
	       ws_nested_bits_decode(buf, &b) == (long)strlen(buf) &&
	       ws_pageset_equal(&a, &b) && (!want || !strcmp(buf, want));
	if (!good)
		diag("encoded '%s'%s%s", buf, want ? ", want " : "",
		     want ? want : "");
	ws_pageset_free(&a);
	ws_pageset_free(&b);
	return good;
}

static void encoding(void)
{
	static const size_t edges[] = { 0, 63, 64, 127, 128, 4095 };
	static const size_t sparse[] = { 1, 1000, 3000 };
	size_t all[130];
	struct ws_pageset s;

	for (size_t i = 0; i < 130; i++)
		all[i] = i;
	ok(roundtrip(4096, NULL, 0, "z64"), "empty set of 4096 pages is z64");
	ok(roundtrip(4096, edges, 6, NULL), "word-edge PFNs round-trip");
	ok(roundtrip(4096, sparse, 3, "2.z14.10000000000.z30.100000000000000.z17"),
	   "sparse set: hex words and zero runs");
	ok(roundtrip(130, all, 130, "ffffffffffffffff.ffffffffffffffff.3"),
	   "full set with a partial last word");
	ok(roundtrip(0, NULL, 0, "z0"), "a set of no pages");
	ws_pageset_init(&s, 100);
	ok(ws_nested_bits_decode("z1.1000000000", &s) == -EINVAL,
	   "PFN 100 in a 100-page space is refused");
	ok(ws_nested_bits_decode("z2.1", &s) == -EINVAL,
	   "a word past the space is refused");
	ok(ws_nested_bits_decode("z5", &s) == 2 && !ws_pageset_count(&s),
	   "zero words past the space are fine");
	ok(ws_nested_bits_decode("12345678901234567", &s) == -EINVAL &&
	   ws_nested_bits_decode("x", &s) == -EINVAL &&
	   ws_nested_bits_decode("1.", &s) == -EINVAL,
	   "malformed sets are refused");
	ok(ws_nested_bits_decode("3 wr=1", &s) == 1 && ws_pageset_count(&s) == 2,
	   "decoding stops at a blank");
	ws_pageset_free(&s);
}

static const char *const conversation[] = {
	"noise from a half-received line",
	"WSN hello v=1 pages=3 page_size=4096 threads=1 seed=7 pattern=p.pat",
	"WSN hello v=1 pages=3 page_size=4096 threads=1 seed=7 pattern=p.pat",
	"WSN region pfns=128 moved=0 bits=z1.7",	/* PFNs 64, 65, 66 */
	"WSN begun 1", "WSN ended 1", "WSN begun 2",
	"WSN iv 1 amb=0 moved=0 rd=z1.1 wr=z1.2",
	"WSN win 1 amb=0 rd=z1.4 wr=z2",
	"WSN ended 2",
	"WSN iv 2 amb=1 moved=0 acc=12345 ns=987654321 rd=z2 wr=z1.6",
	"WSN win 2 amb=0 rd=z2 wr=z2",
	"WSN integrity pages=3 bad=0 sum=00000000deadbeef",
	"WSN bye",
};

static int feed_all(struct ws_nested_report *r, const char *const *lines,
		    size_t n, size_t space, char *err, size_t errlen)
{
	int ret = 0;

	ws_nested_report_init(r, space);
	for (size_t i = 0; i < n && !ret; i++)
		ret = ws_nested_report_feed(r, lines[i], err, errlen);
	return ret;
}

static void parser(void)
{
	size_t n = sizeof(conversation) / sizeof(conversation[0]);
	const struct ws_nested_iv *iv1, *iv2;
	struct ws_nested_report r;
	char err[256] = "";
	int ret = feed_all(&r, conversation, n, 128, err, sizeof(err));

	if (!ok(!ret, "a whole conversation is accepted"))
		diag("%s", err);
	iv1 = ws_nested_report_iv(&r, 1);
	iv2 = ws_nested_report_iv(&r, 2);
	ok(r.have_region && ws_pageset_count(&r.region) == 3 &&
	   ws_pageset_test(&r.region, 64) && ws_pageset_test(&r.region, 66),
	   "region: PFNs 64-66");
	ok(iv1 && ws_pageset_test(&iv1->rd, 64) && ws_pageset_count(&iv1->rd) == 1 &&
	   ws_pageset_test(&iv1->wr, 65) && ws_pageset_test(&iv1->win_rd, 66),
	   "interval 1: read 64, wrote 65, window read 66");
	ok(iv2 && iv2->ambiguous == 1 && ws_pageset_count(&iv2->wr) == 2 &&
	   !ws_nested_report_iv(&r, 3), "interval 2, and no interval 3");
	ok(iv1 && !iv1->have_rate && iv2 && iv2->have_rate &&
	   iv2->accesses == 12345 && iv2->nested_ns == 987654321,
	   "the workload's rate: acc= and ns= when the nested guest says them, none otherwise");
	ok(r.have_integrity && r.integrity_sum == 0xdeadbeef && r.bye,
	   "integrity and bye");
	ws_nested_report_free(&r);
}

/* The poke pages, a poke answered, the disk check, integrity's pokes. */
static void extras(void)
{
	static const char *const more[] = {
		"WSN pokes n=2 bits=z1.30",	/* PFNs 68, 69 */
		"WSN poked n=2",
		"WSN disk dev=/dev/vda ops=5 checked=4 bad_readback=0 bad=1",
		"WSN integrity pages=3 bad=0 sum=1 poked=2 poke_bad=2",
		"WSN disk ops=1",
	};
	struct ws_nested_report r;
	char err[256] = "";
	int ret = feed_all(&r, conversation, 4, 128, err, sizeof(err));

	for (size_t i = 0; i < 4 && !ret; i++)
		ret = ws_nested_report_feed(&r, more[i], err, sizeof(err));
	if (!ok(!ret, "pokes, poked, disk and integrity's pokes are accepted"))
		diag("%s", err);
	ok(r.have_pokes && ws_pageset_count(&r.pokes) == 2 &&
	   ws_pageset_test(&r.pokes, 68) && r.poke_acks == 1 &&
	   r.poke_pages_written == 2, "poke pages 68, 69; one answer for 2");
	ok(r.have_disk && !strcmp(r.disk_dev, "/dev/vda") && r.disk_ops == 5 &&
	   r.disk_checked == 4 && r.disk_bad == 1 && !r.disk_error,
	   "the disk check: 5 ops, 4 blocks checked, 1 bad");
	ok(r.integrity_poked == 2 && r.integrity_poke_bad == 2,
	   "integrity: 2 pokes, 2 lost");
	ret = ws_nested_report_feed(&r, more[4], err, sizeof(err));
	ok(ret == -EPROTO, "a disk report without its device is refused");
	diag("%s", err);
	ws_nested_report_free(&r);
}

/* Replace line @i of the conversation and expect the feed to fail. */
static void broken(size_t i, const char *line, size_t space, const char *what)
{
	size_t n = sizeof(conversation) / sizeof(conversation[0]);
	const char *lines[sizeof(conversation) / sizeof(conversation[0])];
	struct ws_nested_report r;
	char err[256] = "";
	int ret;

	memcpy(lines, conversation, sizeof(lines));
	lines[i] = line;
	ret = feed_all(&r, lines, n, space, err, sizeof(err));
	ok(ret == -EPROTO && err[0], "%s is refused", what);
	diag("%s", err);
	ws_nested_report_free(&r);
}

int main(void)
{
	plan(26);
	encoding();
	parser();
	extras();
	broken(7, "WSN iv 2 amb=0 moved=0 rd=z2 wr=z2", 128,
	       "a report for the wrong interval");
	broken(5, "WSN ended 2", 128, "an edge out of order");
	broken(3, "WSN region pfns=256 moved=0 bits=z2.7", 128,
	       "a region PFN beyond the RAM");
	broken(1, "WSN hello v=2 pages=3 page_size=4096 threads=1 seed=7 pattern=p", 128,
	       "another protocol version");
	broken(10, "WSN error ground truth: Timer expired", 128,
	       "the guest's error report");
	return done_testing();
}
