#!/bin/sh
# make plots RUN=results/<run-id>: one PNG per figure into RUN/plots/.
set -eu

run=${1:?usage: plots/plot.sh results/<run-id>}
[ -d "$run" ] || { echo "plots: RUN='$run' is not a result directory" >&2; exit 2; }
here=$(dirname "$0")
out="$run/plots"
/usr/bin/python3 "$here/extract.py" "$run" "$out"
for gp in "$here"/*.gp; do
	fig=$(basename "$gp" .gp)
	[ -s "$out/$fig.list" ] || continue
	accel=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accel"])' "$run/$fig.json")
	(cd "$out" && gnuplot -e "files='$(cat "$fig.list")'; accel='$accel'" "$OLDPWD/$gp" >"$fig.png")
	echo "plots: $out/$fig.png" >&2
done
