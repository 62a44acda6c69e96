#!/usr/bin/python3
"""Turn a wsbench result directory into gnuplot data files.

usage: extract.py RESULT_DIR OUT_DIR
Writes one .dat per plotted series and a .list per figure naming them.
Only medians and the bootstrap CI of the median are plotted; the JSON keeps
everything else.
"""
import json
import os
import sys


def load(run, bench):
    try:
        with open(os.path.join(run, bench + ".json")) as f:
            return json.load(f)
    except OSError:
        return None


def med(case, metric):
    s = case.get("metrics", {}).get(metric, {}).get("summary", {})
    ci = s.get("ci95_median") or [s.get("median"), s.get("median")]
    return s.get("median"), ci[0], ci[1], s.get("p99")


def write(out, name, rows, header):
    path = os.path.join(out, name)
    with open(path + ".tmp", "w") as f:
        f.write("# " + header + "\n")
        for r in rows:
            f.write(" ".join(str(x) for x in r) + "\n")
    os.replace(path + ".tmp", path)
    return name


def main():
    run, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    figures = {}

    d = load(run, "fault-latency")
    if d:
        rows = []
        for c in d["results"]:
            for m in ("read_ns", "write_ns", "present_ns", "first_touch_ns"):
                if m in c.get("metrics", {}):
                    v = med(c, m)
                    if v[0] is not None:
                        label = f'{c["backend"]}/{c["backing"]}/{c["mode"]}/{m[:-3]}'
                        rows.append((label,) + v)
        figures["fault-latency"] = [write(out, "fault-latency.dat", rows,
                                          "label median ci_lo ci_hi p99 (ns)")]

    for bench, metric, key in (("protect-cost", "ns_per_page", "threads"),
                               ("scan-throughput", "pages_per_s", "layout")):
        d = load(run, bench)
        if not d:
            continue
        series = {}
        for c in d["results"]:
            p = c.get("params", {})
            if bench == "scan-throughput" and p.get("hot_pct") != 50:
                continue
            if c["backing"] != "anon":
                continue
            v = med(c, metric)
            if v[0] is None:
                continue
            name = f'{bench}-{c["backend"]}-{key}{p.get(key)}.dat'
            series.setdefault(name, []).append((p.get("size_bytes"),) + v[:3])
        figures[bench] = [write(out, n, sorted(r), f"size_bytes median ci_lo ci_hi ({metric})")
                          for n, r in sorted(series.items())]

    for fig, files in figures.items():
        with open(os.path.join(out, fig + ".list"), "w") as f:
            f.write(" ".join(files) + "\n")


main()
