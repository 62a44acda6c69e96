"""correctness: precision and recall matrices, one figure per backing:
columns backend x mode (x the page size scored, when the cases carry a
huge-page score too), rows pattern (its access kind) x phase x re-arm
policy x TLB condition: one case per cell, colour-coded, with the value
printed.  Cells of an access kind the backend cannot see
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


PHASE_WORDS = {"single": "one interval", "rearm": "after a re-arm",
               "roundtrip": "after a mode round trip"}


def accuracies(c):
    """[(page size scored or None, accuracy)] of one case.

    A huge-page case's "granularity": {"granule": "2M", "tracked_at": ..,
    "accuracy": ..} is its score per huge page, next to "accuracy" per
    4K page.  The older shape {name: accuracy or {"accuracy": ...}} gives
    one column per name.
    """
    g = c.get("granularity")
    if isinstance(g, dict) and is_accuracy(g.get("accuracy")) and \
            is_accuracy(c.get("accuracy")):
        return [("4K", c["accuracy"]),
                (str(g.get("granule", "huge page")), g["accuracy"])]
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
                       key=lambda k: (k[0], k[1], seen.index(k[2]), k[3]))
        # With huge-page scores in the figure, every column says which
        # page size it scored: a plain case is scored per 4K page.
        scored = any(g for c in mine for g, _ in accuracies(c))
        trackers = sorted({tracker(c, g, scored) for c in mine
                           for g, _ in accuracies(c)})
        cells = {m: [] for m in MEASURES}
        for c in mine:
            # First test at the top.
            y = len(tests) - 1 - tests.index(test(c))
            blind = c.get("expected_visible") is False
            for g, a in accuracies(c):
                x = trackers.index(tracker(c, g, scored))
                for m in MEASURES:
                    cells[m].append((x, y, a[m], cell_text(a[m]) +
                                     ("*" if blind else ""), int(blind)))
        fig = Figure("correctness", f"correctness-{backing}",
                     f"correctness, {backing}: precision and recall of the "
                     "reported page set", doc, stamp=False, ncols=2,
                     columns="tracker test value text blind",
                     note=note(trackers))
        for m, words in zip(MEASURES, PANEL_WORDS):
            fig.panel(words).add(sorted(cells[m]), m)
        fig.vars.update(
            nx=len(trackers), ny=len(tests),
            x_label=[x_label(t) for t in trackers],
            y_label=[y_label(t) for t in reversed(tests)],
            # Room for the longest row label, then the cells.
            panel_w=max(480, 100 + 7 * max(len(y_label(t)) for t in tests)
                        + 70 * len(trackers)),
            panel_h=110 + 20 * len(tests))
        figs.append(fig)
    return figs


PANEL_WORDS = ("precision", "recall")


def note(trackers):
    words = ("precision: reported pages that were touched; recall: touched "
             "pages that were reported; * grey: an access kind this backend "
             "cannot see; blank: not run")
    if any(t[2] for t in trackers):
        words += "; @4K: scored per 4K page, @2M: per 2M huge page"
    return words


def x_label(t):
    name = " ".join(x for x in (t[0][1], t[1][1]) if x)
    return f"{name} @{t[2][1]}" if t[2] else name


def y_label(t):
    """pattern, phase, re-arm policy (where it has one), TLB condition."""
    pattern, phase, rearm = t[2], t[1][1], t[3]
    words = [pattern]
    if phase and phase != pattern:
        words.append(PHASE_WORDS.get(phase, phase))
    if rearm:
        words.append(f"re-arm {rearm}")
    if t[0][1]:
        words.append(f"TLB {t[0][1]}")
    return ", ".join(words)


def test(c):
    """A row: one case of a backend x mode column.  Cases that differ
    only by their re-arm policy (rearm-race, concurrent) get a row each."""
    return (order(TLBS, c.get("tlb")), order(PHASES, c.get("phase")),
            c.get("pattern") or "?", c.get("rearm") or "")


def tracker(c, granularity, scored):
    """A column: backend x mode (x the page size scored, 4K first)."""
    g = granularity or ("4K" if scored else "")
    return (order(BACKENDS, c.get("backend")), order(MODES, c.get("mode")),
            (0 if g == "4K" else 1, g) if g else "")


FIGURES = [("correctness", matrices)]
