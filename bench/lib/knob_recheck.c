// SPDX-License-Identifier: GPL-2.0
/*
 * Knobs re-read at a run's end (knob_recheck.h).  Settings only: free
 * memory, NUMA nodes' free pages and the like are readings and may change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "knob_recheck.h"
#include "knobs.h"

#define GOVERNOR	"/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"

/* environment.<group>.<key>, as ws_env_capture() records them. */
static const struct {
	const char *group, *key;
} settings[] = {
	{ "mm", "thp_enabled" }, { "mm", "thp_defrag" },
	{ "mm", "thp_shmem_enabled" }, { "mm", "numa_balancing" },
	{ "mm", "ksm_run" }, { "mm", "lru_gen_enabled" },
	{ "mm", "nr_hugepages" }, { "numa", "scan" }, { "cpu", "governor" },
};

static void show(json_t *v, char *buf, size_t len)
{
	char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

	snprintf(buf, len, "%s", s ? s : "absent");
	free(s);
}

/* The same groups as @env, read now. */
static json_t *settings_now(void)
{
	json_t *now = json_object();
	char gov[64];

	ws_env_refresh_knobs(now);
	json_object_set_new(now, "cpu", json_pack("{s:o}", "governor",
			    ws_knob_read(GOVERNOR, gov, sizeof(gov)) ?
			    json_null() : json_string(gov)));
	return now;
}

int ws_knobs_recheck(json_t *env, char *why, size_t len)
{
	json_t *now = settings_now();
	size_t at = 0;

	why[0] = '\0';
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		json_t *a = json_object_get(json_object_get(env,
					settings[i].group), settings[i].key);
		json_t *b = json_object_get(json_object_get(now,
					settings[i].group), settings[i].key);
		char va[256], vb[256];

		if (json_equal(a, b) || (!a && !b) || at >= len)
			continue;
		show(a, va, sizeof(va));
		show(b, vb, sizeof(vb));
		at += snprintf(why + at, len - at, "%s%s was %s when the run started, %s at its end",
			       at ? "; " : "", settings[i].key, va, vb);
	}
	json_decref(now);
	return why[0] ? -1 : 0;
}

int ws_knobs_recheck_result(json_t *root, const char *who)
{
	char why[4096];

	if (!ws_knobs_recheck(json_object_get(root, "environment"), why,
			      sizeof(why)))
		return 0;
	fprintf(stderr, "wsbench: %s: knobs changed under the run: %s\n", who,
		why);
	json_array_append_new(json_object_get(root, "errors"),
			      json_pack("{s:s}", "error", why));
	return 1;
}
