# Sourced by the shell test suites (from the repository's top): the binary
# under test, TAP lines, a scratch directory and a JSON doctor.
# shellcheck shell=sh disable=SC2034

ws=${WSBENCH:-build/wsbench}
py=/usr/bin/python3

n=0
fails=0
# ok EXIT-STATUS DESCRIPTION: one TAP line; n counts them, fails the "not ok".
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
	fi
}

# tap_tmp: tmp= a fresh scratch directory, removed on exit.
tap_tmp() {
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
}

# skip_all REASON: the whole suite skipped, said why (scripts/test.sh counts it).
skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

# doctor DIR FILE PYTHON: edit DIR/FILE (JSON, as d) in place.
doctor() {
	/usr/bin/python3 - "$1/$2" "$3" <<'PY'
import json, sys
path, code = sys.argv[1], sys.argv[2]
d = json.load(open(path))
exec(code)
json.dump(d, open(path, "w"))
PY
}
