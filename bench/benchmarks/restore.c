// SPDX-License-Identifier: GPL-2.0
/*
 * restore: the snapshot-restore flow of the guest_memfd minor-mode thread
 * (issue 20), measured on shmem, hugetlbfs and guest_memfd side by side.
 * For each backing and populate method (write, copy, alias: restore_flow.c)
 * and each registration of the VM mapping (MINOR; MISSING|MINOR where the
 * kernel allows it), every repetition restores a snapshot into fresh
 * memory and files:
 *
 *   populate_ns_per_page   the populate step's wall time (its mmap and
 *                          uffd setup included) per populated page
 *   minor_fault_ns         one vCPU access each that raised exactly one
 *                          MINOR message, resolved with UFFDIO_CONTINUE
 *   missing_fault_ns       the same for MISSING messages (holes, filled
 *                          with UFFDIO_COPY from the snapshot)
 *   restore_ns[_per_page]  the vCPU's whole sweep over the VM mapping
 *
 * with the messages each access raised, every page's content against the
 * snapshot, and what the holes (pages left out of the populate) did.  A
 * populated page whose access did not raise exactly one MINOR message, or
 * whose content differs after the restore, is an error of the case.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench_case.h"
#include "common.h"
#include "restore.h"
#include "threads.h"

#define RS_BACKINGS	(WS_BACKING_BIT(WS_BACKING_SHMEM) | \
			 WS_BACKING_BIT(WS_BACKING_HUGETLB) | \
			 WS_BACKING_BIT(WS_BACKING_GMEM))
#define RS_BACKEND	"minor"
#define RS_MODE		"sync"

static void series_init(struct rs_series *s)
{
	ws_samples_init(&s->populate_ns_per_page);
	ws_samples_init(&s->minor_ns);
	ws_samples_init(&s->missing_ns);
	ws_samples_init(&s->restore_ns);
	ws_samples_init(&s->restore_ns_per_page);
}

static void series_free(struct rs_series *s)
{
	ws_samples_free(&s->populate_ns_per_page);
	ws_samples_free(&s->minor_ns);
	ws_samples_free(&s->missing_ns);
	ws_samples_free(&s->restore_ns);
	ws_samples_free(&s->restore_ns_per_page);
}

/* The last skip or error entry gets the case's populate and registration. */
static void label_last(json_t *arr, enum ws_populate pop, int reg)
{
	json_t *e = json_array_get(arr, json_array_size(arr) - 1);

	json_object_set_new(e, "populate", json_string(ws_populate_names[pop]));
	json_object_set_new(e, "registration", reg < 0 ? json_null() :
			    json_string(rs_reg_names[reg]));
}

static json_t *params_json(const struct rs_run *r, const struct ws_params *p)
{
	const struct rs_snapshot *s = r->snap;

	return json_pack("{s:I,s:I,s:I,s:f,s:I,s:I,s:b}",
			 "size_bytes", (json_int_t)(s->npages * s->page_size),
			 "npages", (json_int_t)s->npages,
			 "page_size", (json_int_t)s->page_size,
			 "holes_pct", p->holes_pct,
			 "holes", (json_int_t)s->nholes,
			 "populated_pages", (json_int_t)(s->npages - s->nholes),
			 "hugetlb_capped", r->backing == WS_BACKING_HUGETLB &&
			 s->npages < p->pages);
}

static json_t *faults_json(const struct rs_counts *n)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:b}",
			 "samples", (json_int_t)n->samples,
			 "one_minor", (json_int_t)n->one_minor,
			 "one_missing", (json_int_t)n->one_missing,
			 "no_message", (json_int_t)n->none,
			 "multi", (json_int_t)n->multi,
			 "populated_touched", (json_int_t)n->populated_touched,
			 "populated_not_one_minor",
			 (json_int_t)n->populated_not_one_minor,
			 "unexpected_messages", (json_int_t)n->unexpected,
			 "one_minor_per_populated_page",
			 n->populated_touched && !n->populated_not_one_minor);
}

static json_t *content_json(const struct rs_counts *n)
{
	return json_pack("{s:I,s:I,s:o,s:b}",
			 "populated_checked", (json_int_t)n->populated_checked,
			 "bad_pages", (json_int_t)n->bad_pages,
			 "first_bad_page", n->first_bad >= 0 ?
			 json_integer(n->first_bad) : json_null(),
			 "verified", n->populated_checked && !n->bad_pages);
}

static json_t *holes_json(const struct rs_run *r)
{
	const struct rs_counts *n = &r->n;

	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:s}",
			 "per_rep", (json_int_t)r->snap->nholes,
			 "touched", (json_int_t)n->hole_touched,
			 "raised_minor", (json_int_t)n->hole_raised_minor,
			 "raised_missing", (json_int_t)n->hole_raised_missing,
			 "unseen", (json_int_t)n->hole_unseen,
			 "read_zero", (json_int_t)n->hole_read_zero,
			 "content_correct", (json_int_t)n->hole_content_ok,
			 "filled_on_demand", (json_int_t)n->hole_filled,
			 "note", r->reg == RS_REG_MINOR ?
			 "MINOR only: a hole has no page in the file, so its first access is no minor fault: no message, a fresh zero page, the snapshot's content lost unless the VMM populated it eagerly" :
			 "MISSING|MINOR: a hole's first access raises a MISSING message, the handler fills it from the snapshot with UFFDIO_COPY");
}

static void report(struct rs_run *r, size_t reps)
{
	struct ws_bench_ctx *ctx = r->ctx;
	json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s}",
			      "backend", RS_BACKEND,
			      "backing", ws_backing_name(r->backing),
			      "mode", RS_MODE,
			      "populate", ws_populate_names[r->populate],
			      "registration", rs_reg_names[r->reg]);
	json_t *metrics = json_object();
	double med[2];

	json_object_set_new(j, "params", params_json(r, ctx->p));
	med[0] = ws_metric_add(ctx, metrics, "populate_ns_per_page",
			       &r->s.populate_ns_per_page, "ns");
	med[1] = ws_metric_add(ctx, metrics, "minor_fault_ns", &r->s.minor_ns,
			       "ns");
	ws_metric_add(ctx, metrics, "missing_fault_ns", &r->s.missing_ns, "ns");
	ws_metric_add(ctx, metrics, "restore_ns", &r->s.restore_ns, "ns");
	ws_metric_add(ctx, metrics, "restore_ns_per_page",
		      &r->s.restore_ns_per_page, "ns");
	json_object_set_new(j, "metrics", metrics);
	json_object_set_new(j, "faults", faults_json(&r->n));
	json_object_set_new(j, "content", content_json(&r->n));
	json_object_set_new(j, "holes", holes_json(r));
	json_object_set_new(j, "reps", json_integer((json_int_t)reps));
	json_object_set_new(j, "reps_checked", json_integer((json_int_t)r->n.reps));
	json_object_set_new(j, "pinning",
			    json_pack("{s:o,s:o}", "vcpu_cpu",
				      r->vcpu_cpu >= 0 ?
				      json_integer(r->vcpu_cpu) : json_null(), "handler_cpu",
				      r->n.handler_cpu >= 0 ?
				      json_integer(r->n.handler_cpu) :
				      json_null()));
	if (r->snap->drop >= 0)
		json_object_set_new(j, "test_hook",
				    json_pack("{s:s,s:I}", "what",
					      "WSBENCH_TEST_RESTORE_DROP_PAGE: this populated page was left out of the populate on purpose",
					      "dropped_page", (json_int_t)r->snap->drop));
	ws_timer_annotate(ctx, j, med, 2);
	ws_result_add(ctx->res, j);
}

/* What must hold of every case that ran: an error where it did not. */
static int check(struct rs_run *r)
{
	const struct rs_counts *n = &r->n;

	if (n->bad_pages)
		return ws_case_fail(r->ctx, EIO, "content lost: %zu of %zu populated pages differ from the snapshot after the restore (first: page %ld)",
				    n->bad_pages, n->populated_checked,
				    n->first_bad);
	if (n->populated_not_one_minor)
		return ws_case_fail(r->ctx, EIO, "%zu of %zu accesses to populated pages did not raise exactly one MINOR message: they are not minor-fault latencies",
				    n->populated_not_one_minor,
				    n->populated_touched);
	if (n->unexpected)
		return ws_case_fail(r->ctx, EIO, "%llu unexpected userfaultfd messages",
				    (unsigned long long)n->unexpected);
	return 0;
}

/* A ws_repeat() callback: the kernel's refusal stops it as -ECANCELED. */
static int once(void *arg, bool measured)
{
	int ret = rs_restore_once(arg, measured);

	return ret == 1 ? -ECANCELED : ret;
}

/*
 * One (backing, populate, registration) case: 0; 1 when its populate was
 * refused (the other registration would be refused the same way); 2 when
 * the backing could not be mapped (no other populate method will be).
 */
static int run_case(struct ws_bench_ctx *ctx, const struct rs_snapshot *snap,
		    enum ws_backing b, enum ws_populate pop, enum rs_reg reg,
		    int vcpu_cpu)
{
	struct rs_run r = {
		.ctx = ctx, .backing = b, .populate = pop, .reg = reg,
		.snap = snap, .vcpu_cpu = vcpu_cpu, .n.first_bad = -1,
		.n.handler_cpu = -1,
	};
	size_t reps = 0;
	int ret;

	series_init(&r.s);
	ctx->skip_reason[0] = '\0';
	ret = ws_repeat(ctx->p, once, &r, &reps);
	if (ret == -ECANCELED && r.map_refused) {
		ws_skip_once(ctx->res, RS_BACKEND, ws_backing_name(b), RS_MODE,
			     ctx->skip_reason);
		ret = 2;
		goto out;
	}
	if (ret == -ECANCELED) {
		/* A refused populate names no registration: none was reached. */
		ws_result_skip(ctx->res, RS_BACKEND, ws_backing_name(b), RS_MODE,
			       ctx->skip_reason);
		label_last(ctx->res->skipped, pop, r.reg_refused ? (int)reg : -1);
		ret = !r.reg_refused;
		goto out;
	}
	if (!ret) {
		report(&r, reps);
		ret = check(&r);
	}
	if (ret) {
		ws_case_say_point(ctx, " (populate %s, %s)",
				  ws_populate_names[pop], rs_reg_names[reg]);
		ws_record_error(ctx, RS_BACKEND, ws_backing_name(b), RS_MODE,
				ret);
		label_last(json_object_get(ctx->res->root, "errors"), pop,
			   (int)reg);
		ret = 0;
	}
out:
	series_free(&r.s);
	return ret;
}

static int run_backing(struct ws_bench_ctx *ctx, enum ws_backing b,
		       int vcpu_cpu)
{
	struct rs_snapshot snap;
	size_t npages, len = ws_case_len(b, ctx->p->pages, &npages);
	size_t ps = len / (npages ? npages : 1);
	int ret = 0;

	if (rs_snapshot_build(&snap, ps, npages, ctx->p->holes_pct,
			      ctx->p->seed))
		return -ENOMEM;
	for (int pop = 0; pop < WS_POPULATE_NR; pop++) {
		if (!(ctx->p->populates & (1u << pop)))
			continue;
		ws_progress_step(&ctx->prog, "%s/%s", ws_backing_name(b),
				 ws_populate_names[pop]);
		for (int reg = 0; reg < RS_REG_NR; reg++) {
			ret = run_case(ctx, &snap, b, pop, reg, vcpu_cpu);
			if (ret)
				break;
		}
		if (ret == 2)
			break;
	}
	rs_snapshot_free(&snap);
	return 0;
}

static int restore_run(struct ws_bench_ctx *ctx)
{
	const struct ws_params *p = ctx->p;
	size_t steps = 0, npop = 0;
	struct ws_bench_pin pin;
	int vcpu_cpu = -1;

	for (int pop = 0; pop < WS_POPULATE_NR; pop++)
		npop += !!(p->populates & (1u << pop));
	for (int b = 0; b < WS_BACKING_NR; b++)
		if (p->backings & RS_BACKINGS & WS_BACKING_BIT(b))
			steps += npop;
	ws_bench_progress_start(ctx, "restore", steps);
	/* The vCPU on CPU 0; the handler pins itself to another (uffd.c). */
	if (!ws_bench_pin_cpu0(ctx, "vCPU", &pin))
		vcpu_cpu = ws_cpu_id(0);
	for (int b = 0; b < WS_BACKING_NR; b++) {
		if (!(p->backings & WS_BACKING_BIT(b)))
			continue;
		if (!(RS_BACKINGS & WS_BACKING_BIT(b))) {
			ws_skip_once(ctx->res, RS_BACKEND, ws_backing_name(b),
				     RS_MODE,
				     "private anonymous memory has no file: nothing to populate with write() or through a second mapping, and the kernel refuses MODE_MINOR on it (anon_can_userfault); restore runs on shmem, hugetlb and gmem");
			continue;
		}
		if (run_backing(ctx, b, vcpu_cpu)) {
			ws_case_fail(ctx, ENOMEM, "snapshot: out of memory");
			ws_record_error(ctx, RS_BACKEND, ws_backing_name(b),
					RS_MODE, -ENOMEM);
		}
	}
	ws_progress_done(&ctx->prog);
	ws_bench_unpin(&pin);
	return 0;
}

static void restore_defaults(struct ws_params *p, enum ws_profile profile)
{
	bool quick = profile == WS_PROFILE_QUICK;

	p->backings = RS_BACKINGS;
	p->populates = (1u << WS_POPULATE_NR) - 1;
	p->holes_pct = 10;
	p->pages = quick ? 256 : 1024;
	ws_default_reps(p, quick ? 0 : 1, quick ? 3 : 5, quick ? 5 : 20,
			quick ? 0 : 0.5);
}

WS_BENCHMARK(restore,
	.name		= "restore",
	.summary	= "snapshot restore as the guest_memfd minor-mode thread describes it: populate the memory file (write, UFFDIO_COPY, or a second mapping), then a vCPU's minor faults resolved with UFFDIO_CONTINUE; content checked, holes left unpopulated under MINOR and MISSING|MINOR; on shmem, hugetlb and gmem",
	.options	= "--backing --populate --holes --pages --warmup --min-reps --max-reps --min-time"
);
