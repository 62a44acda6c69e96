#!/usr/bin/python3
"""Validate wsbench JSON result files against results/schema.json.

usage: validate_results.py FILE...   (prints TAP; exit 1 if any is invalid)
Uses Debian's python3-jsonschema (Draft 2020-12).
"""
import json
import os
import sys

import jsonschema

schema_path = os.path.join(os.path.dirname(__file__), "..", "results", "schema.json")
with open(schema_path) as f:
    schema = json.load(f)
# Validate against the matching branch directly: a failed oneOf only says
# "not valid under any", the branch names the field that is wrong.
validators = {}
for kind in ("probe", "benchmark_result"):
    branch = dict(schema)
    del branch["oneOf"]
    branch["$ref"] = "#/$defs/" + kind
    validators[kind] = jsonschema.Draft202012Validator(branch)

files = sys.argv[1:]
print(f"1..{len(files)}")
bad = 0
for i, path in enumerate(files, 1):
    try:
        with open(path) as f:
            doc = json.load(f)
        kind = "probe" if isinstance(doc, dict) and doc.get("kind") == "probe" else "benchmark_result"
        errors = sorted(validators[kind].iter_errors(doc), key=lambda e: list(e.path))
    except (OSError, ValueError) as e:
        errors = [e]
    if errors:
        bad += 1
        print(f"not ok {i} - {path} matches results/schema.json")
        for e in errors[:5]:
            where = "/".join(str(p) for p in getattr(e, "absolute_path", []))
            print(f"#   {where}: {getattr(e, 'message', e)}")
    else:
        print(f"ok {i} - {path} matches results/schema.json")
sys.exit(1 if bad else 0)
