// SPDX-License-Identifier: GPL-2.0
/* Finding workload pattern files by name (cycle.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cycle.h"

/* ../workloads next to the running binary (build/ or /opt/wsbench/bin). */
static void exe_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	buf[n > 0 ? n : 0] = '\0';
	slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
}

int ws_pattern_find(const char *name, char *path, size_t len, char *why,
		    size_t whylen)
{
	const char *env = getenv("WSBENCH_WORKLOADS");
	char exe[PATH_MAX], dirs[3][PATH_MAX + 16];
	size_t nl = strlen(name);

	if (strchr(name, '/') || (nl > 4 && !strcmp(name + nl - 4, ".pat"))) {
		snprintf(path, len, "%s", name);
		if (!access(path, R_OK))
			return 0;
		snprintf(why, whylen, "%s: %s", name, strerror(errno));
		return -ENOENT;
	}
	exe_dir(exe, sizeof(exe));
	snprintf(dirs[0], sizeof(dirs[0]), "%s", env ? env : "");
	snprintf(dirs[1], sizeof(dirs[1]), "workloads");
	snprintf(dirs[2], sizeof(dirs[2]), "%s/../workloads", exe);
	for (int i = 0; i < 3; i++) {
		if (!dirs[i][0])
			continue;
		snprintf(path, len, "%s/%s.pat", dirs[i], name);
		if (!access(path, R_OK))
			return 0;
	}
	snprintf(why, whylen,
		 "pattern '%s' not found (tried%s%s%s workloads/ and %s/../workloads/): give a path or a name from workloads/",
		 name, env ? " " : "", env ? env : "", env ? "/," : "", exe);
	return -ENOENT;
}
