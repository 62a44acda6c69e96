// SPDX-License-Identifier: GPL-2.0
/*
 * The target process of wsbench attach (target.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "target.h"

extern char **environ;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

void ws_target_init(struct ws_target *t)
{
	memset(t, 0, sizeof(*t));
	t->pidfd = t->guard_fd = -1;
}

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

int ws_target_check_pid(pid_t pid, char *why, size_t len)
{
	char path[64];
	int fd;

	if (pid <= 0) {
		snprintf(why, len, "--pid %d: not a process id", (int)pid);
		return -ESRCH;
	}
	if (kill(pid, 0)) {
		int e = errno;

		snprintf(why, len, e == ESRCH ? "--pid %d: no such process" :
			 "--pid %d: not ours: signalling it fails: %s",
			 (int)pid, strerror(e));
		return -e;
	}
	/* PTRACE_MODE_READ, as every tracker needs (brief §2.2). */
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		snprintf(why, len, "--pid %d: not ours: %s: %s", (int)pid,
			 path, strerror(e));
		return e == ENOENT ? -ESRCH : -EPERM;
	}
	close(fd);
	return 0;
}

int ws_target_from_pid(struct ws_target *t, pid_t pid, char *why,
		       size_t len)
{
	int ret = ws_target_check_pid(pid, why, len);

	if (ret)
		return ret;
	t->pid = pid;
	t->pidfd = pidfd_open_(pid);
	t->start_ns = mono_ns();
	return 0;
}

/* The child: our environment plus @env, then exec. */
static void child(char *const *argv, const char *cwd, char *const *env,
		  int out_fd, int err_fd, int report_fd)
{
	int e;

	for (size_t i = 0; env && env[i]; i++)
		putenv(env[i]);
	if ((out_fd >= 0 && dup2(out_fd, STDOUT_FILENO) < 0) ||
	    (err_fd >= 0 && dup2(err_fd, STDERR_FILENO) < 0) ||
	    (cwd && chdir(cwd)))
		goto fail;
	/* The knobs and signal set-up of wsbench are not the target's. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGALRM, SIG_DFL);
	execvp(argv[0], argv);
fail:
	e = errno;
	if (write(report_fd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

int ws_target_spawn(struct ws_target *t, char *const *argv, const char *cwd,
		    char *const *env, int out_fd, int err_fd, char *why,
		    size_t len)
{
	int p[2], e = 0;
	pid_t pid;
	sigset_t none, old;

	/* A pipe closed by exec (CLOEXEC) tells us whether exec worked. */
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, &old);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		child(argv, cwd, env, out_fd, err_fd, p[1]);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(p[1]);
	if (pid < 0) {
		e = errno;
		close(p[0]);
		snprintf(why, len, "fork: %s", strerror(e));
		return -e;
	}
	t->start_ns = mono_ns();
	if (read(p[0], &e, sizeof(e)) == sizeof(e)) {
		close(p[0]);
		waitpid(pid, NULL, 0);
		snprintf(why, len, "cannot run %s: %s", argv[0], strerror(e));
		return -e;
	}
	close(p[0]);
	t->pid = pid;
	t->child = true;
	t->pidfd = pidfd_open_(pid);
	return 0;
}

bool ws_target_alive(struct ws_target *t)
{
	if (t->exited)
		return false;
	if (t->child) {
		if (waitpid(t->pid, &t->status, WNOHANG) == t->pid) {
			t->exited = true;
			t->end_ns = mono_ns();
		}
	} else if (kill(t->pid, 0) && errno == ESRCH) {
		t->exited = true;
		t->end_ns = mono_ns();
	}
	return !t->exited;
}

int ws_target_wait(struct ws_target *t, int timeout_ms)
{
	uint64_t end = mono_ns() + (uint64_t)timeout_ms * 1000000ULL;

	while (ws_target_alive(t)) {
		if (timeout_ms >= 0 && mono_ns() >= end)
			return -ETIMEDOUT;
		sleep_us(2000);
	}
	return 0;
}

/*
 * The guardian: keeps nothing of ours open (a copy of a uffd or memory fd
 * would keep the target's handoff alive after we die), waits for EOF on
 * its pipe -- our exit, however it happens -- and resumes the target.
 */
static void guardian(int rd, int pidfd, pid_t pid)
{
	char c;

	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int r = fcntl(rd, F_DUPFD, 10);
	int pf = pidfd >= 0 ? fcntl(pidfd, F_DUPFD, 10) : -1;

	prctl(PR_SET_NAME, "wsbench-guard");
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	/* Nobody waits on our stdio: not wsbench's pipes. */
	for (int fd = 0; null >= 0 && fd < 3; fd++)
		dup2(null, fd);
	if (r < 0 || dup2(r, 3) < 0 || (pf >= 0 && dup2(pf, 4) < 0))
		_exit(1);
	syscall(SYS_close_range, pf >= 0 ? 5 : 4, ~0U, 0);
	while (read(3, &c, 1) < 0 && errno == EINTR)
		;
	if (pf >= 0)
		syscall(SYS_pidfd_send_signal, 4, SIGCONT, NULL, 0);
	else
		kill(pid, SIGCONT);
	_exit(0);
}

int ws_target_guard(struct ws_target *t, char *why, size_t len)
{
	int p[2];
	pid_t pid;

	if (t->guardian)
		return 0;
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		guardian(p[0], t->pidfd, t->pid);
	}
	close(p[0]);
	if (pid < 0) {
		int e = errno;

		close(p[1]);
		snprintf(why, len, "fork of the guardian: %s", strerror(e));
		return -e;
	}
	t->guardian = pid;
	t->guard_fd = p[1];
	return 0;
}

/* Are all threads of @pid stopped (or gone)?  -errno if it is gone. */
static int all_stopped(pid_t pid)
{
	char path[320], buf[512];
	struct dirent *d;
	DIR *dir;
	int ret = 1;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while (ret == 1 && (d = readdir(dir))) {
		char *p;
		int fd;
		ssize_t n;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat",
			 (int)pid, d->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;	/* the thread just exited */
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		/* "tid (comm) S ...": comm may hold anything but ')' last. */
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && !strchr("TtZX", p[2]))
			ret = 0;
	}
	closedir(dir);
	return ret;
}

int ws_target_stop(struct ws_target *t, int timeout_ms, uint64_t *took_ns)
{
	uint64_t t0 = mono_ns(), end = t0 + (uint64_t)timeout_ms * 1000000ULL;
	int ret;

	*took_ns = 0;
	if (kill(t->pid, SIGSTOP))
		return -errno;
	t->stopped = true;
	while ((ret = all_stopped(t->pid)) == 0) {
		if (mono_ns() >= end)
			return -ETIMEDOUT;
		sleep_us(20);
	}
	*took_ns = mono_ns() - t0;
	return ret < 0 ? ret : 0;
}

void ws_target_cont(struct ws_target *t)
{
	if (t->stopped)
		kill(t->pid, SIGCONT);
	t->stopped = false;
}

void ws_target_release(struct ws_target *t)
{
	ws_target_cont(t);
	if (t->guard_fd >= 0) {
		close(t->guard_fd);	/* the guardian sends SIGCONT and exits */
		waitpid(t->guardian, NULL, 0);
	}
	t->guard_fd = -1;
	t->guardian = 0;
	if (t->pidfd >= 0)
		close(t->pidfd);
	t->pidfd = -1;
}
