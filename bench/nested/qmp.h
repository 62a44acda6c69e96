/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal QMP client: QEMU's own pause, as a VMM freezes a guest whose
 * faults it cannot hold (idle, soft-dirty, DAMON), and its vCPU threads
 * (to tell their faults from those of QEMU's device emulation).  `stop` returns once
 * every vCPU is parked (pause_all_vcpus()), `cont` lets them run.
 */
#ifndef WS_NESTED_QMP_H
#define WS_NESTED_QMP_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

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
/* The same, returning its "return" value (decref it), or NULL (*@err). */
json_t *ws_qmp_call(struct ws_qmp *q, const char *cmd, char *why,
		    size_t len, int *err);
/*
 * The host thread ids of QEMU's vCPUs (query-cpus-fast "thread-id"), at
 * most @max: how many, or -errno with @why.
 */
int ws_qmp_vcpu_tids(struct ws_qmp *q, pid_t *tids, size_t max, char *why,
		     size_t len);
void ws_qmp_close(struct ws_qmp *q);

#endif /* WS_NESTED_QMP_H */
