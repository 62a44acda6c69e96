// SPDX-License-Identifier: GPL-2.0
/*
 * Save/restore of sysfs and sysctl knobs.  The restore path runs from a
 * signal handler, so it only uses async-signal-safe calls (open, write,
 * close) on data prepared beforehand in static storage.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "knob_journal.h"
#include "knobs.h"

#define WS_MAX_KNOBS	16

struct ws_knob {
	char path[256];
	char saved[128];
	bool changed;
};

static struct ws_knob knobs[WS_MAX_KNOBS];
static volatile sig_atomic_t nr_knobs;

/*
 * DAMON's sysfs files take damon_sysfs_lock with mutex_trylock and fail
 * with EBUSY while another writer holds it (up to one aggregation interval
 * for update_schemes_tried_regions): retry those for a while.
 */
#define EBUSY_RETRIES	1000
#define EBUSY_WAIT_NS	10000000L	/* 10 ms: 10 s in all */

static void write_all(const char *path, const char *val)
{
	struct timespec wait = { .tv_nsec = EBUSY_WAIT_NS };

	for (int try = 0; try < EBUSY_RETRIES; try++) {
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		ssize_t r;

		if (fd < 0)
			return;
		r = write(fd, val, strlen(val));
		close(fd);
		/* Other errors: nothing useful to do from a signal handler. */
		if (r >= 0 || errno != EBUSY)
			return;
		nanosleep(&wait, NULL);
	}
}

static void restore_down_to(int mark)
{
	/* Reverse order: undo later changes first. */
	for (int i = nr_knobs - 1; i >= mark; i--) {
		if (!knobs[i].changed)
			continue;
		write_all(knobs[i].path, knobs[i].saved);
		knobs[i].changed = false;
	}
}

void ws_knobs_restore(void)
{
	restore_down_to(0);
	ws_journal_done();
}

int ws_knobs_mark(void)
{
	return nr_knobs;
}

void ws_knobs_restore_to(int mark)
{
	if (mark < 0 || mark > nr_knobs)
		return;
	restore_down_to(mark);
	/* Restored above: a signal arriving now finds nothing changed. */
	nr_knobs = mark;
}

void ws_knobs_disown(void)
{
	nr_knobs = 0;
}

static void say(const char *msg)
{
	if (write(STDERR_FILENO, msg, strlen(msg)) < 0) {
		/* Nothing left to report it to. */
	}
}

static void on_signal(int sig)
{
	if (sig == SIGALRM)
		say("wsbench: --timeout reached: a backend or workload did not finish (a stuck sync fault?); stopping\n");
	ws_knobs_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

void ws_knobs_init(void)
{
	/*
	 * Every signal whose default action kills the process, crashes
	 * included (a SIGBUS from an exhausted memfd, a SIGSEGV from a bug):
	 * the machine is left as found whatever ends the run.  The handler
	 * runs on its own stack so a stack overflow is covered too.
	 */
	static const int sigs[] = {
		SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGABRT,
		SIGFPE, SIGILL, SIGPIPE, SIGALRM, SIGXCPU, SIGUSR1, SIGUSR2,
	};
	static char altstack[64 * 1024];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa;

	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	atexit(ws_knobs_restore);
}

/* "always [madvise] never" -> "madvise"; "0\n" -> "0". */
static void extract_value(char *buf)
{
	char *l = strchr(buf, '['), *r;

	if (l && (r = strchr(l, ']'))) {
		*r = '\0';
		memmove(buf, l + 1, strlen(l + 1) + 1);
	}
	buf[strcspn(buf, "\n")] = '\0';
}

int ws_knob_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	extract_value(buf);
	return 0;
}

/*
 * The original value on disk, under the machine-wide lock held
 * exclusively, before the knob changes.  `wsbench run` took it already
 * when its options or benchmark change knobs; anything else (a backend
 * setting up DAMON) takes it here, waiting as long as it takes: the
 * run's watchdog bounds that.  Without /run (a minimal guest) the knob is
 * still restored on exit and signals, just not after SIGKILL: said once.
 */
static int journal(const char *path, const char *saved)
{
	static bool warned;
	int err = ws_journal_lock(true, -1);

	if (!err)
		return ws_journal_record(path, saved);
	if (!warned)
		fprintf(stderr, "wsbench: no knob journal (%s: %s): knobs are restored on exit and signals, not after SIGKILL\n",
			ws_journal_lock_path(), strerror(-err));
	warned = true;
	return 0;
}

int ws_knob_set(const char *path, const char *value)
{
	struct ws_knob *k = NULL;
	int fd, err = 0;

	for (int i = 0; i < nr_knobs; i++)
		if (!strcmp(knobs[i].path, path))
			k = &knobs[i];
	if (!k) {
		if (nr_knobs == WS_MAX_KNOBS)
			return -ENOSPC;
		k = &knobs[nr_knobs];
		snprintf(k->path, sizeof(k->path), "%s", path);
		err = ws_knob_read(path, k->saved, sizeof(k->saved));
		if (!err)
			err = journal(path, k->saved);
		if (err)
			return err;
		/* Publish only once fully initialised (signal safety). */
		nr_knobs++;
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	k->changed = true;
	if (write(fd, value, strlen(value)) < 0)
		err = -errno;
	close(fd);
	return err;
}
