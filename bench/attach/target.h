/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The process wsbench attach works on: started by us (a command) or
 * found (--pid); checked before anything is touched; paused and resumed
 * (the freeze of mechanisms without fault interception, as a VMM pauses
 * its vCPUs); and guarded: a small guardian process resumes the target
 * should wsbench die while it is stopped, since a SIGKILLed wsbench
 * cannot send SIGCONT itself.
 */
#ifndef WS_ATTACH_TARGET_H
#define WS_ATTACH_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ws_target {
	pid_t pid;
	bool child;		/* started by us: we reap it */
	int pidfd;		/* pins the pid against reuse */
	bool exited;
	int status;		/* waitpid() status, once exited */
	uint64_t start_ns, end_ns;	/* CLOCK_MONOTONIC: spawn, exit seen */
	pid_t guardian;
	int guard_fd;		/* write end: EOF tells the guardian */
	bool stopped;
};

void ws_target_init(struct ws_target *t);

/*
 * Can @pid be attached to?  0, or -ESRCH (no such process) / -EPERM (not
 * ours: signals or /proc/<pid>/pagemap refused) with the reason in @why.
 * Touches nothing.
 */
int ws_target_check_pid(pid_t pid, char *why, size_t len);
int ws_target_from_pid(struct ws_target *t, pid_t pid, char *why,
		       size_t len);

/*
 * Start @argv (execvp) in @cwd (NULL: ours) with @env added to our
 * environment ("NAME=value", NULL-terminated; may be NULL), its stdout
 * and stderr to @out_fd / @err_fd (-1: ours).  0 or -errno with @why.
 */
int ws_target_spawn(struct ws_target *t, char *const *argv, const char *cwd,
		    char *const *env, int out_fd, int err_fd, char *why,
		    size_t len);

/* Still running?  (Reaps a child that exited.) */
bool ws_target_alive(struct ws_target *t);
/* Wait for a child to exit, at most @timeout_ms (-1: forever).  0 or -ETIMEDOUT. */
int ws_target_wait(struct ws_target *t, int timeout_ms);

/* Fork the guardian (before the target can first be stopped). */
int ws_target_guard(struct ws_target *t, char *why, size_t len);

/*
 * SIGSTOP, then wait until every thread is stopped (at most @timeout_ms):
 * *took_ns is how long that took -- the part of the freeze window the
 * target's threads run on.  0 or -errno.
 */
int ws_target_stop(struct ws_target *t, int timeout_ms, uint64_t *took_ns);
void ws_target_cont(struct ws_target *t);

/* Resume it if stopped, end the guardian, close fds.  The target runs on. */
void ws_target_release(struct ws_target *t);

#endif /* WS_ATTACH_TARGET_H */
