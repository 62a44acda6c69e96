"""protect-cost: ns per page to arm N pages (log-log), one line per backend,
one figure per backing and one panel per number of TLB-hot threads on other
CPUs; and the shootdown figure: ns per call against that thread count at
one region size per backing.
"""
from plotlib import (BACKENDS, BACKINGS, MODES, Figure, Skip, colour,
                     fmt_size, load, median_ci, metric, no_cases, order,
                     varying)

COLUMNS = "{x} median ci_lo ci_hi ({unit})"
NOTE = "points: medians; error bars: bootstrap 95 % CI of the median"


def measured(doc):
    cases = [c for c in doc["results"]
             if median_ci(metric(c, "ns_per_page")) and
             isinstance((c.get("params") or {}).get("npages"), int)]
    if not cases:
        raise no_cases(doc, "measured case")
    return cases


def threads(c):
    return (c.get("params") or {}).get("threads", 0)


def lines(cases, key, x, y):
    """{line key: rows (x, median, lo, hi)} of metric y, sorted by x."""
    out = {}
    for c in cases:
        out.setdefault(key(c), []).append((x(c),) + median_ci(metric(c, y)))
    return {k: sorted(v) for k, v in out.items()}


def backend_key(c):
    ranged = "" if c.get("arm_is_ranged", True) else " (whole mm)"
    return (order(BACKENDS, c.get("backend")), order(MODES, c.get("mode")),
            c.get("backend") + ranged, c.get("mode"))


def add_lines(panel, by_line):
    modes = varying([{"mode": k[3]} for k in by_line if k[3] != "none"])
    for k, rows in sorted(by_line.items()):
        name = k[2] if k[3] != "none" else k[2] + " (baseline)"
        if modes and k[3] != "none":
            name += " " + k[3]
        panel.add(rows, name, colour(k[2].split()[0]), 1)
    panel.extra["xmax"] = max(r[0] for rows in by_line.values() for r in rows)


def cost(run):
    doc = load(run, "protect-cost")
    cases = measured(doc)
    figs = []
    for backing in sorted({c.get("backing") for c in cases},
                          key=lambda b: order(BACKINGS, b)):
        mine = [c for c in cases if c.get("backing") == backing]
        ts = sorted({threads(c) for c in mine})
        psz = {c["params"].get("page_size") for c in mine}
        pages = f" pages of {fmt_size(psz.pop())}" if len(psz) == 1 and \
            None not in psz else " pages"
        fig = Figure("protect-cost", f"protect-cost-{backing}",
                     f"protect-cost, {backing}: cost of one arm call over N"
                     f"{pages}, per page", doc, ncols=min(len(ts), 3),
                     note=NOTE,
                     columns=COLUMNS.format(x="npages", unit="ns per page"))
        for t in ts:
            p = fig.panel(f"{t} thread{'s' if t != 1 else ''} on other CPUs "
                          "keeping the range in their TLBs")
            add_lines(p, lines([c for c in mine if threads(c) == t],
                               backend_key,
                               lambda c: c["params"]["npages"],
                               "ns_per_page"))
        fig.log_xrange()
        fig.legend_from_series(7)
        figs.append(fig)
    return figs


def shootdown_size(cases):
    """Smallest region measured with more than one thread count."""
    sizes = {}
    for c in cases:
        sizes.setdefault(c["params"]["size_bytes"], set()).add(threads(c))
    multi = [s for s, t in sizes.items() if len(t) > 1]
    return min(multi) if multi else None


def shootdown(run):
    doc = load(run, "protect-cost")
    cases = [c for c in measured(doc) if median_ci(metric(c, "ns_per_call"))
             and isinstance(c["params"].get("size_bytes"), int)]
    fig = Figure("protect-shootdown", "protect-shootdown",
                 "protect-cost: one arm call against the number of threads "
                 "holding the range in their TLBs on other CPUs", doc,
                 ncols=2, note=NOTE, columns=COLUMNS.format(x="threads",
                                                 unit="ns per call"))
    for backing in sorted({c.get("backing") for c in cases},
                          key=lambda b: order(BACKINGS, b)):
        mine = [c for c in cases if c.get("backing") == backing]
        size = shootdown_size(mine)
        if size is None:
            continue
        p = fig.panel(f"{backing}, {fmt_size(size)} per call")
        add_lines(p, lines([c for c in mine
                            if c["params"]["size_bytes"] == size],
                           backend_key, threads, "ns_per_call"))
    if not fig.panels:
        ts = sorted({threads(c) for c in cases})
        raise Skip(f"protect-cost.json has one thread count ({ts}) per "
                   "region size: no shootdown comparison (--threads 0,1,...)")
    fig.legend_from_series(7)
    return [fig]


FIGURES = [("protect-cost", cost), ("protect-shootdown", shootdown)]
