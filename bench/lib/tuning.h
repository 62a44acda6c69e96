/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quiet-machine settings (--tune on): performance governor, C-states held
 * off through /dev/cpu_dma_latency.  Everything is restored at exit; the
 * result's environment says what was in force.
 */
#ifndef WS_TUNING_H
#define WS_TUNING_H

#include <jansson.h>

void ws_tuning_apply(void);
/* {"requested", "governor", "cpu_dma_latency", "cpuidle_driver"} */
json_t *ws_tuning_json(void);

#endif /* WS_TUNING_H */
