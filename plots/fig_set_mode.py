"""set-mode: UFFDIO_SET_MODE latency against the number of faulting
threads, one panel per direction (async -> sync, sync -> async), one line
per backend x backing (x region size when several were run).
"""
from plotlib import (BACKENDS, BACKINGS, MODES, Figure, colour, fmt_size,
                     load, median_ci, no_cases, order, varying)

DIRECTIONS = {"to_sync_ns": "switching async -> sync",
              "to_async_ns": "switching sync -> async"}
BACKING_DASH = {b: i + 1 for i, b in enumerate(BACKINGS)}


def latency(run):
    doc = load(run, "set-mode")
    cases = [c for c in doc["results"]
             if isinstance((c.get("params") or {}).get("threads"), int)
             and any(median_ci(s) for s in (c.get("metrics") or {}).values()
                     if isinstance(s, dict))]
    if not cases:
        raise no_cases(doc, "measured case")
    metrics = sorted({m for c in cases for m in c["metrics"]},
                     key=lambda m: (m not in DIRECTIONS,
                                    list(DIRECTIONS).index(m)
                                    if m in DIRECTIONS else 0, m))

    def parts(c):
        return {"backend": c.get("backend"), "backing": c.get("backing"),
                "mode": c.get("mode"),
                "size": fmt_size(c["params"].get("size_bytes", 0))}
    vary = varying([parts(c) for c in cases]) | {"backend", "backing"}
    fig = Figure("set-mode", "set-mode",
                 "set-mode: UFFDIO_SET_MODE latency while threads fault on "
                 "the range", doc, ncols=2,
                 columns="threads median ci_lo ci_hi (microseconds)",
                 note="points: medians; error bars: bootstrap 95 % CI of "
                      "the median")
    xmax = max(c["params"]["threads"] for c in cases)
    for m in metrics:
        p = fig.panel(DIRECTIONS.get(
            m, m.removesuffix("_ns").replace("_", " ")))
        lines = {}
        for c in cases:
            v = median_ci(c["metrics"].get(m))
            if not v:
                continue
            pt = parts(c)
            key = (order(BACKENDS, pt["backend"]),
                   order(BACKINGS, pt["backing"]), order(MODES, pt["mode"]),
                   pt["size"])
            lines.setdefault(key, (pt, []))[1].append(
                (c["params"]["threads"],) + tuple(x * 1e-3 for x in v))
        for key in sorted(lines):
            pt, rows = lines[key]
            p.add(sorted(rows), " ".join(str(pt[k]) for k in pt if k in vary),
                  colour(pt["backend"]), BACKING_DASH.get(pt["backing"], 5))
    fig.panels = [p for p in fig.panels if p.series]
    fig.vars["xmax"] = xmax
    fig.legend_from_series(7)
    return [fig]


FIGURES = [("set-mode", latency)]
