// SPDX-License-Identifier: GPL-2.0
/*
 * What a quiet machine needs for latencies in the microsecond range, applied
 * with `wsbench run --tune on` and recorded in every result either way:
 *   - the "performance" cpufreq governor on every CPU we may run on (a
 *     frequency ramp in the middle of a repetition is a bimodal median);
 *     written through the knobs module, so restored on exit and signals;
 *   - no deep C-states: /dev/cpu_dma_latency held at 0 us for the life of
 *     the process (the PM QoS request ends when the fd closes, so the
 *     kernel itself restores it, crash or not);
 *   - pinning, warm-up and a minimum time are per benchmark and recorded in
 *     their cases and params.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "knobs.h"
#include "tuning.h"

#define DMA_LATENCY	"/dev/cpu_dma_latency"
#define GOV_FMT		"/sys/devices/system/cpu/cpu%d/cpufreq/scaling_governor"
#define IDLE_DRIVER	"/sys/devices/system/cpu/cpuidle/current_driver"

static struct {
	bool requested;
	int dma_fd;
	char dma[160];		/* what happened to cpu_dma_latency */
	char governor[160];	/* what happened to the governors */
} st = { .dma_fd = -1 };

static void hold_dma_latency(void)
{
	int32_t zero = 0;

	st.dma_fd = open(DMA_LATENCY, O_RDWR | O_CLOEXEC);
	if (st.dma_fd < 0) {
		snprintf(st.dma, sizeof(st.dma), "not held: open %s: %s",
			 DMA_LATENCY, strerror(errno));
		return;
	}
	if (write(st.dma_fd, &zero, sizeof(zero)) != sizeof(zero)) {
		snprintf(st.dma, sizeof(st.dma), "not held: write %s: %s",
			 DMA_LATENCY, strerror(errno));
		close(st.dma_fd);
		st.dma_fd = -1;
		return;
	}
	snprintf(st.dma, sizeof(st.dma), "0 us held by wsbench for the run");
}

static void set_governors(void)
{
	cpu_set_t set;
	char path[128];
	int n = 0, failed = 0, absent = 0, err = 0;

	CPU_ZERO(&set);
	sched_getaffinity(0, sizeof(set), &set);
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		snprintf(path, sizeof(path), GOV_FMT, c);
		if (access(path, F_OK)) {
			absent++;
			continue;
		}
		err = ws_knob_set(path, "performance");
		if (err)
			failed++;
		else
			n++;
	}
	if (n && !failed)
		snprintf(st.governor, sizeof(st.governor),
			 "performance on %d CPUs, set by wsbench (restored after)",
			 n);
	else if (failed)
		snprintf(st.governor, sizeof(st.governor),
			 "performance on %d CPUs, %d refused (%s)", n, failed,
			 strerror(-err));
	else
		snprintf(st.governor, sizeof(st.governor),
			 "not set: no cpufreq governor on %d CPUs", absent);
}

void ws_tuning_apply(void)
{
	st.requested = true;
	set_governors();
	hold_dma_latency();
}

json_t *ws_tuning_json(void)
{
	char driver[64] = "";
	FILE *f = fopen(IDLE_DRIVER, "re");

	if (f) {
		if (!fgets(driver, sizeof(driver), f))
			driver[0] = '\0';
		fclose(f);
		driver[strcspn(driver, "\n")] = '\0';
	}
	return json_pack("{s:b,s:s,s:s,s:s?}",
			 "requested", st.requested,
			 "governor", st.requested ? st.governor :
				     "as found (--tune off)",
			 "cpu_dma_latency", st.requested ? st.dma :
					    "not held (--tune off)",
			 "cpuidle_driver", driver[0] ? driver : NULL);
}
