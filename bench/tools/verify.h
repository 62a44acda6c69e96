/* SPDX-License-Identifier: GPL-2.0 */
/* `wsbench verify`: shared between the runner and the checks. */
#ifndef WS_VERIFY_H
#define WS_VERIFY_H

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "tools.h"

enum ws_verdict {
	WS_OK,		/* within the claim's margin, or the same exact value */
	WS_OUTSIDE,	/* outside the claim's margin */
	WS_DIFFERS,	/* another exact value */
	WS_MISSING,	/* the re-run lacks the case or metric */
	WS_UNCHECKED,	/* nothing cited to check against */
	WS_NR_VERDICTS
};

struct ws_verify_tally {
	size_t count[WS_NR_VERDICTS];
	json_t *failures;	/* strings naming each metric that failed */
};

/* Check every headline metric of one benchmark file against the re-run,
 * printing the rows to @f (equal exact values only with @all). */
void ws_verify_file(FILE *f, const char *bench, json_t *old_root,
		    json_t *new_root, int all, struct ws_verify_tally *t);

/*
 * Check every claim of the recorded run (claims.h) against the re-run's,
 * printing a line each: within the larger of @margin (0.10: 10 %) and the
 * prediction interval (verify_check.c)?
 */
void ws_verify_claims(FILE *f, json_t *old_claims, json_t *new_claims,
		      double margin, struct ws_verify_tally *t);

#endif /* WS_VERIFY_H */
