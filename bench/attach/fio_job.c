// SPDX-License-Identifier: GPL-2.0
/*
 * fio job files, as much of them as wsbench attach needs (fio.h): an INI
 * file of [sections] and key[=value] lines, [global] merged into the job.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "fio.h"

#define TMPFS_MAGIC	0x01021994

bool ws_fio_is_fio(const char *argv0)
{
	const char *b = strrchr(argv0, '/');

	return !strcmp(b ? b + 1 : argv0, "fio");
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && strchr(" \t\r\n", e[-1]))
		*--e = '\0';
	return s;
}

/* fio sizes: a number and k/m/g/t (base 1024), optionally "i" and "b". */
static int parse_size(const char *v, uint64_t *out)
{
	char *end;
	unsigned long long n = strtoull(v, &end, 10);
	int shift = 0;

	if (end == v)
		return -EINVAL;
	switch (*end | 0x20) {
	case 'k': shift = 10; end++; break;
	case 'm': shift = 20; end++; break;
	case 'g': shift = 30; end++; break;
	case 't': shift = 40; end++; break;
	default: break;
	}
	if (shift && (*end | 0x20) == 'i')
		end++;
	if ((*end | 0x20) == 'b')
		end++;
	if (*end)
		return -EINVAL;
	*out = (uint64_t)n << shift;
	return 0;
}

static bool truthy(const char *v)
{
	return !v || !*v || !strcmp(v, "1") || !strcmp(v, "true");
}

static int set_key(struct ws_fio_job *j, const char *k, const char *v,
		   char *why, size_t len)
{
	const char *s = v ? v : "";

	if (!strcmp(k, "filename"))
		snprintf(j->filename, sizeof(j->filename), "%s", s);
	else if (!strcmp(k, "ioengine"))
		snprintf(j->ioengine, sizeof(j->ioengine), "%s", s);
	else if (!strcmp(k, "rw") || !strcmp(k, "readwrite"))
		snprintf(j->rw, sizeof(j->rw), "%s", s);
	else if (!strcmp(k, "verify"))
		snprintf(j->verify, sizeof(j->verify), "%s", s);
	else if (!strcmp(k, "random_distribution"))
		snprintf(j->dist, sizeof(j->dist), "%s", s);
	else if (!strcmp(k, "write_iops_log"))
		snprintf(j->iops_log, sizeof(j->iops_log), "%s", s);
	else if (!strcmp(k, "thread"))
		j->thread = truthy(v);
	else if (!strcmp(k, "log_offset"))
		j->log_offset = truthy(v);
	else if (!strcmp(k, "log_alternate_epoch"))
		j->alt_epoch = truthy(v);
	else if (!strcmp(k, "log_alternate_epoch_clock_id"))
		j->clock_id = strtol(s, NULL, 0);
	else if (!strcmp(k, "numjobs"))
		j->numjobs = strtol(s, NULL, 0);
	else if ((!strcmp(k, "size") && parse_size(s, &j->size)) ||
		 ((!strcmp(k, "bs") || !strcmp(k, "blocksize")) &&
		  parse_size(s, &j->bs))) {
		snprintf(why, len, "%s: %s=%s: not a size wsbench reads (a number with k/m/g)",
			 j->path, k, s);
		return -EINVAL;
	}
	return 0;
}

/* The requirements of fio.h, checked once the file is read. */
static int check(struct ws_fio_job *j, int njobs, char *why, size_t len)
{
	struct statfs fs;
	char dir[PATH_MAX], *slash;
	const char *bad = NULL;

	if (njobs != 1 || j->numjobs != 1)
		bad = "wsbench attach runs one fio job (one job section, numjobs=1)";
	else if (strcmp(j->ioengine, "mmap"))
		bad = "ioengine must be mmap: the memory fio touches must be a mapping wsbench can track";
	else if (!j->thread)
		bad = "needs 'thread': fio forks its jobs otherwise, and a forked child does not take part in the handoff";
	else if (!j->filename[0] || strchr(j->filename, ':'))
		bad = "needs one filename= (a file under /dev/shm)";
	else if (!j->size)
		bad = "needs size=";
	if (bad) {
		snprintf(why, len, "%s: %s", j->path, bad);
		return -EINVAL;
	}
	snprintf(dir, sizeof(dir), "%s", j->filename);
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if (statfs(dir, &fs) || fs.f_type != TMPFS_MAGIC) {
		snprintf(why, len, "%s: filename=%s is not on tmpfs: userfaultfd registers shmem mappings, not other file systems' (use /dev/shm)",
			 j->path, j->filename);
		return -EINVAL;
	}
	return 0;
}

/* Can fio's own log serve as ground truth?  Says why not. */
static void truth_check(struct ws_fio_job *j)
{
	long psz = sysconf(_SC_PAGESIZE);
	const char *no = NULL;

	if (!j->iops_log[0])
		no = "no write_iops_log";
	else if (!j->log_offset)
		no = "write_iops_log without log_offset=1 (no offsets)";
	else if (!j->alt_epoch || j->clock_id != 1)
		no = "timestamps not on CLOCK_MONOTONIC (needs log_alternate_epoch=1, log_alternate_epoch_clock_id=1)";
	else if (!j->bs || j->bs % (uint64_t)psz)
		no = "bs is not a multiple of the page size";
	j->truth = !no;
	snprintf(j->no_truth, sizeof(j->no_truth), "%s", no ? no : "");
}

int ws_fio_parse_file(const char *path, struct ws_fio_job *j, char *why,
		      size_t len)
{
	char line[1024], section[128] = "";
	int njobs = 0, ret = 0;
	FILE *f;

	memset(j, 0, sizeof(*j));
	j->numjobs = 1;
	j->bs = 4096;	/* fio's default */
	if (!realpath(path, j->path) || !(f = fopen(j->path, "re"))) {
		snprintf(why, len, "fio job file %s: %s", path, strerror(errno));
		return -EINVAL;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		char *s = trim(line), *eq;

		if (!*s || *s == ';' || *s == '#')
			continue;
		if (*s == '[') {
			snprintf(section, sizeof(section), "%.*s",
				 (int)strcspn(s + 1, "]"), s + 1);
			if (strcmp(section, "global")) {
				njobs++;
				snprintf(j->name, sizeof(j->name), "%s",
					 section);
			}
			continue;
		}
		eq = strchr(s, '=');
		if (eq)
			*eq = '\0';
		ret = set_key(j, trim(s), eq ? trim(eq + 1) : NULL, why, len);
	}
	fclose(f);
	if (!ret)
		ret = check(j, njobs, why, len);
	if (!ret)
		truth_check(j);
	return ret;
}

int ws_fio_parse_cmd(char *const *argv, struct ws_fio_job *job, char *why,
		     size_t len)
{
	const char *file = NULL;

	for (size_t i = 1; argv[i]; i++) {
		const char *a = argv[i];

		if (!strncmp(a, "--output", 8) || !strcmp(a, "--minimal") ||
		    !strncmp(a, "--name", 6)) {
			snprintf(why, len, "fio %s: wsbench sets fio's output itself and reads the job from a job file; drop it",
				 a);
			return -EINVAL;
		}
		if (a[0] == '-')
			continue;
		if (file) {
			snprintf(why, len, "fio: one job file, not %s and %s",
				 file, a);
			return -EINVAL;
		}
		file = a;
	}
	if (!file) {
		snprintf(why, len, "fio: no job file on its command line");
		return -EINVAL;
	}
	return ws_fio_parse_file(file, job, why, len);
}

char **ws_fio_argv(char *const *argv, const char *json_path)
{
	size_t n = 0, k = 0;
	char **v;

	while (argv[n])
		n++;
	v = calloc(n + 3, sizeof(*v));
	if (!v)
		return NULL;
	v[k++] = strdup(argv[0]);
	if (json_path) {
		v[k++] = strdup("--output-format=json");
		if (asprintf(&v[k++], "--output=%s", json_path) < 0)
			v[k - 1] = NULL;
	}
	for (size_t i = 1; i < n; i++) {
		char abs[PATH_MAX];

		v[k++] = strdup(argv[i][0] != '-' && realpath(argv[i], abs) ?
				abs : argv[i]);
	}
	for (size_t i = 0; i < k; i++)
		if (!v[i]) {
			ws_argv_free(v);
			return NULL;
		}
	return v;
}

void ws_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

int ws_fio_iops_log(const struct ws_fio_job *job, const char *dir, char *buf,
		    size_t len)
{
	char pat[PATH_MAX + 300];
	glob_t g;
	int ret = -ENOENT;

	/* fio names it <write_iops_log>_iops.<job index>.log */
	snprintf(pat, sizeof(pat), "%s%s%s_iops.*.log",
		 job->iops_log[0] == '/' ? "" : dir,
		 job->iops_log[0] == '/' ? "" : "/", job->iops_log);
	if (!glob(pat, 0, NULL, &g) && g.gl_pathc) {
		snprintf(buf, len, "%s", g.gl_pathv[0]);
		ret = 0;
	}
	if (ret)
		snprintf(buf, len, "%s", pat);
	globfree(&g);
	return ret;
}
