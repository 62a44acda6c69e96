// SPDX-License-Identifier: GPL-2.0
/* The result files of a vmm run's nested boots, read in turn (boots.h). */
#include <stdio.h>

#include "boots.h"

bool ws_nested_boots_open(struct ws_nested_boots *b, const char *dir,
			  const char *pat)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, pat);
	b->next = 0;
	return !glob(path, 0, NULL, &b->g);
}

bool ws_nested_boots_next(struct ws_nested_boots *b, json_t **j,
			  const char **path)
{
	if (b->next >= b->g.gl_pathc) {
		globfree(&b->g);
		return false;
	}
	*path = b->g.gl_pathv[b->next++];
	*j = json_load_file(*path, 0, NULL);
	return true;
}
