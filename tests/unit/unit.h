/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP producer for the unit tests: plan(), ok(), is_double(),
 * diag() and done_testing(), whose return value is the exit status.
 */
#ifndef WS_UNIT_H
#define WS_UNIT_H

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int unit_run, unit_failed, unit_planned = -1;

static inline void plan(int n)
{
	unit_planned = n;
	printf("1..%d\n", n);
}

static inline __attribute__((format(printf, 1, 2)))
void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static inline __attribute__((format(printf, 2, 3)))
bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++unit_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	unit_failed += !cond;
	return cond;
}

static inline bool is_double(double got, double want, double tol,
			     const char *desc)
{
	bool pass = fabs(got - want) <= tol;

	if (!ok(pass, "%s", desc))
		diag("got %.17g, want %.17g (tolerance %g)", got, want, tol);
	return pass;
}

/* Exit status: 0 only if every test passed and the plan was kept. */
static inline int done_testing(void)
{
	if (unit_planned < 0)
		printf("1..%d\n", unit_run);
	else if (unit_planned != unit_run)
		diag("planned %d tests but ran %d", unit_planned, unit_run);
	if (unit_failed)
		diag("%d of %d tests failed", unit_failed, unit_run);
	return unit_failed || (unit_planned >= 0 && unit_planned != unit_run);
}

#endif /* WS_UNIT_H */
