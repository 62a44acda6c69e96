// SPDX-License-Identifier: GPL-2.0
/*
 * wsbench nested track: score each mechanism's view against the nested
 * guest's truth, check the workload's pages through the RAM memfd, print
 * and write the result (track.c has the definitions of the scores).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "cold.h"
#include "result.h"
#include "track_impl.h"

/* The hot set as the mechanism sees it (soft-dirty: writes); cold.h. */
struct score {
	size_t reported, allowed, tp, truth, outside;
	double precision, recall;
	struct ws_cold_score cold;
};

/* Recorded rather than left out. */
static const char eviction_reason[] =
	"not asked: tracking only (wsbench nested track --evict, NESTED_EVICT=1)";

struct content {
	size_t pages, word0_ok, word0_bad;
	uint64_t sum;
	bool sum_match;
};

static void finish_score(struct score *s)
{
	s->precision = s->reported ? (double)s->allowed / s->reported : 1.0;
	s->recall = s->truth ? (double)s->tp / s->truth : 1.0;
	ws_cold_finish(&s->cold);
}

static void add_score(struct score *to, const struct score *s)
{
	to->reported += s->reported;
	to->allowed += s->allowed;
	to->tp += s->tp;
	to->truth += s->truth;
	to->outside += s->outside;
	ws_cold_add(&to->cold, &s->cold);
}

/* Page @p counts as touched by @iv's (window) sets for this mechanism. */
static bool touched(const struct ws_pageset *rd, const struct ws_pageset *wr,
		    bool writes_only, size_t p)
{
	return ws_pageset_test(wr, p) || (!writes_only && ws_pageset_test(rd, p));
}

static void score_interval(const struct track *t, int via, uint32_t k,
			   struct score *s)
{
	const struct ws_nested_report *r = &t->l.rep;
	const struct ws_nested_iv *iv = ws_nested_report_iv(r, k);
	const struct ws_nested_iv *prev = k > 1 ? ws_nested_report_iv(r, k - 1) :
						  NULL;
	const struct ws_pageset *hot = &t->v[via].hot[k - 1];
	bool wo = ws_via_writes_only(via);

	memset(s, 0, sizeof(*s));
	for (size_t p = 0; p < hot->npages; p++) {
		bool h = ws_pageset_test(hot, p), tr, win;

		if (!ws_pageset_test(&r->region, p)) {
			s->outside += h;
			continue;
		}
		tr = touched(&iv->rd, &iv->wr, wo, p);
		win = touched(&iv->win_rd, &iv->win_wr, wo, p) ||
		      (prev && touched(&prev->win_rd, &prev->win_wr, wo, p));
		s->truth += tr;
		s->reported += h;
		s->tp += h && tr;
		s->allowed += h && (tr || win);
		ws_cold_count(&s->cold, h, ws_pageset_test(&iv->rd, p),
			   ws_pageset_test(&iv->wr, p),
			   touched(&iv->win_rd, &iv->win_wr, false, p) ||
			   (prev && touched(&prev->win_rd, &prev->win_wr,
					    false, p)));
	}
	finish_score(s);
}

/* Every workload page through the memfd: word 0 = its index, hash sum. */
static int check_content(const struct track *t, struct content *c)
{
	const struct ws_nested_report *r = &t->l.rep;
	struct ws_pageset seen;
	uint64_t *buf = malloc(t->ram.page_size);
	int ret = buf ? ws_pageset_init(&seen, r->pages) : -ENOMEM;

	memset(c, 0, sizeof(*c));
	if (ret) {
		free(buf);
		return ret;
	}
	for (size_t p = 0; p < r->region.npages && !ret; p++) {
		if (!ws_pageset_test(&r->region, p))
			continue;
		ret = ws_vmram_read_page(&t->ram, p, buf);
		c->pages++;
		c->sum += ws_nested_page_hash(buf, t->ram.page_size);
		if (!ret && buf[0] < r->pages && !ws_pageset_test(&seen, buf[0])) {
			ws_pageset_set(&seen, buf[0]);
			c->word0_ok++;
		} else {
			c->word0_bad++;
		}
	}
	c->sum_match = r->have_integrity && c->sum == r->integrity_sum;
	ws_pageset_free(&seen);
	free(buf);
	return ret;
}

static json_t *score_json(const struct score *s)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:f,s:f,s:I,s:{s:I,s:I,s:I,s:I,s:I,s:f,s:f}}",
		"reported", (json_int_t)s->reported,
		"reported_touched", (json_int_t)s->allowed,
		"true_pos", (json_int_t)s->tp, "truth", (json_int_t)s->truth,
		"precision", s->precision, "recall", s->recall,
		"hot_outside_workload", (json_int_t)s->outside,
		"cold", "called", (json_int_t)s->cold.called,
		"in_use_read", (json_int_t)s->cold.in_use_read,
		"in_use_written", (json_int_t)s->cold.in_use_written,
		"untouched", (json_int_t)s->cold.untouched,
		"untouched_called", (json_int_t)s->cold.untouched_called,
		"precision", s->cold.precision, "recall", s->cold.recall);
}

/* One mechanism: per-interval scores, their sums, what it cost. */
static json_t *via_json(const struct track *t, int via, struct score *total)
{
	const struct via_state *v = &t->v[via];
	json_t *ivs = json_array(), *j;

	memset(total, 0, sizeof(*total));
	for (uint32_t k = 1; k <= t->a.intervals; k++) {
		struct score s;
		json_t *j;

		score_interval(t, via, k, &s);
		j = score_json(&s);
		json_object_set_new(j, "i", json_integer(k));
		json_array_append_new(ivs, j);
		add_score(total, &s);
	}
	finish_score(total);
	/* The cycle (--evict) times its phases itself: see "eviction". */
	j = json_pack("{s:b,s:s,s:o,s:o,s:o,s:o,s:I,s:s}", "supported", true,
		"sees", ws_via_writes_only(via) ? "writes" : "reads+writes",
		"total", score_json(total), "intervals", ivs,
		"arm_ms_mean", v->o.arms ?
		json_real((double)v->o.arm_ns / 1e6 / (double)v->o.arms) :
		json_null(),
		"collect_ms_mean", v->o.collects ?
		json_real((double)v->o.collect_ns / 1e6 / (double)v->o.collects) :
		json_null(),
		"pfn_moved", (json_int_t)v->o.pfn_moved,
		"mode", v->mode ? v->mode : "async");
	if (ws_via_is_uffd(via) || t->a.evict)
		json_object_set_new(j, "uffd", json_pack("{s:s,s:I,s:I,s:b,s:s,s:s}",
			"from", "QEMU, through libwsbench-handoff.so",
			"pid", (json_int_t)t->sess.pid,
			"features", (json_int_t)v->uffd_features,
			"user_mode_only", v->user_mode_only,
			"mode", v->mode ? v->mode : "async",
			"rearm", v->rearm ? v->rearm : "?"));
	/* What the tracker says of itself (DAMON: parameters, windows). */
	if (v->info)
		json_object_set(j, "tracker_info", v->info);
	return j;
}

static json_t *truth_json(const struct track *t)
{
	const struct ws_nested_report *r = &t->l.rep;
	json_t *ivs = json_array();
	uint64_t amb = 0, moved = 0;

	for (uint32_t k = 1; k <= t->a.intervals; k++) {
		const struct ws_nested_iv *iv = ws_nested_report_iv(r, k);
		json_t *j;

		amb += iv->ambiguous;
		moved += iv->moved;
		j = json_pack("{s:I,s:I,s:I,s:I,s:I,s:f,s:f}",
			"i", (json_int_t)k,
			"read", (json_int_t)ws_pageset_count(&iv->rd),
			"written", (json_int_t)ws_pageset_count(&iv->wr),
			"window_read", (json_int_t)ws_pageset_count(&iv->win_rd),
			"window_written", (json_int_t)ws_pageset_count(&iv->win_wr),
			"interval_ms", t->interval_ms[k - 1],
			"window_ms", k < t->a.intervals ? t->window_ms[k - 1] : 0.0);
		if (iv->have_rate) {
			json_object_set_new(j, "accesses",
					    json_integer((json_int_t)iv->accesses));
			json_object_set_new(j, "nested_ms",
					    json_real((double)iv->nested_ns / 1e6));
		}
		json_array_append_new(ivs, j);
	}
	return json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:o}",
		"pattern", r->pattern, "pages", (json_int_t)r->pages,
		"threads", (json_int_t)r->threads, "seed", (json_int_t)r->seed,
		"ambiguous_batches", (json_int_t)amb,
		"moved_pages", (json_int_t)(moved + r->moved_total),
		"intervals", ivs);
}

static json_t *content_json(const struct track *t, const struct content *c)
{
	const struct ws_nested_report *r = &t->l.rep;
	char a[20], b[20];

	snprintf(a, sizeof(a), "%016llx", (unsigned long long)r->integrity_sum);
	snprintf(b, sizeof(b), "%016llx", (unsigned long long)c->sum);
	return json_pack("{s:I,s:I,s:s,s:s,s:b,s:I,s:I,s:I}",
		"nested_pages", (json_int_t)r->integrity_pages,
		"nested_bad_pages", (json_int_t)r->integrity_bad,
		"nested_page_hash_sum", a, "memfd_page_hash_sum", b,
		"sum_match", c->sum_match, "memfd_pages", (json_int_t)c->pages,
		"word0_ok", (json_int_t)c->word0_ok,
		"word0_bad", (json_int_t)c->word0_bad);
}

/* Pages lost: the nested guest's stamps, the memfd, the release. */
static uint64_t pages_lost(const struct track *t, const struct content *c)
{
	return t->l.rep.integrity_bad + c->word0_bad + t->ev.restore_failed +
	       t->l.rep.integrity_poke_bad;
}

static double mib(const struct track *t, size_t pages)
{
	return (double)pages * (double)t->ev.page_size / (1 << 20);
}

static void print_eviction(const struct track *t)
{
	const struct nested_evict *e = &t->ev;

	printf("cycle (%s, freeze %s, K=%llu): evicted %.2f MiB (%zu pages), %llu refaults (%.1f/s), stall p50 %.2f ms p99 %.2f ms, manager CPU %.2f ms/interval, %llu first touches, %llu faults held, %llu pages restored by QEMU's library at release\n",
	       t->a.unsafe ? "protocol unsafe" : "protocol safe", e->freeze,
	       (unsigned long long)t->a.cold_after, mib(t, e->evicted),
	       e->evicted, (unsigned long long)e->refaults,
	       (double)e->refaults / ((double)t->run_ns / 1e9),
	       e->stall_p50_ns / 1e6, e->stall_p99_ns / 1e6,
	       e->intervals ? (double)e->cpu_ns / 1e6 / e->intervals : 0.0,
	       (unsigned long long)e->first_touches,
	       (unsigned long long)e->held,
	       (unsigned long long)e->restored);
	if (e->f.classified)
		printf("faults by QEMU's vCPU threads %llu (%llu refaults), by its other threads (device emulation) %llu (%llu refaults)\n",
		       (unsigned long long)e->f.faults[NFC_VCPU],
		       (unsigned long long)e->f.refaults[NFC_VCPU],
		       (unsigned long long)e->f.faults[NFC_DEVICE],
		       (unsigned long long)e->f.refaults[NFC_DEVICE]);
	else
		printf("faults not classified by thread: %s\n", e->f.why);
	if (e->poke_windows || t->l.rep.integrity_poke_bad)
		printf("test pokes: %llu pages asked to be written in %llu punch windows (%llu answered in the window); lost: %llu\n",
		       (unsigned long long)e->poke_pages,
		       (unsigned long long)e->poke_windows,
		       (unsigned long long)e->poke_acked_in_window,
		       (unsigned long long)t->l.rep.integrity_poke_bad);
}

static json_t *eviction_json(const struct track *t, const struct content *c)
{
	const struct nested_evict *e = &t->ev;
	json_t *ivs = json_array(), *j;

	if (!e->measured)
		return json_pack("{s:b,s:s}", "measured", false, "reason",
				 eviction_reason);
	for (uint32_t k = 0; k < e->intervals; k++)
		json_array_append_new(ivs, json_pack("{s:I,s:I,s:I,s:I,s:f,s:f}",
			"i", (json_int_t)k + 1,
			"evicted", (json_int_t)e->iv[k].evicted,
			"refaults", (json_int_t)e->iv[k].refaults,
			"resident", (json_int_t)e->iv[k].resident,
			"stall_ms", (double)e->iv[k].window_ns / 1e6,
			"manager_cpu_ms", (double)e->iv[k].cpu_ns / 1e6));
	j = json_pack("{s:b,s:s,s:s,s:I,s:I,s:f,s:I,s:f,s:f,s:f,s:f,s:I,s:I,s:I,s:I,s:I,s:I,s:o}",
		"measured", true, "protocol", t->a.unsafe ? "unsafe" : "safe",
		"freeze", e->freeze, "cold_after", (json_int_t)t->a.cold_after,
		"evicted_pages", (json_int_t)e->evicted,
		"evicted_mib", mib(t, e->evicted),
		"refaults", (json_int_t)e->refaults,
		"refaults_per_s", (double)e->refaults / ((double)t->run_ns / 1e9),
		"stall_ms_p50", e->stall_p50_ns / 1e6,
		"stall_ms_p99", e->stall_p99_ns / 1e6,
		"manager_cpu_ms_per_interval",
		e->intervals ? (double)e->cpu_ns / 1e6 / e->intervals : 0.0,
		"first_touches", (json_int_t)e->first_touches,
		"held_faults", (json_int_t)e->held,
		"restored_at_release", (json_int_t)e->restored,
		"restore_failed", (json_int_t)e->restore_failed,
		"pages_lost", (json_int_t)pages_lost(t, c),
		"handler_cpu_ms", (json_int_t)(e->handler_cpu_ns / 1000000),
		"intervals", ivs);
	/* evicted = refaulted + restored at release: every page came back. */
	json_object_set_new(j, "accounted", json_boolean(
		e->evicted == e->refaults + e->restored + e->restore_failed));
	json_object_set_new(j, "test_punch_delay_us",
			    json_integer((json_int_t)t->a.test_punch_delay_us));
	json_object_set_new(j, "test_pokes", json_pack("{s:I,s:I,s:I,s:I,s:I}",
		"windows", (json_int_t)e->poke_windows,
		"pages", (json_int_t)e->poke_pages,
		"acked_in_window", (json_int_t)e->poke_acked_in_window,
		"written_by_nested_guest",
		(json_int_t)t->l.rep.integrity_poked,
		"lost", (json_int_t)t->l.rep.integrity_poke_bad));
	json_object_set_new(j, "faults", ws_nested_faults_json(t));
	return j;
}

static void print_result(const struct track *t, const struct content *c,
			 const struct score *tot)
{
	const struct ws_nested_report *r = &t->l.rep;

	printf("nested workload: %s, %llu pages, %llu intervals of %llu ms; RAM %s: %zu pages\n",
	       r->pattern, (unsigned long long)r->pages,
	       (unsigned long long)t->a.intervals,
	       (unsigned long long)t->a.interval_ms, t->ram.name,
	       t->ram.npages);
	for (int i = 0; i < WS_VIA_NR; i++) {
		if (!(t->a.vias & (1u << i)))
			continue;
		if (!t->v[i].on) {
			printf("%-10s skipped: %s\n", ws_outer_via_name(i),
			       t->v[i].why);
			continue;
		}
		printf("%-10s precision %.4f recall %.4f (%zu reported, %zu touched; %zu hot pages outside the workload); cold set precision %.4f recall %.4f (%zu called cold, %zu of them read, %zu written)\n",
		       ws_outer_via_name(i), tot[i].precision, tot[i].recall,
		       tot[i].reported, tot[i].truth, tot[i].outside,
		       tot[i].cold.precision, tot[i].cold.recall,
		       tot[i].cold.called, tot[i].cold.in_use_read,
		       tot[i].cold.in_use_written);
	}
	if (t->ev.measured)
		print_eviction(t);
	else
		printf("evicted MiB, refaults: not measured: %s\n",
		       eviction_reason);
	printf("memfd check: %zu/%zu workload pages carry their index at the reported offset; page hash sum %s (nested %016llx, memfd %016llx); nested integrity: %llu bad pages\n",
	       c->word0_ok, c->pages, c->sum_match ? "matches" : "DIFFERS",
	       (unsigned long long)r->integrity_sum,
	       (unsigned long long)c->sum,
	       (unsigned long long)r->integrity_bad);
	if (r->have_disk)
		printf("disk check (%s): %llu write/read-back pairs, %llu blocks read back at the end, %llu bad at once, %llu bad at the end%s\n",
		       r->disk_dev, (unsigned long long)r->disk_ops,
		       (unsigned long long)r->disk_checked,
		       (unsigned long long)r->disk_bad_readback,
		       (unsigned long long)r->disk_bad,
		       r->disk_error ? " (the check failed with an error)" : "");
	else if (t->a.disk)
		printf("disk check: NOT reported by the nested guest (--disk %s)\n",
		       t->a.disk);
}

static void print_rate(json_t *j)
{
	json_t *r = json_object_get(j, "workload_rate");
	json_t *s = json_object_get(j, "slowdown");

	if (json_is_true(json_object_get(r, "measured")))
		printf("nested workload: %.0f accesses/s on the nested guest's clock",
		       json_real_value(json_object_get(r, "accesses_per_s")));
	else
		printf("nested workload rate: not measured: %s",
		       json_string_value(json_object_get(r, "reason")));
	if (json_is_true(json_object_get(s, "measured")))
		printf("; slowdown %.3f against the untracked baseline (%.0f accesses/s)\n",
		       json_real_value(json_object_get(s, "slowdown")),
		       json_real_value(json_object_get(json_object_get(
			       json_object_get(s, "baseline"), "workload_rate"),
			       "accesses_per_s")));
	else
		printf("; slowdown not measured: %s\n",
		       json_string_value(json_object_get(s, "reason")));
}

static int write_truth(const struct track *t)
{
	json_t *j = ws_nested_report_json(&t->l.rep);
	int ret = ws_json_write_atomic(j, t->a.truth);

	json_decref(j);
	return ret;
}

int ws_nested_track_report(struct track *t)
{
	struct score tot[WS_VIA_NR] = { 0 };
	json_t *vias = json_object(), *j, *rate;
	struct content c;
	char accel[64];
	int ret = check_content(t, &c);

	if (ret)
		return ret;
	for (int i = 0; i < WS_VIA_NR; i++) {
		if (!(t->a.vias & (1u << i)))
			continue;
		json_object_set_new(vias, ws_outer_via_name(i), t->v[i].on ?
			via_json(t, i, &tot[i]) :
			json_pack("{s:b,s:s}", "supported", false,
				  "reason", t->v[i].why));
	}
	print_result(t, &c, tot);
	j = json_pack("{s:i,s:s,s:s,s:s,s:o,s:{s:I,s:s,s:I,s:I,s:I,s:I},s:{s:f,s:f},s:o,s:o,s:o}",
		"schema_version", 1, "kind", "nested-track",
		"accel", ws_env_virt(accel, sizeof(accel)), "nested_accel",
		t->a.nested_accel ? t->a.nested_accel : "tcg",
		"environment", ws_env_capture(),
		"params", "pid", (json_int_t)t->a.pid, "ram_mapping",
		t->ram.name, "ram_bytes", (json_int_t)t->ram.len,
		"intervals", (json_int_t)t->a.intervals,
		"interval_ms", (json_int_t)t->a.interval_ms,
		"page_size", (json_int_t)t->ram.page_size,
		"timing", "boot_to_hello_s",
		(double)(t->l.hello_ns - t->l.open_ns) / 1e9,
		"run_s", (double)t->run_ns / 1e9,
		"truth", truth_json(t), "mechanisms", vias,
		"integrity", content_json(t, &c));
	json_object_set_new(j, "eviction", eviction_json(t, &c));
	json_object_set_new(j, "disk", ws_nested_disk_json(t));
	rate = ws_nested_rate_json(t);
	json_object_set_new(j, "slowdown", ws_nested_slowdown_json(t, rate));
	json_object_set_new(j, "workload_rate", rate);
	print_rate(j);
	if (t->a.nested_accel_why)
		json_object_set_new(j, "nested_accel_not_kvm",
				    json_string(t->a.nested_accel_why));
	if (t->a.json && (ret = ws_json_write_atomic(j, t->a.json)))
		fprintf(stderr, "wsbench nested track: --json %s: %s\n",
			t->a.json, strerror(-ret));
	if (!ret && t->a.truth && (ret = write_truth(t)))
		fprintf(stderr, "wsbench nested track: --truth %s: %s\n",
			t->a.truth, strerror(-ret));
	json_decref(j);
	if (ret)
		return ret;
	return c.sum_match && !c.word0_bad && !t->l.rep.integrity_bad &&
	       !t->l.rep.integrity_poke_bad && !ws_nested_disk_bad(t) ? 0 : 1;
}
