/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The claims a cover letter makes and `wsbench verify` re-checks: ratios
 * measured inside one run, which transfer between machines where absolute
 * times do not (statistics.md).  Three kinds:
 *   baseline   a mechanism over the plain kernel operation it replaces,
 *              same backing and parameters: protect-cost ns_per_page over
 *              mprotect's (fault-latency has none: a first touch's cost
 *              drifts with the machine's memory state, claims.c);
 *   mechanism  RWP over each other mechanism, same case and metric;
 *   kept       vmm-cycle's throughput tracked over its untracked twin.
 * One claim per benchmark, backend and backing (the case closest to the
 * representative one, headline.h ws_case_distance).  Each carries its
 * CI over invocations: the per-invocation ratios are paired (numerator and
 * denominator ran in the same process), so the machine state of an
 * invocation cancels.
 */
#ifndef WS_CLAIMS_H
#define WS_CLAIMS_H

#include <jansson.h>

struct ws_run;

/*
 * The claims of @run: [{"id", "bench", "kind", "num": {"label",
 * "metric"}, "den": {...}, "ratio", "ci": [lo, hi] | null, "ci_level",
 * "ci_method", "ci_unit", "log_sd", "n_inv", "n_reps", "cv_inv"}].
 * log_sd is the standard deviation of the per-invocation log ratios
 * (null with one invocation).
 */
json_t *ws_claims_of(const struct ws_run *run);

#endif /* WS_CLAIMS_H */
