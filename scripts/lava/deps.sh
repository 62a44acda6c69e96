#!/bin/sh
# make lava-deps: Debian's LAVA dispatcher (lava-run) and job schema
# (lava-common), and lavacli for submitting to a lab.  Idempotent; apt only
# (LAVA is packaged by Debian).
set -eu

pkgs="lava-dispatcher lava-common lavacli python3-yaml"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
command -v apt-get >/dev/null ||
	{ echo "lava-deps: no apt-get: install by hand:$missing" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "lava-deps: need root to install:$missing" >&2; exit 1; }
echo "lava-deps: installing:$missing" >&2
log="${TMPDIR:-/tmp}/wsbench-lava-deps.log"
# shellcheck disable=SC2086
if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	--no-install-recommends $missing || { apt-get update -qq &&
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	--no-install-recommends $missing; }; } >"$log" 2>&1; then
	tail -n 20 "$log" >&2
	echo "lava-deps: apt-get failed; full log: $log" >&2
	exit 1
fi
