"""The nested QEMU guest (BENCH_PROFILE=vmm, scripts/nested-run.sh): per
backend, the cold set's precision and recall in every interval, scored
against the nested guest's truth; and in the boots that ran the cycle,
QEMU's guest RAM resident in its memfd and the refaults, over time.

Reads every nested-track*.json of the run (one per boot; the untracked
baseline boot, nested-track.baseline.json, has no backend and is left
out): mechanisms.<backend>.intervals[].cold.{precision,recall} and
truth.intervals[].{interval_ms,window_ms} (time: the intervals and the
collect windows between them, from the first interval's start), and
eviction.{page_size,intervals[].{resident,refaults}}.  A backend runs in
one boot of a round, so its name tells its line apart: the figures draw
round 1 (NESTED_BOOTS > 1 repeats every boot in files *.rR.json, which
`wsbench summary` pools into the slowdown over boots).
"""
import glob
import json
import os
import re

from plotlib import BACKENDS, BadInput, Figure, Skip, colour, order

PTS = {"rwp": 7, "wp": 5, "idle": 9, "softdirty": 13, "damon": 11}


def num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def boots(run):
    """(doc, its file name) of every nested-track*.json, or Skip."""
    paths = sorted(p for p in glob.glob(os.path.join(run, "nested-track*.json"))
                   if not re.search(r"\.r[0-9]+\.json$", p))
    if not paths:
        raise Skip("nested-track.json absent (BENCH_PROFILE=vmm not run)")
    out = []
    for p in paths:
        try:
            with open(p) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            raise BadInput(f"{p}: {e}")
        if not isinstance(doc, dict) or doc.get("kind") != "nested-track":
            raise BadInput(f"{p}: not a wsbench nested-track result")
        doc.setdefault("run_id", os.path.basename(os.path.normpath(run)))
        out.append((doc, os.path.basename(p)))
    return out


def tracked(run):
    """(backend, its mechanism object, the boot's doc), canonical order."""
    rows = [(name, m, doc) for doc, _ in boots(run)
            for name, m in (doc.get("mechanisms") or {}).items()
            if isinstance(m, dict) and m.get("supported")]
    return sorted(rows, key=lambda r: order(BACKENDS, r[0]))


def interval_end_s(doc):
    """Seconds from the first interval's start to the end of each one."""
    t, ends = 0.0, []
    for iv in (doc.get("truth") or {}).get("intervals") or []:
        t += iv.get("interval_ms", 0) / 1e3
        ends.append(t)
        t += iv.get("window_ms", 0) / 1e3
    return ends


def pattern(doc):
    return (doc.get("truth") or {}).get("pattern", "?")


def cold(run):
    rows = tracked(run)
    if not rows:
        raise Skip("nested-track*.json: no backend supported in any boot "
                   "(every one skipped)")
    doc = rows[0][2]
    cycles = [bool((d.get("eviction") or {}).get("measured"))
              for _, _, d in rows]
    cycle = (", which the cycle evicted from" if all(cycles) else
             ", in the cycle's boots the set it evicted from"
             if any(cycles) else "")
    fig = Figure("nested-cold", "nested-cold",
                 "nested QEMU guest: cold-set precision and recall per "
                 f"interval (workload {pattern(doc)})", doc, stamp=False,
                 ncols=2, columns="interval fraction",
                 note="cold set: the workload's pages a backend did not "
                      "report hot" + cycle +
                      "; scored against every read and write the nested "
                      "guest made (backends' points set slightly apart "
                      "so that equal values stay visible)")
    for field, what in (("precision", "cold-set precision: called cold "
                         "and untouched"),
                        ("recall", "cold-set recall: untouched and "
                         "called cold")):
        p = fig.panel(what, ylabel=f"cold-set {field} (fraction)")
        for n, (name, m, _) in enumerate(rows):
            dx = (n - (len(rows) - 1) / 2) * min(0.08, 0.6 / len(rows))
            pts = [(iv["i"] + dx, (iv.get("cold") or {}).get(field))
                   for iv in m.get("intervals") or []
                   if num(iv.get("i")) and
                   num((iv.get("cold") or {}).get(field))]
            p.add(pts, name, colour(name), 1, pt=PTS.get(name, 7))
    fig.legend_from_series()
    fig.vars["xmax"] = max([round(r[0]) for p in fig.panels
                            for s in p.series for r in s.rows] + [1])
    return [fig]


def memory(run):
    rows = [(n, m, d) for n, m, d in tracked(run)
            if (d.get("eviction") or {}).get("measured")]
    if not rows:
        raise Skip("nested-track*.json: no boot ran the cycle "
                   "(NESTED_EVICT=1)")
    doc = rows[0][2]
    fig = Figure("nested-memory", "nested-memory",
                 "nested QEMU guest: resident guest RAM and refaults "
                 f"over time (workload {pattern(doc)})", doc, ncols=2,
                 columns="t_s value",
                 note="left: QEMU's guest RAM resident in its memfd after "
                      "each interval's eviction; right: evicted pages "
                      "touched again (refaults) since the interval before")
    mib = fig.panel("resident guest RAM", ylabel="resident (MiB)")
    ref = fig.panel("refaults per interval", ylabel="refaults (pages)")
    for name, _, d in rows:
        ev = d["eviction"]
        ends = interval_end_s(d)
        ps = ev.get("page_size") or d.get("params", {}).get("page_size", 4096)
        ivs = [iv for iv in ev.get("intervals") or []
               if num(iv.get("i")) and 0 < iv["i"] <= len(ends)]
        mib.add([(ends[iv["i"] - 1], iv.get("resident", 0) * ps / 2**20)
                 for iv in ivs], name, colour(name), 1,
                pt=PTS.get(name, 7))
        ref.add([(ends[iv["i"] - 1], iv.get("refaults")) for iv in ivs],
                name, colour(name), 1, pt=PTS.get(name, 7))
    # From 0 (a little below, so 0 does not sit on the border) to a
    # tenth above the highest point: resident RAM on a true scale.
    for p in (mib, ref):
        top = max([r[1] for s in p.series for r in s.rows
                   if num(r[1])] + [1])
        p.extra["ymax"] = top * 1.1
    fig.legend_from_series()
    return [fig]


FIGURES = [("nested-cold", cold), ("nested-memory", memory)]
