// SPDX-License-Identifier: GPL-2.0
/*
 * attach-target: a tiny program for wsbench attach's tests.  It maps some
 * memory, stamps every page, then reads and writes pages (mostly a hot
 * set) for a while, checking each page it reads against the stamp it
 * last wrote; at the end it checks every page, unmaps the memory and --
 * for a memfd or a tmpfs file -- maps it again and checks once more, so a
 * page left evicted (a hole) after the unmap is caught too.
 *
 *   attach-target [--size BYTES] [--seconds S] [--kind memfd|anon|file:PATH]
 *                 [--hot PCT] [--seed N] [--fork-after S] [--fork-first]
 *
 * --fork-after S: after S seconds a forked child reads and checks every
 * page (it shares the memory, not the uffd) while the parent waits.
 * --fork-first: once stamped, before anything else, fork a child that
 * keeps reading every page until the parent is done.
 *
 * Prints "ready pid=N" once stamped, and a verdict line; exits 0 when
 * every check passed, 3 when a page did not hold what was written, 2 on
 * bad arguments, 1 on other errors.  SIGTERM/SIGINT end the run early
 * (with the final checks).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAGIC	0x7773626e63686b21ULL	/* "wsbnchk!" */

static volatile sig_atomic_t stop;
static size_t psz, npages;
static uint64_t *gen;		/* last generation written, per page */
static uint64_t bad, first_bad = UINT64_MAX;
static double fork_after = -1;
static uint64_t child_bad, readers;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void stamp(char *mem, size_t i)
{
	uint64_t *w = (uint64_t *)(mem + i * psz);
	size_t last = psz / sizeof(uint64_t) - 1;

	gen[i]++;
	w[0] = MAGIC ^ i;
	w[1] = gen[i];
	w[last] = MAGIC ^ i ^ gen[i];
}

static bool check(const char *mem, size_t i)
{
	const uint64_t *w = (const uint64_t *)(mem + i * psz);
	size_t last = psz / sizeof(uint64_t) - 1;

	if (w[0] == (MAGIC ^ i) && w[1] == gen[i] &&
	    w[last] == (MAGIC ^ i ^ gen[i]))
		return true;
	if (!bad++)
		first_bad = i;
	return false;
}

static uint64_t check_all(const char *mem)
{
	uint64_t before = bad;

	for (size_t i = 0; i < npages; i++)
		check(mem, i);
	return bad - before;
}

static int usage(const char *msg)
{
	fprintf(stderr, "attach-target: %s\nusage: attach-target [--size BYTES] [--seconds S] [--kind memfd|anon|file:PATH] [--hot PCT] [--seed N]\n",
		msg);
	return 2;
}

static int map_memory(const char *kind, size_t len, char **mem, int *fd)
{
	*fd = -1;
	if (!strcmp(kind, "anon")) {
		*mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	} else {
		if (!strcmp(kind, "memfd"))
			*fd = memfd_create("wsbench-target", MFD_CLOEXEC);
		else
			*fd = open(kind + 5, O_RDWR | O_CREAT | O_TRUNC |
				   O_CLOEXEC, 0600);
		if (*fd < 0 || ftruncate(*fd, (off_t)len))
			return -errno;
		*mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			    *fd, 0);
	}
	return *mem == MAP_FAILED ? -errno : 0;
}

/* A child that shares the memory checks every page; its bad count back. */
static void fork_reader(char *mem)
{
	int status;
	pid_t pid;

	fflush(stdout);
	readers++;
	pid = fork();
	if (pid == 0)
		_exit(check_all(mem) ? 3 : 0);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		child_bad++;
		bad++;
	}
}

/* --fork-first: a reader forked early, checking until the parent ends. */
static pid_t fork_sharer(char *mem, double seconds)
{
	pid_t pid;

	fflush(stdout);
	readers++;
	pid = fork();
	if (pid)
		return pid;
	for (double t = 0; t < seconds + 2 && getppid() != 1; t += 0.2) {
		const uint64_t *w;

		/* Read only: its own gen[] copy goes stale as the parent writes. */
		for (size_t i = 0; i < npages; i++) {
			w = (const uint64_t *)(mem + i * psz);
			if (w[0] != (MAGIC ^ i))
				_exit(3);
		}
		nanosleep(&(struct timespec){ 0, 200000000L }, NULL);
	}
	_exit(0);
}

/*
 * Mostly the hot set, sometimes anywhere; half reads, half writes, and
 * every access checks the page first: a write over a page that lost its
 * content would otherwise hide the loss.  "Anywhere" is the lower half
 * only in every other second: the upper half rests long enough to go cold
 * and be evicted whatever the machine's speed (a fast one otherwise
 * touches every page in every interval), then is touched again.
 */
static void run(char *mem, double seconds, double hot_pct, uint64_t seed,
		uint64_t *reads, uint64_t *writes)
{
	size_t hot = (size_t)(npages * hot_pct / 100), span = npages;
	struct timespec t0, t, nap = { 0, 1000000 };
	uint64_t s = seed | 1;
	double elapsed;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stop) {
		for (int k = 0; k < 2000; k++) {
			uint64_t r = rnd(&s);
			size_t i = (r % 10 < 8 && hot) ? (r >> 8) % hot :
				   (r >> 8) % span;

			check(mem, i);
			if (r & (1 << 5)) {
				stamp(mem, i);
				(*writes)++;
			} else {
				(*reads)++;
			}
		}
		nanosleep(&nap, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t);
		elapsed = t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9;
		if (elapsed >= seconds)
			break;
		span = (long)elapsed % 2 && npages > 1 ? npages / 2 : npages;
		if (fork_after >= 0 && elapsed >= fork_after) {
			fork_reader(mem);
			fork_after = -1;
		}
	}
}

int main(int argc, char **argv)
{
	const char *kind = "memfd";
	double seconds = 5, hot_pct = 10;
	uint64_t seed = 1, reads = 0, writes = 0, at_end, after_remap = 0;
	size_t len = 16 << 20;
	char *mem, *end;
	bool fork_first = false;
	pid_t sharer = 0;
	int fd, status;

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--fork-first")) {
			fork_first = true;
			continue;
		}
		if (!v)
			return usage("missing value");
		end = (char *)"";
		if (!strcmp(argv[i], "--size"))
			len = strtoull(v, &end, 0);
		else if (!strcmp(argv[i], "--seconds"))
			seconds = strtod(v, &end);
		else if (!strcmp(argv[i], "--hot"))
			hot_pct = strtod(v, &end);
		else if (!strcmp(argv[i], "--fork-after"))
			fork_after = strtod(v, &end);
		else if (!strcmp(argv[i], "--seed"))
			seed = strtoull(v, &end, 0);
		else if (!strcmp(argv[i], "--kind") &&
			 (!strcmp(v, "memfd") || !strcmp(v, "anon") ||
			  !strncmp(v, "file:", 5)))
			kind = v;
		else
			return usage(argv[i]);
		if (*end)
			return usage(argv[i]);
		i++;
	}
	psz = (size_t)sysconf(_SC_PAGESIZE);
	npages = len / psz;
	if (!npages || len % psz || hot_pct < 0 || hot_pct > 100)
		return usage("--size must be a positive page multiple, --hot 0..100");
	gen = calloc(npages, sizeof(*gen));
	if (!gen || map_memory(kind, len, &mem, &fd)) {
		perror("attach-target: memory");
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	for (size_t i = 0; i < npages; i++)
		stamp(mem, i);
	if (fork_first)
		sharer = fork_sharer(mem, seconds);
	printf("ready pid=%d\n", (int)getpid());
	fflush(stdout);
	run(mem, seconds, hot_pct, seed, &reads, &writes);
	if (sharer > 0 && (waitpid(sharer, &status, 0) != sharer ||
			   !WIFEXITED(status) || WEXITSTATUS(status))) {
		child_bad++;
		bad++;
	}
	at_end = check_all(mem);
	munmap(mem, len);
	/* What the program would find on mapping its memory again. */
	if (fd >= 0) {
		mem = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
		if (mem == MAP_FAILED) {
			perror("attach-target: mmap again");
			return 1;
		}
		after_remap = check_all(mem);
		munmap(mem, len);
	}
	printf("attach-target: %zu pages, %llu reads, %llu writes, %llu bad (at the end %llu, after re-mapping %llu); first bad page %lld; %llu forked readers, %llu found bad pages\n",
	       npages, (unsigned long long)reads, (unsigned long long)writes,
	       (unsigned long long)bad, (unsigned long long)at_end,
	       (unsigned long long)after_remap,
	       bad ? (long long)first_bad : -1LL,
	       (unsigned long long)readers, (unsigned long long)child_bad);
	if (!strncmp(kind, "file:", 5))
		unlink(kind + 5);
	return bad ? 3 : 0;
}
