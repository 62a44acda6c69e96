// SPDX-License-Identifier: GPL-2.0
/*
 * The uffd handoff with a tiny target (build/tests/attach-target under
 * build/libwsbench-handoff.so): the range, memory fd and uffd come over
 * the socket; pages evicted by the manager are restored by the library
 * both when the manager releases it and when the manager vanishes without
 * a word (its socket closed, as on SIGKILL) -- the target checks every
 * page, before and after unmapping and re-mapping its memfd; a munmap()
 * of the range asks the manager to let go first; a selector nothing
 * matches times out with the selector named; sockets in use are refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compat_uapi.h"
#include "guest.h"
#include "pageset.h"
#include "session.h"
#include "target.h"
#include "uffd.h"
#include "unit.h"

#define SIZE		(4UL << 20)
#define EVICT_FIRST	512
#define EVICT_N		256

static char dir[] = "/tmp/wsbench-handoff-test.XXXXXX";
static char sock[256], lib[PATH_MAX], target[PATH_MAX];

static bool alive(void *arg)
{
	return ws_target_alive(arg);
}

/* Start the target under the library, its output into <dir>/<name>.*. */
static int start(struct ws_target *t, const char *name, const char *seconds)
{
	static char env_lib[PATH_MAX + 16], env_sock[300];
	char *env[] = { env_lib, env_sock, NULL };
	char *argv[] = { target, "--size", "4194304", "--seconds",
			 (char *)seconds, "--kind", "memfd", NULL };
	char out[300], err[300], why[256];
	int ofd, efd, ret;

	snprintf(env_lib, sizeof(env_lib), "LD_PRELOAD=%s", lib);
	snprintf(env_sock, sizeof(env_sock), "%s=%s", WS_HANDOFF_ENV, sock);
	snprintf(out, sizeof(out), "%s/%s.out", dir, name);
	snprintf(err, sizeof(err), "%s/%s.err", dir, name);
	ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	efd = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ws_target_init(t);
	ret = ws_target_spawn(t, argv, NULL, env, ofd, efd, why, sizeof(why));
	close(ofd);
	close(efd);
	if (ret)
		diag("spawn: %s", why);
	return ret;
}

/* Does <dir>/<name>.<ext> contain @text?  Says what it holds if not. */
static bool has(const char *name, const char *ext, const char *text,
		bool quiet)
{
	char path[300], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (!strstr(buf, text) && !quiet)
		diag("%s.%s: %s", name, ext, buf);
	return strstr(buf, text) != NULL;
}

static bool output_has(const char *name, const char *ext, const char *text)
{
	return has(name, ext, text, false);
}

static int handoff(struct ws_session *s, struct ws_target *t,
		   const char *run, const char *name, int timeout_ms)
{
	struct ws_selector sel = { .sel = WS_SEL_NAME };
	char why[512];
	int ret;

	snprintf(sel.name, sizeof(sel.name), "%s", name);
	ws_session_init(s);
	ret = ws_session_listen(s, sock, why, sizeof(why));
	/*
	 * Hand off once it is stamped: a page it first touches after
	 * registration is a MISSING fault, and this test serves none.
	 */
	for (int i = 0; !ret && i < 500 && !has(run, "out", "ready", true);
	     i++)
		usleep(10000);
	if (!ret)
		ret = ws_session_handoff(s, &sel, timeout_ms, alive, t, why,
					 sizeof(why));
	if (ret)
		diag("handoff: %s", why);
	return ret;
}

/* Hand off, take a MISSING uffd, give storage, evict EVICT_N pages. */
static int evict_some(struct ws_session *s, struct ws_target *t,
		      const char *run, struct ws_guest *g, int *uffd)
{
	struct ws_pageset set;
	uint64_t ioctls, took;
	char why[512];
	long n;
	int ret;

	*uffd = -1;
	ret = handoff(s, t, run, "memfd:wsbench-target", 10000);
	if (ret)
		return ret;
	*uffd = ws_session_open_uffd(s, 0, WS_UFFDIO_REGISTER_MODE_MISSING,
				     &ioctls, why, sizeof(why));
	if (*uffd < 0) {
		diag("uffd: %s", why);
		return *uffd;
	}
	ret = ws_guest_adopt(g, s->range.start, s->range.len, dup(s->memfd),
			     (off_t)s->range.offset, dir, why, sizeof(why));
	if (!ret)
		ret = ws_session_storage(s, g->storage_fd, g->state_fd,
					 g->mem.npages, g->mem.page_size, why,
					 sizeof(why));
	if (ret) {
		diag("storage: %s", why);
		return ret;
	}
	ws_pageset_init(&set, g->mem.npages);
	ws_pageset_set_range(&set, EVICT_FIRST, EVICT_N);
	/* Nobody may write a page while it is written out: pause it. */
	ret = ws_target_stop(t, 5000, &took);
	n = ret ? ret : ws_guest_evict(g, &set, *uffd, 1);
	ws_target_cont(t);
	ws_pageset_free(&set);
	return n == EVICT_N ? 0 : -EIO;
}

static bool is_hole(int fd, off_t off)
{
	return lseek(fd, off, SEEK_HOLE) == off;
}

static void test_handoff_and_crash(void)
{
	struct ws_target t;
	struct ws_session s;
	struct ws_guest g;
	struct stat st;
	int uffd, ret;
	off_t size;

	ok(!start(&t, "crash", "3"), "target starts under the preload library");
	ret = evict_some(&s, &t, "crash", &g, &uffd);
	size = s.memfd >= 0 && !fstat(s.memfd, &st) ? st.st_size : -1;
	ok(!ret, "handoff by name, MISSING uffd from the target, %d pages evicted",
	   EVICT_N);
	ok(s.pid == t.pid && s.range.len == SIZE &&
	   strstr(s.range.name, "memfd:wsbench-target"),
	   "RANGE: pid %d, %llu bytes, %s", (int)s.pid,
	   (unsigned long long)s.range.len, s.range.name);
	ok(size == (off_t)SIZE, "the memory fd came along (SCM_RIGHTS), size %lld",
	   (long long)size);
	ok(s.have_uffd && !s.user_mode_only,
	   "the uffd came along, made without UFFD_USER_MODE_ONLY (root)");
	ok(s.memfd >= 0 && is_hole(s.memfd, EVICT_FIRST * 4096L) &&
	   !is_hole(s.memfd, 0), "evicted pages are holes in the memfd");
	/* The manager vanishes: no RELEASE, its fds closed by the kernel. */
	close(uffd);
	ws_guest_free(&g);
	ws_session_close(&s);
	ok(!ws_target_wait(&t, 20000) && WIFEXITED(t.status) &&
	   WEXITSTATUS(t.status) == 0,
	   "manager gone mid-run: the target finishes, every page intact (status 0x%x)",
	   t.status);
	ok(output_has("crash", "err", "manager gone: 256 evicted pages restored, 0 failed"),
	   "the library restored the 256 evicted pages from storage");
	ok(output_has("crash", "out", " 0 bad (at the end 0, after re-mapping 0)"),
	   "the target's own check: 0 bad pages, also after re-mapping its memfd");
	ws_target_release(&t);
}

static void test_release(void)
{
	struct ws_target t;
	struct ws_session s;
	struct ws_guest g;
	char why[512] = "";
	int uffd, ret;

	start(&t, "release", "2");
	ret = evict_some(&s, &t, "release", &g, &uffd);
	close(uffd);
	ret = ret ? ret : ws_session_release(&s, 20000, why, sizeof(why));
	ok(!ret && s.restored == EVICT_N && !s.restore_failed,
	   "RELEASE: the library restored %llu pages, %llu failed %s",
	   (unsigned long long)s.restored,
	   (unsigned long long)s.restore_failed, why);
	ok(s.memfd >= 0 && !is_hole(s.memfd, EVICT_FIRST * 4096L),
	   "... before its RELEASED reply: no hole left");
	ws_guest_free(&g);
	ws_session_close(&s);
	ok(!ws_target_wait(&t, 20000) && WIFEXITED(t.status) &&
	   WEXITSTATUS(t.status) == 0 &&
	   output_has("release", "out", " 0 bad "),
	   "the target runs on and finds every page intact");
	ws_target_release(&t);
}

static void test_unmapping(void)
{
	struct ws_target t;
	struct ws_session s;
	uint64_t ioctls;
	char why[512] = "";
	int uffd, ret;

	start(&t, "unmap", "1");
	ret = handoff(&s, &t, "unmap", "memfd:wsbench-target", 10000);
	uffd = ret ? -1 : ws_session_open_uffd(&s, 0,
			WS_UFFDIO_REGISTER_MODE_MISSING, &ioctls, why,
			sizeof(why));
	ok(uffd >= 0, "handoff and uffd %s", why);
	ret = ws_session_poll(&s, 20000);
	if (!s.unmapping)
		diag("poll %d, gone %d", ret, s.gone);
	ok(ret == 1 && s.unmapping && s.unmap_reason == WS_HO_UNMAP_MUNMAP,
	   "the target's munmap() asks for the range back first (UNMAPPING, reason %u)",
	   s.unmap_reason);
	if (uffd >= 0)
		close(uffd);
	ok(!ws_session_release(&s, 20000, why, sizeof(why)),
	   "released on request %s", why);
	ws_session_close(&s);
	ok(!ws_target_wait(&t, 20000) && WIFEXITED(t.status) &&
	   WEXITSTATUS(t.status) == 0, "... and its munmap() then goes on");
	ws_target_release(&t);
}

static void test_bad_input(void)
{
	struct ws_target t;
	struct ws_session s, other;
	char why[512];
	int ret, fd;

	start(&t, "nomatch", "2");
	ret = handoff(&s, &t, "nomatch", "no-such-mapping", 1500);
	ws_session_close(&s);
	ok(ret == -ETIMEDOUT, "a selector nothing matches: -ETIMEDOUT (%d)", ret);
	ws_target_wait(&t, 20000);
	ok(WIFEXITED(t.status) && WEXITSTATUS(t.status) == 0,
	   "... and the target, told BYE, runs to its end untouched");
	ws_target_release(&t);

	ws_session_init(&s);
	ws_session_init(&other);
	ret = ws_session_listen(&s, sock, why, sizeof(why));
	ok(!ret && ws_session_listen(&other, sock, why, sizeof(why)) ==
	   -EADDRINUSE && strstr(why, "another manager"),
	   "a socket another manager listens on is refused: %s", why);
	ws_session_close(&s);
	fd = open(sock, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	close(fd);
	ok(ws_session_listen(&other, sock, why, sizeof(why)) == -EEXIST,
	   "a file that is not a socket is refused: %s", why);
	unlink(sock);
	ok(ws_target_check_pid(INT_MAX - 1, why, sizeof(why)) == -ESRCH &&
	   strstr(why, "no such process"), "--pid of no process: %s", why);
}

int main(void)
{
	const char *build = getenv("WSBENCH_BUILD") ? getenv("WSBENCH_BUILD") :
			    "build";
	char rel[PATH_MAX];

	plan(21);
	snprintf(rel, sizeof(rel), "%s/libwsbench-handoff.so", build);
	if (!realpath(rel, lib) || !mkdtemp(dir)) {
		diag("%s: %s (make builds it)", rel, strerror(errno));
		return 1;
	}
	snprintf(rel, sizeof(rel), "%s/tests/attach-target", build);
	if (!realpath(rel, target))
		diag("%s: %s", rel, strerror(errno));
	snprintf(sock, sizeof(sock), "%s/s.sock", dir);
	test_handoff_and_crash();
	test_release();
	test_unmapping();
	test_bad_input();
	if (!getenv("KEEP")) {
		snprintf(rel, sizeof(rel), "rm -rf '%s'", dir);
		(void)!system(rel);
	}
	return done_testing();
}
