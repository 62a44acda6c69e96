"""fault-latency: the CDF of every timed first access, per backend x mode,
one panel per backing x metric (read_ns, write_ns and any other ns series
the tracked cases carry), log x; the baselines' medians as vertical lines.
"""
from plotlib import (BACKENDS, BACKINGS, MODES, Figure, colour, cdf_points,
                     load, median_ci, no_cases, order)

# Baseline metric drawn next to a tracked metric, by its first word.
PRESENT = {"read": "present_read_ns"}


def metric_order(name):
    return ({"read_ns": 0, "write_ns": 1}.get(name, 2), name)


def baselines(panel, base, name):
    if not base:
        return
    ms = base.get("metrics") or {}
    present = PRESENT.get(name.split("_")[0], "present_ns")
    at = {}		# median -> what: one line and label for equal medians
    for key, what in ((present, "present page"),
                      ("first_touch_ns", "first touch")):
        v = median_ci(ms.get(key))
        if v and v[0] > 0:
            at.setdefault(v[0], []).append(what)
    for x, whats in sorted(at.items()):
        panel.mark(x, f"{' = '.join(whats)} {x:g} ns")


def cdf(run):
    doc = load(run, "fault-latency")
    base = {c.get("backing"): c for c in doc["results"]
            if c.get("backend") == "baseline"}
    series = {}		# (backing, metric) -> [case]
    for c in doc["results"]:
        if c.get("backend") == "baseline":
            continue
        for name, s in (c.get("metrics") or {}).items():
            if isinstance(s, dict) and s.get("unit") == "ns" and \
                    s.get("samples"):
                series.setdefault((c.get("backing"), name), []).append(c)
    if not series:
        raise no_cases(doc, "tracked case with samples")
    backings = sorted({b for b, _ in series}, key=lambda b: order(BACKINGS, b))
    metrics = sorted({m for _, m in series}, key=metric_order)
    fig = Figure("fault-latency", "fault-latency",
                 "fault-latency: first access to a tracked page, CDF of "
                 "every sample", doc, ncols=len(metrics),
                 columns="latency_ns fraction_of_samples_at_or_below",
                 note="vertical lines: medians of the baselines measured "
                      "in the same run")
    dropped = 0
    for r, backing in enumerate(backings):
        for col, name in enumerate(metrics):
            cases = series.get((backing, name))
            if not cases:
                continue
            p = fig.panel(f"{backing}: {name}",
                          cell=r * len(metrics) + col + 1)
            baselines(p, base.get(backing), name)
            cases.sort(key=lambda c: (order(BACKENDS, c.get("backend")),
                                      order(MODES, c.get("mode"))))
            for c in cases:
                samples = c["metrics"][name]["samples"]
                pts, d = cdf_points(samples)
                dropped += d
                mode = c.get("mode")
                p.add(pts, f"{c.get('backend')} {mode} (n={len(samples)})",
                      colour(c.get("backend")),
                      MODES.index(mode) + 1 if mode in MODES else 4)
    # One x range for all panels, with room for the baselines' labels.
    xs = [x for p in fig.panels for s in p.series
          for x, _ in s.rows[:1] + s.rows[-1:]]
    xs += [x for p in fig.panels for x, _ in p.marks]
    fig.vars.update(xmin=min(xs) / 1.5, xmax=max(xs) * 1.5)
    if dropped:
        fig.note += f"; {dropped} samples <= 0 ns left off the log axis"
    return [fig]


FIGURES = [("fault-latency", cdf)]
