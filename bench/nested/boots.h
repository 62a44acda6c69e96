/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The result files of a vmm run's nested boots (scripts/nested-run.sh),
 * read in turn: nested-track.json, nested-track.VIA.json, ...
 */
#ifndef WS_NESTED_BOOTS_H
#define WS_NESTED_BOOTS_H

#include <glob.h>
#include <stdbool.h>

#include <jansson.h>

struct ws_nested_boots {
	glob_t g;
	size_t next;
};

/* The files @dir/@pat (a glob pattern); false when none matches. */
bool ws_nested_boots_open(struct ws_nested_boots *b, const char *dir,
			  const char *pat);
/*
 * The next file's JSON into @j (NULL when it does not load) and its path;
 * false after the last (the list freed).
 */
bool ws_nested_boots_next(struct ws_nested_boots *b, json_t **j,
			  const char **path);

#endif /* WS_NESTED_BOOTS_H */
