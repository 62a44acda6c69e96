#!/usr/bin/python3
"""What a LAVA job of wsbench produced, checked against its own JSON.

usage: results.py LAVA_LOG OUT_DIR

Reads lava-run's log (one YAML/JSON record per line): the job's verdict,
the test cases the wsbench definition reported, and the result directory
the device printed between WSBENCH-RESULTS markers (base64 of a tar.gz,
sha256 checked; printed twice, the first good copy taken), unpacked into
OUT_DIR/results/.  Then checks, reading the JSON itself: every case
`wsbench cases` derives from that directory reached
LAVA with the same result, and every LAVA measurement of a metric equals
the median (summary.median) or exact value its case holds.  Prints the
LAVA cases (all in OUT_DIR/lava-results.tsv) next to `wsbench summary`.
Exit 0 when the job passed, no case failed and every check held; 1 if not;
2 on unreadable input.
"""
import base64
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile

import yaml

WS = os.environ.get("WSBENCH", os.path.join(os.path.dirname(__file__),
                                            "../../build/wsbench"))


def records(path):
    for line in open(path, errors="replace"):
        try:
            r = yaml.safe_load(line)
        except yaml.YAMLError:
            continue
        if isinstance(r, dict) and "lvl" in r:
            yield r


B64_LINE = re.compile(r"[A-Za-z0-9+/=]+")


def read_log(path):
    """The verdict, the cases, and every copy of the result directory
    the device printed: [(name, sha256, base64, lines dropped)].  A line
    inside a copy that is not base64 (a kernel message on the same
    console, a prompt after a lost END marker) is dropped and counted."""
    job, cases, copies, inside = None, [], [], False
    for r in records(path):
        m = r["msg"]
        if r["lvl"] == "results" and isinstance(m, dict):
            if m.get("definition") == "lava":
                if m.get("case") == "job":
                    job = m
            elif "case" in m:
                cases.append(m)
        elif r["lvl"] == "target" and isinstance(m, str):
            if m.startswith("WSBENCH-RESULTS-BEGIN "):
                _, name, sha = m.split()
                copies.append([name, sha, [], 0])
                inside = True
            elif m.startswith("WSBENCH-RESULTS-END"):
                inside = False
            elif inside and B64_LINE.fullmatch(m.strip()):
                copies[-1][2].append(m.strip())
            elif inside:
                copies[-1][3] += 1
    return job, cases, [(n, h, "".join(b), d) for n, h, b, d in copies]


def unpack_first(copies, out):
    """The first copy that unpacks with its sha256: its run directory, or
    ValueError saying what went wrong with each."""
    why = []
    for i, (name, sha, blob, dropped) in enumerate(copies, 1):
        try:
            return unpack(name, sha, blob, out)
        except (ValueError, tarfile.TarError) as e:
            why.append(f"copy {i} of {len(copies)}"
                       f"{f' ({dropped} non-base64 lines dropped)' if dropped else ''}: {e}")
    raise ValueError("; ".join(why))


def unpack(name, sha, blob, out):
    data = base64.b64decode(blob, validate=True)
    got = hashlib.sha256(data).hexdigest()
    if got != sha:
        raise ValueError(f"result tarball sha256 {got}, the device said {sha}")
    dest = os.path.join(out, "results")
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        for m in t.getmembers():
            if not (m.isfile() or m.isdir()) or m.name.startswith("/") or \
                    ".." in m.name.split("/"):
                raise ValueError(f"result tarball: unexpected member {m.name}")
        t.extractall(dest)
    return os.path.join(dest, name)


def json_value(run_dir, frm):
    """The value a case's "from" names, read from the JSON here."""
    path = os.path.join(run_dir, os.path.basename(frm["file"]))
    case = json.load(open(path))["results"][frm["index"]]
    key = frm.get("metric") or frm.get("field")
    if key in case.get("metrics", {}):
        return case["metrics"][key]["summary"]["median"]
    v = case
    for k in key.split("."):
        v = v[k]
    return v


def check(run_dir, lava_cases):
    """Problems, as lines; empty when LAVA and the JSON agree."""
    want = json.loads(subprocess.run([WS, "cases", "--json", run_dir],
                                     check=True, capture_output=True,
                                     text=True).stdout)
    got = {c["case"]: c for c in lava_cases}
    bad, matched = [], 0
    for c in want:
        g = got.get(c["name"])
        if g is None:
            bad.append(f"{c['name']}: not in LAVA's results")
            continue
        if g["result"] != c["result"]:
            bad.append(f"{c['name']}: LAVA {g['result']}, wsbench {c['result']}")
        if "measurement" not in c:
            continue
        m = float(g.get("measurement", "nan"))
        ref = json_value(run_dir, c["from"]) if "file" in c["from"] and \
            ("metric" in c["from"] or "field" in c["from"]) else c["measurement"]
        if not abs(m - ref) <= 1e-9 * max(1.0, abs(ref)):
            bad.append(f"{c['name']}: LAVA measurement {m}, JSON {ref}")
        else:
            matched += 1
    return bad, matched, len(want)


def main(argv):
    if len(argv) != 3:
        print("usage: results.py LAVA_LOG OUT_DIR", file=sys.stderr)
        return 2
    log, out = argv[1], argv[2]
    try:
        job, cases, copies = read_log(log)
    except OSError as e:
        print(f"results: {e}", file=sys.stderr)
        return 2
    with open(os.path.join(out, "lava-results.tsv"), "w") as f:
        for c in cases:
            f.write("\t".join(str(c.get(k, "")) for k in
                              ("definition", "case", "result", "measurement",
                               "units")) + "\n")
    counts = {}
    for c in cases:
        counts[c["result"]] = counts.get(c["result"], 0) + 1
    print(f"LAVA job: {job['result'] if job else 'no verdict'}"
          f"{' (' + job.get('error_msg', '').strip() + ')' if job and job.get('error_msg') else ''}")
    print(f"LAVA test cases: {len(cases)} ({', '.join(f'{n} {r}' for r, n in sorted(counts.items()))})")
    shown = 0
    for c in cases:
        plain = "measurement" not in c or c["case"].split(".")[0] in ("claim", "lost")
        if plain or shown < 8:
            shown += not plain
            print(f"  {c['case']:<60.60} {c['result']:<5} "
                  f"{c.get('measurement', '')} {c.get('units', '')}")
    print(f"  (every case: {os.path.join(out, 'lava-results.tsv')})")
    if not copies:
        print("results: the job printed no result directory", file=sys.stderr)
        return 1
    try:
        run_dir = unpack_first(copies, out)
    except ValueError as e:
        print(f"results: {e}", file=sys.stderr)
        return 1
    print(f"\nwsbench summary of the job's result directory ({run_dir}):")
    sys.stdout.flush()
    subprocess.run([WS, "summary", run_dir])
    bad, matched, n = check(run_dir, cases)
    print(f"\nLAVA vs the JSON: {n} cases expected, {matched} measurements "
          f"equal to their JSON value, {len(bad)} problems")
    for b in bad[:20]:
        print("  " + b)
    failed = counts.get("fail", 0)
    ok = job and job["result"] == "pass" and not failed and not bad
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
