/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shortcuts into a parsed JSON tree by dotted path ("summary.median"):
 * what every reader of result files needs, so they sit below rundir.c,
 * rundir_check.c and manifest.c, which all use them.
 */
#ifndef WS_JPATH_H
#define WS_JPATH_H

#include <jansson.h>

/* "" / NAN / NULL when absent (or not a string / number). */
const char *ws_jstr(json_t *o, const char *dotted_path);
double ws_jnum(json_t *o, const char *dotted_path);
json_t *ws_jget(json_t *o, const char *dotted_path);

#endif /* WS_JPATH_H */
