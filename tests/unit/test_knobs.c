// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the scoped knobs of bench/lib/knobs.c on plain files
 * standing in for sysfs: ws_knobs_restore_to() restores exactly the knobs
 * set after its mark, leaves earlier ones changed, and forgets what it
 * restored: a later use saves the value it finds then.  (Values have
 * equal lengths: a plain file, unlike sysfs, is not truncated on write.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

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

int main(void)
{
	const char *thp, *nr, *state;
	int mark, status;
	pid_t pid;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	thp = knob("thp", "aa");
	nr = knob("nr_kdamonds", "1");
	state = knob("state", "off");

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

	unlink(thp);
	unlink(nr);
	unlink(state);
	rmdir(dir);
	return done_testing();
}
