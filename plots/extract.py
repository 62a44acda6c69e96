#!/usr/bin/python3 -B
"""Turn a wsbench result directory into what the figure scripts read.

usage: extract.py RESULT_DIR OUT_DIR
       extract.py --check RESULT_DIR   (only: is it a result directory?)

For every figure whose input exists: OUT_DIR/data/<figure>/ (one .dat per
plotted series and vars.gp, see plotlib.py) and a line "<script> <figure>"
in OUT_DIR/manifest.  For every figure it cannot draw: one line
"plots: skip <figure>: <reason>" on stderr.  Only medians, their bootstrap
95 % CI and empirical CDFs are plotted; the JSON keeps everything else.
Exit 2: RESULT_DIR is not a result directory; 1: a result file is unreadable.
"""
import os
import sys

import fig_correctness
import fig_fault_latency
import fig_nested
import fig_numa_interplay
import fig_protect_cost
import fig_scan_throughput
import fig_set_mode
import fig_vmm_cycle
from plotlib import BadInput, Skip

MODULES = [fig_correctness, fig_fault_latency, fig_protect_cost,
           fig_scan_throughput, fig_set_mode, fig_vmm_cycle,
           fig_numa_interplay, fig_nested]
RESULT_FILES = ["probe", "correctness", "fault-latency", "protect-cost",
                "scan-throughput", "set-mode", "vmm-cycle", "numa-interplay",
                "nested-track"]


def is_result_dir(run):
    if any(os.path.isfile(os.path.join(run, f + ".json"))
           for f in RESULT_FILES):
        return True
    print(f"plots: RUN='{run}' is not a result directory (no probe.json "
          f"or <benchmark>.json in it)", file=sys.stderr)
    return False


def main():
    if len(sys.argv) != 3:
        print("\n".join(__doc__.strip().splitlines()[2:4]), file=sys.stderr)
        return 2
    if sys.argv[1] == "--check":
        return 0 if is_result_dir(sys.argv[2]) else 2
    run, out = sys.argv[1], sys.argv[2]
    if not is_result_dir(run):
        return 2
    os.makedirs(out, exist_ok=True)
    manifest, status = [], 0
    for mod in MODULES:
        for script, build in mod.FIGURES:
            try:
                for fig in build(run):
                    fig.write(out)
                    manifest.append(f"{fig.script} {fig.name}\n")
            except Skip as e:
                print(f"plots: skip {script}: {e}", file=sys.stderr)
            except BadInput as e:
                print(f"plots: {script}: {e}", file=sys.stderr)
                status = 1
            except (AttributeError, KeyError, IndexError, TypeError,
                    ValueError) as e:
                # A file of the right shape at the top but not below: one
                # line naming the figure, not a traceback.
                print(f"plots: {script}: its result file is not a wsbench"
                      f" result of the expected shape ({type(e).__name__}:"
                      f" {e})", file=sys.stderr)
                status = 1
    tmp = os.path.join(out, "manifest.tmp")
    with open(tmp, "w") as f:
        f.writelines(manifest)
    os.replace(tmp, os.path.join(out, "manifest"))
    return status


sys.exit(main())
