// SPDX-License-Identifier: GPL-2.0
/*
 * A work directory that goes away however wsbench ends (janitor.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attach.h"
#include "janitor.h"

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* attach.h; here, beside the janitor that calls it when we are killed. */
void ws_attach_rm_work(const char *dir)
{
	if (dir[0] && !getenv("WSBENCH_KEEP_WORK"))
		nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* The janitor: no fd of ours but the pipe, no signal but SIGKILL. */
static void janitor(int rd, const char *dir)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	char c;

	prctl(PR_SET_NAME, "wsbench-janitor");
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	for (int fd = 0; null >= 0 && fd < 3; fd++)
		dup2(null, fd);
	if (dup2(rd, 3) < 0)
		_exit(1);
	syscall(SYS_close_range, 4, ~0U, 0);
	while (read(3, &c, 1) < 0 && errno == EINTR)
		;
	ws_attach_rm_work(dir);
	_exit(0);
}

int ws_janitor_start(struct ws_janitor *j, const char *dir)
{
	int p[2];

	j->pid = 0;
	j->fd = -1;
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	j->pid = fork();
	if (j->pid == 0) {
		close(p[1]);
		janitor(p[0], dir);
	}
	close(p[0]);
	if (j->pid < 0) {
		int e = errno;

		close(p[1]);
		j->pid = 0;
		return -e;
	}
	j->fd = p[1];
	return 0;
}

void ws_janitor_stop(struct ws_janitor *j)
{
	if (j->fd >= 0)
		close(j->fd);
	if (j->pid > 0)
		waitpid(j->pid, NULL, 0);
	j->fd = -1;
	j->pid = 0;
}
