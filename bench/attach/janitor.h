/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A work directory that goes away however wsbench ends: a small process,
 * holding nothing of ours but a pipe, waits for that pipe's EOF -- our
 * exit, a SIGKILL included -- and removes the directory.
 */
#ifndef WS_ATTACH_JANITOR_H
#define WS_ATTACH_JANITOR_H

#include <sys/types.h>

struct ws_janitor {
	pid_t pid;
	int fd;		/* write end: closing it is the signal */
};

/* Watch @dir.  0 or -errno (then nobody watches it). */
int ws_janitor_start(struct ws_janitor *j, const char *dir);
/* We are done with the directory: it is removed, the janitor reaped. */
void ws_janitor_stop(struct ws_janitor *j);

#endif /* WS_ATTACH_JANITOR_H */
