/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The machine-wide side of knobs.c: a lock and a journal under
 * /run/wsbench, so that overlapping runs never undo each other's knobs and
 * a SIGKILLed run's knobs are put back by the next one.
 *
 * Every run takes an flock on /run/wsbench/knobs.lock for its whole life:
 * shared when it only relies on the knobs as found (several such runs
 * overlap freely), exclusive when it changes one (--thp, --hugepages,
 * --numa-balancing, --tune on, numa-interplay...).  So a run that changes
 * a knob waits until no other run is relying on or changing knobs, and
 * every other run waits until it has ended and restored them: a knob a
 * result records held for the whole run.  Whoever waits is told the
 * holders' pids and command lines (from /proc/locks).
 *
 * Before writing a knob, the exclusive holder appends its original value
 * to /run/wsbench/knobs.journal and fsyncs it.  A clean exit, an error or
 * a signal restores the knobs and removes the journal; only SIGKILL (or a
 * crash) leaves it.  Whoever takes the lock next finds the journal with
 * its owner dead (the lock would still be held otherwise), restores every
 * value, newest first, and says so before measuring anything.
 */
#ifndef WS_KNOB_JOURNAL_H
#define WS_KNOB_JOURNAL_H

#include <stdbool.h>

/* knobs.lock and knobs.journal live here ($WSBENCH_RUN_DIR in tests). */
#define WS_RUN_DIR	"/run/wsbench"

/*
 * Take the lock, shared or @exclusive (a held shared lock is upgraded),
 * waiting at most @wait_s seconds (< 0: for ever), then restore a stale
 * journal.  0; -EWOULDBLOCK when still busy after @wait_s (the holders
 * were named on stderr); or -errno (no /run/wsbench, not root, ...).
 */
int ws_journal_lock(bool exclusive, double wait_s);
/* The lock file's path, for messages. */
const char *ws_journal_lock_path(void);
/* Record @path's original @saved value; 0 or -errno (then do not write). */
int ws_journal_record(const char *path, const char *saved);
/* Everything restored: forget the journal (async-signal-safe). */
void ws_journal_done(void);

#endif /* WS_KNOB_JOURNAL_H */
