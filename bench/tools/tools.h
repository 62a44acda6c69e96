/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Commands that read result directories: compare (A/B with CIs of the
 * ratio), report (Markdown, cover letter) and verify (re-run the recorded
 * parameters here and check the cited CIs).  Shared text helpers.
 */
#ifndef WS_TOOLS_H
#define WS_TOOLS_H

#include <stdio.h>

#include <jansson.h>

int ws_compare_main(int argc, char **argv);
int ws_report_main(int argc, char **argv);
int ws_verify_main(int argc, char **argv);
int ws_collect_main(int argc, char **argv);
int ws_cases_main(int argc, char **argv);

/*
 * Output is built in memory and printed only when complete: a command
 * that fails half way prints its error, not half a table.
 */
struct ws_out {
	FILE *f;
	char *buf;
	size_t len;
};

int ws_out_open(struct ws_out *o);
/*
 * Print to @to (unless NULL) and free; -1 when the text did not all reach
 * @to (main() also reports a failed stdout and exits non-zero).
 */
int ws_out_close(struct ws_out *o, FILE *to);

/*
 * The shape of every reader command: @parse_rc from its option parser
 * (> 0: help was printed, < 0: bad input, exit 2), then @body writes into
 * a buffered output that reaches stdout only when body's exit code is at
 * most @print_max (a verdict), never after an error.  The exit code.
 */
typedef int (*ws_reader_body)(const void *opts, struct ws_out *out);
int ws_reader_run(int parse_rc, ws_reader_body body, const void *opts,
		  int print_max);

/* @text on lines of at most @width columns, first line after @first,
 * the others after @cont. */
void ws_wrap(FILE *f, int width, const char *first, const char *cont,
	     const char *text);

/*
 * A display unit for values like @ref in @unit ("ns" -> "us" or "ms",
 * "pages/s" -> "Mpg/s"); *scale multiplies a value into it.
 */
const char *ws_display_unit(const char *unit, double ref, double *scale);
/* @v (may be NAN: "-") with 4 significant digits. */
const char *ws_fmt_num(double v, char *buf, size_t len);

/* How compare decides (compare.c). */
struct ws_compare_opts {
	int all;		/* every series, not only the headline */
	double threshold;	/* practical effect: 0.05 = +-5 % */
	double fdr_q;		/* Benjamini-Hochberg level */
};

/* Comparison of two loaded runs as JSON (the --json output). */
struct ws_run;
json_t *ws_compare_runs(const struct ws_run *a, const struct ws_run *b,
			const struct ws_compare_opts *o);

#endif /* WS_TOOLS_H */
