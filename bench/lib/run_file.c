// SPDX-License-Identifier: GPL-2.0
/*
 * A loaded run's file by benchmark name (rundir.h).  Apart from rundir.c
 * because the loader calls manifest.c's completeness check, which needs
 * this lookup: here it calls nothing and both stand on it.
 */
#include <string.h>

#include "rundir.h"

const struct ws_run_file *ws_run_file(const struct ws_run *run,
				      const char *bench)
{
	for (size_t i = 0; i < run->nfiles; i++)
		if (!strcmp(run->files[i].bench, bench))
			return &run->files[i];
	return NULL;
}
