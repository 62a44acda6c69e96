// SPDX-License-Identifier: GPL-2.0
/*
 * Regular files only (jsonfile.h).  O_NONBLOCK makes open() itself return
 * on a FIFO without a writer; fstat() on the opened fd then decides, so a
 * file swapped between a stat() and the open() cannot slip through.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonfile.h"
#include "parse.h"

int ws_open_regular(const char *path, char *why, size_t len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return ws_why(why, len, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st)) {
		ws_why(why, len, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return ws_why(why, len, "%s: not a regular file (%s)", path,
			    S_ISDIR(st.st_mode) ? "a directory" :
			    S_ISFIFO(st.st_mode) ? "a FIFO" : "a device or socket");
	}
	/* Regular: reads never block; back to blocking for stdio. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

FILE *ws_fopen_regular(const char *path, char *why, size_t len)
{
	int fd = ws_open_regular(path, why, len);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "r");
	if (!f) {
		ws_why(why, len, "%s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

/*
 * All of @fd in one buffer (NUL-terminated), in reads of 1 MiB: jansson's
 * own reads are 1 KiB, and on the guest's 9p share each is a round trip
 * to the host (a 5 MB result took minutes under TCG).  NULL: errno.
 */
static char *read_all(int fd, size_t *n)
{
	size_t cap = 1 << 20;
	char *buf = malloc(cap + 1), *more;
	ssize_t r;

	*n = 0;
	while (buf) {
		if (*n == cap) {
			more = realloc(buf, 2 * cap + 1);
			if (!more)
				break;
			buf = more;
			cap *= 2;
		}
		r = read(fd, buf + *n, cap - *n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (!r) {
			buf[*n] = '\0';
			return buf;
		}
		*n += (size_t)r;
	}
	free(buf);
	return NULL;
}

json_t *ws_json_load_regular(const char *path, char *why, size_t len)
{
	int fd = ws_open_regular(path, why, len);
	json_error_t e;
	json_t *j;
	size_t n;
	char *text;

	if (fd < 0)
		return NULL;
	text = read_all(fd, &n);
	if (!text) {
		ws_why(why, len, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	close(fd);
	j = json_loadb(text, n, JSON_REJECT_DUPLICATES, &e);
	free(text);
	if (!j) {
		ws_why(why, len, "%s: not valid JSON (truncated or corrupt?): line %d column %d: %s",
		     path, e.line, e.column, e.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		ws_why(why, len, "%s: not a JSON object", path);
		json_decref(j);
		return NULL;
	}
	return j;
}

double ws_json_num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}
