"""fault-latency: the CDF of every timed first access, per backend x mode,
one panel per backing x metric (read_ns, write_ns and any other ns series
the tracked cases carry), log x; the baselines' medians as vertical lines.
"""
from plotlib import (BACKENDS, BACKINGS, MODES, Figure, colour, cdf_points,
                     load, median_ci, no_cases, order)

# Baseline metric drawn next to a tracked metric, by its first word.
PRESENT = {"read": "present_read_ns"}


def metric_order(name):
    return ({"fault_write_ns": 0, "fault_read_ns": 1,
             "access_write_ns": 2, "access_read_ns": 3}.get(name, 4), name)


# What splits the panels, in words: samples are filed by the page faults
# they contained (fault_latency.c).
WORDS = {"fault_write_ns": "write to an armed page, one fault (the write fault)",
         "fault_read_ns": "read of an armed page, one fault (the read fault)",
         "access_write_ns": "write to an armed page, no fault taken",
         "access_read_ns": "read of an armed page, no fault taken"}


def metric_words(name):
    return WORDS.get(name, name.removesuffix("_ns").replace("_", " "))


def fmt_ns(x):
    """A latency with its unit, three significant digits."""
    for unit, div in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if x >= div:
            return f"{x / div:.3g} {unit}"
    return f"{x:.3g} ns"


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
        panel.mark(x, f"{' = '.join(whats)} {fmt_ns(x)}")


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
                 note="grey dashed vertical lines: medians of untracked "
                      "baselines in the same run (a present page; the first "
                      "touch of a fresh page)")
    dropped = 0
    for r, backing in enumerate(backings):
        for col, name in enumerate(metrics):
            cases = series.get((backing, name))
            if not cases:
                continue
            p = fig.panel(f"{backing}: {metric_words(name)}",
                          cell=r * len(metrics) + col + 1)
            baselines(p, base.get(backing), name)
            cases.sort(key=lambda c: (order(BACKENDS, c.get("backend")),
                                      order(MODES, c.get("mode"))))
            ns = []
            for c in cases:
                samples = c["metrics"][name]["samples"]
                pts, d = cdf_points(samples)
                dropped += d
                mode = c.get("mode")
                ns.append(len(samples))
                p.add(pts, f"{c.get('backend')} {mode}",
                      colour(c.get("backend")),
                      MODES.index(mode) + 1 if mode in MODES else 4)
            p.title += (f"\n({min(ns)} samples per line)" if min(ns) == max(ns)
                        else f"\n({min(ns)} to {max(ns)} samples per line)")
    # One x range for all panels, with room for the baselines' labels.
    xs = [x for p in fig.panels for s in p.series
          for x, _ in s.rows[:1] + s.rows[-1:]]
    xs += [x for p in fig.panels for x, _ in p.marks]
    fig.vars.update(xmin=min(xs) / 1.5, xmax=max(xs) * 1.5)
    fig.legend_from_series()
    if dropped:
        fig.note += f"; {dropped} samples <= 0 ns left off the log axis"
    return [fig]


FIGURES = [("fault-latency", cdf)]
