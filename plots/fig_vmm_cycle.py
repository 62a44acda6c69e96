"""vmm-cycle (the macro workload, issue "Macro workloads"): per backend, the
manager's CPU per interval split by phase; cold-set F1 against CPU per
interval; detected vs true working set over time; resident memory and
refaults over time.  One panel per workload pattern.

Reads, per case of vmm-cycle.json: backend, pattern (mode, backing when
present, to tell cases apart), intervals[] {t_s, true_ws_pages,
detected_ws_pages, resident_pages, refaults, cpu_ns {phase: ns}} and
summary {f1_cold_decisions, cpu_per_interval_ns}.  A case is named by
its backend and its freeze (how the manager stops the vCPUs to evict:
the summary's "freeze" column), plus tracking mode and backing where
cases differ by them.  Legends sit in a grid cell of their own.
"""
from plotlib import (BACKENDS, BACKINGS, MODES, Figure, colour, load,
                     no_cases, order, varying)

PHASES = ["arm", "freeze", "detect", "evict", "unfreeze", "refault"]
PHASE_COLOURS = ["#4e79a7", "#76b7b2", "#f28e2b", "#e15759", "#59a14f",
                 "#b07aa1", "#9c755f", "#bab0ac"]


def num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def cases_with(doc, has, what):
    cases = [c for c in doc["results"] if has(c)]
    if not cases:
        raise no_cases(doc, what)
    return cases


def with_intervals(c):
    return any(isinstance(i, dict) for i in c.get("intervals") or [])


def patterns(cases):
    return sorted({str(c.get("pattern")) for c in cases})


def case_key(c):
    return (order(BACKENDS, c.get("backend")), order(MODES, c.get("mode")),
            order(BACKINGS, c.get("backing")))


def namer(cases):
    """Case -> its name: backend and freeze, plus tracking mode and
    backing where cases differ by them."""
    vary = varying([{"mode": c.get("mode"), "backing": c.get("backing")}
                    for c in cases])

    def name(c):
        what = []
        if "mode" in vary:
            what.append(f"{c.get('mode')} tracking")
        if c.get("freeze"):
            what.append(f"{c.get('freeze')} freeze")
        if "backing" in vary:
            what.append(str(c.get("backing")))
        return str(c.get("backend")) + (f" ({', '.join(what)})"
                                         if what else "")
    return name


def short_name(c, cases):
    """A bar's label: backend/freeze (+ mode, backing where they vary),
    short enough to stand under its bar."""
    vary = varying([{"mode": x.get("mode"), "backing": x.get("backing")}
                    for x in cases])
    parts = [str(c.get("backend"))] + \
        [str(c.get(k)) for k in ("freeze", "mode", "backing")
         if c.get(k) and (k == "freeze" or k in vary)]
    return "/".join(parts)


def marker(c, cases, name):
    """Point type: the backend's colour is shared by its cases (freeze,
    mode), so its second, third ... case gets another marker."""
    mine = sorted({name(x) for x in cases
                   if x.get("backend") == c.get("backend")})
    return [7, 5, 9, 13, 6, 4][mine.index(name(c)) % 6]


def legend(fig):
    """The figure's legend: every titled series once, in its own cell."""
    for p in fig.panels:
        for ser in p.series:
            if ser.title:
                fig.key(ser.title, ser.colour, ser.dash,
                        ser.extra.get("pt", -1))


def series(c, field):
    return [(i.get("t_s"), i.get(field)) for i in c.get("intervals") or []
            if isinstance(i, dict) and num(i.get("t_s"))]


def by_pattern(cases):
    for pat in patterns(cases):
        yield pat, sorted((c for c in cases if str(c.get("pattern")) == pat),
                          key=case_key)


def cpu(run):
    doc = load(run, "vmm-cycle")
    cases = cases_with(doc, lambda c: any(
        isinstance(i, dict) and isinstance(i.get("cpu_ns"), dict)
        for i in c.get("intervals") or []), "case with intervals[].cpu_ns")
    seen = {k for c in cases for i in c["intervals"] if isinstance(i, dict)
            for k in (i.get("cpu_ns") or {})}
    phases = [p for p in PHASES if p in seen] + sorted(seen - set(PHASES))
    name = namer(cases)
    fig = Figure("vmm-cpu", "vmm-cpu", "vmm-cycle: manager CPU per interval, "
                 "by phase", doc, ncols=2,
                 columns="case " + " ".join(phases) +
                 " (milliseconds, mean over intervals)",
                 note="bar: one case; its parts: the manager's CPU time "
                      "in each phase, mean over the run's intervals")
    for pat, mine in by_pattern(cases):
        rows = []
        for c in mine:
            iv = [i for i in c["intervals"]
                  if isinstance(i, dict) and isinstance(i.get("cpu_ns"), dict)]
            rows.append([short_name(c, cases)] + [
                sum(i["cpu_ns"].get(p, 0) for i in iv
                    if num(i["cpu_ns"].get(p, 0))) / len(iv) / 1e6
                for p in phases])
        fig.panel(f"workload pattern {pat}").add(rows, pat)
    vary = varying([{"mode": c.get("mode"), "backing": c.get("backing")}
                    for c in cases])
    fig.vars["case_words"] = "/".join(
        ["backend", "freeze"] + [w for k, w in (("mode", "tracking mode"),
                                                ("backing", "backing"))
                                 if k in vary])
    fig.vars.update(phase=phases, phase_colour=[
        PHASE_COLOURS[i % len(PHASE_COLOURS)] for i in range(len(phases))])
    return [fig]


def f1_cpu(run):
    doc = load(run, "vmm-cycle")
    cases = cases_with(doc, lambda c: num((c.get("summary") or {})
                                          .get("f1_cold_decisions")) and
                       num(c["summary"].get("cpu_per_interval_ns")),
                       "case with summary.f1_cold_decisions and "
                       "summary.cpu_per_interval_ns")
    name = namer(cases)
    fig = Figure("vmm-f1-cpu", "vmm-f1-cpu", "vmm-cycle: cold-set F1 of the "
                 "decisions against manager CPU per interval", doc, ncols=2,
                 columns="cpu_per_interval_ms f1_cold_decisions",
                 note="one point per case: F1 of the pages each interval "
                      "called cold (against the truth), and the manager's "
                      "mean CPU time per interval")
    for pat, mine in by_pattern(cases):
        p = fig.panel(f"workload pattern {pat}")
        for c in mine:
            s = c["summary"]
            p.add([(s["cpu_per_interval_ns"] / 1e6,
                    s["f1_cold_decisions"])], name(c),
                  colour(c.get("backend")), 1, pt=marker(c, cases, name))
    # Ranges that show the differences: F1 from just under the lowest
    # point; CPU linear unless it spans more than a decade.
    f1s = [r[1] for p in fig.panels for ser in p.series for r in ser.rows]
    cpus = [r[0] for p in fig.panels for ser in p.series for r in ser.rows]
    lo, hi = min(f1s), max(f1s)
    pad = max(0.02, (hi - lo) * 0.15)
    fig.vars.update(ymin=max(0.0, lo - pad), ymax=min(1.0, hi) + pad,
                    xlog=int(max(cpus) > 10 * min(cpus) > 0),
                    xmin=min(cpus) * 0.8, xmax=max(cpus) * 1.25)
    legend(fig)
    return [fig]



def over_time(run, name, title, columns, note):
    """A two-column figure over the cases with intervals: the figure,
    the cases by pattern, and their legend names."""
    doc = load(run, "vmm-cycle")
    cases = cases_with(doc, with_intervals, "case with intervals")
    fig = Figure(name, name, title, doc, ncols=2, columns=columns, note=note)
    return fig, by_pattern(cases), namer(cases)


def ws(run):
    fig, by_pat, name = over_time(
        run, "vmm-ws", "vmm-cycle: detected vs true working set over time",
        "t_s pages",
        note="colour: the working set each backend detected; thick grey: "
             "the workload's true working set in the same run")
    for pat, mine in by_pat:
        p = fig.panel(f"workload pattern {pat}")
        for n, c in enumerate(mine):
            p.add(series(c, "true_ws_pages"),
                  "true working set" if n == 0 else "", "#999999", 1,
                  width=3)
        for c in mine:
            p.add(series(c, "detected_ws_pages"), f"{name(c)} detected",
                  colour(c.get("backend")), 1, width=1.5)
    legend(fig)
    return [fig]


def memory(run):
    fig, by_pat, name = over_time(
        run, "vmm-memory", "vmm-cycle: resident memory and refaults over "
        "time", "t_s value",
        note="left: guest pages resident at the end of each interval; "
             "right: evicted pages touched again (refaults) in each "
             "interval")
    for pat, mine in by_pat:
        for field, what in (("resident_pages", "resident pages"),
                            ("refaults", "refaults per interval")):
            p = fig.panel(f"workload pattern {pat}: {what}", ylabel=what)
            for c in mine:
                p.add(series(c, field), name(c), colour(c.get("backend")))
    legend(fig)
    return [fig]


FIGURES = [("vmm-cpu", cpu), ("vmm-f1-cpu", f1_cpu), ("vmm-ws", ws),
           ("vmm-memory", memory)]
