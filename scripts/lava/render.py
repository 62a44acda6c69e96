#!/usr/bin/python3
"""Render a LAVA job template (scripts/lava/jobs/*.yaml) and check it.

usage: render.py TEMPLATE OUT [NAME=VALUE ...]

Every ${NAME} in the template's string values is replaced (a value that
is only "${NAME}" and whose text is a whole number becomes a number, as
LAVA's timeouts want); a name the template uses but the command line does
not give is an error.  The job is then checked with LAVA's own job schema
(lava_common.schemas.validate, strict, from Debian's lava-common) and
written atomically.  Exit 2 on bad input or an invalid job.
"""
import os
import re
import string
import sys

try:
    import yaml
    from lava_common.schemas import validate
    from voluptuous import Invalid
except ImportError as e:
    sys.exit(print(f"render: {e}: install LAVA's job schema (make lava-deps: "
                   "Debian's lava-common)", file=sys.stderr) or 2)

WHOLE = re.compile(r"^\$\{([A-Z_][A-Z0-9_]*)\}$")


def fill(node, values, missing):
    if isinstance(node, dict):
        return {fill(k, values, missing): fill(v, values, missing)
                for k, v in node.items()}
    if isinstance(node, list):
        return [fill(v, values, missing) for v in node]
    if not isinstance(node, str):
        return node
    t = string.Template(node)
    for name in t.get_identifiers():
        if name not in values:
            missing.add(name)
    text = t.safe_substitute(values)
    if WHOLE.match(node) and text.isdigit():
        return int(text)
    return text


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    template, out = argv[1], argv[2]
    values = {}
    for arg in argv[3:]:
        name, eq, value = arg.partition("=")
        if not eq or not re.fullmatch(r"[A-Z_][A-Z0-9_]*", name):
            print(f"render: '{arg}': expected NAME=VALUE (NAME in capitals)",
                  file=sys.stderr)
            return 2
        values[name] = value
    try:
        job = yaml.safe_load(open(template))
    except (OSError, yaml.YAMLError) as e:
        print(f"render: {template}: {e}", file=sys.stderr)
        return 2
    missing = set()
    job = fill(job, values, missing)
    if missing:
        print(f"render: {template} needs {', '.join(sorted(missing))} "
              "(give NAME=VALUE)", file=sys.stderr)
        return 2
    try:
        validate(job, strict=True)
    except Invalid as e:
        print(f"render: {template}: LAVA's job schema refuses the job: "
              f"{e.msg} at {'/'.join(str(p) for p in e.path)}",
              file=sys.stderr)
        return 2
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        yaml.safe_dump(job, f, sort_keys=False, width=1000)
    os.replace(tmp, out)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
