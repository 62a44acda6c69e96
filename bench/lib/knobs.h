/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysfs/sysctl knobs changed by a run (THP mode, nr_hugepages,
 * numa_balancing, ...).  The first write saves the original value; every
 * knob is restored on normal exit (atexit), on error paths, and on
 * SIGINT/SIGTERM/SIGHUP (the handler restores, then re-raises the signal so
 * the exit status still tells the caller what happened).
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

#endif /* WS_KNOBS_H */
