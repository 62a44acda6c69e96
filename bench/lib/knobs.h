/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysfs/sysctl knobs changed by a run (THP mode, nr_hugepages,
 * numa_balancing, ...).  The first write saves the original value; every
 * knob is restored on normal exit (atexit), on error paths, and on
 * SIGINT/SIGTERM/SIGHUP (the handler restores, then re-raises the signal so
 * the exit status still tells the caller what happened).  The first write
 * also takes the machine-wide knob lock and journals the original value
 * under /run (knob_journal.h), so overlapping runs never undo each other
 * and a SIGKILLed run's knobs are restored by the next one.
 */
#ifndef WS_KNOBS_H
#define WS_KNOBS_H

#include <stddef.h>

/* Install atexit + signal handlers.  Call once, early in main. */
void ws_knobs_init(void);
/*
 * Write @value to @path, saving the old value the first time.  For THP-style
 * files ("always [madvise] never") the bracketed word is what is saved.
 * Returns 0 or -errno.
 */
int ws_knob_set(const char *path, const char *value);
/* Read the current value (bracketed word for THP-style files). */
int ws_knob_read(const char *path, char *buf, size_t len);
/* Restore everything now (idempotent, async-signal-safe). */
void ws_knobs_restore(void);
/*
 * Scoped knobs, for a backend that changes sysfs for its own lifetime (the
 * DAMON backend grows nr_kdamonds, then turns its kdamond on): take a mark
 * before the first ws_knob_set(); ws_knobs_restore_to(mark) restores the
 * knobs set since, newest first, and forgets them.  Until then they are
 * restored on exit and signals like every other knob.
 */
int ws_knobs_mark(void);
void ws_knobs_restore_to(int mark);
/*
 * In a child after fork(): the knobs set so far are the parent's, which
 * restores them; the child forgets them, so that its own exit or crash
 * never undoes what the parent still runs with.  Knobs the child sets
 * afterwards are its own, saved as the parent left them.
 */
void ws_knobs_disown(void);

#endif /* WS_KNOBS_H */
