// SPDX-License-Identifier: GPL-2.0
/*
 * Ground truth and integrity.
 *
 * Epochs.  Each worker keeps the pages it touched in a ring of epoch slots
 * (read and write bitmaps), reused -- and cleared -- when a later epoch
 * maps to the same slot.  After recording a batch read between epochs e1
 * and e2, the worker publishes seen = e2: every later batch starts at an
 * epoch >= e2, so once seen > E the worker will never record into E
 * again.  A worker with no batch in flight (parked, finished) publishes
 * "idle"; when it comes back it publishes the current epoch before its
 * first batch (worker.c), with a seq_cst fence that pairs with the
 * manager's seq_cst bump and load: either the manager sees the new seen,
 * or the batch sees the bumped epoch.
 *
 * Integrity.  Word 0 of page p is p; word 1 + t is worker t's count of
 * its writes to p.  Only worker t writes word 1 + t and its shadow ver[p],
 * so the expected content of every page is known exactly.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>

#include "engine_impl.h"
#include "timing.h"

uint64_t ws_wl_epoch(const struct ws_wl *w)
{
	return __atomic_load_n(&w->epoch, __ATOMIC_SEQ_CST);
}

uint64_t ws_wl_epoch_bump(struct ws_wl *w)
{
	return __atomic_add_fetch(&w->epoch, 1, __ATOMIC_SEQ_CST);
}

/*
 * Which epoch a batch belongs to: e1 if the epoch did not move; the odd
 * (collect window) one of e1, e2 if it moved once; e1 + 1 if it moved
 * more (the batch spanned a whole epoch: ambiguous, counted).
 */
static uint64_t batch_epoch(struct wl_thread *t, uint64_t e1, uint64_t e2)
{
	if (e2 == e1)
		return e1;
	if (e2 == e1 + 1)
		return e1 & 1 ? e1 : e2;
	__atomic_store_n(&t->ambiguous, t->ambiguous + 1, __ATOMIC_RELAXED);
	return e1 + 1;
}

void wl_record(struct wl_thread *t, uint64_t e1, uint64_t e2, size_t n)
{
	uint64_t e = batch_epoch(t, e1, e2);
	struct wl_slot *s = &t->slots[e & t->w->slot_mask];

	if (s->epoch != e) {
		size_t bytes = t->w->bitmap_words * sizeof(uint64_t);

		memset(s->rd, 0, bytes);
		memset(s->wr, 0, bytes);
		s->ambiguous = 0;
		__atomic_store_n(&s->epoch, e, __ATOMIC_RELAXED);
	}
	s->ambiguous += e2 > e1 + 1;
	for (size_t i = 0; i < n; i++) {
		uint64_t x = t->batch[i], p = x >> 1;
		uint64_t *bits = x & 1 ? s->wr : s->rd;

		bits[p / 64] |= 1ULL << (p % 64);
	}
	/* Publishes the bits and the slot's epoch with it. */
	wl_store(&t->seen, e2);
}

/* Until every worker's seen > @epoch; -ETIMEDOUT after @timeout_ns. */
static int wait_recorded(const struct ws_wl *w, uint64_t epoch,
			 uint64_t timeout_ns)
{
	uint64_t t0 = ws_now_ns();

	for (unsigned int i = 0; i < w->o.nthreads; i++) {
		unsigned int spins = 0;

		while (__atomic_load_n(&w->t[i].seen, __ATOMIC_SEQ_CST) <= epoch) {
			if (++spins < 256) {
				ws_cpu_relax();
				continue;
			}
			if (timeout_ns && ws_now_ns() - t0 > timeout_ns)
				return -ETIMEDOUT;
			sched_yield();
		}
	}
	return 0;
}

int ws_wl_truth(struct ws_wl *w, uint64_t epoch, struct ws_pageset *rd,
		struct ws_pageset *wr, uint64_t timeout_ns)
{
	uint64_t cur = ws_wl_epoch(w);
	int err;

	if (!w->o.truth)
		return -ENODATA;
	if (rd->npages != w->npages || wr->npages != w->npages)
		return -EINVAL;
	if (epoch >= cur)
		return -EAGAIN;
	if (cur - epoch >= w->o.truth_slots)
		return -ESTALE;
	err = wait_recorded(w, epoch, timeout_ns);
	if (err)
		return err;
	ws_pageset_clear(rd);
	ws_pageset_clear(wr);
	for (unsigned int i = 0; i < w->o.nthreads; i++) {
		const struct wl_slot *s = &w->t[i].slots[epoch & w->slot_mask];

		if (__atomic_load_n(&s->epoch, __ATOMIC_ACQUIRE) != epoch)
			continue;	/* nothing recorded in this epoch */
		for (size_t k = 0; k < w->bitmap_words; k++) {
			rd->bits[k] |= s->rd[k];
			wr->bits[k] |= s->wr[k];
		}
	}
	/* Only the manager bumps; if someone else did, say so. */
	if (ws_wl_epoch(w) - epoch >= w->o.truth_slots)
		return -ESTALE;
	return 0;
}

uint64_t ws_wl_truth_ambiguous(const struct ws_wl *w, uint64_t epoch)
{
	uint64_t n = 0;

	for (unsigned int i = 0; w->o.truth && i < w->o.nthreads; i++) {
		const struct wl_slot *s = &w->t[i].slots[epoch & w->slot_mask];

		if (__atomic_load_n(&s->epoch, __ATOMIC_ACQUIRE) == epoch)
			n += s->ambiguous;
	}
	return n;
}

int ws_wl_stamp_init(struct ws_wl *w)
{
	if (w->started)
		return -EBUSY;
	for (size_t p = 0; p < w->npages; p++) {
		uint64_t *pg = (uint64_t *)(w->base + (p << w->page_shift));

		pg[0] = p;
		for (unsigned int t = 0; t < w->o.nthreads; t++)
			pg[1 + t] = 0;
	}
	for (unsigned int t = 0; t < w->o.nthreads; t++)
		memset(w->t[t].ver, 0, w->npages * sizeof(*w->t[t].ver));
	return 0;
}

static void note_bad(const struct ws_wl *w, struct ws_wl_bad *bad, int nbad,
		     size_t page, int thread, uint64_t expected,
		     uint64_t found)
{
	if (!bad || nbad)
		return;
	bad->page = page;
	bad->thread = thread;
	bad->expected = expected;
	bad->found = found;
	bad->epoch = ws_wl_epoch(w);
}

int ws_wl_check_page(const struct ws_wl *w, size_t page, const void *content,
		     struct ws_wl_bad *bad)
{
	const volatile uint64_t *word = content;
	int nbad = 0;

	if (word[0] != page)
		note_bad(w, bad, nbad++, page, -1, page, word[0]);
	for (unsigned int t = 0; t < w->o.nthreads; t++) {
		const struct wl_thread *x = &w->t[t];
		/* Version first, then cur_write: see write_page(). */
		uint64_t a = __atomic_load_n(&x->ver[page], __ATOMIC_ACQUIRE);
		uint64_t c = __atomic_load_n(&x->cur_write, __ATOMIC_ACQUIRE);
		uint64_t found = word[1 + t];

		if (found == a || (c == page && a && found == a - 1))
			continue;
		note_bad(w, bad, nbad++, page, (int)t, a, found);
	}
	return nbad;
}

long ws_wl_check_all(const struct ws_wl *w, struct ws_wl_bad *bad,
		     size_t maxbad)
{
	bool quiet = !w->started || w->stopped ||
		(__atomic_load_n(&w->pause_req, __ATOMIC_SEQ_CST) &&
		 __atomic_load_n(&w->idle, __ATOMIC_SEQ_CST) == w->o.nthreads);
	long nbad = 0;

	if (!quiet)
		return -EBUSY;
	for (size_t p = 0; p < w->npages; p++) {
		const void *pg = w->base + (p << w->page_shift);
		struct ws_wl_bad b;

		if (!ws_wl_check_page(w, p, pg, &b))
			continue;
		if ((size_t)nbad < maxbad && bad)
			bad[nbad] = b;
		nbad++;
	}
	return nbad;
}
