/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wsbench nested: ground truth from a workload running inside a nested
 * QEMU guest, for a tracker that watches that QEMU's guest RAM from the
 * outside (the outer machine).  See proto.h for the protocol and
 * README.md ("The nested QEMU guest") for the whole picture.
 *
 *   wsbench nested guest ...   in the nested guest: run a pattern, report
 *                              touched PFNs per interval over a serial port
 *   wsbench nested track ...   in the outer machine: drive the intervals,
 *                              watch QEMU's RAM with soft-dirty / idle page
 *                              tracking from /proc/PID, score them
 *   wsbench nested truth FILE  a transcript -> per-interval touched sets in
 *                              the RAM memfd's page-offset space (JSON)
 *
 * May include: lib/, workload/, trackers/, vmm/ (the cycle it runs on
 * QEMU's RAM: evict.c) and attach/ (QEMU hands its RAM over through the
 * attach session); nothing includes nested/ but the driver.
 */
#ifndef WS_NESTED_H
#define WS_NESTED_H

#include <stdio.h>

int ws_nested_cmd(int argc, char **argv);
/* The BENCH_PROFILE=vmm table from DIR/nested-track.json; -ENOENT if none. */
int ws_nested_summary_print(FILE *out, const char *dir);
/* Each mechanism's slowdown over the boots of @dir, with its interval. */
void ws_nested_slowdown_table(FILE *out, const char *dir);

int ws_nested_guest_cmd(int argc, char **argv);
int ws_nested_track_cmd(int argc, char **argv);
/* Can this machine run a KVM guest?  0 yes, 1 no (the reason printed). */
int ws_nested_kvm_probe_cmd(int argc, char **argv);

#endif /* WS_NESTED_H */
