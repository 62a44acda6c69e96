// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the scoped knobs of bench/lib/knobs.c on plain files
 * standing in for sysfs: ws_knobs_restore_to() restores exactly the knobs
 * set after its mark, leaves earlier ones changed, and forgets what it
 * restored: a later use saves the value it finds then.  (Values have
 * equal lengths: a plain file, unlike sysfs, is not truncated on write.)
 * The knob journal (knob_journal.c), in the test's own directory
 * (WSBENCH_RUN_DIR): a SIGKILLed process's knobs are restored by the next
 * one to take the lock, and a clean restore leaves no journal.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "knob_journal.h"
#include "knobs.h"
#include "unit.h"

static char dir[] = "/tmp/wsbench-knobs.XXXXXX";

static const char *knob(const char *name, const char *val)
{
	static char path[4][128];
	static int n;
	char *p = path[n++ % 4];
	FILE *f;

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f || fputs(val, f) < 0 || fclose(f)) {
		perror(p);
		exit(1);
	}
	return p;
}

static bool reads(const char *path, const char *want)
{
	char buf[64] = "";

	if (ws_knob_read(path, buf, sizeof(buf)))
		return false;
	if (strcmp(buf, want))
		diag("%s reads '%s', want '%s'", path, buf, want);
	return !strcmp(buf, want);
}

static bool has_line(const char *path, const char *want)
{
	char line[512];
	bool found = false;
	FILE *f = fopen(path, "r");

	while (f && !found && fgets(line, sizeof(line), f))
		found = !strncmp(line, want, strlen(want));
	if (f)
		fclose(f);
	return found;
}

/*
 * A child sets a knob and is SIGKILLed: no handler runs, the knob stays
 * changed and the journal names it; taking the lock restores it.
 */
static void test_stale_journal(const char *nr, const char *journal)
{
	char line[256];
	int status;
	pid_t pid = fork();

	if (!pid) {
		if (ws_knob_set(nr, "5"))
			_exit(1);
		raise(SIGKILL);
	}
	ok(pid > 0 && waitpid(pid, &status, 0) == pid &&
	   WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	   "a child set a knob and was SIGKILLed");
	snprintf(line, sizeof(line), "%s\t1", nr);
	ok(reads(nr, "5") && has_line(journal, line),
	   "its knob is left changed, its journal holds the original");
	snprintf(line, sizeof(line), "owner %d ", (int)pid);
	ok(has_line(journal, line), "... and names the dead owner");
	ok(!ws_journal_lock(false, 0), "the next process takes the lock");
	ok(reads(nr, "1") && access(journal, F_OK),
	   "... and restored the knob and removed the journal first");
}

int main(void)
{
	const char *thp, *nr, *state;
	char journal[256];
	int mark, status;
	pid_t pid;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	thp = knob("thp", "aa");
	nr = knob("nr_kdamonds", "1");
	state = knob("state", "off");
	snprintf(journal, sizeof(journal), "%s/knobs.journal", dir);
	setenv("WSBENCH_RUN_DIR", dir, 1);
	test_stale_journal(nr, journal);

	ok(!ws_knob_set(thp, "bb"), "an outer knob (like --thp) set");
	mark = ws_knobs_mark();
	ok(!ws_knob_set(nr, "2") && !ws_knob_set(state, "onn"),
	   "two scoped knobs set after the mark");
	ok(reads(thp, "bb") && reads(nr, "2") && reads(state, "onn"),
	   "all three changed");

	ws_knobs_restore_to(mark);
	ok(reads(nr, "1") && reads(state, "off"),
	   "restore_to(mark) restores the scoped knobs");
	ok(reads(thp, "bb"), "... and leaves the outer one changed");
	ok(ws_knobs_mark() == mark, "... and forgets the scoped ones");

	/*
	 * Changed behind our back since: the next scoped use saves the value
	 * it finds now, not the one from before.
	 */
	knob("nr_kdamonds", "7");
	mark = ws_knobs_mark();
	ok(!ws_knob_set(nr, "8") && reads(nr, "8"), "scoped knob set again");
	ws_knobs_restore_to(mark);
	ok(reads(nr, "7"), "... and restored to the value it had then");
	ws_knobs_restore();
	ok(reads(thp, "aa"), "full restore restores the outer knob");
	ok(reads(nr, "7"), "... and does not rewrite a restored one");

	ws_knobs_restore_to(mark + 5);
	ws_knobs_restore_to(-1);
	ok(ws_knobs_mark() == mark, "out-of-range marks are ignored");

	/*
	 * A forked child (numa-interplay's isolated runs) disowns the
	 * parent's knobs: its restore undoes only what it set itself.
	 */
	ok(!ws_knob_set(thp, "cc"), "parent sets a knob before fork");
	pid = fork();
	if (!pid) {
		ws_knobs_disown();
		if (ws_knob_set(state, "onn") || !reads(state, "onn"))
			_exit(1);
		ws_knobs_restore();
		_exit(0);
	}
	ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	   !WEXITSTATUS(status), "child set a knob of its own and restored");
	ok(reads(thp, "cc"), "... without restoring the parent's knob");
	ok(reads(state, "off"), "... and its own knob is restored");
	ws_knobs_restore();
	ok(reads(thp, "aa"), "the parent still restores its knob");
	ok(access(journal, F_OK), "... and, everything restored, removes the journal");

	unlink(thp);
	unlink(nr);
	unlink(state);
	unlink(journal);
	snprintf(journal, sizeof(journal), "%s/knobs.lock", dir);
	unlink(journal);
	rmdir(dir);
	return done_testing();
}
