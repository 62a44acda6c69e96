"""numa-interplay (issue "NUMA balancing vs protnone tracking"): how fast
NUMA balancing moves the workload's memory to its threads' node while each
backend tracks it, against the untracked run of the same repetition.

Reads, per case of numa-interplay.json: backend (mode, backing, pattern to
tell cases apart), intervals[] {t_s, local_fraction, numa_pages_migrated}
of the first tracked run, and runs[0].untracked.intervals[] likewise.
"""
from plotlib import (BACKENDS, BACKINGS, MODES, Figure, colour, load,
                     no_cases, order, varying)


def num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def rows(intervals, field, cumulative=False):
    out, total = [], 0
    for i in intervals or []:
        if not isinstance(i, dict) or not num(i.get("t_s")) \
                or not num(i.get(field)):
            continue
        total = total + i[field] if cumulative else i[field]
        out.append((i["t_s"], total))
    return out


def untracked(c):
    runs = c.get("runs") or []
    u = runs[0].get("untracked") if runs and isinstance(runs[0], dict) \
        else None
    return (u or {}).get("intervals") if isinstance(u, dict) else None


def local(run):
    doc = load(run, "numa-interplay")
    cases = sorted((c for c in doc["results"]
                    if rows(c.get("intervals"), "local_fraction")),
                   key=lambda c: (order(BACKENDS, c.get("backend")),
                                  order(MODES, c.get("mode")),
                                  order(BACKINGS, c.get("backing"))))
    if not cases:
        raise no_cases(doc, "case with intervals[].local_fraction")
    vary = varying([{"mode": c.get("mode"), "backing": c.get("backing"),
                     "pattern": c.get("pattern")} for c in cases])

    def name(c):
        return " ".join([str(c.get("backend"))] +
                        [str(c.get(k)) for k in ("mode", "backing", "pattern")
                         if k in vary])
    fig = Figure("numa-local", "numa-local", "numa-interplay: NUMA balancing "
                 "while each backend tracks", doc, ncols=2,
                 columns="t_s value",
                 note="colour: tracked run per backend; grey: the untracked "
                      "run of the same repetition (first repetition)")
    for field, what, cum in (
            ("local_fraction", "pages on the threads' node (fraction)", False),
            ("numa_pages_migrated", "pages migrated (cumulative)", True)):
        p = fig.panel(what, ylabel=what)
        for n, c in enumerate(cases):
            p.add(rows(untracked(c), field, cum),
                  "untracked" if n == 0 else "", "#999999", 2, width=2)
        for c in cases:
            p.add(rows(c["intervals"], field, cum), name(c),
                  colour(c.get("backend")), 1, width=1.5)
    fig.legend_from_series()
    return [fig]


FIGURES = [("numa-local", local)]
