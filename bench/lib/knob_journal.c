// SPDX-License-Identifier: GPL-2.0
/*
 * Knob journal and machine-wide lock (knob_journal.h).  Journal format,
 * one line each, restored bottom-up:
 *
 *   owner <pid> <command line>
 *   <path>\t<original value>
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "knob_journal.h"

#define POLL_NS		50000000L	/* 50 ms between tries */

static int lock_fd = -1;
static char run_dir[256], lock_path[300], journal_path[300];
static bool any_path;		/* a test's directory: its knobs are files */
static int held;		/* 0, LOCK_SH or LOCK_EX */
static pid_t owner;		/* who took it: only it removes the journal */

/* @pid's command line, spaces for NULs ("" when it is gone). */
static void cmdline_of(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, buf, len - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		n = 0;
	buf[n] = '\0';
	for (ssize_t i = 0; i + 1 < n; i++)
		if (!buf[i])
			buf[i] = ' ';
	if (n && !buf[n - 1])
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\n')
			buf[i] = ' ';
}

/*
 * Who holds our lock file: every granted flock on its inode in
 * /proc/locks ("1: FLOCK ADVISORY WRITE 42 fd:01:1234 0 EOF"; waiters
 * are "1: -> FLOCK ...").  Shared holders are many, and no file we write
 * could name them all truthfully; the kernel's table can.
 */
static void holders(char *buf, size_t len)
{
	FILE *f = fopen("/proc/locks", "re");
	char line[256], cmd[300];
	size_t at = 0;
	struct stat st;

	buf[0] = '\0';
	if (!f || fstat(lock_fd, &st)) {
		if (f)
			fclose(f);
		snprintf(buf, len, "holder unknown: see /proc/locks");
		return;
	}
	while (fgets(line, sizeof(line), f) && at + 1 < len) {
		char type[16], mode[16];
		unsigned int maj, min;
		unsigned long ino;
		int pid;

		if (strstr(line, "->") ||
		    sscanf(line, "%*d: %15s %*s %15s %d %x:%x:%lu", type, mode,
			   &pid, &maj, &min, &ino) != 6 ||
		    strcmp(type, "FLOCK") || ino != st.st_ino ||
		    makedev(maj, min) != st.st_dev || pid == getpid())
			continue;
		cmdline_of(pid, cmd, sizeof(cmd));
		at += snprintf(buf + at, len - at, "%spid %d: %s", at ? "; " : "",
			       pid, cmd[0] ? cmd : "?");
	}
	fclose(f);
	if (!buf[0])
		snprintf(buf, len, "holder unknown: see /proc/locks");
}

/* Write @val to @path, as knobs.c does; errors are reported, not fatal. */
static void restore_one(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t r = fd < 0 ? -1 : write(fd, val, strlen(val));
	int err = errno;

	if (fd >= 0)
		close(fd);
	fprintf(stderr, "wsbench:   %s -> %s%s%s\n", path, val,
		r < 0 ? ": failed: " : "", r < 0 ? strerror(err) : "");
}

/*
 * A journal found once we hold the lock is stale: its owner held the
 * lock exclusively for as long as it lived, so it is dead and never got
 * to restore.  Put its knobs back before this run reads any of them.
 */
static void recover_stale(void)
{
	char *lines[256], buf[1024];
	FILE *f = fopen(journal_path, "re");
	int n = 0;

	if (!f)
		return;
	while (n < 256 && fgets(buf, sizeof(buf), f)) {
		lines[n] = strdup(buf);
		if (lines[n])
			n++;
	}
	fclose(f);
	fprintf(stderr, "wsbench: %s: a run that changed knobs died without restoring them (%.*s): restoring them first\n",
		journal_path, n ? (int)strcspn(lines[0], "\n") : 0,
		n ? lines[0] : "");
	for (int i = n - 1; i >= 1; i--) {
		char *tab = strchr(lines[i], '\t');

		if (!tab)
			continue;
		*tab = '\0';
		tab[1 + strcspn(tab + 1, "\n")] = '\0';
		/* Only ever a knob: the journal is not a general write list. */
		if (!any_path && strncmp(lines[i], "/sys/", 5) &&
		    strncmp(lines[i], "/proc/sys/", 10))
			fprintf(stderr, "wsbench:   %s: not a knob, left alone\n",
				lines[i]);
		else
			restore_one(lines[i], tab + 1);
	}
	for (int i = 0; i < n; i++)
		free(lines[i]);
	if (unlink(journal_path))
		fprintf(stderr, "wsbench: %s: cannot remove it: %s\n",
			journal_path, strerror(errno));
}

/*
 * WSBENCH_RUN_DIR moves lock and journal (the unit tests use their own
 * directory, with plain files for knobs); /run/wsbench otherwise.
 */
static void set_paths(void)
{
	const char *env = getenv("WSBENCH_RUN_DIR");

	any_path = env && *env;
	snprintf(run_dir, sizeof(run_dir), "%s", any_path ? env : WS_RUN_DIR);
	snprintf(lock_path, sizeof(lock_path), "%s/knobs.lock", run_dir);
	snprintf(journal_path, sizeof(journal_path), "%s/knobs.journal",
		 run_dir);
}

const char *ws_journal_lock_path(void)
{
	if (!lock_path[0])
		set_paths();
	return lock_path;
}

/* A non-root run can still wait its turn: read-only is enough to flock. */
static int open_lock(void)
{
	set_paths();
	if (mkdir(run_dir, 0755) && errno != EEXIST && errno != EACCES)
		return -errno;
	lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lock_fd < 0 && (errno == EACCES || errno == EROFS))
		lock_fd = open(lock_path, O_RDONLY | O_CLOEXEC);
	return lock_fd < 0 ? -errno : 0;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* flock @op, polling until @wait_s passed (< 0: blocking); 0 or -errno. */
static int take(int op, double wait_s)
{
	const struct timespec poll = { .tv_nsec = POLL_NS };
	double deadline = now_s() + wait_s;
	char who[1024];

	if (!flock(lock_fd, op | LOCK_NB))
		return 0;
	if (errno != EWOULDBLOCK)
		return -errno;
	holders(who, sizeof(who));
	if (!wait_s) {
		fprintf(stderr, "wsbench: another wsbench run holds the knobs (%s): not waiting for it (%s)\n",
			who, lock_path);
		return -EWOULDBLOCK;
	}
	fprintf(stderr, "wsbench: another wsbench run holds the knobs (%s): waiting for it to end, so that no run changes a knob under another (%s)\n",
		who, lock_path);
	if (wait_s < 0)
		return flock(lock_fd, op) ? -errno : 0;
	while (flock(lock_fd, op | LOCK_NB)) {
		if (errno != EWOULDBLOCK)
			return -errno;
		if (now_s() >= deadline) {
			holders(who, sizeof(who));
			fprintf(stderr, "wsbench: another wsbench run still holds the knobs (%s): gave up after %g s\n",
				who, wait_s);
			return -EWOULDBLOCK;
		}
		nanosleep(&poll, NULL);
	}
	return 0;
}

int ws_journal_lock(bool exclusive, double wait_s)
{
	int op = exclusive ? LOCK_EX : LOCK_SH, err;

	if (held == LOCK_EX || held == op)
		return 0;
	if (lock_fd < 0) {
		err = open_lock();
		if (err)
			return err;
	}
	err = take(op, wait_s);
	if (err) {
		/* A failed upgrade drops the shared lock too (flock(2)). */
		close(lock_fd);
		lock_fd = -1;
		held = 0;
		return err;
	}
	held = op;
	owner = getpid();
	recover_stale();
	return 0;
}

int ws_journal_record(const char *path, const char *saved)
{
	char line[512], head[512], cmd[400];
	int fd, n, err = 0;

	if (held != LOCK_EX)
		return -ENOLCK;
	if (strpbrk(path, "\t\n") || strpbrk(saved, "\t\n"))
		return -EINVAL;
	fd = open(journal_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		  0644);
	if (fd < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_END) == 0) {
		cmdline_of(getpid(), cmd, sizeof(cmd));
		n = snprintf(head, sizeof(head), "owner %d %s\n",
			     (int)getpid(), cmd);
		if (write(fd, head, n) != n)
			err = -EIO;
	}
	n = snprintf(line, sizeof(line), "%s\t%s\n", path, saved);
	if (!err && write(fd, line, n) != n)
		err = -EIO;
	/* On disk before the knob changes: SIGKILL must find it. */
	if (!err && fsync(fd))
		err = -errno;
	close(fd);
	return err;
}

void ws_journal_done(void)
{
	/* Only the lock's owner: a forked child's exit ends nothing. */
	if (held == LOCK_EX && owner == getpid())
		unlink(journal_path);
}
