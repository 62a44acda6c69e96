"""correctness: precision and recall matrices, one figure per backing:
columns backend x mode (x granularity when the cases carry one), rows
pattern (its access kind) x phase x TLB condition, cells colour-coded,
with the value printed.  Cells of an access kind the backend cannot see
(expected_visible false) are grey and starred.
"""
from plotlib import (BACKENDS, BACKINGS, MODES, Figure, load, no_cases,
                     order)

TLBS = ["as-is", "flushed", "turnover"]
PHASES = ["single", "rearm", "roundtrip"]
MEASURES = ("precision", "recall")


def is_accuracy(a):
    return isinstance(a, dict) and all(isinstance(a.get(m), (int, float))
                                       for m in MEASURES)


def accuracies(c):
    """[(granularity name or None, accuracy)] of one case.

    A case with "granularity": {name: accuracy or {"accuracy": ...}} gives
    one row per granularity; otherwise its "accuracy" is the only one.
    """
    g = c.get("granularity")
    if isinstance(g, dict):
        out = []
        for name, a in g.items():
            a = a.get("accuracy", a) if isinstance(a, dict) else a
            if is_accuracy(a):
                out.append((str(name), a))
        if out:
            return out
    return [(None, c["accuracy"])] if is_accuracy(c.get("accuracy")) else []


def cell_text(v):
    return "1" if v == 1 else "0" if v == 0 else f"{v:.3f}"


def matrices(run):
    doc = load(run, "correctness")
    cases = [c for c in doc["results"] if accuracies(c)]
    if not cases:
        raise no_cases(doc, "case with an accuracy")
    # Tests in the order the patterns were run, grouped by TLB and phase.
    seen = []
    for c in cases:
        if c.get("pattern") not in seen:
            seen.append(c.get("pattern"))
    figs = []
    for backing in sorted({c.get("backing") for c in cases},
                          key=lambda b: order(BACKINGS, b)):
        mine = [c for c in cases if c.get("backing") == backing]
        tests = sorted({test(c) for c in mine},
                       key=lambda k: (k[0], k[1], seen.index(k[2])))
        trackers = sorted({tracker(c, g) for c in mine
                           for g, _ in accuracies(c)})
        cells = {m: [] for m in MEASURES}
        for c in mine:
            # First test at the top.
            y = len(tests) - 1 - tests.index(test(c))
            blind = c.get("expected_visible") is False
            for g, a in accuracies(c):
                x = trackers.index(tracker(c, g))
                for m in MEASURES:
                    cells[m].append((x, y, a[m], cell_text(a[m]) +
                                     ("*" if blind else ""), int(blind)))
        fig = Figure("correctness", f"correctness-{backing}",
                     f"correctness, {backing}: precision and recall of the "
                     "reported page set", doc, stamp=False, ncols=2,
                     columns="tracker test value text blind",
                     note="* grey: an access kind this backend cannot see "
                          "(expected_visible false); blank: not run")
        for m in MEASURES:
            fig.panel(m).add(sorted(cells[m]), m)
        fig.vars.update(
            nx=len(trackers), ny=len(tests),
            x_label=[" ".join(x for x in (t[0][1], t[1][1], t[2]) if x)
                     for t in trackers],
            y_label=[f"{t[2]}  {t[1][1]}  tlb {t[0][1]}"
                     for t in reversed(tests)],
            panel_w=300 + 70 * len(trackers),
            panel_h=110 + 20 * len(tests))
        figs.append(fig)
    return figs


def test(c):
    return (order(TLBS, c.get("tlb")), order(PHASES, c.get("phase")),
            c.get("pattern") or "?")


def tracker(c, granularity):
    return (order(BACKENDS, c.get("backend")), order(MODES, c.get("mode")),
            granularity or "")


FIGURES = [("correctness", matrices)]
