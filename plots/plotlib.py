"""Shared by the figure extractors: reading result files, the header every
figure carries, stable colours, and writing what the gnuplot scripts read.

A figure is written as plots/data/<name>/: one sNN.dat per plotted series
and vars.gp, which defines the title, the stamp, the panel layout and, per
series, its file, title, colour and dash type (see plots/common.gp).
"""
import json
import math
import os

# Canonical orders; anything else sorts after these, alphabetically.
BACKENDS = ["rwp", "minor-anon", "wp", "idle", "softdirty", "damon",
            "mprotect", "baseline"]
BACKINGS = ["anon", "anon-thp", "shmem", "hugetlb"]
MODES = ["async", "sync", "none"]

COLOURS = {"rwp": "#d62728", "minor-anon": "#ff7f0e", "wp": "#1f77b4",
           "idle": "#2ca02c", "softdirty": "#9467bd", "damon": "#8c564b",
           "mprotect": "#000000", "baseline": "#7f7f7f"}
SPARE_COLOURS = ["#e377c2", "#17becf", "#bcbd22", "#393b79", "#637939"]
TCG_STAMP = "TCG: timings not meaningful"


class Skip(Exception):
    """This figure has no input; the message says why, in one line."""


class BadInput(Exception):
    """A result file exists but cannot be read."""


def order(canon, value):
    """Sort key: canonical position first, then the name."""
    value = "" if value is None else str(value)
    return (canon.index(value) if value in canon else len(canon), value)


_spare = {}


def colour(backend):
    """The backend's colour, the same in every figure of a run."""
    if backend in COLOURS:
        return COLOURS[backend]
    if backend not in _spare:
        _spare[backend] = SPARE_COLOURS[len(_spare) % len(SPARE_COLOURS)]
    return _spare[backend]


_loaded = {}


def load(run, bench):
    """The parsed <bench>.json of run (read once), or Skip when absent."""
    path = os.path.join(run, bench + ".json")
    if path not in _loaded:
        _loaded[path] = _read(path, bench)
    return _loaded[path]


def _read(path, bench):
    if not os.path.exists(path):
        raise Skip(f"{bench}.json absent (benchmark not run)")
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        raise BadInput(f"{path}: {e}")
    if not isinstance(doc, dict):
        raise BadInput(f"{path}: not a JSON object (a {type(doc).__name__}):"
                       f" not a wsbench result")
    if not isinstance(doc.get("results"), list):
        raise BadInput(f"{path}: no \"results\" array: not a wsbench result")
    return doc


def no_cases(doc, what):
    """Skip reason for a file without the cases a figure needs."""
    skipped = doc.get("skipped") or []
    reason = f"{doc.get('benchmark', '?')}.json has no {what}"
    if skipped:
        s = skipped[0]
        why = " ".join(str(s.get("reason", "")).split())
        if len(why) > 90:
            why = why[:87] + "..."
        reason += f" ({len(skipped)} skipped, e.g. {s.get('backend')}: {why})"
    return Skip(reason)


def header(doc):
    """(title line 2, stamp): kernel, CPU, accel and run of the file."""
    env = doc.get("environment") or {}
    kernel = (env.get("kernel") or {}).get("release", "?")
    cpu = env.get("cpu") or {}
    accel = doc.get("accel") or \
        (env.get("virtualization") or {}).get("accel", "?")
    line = (f"kernel {kernel}   CPU {cpu.get('model', '?')}"
            f" ({cpu.get('online', '?')} online)   accel {accel}"
            f"   run {doc.get('run_id', '?')}")
    stamp = ""
    if accel == "tcg":
        stamp = TCG_STAMP
    elif (env.get("virtualization") or {}).get("timings_meaningful") is False:
        stamp = f"accel {accel}: timings not meaningful"
    return line, stamp


def metric(case, name):
    m = (case.get("metrics") or {}).get(name)
    return m if isinstance(m, dict) else None


def median_ci(series):
    """(median, ci_lo, ci_hi) of a series, or None when it has no median.

    The interval is summary.ci_median, over invocations when the run had
    several: 95 % or more from 6 units, [min, max] at its own lower level
    below (ci_median.level); a series without one gets a zero-width bar.
    """
    s = (series or {}).get("summary") or {}
    med = s.get("median")
    if not isinstance(med, (int, float)):
        return None
    ci = s.get("ci_median") or {}
    lo, hi = ci.get("lo"), ci.get("hi")
    if not all(isinstance(x, (int, float)) for x in (lo, hi)):
        lo = hi = med
    return med, lo, hi


def cdf_points(samples, most=1000):
    """Empirical CDF (x, fraction <= x) at no more than `most` ranks.

    Every point is an exact order statistic; positive samples only, since
    the axis is logarithmic (the count of dropped ones is returned).
    """
    xs = sorted(x for x in samples if isinstance(x, (int, float)))
    n = len(xs)
    kept = [(x, (i + 1) / n) for i, x in enumerate(xs) if x > 0]
    dropped = n - len(kept)
    if len(kept) > most:
        step = (len(kept) - 1) / (most - 1)
        kept = [kept[round(i * step)] for i in range(most)]
    return kept, dropped


def fmt_size(nbytes):
    for unit, div in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if nbytes >= div and nbytes % div == 0:
            return f"{nbytes // div} {unit}"
    return f"{nbytes} B"


def varying(keys_list):
    """Names whose value differs among the dicts of keys_list."""
    names = []
    for d in keys_list:
        for k in d:
            if k not in names:
                names.append(k)
    return {k for k in names
            if len({str(d.get(k)) for d in keys_list}) > 1}


def gp_str(s):
    s = str(s)
    if "\n" in s:	# a line break needs gnuplot's double-quoted form
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') \
            .replace("\n", "\\n") + '"'
    return "'" + s.replace("'", "''") + "'"


def gp_val(v):
    if isinstance(v, str):
        return gp_str(v)
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN"
    return repr(v)


class Series:
    def __init__(self, rows, title, colour="#000000", dash=1, **extra):
        self.rows, self.title, self.colour, self.dash = rows, title, colour, dash
        self.extra = extra


class Panel:
    def __init__(self, title, cell=None, **extra):
        self.title, self.cell = title, cell
        self.series = []
        self.marks = []		# (x, title): vertical reference lines
        self.extra = extra

    def add(self, rows, title, colour="#000000", dash=1, **extra):
        self.series.append(Series(rows, title, colour, dash, **extra))

    def mark(self, x, title):
        self.marks.append((x, title))


class Figure:
    """One output image: name.png and name.svg, drawn by script.gp."""

    def __init__(self, script, name, title, doc, stamp=True, ncols=1,
                 columns="", note=""):
        self.script, self.name, self.title = script, name, title
        self.subtitle, self.stamp = header(doc)
        if not stamp:
            self.stamp = ""
        self.ncols, self.columns, self.note = ncols, columns, note
        self.panels = []
        self.vars = {}		# extra scalars or lists for the script
        self.keys = []		# (title, colour, dash, point type or -1)

    def log_xrange(self, pad=1.5):
        """xmin, xmax for the script: all series' x, padded on a log axis
        so that no point sits on the border."""
        xs = [r[0] for p in self.panels for s in p.series for r in s.rows
              if isinstance(r[0], (int, float)) and r[0] > 0]
        if xs:
            self.vars.update(xmin=min(xs) / pad, xmax=max(xs) * pad)

    def key(self, title, colour="#000000", dash=1, pt=-1):
        """An entry of the figure's one legend, drawn in a grid cell of its
        own after the panels (common.gp draw_legend): never over data."""
        if (title, colour, dash, pt) not in self.keys:
            self.keys.append((title, colour, dash, pt))

    def legend_from_series(self, pt=-1):
        """The legend: every titled series once (its colour, dash type and
        marker), drawn in a cell of its own (common.gp draw_legend)."""
        for p in self.panels:
            for ser in p.series:
                if ser.title:
                    self.key(ser.title, ser.colour, ser.dash,
                             ser.extra.get("pt", pt))

    def panel(self, title, cell=None, **extra):
        """A new panel; cell (1-based, row-major) leaves holes in the grid."""
        p = Panel(title, cell, **extra)
        self.panels.append(p)
        return p

    def write(self, out):
        d = os.path.join(out, "data", self.name)
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            os.remove(os.path.join(d, f))
        series, marks = [], []
        first, count, mfirst, mcount = [], [], [], []
        cells = [p.cell or i for i, p in enumerate(self.panels, 1)]
        legend_cell = max(cells or [0]) + 1 if self.keys else 0
        ncols = min(self.ncols, max(cells + [legend_cell] or [1]))
        # One full row of panels: the legend goes beside it, not under.
        if legend_cell and legend_cell == self.ncols + 1:
            ncols = legend_cell
        for p in self.panels:
            first.append(len(series) + 1)
            count.append(len(p.series))
            mfirst.append(len(marks) + 1)
            mcount.append(len(p.marks))
            series += p.series
            marks += p.marks
        for i, s in enumerate(series, 1):
            write_rows(os.path.join(d, f"s{i:02d}.dat"), s.rows, self.columns)
        v = {"fig_title": self.title, "fig_subtitle": self.subtitle,
             "fig_stamp": self.stamp, "fig_note": self.note,
             "npanels": len(self.panels), "ncols": ncols,
             "ncells": max(cells + [legend_cell] or [1]),
             "panel_cell": cells, "legend_cell": legend_cell,
             "key_n": len(self.keys),
             "key_title": [k[0] for k in self.keys],
             "key_colour": [k[1] for k in self.keys],
             "key_dash": [k[2] for k in self.keys],
             "key_pt": [k[3] for k in self.keys],
             "panel_title": [p.title for p in self.panels],
             "panel_first": first, "panel_count": count,
             "mark_first": mfirst, "mark_count": mcount,
             "mark_x": [m[0] for m in marks],
             "mark_title": [m[1] for m in marks],
             "s_file": [f"s{i:02d}.dat" for i in range(1, len(series) + 1)],
             "s_title": [s.title for s in series],
             "s_colour": [s.colour for s in series],
             "s_dash": [s.dash for s in series]}
        for key in sorted({k for p in self.panels for k in p.extra}):
            v["panel_" + key] = [p.extra.get(key, "") for p in self.panels]
        for key in sorted({k for s in series for k in s.extra}):
            v["s_" + key] = [s.extra.get(key, "") for s in series]
        v.update(self.vars)
        lines = [f"# {self.name}: written by plots/extract.py"]
        for k, val in v.items():
            if isinstance(val, list):
                # gnuplot arrays cannot be empty; the counts say what is real
                vals = val or [0]
                lines.append(f"array {k}[{len(vals)}] = [" +
                             ", ".join(gp_val(x) for x in vals) + "]")
            else:
                lines.append(f"{k} = {gp_val(val)}")
        tmp = os.path.join(d, "vars.gp.tmp")
        with open(tmp, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.replace(tmp, os.path.join(d, "vars.gp"))
        return d


def write_rows(path, rows, columns):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        if columns:
            f.write("# " + columns + "\n")
        for r in rows:
            f.write(" ".join(cell(x) for x in r) + "\n")
    os.replace(tmp, path)


def cell(x):
    if x is None:
        return "NaN"
    if isinstance(x, str):
        return '"' + x.replace('"', "'") + '"'
    if isinstance(x, float):
        return repr(x) if math.isfinite(x) else "NaN"
    return str(x)
