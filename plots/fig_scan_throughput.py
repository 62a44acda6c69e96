"""scan-throughput: pages per second to collect the accessed set against
region size, one panel per hot fraction x layout, one line per backend (and
re-arm policy when the cases carry params.rearm); and the re-arm figure:
the time of one collect next to one collect + re-arm (and any other ns
series a case carries), same panels.  One figure per backing.
"""
from plotlib import (BACKENDS, BACKINGS, MODES, Figure, colour, load,
                     median_ci, no_cases, order, varying)

LAYOUTS = ["contiguous", "scattered"]
# Dash type and words of the time series drawn; the others (the touches,
# the untracked baseline, CPU times) stay in the JSON and its tables.
TIMES = {"collect_ns": (1, "collect"),
         "collect_rearm_ns": (2, "collect + re-arm"),
         "interval_ns": (3, "whole interval")}
DASH_WORDS = {1: "solid", 2: "dashed", 3: "dotted"}
NOTE = "points: medians; error bars: bootstrap 95 % CI of the median"
MiB = 1 << 20


def cases_of(doc):
    cases = [c for c in doc["results"]
             if isinstance((c.get("params") or {}).get("size_bytes"), int)
             and (c.get("metrics") or {})]
    if not cases:
        raise no_cases(doc, "measured case")
    return cases


def panel_key(c):
    p = c.get("params") or {}
    return (p.get("hot_pct", 0), order(LAYOUTS, p.get("layout")))


def line_parts(c):
    p = c.get("params") or {}
    return {"backend": c.get("backend"), "mode": c.get("mode"),
            "rearm": p.get("rearm")}


def line_key(c):
    parts = line_parts(c)
    return (order(BACKENDS, parts["backend"]), order(MODES, parts["mode"]),
            str(parts["rearm"]))


def line_name(parts, vary):
    name = parts["backend"]
    if "mode" in vary:
        name += " " + parts["mode"]
    if "rearm" in vary and parts["rearm"] is not None:
        name += f" (re-arm {parts['rearm']})"
    return name


def per_backing(run, script, build):
    doc = load(run, "scan-throughput")
    cases = cases_of(doc)
    vary = varying([line_parts(c) for c in cases])
    names = time_metrics(cases)
    figs = []
    for backing in sorted({c.get("backing") for c in cases},
                          key=lambda b: order(BACKINGS, b)):
        mine = [c for c in cases if c.get("backing") == backing]
        fig = build(doc, backing)
        for pk in sorted({panel_key(c) for c in mine}):
            here = [c for c in mine if panel_key(c) == pk]
            p = fig.panel(f"{pk[0]:g} % hot, {pk[1][1] or 'layout n/a'}")
            by_line = {}
            for c in here:
                by_line.setdefault(line_key(c), []).append(c)
            for k in sorted(by_line):
                add_series(p, script, by_line[k], vary, names,
                           point_of(k, sorted(by_line)))
        if any(p.series for p in fig.panels):
            fig.panels = [p for p in fig.panels if p.series]
            fig.log_xrange()
            legend(fig, script, names)
            figs.append(fig)
    if not figs:
        raise no_cases(doc, "case with the metrics this figure plots")
    return figs


def legend(fig, script, names):
    """One legend per figure: a line per backend (x mode, re-arm policy:
    colour and marker), then, for scan-rearm, what each dash type is."""
    for p in fig.panels:
        for ser in p.series:
            if ser.title:
                fig.key(ser.title, ser.colour, 1, ser.extra.get("pt", 7))
    if script == "scan-rearm":
        for m in names:
            fig.key(f"{DASH_WORDS[TIMES[m][0]]}: {TIMES[m][1]}",
                    "#000000", TIMES[m][0], -1)


def rows(cases, name, scale):
    out = []
    for c in cases:
        v = median_ci((c.get("metrics") or {}).get(name))
        if v:
            out.append((c["params"]["size_bytes"] / MiB,) +
                       tuple(x * scale for x in v))
    return sorted(out)


# Point types for the lines of one backend (its modes, re-arm policies):
# filled circle, square, triangle, diamond, then open ones.
POINTS = [7, 5, 9, 13, 6, 4, 8, 12]


def point_of(key, keys):
    """The point type of line key among the panel's: the colour is the
    backend's, so its second, third ... line gets another marker."""
    mine = [k for k in keys if k[0] == key[0]]
    return POINTS[mine.index(key) % len(POINTS)]


def add_series(p, script, cases, vary, names, pt=7):
    parts = line_parts(cases[0])
    name = line_name(parts, vary)
    col = colour(parts["backend"])
    if script == "scan-throughput":
        r = rows(cases, "pages_per_s", 1)
        if r:
            p.add(r, name, col, 1, pt=pt)
        return
    # Colour tells the backend, dash type the series (explained in the
    # note): one key entry per backend.
    titled = False
    for m in time_metrics(cases):
        r = rows(cases, m, 1e-3)
        if r:
            p.add(r, "" if titled else name, col, dash_of(m, names), pt=pt)
            titled = True


def time_metrics(cases):
    names = {m for c in cases for m, s in (c.get("metrics") or {}).items()
             if isinstance(s, dict) and m in TIMES}
    return sorted(names, key=lambda m: TIMES[m][0])


def dash_of(m, names):
    """Dash type of time series m (one of TIMES)."""
    return TIMES[m][0]


def rearm_note(doc):
    return ("whole interval: collect + re-arm + the hot pages' faults, "
            "measured together; points: medians; error bars: 95 % CI of "
            "the median")


def throughput(run):
    return per_backing(run, "scan-throughput", lambda doc, backing: Figure(
        "scan-throughput", f"scan-throughput-{backing}",
        f"scan-throughput, {backing}: pages per second to collect the "
        "accessed set", doc, ncols=3, note=NOTE,
        columns="size_MiB median ci_lo ci_hi (pages per second)"))


def rearm(run):
    return per_backing(run, "scan-rearm", lambda doc, backing: Figure(
        "scan-rearm", f"scan-rearm-{backing}",
        f"scan-throughput, {backing}: time of one collect, of collect + "
        "re-arm, and of a whole tracked interval",
        doc, ncols=3, note=rearm_note(doc),
        columns="size_MiB median ci_lo ci_hi (microseconds)"))


FIGURES = [("scan-throughput", throughput), ("scan-rearm", rearm)]
