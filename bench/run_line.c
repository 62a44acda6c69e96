// SPDX-License-Identifier: GPL-2.0
/*
 * The line `wsbench run` ends with: what ran, what was skipped whole and
 * what came out, so that a reader need not open the JSON to learn that
 * "wp ran, the other five were skipped" -- and where to read the rest.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "run_cli.h"

#define LIST_LEN	256

static void add_name(json_t *seen, char *buf, const char *name)
{
	if (!name || json_object_get(seen, name))
		return;
	json_object_set_new(seen, name, json_true());
	snprintf(buf + strlen(buf), LIST_LEN - strlen(buf), "%s%s",
		 buf[0] ? "," : "", name);
}

/* Backends with measured cases, backends skipped on every backing. */
static void backend_lists(const struct ws_result *res, char *ran,
			  char *skipped)
{
	json_t *seen = json_object(), *c;
	size_t i;

	ran[0] = skipped[0] = '\0';
	json_array_foreach(res->results, i, c)
		add_name(seen, ran, json_string_value(json_object_get(c, "backend")));
	json_array_foreach(res->skipped, i, c)
		if (!json_object_get(c, "backing") ||
		    json_is_null(json_object_get(c, "backing")))
			add_name(seen, skipped,
				 json_string_value(json_object_get(c, "backend")));
	json_decref(seen);
}

void ws_run_what_ran(FILE *out, const char *bench,
		     const struct ws_run_cfg *c, const struct ws_result *res,
		     int errors, double secs)
{
	char ran[LIST_LEN], skipped[LIST_LEN];

	backend_lists(res, ran, skipped);
	fprintf(out, "wsbench: %s (profile %s) in %.0f s: ran %s%s%s; %zu cases, %zu skipped, %d errors -> %s/%s.json; read it: wsbench summary %s\n",
		bench, ws_profile_name(c->p.profile), secs,
		ran[0] ? ran : "nothing",
		skipped[0] ? ", skipped " : "", skipped,
		json_array_size(res->results), json_array_size(res->skipped),
		errors, c->p.out_dir, bench, c->p.out_dir);
}
