// SPDX-License-Identifier: GPL-2.0
/*
 * The summary of a BENCH_PROFILE=vmm run (nested-track.json): per
 * mechanism, precision and recall against the nested guest's truth, and
 * whether the workload's bytes were where the truth said.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "boots.h"
#include "nested.h"

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : 0;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "?";
}

/*
 * @key of @o printed with @fmt, or "-" when it is absent: a run that
 * predates it, or a phase the cycle times itself (arm, collect).
 */
static const char *num_or_dash(char *buf, size_t n, json_t *o,
			       const char *key, const char *fmt)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_number(v))
		return "-";
	snprintf(buf, n, fmt, json_number_value(v));
	return buf;
}

/* A fraction, 4 decimals. */
static const char *frac(char *buf, size_t n, json_t *o, const char *key)
{
	return num_or_dash(buf, n, o, key, "%.4f");
}

/* Milliseconds, 3 significant digits. */
static const char *ms(char *buf, size_t n, json_t *o, const char *key)
{
	return num_or_dash(buf, n, o, key, "%.3g");
}

/*
 * A boot's slowdown against the untracked baseline, on the nested guest's
 * clock and on the wall ("nested/wall"), or "-".
 */
static const char *slowdown(char *buf, size_t n, json_t *boot)
{
	json_t *s = json_object_get(boot, "slowdown");

	if (!json_is_true(json_object_get(s, "measured")))
		return "-";
	snprintf(buf, n, "%.2f/%.2f", num(s, "slowdown"),
		 num(s, "slowdown_wall"));
	return buf;
}

/*
 * @name, with the round when @path is a later round's boot
 * (NESTED_BOOTS: nested-track.wp.r2.json -> "wp r2").
 */
static const char *boot_label(char *buf, size_t n, const char *name,
			      const char *path)
{
	const char *r = path ? strrchr(path, '/') : NULL;
	unsigned int round;
	char end;

	r = strstr(r ? r : path ? path : "", ".r");
	while (r && sscanf(r, ".r%u.jso%c", &round, &end) != 2)
		r = strstr(r + 1, ".r");
	if (!r)
		return name;
	snprintf(buf, n, "%s r%u", name, round);
	return buf;
}

static void mechanism_header(FILE *out)
{
	fprintf(out, "%-10s %-13s %9s %7s %10s %9s %8s %7s %7s %8s %10s %9s\n",
		"mechanism", "sees", "precision", "recall", "reported",
		"touched", "outside", "cold P", "cold R", "arm ms",
		"collect ms", "slowdown");
}

/* The mechanisms of one boot (nested-track*.json @boot). */
static void mechanism_rows(FILE *out, json_t *boot, const char *path)
{
	char label[64];
	json_t *mech = json_object_get(boot, "mechanisms");
	const char *name;
	json_t *m;
	char sd[32];

	json_object_foreach(mech, name, m) {
		json_t *t = json_object_get(m, "total");
		json_t *c = json_object_get(t, "cold");
		char cp[32], cr[32], am[32], cm[32];

		if (!json_is_true(json_object_get(m, "supported"))) {
			fprintf(out, "%-10s skipped: %s\n",
				boot_label(label, sizeof(label), name, path),
				str(m, "reason"));
			continue;
		}
		fprintf(out, "%-10s %-13s %9.4f %7.4f %10.0f %9.0f %8.0f %7s %7s %8s %10s %9s\n",
			boot_label(label, sizeof(label), name, path),
			str(m, "sees"), num(t, "precision"),
			num(t, "recall"), num(t, "reported"), num(t, "truth"),
			num(t, "hot_outside_workload"), frac(cp, sizeof(cp), c, "precision"),
			frac(cr, sizeof(cr), c, "recall"),
			ms(am, sizeof(am), m, "arm_ms_mean"),
			ms(cm, sizeof(cm), m, "collect_ms_mean"),
			slowdown(sd, sizeof(sd), boot));
	}
}

static bool content_ok(json_t *in)
{
	return json_is_true(json_object_get(in, "sum_match")) &&
	       num(in, "word0_bad") == 0 && num(in, "nested_bad_pages") == 0;
}

/* One boot's cycle (nested track --evict): one row of the eviction table. */
static void eviction_row(FILE *out, json_t *j, const char *path)
{
	json_t *ev = json_object_get(j, "eviction");
	void *it = json_object_iter(json_object_get(j, "mechanisms"));
	const char *name = it ? json_object_iter_key(it) : "?";
	char sd[32], label[64];

	if (!json_is_true(json_object_get(ev, "measured")))
		return;
	fprintf(out, "%-10s %-8s %-6s %10.2f %9.0f %10.1f %9.2f %9.2f %10.2f %6.0f %-9s %9s\n",
		boot_label(label, sizeof(label), name, path), str(ev, "protocol"), str(ev, "freeze"),
		num(ev, "evicted_mib"), num(ev, "refaults"),
		num(ev, "refaults_per_s"), num(ev, "stall_ms_p50"),
		num(ev, "stall_ms_p99"), num(ev, "manager_cpu_ms_per_interval"),
		num(ev, "pages_lost"),
		json_is_true(json_object_get(ev, "accounted")) ? "yes" : "NO",
		slowdown(sd, sizeof(sd), j));
}

static void eviction_table(FILE *out, const char *dir)
{
	struct ws_nested_boots b;
	const char *path;
	bool head = false;
	json_t *j;

	if (!ws_nested_boots_open(&b, dir, "nested-track*.json"))
		return;
	while (ws_nested_boots_next(&b, &j, &path)) {
		if (j && json_is_true(json_object_get(json_object_get(j,
				"eviction"), "measured")) && !head) {
			fprintf(out, "the cycle on QEMU's RAM (detect, freeze, evict, refault):\n");
			fprintf(out, "%-10s %-8s %-6s %10s %9s %10s %9s %9s %10s %6s %-9s %9s\n",
				"mechanism", "protocol", "freeze", "evict MiB",
				"refaults", "refault/s", "stall p50", "stall p99",
				"CPU ms/iv", "lost", "accounted", "slowdown");
			head = true;
		}
		if (j)
			eviction_row(out, j, path);
		json_decref(j);
	}
	if (head)
		fprintf(out, "(stall: freeze to unfreeze, ms of wall time per interval; CPU: the manager's and its fault handler's; lost: bad pages in the nested guest's stamp check, at the memfd, or not restored; accounted: evicted = refaulted + restored at release)\n");
}

/* One boot's row of the device table (qthreads.c's JSON, the disk check). */
static void device_row(FILE *out, json_t *j, const char *path)
{
	json_t *f = json_object_get(json_object_get(j, "eviction"), "faults");
	json_t *d = json_object_get(j, "disk");
	void *it = json_object_iter(json_object_get(j, "mechanisms"));
	/* No mechanism: the untracked baseline boot (its disk checked too). */
	const char *name = it ? json_object_iter_key(it) : "untracked";
	char disk[64], label[64];

	name = boot_label(label, sizeof(label), name, path);
	if (!json_is_object(d))
		snprintf(disk, sizeof(disk), "none");
	else if (!json_is_true(json_object_get(d, "reported")))
		snprintf(disk, sizeof(disk), "NOT REPORTED");
	else
		snprintf(disk, sizeof(disk), "%.0f ops, %s", num(d, "ops"),
			 json_is_true(json_object_get(d, "ok")) ? "ok" : "BAD");
	if (!json_is_true(json_object_get(f, "classified"))) {
		fprintf(out, "%-10s %s; disk %s\n", name,
			f ? str(f, "reason") : "no cycle: no faults delivered",
			disk);
		return;
	}
	fprintf(out, "%-10s %11.0f %11.0f %13.0f %15.0f  %s\n",
		name, num(f, "faults_vcpu"),
		num(f, "faults_device"), num(f, "refaults_vcpu"),
		num(f, "refaults_device"), disk);
}

/* QEMU's own accesses: its vCPU threads' faults against the others'. */
static void device_table(FILE *out, const char *dir)
{
	struct ws_nested_boots b;
	const char *path;
	json_t *j;

	if (!ws_nested_boots_open(&b, dir, "nested-track*.json"))
		return;
	fprintf(out, "QEMU's own accesses (the nested guest's virtio disk, O_DIRECT):\n");
	fprintf(out, "%-10s %11s %11s %13s %15s  %s\n", "mechanism",
		"faults vCPU", "device", "refaults vCPU", "refaults device",
		"disk check");
	while (ws_nested_boots_next(&b, &j, &path)) {
		if (j)
			device_row(out, j, path);
		json_decref(j);
	}
	fprintf(out, "(faults QEMU's uffd delivered to the cycle, by thread: its vCPU threads, or the others -- its I/O workers and main loop doing the disk's DMA -- all resolved by the same handler; rwp async faults outside the freeze resolve in the kernel and are not counted)\n");
}

/*
 * The boots after the first (scripts/nested-run.sh: one per NESTED_VIA
 * group; rwp and wp need one each): nested-track.VIA.json, same workload.
 */
static void later_boots(FILE *out, const char *dir)
{
	struct ws_nested_boots b;
	const char *path;
	json_t *j;

	if (!ws_nested_boots_open(&b, dir, "nested-track.*.json"))
		return;
	while (ws_nested_boots_next(&b, &j, &path)) {
		json_t *in = json_object_get(j, "integrity");

		if (!j)
			continue;
		mechanism_rows(out, j, path);
		if (!content_ok(in))
			fprintf(out, "%-10s ^ its boot's memfd check FAILED (%s)\n",
				"", path);
		json_decref(j);
	}
}

/* The untracked boot every slowdown is measured against. */
static void baseline_line(FILE *out, const char *dir)
{
	char path[4096];
	json_t *j, *r;

	snprintf(path, sizeof(path), "%s/nested-track.baseline.json", dir);
	j = json_load_file(path, 0, NULL);
	if (!j) {
		fprintf(out, "slowdown: not measured (no untracked baseline boot: NESTED_BASELINE=1)\n");
		return;
	}
	r = json_object_get(j, "workload_rate");
	if (json_is_true(json_object_get(r, "measured")))
		fprintf(out, "(slowdown: the untracked baseline boot's accesses/s over the boot's, in the intervals, on the nested guest's clock / on the wall; baseline %.0f / %.0f accesses/s, nested-track.baseline.json)\n",
			num(r, "accesses_per_s"), num(r, "accesses_per_wall_s"));
	else
		fprintf(out, "slowdown: the untracked baseline has no rate: %s\n",
			str(r, "reason"));
	json_decref(j);
}

int ws_nested_summary_print(FILE *out, const char *dir)
{
	char path[4096];
	json_t *j, *p, *tr, *in, *ev;

	snprintf(path, sizeof(path), "%s/nested-track.json", dir);
	j = json_load_file(path, 0, NULL);
	if (!j)
		return -ENOENT;
	p = json_object_get(j, "params");
	tr = json_object_get(j, "truth");
	in = json_object_get(j, "integrity");
	if (!strcmp(str(j, "accel"), "tcg"))
		fprintf(out, "WARNING: accel=tcg (and the nested guest under TCG inside it): timings are NOT meaningful, only correctness is.\n");
	fprintf(out, "wsbench %s  nested QEMU guest tracked from outside  kernel %s  accel %s\n",
		dir, str(json_object_get(json_object_get(j, "environment"),
					 "kernel"), "release"), str(j, "accel"));
	fprintf(out, "nested QEMU: -accel %s%s%s%s\n", str(j, "nested_accel"),
		json_object_get(j, "nested_accel_not_kvm") ? " (not kvm: " : "",
		json_object_get(j, "nested_accel_not_kvm") ?
		str(j, "nested_accel_not_kvm") : "",
		json_object_get(j, "nested_accel_not_kvm") ? ")" : "");
	fprintf(out, "workload %s: %.0f pages of %.0f (RAM memfd), %.0f intervals of %.0f ms; boot to hello %.1f s\n",
		str(tr, "pattern"), num(tr, "pages"),
		num(p, "ram_bytes") / num(p, "page_size"), num(p, "intervals"),
		num(p, "interval_ms"),
		num(json_object_get(j, "timing"), "boot_to_hello_s"));
	mechanism_header(out);
	mechanism_rows(out, j, path);
	later_boots(out, dir);
	fprintf(out, "(precision: reported pages the nested guest touched in the interval or its collect windows; recall: touched pages reported; soft-dirty and wp are scored on writes; rwp and wp run in boots of their own, with the uffd QEMU hands over)\n");
	fprintf(out, "(cold P: workload pages not reported that were untouched in the interval, reads included; cold R: pages untouched in the interval and its windows that were not reported)\n");
	ev = json_object_get(j, "eviction");
	if (ev && !json_is_true(json_object_get(ev, "measured")))
		fprintf(out, "evicted MiB, refaults: not measured in the first boot: %s\n",
			str(ev, "reason"));
	eviction_table(out, dir);
	device_table(out, dir);
	baseline_line(out, dir);
	ws_nested_slowdown_table(out, dir);
	fprintf(out, "integrity: %.0f/%.0f workload pages at the memfd offsets the truth names; page hash sum %s; nested guest: %.0f bad pages; %.0f ambiguous batches, %.0f moved pages\n",
		num(in, "word0_ok"), num(in, "memfd_pages"),
		json_is_true(json_object_get(in, "sum_match")) ? "matches" :
		"DIFFERS", num(in, "nested_bad_pages"),
		num(tr, "ambiguous_batches"), num(tr, "moved_pages"));
	fprintf(out, "results: %s/nested-track.json, nested-truth.json (per-interval truth in RAM memfd page offsets)\n",
		dir);
	json_decref(j);
	return 0;
}
