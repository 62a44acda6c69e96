// SPDX-License-Identifier: GPL-2.0
/* Dotted-path shortcuts into a parsed JSON tree (jpath.h). */
#include <math.h>
#include <string.h>

#include "jpath.h"

json_t *ws_jget(json_t *o, const char *path)
{
	char key[128];

	while (o && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = json_object_get(o, key);
		path += n + (path[n] == '.');
	}
	return o;
}

const char *ws_jstr(json_t *o, const char *path)
{
	const char *s = json_string_value(ws_jget(o, path));

	return s ? s : "";
}

double ws_jnum(json_t *o, const char *path)
{
	json_t *v = ws_jget(o, path);

	return json_is_number(v) ? json_number_value(v) : NAN;
}
