// SPDX-License-Identifier: GPL-2.0
/*
 * Whose faults: QEMU's vCPU threads', or its device emulation's.  The
 * nested guest's virtio disk makes QEMU itself read and write guest RAM
 * (its I/O threads' preadv/pwritev into the request's buffers, its main
 * loop's ring updates); those accesses hit protected and evicted pages
 * just as the vCPUs' do and are resolved by the same handler.  QEMU's
 * uffd reports the faulting thread (UFFD_FEATURE_THREAD_ID: ptid), and
 * QMP query-cpus-fast names the vCPU threads; every other thread is
 * "device".  Device emulation that runs on a vCPU thread (under TCG,
 * virtio's queue notify is handled in the vCPU that wrote the register)
 * counts as vCPU.  Also the JSON of the nested guest's disk check.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "gdisk.h"
#include "track_impl.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const class_names[NFC_NR] = { "vcpu", "device",
						 "unknown" };

void ws_nested_faults_init(struct track *t, const int *tids, size_t n,
			   bool thread_id, const char *why)
{
	struct nested_faults *f = &t->ev.f;

	if (n > NESTED_MAX_VCPUS)
		n = NESTED_MAX_VCPUS;
	pthread_mutex_lock(&lock);
	memcpy(f->vcpu, tids, n * sizeof(*tids));
	f->nvcpu = n;
	f->classified = thread_id && n;
	snprintf(f->why, sizeof(f->why), "%s", f->classified ? "" : why);
	pthread_mutex_unlock(&lock);
}

static bool is_vcpu(const struct nested_faults *f, int tid)
{
	for (size_t i = 0; i < f->nvcpu; i++)
		if (f->vcpu[i] == tid)
			return true;
	return false;
}

/* The thread's entry, read its name on first sight (NULL: table full). */
static struct nested_thread *thread_of(struct track *t, int tid)
{
	struct nested_faults *f = &t->ev.f;
	struct nested_thread *th;
	char path[64];
	FILE *fp;

	for (size_t i = 0; i < f->nth; i++)
		if (f->th[i].tid == tid)
			return &f->th[i];
	if (f->nth == NESTED_MAX_THREADS)
		return NULL;
	th = &f->th[f->nth++];
	th->tid = tid;
	th->vcpu = is_vcpu(f, tid);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)t->a.pid,
		 tid);
	fp = fopen(path, "re");
	if (!fp || !fgets(th->comm, sizeof(th->comm), fp))
		snprintf(th->comm, sizeof(th->comm), "?");
	th->comm[strcspn(th->comm, "\n")] = 0;
	if (fp)
		fclose(fp);
	return th;
}

void ws_nested_fault(struct track *t, uint32_t ptid, bool refault)
{
	struct nested_faults *f = &t->ev.f;
	struct nested_thread *th = NULL;
	enum nested_fault_class c = NFC_UNKNOWN;

	pthread_mutex_lock(&lock);
	if (f->classified && ptid) {
		th = thread_of(t, (int)ptid);
		c = is_vcpu(f, (int)ptid) ? NFC_VCPU : NFC_DEVICE;
	}
	f->faults[c]++;
	f->refaults[c] += refault;
	if (th) {
		th->faults++;
		th->refaults += refault;
	} else if (f->classified) {
		f->threads_untracked++;
	}
	pthread_mutex_unlock(&lock);
}

json_t *ws_nested_faults_json(const struct track *t)
{
	const struct nested_faults *f = &t->ev.f;
	json_t *j = json_object(), *th = json_array(), *v = json_array();

	pthread_mutex_lock(&lock);
	json_object_set_new(j, "classified", json_boolean(f->classified));
	if (!f->classified)
		json_object_set_new(j, "reason", json_string(f->why));
	for (int c = 0; c < NFC_NR; c++) {
		char k[32];

		snprintf(k, sizeof(k), "faults_%s", class_names[c]);
		json_object_set_new(j, k, json_integer((json_int_t)f->faults[c]));
		snprintf(k, sizeof(k), "refaults_%s", class_names[c]);
		json_object_set_new(j, k,
				    json_integer((json_int_t)f->refaults[c]));
	}
	for (size_t i = 0; i < f->nvcpu; i++)
		json_array_append_new(v, json_integer(f->vcpu[i]));
	for (size_t i = 0; i < f->nth; i++)
		json_array_append_new(th, json_pack("{s:i,s:s,s:b,s:I,s:I}",
			"tid", f->th[i].tid, "comm", f->th[i].comm,
			"vcpu", f->th[i].vcpu,
			"faults", (json_int_t)f->th[i].faults,
			"refaults", (json_int_t)f->th[i].refaults));
	json_object_set_new(j, "vcpu_tids", v);
	json_object_set_new(j, "threads", th);
	json_object_set_new(j, "faults_threads_untracked",
			    json_integer((json_int_t)f->threads_untracked));
	pthread_mutex_unlock(&lock);
	return j;
}

json_t *ws_nested_disk_json(const struct track *t)
{
	const struct ws_nested_report *r = &t->l.rep;
	json_t *j;

	if (!t->a.disk && !r->have_disk)
		return json_null();
	j = json_pack("{s:s,s:b}", "image", t->a.disk ? t->a.disk : "",
		      "reported", r->have_disk);
	if (!r->have_disk)
		return j;
	json_object_set_new(j, "device", json_string(r->disk_dev));
	if (r->disk_error) {
		json_object_set_new(j, "error", json_string(strerror((int)r->disk_error)));
	} else {
		json_object_set_new(j, "ops", json_integer((json_int_t)r->disk_ops));
		json_object_set_new(j, "bytes_written", json_integer(
			(json_int_t)(r->disk_ops * GDISK_BLOCK)));
		json_object_set_new(j, "blocks_checked",
				    json_integer((json_int_t)r->disk_checked));
		json_object_set_new(j, "bad_readback",
				    json_integer((json_int_t)r->disk_bad_readback));
		json_object_set_new(j, "bad_blocks",
				    json_integer((json_int_t)r->disk_bad));
	}
	json_object_set_new(j, "ok", json_boolean(!ws_nested_disk_bad(t)));
	return j;
}

bool ws_nested_disk_bad(const struct track *t)
{
	const struct ws_nested_report *r = &t->l.rep;

	if (!t->a.disk)
		return r->have_disk && (r->disk_error || r->disk_bad ||
					r->disk_bad_readback);
	return !r->have_disk || r->disk_error || r->disk_bad ||
	       r->disk_bad_readback || !r->disk_ops;
}
