// SPDX-License-Identifier: GPL-2.0
/*
 * Text helpers for the result readers (tools.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "tools.h"

int ws_out_open(struct ws_out *o)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
	return o->f ? 0 : -1;
}

int ws_out_close(struct ws_out *o, FILE *to)
{
	int err = 0;

	if (o->f && fclose(o->f))
		err = -1;
	/* A short write or a failed flush: the caller must not exit 0. */
	if (to && o->buf && (fwrite(o->buf, 1, o->len, to) != o->len ||
			     fflush(to) == EOF))
		err = -1;
	free(o->buf);
	o->f = NULL;
	o->buf = NULL;
	return err;
}

int ws_reader_run(int parse_rc, ws_reader_body body, const void *opts,
		  int print_max)
{
	struct ws_out out;
	int rc;

	if (parse_rc)
		return parse_rc > 0 ? 0 : WS_EXIT_USAGE;
	if (ws_out_open(&out))
		return 1;
	rc = body(opts, &out);
	ws_out_close(&out, rc >= 0 && rc <= print_max ? stdout : NULL);
	return rc;
}

void ws_wrap(FILE *f, int width, const char *first, const char *cont,
	     const char *text)
{
	const char *indent = first;

	while (*text) {
		int room = width - (int)strlen(indent), n = (int)strlen(text);

		if (n > room) {
			/*
			 * Break at the last space that fits; a word longer
			 * than the line (a path, a run id) is cut at the
			 * width, never allowed past it.
			 */
			for (n = room; n > 0 && text[n] != ' '; n--)
				;
			if (n == 0)
				n = room > 0 ? room : 1;
		}
		fprintf(f, "%s%.*s\n", indent, n, text);
		text += n;
		while (*text == ' ')
			text++;
		indent = cont;
	}
}

const char *ws_display_unit(const char *unit, double ref, double *scale)
{
	double a = fabs(ref);

	*scale = 1;
	if (!strcmp(unit, "ns")) {
		if (a >= 1e7) {
			*scale = 1e-6;
			return "ms";
		}
		if (a >= 1e4) {
			*scale = 1e-3;
			return "us";
		}
		return "ns";
	}
	if (!strcmp(unit, "pages/s") && a >= 1e6) {
		*scale = 1e-6;
		return "Mpg/s";
	}
	return unit;
}

const char *ws_fmt_num(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (fabs(v) >= 1e5 || (v != 0 && fabs(v) < 1e-3))
		snprintf(buf, len, "%.4g", v);
	else if (fabs(v) >= 1000)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.4g", v);
	return buf;
}
