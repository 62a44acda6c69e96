/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal QMP client: QEMU's own pause, as a VMM freezes a guest whose
 * faults it cannot hold (idle, soft-dirty, DAMON).  `stop` returns once
 * every vCPU is parked (pause_all_vcpus()), `cont` lets them run.
 */
#ifndef WS_NESTED_QMP_H
#define WS_NESTED_QMP_H

#include <stddef.h>

#define WS_QMP_LINE_MAX	65536

struct ws_qmp {
	int fd;			/* the monitor socket, -1: closed */
	int timeout_ms;
	char buf[WS_QMP_LINE_MAX];
	size_t have;		/* bytes in buf not yet returned */
};

/*
 * Connect to the UNIX socket @path (QEMU -qmp unix:PATH,server=on), read
 * the greeting and leave capabilities negotiation.  0, or -errno with @why.
 */
int ws_qmp_open(struct ws_qmp *q, const char *path, int timeout_ms,
		char *why, size_t len);
/* Run command @cmd (no arguments) and wait for its return.  0 or -errno. */
int ws_qmp_run(struct ws_qmp *q, const char *cmd, char *why, size_t len);
void ws_qmp_close(struct ws_qmp *q);

#endif /* WS_NESTED_QMP_H */
