/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fio as a real workload for wsbench attach (workloads/fio/): its job file
 * read for what attach needs (the file it maps, whether its own per-I/O
 * log can serve as ground truth), its command line completed with JSON
 * output, and its JSON result read back (throughput, latency, verify).
 *
 * What attach requires of a job (else exit 2, naming the option):
 *   one job (numjobs 1), ioengine=mmap (the memory fio touches is the
 *   mapping wsbench tracks), thread (fio forks its jobs otherwise, and a
 *   forked child does not take part in the handoff), a filename on tmpfs
 *   (userfaultfd registers shmem, not ext4 or xfs file mappings), a size.
 * What ground truth requires (else the run reports "no ground truth" and
 * why): write_iops_log, log_offset=1 (one line per I/O with its offset),
 * log_alternate_epoch=1 with log_alternate_epoch_clock_id=1 (timestamps in
 * CLOCK_MONOTONIC milliseconds, wsbench's clock), bs a page multiple.
 */
#ifndef WS_ATTACH_FIO_H
#define WS_ATTACH_FIO_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct ws_fio_job {
	char path[PATH_MAX];		/* the job file, absolute */
	char name[128];			/* its job section */
	char filename[PATH_MAX];
	uint64_t size, bs;
	char ioengine[32], rw[32], verify[32], dist[64];
	bool thread;
	char iops_log[256];		/* write_iops_log=NAME */
	bool log_offset, alt_epoch;
	long clock_id;			/* log_alternate_epoch_clock_id */
	long numjobs;
	bool truth;			/* the log can be ground truth */
	char no_truth[256];		/* why not */
};

/* Is @argv0 fio (its basename)? */
bool ws_fio_is_fio(const char *argv0);
/*
 * Read the job file(s) named in fio's @argv (its non-option arguments).
 * 0, or -EINVAL with @why naming what attach cannot work with.
 */
int ws_fio_parse_cmd(char *const *argv, struct ws_fio_job *job, char *why,
		     size_t len);
int ws_fio_parse_file(const char *path, struct ws_fio_job *job, char *why,
		      size_t len);
/*
 * fio's argv for one run: @argv with --output-format=json
 * --output=@json_path after argv[0] and job files made absolute (the run
 * happens in a work directory of its own); @json_path NULL: the job files
 * made absolute only (for a wsbench attach that sets the output itself).
 * NULL-terminated; free with ws_argv_free().
 */
char **ws_fio_argv(char *const *argv, const char *json_path);
void ws_argv_free(char **argv);
/* Path of the iops log fio wrote in @dir for @job into @buf (0 or -ENOENT). */
int ws_fio_iops_log(const struct ws_fio_job *job, const char *dir, char *buf,
		    size_t len);
/*
 * fio's result: {"error", "runtime_ms", "read": {...}, "write": {...},
 * "usr_cpu", "sys_cpu", "majf", "minf", "verify": "passed" | "failed" |
 * "not enabled", "verify_message"} from its JSON output (@json_path),
 * its stderr (@err_path) and exit status.  NULL with @why if unreadable.
 */
json_t *ws_fio_result(const struct ws_fio_job *job, const char *json_path,
		      const char *err_path, int exit_status, char *why,
		      size_t len);

#endif /* WS_ATTACH_FIO_H */
